"""Pages captured in WARC files (not built yet: issue 15)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..models import RawPage


def latest_pages(path: Path) -> tuple[list[RawPage], list[InputError]]:
    """The HTML responses of a WARC file: the latest capture of each URL."""
    return [], [InputError(str(path), "reading a WARC file is not supported yet", "save the page to a file")]
