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
# Takes a warning about a section (one line, without "warning: ").
Warn = Callable[[str], None]


def log_warning(message: str) -> None:
    log.warning("%s", message)


def stream(documents: Sequence[Document], config: Config, analyse: Analyse, cache: Cache | None = None,
           progress: Callable[[int], None] | None = None, warn: Warn = log_warning) -> Iterator[Partner | Rejected]:
    """Each section of ``documents`` with its extraction lists filled (or set aside), in page order,
    one at a time. Cached sections are taken from ``cache``; ``analyse`` is called only for the others.
    What a section warns about goes to ``warn`` (by default, the ``pipeline`` logger)."""
    partners = to_partners(documents, config.resources)
    fresh = {i for i, p in enumerate(partners) if cache is None or not cache.has(p)}
    pending = [partners[i] for i in sorted(fresh)]
    analysed = analyse(pending) if pending else iter(())
    try:
        for i, partner in enumerate(partners):
            item = None if i in fresh else cache.get(partner)
            if item is None:
                # A cache entry found unreadable now is analysed on its own, never trusted.
                item = next(analysed) if i in fresh else next(iter(analyse([partner])))
                if cache is not None and isinstance(item, Partner):
                    cache.put(item)
            report(item, warn)
            if progress:
                progress(1)
            yield item
    finally:
        # The analysis ends here (its worker processes with it), not later in a garbage collection,
        # where Python would drop a Ctrl-C or SIGTERM that arrives meanwhile.
        close = getattr(analysed, "close", None)
        if close is not None:
            close()


def report(item: Partner | Rejected, warn: Warn = log_warning) -> None:
    """Warn about a section set aside, and about acronyms that neither the gazetteer nor the text
    explains (so that the gazetteer can be extended)."""
    if isinstance(item, Rejected):
        warn(f"{item.source}: section {item.position} set aside: {item.reason}")
        return
    for org in item.organisations:
        if org.source == "unknown":
            warn(f"{item.source}: section {item.section_index}: acronym {org.acronym} is neither in the gazetteer "
                 "nor defined in the text")
