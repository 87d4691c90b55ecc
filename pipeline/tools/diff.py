"""What changed between two runs of the pipeline, for an analyst re-running it on a new version of a page.

``compare(old, new)`` takes two parsed ``partners.json`` contents and returns a JSON-serialisable dict of
changes; ``render(changes, fmt)`` turns it into a text report, Markdown or JSON. Both are pure: reading
and writing the files is the caller's business.

Partners are matched on ``partner_id``, which depends on the partner and not on where its section
stands, so moving sections around, or saving the page under another name (``source``), is no change.
Within a partner that is present in both runs the report lists what an analyst would check by hand:
agreements, dates, organisations, themes, and whether the section's text changed at all.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable

from ..models import short_name

FORMATS = ("text", "markdown", "json")

SUMMARY_KEYS = (
    "partners_added", "partners_removed", "partners_renamed", "partners_modified",
    "agreements_added", "agreements_removed", "agreements_redated",
    "dates_added", "dates_removed",
    "organisations_added", "organisations_removed",
    "themes_added", "themes_removed",
    "texts_changed",
)


def compare(old: dict, new: dict) -> dict:
    """The changes from run ``old`` to run ``new`` (both parsed ``partners.json``), with sorted lists."""
    before, after = _by_id(old, "old"), _by_id(new, "new")
    added = [_brief(after[pid]) for pid in sorted(after.keys() - before.keys())]
    removed = [_brief(before[pid]) for pid in sorted(before.keys() - after.keys())]
    renamed, modified = [], []
    for pid in sorted(before.keys() & after.keys()):
        a, b = before[pid], after[pid]
        if a.get("heading") != b.get("heading"):
            renamed.append({"partner_id": pid, "old_heading": a.get("heading"), "new_heading": b.get("heading")})
        entry = _partner_changes(a, b)
        if entry is not None:
            modified.append(entry)

    summary = dict.fromkeys(SUMMARY_KEYS, 0)
    summary.update(partners_added=len(added), partners_removed=len(removed), partners_renamed=len(renamed),
                   partners_modified=len(modified))
    for entry in modified:
        for field in ("agreements", "dates", "organisations", "themes"):
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


# --- comparison ----------------------------------------------------------------------------------

def _by_id(run: dict, which: str) -> dict[str, dict]:
    partners: dict[str, dict] = {}
    for partner in run.get("partners") or ():
        pid = partner.get("partner_id")
        if not pid:
            raise ValueError(f"{which} run: a partner has no partner_id ({partner.get('heading')!r})")
        # Two partners under one id would silently hide one of them from the comparison.
        if pid in partners:
            raise ValueError(f"{which} run: partner_id {pid!r} appears twice")
        partners[pid] = partner
    return partners


def _brief(partner: dict) -> dict:
    return {"partner_id": partner["partner_id"], "heading": partner.get("heading")}


def _partner_changes(old: dict, new: dict) -> dict | None:
    agreements = _agreement_changes(old.get("agreements") or (), new.get("agreements") or ())
    # Dates are compared as multisets: the same year cited twice, then once, is a real removal.
    dates = _multiset_changes((d.get("value") for d in old.get("dates") or ()),
                              (d.get("value") for d in new.get("dates") or ()))
    organisations = _set_changes(map(_org_key, old.get("organisations") or ()),
                                 map(_org_key, new.get("organisations") or ()))
    themes = _set_changes((t.get("code") for t in old.get("themes") or ()),
                          (t.get("code") for t in new.get("themes") or ()))
    text_changed = _text_key(old) != _text_key(new)
    if not (text_changed or any(v for part in (agreements, dates, organisations, themes) for v in part.values())):
        return None
    return {
        "partner_id": new["partner_id"],
        "heading": new.get("heading"),
        "text_changed": text_changed,
        "agreements": agreements,
        "dates": dates,
        "organisations": organisations,
        "themes": themes,
    }


def _text_key(partner: dict) -> str | None:
    # Hand-made dicts may carry the text without its hash; comparing the text then says the same thing.
    return partner.get("text_sha256") or partner.get("text")


def _org_key(org: dict) -> str:
    # The acronym is what stays stable when the gazetteer's spelling of the full name is corrected.
    return short_name(org.get("acronym"), org.get("name") or "")


def _agreement_identities(items: Iterable[dict]) -> dict[tuple[str, tuple[str, ...], int], str | None]:
    """Date of each agreement by identity: type, parties as a set, rank among agreements sharing both."""
    seen: Counter = Counter()
    out = {}
    for item in items:
        group = (item.get("type") or "", tuple(sorted(set(item.get("parties") or ()))))
        seen[group] += 1
        out[(*group, seen[group])] = item.get("date")
    return out


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

def _agreement_label(item: dict) -> str:
    parties = " + ".join(item["parties"]) or "no party"
    rank = f" #{item['occurrence']}" if item["occurrence"] > 1 else ""
    return f"{item['type']}{rank} ({parties})"


def _date(value: str | None) -> str:
    return value or "undated"


def _partner_lines(entry: dict) -> list[str]:
    """One line per kind of change of a modified partner, shared by the text and Markdown reports."""
    lines = []
    if entry["text_changed"]:
        lines.append("text changed")
    agreements = entry["agreements"]
    lines += [f"agreement added: {_agreement_label(a)}, {_date(a['date'])}" for a in agreements["added"]]
    lines += [f"agreement removed: {_agreement_label(a)}, {_date(a['date'])}" for a in agreements["removed"]]
    lines += [f"agreement re-dated: {_agreement_label(a)}, {_date(a['old_date'])} -> {_date(a['new_date'])}"
              for a in agreements["redated"]]
    for field, noun in (("dates", "dates"), ("organisations", "organisations"), ("themes", "themes")):
        for kind in ("added", "removed"):
            if entry[field][kind]:
                lines.append(f"{noun} {kind}: {', '.join(entry[field][kind])}")
    return lines


def _summary_line(summary: dict) -> str:
    parts = [f"{summary[f'partners_{kind}']} {kind}" for kind in ("added", "removed", "renamed", "modified")]
    return "Partners: " + ", ".join(parts) + "."


def _render_text(changes: dict) -> str:
    if not changes["changed"]:
        return "No change.\n"
    lines = [_summary_line(changes["summary"])]
    if changes["partners_added"]:
        lines += ["", "Partners added:"] + [f"  + {p['partner_id']}: {p['heading']}" for p in changes["partners_added"]]
    if changes["partners_removed"]:
        lines += ["", "Partners removed:"]
        lines += [f"  - {p['partner_id']}: {p['heading']}" for p in changes["partners_removed"]]
    if changes["partners_renamed"]:
        lines += ["", "Partners renamed:"]
        lines += [f"  ~ {p['partner_id']}: {p['old_heading']} -> {p['new_heading']}"
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
    lines += [_summary_line(changes["summary"])]
    if changes["partners_added"]:
        lines += ["", "## Partners added", ""]
        lines += [f"- `{p['partner_id']}`: {_md(p['heading'])}" for p in changes["partners_added"]]
    if changes["partners_removed"]:
        lines += ["", "## Partners removed", ""]
        lines += [f"- `{p['partner_id']}`: {_md(p['heading'])}" for p in changes["partners_removed"]]
    if changes["partners_renamed"]:
        lines += ["", "## Partners renamed", ""]
        lines += [f"- `{p['partner_id']}`: {_md(p['old_heading'])} -> {_md(p['new_heading'])}"
                  for p in changes["partners_renamed"]]
    if changes["partners_modified"]:
        lines += ["", "## Partners modified"]
        for entry in changes["partners_modified"]:
            lines += ["", f"### `{entry['partner_id']}`: {_md(entry['heading'])}", ""]
            lines += [f"- {line}" for line in _partner_lines(entry)]
    return "\n".join(lines) + "\n"
