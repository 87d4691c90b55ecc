"""Tags a section with themes from the controlled vocabulary of ``resources/themes.toml``.

Cues are matched on lemmas (see ``nlp/cues.py``); a cue inside an organisation's name does not count
("Office des Nations Unies contre la drogue et le crime" says who, not what), so this stage needs
the organisations. The cue phrases found are kept, as written, as the theme's evidence.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..models import Partner, Theme
from ..nlp.cues import CueIndex

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from .base import Toolkit


class Themes:
    """The themes stage: fills ``themes``; needs the organisations (their names are no cues)."""

    fills = "themes"
    needs = ("organisations",)

    def __init__(self, kit: Toolkit) -> None:
        self.vocabulary = kit.resources.themes.entries
        self.acronyms = kit.resources.themes.acronym_cues  # matched on their exact spelling only
        pairs = [(cue, theme.code) for theme in self.vocabulary for cue in theme.cues]
        self.index = CueIndex(pairs, kit.tokenizer)
        self.exact_index = CueIndex([(cue, code) for cue, code in pairs if cue in self.acronyms], kit.tokenizer,
                                    exact=True)

    def extract(self, partner: Partner, doc: Doc) -> Partner:
        return replace(partner, themes=self.find(doc, partner.text, partner))

    def find(self, doc: Doc, text: str, partner: Partner) -> tuple[Theme, ...]:
        inside_names = [(m.start, m.end) for org in partner.organisations for m in org.mentions]
        # A proper name is no cue either ("Côte d'Ivoire" is no ivory): a capitalised proper noun inside
        # a sentence written in lower case (in a title every word has a capital). An acronym cue (DPI)
        # stays one whatever its tag.
        places = [(t.idx, t.idx + len(t)) for t in _proper_nouns(doc)]
        evidence: dict[str, list[str]] = {}
        matches = [m for m in self.index.find(doc) if m.phrase not in self.acronyms] + self.exact_index.find(doc)
        for match in sorted(matches, key=lambda m: m.start):
            span = doc[match.start:match.end]
            phrase = text[span.start_char:span.end_char]
            if _overlaps(span, inside_names) or _overlaps(span, places) and not phrase.isupper():
                continue
            found = evidence.setdefault(match.value, [])
            if phrase not in found:
                found.append(phrase)
        return tuple(Theme(code=t.code, label=t.label, evidence=tuple(evidence[t.code]))
                     for t in self.vocabulary if t.code in evidence)


def _proper_nouns(doc: Doc) -> list[Token]:
    out = []
    for sentence in doc.sents:
        inside = sentence[1:]
        # Title case capitalises the common words too (nouns, adjectives, verbs), not only names.
        words = [t for t in inside if t.is_alpha and len(t) > 3 and t.pos_ != "PROPN"]
        if words and sum(t.text[0].isupper() for t in words) * 2 < len(words):
            out += [t for t in inside if t.pos_ == "PROPN" and t.text[:1].isupper()]
    return out


def _overlaps(span: Span, ranges: list[tuple[int, int]]) -> bool:
    return any(span.start_char < e and s < span.end_char for s, e in ranges)
