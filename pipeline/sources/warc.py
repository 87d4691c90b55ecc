"""Pages captured in WARC files, the format web archives and crawlers write: ``all_captures`` (every
HTML capture in a file, ordered by capture time, for the history of a page) and ``latest_pages`` (the
latest capture of each URL, for a run).

A WARC file is a series of records, each gzip-compressed on its own in a ``.warc.gz``. The records
are framed here, one at a time, so that a damaged one (cut short, a corrupt gzip member, a wrong
length) costs only itself: one error naming the file and the record's offset, and reading goes on at
the next record. warcio parses each record (WARC and HTTP headers, chunked transfer); the content
encoding (gzip, deflate) is undone here with zlib, bounded by the size limit, because warcio's own
decoder writes to stderr and returns nothing when the content is damaged.

Which records are pages: ``response`` records of HTTP with a 2xx status and an HTML type (or no type
and HTML bytes), ``resource`` records of an HTML type, and ``revisit`` records (a capture "the same as
an earlier one", or a 304 Not Modified), resolved to that earlier capture's content when it is in the
file. The rest (requests, images, redirects, errors, metadata) is no page: skipped, and said with -v.
A page is named by its URL (``WARC-Target-URI``); it was captured at ``WARC-Date``; its provenance
is ``FILE#OFFSET``, the offset of its record (of its gzip member in a ``.warc.gz``, as archive indexes
give it).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import stat
import zlib
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.message import Message
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord, ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeadersParserException

from ..errors import InputError
from ..models import RawPage
from ..stages.reading import MAX_BYTES, is_html, source_name
from . import PAGE_TYPES, capture_stamp, kind_of, latest_captures, normal_url

log = logging.getLogger("pipeline")

HEADER_ROOM = 256 * 1024  # a record's WARC and HTTP headers, on top of the page's MAX_BYTES
RECORD_LIMIT = MAX_BYTES + HEADER_ROOM
GZIP_MAGIC = b"\x1f\x8b\x08"  # a gzip member's first bytes (deflate, the only method gzip has)
RECORD_START = b"WARC/1."  # a record's first line; looked for after a damaged record
_CHUNK = 1 << 16
_LOADER = ArcWarcRecordLoader()
# Headers every record has once: met twice, a record's headers run into the next one's.
_ONCE = (b"warc-type", b"warc-record-id", b"warc-date", b"content-length")
# The record types of the WARC standard (1.0 and 1.1).
_RECORD_TYPES = ("warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation")
_CUT_SHORT = "is cut short (the file ends inside it)"
_RECOVER = "the other records are read; copy or download the file again to recover this one"


@dataclass(frozen=True)
class _Frame:
    """One record's bytes as the file holds them (uncompressed), and the offset it is known by."""

    offset: int
    data: bytes
    head: int  # the length of its WARC headers: the block follows
    whole: bool = True  # False: over the size limit, ``data`` holds only its start (its headers)


@dataclass(frozen=True)
class _Capture:
    """An HTML capture, or a revisit still to be resolved to the capture it repeats."""

    order: int  # position in the file: of two captures of the same time, the first stays first
    offset: int
    url: str
    when: datetime
    record_id: str | None
    digest: str | None  # WARC-Payload-Digest
    data: bytes | None  # None: a revisit not resolved yet
    charset: str | None
    refers_to: str | None = None  # a revisit's WARC-Refers-To (the record it repeats)
    refers_to_url: str | None = None
    refers_to_date: datetime | None = None
    not_modified: bool = False  # the server answered 304 Not Modified: the same as the last capture
    html: bool = False  # a revisit whose own headers say it is a page (a lost one is worth a warning)
    kind: str = "html"  # what its Content-Type says it is (sources.PAGE_TYPES): "html", "markdown", "text"


class _Damaged(Exception):
    """A record that cannot be read: what is wrong with it."""


def all_captures(path: Path) -> tuple[list[RawPage], list[InputError]]:
    """Every HTML capture in the WARC file ``path`` (each a RawPage named by its URL, ``captured`` at
    its WARC-Date, ``path`` FILE#OFFSET), ordered by capture time (file order for the same time), and
    one error for each record that could not be read (the others are read all the same)."""
    file = str(path)
    where = source_name(path)
    errors: list[InputError] = []
    captures: list[_Capture] = []
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise InputError(file, "not a regular file (a pipe, a device or a socket)",
                             "save the WARC file and give that file")
        with path.open("rb") as f:
            for frame in _frames(f, file, errors):
                capture = _capture(frame, file, where, len(captures), errors)
                if capture is not None:
                    captures.append(capture)
    except OSError as exc:
        errors.append(InputError(file, f"cannot be read: {exc.strerror}", "check its permissions"))
    except InputError as exc:
        errors.append(exc)
    pages = [RawPage(c.url, c.data or b"", f"{where}#{c.offset}", _iso(c.when), c.charset, c.kind)
             for c in _resolve(captures, where)]
    if not pages and not errors:
        errors.append(InputError(file, "holds no HTML page: no response, resource or revisit record of an "
                                       "HTML page with a 2xx status", "run with -v to see what it holds"))
    return pages, errors


def latest_pages(path: Path) -> tuple[list[RawPage], list[InputError]]:
    """The HTML pages captured in the WARC file ``path``: of each URL, its latest capture (a run
    describes the page as it is now; with -v the older ones are said, left for the history)."""
    pages, errors = all_captures(path)
    return latest_captures(pages), errors


# -- framing: the records of the file, one at a time, each damaged stretch one error ---------------


def _frames(f: BinaryIO, file: str, errors: list[InputError]) -> Iterator[_Frame]:
    start = f.read(len(GZIP_MAGIC))
    f.seek(0)
    if not start:
        raise InputError(file, "the file is empty", "give a WARC file (.warc or .warc.gz)")
    if start == GZIP_MAGIC:
        yield from _gzip_frames(f, file, errors)
    elif start.startswith(b"WAR"):
        yield from _plain_frames(f, file, errors)
    else:
        raise InputError(file, "not a WARC file (it does not start with a WARC record)",
                         "give a file a web archive or a crawler wrote (.warc or .warc.gz)")


def _damage(file: str, offset: int, problem: str) -> InputError:
    return InputError(file, f"the record at offset {offset} {problem}", _RECOVER)


def _size(f: BinaryIO) -> int:
    here = f.tell()
    size = f.seek(0, 2)
    f.seek(here)
    return size


def _find(f: BinaryIO, needle: bytes, start: int) -> int | None:
    """The offset of the next ``needle`` from ``start``, read in chunks (a file may be large)."""
    f.seek(start)
    at, tail = start, b""
    while chunk := f.read(_CHUNK):
        found = (tail + chunk).find(needle)
        if found >= 0:
            return at - len(tail) + found
        tail = (tail + chunk)[-(len(needle) - 1):]
        at += len(chunk)
    return None


def _gzip_frames(f: BinaryIO, file: str, errors: list[InputError]) -> Iterator[_Frame]:
    """The records of a .warc.gz: gzip members one after another, a record in each. A member that
    cannot be inflated is one error; reading goes on at the next member that can (the false starts
    met while looking for it are part of the same damage, not more errors)."""
    size, offset, damaged = _size(f), 0, False
    while offset < size:
        f.seek(offset)
        member: tuple[bytes, bool, int] | str
        if f.read(len(GZIP_MAGIC)) == GZIP_MAGIC:
            f.seek(offset)
            member = _inflate(f)
        else:
            member = "holds bytes that are no gzip member (skipped up to the next member)"
        if isinstance(member, str):
            following = _find(f, GZIP_MAGIC, offset + 1)
            if not damaged:
                errors.append(_damage(file, offset, member if following is None or member != _CUT_SHORT
                                      else "is a corrupt gzip member (cut short, it runs into the next one)"))
            damaged = True
            if following is None:
                return
            offset = following
            continue
        data, whole, length = member
        if offset == 0 and not data.startswith(b"WARC/"):
            raise InputError(file, "a gzip file, but not of a WARC file (it does not start with a WARC record)",
                             "give a file a web archive or a crawler wrote (.warc or .warc.gz)")
        damaged = False
        if whole:
            yield from _plain_frames(BytesIO(data), file, errors, member=offset)
        else:
            yield _Frame(offset, data, data.find(b"\r\n\r\n") + 4, whole=False)
        offset += length


def _inflate(f: BinaryIO) -> tuple[bytes, bool, int] | str:
    """The gzip member at the file's position: its bytes (only the first HEADER_ROOM when it is over
    RECORD_LIMIT), whether they are whole, and its length in the file; or what is wrong with it."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out, whole, fed = bytearray(), True, 0
    while not inflater.eof:
        chunk = f.read(_CHUNK)
        if not chunk:
            return _CUT_SHORT
        fed += len(chunk)
        try:
            while chunk and not inflater.eof:  # bounded pieces: a small member may inflate to gigabytes
                piece = inflater.decompress(chunk, 4 * _CHUNK)
                chunk = inflater.unconsumed_tail
                if whole:
                    out += piece
                    if len(out) > RECORD_LIMIT:
                        whole = False
                        del out[HEADER_ROOM:]
        except zlib.error as exc:
            return f"is a corrupt gzip member ({str(exc).rpartition(': ')[2]})"
    return bytes(out), whole, fed - len(inflater.unused_data)


def _plain_frames(f: BinaryIO, file: str, errors: list[InputError], member: int | None = None) -> Iterator[_Frame]:
    """The records of uncompressed WARC bytes (a .warc, or a gzip member: then every record is known
    by the ``member``'s offset). A record that does not end where its Content-Length says is one
    error, and reading goes on at the next record line."""
    size = _size(f)
    while True:
        offset = f.tell()
        line = f.readline(HEADER_ROOM)
        while line and not line.strip():  # the blank lines between records
            offset = f.tell()
            line = f.readline(HEADER_ROOM)
        if not line:
            return
        at = offset if member is None else member
        try:
            if not line.startswith(b"WARC/"):
                raise _Damaged("is not a WARC record (bytes skipped up to the next record)")
            head, length = _head(f, line)
        except _Damaged as exc:
            errors.append(_damage(file, at, str(exc)))
            following = _find(f, RECORD_START, offset + 1)
            if following is None:
                return
            f.seek(following)
            continue
        start = f.tell()
        end = start + length
        if end <= size and length > RECORD_LIMIT:
            frame = _Frame(at, head + f.read(HEADER_ROOM), len(head), whole=False)
        else:
            frame = _Frame(at, head + f.read(length), len(head))
        f.seek(min(end, size))
        after = f.read(4)
        if end <= size and after.lstrip(b"\r\n")[:1] in (b"", b"W"):  # ends, then a record or nothing
            f.seek(end)
            yield frame
            continue
        # Cut short, its Content-Length runs into the next record, or past the end of the file.
        following = _find(f, RECORD_START, start)
        errors.append(_damage(file, at, _CUT_SHORT if following is None and end > size
                              else "does not end where its Content-Length says (cut short, or a wrong length)"))
        if following is None:
            return
        f.seek(following)


def _head(f: BinaryIO, first: bytes) -> tuple[bytes, int]:
    """A record's header lines (up to the blank line) and its Content-Length. Headers cut short run
    into the next record's: a record line, or a header every record has once, met again, says so."""
    lines, length, seen = [first], None, set()
    while True:
        line = f.readline(HEADER_ROOM)
        if not line:
            raise _Damaged("is cut short (the file ends inside its headers)")
        lines.append(line)
        if not line.strip():
            break
        if sum(map(len, lines)) > HEADER_ROOM:
            raise _Damaged(f"has headers over {HEADER_ROOM // 1024} KiB (not a WARC record?)")
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if line.startswith(b"WARC/") or name in seen:
            raise _Damaged("is cut short (its headers run into the next record's)")
        if name in _ONCE:
            seen.add(name)
        if name == b"content-length":
            length = int(value.strip()) if value.strip().isdigit() else None
    if length is None:
        raise _Damaged("has no valid Content-Length")
    return b"".join(lines), length


# -- records: which are HTML captures, and their content ------------------------------------------


def _capture(frame: _Frame, file: str, where: str, order: int, errors: list[InputError]) -> _Capture | None:
    """The HTML capture a record holds (or a revisit of one); None for any other record."""
    here = f"{where}#{frame.offset}"
    try:
        record = _LOADER.parse_record_stream(BytesIO(frame.data), known_format="warc")
    except (ArchiveLoadFailed, StatusAndHeadersParserException, EOFError, ValueError):
        errors.append(_damage(file, frame.offset, f"is over the {MAX_BYTES // 2**20} MiB limit" if not frame.whole
                              else "has headers that cannot be read"))
        return None
    kind = record.rec_type
    if kind not in _RECORD_TYPES:
        errors.append(_damage(file, frame.offset, f"has no valid WARC-Type ({str(kind)[:40]!r})"))
        return None
    if kind not in ("response", "resource", "revisit"):
        return None  # requests, warcinfo, metadata: never a page, not worth a line
    url = _page_url((record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>"))
    when = _when(record.rec_headers.get_header("WARC-Date"))
    if not url or when is None:
        errors.append(_damage(file, frame.offset, f"({kind}) has no WARC-Target-URI or no valid WARC-Date"))
        return None
    http = record.http_headers
    if kind == "response" and http is None:
        log.debug("%s: %s is no HTTP response: skipped", here, url)
        return None
    media, charset = _media_type(record.rec_headers.get_header("Content-Type") if kind == "resource"
                                 else http.get_header("Content-Type") if http is not None else None)
    if media is not None and media not in PAGE_TYPES or media and _protocol_file(url):
        log.debug("%s: %s is %s, not a page: skipped", here, url, media)
        return None
    page_kind = kind_of(media, url)
    status = http.get_statuscode() if http is not None else "200"
    headers = record.rec_headers
    base = _Capture(order, frame.offset, url, when, _bare(headers.get_header("WARC-Record-ID")),
                    headers.get_header("WARC-Payload-Digest"), None, charset, kind=page_kind)
    if kind == "revisit" or status == "304":
        return replace(base, refers_to=_bare(headers.get_header("WARC-Refers-To")),
                       refers_to_url=_page_url(_bare(headers.get_header("WARC-Refers-To-Target-URI"))),
                       refers_to_date=_when(headers.get_header("WARC-Refers-To-Date")),
                       not_modified=status == "304" or "server-not-modified" in (headers.get_header("WARC-Profile")
                                                                                  or ""),
                       html=media is not None)
    if not status.startswith("2"):
        log.debug("%s: %s was answered %s, not the page: skipped", here, url, status or "(no status)")
        return None
    over = InputError(file, f"the capture of {url} at offset {frame.offset} is over the {MAX_BYTES // 2**20} MiB "
                            "limit", "the other records are read")
    if not frame.whole:
        errors.append(over)
        return None
    if not _digest_matches(headers.get_header("WARC-Block-Digest"), frame.data[frame.head:]):
        errors.append(InputError(file, f"the capture of {url} at offset {frame.offset} is damaged (its bytes do "
                                       "not match its WARC-Block-Digest)", _RECOVER))
        return None
    try:
        data = _content(record)
    except _Damaged as exc:
        errors.append(InputError(file, f"the capture of {url} at offset {frame.offset} {exc}", _RECOVER))
        return None
    if len(data) > MAX_BYTES:
        errors.append(over)
        return None
    if media is None and not is_html(url, data):
        log.debug("%s: %s has no Content-Type and is not HTML: skipped", here, url)
        return None
    return replace(base, data=data)


def _content(record: ArcWarcRecord) -> bytes:
    """The page's bytes: the record's payload, its chunked transfer and content encoding undone."""
    http = record.http_headers
    stream = record.raw_stream
    if http is not None and "chunked" in (http.get_header("Transfer-Encoding") or "").lower():
        stream = ChunkedDataReader(stream)
    data = stream.read()  # at most RECORD_LIMIT: so is the frame
    coding = (http.get_header("Content-Encoding") or "").strip().lower() if http is not None else ""
    if coding in ("", "identity"):
        return data
    if coding in ("gzip", "x-gzip"):
        if not data.startswith(b"\x1f\x8b"):
            return data  # kept decoded by the writer, under the header the server sent
        wbits = 16 + zlib.MAX_WBITS
    elif coding == "deflate":
        wbits = zlib.MAX_WBITS if data[:1] == b"\x78" else -zlib.MAX_WBITS  # zlib-wrapped, or raw (as some servers)
    else:
        raise _Damaged(f"is compressed with {coding!r}, which this tool does not undo")
    inflater = zlib.decompressobj(wbits)
    try:
        page = inflater.decompress(data, MAX_BYTES + 1)  # (one byte over: "over the limit")
    except zlib.error as exc:
        raise _Damaged(f"has damaged {coding} content ({str(exc).rpartition(': ')[2]})") from None
    if not inflater.eof and len(page) <= MAX_BYTES:
        raise _Damaged(f"has {coding} content cut short")
    return page


def _digest_matches(declared: str | None, block: bytes) -> bool:
    """Whether a record's block has the digest its WARC-Block-Digest declares (``sha1:BASE32``, as
    writers give it, or in hexadecimal); True when it declares none or one of an unknown algorithm."""
    algorithm, _, value = (declared or "").strip().partition(":")
    if not value or algorithm.lower() not in hashlib.algorithms_available:
        return True
    digest = hashlib.new(algorithm.lower(), block).digest()
    value = value.strip().upper().rstrip("=")
    return value in (base64.b32encode(digest).decode().rstrip("="), digest.hex().upper())


def _media_type(value: str | None) -> tuple[str | None, str | None]:
    """A Content-Type's media type and charset (``text/html; charset=ISO-8859-1``); None, None when
    there is none."""
    if not value or not value.strip():
        return None, None
    message = Message()
    message["Content-Type"] = value
    charset = message.get_param("charset")
    return message.get_content_type(), charset if isinstance(charset, str) and charset.strip() else None


def _when(value: str | None) -> datetime | None:
    """A WARC date (``2024-05-01T10:00:00Z``, with fractions of a second in WARC 1.1), in UTC."""
    try:
        when = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _iso(when: datetime) -> str:
    return capture_stamp(when)


def _protocol_file(url: str) -> bool:
    """A file of the web's protocols, which crawls capture as text: never a page (robots.txt, RFC 9309;
    /.well-known/, RFC 8615)."""
    path = urlsplit(url).path
    return path == "/robots.txt" or path.startswith("/.well-known/")


def _page_url(url: str | None) -> str | None:
    """A captured URL as the page is named when fetched by it (``normal_url``: an archive may write it
    otherwise, with a default port or a fragment); as written when it is no URL to normalise."""
    with suppress(ValueError, TypeError):
        return normal_url(url)
    return url


def _bare(value: str | None) -> str | None:
    """A URI or record id as written, without the angle brackets some writers put round it."""
    return value.strip().strip("<>") if value else None


# -- revisits: the capture each repeats ------------------------------------------------------------


def _resolve(captures: list[_Capture], where: str) -> list[_Capture]:
    """The captures with their revisits resolved to the content they repeat, ordered by capture time.
    A revisit of a capture that is not in the file is left out: said as a warning when its headers
    say it was an HTML page, with -v otherwise."""
    found = [c for c in captures if c.data is not None]
    for revisit in (c for c in captures if c.data is None):
        original = _original(revisit, found)
        if original is None:
            say = log.warning if revisit.html else log.debug
            say("%s#%d: %s, captured %s, repeats a capture that is not in this file: left out", where,
                revisit.offset, revisit.url, _iso(revisit.when))
            continue
        found.append(replace(revisit, data=original.data, charset=original.charset, digest=original.digest,
                             kind=original.kind))
    return sorted(found, key=lambda c: (c.when, c.order))


def _original(revisit: _Capture, captures: list[_Capture]) -> _Capture | None:
    """The capture a revisit repeats: by its record id, else by its payload's digest (the same URL
    first), else by its URL and date, else (a 304 Not Modified) the last capture of its URL before it."""
    url = revisit.refers_to_url or revisit.url
    if revisit.refers_to:
        for c in captures:
            if c.record_id == revisit.refers_to:
                return c
    if revisit.digest:
        same = [c for c in captures if c.digest == revisit.digest]
        if same:
            return max(same, key=lambda c: (c.url == url, c.when <= revisit.when, c.when))
    if revisit.refers_to_date is not None:
        for c in captures:
            if c.url == url and c.when == revisit.refers_to_date:
                return c
    if revisit.not_modified:
        before = [c for c in captures if c.url == url and c.when <= revisit.when]
        if before:
            return max(before, key=lambda c: c.when)
    return None
