"""Splits a read page into partner sections and gives each partner its name, acronym and id.

One algorithm serves every layout: a partner section is a heading followed by at least one
paragraph. Separator lines (``|``), blank lines, bullets and HTML tags only tell where blocks start
and which lines are headings; lines before the first partner that have no paragraph of their own are
the page's furniture, its title and group headings, never partners.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import InputError
from ..models import Block, Document, Page, Partner, Rejected, Section, short_name
from ..resources import Resources
from ..text import acronyms_in, is_heading_acronym, sha256, slug
from .reading import read_page

log = logging.getLogger("pipeline")

MAX_HEADING_CHARS = 160
MAX_HEADING_WORDS = 22
_SENTENCE_END = (".", "!", "?", ";", ":", ",", "…")
_TRAILING_PAREN = re.compile(r"^(?P<name>.*?)\s*\((?P<inner>[^()]+)\)\s*$")
_WEB = re.compile(r"(www\.|https?:|\.(org|int|com|net|eu|fr)\b|@)", re.I)


@dataclass(frozen=True)
class _Line:
    text: str
    heading: bool  # could be a heading
    starts_paragraph: bool  # a blank line, bullet or indent comes before it
    after_blank: bool


def is_furniture(line: str, resources: Resources) -> bool:
    """Site furniture (menus, breadcrumbs, image names…), by the patterns of ``layout.toml``."""
    return any(p.search(line) for p in resources.furniture)


def heading_like(text: str) -> bool:
    if len(text) > MAX_HEADING_CHARS or len(text.split()) > MAX_HEADING_WORDS:
        return False
    if text.endswith(_SENTENCE_END) and not text.endswith(("..", ")")):
        return False
    first = text[0]
    return not first.islower()


def _lines(blocks: list[Block], html: bool, furniture: list[str], resources: Resources) -> list[_Line]:
    """The chunk's lines with what their shape says; site furniture is set aside in ``furniture``."""
    out: list[_Line] = []
    blank = True
    prev_indent = 0
    for block in blocks:
        if block.kind == "blank":
            blank = True
            continue
        if len(block.text) <= MAX_HEADING_CHARS and is_furniture(block.text, resources):
            furniture.append(block.text)
            continue
        explicit = block.kind == "heading"
        starts = blank or block.bullet or block.indent != prev_indent or explicit or not out
        # In HTML the tags say what is a heading; in plain text the line's shape does.
        heading = explicit if html else heading_like(block.text)
        out.append(_Line(block.text, heading, starts, blank))
        blank = explicit
        prev_indent = block.indent
    return out


def _mark_headings(lines: list[_Line], html: bool) -> list[bool]:
    """Which lines are headings, once wrapped paragraphs are recognised."""
    marks = [line.heading for line in lines]
    for i, line in enumerate(lines):
        if not marks[i] or html:
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        prev = lines[i - 1] if i > 0 else None
        # A line wrapped inside a paragraph: continued in lower case on the next line, or following
        # a line that has not finished its sentence.
        continued = nxt is not None and not nxt.starts_paragraph and nxt.text[:1].islower()
        unfinished = (prev is not None and not line.starts_paragraph and not prev.heading
                      and not prev.text.rstrip().endswith(_SENTENCE_END))
        if continued or unfinished:
            marks[i] = False
    return marks


def _split_chunk(blocks: list[Block], html: bool, forced: bool, resources: Resources):
    """Sections (heading, paragraphs) of one chunk, plus the lines that are not in any section."""
    loose: list[str] = []
    lines = _lines(blocks, html, loose, resources)
    marks = _mark_headings(lines, html)
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    lead: list[str] = []
    current = None
    for i, line in enumerate(lines):
        if marks[i]:
            nxt = i + 1
            if nxt < len(lines) and not marks[nxt]:
                current = (line.text, [])
                sections.append(current)
            else:
                (lead if not sections else loose).append(line.text)
                current = None
            continue
        if current is None:
            (lead if not sections else loose).append(line.text)
            continue
        previous = current[1][-1][1] if current[1] else ""
        # A line that starts a sentence after one that ended one is a paragraph of its own (one line per
        # paragraph, as saved pages often are); otherwise it continues a wrapped paragraph.
        new_paragraph = line.starts_paragraph or (
            previous.endswith((".", "!", "?", ":", ";")) and line.text[:1].isupper())
        joiner = "\n\n" if line.after_blank else ("\n" if new_paragraph else " ")
        current[1].append((joiner, line.text))
    if forced and not sections and len(lines) >= 2:
        sections = [(lines[0].text, [("\n", ln.text) for ln in lines[1:]])]
        lead = []
    return sections, lead, loose


def _choose_title(lead: list[str], resources: Resources) -> tuple[str | None, list[str]]:
    candidates = [line for line in lead if heading_like(line)]
    if not candidates:
        return None, lead
    cues = [c.lower() for c in resources.layout.title_cues]
    cued = [c for c in candidates if any(re.search(rf"\b{re.escape(cue)}\b", c.lower()) for cue in cues)]
    title = (cued or candidates)[0]
    return title, [line for line in lead if line != title]


def split(page: Page, resources: Resources) -> Document:
    """The partner sections of a page. Raises InputError when there is none."""
    html = page.html_title is not None or any(b.kind == "heading" for b in page.blocks)
    chunks: list[list[Block]] = [[]]
    for block in page.blocks:
        if block.kind == "separator":
            chunks.append([])
        else:
            chunks[-1].append(block)
    has_separators = len(chunks) > 1
    found: list[tuple[str, str]] = []
    lead: list[str] = []
    ignored: list[str] = []
    for chunk in chunks:
        sections, chunk_lead, loose = _split_chunk(chunk, html, has_separators, resources)
        (ignored if found else lead).extend(chunk_lead)
        ignored.extend(loose)
        for heading, parts in sections:
            text = "".join(joiner + part for joiner, part in parts).strip()
            found.append((heading, text))
    if html and page.html_title and found and found[0][0] == page.html_title:
        # An <h1> with an introduction of its own is the page's title, not a partner.
        heading, intro = found.pop(0)
        lead.insert(0, heading)
        ignored.append(intro)
    if not found:
        raise InputError(page.source, "no partner section found (a heading line followed by a paragraph)",
                         "check the page's layout against the README")
    if html and page.html_title and page.html_title in lead:
        title = page.html_title
        ignored = [line for line in lead if line != title] + ignored
    else:
        title, rest = _choose_title(lead, resources)
        ignored = rest + ignored
    sections = tuple(Section(page.source, i, heading, text) for i, (heading, text) in enumerate(found, 1))
    return Document(source=page.source, sha256=page.sha256, title=title, sections=sections,
                    ignored=tuple(ignored), encoding=page.encoding)


def parse_heading(heading: str, known_acronyms: frozenset[str] = frozenset()) -> tuple[str, str | None]:
    """A heading's partner name and acronym: ``Nom complet (ACR)`` gives ("Nom complet", "ACR")."""
    match = _TRAILING_PAREN.match(heading)
    if match and match.group("name"):
        name, inner = match.group("name").strip(), match.group("inner").strip()
        if _WEB.search(inner):
            return heading, None
        if is_heading_acronym(inner):
            return name, inner
        if inner in known_acronyms:  # short names written like words: (Frontex), (Europol)
            return name, inner
        if len(inner.split()) >= 3:
            # "Le secrétariat de l'OSCE (Organisation pour la sécurité...)": the acronym is in the name
            found = acronyms_in(name)
            return name, found[-1] if found else None
        return heading, None
    return heading, None


def to_partners(documents: Iterable[Document], resources: Resources) -> tuple[Partner, ...]:
    """One partner per section, with ids that depend on the partner, never on section order."""
    drafts = []
    for doc in documents:
        for section in doc.sections:
            name, acronym = parse_heading(section.heading, resources.gazetteer.acronyms)
            drafts.append((section, name, acronym, slug(short_name(acronym, name))))
    counts: dict[str, int] = {}
    for *_, base in drafts:
        counts[base] = counts.get(base, 0) + 1
    seen: set[str] = set()
    partners = []
    for section, name, acronym, base in drafts:
        pid = base
        if counts[base] > 1:
            # Same slug twice in a run: tell them apart by what they are, not where they stand.
            pid = f"{base}-{sha256(section.source + chr(0) + section.heading + chr(0) + section.text)[:8]}"
            n = 2
            while pid in seen:
                pid = f"{base}-{sha256(section.source + section.text)[:8]}-{n}"
                n += 1
        seen.add(pid)
        partners.append(Partner(
            partner_id=pid, source=section.source, section_index=section.index,
            heading=section.heading, name=name, acronym=acronym, text=section.text,
            text_sha256=sha256(section.text),
        ))
    return tuple(partners)


def read_documents(pages: Iterable[tuple[str, bytes]], resources: Resources) -> tuple[list[Document], list[InputError]]:
    """The documents of the pages (source name, bytes) that can be read, and the errors of those
    that cannot."""
    documents, errors = [], []
    for source, data in pages:
        try:
            page = read_page(source, data)
            if page.repaired:
                log.warning("%s: repaired mis-decoded characters (mojibake)", source)
            documents.append(split(page, resources))
        except InputError as exc:
            errors.append(exc)
    return documents, errors


def set_aside(documents: Iterable[Document]) -> list[Rejected]:
    """The lines of each page that are not in any partner section, with why."""
    out = []
    for doc in documents:
        for i, line in enumerate(doc.ignored, 1):
            reason = ("heading with no paragraph of its own (page furniture or group heading)"
                      if heading_like(line) else "text outside any partner section")
            out.append(Rejected(doc.source, i, line, reason))
    return out
