"""The stages of a run, in order, and the one function that chains them.

Reading and splitting are pure functions of a page's bytes; the extraction stages take a partner and
its spaCy Doc and return the partner with one more list filled. ``STAGES`` is the only place that
says which extractors run and in what order.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import agreements, dates, nlp, organisations, themes
from .errors import InputError
from .models import Document, Partner, RunResult
from .reading import read_page
from .sections import split, to_partners

STAGES = (organisations.extract, dates.extract, agreements.extract, themes.extract)


def read_documents(pages: Iterable[tuple[str, bytes]]) -> tuple[list[Document], list[InputError]]:
    """Documents of the pages that can be read, and the errors of those that cannot."""
    documents, errors = [], []
    for source, data in pages:
        try:
            documents.append(split(read_page(source, data)))
        except InputError as exc:
            errors.append(exc)
    return documents, errors


def extract(partners: tuple[Partner, ...]) -> tuple[Partner, ...]:
    """Every extractor over every partner, with spaCy run once over all texts."""
    out = []
    for partner, doc in zip(partners, nlp.parse(p.text for p in partners), strict=True):
        for stage in STAGES:
            partner = stage(partner, doc)
        out.append(partner)
    return tuple(out)


def run(documents: list[Document]) -> RunResult:
    partners = to_partners(tuple(documents))
    return RunResult(documents=tuple(documents), partners=extract(partners))
