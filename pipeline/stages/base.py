"""What every extraction stage shares: the ``Toolkit`` it is built from and the ``Extractor`` shape."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

from ..models import DatePrecision, Partner
from ..resources import Resources

if TYPE_CHECKING:
    from spacy.tokens import Doc


@dataclass(frozen=True)
class Toolkit:
    """What the extractors are built from: the configuration's resources and language tools."""

    resources: Resources
    tokenizer: Callable[[str], Doc]  # the model's tokenizer, to read cue phrases as the texts are read
    stop_words: frozenset[str]  # the model's stop words, folded
    normalise_date: Callable[[str], tuple[str, DatePrecision] | None]  # see nlp.dateparsing


class Extractor(Protocol):
    """An extraction stage: built from a Toolkit, it fills one field of a partner from its Doc."""

    fills: ClassVar[str]
    needs: ClassVar[tuple[str, ...]]

    def __init__(self, kit: Toolkit) -> None: ...

    def extract(self, partner: Partner, doc: Doc) -> Partner: ...
