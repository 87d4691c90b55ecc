"""Where pages come from besides page files: the live web by URL (``web``, each response kept as a
WARC capture), web-archive captures (``warc``) and PDF reports (``pdf``). Each gives ``RawPage``s,
which the reading stage decodes and splits like any page.

These modules import their libraries (httpx, warcio, pypdf) at the top; ``api`` imports them only
when a run has such an input, so that a run on page files never pays for them. What is here is
light: telling a URL from a path, and keeping one version of a page captured several times.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from ..models import RawPage
from ..stages.reading import MARKDOWN_SUFFIXES

URL_SCHEMES = ("http://", "https://")
# Content types read as pages, and as what: the one table of fetching by URL and of reading WARC files.
PAGE_TYPES = {"text/html": "html", "application/xhtml+xml": "html", "text/markdown": "markdown",
              "text/x-markdown": "markdown", "text/plain": "text"}
_DEFAULT_PORTS = {"http": 80, "https": 443}

log = logging.getLogger("pipeline")


def kind_of(media: str | None, url: str) -> str:
    """What a page of this media type is ("html", "markdown", "text"; PAGE_TYPES); a Markdown file
    served as plain text, as many servers do, is Markdown; no type: HTML, whose bytes are checked."""
    kind = PAGE_TYPES.get(media or "", "html")
    if kind == "text" and urlsplit(url).path.lower().endswith(MARKDOWN_SUFFIXES):
        kind = "markdown"
    return kind


def is_url(text: str) -> bool:
    """An input given as a URL rather than a path."""
    return text.lower().startswith(URL_SCHEMES)


def normal_url(url: str) -> str:
    """The URL a page is known by (its ``source``), whether fetched now or read from a capture: scheme
    and host in lower case, no default port, no fragment (never sent to a server), ``/`` for an empty
    path; path and query as given. Raises ValueError for what is no http(s) URL, or one with credentials
    (``user:pass@host``: they would be written into every output)."""
    parts = urlsplit(url.strip())
    port = parts.port  # (raises ValueError for a port that is no number)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError("not an http(s) URL")
    if "@" in parts.netloc:
        raise ValueError("credentials")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname  # an IPv6 address
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host += f":{port}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


def latest_captures(pages: Iterable[RawPage]) -> list[RawPage]:
    """Each page once: of the captures of one URL (versions of one page, from WARC files or fetched),
    the latest, since a run describes the page as it is now; the older ones are said with -v (the
    ``history`` command reads them all). Pages that are no capture pass as they are. The pages keep
    the order in which each was first met, so that a new capture does not move a page in the outputs;
    of two captures of the same time (to the second), the one met later, written later, is kept."""
    pages = list(pages)
    latest: dict[str, RawPage] = {}
    older: dict[str, list[RawPage]] = {}
    for page in pages:
        if page.captured is None:
            continue
        kept = latest.get(page.source)
        if kept is None:
            latest[page.source] = page
        elif capture_time(page) >= capture_time(kept):  # of two at one second, the one met later
            older.setdefault(page.source, []).append(kept)
            latest[page.source] = page
        else:
            older.setdefault(page.source, []).append(page)
    for source, left in older.items():
        left.sort(key=capture_time)
        log.debug("%s: read as captured %s (%s); %d older capture(s) left for the history: %s", source,
                  latest[source].captured, latest[source].path, len(left),
                  ", ".join(f"{p.captured} ({p.path})" for p in left))
    out, seen = [], set()
    for page in pages:
        if page.captured is None:
            out.append(page)
        elif page.source not in seen:
            seen.add(page.source)
            out.append(latest[page.source])
    return out


def capture_stamp(when: datetime) -> str:
    """A capture's time as the outputs write it (``captured``): UTC, to the second ("…T10:00:00Z"),
    whatever precision the capture was written at (WARC 1.1 allows fractions of a second)."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def capture_time(page: RawPage) -> datetime:
    """When a capture was made, comparable whatever the precision written ("…:05Z", "…:05.25Z"); a
    time without its zone is UTC, as ``RawPage.captured`` says."""
    when = datetime.fromisoformat(page.captured or "")
    return when if when.tzinfo else when.replace(tzinfo=UTC)
