"""Pages fetched by their URL from an HTTP server these tests start on 127.0.0.1 (no test reaches
outside this machine): what is read, what is kept as a WARC capture, and one line for each way a fetch
fails."""

import gzip
import io
import os
import re
import socket
import time
import zlib
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_cli
from pytest_httpserver import HTTPServer
from warcio.archiveiterator import ArchiveIterator
from werkzeug import Response

from pipeline.errors import InputError
from pipeline.models import RawPage
from pipeline.sources import captures as warc_captures
from pipeline.sources.web import FetchOptions, fetch_pages, normalise_url, page_kind
from pipeline.stages import reading
from pipeline.stages.sections import read_documents

# Short waits: a stalled response fails within half a second, retries wait a hundredth.
FAST = FetchOptions(connect_timeout=2.0, read_timeout=0.5, deadline=20.0, backoff=0.01, trust_env=False)
CAPTURED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
PAGE = """<!doctype html><html><head><title>Nos partenaires</title></head><body>
<h2>Union africaine (UA)</h2>
<p>La coopération entre l’OMD et l’Union africaine (UA) a été renforcée par un protocole d’accord signé
le 13 mai 2015 à Addis-Abeba.</p>
<h2>Organisation mondiale du commerce (OMC)</h2>
<p>L’OMD et l’OMC coopèrent à la mise en œuvre de l’Accord sur la facilitation des échanges depuis 2014.</p>
</body></html>
"""
HTML = "text/html; charset=utf-8"


@pytest.fixture(scope="module")
def _server():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)  # a stalled answer blocks no other test
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def server(_server, monkeypatch):
    """The test server, empty: a path with no handler answers 404 (robots.txt too: everything allowed)."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    _server.clear()
    _server.no_handler_status_code = 404
    yield _server
    _server.clear()


def fetch(urls, captures, **options):
    return fetch_pages(urls, captures, replace(FAST, **options))


def records(file: Path) -> list:
    """Every record of a capture file as warcio's own ArchiveIterator reads it: (type, WARC headers,
    HTTP headers, content decoded)."""
    out = []
    with open(file, "rb") as handle:
        for record in ArchiveIterator(handle):
            content = record.content_stream().read()
            out.append((record.rec_type, record.rec_headers, record.http_headers, content))
    return out


def only_file(captures: Path) -> Path:
    (file,) = captures.rglob("*.warc.gz")
    return file


def page_requests(server, path="/page"):
    return [request for request, _ in server.log if request.path == path]


def test_a_page_is_read_by_its_url_and_kept_as_request_and_response_in_a_warc_file(server, tmp_path):
    server.expect_request("/page").respond_with_data(PAGE.encode(), content_type=HTML, headers={"ETag": '"v1"'})
    url = server.url_for("/page")
    (page,), errors = fetch([url], tmp_path)
    assert errors == []
    assert (page.source, page.path, page.data, page.charset, page.kind) == (url, url, PAGE.encode(), "utf-8", "html")
    assert CAPTURED.match(page.captured)
    assert page_requests(server)[0].headers["User-Agent"].startswith("omd-pipeline/0.1.0 (+")

    file = only_file(tmp_path)
    assert file.parent.name == f"127.0.0.1-{server.port}" and file.name.startswith("page-")
    kept = records(file)
    assert [r[0] for r in kept] == ["warcinfo", "request", "response"]
    _, info_headers, _, info = kept[0]
    assert info_headers.protocol == "WARC/1.1" and b"software: omd-partners-pipeline/0.1.0" in info
    _, request_headers, request_http, _ = kept[1]
    assert request_http.protocol == "GET" and request_http.statusline == "/page HTTP/1.1"
    assert request_http.get_header("User-Agent").startswith("omd-pipeline/")
    _, warc, http, content = kept[2]
    assert warc.get_header("WARC-Target-URI") == url and warc.get_header("WARC-Date") == page.captured
    assert request_headers.get_header("WARC-Concurrent-To") == warc.get_header("WARC-Record-ID")
    assert (http.get_statuscode(), http.get_header("ETag"), http.get_header("Content-Type")) == ("200", '"v1"', HTML)
    assert content == PAGE.encode()


@pytest.mark.parametrize(("validator", "value", "conditional"), [
    ("ETag", '"v1"', "If-None-Match"),
    ("Last-Modified", "Wed, 01 Jan 2025 08:00:00 GMT", "If-Modified-Since"),
])
def test_an_unchanged_page_is_asked_for_conditionally_and_read_from_its_capture(server, tmp_path, validator, value,
                                                                                conditional):
    def answer(request):
        if request.headers.get(conditional) == value:
            return Response(status=304, headers={validator: value})
        return Response(PAGE.encode(), content_type=HTML, headers={validator: value})

    server.expect_request("/page").respond_with_handler(answer)
    url = server.url_for("/page")
    (first,), _ = fetch([url], tmp_path)
    time.sleep(1.1)  # a second later: a fetch dated anew would show
    (again,), errors = fetch([url], tmp_path)

    assert errors == []
    assert again == first  # the same bytes, and the time of the capture they come from
    assert [r.headers.get(conditional) for r in page_requests(server)] == [None, value]
    kept = records(only_file(tmp_path))
    assert [r[0] for r in kept] == ["warcinfo", "request", "response", "warcinfo", "request", "revisit"]
    _, revisit, http, _ = kept[-1]
    assert revisit.get_header("WARC-Profile") == warc_captures.NOT_MODIFIED
    assert http.get_statuscode() == "304"
    assert revisit.get_header("WARC-Refers-To-Date") == first.captured < revisit.get_header("WARC-Date")
    assert revisit.get_header("WARC-Refers-To") == kept[2][1].get_header("WARC-Record-ID")


def test_the_same_bytes_from_a_server_without_validators_are_a_revisit_not_a_second_copy(server, tmp_path):
    server.expect_request("/page").respond_with_data(PAGE.encode(), content_type=HTML)
    url = server.url_for("/page")
    (first,), _ = fetch([url], tmp_path)
    (again,), _ = fetch([url], tmp_path)
    assert again == first
    kept = records(only_file(tmp_path))
    assert [r[0] for r in kept] == ["warcinfo", "request", "response", "warcinfo", "request", "revisit"]
    assert kept[-1][1].get_header("WARC-Profile") == warc_captures.IDENTICAL


def test_a_changed_page_is_a_new_capture_and_the_newest_is_read(server, tmp_path):
    url = server.url_for("/page")
    server.expect_oneshot_request("/page").respond_with_data(PAGE.encode(), content_type=HTML)
    fetch([url], tmp_path)
    server.expect_oneshot_request("/page").respond_with_data(PAGE.replace("2014", "2016").encode(), content_type=HTML)
    (page,), _ = fetch([url], tmp_path)
    assert b"2016" in page.data
    (offline,), _ = fetch([url], tmp_path, offline=True)
    assert offline == page
    assert [r[0] for r in records(only_file(tmp_path))].count("response") == 2


def test_a_server_error_is_tried_again_with_back_off(server, tmp_path):
    server.expect_oneshot_request("/page").respond_with_data("busy", status=500)
    server.expect_oneshot_request("/page").respond_with_data("busy", status=503, headers={"Retry-After": "0"})
    server.expect_request("/page").respond_with_data(PAGE.encode(), content_type=HTML)
    (page,), errors = fetch([server.url_for("/page")], tmp_path)
    assert errors == [] and page.data == PAGE.encode()
    assert len(page_requests(server)) == 3
    assert [r[0] for r in records(only_file(tmp_path))] == ["warcinfo", "request", "response"]  # failures not kept


def test_a_redirect_is_followed_the_page_keeps_the_url_given_and_its_path_is_where_it_came_from(server, tmp_path):
    server.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new#top"})
    server.expect_request("/new").respond_with_data(PAGE.encode(), content_type=HTML)
    url = server.url_for("/old")
    (page,), errors = fetch([url + "#section"], tmp_path)
    assert errors == []
    assert (page.source, page.path) == (url, server.url_for("/new"))
    (response,) = [r for r in records(only_file(tmp_path)) if r[0] == "response"]
    assert response[1].get_header("WARC-Target-URI") == server.url_for("/new")
    (offline,), _ = fetch([url], tmp_path, offline=True)
    assert offline == page


def _stall(request):
    def body():
        yield b"<!doctype html><html><body><h2>Union africaine</h2>"
        time.sleep(5)  # far longer than the read timeout: had the client waited, it would get the page
        yield b"<p>La suite.</p></body></html>"

    return Response(body(), content_type=HTML)


def _gzip_bomb(request):
    return Response(gzip.compress(b" " * 3000), content_type=HTML, headers={"Content-Encoding": "gzip"})


def _streamed(request):
    return Response((b"x" * 400 for _ in range(5)), content_type=HTML)  # chunked, no Content-Length


def _fixed(request):
    return Response(b"y" * 2000, content_type=HTML)


def _loop(request):
    return Response("", status=302, headers={"Location": "/b" if request.path == "/a" else "/a"})


# (path and its handler, limit in bytes (None: 20 MiB), what the one line says)
FAILURES = [
    ("/gone", None, None, "no such page (HTTP 404 NOT FOUND) (check the address)"),
    ("/private/page", None, None, "/robots.txt disallows this page to robots"),
    ("/a", _loop, None, "too many redirects (more than 5: a redirect loop:"),
    ("/always-500", lambda r: Response("no", status=500), None, "the server failed (HTTP 500 INTERNAL SERVER ERROR) "
                                                                "after 4 tries (try again later)"),
    ("/forbidden", lambda r: Response("no", status=403), None, "access refused (HTTP 403 FORBIDDEN)"),
    ("/stall", _stall, None, "the server stopped answering (nothing for 0.5 s: timed out) (try again later)"),
    ("/large", _fixed, 1000, "the page is 0.0 MB, over the 1000 bytes limit"),
    ("/streamed", _streamed, 1000, "the page is over the 1000 bytes limit (save"),
    ("/bomb", _gzip_bomb, 1000, "the page is over the 1000 bytes limit once decompressed"),
    ("/image", lambda r: Response(b"\x89PNG\r\n", content_type="image/png"), None,
     "not a web page: its Content-Type is image/png (give the address of an HTML, Markdown or text page)"),
    ("/report.pdf", lambda r: Response(b"%PDF-1.4", content_type="application/pdf"), None,
     "this is a PDF document; a PDF is not read by its URL (download it and give the file)"),
]


@pytest.mark.parametrize(("path", "handler", "limit", "line"), FAILURES, ids=[f[0] for f in FAILURES])
def test_a_page_that_cannot_be_fetched_is_one_line_and_the_others_are_still_read(server, tmp_path, monkeypatch, path,
                                                                                 handler, limit, line):
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n",
                                                           content_type="text/plain")
    server.expect_request("/page").respond_with_data(PAGE.encode(), content_type=HTML)
    if handler is not None:
        server.expect_request(re.compile("^/(a|b)$") if path == "/a" else path).respond_with_handler(handler)
    if limit is not None:
        monkeypatch.setattr(reading, "MAX_BYTES", limit)
        server.expect_request("/page").respond_with_data(b"<p>short</p>", content_type=HTML)
    bad, good = server.url_for(path), server.url_for("/page")
    pages, errors = fetch([bad, good], tmp_path)

    assert [p.source for p in pages] == [good]
    (error,) = errors
    assert error.source == bad and error.exit_code == 2
    assert line in error.line(), error.line()
    assert "\n" not in error.line()
    assert not warc_captures.capture_file(tmp_path, bad).exists()  # nothing kept of a page not read


def test_robots_txt_is_read_once_per_host_and_a_server_failing_to_give_it_disallows(server, tmp_path):
    server.expect_request("/robots.txt").respond_with_data("down", status=503)
    pages, errors = fetch([server.url_for("/page"), server.url_for("/other")], tmp_path, retries=0)
    assert pages == []
    assert [e.problem for e in errors] == [f"{server.url_for('/robots.txt')} cannot be read (HTTP 503), so its "
                                           "rules are unknown"] * 2
    assert len(page_requests(server, "/robots.txt")) == 1
    assert page_requests(server) == []


@pytest.mark.parametrize(("encoding", "compress"), [
    ("gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda data: zlib.compress(data, wbits=-15)),  # raw deflate, as some servers send it
])
def test_a_compressed_page_is_read_decoded_and_kept_as_it_came(server, tmp_path, encoding, compress):
    server.expect_request("/page").respond_with_data(compress(PAGE.encode()), content_type=HTML,
                                                     headers={"Content-Encoding": encoding})
    url = server.url_for("/page")
    (page,), errors = fetch([url], tmp_path)
    assert errors == [] and page.data == PAGE.encode()
    (response,) = [r for r in records(only_file(tmp_path)) if r[0] == "response"]
    assert response[2].get_header("Content-Encoding") == encoding and response[3] == PAGE.encode()
    (offline,), _ = fetch([url], tmp_path, offline=True)
    assert offline == page


def test_a_page_sent_in_chunks_is_kept_so_that_any_reader_reads_it_whole(server, tmp_path):
    parts = [PAGE[:100].encode(), PAGE[100:].encode()]
    server.expect_request("/page").respond_with_handler(lambda r: Response(iter(parts), content_type=HTML))
    (page,), _ = fetch([server.url_for("/page")], tmp_path)
    (response,) = [r for r in records(only_file(tmp_path)) if r[0] == "response"]
    assert response[2].get_header("Transfer-Encoding") == "chunked"  # the headers as received
    assert page.data == response[3] == PAGE.encode()


@pytest.mark.parametrize(("declared", "encoding"), [
    ("utf-8", "cp1252"),  # declared UTF-8, sent in Windows-1252
    ("iso-8859-1", "utf-8"),  # declared Latin-1, sent in UTF-8
    (None, "cp1252"),  # nothing declared: the page's own <meta> tells
])
def test_a_wrong_declared_charset_gives_no_mojibake(server, tmp_path, config, caplog, declared, encoding):
    html = PAGE.replace("<head>", '<head><meta charset="windows-1252">') if declared is None else PAGE
    html = html.replace("’", "'")  # a character Latin-1 has not: the page is one Latin-1 could be
    content_type = f"text/html; charset={declared}" if declared else "text/html"
    server.expect_request("/page").respond_with_data(html.encode(encoding), content_type=content_type)
    pages, _ = fetch([server.url_for("/page")], tmp_path)
    assert pages[0].charset == declared
    (document,), errors = read_documents(pages, config.resources)
    assert errors == []
    texts = " ".join(s.text for s in document.sections)
    assert "La coopération entre l'OMD" in texts and "Ã" not in texts
    assert "mojibake" not in caplog.text


def test_a_host_that_does_not_exist_is_one_line(server, tmp_path, monkeypatch):
    resolve = socket.getaddrinfo

    def no_such_host(host, *args, **kwargs):  # the resolver says "no such name" without asking the network
        if host == "pages.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    server.expect_request("/page").respond_with_data(PAGE.encode(), content_type=HTML)
    pages, errors = fetch(["https://pages.invalid/partenaires", server.url_for("/page")], tmp_path)
    assert len(pages) == 1
    assert [e.line() for e in errors] == ["https://pages.invalid/partenaires: unknown host pages.invalid "
                                          "(DNS: no such name) (check the address and the network)"]


def test_a_refused_connection_is_tried_again_then_one_line_that_offers_the_last_capture(server, tmp_path):
    server.expect_request("/page").respond_with_data(PAGE.encode(), content_type=HTML)
    url = server.url_for("/page")
    (first,), _ = fetch([url], tmp_path)
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # closed when the block ends: nothing listens there
    moved = warc_captures.capture_file(tmp_path, normalise_url(f"http://127.0.0.1:{port}/page"))
    moved.parent.mkdir(parents=True)
    moved.write_bytes(only_file(tmp_path).read_bytes())
    pages, (error,) = fetch([f"http://127.0.0.1:{port}/page"], tmp_path)
    assert pages == []
    assert error.problem == "127.0.0.1 refused the connection after 4 tries"
    assert error.hint.endswith(f"or read its capture of {first.captured} with --offline")


def test_offline_reads_the_last_capture_and_never_the_network(server, tmp_path):
    server.expect_request("/page").respond_with_data(PAGE.encode(), content_type=HTML)
    url = server.url_for("/page")
    (online,), _ = fetch([url], tmp_path)
    server.clear_log()
    pages, errors = fetch([url, server.url_for("/never-fetched")], tmp_path, offline=True)
    assert pages == [online]
    assert [e.problem for e in errors] == [f"no capture of this page in {tmp_path}/ (offline)"]
    assert server.log == []


def test_a_url_given_twice_is_read_once_and_urls_are_named_in_one_form(server, tmp_path):
    server.expect_request("/page").respond_with_data(PAGE.encode(), content_type=HTML)
    url = server.url_for("/page")
    pages, _ = fetch([url, url.replace("http://", "HTTP://") + "#top"], tmp_path)
    assert [p.source for p in pages] == [url]
    assert len(page_requests(server)) == 1


@pytest.mark.parametrize(("given", "expected"), [
    ("https://www.WCOOMD.org/fr/partenaires#haut", "https://www.wcoomd.org/fr/partenaires"),
    ("HTTP://example.org:80", "http://example.org/"),
    ("https://example.org:8443/a?b=1", "https://example.org:8443/a?b=1"),
    ("https://example.org/Coopération", "https://example.org/Coopération"),
])
def test_a_url_is_named_by_its_normal_form(given, expected):
    assert normalise_url(given) == expected


# Review of issue 15: credentials in a URL went into every output's source and every capture.
def test_a_url_with_credentials_is_refused_and_they_are_not_repeated():
    with pytest.raises(InputError, match="a URL with a user name or password is not fetched") as error:
        normalise_url("https://agent:s3cret@example.org/partenaires")
    assert "s3cret" not in error.value.line() and "agent" not in error.value.line()


@pytest.mark.parametrize(("content_type", "url", "expected"), [
    ("text/html; charset=UTF-8", "https://x.org/p", ("html", "utf-8")),
    ("application/xhtml+xml", "https://x.org/p", ("html", None)),
    ("text/plain; charset=windows-1252", "https://x.org/p.txt", ("text", "windows-1252")),
    ("text/plain", "https://x.org/README.md", ("markdown", None)),
    ("text/markdown", "https://x.org/p", ("markdown", None)),
    (None, "https://x.org/p", (None, None)),
    ("application/octet-stream", "https://x.org/p.txt", (None, None)),
])
def test_the_content_type_gives_the_kind_of_page_and_its_charset(content_type, url, expected):
    assert page_kind(content_type, url) == expected


def test_run_on_a_url_and_a_file_then_offline_gives_the_same_outputs(server, tmp_path, cli):
    server.expect_request("/page").respond_with_data(PAGE.encode(), content_type=HTML)
    url = server.url_for("/page")
    page_file = tmp_path / "partenaires.txt"
    page_file.write_text("Union européenne (UE)\nL’OMD et l’UE ont signé un accord en 2012.\n", encoding="utf-8")
    captures = tmp_path / "captures"
    online = cli("run", url, page_file, "--out", tmp_path / "online", "--captures", captures)
    assert online.returncode == 0, online.stderr
    server.clear()  # from now on the server knows no page: only the capture can give it
    offline = cli("run", url, page_file, "--out", tmp_path / "offline", "--captures", captures, "--offline",
                  "--no-cache")
    assert offline.returncode == 0, offline.stderr
    assert server.log == []

    names = sorted(p.name for p in (tmp_path / "online").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "offline").iterdir())
    for name in names:
        assert (tmp_path / "online" / name).read_bytes() == (tmp_path / "offline" / name).read_bytes(), name
    partners = pd.read_csv(tmp_path / "online" / "partners.csv", keep_default_na=False)
    assert partners.columns[-1] == "captured"
    from_url = partners[partners["source"] == url]
    assert list(from_url["heading"]) == ["Union africaine (UA)", "Organisation mondiale du commerce (OMC)"]
    (captured,) = set(from_url["captured"])
    assert CAPTURED.match(captured)
    assert set(partners[partners["source"] == "partenaires.txt"]["captured"]) == {""}
    documents = pd.read_json(io.StringIO((tmp_path / "online" / "partners.json").read_text()), typ="series")
    assert [(d["source"], d["path"], d["captured"]) for d in documents["documents"]] == [
        ("partenaires.txt", str(page_file), None), (url, url, captured)]


def test_run_says_one_line_per_page_that_cannot_be_fetched_and_exits_as_documented(server, tmp_path, cli):
    server.expect_request("/page").respond_with_data(PAGE.encode(), content_type=HTML)
    good, missing = server.url_for("/page"), server.url_for("/missing")
    out = tmp_path / "out"
    args = ["--out", out, "--captures", tmp_path / "captures"]
    some = cli("run", good, missing, *args)
    assert some.returncode == 1
    assert [line for line in some.stderr.splitlines() if line.startswith("error:")] == [
        f"error: {missing}: no such page (HTTP 404 NOT FOUND) (check the address)"]
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    none = cli("run", missing, *args)
    assert none.returncode == 2 and "Traceback" not in none.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the previous outputs untouched
    offline = cli("run", missing, *args, "--offline")
    assert offline.returncode == 2
    assert f"error: {missing}: no capture of this page in {tmp_path / 'captures'}/ (offline)" in offline.stderr


def test_a_captures_folder_that_cannot_be_written_is_one_line_and_exit_3(server, tmp_path, cli):
    server.expect_request("/page").respond_with_data(PAGE.encode(), content_type=HTML)
    blocker = tmp_path / "captures"
    blocker.write_text("a file, not a folder")
    result = cli("run", server.url_for("/page"), "--out", tmp_path / "out", "--captures", blocker)
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert result.stderr == f"error: {blocker}: cannot be used as the captures folder: File exists " \
                            "(choose another --captures folder)\n"
    assert not (tmp_path / "out").exists()


def test_the_page_read_is_the_one_the_reading_stage_reads_from_a_file(server, tmp_path, config):
    server.expect_request("/page").respond_with_data(PAGE.encode(), content_type=HTML)
    (page,), _ = fetch([server.url_for("/page")], tmp_path)
    (fetched,), _ = read_documents([page], config.resources)
    (saved,), _ = read_documents([RawPage("page.html", PAGE.encode())], config.resources)
    assert [(s.heading, s.text) for s in fetched.sections] == [(s.heading, s.text) for s in saved.sections]
    assert (fetched.source, fetched.path, fetched.captured) == (page.source, page.path, page.captured)


# Review of issue 15: the User-Agent's contact was a placeholder that only an edit of the code changed.
@pytest.mark.parametrize(("args", "env", "agent"), [
    (["--contact", "veille@douane.example"], {}, "omd-pipeline/0.1.0 (+veille@douane.example)"),
    ([], {"OMD_PIPELINE_CONTACT": "https://douane.example/veille"}, "omd-pipeline/0.1.0 (+https://douane.example/veille)"),
])
def test_the_user_agent_names_whom_the_site_can_reach(server, tmp_path, args, env, agent):
    server.expect_request("/page").respond_with_data(PAGE.encode(), content_type=HTML)
    result = run_cli("run", server.url_for("/page"), "--out", tmp_path / "out", "--captures", tmp_path / "c", *args,
                     cache_dir=tmp_path / "cache", env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    assert page_requests(server)[0].headers["User-Agent"] == agent
