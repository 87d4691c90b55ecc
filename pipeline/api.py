"""The Python API: each command of the CLI as a function, doing the same work without printing.

    from pipeline import api

    summary = api.run(["corpus"], out="outputs")              # python -m pipeline run corpus --out outputs
    scores = api.evaluate("corpus/gold/omd_partenaires_fr.gold.json", "outputs")   # ... evaluate
    changes = api.diff("outputs_old", "outputs")               # ... diff outputs_old outputs
    tables = api.load("outputs")                                # the CSV views as typed pandas DataFrames
    drafted = api.draft_gold("page.html", "gold/page.gold.json")  # ... gold draft page.html --out …
    api.run(["corpus"], out="outputs", previous="outputs_old")  # ... run corpus --previous outputs_old
    api.history(["captures"], out="history")                   # ... history captures --out history

``run`` serves one run; a ``Pipeline`` serves many, with the model loaded once (on the first section
that is not in the cache), and splits a run into ``read`` then ``write`` for callers that want the
number of sections before the work starts (the CLI's progress bar). A configuration
(``Config.load(resources_folder)``) may be passed to any of them; two configurations can run in one
process. Problems raise the project's errors (``pipeline.errors``), each with the file it is about
and what to do; warnings go to the ``pipeline`` logger.

This module and the CLI are the only ones that import others inside functions: the analysis
(spaCy, dateparser) and the writers load only when a run needs them, so that ``--help`` and an
identical re-run stay fast.
"""

from __future__ import annotations

import contextlib
import json
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import Cache, run_key
from .config import CACHE_DIR, CAPTURES_DIR, Config
from .errors import InputError, Interrupted
from .models import Changes, Document, Partner, RawPage
from .outputs.folder import CHANGES_FILE, FORMATS, HISTORY_FILE, OUTPUT_FILES, copy_outputs, locked, write_file
from .sources import capture_time, is_url, latest_captures
from .stages.reading import (
    PDF_SUFFIXES,
    WARC_SUFFIXES,
    collect_inputs,
    file_kind,
    read_bytes,
    source_name,
    source_names,
)
from .stages.sections import read_documents
from .streaming import log_warning, stream
from .text import sha256
from .tools import files

if TYPE_CHECKING:
    from .analysis import Analyser
    from .tools.diff import Tracker
    from .tools.evaluate import Evaluation
    from .tools.load import Tables

__all__ = ["FORMATS", "Config", "GoldDraft", "HistorySummary", "Inputs", "Pipeline", "RunSummary", "Versions",
           "check_formats", "check_previous", "diff", "draft_gold", "evaluate", "history", "load", "load_gold",
           "load_json", "run", "save_changes", "save_evaluation"]

log = logging.getLogger("pipeline")


@dataclass
class Inputs:
    """The pages a run will analyse, read and split, and the inputs that could not be read."""

    documents: list[Document]
    errors: list[InputError]

    @property
    def sections(self) -> int:
        return sum(len(d.sections) for d in self.documents)

    @property
    def set_aside(self) -> int:
        """The number of lines of the pages that are in no partner section (each ``Document.set_aside()``)."""
        return sum(len(d.ignored) for d in self.documents)


@dataclass
class RunSummary:
    """What a run did: sections read = kept + set aside, the inputs it could not read, the cache's use."""

    out: Path
    documents: int
    sections: int
    kept: int
    failed: int  # sections whose extraction failed (in rejected.csv)
    set_aside: int  # other lines set aside (in rejected.csv)
    errors: list[InputError] = field(default_factory=list)
    reused: bool = False  # the outputs are those of an identical earlier run, copied
    cache_hits: int | None = None  # None: the run used no cache
    cache_misses: int | None = None
    warnings: list[str] = field(default_factory=list)
    changes: dict | None = None  # since the previous run given (as ``diff`` gives them), else None

    @property
    def exit_code(self) -> int:
        """0 when every input and section made it into the outputs, else 1 (the README's exit codes)."""
        return 1 if self.errors or self.failed else 0


def check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """The formats asked for, in the order given; InputError (exit 2) for none or an unknown one."""
    chosen = tuple(dict.fromkeys(f.strip() for f in formats if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise InputError(None, f"unknown format(s) {', '.join(unknown) or '(none)'}",
                         f"choose among {', '.join(FORMATS)}")
    return chosen


class Pipeline:
    """The pipeline of one configuration, for one run or many: the model and the extractors are built
    once, on the first section that is not in the cache, and serve every run after it."""

    def __init__(self, config: Config | None = None, captures: Path | str = CAPTURES_DIR,
                 offline: bool = False, contact: str | None = None) -> None:
        self.config = config or Config.load()
        self.contact = contact  # whom the sites fetched can reach: in the User-Agent (``--contact``)
        self.captures = Path(captures)  # where pages fetched by URL are kept, as WARC files
        self.offline = offline  # pages given by URL are read from their last capture, never fetched
        self._analyser: Analyser | None = None

    @property
    def analyser(self) -> Analyser:
        if self._analyser is None:
            from .analysis import Analyser  # the language tools load only when a section needs them

            self._analyser = Analyser(self.config)
        return self._analyser

    def read(self, inputs: Iterable[Path | str], names: Mapping[Path | str, str] | None = None) -> Inputs:
        """Read the pages named by ``inputs`` (files, folders searched for pages, URLs) and split them.

        Each page's ``source`` in the outputs is its file name (with its folders only where two pages
        share a name), or the name ``names`` gives its file; where it was read from is its ``path``. A
        page given by its URL is fetched (or read from its last capture, ``offline``) and kept in the
        captures folder; its ``source`` is the URL, its ``path`` the URL it came from (after
        redirects) and ``captured`` when it was fetched.
        """
        inputs = [str(p) if isinstance(p, str) and is_url(p) else Path(p) for p in inputs]
        urls = [p for p in inputs if isinstance(p, str)]
        files, errors, skipped = collect_inputs(tuple(p for p in inputs if isinstance(p, Path)))
        for folder in skipped:
            log.debug("skipped %s (a hidden folder, gold files or this tool's outputs)", folder)
        unknown = sorted(str(p) for p in (names or {}) if Path(p).resolve() not in {f.resolve() for f in files})
        captures = sorted(str(p) for p in (names or {}) if str(p).lower().endswith(WARC_SUFFIXES))
        problems = [f"{p}: not among the pages read" for p in unknown]
        problems += [f"{p}: a WARC file's pages are named by their URLs" for p in captures if p not in unknown]
        if problems:  # every one at once
            raise InputError("--source-name", "; ".join(problems), "give FILE=NAME for a page file or a PDF of the run")
        sources = source_names(files, {Path(k): v for k, v in (names or {}).items()})
        pages: list[RawPage] = []
        for path in files:
            try:
                found = self._pages_of_file(path, sources[path], errors)
                pages += found
                log.debug("read %s as %s", path, sources[path] if not path.name.lower().endswith(WARC_SUFFIXES)
                          else f"{len(found)} HTML capture(s) of {len({p.source for p in found})} URL(s)")
            except InputError as exc:
                errors.append(exc)
        if urls:
            from .sources import web

            options = web.FetchOptions(offline=self.offline, user_agent=web.user_agent(self.contact))
            fetched, fetch_errors = web.fetch_pages(urls, self.captures, options)
            pages += fetched
            errors += fetch_errors
        # Several captures of one URL are versions of one page: a run reads the latest.
        documents, read_errors = read_documents(latest_captures(pages), self.config.resources)
        return Inputs(documents, errors + read_errors)

    @staticmethod
    def _pages_of_file(path: Path, source: str, errors: list[InputError]) -> list[RawPage]:
        """A page file's page; a WARC file's captured pages (all: ``read`` keeps the latest of each URL,
        whatever the file); a PDF's text."""
        name = path.name.lower()
        if name.endswith(WARC_SUFFIXES):
            from .sources import warc

            pages, warc_errors = warc.all_captures(path)
            errors += warc_errors
            return pages
        if name.endswith(PDF_SUFFIXES):
            from .sources import pdf

            return [pdf.pdf_page(source, path)]
        return [RawPage(source, read_bytes(path), source_name(path), kind=file_kind(path.name))]

    def write(self, inputs: Inputs, out: Path | str, formats: Sequence[str] = FORMATS, workers: int = 1,
              cache_dir: Path | str | None = CACHE_DIR, progress: Callable[[int], None] | None = None,
              previous: Path | str | None = None) -> RunSummary:
        """Analyse ``inputs`` and replace the folder ``out`` by their outputs, all at once.

        With a ``cache_dir`` (None: no cache), cached sections are not analysed again, and a run
        identical to a recent one copies its outputs and says again what it warned about. With
        ``previous`` (a run's outputs folder or partners.json; it may be ``out`` itself), what changed
        since that run is written too: ``changes_since_previous.json``, a changes sheet in the workbook, a changes
        section in the report. Raises InputError for a ``previous`` that is not a run's partners.json
        (before anything is analysed), OutputError, ModelError or SchemaError; the previous outputs are
        then left as they were.
        """
        formats = check_formats(formats)
        out = Path(out)
        with locked(out):
            before = _Previous.load(previous) if previous is not None else None  # read before out is replaced
            return self._write(inputs, out, formats, workers, cache_dir, progress, before)

    def _write(self, inputs: Inputs, out: Path, formats: Sequence[str], workers: int, cache_dir: Path | str | None,
               progress: Callable[[int], None] | None, previous: _Previous | None = None) -> RunSummary:
        documents = inputs.documents
        summary = RunSummary(out, len(documents), inputs.sections, 0, 0, inputs.set_aside, list(inputs.errors))
        cache = Cache(cache_dir, self.config) if cache_dir is not None else None
        key = run_key(documents, formats, self.config, previous=previous.key if previous else None) \
            if cache is not None else None
        saved = cache.saved_run(key) if cache is not None else None
        if saved is not None:
            _reuse(saved, out, summary)
            cache.hits = summary.sections
            if previous is not None:
                summary.changes = _saved_changes(out)
        else:
            self._analyse_and_write(inputs, out, formats, workers, cache, progress, summary, previous)
            if cache is not None:
                try:
                    cache.save_run(key, out, {"kept": summary.kept, "failed": summary.failed,
                                              "warnings": summary.warnings}, OUTPUT_FILES)
                except KeyboardInterrupt:
                    raise Interrupted() from None  # the outputs are written; only the cache lacks them
        if cache is not None:
            summary.cache_hits, summary.cache_misses = cache.hits, cache.misses
        return summary

    def run(self, inputs: Iterable[Path | str] = ("corpus",), out: Path | str = "outputs",
            formats: Sequence[str] = FORMATS, workers: int = 1, cache_dir: Path | str | None = CACHE_DIR,
            progress: Callable[[int], None] | None = None,
            source_names: Mapping[Path | str, str] | None = None, previous: Path | str | None = None) -> RunSummary:
        """``read`` then ``write``. Raises InputError when no page can be read (the summary lists the
        inputs that failed among others), or for a ``previous`` that is not a run (before any page is
        read or fetched)."""
        if previous is not None:
            check_previous(previous)
        pages = self.read(inputs, source_names)
        if not pages.documents:
            raise pages.errors[0] if pages.errors else InputError(None, "no input", "name a page or a folder")
        return self.write(pages, out, formats, workers, cache_dir, progress, previous)

    def _analyse_and_write(self, inputs: Inputs, out: Path, formats: Sequence[str], workers: int,
                           cache: Cache | None, progress: Callable[[int], None] | None, summary: RunSummary,
                           previous: _Previous | None = None) -> None:
        from .outputs.background import write_run
        from .outputs.rows import partner_data
        from .tools import diff as diffing

        def warn(message: str) -> None:  # said now, and kept with the outputs for an identical re-run
            summary.warnings.append(message)
            log_warning(message)

        items = stream(inputs.documents, self.config, lambda pending: self.analyser.analyse_all(pending, workers),
                       cache=cache, progress=progress, warn=warn)
        since: Callable[[], Changes] | None = None
        if previous is not None:
            # Each partner's compact form is kept as it goes by (not its text); the changes are known
            # once the last one has, and are written with the rest of the outputs.
            tracker = previous.tracker
            items = _watched(items, lambda partner: tracker.add(partner_data(partner)))

            def since() -> Changes:
                summary.changes = tracker.changes()
                return diffing.for_outputs(summary.changes, previous.label)

        summary.kept, failed = write_run(out, formats, inputs.documents, self.config, items, changes=since)
        summary.failed = len(failed)

    def read_versions(self, inputs: Iterable[Path | str]) -> Versions:
        """The versions of each page named by ``inputs``, oldest first, read and split: every capture of
        each URL in WARC files (given, found in folders, or the captures of a URL given, in the captures
        folder: never fetched), every dated file of each page (``page-2024-03-01.html``: see
        ``tools.history.version_of``). A file with no date in its name, two files of one page dated
        alike, a version that cannot be read: each is an error, and the other versions are read."""
        from .sources import warc
        from .tools import history as following

        inputs = [str(p) if isinstance(p, str) and is_url(p) else Path(p) for p in inputs]
        files, errors, skipped = collect_inputs(tuple(p for p in inputs if isinstance(p, Path)))
        for folder in skipped:
            log.debug("skipped %s (a hidden folder, gold files or this tool's outputs)", folder)
        met: list[tuple[str, str, str, RawPage]] = []  # (page, order, seen, the version) as met

        for url in (p for p in inputs if isinstance(p, str)):
            try:
                url, file = self._capture_file(url)
            except InputError as exc:
                errors.append(exc)
                continue
            captured, warc_errors = warc.all_captures(file)
            errors += warc_errors
            met += [(url, _instant(page), page.captured or "", replace(page, source=url)) for page in captured]
        for path in files:
            if path.name.lower().endswith(WARC_SUFFIXES):
                captured, warc_errors = warc.all_captures(path)
                errors += warc_errors
                log.debug("read %s: %d capture(s) of %d URL(s)", path, len(captured), len({p.source for p in captured}))
                met += [(page.source, _instant(page), page.captured or "", page) for page in captured]
                continue
            dated = following.version_of(path.name, path.parent.name)
            if dated is None:
                errors.append(InputError(str(path), "no date in its name (nor in its folder's): which version of the "
                                         "page is it?", "name it after the day it was saved, such as "
                                         "page-2024-03-01.html, or give the WARC file of its captures"))
                continue
            name, seen = dated
            try:
                met += [(name, seen, seen, page) for page in self._pages_of_file(path, name, errors)]
            except InputError as exc:
                errors.append(exc)
        grouped: dict[str, list[tuple[str, int, str, RawPage]]] = {}
        for i, (name, order, seen, page) in enumerate(met):
            grouped.setdefault(name, []).append((order, i, seen, page))
        pages: dict[str, list[tuple[str, Document]]] = {}
        for name, versions in grouped.items():
            kept: list[tuple[str, RawPage]] = []
            for _, _, seen, page in sorted(versions, key=lambda v: v[:2]):
                same = [p for s, p in kept if s == seen]
                if any(p.data == page.data for p in same):
                    continue  # the same capture twice (a WARC file given twice, or copied into another)
                if same and page.captured is None:
                    errors.append(InputError(page.path, f"another version of {name} is dated {seen} ({same[0].path})",
                                             "give one file per date"))
                    continue
                kept.append((seen, page))
            documents, read_errors = read_documents([page for _, page in kept], self.config.resources)
            errors += read_errors
            seen_of = {page.path: seen for seen, page in kept}  # (a version's path is its own: file, FILE#OFFSET)
            if documents:
                pages[name] = [(seen_of[d.path], d) for d in documents]
            log.debug("%s: %d version(s) read, from %s to %s", name, len(documents),
                      kept[0][0] if kept else "-", kept[-1][0] if kept else "-")
        return Versions(pages, errors)

    def _capture_file(self, url: str) -> tuple[str, Path]:
        """A URL as pages are named by it, and the file in the captures folder that holds its captures."""
        from .sources import captures, web

        url = web.normalise_url(url)
        file = captures.capture_file(self.captures, url)
        if not file.is_file():
            raise InputError(url, f"no capture of this page in {self.captures}/",
                             "fetch it first (pipeline run URL), or give the --captures folder or the WARC files "
                             "that hold its captures")
        return url, file

    def history(self, inputs: Iterable[Path | str], out: Path | str = "history", workers: int = 1,
                cache_dir: Path | str | None = CACHE_DIR) -> HistorySummary:
        """``read_versions`` then ``write_history``. Raises InputError when no version can be read (the
        summary lists the inputs that failed among others)."""
        versions = self.read_versions(inputs)
        if not versions.pages:
            raise versions.errors[0] if versions.errors else InputError(None, "no version of any page",
                                                                        "give WARC files or dated files")
        return self.write_history(versions, out, workers, cache_dir)

    def write_history(self, versions: Versions, out: Path | str = "history", workers: int = 1,
                      cache_dir: Path | str | None = CACHE_DIR) -> HistorySummary:
        """Follow each page over its ``versions`` and replace the folder ``out``, all at once, by the
        outputs of a run on each page's latest version plus its history: history.csv (a row per partner
        and per agreement: first and last seen, the versions holding it, what changed and when),
        versions.csv, history.json, a history and a versions sheet in partners.xlsx, and a timeline at
        the top of report.html.

        Every version is analysed through the section cache: a section already analysed in another
        version (or an earlier history, or run) is not analysed again, so that a history re-run after
        one more capture analyses only what the new version changed. Without a ``cache_dir`` (None),
        the cache is a temporary one, gone at the end: each section is still analysed once. Raises
        OutputError, ModelError or SchemaError; the previous contents of ``out`` are then left as they
        were.
        """
        from .outputs.background import write_run
        from .outputs.rows import partner_data
        from .tools import history as following

        summary = HistorySummary(Path(out), {}, versions.count, 0, 0, 0, list(versions.errors))
        seen_warnings: set[str] = set()

        def warn(message: str) -> None:  # each said once, however many versions repeat it
            if message not in seen_warnings:
                seen_warnings.add(message)
                summary.warnings.append(message)
                log_warning(message)

        with tempfile.TemporaryDirectory(prefix="omd-history-cache-") if cache_dir is None else \
                contextlib.nullcontext(cache_dir) as folder:
            cache = Cache(folder, self.config)
            pages, latest, items = [], [], []
            for name, documents in versions.pages.items():
                followed = []
                for i, (seen, document) in enumerate(documents):
                    found = list(stream([document], self.config,
                                        lambda pending: self.analyser.analyse_all(pending, workers), cache=cache,
                                        warn=warn))
                    partners = [item for item in found if isinstance(item, Partner)]
                    summary.sections += len(document.sections)
                    summary.failed += len(found) - len(partners)
                    followed.append(following.Version(seen, document.path or name, document.sha256,
                                                      [partner_data(p) for p in partners], len(found) - len(partners)))
                    if i == len(documents) - 1:
                        latest.append(document)
                        items += found
                pages.append(following.follow(name, followed))
            summary.history = following.whole(pages)
            with locked(Path(out)):
                summary.kept, _ = write_run(Path(out), FORMATS, latest, self.config, items,
                                            history=following.for_outputs(summary.history))
            if cache_dir is not None:
                summary.cache_hits, summary.cache_misses = cache.hits, cache.misses
        return summary


def check_previous(path: Path | str) -> None:
    """Raise InputError, before a run reads or fetches anything, if ``path`` is not an earlier run's
    outputs folder or partners.json (``--previous``). The run reads it again once it holds its lock."""
    _Previous.load(path)


@dataclass
class _Previous:
    """The run a new run is compared with: how it was named, its partners in compact form (no text),
    and the key of both for the cache of whole runs."""

    label: str
    tracker: Tracker
    key: str

    @classmethod
    def load(cls, path: Path | str) -> _Previous:
        from .tools import diff as diffing

        hint = "give --previous the outputs folder (or the partners.json) of an earlier run"
        try:
            file, data = load_json(path, "previous run")
        except InputError as exc:
            raise InputError(exc.source, exc.problem, hint) from exc
        try:
            tracker = diffing.Tracker(data)
        except ValueError as exc:
            raise InputError(str(file), f"not the partners.json of a run: {exc}", hint) from exc
        # What the changes depend on: the previous run's name (the report says it) and its partners.
        content = json.dumps([{k: v.hex() if isinstance(v, bytes) else v for k, v in p.items()}
                              for p in tracker.old], ensure_ascii=False, sort_keys=True)
        return cls(str(file), tracker, sha256(f"{file}\0{content}"))


def _watched(items: Iterable, seen: Callable[[Partner], None]) -> Iterator:
    """``items`` as they come, each partner shown to ``seen`` first; closing it closes ``items``."""
    try:
        for item in items:
            if isinstance(item, Partner):
                seen(item)
            yield item
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()


def _changes_file(folder: Path) -> dict | None:
    """The changes a run wrote into ``folder`` (``CHANGES_FILE``), parsed; None if there is none to read."""
    return _json_file(folder / CHANGES_FILE)


def _json_file(path: Path) -> dict | None:
    """A JSON file a run wrote beside its outputs (its changes, its history), parsed; None if there is
    none to read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _saved_changes(folder: Path) -> dict | None:
    """The changes a run wrote into ``folder``, as ``diff`` gives them (without ``previous``)."""
    data = _changes_file(folder)
    return {k: v for k, v in data.items() if k != "previous"} if data is not None else None


def _reuse(saved: tuple[Path, dict], out: Path, summary: RunSummary) -> None:
    """The same pages, code, resources and formats as a run whose files are kept: its outputs, and
    what it said about them, are this run's."""
    folder, manifest = saved
    copy_outputs(folder, manifest["files"], out)
    summary.kept, summary.failed, summary.reused = manifest["kept"], manifest["failed"], True
    for line in manifest["warnings"]:
        log_warning(line)
    summary.warnings = list(manifest["warnings"])


def run(inputs: Iterable[Path | str] = ("corpus",), out: Path | str = "outputs", formats: Sequence[str] = FORMATS,
        workers: int = 1, cache_dir: Path | str | None = CACHE_DIR, config: Config | None = None,
        progress: Callable[[int], None] | None = None,
        source_names: Mapping[Path | str, str] | None = None, captures: Path | str = CAPTURES_DIR,
        offline: bool = False, previous: Path | str | None = None, contact: str | None = None) -> RunSummary:
    """``python -m pipeline run``: read the pages, analyse them, write the outputs into ``out``
    (``Pipeline(config, captures, offline, contact).run(…)``). ``source_names`` maps a page file to its
    name in the outputs (``--source-name FILE=NAME``); ``captures`` is where pages given by URL are kept
    (``--captures``), ``offline`` reads them from there only (``--offline``), and ``contact`` is whom
    the sites can reach (``--contact``, in the User-Agent); with ``previous`` (``--previous``), what
    changed since that run too."""
    return Pipeline(config, captures, offline, contact).run(inputs, out, formats, workers, cache_dir, progress,
                                                            source_names, previous)


def load_json(path: Path | str, what: str) -> tuple[Path, dict]:
    """A partners.json (or an outputs folder holding one) or a gold file: its path and content."""
    path, raw = _read_json(path, what)
    try:
        data = files.parse(raw)
    except ValueError as exc:
        raise InputError(str(path), f"not a {what} file of the expected shape: {exc}",
                         "give the partners.json a run wrote, or a gold file") from exc
    return path, data


def load_gold(path: Path | str, config: Config | None = None) -> dict:
    """A gold file's content, checked against the gold schema (the theme codes of ``config``'s
    resources): InputError (exit 2) listing every problem with its line, or the items still marked
    for review."""
    path, raw = _read_json(path, "gold")
    return files.parse_gold(raw, str(path), (config or Config.load()).resources.themes.codes)


def _read_json(path: Path | str, what: str) -> tuple[Path, bytes]:
    path = Path(path)
    if path.is_dir():
        path = path / "partners.json"
    try:
        return path, path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(str(path), f"no such {what} file", "check the path") from exc
    except OSError as exc:
        raise InputError(str(path), f"cannot be read: {exc.strerror}", "check its permissions") from exc


def evaluate(gold: Path | str, pred: Path | str = "outputs/partners.json", config: Config | None = None,
             save: bool = True, only_gold_sections: bool = False) -> Evaluation:
    """``python -m pipeline evaluate``: score predictions against a gold file and (with ``save``) write
    ``evaluation.json`` beside the predictions and mark the differences in their ``report.html``.

    The gold is scored against the predicted partners of its page: the same ``source``, else the
    same file name (``Evaluation.source`` says which). With ``only_gold_sections``, predicted sections
    the gold does not have are left out rather than counted spurious. Returns the
    ``tools.evaluate.Evaluation`` (scores per field, a summary, every difference). Raises InputError
    (exit 2) for a gold file that is broken or still marked for review, predictions of another page,
    or an evaluation in which no gold section is found among the predicted ones (nothing would be
    scored: never a pass).
    """
    from .tools import evaluate as scoring

    config = config or Config.load()
    gold_data = load_gold(gold, config)
    pred_file, pred_data = load_json(pred, "predictions")
    gold_source = gold_data["source"]
    sources = {p.get("source") for p in pred_data["partners"]}
    found = scoring.matching_sources(gold_source, sources)
    about = ", ".join(sorted(map(str, sources))) or "no page"
    if not found:
        raise InputError(str(gold), f"gold and predictions do not describe the same page (the gold is about "
                         f"{gold_source!r}; {pred_file} about {about})",
                         "run the pipeline on the gold's page, or set the gold's \"source\" to the page's file name")
    if len(found) > 1:
        raise InputError(str(gold), f"the gold is about {gold_source!r} and {pred_file} holds several pages of that "
                         f"name ({', '.join(found)})", "write the gold's \"source\" as the run wrote it")
    result = scoring.evaluate(gold_data, pred_data, config.resources.gazetteer, source=found[0],
                              only_gold_sections=only_gold_sections)
    if result.scores["sections"].tp == 0:
        n = len(gold_data["partners"])
        m = sum(p.get("source") == found[0] for p in pred_data["partners"])
        raise InputError(str(gold), f"none of the gold's {n} section{'s' if n > 1 else ''} is among the {m} "
                         f"sections of {found[0]!r} in {pred_file}: nothing can be scored",
                         f"check that the run is of the page the gold's \"source\" names ({gold_source!r}) and "
                         "that the gold's headings are written as on the page")
    if save:
        _save_evaluation(result, pred_file, pred_data)
    return result


def save_evaluation(result: Evaluation, pred: Path | str) -> None:
    """Write ``evaluation.json`` beside the predictions ``pred`` and mark the differences in their
    ``report.html``, if there is one."""
    _save_evaluation(result, *load_json(pred, "predictions"))


def _save_evaluation(result: Evaluation, pred_file: Path, pred_data: dict) -> None:
    from .outputs import report, timeline
    from .tools import diff as diffing
    from .tools import history as following

    data = result.as_dict()
    write_file(pred_file.parent / "evaluation.json", (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode())
    report_file = pred_file.parent / "report.html"
    if report_file.exists():
        # The report of a run given a previous one keeps its changes section (from CHANGES_FILE), that of a
        # history its timeline (from HISTORY_FILE).
        saved = _changes_file(pred_file.parent)
        changes = diffing.saved(saved) if saved is not None else None
        followed = following.saved(_json_file(pred_file.parent / HISTORY_FILE))
        write_file(report_file, report.render(pred_data, data, changes,
                                              timeline.part(followed.data) if followed else None).encode("utf-8"))


def diff(old: Path | str, new: Path | str, write: Path | str | None = None) -> dict:
    """``python -m pipeline diff``: the changes from run ``old`` to run ``new`` (outputs folders or
    partners.json files), as ``tools.diff.compare`` gives them; also written as JSON to ``write``."""
    from .tools import diff as diffing

    _, before = load_json(old, "predictions")
    _, after = load_json(new, "predictions")
    try:
        changes = diffing.compare(before, after)
    except ValueError as exc:
        raise InputError(f"{old} / {new}", f"cannot be compared: {exc}", "give two partners.json of runs") from exc
    if write is not None:
        save_changes(changes, write)
    return changes


def save_changes(changes: dict, path: Path | str) -> None:
    """Write the changes ``diff`` found as JSON to ``path``, whole or not at all."""
    from .tools import diff as diffing

    write_file(Path(path), diffing.render(changes, "json").encode("utf-8") + b"\n")


def load(outputs: Path | str = "outputs") -> Tables:
    """The tables of a run's outputs (its folder, or the ``datapackage.json`` in it) as pandas
    DataFrames, each column typed from the Data Package: ``tables.agreement_list``,
    ``tables["dates"]`` (``tools.load.Tables``). pandas is imported here, when called."""
    from .tools import load as loading

    return loading.load(outputs)


@dataclass
class Versions:
    """The versions of each page, oldest first, read and split (each with when it was seen: its
    capture's time, or its file's date), and the inputs that could not be read."""

    pages: dict[str, list[tuple[str, Document]]]
    errors: list[InputError]

    @property
    def count(self) -> int:
        return sum(len(versions) for versions in self.pages.values())


@dataclass
class HistorySummary:
    """What ``history`` did: the pages followed (``history``, as history.json holds it: each page's
    versions, partners and agreements), how many versions and sections were read, the partners written
    (those of each page's latest version), the inputs and sections that failed, the cache's use."""

    out: Path
    history: dict
    versions: int
    sections: int  # of every version
    kept: int  # partners of the latest versions, written
    failed: int = 0  # sections whose extraction failed, in any version
    errors: list[InputError] = field(default_factory=list)
    cache_hits: int | None = None  # None: no cache was kept (--no-cache)
    cache_misses: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def pages(self) -> list[dict]:
        return self.history.get("pages", [])

    @property
    def exit_code(self) -> int:
        """0 when every input, version and section made it, else 1 (the README's exit codes)."""
        return 1 if self.errors or self.failed else 0


def _instant(page: RawPage) -> str:
    """A capture's time in a form that orders captures as times (whatever precision or zone it was
    written with)."""
    return capture_time(page).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def history(inputs: Iterable[Path | str] | None = None, out: Path | str = "history", workers: int = 1,
            cache_dir: Path | str | None = CACHE_DIR, config: Config | None = None,
            captures: Path | str = CAPTURES_DIR) -> HistorySummary:
    """``python -m pipeline history``: follow each page over its versions (WARC captures, dated files,
    or the captures of a URL in ``captures``; by default, the whole ``captures`` folder) and write into
    ``out`` the run on each page's latest version with its history (``Pipeline(config, captures).history(…)``)."""
    return Pipeline(config, captures).history(inputs if inputs is not None else (captures,), out, workers, cache_dir)


@dataclass
class GoldDraft:
    """What ``gold draft`` wrote: the gold file, its review page, and what is in it to review."""

    gold: Path
    page: Path
    partners: int
    items: int  # organisations, agreements, dates and themes
    summary: RunSummary  # the run on the page, in a temporary folder (exit code 1: sections not in the draft)

    @property
    def marks(self) -> int:
        """Partners and items marked for review: all of them, in a draft."""
        return self.partners + self.items


def draft_gold(page: Path | str, out: Path | str | None = None, config: Config | None = None,
               cache_dir: Path | str | None = CACHE_DIR, force: bool = False) -> GoldDraft:
    """``python -m pipeline gold draft``: run the pipeline on one page (in a temporary folder: no
    outputs folder is touched) and write a gold file drafted from its predictions, every partner and
    item marked ``"review": true``, with its review page beside it (``tools.gold.page_path``).

    ``out`` defaults to ``gold/NAME.gold.json`` beside the page. An existing gold file is replaced only
    with ``force`` (OutputError otherwise, before anything runs); the review page is always rewritten.
    Raises InputError for a page that cannot be read or holds no section, or for a folder.
    """
    from .outputs import review
    from .tools import gold as drafting

    url = isinstance(page, str) and is_url(page)
    page = page if url else Path(page)
    if not url and page.is_dir():
        raise InputError(str(page), "is a folder; a gold file is about one page", "name the page's file")
    if url and out is None:
        raise InputError(page, "a page given by its URL has no folder to put its gold in", "give --out FILE")
    out = Path(out) if out is not None else drafting.default_path(page)
    if out.is_dir():
        raise InputError(str(out), "is a folder", "give --out a file name, such as gold/NAME.gold.json")
    if out.exists() and not force:
        raise drafting.exists(out)  # said before the run rather than after it
    pipeline = Pipeline(config)
    with tempfile.TemporaryDirectory(prefix="omd-gold-draft-") as tmp:
        summary = pipeline.run([page], Path(tmp) / "outputs", ("json",), cache_dir=cache_dir)
        predictions = json.loads((Path(tmp) / "outputs" / "partners.json").read_bytes())
    if len(predictions["documents"]) > 1:  # a WARC file of several URLs
        raise InputError(str(page), f"holds {len(predictions['documents'])} pages; a gold file is about one page",
                         "draft the gold of one of them (by its URL, or a file of its own)")
    gold = drafting.draft(predictions)
    html = review.render(gold, predictions, pipeline.config, out.name)
    drafting.save(out, (json.dumps(gold, ensure_ascii=False, indent=2) + "\n").encode("utf-8"), force)
    page_file = drafting.page_path(out)
    drafting.save(page_file, html.encode("utf-8"), force=True)  # derived from the gold: always rewritten
    return GoldDraft(out, page_file, len(gold["partners"]), drafting.items(gold), summary)
