"""What the one-row-per-agreement view (``agreement_list.csv`` and its sheet) adds to an agreement:
which body the partner is (its canonical name and acronym), who the other parties are, and evidence
in which a reader sees the date.

Functions of a partner as extracted, with no language model: the agreement's own sentence is the one
the extraction gave (``Agreement.evidence``); the sentence holding a date written elsewhere is found
by its punctuation, which is enough to show the date in its context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Agreement, Partner
from ..text import name_key
from .tables import EVIDENCE_GAP

# The end of a sentence: its final punctuation (and closing quotes or brackets), then a space before a
# word that does not start in lower case, or directly a capitalised word: pages copied together lose
# the space ("… radioactives.Un Protocole d'accord …"). Not after a lone capital ("M. Dupont", "U.E.").
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])[.!?…]+[»”\"’')\]]*(?=\s+[^\sa-zà-ÿ]|[A-ZÀ-Þ][a-zà-ÿ]|\s*$)")


@dataclass(frozen=True)
class Identity:
    """Who the partner of a section is, as the agreement list names it."""

    name: str  # the canonical name of the body the heading names, else the heading's name
    acronym: str | None
    keys: frozenset[str]  # the name keys by which an agreement's party may name the partner

    def counterparts(self, parties: tuple[str, ...]) -> list[str]:
        """The parties other than the partner, in their order."""
        return [p for p in parties if name_key(p) not in self.keys]


def identify(partner: Partner) -> Identity:
    """The partner as a body: the organisation of its section that its heading names
    (``Partner.organisation``), which carries the gazetteer's canonical name when the gazetteer knows
    it. A heading that names none of them (a country, a headline, a group of bodies) is the partner as
    written."""
    body = partner.organisation()
    name, acronym = (body.name, body.acronym) if body else (partner.name, partner.acronym)
    keys = {name_key(n) for n in (partner.name, partner.acronym, name, acronym)}
    return Identity(name, acronym, frozenset(keys - {""}))


def dated_evidence(text: str, agreement: Agreement) -> str:
    """The agreement's evidence, extended to the sentence that holds its date when the date was read
    from another sentence (``date_text`` not in the evidence): before or after it, joined by a space
    when the two sentences follow each other, by ``EVIDENCE_GAP`` when text lies between. Only the
    text between the two is read, whatever the length of the section."""
    evidence, date_text = agreement.evidence, agreement.date_text
    if not date_text or date_text in evidence:
        return evidence
    # The evidence is the sentence that holds the instrument's label.
    lo = text.find(evidence, max(0, agreement.start - len(evidence)), agreement.end + len(evidence))
    if lo < 0:
        return evidence
    hi = lo + len(evidence)
    # The date written nearest to it, after or before.
    after, before = text.find(date_text, hi), text.rfind(date_text, 0, lo)
    if after < 0 and before < 0:
        return evidence
    if before < 0 or (after >= 0 and after - hi <= lo - (before + len(date_text))):
        start, end = _sentence(text, after, after + len(date_text))
        start = max(start, hi)
        joint = " " if not text[hi:start].strip() else EVIDENCE_GAP
        return evidence + joint + text[start:end].strip()
    start, end = _sentence(text, before, before + len(date_text))
    end = min(end, lo)
    joint = " " if not text[end:lo].strip() else EVIDENCE_GAP
    return text[start:end].strip() + joint + evidence


def _sentence(text: str, lo: int, hi: int) -> tuple[int, int]:
    """The bounds of the sentence of ``text`` that holds [lo, hi): after the last sentence end before
    it (looked for in a window that grows until one is found), to the first one after it."""
    end = _SENTENCE_END.search(text, hi)
    window = 256
    while True:
        begin = max(0, lo - window)
        ends = [m.end() for m in _SENTENCE_END.finditer(text, begin, hi) if m.end() <= lo]
        if ends or not begin:
            return (ends[-1] if ends else 0), (end.end() if end else len(text))
        window *= 4
