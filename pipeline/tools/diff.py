"""What changed between two runs of the pipeline, for an analyst re-running it on a new version of a page.

``compare(old, new)`` takes two parsed ``partners.json`` contents and returns a JSON-serialisable dict of
changes; ``render(changes, fmt)`` turns it into a text report, Markdown or JSON, ``rows(changes)`` into
one row per change (the ``changes`` sheet of the workbook, the changes section of the report). All are
pure: reading and writing the files is the caller's business. ``Tracker`` does the same for a run being
written, from each partner's compact form (``compact``), so that no partner's text is held.

Partners are matched on ``partner_id``, which depends on the partner and not on where its section
stands, so moving sections around, or saving the page under another name (``source``), is no change.
A partner found in only one run is then paired with one found only in the other, as *renamed*, when:
1. its text is the same (``text_sha256``), and no other partner left has that text;
2. failing that, its text is nearly the same (word trigrams in common: at least ``SIMILAR`` of them,
   Jaccard) and the two headings do not name different bodies;
3. failing that, both headings name the same body (the heading's acronym, or an organisation of the
   partner whose acronym or name the heading writes), no other partner left names it, and it is not
   a body that most partners of either run mention (the OMD on its own pages names no partner).
Pairs are made in that order, the closest texts first; every other partner is added or removed, with
its whole content (agreements, dates, organisations, themes) counted and listed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from ..models import CHANGE_KINDS, Changes, short_name
from ..text import norm

FORMATS = ("text", "markdown", "json")

SUMMARY_KEYS = (
    "partners_added", "partners_removed", "partners_renamed", "partners_modified",
    "agreements_added", "agreements_removed", "agreements_redated",
    "dates_added", "dates_removed",
    "organisations_added", "organisations_removed",
    "themes_added", "themes_removed",
    "texts_changed",
)
SIMILAR = 0.5  # share of word trigrams in common (Jaccard) from which two texts are "nearly the same"
_SKETCH = 64  # the smallest hashes of a text's word trigrams kept to estimate that share
_HASH = 8  # bytes of each

# The changes sheet and the report's section: one row per change, these columns in this order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("kind", "What happened: " + ", ".join(CHANGE_KINDS)),
    ("partner_id", "The partner's id in the new run (in the previous run for a partner removed)"),
    ("partner", "The partner's heading in the new run (in the previous run for a partner removed)"),
    ("field", "What changed: the partner itself, its partner_id, heading or text, an agreement, a date, an "
              "organisation, a theme"),
    ("old", "The value in the previous run (empty for an addition)"),
    ("new", "The value in the new run (empty for a removal)"),
)
_CONTENT = (("agreements", "agreement"), ("dates", "date"), ("organisations", "organisation"), ("themes", "theme"))


def compare(old: dict, new: dict) -> dict:
    """The changes from run ``old`` to run ``new`` (both parsed ``partners.json``), with sorted lists."""
    return changes_between([compact(p, "old") for p in old.get("partners") or ()],
                           [compact(p, "new") for p in new.get("partners") or ()])


def compact(partner: dict, which: str = "new", sketch: bool = True) -> dict:
    """What the comparison reads of a partner (a ``partners.json`` entry): its text is replaced by its
    hash and, with ``sketch``, a few hundred bytes that tell how close another text is."""
    pid = partner.get("partner_id")
    if not pid:
        raise ValueError(f"{which} run: a partner has no partner_id ({partner.get('heading')!r})")
    text = partner.get("text")
    organisations = [{"name": o.get("name"), "acronym": o.get("acronym")} for o in partner.get("organisations") or ()]
    return {
        "partner_id": pid,
        "source": partner.get("source") or "",
        "section_index": partner.get("section_index") or 0,
        "heading": partner.get("heading"),
        # Hand-made dicts may carry the text without its hash; comparing the text then says the same thing.
        "text_key": partner.get("text_sha256") or text,
        "sketch": _sketch(text) if sketch and text else b"",
        "bodies": _bodies(partner.get("heading") or "", partner.get("acronym"), organisations),
        "organisations": [_org_key(o) for o in organisations],
        "agreements": [{"type": a.get("type") or "", "parties": list(a.get("parties") or ()), "date": a.get("date")}
                       for a in partner.get("agreements") or ()],
        "dates": [d.get("value") for d in partner.get("dates") or ()],
        "themes": [t.get("code") for t in partner.get("themes") or ()],
    }


class Tracker:
    """The changes from a previous run to a run being written, collected one partner at a time: only
    each partner's compact form is kept (``compact``: no text), and a text's sketch only for a partner
    whose id the previous run does not have (it may have been renamed)."""

    def __init__(self, previous: dict) -> None:
        self.old = [compact(p, "previous") for p in previous.get("partners") or ()]
        self._ids = {p["partner_id"] for p in self.old}
        self.new: list[dict] = []

    def add(self, partner: dict) -> None:
        self.new.append(compact(partner, "new", sketch=partner.get("partner_id") not in self._ids))

    def changes(self) -> dict:
        return changes_between(self.old, self.new)


def changes_between(old: list[dict], new: list[dict]) -> dict:
    """The changes from the compact partners ``old`` to ``new`` (see ``compare``)."""
    pairs, gone, came = _match_ids(old, new)
    paired = _pair(gone, came, _common_bodies(old), _common_bodies(new))
    paired_old = {id(a) for a, _, _ in paired}
    paired_new = {id(b) for _, b, _ in paired}
    added = [_content(p, "added") for p in came if id(p) not in paired_new]
    removed = [_content(p, "removed") for p in gone if id(p) not in paired_old]

    renamed, modified = [], []
    for a, b, how in sorted(pairs + paired, key=lambda pair: _order(pair[1])):
        if a["heading"] != b["heading"] or a["partner_id"] != b["partner_id"]:
            renamed.append({"partner_id": b["partner_id"], "old_partner_id": a["partner_id"],
                            "old_heading": a["heading"], "new_heading": b["heading"], "matched_by": how})
        entry = _partner_changes(a, b)
        if entry is not None:
            modified.append(entry)

    summary = dict.fromkeys(SUMMARY_KEYS, 0)
    summary.update(partners_added=len(added), partners_removed=len(removed), partners_renamed=len(renamed),
                   partners_modified=len(modified))
    for kind, entries in (("added", added), ("removed", removed)):
        for entry in entries:
            for field, _ in _CONTENT:
                summary[f"{field}_{kind}"] += len(entry[field])
    for entry in modified:
        for field, _ in _CONTENT:
            for kind, items in entry[field].items():
                summary[f"{field}_{kind}"] += len(items)
        summary["texts_changed"] += entry["text_changed"]
    return {
        "changed": any(summary.values()),
        "summary": summary,
        "partners_added": added,
        "partners_removed": removed,
        "partners_renamed": renamed,
        "partners_modified": modified,
    }


def render(changes: dict, fmt: str = "text") -> str:
    """``changes`` (from :func:`compare`) as a report: ``text``, ``markdown`` or ``json``."""
    if fmt == "json":
        return json.dumps(changes, ensure_ascii=False, indent=2, sort_keys=True)
    if fmt == "text":
        return _render_text(changes)
    if fmt == "markdown":
        return _render_markdown(changes)
    raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")


def headline(changes: dict) -> str:
    """The changes in one line: "No change." or how many partners of each kind, then items."""
    return " ".join(_summary_lines(changes["summary"])) if changes["changed"] else "No change."


def rows(changes: dict) -> list[dict]:
    """One row per change, keyed by the ``COLUMNS``: each partner added or removed then each of its
    items, each renaming, then each change of a partner kept, in the order of ``changes``' lists."""
    out: list[dict] = []

    def row(kind: str, entry: dict, heading: str | None, field: str, old: str = "", new: str = "") -> None:
        out.append({"kind": kind, "partner_id": entry["partner_id"], "partner": heading or "", "field": field,
                    "old": old, "new": new})

    for kind in ("added", "removed"):
        for entry in changes[f"partners_{kind}"]:
            side = {"new": entry["heading"]} if kind == "added" else {"old": entry["heading"]}
            row(kind, entry, entry["heading"], "partner", **side)
            for field, name in _CONTENT:
                for item in entry[field]:
                    value = _agreement_text(item, item["date"]) if field == "agreements" else str(item)
                    row(kind, entry, entry["heading"], name, **({"new": value} if kind == "added" else {"old": value}))
    for entry in changes["partners_renamed"]:
        if entry["old_partner_id"] != entry["partner_id"]:
            row("renamed", entry, entry["new_heading"], "partner_id", entry["old_partner_id"], entry["partner_id"])
        if entry["old_heading"] != entry["new_heading"]:
            row("renamed", entry, entry["new_heading"], "heading", entry["old_heading"], entry["new_heading"])
    for entry in changes["partners_modified"]:
        heading = entry["heading"]
        if entry["text_changed"]:
            row("changed", entry, heading, "text")
        agreements = entry["agreements"]
        for a in agreements["added"]:
            row("added", entry, heading, "agreement", new=_agreement_text(a, a["date"]))
        for a in agreements["removed"]:
            row("removed", entry, heading, "agreement", old=_agreement_text(a, a["date"]))
        for a in agreements["redated"]:
            row("redated", entry, heading, "agreement", _agreement_text(a, a["old_date"]),
                _agreement_text(a, a["new_date"]))
        for field, name in _CONTENT[1:]:
            for value in entry[field]["added"]:
                row("added", entry, heading, name, new=str(value))
            for value in entry[field]["removed"]:
                row("removed", entry, heading, name, old=str(value))
    return out


def for_outputs(changes: dict, previous: str) -> Changes:
    """``changes`` as the outputs write them beside a run: the rows of the changes sheet and section,
    and ``changes_since_previous.json`` (what ``diff --format json`` prints, with ``previous``: what the run was
    compared with)."""
    data = {**changes, "previous": previous}
    return Changes(previous=previous, fields=COLUMNS, rows=tuple(rows(changes)),
                   json=render(data, "json").encode("utf-8") + b"\n")


def saved(data: dict) -> Changes | None:
    """The changes a run wrote (its ``changes_since_previous.json``, parsed), ready to be written again (as when
    ``evaluate`` renders the report anew); None for a file that is not a run's changes."""
    previous = data.get("previous")
    try:
        return for_outputs({k: v for k, v in data.items() if k != "previous"}, previous) \
            if isinstance(previous, str) else None
    except (KeyError, TypeError, AttributeError):
        return None


# --- comparison ----------------------------------------------------------------------------------

def _order(partner: dict) -> tuple[str, str, int]:
    return partner["partner_id"], partner["source"], partner["section_index"]


def _match_ids(old: list[dict], new: list[dict]) -> tuple[list[tuple[dict, dict, str]], list[dict], list[dict]]:
    """Partners paired by id, and those of each run left unpaired (in order). Two pages may hold the
    same partner: its sections are then paired page by page (by ``source``), then in order, so that
    none hides another; an id found once in each run pairs whatever its page is called."""
    by_id: dict[str, tuple[list[dict], list[dict]]] = defaultdict(lambda: ([], []))
    for side, partners in ((0, old), (1, new)):
        for partner in sorted(partners, key=_order):
            by_id[partner["partner_id"]][side].append(partner)
    pairs, gone, came = [], [], []
    for pid in sorted(by_id):
        olds, news = by_id[pid]
        if len(olds) > 1 or len(news) > 1:
            for a in list(olds):
                b = next((b for b in news if b["source"] == a["source"]), None)
                if b is not None:
                    pairs.append((a, b, "partner_id"))
                    olds.remove(a)
                    news.remove(b)
        pairs += [(a, b, "partner_id") for a, b in zip(olds, news, strict=False)]
        gone += olds[len(news):]
        came += news[len(olds):]
    return pairs, gone, came


def _org_key(org: dict) -> str:
    # The acronym is what stays stable when the gazetteer's spelling of the full name is corrected.
    return short_name(org.get("acronym"), org.get("name") or "")


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", norm(text))


def _writes(words: list[str], phrase: str | None) -> bool:
    """Whether ``phrase`` stands in ``words`` as whole words (case, accents and apostrophes ignored)."""
    wanted = _words(phrase or "")
    n = len(wanted)
    return n > 0 and any(words[i:i + n] == wanted for i in range(len(words) - n + 1))


def _bodies(heading: str, acronym: str | None, organisations: list[dict]) -> list[str]:
    """The bodies a heading names: its acronym, and the organisations of the partner it writes."""
    words = _words(heading)
    named = {norm(acronym)} if acronym else set()
    named |= {norm(_org_key(o)) for o in organisations
              if _writes(words, o.get("acronym")) or _writes(words, o.get("name"))}
    return sorted(named - {""})


def _common_bodies(partners: list[dict]) -> set[str]:
    """Bodies that most partners of a run mention (the OMD on its own pages): they name none of them."""
    counts = Counter(key for p in partners for key in {norm(o) for o in p["organisations"]})
    return {key for key, n in counts.items() if n >= 2 and 2 * n > len(partners)}


def _sketch(text: str) -> bytes:
    """The smallest hashes of the text's word trigrams: enough to estimate how many two texts share."""
    words = _words(text)
    grams = {" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))}
    hashes = sorted({hashlib.blake2b(g.encode("utf-8"), digest_size=_HASH).digest() for g in grams})
    return b"".join(hashes[:_SKETCH])


def _hashes(sketch: bytes) -> set[bytes]:
    return {sketch[i:i + _HASH] for i in range(0, len(sketch), _HASH)}


def similarity(a: bytes, b: bytes) -> float:
    """The share of word trigrams two texts have in common (Jaccard), from their sketches: exact for
    texts of up to 64 trigrams, estimated on the smallest hashes of the two beyond."""
    first, second = _hashes(a), _hashes(b)
    if not first or not second:
        return 0.0
    union = sorted(first | second)[:_SKETCH]
    return sum(h in first and h in second for h in union) / len(union)


def _pair(gone: list[dict], came: list[dict], common_old: set[str],
          common_new: set[str]) -> list[tuple[dict, dict, str]]:
    """Partners found in one run only, paired as renamed (the rules of the module's docstring)."""
    pairs: list[tuple[dict, dict, str]] = []
    left, right = list(gone), list(came)

    def take(a: dict, b: dict, how: str) -> None:
        pairs.append((a, b, how))
        left[:] = [p for p in left if p is not a]
        right[:] = [p for p in right if p is not b]

    # 1. The same text, on one partner of each side.
    texts_old = defaultdict(list)
    texts_new = defaultdict(list)
    for p in left:
        texts_old[p["text_key"]].append(p)
    for p in right:
        texts_new[p["text_key"]].append(p)
    for text, olds in sorted(texts_old.items(), key=lambda item: _order(item[1][0])):
        news = texts_new.get(text, [])
        if text and len(olds) == 1 and len(news) == 1:
            take(olds[0], news[0], "text")

    # 2. Nearly the same text, closest first, unless the headings name different bodies.
    by_hash = defaultdict(list)
    for i, p in enumerate(left):
        for h in _hashes(p["sketch"]):
            by_hash[h].append(i)
    scored = []
    for j, b in enumerate(right):
        for i in sorted({i for h in _hashes(b["sketch"]) for i in by_hash.get(h, ())}):
            a = left[i]
            bodies_a, bodies_b = set(a["bodies"]) - common_old, set(b["bodies"]) - common_new
            if bodies_a and bodies_b and not bodies_a & bodies_b:
                continue
            score = similarity(a["sketch"], b["sketch"])
            if score >= SIMILAR:
                scored.append((-score, _order(a), _order(b), i, j))
    olds, news = list(left), list(right)
    used_old, used_new = set(), set()
    for _, _, _, i, j in sorted(scored):
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            take(olds[i], news[j], "similar_text")

    # 3. The same body, named by one heading on each side, and by no other.
    named_old, named_new = defaultdict(list), defaultdict(list)
    for p in left:
        for body in set(p["bodies"]) - common_old:
            named_old[body].append(p)
    for p in right:
        for body in set(p["bodies"]) - common_new:
            named_new[body].append(p)
    for body in sorted(named_old.keys() & named_new.keys()):
        a, b = named_old[body], named_new[body]
        if len(a) == 1 and len(b) == 1 and any(p is a[0] for p in left) and any(p is b[0] for p in right):
            take(a[0], b[0], "organisation")
    return pairs


def _content(partner: dict, kind: str) -> dict:
    """A partner added or removed, with everything it holds (as the items of a change of that kind)."""
    empty = {"agreements": [], "dates": [], "organisations": [], "themes": []}
    a, b = (empty, partner) if kind == "added" else (partner, empty)
    changes = _item_changes(a, b)
    return {"partner_id": partner["partner_id"], "heading": partner["heading"],
            **{field: changes[field][kind] for field, _ in _CONTENT}}


def _item_changes(old: dict, new: dict) -> dict:
    return {
        "agreements": _agreement_changes(old["agreements"], new["agreements"]),
        # Dates are compared as multisets: the same year cited twice, then once, is a real removal.
        "dates": _multiset_changes(old["dates"], new["dates"]),
        "organisations": _set_changes(old["organisations"], new["organisations"]),
        "themes": _set_changes(old["themes"], new["themes"]),
    }


def _partner_changes(old: dict, new: dict) -> dict | None:
    items = _item_changes(old, new)
    text_changed = old["text_key"] != new["text_key"]
    if not (text_changed or any(v for part in items.values() for v in part.values())):
        return None
    return {"partner_id": new["partner_id"], "heading": new["heading"], "text_changed": text_changed, **items}


def agreement_keys(items: Iterable[dict]) -> list[tuple[str, tuple[str, ...], int]]:
    """Each agreement's identity, in order: its type, its parties as a set, and its rank among the
    agreements that share both. The same identity with another date is the same agreement re-dated
    (here, and in the page's history: ``tools.history``)."""
    seen: Counter = Counter()
    keys = []
    for item in items:
        group = (item.get("type") or "", tuple(sorted(set(item.get("parties") or ()))))
        seen[group] += 1
        keys.append((*group, seen[group]))
    return keys


def _agreement_identities(items: Iterable[dict]) -> dict[tuple[str, tuple[str, ...], int], str | None]:
    """Date of each agreement by identity (``agreement_keys``)."""
    items = list(items)
    return {key: item["date"] for key, item in zip(agreement_keys(items), items, strict=True)}


def _agreement_changes(old: Iterable[dict], new: Iterable[dict]) -> dict[str, list[dict]]:
    before, after = _agreement_identities(old), _agreement_identities(new)

    def record(key, **dates):
        kind, parties, occurrence = key
        return {"type": kind, "parties": list(parties), "occurrence": occurrence, **dates}

    return {
        "added": [record(k, date=after[k]) for k in sorted(after.keys() - before.keys())],
        "removed": [record(k, date=before[k]) for k in sorted(before.keys() - after.keys())],
        "redated": [record(k, old_date=before[k], new_date=after[k])
                    for k in sorted(before.keys() & after.keys()) if before[k] != after[k]],
    }


def _multiset_changes(old: Iterable, new: Iterable) -> dict[str, list]:
    before, after = Counter(v for v in old if v is not None), Counter(v for v in new if v is not None)
    return {"added": sorted((after - before).elements()), "removed": sorted((before - after).elements())}


def _set_changes(old: Iterable, new: Iterable) -> dict[str, list]:
    before, after = {v for v in old if v}, {v for v in new if v}
    return {"added": sorted(after - before), "removed": sorted(before - after)}


# --- rendering -----------------------------------------------------------------------------------

def _agreement_label(item: dict, quote=str) -> str:
    parties = " + ".join(map(quote, item["parties"])) or "no party"
    rank = f" #{item['occurrence']}" if item["occurrence"] > 1 else ""
    return f"{item['type']}{rank} ({parties})"


def _date(value: str | None) -> str:
    return value or "undated"


def _agreement_text(item: dict, date: str | None, quote=str) -> str:
    return f"{_agreement_label(item, quote)}, {_date(date)}"


# The lists of a report, each item passed through ``quote`` (Markdown escapes what the text holds, not
# the report's own "->").
_LISTS = (("dates", "dates"), ("organisations", "organisations"), ("themes", "themes"))


def _content_lines(entry: dict, quote=str) -> list[str]:
    """The items of a partner added or removed, one line per kind (none in a hand-made entry without them)."""
    lines = [f"agreement: {_agreement_text(a, a['date'], quote)}" for a in entry.get("agreements", ())]
    for field, noun in _LISTS:
        if entry.get(field):
            lines.append(f"{noun}: {', '.join(map(quote, entry[field]))}")
    return lines


def _partner_lines(entry: dict, quote=str) -> list[str]:
    """One line per kind of change of a modified partner, shared by the text and Markdown reports."""
    lines = []
    if entry["text_changed"]:
        lines.append("text changed")
    agreements = entry["agreements"]
    lines += [f"agreement added: {_agreement_text(a, a['date'], quote)}" for a in agreements["added"]]
    lines += [f"agreement removed: {_agreement_text(a, a['date'], quote)}" for a in agreements["removed"]]
    lines += [f"agreement re-dated: {_agreement_text(a, a['old_date'], quote)} -> {_date(a['new_date'])}"
              for a in agreements["redated"]]
    for field, noun in _LISTS:
        for kind in ("added", "removed"):
            if entry[field][kind]:
                lines.append(f"{noun} {kind}: {', '.join(map(quote, entry[field][kind]))}")
    return lines


# How a renamed partner was paired with its former self (``matched_by``), strongest first, and how
# the reports say it.
_HOW = {"partner_id": "", "text": " (same text)", "similar_text": " (nearly the same text)",
        "organisation": " (same organisation)"}


def _renamed_ids(entry: dict) -> str:
    if entry["old_partner_id"] == entry["partner_id"]:
        return entry["partner_id"]
    return f"{entry['old_partner_id']} -> {entry['partner_id']}"


def _renamed_headings(entry: dict, quote=str) -> str:
    return f"{quote(entry['old_heading'])} -> {quote(entry['new_heading'])}{_HOW[entry['matched_by']]}"


def _summary_lines(summary: dict) -> list[str]:
    s = {**dict.fromkeys(SUMMARY_KEYS, 0), **summary}  # (a hand-made summary may hold only some counts)
    parts = [f"{s[f'partners_{kind}']} {kind}" for kind in ("added", "removed", "renamed", "modified")]
    return ["Partners: " + ", ".join(parts) + ".",
            f"Agreements: {s['agreements_added']} added, {s['agreements_removed']} removed, "
            f"{s['agreements_redated']} re-dated. Dates: {s['dates_added']} added, {s['dates_removed']} removed. "
            f"Organisations: {s['organisations_added']} added, {s['organisations_removed']} removed. "
            f"Themes: {s['themes_added']} added, {s['themes_removed']} removed. Texts changed: {s['texts_changed']}."]


def _render_text(changes: dict) -> str:
    if not changes["changed"]:
        return "No change.\n"
    lines = _summary_lines(changes["summary"])
    for kind, sign in (("added", "+"), ("removed", "-")):
        if changes[f"partners_{kind}"]:
            lines += ["", f"Partners {kind}:"]
            for entry in changes[f"partners_{kind}"]:
                lines.append(f"  {sign} {entry['partner_id']}: {entry['heading']}")
                lines += [f"      {line}" for line in _content_lines(entry)]
    if changes["partners_renamed"]:
        lines += ["", "Partners renamed:"] + [f"  ~ {_renamed_ids(p)}: {_renamed_headings(p)}"
                                              for p in changes["partners_renamed"]]
    if changes["partners_modified"]:
        lines += ["", "Partners modified:"]
        for entry in changes["partners_modified"]:
            lines.append(f"  * {entry['partner_id']}: {entry['heading']}")
            lines += [f"      {line}" for line in _partner_lines(entry)]
    return "\n".join(lines) + "\n"


# Characters Markdown would read as markup in a heading or an item: escaped so they show as written
# ("*OMD*" stays "*OMD*", a "<script>" stays text). Intraword "_" and parentheses are no markup.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]<>|#])")


def _md(text: object) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def _render_markdown(changes: dict) -> str:
    lines = ["# Changes between two runs", ""]
    if not changes["changed"]:
        return "\n".join([*lines, "No change."]) + "\n"
    lines += [_summary_lines(changes["summary"])[0], "", _summary_lines(changes["summary"])[1]]
    for kind in ("added", "removed"):
        if changes[f"partners_{kind}"]:
            lines += ["", f"## Partners {kind}", ""]
            for entry in changes[f"partners_{kind}"]:
                lines.append(f"- `{entry['partner_id']}`: {_md(entry['heading'])}")
                lines += [f"  - {line}" for line in _content_lines(entry, _md)]
    if changes["partners_renamed"]:
        lines += ["", "## Partners renamed", ""]
        lines += [f"- `{_renamed_ids(p)}`: {_renamed_headings(p, _md)}"
                  for p in changes["partners_renamed"]]
    if changes["partners_modified"]:
        lines += ["", "## Partners modified"]
        for entry in changes["partners_modified"]:
            lines += ["", f"### `{entry['partner_id']}`: {_md(entry['heading'])}", ""]
            lines += [f"- {line}" for line in _partner_lines(entry, _md)]
    return "\n".join(lines) + "\n"


