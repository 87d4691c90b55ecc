"""What each line of a page is, decided from the evidence of the whole page.

The reader gives blocks; this module gives each one a role before the splitter looks for headings:
- page furniture: site furniture by the patterns of ``layout.toml``; in plain text, page numbers, and
  running headers, recognised by repetition (a line repeated at every page break, or three times and
  breaking a paragraph);
- table rows: cells in the markup, or, in plain text, runs of two lines or more cut into the same
  number of cells by the same delimiter (`` – ``, `` | ``, a tab); a first row of short cells
  without digits, made of header words (``layout.toml: table_header_words``), is the header row;
- date lines: a line that holds only a date (``15/03/2023``, ``Publié le 3 juin 2021``), the date of
  the item next to it;
- everything else is a line, a heading when the markup says so; the splitter decides the rest.
The page's wrap width is measured too: a line as long as the lines that run on into the next one is a
line of a wrapped paragraph, not a heading.
"""

from __future__ import annotations

import bisect
import re
import statistics
from dataclasses import dataclass, replace

from ..models import Link, Page
from ..resources import Resources
from ..text import NUMERIC_DATE, alternation, collapse, written_date

SENTENCE_END = (".", "!", "?", ";", ":", ",", "…")
# Why a line is set aside, where the splitter needs to know it (a page break inside a paragraph).
PAGE_NUMBER = "page number"
RUNNING_HEADER = "running header or footer (repeated on the page)"
# Cell delimiters of a table written as text lines, in the order they are tried: tabs, then (once runs
# of other spaces are one space) " | ", " – " or " — ", " - ". Plain string splits: a regular expression
# with a space run on each side of the delimiter backtracks over every long run of spaces.
_SPACE_RUN = re.compile(r"[^\S\t]+")
_SPLITS = (
    lambda line: re.split(r"\t+", line),
    lambda line: _SPACE_RUN.sub(" ", line).split(" | "),
    lambda line: _SPACE_RUN.sub(" ", line).replace(" — ", " – ").split(" – "),
    lambda line: _SPACE_RUN.sub(" ", line).split(" - "),
)
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]+")
MAX_REPEATED_CHARS = 120
MAX_HEADING_CHARS = 160
MAX_HEADING_WORDS = 22
MAX_CELL_WORDS = 12


def heading_like(text: str) -> bool:
    """Shaped like a heading: short, no final full stop, not starting in lower case."""
    if len(text) > MAX_HEADING_CHARS or len(text.split()) > MAX_HEADING_WORDS:
        return False
    if text.endswith(SENTENCE_END) and not text.endswith(("..", ")")):
        return False
    return not text[0].islower()


@dataclass(frozen=True, slots=True)
class Line:
    """A block of the page with its role: "heading" (marked by the markup), "line", "row", "date",
    "aside" (set aside, with ``reason``), "separator" or "blank"."""

    kind: str
    text: str
    at: int  # position of the block in the page, to keep what is set aside in page order
    indent: int = 0
    bullet: bool = False
    reason: str = ""
    links: tuple[Link, ...] = ()
    lead: int = 0  # length of the bold words the line starts with (HTML, Markdown)


class Layout:
    """The layout knowledge of one configuration (``layout.toml`` and the month names), compiled once."""

    def __init__(self, resources: Resources) -> None:
        layout = resources.layout
        self.furniture = resources.furniture
        self.page_numbers = tuple(re.compile(p, re.I) for p in layout.page_numbers)
        date = rf"(?:{written_date(resources.dates.months)}|{NUMERIC_DATE})"
        prefixes = alternation(layout.date_line_prefixes)
        time = r"(?:\s*(?:[-–,à]\s*)?\d{1,2}\s*[h:]\s*\d{2})?"
        # Possessive: a line of repeated prefixes fails at once instead of trying every way to split them.
        self.date_line = re.compile(rf"^(?:(?:{prefixes})\s*)*+{date}{time}$", re.I)
        self.dateline = re.compile(layout.dateline.replace("{date}", date), re.I)
        self.header_words = frozenset(w.casefold() for w in layout.table_header_words)
        self.never_ends_heading = frozenset(w.casefold() for w in layout.heading_never_ends_with)

    def lines(self, page: Page) -> list[Line]:
        """Every block of the page as a Line with its role."""
        blocks = page.blocks
        plain = page.markup == "text"
        out = []
        for at, block in enumerate(blocks):
            kind, text = block.kind, block.text
            if kind in ("blank", "separator"):
                out.append(Line(kind, text, at))
            elif kind == "furniture":
                out.append(Line("aside", text, at, reason=block.reason))
            elif kind == "header_row":
                out.append(Line("aside", text, at, reason="header row of a table"))
            elif self.is_site_furniture(text):
                out.append(Line("aside", text, at, reason="site furniture (menu, language choice, copyright…)"))
            elif plain and self.is_page_number(text):
                out.append(Line("aside", text, at, reason=PAGE_NUMBER))
            elif kind == "row":
                out.append(Line("row", text, at, links=block.links))
            elif kind == "line" and self.date_line.match(text):
                out.append(Line("date", text, at, block.indent, block.bullet, links=block.links))
            else:
                out.append(Line(kind, text, at, block.indent, block.bullet, links=block.links, lead=block.lead))
        if plain:
            out = self._running_headers(out)
            out = self._text_tables(out)
        return out

    def is_site_furniture(self, text: str) -> bool:
        """A menu, language choice or copyright line (``layout.toml: furniture``); never a sentence."""
        sentence = text.endswith((".", "!", "?")) and len(text.split()) >= 4
        return len(text) <= MAX_REPEATED_CHARS and not sentence and any(p.search(text) for p in self.furniture)

    def is_page_number(self, text: str) -> bool:
        return any(p.match(text) for p in self.page_numbers)

    def _running_headers(self, lines: list[Line]) -> list[Line]:
        """A line repeated on the page at every page break (next to a page number, or first or last),
        or three times, shaped like a title and breaking a paragraph (the next line goes on in lower
        case), is a running header or footer."""
        content = [i for i, ln in enumerate(lines) if ln.kind not in ("blank", "separator")]
        occurrences: dict[str, list[int]] = {}
        for i in content:
            line = lines[i]
            if line.kind == "line" and len(line.text) <= MAX_REPEATED_CHARS:
                occurrences.setdefault(_DIGITS.sub("#", collapse(line.text).casefold()), []).append(i)

        def neighbours(i: int) -> tuple[int | None, int | None]:
            """The content lines before and after line ``i`` (found, not stored: a page may have millions)."""
            n = bisect.bisect_left(content, i)
            return content[n - 1] if n else None, content[n + 1] if n + 1 < len(content) else None

        def at_page_break(i: int) -> bool:
            """Next to a page number, or the first or last line of the page."""
            return any(j is None or lines[j].reason == PAGE_NUMBER for j in neighbours(i))

        repeated: set[int] = set()
        for where in occurrences.values():
            if len(where) < 2:
                continue
            breaks = any((j := neighbours(i)[1]) is not None and lines[j].text[:1].islower() for i in where)
            title = heading_like(lines[where[0]].text)
            if all(at_page_break(i) for i in where) or (len(where) >= 3 and breaks and title):
                repeated.update(where)
        return [Line("aside", ln.text, ln.at, reason=RUNNING_HEADER) if i in repeated else ln
                for i, ln in enumerate(lines)]

    def _text_tables(self, lines: list[Line]) -> list[Line]:
        """Runs of two lines or more cut into the same number of cells by the same delimiter are table
        rows."""
        shapes = [_cells(ln.text) if ln.kind == "line" else None for ln in lines]
        out = list(lines)
        i = 0
        while i < len(lines):
            shape = shapes[i]
            if shape is None:
                i += 1
                continue
            j = i + 1
            while j < len(lines) and shapes[j] is not None and shapes[j][0] == shape[0] \
                    and len(shapes[j][1]) == len(shape[1]):
                j += 1
            if j - i >= 2:  # one line alone is no table: a title may hold dashes and a year
                for k in range(i, j):
                    header = k == i and self._header(shapes[k][1])
                    out[k] = replace(lines[k], kind="aside", reason="header row of a table") if header \
                        else replace(lines[k], kind="row")
            i = j
        return out

    def _header(self, cells: list[str]) -> bool:
        if any(_DIGITS.search(c) or len(c.split()) > 6 for c in cells):
            return False
        named = sum(1 for c in cells if any(w.casefold() in self.header_words for w in _WORD.findall(c)))
        return named * 2 >= len(cells)

    def wrap_width(self, lines: list[tuple[str, str]]) -> float | None:
        """The width a hard-wrapped page cuts its lines at, from its (kind, text) lines: the median
        length of the lines that run on into a next line starting in lower case, when at least three
        do; None for a page not wrapped."""
        runs = [len(text) for (kind, text), (next_kind, next_text) in zip(lines, lines[1:], strict=False)
                if kind == "line" and next_kind == "line" and next_text[:1].islower()
                and not text.endswith(SENTENCE_END)]
        return statistics.median(runs) if len(runs) >= 3 else None

    def ends_mid_phrase(self, text: str) -> bool:
        """The line, of three words or more, ends with a word a heading never ends with ("de", "la", "et"…)."""
        words = text.split()
        if len(words) < 3:
            return False
        last = words[-1].casefold()
        return last in self.never_ends_heading or (("'" in last or "’" in last) and last[-1] in "'’")


def _cells(text: str) -> tuple[int, list[str]] | None:
    """(delimiter number, cells) of a line cut into two or more short cells, else None; a sentence
    (it ends with a full stop) is not a row, whatever dashes it holds."""
    if text.rstrip().endswith(SENTENCE_END):
        return None
    line = text.strip().strip("|")
    for n, cut in enumerate(_SPLITS):
        cells = [c.strip() for c in cut(line)]
        if len(cells) >= 2 and all(cells) and all(len(c.split()) <= MAX_CELL_WORDS for c in cells):
            return n, cells
    return None
