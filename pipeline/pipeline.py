"""The stages of a run, in order, and the one function that chains them.

Reading and splitting are pure functions of a page's bytes; the extraction stages take a partner and
its spaCy Doc and return the partner with one more list filled. ``STAGES`` is the only place that
says which extractors run and in what order. A section whose extraction fails is set aside with its
reason; the others go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from . import agreements, dates, nlp, organisations, themes
from .errors import InputError
from .models import Document, Partner, Rejected, RunResult
from .reading import read_page
from .sections import heading_like, split, to_partners

STAGES = (organisations.extract, dates.extract, agreements.extract, themes.extract)
log = logging.getLogger("pipeline")


def read_documents(pages: Iterable[tuple[str, bytes]]) -> tuple[list[Document], list[InputError]]:
    """Documents of the pages that can be read, and the errors of those that cannot."""
    documents, errors = [], []
    for source, data in pages:
        try:
            page = read_page(source, data)
            if page.repaired:
                log.warning("%s: repaired mis-decoded characters (mojibake)", source)
            documents.append(split(page))
        except InputError as exc:
            errors.append(exc)
    return documents, errors


def analyse(partner: Partner, doc) -> Partner:
    """Every stage, in order, over one partner."""
    for stage in STAGES:
        partner = stage(partner, doc)
    return partner


def _analyse_batch(partners: list[Partner]) -> list[Partner | Rejected]:
    out: list[Partner | Rejected] = []
    for partner, doc in zip(partners, nlp.parse(p.text for p in partners), strict=True):
        try:
            out.append(analyse(partner, doc))
        except Exception as exc:  # noqa: BLE001 - one section's failure must not cost the others
            reason = f"extraction failed: {type(exc).__name__}: {exc}"
            out.append(Rejected(partner.source, partner.section_index, partner.text, reason))
        finally:
            # The per-Doc caches hold Tokens, which hold their Doc: dropping them now frees the Doc
            # at once instead of at a rare full garbage collection (memory stays flat on large runs).
            doc.user_data.clear()
    return out


def _batches(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _analysed(pending: list[Partner], workers: int) -> Iterator[Partner | Rejected]:
    """The results of ``pending``, in order, as they are ready: spaCy streams its batches and no
    more than a batch of Docs is alive at a time."""
    if not pending:
        return
    batch_size = max(1, min(nlp.BATCH_SIZE * 4, -(-len(pending) // max(1, workers))))
    if workers > 1 and len(pending) > batch_size:
        nlp.load()  # loaded before the fork: the workers share it instead of loading it again
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            for batch in pool.map(_analyse_batch, _batches(pending, batch_size)):
                yield from batch
    else:
        # Batches grow from one section: the outputs' writers get the first result as soon as the
        # model is loaded, instead of after a whole batch.
        start, size = 0, 1
        while start < len(pending):
            yield from _analyse_batch(pending[start:start + size])
            start, size = start + size, min(size * 2, nlp.BATCH_SIZE)


def stream(documents: list[Document], workers: int = 1, cache=None,
           progress: Callable[[int], None] | None = None) -> Iterator[Partner | Rejected]:
    """Each section of ``documents`` with its extraction lists filled (or set aside), in page order,
    one at a time.

    Cached sections are taken from ``cache`` without loading spaCy; the others are analysed in
    ``workers`` processes, which share the model loaded once by this one.
    """
    partners = to_partners(tuple(documents))
    fresh = {i for i, p in enumerate(partners) if cache is None or not cache.has(p)}
    analysed = _analysed([partners[i] for i in sorted(fresh)], workers)
    for i, partner in enumerate(partners):
        item = None if i in fresh else cache.get(partner)
        if item is None:
            # A cache entry found unreadable now is analysed on its own, never trusted.
            item = next(analysed) if i in fresh else _analyse_batch([partner])[0]
            if cache is not None and isinstance(item, Partner):
                cache.put(item)
        _report(item)
        if progress:
            progress(1)
        yield item


def _report(item: Partner | Rejected) -> None:
    if isinstance(item, Rejected):
        log.warning("%s: section %d set aside: %s", item.source, item.position, item.reason)
        return
    for org in item.organisations:
        if org.source == "unknown":
            log.warning("%s: section %d: acronym %s is neither in the gazetteer nor defined in the text",
                        item.source, item.section_index, org.acronym)


def set_aside(documents: list[Document]) -> list[Rejected]:
    """The lines of each page that are not in any partner section, with why."""
    out = []
    for doc in documents:
        for i, line in enumerate(doc.ignored, 1):
            reason = ("heading with no paragraph of its own (page furniture or group heading)"
                      if heading_like(line) else "text outside any partner section")
            out.append(Rejected(doc.source, i, line, reason))
    return out


def run(documents: list[Document], workers: int = 1, cache=None,
        progress: Callable[[int], None] | None = None) -> RunResult:
    """A whole run in memory (a large run streams instead: ``stream`` into ``export.write_run``)."""
    results = list(stream(documents, workers=workers, cache=cache, progress=progress))
    kept = tuple(p for p in results if isinstance(p, Partner))
    failed = [r for r in results if isinstance(r, Rejected)]
    return RunResult(documents=tuple(documents), partners=kept, rejected=tuple(failed + set_aside(documents)))
