"""Scores predictions against a hand-made gold file: precision, recall and F1 per field.

One implementation serves the ``evaluate`` command and the gold regression tests. Partners are
paired by heading; within a pair, items are matched one-to-one: organisations by acronym or by
name (the gold name may equal any of the predicted body's names or mentions, or be another name
the gazetteer gives the same body), dates by value, agreements by type and date, themes by code.
Agreement parties are scored on the matched agreements only. ``new_bodies`` scores the bodies the
gazetteer does not know on their exact name: a gold body absent from the gazetteer counts as found
only when a predicted organisation has its very name (acronym aside), and an organisation found
without the gazetteer that matches no gold body counts against it. It says how well bodies are
found from the text alone, where the other fields let the gazetteer's knowledge help.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from ..config import Config
from ..resources import Gazetteer
from ..text import name_key, norm, sha256

FIELDS = ("sections", "organisations", "dates", "agreements", "agreement_parties", "themes", "acronyms", "published",
          "new_bodies")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class Difference:
    section: str
    field: str
    kind: str  # "missing", "spurious" or "wrong"
    item: str
    partner_id: str | None = None  # the predicted partner it is about, when there is one

    def line(self) -> str:
        return f"[{self.section}] {self.field}: {self.kind} {self.item}"


@dataclass
class Evaluation:
    scores: dict[str, Score] = field(default_factory=lambda: {f: Score() for f in FIELDS})
    differences: list[Difference] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "scores": {name: s.as_dict() for name, s in self.scores.items()},
            "differences": [d.__dict__ for d in self.differences],
        }

    def table(self) -> str:
        lines = [f"{'field':<18} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}"]
        for name, s in self.scores.items():
            lines.append(f"{name:<18} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:4d} {s.fp:4d} {s.fn:4d}")
        return "\n".join(lines)

    def report(self) -> str:
        return "\n".join(d.line() for d in self.differences)

    def below(self, thresholds: dict[str, float]) -> dict[str, float]:
        """The fields whose F1 falls below their threshold, with their F1 (rounded to 3 places)."""
        return {f: round(self.scores[f].f1, 3) for f, t in thresholds.items() if self.scores[f].f1 < t}


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


def _file_name(source: str | None) -> str:
    return (source or "").replace("\\", "/").rsplit("/", 1)[-1]


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


def evaluate(gold: dict, pred: dict, gazetteer: Gazetteer, source: str | None = None) -> Evaluation:
    """Compare the partners of ``gold`` with those of ``pred`` (both shaped like partners.json); the
    gazetteer tells which names are names of one body."""
    ev = Evaluation()
    source = source or gold.get("source")
    pred_partners = [p for p in pred.get("partners", []) if source is None or p.get("source") == source]
    if source and not pred_partners:  # a page is named by its file name; a gold may hold its path
        pred_partners = [p for p in pred.get("partners", []) if _file_name(p.get("source")) == _file_name(source)]
    gold_partners = gold.get("partners", [])
    pairs, missing, spurious = _pair(gold_partners, pred_partners,
                                     lambda g, p: name_key(g["heading"]) == name_key(p["heading"]))
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

    def diff(field_name: str, kind: str, item: str) -> None:
        ev.differences.append(Difference(where, field_name, kind, item, pid))

    _compare_acronyms(ev.scores["acronyms"], g, p, diff)
    _compare_published(ev.scores["published"], g, p, diff)
    pairs, missing, spurious = _pair(g.get("organisations", []), p.get("organisations", []), same_org)
    _count(ev.scores["organisations"], pairs, missing, spurious)
    diff_items(ev, where, "organisations", missing, spurious, _describe_org, pid)
    _compare_new_bodies(ev.scores["new_bodies"], g, p, pairs, gazetteer, diff)
    _compare_dates(ev.scores["dates"], g, p, diff)
    _compare_agreements(ev, where, pid, g, p, diff)
    _compare_themes(ev.scores["themes"], g, p, diff)


# Records one difference of the partner at hand: (field, kind, item).
Diff = Callable[[str, str, str], None]


def _compare_acronyms(score: Score, g: dict, p: dict, diff: Diff) -> None:
    """The heading's acronym: right, missing, spurious or another one."""
    ok = (g.get("acronym") or None) == (p.get("acronym") or None)
    score.tp += ok
    if not ok:
        score.fn += 1 if g.get("acronym") else 0
        score.fp += 1 if p.get("acronym") else 0
        diff("acronyms", "wrong", f"gold {g.get('acronym')!r}, got {p.get('acronym')!r}")


def _compare_published(score: Score, g: dict, p: dict, diff: Diff) -> None:
    """The item's date of publication (null on pages that give none): right, missing, spurious or another."""
    want, got = g.get("published") or None, p.get("published") or None
    if want is None and got is None:
        return
    score.tp += want == got
    if want != got:
        score.fn += want is not None
        score.fp += got is not None
        diff("published", "wrong", f"gold {want!r}, got {got!r}")


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
    """Dates by value, as multisets (the same date twice counts twice); then each matched value's precision."""
    gold_dates = Counter(d["value"] for d in g.get("dates", []))
    pred_dates = Counter(d["value"] for d in p.get("dates", []))
    common = gold_dates & pred_dates
    score.tp += sum(common.values())
    score.fn += sum((gold_dates - common).values())
    score.fp += sum((pred_dates - common).values())
    for value, n in (gold_dates - common).items():
        diff("dates", "missing", f"{value} x{n}")
    for value, n in (pred_dates - common).items():
        diff("dates", "spurious", f"{value} x{n}")
    precision = {d["value"]: d.get("precision") for d in p.get("dates", [])}
    for d in g.get("dates", []):
        if d["value"] in precision and d.get("precision") and precision[d["value"]] != d["precision"]:
            diff("dates", "wrong", f"{d['value']} precision {precision[d['value']]}")


def _compare_agreements(ev: Evaluation, where: str, pid: str | None, g: dict, p: dict, diff: Diff) -> None:
    """Agreements by type and date; then the parties of each matched pair."""

    def same_agreement(ga, pa):
        return ga["type"] == pa["type"] and (ga.get("date") or None) == (pa.get("date") or None)

    pairs, missing, spurious = _pair(g.get("agreements", []), p.get("agreements", []), same_agreement)
    _count(ev.scores["agreements"], pairs, missing, spurious)
    diff_items(ev, where, "agreements", missing, spurious, _describe_agreement, pid)
    parties = ev.scores["agreement_parties"]
    for ga, pa in pairs:
        if _parties_match(ga, pa, p.get("organisations", [])):
            parties.tp += 1
        else:
            parties.fn += 1
            parties.fp += 1
            diff("agreement_parties", "wrong",
                 f"{ga['type']} {ga.get('date')}: gold {ga.get('parties')}, got {pa.get('parties')}")


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
