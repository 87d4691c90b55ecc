"""The analysis of partner sections: spaCy's Docs through every extraction stage, in one process or
several, in order.

This is the one top-level module that loads the language tools (spaCy, dateparser): ``api`` imports
it only when a section is not in the cache, so that a re-run of cached sections never does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from spacy.language import Language

from .cache import Cache
from .config import Config
from .models import Document, Partner, Rejected, RunResult
from .nlp import model
from .nlp.dateparsing import DateNormaliser
from .signals import held, release
from .stages import STAGES, Extractor, Toolkit, analyse, build
from .streaming import stream
from .text import norm


class Analyser:
    """The language tools and extractors of one configuration, each built once, on first use.

    ``stages``: the extraction stages to run, in order (by default every stage of ``STAGES``).
    """

    def __init__(self, config: Config, stages: Sequence[type[Extractor]] = STAGES) -> None:
        self.config = config
        self.stages = tuple(stages)
        self._nlp: Language | None = None
        self._extractors: tuple[Extractor, ...] | None = None

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = model.load(self.config.model, self.config.resources.gazetteer)
        return self._nlp

    @property
    def extractors(self) -> tuple[Extractor, ...]:
        if self._extractors is None:
            nlp = self.nlp
            kit = Toolkit(resources=self.config.resources, tokenizer=nlp.tokenizer,
                          stop_words=frozenset(norm(w) for w in nlp.Defaults.stop_words),
                          normalise_date=DateNormaliser(self.config.resources.dates.languages))
            self._extractors = build(kit, self.stages)
        return self._extractors

    def parse(self, texts):
        """spaCy Docs of ``texts``, streamed."""
        return model.parse(self.nlp, texts, self.config.batch_size)

    def analyse(self, partners: Sequence[Partner]) -> list[Partner | Rejected]:
        """Each partner with every extraction list filled, or set aside with the reason its extraction
        failed: one section's failure never costs the others."""
        extractors = self.extractors
        out: list[Partner | Rejected] = []
        for partner, doc in zip(partners, self.parse(p.text for p in partners), strict=True):
            try:
                out.append(analyse(partner, doc, extractors))
            except Exception as exc:  # noqa: BLE001 - one section's failure must not cost the others
                reason = f"extraction failed: {type(exc).__name__}: {exc}"
                out.append(Rejected(partner.source, partner.section_index, partner.text, reason))
            finally:
                # The per-Doc caches hold Tokens, which hold their Doc: dropping them now frees the Doc
                # at once instead of at a rare full garbage collection (memory stays flat on large runs).
                doc.user_data.clear()
        return out

    def analyse_all(self, pending: Sequence[Partner], workers: int = 1) -> Iterator[Partner | Rejected]:
        """The results of ``pending``, in order, as they are ready: spaCy streams its batches and no
        more than a batch of Docs is alive at a time. With ``workers`` > 1 the batches go to that many
        processes, which share this process's model and extractors (forked, not loaded again)."""
        pending = list(pending)
        if not pending:
            return
        size = self.config.batch_size
        batch_size = max(1, min(size * 4, -(-len(pending) // max(1, workers))))
        if workers > 1 and len(pending) > batch_size:
            self.extractors  # noqa: B018 - built before the fork: the workers share them
            # With "fork", the initializer's arguments are inherited, not pickled.
            pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"), initializer=_adopt,
                                       initargs=(self,))
            try:
                with held():  # the workers are forked as the batches are submitted
                    results = pool.map(_analyse_in_worker, _batches(pending, batch_size))
                for batch in results:
                    yield from batch
            finally:
                # Stopped early (an error, an interrupt): the batches not started are dropped, and only
                # those under way are waited for.
                pool.shutdown(wait=True, cancel_futures=True)
        else:
            # Batches grow from one section: the outputs' writers get the first result as soon as the
            # model is loaded, instead of after a whole batch.
            start, step = 0, 1
            while start < len(pending):
                yield from self.analyse(pending[start:start + step])
                start, step = start + step, min(step * 2, size)


# The analyser a worker process inherited from the run that forked it (set in the worker only).
_worker_analyser: Analyser | None = None


def _adopt(analyser: Analyser) -> None:
    global _worker_analyser
    release()
    _worker_analyser = analyser


def _analyse_in_worker(partners: list[Partner]) -> list[Partner | Rejected]:
    return _worker_analyser.analyse(partners)


def _batches(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def run(documents: Sequence[Document], analyser: Analyser, workers: int = 1, cache: Cache | None = None,
        progress: Callable[[int], None] | None = None) -> RunResult:
    """A whole run in memory (a large run streams instead: ``run.stream`` into ``outputs.background.write_run``)."""
    results = list(stream(documents, analyser.config, lambda pending: analyser.analyse_all(pending, workers),
                          cache=cache, progress=progress))
    kept = tuple(p for p in results if isinstance(p, Partner))
    failed = [r for r in results if isinstance(r, Rejected)]
    return RunResult(documents=tuple(documents), partners=kept, failed=tuple(failed))
