"""Pages fetched by their URL, each response kept as a WARC capture (``captures``).

One HTTP client (httpx, HTTP/1.1) for the run, naming the tool in its User-Agent, asking for gzip or
deflate. For each URL: its host's robots.txt is read once per run and obeyed (protego); the page is
asked for conditionally (If-None-Match / If-Modified-Since from its last capture) so that an unchanged
page is not downloaded again; redirects are followed up to ``max_redirects``; connection errors, 429 and
5xx answers are tried again with exponential back-off, all within a deadline per URL; the body is read
as a stream and refused as soon as it passes the 20 MiB limit, compressed or decoded. Offline, each URL
is read from its last capture and the network is never touched.

Every problem is one ``InputError`` naming the URL, with what to do; the other URLs go on.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
import ssl
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from .. import __version__
from ..errors import InputError, OutputError
from ..models import RawPage
from ..stages import reading
from . import PAGE_TYPES, capture_stamp, kind_of, normal_url
from .captures import Capture, CaptureFile, Exchange, http_head
from .captures import body as capture_body

ROBOTS_AGENT = "omd-pipeline"  # the name robots.txt rules address this tool by
# (A placeholder contact: a deployment names its own, so that a site's webmaster can reach its users.)
USER_AGENT = f"{ROBOTS_AGENT}/{__version__} (+https://example.org/omd-partners-pipeline; contact: data@example.org)"


def user_agent(contact: str | None = None) -> str:
    """The User-Agent naming the tool, its version and whom a site can reach (``--contact``: an e-mail
    address or a URL); without one, the placeholder contact of ``USER_AGENT``."""
    return f"{ROBOTS_AGENT}/{__version__} (+{contact.strip()})" if contact and contact.strip() else USER_AGENT
ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/markdown;q=0.9,text/plain;q=0.8,*/*;q=0.1"
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: at least 500 KiB of a robots.txt is read
REDIRECTS = (301, 302, 303, 307, 308)
RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_RETRY_AFTER = 30.0  # seconds: a longer Retry-After ends the tries, rather than stalling the run
# Content types read as pages: sources.PAGE_TYPES; anything else (images, PDF, JSON…) is refused with one line.
GUESSED = ("", "application/octet-stream")  # no useful type: the page's name and bytes tell, as for a file
log = logging.getLogger("pipeline")


@dataclass(frozen=True)
class FetchOptions:
    """How pages are fetched: the defaults suit a person's run; tests shorten the waits."""

    connect_timeout: float = 10.0  # seconds to connect
    read_timeout: float = 30.0  # seconds without a byte before a response counts as stalled
    deadline: float = 120.0  # seconds for one URL at most, robots.txt, redirects and tries included
    retries: int = 3  # tries after the first, on connection errors, 429 and 5xx
    backoff: float = 1.0  # seconds before the first retry, doubled at each (1, 2, 4)
    max_redirects: int = 5
    max_bytes: int | None = None  # None: the reading stage's limit (20 MiB)
    offline: bool = False  # read each URL from its last capture, never from the network
    user_agent: str = USER_AGENT
    trust_env: bool = True  # proxies and certificates from the environment (HTTPS_PROXY, SSL_CERT_FILE…)


def normalise_url(url: str) -> str:
    """The URL a page is known by (``sources.normal_url``), once httpx can send it; InputError else."""
    try:
        httpx.URL(url.strip())
        return normal_url(url)
    except ValueError as exc:  # (httpx.InvalidURL is one)
        if str(exc) == "credentials":
            scheme, _, rest = url.strip().partition("://")
            shown = f"{scheme}://…@{rest.rpartition('@')[2]}"
            raise InputError(shown, "a URL with a user name or password is not fetched (it would be written "
                             "into every output)", "save the page to a file and give the file") from None
        if str(exc) == "not an http(s) URL":
            raise InputError(url, "not a valid URL", "give an address such as https://www.example.org/page") from None
        raise InputError(url, f"not a valid URL ({exc})", "check the address") from None


def _wire(url: str) -> str:
    """The URL as it is requested: its host in ASCII (IDNA), its path and query percent-encoded."""
    return str(httpx.URL(url))


def fetch_pages(urls: Sequence[str], captures: Path | str,
                options: FetchOptions | None = None) -> tuple[list[RawPage], list[InputError]]:
    """The pages at ``urls``, in order (a URL given twice is read once), each response appended to its
    capture file in ``captures``; and one error per URL that could not be read. Raises OutputError when
    the captures folder cannot be written."""
    options = options or FetchOptions()
    pages: list[RawPage] = []
    errors: list[InputError] = []
    seen: set[str] = set()
    with _Fetcher(Path(captures), options) as fetcher:
        for given in urls:
            try:
                url = normalise_url(given)
                if url in seen:
                    continue
                seen.add(url)
                pages.append(fetcher.page(url))
            except InputError as exc:
                errors.append(exc)
    return pages, errors


def page_kind(content_type: str | None, url: str) -> tuple[str | None, str | None]:
    """The page's kind ("html", "markdown", "text"; None: its name and bytes tell) and the charset its
    Content-Type declares. Raises InputError for what is not a page."""
    mime, _, params = (content_type or "").partition(";")
    mime = mime.strip().lower()
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip("\"'"):
            charset = value.strip().strip("\"'").lower()
    if mime in GUESSED:
        return None, charset
    kind = kind_of(mime, url) if mime in PAGE_TYPES else None
    if kind is None:
        if mime == "application/pdf":
            raise InputError(url, "this is a PDF document; a PDF is not read by its URL",
                             "download it and give the file")
        raise InputError(url, f"not a web page: its Content-Type is {mime}",
                         "give the address of an HTML, Markdown or text page")
    return kind, charset


def _now() -> str:
    return capture_stamp(datetime.now(UTC))


def _page(url: str, capture: Capture, data: bytes, limit: int) -> RawPage:
    """A page as read from its capture: the same whether it was fetched now or before."""
    if len(data) > limit:
        raise InputError(url, f"the page is over the {_size(limit)} limit", "save the part you need to a file")
    kind, charset = page_kind(capture.content_type, url)
    return RawPage(url, data, capture.target, capture.date, charset, kind)


def _size(limit: int) -> str:
    return f"{limit // 2**20} MiB" if limit >= 2**20 else f"{limit} bytes"


@dataclass
class _Answer:
    """A response whose headers have come (its body read when it is a page)."""

    target: str
    response: httpx.Response
    date: str
    tries: int
    request: bytes
    raw: bytes = b""  # the body as received (content-encoded)
    data: bytes = b""  # the body decoded

    def exchange(self) -> Exchange:
        response = self.response
        head = http_head(f"{response.http_version} {response.status_code} {response.reason_phrase}".rstrip(),
                         list(response.headers.raw))
        chunked = "chunked" in response.headers.get("transfer-encoding", "").lower()
        return Exchange(self.target, self.date, self.request, head, self.raw, chunked)


class _Decoder:
    """Decodes a body's Content-Encoding (gzip, deflate) as it streams, never past a limit."""

    def __init__(self, url: str, encoding: str) -> None:
        encoding = encoding.strip().lower()
        self.deflate = encoding == "deflate"
        if encoding in ("", "identity"):
            self.z = None
        elif encoding == "gzip":  # (what was asked for, and what every WARC reader decodes)
            self.z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.deflate:
            self.z = zlib.decompressobj()
        else:
            raise InputError(url, f"the server sent the page encoded as {encoding!r}, which this tool cannot read",
                             "save the page from a browser and give the file")
        self.started = False

    def feed(self, url: str, data: bytes, room: int) -> bytes:
        """Up to ``room`` bytes of decoded data (more would be over the limit anyway)."""
        if self.z is None:
            return data
        try:
            out = self.z.decompress(data, room)
        except zlib.error:
            if self.deflate and not self.started:  # "deflate" sent raw, without its zlib wrapper
                self.z, self.deflate = zlib.decompressobj(-zlib.MAX_WBITS), False
                return self.feed(url, data, room)
            raise InputError(url, "the compressed page is corrupt", "try again later") from None
        self.started = True
        return out


def _cause(exc: BaseException) -> Iterator[BaseException]:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _unknown_host(exc: BaseException) -> bool:
    """The host name does not exist (a typing error, not a passing failure: not worth another try)."""
    return any(isinstance(e, socket.gaierror) and e.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5))
               for e in _cause(exc))


def _describe(url: str, exc: httpx.HTTPError, options: FetchOptions, tries: int) -> InputError:
    """One line for a failed request."""
    host = urlsplit(url).hostname
    after = f" after {tries} tries" if tries > 1 else ""
    if _unknown_host(exc):
        return InputError(url, f"unknown host {host} (DNS: no such name)", "check the address and the network")
    if any(isinstance(e, socket.gaierror) for e in _cause(exc)):
        return InputError(url, f"cannot look up the host {host} (DNS failure{after})",
                          "check the network, or try again later")
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return InputError(url, f"no connection to {host} within {options.connect_timeout:g} s{after} (timed out)",
                          "check the address and the network, or try again later")
    if isinstance(exc, httpx.TimeoutException):
        return InputError(url, f"the server stopped answering (nothing for {options.read_timeout:g} s: timed out)",
                          "try again later")
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in _cause(exc)):
        return InputError(url, "the site's TLS certificate cannot be verified",
                          "check the address (or SSL_CERT_FILE for a private authority)")
    if any(isinstance(e, ConnectionRefusedError) for e in _cause(exc)):
        return InputError(url, f"{host} refused the connection{after}", "check the address and port, or try later")
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return InputError(url, f"the connection broke before the page was complete{after}", "try again later")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return InputError(url, f"cannot be fetched: {exc}", "give an http:// or https:// address")
    return InputError(url, f"cannot be fetched: {exc}{after}", "check the address and the network")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


@dataclass
class _Fetcher:
    """One run's fetching: one client, each host's robots.txt read once."""

    captures: Path
    options: FetchOptions
    client: httpx.Client | None = None
    robots: dict[str, Protego | str | None] = field(default_factory=dict)  # str: why it is unknown
    writable: bool = False  # the captures folder was found writable

    def __enter__(self) -> _Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.close()

    @property
    def limit(self) -> int:
        return self.options.max_bytes if self.options.max_bytes is not None else reading.MAX_BYTES

    def _client(self) -> httpx.Client:
        if self.client is None:
            self.client = httpx.Client(
                headers={"User-Agent": self.options.user_agent, "Accept": ACCEPT,
                         "Accept-Language": "fr,en;q=0.5", "Accept-Encoding": "gzip, deflate"},
                follow_redirects=False, max_redirects=self.options.max_redirects, trust_env=self.options.trust_env)
        return self.client

    def page(self, url: str) -> RawPage:
        capture_file = CaptureFile(self.captures, url, {
            "software": f"omd-partners-pipeline/{__version__}", "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "http-header-user-agent": self.options.user_agent, "robots": "obey"})
        if not self.options.offline and not self.writable:
            self._check_captures()
            self.writable = True
        last = capture_file.last()
        if self.options.offline:
            if last is None:
                raise InputError(url, f"no capture of this page in {self.captures}/ (offline)",
                                 "run once without --offline, or give the --captures folder that holds it")
            log.debug("%s: read from its capture of %s (offline)", url, last.date)
            return _page(url, last, capture_body(last, self.limit), self.limit)
        try:
            answer = self._fetch(url, last)
        except InputError as exc:
            if last is None or exc.source != url:
                raise
            raise InputError(url, exc.problem, f"{exc.hint}; or read its capture of {last.date} with --offline") \
                from None
        status = answer.response.status_code
        if status == 304:
            used = capture_file.revisit(answer.exchange(), last)
            log.debug("%s: unchanged since its capture of %s (HTTP 304): read from it", url, used.date)
            return _page(url, used, capture_body(used, self.limit), self.limit)
        used = capture_file.add(answer.exchange(), last)
        if used is last:
            log.debug("%s: the same bytes as its capture of %s: read from it", url, used.date)
        else:
            log.debug("%s: fetched (HTTP %d, %d bytes) into %s", url, status, len(answer.data), capture_file.path)
        return _page(url, used, answer.data, self.limit)

    def _check_captures(self) -> None:
        """The captures folder can be written, before anything is fetched."""
        try:
            self.captures.mkdir(parents=True, exist_ok=True)
            if not os.access(self.captures, os.W_OK | os.X_OK):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        except OSError as exc:
            raise OutputError(str(self.captures), f"cannot be used as the captures folder: {exc.strerror}",
                              "choose another --captures folder") from exc

    def _fetch(self, url: str, last: Capture | None) -> _Answer:
        """The page's answer: robots.txt asked, redirects followed; a 2xx with its body, or a 304."""
        deadline = time.monotonic() + self.options.deadline
        target = _wire(url)
        chain = [target]
        for _ in range(self.options.max_redirects + 1):
            self._check_robots(url, target, deadline)
            conditional = last.validators() if last is not None and last.target == target else {}
            answer = self._get(url, target, conditional, deadline)
            status = answer.response.status_code
            location = answer.response.headers.get("location")
            if status in REDIRECTS and location:
                try:
                    target = _wire(normalise_url(urljoin(target, location)))
                except InputError:
                    raise InputError(url, f"redirected to {location!r}, which cannot be fetched",
                                     "check the address in a browser") from None
                chain.append(target)
                continue
            if status == 304 and conditional:
                return answer
            if 200 <= status < 300:
                return answer
            raise self._refused(url, answer)
        loop = len(set(chain)) < len(chain)
        raise InputError(url, f"too many redirects (more than {self.options.max_redirects}"
                         f"{': a redirect loop' if loop else ''}: {' -> '.join(chain[:4])}"
                         f"{' -> …' if len(chain) > 4 else ''})", "check the address in a browser")

    def _refused(self, url: str, answer: _Answer) -> InputError:
        response = answer.response
        after = f" after {answer.tries} tries" if answer.tries > 1 else ""
        status = f"HTTP {response.status_code}{' ' + response.reason_phrase if response.reason_phrase else ''}"
        if response.status_code in (404, 410):
            return InputError(url, f"no such page ({status})", "check the address")
        if response.status_code in (401, 403):
            return InputError(url, f"access refused ({status})",
                              "save the page from a browser where you may read it, and give the file")
        if response.status_code == 429:
            return InputError(url, f"the server asks to wait before more requests ({status}){after}",
                              "try again later")
        if response.status_code >= 500:
            return InputError(url, f"the server failed ({status}){after}",
                              "try again later")
        return InputError(url, f"the server refused to give the page ({status})", "check the address")

    def _timeout(self, deadline: float) -> httpx.Timeout:
        left = max(0.001, deadline - time.monotonic())
        read = min(self.options.read_timeout, left)
        return httpx.Timeout(read, connect=min(self.options.connect_timeout, left))

    def _get(self, url: str, target: str, headers: dict[str, str], deadline: float, robots: bool = False) -> _Answer:
        """One GET with its tries: connection errors, 429 and 5xx are tried again after 1, 2, 4… s
        (or the server's Retry-After), as long as the deadline allows. Returns the last answer (a 429
        or 5xx when every try got one); raises InputError for a request that could not be made."""
        client = self._client()
        tries = 0
        while True:
            tries += 1
            answer: _Answer | None = None
            failure: httpx.HTTPError | None = None
            response = None
            try:
                request = client.build_request("GET", target, headers=headers, timeout=self._timeout(deadline))
                response = client.send(request, stream=True, follow_redirects=robots)
                answer = _Answer(str(response.url), response, _now(), tries,
                                 http_head(f"GET {request.url.raw_path.decode('ascii')} HTTP/1.1",
                                           list(request.headers.raw)))
                if response.status_code not in RETRY_STATUSES:
                    self._read_body(url, answer, deadline, robots)
                    return answer
            except httpx.TooManyRedirects:
                raise InputError(url, f"robots.txt: too many redirects (more than {self.options.max_redirects})",
                                 "check the site in a browser") from None
            except httpx.HTTPError as exc:
                transient = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.RemoteProtocolError
                                       | httpx.ReadError | httpx.WriteError | httpx.PoolTimeout)
                if not transient or _unknown_host(exc):
                    raise _describe(url, exc, self.options, tries) from None
                answer, failure = None, exc
            finally:
                if response is not None:
                    response.close()
            told = _retry_after(answer.response) if answer is not None else None
            wait = max(told or 0.0, self.options.backoff * 2 ** (tries - 1))
            if tries > self.options.retries or (told or 0.0) > MAX_RETRY_AFTER or time.monotonic() + wait > deadline:
                if answer is not None:
                    return answer  # a 429 or 5xx: the caller says what failed
                raise _describe(url, failure, self.options, tries)
            why = f"HTTP {answer.response.status_code}" if answer is not None \
                else _describe(url, failure, self.options, tries).problem
            log.debug("%s: %s; trying again in %g s", url, why, wait)
            time.sleep(wait)

    def _read_body(self, url: str, answer: _Answer, deadline: float, robots: bool) -> None:
        """Read a page's body (a 2xx), streaming, refused as soon as it is over the limit."""
        response = answer.response
        if not 200 <= response.status_code < 300:
            return
        limit = ROBOTS_MAX_BYTES if robots else self.limit
        if not robots:
            page_kind(response.headers.get("content-type"), url)  # refuse what is not a page before reading it
        length = response.headers.get("content-length", "")
        if not robots and length.isdigit() and int(length) > limit:
            raise InputError(url, f"the page is {int(length) / 1e6:.1f} MB, over the {_size(limit)} limit",
                             "save the part you need to a file")
        decoder = _Decoder(url, response.headers.get("content-encoding", ""))
        raw, data = bytearray(), bytearray()
        for chunk in response.iter_raw():
            raw += chunk
            data += decoder.feed(url, chunk, limit + 1 - len(data))
            if len(raw) > limit or len(data) > limit:
                if robots:
                    break  # the rules past the first 500 KiB are not read
                unpacked = " once decompressed" if len(data) > len(raw) else ""
                raise InputError(url, f"the page is over the {_size(limit)} limit{unpacked}",
                                 "save the part you need to a file")
            if time.monotonic() > deadline:
                raise InputError(url, f"the page did not come within {self.options.deadline:g} s",
                                 "try again later")
        answer.raw, answer.data = bytes(raw), bytes(data[:limit] if robots else data)

    def _check_robots(self, url: str, target: str, deadline: float) -> None:
        """Refuse a page its site's robots.txt disallows to this tool. A robots.txt that does not exist
        (4xx) allows everything; one the server fails to give (5xx) disallows everything (RFC 9309)."""
        parts = urlsplit(target)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            answer = self._get(url, origin + "/robots.txt", {}, deadline, robots=True)
            status = answer.response.status_code
            if 200 <= status < 300:
                self.robots[origin] = Protego.parse(answer.data.decode("utf-8", "replace"))
            elif 400 <= status < 500 and status != 429:
                self.robots[origin] = None
            else:
                self.robots[origin] = f"HTTP {status}"
            log.debug("%s/robots.txt: HTTP %d", origin, status)
        rules = self.robots[origin]
        if isinstance(rules, str):
            raise InputError(url, f"{origin}/robots.txt cannot be read ({rules}), so its rules are unknown",
                             "try again later")
        if rules is not None and not rules.can_fetch(target, ROBOTS_AGENT):
            raise InputError(url, f"{origin}/robots.txt disallows this page to robots",
                             "save it from a browser if you may use it, and give the file")
