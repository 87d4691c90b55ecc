"""Pages fetched by their URL (not built yet: issue 15)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError
from ..models import RawPage


def fetch_pages(urls: Sequence[str], captures: Path) -> tuple[list[RawPage], list[InputError]]:
    """The pages at ``urls``, each response appended to a WARC file in ``captures``."""
    return [], [InputError(url, "reading a page by its URL is not supported yet", "save the page to a file")
                for url in urls]
