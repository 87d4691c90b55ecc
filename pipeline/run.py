"""A run's sections in page order, one at a time: each taken from the cache or handed to the
analysis, with what it warns about said as it goes.

The analysis itself is a function given by the caller (``analysis.Analyser.analyse_all``): this
module never loads the language tools, so that a run whose sections are all cached never does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence

from .cache import Cache
from .config import Config
from .models import Document, Partner, Rejected
from .stages.sections import to_partners

log = logging.getLogger("pipeline")

# Analyses partners: their results, in order, as they are ready.
Analyse = Callable[[Sequence[Partner]], Iterator[Partner | Rejected]]


def stream(documents: Sequence[Document], config: Config, analyse: Analyse, cache: Cache | None = None,
           progress: Callable[[int], None] | None = None) -> Iterator[Partner | Rejected]:
    """Each section of ``documents`` with its extraction lists filled (or set aside), in page order,
    one at a time. Cached sections are taken from ``cache``; ``analyse`` is called only for the others."""
    partners = to_partners(documents, config.resources)
    fresh = {i for i, p in enumerate(partners) if cache is None or not cache.has(p)}
    pending = [partners[i] for i in sorted(fresh)]
    analysed = analyse(pending) if pending else iter(())
    for i, partner in enumerate(partners):
        item = None if i in fresh else cache.get(partner)
        if item is None:
            # A cache entry found unreadable now is analysed on its own, never trusted.
            item = next(analysed) if i in fresh else next(iter(analyse([partner])))
            if cache is not None and isinstance(item, Partner):
                cache.put(item)
        report(item)
        if progress:
            progress(1)
        yield item


def report(item: Partner | Rejected) -> None:
    """Warn about a section set aside, and about acronyms that neither the gazetteer nor the text
    explains (so that the gazetteer can be extended)."""
    if isinstance(item, Rejected):
        log.warning("%s: section %d set aside: %s", item.source, item.position, item.reason)
        return
    for org in item.organisations:
        if org.source == "unknown":
            log.warning("%s: section %d: acronym %s is neither in the gazetteer nor defined in the text",
                        item.source, item.section_index, org.acronym)
