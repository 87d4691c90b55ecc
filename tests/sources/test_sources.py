"""What every source shares: telling a URL from a path, and keeping the latest of the captures of a
page (a run describes the page as it is now)."""

import pytest

from pipeline.models import RawPage
from pipeline.sources import is_url, latest_captures

A, B = "https://www.wcoomd.org/fr/a.html", "https://www.wcoomd.org/fr/b.html"


def _page(source, captured=None, path=None):
    return RawPage(source, b"<html></html>", path or f"{source}@{captured}", captured)


@pytest.mark.parametrize(("pages", "kept"), [
    ([_page("page.txt"), _page(A, "2024-01-01T00:00:00Z")], ["page.txt@None", f"{A}@2024-01-01T00:00:00Z"]),
    ([_page(A, "2025-01-01T00:00:00Z"), _page(B, "2024-01-01T00:00:00Z"), _page(A, "2023-01-01T00:00:00Z")],
     [f"{A}@2025-01-01T00:00:00Z", f"{B}@2024-01-01T00:00:00Z"]),
    ([_page(A, "2024-01-01T00:00:05Z"), _page(A, "2024-01-01T00:00:05.250000Z")],  # fractions of a second count
     [f"{A}@2024-01-01T00:00:05.250000Z"]),
    ([_page(A, "2024-01-01T00:00:00Z", "first"), _page(A, "2024-01-01T00:00:00Z", "second")], ["first"]),
    ([_page(A, "2024-01-01T00:00:00"), _page(A, "2024-01-01T01:00:00+02:00")],  # no zone: UTC; 01:00+02:00 is before
     [f"{A}@2024-01-01T00:00:00"]),
], ids=["a file passes", "latest of each URL, in the order first met", "precision", "a tie keeps the first",
        "time zones"])
def test_latest_captures(pages, kept):
    assert [p.path for p in latest_captures(pages)] == kept


@pytest.mark.parametrize(("text", "url"), [
    ("https://www.wcoomd.org/fr", True), ("HTTP://x.org", True), ("corpus/page.html", False), ("http.txt", False),
])
def test_is_url(text, url):
    assert is_url(text) is url
