"""Writes a run's results: ``partners.json`` (everything), flat CSV views and an Excel workbook for
spreadsheets, the Data Package that describes them, and an HTML page for reviewing the run.

Every table is validated against its schema before anything is written. All files of a run are
written into a fresh temporary folder beside the output folder, which then takes the output folder's
place, so a failed or interrupted run leaves the previous outputs whole. Text that a spreadsheet
would run as a formula is neutralised in CSV and XLSX, never in JSON.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path

from . import __version__
from .errors import OutputError
from .models import Partner, RunResult

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


def to_data(result: RunResult) -> dict:
    """The content of partners.json, as plain data."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "omd-partners-pipeline", "version": __version__, "spacy_model": SPACY_MODEL},
        "documents": [
            {"source": d.source, "sha256": d.sha256, "title": d.title, "n_sections": len(d.sections),
             "encoding": d.encoding, "ignored_lines": list(d.ignored)}
            for d in result.documents
        ],
        "partners": [_partner_json(p) for p in result.partners],
        "rejected": [asdict(r) for r in result.rejected],
    }


def to_json(result: RunResult, data: dict | None = None) -> str:
    return json.dumps(data or to_data(result), ensure_ascii=False, indent=2) + "\n"


def _partner_json(p: Partner) -> dict:
    data = asdict(p)
    # Key order as in SPEC.md; tuples become lists through asdict/json.
    order = ("partner_id", "source", "section_index", "heading", "name", "acronym", "text", "text_sha256",
             "organisations", "agreements", "dates", "themes")
    out = {key: data[key] for key in order}
    for org in out["organisations"]:
        org.pop("source", None)
    return out


def _label(org) -> str:
    return org.acronym or org.name


def rows(result: RunResult) -> dict[str, list[dict]]:
    """Every CSV view as a list of rows (dicts keyed by column), in document order."""
    tables: dict[str, list[dict]] = {name: [] for name in COLUMNS}
    for p in result.partners:
        key = {"source": p.source, "partner_id": p.partner_id}
        tables["partners.csv"].append({
            **key, "section_index": p.section_index, "heading": p.heading, "name": p.name,
            "acronym": p.acronym, "n_organisations": len(p.organisations),
            "n_agreements": len(p.agreements), "n_dates": len(p.dates), "n_themes": len(p.themes),
            "organisations": LIST_SEP.join(_label(o) for o in p.organisations),
            "agreement_types": LIST_SEP.join(a.type for a in p.agreements),
            "themes": LIST_SEP.join(t.code for t in p.themes),
            "text_sha256": p.text_sha256, "text": p.text,
        })
        for o in p.organisations:
            first = o.mentions[0] if o.mentions else None
            tables["organisations.csv"].append({
                **key, "name": o.name, "acronym": o.acronym, "n_mentions": len(o.mentions),
                "mentions": LIST_SEP.join(m.text for m in o.mentions),
                "start": first.start if first else None, "end": first.end if first else None,
            })
        for a in p.agreements:
            tables["agreements.csv"].append({
                **key, "type": a.type, "label": a.label, "parties": LIST_SEP.join(a.parties),
                "date": a.date, "date_precision": a.date_precision, "date_text": a.date_text,
                "status": a.status, "evidence": a.evidence, "start": a.start, "end": a.end,
            })
        for d in p.dates:
            tables["dates.csv"].append({**key, **{c: getattr(d, c) for c in COLUMNS["dates.csv"][2:]}})
        for t in p.themes:
            tables["themes.csv"].append({**key, "code": t.code, "label": t.label,
                                         "evidence": LIST_SEP.join(t.evidence)})
    for r in result.rejected:
        tables["rejected.csv"].append({"source": r.source, "position": r.position, "reason": r.reason,
                                       "text": r.text})
    return tables


def to_csv(columns: tuple[str, ...], table: list[dict]) -> str:
    """RFC 4180 CSV (CRLF, quoted where needed); a spreadsheet opens it with accents intact."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in table:
        writer.writerow(["" if row.get(c) is None else neutralise(row[c]) for c in columns])
    return buffer.getvalue()


def to_xlsx(tables: dict[str, list[dict]]) -> bytes:
    """One sheet per table and a README sheet; ISO dates stay text, no cell is ever a formula.

    Written in openpyxl's write-only mode, which streams rows instead of keeping a cell object for
    each of them: ten times less memory and several times faster on large runs.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from .schema import table_schemas

    book = Workbook(write_only=True)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    schemas = table_schemas()
    readme = [{"sheet": name.removesuffix(".csv"), "column": f["name"], "type": f["type"],
               "description": f["description"]} for name in COLUMNS for f in schemas[name]["fields"]]
    sheets = [("README", ("sheet", "column", "type", "description"), readme)]
    sheets += [(name.removesuffix(".csv"), columns, tables[name]) for name, columns in COLUMNS.items()]
    for title, columns, table in sheets:
        sheet = book.create_sheet(title)
        values = [[neutralise(row.get(c)) for c in columns] for row in table]
        widths = [max([len(c), *(len(str(v)) for v in col if v is not None)]) for c, col in
                  zip(columns, zip(*values, strict=True) if values else [()] * len(columns), strict=True)]
        for i, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(i)].width = min(max(width, 8), 60) + 2
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(values) + 1}"
        sheet.append([_cell(sheet, c, font=bold) for c in columns])
        long_columns = {i for i, width in enumerate(widths) if width > 60}
        for row in values:
            sheet.append([_cell(sheet, v, alignment=wrap) if i in long_columns and isinstance(v, str) else v
                          for i, v in enumerate(row)])
    buffer = io.BytesIO()
    book.save(buffer)
    return _deterministic_zip(buffer.getvalue())


def _cell(sheet, value, **style):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def _deterministic_zip(data: bytes) -> bytes:
    """The same workbook bytes on any day: fixed timestamps inside the zip and in its properties."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"<dcterms:(created|modified)([^>]*)>[^<]*</dcterms:\1>",
                                 rb"<dcterms:\1\2>2000-01-01T00:00:00Z</dcterms:\1>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, content)
    return out.getvalue()


def produce(result: RunResult, formats: tuple[str, ...] = FORMATS) -> Iterator[tuple[str, bytes]]:
    """Each output file's name and bytes, one at a time (a large run never holds them all), once the
    tables have passed their schema."""
    from . import schema

    tables = rows(result)
    schema.validate(tables)
    data = to_data(result)
    if "json" in formats:
        yield "partners.json", to_json(result, data).encode("utf-8")
    if "csv" in formats:
        for name, table in tables.items():
            # UTF-8 with BOM so that Excel detects the encoding; pandas.read_csv skips the BOM.
            yield name, to_csv(COLUMNS[name], table).encode("utf-8-sig")
        yield "datapackage.json", (json.dumps(schema.datapackage(__version__), ensure_ascii=False, indent=2)
                                   + "\n").encode("utf-8")
    if "xlsx" in formats:
        yield "partners.xlsx", to_xlsx(tables)
    if "html" in formats:
        from . import report

        yield "report.html", report.render(data).encode("utf-8")


def render(result: RunResult, formats: tuple[str, ...] = FORMATS) -> dict[str, bytes]:
    """Every output file's bytes, by file name."""
    return dict(produce(result, formats))


def write_outputs(files: dict[str, bytes] | Iterable[tuple[str, bytes]], out_dir: Path) -> None:
    """Replace ``out_dir`` by a folder holding exactly ``files`` (a mapping, or pairs produced one at a
    time), all at once."""
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
        for name, data in sorted(files.items()) if isinstance(files, dict) else files:
            (staging / name).write_bytes(data)
            del data  # a large run's files are written one after the other, never held together
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
    except BaseException:  # interrupted (Ctrl-C, SIGTERM): leave no partial folder behind
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
