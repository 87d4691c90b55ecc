"""The command line: ``python -m pipeline run | evaluate | diff``.

The only module that imports click, reads input files and prints; it turns the project's errors
into one line on stderr and an exit code: 0 success, 1 some inputs or sections failed (the rest was
written) or a score fell below ``--min-f1``, 2 bad input, 3 the outputs cannot be written or the
set-up is broken. Heavy libraries (spaCy, dateparser, XlsxWriter) are imported only by the commands that use them.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import tempfile
from pathlib import Path

import click

from . import __version__
from .errors import InputError, OutputError, PipelineError
from .reading import MAX_BYTES, PAGE_SUFFIXES

GOLD_DIR = "gold"
PROGRESS_MIN = 200  # sections: a shorter run is over before a bar would tell anything
log = logging.getLogger("pipeline")


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def _setup_logging(verbose: bool, quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    # The level is the handler's: the logger passes everything, so that a run's warnings are recorded
    # (and said again by an identical re-run) even when this one is quiet.
    handler.setLevel(logging.ERROR if quiet else logging.DEBUG if verbose else logging.INFO)
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.DEBUG)


def _fail(error: PipelineError) -> None:
    log.error(error.line())
    sys.exit(error.exit_code)


def collect_inputs(inputs: tuple[Path, ...]) -> tuple[list[Path], list[InputError]]:
    """The page files named by INPUT arguments: files as given, folders searched for pages."""
    files: list[Path] = []
    errors: list[InputError] = []
    for path in inputs:
        if not path.exists():
            errors.append(InputError(str(path), "no such file or folder", "check the path"))
        elif path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES
                and GOLD_DIR not in p.relative_to(path).parts and not p.name.startswith(".")
            )
            if not found:
                errors.append(InputError(str(path), "folder holds no page (.txt, .html or .htm)",
                                         "put the saved pages in it or name the files"))
            files.extend(found)
        else:
            files.append(path)
    return files, errors


def read_bytes(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(str(path), f"the file is over the {MAX_BYTES // 2**20} MiB limit",
                             "split the page or check it is really a web page")
        return path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot be read: {exc.strerror}", "check its permissions") from exc


def source_name(path: Path) -> str:
    """How a file is named in the outputs: relative to the working folder when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def write_file(path: Path, data: bytes) -> None:
    """One file, written whole or not at all."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(str(path), f"cannot be written: {exc.strerror}") from exc


class _Recorder(logging.Handler):
    """The warnings of a run, kept with its outputs so that an identical re-run says them again."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _progress(total: int, quiet: bool, stream=None):
    """A progress bar (sections done, sections/s) on stderr for long runs, only when a person is
    watching: stderr is a terminal and -q was not given."""
    stream = stream or sys.stderr
    if quiet or total < PROGRESS_MIN or not stream.isatty():
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="section", file=stream, leave=False)
    return bar.update, bar


verbosity = [
    click.option("-v", "--verbose", is_flag=True, help="Say more (files read, cache use)."),
    click.option("-q", "--quiet", is_flag=True, help="Only errors."),
]


def _with_verbosity(func):
    for option in reversed(verbosity):
        func = option(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="omd-pipeline")
def cli() -> None:
    """Extract partner organisations, agreements, dates and themes from French OMD pages."""


def _terminate(signum, frame):
    raise KeyboardInterrupt


def main() -> None:
    """Entry point: the commands, with an interrupted run ending in one line and exit 130."""
    signal.signal(signal.SIGTERM, _terminate)  # a kill ends like Ctrl-C: temporary files are removed
    try:
        code = cli.main(standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("error: interrupted; the output folder was left as it was", err=True)
        code = 130
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except SystemExit as exc:
        code = exc.code
    _exit(code if isinstance(code, int) else 0)


def _exit(code: int) -> None:
    """End the process at once: every file is written and closed by now, and freeing the spaCy
    model's objects one by one at interpreter exit would cost about a second."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="outputs", show_default=True, type=click.Path(path_type=Path),
              help="Folder to write the outputs into (replaced as a whole, once every file is ready).")
@click.option("--formats", default="json,csv,xlsx,html", show_default=True,
              help="Comma-separated outputs to write: json, csv (with datapackage.json), xlsx, html.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes analysing sections in parallel.")
@click.option("--no-cache", is_flag=True, help="Analyse every section again, ignoring and not updating the cache.")
@click.option("--cache-dir", default=".cache/pipeline", show_default=True, type=click.Path(path_type=Path),
              help="Where per-section results are kept between runs.")
@_with_verbosity
def run(inputs: tuple[Path, ...], out_dir: Path, formats: str, workers: int, no_cache: bool, cache_dir: Path,
        verbose: bool, quiet: bool) -> None:
    """Run the pipeline on INPUT files or folders (default: corpus/).

    A folder is searched for .txt, .html and .htm pages, leaving out its gold/ folder.
    """
    _setup_logging(verbose, quiet)
    from . import export

    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    unknown = sorted(set(chosen) - set(export.FORMATS))
    if unknown or not chosen:
        raise click.BadParameter(f"unknown format(s) {', '.join(unknown) or '(none)'}; choose among "
                                 f"{', '.join(export.FORMATS)}", param_hint="--formats")
    from . import pipeline
    from .cache import Cache, run_key

    files, errors = collect_inputs(inputs or (Path("corpus"),))
    pages = []
    for path in files:
        try:
            pages.append((source_name(path), read_bytes(path)))
            log.debug("read %s", path)
        except InputError as exc:
            errors.append(exc)
    try:
        documents, read_errors = pipeline.read_documents(pages)
        del pages  # the documents hold what is needed of the bytes read
        errors.extend(read_errors)
        for error in errors:
            log.error(error.line())
        if not documents:
            sys.exit(2)
        cache = None if no_cache else Cache(cache_dir)
        total = sum(len(d.sections) for d in documents)
        aside = pipeline.set_aside(documents)
        key = run_key(documents, chosen) if cache is not None else None
        saved = cache.saved_run(key) if cache is not None else None
        if saved is not None:
            # The same pages, code, resources and formats as a run whose files are kept: its outputs,
            # and what it said about them, are this run's.
            folder, manifest = saved
            export.copy_outputs(folder, manifest["files"], out_dir)
            kept, n_failed = manifest["kept"], manifest["failed"]
            for line in manifest["warnings"]:
                log.warning("%s", line)
            cache.hits = total
        else:
            warnings = _Recorder()
            log.addHandler(warnings)
            update, bar = _progress(total, quiet)
            try:
                kept, failed = export.write_run(
                    out_dir, chosen, documents,
                    pipeline.stream(documents, workers=workers, cache=cache, progress=update), aside)
            finally:
                log.removeHandler(warnings)
                if bar is not None:
                    bar.close()
            n_failed = len(failed)
            if cache is not None:
                cache.save_run(key, out_dir, {"kept": kept, "failed": n_failed, "warnings": warnings.lines})
    except PipelineError as exc:
        _fail(exc)
    log.info("%d sections read = %d kept + %d set aside; %d other lines set aside (rejected.csv)",
             total, kept, n_failed, len(aside))
    if cache is not None:
        log.debug("cache: %d reused, %d analysed%s", cache.hits, cache.misses,
                  "; outputs copied from an identical earlier run" if saved is not None else "")
    log.info("%d partners from %d page(s) written to %s/", kept, len(documents), out_dir)
    if errors or n_failed:
        sys.exit(1)


def _load_json(path: Path, what: str) -> dict:
    if path.is_dir():
        path = path / "partners.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(str(path), f"no such {what} file", "check the path") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(str(path), f"not a readable JSON {what} file ({exc.__class__.__name__})",
                         "give the partners.json a run wrote, or a gold file") from exc
    if not isinstance(data, dict) or not isinstance(data.get("partners"), list):
        raise InputError(str(path), f"not a {what} file: no 'partners' list", "give a partners.json or a gold file")
    return data


def _thresholds(values: tuple[str, ...]) -> dict[str, float]:
    from .evaluation import FIELDS

    out: dict[str, float] = {}
    for value in values:
        name, _, number = value.rpartition("=")
        try:
            threshold = float(number)
        except ValueError:
            raise click.BadParameter(f"{value!r}: give a number (0.9) or FIELD=NUMBER", param_hint="--min-f1") from None
        fields = [name] if name else list(FIELDS)
        for field in fields:
            if field not in FIELDS:
                raise click.BadParameter(f"unknown field {field!r}; fields: {', '.join(FIELDS)}",
                                         param_hint="--min-f1")
            out[field] = threshold
    return out


@cli.command()
@click.option("--gold", "gold_path", required=True, type=click.Path(path_type=Path), help="The hand-made gold file.")
@click.option("--pred", "pred_path", default="outputs/partners.json", show_default=True,
              type=click.Path(path_type=Path), help="The predictions: a partners.json or an outputs folder.")
@click.option("--min-f1", "min_f1", multiple=True,
              help="Fail (exit 1) below this F1: 0.9 for every field, or FIELD=0.9; may be repeated.")
@_with_verbosity
def evaluate(gold_path: Path, pred_path: Path, min_f1: tuple[str, ...], verbose: bool, quiet: bool) -> None:
    """Score predictions against a gold file: P/R/F1 per field, then every difference.

    Writes evaluation.json beside the predictions (and marks the differences in report.html, if
    there is one).
    """
    _setup_logging(verbose, quiet)
    from . import evaluation

    thresholds = _thresholds(min_f1)
    try:
        gold = _load_json(gold_path, "gold")
        pred = _load_json(pred_path, "predictions")
        pred_file = pred_path / "partners.json" if pred_path.is_dir() else pred_path
        source = gold.get("source")
        sources = {p.get("source") for p in pred["partners"]}
        if source not in sources:
            headings = {evaluation.heading_key(p["heading"]) for p in pred["partners"]}
            shared = sum(evaluation.heading_key(p["heading"]) in headings for p in gold["partners"])
            if shared < max(1, len(gold["partners"]) // 2):
                about = ", ".join(sorted(map(str, sources)))
                raise InputError(str(gold_path), f"gold and predictions do not describe the same page "
                                 f"(gold is about {source!r}; predictions about {about})",
                                 "run the pipeline on the gold's page first")
            source = None
        result = evaluation.evaluate(gold, pred, source=source)
        click.echo(result.table())
        if result.differences:
            click.echo("\nDifferences:")
            click.echo(result.report())
        else:
            click.echo("\nNo difference.")
        data = result.as_dict()
        write_file(pred_file.parent / "evaluation.json",
                   (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        report_file = pred_file.parent / "report.html"
        if report_file.exists():
            from . import report

            write_file(report_file, report.render(pred, data).encode("utf-8"))
    except PipelineError as exc:
        _fail(exc)
    low = {f: round(result.scores[f].f1, 3) for f, t in thresholds.items() if result.scores[f].f1 < t}
    if low:
        log.error("below --min-f1: %s", ", ".join(f"{f} {v}" for f, v in low.items()))
        sys.exit(1)


@cli.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--write", "write_path", type=click.Path(path_type=Path), default=None,
              help="Also write the changes as JSON to this file (e.g. outputs/changes.json).")
@_with_verbosity
def diff(old: Path, new: Path, fmt: str, write_path: Path | None, verbose: bool, quiet: bool) -> None:
    """What changed between two runs (each an outputs folder or a partners.json)."""
    _setup_logging(verbose, quiet)
    from . import diff as diff_module

    try:
        try:
            changes = diff_module.compare(_load_json(old, "predictions"), _load_json(new, "predictions"))
        except ValueError as exc:
            raise InputError(f"{old} / {new}", f"cannot be compared: {exc}", "give two partners.json of runs") from exc
        click.echo(diff_module.render(changes, fmt))
        if write_path is not None:
            write_file(write_path, diff_module.render(changes, "json").encode("utf-8") + b"\n")
    except PipelineError as exc:
        _fail(exc)
