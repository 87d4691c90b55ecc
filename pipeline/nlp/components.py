"""The project's spaCy components, registered with spaCy when this module is imported.

``omd_cached_lemmatizer`` answers for the model's rule lemmatizer from a cache; ``omd_paragraphs``
starts sentences where these pages do. ``nlp.model.load`` adds them to the French pipeline by name,
as a spaCy config would.
"""

from __future__ import annotations

from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc


class CachedLemmatizer:
    """The model's own lemmatizer, asked once per (word, part of speech): the rule lemmatizer spends
    most of its time in per-token Python calls, and the same lemmas come thirty times faster."""

    def __init__(self, lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        self.strings = lemmatizer.vocab.strings
        self.cache: dict[tuple[int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
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


@Language.factory("omd_cached_lemmatizer", default_config={"source": "lemmatizer"})
def make_cached_lemmatizer(nlp: Language, name: str, source: str) -> CachedLemmatizer:
    """A cached front of the pipeline's component ``source`` (the model's rule lemmatizer)."""
    return CachedLemmatizer(nlp.get_pipe(source))


@Language.component("omd_paragraphs")
def paragraph_starts(doc: Doc) -> Doc:
    """A sentence never runs across a line break; a full stop before a capital ends one, and so does
    a semicolon (what follows it is a clause of its own, with its own instruments and dates).

    The starts are written in one array: setting ``Token.is_sent_start`` checks the whole Doc's
    annotation each time, which made a page of thousands of sentences cost their number squared."""
    starts = doc.to_array(SENT_START)  # one value per token: 1 starts a sentence
    changed = False
    prev = None
    for token in doc:
        if prev is not None and starts[token.i] != 1 and (
                "\n" in prev.text or "\n" in prev.whitespace_ or prev.text == ";"
                or prev.text in (".", "!", "?") and token.text[:1].isupper()):
            starts[token.i] = 1
            changed = True
        prev = token
    if changed:
        doc.from_array([SENT_START], starts.reshape(-1, 1))
    return doc
