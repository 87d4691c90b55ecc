"""spaCy's French model, loaded for a configuration: trimmed to what the extractors read, with the
project's components and the gazetteer's rulers added.

Texts are folded before spaCy sees them (typographic apostrophes and quotes to ASCII, one character
for one) so that the model tokenises ``l’OMD`` like ``l'OMD`` while every offset still points into
the text the user reads.
"""

from __future__ import annotations

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


def parse(nlp: Language, texts: Iterable[str], batch_size: int) -> Iterator[Doc]:
    """spaCy Docs of ``texts``, streamed: only one batch is held at a time."""
    yield from nlp.pipe((fold(t) for t in texts), batch_size=batch_size)
