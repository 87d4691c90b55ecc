"""Turns a saved page's bytes into clean text blocks: decoding, normalisation, then the blocks of
plain text here, of HTML in ``html`` and of Markdown in ``markdown``.

Text is normalised to what a reader sees (NFC, one kind of line end, ordinary spaces for the
non-breaking ones) but typographic apostrophes and quotes are kept as written, so that every offset
computed later points into the text the user reads.
"""

from __future__ import annotations

import codecs
import re
import stat
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import ftfy
from charset_normalizer import from_bytes

from ..errors import InputError
from ..models import Block, Page
from ..resources import Resources
from ..text import normalise, sha256
from .html import html_blocks
from .markdown import markdown_blocks

MARKDOWN_SUFFIXES = (".md", ".markdown")
PDF_SUFFIXES = (".pdf",)  # read by sources.pdf: their text
WARC_SUFFIXES = (".warc", ".warc.gz")  # read by sources.warc: the pages captured in them
# The files a folder is searched for (by the end of their name, case ignored).
PAGE_SUFFIXES = (".txt", ".html", ".htm", *MARKDOWN_SUFFIXES, *PDF_SUFFIXES, *WARC_SUFFIXES)
MAX_BYTES = 20 * 1024 * 1024
# A PDF report's pictures make it large while its text stays small: the file may be larger, its text
# (the page read) is held to MAX_BYTES like any page.
MAX_PDF_BYTES = 100 * 1024 * 1024
GOLD_DIR = "gold"  # a folder's gold files are never read as pages

_SAVE_AS_TEXT = "save the page as text or HTML"
_BINARY_MAGIC = {  # what a file is by its first bytes, and what to do with it
    b"%PDF": ("a PDF document", "name the file .pdf to read its text"),
    b"\x89PNG": ("a PNG image", _SAVE_AS_TEXT),
    b"PK\x03\x04": ("a ZIP archive (or an Office document)", _SAVE_AS_TEXT),
    b"\xff\xd8\xff": ("a JPEG image", _SAVE_AS_TEXT),
    b"GIF8": ("a GIF image", _SAVE_AS_TEXT),
    b"\x1f\x8b": ("a gzip archive", "a WARC file is read when named .warc.gz; else " + _SAVE_AS_TEXT),
}
_BULLET = re.compile(r"^([•●▪◦‣∙·\-–—*])\s+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)
# The tell-tale pairs of UTF-8 read as Windows-1252: "Ã©", "Ã¨", "â€™", "Â ".
_MOJIBAKE = re.compile(
    "[ÃÂâ][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u02c6\u02dc\u20ac\u2122]")
_SEPARATOR = re.compile(r"^\s*(\|+|-{3,}|_{3,}|\*{3,}|={3,})\s*$")


def file_kind(name: str) -> str | None:
    """What a page file's own name says it is ("html", "markdown"), else None (its bytes tell). Read
    from the file, never from the name it is given in the outputs (``--source-name``)."""
    name = name.lower()
    if name.endswith((".html", ".htm")):
        return "html"
    if name.endswith(MARKDOWN_SUFFIXES):
        return "markdown"
    return None


def is_html(source: str, data: bytes) -> bool:
    if source.lower().endswith((".html", ".htm")):
        return True
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def decode(source: str, data: bytes, charset: str | None = None) -> tuple[str, str]:
    """Bytes to text, with the encoding used (``charset``, declared by an HTTP response, first).
    Raises InputError for what is not a text page."""
    if not data.strip():
        raise InputError(source, "the file is empty", "give a page saved as text or HTML")
    if len(data) > MAX_BYTES:
        raise InputError(
            source, f"the file is {len(data) / 1e6:.1f} MB, over the {MAX_BYTES // 2**20} MiB limit",
            "split the page or check it is really a web page",
        )
    for magic, (what, hint) in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InputError(source, f"this is {what}, not a text or HTML page", hint)
    if b"\x00" in data[:4096]:
        raise InputError(source, "binary content (NUL bytes), not a text or HTML page",
                         "save the page as text or HTML (UTF-16 files: re-save as UTF-8)")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            data = data[3:]  # a UTF-8 mark on bytes that are not UTF-8: the other encodings decide
    if charset and not _utf8_declared_otherwise(charset, data):
        try:
            text = data.decode(charset)
            if _looks_like_text(text):
                return text, charset.lower()
        except (UnicodeError, LookupError):
            pass  # a wrong or unknown declared charset: the page's own evidence decides
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for encoding in _encodings(data):
        try:
            text = data.decode(encoding)
        except (UnicodeError, LookupError):  # (a declared "undefined" codec raises UnicodeError itself)
            continue
        if _looks_like_text(text):
            return text, encoding
    raise InputError(source, "the bytes are not valid text in any supported encoding",
                     "re-save the page as UTF-8")


def _utf8_declared_otherwise(charset: str, data: bytes) -> bool:
    """Bytes that are UTF-8 beyond ASCII, declared in another charset: read in a one-byte charset they
    would decode, silently, to "crÃ©Ã©e". Text in such a charset is almost never valid UTF-8 by chance,
    so the bytes win over the declaration."""
    try:
        if data.isascii() or codecs.lookup(charset).name == "utf-8":
            return False
        data.decode("utf-8")
    except (LookupError, UnicodeDecodeError):
        return False
    return True


def _encodings(data: bytes):
    """Encodings to try, in order: the one the page declares; Windows-1252, since a French page that
    is not UTF-8 almost always is (a superset of Latin-1 for text); last, what charset-normalizer
    detects (asked only then: it confuses Windows-1252 with cp1250)."""
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        yield declared.group(1).decode("ascii").lower()
    yield "cp1252"
    best = from_bytes(data).best()
    if best is not None:
        yield best.encoding


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\n\r\t")
    return bad / len(text) < 0.01


def text_blocks(text: str) -> tuple[Block, ...]:
    blocks = []
    for raw in text.split("\n"):
        if not raw.strip():
            blocks.append(Block("blank", ""))
            continue
        if _SEPARATOR.match(raw):
            blocks.append(Block("separator", raw.strip()))
            continue
        stripped = raw.lstrip(" \t")
        indent = len(raw[:len(raw) - len(stripped)].replace("\t", "    "))
        line = stripped.strip()  # tabs inside the line stay: they may be a table's cell delimiters
        bullet = _BULLET.match(line)
        if bullet and line.endswith(bullet.group(1)) and len(line) > 1:
            bullet = None  # "– 14 –", "– FIN –": a mark on both sides decorates the line, it is no bullet
        if bullet:
            line = line[bullet.end():].strip()
        line = re.sub(r"[ ]{2,}", " ", line)
        if line:
            blocks.append(Block("line", line, indent=indent, bullet=bool(bullet)))
    return tuple(blocks)


def repair(text: str) -> tuple[str, bool]:
    """Undo mojibake ("Ã©" for "é": UTF-8 read as Windows-1252 somewhere upstream) with ftfy."""
    if not _MOJIBAKE.search(text):
        return text, False
    fixed = ftfy.fix_encoding(text)
    return fixed, fixed != text


def read_page(source: str, data: bytes, resources: Resources, *, charset: str | None = None,
              kind: str | None = None) -> Page:
    """Decode and parse one page. ``source`` is how the page is named in the outputs; ``charset`` and
    ``kind`` ("html", "markdown", "text") are what its source declared, if anything."""
    raw, encoding = decode(source, data, charset)
    raw, repaired = repair(raw)
    html = kind == "html" or kind is None and is_html(source, data)
    text = normalise(raw)
    if not text.strip():
        raise InputError(source, "the file holds only white space", "give a page with text")
    if html:
        blocks, title = html_blocks(text, resources)
        markup = "html"
    elif kind == "markdown" or kind is None and source.lower().endswith(MARKDOWN_SUFFIXES):
        blocks, title = markdown_blocks(text)
        markup = "markdown"
    else:
        blocks, title, markup = text_blocks(text), None, "text"
    return Page(source=source, sha256=sha256(data), blocks=blocks, html_title=title, encoding=encoding,
                repaired=repaired, markup=markup)


# The files that make a folder one of this tool's output folders: never read back as pages.
OUTPUT_MARKERS = ("partners.json", "datapackage.json")


def is_output_folder(folder: Path) -> bool:
    """A folder this tool wrote its outputs into (never read back as pages)."""
    return all((folder / m).is_file() for m in OUTPUT_MARKERS)


def collect_inputs(inputs: tuple[Path, ...]) -> tuple[list[Path], list[InputError], list[Path]]:
    """The page files named by inputs, each once: files as given, folders searched for pages. A
    folder's search skips hidden folders (``.git``, ``.venv``, ``.cache``), gold files and this
    tool's own output folders (an ``--out`` inside the input folder is not read back). Returns the
    files, the errors and the folders skipped."""
    files: list[Path] = []
    errors: list[InputError] = []
    skipped: list[Path] = []
    for path in inputs:
        if not path.exists():
            errors.append(InputError(str(path), "no such file or folder", "check the path"))
        elif path.is_dir() and is_output_folder(path):
            errors.append(InputError(str(path), "is this tool's output folder, not a folder of pages",
                                     "give the folder of the saved pages"))
        elif path.is_dir():
            found = _pages_in(path, skipped)
            if not found:
                errors.append(InputError(str(path), "folder holds no page (.txt, .html, .htm, .md, .pdf, .warc or "
                                                    ".warc.gz)", "put the saved pages in it or name the files"))
            files.extend(found)
        else:
            files.append(path)
    seen: set[Path] = set()
    unique = []
    for f in files:  # the same file named twice (or through two paths) is read once
        real = f.resolve()
        if real not in seen:
            seen.add(real)
            unique.append(f)
    return unique, errors, skipped


def _pages_in(folder: Path, skipped: list[Path]) -> list[Path]:
    """The page files under ``folder``, in a stable order, walking down only into folders to read."""
    found: list[Path] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            entries = sorted(current.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                if entry.is_dir():
                    skipped.append(entry)
                continue
            if entry.is_dir() and not entry.is_symlink():
                if entry.name == GOLD_DIR or is_output_folder(entry):
                    skipped.append(entry)
                else:
                    pending.append(entry)
            elif entry.name.lower().endswith(PAGE_SUFFIXES) and entry.is_file():
                found.append(entry)
    return sorted(found)


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """A page file's bytes; InputError if it is not a regular file (a FIFO or a device would hang or
    never end), over the size ``limit`` (checked while reading, not from the size the file claims) or
    cannot be read."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise InputError(str(path), "not a regular file (a pipe, a device or a socket)",
                             "save the page to a file and give that file")
        with path.open("rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise InputError(str(path), f"cannot be read: {exc.strerror}", "check its permissions") from exc
    if len(data) > limit:
        raise InputError(str(path), f"the file is over the {limit // 2**20} MiB limit",
                         "split the page or check it is really a web page")
    return data


def source_name(path: Path) -> str:
    """Where a file was read from, as provenance: relative to the working folder when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def source_names(paths: Sequence[Path], given: Mapping[Path, str] | None = None) -> dict[Path, str]:
    """Each page's identity in the outputs (``source``): its file name, the same from whatever folder
    the run starts or wherever the page is saved; two pages of one name keep as many of their folders
    as tells them apart (``a/page.txt``, ``b/page.txt``). ``given`` names pages as the user chose
    (``--source-name``). Raises InputError when two pages would share a name."""
    given = {Path(k).resolve(): v for k, v in (given or {}).items()}
    parts = {p: p.resolve().parts for p in paths}
    depth = dict.fromkeys(paths, 1)
    names: dict[Path, str] = {}
    while True:
        names = {p: given.get(p.resolve()) or "/".join(parts[p][-depth[p]:]).lstrip("/") for p in paths}
        count = Counter(names.values())
        clashing = [p for p in paths if count[names[p]] > 1 and p.resolve() not in given
                    and depth[p] < len(parts[p])]
        if not clashing:
            break
        for p in clashing:
            depth[p] += 1
    for name, n in Counter(names.values()).items():
        if n > 1:
            raise InputError(name, "two pages have this name in the outputs", "give each its own --source-name")
    return names
