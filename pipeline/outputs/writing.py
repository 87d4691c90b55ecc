"""Writes a run's outputs into a folder one partner at a time: ``partners.json``, the CSV views with
their Data Package, the workbook and the review page, every row checked against the schema as it
comes (and, for a page's history, its tables, sheets, timeline and ``history.json``). ``render`` gives
every file's bytes for a run held in memory.
"""

from __future__ import annotations

import csv
import itertools
import os
import shutil
import tempfile
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from .. import __version__
from ..config import Config
from ..models import Changes, Document, History, Partner, Rejected, RunResult
from . import report, schema, timeline
from .folder import CHANGES_FILE, FORMATS, HISTORY_FILE
from .rows import head_data, neutralise, partner_data, partner_rows, pretty, rejected_data, rejected_rows
from .tables import COLUMNS, HISTORY_COLUMNS
from .workbook import Workbook

_SLICE = 4096  # rows of rejected.csv made at a time


class Writer:
    """Writes a run's outputs into ``folder`` one partner at a time, so that a run of any size holds
    only the partner at hand: rows are checked against the schema and appended to every file as they
    come; ``close`` adds what is known only at the end (rejected text, totals, descriptor).
    """

    def __init__(self, folder: Path, formats: Sequence[str], documents: Sequence[Document], config: Config,
                 validate: bool = True, companions: bool = True) -> None:
        self.folder = Path(folder)
        self._companions = companions  # writes the files of no format (changes, history): one writer of a run does
        self.formats = tuple(formats)
        self.count = 0
        self._theme_codes = config.resources.themes.codes
        self._validator = schema.Validator(self._theme_codes) if validate else None
        self._files: list = []
        self._documents = documents
        head = head_data(documents, config)
        self._json = self._csv = self._book = self._report = self._sections = None
        if "json" in self.formats:
            self._json = self._open("partners.json", "wb")
            # Everything before the partners' list, as json.dumps would write it.
            self._json.write(pretty(head)[:-2] + b',\n  "partners": [')
        if "csv" in self.formats:
            self._csv = {}
            for name, columns in COLUMNS.items():
                # UTF-8 with BOM so that Excel detects the encoding; pandas.read_csv skips the BOM.
                handle = self._open(name, "w", encoding="utf-8-sig", newline="")
                writer = csv.writer(handle, lineterminator="\r\n")  # RFC 4180
                writer.writerow(columns)
                self._csv[name] = writer
        if "xlsx" in self.formats:
            self._book = Workbook(self.folder / "partners.xlsx", self.folder)
        if "html" in self.formats:
            self._report = report.Report(head)
            self._sections = self._open(".report-sections.tmp", "w", encoding="utf-8", newline="")

    def _open(self, name: str, mode: str, **options):
        handle = open(self.folder / name, mode, **options)  # noqa: SIM115 - closed by close()/abort()
        self._files.append(handle)
        return handle

    def add(self, partner: Partner) -> None:
        tables = partner_rows(partner)
        if self._validator:
            for name, table in tables.items():
                self._validator.rows(name, table)
        data = partner_data(partner) if self._json or self._report else None
        if self._json:
            self._json.write((b",\n    " if self.count else b"\n    ") + pretty(data).replace(b"\n", b"\n    "))
        self._tables(tables)
        if self._report:
            self._sections.write(self._report.section(data))
        self.count += 1

    def _tables(self, tables: dict[str, list[dict]]) -> None:
        if self._csv:
            for name, table in tables.items():
                columns = COLUMNS[name]
                self._csv[name].writerows(["" if row[c] is None else neutralise(row[c]) for c in columns]
                                          for row in table)
        if self._book:
            for name, table in tables.items():
                self._book.add(name, table)

    def close(self, failed: Sequence[Rejected] = (), changes: Changes | None = None,
              history: History | None = None) -> None:
        """Finish every file, rejected.csv with the ``failed`` sections then the lines of the pages set
        aside, with ``changes`` (since a previous run) the changes sheet, the report's changes section
        and the changes file, and with ``history`` (of the pages over their versions) history.csv and
        versions.csv, their sheets, the report's timeline and history.json; raise SchemaError (leaving
        the files to be discarded) if a row broke the schema."""
        rejected = itertools.chain(failed, *(d.set_aside() for d in self._documents))
        if self._json:
            self._json.write((b"\n  ]" if self.count else b"]") + b',\n  "rejected": [')
        n = 0
        # In slices: a page of a million lines set aside is written with the memory of a few thousand.
        while chunk := list(itertools.islice(rejected, _SLICE)):
            table = rejected_rows(chunk)
            if self._validator:
                self._validator.rows("rejected.csv", table)
            if self._json:
                self._json.write(b"".join((b",\n    " if n + i else b"\n    ") + pretty(rejected_data(r)).replace(
                    b"\n", b"\n    ") for i, r in enumerate(chunk)))
            self._tables({"rejected.csv": table})
            n += len(chunk)
        if history is not None:
            self._history(history)
        if self._validator:
            self._validator.finish()
        if self._json:
            self._json.write((b"\n  ]" if n else b"]") + b"\n}\n")
        if self._book:
            if changes is not None:
                self._book.changes(changes.fields, changes.rows)
            if history is not None:
                self._book.history(history.versions, history.rows)
            self._book.close()
        if self._report:
            self._report.changes = changes
            self._report.history = timeline.part(history.data) if history is not None else None
            self._sections.close()
            with open(self.folder / "report.html", "w", encoding="utf-8", newline="") as page, \
                    open(self._sections.name, encoding="utf-8", newline="") as sections:
                page.write(self._report.head())
                shutil.copyfileobj(sections, page)
                page.write(self._report.tail())
            os.remove(self._sections.name)
        for handle in self._files:
            handle.close()
        if self._csv:
            package = schema.datapackage(__version__, self._theme_codes, history=history is not None)
            (self.folder / "datapackage.json").write_bytes(pretty(package) + b"\n")
        if changes is not None and self._companions:
            (self.folder / CHANGES_FILE).write_bytes(changes.json)
        if history is not None and self._companions:
            (self.folder / HISTORY_FILE).write_bytes(history.json)

    def _history(self, history: History) -> None:
        """A history's tables: checked against their schema, written as CSV (the sheets and the
        timeline come with the workbook and the report)."""
        tables = {"history.csv": history.rows, "versions.csv": history.versions}
        if self._validator:
            for name, table in tables.items():
                self._validator.rows(name, list(table))
        if self._csv:
            for name, table in tables.items():
                with open(self.folder / name, "w", encoding="utf-8-sig", newline="") as handle:
                    writer = csv.writer(handle, lineterminator="\r\n")
                    writer.writerow(HISTORY_COLUMNS[name])
                    writer.writerows(["" if row[c] is None else neutralise(row[c]) for c in HISTORY_COLUMNS[name]]
                                     for row in table)

    def abort(self) -> None:
        # The workbook's own temporary files are in the folder, which the run discards. Closing may
        # fail as writing did (a full disk flushes nothing): the first error is the one to report.
        for handle in self._files:
            with suppress(OSError):
                handle.close()


def render(result: RunResult, config: Config, formats: Sequence[str] = FORMATS,
           changes: Changes | None = None, history: History | None = None) -> dict[str, bytes]:
    """Every output file's bytes, by file name (written through a temporary folder); with ``changes``
    since a previous run, or a ``history``, their parts too."""
    with tempfile.TemporaryDirectory() as folder:
        writer = Writer(Path(folder), formats, result.documents, config)
        for partner in result.partners:
            writer.add(partner)
        writer.close(result.failed, changes, history)
        return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir())}
