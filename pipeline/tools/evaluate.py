"""Scores predictions against a hand-made gold file: precision, recall and F1 per field, a summary in
words, and every difference.

One implementation serves the ``evaluate`` command and the gold regression tests. A gold is scored
against the predicted partners of its page: the same ``source``, else the same file name (a run made
from another folder, or one that names pages by their file name). Partners are paired by heading;
within a pair, items are matched one-to-one: organisations by acronym or by name (the gold name may
equal any of the predicted body's names or mentions, or be another name the gazetteer gives the same
body), dates by value, agreements by type and date, themes by code. Agreement parties are scored on
the matched agreements only. ``new_bodies`` scores the bodies the gazetteer does not know on their
exact name: a gold body absent from the gazetteer counts as found only when a predicted organisation
has its very name (acronym aside), and an organisation found without the gazetteer that matches no
gold body counts against it. It says how well bodies are found from the text alone, where the other
fields let the gazetteer's knowledge help.

A gold item found with another value (an agreement of the same type and parties re-dated, a date read
as another year or at another precision, another acronym) is one "wrong" difference, "2012 → 2013",
rather than a missing item and an extra one; it is still no match (one fn and one fp). A field with
nothing to compare has no score (None, "n/a"), never 1.0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from ..config import Config
from ..resources import Gazetteer
from ..text import name_key, norm, sha256

FIELDS = ("sections", "organisations", "dates", "agreements", "agreement_parties", "themes", "acronyms", "published",
          "new_bodies")
# How the summary names each field for a reader who does not know the table's codes.
FIELD_NAMES = {"sections": "Sections", "organisations": "Organisations", "dates": "Dates",
               "agreements": "Agreements", "agreement_parties": "Agreement parties", "themes": "Themes",
               "acronyms": "Heading acronyms", "published": "Publication dates",
               "new_bodies": "Bodies the gazetteer does not know"}
EXAMPLES = 3  # differences quoted in each line of the summary; the others are counted


@dataclass
class Score:
    """Counts of one field. A "wrong" item (the gold's item found with another value: a re-dated
    agreement) is no match: it counts once as not found (fn) and once as extra (fp), and ``wrong``
    says how many of those pairs there are. With nothing to compare (no item in the gold nor in the
    run) precision, recall and F1 are None: "n/a", never a pass."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    wrong: int = 0

    @property
    def empty(self) -> bool:
        return self.tp + self.fp + self.fn == 0

    @property
    def precision(self) -> float | None:
        """None when the run gave no item (nothing to be precise about)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """None when the gold holds no item (nothing to find)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        """2·tp / (2·tp + fp + fn): 0 when something was to be compared and nothing matched."""
        return None if self.empty else 2 * self.tp / (2 * self.tp + self.fp + self.fn)

    def as_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "wrong": self.wrong,
                "precision": _rounded(self.precision), "recall": _rounded(self.recall), "f1": _rounded(self.f1)}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _cell(value: float | None) -> str:
    return f"{'n/a':>6}" if value is None else f"{value:6.3f}"


@dataclass
class Difference:
    section: str
    field: str
    kind: str  # "missing", "spurious" or "wrong" (the gold's item found with another value: "2012 → 2013")
    item: str
    partner_id: str | None = None  # the predicted partner it is about, when there is one
    about: str | None = None  # what a wrong item got wrong: "date", "type", "value", "parties"…

    def line(self) -> str:
        return f"[{self.section}] {self.field}: {self.kind} {self.item}"


@dataclass
class Evaluation:
    scores: dict[str, Score] = field(default_factory=lambda: {f: Score() for f in FIELDS})
    differences: list[Difference] = field(default_factory=list)
    source: str | None = None  # the page of the predictions that was scored
    gold_source: str | None = None  # the page the gold says it is about
    left_out: int = 0  # predicted sections not scored: not in a partial gold (``only_gold_sections``)

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "gold_source": self.gold_source,
            "summary": self.summary().splitlines(),
            "sections_left_out": self.left_out,
            "scores": {name: s.as_dict() for name, s in self.scores.items()},
            "differences": [d.__dict__ for d in self.differences],
        }

    def table(self) -> str:
        """Precision, recall and F1 per field ("n/a": nothing to compare), with the counts."""
        lines = [f"{'field':<18} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4} {'wrong':>5}"]
        for name, s in self.scores.items():
            lines.append(f"{name:<18} {_cell(s.precision)} {_cell(s.recall)} {_cell(s.f1)} "
                         f"{s.tp:4d} {s.fp:4d} {s.fn:4d} {s.wrong:5d}")
        return "\n".join(lines)

    def report(self) -> str:
        return "\n".join(d.line() for d in self.differences)

    def summary(self) -> str:
        """The evaluation in plain words: which page was scored, then a line per field ("Agreements: 14 of
        15 found, 1 with a wrong date (Europol: memorandum_of_understanding 2002-09 → 2002-10), 0 extra.")."""
        lines = []
        if self.source is not None:
            also = f" (the gold names it {self.gold_source})" if self.gold_source not in (None, self.source) else ""
            lines.append(f"Scored the run's page {self.source}{also} against the gold.")
        for name in FIELDS:
            lines.append(f"{FIELD_NAMES[name]}: {self._field_summary(name)}.")
        return "\n".join(lines)

    def _field_summary(self, name: str) -> str:
        s = self.scores[name]
        if s.empty:
            return "nothing to compare (n/a)"
        examples = {kind: [d for d in self.differences if d.field == name and d.kind == kind]
                    for kind in ("wrong", "missing", "spurious")}
        if name == "agreement_parties":
            parts = [f"right for {s.tp} of the {s.tp + s.wrong} agreements found"]
        else:
            parts = [f"{s.tp} of {s.tp + s.fn} {'right' if name in ('acronyms', 'published') else 'found'}"]
        for about in dict.fromkeys(d.about for d in examples["wrong"]):
            wrong = [d for d in examples["wrong"] if d.about == about]
            parts.append(f"{len(wrong)} with a wrong {about or 'value'}{_quote(wrong)}")
        missing = s.fn - s.wrong
        if missing and name != "agreement_parties":
            parts.append(f"{missing} not found{_quote(examples['missing'])}")
        if name != "agreement_parties":
            parts.append(f"{s.fp - s.wrong} extra{_quote(examples['spurious'])}")
        if name == "sections" and self.left_out:
            parts.append(f"{self.left_out} predicted section{'s' if self.left_out > 1 else ''} left out "
                         "(not in the gold)")
        elif name == "sections" and s.fp and s.tp and s.fp >= s.tp:
            parts.append("if the gold covers only some sections, score only those (--only-gold-sections)")
        return ", ".join(parts)

    def below(self, thresholds: dict[str, float], named: Iterable[str] = ()) -> dict[str, float | None]:
        """The fields whose F1 falls below their threshold, with their F1 (rounded to 3 places). A field
        with nothing to compare (F1 None) is below only when it is ``named`` (a threshold given for it
        alone): a threshold for every field applies to those that have something to compare."""
        named = set(named)
        out: dict[str, float | None] = {}
        for name, minimum in thresholds.items():
            f1 = self.scores[name].f1
            if f1 is None:
                if name in named:
                    out[name] = None
            elif f1 < minimum:
                out[name] = round(f1, 3)
        return out


def _quote(differences: list[Difference]) -> str:
    """A few differences as the summary quotes them: " (Europol: 2002-09 → 2002-10; …)"."""
    if not differences:
        return ""
    shown = "; ".join(d.item if d.field == "sections" else f"{d.section}: {d.item}" for d in differences[:EXAMPLES])
    return f" ({shown}{'; …' if len(differences) > EXAMPLES else ''})"


def without_gold_bodies(config: Config, golds: Iterable[dict]) -> Config:
    """``config`` with a gazetteer that knows none of the bodies the gold files name: running with it
    measures how well bodies are found from the text alone (an ablation). Its fingerprint differs, so
    that a cache never mixes its results with the full gazetteer's."""
    gazetteer = config.resources.gazetteer
    known = set()
    for gold in golds:
        for partner in gold.get("partners", []):
            for org in partner.get("organisations", []):
                entry = gazetteer.find_name(org.get("name"))
                if entry is None and org.get("acronym"):
                    entry = gazetteer.by_acronym.get(org["acronym"])
                if entry is not None:
                    known.add(entry)
    kept = tuple(e for i, e in enumerate(gazetteer.entries) if i not in known)
    removed = sha256(",".join(str(i) for i in sorted(known)))[:16]
    resources = replace(config.resources, gazetteer=Gazetteer(kept),
                        fingerprint=f"{config.resources.fingerprint}-without-{removed}")
    return replace(config, resources=resources)


def _org_names(org: dict) -> set[str]:
    names = {name_key(org.get("name"))}
    names |= {name_key(m["text"]) for m in org.get("mentions", [])}
    return names - {""}


def _org_matcher(gazetteer: Gazetteer) -> Callable[[dict, dict], bool]:
    """Whether a gold organisation and a predicted one are the same body."""

    def same(gold: dict, pred: dict) -> bool:
        if gold.get("acronym") and pred.get("acronym") and norm(gold["acronym"]) == norm(pred["acronym"]):
            return True
        entry = gazetteer.find_name(gold.get("name"))
        # Two names of one body in the gazetteer ("Commonwealth", "Commonwealth des Nations").
        return entry is not None and entry == gazetteer.find_name(pred.get("name")) or _named_alike(gold, pred)

    return same


def _named_alike(gold: dict, pred: dict) -> bool:
    return name_key(gold.get("name")) in _org_names(pred) or (
        bool(gold.get("acronym")) and name_key(gold["acronym"]) in _org_names(pred))


def _pair(golds: list, preds: list, same) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Greedy one-to-one matching in order: (pairs, unmatched gold, unmatched predictions)."""
    left = list(preds)
    pairs, missing = [], []
    for g in golds:
        hit = next((p for p in left if same(g, p)), None)
        if hit is None:
            missing.append(g)
        else:
            pairs.append((g, hit))
            left.remove(hit)
    return pairs, missing, left


def _count(score: Score, pairs, missing, spurious) -> None:
    score.tp += len(pairs)
    score.fn += len(missing)
    score.fp += len(spurious)


def _describe_org(o: dict) -> str:
    return f"{o.get('name')} ({o.get('acronym')})" if o.get("acronym") else str(o.get("name"))


def _describe_agreement(a: dict) -> str:
    return f"{a.get('type')} {a.get('date')} parties={list(a.get('parties') or [])}"


def _party_set(parties) -> frozenset[str]:
    return frozenset(name_key(p) for p in parties or [])


def _parties_match(gold: dict, pred: dict, pred_orgs: list[dict]) -> bool:
    """Same parties, a party named by its acronym or its name alike."""
    aliases: dict[str, set[str]] = {}
    for o in pred_orgs:
        names = _org_names(o) | ({name_key(o["acronym"])} if o.get("acronym") else set())
        for n in names:
            aliases.setdefault(n, set()).update(names)
    pred_parties = [aliases.get(name_key(p), {name_key(p)}) for p in pred.get("parties") or []]
    gold_parties = [name_key(p) for p in gold.get("parties") or []]
    if len(pred_parties) != len(gold_parties):
        return False
    left = list(pred_parties)
    for g in gold_parties:
        hit = next((p for p in left if g in p), None)
        if hit is None:
            return False
        left.remove(hit)
    return True


def last_component(source: str | None) -> str:
    """A page's file name, as a gold's ``source`` and a run's are compared when they differ: the last
    component of the path as typed (``corpus/page.txt``, ``C:\\pages\\page.txt`` -> ``page.txt``)."""
    return PurePosixPath(str(source or "").replace("\\", "/")).name


def matching_sources(gold_source: str | None, sources: Iterable[str | None]) -> list[str]:
    """The predictions' sources a gold about ``gold_source`` is scored against: the very same source,
    else every source with the same file name (more than one: ambiguous, for the caller to say)."""
    sources = sorted({s for s in sources if s is not None})
    if gold_source in sources:
        return [gold_source]
    name = last_component(gold_source)
    return [s for s in sources if name and last_component(s) == name]


def evaluate(gold: dict, pred: dict, gazetteer: Gazetteer, source: str | None = None,
             only_gold_sections: bool = False) -> Evaluation:
    """Compare the partners of ``gold`` with those of ``pred`` (both shaped like partners.json); the
    gazetteer tells which names are names of one body.

    The predicted partners scored are those of ``source``, by default the page the gold is about
    (``matching_sources``: the same source, else the same file name). With ``only_gold_sections``,
    predicted sections whose heading the gold does not have are left out rather than spurious (a gold
    that covers some sections of a page).
    """
    gold_source = gold.get("source")
    if source is None:
        found = matching_sources(gold_source, (p.get("source") for p in pred.get("partners", [])))
        source = found[0] if len(found) == 1 else gold_source
    ev = Evaluation(source=source, gold_source=gold_source)
    pred_partners = [p for p in pred.get("partners", []) if source is None or p.get("source") == source]
    gold_partners = gold.get("partners", [])
    pairs, missing, spurious = _pair(gold_partners, pred_partners,
                                     lambda g, p: heading_key(g["heading"]) == heading_key(p["heading"]))
    if only_gold_sections:
        ev.left_out, spurious = len(spurious), []
    _count(ev.scores["sections"], pairs, missing, spurious)
    for g in missing:
        ev.differences.append(Difference(g["heading"][:50], "sections", "missing", g["heading"]))
    for p in spurious:
        ev.differences.append(Difference(p["heading"][:50], "sections", "spurious", p["heading"], p.get("partner_id")))
    same_org = _org_matcher(gazetteer)
    for g, p in pairs:
        _compare_partner(ev, g, p, same_org, gazetteer)
    return ev


def _compare_partner(ev: Evaluation, g: dict, p: dict, same_org: Callable[[dict, dict], bool],
                     gazetteer: Gazetteer) -> None:
    """Score every field of a gold partner against the predicted partner it was paired with."""
    where = g.get("acronym") or g["heading"][:40]
    pid = p.get("partner_id")

    def diff(field_name: str, kind: str, item: str, about: str | None = None) -> None:
        ev.differences.append(Difference(where, field_name, kind, item, pid, about))

    _compare_acronyms(ev.scores["acronyms"], g, p, diff)
    _compare_published(ev.scores["published"], g, p, diff)
    pairs, missing, spurious = _pair(g.get("organisations", []), p.get("organisations", []), same_org)
    _count(ev.scores["organisations"], pairs, missing, spurious)
    diff_items(ev, where, "organisations", missing, spurious, _describe_org, pid)
    _compare_new_bodies(ev.scores["new_bodies"], g, p, pairs, gazetteer, diff)
    _compare_dates(ev.scores["dates"], g, p, diff)
    _compare_agreements(ev, where, pid, g, p, diff)
    _compare_themes(ev.scores["themes"], g, p, diff)


# Records one difference of the partner at hand: (field, kind, item[, what a wrong item got wrong]).
Diff = Callable[..., None]


def _compare_acronyms(score: Score, g: dict, p: dict, diff: Diff) -> None:
    """The heading's acronym: right (none where the gold has none counts as right: every section's
    heading is judged), missing, spurious or another one (wrong)."""
    want, got = g.get("acronym") or None, p.get("acronym") or None
    if want is None and got is None:
        score.tp += 1
    else:
        _compare_value(score, "acronyms", want, got, diff)


def _compare_published(score: Score, g: dict, p: dict, diff: Diff) -> None:
    """The item's date of publication (null on pages that give none): right, missing, spurious or
    another one (wrong). Not scored where neither gives one."""
    _compare_value(score, "published", g.get("published") or None, p.get("published") or None, diff)


def _compare_value(score: Score, name: str, want: str | None, got: str | None, diff: Diff) -> None:
    """One value the gold may give and the run may find: nothing to score when neither has one."""
    if want is None and got is None:
        return
    if want == got:
        score.tp += 1
    elif want is not None and got is not None:
        score.fn, score.fp, score.wrong = score.fn + 1, score.fp + 1, score.wrong + 1
        diff(name, "wrong", f"{want} → {got}", {"acronyms": "acronym", "published": "date"}[name])
    elif want is not None:
        score.fn += 1
        diff(name, "missing", want)
    else:
        score.fp += 1
        diff(name, "spurious", str(got))


def _compare_new_bodies(score: Score, g: dict, p: dict, pairs: list[tuple[dict, dict]], gazetteer: Gazetteer,
                        diff: Diff) -> None:
    """Bodies the gazetteer does not know, matched one to one by their exact name. Counted against:
    every organisation found without the gazetteer that has no gold body's exact name, unless it is
    a body the gazetteer knows (matched another way: a name cut short counts against)."""
    def known(o: dict) -> bool:
        return gazetteer.find_name(o.get("name")) is not None or o.get("acronym") in gazetteer.by_acronym

    found = [o for o in p.get("organisations", []) if o.get("source") != "gazetteer"]
    by_name: dict[str, list[dict]] = {}
    for o in found:
        by_name.setdefault(name_key(o.get("name")), []).append(o)
    matched: list[dict] = []
    for o in g.get("organisations", []):
        same = by_name.get(name_key(o.get("name"))) or []
        if same:
            matched.append(same.pop(0))
            if not known(o):
                score.tp += 1
        elif not known(o):
            score.fn += 1
            diff("new_bodies", "missing", _describe_org(o))
    known_pairs = [pred for gold, pred in pairs if known(gold)]
    score.fp += sum(1 for o in found if not any(o is m for m in matched) and not any(o is k for k in known_pairs))


def _compare_dates(score: Score, g: dict, p: dict, diff: Diff) -> None:
    """Dates by value, as multisets (the same date twice counts twice). Of the others, a gold date and
    a predicted one are the same date read wrong when they were written alike (``en 2012`` read
    2013), or when one value is the other at another precision (``2002-09`` read ``2002``): one wrong
    date, no match. Then each matched value's precision."""
    gold_dates = Counter(d["value"] for d in g.get("dates", []))
    pred_dates = Counter(d["value"] for d in p.get("dates", []))
    common = gold_dates & pred_dates
    score.tp += sum(common.values())
    left_gold, left_pred = _take(g.get("dates", []), common), _take(p.get("dates", []), common)
    wrong, left_gold, left_pred = _pair(left_gold, left_pred, _written_alike)
    more, left_gold, left_pred = _pair(left_gold, left_pred, _other_precision)
    for gd, pd in wrong + more:
        text = f" ({gd['text']!r})" if gd.get("text") else ""
        diff("dates", "wrong", f"{gd['value']} → {pd['value']}{text}", "value")
    score.wrong += len(wrong) + len(more)
    score.fn += len(left_gold) + len(wrong) + len(more)
    score.fp += len(left_pred) + len(wrong) + len(more)
    for value, n in Counter(d["value"] for d in left_gold).items():
        diff("dates", "missing", _times(value, n))
    for value, n in Counter(d["value"] for d in left_pred).items():
        diff("dates", "spurious", _times(value, n))
    precision = {d["value"]: d.get("precision") for d in p.get("dates", [])}
    for d in g.get("dates", []):
        if d["value"] in precision and d.get("precision") and precision[d["value"]] != d["precision"]:
            diff("dates", "wrong", f"{d['value']} precision {d['precision']} → {precision[d['value']]}", "precision")


def _take(dates: list[dict], matched: Counter) -> list[dict]:
    """The dates of ``dates`` left once ``matched`` values (a multiset) are taken out, in order."""
    left, taken = [], Counter(matched)
    for d in dates:
        if taken[d["value"]]:
            taken[d["value"]] -= 1
        else:
            left.append(d)
    return left


def _written_alike(gold: dict, pred: dict) -> bool:
    a, b = norm(gold.get("text") or ""), norm(pred.get("text") or "")
    return bool(a and b) and (a in b or b in a)


def _other_precision(gold: dict, pred: dict) -> bool:
    a, b = gold["value"], pred["value"]
    return a.startswith(b + "-") or b.startswith(a + "-")


def _times(value: str, n: int) -> str:
    return value if n == 1 else f"{value} ×{n}"


def _compare_agreements(ev: Evaluation, where: str, pid: str | None, g: dict, p: dict, diff: Diff) -> None:
    """Agreements by type and date. Of the others, one of the same type and parties (another date), or
    of the same parties and date (another type), is the gold's agreement found wrong: one wrong item,
    no match. Then the parties of each matched pair."""
    orgs = p.get("organisations", [])

    def same_agreement(ga, pa):
        return ga["type"] == pa["type"] and (ga.get("date") or None) == (pa.get("date") or None)

    def redated(ga, pa):
        return ga["type"] == pa["type"] and _parties_match(ga, pa, orgs)

    def retyped(ga, pa):
        return (ga.get("date") or None) == (pa.get("date") or None) and _parties_match(ga, pa, orgs)

    pairs, missing, spurious = _pair(g.get("agreements", []), p.get("agreements", []), same_agreement)
    other_date, missing, spurious = _pair(missing, spurious, redated)
    other_type, missing, spurious = _pair(missing, spurious, retyped)
    score = ev.scores["agreements"]
    _count(score, pairs, missing, spurious)
    wrong = other_date + other_type
    score.fn, score.fp, score.wrong = score.fn + len(wrong), score.fp + len(wrong), score.wrong + len(wrong)
    for ga, pa in other_date:
        diff("agreements", "wrong", f"{ga['type']} {_no_date(ga)} → {_no_date(pa)}", "date")
    for ga, pa in other_type:
        diff("agreements", "wrong", f"{ga['type']} → {pa['type']} {_no_date(ga)}", "type")
    diff_items(ev, where, "agreements", missing, spurious, _describe_agreement, pid)
    parties = ev.scores["agreement_parties"]
    for ga, pa in pairs:
        if _parties_match(ga, pa, orgs):
            parties.tp += 1
        else:
            parties.fn += 1
            parties.fp += 1
            parties.wrong += 1
            diff("agreement_parties", "wrong",
                 f"{ga['type']} {_no_date(ga)}: {ga.get('parties')} → {pa.get('parties')}", "parties")


def _no_date(agreement: dict) -> str:
    return agreement.get("date") or "undated"


def _compare_themes(score: Score, g: dict, p: dict, diff: Diff) -> None:
    """Themes by code."""
    gold_themes = {t["code"] if isinstance(t, dict) else t for t in g.get("themes", [])}
    pred_themes = {t["code"] for t in p.get("themes", [])}
    score.tp += len(gold_themes & pred_themes)
    score.fn += len(gold_themes - pred_themes)
    score.fp += len(pred_themes - gold_themes)
    for code in sorted(gold_themes - pred_themes):
        diff("themes", "missing", code)
    for code in sorted(pred_themes - gold_themes):
        diff("themes", "spurious", code)


def diff_items(ev: Evaluation, where: str, name: str, missing, spurious, describe, pid: str | None) -> None:
    for item in missing:
        ev.differences.append(Difference(where, name, "missing", describe(item), pid))
    for item in spurious:
        ev.differences.append(Difference(where, name, "spurious", describe(item), pid))


def heading_key(heading: str) -> str:
    """How headings are compared: case, accents, apostrophes and a leading article do not count."""
    return name_key(heading)
