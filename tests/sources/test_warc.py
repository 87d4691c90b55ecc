"""WARC files as inputs: every HTML capture in order of capture time, the latest of each URL for a
run, revisits resolved, and damaged records (cut short, a corrupt gzip member, a wrong length) costing
only themselves, each one line naming the file and the offset. The WARC files are written by the
tests with warcio's WARCWriter, or by hand in the Internet Archive's shape."""

import gzip
import logging
import subprocess
import sys
import uuid
import zlib

import pytest
from conftest import FIXTURES, ROOT
from source_files import Warc, page_html, payload_digest, write_pdf

from pipeline import api
from pipeline.errors import InputError
from pipeline.sources.warc import RECORD_LIMIT, all_captures, latest_pages
from pipeline.stages.reading import MAX_BYTES, read_page

A = "https://www.wcoomd.org/fr/partenaires.html"
B = "https://www.wcoomd.org/fr/bailleurs.html"
T1, T2, T3 = "2023-01-15T08:00:00Z", "2024-02-20T09:30:00Z", "2025-03-25T10:45:00Z"
TB = "2023-06-01T12:00:00Z"
V1 = page_html("Union africaine (UA)", "L’Union africaine (UA) et l’OMD ont signé un Protocole d’accord en 2019.")
V2 = page_html("Union africaine (UA)",
               "L’Union africaine (UA) et l’OMD ont signé un Protocole d’accord le 12 mars 2019.")
V3 = page_html("Banque mondiale", "La Banque mondiale et l’OMD ont conclu un accord de financement en juin 2020.")
VB = page_html("Banque asiatique de développement (BAsD)",
               "La Banque asiatique de développement (BAsD) finance des projets avec l’OMD depuis 2010.")


def captures(path):
    """(source, captured) of every capture read, and the lines of the errors."""
    pages, errors = all_captures(path)
    return [(p.source, p.captured) for p in pages], [e.line() for e in errors]


def three_captures(path, gzipped=True) -> tuple[Warc, list[int]]:
    """A WARC with A at T1, B at TB, A at T2: the offsets of the three records."""
    warc = Warc(path, gzipped)
    return warc, [warc.response(A, V1, T1), warc.response(B, VB, TB), warc.response(A, V2, T2)]


@pytest.mark.parametrize("gzipped", [True, False], ids=["warc.gz", "warc"])
def test_every_html_capture_in_order_of_capture_time(tmp_path, gzipped):
    warc = Warc(tmp_path / ("c.warc.gz" if gzipped else "c.warc"), gzipped)
    warc.info()
    warc.request(A, T2)
    a2 = warc.response(A, V2, T2)  # written out of time order: the capture time orders them
    warc.response(A + "/logo.png", b"\x89PNG\r\n\x1a\n", T2, "image/png")
    a1 = warc.response(A, V1, T1)
    b = warc.response(B, VB.encode("iso-8859-1", "replace"), TB, "text/html; charset=ISO-8859-1")
    warc.response(A + "/ancienne", "<html><body>Moved</body></html>", T3, status="301 Moved Permanently",
                  headers=[("Location", A)])
    warc.response(A + "/perdue", "<html><body>Introuvable</body></html>", T3, status="404 Not Found")
    a3 = warc.response(A, V3, T3)
    pages, errors = all_captures(warc.save())
    assert errors == []
    name = warc.path.as_posix()
    assert [(p.source, p.captured, p.path, p.charset, p.kind) for p in pages] == [
        (A, T1, f"{name}#{a1}", "utf-8", "html"),
        (B, TB, f"{name}#{b}", "ISO-8859-1", "html"),
        (A, T2, f"{name}#{a2}", "utf-8", "html"),
        (A, T3, f"{name}#{a3}", "utf-8", "html"),
    ]
    assert [p.data.decode("utf-8", "replace") for p in pages][2] == V2


def test_a_run_reads_the_latest_capture_of_each_url_and_says_which_it_left(tmp_path, caplog):
    warc = Warc(tmp_path / "c.warc.gz")
    warc.response(A, V2, T2)
    warc.response(B, VB, TB)
    warc.response(A, V3, T3)
    warc.response(A, V1, T1)
    caplog.set_level(logging.DEBUG, logger="pipeline")
    pages, errors = latest_pages(warc.save())
    assert errors == []
    assert [(p.source, p.captured) for p in pages] == [(A, T3), (B, TB)]  # A met first (at T1), then B
    (said,) = [r.getMessage() for r in caplog.records if "left for the history" in r.getMessage()]
    assert said.startswith(f"{A}: read as captured {T3} ")
    assert f"2 older capture(s) left for the history: {T1} " in said and f", {T2} " in said


def test_non_html_records_are_skipped_and_said_with_v(tmp_path, caplog):
    warc = Warc(tmp_path / "c.warc.gz")
    png = warc.response(A + "/logo.png", b"\x89PNG\r\n\x1a\n", T1, "image/png")
    robots = warc.response("https://www.wcoomd.org/robots.txt", "User-agent: *\n", T1, "text/plain")
    missing = warc.response(A + "/perdue", "<html><body>Introuvable</body></html>", T1, status="404 Not Found")
    warc.response(A, V1, T1)
    caplog.set_level(logging.DEBUG, logger="pipeline")
    assert captures(warc.save()) == ([(A, T1)], [])
    said = [r.getMessage() for r in caplog.records]
    name = warc.path.as_posix()
    assert f"{name}#{png}: {A}/logo.png is image/png, not a page: skipped" in said
    assert f"{name}#{robots}: https://www.wcoomd.org/robots.txt is text/plain, not a page: skipped" in said
    assert f"{name}#{missing}: {A}/perdue was answered 404, not the page: skipped" in said


def _cut_member(data, at):
    """The gzip member at ``at[1]`` cut in its middle, the next member following right after."""
    return data[:at[1] + (at[2] - at[1]) // 2] + data[at[2]:]


def _corrupt_member(data, at):
    middle = at[1] + (at[2] - at[1]) // 2
    return data[:middle] + bytes(b ^ 0x5A for b in data[middle:middle + 24]) + data[middle + 24:]


@pytest.mark.parametrize(("gzipped", "damage", "problem", "left"), [
    (True, lambda d, at: d[:-30], "the record at offset {2} is cut short (the file ends inside it)",
     [(A, T1), (B, TB)]),
    (True, _cut_member, "the record at offset {1} is a corrupt gzip member", [(A, T1), (A, T2)]),
    (True, _corrupt_member, "the record at offset {1} is a corrupt gzip member", [(A, T1), (A, T2)]),
    (True, lambda d, at: d[:at[1]] + b"\x00" * 64 + d[at[1]:],
     "the record at offset {1} holds bytes that are no gzip member", [(A, T1), (B, TB), (A, T2)]),
    (False, lambda d, at: d[:-30], "the record at offset {2} is cut short (the file ends inside it)",
     [(A, T1), (B, TB)]),
    (False, lambda d, at: d[:at[1] + (at[2] - at[1]) // 2] + d[at[2]:],
     "the record at offset {1} is cut short (its headers run into the next record's)", [(A, T1), (A, T2)]),
    (False, lambda d, at: d[:at[2] - 60] + d[at[2]:],
     "the record at offset {1} does not end where its Content-Length says", [(A, T1), (A, T2)]),
    (False, lambda d, at: d[:at[1]] + b"garbage\r\n" + d[at[1]:],
     "the record at offset {1} is not a WARC record", [(A, T1), (B, TB), (A, T2)]),
    (False, lambda d, at: d.replace(b"finance des projets", b"FINANCE des projets"),
     f"the capture of {B} at offset {{1}} is damaged (its bytes do not match its WARC-Block-Digest)",
     [(A, T1), (A, T2)]),
], ids=["gz cut at the end", "gz member cut in the middle", "gz corrupt member", "gz stray bytes",
        "cut at the end", "cut in its headers", "cut in its content", "stray bytes", "bytes changed"])
def test_a_damaged_record_is_one_line_and_costs_only_itself(tmp_path, gzipped, damage, problem, left):
    warc, at = three_captures(tmp_path / "c.warc", gzipped)
    path = tmp_path / ("damaged.warc.gz" if gzipped else "damaged.warc")
    path.write_bytes(damage(warc.data, at))
    found, errors = captures(path)
    assert found == left
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}: {problem.format(*at)}")
    assert errors[0].endswith("(the other records are read; copy or download the file again to recover this one)")


@pytest.mark.parametrize(("content", "problem"), [
    (lambda z: z[:-8] + bytes(b ^ 1 for b in z[-8:-4]) + z[-4:], "has damaged gzip content (incorrect data check)"),
    (lambda z: z[:len(z) // 2], "has gzip content cut short"),
], ids=["checksum", "cut short"])
def test_damaged_content_names_its_capture(tmp_path, content, problem):
    warc = Warc(tmp_path / "c.warc.gz")
    at = warc.response(A, content(gzip.compress(V1.encode() * 20, mtime=0)), T1, headers=[("Content-Encoding", "gzip")])
    warc.response(B, VB, TB)
    found, errors = captures(warc.save())
    assert found == [(B, TB)]
    assert errors == [f"{warc.path}: the capture of {A} at offset {at} {problem} (the other records are read; "
                      "copy or download the file again to recover this one)"]


def _chunked(body: bytes, size: int = 40) -> bytes:
    parts = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def _deflate(body: bytes, wbits: int) -> bytes:
    compressor = zlib.compressobj(wbits=wbits)
    return compressor.compress(body) + compressor.flush()


@pytest.mark.parametrize(("encode", "headers"), [
    (lambda b: b, []),
    (gzip.compress, [("Content-Encoding", "gzip")]),
    (lambda b: _deflate(b, zlib.MAX_WBITS), [("Content-Encoding", "deflate")]),
    (lambda b: _deflate(b, -zlib.MAX_WBITS), [("Content-Encoding", "deflate")]),  # raw deflate, as some servers
    (_chunked, [("Transfer-Encoding", "chunked")]),
    (lambda b: _chunked(gzip.compress(b)), [("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")]),
    (lambda b: b, [("Content-Encoding", "gzip")]),  # kept decoded by the writer, under the server's header
], ids=["identity", "gzip", "deflate", "raw deflate", "chunked", "chunked gzip", "stored decoded"])
def test_transfer_and_content_encodings_are_undone(tmp_path, encode, headers):
    warc = Warc(tmp_path / "c.warc.gz")
    warc.response(A, encode(V1.encode("utf-8")), T1, headers=headers)
    (page,), errors = all_captures(warc.save())
    assert errors == []
    assert page.data.decode("utf-8") == V1


def test_an_encoding_not_undone_is_one_line(tmp_path):
    warc = Warc(tmp_path / "c.warc.gz")
    at = warc.response(A, b"\x1b\x00\x00brotli", T1, headers=[("Content-Encoding", "br")])
    assert captures(warc.save())[1] == [
        f"{warc.path}: the capture of {A} at offset {at} is compressed with 'br', which this tool does not undo "
        "(the other records are read; copy or download the file again to recover this one)"]


def test_revisits_are_resolved_to_the_capture_they_repeat(tmp_path, caplog):
    warc = Warc(tmp_path / "c.warc.gz")
    warc.response(A, V1, T1)
    warc.response(B, VB, TB)
    warc.revisit(A, T2, T1, payload_digest(V1.encode()))  # identical payload: the same page at T2
    warc.revisit(B, T3, TB, status="304 Not Modified")  # the server said "not modified"
    warc.revisit(A, T3, "2022-01-01T00:00:00Z", payload_digest(b"a capture in another file"))
    caplog.set_level(logging.DEBUG, logger="pipeline")
    pages, errors = all_captures(warc.save())
    assert errors == []
    assert [(p.source, p.captured, p.data) for p in pages] == [
        (A, T1, V1.encode()), (B, TB, VB.encode()), (A, T2, V1.encode()), (B, T3, VB.encode())]
    (lost,) = [r for r in caplog.records if "not in this file" in r.getMessage()]
    assert lost.levelno == logging.WARNING and f"{A}, captured {T3}, repeats a capture" in lost.getMessage()


def test_a_resource_record_of_a_page_is_a_page(tmp_path):
    warc = Warc(tmp_path / "c.warc")
    warc.resource("file:///pages/partenaires.html", V1, T1)
    warc.resource("file:///pages/notes.txt", "notes", T1, content_type="text/plain")
    warc.resource("file:///pages/logo.png", "png", T1, content_type="image/png")
    assert captures(warc.save()) == ([("file:///pages/partenaires.html", T1), ("file:///pages/notes.txt", T1)], [])


# Review of issue 15: a page fetched as text/plain or Markdown was captured but never read back
# (history and a run on captures/ said the WARC held no page).
def test_the_tools_own_captures_of_text_and_markdown_pages_are_read_back_as_such(tmp_path):
    warc = Warc(tmp_path / "c.warc.gz")
    warc.response("https://x.org/partenaires.txt", "Union africaine (UA)\nL’UA coopère.\n", T1, "text/plain")
    warc.response("https://x.org/note.md", "## Agence (AG)\n\nElle coopère.\n", T1, "text/plain; charset=utf-8")
    warc.response("https://x.org/robots.txt", "User-agent: *\n", T1, "text/plain")
    pages, errors = all_captures(warc.save())
    assert errors == [] and [(p.source, p.kind) for p in pages] == [
        ("https://x.org/partenaires.txt", "text"), ("https://x.org/note.md", "markdown")]


def _ia_record(url: str, date: str, body: bytes) -> bytes:
    """A response record as the Internet Archive's crawler writes it (WARC/1.0, the IP address, the
    payload's digest, a Latin-1 page sent chunked and gzip-compressed), in a gzip member of its own."""
    content = gzip.compress(body, mtime=0)
    http = (b"HTTP/1.1 200 OK\r\nServer: Apache\r\nContent-Type: text/html; charset=ISO-8859-1\r\n"
            b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n") + _chunked(content, 512)
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Date: {date}\r\n"
            f"WARC-Payload-Digest: {payload_digest(content)}\r\nWARC-IP-Address: 207.241.224.2\r\n"
            f"WARC-Record-ID: <urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url + date)}>\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n")
    return gzip.compress(head.encode() + http + b"\r\n\r\n", mtime=0)


def test_a_warc_from_a_public_web_archive(tmp_path, config):
    page = page_html("Banque asiatique de développement (BAsD)", "La BAsD coopère avec l’OMD depuis 2010 ; "
                     "un accord a été signé à Manille.").replace("’", "'")
    path = tmp_path / "web.archive.org-partenaires.warc.gz"
    path.write_bytes(_ia_record(A, "2019-04-02T11:12:13Z", page.encode("iso-8859-1"))
                     + _ia_record(A, "2021-07-08T09:10:11Z", page.replace("2010", "2011").encode("iso-8859-1")))
    inputs = api.Pipeline(config).read([path])
    assert inputs.errors == []
    (document,) = inputs.documents
    assert (document.source, document.captured) == (A, "2021-07-08T09:10:11Z")
    assert document.path.startswith(f"{path.as_posix()}#") and document.path != f"{path.as_posix()}#0"
    (section,) = document.sections
    assert section.heading == "Banque asiatique de développement (BAsD)"
    assert "coopère avec l'OMD depuis 2011" in section.text


@pytest.mark.parametrize("gzipped", [True, False], ids=["warc.gz", "warc"])
@pytest.mark.parametrize("size", [MAX_BYTES + 1, RECORD_LIMIT + 1], ids=["page over", "record over"])
def test_a_capture_over_the_limit_is_one_line(tmp_path, gzipped, size):
    warc = Warc(tmp_path / "c.warc", gzipped)
    big = warc.response(B, b"<html><body><p>" + b"a" * size, TB)
    warc.response(A, V1, T1)
    assert captures(warc.save()) == ([(A, T1)], [
        f"{warc.path}: the capture of {B} at offset {big} is over the 20 MiB limit (the other records are read)"])


@pytest.mark.parametrize(("data", "problem"), [
    (b"", "the file is empty"),
    (b"<!doctype html><html><body>Une page</body></html>", "not a WARC file (it does not start with a WARC record)"),
    (gzip.compress(b"Une page\n"), "a gzip file, but not of a WARC file (it does not start with a WARC record)"),
], ids=["empty", "a page", "another gzip file"])
def test_a_file_that_is_no_warc_is_one_line(tmp_path, data, problem):
    path = tmp_path / "c.warc.gz"
    path.write_bytes(data)
    assert captures(path) == ([], [f"{path}: {problem} " + ("(give a WARC file (.warc or .warc.gz))" if not data else
                                   "(give a file a web archive or a crawler wrote (.warc or .warc.gz))")])


def test_a_warc_saved_under_another_name_says_how_to_name_it(tmp_path, config):
    warc = Warc(tmp_path / "c.warc.gz")
    warc.response(A, V1, T1)
    with pytest.raises(InputError, match=r"a gzip archive, not a text or HTML page \(a WARC file is read when named "
                                         r"\.warc\.gz"):
        read_page("captures.txt", warc.data, config.resources)


def test_a_warc_without_html_page_says_so(tmp_path):
    warc = Warc(tmp_path / "c.warc.gz")
    warc.response(A + "/logo.png", b"\x89PNG\r\n\x1a\n", T1, "image/png")
    found, (line,) = captures(warc.save())
    assert found == [] and line.startswith(f"{warc.path}: holds no HTML page")


def test_the_latest_capture_of_a_url_wins_across_warc_files(tmp_path, config):
    old = Warc(tmp_path / "2023.warc.gz")
    old.response(A, V1, T1)
    old.response(B, VB, TB)
    new = Warc(tmp_path / "2025.warc")
    new.response(A, V3, T3)
    inputs = api.Pipeline(config).read([new.save(), old.save()])
    assert inputs.errors == []
    assert [(d.source, d.captured, d.sections[0].heading) for d in inputs.documents] == [
        (A, T3, "Banque mondiale"), (B, TB, "Banque asiatique de développement (BAsD)")]


def test_a_warc_file_takes_no_source_name(tmp_path, config):
    warc = Warc(tmp_path / "c.warc.gz")
    warc.response(A, V1, T1)
    with pytest.raises(InputError, match="a WARC file's pages are named by their URLs"):
        api.Pipeline(config).read([warc.save()], {warc.path: "page.html"})


def test_every_name_given_for_no_page_of_the_run_is_said_at_once(tmp_path, config):
    warc, page = Warc(tmp_path / "c.warc.gz"), tmp_path / "page.txt"
    warc.response(A, V1, T1)
    page.write_text("Union africaine (UA)\nL’UA coopère avec l’OMD.\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        api.Pipeline(config).read([warc.save(), page], {warc.path: "x", tmp_path / "other.txt": "y"})
    assert error.value.line() == (f"--source-name: {tmp_path / 'other.txt'}: not among the pages read; "
                                  f"{warc.path}: a WARC file's pages are named by their URLs (give FILE=NAME for "
                                  "a page file or a PDF of the run)")


def test_a_folder_of_a_page_a_pdf_and_warc_files_is_read_together(tmp_path, config):
    folder = tmp_path / "sources"
    (folder / "gold").mkdir(parents=True)
    page = folder / "partenaires_puces.txt"
    page.write_bytes((FIXTURES / "pages" / "partenaires_puces.txt").read_bytes())
    write_pdf(folder / "Rapport.PDF")
    warc = Warc(folder / "captures.warc.gz")
    warc.response(A, V1, T1)
    warc.save()
    warc = Warc(folder / "gold" / "ignored.warc")  # a gold folder is never read
    warc.response(B, VB, TB)
    warc.save()
    inputs = api.Pipeline(config).read([folder])
    assert inputs.errors == []
    assert [d.source for d in inputs.documents] == ["Rapport.PDF", A, "partenaires_puces.txt"]  # files in name order


def test_a_run_on_a_damaged_warc_writes_the_other_captures_and_exits_1(cli, tmp_path):
    warc, at = three_captures(tmp_path / "c.warc.gz")
    b3 = warc.response(B, V3, T3)
    path = tmp_path / "captures.warc.gz"
    path.write_bytes(_corrupt_member(warc.data, at))  # B's capture at TB is lost, its capture at T3 is not
    result = cli("run", path, "--out", tmp_path / "out", "--formats", "json", "-v")
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert errors[0].startswith(f"error: {path}: the record at offset {at[1]} is a corrupt gzip member (")
    assert f"debug: {A}: read as captured {T2} ({path}#{at[2]}); 1 older capture(s) left for the history: " \
           f"{T1} ({path}#{at[0]})" in result.stderr.splitlines()
    data = api.load_json(tmp_path / "out", "predictions")[1]
    assert [(d["source"], d["path"]) for d in data["documents"]] == [(A, f"{path}#{at[2]}"), (B, f"{path}#{b3}")]
    assert [(p["source"], p["heading"]) for p in data["partners"]] == [(A, "Union africaine (UA)"),
                                                                        (B, "Banque mondiale")]


def test_reading_page_files_loads_neither_warcio_nor_pypdf():
    code = ("import sys; from pipeline import api; api.Pipeline().read(['corpus']); "
            "print(sorted(m for m in ('warcio', 'pypdf') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# Review of issue 15: a WARC 1.1 date with fractions of a second gave `captured` a form the schema
# refuses, and the whole run wrote nothing (exit 3).
def test_a_capture_dated_to_the_fraction_of_a_second_is_written_to_the_second(cli, tmp_path):
    warc = Warc(tmp_path / "c.warc.gz", True)
    warc.response(A, V1, "2024-05-01T10:00:00.250000Z")
    warc.response(A, V2, "2024-05-01T10:00:00.750000Z")  # the same second, later: this one is read
    result = cli("run", warc.save(), "--out", tmp_path / "out", "--formats", "json,csv")
    assert result.returncode == 0, result.stderr
    rows = (tmp_path / "out" / "partners.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[1].endswith(",2024-05-01T10:00:00Z") and "12 mars 2019" in rows[1]
