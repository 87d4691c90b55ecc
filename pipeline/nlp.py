"""spaCy, loaded once per process: the French model trimmed to what the extractors use.

Texts are folded before spaCy sees them (typographic apostrophes and quotes to ASCII, one character
for one) so that the model tokenises ``l’OMD`` like ``l'OMD`` while every offset still points into
the text the user reads.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache

from .errors import ModelError

MODEL = "fr_core_news_sm"
# Only what the extractors read is run: tokens, parts of speech, morphology and lemmas. Sentences
# come from spaCy's rule-based sentencizer (these pages are well punctuated) and a paragraph rule,
# not from the parser or the senter. The entity recogniser, nearly half of the model's time, is
# left out: the gazetteer, acronym definitions, head nouns and parts of speech find the bodies (its
# ORG and LOC tags changed no result on any gold page).
EXCLUDED = ("parser", "senter", "ner")
BATCH_SIZE = 64

_FOLD = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "´": "'", "`": "'", "′": "'",
                       "“": '"', "”": '"', "«": '"', "»": '"', "„": '"', "″": '"',
                       "–": "-", "—": "-", "‐": "-", "‑": "-"})


def fold(text: str) -> str:
    """Same length as ``text``: typographic apostrophes, quotes and dashes as ASCII."""
    return text.translate(_FOLD)


@lru_cache(maxsize=200_000)
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

    try:
        nlp = spacy.load(MODEL, exclude=list(EXCLUDED))
    except OSError as exc:
        raise ModelError(MODEL, "the spaCy French model is not installed", "run `make run` to set up") from exc
    nlp.add_pipe("sentencizer", after="morphologizer")
    # The model's rule lemmatizer spends most of its time in per-token Python calls; the same lemmas
    # come from a cache keyed on (word, part of speech), thirty times faster.
    if not Language.has_factory("omd_cached_lemmatizer"):
        Language.factory("omd_cached_lemmatizer", func=lambda nlp, name: _CachedLemmatizer(nlp.get_pipe("lemmatizer")))
    nlp.add_pipe("omd_cached_lemmatizer", after="lemmatizer")
    nlp.disable_pipe("lemmatizer")
    # "ONUDC- OMD": a hyphen closing an acronym is punctuation, not part of the acronym.
    nlp.tokenizer.suffix_search = compile_suffix_regex(
        [*nlp.Defaults.suffixes, r"(?<=[A-Z0-9])[-/]"]).search
    if not Language.has_factory("omd_paragraphs"):
        Language.component("omd_paragraphs", func=_paragraph_starts)
    nlp.add_pipe("omd_paragraphs", after="sentencizer")
    # The gazetteer comes first: its phrase patterns need only the tokenizer. Names match in any
    # case (with or without accents), acronyms on their exact spelling: two rulers, one spans key.
    # (Token norms are left alone: the model's tok2vec reads them.)
    names, acronyms = organisations.gazetteer_patterns()
    for name, attr, patterns in (("omd_gazetteer_acronyms", "ORTH", acronyms), ("omd_gazetteer", "LOWER", names)):
        ruler = nlp.add_pipe("span_ruler", name=name, first=True, config={
            "spans_key": organisations.SPANS_KEY, "phrase_matcher_attr": attr, "validate": False,
            "overwrite": False})
        ruler.add_patterns(patterns)
    return nlp


class _CachedLemmatizer:
    """The model's own lemmatizer, asked once per (word, part of speech)."""

    def __init__(self, lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        self.strings = lemmatizer.vocab.strings
        self.cache: dict[tuple[int, int], int] = {}

    def __call__(self, doc):
        overwrite = self.lemmatizer.overwrite
        for token in doc:
            if token.lemma and not overwrite:
                continue
            key = (token.orth, token.pos)
            lemma = self.cache.get(key)
            if lemma is None:
                lemma = self.cache[key] = self.strings.add(self.lemmatizer.lemmatize(token)[0])
            token.lemma = lemma
        return doc


def _paragraph_starts(doc):
    """A sentence never runs across a line break; a full stop before a capital ends one, and so does
    a semicolon (what follows it is a clause of its own, with its own instruments and dates)."""
    for token in doc[1:]:
        prev = doc[token.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_ or prev.text == ";" \
                or prev.text in (".", "!", "?") and token.text[:1].isupper():
            token.is_sent_start = True
    return doc


def parse(texts: Iterable[str]) -> Iterator:
    """spaCy Docs of ``texts``, streamed: only one batch is held at a time."""
    yield from load().pipe((fold(t) for t in texts), batch_size=BATCH_SIZE)
