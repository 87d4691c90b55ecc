"""Reads an HTML page as blocks: all visible text, in document order, with block boundaries kept.

Text in any block element (``p``, ``div``, ``article``, ``section``, ``td``, ``blockquote``, ``dd``…)
is read; ``<br>`` breaks a line. What the markup says is kept as evidence for the splitter: ``h1``–
``h6``, a block whose text is all bold, or an element whose class names a title
(``layout.toml: html_heading_classes``) is a heading; a list item is a bullet line. A table of data is
read row by row (its header row marked as such); a table used for page layout is read as blocks.
Navigation, sidebars, cookie banners, forms, page footers (by tag, or by a word of their class, id or
role: ``layout.toml: html_furniture``) and hidden elements are read too, but marked as furniture with
the reason, so that they end in ``rejected.csv`` instead of vanishing. ``<pre>`` keeps its line ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from selectolax.lexbor import LexborHTMLParser

from ..models import Block, Link
from ..resources import Resources
from ..text import collapse, normalise

# Never visible: their text is not part of what a reader sees.
_INVISIBLE = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "head", "title", "meta",
                        "link", "object", "canvas", "map", "img", "picture", "video", "audio", "source"})
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hgroup", "hr", "html", "legend", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "menu", "label", "select", "option",
})
_FURNITURE_TAGS = {"nav": "navigation", "aside": "sidebar", "form": "form", "button": "button",
                   "dialog": "dialog", "menu": "menu", "select": "form", "textarea": "form", "datalist": "form"}
# A page's own header and footer; inside an article or section they belong to it.
_PAGE_PARTS = {"header": "page header", "footer": "page footer"}
_CONTENT_PARTS = frozenset({"article", "section", "main"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_EMPHASIS = frozenset({"strong", "b"})
_BULLET = re.compile(r"^([•●▪◦‣∙·\-–—*])\s+")
_WORDS = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class _Context:
    """Where the text being read stands: in which kind of block, inside what."""

    tag: str = "body"
    level: int = 0  # heading level, 0 outside h1–h6
    furniture: str = ""  # why the text is page furniture, "" when it is content
    in_content: bool = False  # inside an article, section or main
    bold: bool = False
    titled: bool = False  # inside an element whose class names a title
    pre: bool = False  # inside <pre>: line ends are kept


def html_blocks(html: str, resources: Resources) -> tuple[tuple[Block, ...], str | None]:
    """The blocks of an HTML page in reading order, and its title (its first ``h1``, else ``<title>``)."""
    tree = LexborHTMLParser(html)
    h1 = tree.css_first("h1")
    page_title = tree.css_first("title")
    title = next((t for t in (_text_of(h1), _text_of(page_title)) if t), None)
    root = tree.body or tree.root
    if root is None:
        return (), title
    reader = _Reader(resources)
    reader.walk(root, _Context())
    reader.flush(_Context())
    return tuple(reader.blocks), title


def _text_of(node) -> str | None:
    return collapse(normalise(node.text(deep=True, separator=" "))) or None if node is not None else None


class _Reader:
    def __init__(self, resources: Resources) -> None:
        self.furniture_words = frozenset(resources.layout.html_furniture)
        self.heading_words = frozenset(resources.layout.html_heading_classes)
        self.blocks: list[Block] = []
        self.pieces: list[tuple[str, bool]] = []  # (text, emphasised) of the block being read
        self.links: list[Link] = []  # the links of the block being read

    def walk(self, root, ctx: _Context) -> None:
        """Every node under ``root`` in document order, with an explicit stack (pages nest deeper than
        Python recurses): text gathers into the block being read, a block element ends it and starts
        its own."""
        stack: list[tuple[object, _Context, bool]] = [(child, ctx, False) for child in reversed(_children(root))]
        while stack:
            node, ctx, leaving = stack.pop()
            if leaving:
                self.flush(ctx)
                continue
            tag = node.tag
            if tag == "-text":
                # Line ends in the source are spaces to a reader (but in <pre>); only <br> breaks a line.
                text = node.text_content or ""
                text = text if ctx.pre else text.replace("\n", " ")
                self.pieces.append((text, ctx.bold or ctx.titled))
            elif tag == "br":
                self.pieces.append(("\n", False))
            elif tag.startswith("-") or tag in _INVISIBLE:
                continue
            elif tag == "table" and not ctx.furniture and _is_data_table(node):
                self.flush(ctx)
                self.table(node, ctx)
            elif tag in _BLOCK or self.furniture_reason(node, ctx):
                self.flush(ctx)
                inner = self.enter(node, ctx)
                stack.append((node, inner, True))
                stack.extend((child, inner, False) for child in reversed(_children(node)))
            else:
                href = node.attributes.get("href") if tag == "a" else None
                if href and not href.startswith(("#", "javascript:")):
                    self.links.append(Link(collapse(normalise(node.text(deep=True, separator=" "))), href.strip()))
                inline = replace(ctx, bold=ctx.bold or tag in _EMPHASIS, titled=ctx.titled or self.names_a_title(node))
                stack.extend((child, inline, False) for child in reversed(_children(node)))

    def enter(self, node, ctx: _Context) -> _Context:
        tag = node.tag
        return _Context(
            tag=tag, level=_HEADINGS.get(tag, ctx.level), furniture=ctx.furniture or self.furniture_reason(node, ctx),
            in_content=ctx.in_content or tag in _CONTENT_PARTS, titled=self.names_a_title(node),
            pre=ctx.pre or tag == "pre",
        )

    def furniture_reason(self, node, ctx: _Context) -> str:
        """Why an element is page furniture ("" if it is not): its tag, or a word of its class, id or role."""
        tag = node.tag
        attrs = node.attributes
        style = (attrs.get("style") or "").replace(" ", "").lower()
        if "hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true" \
                or "display:none" in style or "visibility:hidden" in style:
            return "hidden element (a browser does not show it)"
        if tag in _FURNITURE_TAGS:
            return f"{_FURNITURE_TAGS[tag]} (<{tag}>)"
        if tag in _PAGE_PARTS and not ctx.in_content and not (tag == "header" and node.css_first("h1")):
            return f"{_PAGE_PARTS[tag]} (<{tag}>)"
        for key in ("class", "id", "role"):
            words = _WORDS.findall((attrs.get(key) or "").lower())
            hit = next((w for w in words if w in self.furniture_words), None)
            if hit:
                return f'page furniture ({key} "{attrs.get(key)}")'
        return ""

    def names_a_title(self, node) -> bool:
        attrs = node.attributes
        words = _WORDS.findall(" ".join(attrs.get(k) or "" for k in ("class", "id")).lower())
        return any(w in self.heading_words for w in words)

    def flush(self, ctx: _Context) -> None:
        """The text read since the last block boundary, as blocks of the kind its context says."""
        if not self.pieces:
            return
        pieces, self.pieces = self.pieces, []
        links, self.links = tuple(self.links), []
        text = normalise("".join(t for t, _ in pieces))
        if not text.strip():
            return
        emphasised = all(em for t, em in pieces if t.strip())
        lines = [collapse(line) for line in text.split("\n")]
        lines = [_BULLET.sub("", line) for line in lines if line]
        if ctx.furniture:
            self.blocks.extend(Block("furniture", line, reason=ctx.furniture) for line in lines if line)
        elif ctx.level or (emphasised and ctx.tag not in ("li", "dt", "td", "th")):
            self.blocks.append(Block("heading", " ".join(lines), links=links))
        else:
            lines = [line for line in lines if line]
            lead = _lead(pieces, lines[0])
            self.blocks.extend(Block("line", line, bullet=ctx.tag == "li", links=links if n == 0 else (),
                                     lead=lead if n == 0 else 0)
                               for n, line in enumerate(lines))
        self.blocks.append(Block("blank", ""))

    def table(self, table, ctx: _Context) -> None:
        """A table of data, row by row: cells joined with " | "; header rows (``th`` only, or in
        ``thead``) marked as such."""
        for node in table.iter():
            if node.tag == "caption":
                caption = self.enter(node, ctx)
                self.walk(node, caption)
                self.flush(caption)
        for row in table.css("tr"):
            cells = row.css("td, th")
            texts = [collapse(normalise(_visible_text(c))) for c in cells]
            if not any(texts):
                continue
            header = all(c.tag == "th" for c in cells) or (row.parent is not None and row.parent.tag == "thead")
            links = tuple(Link(collapse(normalise(a.text(deep=True, separator=" "))), a.attributes["href"].strip())
                          for a in row.css("a[href]"))
            # Empty cells are kept, so that every row has its columns where its header has them.
            self.blocks.append(Block("header_row" if header else "row", " | ".join(texts), links=links))
        self.blocks.append(Block("blank", ""))


def _lead(pieces: list[tuple[str, bool]], line: str) -> int:
    """Length of the bold words ``line`` starts with ("<strong>Union africaine (UA)</strong> – …"), 0
    when it does not start with some or is all bold."""
    bold = []
    for text, emphasised in pieces:
        if not emphasised and text.strip():
            break
        bold.append(text)
    words = collapse(normalise("".join(bold)))
    return len(words) if words and line.startswith(words) and len(words) < len(line) else 0


def _visible_text(node) -> str:
    """The text of a node a reader sees: not that of its scripts, styles and other invisible parts."""
    parts: list[str] = []
    stack = list(reversed(_children(node)))
    while stack:
        child = stack.pop()
        if child.tag == "-text":
            parts.append(child.text_content or "")
        elif not child.tag.startswith("-") and child.tag not in _INVISIBLE:
            parts.append(" ")
            stack.extend(reversed(_children(child)))
    return "".join(parts)


def _children(node) -> list:
    return list(node.iter(include_text=True))


def _is_data_table(table) -> bool:
    """A table of data has rows of cells; a table laid out as a page holds headings or other tables."""
    return table.css_first("td h1, td h2, td h3, td h4, td table, td p + p") is None
