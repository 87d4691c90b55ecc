"""The workbook as Excel, Power Query and pivot tables see it: every sheet a named Excel table over its
header and rows (continuation sheets too), no "number stored as text" flag on ISO dates kept as text."""

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from pipeline.models import Agreement, DateMention, Document, Partner, RunResult, Section
from pipeline.outputs import tables, workbook, writing

SHEETS = ["README", "partners", "organisations", "agreements", "agreement_list", "dates", "themes", "rejected"]


def _result(n_partners=2) -> RunResult:
    partners = []
    for i in range(n_partners):
        text = f"L’OMD et l’UPU ont signé un Protocole d’accord en mai 1998. Vu en 2002. N{i}."
        partners.append(Partner(
            partner_id=f"p{i}", source="page.txt", section_index=i + 1, heading=f"Union {i} (UPU)", name=f"Union {i}",
            acronym="UPU", text=text, text_sha256="0" * 64,
            agreements=(Agreement("memorandum_of_understanding", "Protocole d’accord", ("OMD", "UPU"), "1998-05",
                                  "month", "en mai 1998", "signed", text.split(". ")[0] + ".", 27, 45),),
            dates=(DateMention("mai 1998", "1998-05", "month", "signature", 49, 57),
                   DateMention("2002", "2002", "year", "event", 66, 70)),
        ))
    sections = tuple(Section("page.txt", p.section_index, p.heading, p.text) for p in partners)
    return RunResult((Document("page.txt", "1" * 64, None, sections),), tuple(partners))


def _sheet_xml(raw: bytes) -> dict[str, str]:
    """Each sheet's XML by sheet name (XlsxWriter numbers the sheet files in the workbook's order)."""
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        names = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
        return {name: z.read(f"xl/worksheets/sheet{i}.xml").decode() for i, name in enumerate(names, 1)}


@pytest.fixture(scope="module")
def book_bytes(config):
    return writing.render(_result(), config, ("xlsx",))["partners.xlsx"]


def test_every_sheet_is_an_excel_table_named_after_it_over_its_header_and_rows(book_bytes):
    book = load_workbook(io.BytesIO(book_bytes))
    assert book.sheetnames == SHEETS
    rows = {"README": sum(len(f) for f in tables.TABLES.values()), "partners": 2, "organisations": 0,
            "agreements": 2, "agreement_list": 2, "dates": 4, "themes": 0, "rejected": 0}
    for name in SHEETS:
        sheet = book[name]
        columns = [c.value for c in sheet[1]]
        (table,) = sheet.tables.values()
        # a table holds at least one row: an empty one when the view has none
        ref = f"A1:{chr(ord('A') + len(columns) - 1)}{max(rows[name], 1) + 1}"
        assert (table.name, table.ref, table.autoFilter.ref) == (name, ref, ref)
        assert [c.name for c in table.tableColumns] == columns
        assert columns == (["sheet", "column", "type", "description"] if name == "README"
                           else list(tables.COLUMNS[f"{name}.csv"]))
        assert sheet.auto_filter.ref is None  # the table's filter only: two would make Excel repair the file


def test_no_number_stored_as_text_flag_on_iso_dates_which_stay_text(book_bytes):
    book = load_workbook(io.BytesIO(book_bytes))
    xml = _sheet_xml(book_bytes)
    for name in SHEETS:
        ref = book[name].tables[name].ref
        assert f'<ignoredErrors><ignoredError sqref="{ref}" numberStoredAsText="1"/></ignoredErrors>' in xml[name]
    dates = book["dates"]
    assert [(c.value, c.data_type) for c in dates["D"][1:]] == [("1998-05", "s"), ("2002", "s")] * 2
    listed = book["agreement_list"]
    columns = [c.value for c in listed[1]]
    date, year = listed.cell(2, columns.index("date") + 1), listed.cell(2, columns.index("year") + 1)
    assert (date.value, date.data_type, year.value, year.data_type) == ("1998-05", "s", 1998, "n")


def test_a_table_continued_on_other_sheets_is_a_table_on_each(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "XLSX_ROWS", 4)  # three rows and the header per sheet
    book = workbook.Workbook(tmp_path / "w.xlsx", tmp_path)
    columns = workbook.COLUMNS["rejected.csv"]
    book.add("rejected.csv", [{"source": "p.txt", "position": i + 1, "reason": "r", "text": f"t{i}"}
                              for i in range(8)])
    book.close()
    raw = (tmp_path / "w.xlsx").read_bytes()
    read = load_workbook(io.BytesIO(raw))
    found = {name: (t.name, t.ref) for name in read.sheetnames if name.startswith("rejected")
             for t in read[name].tables.values()}
    assert found == {"rejected": ("rejected", "A1:D4"), "rejected (2)": ("rejected_2", "A1:D4"),
                     "rejected (3)": ("rejected_3", "A1:D3")}
    assert all([c.value for c in read[name][1]] == list(columns) for name in found)
    assert 'sqref="A1:D3" numberStoredAsText="1"' in _sheet_xml(raw)["rejected (3)"]


def test_the_workbook_is_the_same_bytes_every_time(config, book_bytes):
    assert writing.render(_result(), config, ("xlsx",))["partners.xlsx"] == book_bytes


# Review of issue 14: booleans (organisations' is_partner) were written as the numbers 1 and 0.
def test_booleans_are_excel_booleans(tmp_path):
    columns = tables.COLUMNS["organisations.csv"]
    rows = [{**dict.fromkeys(columns, "x"), "n_mentions": 1, "start": 0, "end": 1, "is_partner": flag}
            for flag in (True, False)]
    book = workbook.Workbook(tmp_path / "b.xlsx", tmp_path)
    book.add("organisations.csv", rows)
    book.close()
    sheet = load_workbook(tmp_path / "b.xlsx")["organisations"]
    cells = [row[columns.index("is_partner")] for row in sheet.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells] == [(True, "b"), (False, "b")]
