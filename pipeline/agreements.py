"""Finds the formal agreements of a section: type, parties, date, status, evidence.

Cue phrases from ``resources/agreements.toml`` locate each mention; its sentence gives the date
(from the dates stage) and the parties (from the organisations stage). Mentions of one instrument
are merged (same type, compatible dates and parties: the more precise date wins); mentions whose
dates contradict stay apart. Runs after organisations and dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from . import resources
from .cues import CueIndex
from .models import Agreement, DateMention, Organisation, Partner
from .nlp import fold, norm
from .organisations import party_label

WCO = "OMD"
_BOTH = re.compile(r"\b(les|ces|des) deux (organisations|secretariats|institutions|parties|agences|organismes)\b")
_EACH = re.compile(r"\bchacune?s?\b")
_STATUS_RANK = {"mentioned": 0, "concluded": 1, "signed": 2}
_DATE_ROLES = ("signature", "conclusion", "creation", "event")


@cache
def _config() -> dict:
    return resources.load("agreements.toml")


@cache
def _types() -> dict[str, str]:
    return {t["code"]: t["label"] for t in _config()["type"]}


@cache
def _index() -> CueIndex:
    acronyms = _config()["acronyms"]
    return CueIndex((cue, t["code"]) for t in _config()["type"] for cue in t["cues"] if cue not in acronyms)


@cache
def _acronym_index() -> CueIndex:
    return CueIndex(_config()["acronyms"].items(), exact=True)


@cache
def _words(key: str) -> tuple[str, ...]:
    return tuple(sorted((norm(w) for w in _config()["context"][key]), key=len, reverse=True))


@cache
def _accented_words(key: str) -> tuple[str, ...]:
    return tuple(sorted((fold(w).lower() for w in _config()["context"][key]), key=len, reverse=True))


@dataclass
class _Mention:
    type: str
    start: int  # characters
    end: int
    label: str
    sentence: tuple[int, int]
    date: DateMention | None
    date_text: str | None
    parties: tuple[str, ...]
    status: str


def _has_word(text: str, words: tuple[str, ...]) -> bool:
    # Accents kept: "entré (en vigueur)" is not "entre".
    folded = fold(text).lower()
    return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", folded) for w in words)


def _sentence_bounds(doc, token_start: int) -> tuple[int, int]:
    sent = doc[token_start].sent if doc.has_annotation("SENT_START") else doc[:]
    return sent.start_char, sent.end_char


def _cue_mentions(doc, text: str) -> list[tuple[int, int, str, tuple[int, int]]]:
    """(start, end, type, sentence) of every cue that names an instrument."""
    found = []
    matches = sorted(_index().find(doc) + _acronym_index().find(doc), key=lambda m: m.start)
    last_end, last_end_char = -10, 0
    for m in matches:
        span = doc[m.start:m.end]
        start, end = span.start_char, span.end_char
        before = norm(text[max(0, start - 12):start]).rstrip()
        if m.start - last_end <= 1 and text[last_end_char:start].strip() == "(":  # "Protocole d'accord (PDA)"
            continue
        sentence = _sentence_bounds(doc, m.start)
        after = norm(text[end:end + 30]).lstrip()
        around = norm(text[max(0, start - 20):end + 20])
        if any(w in around for w in _words("not_in")):
            continue
        if m.value == "agreement":
            if any(after.startswith(w) for w in _words("not_after")):
                continue
            if not _has_word(text[sentence[0]:sentence[1]], _accented_words("making")):
                continue
            if text[start:end][:1].isupper() is False and norm(text[start:end]).endswith("s"):
                continue
        anaphoric = any(re.search(rf"(?<!\w){re.escape(w)}$", before) for w in _words("anaphora"))
        found.append((start, end, m.value, sentence, anaphoric))
        last_end, last_end_char = m.end, end
    return found


_NUMBERS = {"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "2": 2, "3": 3, "4": 4, "5": 5}


def _count_before(text: str, start: int) -> int:
    """How many instruments a plural cue names: "deux Protocoles d'accord" is two."""
    words = re.findall(r"\w+", norm(text[max(0, start - 12):start]))
    return _NUMBERS.get(words[-1], 1) if words else 1


def _label(text: str, start: int, end: int) -> tuple[str, int]:
    """The cue as written, with the acronym in parentheses that follows it: "Protocole d’accord (PDA)"."""
    follow = re.match(r"\s*\(([A-Za-z]{2,6})\)", text[end:])
    if follow:
        end += follow.end()
    return text[start:end], end


def _date_for(dates: tuple[DateMention, ...], sentence: tuple[int, int], cue_end: int) -> DateMention | None:
    inside = [d for d in dates if sentence[0] <= d.start and d.end <= sentence[1] and d.role in _DATE_ROLES]
    after = [d for d in inside if d.start >= cue_end]
    before = [d for d in inside if d.end <= cue_end]
    if after:
        return after[0]
    return before[-1] if before else None


def _date_text(text: str, date: DateMention) -> str:
    prefix = re.search(r"(?:\b(?:le|en|du|au|depuis|dès|des|à la date du|a la date du|courant)\s+)$",
                       text[max(0, date.start - 20):date.start], re.IGNORECASE)
    start = date.start - (len(prefix.group(0)) if prefix else 0)
    return text[start:date.end]


def _orgs_in(orgs: tuple[Organisation, ...], lo: int, hi: int) -> list[tuple[int, Organisation]]:
    found = []
    for org in orgs:
        for m in org.mentions:
            if lo <= m.start and m.end <= hi:
                found.append((m.start, org))
    return sorted(found, key=lambda x: x[0])


def _unique(labels) -> tuple[str, ...]:
    out: list[str] = []
    for label in labels:
        if label not in out:
            out.append(label)
    return tuple(out)


def _partner_label(partner: Partner, orgs: tuple[Organisation, ...]) -> str:
    for org in orgs:
        if partner.acronym and org.acronym == partner.acronym:
            return party_label(org)
    for org in orgs:
        if norm(org.name) == norm(partner.name) or any(norm(m.text).endswith(norm(partner.name)) for m in org.mentions):
            return party_label(org)
    return partner.acronym or partner.name


def _parties(text: str, sentence: tuple[int, int], cue: tuple[int, int], partner: Partner,
             orgs: tuple[Organisation, ...]) -> list[tuple[str, ...]]:
    """The parties of the instrument at ``cue``; several tuples when each subject concluded its own."""
    lo, hi = _clause(text, sentence, cue)
    clause = text[lo:hi]
    if _BOTH.search(norm(clause)):
        return [_unique([WCO, _partner_label(partner, orgs)])]
    mentioned = _orgs_in(orgs, lo, hi)
    between = re.search(r"\bentre\s", text[cue[1]:hi])
    first_after = min((s for s, _ in mentioned if between and s >= cue[1] + between.end()), default=None)
    if between and between.start() <= 80 and first_after is not None \
            and first_after - (cue[1] + between.end()) <= 6:  # "entre l'OMD et…", not "entre les États…"
        after = [o for s, o in mentioned if s >= cue[1] + between.end()]
        return [_unique(party_label(o) for o in after[:2])] if after else []
    # Subjects: organisations before the cue in the clause; "avec X": after it.
    subjects = [o for s, o in mentioned if s < cue[0]]
    with_match = re.search(r"\bavec\b", text[cue[1]:hi])
    others = [o for s, o in mentioned if s >= cue[1] and with_match and s >= cue[1] + with_match.start()]
    if _EACH.search(clause[: cue[0] - lo]) and len(subjects) >= 2 and others:
        return [_unique([party_label(s), party_label(others[0])]) for s in _unique_orgs(subjects)]
    labels = _unique([party_label(o) for o in subjects[-3:]] + [party_label(o) for o in others[:1]])
    if not labels:
        labels = _unique(party_label(o) for _, o in mentioned)
    return [labels]


def _clause(text: str, sentence: tuple[int, int], cue: tuple[int, int]) -> tuple[int, int]:
    """The part of the sentence around the cue, between clause breaks ("notamment", ";"...)."""
    lo, hi = sentence
    folded = norm(text[lo:hi])
    for w in _words("clause_breaks"):
        for m in re.finditer(rf"(?<!\w){re.escape(w)}(?!\w)" if w[0].isalnum() else re.escape(w), folded):
            at = lo + m.start()
            if at >= cue[1]:
                hi = min(hi, at)
            elif at + len(w) <= cue[0]:
                lo = max(lo, at + len(w))
    return lo, hi


def _unique_orgs(orgs: list[Organisation]) -> list[Organisation]:
    seen, out = set(), []
    for o in orgs:
        if id(o) not in seen:
            seen.add(id(o))
            out.append(o)
    return out


def _status(sentence_text: str) -> str:
    if _has_word(sentence_text, _accented_words("signed")):
        return "signed"
    if _has_word(sentence_text, _accented_words("concluded")):
        return "concluded"
    return "mentioned"


def _compatible_dates(a: DateMention | None, b: DateMention | None) -> bool:
    if a is None or b is None:
        return True
    return a.value.startswith(b.value) or b.value.startswith(a.value)


def _compatible_parties(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return not a or not b or set(a) <= set(b) or set(b) <= set(a)


def _merge(into: _Mention, other: _Mention) -> _Mention:
    date, date_text = into.date, into.date_text
    if other.date is not None and (date is None or len(other.date.value) > len(date.value)):
        date, date_text = other.date, other.date_text
    parties = into.parties if len(into.parties) >= len(other.parties) else other.parties
    status = max(into.status, other.status, key=_STATUS_RANK.__getitem__)
    return replace(into, date=date, date_text=date_text, parties=parties, status=status)


def find(text: str, doc, partner: Partner) -> tuple[Agreement, ...]:
    orgs, dates = partner.organisations, partner.dates
    agreements: list[_Mention] = []
    for start, end, kind, sentence, anaphoric in _cue_mentions(doc, text):
        label, label_end = _label(text, start, end)
        count = _count_before(text, start)
        if count > 1:
            # "deux Protocoles d'accord, le premier en 1999 et le second le 19 juin 2014": one each.
            lo, hi = _clause(text, sentence, (start, label_end))
            own = [d for d in dates if d.start >= label_end and d.end <= hi and d.role in _DATE_ROLES][:count]
            parties = _parties(text, sentence, (start, label_end), partner, orgs)[0]
            status = _status(text[sentence[0]:sentence[1]])
            for i in range(count):
                d = own[i] if i < len(own) else None
                agreements.append(_Mention(kind, start, label_end, label, sentence, d,
                                           _date_text(text, d) if d else None, parties, status))
            continue
        date = _date_for(dates, sentence, label_end)
        date_text = _date_text(text, date) if date else None
        status = _status(text[sentence[0]:sentence[1]])
        if anaphoric:
            # "Cet accord", "Ce Protocole d'accord": the instrument named last, told more about.
            target = next((a for a in reversed(agreements) if a.type == kind or kind == "agreement"), None)
            if target is not None:
                extra = _Mention(kind, start, end, label, sentence, date, date_text, (), status)
                if _compatible_dates(target.date, date):
                    agreements[agreements.index(target)] = _merge(target, extra)
                continue
        for parties in _parties(text, sentence, (start, label_end), partner, orgs) or [()]:
            mention = _Mention(kind, start, label_end, label, sentence, date, date_text, parties, status)
            twin = next((a for a in agreements if a.type == kind and _compatible_dates(a.date, date)
                         and _compatible_parties(a.parties, parties) and a.start != start), None)
            if twin is not None:
                agreements[agreements.index(twin)] = _merge(twin, mention)
            else:
                agreements.append(mention)
    return tuple(_to_agreement(text, a) for a in agreements)


def _to_agreement(text: str, a: _Mention) -> Agreement:
    return Agreement(
        type=a.type, label=a.label, parties=a.parties,
        date=a.date.value if a.date else None, date_precision=a.date.precision if a.date else None,
        date_text=a.date_text, status=a.status, evidence=text[a.sentence[0]:a.sentence[1]].strip(),
        start=a.start, end=a.end,
    )


def extract(partner: Partner, doc) -> Partner:
    return replace(partner, agreements=find(partner.text, doc, partner))
