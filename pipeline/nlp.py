"""spaCy, loaded once per process: the French model trimmed to what the extractors use.

Texts are folded before spaCy sees them (typographic apostrophes and quotes to ASCII, one character
for one) so that the model tokenises ``l’OMD`` like ``l'OMD`` while every offset still points into
the text the user reads.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache

from .errors import ModelError

MODEL = "fr_core_news_sm"
# The parser is the model's slowest part; sentences come from the lighter senter instead.
EXCLUDED = ("parser",)
BATCH_SIZE = 64

_FOLD = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "´": "'", "`": "'", "′": "'",
                       "“": '"', "”": '"', "«": '"', "»": '"', "„": '"', "″": '"',
                       "–": "-", "—": "-", "‐": "-", "‑": "-"})


def fold(text: str) -> str:
    """Same length as ``text``: typographic apostrophes, quotes and dashes as ASCII."""
    return text.translate(_FOLD)


def norm(text: str) -> str:
    """Case- and accent-insensitive form used for matching names and cues."""
    decomposed = unicodedata.normalize("NFKD", fold(text).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("œ", "oe")


def model_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(MODEL.replace("_", "-"))
    except PackageNotFoundError:
        return "not installed"


@cache
def load():
    """The trimmed French pipeline with the project's components added."""
    import spacy
    from spacy.language import Language
    from spacy.util import compile_suffix_regex

    from . import organisations

    if not Language.has_factory("omd_norm"):
        Language.component("omd_norm", func=_set_norms)

    try:
        nlp = spacy.load(MODEL, exclude=list(EXCLUDED))
    except OSError as exc:
        raise ModelError(MODEL, "the spaCy French model is not installed", "run `make run` to set up") from exc
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    # "ONUDC- OMD": a hyphen closing an acronym is punctuation, not part of the acronym.
    nlp.tokenizer.suffix_search = compile_suffix_regex(
        [*nlp.Defaults.suffixes, r"(?<=[A-Z0-9])[-/]"]).search
    if not Language.has_factory("omd_paragraphs"):
        Language.component("omd_paragraphs", func=_paragraph_starts)
    nlp.add_pipe("omd_paragraphs", after="senter")
    nlp.add_pipe("omd_norm", first=True)
    # The gazetteer sits right after the norms: its phrase patterns then need only the tokenizer.
    ruler = nlp.add_pipe("span_ruler", name="omd_gazetteer", after="omd_norm", config={
        "spans_key": organisations.SPANS_KEY, "phrase_matcher_attr": "NORM", "validate": False})
    ruler.add_patterns(organisations.gazetteer_patterns())
    return nlp


def _set_norms(doc):
    for token in doc:
        token.norm_ = norm(token.text)
    return doc


def _paragraph_starts(doc):
    """A sentence never runs across a line break, and a full stop before a capital ends one."""
    for token in doc[1:]:
        prev = doc[token.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_ or prev.text in (".", "!", "?") and token.text[:1].isupper():
            token.is_sent_start = True
    return doc


def parse(texts: Iterable[str]) -> Iterator:
    """spaCy Docs of ``texts``, streamed: only one batch is held at a time."""
    yield from load().pipe((fold(t) for t in texts), batch_size=BATCH_SIZE)
