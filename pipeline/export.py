"""Writes a run's results: ``partners.json`` (everything), flat CSV views and an Excel workbook for
spreadsheets, the Data Package that describes them, and an HTML page for reviewing the run.

Every table is validated against its schema before anything is written. All files of a run are
written into a fresh temporary folder beside the output folder, which then takes the output folder's
place, so a failed or interrupted run leaves the previous outputs whole. Text that a spreadsheet
would run as a formula is neutralised in CSV and XLSX, never in JSON.
"""

from __future__ import annotations

import csv
import os
import pickle
import queue
import re
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

from . import __version__
from .errors import OutputError, PipelineError
from .models import Document, Partner, Rejected, RunResult

SCHEMA_VERSION = "1.0"
SPACY_MODEL = "fr_core_news_sm 3.8.0"
LIST_SEP = "; "

# Column order of each CSV view: keys first, then the item's fields in the order of SPEC.md.
COLUMNS: dict[str, tuple[str, ...]] = {
    "partners.csv": (
        "source", "partner_id", "section_index", "heading", "name", "acronym",
        "n_organisations", "n_agreements", "n_dates", "n_themes",
        "organisations", "agreement_types", "themes", "text_sha256", "text",
    ),
    "organisations.csv": (
        "source", "partner_id", "name", "acronym", "n_mentions", "mentions", "start", "end",
    ),
    "agreements.csv": (
        "source", "partner_id", "type", "label", "parties", "date", "date_precision", "date_text",
        "status", "evidence", "start", "end",
    ),
    "dates.csv": ("source", "partner_id", "text", "value", "precision", "role", "start", "end"),
    "themes.csv": ("source", "partner_id", "code", "label", "evidence"),
    "rejected.csv": ("source", "position", "reason", "text"),
}
FORMATS = ("json", "csv", "xlsx", "html")
OUTPUT_FILES = ("partners.json", *COLUMNS, "datapackage.json", "partners.xlsx", "report.html")
# A cell starting with one of these is read as a formula by Excel, LibreOffice or Google Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def head_data(documents: Sequence[Document]) -> dict:
    """The part of partners.json that comes before the partners."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "omd-partners-pipeline", "version": __version__, "spacy_model": SPACY_MODEL},
        "documents": [
            {"source": d.source, "sha256": d.sha256, "title": d.title, "n_sections": len(d.sections),
             "encoding": d.encoding, "ignored_lines": list(d.ignored)}
            for d in documents
        ],
    }


def to_data(result: RunResult) -> dict:
    """The content of partners.json, as plain data."""
    return {**head_data(result.documents), "partners": [partner_data(p) for p in result.partners],
            "rejected": [rejected_data(r) for r in result.rejected]}


def to_json(result: RunResult, data: dict | None = None) -> str:
    return _pretty(data or to_data(result)).decode("utf-8") + "\n"


def _pretty(value) -> bytes:
    """JSON indented by two spaces, characters as written: the bytes ``json.dumps(value, indent=2,
    ensure_ascii=False)`` gives, at a fraction of its cost."""
    import msgspec

    return msgspec.json.format(msgspec.json.encode(value), indent=2)


def _mentions(mentions) -> list[dict]:
    return [{"text": m.text, "start": m.start, "end": m.end} for m in mentions]


def partner_data(p: Partner) -> dict:
    """A partner's entry in partners.json, keys in the order of SPEC.md."""
    return {
        "partner_id": p.partner_id, "source": p.source, "section_index": p.section_index, "heading": p.heading,
        "name": p.name, "acronym": p.acronym, "text": p.text, "text_sha256": p.text_sha256,
        "organisations": [{"name": o.name, "acronym": o.acronym, "mentions": _mentions(o.mentions)}
                          for o in p.organisations],
        "agreements": [{"type": a.type, "label": a.label, "parties": list(a.parties), "date": a.date,
                        "date_precision": a.date_precision, "date_text": a.date_text, "status": a.status,
                        "evidence": a.evidence, "start": a.start, "end": a.end} for a in p.agreements],
        "dates": [{"text": d.text, "value": d.value, "precision": d.precision, "role": d.role, "start": d.start,
                   "end": d.end} for d in p.dates],
        "themes": [{"code": t.code, "label": t.label, "evidence": list(t.evidence)} for t in p.themes],
    }


def rejected_data(r: Rejected) -> dict:
    return {"source": r.source, "position": r.position, "text": r.text, "reason": r.reason}


def _label(org) -> str:
    return org.acronym or org.name


def partner_rows(p: Partner) -> dict[str, list[dict]]:
    """A partner's rows in each CSV view (dicts keyed by column)."""
    key = {"source": p.source, "partner_id": p.partner_id}
    return {
        "partners.csv": [{
            **key, "section_index": p.section_index, "heading": p.heading, "name": p.name,
            "acronym": p.acronym, "n_organisations": len(p.organisations),
            "n_agreements": len(p.agreements), "n_dates": len(p.dates), "n_themes": len(p.themes),
            "organisations": LIST_SEP.join(_label(o) for o in p.organisations),
            "agreement_types": LIST_SEP.join(a.type for a in p.agreements),
            "themes": LIST_SEP.join(t.code for t in p.themes),
            "text_sha256": p.text_sha256, "text": p.text,
        }],
        "organisations.csv": [{
            **key, "name": o.name, "acronym": o.acronym, "n_mentions": len(o.mentions),
            "mentions": LIST_SEP.join(m.text for m in o.mentions),
            "start": o.mentions[0].start if o.mentions else None, "end": o.mentions[0].end if o.mentions else None,
        } for o in p.organisations],
        "agreements.csv": [{
            **key, "type": a.type, "label": a.label, "parties": LIST_SEP.join(a.parties),
            "date": a.date, "date_precision": a.date_precision, "date_text": a.date_text,
            "status": a.status, "evidence": a.evidence, "start": a.start, "end": a.end,
        } for a in p.agreements],
        "dates.csv": [{**key, "text": d.text, "value": d.value, "precision": d.precision, "role": d.role,
                       "start": d.start, "end": d.end} for d in p.dates],
        "themes.csv": [{**key, "code": t.code, "label": t.label, "evidence": LIST_SEP.join(t.evidence)}
                       for t in p.themes],
    }


def rejected_rows(rejected: Iterable[Rejected]) -> list[dict]:
    return [{"source": r.source, "position": r.position, "reason": r.reason, "text": r.text} for r in rejected]


def rows(result: RunResult) -> dict[str, list[dict]]:
    """Every CSV view as a list of rows (dicts keyed by column), in document order."""
    tables: dict[str, list[dict]] = {name: [] for name in COLUMNS}
    for p in result.partners:
        for name, table in partner_rows(p).items():
            tables[name].extend(table)
    tables["rejected.csv"] = rejected_rows(result.rejected)
    return tables


class Writer:
    """Writes a run's outputs into ``folder`` one partner at a time, so that a run of any size holds
    only the partner at hand: rows are checked against the schema and appended to every file as they
    come; ``close`` adds what is known only at the end (rejected text, totals, descriptor).
    """

    def __init__(self, folder: Path, formats: Sequence[str], documents: Sequence[Document],
                 validate: bool = True) -> None:
        from . import report, schema

        self.folder = Path(folder)
        self.formats = tuple(formats)
        self.count = 0
        self._validator = schema.Validator() if validate else None
        self._files: list = []
        head = head_data(documents)
        self._json = self._csv = self._book = self._report = self._sections = None
        if "json" in self.formats:
            self._json = self._open("partners.json", "wb")
            # Everything before the partners' list, as json.dumps would write it.
            self._json.write(_pretty(head)[:-2] + b',\n  "partners": [')
        if "csv" in self.formats:
            self._csv = {}
            for name, columns in COLUMNS.items():
                # UTF-8 with BOM so that Excel detects the encoding; pandas.read_csv skips the BOM.
                handle = self._open(name, "w", encoding="utf-8-sig", newline="")
                writer = csv.writer(handle, lineterminator="\r\n")  # RFC 4180
                writer.writerow(columns)
                self._csv[name] = writer
        if "xlsx" in self.formats:
            self._book = _Workbook(self.folder / "partners.xlsx", self.folder)
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
            self._json.write((b",\n    " if self.count else b"\n    ") + _pretty(data).replace(b"\n", b"\n    "))
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

    def close(self, rejected: Sequence[Rejected] = ()) -> None:
        """Finish every file; raise SchemaError (leaving the files to be discarded) if a row broke the schema."""
        from . import schema

        table = rejected_rows(rejected)
        if self._validator:
            self._validator.rows("rejected.csv", table)
            self._validator.finish()
        if self._json:
            listing = _pretty([rejected_data(r) for r in rejected]).replace(b"\n", b"\n  ")
            self._json.write((b"\n  ]" if self.count else b"]") + b',\n  "rejected": ' + listing + b"\n}\n")
        self._tables({"rejected.csv": table})
        if self._book:
            self._book.close()
        if self._report:
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
            (self.folder / "datapackage.json").write_bytes(_pretty(schema.datapackage(__version__)) + b"\n")

    def abort(self) -> None:
        # The workbook's own temporary files are in the folder, which the run discards.
        for handle in self._files:
            handle.close()


# Excel's limit on the characters of one cell: longer text is cut, and says so.
XLSX_CELL_MAX = 32767
_CUT = " […] (texte coupé : limite d’Excel ; entier dans le CSV et le JSON)"


class _Workbook:
    """partners.xlsx: one sheet per table and a README sheet; ISO dates stay text, no cell is ever a
    formula. XlsxWriter's constant-memory mode writes each row out as it is added."""

    def __init__(self, path: Path, tmpdir: Path) -> None:
        import xlsxwriter

        from .schema import table_schemas

        self.book = xlsxwriter.Workbook(str(path), {
            "constant_memory": True, "tmpdir": str(tmpdir),
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        })
        self.book.set_properties({"created": datetime(2000, 1, 1)})  # the same bytes on any day
        self.bold = self.book.add_format({"bold": True})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        schemas = table_schemas()
        readme = [{"sheet": name.removesuffix(".csv"), "column": f["name"], "type": f["type"],
                   "description": f["description"]} for name in COLUMNS for f in schemas[name]["fields"]]
        self.sheets: dict[str, list] = {}
        for name, columns in [("README", ("sheet", "column", "type", "description")), *COLUMNS.items()]:
            sheet = self.book.add_worksheet(name.removesuffix(".csv"))
            sheet.write_row(0, 0, columns, self.bold)
            sheet.freeze_panes(1, 0)
            self.sheets[name] = [sheet, columns, 1, [len(c) for c in columns]]
        self.add("README", readme)

    def add(self, name: str, table: list[dict]) -> None:
        entry = self.sheets[name]
        sheet, columns, row, widths = entry
        write_string, write_number = sheet.write_string, sheet.write_number
        for values in table:
            for col, column in enumerate(columns):
                value = values[column]
                if value.__class__ is str:
                    value = neutralise(value)
                    if len(value) > XLSX_CELL_MAX:
                        value = value[:XLSX_CELL_MAX - len(_CUT)] + _CUT
                    write_string(row, col, value)
                    if len(value) > widths[col]:
                        widths[col] = len(value)
                elif value is not None:
                    write_number(row, col, value)
                    widths[col] = max(widths[col], len(str(value)))
            row += 1
        entry[2] = row

    def close(self) -> None:
        for sheet, columns, row, widths in self.sheets.values():
            for col, width in enumerate(widths):
                # Long text (section text, evidence) wraps in a column of readable width.
                sheet.set_column(col, col, min(max(width, 8), 60) + 2, self.wrap if width > 60 else None)
            sheet.autofilter(0, 0, row - 1, len(columns) - 1)
        self.book.close()


class BackgroundWriters:
    """``Writer``s in processes of their own, fed partners through pipes: the outputs are written on
    the second core while this one analyses the next sections. The workbook, the costliest file, has
    a process to itself, so that a re-run of cached sections writes on both cores. Each partner is
    pickled once for all; the pipes' small buffers keep everyone in step, so no process ever holds
    more than a few partners."""

    def __init__(self, folder: Path, formats: Sequence[str], documents: Sequence[Document]) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        groups = [g for g in ([f for f in formats if f != "xlsx"], [f for f in formats if f == "xlsx"]) if g]
        self._children = []
        for i, group in enumerate(groups):
            conn, child = context.Pipe()
            # The rows are checked against the schema once, by the first writer.
            process = context.Process(target=_serve, args=(child, conn, folder, group, documents, i == 0),
                                      name=f"omd-writer-{'-'.join(group)}", daemon=True)
            process.start()
            child.close()
            self._children.append((conn, process, _Feed(conn)))
        self.count = 0

    def _send(self, message: tuple) -> None:
        data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        for conn, process, feed in self._children:
            if feed.broken:  # that writer stopped: its reason is waiting in the pipe
                self._reply(conn, process)
            feed.put(data)

    @staticmethod
    def _reply(conn, process) -> None:
        try:
            status, value = conn.recv()
        except (EOFError, OSError):
            status, value = "error", OutputError("outputs", "the process writing the outputs stopped unexpectedly",
                                                 "run again; if it recurs, report it")
        process.join()
        if status == "error":
            raise value

    def add(self, partner: Partner) -> None:
        self._send(("add", partner))
        self.count += 1

    def close(self, rejected: Sequence[Rejected] = ()) -> None:
        self._send(("close", tuple(rejected)))
        for conn, process, feed in self._children:
            feed.finish()
            self._reply(conn, process)

    def abort(self) -> None:
        for conn, process, feed in self._children:
            if process.is_alive():
                process.terminate()
            process.join()
            feed.finish()
            conn.close()


class _Feed:
    """Sends a writer its messages from a thread, so that the run is never held up by the slowest
    writer: what that writer has not taken yet waits here (at most the run's pickled partners, a
    few kilobytes each, and only when the sections come from the cache faster than it writes)."""

    def __init__(self, conn) -> None:
        self._conn = conn
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self.broken = False
        self._thread = threading.Thread(target=self._run, name="omd-writer-feed", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            try:
                self._conn.send_bytes(data)
            except OSError:
                self.broken = True
                return

    def put(self, data: bytes) -> None:
        self._queue.put(data)

    def finish(self) -> None:
        self._queue.put(None)
        self._thread.join()


def _serve(conn, parent_end, folder: Path, formats: Sequence[str], documents: Sequence[Document],
           validate: bool) -> None:
    parent_end.close()  # else the pipe would never tell this process that the run has gone
    writer = None
    try:
        writer = Writer(folder, formats, documents, validate=validate)
        while True:
            command, value = pickle.loads(conn.recv_bytes())
            if command == "add":
                writer.add(value)
            else:
                writer.close(value)
                conn.send(("ok", None))
                return
    except EOFError:  # the run stopped without closing: its outputs are discarded by the run
        if writer:
            writer.abort()
    except BaseException as exc:  # noqa: BLE001 - reported to the run, which raises it
        if writer:
            writer.abort()
        error = exc if isinstance(exc, OutputError | PipelineError) else OutputError(
            "outputs", f"writing failed: {type(exc).__name__}: {exc}", "this is a bug: please report it")
        if isinstance(exc, OSError):
            error = OutputError(str(folder), f"cannot write the outputs: {exc.strerror or exc}")
        with suppress(OSError):
            conn.send(("error", error))


def write_run(out_dir: Path, formats: Sequence[str], documents: Sequence[Document],
              items: Iterable[Partner | Rejected], set_aside: Sequence[Rejected] = (),
              background: bool = True) -> tuple[int, list[Rejected]]:
    """Write a run's outputs as its ``items`` come (partners, and sections that failed), then replace
    ``out_dir`` with them at once. Returns the number of partners written and the failed sections."""
    failed: list[Rejected] = []
    with staged(out_dir) as folder:
        writer = (BackgroundWriters if background else Writer)(folder, formats, documents)
        try:
            for item in items:
                if isinstance(item, Partner):
                    writer.add(item)
                else:
                    failed.append(item)
            writer.close([*failed, *set_aside])
        except BaseException:
            writer.abort()
            raise
    return writer.count, failed


def render(result: RunResult, formats: tuple[str, ...] = FORMATS) -> dict[str, bytes]:
    """Every output file's bytes, by file name (written through a temporary folder)."""
    with tempfile.TemporaryDirectory() as folder:
        writer = Writer(Path(folder), formats, result.documents)
        for partner in result.partners:
            writer.add(partner)
        writer.close(result.rejected)
        return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir())}


def write_outputs(files: dict[str, bytes] | Iterable[tuple[str, bytes]], out_dir: Path) -> None:
    """Replace ``out_dir`` by a folder holding exactly ``files`` (a mapping, or pairs), all at once."""
    with staged(out_dir) as folder:
        for name, data in sorted(files.items()) if isinstance(files, dict) else files:
            (folder / name).write_bytes(data)


def copy_outputs(folder: Path, names: Iterable[str], out_dir: Path) -> None:
    """Replace ``out_dir`` by copies of the named files of ``folder`` (the outputs of an identical run)."""
    with staged(out_dir) as staging:
        for name in names:
            shutil.copyfile(Path(folder) / name, staging / name)


@contextmanager
def staged(out_dir: Path) -> Iterator[Path]:
    """A fresh folder beside ``out_dir`` to write into, which replaces ``out_dir`` as a whole when the
    block ends well and is removed when it does not (error, Ctrl-C, SIGTERM)."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(str(out_dir), "exists and is not a folder", "give --out a folder")
    if out_dir.is_dir():
        foreign = sorted(p.name for p in out_dir.iterdir() if not _ours(p.name))
        if foreign:
            raise OutputError(str(out_dir), f"holds files this tool did not write ({', '.join(foreign[:3])})",
                              "give --out an empty or new folder")
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _recover(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-{os.getpid()}-", dir=parent))
    except OSError as exc:
        raise OutputError(str(out_dir), f"cannot create the output folder: {exc.strerror}") from exc
    try:
        yield staging
        if out_dir.is_dir():
            # Keep what a later command (evaluate) wrote only if it still describes these outputs:
            # it never does after a new run, so the old folder goes whole.
            old = parent / f".{out_dir.name}.old-{os.getpid()}"
            os.rename(out_dir, old)
            os.rename(staging, out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(staging, out_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(str(out_dir), f"cannot write the outputs: {exc.strerror}") from exc
    except BaseException:  # a failed run, or interrupted (Ctrl-C, SIGTERM): leave no partial folder behind
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _recover(out_dir: Path) -> None:
    """Clear what a killed run left beside the output folder, and put back a folder it was replacing."""
    leftovers = sorted(out_dir.parent.glob(f".{out_dir.name}.old-*"))
    if leftovers and not out_dir.exists():
        os.rename(leftovers.pop(), out_dir)  # killed between the two renames: the old outputs come back
    for path in [*leftovers, *out_dir.parent.glob(f".{out_dir.name}.tmp-*")]:
        pid = re.split(r"\.(?:tmp|old)-", path.name)[-1].split("-")[0]
        if path.is_dir() and not _alive(pid):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: str) -> bool:
    """Whether the run that named a folder with this pid is still running (then its folder stays)."""
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except OSError:
        return False
    return True


def _ours(name: str) -> bool:
    return name in OUTPUT_FILES or name in (".gitkeep", "evaluation.json", "changes.json", "run.log")
