"""The captures folder: every page fetched by its URL kept as standard WARC 1.1 records, so that a run can
be repeated offline from what was fetched and a page followed over time.

One file per URL, ``CAPTURES/<host>/<slug>-<hash>.warc.gz``, appended to at each fetch: a ``warcinfo``
record naming the tool, then the ``request`` as sent and the ``response`` as received (status line and
headers as they came, the body as it came, still compressed if it was), dated by the retrieval time. A
fetch that finds the page unchanged (HTTP 304 to a conditional request, or the very same bytes again)
appends a ``revisit`` record instead of a second copy. Every record is one gzip member, as every WARC
reader (warcio's ``ArchiveIterator`` among them) expects.

Appends are whole or repaired: the records of one fetch are written by one ``write`` under an exclusive
lock on the file, and a tail left broken by a run killed while writing (a truncated gzip member) is cut
off by the next append, so that it never breaks a later read.
"""

from __future__ import annotations

import fcntl
import io
import os
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.warcwriter import WARCWriter

from ..errors import OutputError
from ..text import sha256, slug

WARC_VERSION = "1.1"
SUFFIX = ".warc.gz"
# The revisit profiles of WARC 1.1: the server said the page had not changed since the capture referred
# to (HTTP 304), or it sent the same bytes again.
NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


def capture_file(captures: Path, url: str) -> Path:
    """Where the captures of ``url`` are kept: a folder per host (with its port, if any), a file named by
    the URL's path and query, made unique by a short hash of the whole URL."""
    parts = urlsplit(url)
    host = (re.sub(r"[^a-z0-9.-]+", "-", parts.hostname or "").strip("-.") or "host") \
        + (f"-{parts.port}" if parts.port else "")
    where = f"{parts.path}?{parts.query}" if parts.query else parts.path
    name = slug(where) if where.strip("/") else "index"
    return Path(captures) / host / f"{name}-{sha256(url)[:8]}{SUFFIX}"


@dataclass(frozen=True)
class Capture:
    """A page as a capture file keeps it: its response record and what a conditional request needs."""

    file: Path
    offset: int  # where its record starts in the file (a gzip member of its own)
    target: str  # the URL it was fetched from (after redirects): WARC-Target-URI
    date: str  # when it was fetched, ISO 8601 in UTC: WARC-Date
    record_id: str
    payload_digest: str | None
    content_type: str | None  # the response's Content-Type header
    etag: str | None
    last_modified: str | None

    def validators(self) -> dict[str, str]:
        """The headers of a conditional request for it: the server answers 304 if it has not changed."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and its response, as sent and received."""

    target: str  # the URL requested
    date: str  # when the response's headers came, ISO 8601 in UTC, to the second
    request: bytes  # request line and headers, as sent
    response: bytes  # status line and headers, as received
    body: bytes  # the body as received (still content-encoded), its chunked transfer framing removed
    chunked: bool = False  # it came in chunks (Transfer-Encoding: chunked): it is kept framed as one


def http_head(start_line: str, headers: list[tuple[bytes, bytes]]) -> bytes:
    """An HTTP message's head as it went over the wire: its first line and its headers, in order."""
    lines = [start_line.encode("latin-1")] + [name + b": " + value for name, value in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _scan(file: Path) -> tuple[list[Capture], int]:
    """The complete 2xx response records of a capture file, in file order, and where the last
    complete record ends (a broken tail, left by a run killed while appending, starts there)."""
    found: list[Capture] = []
    start = end = 0
    try:
        handle = open(file, "rb")  # noqa: SIM115 - closed below, whatever the iteration raises
    except (FileNotFoundError, NotADirectoryError):
        return found, 0
    except OSError as exc:
        raise OutputError(str(file), f"cannot be read: {exc.strerror}", "check its permissions") from exc
    with handle:
        records = ArchiveIterator(handle, check_digests=True)
        try:
            for record in records:
                records.read_to_end()
                offset, length = records.get_record_offset(), records.get_record_length()
                if not _read_whole(record):
                    break
                start, end = offset, offset + length
                capture = _capture(file, offset, record)
                if capture is not None:
                    found.append(capture)
        except (ArchiveLoadFailed, EOFError, ValueError, AttributeError, zlib.error, OSError):
            pass  # a broken tail: the records before it stand
        # Records are only ever appended, so only the last one can have been cut short; a gzip member
        # cut in its trailer still yields its whole record: read that member to its very end.
        if end and not _member_ends(handle, start, end):
            end = start
            if found and found[-1].offset == start:
                found.pop()
    return found, end


def _read_whole(record) -> bool:
    """The record's block was read to its declared length, and matches its digest when it has one."""
    if getattr(record.raw_stream, "limit", 0) or record.digest_checker.passed is False:
        return False
    return record.rec_type == "revisit" or not record.rec_headers.get_header("WARC-Block-Digest") \
        or record.digest_checker.passed is True


def _member_ends(handle, start: int, end: int) -> bool:
    """The bytes from ``start`` to ``end`` are whole gzip members."""
    handle.seek(start)
    data = handle.read(end - start)
    try:
        while data:
            member = zlib.decompressobj(16 + zlib.MAX_WBITS)
            member.decompress(data)
            if not member.eof:
                return False
            data = member.unused_data
    except zlib.error:
        return False
    return True


def _capture(file: Path, offset: int, record) -> Capture | None:
    if record.rec_type != "response" or record.http_headers is None:
        return None
    status = record.http_headers.get_statuscode() or ""
    if not status.startswith("2"):
        return None
    head = record.http_headers
    return Capture(file, offset, record.rec_headers.get_header("WARC-Target-URI"),
                   record.rec_headers.get_header("WARC-Date"), record.rec_headers.get_header("WARC-Record-ID"),
                   record.rec_headers.get_header("WARC-Payload-Digest"), head.get_header("Content-Type"),
                   head.get_header("ETag"), head.get_header("Last-Modified"))


def last_capture(file: Path) -> Capture | None:
    """The latest complete capture of a page in its capture file, if any."""
    found, _ = _scan(file)
    return found[-1] if found else None


def body(capture: Capture, limit: int) -> bytes:
    """The page's bytes as a capture keeps them, decoded (Content-Encoding) and read up to ``limit`` + 1
    bytes (more than ``limit`` means over it)."""
    with open(capture.file, "rb") as handle:
        handle.seek(capture.offset)
        record = next(iter(ArchiveIterator(handle)))
        return record.content_stream().read(limit + 1)


def _writer(out: io.BytesIO) -> WARCWriter:
    return WARCWriter(out, gzip=True, warc_version=WARC_VERSION)


def _info(writer: WARCWriter, file: Path, date: str, info: dict[str, str]) -> None:
    record = writer.create_warcinfo_record(file.name, info)
    record.rec_headers.replace_header("WARC-Date", date)
    writer.write_record(record)


def _request(writer: WARCWriter, exchange: Exchange, concurrent_to: str) -> None:
    record = writer.create_warc_record(exchange.target, "request", payload=io.BytesIO(exchange.request),
                                       length=len(exchange.request),
                                       warc_headers_dict={"WARC-Date": exchange.date,
                                                          "WARC-Concurrent-To": concurrent_to})
    writer.write_record(record)


def _one_chunk(data: bytes) -> bytes:
    """A body that came in chunks, framed again as chunks (one), so that the headers as received
    (Transfer-Encoding: chunked) describe the bytes kept."""
    return (b"%x\r\n%s\r\n" % (len(data), data) if data else b"") + b"0\r\n\r\n"


class CaptureFile:
    """The capture file of one URL: its latest capture, and the records of each new fetch appended."""

    def __init__(self, captures: Path, url: str, info: dict[str, str]) -> None:
        self.path = capture_file(captures, url)
        self.info = info  # the warcinfo record's fields: the software, its User-Agent, the robots policy

    def last(self) -> Capture | None:
        return last_capture(self.path)

    def add(self, exchange: Exchange, last: Capture | None) -> Capture:
        """Keep a fetched page: request and response, or a revisit of ``last`` if the bytes are the same.
        Returns the capture the page is now read from."""
        out = io.BytesIO()
        writer = _writer(out)
        block = exchange.response + (_one_chunk(exchange.body) if exchange.chunked else exchange.body)
        response = writer.create_warc_record(exchange.target, "response", payload=io.BytesIO(block),
                                             length=len(block), warc_headers_dict={"WARC-Date": exchange.date})
        digest = response.rec_headers.get_header("WARC-Payload-Digest")
        if last is not None and last.payload_digest == digest and last.target == exchange.target:
            return self.revisit(exchange, last, IDENTICAL)
        _info(writer, self.path, exchange.date, self.info)
        _request(writer, exchange, response.rec_headers.get_header("WARC-Record-ID"))
        start = out.tell()
        writer.write_record(response)
        end = self._append(out.getvalue())
        return _capture_at(self.path, end + start)

    def revisit(self, exchange: Exchange, last: Capture, profile: str = NOT_MODIFIED) -> Capture:
        """Keep a fetch that found the page unchanged since ``last``: the request and a revisit record
        (the response's status line and headers, no body). The page is still read from ``last``."""
        out = io.BytesIO()
        writer = _writer(out)
        headers = {"WARC-Date": exchange.date, "WARC-Profile": profile, "WARC-Refers-To": last.record_id,
                   "WARC-Refers-To-Target-URI": last.target, "WARC-Refers-To-Date": last.date}
        if last.payload_digest:
            headers["WARC-Payload-Digest"] = last.payload_digest
        revisit = writer.create_warc_record(exchange.target, "revisit", payload=io.BytesIO(exchange.response),
                                            length=len(exchange.response), warc_headers_dict=headers)
        _info(writer, self.path, exchange.date, self.info)
        _request(writer, exchange, revisit.rec_headers.get_header("WARC-Record-ID"))
        writer.write_record(revisit)
        self._append(out.getvalue())
        return last

    def _append(self, data: bytes) -> int:
        """Append ``data`` in one write under an exclusive lock, after cutting off a broken tail.
        Returns where ``data`` starts in the file."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with _locked(self.path) as fd:
                _, end = _scan(self.path)
                if os.fstat(fd).st_size != end:
                    later = _record_after(self.path, end)
                    if later is not None:  # damaged in the middle, not cut short: cutting would lose captures
                        raise OutputError(str(self.path), f"the record at offset {end} is damaged and captures follow "
                                          f"it (from offset {later})", "move the file aside to keep it; the next "
                                          "fetch starts a new one")
                    os.ftruncate(fd, end)  # what a run killed while appending left: never a readable record
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
        except OSError as exc:
            raise OutputError(str(self.path), f"the capture cannot be written: {exc.strerror}",
                              "choose another --captures folder, or free some space") from exc
        return end


def _record_after(file: Path, end: int) -> int | None:
    """Where a whole record starts after the damaged bytes at ``end``, if one does (else the damage is
    the broken tail of an append cut short, and nothing readable follows it)."""
    with open(file, "rb") as handle:
        handle.seek(end)
        tail = handle.read()
    at = tail.find(GZIP_START, 1)
    while at >= 0:
        try:
            records = ArchiveIterator(io.BytesIO(tail[at:]), check_digests=True)
            record = next(iter(records))
            records.read_to_end()
            if _read_whole(record):
                return end + at
        except (ArchiveLoadFailed, EOFError, ValueError, AttributeError, StopIteration, zlib.error, OSError):
            pass
        at = tail.find(GZIP_START, at + 1)
    return None


GZIP_START = b"\x1f\x8b\x08"  # a gzip member's magic and method: where a record of a .warc.gz may start


def _capture_at(file: Path, offset: int) -> Capture:
    """The capture whose response record starts at ``offset`` (one just written)."""
    with open(file, "rb") as handle:
        handle.seek(offset)
        capture = _capture(file, offset, next(iter(ArchiveIterator(handle))))
    if capture is None:
        raise OutputError(str(file), "the capture just written cannot be read back",
                          "check the disk, then fetch again")
    return capture


@contextmanager
def _locked(file: Path) -> Iterator[int]:
    fd = os.open(file, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)
