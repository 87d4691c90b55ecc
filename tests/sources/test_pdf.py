"""PDF reports as inputs: a text PDF's pages read as a page copied from a PDF (running headers and
page numbers set aside, words cut at line ends joined), and what is refused (scanned, encrypted,
damaged) in one line each. The PDFs are written by the tests with fpdf2."""

import re

import pytest
from source_files import HEADER, write_image_pdf, write_pdf

from pipeline import api
from pipeline.errors import InputError
from pipeline.sources.pdf import page_text, pdf_page
from pipeline.stages.reading import read_page

HEADINGS = ["Union africaine (UA)", "Banque mondiale", "Organisation mondiale du commerce (OMC)"]


@pytest.fixture(scope="module")
def report(tmp_path_factory, config):
    """The test report read through the API: its document."""
    path = write_pdf(tmp_path_factory.mktemp("pdf") / "rapport_2023.pdf")
    inputs = api.Pipeline(config).read([path])
    assert not inputs.errors, [e.line() for e in inputs.errors]
    (document,) = inputs.documents
    return document


def test_a_text_pdf_splits_into_its_partner_sections(report):
    assert [s.heading for s in report.sections] == HEADINGS
    assert report.source == "rapport_2023.pdf"


@pytest.mark.parametrize(("section", "written"), [
    (0, "Un Protocole d’accord a été signé à Addis-Abeba le 12 mars 2019"),  # "si-/gné" joined, "Addis-/Abeba" kept
    (0, "des projets communs"),
    (1, "renforcement des capacités des administrations douanières"),
    (1, "la réforme des procédures de dédouanement"),  # cut across the page break, header and number between
    (1, "Une évaluation à mi-parcours est prévue"),  # "mi-/parcours": the hyphen of a compound stays
    (2, "coopèrent à la mise en œuvre de l’Accord"),
])
def test_the_text_reads_as_written(report, section, written):
    assert written in report.sections[section].text


def test_running_headers_and_page_numbers_are_set_aside(report):
    aside = [(r.text, r.reason) for r in report.set_aside()]
    assert [text for text, _ in aside] == [HEADER, "– 1 –", HEADER, "– 2 –"]
    assert all(HEADER not in s.text and "– 1 –" not in s.text for s in report.sections)


def test_a_pdf_page_is_text_named_by_the_pdf(tmp_path):
    raw = pdf_page("rapport.pdf", write_pdf(tmp_path / "r.pdf"))
    assert (raw.source, raw.kind, raw.charset, raw.captured) == ("rapport.pdf", "text", "utf-8", None)
    assert raw.path.endswith("r.pdf")
    text = raw.data.decode("utf-8")
    assert text.splitlines()[:2] == [HEADER, HEADINGS[0]]
    assert "procé-\n– 1 –\n" + HEADER + "\ndures" in text  # the pages joined line after line


@pytest.mark.parametrize(("extracted", "expected"), [
    ("la coopé\u00adration", "la coopération"),  # a soft hyphen inside a line: dropped
    ("le ﬁnancement du ﬂux", "le financement du flux"),  # ligatures spelled out
    ("des procé\u00ad\ndures", "des procé-\ndures"),  # a soft hyphen ending a line: the cut the reader joins
    ("  un texte   \n\n– 3 –  \n", "  un texte\n\n– 3 –"),  # white space at the line ends dropped
])
def test_page_text(extracted, expected):
    assert page_text(extracted) == expected


def test_a_pdf_locked_only_against_editing_is_read(tmp_path):
    raw = pdf_page("r.pdf", write_pdf(tmp_path / "r.pdf", owner_password="secret"))
    assert HEADINGS[1] in raw.data.decode("utf-8")


@pytest.mark.parametrize(("make", "problem"), [
    (write_image_pdf, "no text layer: a scanned PDF (this tool does no OCR)"),
    (lambda p: write_pdf(p, password="secret"), "the PDF is encrypted and needs a password"),
    (lambda p: p.write_bytes(write_pdf(p).read_bytes()[:900]), "a damaged PDF that cannot be read"),
    (lambda p: p.write_bytes(b"%PDF-1.7\n" + b"\x00" * 64), "a damaged PDF that cannot be read"),
    (lambda p: p.write_bytes(b""), "the file is empty"),
], ids=["scanned", "password", "cut short", "garbage", "empty"])
def test_what_is_refused_in_one_line(tmp_path, make, problem):
    path = tmp_path / "r.pdf"
    make(path)
    with pytest.raises(InputError, match=re.escape(problem)) as caught:
        pdf_page("r.pdf", path)
    assert caught.value.exit_code == 2
    assert caught.value.source == str(path) and "\n" not in caught.value.line()


def test_a_pdf_saved_under_another_name_says_to_name_it_pdf(tmp_path, config):
    data = write_pdf(tmp_path / "r.pdf").read_bytes()
    with pytest.raises(InputError, match=r"a PDF document.*name the file \.pdf"):
        read_page("rapport.txt", data, config.resources)


def test_a_scanned_pdf_alone_exits_2_with_one_line(cli, tmp_path):
    scanned = write_image_pdf(tmp_path / "scan.pdf")
    result = cli("run", scanned, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: {scanned}: no text layer: a scanned PDF (this tool does no OCR) (run OCR on it first "
        "(ocrmypdf, for one), or copy its text into a .txt file)"]
    assert not (tmp_path / "out").exists()


def test_a_scanned_pdf_beside_a_text_pdf_costs_only_itself(cli, tmp_path):
    (tmp_path / "in").mkdir()
    write_image_pdf(tmp_path / "in" / "scan.pdf")
    write_pdf(tmp_path / "in" / "rapport.pdf")
    result = cli("run", tmp_path / "in", "--out", tmp_path / "out", "--formats", "json")
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "scan.pdf: no text layer" in errors[0]
    partners = api.load_json(tmp_path / "out", "predictions")[1]["partners"]
    assert [(p["source"], p["heading"]) for p in partners] == [("rapport.pdf", h) for h in HEADINGS]
