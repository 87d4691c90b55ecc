"""Splits a read page into partner sections and gives each partner its name, acronym and id.

One algorithm serves every layout: a partner section is a heading followed by at least one
paragraph. ``layout`` first gives every line its role from the evidence of the whole page (furniture,
page numbers, running headers, table rows, date lines); then a line is a heading when the markup
marks it (HTML, Markdown) or, in plain text, when its shape says so (short, no final full stop, not in
lower case) and nothing around it says otherwise: it is not continued in lower case on the next line,
does not follow an unfinished sentence, does not end on a word no heading ends with, is not as long
as the lines of a hard-wrapped page, is not one of a run of numbered list items. A date line under a
title (or right over it) is the item's date of publication, as is a press release's dateline.
Lines before the first partner that have no paragraph of their own are the page's title and group
headings; every line in no section is set aside with why.
"""

from __future__ import annotations

import heapq
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from wordfreq import zipf_frequency

from ..errors import InputError
from ..models import Document, Link, Page, Partner, RawPage, Section, SetAside, short_name
from ..resources import Resources
from ..text import acronyms_in, is_heading_acronym, is_short_name, sha256, slug
from .layout import (
    MAX_HEADING_CHARS,
    MAX_HEADING_WORDS,
    PAGE_NUMBER,
    RUNNING_HEADER,
    SENTENCE_END,
    Layout,
    Line,
    heading_like,
)
from .reading import read_page

log = logging.getLogger("pipeline")

# A line this close to the page's wrap width, in a hard-wrapped page, was cut there: it is not a heading.
WRAPPED = 0.85
_TRAILING_PAREN = re.compile(r"^(?P<name>.*?)\s*\((?P<inner>[^()]+)\)\s*$")
_WEB = re.compile(r"(www\.|https?:|\.(org|int|com|net|eu|fr)\b|@)", re.I)
# "1. Union africaine (UA)", "2) …", "IV. …", "1.2 …": the number of a numbered heading or list item.
_NUMBER = re.compile(r"^(?P<n>\d{1,3})(?:[.)]|(?:\.\d{1,3})+\.?)\s+(?=\S)|^(?P<roman>[IVXLC]{1,6})[.)]\s+(?=\S)")
MAX_WORD = 64
_LEAD_SEPARATOR = re.compile(r"^[–—-]\s*|^\.\s+")
_HYPHENATED = re.compile(r"(?P<head>[^\W\d_]+)-$")
_WORD_START = re.compile(r"^(?P<tail>[^\W\d_]+)")
_ARTICLE = re.compile(r"^(l['’]\s*|la\s+|le\s+|les\s+|du\s+|des\s+|de\s+la\s+|de\s+l['’]\s*|de\s+|d['’]\s*)", re.I)


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    kind: str  # "line", "heading" (marked by the markup), "row" or "date"
    heading: bool  # could be a heading
    starts_paragraph: bool  # a blank line, bullet or indent comes before it
    after_blank: bool
    at: int
    links: tuple[Link, ...] = ()


@dataclass
class _Draft:
    heading: str
    parts: list[tuple[str, str]]  # (joiner, text) of its lines
    published: str | None = None
    listing: bool = False  # its last line is an item of a numbered list: the next line starts a new one
    links: list[Link] = field(default_factory=list)
    at: int = -1  # position of its heading in the page


def _headline_like(text: str) -> bool:
    """A news item's title may end with "!" or "?", never with a full stop."""
    return (len(text) <= MAX_HEADING_CHARS and len(text.split()) <= MAX_HEADING_WORDS
            and not text.endswith((".", ";", ":", ",")) and not text[0].islower())


class _Splitter:
    """The sections of one page; lines set aside are kept with why, in page order."""

    def __init__(self, page: Page, layout: Layout, lines: list[Line]) -> None:
        self.layout = layout
        self.lines = lines
        self.markup = page.markup != "text"
        self.aside: list[Line] = []  # the lines the layout set aside, in page order
        self._words: frozenset[str] | None = None
        self.width: float | None = None  # the wrap width of the chunk being split, if it is hard-wrapped

    def chunks(self) -> list[list[Line]]:
        chunks: list[list[Line]] = [[]]
        for line in self.lines:
            if line.kind == "separator":
                chunks.append([])
            elif line.kind == "aside":
                self.aside.append(line)
                chunks[-1].append(line)  # kept in place: a page break inside a paragraph does not end it
            else:
                chunks[-1].append(line)
        return chunks

    def split(self, explicit: bool) -> tuple[list[_Draft], list[tuple[int, str]], list[tuple[int, str]]]:
        """Drafts of the sections, the lines before the first one and the lines between them."""
        chunks = self.chunks()
        forced = len(chunks) > 1
        drafts: list[_Draft] = []
        lead: list[tuple[int, str]] = []
        loose: list[tuple[int, str]] = []
        for chunk in chunks:
            found, chunk_lead, chunk_loose = self._split_chunk(chunk, explicit, forced)
            (loose if drafts else lead).extend(chunk_lead)
            loose.extend(chunk_loose)
            drafts.extend(found)
        return drafts, lead, loose

    def _lines(self, blocks: list[Line], explicit: bool) -> list[_Line]:
        """The chunk's lines with what their shape says."""
        out: list[_Line] = []
        blank = True
        prev_indent = 0
        broken = False  # page furniture stands between this line and the previous one
        for block in blocks:
            if block.kind == "blank":
                blank = True
                continue
            if block.kind == "aside":
                broken = broken or block.reason in (PAGE_NUMBER, RUNNING_HEADER)
                continue
            marked = block.kind == "heading"
            if broken and out and not out[-1].text.endswith(SENTENCE_END) and out[-1].kind == "line":
                blank = False  # an unfinished paragraph goes on after a page break
            broken = False
            # In HTML and Markdown a line of its own was broken there (<br>, <pre>): it starts a new line.
            starts = blank or block.bullet or block.indent != prev_indent or marked or not out or self.markup
            # Where the markup marks headings, it says which lines are; in plain text the shape does.
            heading = marked if explicit else block.kind in ("line", "heading") and heading_like(block.text)
            kind = "line" if block.kind == "heading" and not explicit else block.kind
            out.append(_Line(block.text, kind, heading, starts, blank, block.at, block.links))
            blank = marked
            prev_indent = block.indent
        return out

    def _mark_headings(self, lines: list[_Line], explicit: bool) -> list[bool]:
        """Which lines are headings, once wrapped paragraphs, list items and dated titles are known."""
        marks = [line.heading for line in lines]
        if explicit:
            return marks
        width = self.width
        for i, line in enumerate(lines):
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            if line.kind == "line" and not marks[i] and nxt is not None and nxt.kind == "date":
                marks[i] = _headline_like(line.text)  # a title over its date line
            if not marks[i]:
                continue
            prev = lines[i - 1] if i > 0 else None
            # A line wrapped inside a paragraph: continued in lower case on the next line, or following
            # a line that has not finished its sentence, or ending on a word no heading ends with, or,
            # right under a heading, as long as the lines the page is wrapped at.
            continued = nxt is not None and not nxt.starts_paragraph and nxt.text[:1].islower()
            unfinished = (prev is not None and not line.starts_paragraph and not prev.heading
                          and prev.kind == "line" and not prev.text.rstrip().endswith(SENTENCE_END))
            cut = (width is not None and nxt is not None and not nxt.after_blank and prev is not None
                   and prev.heading and not line.starts_paragraph
                   and len(line.text) >= WRAPPED * width and not line.text.endswith(")"))
            listed = _in_numbered_list(lines, i)
            if continued or unfinished or cut or listed or self.layout.ends_mid_phrase(line.text):
                marks[i] = False
        return marks

    def _split_chunk(self, blocks: list[Line], explicit: bool, forced: bool):
        """Sections of one chunk, plus the lines that are not in any section."""
        if self.markup and not explicit:
            blocks = _lead_ins(blocks)
        lines = self._lines(blocks, explicit)
        self.width = None if explicit else self.layout.wrap_width([(ln.kind, ln.text) for ln in lines])
        marks = self._mark_headings(lines, explicit)
        drafts: list[_Draft] = []
        lead: list[tuple[int, str]] = []
        loose: list[tuple[int, str]] = []
        current: _Draft | None = None
        over: _Line | None = None  # a date line right over a title: that item's date
        i = 0
        while i < len(lines):
            line = lines[i]
            if marks[i]:
                nxt = i + 1
                while nxt < len(lines) and lines[nxt].kind == "date":
                    nxt += 1
                if nxt < len(lines) and not marks[nxt]:
                    dated = lines[i + 1] if nxt > i + 1 else over
                    current = _Draft(line.text, [], dated.text if dated is not None else None, links=list(line.links),
                                     at=line.at)
                    drafts.append(current)
                    if over is not None and dated is not over:
                        self._add_or_set_aside(drafts, lead, loose, over)
                    over = None
                    # The date line under the title is the item's; any more are its text.
                    i = i + 2 if nxt > i + 1 else i + 1
                    continue
                (lead if not drafts else loose).append((line.at, line.text))
                current = None
            elif line.kind == "date" and i + 1 < len(lines) and marks[i + 1] and over is None:
                over = line
            elif current is None:
                (lead if not drafts else loose).append((line.at, line.text))
            else:
                self._add(current, line)
            if over is not None and over is not line:
                self._add_or_set_aside(drafts, lead, loose, over)
                over = None
            i += 1
        if over is not None:
            self._add_or_set_aside(drafts, lead, loose, over)
        if forced and not drafts and len(lines) >= 2:
            drafts = [_Draft(lines[0].text, [("\n", ln.text) for ln in lines[1:]], at=lines[0].at)]
            lead = []
        return drafts, lead, loose

    def _add_or_set_aside(self, drafts, lead, loose, line: _Line) -> None:
        """A date line that dates no item: the text of the section it stands in, if any."""
        if drafts and drafts[-1].parts:
            self._add(drafts[-1], line)
        else:
            (lead if not drafts else loose).append((line.at, line.text))

    def _add(self, draft: _Draft, line: _Line) -> None:
        """A line into a section: a paragraph of its own, or the next line of a wrapped one."""
        text = line.text
        draft.links.extend(line.links)
        if not draft.parts and draft.published is None:
            dateline = self.layout.dateline.match(text)
            if dateline and dateline.end() < len(text):
                # "Genève, le 9 octobre 2017 – …": the release's dateline dates it; its text follows.
                draft.published = text[:dateline.end()].strip()
                text = text[dateline.end():]
        if not draft.parts:
            draft.parts.append(("", text))
            return
        previous = draft.parts[-1][1]
        cut = self.width is not None and len(previous) >= WRAPPED * self.width and line.kind == "line"
        if line.after_blank:
            joiner = "\n\n"
        elif line.kind in ("row", "date") or line.starts_paragraph or draft.listing or (not cut and (
                previous.endswith((".", "!", "?", ":", ";")) and (text[:1].isupper() or _number(text)))):
            # A line that starts a sentence after one that ended one is a paragraph of its own (one
            # line per paragraph, as saved pages often are), unless the page is hard-wrapped and that
            # line was cut at its width; a table row is a line of its own.
            joiner = "\n"
        else:
            joiner = " "
            # Only the line's last word is looked at: a search over a whole long line costs its square.
            hyphen = _HYPHENATED.search(previous[-MAX_WORD:]) if previous.endswith("-") else None
            start = _WORD_START.match(text)
            if hyphen and start:
                # "coopé-" + "ration" is a word cut at the line's end; "Asie-" + "Pacifique" keeps its hyphen.
                joiner = ""
                if text[:1].islower() and self.is_word(hyphen.group("head") + start.group("tail")):
                    draft.parts[-1] = (draft.parts[-1][0], previous[:-1])
        draft.parts.append((joiner, text))
        draft.listing = _number(text) is not None and joiner == "\n"

    def is_word(self, word: str) -> bool:
        """A French word (wordfreq's list), or a word the page writes whole elsewhere."""
        return zipf_frequency(word.casefold(), "fr") > 0 or word in self.page_words()

    def page_words(self) -> frozenset[str]:
        if self._words is None:
            self._words = frozenset(w for ln in self.lines for w in re.findall(r"[^\W\d_]+", ln.text))
        return self._words


def _lead_ins(blocks: list[Line]) -> list[Line]:
    """In markup that marks no heading, a paragraph that starts with bold words shaped like a heading,
    then a dash or a new sentence ("<strong>Union africaine (UA)</strong> – L'UA …"), is that heading
    and its text; bold words before a colon are a label ("**Accord :** …"), never a heading."""
    out: list[Line] = []
    for block in blocks:
        head = block.text[:block.lead].strip()
        rest = block.text[block.lead:].strip()
        separated = _LEAD_SEPARATOR.match(rest)
        body = rest[separated.end():] if separated else rest
        if block.kind == "line" and block.lead and heading_like(head) and not head.endswith(":") \
                and body[:1].isupper() and (separated or head.endswith(")")):
            out += [replace(block, text=head, lead=0, links=()), replace(block, text=body, lead=0)]
        else:
            out.append(block)
    return out


def _number(text: str) -> int | None:
    """The number a numbered heading or list item starts with ("1. …", "2) …"), else None."""
    m = _NUMBER.match(text)
    return int(m.group("n")) if m and m.group("n") else None


def _in_numbered_list(lines: list[_Line], i: int) -> bool:
    """A numbered line next to the line numbered after or before it is a list item, not a heading."""
    def number(j: int) -> int | None:
        return _number(lines[j].text) if 0 <= j < len(lines) else None
    n = number(i)
    return n is not None and (number(i + 1) == n + 1 or number(i - 1) == n - 1)


def _choose_title(lead: list[tuple[int, str]], resources: Resources) -> tuple[str | None, list[tuple[int, str]]]:
    candidates = [line for _, line in lead if heading_like(line)]
    if not candidates:
        return None, lead
    cues = [c.lower() for c in resources.layout.title_cues]
    cued = [c for c in candidates if any(re.search(rf"\b{re.escape(cue)}\b", c.lower()) for cue in cues)]
    title = (cued or candidates)[0]
    return title, [(at, line) for at, line in lead if line != title]


GROUP_HEADING = "group heading (the group of the partners under it)"


def _why(line: str) -> str:
    return ("heading with no paragraph of its own (page furniture or group heading)"
            if heading_like(line) else "text outside any partner section")


def split(page: Page, resources: Resources, layout: Layout | None = None) -> Document:
    """The partner sections of a page. Raises InputError when there is none."""
    layout = layout or Layout(resources)
    explicit = page.markup != "text" and any(b.kind == "heading" for b in page.blocks)
    lines = layout.lines(page)
    splitter, drafts, lead, loose = _drafts(page, layout, lines, explicit)
    if explicit and not drafts:
        # Markup that marks no section's heading (text in divs, <dt>, bold labels over a <br>, only a
        # page title in <h1>): the lines' shape decides, as in plain text.
        splitter, drafts, lead, loose = _drafts(page, layout, lines, False)
    if not drafts:
        raise InputError(page.source, "no partner section found (a heading line followed by a paragraph)",
                         "check the page's layout against the README")
    title = _title(page, resources, lead)
    # Merged in page order as they are stored: no tuple per line of a page set aside line by line.
    loose = sorted(lead + loose, key=lambda item: item[0])
    groups = _groups(lines, loose, drafts)
    ignored = heapq.merge(((line, GROUP_HEADING if at in groups else _why(line), at) for at, line in loose),
                          ((line.text, line.reason, line.at) for line in splitter.aside), key=lambda item: item[2])
    group, sections = None, []
    for i, d in enumerate(drafts, 1):
        group = groups.get(d.at, group)
        sections.append(Section(page.source, i, d.heading, "".join(j + t for j, t in d.parts).strip(), d.published,
                                tuple(d.links), group))
    sections = tuple(sections)
    return Document(source=page.source, sha256=page.sha256, title=title, sections=sections,
                    ignored=SetAside.of((line, why) for line, why, _ in ignored), encoding=page.encoding)


def _groups(lines: list[Line], loose: list[tuple[int, str]], drafts: list[_Draft]) -> dict[int, str]:
    """The group headings of a page ("Organisations internationales" over the partners it groups):
    a heading-shaped line with no paragraph of its own right over a section's heading. Keyed by the
    position of the group heading and of that section's heading (it is the group of the sections from
    there to the next group heading)."""
    starts = {d.at for d in drafts}
    position = {line.at: i for i, line in enumerate(lines)}
    groups: dict[int, str] = {}
    for at, text in loose:
        if at < 0 or not heading_like(text):
            continue
        after = (ln for ln in lines[position[at] + 1:] if ln.kind not in ("blank", "separator", "aside"))
        following = next(after, None)
        if following is not None and following.at in starts:
            groups[at] = groups[following.at] = text
    return groups


def _drafts(page: Page, layout: Layout, lines: list[Line], explicit: bool):
    """The page's section drafts once a page title (an <h1> with an introduction, a report's chapter
    heading over numbered partners) is taken out of them."""
    splitter = _Splitter(page, layout, lines)
    drafts, lead, loose = splitter.split(explicit)
    if len(drafts) >= 3 and not _number(drafts[0].heading) and _number(drafts[1].heading) == 1 \
            and _number(drafts[2].heading) == 2:
        # Partners numbered from 1 under an unnumbered heading: that heading is the page's title and
        # its paragraph an introduction, as a report's chapter opens.
        first = drafts.pop(0)
        lead.append((-1, first.heading))
        loose.extend((-1, text) for _, text in first.parts)
    title_given = page.html_title
    if title_given and drafts and drafts[0].heading == title_given:
        # An <h1> with an introduction of its own is the page's title, not a partner.
        first = drafts.pop(0)
        lead.insert(0, (-1, first.heading))
        loose.extend((-1, text) for _, text in first.parts)
    return splitter, drafts, lead, loose


def _title(page: Page, resources: Resources, lead: list[tuple[int, str]]) -> str | None:
    """The page's title, taken out of ``lead``: the markup's title if it is there, else the first
    heading-shaped line before any section (one with a word of ``title_cues`` first)."""
    title_given = page.html_title
    if title_given and any(line == title_given for _, line in lead):
        title = title_given
    else:
        title, _ = _choose_title(lead, resources)
    if title is not None:
        lead[:] = [(at, line) for at, line in lead if line != title]
    return title


def parse_heading(heading: str, known_acronyms: frozenset[str] = frozenset(),
                  prefixes: tuple[str, ...] = ()) -> tuple[str, str | None]:
    """A heading's partner name and acronym: ``Nom complet (ACR)`` gives ("Nom complet", "ACR").

    The number of a numbered heading is not part of the name (``1. Union africaine (UA)``), nor is a
    prefix such as "À propos de" (``prefixes``, lower case) and the article after it.
    """
    name, acronym = _name_and_acronym(heading, known_acronyms)
    number = _NUMBER.match(name)
    if number and number.end() < len(name):
        name = name[number.end():]
    folded = name.casefold()
    for prefix in prefixes:
        rest = name[len(prefix):]
        if folded.startswith(prefix) and (prefix.endswith(("'", "’")) or rest[:1] == " "):
            rest = _ARTICLE.sub("", rest.lstrip())
            if rest:
                name = rest[0].upper() + rest[1:]
            break
    return name, acronym


def _name_and_acronym(heading: str, known_acronyms: frozenset[str]) -> tuple[str, str | None]:
    if len(heading) > 2 * MAX_HEADING_CHARS:
        return heading, None  # no name ends in an acronym so far away (and the pattern costs its square)
    match = _TRAILING_PAREN.match(heading)
    if match and match.group("name"):
        name, inner = match.group("name").strip(), match.group("inner").strip()
        if _WEB.search(inner):
            return heading, None
        if is_heading_acronym(inner):
            return name, inner
        if inner in known_acronyms or is_short_name(inner) and " " in name:
            return name, inner  # short names written like words: (Frontex), (Europol), (Enabel), (GrenAd)
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
            name, acronym = parse_heading(section.heading, resources.gazetteer.acronyms,
                                          resources.layout.heading_prefixes)
            drafts.append((section, doc.captured, name, acronym, slug(short_name(acronym, name))))
    counts: dict[str, int] = {}
    for *_, base in drafts:
        counts[base] = counts.get(base, 0) + 1
    seen: set[str] = set()
    partners = []
    for section, captured, name, acronym, base in drafts:
        pid = base
        if counts[base] > 1:
            # Same slug twice in a run: tell them apart by what they are, not where they stand (the
            # page's file name, not the path as typed: "page.txt" and "/abs/page.txt" give one id).
            page = section.source.replace("\\", "/").rsplit("/", 1)[-1]
            pid = f"{base}-{sha256(page + chr(0) + section.heading + chr(0) + section.text)[:8]}"
            n = 2
            while pid in seen:
                pid = f"{base}-{sha256(page + section.text)[:8]}-{n}"
                n += 1
        seen.add(pid)
        partners.append(Partner(
            partner_id=pid, source=section.source, section_index=section.index,
            heading=section.heading, name=name, acronym=acronym, text=section.text,
            text_sha256=sha256(section.text), published_text=section.published_text, links=section.links,
            group=section.group, captured=captured,
        ))
    return tuple(partners)


def read_documents(pages: Iterable[RawPage], resources: Resources) -> tuple[list[Document], list[InputError]]:
    """The documents of the pages that can be read, and the errors of those that cannot (each named
    by where it was read from, so that the user can find it)."""
    documents, errors = [], []
    layout = Layout(resources)
    for raw in pages:
        try:
            page = read_page(raw.source, raw.data, resources, charset=raw.charset, kind=raw.kind)
            if page.repaired:
                log.warning("%s: repaired mis-decoded characters (mojibake)", raw.path or raw.source)
            documents.append(replace(split(page, resources, layout), path=raw.path, captured=raw.captured))
        except InputError as exc:
            errors.append(type(exc)(raw.path or exc.source, exc.problem, exc.hint) if exc.source == raw.source
                          else exc)
    return documents, errors
