"""Loading a run's tables into pandas: every column typed from datapackage.json, never guessed from its
values; one-line errors for a folder that is not a run's outputs."""

import json

import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.models import Agreement, DateMention, Document, Partner, RunResult, Section
from pipeline.outputs import tables as views
from pipeline.outputs import writing
from pipeline.tools.load import Tables, load

TEXT = "L’OMD et NA ont signé un Protocole d’accord en 2002. Vu en 2005."


def _result() -> RunResult:
    """A partner whose id is a year ("1998"), whose acronym is "NA", whose dates are bare years and
    whose heading a spreadsheet would run as a formula."""
    partner = Partner(
        partner_id="1998", source="page.txt", section_index=1, heading="-1998 Nations associées (NA)",
        name="Nations associées", acronym="NA", text=TEXT, text_sha256="0" * 64,
        agreements=(Agreement("memorandum_of_understanding", "Protocole d’accord", ("OMD", "NA"), "2002", "year",
                              "en 2002", "signed", TEXT.split(". ")[0] + ".", 25, 43),
                    Agreement("agreement", "Accord", ("OMD", "NA"), None, None, None, "pending", "x", 0, 1)),
        dates=(DateMention("2002", "2002", "year", "signature", 47, 51),
               DateMention("2005", "2005", "year", "event", 60, 64)),
    )
    doc = Document("page.txt", "1" * 64, None, (Section("page.txt", 1, partner.heading, TEXT),))
    return RunResult((doc,), (partner,))


@pytest.fixture(scope="module")
def outputs(config, tmp_path_factory):
    folder = tmp_path_factory.mktemp("outputs")
    for name, data in writing.render(_result(), config, ("csv",)).items():
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize(("table", "column", "dtype", "values"), [
    # a column of bare years stays text, where pandas.read_csv would make it numbers
    ("dates", "value", "string", ["2002", "2005"]),
    ("partners", "partner_id", "string", ["1998"]),
    # "NA" is an acronym, not a missing value
    ("partners", "acronym", "string", ["NA"]),
    # text as partners.json holds it: without the quote the CSV puts before a formula-like text
    ("partners", "heading", "string", ["-1998 Nations associées (NA)"]),
    ("partners", "section_index", "Int64", [1]),
    ("agreement_list", "year", "Int64", [2002, pd.NA]),
    ("agreement_list", "date", "string", ["2002", pd.NA]),
    ("agreement_list", "counterparts", "string", ["OMD", "OMD"]),
    ("agreements", "date_precision", "string", ["year", pd.NA]),
    ("rejected", "position", "Int64", []),
])
def test_each_column_is_typed_from_the_data_package(outputs, table, column, dtype, values):
    frame = load(outputs)[table]
    assert frame[column].dtype == dtype
    assert frame[column].tolist() == values


def test_a_plain_read_csv_would_have_guessed_otherwise(outputs):
    """What the loader is for: the same file, read without the schema."""
    assert pd.read_csv(outputs / "dates.csv")["value"].dtype == "int64"
    assert pd.read_csv(outputs / "partners.csv")["acronym"].isna().all()


def test_every_table_by_attribute_or_by_name_columns_in_the_files_order(outputs):
    tables = load(outputs / "datapackage.json")
    assert isinstance(tables, Tables) and list(tables) == [n.removesuffix(".csv") for n in views.COLUMNS]
    assert tables.agreement_list is tables["agreement_list"]
    assert list(tables.agreement_list.columns) == list(views.COLUMNS["agreement_list.csv"])
    assert "agreement_list (2 rows)" in repr(tables) and "agreement_list" in dir(tables)
    with pytest.raises(AttributeError, match="no table 'agreement'"):
        tables.agreement  # noqa: B018 - what this test is about
    with pytest.raises(KeyError, match="the tables: partners, organisations"):
        tables["agreement"]


@pytest.mark.parametrize(("field", "cells", "dtype", "values"), [
    ({"type": "number"}, ["1.5", "", "2"], "Float64", [1.5, pd.NA, 2.0]),
    ({"type": "boolean"}, ["true", "False", ""], "boolean", [True, False, pd.NA]),
    ({"type": "boolean", "trueValues": ["oui"], "falseValues": ["non"]}, ["oui", "non"], "boolean", [True, False]),
    ({"type": "date"}, ["2002-01-01"], "string", ["2002-01-01"]),
])
def test_other_field_types(tmp_path, field, cells, dtype, values):
    (tmp_path / "t.csv").write_text("x\r\n" + "".join(f"{c}\r\n" for c in cells), encoding="utf-8")
    resource = {"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "x", **field}], "missingValues": [""]}}
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": [resource]}), encoding="utf-8")
    column = load(tmp_path).t["x"]
    assert column.dtype == dtype and column.tolist() == values


def _partners_with_a_word_for_a_number(folder, outputs):
    text = (outputs / "partners.csv").read_text(encoding="utf-8-sig")
    (folder / "partners.csv").write_text(text.replace(",1,'-", ",one,'-"), encoding="utf-8")


def _set_path(folder, path):
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"][0]["path"] = path
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")


@pytest.mark.parametrize(("change", "where", "message"), [
    (lambda f, o: None, "dates.csv", "missing: datapackage.json lists the table 'dates'"),
    (lambda f, o: (f / "datapackage.json").unlink(), "", "no datapackage.json in this folder"),
    (lambda f, o: (f / "datapackage.json").write_text("{", encoding="utf-8"), "datapackage.json", "not JSON"),
    (lambda f, o: (f / "datapackage.json").write_text('{"resources": []}', encoding="utf-8"), "datapackage.json",
     "not a Data Package"),
    (lambda f, o: (f / "dates.csv").write_text("source,partner_id\r\np,q\r\n", encoding="utf-8"), "dates.csv",
     "its columns (source, partner_id) are not those datapackage.json describes (source, partner_id, text"),
    (_partners_with_a_word_for_a_number, "partners.csv", "cannot be read as datapackage.json describes it"),
    # Review of issue 14: a path read from the descriptor was trusted (any file could be read).
    (lambda f, o: _set_path(f, "../../etc/passwd"), "datapackage.json", "a table's path is not a file name beside it"),
    (lambda f, o: _set_path(f, "/etc/passwd"), "datapackage.json", "a table's path is not a file name beside it"),
])
def test_a_folder_that_is_not_a_runs_outputs_is_one_line(outputs, tmp_path, change, where, message):
    """A copy of the outputs describing partners and dates, with one thing changed."""
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "partners.csv").write_bytes((outputs / "partners.csv").read_bytes())
    package = json.loads((outputs / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"] = [r for r in package["resources"] if r["name"] in ("partners", "dates")]
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    change(folder, outputs)
    with pytest.raises(InputError) as caught:
        load(folder)
    line = caught.value.line()
    assert line.startswith(f"{folder / where if where else folder}: ") and message in line, line
    assert "\n" not in line and caught.value.exit_code == 2


def test_a_path_that_does_not_exist(tmp_path):
    with pytest.raises(InputError, match="no such folder or file"):
        load(tmp_path / "nowhere")
