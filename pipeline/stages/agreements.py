"""Finds the formal agreements of a section: type, parties, date, status, evidence.

Cue phrases from ``resources/agreements.toml`` locate each mention; its sentence gives the date
(from the dates stage: each date goes to the nearest instrument) and the parties (from the
organisations stage). Mentions of one instrument are merged (same type, compatible dates and
parties: the more precise date wins); mentions whose dates contradict, renewals and instruments
said to be "second" or "nouveau" stay apart. Runs after organisations and dates.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..models import (
    AGREEMENT_STATUSES,
    DATE_PRECISIONS,
    DATE_ROLES,
    ISO_LENGTH,
    Agreement,
    AgreementStatus,
    DateMention,
    Organisation,
    Partner,
    partner_organisation,
)
from ..nlp.cues import CueIndex, Match, sentence_of
from ..text import fold, norm

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from .base import Toolkit

WCO = "OMD"
_BOTH = re.compile(r"\b(les|ces|des) deux (organisations|secretariats|institutions|parties|agences|organismes)\b")
_EACH = re.compile(r"\bchacune?s?\b")
# Which of two statuses of one instrument wins: the vocabulary lists the strongest first.
_STATUS_RANK: dict[AgreementStatus, int] = {s: -i for i, s in enumerate(AGREEMENT_STATUSES)}
# What dates an instrument: any date but the start of a relation ("depuis 2005").
_DATING_ROLES = tuple(role for role in DATE_ROLES if role != "start")
_NUMBERS = {"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "2": 2, "3": 3, "4": 4, "5": 5}
# The precisions at least as fine as each: a "même mois" needs an earlier date with a month.
_AT_LEAST = {p: DATE_PRECISIONS[:i + 1] for i, p in enumerate(DATE_PRECISIONS)}
# A party is the subject or the complement of the instrument, not a body named inside another phrase.
_COMPLEMENT_BEFORE = ("de", "des", "du", "d'", "a", "au", "aux", "pour", "par", "sur", "dans", "chez")


class Agreements:
    """The agreements stage: fills ``agreements``; needs the organisations (the parties) and the dates."""

    fills = "agreements"
    needs = ("organisations", "dates", "published")

    def __init__(self, kit: Toolkit) -> None:
        vocabulary = kit.resources.agreements
        acronyms = vocabulary.acronyms
        self.index = CueIndex(((cue, t.code) for t in vocabulary.type for cue in t.cues if cue not in acronyms),
                              kit.tokenizer)
        self.acronym_index = CueIndex(acronyms.items(), kit.tokenizer, exact=True)
        context = {key: getattr(vocabulary.context, key) for key in vocabulary.context.__struct_fields__}
        # Context words folded once, longest first: without accents for the words of a phrase's shape,
        # with them where an accent tells words apart ("entré" is not "entre").
        self.plain = {key: tuple(sorted((norm(w) for w in words), key=len, reverse=True))
                      for key, words in context.items()}
        self.accented = {key: tuple(sorted((fold(w).lower() for w in words), key=len, reverse=True))
                         for key, words in context.items()}
        self.needs_context = frozenset(vocabulary.context.needs_context)
        self.same_period = vocabulary.same_period
        today = "|".join(re.escape(fold(w)) for w in kit.resources.dates.today)
        self.today = re.compile(rf"\b(?:{today})\b", re.IGNORECASE) if today else None

    def extract(self, partner: Partner, doc: Doc) -> Partner:
        return replace(partner, agreements=self.find(doc, partner.text, partner))

    def find(self, doc: Doc, text: str, partner: Partner) -> tuple[Agreement, ...]:
        """Every instrument the section's cues name, one per instrument: a cue that refers back ("Cet
        accord") tells more about one already named; another merges with its twin, or is a new one."""
        dates = partner.dates
        cues = self._cues(doc, text)
        replaced = self._replaced(text, dates)
        covered = self._covered(text, dates)
        dated = _dated(cues, tuple(d for d in dates if d not in replaced and d not in covered))
        agreements: list[_Mention] = []
        bodies = _Bodies(partner)
        for i, cue in enumerate(cues):
            status = self._status(text[cue.sentence[0]:cue.sentence[1]], text[cue.window[0]:cue.window[1]])
            # "signent aujourd'hui …, au terme d'un atelier organisé les 14 et 15 mars": the signing is today
            today = self._today(text, cue, partner)
            cue_dates = [today] if today and cue.count == 1 else dated[i] or [self._same_period(text, cue, dates)]
            if cue.amended:
                # "un avenant au Protocole d'accord de 2009, signé en 2015": only its own date is the instrument's
                cue_dates = [d if d is not None and 0 <= d.start - cue.end <= 8 else None for d in cue_dates]
            if status == "pending" or self._dated_relatively(text, cue, cue_dates[0]):
                # "un accord de mise en œuvre l'année suivante", "en négociation depuis 2023": no date of its own
                cue_dates = [None] * cue.count
            if (cue.anaphoric or cue.amended) and cue.count == 1 \
                    and self._refer_back(text, cue, cue_dates[0], status, dates, agreements):
                continue
            for parties in self._parties(text, cue, bodies):
                made = self._add_mentions(text, cue, cue_dates, parties, status, dates, agreements)
                agreements += [replace(made, date=d, date_text=_date_text(text, d), status="mentioned")
                               for d in replaced if _replaces(cue, d, cues)]
        return tuple(_to_agreement(text, a) for a in agreements)

    def _replaced(self, text: str, dates: tuple[DateMention, ...]) -> list[DateMention]:
        """The dates of earlier instruments a text says were replaced: "qui remplace celui de 2009"."""
        return [d for d in dates if _ends_with_word(text[max(0, d.start - 40):d.start], self.plain["replaces"])]

    def _covered(self, text: str, dates: tuple[DateMention, ...]) -> set[DateMention]:
        """The dates of a span an instrument covers ("pour la période 2017-2020": both years)."""
        out: set[DateMention] = set()
        previous = None
        for d in dates:
            before = text[max(0, d.start - 30):d.start]
            if _ends_with_word(before, self.plain["covers"]) or _ends_with_word(before, ("l'",)) \
                    and _ends_with_word(before[:-2], self.plain["covers"]) \
                    or previous in out and re.fullmatch(r"\s*[-–/]\s*", text[previous.end:d.start]):
                out.add(d)
            previous = d
        return out

    def _dated_relatively(self, text: str, cue: _Cue, date: DateMention | None) -> bool:
        """Whether the instrument is dated only relative to another ("… suivi l'année suivante d'un
        accord"): a relative phrase nearer to it, in its sentence, than the date it was given."""
        lo, hi = cue.sentence
        folded = fold(text[lo:hi]).lower()  # (one character for one: offsets hold)
        near = None
        for phrase in self.accented["relative"]:
            for m in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", folded):
                at, after = lo + m.start(), lo + m.end()
                if date is not None and 0 <= date.start - after <= 6:
                    return False  # "deux ans plus tard, le 5 juin 2021": the date is written
                distance = cue.start - after if at < cue.start else at - cue.end
                near = distance if near is None else min(near, distance)
        if near is None:
            return False
        if date is None:
            return True
        return near < (cue.start - date.end if date.start < cue.start else date.start - cue.end)

    def _today(self, text: str, cue: _Cue, partner: Partner) -> DateMention | None:
        """"… ont signé aujourd'hui un Protocole d'accord": the day the item was published, if it was."""
        if partner.published is None or self.today is None:
            return None
        lo, hi = cue.sentence
        found = self.today.search(fold(text), lo, hi)
        # "ont signé aujourd'hui", not "toujours en vigueur aujourd'hui"
        if found is None or not _has_word(text[max(lo, found.start() - 30):min(hi, found.end() + 30)],
                                          self.accented["signed"] + self.accented["concluded"]):
            return None
        precision = next(p for p, n in ISO_LENGTH.items() if n == len(partner.published))
        return DateMention(text=text[found.start():found.end()], value=partner.published, precision=precision,
                           role="signature", start=found.start(), end=found.end())

    def _refer_back(self, text: str, cue: _Cue, date: DateMention | None, status: AgreementStatus,
                    dates: tuple[DateMention, ...], agreements: list[_Mention]) -> bool:
        """"Cet accord …": the latest instrument of the same type (any, for a bare "accord") gets what
        this mention says, unless their dates contradict (then it is another instrument). False when
        nothing was named before."""
        target = next((a for a in reversed(agreements) if a.type == cue.type or cue.type == "agreement"), None)
        if target is None:
            return False
        extra = _Mention(target.type, cue.start, cue.end, cue.label, cue.sentence, date,
                         _date_text(text, date) if date else None, target.parties, status)
        if _compatible_dates(target.date, date):
            agreements[agreements.index(target)] = _merge(target, extra)
        else:
            agreements.append(extra)  # same instrument words, another date: another instrument
        agreements += self._renewed(text, cue, extra, dates)
        return True

    def _add_mentions(self, text: str, cue: _Cue, cue_dates: list[DateMention | None], parties: tuple[str, ...],
                      status: AgreementStatus, dates: tuple[DateMention, ...], agreements: list[_Mention]) -> _Mention:
        """The instruments one cue names for one set of parties ("deux Protocoles d'accord": two), each
        merged with a twin already found (same type, compatible dates and parties) unless said to be
        another ("un second Protocole"). Returns the last instrument it made or merged into."""
        made = None
        for n in range(cue.count):
            date = cue_dates[n] if n < len(cue_dates) else None
            mention = _Mention(cue.type, cue.start, cue.end, cue.label, cue.sentence, date,
                               _date_text(text, date) if date else None, parties, status)
            twin = None
            if cue.count == 1 and not cue.another:
                twin = next((a for a in agreements if a.type == cue.type and _compatible_dates(a.date, date)
                             and _compatible_parties(a.parties, parties) and a.start != cue.start), None)
            if twin is not None:
                made = agreements[agreements.index(twin)] = _merge(twin, mention)
            else:
                made = mention
                agreements.append(mention)
            if cue.count == 1:
                agreements += self._renewed(text, cue, mention, dates)
        return made

    def _renewed(self, text: str, cue: _Cue, mention: _Mention, dates: tuple[DateMention, ...]) -> list[_Mention]:
        """The instrument again at each date it was renewed: each renewal is an instrument of its own."""
        return [replace(mention, date=renewed, date_text=_date_text(text, renewed))
                for renewed in self._renewals(text, cue, mention.date, dates)]

    def _cues(self, doc: Doc, text: str) -> list[_Cue]:
        """Every cue that names an instrument, in text order, with what the words before it say."""
        found: list[_Cue] = []
        matches = sorted(self.index.find(doc) + self.acronym_index.find(doc), key=lambda m: m.start)
        spans = [(doc[m.start].idx, doc[m.end - 1].idx + len(doc[m.end - 1])) for m in matches]
        for k, m in enumerate(matches):
            start, end = spans[k]
            if found and found[-1].end >= end:
                continue  # "Protocole d'accord (PDA)": the acronym is part of the label already
            sentence = _sentence_bounds(doc, m.start)
            # What the sentence says between this cue and its neighbours is said of this instrument:
            # "un PDA signé en 2010, et un accord de financement en préparation" (one of each).
            window = (max(sentence[0], spans[k - 1][1] if k else 0),
                      min(sentence[1], spans[k + 1][0] if k + 1 < len(spans) else len(text)))
            if not self._names_an_instrument(m, text, start, end, text[sentence[0]:sentence[1]],
                                             text[window[0]:window[1]]):
                continue
            label, label_end = _label(text, start, end)
            before = text[max(0, start - 25):start]
            words = re.findall(r"\w+", norm(before))
            # "L'accord a été signé à Dakar", after a Protocole d'accord: the bare word refers back
            definite = m.phrase in self.needs_context and _ends_with_word(before, ("l'", "le", "la"))
            found.append(_Cue(
                type=m.value, start=start, end=label_end, label=label, sentence=sentence, window=window,
                anaphoric=definite or _ends_with_word(before, self.plain["anaphora"]),
                another=_ends_with_word(before, self.plain["another"]),
                amended=_has_word(text[max(window[0], start - 40):start], self.accented["amends"]),
                count=_NUMBERS.get(words[-1], 1) if words else 1,
            ))
        return found

    def _names_an_instrument(self, m: Match, text: str, start: int, end: int, sentence: str, window: str) -> bool:
        """Whether a cue's words, where they stand, name an instrument of the partner: not in a set
        phrase ("d'un commun accord"), not denied ("aucun accord", "n'a jamais été signé"), and a
        generic "accord" only as the generic rules allow. (One under negotiation is kept: "pending".)"""
        around = norm(text[max(0, start - 20):end + 20])
        if any(w in around for w in self.plain["not_in"]):
            return False
        if _ends_with_word(text[max(0, start - 25):start], self.plain["not_before"]) \
                or _has_word(window, self.accented["denied"]):
            return False
        return m.value != "agreement" or self._generic_cue_names_an_instrument(m, text, start, end, sentence)

    def _generic_cue_names_an_instrument(self, m: Match, text: str, start: int, end: int, sentence: str) -> bool:
        """"Accord" alone names one of the partner's instruments only when it is not a treaty ("Accords
        multilatéraux sur l'environnement", "l'Accord de Paris"), when the sentence makes or signs
        something (for the cues that need it), and not as a lower-case plural."""
        after = norm(text[end:end + 80]).lstrip()
        bare = len(m.phrase.split()) == 1  # "accord", not "accord de financement"
        if bare and any(after.startswith(w) for w in self.plain["not_after"]):
            return False  # "Accords multilatéraux sur l'environnement", "Accord portant création de…"
        if bare and re.match(r"\s*(de|d')\s*[A-Z][a-z]", text[end:end + 12]):
            return False  # "l'Accord de Paris", "Accord de Lomé": a treaty named after a place
        if m.phrase in self.needs_context and after.startswith(":"):
            return False  # "Accord : Protocole d'accord signé …": a label, the instrument follows
        if m.phrase in self.needs_context and not _has_word(sentence, self.accented["making"]):
            return False
        # "les accords de financement signés entre …" are instruments in general; "deux accords …" are two
        words = re.findall(r"\w+", norm(text[max(0, start - 20):start]))
        counted = bool(words) and words[-1] in _NUMBERS
        return text[start:start + 1].isupper() or counted or not norm(text[start:end]).split()[0].endswith("s")

    def _same_period(self, text: str, cue: _Cue, dates: tuple[DateMention, ...]) -> DateMention | None:
        """"… complété, au cours du même mois, par un Mémorandum": the previous date, cut to that period."""
        lo, hi = cue.sentence
        for phrase, precision in self.same_period.items():
            found = re.search(rf"\b{re.escape(phrase)}\b", text[lo:hi])
            if found is None:
                continue
            at = lo + found.start()
            earlier = [d for d in dates if d.end <= at and d.precision in _AT_LEAST[precision]]
            if earlier:
                d = earlier[-1]
                value = d.value[:ISO_LENGTH[precision]]
                return replace(d, text=found.group(0), value=value, precision=precision, start=at, end=at + found.end()
                               - found.start())
        return None

    def _renewals(self, text: str, cue: _Cue, date: DateMention | None,
                  dates: tuple[DateMention, ...]) -> list[DateMention]:
        """Dates at which the instrument was renewed ("…, renouvelé le 21 octobre 2015"): each a new one."""
        lo = date.end if date is not None else cue.end
        hi = cue.sentence[1]
        # Where the renewal words stand, found once (a sentence of thousands of dates must not be read
        # again for each).
        folded = fold(text[lo:hi]).lower()
        words = [lo + m.start() for w in self.accented["renewal"]
                 for m in re.finditer(rf"(?<!\w){re.escape(w)}(?!\w)", folded)]
        words.sort()
        out = []
        for d in dates:
            if lo <= d.start and d.end <= hi:
                at = bisect_left(words, lo)
                if at < len(words) and words[at] < d.start:
                    out.append(d)
                    lo = d.end
        return out

    def _clause(self, text: str, sentence: tuple[int, int], cue: tuple[int, int]) -> tuple[int, int]:
        """The part of the sentence the parties are named in: after the cue it ends at "notamment",
        "dont", ";"…; before it, only at ";" (a relative clause may stand between subject and verb)."""
        lo, hi = sentence
        folded = norm(text[lo:hi])
        for w in self.plain["clause_breaks"]:
            pattern = rf"(?<!\w){re.escape(w)}(?!\w)" if w[0].isalnum() else re.escape(w)
            for m in re.finditer(pattern, folded):
                at = lo + m.start()
                if at >= cue[1]:
                    hi = min(hi, at)
                elif w == ";" and at + len(w) <= cue[0]:
                    lo = max(lo, at + len(w))
        return lo, hi

    def _parties(self, text: str, cue: _Cue, bodies: _Bodies) -> list[tuple[str, ...]]:
        """The parties of the instrument; several tuples when each subject concluded its own."""
        lo, hi = self._clause(text, cue.sentence, (cue.start, cue.end))
        own = bodies.own
        # The sides a text leaves implicit: the OMD where the section names it, and the partner where
        # its heading names a body (a country, a headline is never a party: then the body other than
        # the OMD last named before the instrument, in its sentence, or in the section when the text
        # says "les deux organisations").
        if _BOTH.search(norm(text[lo:hi])):
            return [_unique([WCO, *[p for p in (own or bodies.counterpart(0, cue.start),) if p]])]
        own = own or bodies.counterpart(cue.sentence[0], cue.start)
        implicit = [p for p in (WCO if bodies.wco else None, own) if p]
        mentioned = bodies.within(lo, hi)
        between = re.search(r"\bentre\s", text[cue.end:hi])
        if between and between.start() <= 80:
            after_between = cue.end + between.end()
            first = min((s for s, _ in mentioned if s >= after_between), default=None)
            if first is not None and first - after_between <= 6:  # "entre l'OMD et…", not "entre les États…"
                labels = _unique(o.short_name() for o in _listed(text, mentioned, bodies.ends, first))
                return [labels if len(labels) >= 2 else _unique([*labels, *implicit])]
        subjects = [o for s, o in mentioned if s < cue.start and _is_subject(text, s)]
        # "… un Protocole d'accord avec l'OMD" or "Elle a conclu avec l'OMD … un Protocole d'accord".
        after_with = re.search(r"\bavec\b", text[cue.end:hi])
        before_with = re.search(r"\bavec\b", text[lo:cue.start])
        at = cue.end + after_with.end() if after_with else lo + before_with.end() if before_with else None
        others = [o for s, o in mentioned if at is not None and at <= s <= at + 6]
        if _EACH.search(text[lo:cue.start]) and len(subjects) >= 2 and others:
            return [_unique([s.short_name(), others[0].short_name()]) for s in _unique_orgs(subjects)]
        labels = _unique([o.short_name() for o in subjects[-3:]] + [o.short_name() for o in others[:1]])
        if not labels:
            labels = _unique(o.short_name() for _, o in mentioned)
        # A partner page is about the partner's instruments with the OMD: a side the text leaves
        # implicit ("Elle a conclu avec l'OMD…", "… conclu avec l'ADII") is the OMD or the partner.
        if len(labels) < 2:
            labels = _unique([*labels, *implicit])
        return [labels]

    def _status(self, sentence_text: str, window_text: str) -> str:
        """Pending if what is said of this instrument alone says so; else signed or concluded if its
        sentence says so ("a signé un PDA en 2017, puis un accord de mise en œuvre": both signed)."""
        if _has_word(window_text, self.accented["pending"]):
            return "pending"
        if _has_word(sentence_text, self.accented["signed"]):
            return "signed"
        if _has_word(sentence_text, self.accented["concluded"]):
            return "concluded"
        return "mentioned"


def _has_word(text: str, words: tuple[str, ...], accents: bool = True) -> bool:
    # Accents kept by default: "entré (en vigueur)" is not "entre".
    folded = fold(text).lower() if accents else norm(text)
    return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", folded) for w in words)


def _ends_with_word(text: str, words: tuple[str, ...]) -> bool:
    folded = norm(text).rstrip()
    return any(re.search(rf"(?<!\w){re.escape(w)}$", folded) for w in words)


@dataclass
class _Cue:
    type: str
    start: int  # characters of the label ("Protocole d’accord (PDA)")
    end: int
    label: str
    sentence: tuple[int, int]
    window: tuple[int, int]  # the part of the sentence between the cues around it: what is said of it alone
    anaphoric: bool  # "Cet accord": tells more about an instrument already named
    another: bool  # "un second Protocole d'accord": never the one named before
    amended: bool  # "un avenant au Protocole d'accord": the instrument an amendment extends
    count: int  # "deux Protocoles d'accord": two instruments


@dataclass
class _Mention:
    type: str
    start: int
    end: int
    label: str
    sentence: tuple[int, int]
    date: DateMention | None
    date_text: str | None
    parties: tuple[str, ...]
    status: str


def _sentence_bounds(doc, token_start: int) -> tuple[int, int]:
    start, end = sentence_of(doc, token_start)
    sent = doc[start:end]
    return sent.start_char, sent.end_char


def _label(text: str, start: int, end: int) -> tuple[str, int]:
    """The cue as written, with the acronym in parentheses that follows it: "Protocole d’accord (PDA)"."""
    follow = re.match(r"\s*\(([A-Za-z]{2,6})\)", text[end:])
    if follow:
        end += follow.end()
    return text[start:end], end


def _dated(cues: list[_Cue], dates: tuple[DateMention, ...]) -> dict[int, list[DateMention]]:
    """The dates of each cue (by index): each date goes to the nearest instrument of its sentence,
    nearest first; an instrument left without one takes the nearest date no other cue stands before."""
    out: dict[int, list[DateMention]] = {i: [] for i in range(len(cues))}
    by_sentence: dict[tuple[int, int], list[int]] = {}
    for i, c in enumerate(cues):
        by_sentence.setdefault(c.sentence, []).append(i)
    for (lo, hi), members in by_sentence.items():
        candidates = [d for d in dates if lo <= d.start and d.end <= hi and d.role in _DATING_ROLES]
        pairs = []
        for i in members:
            c = cues[i]
            for d in candidates:
                between = (c.end, d.start) if d.start >= c.end else (d.end, c.start)
                blocked = any(between[0] <= cues[j].start < between[1] for j in members if j != i)
                pairs.append((blocked, max(0, between[1] - between[0]), d.start, i, d))
        used_dates: set[int] = set()
        for blocked, _, _, i, d in sorted(pairs, key=lambda p: p[:3]):
            if blocked or d.start in used_dates or len(out[i]) >= cues[i].count:
                continue
            out[i].append(d)
            used_dates.add(d.start)
        for i in members:
            if not out[i]:
                free = [p for p in pairs if p[3] == i and not p[0]]
                if free:
                    out[i].append(min(free, key=lambda p: p[1])[4])
            out[i].sort(key=lambda d: d.start)
    return out


def _date_text(text: str, date: DateMention) -> str:
    prefix = re.search(r"(?:\b(?:le|en|du|au|depuis|dès|des|à la date du|a la date du|courant|fin|début)\s+)$",
                       text[max(0, date.start - 20):date.start], re.IGNORECASE)
    start = date.start - (len(prefix.group(0)) if prefix else 0)
    return text[start:date.end]


def _replaces(cue: _Cue, date: DateMention, cues: list[_Cue]) -> bool:
    """Whether ``date`` is that of the instrument ``cue`` replaces: the nearest cue before it, in its sentence."""
    lo, hi = cue.sentence
    if not (lo <= date.start < hi and cue.end <= date.start):
        return False
    return not any(c is not cue and cue.end <= c.start < date.start for c in cues)


class _Bodies:
    """A section's organisations, indexed once for all its instruments: by where they are mentioned,
    and how the partner is named as a party (a section with thousands of instruments must not look
    through all its mentions for each)."""

    def __init__(self, partner: Partner) -> None:
        orgs = partner.organisations
        mentions = sorted((m.start, m.end, i) for i, o in enumerate(orgs) for m in o.mentions)
        self.orgs = orgs
        self.starts = [s for s, _, _ in mentions]
        self.mention_ends = [e for _, e, _ in mentions]
        self.mentions = [(s, orgs[i]) for s, _, i in mentions]
        self.ends = dict(zip(self.starts, self.mention_ends, strict=True))
        self.own = _partner_label(partner, orgs)
        self.wco = any(o.short_name() == WCO for o in orgs)

    def within(self, lo: int, hi: int) -> list[tuple[int, Organisation]]:
        """(start, organisation) of the mentions inside [lo, hi), in text order."""
        at = bisect_left(self.starts, lo)
        out = []
        while at < len(self.mentions) and self.starts[at] < hi:
            if self.mention_ends[at] <= hi:
                out.append(self.mentions[at])
            at += 1
        return out

    def counterpart(self, lo: int, before: int) -> str | None:
        """The body other than the OMD last named from ``lo`` to ``before`` (the instrument's sentence)."""
        at = bisect_left(self.starts, before) - 1
        while at >= 0 and self.starts[at] >= lo:
            name = self.mentions[at][1].short_name()
            if name != WCO:
                return name
            at -= 1
        return None


def _unique(labels) -> tuple[str, ...]:
    out: list[str] = []
    for label in labels:
        if label not in out:
            out.append(label)
    return tuple(out)


def _partner_label(partner: Partner, orgs: tuple[Organisation, ...]) -> str | None:
    """How the partner is named as a party: the organisation its heading names; None when the heading
    names none that the section mentions (a country, a headline, a report heading)."""
    org = partner_organisation(partner, orgs)
    if org is not None:
        return org.short_name()
    return partner.short_name() if partner.acronym else None


def _listed(text: str, mentioned: list[tuple[int, Organisation]], ends: dict[int, int],
            first: int) -> list[Organisation]:
    """The bodies listed from ``first`` on: "entre la BCIE, le SIECA et l'OMD" is three."""
    out: list[Organisation] = []
    end = first
    for s, o in mentioned:
        if s < first:
            continue
        if out and not re.fullmatch(r"\s*(,|et|,\s*et)\s*(l['’]|le |la |les |du |de la |des |d['’])?", text[end:s]):
            break
        out.append(o)
        end = ends[s]
    return out


def _is_subject(text: str, start: int) -> bool:
    words = re.findall(r"[\w']+", norm(text[max(0, start - 12):start]).replace("'", "' "))
    return not words or words[-1] not in _COMPLEMENT_BEFORE


def _unique_orgs(orgs: list[Organisation]) -> list[Organisation]:
    seen, out = set(), []
    for o in orgs:
        if id(o) not in seen:
            seen.add(id(o))
            out.append(o)
    return out


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


def _to_agreement(text: str, a: _Mention) -> Agreement:
    return Agreement(
        type=a.type, label=a.label, parties=a.parties,
        date=a.date.value if a.date else None, date_precision=a.date.precision if a.date else None,
        date_text=a.date_text, status=a.status, evidence=text[a.sentence[0]:a.sentence[1]].strip(),
        start=a.start, end=a.end,
    )
