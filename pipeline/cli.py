"""The command line: ``python -m pipeline run [INPUT ...] [--out DIR]`` and friends.

The only module that imports click, reads input files and prints; it turns the project's errors
into one line on stderr and an exit code (0 success, 1 some inputs failed, 2 bad input, 3 cannot
write or set up).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import InputError, PipelineError
from .reading import MAX_BYTES, PAGE_SUFFIXES

GOLD_DIR = "gold"


def _fail(error: PipelineError) -> None:
    click.echo(f"error: {error.line()}", err=True)
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="omd-pipeline")
def main() -> None:
    """Extract partner organisations, agreements, dates and themes from French OMD pages."""


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="outputs", show_default=True, type=click.Path(path_type=Path),
              help="Folder to write partners.json and the CSV views into (replaced as a whole).")
def run(inputs: tuple[Path, ...], out_dir: Path) -> None:
    """Run the pipeline on INPUT files or folders (default: corpus/).

    A folder is searched for .txt, .html and .htm pages, leaving out its gold/ folder.
    """
    from . import export, pipeline  # heavy imports only for the command that needs them

    files, errors = collect_inputs(inputs or (Path("corpus"),))
    pages = []
    for path in files:
        try:
            pages.append((source_name(path), read_bytes(path)))
        except InputError as exc:
            errors.append(exc)
    try:
        documents, read_errors = pipeline.read_documents(pages)
        errors.extend(read_errors)
        for error in errors:
            click.echo(f"error: {error.line()}", err=True)
        if not documents:
            sys.exit(2)
        result = pipeline.run(documents)
        export.write_outputs(export.render(result), out_dir)
    except PipelineError as exc:
        _fail(exc)
    click.echo(
        f"{len(result.partners)} partners from {len(result.documents)} page(s) written to {out_dir}/",
        err=True,
    )
    if errors:
        sys.exit(1)
