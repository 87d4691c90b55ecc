"""The captures folder: one WARC file per URL, appended to, that any WARC reader reads whole, even after a
run was killed while appending to it."""

import re

import pytest
from warcio.archiveiterator import ArchiveIterator

from pipeline.errors import OutputError
from pipeline.sources.captures import CaptureFile, Exchange, capture_file, http_head, last_capture

URL = "https://www.example.org/fr/partenaires"
INFO = {"software": "omd-partners-pipeline/test"}


def exchange(body: bytes, date: str, headers=()) -> Exchange:
    request = http_head("GET /fr/partenaires HTTP/1.1", [(b"Host", b"www.example.org")])
    response = http_head("HTTP/1.1 200 OK", [(b"Content-Type", b"text/html; charset=utf-8"),
                                             (b"Content-Length", str(len(body)).encode()), *headers])
    return Exchange(URL, date, request, response, body)


def read_all(file) -> list[tuple[str, str]]:
    """Every record, as warcio reads it with every digest checked: (type, date)."""
    with open(file, "rb") as handle:
        return [(r.rec_type, r.rec_headers.get_header("WARC-Date"))
                for r in ArchiveIterator(handle, check_digests="raise")]


@pytest.mark.parametrize(("url", "expected"), [
    ("https://www.example.org/fr/partenaires", r"www\.example\.org/fr-partenaires-[0-9a-f]{8}\.warc\.gz"),
    ("https://www.example.org/", r"www\.example\.org/index-[0-9a-f]{8}\.warc\.gz"),
    ("http://127.0.0.1:8080/page?lang=fr", r"127\.0\.0\.1-8080/page-lang-fr-[0-9a-f]{8}\.warc\.gz"),
    ("https://[::1]:8443/p", r"1-8443/p-[0-9a-f]{8}\.warc\.gz"),
])
def test_each_url_has_its_capture_file_in_a_folder_of_its_host(tmp_path, url, expected):
    assert re.fullmatch(expected, capture_file(tmp_path, url).relative_to(tmp_path).as_posix())


def test_two_urls_that_make_the_same_name_keep_apart(tmp_path):
    assert capture_file(tmp_path, "https://x.org/a-b") != capture_file(tmp_path, "https://x.org/a/b")


def test_each_fetch_is_appended_and_the_latest_is_read_with_what_a_conditional_request_needs(tmp_path):
    captures = CaptureFile(tmp_path, URL, INFO)
    first = captures.add(exchange(b"<p>un</p>", "2026-01-01T10:00:00Z", [(b"ETag", b'"a"')]), None)
    second = captures.add(exchange(b"<p>deux</p>", "2026-02-01T10:00:00Z",
                                   [(b"Last-Modified", b"Sun, 01 Feb 2026 09:00:00 GMT")]), first)
    assert last_capture(captures.path) == second
    assert first.validators() == {"If-None-Match": '"a"'}
    assert second.validators() == {"If-Modified-Since": "Sun, 01 Feb 2026 09:00:00 GMT"}
    assert read_all(captures.path) == [("warcinfo", "2026-01-01T10:00:00Z"), ("request", "2026-01-01T10:00:00Z"),
                                       ("response", "2026-01-01T10:00:00Z"), ("warcinfo", "2026-02-01T10:00:00Z"),
                                       ("request", "2026-02-01T10:00:00Z"), ("response", "2026-02-01T10:00:00Z")]


# How a run killed while appending its second fetch left the file: (the bytes of the first fetch, the
# bytes of both) -> the file; and whether the second fetch is still readable.
TAILS = {
    "cut in its first record": (lambda one, both: both[:len(one) + 10], False),
    "cut half-way": (lambda one, both: both[:(len(one) + len(both)) // 2], False),
    "cut in the last gzip trailer": (lambda one, both: both[:-3], False),
    "garbage after it": (lambda one, both: both + b"\x1f\x8b\x08 not a gzip member", True),
}


@pytest.mark.parametrize(("tail", "second_stands"), TAILS.values(), ids=list(TAILS))
def test_a_tail_left_by_a_killed_run_is_never_read_and_cut_off_by_the_next_append(tmp_path, tail, second_stands):
    captures = CaptureFile(tmp_path, URL, INFO)
    first = captures.add(exchange(b"<p>un</p>" * 50, "2026-01-01T10:00:00Z"), None)
    one = captures.path.read_bytes()
    second = captures.add(exchange(b"<p>deux</p>" * 50, "2026-02-01T10:00:00Z"), first)
    captures.path.write_bytes(tail(one, captures.path.read_bytes()))

    assert last_capture(captures.path) == (second if second_stands else first)
    third = captures.add(exchange(b"<p>trois</p>" * 50, "2026-03-01T10:00:00Z"), first)
    assert last_capture(captures.path) == third
    kept = read_all(captures.path)  # whole: no broken record, every digest right
    assert [r for r in kept if r[0] == "response"] == [
        ("response", "2026-01-01T10:00:00Z"), *[("response", "2026-02-01T10:00:00Z")] * second_stands,
        ("response", "2026-03-01T10:00:00Z")]
    assert kept[-3:] == [("warcinfo", "2026-03-01T10:00:00Z"), ("request", "2026-03-01T10:00:00Z"),
                         ("response", "2026-03-01T10:00:00Z")]


# Review of issue 15: a record damaged in the middle of the file was taken for a broken tail, and the
# next append cut off every capture after it.
def test_a_record_damaged_in_the_middle_is_never_cut_off_with_the_captures_after_it(tmp_path):
    captures = CaptureFile(tmp_path, URL, INFO)
    first = captures.add(exchange(b"<p>un</p>" * 50, "2026-01-01T10:00:00Z"), None)
    one = len(captures.path.read_bytes())
    captures.add(exchange(b"<p>deux</p>" * 50, "2026-02-01T10:00:00Z"), first)
    two = len(captures.path.read_bytes())
    captures.add(exchange(b"<p>trois</p>" * 50, "2026-03-01T10:00:00Z"), first)
    data = bytearray(captures.path.read_bytes())
    middle = (one + two) // 2
    data[middle:middle + 8] = b"\x00" * 8  # inside the second fetch's records
    captures.path.write_bytes(bytes(data))
    with pytest.raises(OutputError, match=r"is damaged and captures follow it .*move the file aside"):
        captures.add(exchange(b"<p>quatre</p>" * 50, "2026-04-01T10:00:00Z"), first)
    assert captures.path.read_bytes() == bytes(data)  # nothing cut, nothing added
