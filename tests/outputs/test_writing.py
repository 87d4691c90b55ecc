"""The written views: CSV that Excel and pandas both read, a workbook, a described and validated dataset."""

import csv
import io
import json
import multiprocessing
from dataclasses import replace

import pandas as pd
import pytest
import time_machine
from conftest import SEED
from openpyxl import load_workbook

from pipeline.analysis import run
from pipeline.models import (
    Agreement,
    DateMention,
    Document,
    Mention,
    Organisation,
    Partner,
    RawPage,
    RunResult,
    Section,
    Theme,
)
from pipeline.outputs import background, report, rows, schema, tables, workbook, writing
from pipeline.outputs.folder import FORMATS
from pipeline.stages.sections import read_documents
from pipeline.tools import diff
from pipeline.tools import history as following
from pipeline.tools.load import load

HOSTILE = '=HYPERLINK("http://x","y")'


def _result(heading="Union postale universelle (UPU)", text=None) -> RunResult:
    text = text or f"L’UPU et l’OMD ont signé un Mémorandum d’accord en mai 1998. {HOSTILE}"
    upu = text.index("UPU")
    partner = Partner(
        partner_id="upu", source="page.txt", section_index=1, heading=heading, name="Union postale universelle",
        acronym="UPU", text=text, text_sha256="0" * 64,
        organisations=(Organisation("Union postale universelle", "UPU", (Mention("UPU", upu, upu + 3),)),),
        agreements=(Agreement("memorandum_of_understanding", "Mémorandum d’accord", ("OMD", "UPU"), "1998-05",
                              "month", "en mai 1998", "signed", "L’UPU et l’OMD ont signé.", 28, 47),),
        dates=(DateMention("mai 1998", "1998-05", "month", "signature", 50, 58),
               DateMention("2002", "2002", "year", "event", 0, 4)),
        themes=(Theme("capacity_building", "Formation", ("formation",)),),
    )
    doc = Document("page.txt", "1" * 64, None, (Section("page.txt", 1, heading, text),))
    return RunResult((doc,), (partner,))


@pytest.mark.parametrize(("value", "expected"), [
    (HOSTILE, "'" + HOSTILE), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Organisation", "Organisation"), ("1998-05", "1998-05"), (42, 42), (None, None),
])
def test_neutralise(value, expected):
    assert rows.neutralise(value) == expected


def test_csv_is_excel_and_pandas_friendly(config):
    files = writing.render(_result(heading=HOSTILE), config, ("csv",))
    raw = files["dates.csv"]
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    assert b"\r\n" in raw
    frame = pd.read_csv(io.BytesIO(raw))
    assert list(frame.columns) == list(tables.COLUMNS["dates.csv"])
    assert frame["value"].astype(str).tolist() == ["1998-05", "2002"]
    partners = list(csv.DictReader(io.StringIO(files["partners.csv"].decode("utf-8-sig"))))
    assert partners[0]["heading"] == "'" + HOSTILE  # neutralised in CSV
    assert partners[0]["text"].endswith(" " + HOSTILE)  # inside a cell: no formula, left as written


def test_json_keeps_text_unchanged(config):
    data = json.loads(writing.render(_result(), config, ("json",))["partners.json"])
    assert data["partners"][0]["text"].endswith(HOSTILE)


def test_workbook_sheets_header_iso_text_and_no_formula(config):
    book = load_workbook(io.BytesIO(writing.render(_result(heading=HOSTILE), config, ("xlsx",))["partners.xlsx"]))
    assert book.sheetnames == ["README", "partners", "organisations", "agreements", "agreement_list", "dates",
                               "themes", "rejected"]
    dates = book["dates"]
    assert [c.value for c in dates[1]] == list(tables.COLUMNS["dates.csv"])
    assert dates[1][0].font.bold and dates.freeze_panes == "A2" and dates.tables["dates"].autoFilter.ref
    values = {c.value: c.data_type for c in dates["D"][1:]}
    assert values == {"1998-05": "s", "2002": "s"}
    heading = book["partners"]["D2"]
    assert heading.value == "'" + HOSTILE and heading.data_type == "s"
    assert "Formation" not in [c.value for c in book["README"]["A"]]
    assert any(c.value == "value" for c in book["README"]["B"])


def test_outputs_are_deterministic(config):
    assert writing.render(_result(), config) == writing.render(_result(), config)


def test_datapackage_describes_every_csv(config):
    package = json.loads(writing.render(_result(), config, ("csv",))["datapackage.json"])
    paths = [r["path"] for r in package["resources"]]
    assert paths == list(tables.COLUMNS)
    dates = next(r for r in package["resources"] if r["path"] == "dates.csv")["schema"]
    value = next(f for f in dates["fields"] if f["name"] == "value")
    assert value["type"] == "string" and value["constraints"]["pattern"] == tables.PARTIAL_DATE
    assert dates["foreignKeys"][0]["reference"] == {"resource": "partners", "fields": ["partner_id"]}


@pytest.mark.parametrize(("table", "row_change", "message"), [
    ("dates.csv", {"value": "2002-11-28T00:00"}, "dates.csv row 1: value must match pattern"),
    ("dates.csv", {"precision": "week"}, "precision must be one of"),
    ("agreements.csv", {"type": "treaty"}, "type must be one of"),
    ("themes.csv", {"code": "unknown_theme"}, "code must be one of"),
    ("dates.csv", {"partner_id": "nobody"}, "not in partners.csv"),
    ("partners.csv", {"section_index": "one"}, "section_index must be integer"),
    ("dates.csv", {"extra": 1}, "must not contain"),
])
def test_schema_rejects_a_broken_table(config, table, row_change, message):
    tables = rows.rows(_result())
    tables[table][0].update(row_change)
    with pytest.raises(schema.SchemaError, match=message):
        schema.validate(tables, config.resources.themes.codes)


def test_schema_accepts_the_run(config):
    schema.validate(rows.rows(_result()), config.resources.themes.codes)


@pytest.fixture(scope="module")
def seed_result(analyser):
    documents, _ = read_documents([RawPage("corpus/omd_partenaires_fr.txt", SEED.read_bytes())],
                                  analyser.config.resources)
    return run(documents, analyser)


def test_streamed_files_equal_the_whole_run_rendered_at_once(seed_result, config):
    """The writer appends partner by partner; the files are what the whole run would give at once."""
    files = writing.render(seed_result, config)
    assert files["partners.json"] == rows.to_json(seed_result, config).encode("utf-8")
    assert json.loads(files["partners.json"]) == json.loads(json.dumps(rows.to_data(seed_result, config)))
    assert files["partners.json"].decode("utf-8") == json.dumps(rows.to_data(seed_result, config), ensure_ascii=False,
                                                                indent=2) + "\n"
    assert files["report.html"].decode("utf-8") == report.render(rows.to_data(seed_result, config))
    table_rows = rows.rows(seed_result)
    for name, columns in tables.COLUMNS.items():
        read = list(csv.DictReader(io.StringIO(files[name].decode("utf-8-sig"))))
        assert len(read) == len(table_rows[name]) and list(read[0] if read else columns) == list(columns)
    assert not any(name.endswith(".tmp") for name in files)


def test_background_writer_gives_the_same_files_and_reports_its_errors(seed_result, config, tmp_path):
    written = {}
    for in_background in (False, True):
        out = tmp_path / f"out-{in_background}"
        kept, failed = background.write_run(out, FORMATS, seed_result.documents, config,
                                            iter(seed_result.partners), background=in_background)
        assert (kept, failed) == (len(seed_result.partners), [])
        written[in_background] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert written[True] == written[False]
    # A row that breaks the schema, found by the writer process: the run raises it, nothing is written.
    bad = replace(seed_result.partners[0], partner_id="Not A Slug")
    with pytest.raises(schema.SchemaError, match="partner_id"):
        background.write_run(tmp_path / "bad", FORMATS, seed_result.documents, config, iter([bad]), background=True)
    assert not (tmp_path / "bad").exists() and sorted(p.name for p in tmp_path.iterdir()) == [
        "out-False", "out-True"]


def test_a_cell_over_the_excel_limit_is_cut_and_says_so(config):
    long = "a" * 40_000
    book = load_workbook(io.BytesIO(writing.render(_result(text=long + " UPU"), config, ("xlsx",))["partners.xlsx"]))
    sheet = book["partners"]
    column = [c.value for c in sheet[1]].index("text") + 1
    cell = sheet.cell(row=2, column=column).value
    assert len(cell) == workbook.XLSX_CELL_MAX and cell.endswith("entier dans le CSV et le JSON)")


def test_every_file_is_the_same_on_another_day(config):

    today = writing.render(_result(), config)
    with time_machine.travel("2031-06-15 12:00", tick=False):
        later = writing.render(_result(), config)
    assert later == today


def test_writers_interrupted_as_they_start_are_stopped_with_their_folder(seed_result, config, tmp_path, monkeypatch):
    """An interrupt held while the writer processes are forked is raised as the forking ends, before the
    run holds the writers: they are stopped there, and the staging folder goes with nothing left."""
    from contextlib import contextmanager

    @contextmanager
    def interrupted_at_the_end():
        yield
        raise KeyboardInterrupt

    monkeypatch.setattr(background, "held", interrupted_at_the_end)
    with pytest.raises(KeyboardInterrupt):
        background.write_run(tmp_path / "out", FORMATS, seed_result.documents, config, iter(seed_result.partners))
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("omd-writer")]
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# --- a run given a previous one: the changes sheet and changes_since_previous.json ----------------------------------

def _changes(config, previous_heading="Union postale universelle", previous_date="1998"):
    """The changes from a previous run, whose UPU had another heading, no 2002 and its memorandum dated
    1998, and which had an "=OMS" since removed, to ``_result()``."""
    new = rows.to_data(_result(), config)
    old = json.loads(json.dumps(new))
    old["partners"][0].update(heading=previous_heading)
    old["partners"][0]["dates"] = [d for d in old["partners"][0]["dates"] if d["value"] != "2002"]
    old["partners"][0]["agreements"][0]["date"] = previous_date
    old["partners"].append({**old["partners"][0], "partner_id": "oms", "heading": "=OMS", "text": "Autre texte.",
                            "text_sha256": "2" * 64, "acronym": None, "organisations": [], "agreements": [],
                            "dates": [], "themes": [{"code": "public_health"}]})
    return diff.for_outputs(diff.compare(old, new), "old/partners.json")


def test_the_changes_sheet_has_one_row_per_change_and_is_the_one_the_workbook_opens_on(config):
    changes = _changes(config)
    files = writing.render(_result(), config, changes=changes)
    book = load_workbook(io.BytesIO(files["partners.xlsx"]))
    assert book.sheetnames == ["README", "partners", "organisations", "agreements", "agreement_list", "dates",
                               "themes", "rejected", "changes"]
    assert book.active.title == "changes"
    sheet = book["changes"]
    assert [c.value for c in sheet[1]] == ["kind", "partner_id", "partner", "field", "old", "new"]
    assert sheet[1][0].font.bold and sheet.freeze_panes == "A2"
    assert [(t.name, t.ref) for t in sheet.tables.values()] == [("changes", "A1:F6")]  # an Excel table: its filter
    assert [[c.value or "" for c in row] for row in sheet.iter_rows(min_row=2)] == [
        ["removed", "oms", "'=OMS", "partner", "'=OMS", ""],  # a heading read as a formula stays text
        ["removed", "oms", "'=OMS", "theme", "public_health", ""],
        ["renamed", "upu", "Union postale universelle (UPU)", "heading", "Union postale universelle",
         "Union postale universelle (UPU)"],
        ["redated", "upu", "Union postale universelle (UPU)", "agreement",
         "memorandum_of_understanding (OMD + UPU), 1998", "memorandum_of_understanding (OMD + UPU), 1998-05"],
        ["added", "upu", "Union postale universelle (UPU)", "date", "", "2002"],
    ]
    readme = [(r[0].value, r[1].value) for r in book["README"].iter_rows(min_row=2)]
    assert readme[-6:] == [("changes", name) for name, _ in diff.COLUMNS]
    written = json.loads(files["changes_since_previous.json"])
    assert written == {**json.loads(changes.json), "previous": "old/partners.json"}
    assert json.loads(files["changes_since_previous.json"])["summary"]["partners_removed"] == 1


def test_changes_are_written_whatever_the_formats_and_never_without_a_previous_run(config):
    for formats in (("json",), ("csv",), ("html",), ("xlsx",)):
        files = writing.render(_result(), config, formats, changes=_changes(config))
        assert files["changes_since_previous.json"] == _changes(config).json
        assert ('id="changes"' in files.get("report.html", b"").decode()) == ("html" in formats)
        assert ("partners.xlsx" in files) == ("xlsx" in formats)
    plain = writing.render(_result(), config)
    assert "changes_since_previous.json" not in plain
    assert "changes" not in load_workbook(io.BytesIO(plain["partners.xlsx"])).sheetnames
    assert writing.render(_result(), config, changes=_changes(config)) == writing.render(_result(), config,
                                                                                   changes=_changes(config))


def test_the_background_writers_write_the_changes_once_and_the_same(seed_result, config, tmp_path):
    changes = diff.for_outputs(diff.compare({"partners": []}, rows.to_data(seed_result, config)), "nothing")
    written = {}
    for in_background in (False, True):
        out = tmp_path / f"out-{in_background}"
        background.write_run(out, FORMATS, seed_result.documents, config, iter(seed_result.partners),
                             background=in_background, changes=lambda: changes)
        written[in_background] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert written[True] == written[False]
    added = json.loads(written[True]["changes_since_previous.json"])["summary"]["partners_added"]
    assert added == len(seed_result.partners)


# --- a page's history: its tables, sheets and history.json beside the run on its latest version -------

def _history(config):
    """The history of page.txt over two versions: the UPU's memorandum re-dated, "=OMS" (a heading a
    spreadsheet would run as a formula) removed."""
    latest = rows.to_data(_result(), config)["partners"]
    older = json.loads(json.dumps(latest))
    older[0]["agreements"][0]["date"] = "1998"
    older.append({**older[0], "partner_id": "oms", "heading": "=OMS", "text": "Autre texte.", "text_sha256": "2" * 64,
                  "acronym": None, "organisations": [], "agreements": []})
    return following.for_outputs(following.whole([following.follow("page.txt", [
        following.Version("2024-01-01", "page-2024-01-01.txt", "1" * 64, older),
        following.Version("2024-02-01", "page-2024-02-01.txt", "1" * 64, latest)])]))


def test_a_history_adds_its_tables_sheets_and_history_json_to_the_run_on_the_latest_version(config, tmp_path):
    history = _history(config)
    files = writing.render(_result(), config, history=history)
    assert set(files) - set(writing.render(_result(), config)) == {"history.csv", "versions.csv", "history.json"}
    assert files["history.json"] == history.json and json.loads(files["history.json"]) == history.data
    assert files == writing.render(_result(), config, history=history)  # the same bytes each time
    history_csv = list(csv.DictReader(io.StringIO(files["history.csv"].decode("utf-8-sig"))))
    assert [(r["item"], r["partner_id"], r["partner"], r["versions"], r["in_latest"], r["changes"])
            for r in history_csv] == [
        ("partner", "upu", "Union postale universelle (UPU)", "1-2", "True", ""),
        ("agreement", "upu", "Union postale universelle (UPU)", "1-2", "True",
         "re-dated in v2 (2024-02-01) from 1998 to 1998-05"),
        ("partner", "oms", "'=OMS", "1", "False", "removed in v2 (2024-02-01)"),  # neutralised, as in every CSV
    ]
    package = json.loads(files["datapackage.json"])
    assert [r["path"] for r in package["resources"]] == [*tables.COLUMNS, "history.csv", "versions.csv"]
    versions = next(r for r in package["resources"] if r["path"] == "versions.csv")["schema"]
    assert versions["primaryKey"] == ["page", "version"] and "foreignKeys" not in versions
    # The workbook opens on the history; its README describes the two new sheets.
    book = load_workbook(io.BytesIO(files["partners.xlsx"]))
    assert book.sheetnames[-2:] == ["history", "versions"] and book.active.title == "history"
    assert [c.value for c in book["history"][1]] == list(tables.HISTORY_COLUMNS["history.csv"])
    assert book["history"]["D4"].value == "'=OMS" and book["versions"]["C3"].value == "2024-02-01"
    assert {"history", "versions"} <= {c.value for c in book["README"]["A"]}
    assert 'id="history"' in files["report.html"].decode("utf-8")
    # pipeline.load reads them back, typed from the Data Package.
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    loaded = load(tmp_path)
    assert loaded.history["n_versions"].tolist() == [2, 2, 1]
    assert loaded.history["in_latest"].tolist() == [True, True, False]
    assert loaded.versions["version"].dtype == "Int64" and loaded.history["partner"].tolist()[-1] == "=OMS"


def test_a_history_row_that_breaks_its_schema_writes_nothing(config):
    history = _history(config)
    broken = replace(history, versions=({**history.versions[0], "seen": "yesterday"}, *history.versions[1:]))
    with pytest.raises(schema.SchemaError, match="versions.csv row 1: seen must match pattern"):
        writing.render(_result(), config, history=broken)

