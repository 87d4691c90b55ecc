"""Finds cue phrases from the data files in a spaCy Doc, on lemmas, case- and accent-insensitively.

One mechanism for every vocabulary (agreement words, theme cues, date-role words): a phrase matches
where each of its words equals a token's text, lemma or singular, once folded. Phrases are indexed by
their first word, so a Doc is scanned once whatever the size of the vocabulary.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..text import fold, norm, singular

if TYPE_CHECKING:  # the stages use this module without importing spaCy
    from spacy.tokens import Doc


def token_keys(token) -> frozenset[str]:
    text = norm(token.text)
    return frozenset({text, singular(text), norm(token.lemma_), singular(norm(token.lemma_))})


def tokens(doc) -> list:
    """The Doc's tokens as a list, built once per Doc: indexing a Doc makes a new Token each time."""
    toks = doc.user_data.get("tokens")
    if toks is None:
        toks = doc.user_data["tokens"] = list(doc)
    return toks


def char_span(doc, start: int, end: int):
    """The tokens that cover the characters [start, end), as ``Doc.char_span(…, "expand")`` gives
    them, found by bisection in the token offsets read once per Doc (``Doc.char_span`` costs the
    whole Doc each call)."""
    offsets = doc.user_data.get("token_offsets")
    if offsets is None:
        offsets = doc.user_data["token_offsets"] = [t.idx for t in tokens(doc)]
    first = max(0, bisect_right(offsets, start) - 1)
    toks = tokens(doc)
    if first < len(toks) and start >= toks[first].idx + len(toks[first].text):
        first += 1
    last = bisect_left(offsets, end)
    return doc[first:max(last, first + 1)]


def sentence_starts(doc) -> list[int]:
    """The token index of each sentence's start, read once per Doc from the cached tokens (Token.sent
    checks the whole Doc's annotation again on every call, which made it quadratic)."""
    starts = doc.user_data.get("sentence_starts")
    if starts is None:
        starts = doc.user_data["sentence_starts"] = [t.i for t in tokens(doc) if t.i == 0 or t.is_sent_start]
    return starts


def sentence_of(doc, i: int) -> tuple[int, int]:
    """The token bounds (start, end) of the sentence holding token ``i``."""
    starts = sentence_starts(doc)
    at = bisect_right(starts, i)
    return starts[at - 1], starts[at] if at < len(starts) else len(doc)


def exact_keys(doc) -> list[frozenset[str]]:
    keys = doc.user_data.get("exact_keys")
    if keys is None:
        keys = doc.user_data["exact_keys"] = [frozenset({t.text}) for t in tokens(doc)]
    return keys


def doc_keys(doc) -> list[frozenset[str]]:
    """Keys of every token of ``doc``, computed once per Doc."""
    keys = doc.user_data.get("cue_keys")
    if keys is None:
        keys = doc.user_data["cue_keys"] = [token_keys(t) for t in tokens(doc)]
    return keys


@dataclass(frozen=True)
class Match:
    start: int  # token indices, end exclusive
    end: int
    value: object
    phrase: str


class CueIndex:
    """A vocabulary of phrases, each with a value (a theme code, an agreement type...)."""

    def __init__(self, phrases: Iterable[tuple[str, object]], tokenizer: Callable[[str], Doc],
                 exact: bool = False) -> None:
        self.exact = exact
        self._by_first: dict[str, list[tuple[tuple[frozenset[str], ...], object, str]]] = {}
        for phrase, value in phrases:
            words = [t.text for t in tokenizer(fold(phrase)) if not t.is_space]
            if not words:
                continue
            if exact:
                keys = tuple(frozenset({w}) for w in words)
            else:
                keys = tuple(frozenset({norm(w), singular(norm(w))}) for w in words)
            for first in keys[0]:
                self._by_first.setdefault(first, []).append((keys, value, phrase))

    def find(self, doc, start: int = 0, end: int | None = None) -> list[Match]:
        """Leftmost-longest, non-overlapping matches in ``doc[start:end]``."""
        end = len(doc) if end is None else end
        keys = exact_keys(doc) if self.exact else doc_keys(doc)
        found: list[Match] = []
        i = start
        while i < end:
            best: Match | None = None
            best_skip = False
            seen = set()
            for key in keys[i]:
                for cue_keys, value, phrase in self._by_first.get(key, ()):
                    if id(cue_keys) in seen:
                        continue
                    seen.add(id(cue_keys))
                    for skip in (False, True):
                        stop = _match_at(doc, keys, i, cue_keys, end, skip)
                        if stop is not None:
                            break
                    if stop is not None and (best is None or (skip, i - stop) < (best_skip, best.start - best.end)):
                        best, best_skip = Match(i, stop, value, phrase), skip
            if best is not None:
                found.append(best)
                i = best.end
            else:
                i += 1
        return found


def _match_at(doc, keys, i: int, cue_keys, end: int, skip: bool) -> int | None:
    """End of the match of ``cue_keys`` at token ``i``, or None. With ``skip``, one adverb or adjective
    may stand between two words ("échangent également des données", "échange électronique de
    données"); a match without a skip is preferred to any match with one."""
    j = i
    for n, wanted in enumerate(cue_keys):
        if j < end and keys[j] & wanted:
            j += 1
            continue
        if skip and n > 0 and j + 1 < end and tokens(doc)[j].pos_ in ("ADV", "ADJ") and keys[j + 1] & wanted:
            j += 2
            continue
        return None
    return j
