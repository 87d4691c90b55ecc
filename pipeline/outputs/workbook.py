"""``partners.xlsx``: one sheet per CSV view and a README sheet describing each column (and, for a
run given a previous one, a ``changes`` sheet; for a page's history, a ``history`` and a ``versions``
sheet), each sheet an Excel table (named after its view: Power Query and pivot tables list it) over
its header and rows.

ISO dates stay text, without Excel's "number stored as text" flag, and no cell is ever a formula;
XlsxWriter's constant-memory mode writes each row out as it is added, so a workbook of any size
costs the memory of one row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_range

from .rows import neutralise
from .tables import COLUMNS, HISTORY_COLUMNS, HISTORY_TABLES, TABLES

# Excel's limit on the characters of one cell: longer text is cut, and says so.
XLSX_CELL_MAX = 32767
# Excel's limit on the rows of one sheet, the header included: a longer table goes on in another sheet,
# "agreements (2)", with the same header (the CSV and JSON hold it whole).
XLSX_ROWS = 1_048_576
_CUT = " […] (texte coupé : limite d’Excel ; entier dans le CSV et le JSON)"


class Workbook:
    """The workbook, written sheet row by sheet row as partners come."""

    def __init__(self, path: Path, tmpdir: Path) -> None:
        self.book = xlsxwriter.Workbook(str(path), {
            "constant_memory": True, "tmpdir": str(tmpdir),
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        })
        self.book.set_properties({"created": datetime(2000, 1, 1)})  # the same bytes on any day
        self.bold = self.book.add_format({"bold": True})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        readme = [{"sheet": name.removesuffix(".csv"), "column": f["name"], "type": f["type"],
                   "description": f["description"]} for name, fields in TABLES.items() for f in fields]
        self.sheets: dict[str, list] = {}
        self.full: list[list] = []  # the sheets a table has filled, finished at the end
        self.parts: dict[str, int] = {}  # a table -> the number of sheets it spans
        for name, columns in [("README", ("sheet", "column", "type", "description")), *COLUMNS.items()]:
            self.sheets[name] = self._sheet(name.removesuffix(".csv"), columns)
        self.add("README", readme)

    def _sheet(self, title: str, columns: Sequence[str]) -> list:
        sheet = self.book.add_worksheet(title)
        # The sheet's Excel table, named after it ("agreements (2)": agreements_2). XlsxWriter refuses
        # add_table in constant-memory mode (the header cells it writes could come after rows already
        # on disk), and it notes every cell of a table's range (a million-row table would cost
        # gigabytes). So the table is added now, before any row, over the header and one row, with
        # that mode off for the call; add_table writes the header cells as shared strings (numbers
        # into a table a constant-memory sheet does not write), so the header is written again over
        # them as every cell is; ``close`` stretches the table over the rows the sheet holds.
        # (XlsxWriter is pinned; the tests read the tables back.)
        sheet.constant_memory = False
        sheet.add_table(0, 0, 1, len(columns) - 1, {"name": re.sub(r"\W+", "_", title).strip("_"),
                                                     "columns": [{"header": c} for c in columns]})
        sheet.constant_memory = True
        sheet.write_row(0, 0, columns, self.bold)
        sheet.freeze_panes(1, 0)
        return [sheet, columns, 1, [len(c) for c in columns]]

    def add(self, name: str, table: Sequence[dict]) -> None:
        entry = self.sheets[name]
        sheet, columns, row, widths = entry
        write_string, write_number = sheet.write_string, sheet.write_number
        for values in table:
            if row == XLSX_ROWS:  # this sheet is full: the table goes on in the next one
                entry[2] = row
                self.full.append(entry)
                self.parts[name] = self.parts.get(name, 1) + 1
                title = f"{name.removesuffix('.csv')} ({self.parts[name]})"
                entry = self.sheets[name] = self._sheet(title[:31], columns)
                sheet, columns, row, widths = entry
                write_string, write_number = sheet.write_string, sheet.write_number
            for col, column in enumerate(columns):
                value = values[column]
                if value.__class__ is str:
                    value = neutralise(value)
                    if len(value) > XLSX_CELL_MAX:
                        value = value[:XLSX_CELL_MAX - len(_CUT)] + _CUT
                    write_string(row, col, value)
                    if len(value) > widths[col]:
                        widths[col] = len(value)
                elif value.__class__ is bool:  # TRUE/FALSE, not 1/0 (a bool is an int to write_number)
                    sheet.write_boolean(row, col, value)
                    widths[col] = max(widths[col], 5)
                elif value is not None:
                    write_number(row, col, value)
                    widths[col] = max(widths[col], len(str(value)))
            row += 1
        entry[2] = row

    def changes(self, fields: Sequence[tuple[str, str]], rows: Sequence[dict]) -> None:
        """The changes since a previous run: a sheet of their own, described in the README sheet, and
        the one the workbook opens on (it is made last, once the whole run is known)."""
        self.sheets["changes"] = self._sheet("changes", [name for name, _ in fields])
        self.add("README", [{"sheet": "changes", "column": name, "type": "string", "description": description}
                            for name, description in fields])
        self.add("changes", rows)
        self.sheets["changes"][0].activate()

    def history(self, versions: Sequence[dict], rows: Sequence[dict]) -> None:
        """A page's history: a ``history`` sheet (a row per partner and per agreement followed across
        the versions) and a ``versions`` sheet, described in the README sheet; the workbook opens on
        the history."""
        for name, table in (("history.csv", rows), ("versions.csv", versions)):
            self.sheets[name] = self._sheet(name.removesuffix(".csv"), HISTORY_COLUMNS[name])
            self.add("README", [{"sheet": name.removesuffix(".csv"), "column": f["name"], "type": f["type"],
                                 "description": f["description"]} for f in HISTORY_TABLES[name]])
            self.add(name, table)
        self.sheets["history.csv"][0].activate()

    def close(self) -> None:
        for sheet, columns, row, widths in [*self.full, *self.sheets.values()]:
            for col, width in enumerate(widths):
                # Long text (section text, evidence) wraps in a column of readable width.
                sheet.set_column(col, col, min(max(width, 8), 60) + 2, self.wrap if width > 60 else None)
            # A table holds at least one row (an empty one when its view has none).
            cells = xl_range(0, 0, max(row - 1, 1), len(columns) - 1)
            (table,) = sheet.tables
            table["range"] = table["a_range"] = table["autofilter"] = cells
            # ISO dates and years are text on purpose: no green flag on each of them.
            sheet.ignore_errors({"number_stored_as_text": cells})
        self.book.close()
