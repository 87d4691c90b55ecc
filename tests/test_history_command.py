"""``pipeline history`` as an analyst runs it (in a subprocess, each test with its own cache), and its
Python equivalent: a WARC file holding three captures of one URL (written here with warcio, out of
time order), dated files, the captures of a URL in the captures folder, the same bytes at each re-run,
a new capture costing only what changed in it, and bad input in one line."""

import csv
import io
import json
import uuid
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import pipeline
from pipeline import api
from pipeline.sources.captures import capture_file

A = "https://www.example.org/fr/partenaires"
B = "https://www.example.org/fr/bailleurs"
T1, T2, T3, T4 = "2023-01-15T08:00:00Z", "2024-02-20T09:30:00Z", "2025-03-25T10:45:00Z", "2025-06-01T12:00:00Z"
TB = "2024-06-01T12:00:00Z"

AIEA = "Agence internationale de l’énergie atomique (AIEA)"
AIEA_TEXT = ("Les relations de travail entre l’OMD et l’AIEA ont conduit ces deux organisations à conclure un "
             "Protocole d’accord en mai 1998 contre le trafic illicite de matières nucléaires.")
CITES_TEXT = ("L’OMD entretient depuis longtemps des relations de travail avec le Secrétariat de la CITES, fondées sur "
              "le Protocole d’accord que les deux organisations ont conclu en 1996.")
INTERPOL_TEXT = ("Le Secrétariat de l’OMD et INTERPOL travaillent ensemble très étroitement contre la contrebande. Les "
                 "deux Secrétariats ont conclu un Protocole d’accord en 2003.")
EUROPOL_TEXT = ("Depuis la signature d’un Accord de coopération en 2002, l’OMD et Europol ont établi des relations de "
                "coopération étroites contre la criminalité organisée.")
BAsD_TEXT = "La Banque asiatique de développement (BAsD) finance des projets avec l’OMD depuis 2010."


def page(*sections: tuple[str, str]) -> str:
    body = "".join(f"<h2>{heading}</h2><p>{text}</p>" for heading, text in sections)
    return (f"<!doctype html><html><head><title>Nos partenaires</title></head><body><h1>Nos partenaires</h1>{body}"
            "</body></html>")


# The page at T1; at T2 AIEA's memorandum dated to the day, the CITES's heading given its acronym, Europol
# added; at T3 the CITES gone.
V1 = page((AIEA, AIEA_TEXT), ("Secrétariat de la CITES", CITES_TEXT), ("INTERPOL", INTERPOL_TEXT))
V2 = page((AIEA, AIEA_TEXT.replace("en mai 1998", "le 13 mai 1998")), ("Secrétariat de la CITES (CITES)", CITES_TEXT),
          ("INTERPOL", INTERPOL_TEXT), ("Europol", EUROPOL_TEXT))
V3 = page((AIEA, AIEA_TEXT.replace("en mai 1998", "le 13 mai 1998")), ("INTERPOL", INTERPOL_TEXT),
          ("Europol", EUROPOL_TEXT))
V4 = V3.replace("contre la contrebande", "contre la contrebande et la fraude")  # one section edited


def write_warc(path: Path, captures: list[tuple[str, str, str]]) -> Path:
    """A WARC file of ``captures`` (URL, WARC-Date, HTML), each a response record, in the order given."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for url, date, html in captures:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        record_id = f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url + date)}>"
        headers = {"WARC-Date": date, "WARC-Record-ID": record_id}
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(html.encode("utf-8")),
                                                      http_headers=http, warc_headers_dict=headers))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return path


def table(folder: Path, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((folder / name).read_text(encoding="utf-8-sig"))))


def seen(folder: Path) -> list[tuple]:
    """history.csv as (page, item, partner_id, first seen, last seen, versions, in latest)."""
    return [(r["page"], r["item"], r["partner_id"], r["first_seen"], r["last_seen"], r["versions"], r["in_latest"])
            for r in table(folder, "history.csv")]


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_warc_with_three_captures_of_one_url_gives_its_history(cli, tmp_path):
    # Written out of time order, with another URL's capture among them: time orders them, the URL groups them.
    warc = write_warc(tmp_path / "captures.warc.gz", [(A, T3, V3), (A, T1, V1), (B, TB, page(("BAsD", BAsD_TEXT))),
                                                       (A, T2, V2)])
    out = tmp_path / "history"
    result = cli("history", warc, "--out", out)
    assert result.returncode == 0, result.stderr
    assert seen(out) == [
        (A, "partner", "aiea", T1, T3, "1-3", "True"),
        (A, "agreement", "aiea", T1, T3, "1-3", "True"),
        (A, "partner", "cites", T1, T2, "1-2", "False"),
        (A, "agreement", "cites", T1, T2, "1-2", "False"),
        (A, "partner", "interpol", T1, T3, "1-3", "True"),
        (A, "agreement", "interpol", T1, T3, "1-3", "True"),
        (A, "partner", "europol", T2, T3, "2-3", "True"),
        (A, "agreement", "europol", T2, T3, "2-3", "True"),
        (B, "partner", "basd", TB, TB, "1", "True"),
    ]
    changes = {(r["item"], r["partner_id"]): r["changes"] for r in table(out, "history.csv")}
    assert changes[("agreement", "aiea")] == f"re-dated in v2 ({T2}) from 1998-05 to 1998-05-13"
    assert changes[("partner", "cites")] == (
        f"renamed in v2 ({T2}) from Secrétariat de la CITES to Secrétariat de la CITES (CITES) "
        f"(secretariat-de-la-cites -> cites); removed in v3 ({T3})")
    versions = [(r["page"], r["version"], r["seen"], r["partners"], r["partners_added"])
                for r in table(out, "versions.csv")]
    assert versions == [(A, "1", T1, "3", "0"), (A, "2", T2, "4", "1"), (A, "3", T3, "3", "0"), (B, "1", TB, "1", "0")]
    # Beside it, the run on each page's latest capture, named by its URL.
    documents = json.loads((out / "partners.json").read_text(encoding="utf-8"))["documents"]
    assert [(d["source"], d["captured"]) for d in documents] == [(A, T3), (B, TB)]
    assert "info: https://www.example.org/fr/partenaires: 3 version(s), " in result.stderr
    assert "partners 3 -> 3 (1 added, 1 removed, 1 renamed); agreements 3 -> 3 (1 added, 1 removed, 1 re-dated)" \
        in result.stderr


def test_dated_files_are_versions_of_the_page_their_name_gives(cli, tmp_path):
    folder = tmp_path / "saved"
    folder.mkdir()
    for date, html in (("2024-01-15", V1), ("2024-02-15", V2), ("2024-03-15", V3)):
        (folder / f"partenaires-{date}.html").write_text(html, encoding="utf-8")
    (folder / "notes.html").write_text(V1, encoding="utf-8")  # no date: which version would it be?
    out = folder / "history"  # inside the folder read: never read back as a version
    for _ in range(2):
        result = cli("history", folder, "--out", out)
        assert result.returncode == 1, result.stderr
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert errors == [f"error: {folder / 'notes.html'}: no date in its name (nor in its folder's): which version "
                          "of the page is it? (name it after the day it was saved, such as page-2024-03-01.html, or "
                          "give the WARC file of its captures)"]
    assert [row[1:] for row in seen(out) if row[1] == "partner"] == [
        ("partner", "aiea", "2024-01-15", "2024-03-15", "1-3", "True"),
        ("partner", "cites", "2024-01-15", "2024-02-15", "1-2", "False"),
        ("partner", "interpol", "2024-01-15", "2024-03-15", "1-3", "True"),
        ("partner", "europol", "2024-02-15", "2024-03-15", "2-3", "True"),
    ]
    assert {row[0] for row in seen(out)} == {"partenaires.html"}
    documents = json.loads((out / "partners.json").read_text(encoding="utf-8"))["documents"]
    assert [(d["source"], d["path"], d["captured"]) for d in documents] == [
        ("partenaires.html", str(folder / "partenaires-2024-03-15.html"), None)]


def test_the_same_versions_give_the_same_bytes_and_a_new_capture_costs_only_what_changed(cli, tmp_path):
    warc = write_warc(tmp_path / "captures.warc.gz", [(A, T1, V1), (A, T2, V2), (A, T3, V3)])
    cache = tmp_path / "cache"
    first = cli("history", warc, "--out", tmp_path / "first", "--cache-dir", cache, "-v")
    again = cli("history", warc, "--out", tmp_path / "again", "--cache-dir", cache, "-v")
    uncached = cli("history", warc, "--out", tmp_path / "uncached", "--no-cache")
    assert [r.returncode for r in (first, again, uncached)] == [0, 0, 0], first.stderr + uncached.stderr
    assert files(tmp_path / "first") == files(tmp_path / "again") == files(tmp_path / "uncached")
    # Each of the 10 sections (3 + 4 + 3) is analysed once, whatever the number of versions holding it:
    # V1's 3, then V2's AIEA (its text), CITES (its heading) and Europol; V3 holds none that is new.
    assert "debug: cache: 4 reused, 6 analysed" in first.stderr
    assert "debug: cache: 10 reused, 0 analysed" in again.stderr
    # One more capture: only its edited section is analysed.
    write_warc(tmp_path / "captures.warc.gz", [(A, T1, V1), (A, T2, V2), (A, T3, V3), (A, T4, V4)])
    more = cli("history", warc, "--out", tmp_path / "more", "--cache-dir", cache, "-v")
    assert more.returncode == 0, more.stderr
    assert "debug: cache: 12 reused, 1 analysed" in more.stderr
    assert [r["versions"] for r in table(tmp_path / "more", "history.csv") if r["partner_id"] == "interpol"] \
        == ["1-4", "1-4"]  # the partner and its memorandum: its text edited, both followed


def test_a_url_is_followed_through_its_captures_in_the_captures_folder(cli, tmp_path):
    captures = tmp_path / "captures"
    write_warc(capture_file(captures, A), [(A, T1, V1), (A, T2, V2)])
    out = tmp_path / "history"
    result = cli("history", A, "--captures", captures, "--out", out)
    assert result.returncode == 0, result.stderr
    assert {(r["page"], r["version"], r["seen"]) for r in table(out, "versions.csv")} == {(A, "1", T1), (A, "2", T2)}
    # Without the URL, the captures folder is read whole (the default input).
    folder = cli("history", "--captures", captures, "--out", tmp_path / "all", "--no-cache")
    assert folder.returncode == 0, folder.stderr
    assert table(tmp_path / "all", "history.csv") == table(out, "history.csv")


@pytest.mark.parametrize(("case", "code", "message"), [
    ("undated", 2, "no date in its name"),
    ("no capture", 2, f"error: {B}: no capture of this page in "),
    ("missing", 2, "no such file or folder"),
    ("two of one date", 1, "another version of partenaires.html is dated 2024-01-15"),
])
def test_bad_input_is_one_line(cli, tmp_path, case, code, message):
    (tmp_path / "captures").mkdir()
    inputs = {"undated": [tmp_path / "partenaires.html"], "no capture": [B], "missing": [tmp_path / "nope"],
              "two of one date": [tmp_path / "a" / "partenaires-2024-01-15.html",
                                  tmp_path / "b" / "partenaires-2024-01-15.html"]}[case]
    for path in inputs:
        if isinstance(path, Path) and case != "missing":
            path.parent.mkdir(exist_ok=True)
            path.write_text(V1 if path.parent.name != "b" else V2, encoding="utf-8")
    result = cli("history", *inputs, "--captures", tmp_path / "captures", "--out", tmp_path / "out")
    assert result.returncode == code, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "out").exists() == (code == 1)


def test_the_python_equivalent(config, nlp, tmp_path):
    captures = tmp_path / "captures"
    write_warc(captures / "captures.warc.gz", [(A, T1, V1), (A, T2, V2), (A, T3, V3)])
    out = tmp_path / "history"
    summary = api.history(out=out, cache_dir=tmp_path / "cache", config=config, captures=captures)
    assert (summary.versions, summary.kept, summary.exit_code, summary.cache_misses) == (3, 3, 0, 6)
    assert [(p["page"], len(p["versions"])) for p in summary.pages] == [(A, 3)]
    assert json.loads((out / "history.json").read_bytes()) == summary.history
    assert pipeline.history is api.history
    tables = api.load(out)
    assert tables.history["first_seen"].tolist()[:2] == [T1, T1] and len(tables.versions) == 3
    # DIR is a run's outputs: evaluate scores it, and keeps the timeline when it marks the report.
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps({"source": A, "partners": [{"heading": h} for h in (AIEA, "INTERPOL", "Europol")]}),
                    encoding="utf-8")
    assert api.evaluate(gold, out, config).scores["sections"].f1 == 1.0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'class="evaluation"' in html and 'id="history"' in html
