"""Reads a run's tables back for analysis: every CSV view as a pandas DataFrame, each column typed
from the run's ``datapackage.json`` (``pipeline.load``, ``api.load``).

A plain ``pandas.read_csv`` guesses types from the values: a column of bare years (``2002``) or a
``partner_id`` such as ``1998`` turns into numbers, an acronym ``NA`` into a missing value. Here the
schema decides: text stays text (pandas ``string``), integers are nullable ``Int64``, numbers
``Float64``, booleans ``boolean``; an empty cell is missing (``<NA>``); columns keep the file's order.
Text is given as partners.json holds it: the ``'`` the CSV puts before text a spreadsheet would run
as a formula is taken off.

pandas is imported with this module, which ``api.load`` imports when it is called: ``--help``,
``import pipeline`` and the runs never load it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..text import FORMULA_START

DESCRIPTOR = "datapackage.json"
# The pandas dtype of each Table Schema type; another type (date, any…) is read as text.
DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean"}
# What Table Schema reads as true and false when a field does not say (trueValues, falseValues).
TRUE_VALUES = ("true", "True", "TRUE", "1")
FALSE_VALUES = ("false", "False", "FALSE", "0")
_NEUTRALISED = tuple("'" + start for start in FORMULA_START)
_AGAIN = "run the pipeline again into this folder"


class Tables(Mapping[str, pd.DataFrame]):
    """Every table of a run's outputs as a DataFrame, by its name in datapackage.json (``partners``,
    ``agreements``, ``agreement_list``…): ``tables.agreement_list`` or ``tables["agreement_list"]``.
    ``folder`` is where they were read, ``package`` the descriptor they were typed from."""

    def __init__(self, frames: dict[str, pd.DataFrame], folder: Path, package: dict) -> None:
        self.frames = frames
        self.folder = folder
        self.package = package

    def __getitem__(self, name: str) -> pd.DataFrame:
        try:
            return self.frames[name]
        except KeyError:
            raise KeyError(f"no table {name!r} (the tables: {', '.join(self.frames)})") from None

    def __getattr__(self, name: str) -> pd.DataFrame:
        frames = self.__dict__.get("frames", {})
        if name in frames:
            return frames[name]
        raise AttributeError(f"no table {name!r} (the tables: {', '.join(frames)})")

    def __iter__(self) -> Iterator[str]:
        return iter(self.frames)

    def __len__(self) -> int:
        return len(self.frames)

    def __dir__(self) -> list[str]:  # tables.<Tab> in a notebook offers the tables
        return [*super().__dir__(), *self.frames]

    def __repr__(self) -> str:
        tables = ", ".join(f"{name} ({len(frame)} rows)" for name, frame in self.frames.items())
        return f"<Tables of {self.folder}: {tables}>"


def load(outputs: Path | str) -> Tables:
    """Every table described by the ``datapackage.json`` of ``outputs`` (a run's folder, or that file),
    typed from it. Raises InputError (one line: the file, what is wrong, what to do) when there is no
    descriptor, a table it lists is missing, or a file does not hold what the descriptor says."""
    path = Path(outputs)
    if not path.exists():
        raise InputError(str(path), "no such folder or file", "give the --out folder of a run, or its datapackage.json")
    descriptor = path / DESCRIPTOR if path.is_dir() else path
    if not descriptor.is_file():
        raise InputError(str(path), f"no {DESCRIPTOR} in this folder",
                         "give the --out folder of a run that wrote CSV (the default formats do)")
    try:
        package = json.loads(descriptor.read_bytes())
    except OSError as exc:
        raise InputError(str(descriptor), f"cannot be read: {exc.strerror}", "check its permissions") from exc
    except ValueError as exc:
        raise InputError(str(descriptor), f"not JSON ({exc})", f"give the {DESCRIPTOR} a run wrote") from exc
    resources = package.get("resources") if isinstance(package, dict) else None
    if not isinstance(resources, list) or not resources or not all(
            isinstance(r, dict) and isinstance(r.get("name"), str) and isinstance(r.get("path"), str)
            and isinstance(r.get("schema"), dict) and isinstance(r["schema"].get("fields"), list)
            and isinstance(r.get("dialect", {}), dict) for r in resources):
        raise InputError(str(descriptor), "not a Data Package: no resources, each with a name, a path and a schema",
                         f"give the {DESCRIPTOR} a run wrote")
    # A path read from the file is never trusted: a table is a plain file name beside the descriptor.
    outside = [r["path"] for r in resources if not _PLAIN.fullmatch(r["path"])]
    if outside:
        raise InputError(str(descriptor), f"a table's path is not a file name beside it: {', '.join(outside)}",
                         f"give the {DESCRIPTOR} a run wrote")
    return Tables({r["name"]: _frame(descriptor.parent, r) for r in resources}, descriptor.parent, package)


_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def _frame(folder: Path, resource: dict) -> pd.DataFrame:
    """One table, read as its Table Schema says."""
    path = folder / resource["path"]
    if not path.is_file():
        raise InputError(str(path), f"missing: {DESCRIPTOR} lists the table {resource['name']!r}", _AGAIN)
    schema, dialect = resource["schema"], resource.get("dialect", {})
    fields = {f["name"]: f for f in schema["fields"]}
    # Booleans are read as text, then by the field's own words for true and false.
    dtypes = {name: "string" if f.get("type") == "boolean" else DTYPES.get(f.get("type"), "string")
              for name, f in fields.items()}
    try:
        frame = pd.read_csv(path, encoding=resource.get("encoding", "utf-8"), sep=dialect.get("delimiter", ","),
                            quotechar=dialect.get("quoteChar", '"'), dtype=dtypes, keep_default_na=False,
                            na_values=schema.get("missingValues", [""]), skip_blank_lines=False)
    except (ValueError, UnicodeError, pd.errors.ParserError) as exc:
        raise InputError(str(path), f"cannot be read as {DESCRIPTOR} describes it: {_first_line(exc)}",
                         _AGAIN) from exc
    if list(frame.columns) != list(fields):
        raise InputError(str(path), f"its columns ({', '.join(map(str, frame.columns))}) are not those "
                         f"{DESCRIPTOR} describes ({', '.join(fields)})", _AGAIN)
    for name, field in fields.items():
        column = frame[name]
        if field.get("type") == "boolean":
            frame[name] = _booleans(path, name, column, field)
        elif dtypes[name] == "string":
            quoted = column.str.startswith(_NEUTRALISED).fillna(False)
            if quoted.any():
                frame[name] = column.mask(quoted, column.str.slice(1))
    return frame


def _booleans(path: Path, name: str, column: pd.Series, field: dict) -> pd.Series:
    trues, falses = set(field.get("trueValues", TRUE_VALUES)), set(field.get("falseValues", FALSE_VALUES))
    unknown = column[column.notna() & ~column.isin(trues | falses)]
    if len(unknown):
        raise InputError(str(path), f"column {name}: {unknown.iloc[0]!r} is not a boolean",
                         f"the values are {', '.join(sorted(trues | falses))}")
    return column.isin(trues).astype("boolean").mask(column.isna())


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
