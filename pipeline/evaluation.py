"""Scores predictions against a hand-made gold file: precision, recall and F1 per field.

One implementation serves the ``evaluate`` command and the gold regression tests. Partners are
paired by heading; within a pair, items are matched one-to-one: organisations by acronym or by
name (the gold name may equal any of the predicted body's names or mentions, or be another name
the gazetteer gives the same body), dates by value, agreements by type and date, themes by code.
Agreement parties are scored on the matched agreements only.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .nlp import norm

FIELDS = ("sections", "organisations", "dates", "agreements", "agreement_parties", "themes", "acronyms")


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


def _key(text: str | None) -> str:
    if not text:
        return ""
    t = norm(text).strip()
    t = re.sub(r"^(l'|le |la |les )", "", t)
    return re.sub(r"[\s\-]+", " ", t).strip()


def _org_names(org: dict) -> set[str]:
    names = {_key(org.get("name"))}
    names |= {_key(m["text"]) for m in org.get("mentions", [])}
    return names - {""}


def _gazetteer_entry(name: str | None) -> int | None:
    from .organisations import _key as name_key
    from .organisations import _name_index

    return _name_index().get(name_key(name)) if name else None


def _org_matches(gold: dict, pred: dict) -> bool:
    if gold.get("acronym") and pred.get("acronym") and norm(gold["acronym"]) == norm(pred["acronym"]):
        return True
    entry = _gazetteer_entry(gold.get("name"))
    if entry is not None and entry == _gazetteer_entry(pred.get("name")):
        return True  # two names of one body in the gazetteer ("Commonwealth", "Commonwealth des Nations")
    return _key(gold.get("name")) in _org_names(pred) or (
        bool(gold.get("acronym")) and _key(gold["acronym"]) in _org_names(pred))


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
    return frozenset(_key(p) for p in parties or [])


def _parties_match(gold: dict, pred: dict, pred_orgs: list[dict]) -> bool:
    """Same parties, a party named by its acronym or its name alike."""
    aliases: dict[str, set[str]] = {}
    for o in pred_orgs:
        names = _org_names(o) | ({_key(o["acronym"])} if o.get("acronym") else set())
        for n in names:
            aliases.setdefault(n, set()).update(names)
    pred_parties = [aliases.get(_key(p), {_key(p)}) for p in pred.get("parties") or []]
    gold_parties = [_key(p) for p in gold.get("parties") or []]
    if len(pred_parties) != len(gold_parties):
        return False
    left = list(pred_parties)
    for g in gold_parties:
        hit = next((p for p in left if g in p), None)
        if hit is None:
            return False
        left.remove(hit)
    return True


def evaluate(gold: dict, pred: dict, source: str | None = None) -> Evaluation:
    """Compare the partners of ``gold`` with those of ``pred`` (both shaped like partners.json)."""
    ev = Evaluation()
    source = source or gold.get("source")
    pred_partners = [p for p in pred.get("partners", []) if source is None or p.get("source") == source]
    gold_partners = gold.get("partners", [])
    pairs, missing, spurious = _pair(gold_partners, pred_partners,
                                     lambda g, p: _key(g["heading"]) == _key(p["heading"]))
    _count(ev.scores["sections"], pairs, missing, spurious)
    for g in missing:
        ev.differences.append(Difference(g["heading"][:50], "sections", "missing", g["heading"]))
    for p in spurious:
        ev.differences.append(Difference(p["heading"][:50], "sections", "spurious", p["heading"], p.get("partner_id")))
    for g, p in pairs:
        _compare_partner(ev, g, p)
    return ev


def _compare_partner(ev: Evaluation, g: dict, p: dict) -> None:
    where = g.get("acronym") or g["heading"][:40]
    pid = p.get("partner_id")

    def diff(d: Difference) -> None:
        d.partner_id = pid
        ev.differences.append(d)

    ok = (g.get("acronym") or None) == (p.get("acronym") or None)
    ev.scores["acronyms"].tp += ok
    if not ok:
        ev.scores["acronyms"].fn += 1 if g.get("acronym") else 0
        ev.scores["acronyms"].fp += 1 if p.get("acronym") else 0
        diff(Difference(where, "acronyms", "wrong", f"gold {g.get('acronym')!r}, got {p.get('acronym')!r}"))

    pairs, missing, spurious = _pair(g.get("organisations", []), p.get("organisations", []), _org_matches)
    _count(ev.scores["organisations"], pairs, missing, spurious)
    diff_items(ev, where, "organisations", missing, spurious, _describe_org, pid)

    gold_dates = Counter(d["value"] for d in g.get("dates", []))
    pred_dates = Counter(d["value"] for d in p.get("dates", []))
    common = gold_dates & pred_dates
    ev.scores["dates"].tp += sum(common.values())
    ev.scores["dates"].fn += sum((gold_dates - common).values())
    ev.scores["dates"].fp += sum((pred_dates - common).values())
    for value, n in (gold_dates - common).items():
        diff(Difference(where, "dates", "missing", f"{value} x{n}"))
    for value, n in (pred_dates - common).items():
        diff(Difference(where, "dates", "spurious", f"{value} x{n}"))
    precision = {d["value"]: d.get("precision") for d in p.get("dates", [])}
    for d in g.get("dates", []):
        if d["value"] in precision and d.get("precision") and precision[d["value"]] != d["precision"]:
            diff(Difference(where, "dates", "wrong", f"{d['value']} precision {precision[d['value']]}"))

    def same_agreement(ga, pa):
        return ga["type"] == pa["type"] and (ga.get("date") or None) == (pa.get("date") or None)

    pairs, missing, spurious = _pair(g.get("agreements", []), p.get("agreements", []), same_agreement)
    _count(ev.scores["agreements"], pairs, missing, spurious)
    diff_items(ev, where, "agreements", missing, spurious, _describe_agreement, pid)
    for ga, pa in pairs:
        if _parties_match(ga, pa, p.get("organisations", [])):
            ev.scores["agreement_parties"].tp += 1
        else:
            ev.scores["agreement_parties"].fn += 1
            ev.scores["agreement_parties"].fp += 1
            diff(Difference(where, "agreement_parties", "wrong",
                            f"{ga['type']} {ga.get('date')}: gold {ga.get('parties')}, got {pa.get('parties')}"))

    gold_themes = {t["code"] if isinstance(t, dict) else t for t in g.get("themes", [])}
    pred_themes = {t["code"] for t in p.get("themes", [])}
    ev.scores["themes"].tp += len(gold_themes & pred_themes)
    ev.scores["themes"].fn += len(gold_themes - pred_themes)
    ev.scores["themes"].fp += len(pred_themes - gold_themes)
    for code in sorted(gold_themes - pred_themes):
        diff(Difference(where, "themes", "missing", code))
    for code in sorted(pred_themes - gold_themes):
        diff(Difference(where, "themes", "spurious", code))


def diff_items(ev: Evaluation, where: str, name: str, missing, spurious, describe, pid: str | None) -> None:
    for item in missing:
        ev.differences.append(Difference(where, name, "missing", describe(item), pid))
    for item in spurious:
        ev.differences.append(Difference(where, name, "spurious", describe(item), pid))


def heading_key(heading: str) -> str:
    """How headings are compared: case, accents, apostrophes and a leading article do not count."""
    return _key(heading)
