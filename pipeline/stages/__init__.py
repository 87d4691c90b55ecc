"""The stages of the pipeline, in the order they run: reading → sections → organisations → dates →
publication → agreements → themes.

``reading`` and ``sections`` turn the pages named by a run into partners: the files are read (a
folder searched for pages), decoded and split, with the resources and no language model. The
extraction stages share one signature: each is a class built once per configuration from a
``Toolkit`` (the resources and the language tools) and called as ``extract(partner, doc) ->
Partner``, which returns the partner with the one field it ``fills``. Each declares the fields of
earlier stages it ``needs``; ``STAGES`` is the only place that says the order, and ``check_order``
proves at import that every need is met by an earlier stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..models import Partner
from .agreements import Agreements
from .base import Extractor, Toolkit
from .dates import Dates, Published
from .organisations import Organisations
from .themes import Themes

__all__ = ["STAGES", "Agreements", "Dates", "Extractor", "Organisations", "Published", "Themes", "Toolkit", "analyse",
           "build", "check_order"]

if TYPE_CHECKING:
    from spacy.tokens import Doc


STAGES: tuple[type[Extractor], ...] = (Organisations, Dates, Published, Agreements, Themes)


def check_order(stages: Sequence[type[Extractor]]) -> None:
    """Raise if a stage needs a field that no earlier stage fills."""
    filled: set[str] = set()
    for stage in stages:
        missing = [field for field in stage.needs if field not in filled]
        if missing:
            raise RuntimeError(f"stage {stage.__name__} needs {', '.join(missing)}, filled by no earlier stage")
        filled.add(stage.fills)


check_order(STAGES)


def build(kit: Toolkit, stages: Sequence[type[Extractor]] = STAGES) -> tuple[Extractor, ...]:
    """The extractors of ``stages``, in order, each with its indexes built once."""
    check_order(stages)
    return tuple(stage(kit) for stage in stages)


def analyse(partner: Partner, doc: Doc, extractors: Sequence[Extractor]) -> Partner:
    """Every extractor, in order, over one partner."""
    for extractor in extractors:
        partner = extractor.extract(partner, doc)
    return partner
