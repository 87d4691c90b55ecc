"""The command line: ``python -m pipeline run | history | evaluate | diff | gold draft``.

The only module that imports click, parses arguments and prints; each command calls its
counterpart in ``api`` and turns the project's errors into one line on stderr and an exit code: 0
success, 1 some inputs or sections failed (the rest was written), a score fell below ``--min-f1``
or ``diff --exit-code`` found a change, 2 bad input, 3 the outputs cannot be written or the set-up is
broken (a resource file, the model). The API (and with it spaCy, dateparser, XlsxWriter) is imported only by the command
that runs, so that ``--help`` stays fast.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path

import click

from . import __version__
from .config import CACHE_DIR, CAPTURES_DIR
from .errors import InputError, Interrupted, PipelineError
from .signals import held
from .tools.diff import FORMATS as DIFF_FORMATS
from .tools.diff import headline

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


class _Progress:
    """A progress bar (sections done, sections/s) on stderr, shown from the first section analysed
    or read from the cache (a run that copies an identical run's outputs shows none)."""

    def __init__(self, total: int, stream) -> None:
        self.total, self.stream, self.bar = total, stream, None

    def update(self, n: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            with held():  # its monitoring thread must never be the one that takes Ctrl-C
                self.bar = tqdm(total=self.total, unit="section", file=self.stream, leave=False)
        self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _progress(total: int, quiet: bool, stream=None) -> _Progress | None:
    """A progress bar for long runs, only when a person is watching: stderr is a terminal and -q was
    not given."""
    stream = stream or sys.stderr
    if quiet or total < PROGRESS_MIN or not stream.isatty():
        return None
    return _Progress(total, stream)


verbosity = [
    click.option("-v", "--verbose", is_flag=True, help="Say more (files read, cache use)."),
    click.option("-q", "--quiet", is_flag=True, help="Only errors."),
]


def _with_verbosity(func):
    for option in reversed(verbosity):
        func = option(func)
    return func


_resources_option = click.option(
    "--resources", type=click.Path(path_type=Path, exists=True, file_okay=False), default=None,
    help="A folder of resource files (a copy of pipeline/resources/, edited) to use instead of the shipped ones.")


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
    except (click.exceptions.Abort, KeyboardInterrupt) as exc:
        # (click turns an interrupt inside a command into Abort, the interrupt as its cause.)
        if isinstance(exc, Interrupted) or isinstance(exc.__cause__, Interrupted):
            click.echo("error: interrupted once the new outputs were in place: they are complete", err=True)
        else:
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
@click.argument("inputs", nargs=-1)
@click.option("--out", "out_dir", default="outputs", show_default=True, type=click.Path(path_type=Path),
              help="Folder to write the outputs into (replaced as a whole, once every file is ready).")
@click.option("--formats", default=None,
              help="Comma-separated outputs to write: json, csv (with datapackage.json), xlsx, html.  [default: all]")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes analysing sections in parallel.")
@click.option("--no-cache", is_flag=True, help="Analyse every section again, ignoring and not updating the cache.")
@click.option("--cache-dir", default=CACHE_DIR, show_default=True, type=click.Path(path_type=Path),
              help="Where per-section results are kept between runs.")
@click.option("--source-name", "source_names", multiple=True, metavar="[FILE=]NAME",
              help="The page's name in the outputs (`source`) instead of its file name: NAME when one page "
                   "is read, FILE=NAME otherwise; may be repeated.")
@click.option("--captures", "captures", default=CAPTURES_DIR, show_default=True, type=click.Path(path_type=Path),
              help="Where pages given by URL are kept, as WARC files (one per URL, appended to at each fetch).")
@click.option("--offline", is_flag=True,
              help="Read pages given by URL from their last capture in --captures; never use the network.")
@click.option("--contact", envvar="OMD_PIPELINE_CONTACT", default=None, metavar="EMAIL_OR_URL",
              help="Whom the sites fetched can reach, sent in the User-Agent (or set OMD_PIPELINE_CONTACT).")
@click.option("--previous", type=click.Path(path_type=Path), default=None,
              help="An earlier run (its outputs folder or partners.json; may be the --out folder) to compare "
                   "with: adds changes_since_previous.json, a changes sheet and a changes section in the report.")
@_resources_option
@_with_verbosity
def run(inputs: tuple[str, ...], out_dir: Path, formats: str | None, workers: int, no_cache: bool, cache_dir: Path,
        source_names: tuple[str, ...], captures: Path, offline: bool, contact: str | None, previous: Path | None,
        resources: Path | None, verbose: bool, quiet: bool) -> None:
    """Run the pipeline on INPUT files, folders or URLs (default: corpus/).

    A folder is searched for .txt, .html, .htm and .md pages, .pdf reports and .warc/.warc.gz web
    captures, leaving out hidden folders, gold/ folders and this tool's outputs. Each page is named
    in the outputs by its file name; a page captured in a WARC file by its URL (its latest capture). A
    page given by its URL (http:// or https://) is fetched, kept in --captures, and named by its URL.
    """
    _setup_logging(verbose, quiet)
    from . import api

    try:
        chosen = api.check_formats(formats.split(",")) if formats is not None else api.FORMATS
    except InputError as exc:
        raise click.BadParameter(f"{exc.problem}; {exc.hint}", param_hint="--formats") from None
    names = _source_names(source_names, inputs)
    try:
        pipeline = api.Pipeline(api.Config.load(resources), captures, offline, contact)
        if previous is not None:
            api.check_previous(previous)  # said before any page is read or fetched
        pages = pipeline.read(inputs or ("corpus",), names)
        for error in pages.errors:
            log.error(error.line())
        if not pages.documents:
            sys.exit(2)
        progress = _progress(pages.sections, quiet)
        try:
            summary = pipeline.write(pages, out_dir, chosen, workers, None if no_cache else cache_dir,
                                     progress=progress.update if progress else None, previous=previous)
        finally:
            if progress is not None:
                progress.close()
    except PipelineError as exc:
        _fail(exc)
    try:
        log.info("%d sections read = %d kept + %d set aside; %d other lines set aside (rejected.csv)",
                 summary.sections, summary.kept, summary.failed, summary.set_aside)
        if summary.cache_hits is not None:
            log.debug("cache: %d reused, %d analysed%s", summary.cache_hits, summary.cache_misses,
                      "; outputs copied from an identical earlier run" if summary.reused else "")
        log.info("%d partners from %d page(s) written to %s/", summary.kept, summary.documents, out_dir)
        if summary.changes is not None:
            log.info("since %s: %s (changes_since_previous.json)", previous, headline(summary.changes))
    except KeyboardInterrupt:
        raise Interrupted() from None
    if summary.exit_code:
        sys.exit(summary.exit_code)


@cli.command()
@click.argument("inputs", nargs=-1)
@click.option("--out", "out_dir", default="history", show_default=True, type=click.Path(path_type=Path),
              help="Folder to write into: the run on each page's latest version, with history.csv, versions.csv, "
                   "history.json, their sheets and the timeline (replaced as a whole, once every file is ready).")
@click.option("--captures", "captures", default=CAPTURES_DIR, show_default=True, type=click.Path(path_type=Path),
              help="Where the captures of a page given by its URL are read (never fetched).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes analysing sections in parallel.")
@click.option("--no-cache", is_flag=True,
              help="Neither read nor update the cache (each section is still analysed once, in a temporary one).")
@click.option("--cache-dir", default=CACHE_DIR, show_default=True, type=click.Path(path_type=Path),
              help="Where per-section results are kept between runs.")
@_resources_option
@_with_verbosity
def history(inputs: tuple[str, ...], out_dir: Path, captures: Path, workers: int, no_cache: bool, cache_dir: Path,
            resources: Path | None, verbose: bool, quiet: bool) -> None:
    """Follow pages over their versions: INPUT WARC files, folders of them (default: captures/), dated
    files (page-2024-03-01.html) or URLs (their captures in --captures).

    Every capture of a URL is a version of that page, ordered by capture time; a file is a version of
    the page its name gives without its date. Writes the run on each page's latest version and, beside
    it, how each partner and agreement changed from version to version (history.csv), the versions
    (versions.csv), a history sheet in partners.xlsx and a timeline in report.html.
    """
    _setup_logging(verbose, quiet)
    from . import api

    try:
        pipeline = api.Pipeline(api.Config.load(resources), captures)
        versions = pipeline.read_versions(inputs or (captures,))
        for error in versions.errors:
            log.error(error.line())
        if not versions.pages:
            if not versions.errors:
                log.error("no version of any page (give WARC files, folders of them, or dated files)")
            sys.exit(2)
        summary = pipeline.write_history(versions, out_dir, workers, None if no_cache else cache_dir)
    except PipelineError as exc:
        _fail(exc)
    try:
        for page in summary.pages:
            versions = page["versions"]
            counts = {k: sum(v[k] for v in versions) for k in versions[0] if k.startswith(("partners_", "agreements_"))}
            log.info("%s: %d version(s), %s to %s; partners %d -> %d (%d added, %d removed, %d renamed); "
                     "agreements %d -> %d (%d added, %d removed, %d re-dated)", page["page"], len(versions),
                     versions[0]["seen"], versions[-1]["seen"], versions[0]["partners"], versions[-1]["partners"],
                     counts["partners_added"], counts["partners_removed"], counts["partners_renamed"],
                     versions[0]["agreements"], versions[-1]["agreements"], counts["agreements_added"],
                     counts["agreements_removed"], counts["agreements_redated"])
        if summary.cache_hits is not None:
            log.debug("cache: %d reused, %d analysed", summary.cache_hits, summary.cache_misses)
        if summary.failed:
            log.warning("%d section(s) could not be analysed (see rejected.csv for the latest versions)",
                        summary.failed)
        log.info("history of %d page(s) over %d version(s) written to %s/ (history.csv, versions.csv, partners.xlsx, "
                 "report.html), with the %d partners of the latest version(s)", len(summary.pages), summary.versions,
                 out_dir, summary.kept)
    except KeyboardInterrupt:
        raise Interrupted() from None
    if summary.exit_code:
        sys.exit(summary.exit_code)


def _source_names(values: tuple[str, ...], inputs: tuple[str, ...]) -> dict[Path, str]:
    """``--source-name`` values: FILE=NAME, or a bare NAME for the one file given."""
    names: dict[Path, str] = {}
    for value in values:
        file, sep, name = value.partition("=")
        if sep and file and Path(file).is_file():
            path = Path(file)
        elif len(inputs) == 1 and Path(inputs[0]).is_file():
            path, name = Path(inputs[0]), value
        else:
            raise click.BadParameter(f"{value!r}: give FILE=NAME (a bare NAME only when one page file is given)",
                                     param_hint="--source-name")
        if not name.strip() or any(c in name for c in "\r\n\t"):
            raise click.BadParameter(f"{value!r}: the name must be one line of text", param_hint="--source-name")
        names[path] = name.strip()
    return names


def _thresholds(values: tuple[str, ...], fields: tuple[str, ...]) -> tuple[dict[str, float], set[str]]:
    """``--min-f1`` values: a number for every field, or FIELD=NUMBER (which wins for its field, in any
    order). Returns the thresholds and the fields named one by one (those must have something to
    compare: n/a fails them)."""

    every: dict[str, float] = {}
    out: dict[str, float] = {}
    for value in values:
        name, _, number = value.rpartition("=")
        try:
            threshold = float(number)
            if not 0.0 <= threshold <= 1.0:  # (also refuses nan, which compares false with everything)
                raise ValueError(number)
        except ValueError:
            raise click.BadParameter(f"{value!r}: give a number from 0 to 1 (0.9) or FIELD=NUMBER",
                                     param_hint="--min-f1") from None
        if not name:
            every = dict.fromkeys(fields, threshold)
        elif name not in fields:
            raise click.BadParameter(f"unknown field {name!r}; fields: {', '.join(fields)}", param_hint="--min-f1")
        else:
            out[name] = threshold
    return every | out, set(out)


@cli.command()
@click.option("--gold", "gold_path", required=True, type=click.Path(path_type=Path), help="The hand-made gold file.")
@click.option("--pred", "pred_path", default="outputs/partners.json", show_default=True,
              type=click.Path(path_type=Path), help="The predictions: a partners.json or an outputs folder.")
@click.option("--min-f1", "min_f1", multiple=True,
              help="Fail (exit 1) below this F1: 0.9 for every field that has something to compare, or "
                   "FIELD=0.9 (which also fails when FIELD has nothing to compare, n/a); may be repeated.")
@click.option("--only-gold-sections", is_flag=True,
              help="Score only the predicted sections the gold has (by heading): for a gold that covers some "
                   "sections of the page.")
@_resources_option
@_with_verbosity
def evaluate(gold_path: Path, pred_path: Path, min_f1: tuple[str, ...], only_gold_sections: bool,
             resources: Path | None, verbose: bool, quiet: bool) -> None:
    """Score predictions against a gold file: a summary in words, P/R/F1 per field, every difference.

    Writes evaluation.json beside the predictions (and marks the differences in report.html, if
    there is one).
    """
    _setup_logging(verbose, quiet)
    from . import api
    from .tools.evaluate import FIELDS

    thresholds, named = _thresholds(min_f1, FIELDS)
    try:
        result = api.evaluate(gold_path, pred_path, api.Config.load(resources), save=False,
                              only_gold_sections=only_gold_sections)
        click.echo(result.summary())
        click.echo("\n" + result.table())
        if result.differences:
            click.echo("\nDifferences:")
            click.echo(result.report())
        else:
            click.echo("\nNo difference.")
        api.save_evaluation(result, pred_path)
    except PipelineError as exc:
        _fail(exc)
    low = result.below(thresholds, named)
    if low:
        log.error("below --min-f1: %s", ", ".join(f"{f} {'n/a (nothing to compare)' if v is None else v}"
                                                  for f, v in low.items()))
        sys.exit(1)


@cli.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(DIFF_FORMATS), default="text", show_default=True)
@click.option("--write", "write_path", type=click.Path(path_type=Path), default=None,
              help="Also write the changes as JSON to this file (e.g. changes.json; in an outputs folder, later "
                   "runs keep it).")
@click.option("--exit-code", "exit_code", is_flag=True,
              help="Exit 1 when something changed, 0 when nothing did (as git diff --exit-code).")
@_with_verbosity
def diff(old: Path, new: Path, fmt: str, write_path: Path | None, exit_code: bool, verbose: bool,
         quiet: bool) -> None:
    """What changed between two runs (each an outputs folder or a partners.json)."""
    _setup_logging(verbose, quiet)
    from . import api
    from .tools.diff import render

    try:
        changes = api.diff(old, new)
        click.echo(render(changes, fmt))
        if write_path is not None:
            api.save_changes(changes, write_path)
    except PipelineError as exc:
        _fail(exc)
    if exit_code and changes["changed"]:
        sys.exit(1)


@cli.group()
def gold() -> None:
    """Gold files: draft one from the pipeline's predictions, for a person to review."""


@gold.command("draft")
@click.argument("page")
@click.option("--out", "out_path", default=None, type=click.Path(path_type=Path),
              help="The gold file to write; its review page goes beside it (NAME.gold.review.html).  "
                   "[default: gold/PAGE.gold.json beside the page]")
@click.option("--force", is_flag=True, help="Replace the gold file if it exists.")
@click.option("--no-cache", is_flag=True, help="Analyse every section again, ignoring and not updating the cache.")
@click.option("--cache-dir", default=CACHE_DIR, show_default=True, type=click.Path(path_type=Path),
              help="Where per-section results are kept between runs.")
@_resources_option
@_with_verbosity
def draft(page: str, out_path: Path | None, force: bool, no_cache: bool, cache_dir: Path, resources: Path | None,
          verbose: bool, quiet: bool) -> None:
    """Draft a gold file for PAGE from the pipeline's predictions, every item marked "review": true.

    Open the review page it writes beside the gold in a browser, read each item against the text,
    accept, correct or reject it, add what is missing, and download the gold: evaluate refuses a gold
    that still holds a review mark. No outputs folder is touched.
    """
    _setup_logging(verbose, quiet)
    from . import api

    try:
        drafted = api.draft_gold(page, out_path, api.Config.load(resources), None if no_cache else cache_dir, force)
    except PipelineError as exc:
        _fail(exc)
    log.info("%d partners and %d items to review written to %s", drafted.partners, drafted.items, drafted.gold)
    log.info("review them in a browser: %s", drafted.page)
    for error in drafted.summary.errors:
        log.error(error.line())
    if drafted.summary.failed:
        log.warning("%d section(s) could not be analysed and are not in the draft: add them by hand",
                    drafted.summary.failed)
    if drafted.summary.exit_code:
        sys.exit(drafted.summary.exit_code)
