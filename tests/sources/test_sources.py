"""What every source shares: telling a URL from a path, and keeping the latest of the captures of a
page (a run describes the page as it is now)."""

import pytest

from pipeline.models import RawPage
from pipeline.sources import is_url, latest_captures, normal_url

A, B = "https://www.wcoomd.org/fr/a.html", "https://www.wcoomd.org/fr/b.html"


def _page(source, captured=None, path=None):
    return RawPage(source, b"<html></html>", path or f"{source}@{captured}", captured)


@pytest.mark.parametrize(("pages", "kept"), [
    ([_page("page.txt"), _page(A, "2024-01-01T00:00:00Z")], ["page.txt@None", f"{A}@2024-01-01T00:00:00Z"]),
    ([_page(A, "2025-01-01T00:00:00Z"), _page(B, "2024-01-01T00:00:00Z"), _page(A, "2023-01-01T00:00:00Z")],
     [f"{A}@2025-01-01T00:00:00Z", f"{B}@2024-01-01T00:00:00Z"]),
    ([_page(A, "2024-01-01T00:00:05Z"), _page(A, "2024-01-01T00:00:05.250000Z")],  # fractions of a second count
     [f"{A}@2024-01-01T00:00:05.250000Z"]),
    ([_page(A, "2024-01-01T00:00:00Z", "first"), _page(A, "2024-01-01T00:00:00Z", "second")], ["second"]),
    ([_page(A, "2024-01-01T00:00:00"), _page(A, "2024-01-01T01:00:00+02:00")],  # no zone: UTC; 01:00+02:00 is before
     [f"{A}@2024-01-01T00:00:00"]),
], ids=["a file passes", "latest of each URL, in the order first met", "precision", "a tie keeps the later",
        "time zones"])
def test_latest_captures(pages, kept):
    assert [p.path for p in latest_captures(pages)] == kept


@pytest.mark.parametrize(("text", "url"), [
    ("https://www.wcoomd.org/fr", True), ("HTTP://x.org", True), ("corpus/page.html", False), ("http.txt", False),
])
def test_is_url(text, url):
    assert is_url(text) is url


@pytest.mark.parametrize(("url", "expected"), [
    ("HTTPS://WWW.Example.org:443/p?q=1#top", "https://www.example.org/p?q=1"),
    ("http://example.org", "http://example.org/"),
    ("http://[::1]:8080/a", "http://[::1]:8080/a"),
])
def test_a_page_has_one_url_whether_fetched_or_read_from_a_capture(url, expected):
    assert normal_url(url) == expected


@pytest.mark.parametrize("url", ["ftp://example.org/p", "https://u:p@example.org/", "https://example.org:x/"])
def test_what_is_no_url_to_name_a_page_by(url):
    with pytest.raises(ValueError):
        normal_url(url)
