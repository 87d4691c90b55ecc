"""The text of a PDF report, read with pypdf, as a plain-text page copied from a PDF.

Each PDF page's text is taken in reading order and the pages are joined line after line, as a copy
of the whole document would give them: the running header and the page number of every page stay
where they were, so that the layout stage finds them by their repetition at the page breaks and sets
them aside, and the words cut at a line's end are joined by the reading stage's own rules. Nothing
is guessed here about what a line is.

A PDF with no text layer (scanned pages, pictures of text) is refused: this tool does no OCR. So is
an encrypted PDF that needs a password, and one pypdf cannot parse. A page whose text cannot be
taken out is left out with a warning, the others are read.
"""

from __future__ import annotations

import logging
import warnings
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from ..errors import InputError
from ..models import RawPage
from ..stages.reading import MAX_PDF_BYTES, read_bytes, source_name

log = logging.getLogger("pipeline")

# Latin ligatures some PDFs give as one character (U+FB00–FB06): the letters they stand for, so that
# "ﬁnancement" is the word the gazetteer and the cues know.
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st"})
_SOFT_HYPHEN = "\u00ad"


class _ToDebug(logging.Handler):
    """pypdf's own log lines (a damaged cross-reference table it repaired, …) go to -v: without a
    handler of its own, Python would print them on stderr, beside the run's one-line messages."""

    def emit(self, record: logging.LogRecord) -> None:
        log.debug("pypdf: %s", record.getMessage())


_PYPDF_LOG = logging.getLogger("pypdf")
_PYPDF_LOG.addHandler(_ToDebug())
_PYPDF_LOG.propagate = False


def pdf_page(source: str, path: Path) -> RawPage:
    """A text-based PDF's text, as a plain-text page copied from a PDF (``kind`` "text"), named
    ``source`` in the outputs. Raises InputError for a PDF with no text layer, one that needs a
    password, and one that cannot be parsed."""
    file = str(path)
    data = read_bytes(path, MAX_PDF_BYTES)
    if not data.strip():
        raise InputError(file, "the file is empty", "give the report's PDF")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pypdf's warnings are about its repairs: not the user's business
        pages, unread = _texts(file, data)
    if not pages and not unread:
        raise InputError(file, "the PDF has no page", "give the report's PDF")
    if unread:
        log.warning("%s: page(s) %s: their text cannot be read (a damaged page?); the other pages are",
                    file, ", ".join(map(str, unread)))
    if not any(text.strip() for text in pages):
        raise InputError(file, "no text layer: a scanned PDF (this tool does no OCR)",
                         "run OCR on it first (ocrmypdf, for one), or copy its text into a .txt file")
    blank = [n for n, t in enumerate(pages, 1) if not t.strip()]
    if blank:  # a cover picture, a page left blank; or a scanned page among text ones
        log.debug("%s: page(s) %s hold no text (pictures only, or blank): nothing read from them", file,
                  ", ".join(map(str, blank)))
    text = "\n".join(page_text(t) for t in pages if t.strip())
    return RawPage(source, text.encode("utf-8"), source_name(path), charset="utf-8", kind="text")


def _texts(file: str, data: bytes) -> tuple[list[str], list[int]]:
    """The text of each page, and the numbers of the pages whose text could not be taken out."""
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):  # many PDFs are locked only against editing
            raise InputError(file, "the PDF is encrypted and needs a password to be read",
                             "save an unprotected copy (print it to PDF) and give that")
        pages = list(reader.pages)
    except (DependencyError, FileNotDecryptedError) as exc:
        raise InputError(file, f"the PDF is encrypted in a way that cannot be read here ({_one_line(exc)})",
                         "save an unprotected copy (print it to PDF) and give that") from None
    except InputError:
        raise
    # pypdf meets malformed files with many kinds of exception besides its own (KeyError, ValueError,
    # TypeError, RecursionError…): any of them means the same for the user, a PDF that cannot be parsed.
    except Exception as exc:
        raise InputError(file, f"a damaged PDF that cannot be read ({_one_line(exc)})",
                         "open it in a PDF reader and save it again, or copy its text into a .txt file") from None
    texts, unread = [], []
    for number, page in enumerate(pages, 1):
        try:
            texts.append(page.extract_text() or "")
        except Exception:  # (as above) a damaged page: left out, the others are read
            unread.append(number)
    return texts, unread


def page_text(text: str) -> str:
    """A PDF page's text as the reading stage expects it: ligatures spelled out, a soft hyphen ending a
    line made a hyphen (the reading stage then joins the word), the other soft hyphens dropped, no
    white space at the line ends."""
    lines = []
    for line in text.translate(_LIGATURES).split("\n"):
        line = line.rstrip()
        if line.endswith(_SOFT_HYPHEN):
            line = line[:-1] + "-"
        lines.append(line.replace(_SOFT_HYPHEN, ""))
    return "\n".join(lines).strip("\n")


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "…"
