"""spaCy's French model, loaded for a configuration: trimmed to what the extractors read, with the
project's components and the gazetteer's rulers added.

Texts are folded before spaCy sees them (typographic apostrophes and quotes to ASCII, one character
for one) so that the model tokenises ``l’OMD`` like ``l'OMD`` while every offset still points into
the text the user reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_suffix_regex

from ..errors import ModelError
from ..resources import Gazetteer
from ..text import fold, unaccented
from . import EXCLUDED, GAZETTEER_SPANS, components  # noqa: F401 - components registers itself with spaCy


def load(model: str, gazetteer: Gazetteer) -> Language:
    """The trimmed French pipeline ``model`` with the project's components and ``gazetteer``'s rulers."""
    try:
        nlp = spacy.load(model, exclude=list(EXCLUDED))
    except OSError as exc:
        raise ModelError(model, "the spaCy French model is not installed", "run `make run` to set up") from exc
    nlp.add_pipe("sentencizer", after="morphologizer")
    nlp.add_pipe("omd_cached_lemmatizer", after="lemmatizer", config={"source": "lemmatizer"})
    nlp.disable_pipe("lemmatizer")
    # "ONUDC- OMD": a hyphen closing an acronym is punctuation, not part of the acronym.
    nlp.tokenizer.suffix_search = compile_suffix_regex([*nlp.Defaults.suffixes, r"(?<=[A-Z0-9])[-/]"]).search
    nlp.add_pipe("omd_paragraphs", after="sentencizer")
    # The gazetteer comes first: its phrase patterns need only the tokenizer. Names match in any
    # case (with or without accents), acronyms on their exact spelling: two rulers, one spans key.
    # (Token norms are left alone: the model's tok2vec reads them.)
    names, acronyms = gazetteer_patterns(gazetteer)
    for name, attr, patterns in (("omd_gazetteer_acronyms", "ORTH", acronyms), ("omd_gazetteer", "LOWER", names)):
        ruler = nlp.add_pipe("span_ruler", name=name, first=True, config={
            "spans_key": GAZETTEER_SPANS, "phrase_matcher_attr": attr, "validate": False, "overwrite": False})
        ruler.add_patterns(patterns)
    return nlp


def gazetteer_patterns(gazetteer: Gazetteer) -> tuple[list[dict], list[dict]]:
    """SpanRuler phrase patterns: names and aliases (matched on lower case, with and without accents),
    and acronyms (matched on their exact spelling). A pattern's id is its entry's position."""
    names, acronyms = [], []
    for i, entry in enumerate(gazetteer.entries):
        ident = str(i)
        for name in entry.all_names():
            for variant in dict.fromkeys([fold(name), unaccented(fold(name))]):
                names.append({"label": "ORG", "id": ident, "pattern": variant})
        for acronym in entry.all_acronyms():
            acronyms.append({"label": "ACR", "id": ident, "pattern": acronym})
    return names, acronyms


# The longest text spaCy is given at once. A longer section (spaCy refuses a text over ``max_length``,
# a million characters, and its memory grows with the text) is parsed in pieces cut at line ends,
# joined back into one Doc with the same text: its analysis is that of its pieces.
MAX_PIECE = 100_000
# A run of punctuation this long ("!!!!…", "&&&&…", a rule of dashes) is given to spaCy as its first
# character and spaces: spaCy's tokenizer costs the square of such a run (30,000 "!" took 84 s), and
# no name, date or cue is made of one. The text keeps its length, so every offset holds.
_PUNCTUATION_RUN = re.compile(r"[^\w\s]{20,}")


def _calm(text: str) -> str:
    return _PUNCTUATION_RUN.sub(lambda m: m.group(0)[0] + " " * (len(m.group(0)) - 1), text)


def parse(nlp: Language, texts: Iterable[str], batch_size: int) -> Iterator[Doc]:
    """spaCy Docs of ``texts``, streamed: only one batch is held at a time."""
    counts: list[int] = []

    def pieces() -> Iterator[str]:
        for text in texts:
            parts = _pieces(_calm(fold(text)), MAX_PIECE)
            counts.append(len(parts))
            yield from parts

    docs = iter(nlp.pipe(pieces(), batch_size=batch_size))
    for i, doc in enumerate(docs):
        n = counts[i]  # (the pieces of this text were all produced before its first Doc came back)
        yield doc if n == 1 else Doc.from_docs([doc, *(next(docs) for _ in range(n - 1))], ensure_whitespace=False)


def _pieces(text: str, size: int) -> list[str]:
    """``text`` cut into pieces of at most ``size`` characters, at a line end where there is one (else
    at a space), whose concatenation is ``text``."""
    out = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size) + 1 or text.rfind(" ", 0, size) + 1 or size
        out.append(text[:cut])
        text = text[cut:]
    out.append(text)
    return out
