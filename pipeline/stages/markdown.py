"""Reads a Markdown page as blocks, with markdown-it-py (CommonMark, with tables).

``#`` headings and a paragraph that is all bold are headings; list items are bullet lines (a
``**Accord :**`` label inside one does not make it a heading); a pipe table is read row by row, its
header row marked as such; a link keeps its text (its URL is not text); a thematic break (``---``)
is a block boundary. Soft line breaks join the lines of a paragraph, as a reader sees them.
"""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt

from ..models import Block, Link
from ..text import collapse

_PARSER = MarkdownIt("commonmark").enable("table")
_BR = re.compile(r"<br\s*/?>", re.I)
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)[^>]*>")
_BREAKING = frozenset({"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
                       "article", "blockquote", "dd", "dt", "dl"})


def markdown_blocks(text: str) -> tuple[tuple[Block, ...], str | None]:
    """The blocks of a Markdown page in reading order, and its title (its first level-1 heading)."""
    tokens = _PARSER.parse(text)
    blocks: list[Block] = []
    title = None
    in_list = 0
    in_header = False
    cells: list[str] = []
    row_links: list[Link] = []
    heading_level = 0
    for i, token in enumerate(tokens):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            in_list += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            in_list -= 1
        elif kind == "heading_open":
            heading_level = int(token.tag[1:])
        elif kind == "heading_close":
            heading_level = 0
        elif kind == "thead_open":
            in_header = True
        elif kind == "thead_close":
            in_header = False
        elif kind == "tr_open":
            cells, row_links = [], []
        elif kind == "tr_close":
            if any(cells):
                blocks.append(Block("header_row" if in_header else "row", " | ".join(cells),
                                    links=tuple(row_links)))
        elif kind == "table_close" or kind == "hr":
            blocks.append(Block("blank", ""))
        elif kind in ("code_block", "fence", "html_block"):
            content = token.content
            if kind == "html_block":  # its text, as a browser shows it: no tags, <br> and blocks break lines
                content = _BR.sub("\n", _SCRIPT.sub(" ", content))
                content = _TAG.sub(lambda m: "\n" if m.group(1).lower() in _BREAKING else " ", content)
                content = html.unescape(content)
            blocks.extend(Block("line", line) for line in map(collapse, content.split("\n")) if line)
            blocks.append(Block("blank", ""))
        elif kind == "inline":
            parent = tokens[i - 1].type if i else ""
            text_, bold, links, lead = _inline(token)
            if parent in ("th_open", "td_open"):
                cells.append(collapse(text_))
                row_links.extend(links)
                continue
            lines = [collapse(line) for line in text_.split("\n")]
            lines = [line for line in lines if line]
            if not lines:
                continue
            if heading_level:
                heading = " ".join(lines)
                if heading_level == 1 and title is None:
                    title = heading
                blocks.append(Block("heading", heading, links=links))
            elif bold and not in_list:
                blocks.append(Block("heading", " ".join(lines), links=links))
            else:
                first = lines[0]
                lead_words = collapse(lead)
                lead_length = len(lead_words) if lead_words and first.startswith(lead_words) \
                    and len(lead_words) < len(first) else 0
                blocks.extend(Block("line", line, bullet=bool(in_list), links=links if n == 0 else (),
                                    lead=lead_length if n == 0 else 0)
                              for n, line in enumerate(lines))
            blocks.append(Block("blank", ""))
    return tuple(blocks), title


def _inline(token) -> tuple[str, bool, tuple[Link, ...], str]:
    """An inline token's text as a reader sees it, whether all of it is bold, its links, and the bold
    words it starts with ("" if it does not)."""
    parts: list[str] = []
    bold = 0
    all_bold = True
    lead: str | None = None  # set once the first words that are not bold are met
    links: list[Link] = []
    opened: list[tuple[str, int]] = []  # (target, where its text starts) of the links being read
    for child in token.children or ():
        kind = child.type
        if kind == "link_open":
            opened.append((str(child.attrs.get("href", "")), len(parts)))
        elif kind == "link_close" and opened:
            url, start = opened.pop()
            links.append(Link(collapse("".join(parts[start:])), url))
        elif kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind in ("text", "code_inline"):
            if child.content.strip() and not bold:
                all_bold = False
                if lead is None:
                    lead = "".join(parts)
            parts.append(child.content)
        elif kind == "softbreak":
            parts.append(" ")
        elif kind == "hardbreak" or (kind == "html_inline" and _BR.match(child.content)):
            parts.append("\n")
    text = "".join(parts)
    return text, all_bold and bool(text.strip()), tuple(links), lead or ""
