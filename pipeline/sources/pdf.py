"""The text of a PDF report (not built yet: issue 15)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..models import RawPage


def pdf_page(source: str, path: Path) -> RawPage:
    """A text-based PDF's text, as a plain-text page copied from a PDF."""
    raise InputError(str(path), "reading a PDF is not supported yet", "copy its text into a .txt file")
