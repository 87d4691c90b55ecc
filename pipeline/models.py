"""Dataclasses that flow between the stages, from a page's text to the extracted partners.

Everything here is immutable: a stage returns a new object (``dataclasses.replace``) rather than
changing the one it was given, so stages stay pure and can run in any process.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal, get_args

from .text import norm

# --- Vocabularies: the one definition of each code set. The extractors produce these codes, the
# schema allows exactly these, the report names them in French. (Theme codes are data: the
# vocabulary of ``resources/themes.toml``, which analysts extend.)

AgreementType = Literal["memorandum_of_understanding", "cooperation_agreement", "letter_of_intent", "agreement"]
DatePrecision = Literal["day", "month", "year"]
DateRole = Literal["signature", "conclusion", "creation", "start", "event"]
# ("pending": under negotiation or to be signed; it has no date of its own)
AgreementStatus = Literal["signed", "concluded", "mentioned", "pending"]
# Where an organisation was found, most trusted first: in the gazetteer, as an acronym the text
# defines, as a name read from the text, or as an acronym known from neither (reported so that the
# gazetteer can grow).
OrganisationSource = Literal["gazetteer", "defined", "text", "unknown"]
# What happened between a previous run and this one (``diff``, a run given ``--previous``), and to what.
ChangeKind = Literal["added", "removed", "renamed", "redated", "changed"]
ChangeField = Literal["partner", "partner_id", "heading", "text", "agreement", "date", "organisation", "theme"]

AGREEMENT_TYPES: tuple[AgreementType, ...] = get_args(AgreementType)
DATE_PRECISIONS: tuple[DatePrecision, ...] = get_args(DatePrecision)
DATE_ROLES: tuple[DateRole, ...] = get_args(DateRole)
AGREEMENT_STATUSES: tuple[AgreementStatus, ...] = get_args(AgreementStatus)
ORGANISATION_SOURCES: tuple[OrganisationSource, ...] = get_args(OrganisationSource)
CHANGE_KINDS: tuple[ChangeKind, ...] = get_args(ChangeKind)
CHANGE_FIELDS: tuple[ChangeField, ...] = get_args(ChangeField)
# What a row of a page's history follows across its versions (``pipeline history``).
HistoryItem = Literal["partner", "agreement"]
HISTORY_ITEMS: tuple[HistoryItem, ...] = get_args(HistoryItem)
# How many characters of an ISO 8601 date each precision keeps: 1998-05-13, 1998-05, 1998.
ISO_LENGTH: dict[DatePrecision, int] = {"day": 10, "month": 7, "year": 4}
# An ISO 8601 date at any of those precisions, as every date of the outputs is written.
PARTIAL_DATE = r"\d{4}(-\d{2}(-\d{2})?)?"

# How the report names each code for a French reader (tests/test_models.py checks that every code
# has its label).
FRENCH_LABELS: dict[str, dict[str, str]] = {
    "agreement_type": {"memorandum_of_understanding": "Protocole d’accord",
                       "cooperation_agreement": "Accord de coopération",
                       "letter_of_intent": "Lettre d’intention", "agreement": "Accord"},
    "date_precision": {"day": "jour", "month": "mois", "year": "année"},
    "date_role": {"signature": "signature", "conclusion": "conclusion", "creation": "création", "start": "début",
                  "event": "événement"},
    "agreement_status": {"signed": "signé", "concluded": "conclu", "mentioned": "mentionné",
                         "pending": "en négociation"},
    # How an organisation was found, from the most to the least certain.
    "organisation_source": {"gazetteer": "répertoire", "defined": "sigle défini dans le texte",
                            "text": "forme du nom", "unknown": "sigle seul"},
    "change_kind": {"added": "ajouté", "removed": "retiré", "renamed": "renommé", "redated": "re-daté",
                    "changed": "modifié"},
    "change_field": {"partner": "partenaire", "partner_id": "identifiant", "heading": "titre", "text": "texte",
                     "agreement": "accord", "date": "date", "organisation": "organisation", "theme": "thème"},
}

# --- The gold file (SPEC.md, "The gold file"): what it keeps of a partner and of each item, in this
# order, and the mark of a drafted partner or item that no person has reviewed yet (``gold draft``
# writes it on everything, the review page removes it from what a reviewer accepts, corrects or adds,
# and ``evaluate`` refuses a gold that still holds one).
GOLD_REVIEW = "review"


def marked_for_review(item: dict) -> bool:
    """An item (or partner) of a gold file still marked for review: ``"review"`` with any value but
    false or null, so that a hand-written ``"true"`` is never taken for a cleared mark. The one rule
    of ``evaluate``'s refusal, ``gold draft``'s count and the review page."""
    return item.get(GOLD_REVIEW) not in (None, False)
GOLD_PARTNER_KEYS = ("section_index", "heading", "name", "acronym", "published")
GOLD_ITEM_KEYS: dict[str, tuple[str, ...]] = {
    "organisations": ("name", "acronym"),
    "agreements": ("type", "date", "parties"),
    "dates": ("text", "value", "precision"),
    "themes": ("code",),
}



def short_name(acronym: str | None, name: str) -> str:
    """How a body or a partner is named in lists (agreement parties, partners.csv, ids): its acronym,
    else its name."""
    return acronym or name


@dataclass(frozen=True, slots=True)
class Link:
    """A link of an HTML or Markdown page: its text (kept in the section's text) and its target."""

    text: str
    url: str


@dataclass(frozen=True, slots=True)
class Block:
    """One unit of a page as read: a heading, a paragraph line, or a separator."""

    # "heading" (marked as one by HTML or Markdown), "line", "row" (of a table), "header_row" (a table's
    # header), "separator", "blank", "furniture" (marked as page furniture by HTML: nav, footer…)
    kind: str
    text: str
    indent: int = 0  # leading spaces/tabs of a plain-text line (tabs count as 4)
    bullet: bool = False  # the line started with a bullet mark (or is a list item)
    reason: str = ""  # why a "furniture" block is not content
    links: tuple[Link, ...] = ()  # the links of the block, as written
    lead: int = 0  # length of the bold words the line starts with, when more text follows them


@dataclass(frozen=True)
class RawPage:
    """A page's bytes as its source gave them, before decoding: a file, a page fetched by its URL, a
    capture in a WARC file, the text of a PDF."""

    source: str  # its name in the outputs: the file name (see stages.reading.source_names), or the URL
    data: bytes
    path: str | None = None  # where it was read from (a file, a WARC file, the URL): provenance
    captured: str | None = None  # when it was fetched, ISO 8601 in UTC ("2026-12-01T21:25:17Z"), for a capture
    charset: str | None = None  # the charset its HTTP response declared, tried first
    kind: str | None = None  # "html", "markdown" or "text" when the source says (Content-Type, a PDF's text);
    #                          else the page's name and bytes tell


@dataclass(frozen=True)
class Page:
    """A decoded page: its blocks in reading order, ready for splitting."""

    source: str
    sha256: str
    blocks: tuple[Block, ...]
    html_title: str | None = None  # the title the markup gives: an HTML <h1> (or <title>), a Markdown "#"
    encoding: str = "utf-8"
    repaired: bool = False  # text was repaired (mojibake) while decoding
    markup: str = "text"  # "text", "html" or "markdown": whether the markup marks the headings


@dataclass(frozen=True, slots=True)
class Section:
    """A partner section as split from a page, before any extraction."""

    source: str
    index: int  # 1-based position in its document
    heading: str
    text: str
    published_text: str | None = None  # the item's date line or dateline, as written
    links: tuple[Link, ...] = ()  # the links of its heading and text, in page order
    group: str | None = None  # the page's group heading over it ("Organisations internationales"), if any


@dataclass(frozen=True, slots=True)
class SetAside:
    """The lines of a page in no partner section, nor its title, each with why, in page order:
    iterates as (line, why) pairs. Held as the lines and one small number per line naming its reason
    among a few, not as a pair per line: a page of a million short lines holds megabytes, not a
    gigabyte."""

    lines: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()  # the distinct reasons
    codes: bytes = b""  # per line, the index of its reason in ``reasons`` (2 bytes, little-endian)

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> SetAside:
        lines, codes, index = [], bytearray(), {}
        for line, why in pairs:
            lines.append(line)
            codes += index.setdefault(why, len(index)).to_bytes(2, "little")
        return cls(tuple(lines), tuple(index), bytes(codes))

    def __len__(self) -> int:
        return len(self.lines)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        reasons, codes = self.reasons, self.codes
        for i, line in enumerate(self.lines):
            yield line, reasons[int.from_bytes(codes[2 * i:2 * i + 2], "little")]


@dataclass(frozen=True)
class Document:
    source: str
    sha256: str
    title: str | None
    sections: tuple[Section, ...]
    ignored: SetAside = SetAside()
    encoding: str = "utf-8"
    path: str | None = None  # where the page was read from (provenance; ``source`` is its name)
    captured: str | None = None  # when it was fetched, for a page fetched by its URL or read from a WARC capture

    def set_aside(self) -> Iterator[Rejected]:
        """Its lines in no partner section, as rows of rejected.csv (made as they are read)."""
        for i, (line, reason) in enumerate(self.ignored, 1):
            yield Rejected(self.source, i, line, reason)


@dataclass(frozen=True, slots=True)
class Mention:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Organisation:
    name: str
    acronym: str | None
    mentions: tuple[Mention, ...]
    source: OrganisationSource = "text"

    def short_name(self) -> str:
        return short_name(self.acronym, self.name)


@dataclass(frozen=True)
class DateMention:
    text: str
    value: str  # ISO 8601 prefix at the written precision
    precision: DatePrecision
    role: DateRole
    start: int
    end: int


@dataclass(frozen=True)
class Agreement:
    type: AgreementType
    label: str
    parties: tuple[str, ...]
    date: str | None
    date_precision: DatePrecision | None
    date_text: str | None
    status: AgreementStatus
    evidence: str
    start: int
    end: int


@dataclass(frozen=True)
class Theme:
    code: str
    label: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Partner:
    partner_id: str
    source: str
    section_index: int
    heading: str
    name: str
    acronym: str | None
    text: str
    text_sha256: str
    organisations: tuple[Organisation, ...] = field(default=())
    agreements: tuple[Agreement, ...] = field(default=())
    dates: tuple[DateMention, ...] = field(default=())
    themes: tuple[Theme, ...] = field(default=())
    published_text: str | None = None  # a news item's date line, a press release's dateline
    published: str | None = None  # its date, ISO 8601 at the precision written
    links: tuple[Link, ...] = ()  # the links of its heading and text (HTML, Markdown): where it came from
    group: str | None = None  # the page's group heading over its section, if any
    captured: str | None = None  # when its page was fetched (a page read by its URL or from a capture)

    def short_name(self) -> str:
        return short_name(self.acronym, self.name)

    def organisation(self) -> Organisation | None:
        """The organisation row that is this partner (see ``partner_organisation``)."""
        return partner_organisation(self, self.organisations)


def partner_organisation(partner: Partner, orgs: Iterable[Organisation]) -> Organisation | None:
    """The organisation a partner's heading names, among those its section mentions: the one with the
    heading's acronym, else the one named as the heading names it ("Europol", "INTERPOL", "Secrétariat
    de la CITES" mentioned as such). None for a heading that names no body the section mentions (a
    country, a headline, a group of bodies)."""
    orgs = tuple(orgs)
    for org in orgs:
        if partner.acronym and org.acronym == partner.acronym:
            return org
    name = norm(partner.name)
    for org in orgs:
        if norm(org.name) == name or any(_names_last(norm(m.text), name) for m in org.mentions):
            return org
    return None


def _names_last(mention: str, name: str) -> bool:
    """The mention ends with the whole name ("le Secrétariat de la CITES" for "CITES"), not with the
    end of a longer word ("Papouasie-Nouvelle-Guinée" does not name "Guinée")."""
    return mention == name or mention.endswith(name) and mention[-len(name) - 1] in " '’"


@dataclass(frozen=True, slots=True)
class Rejected:
    """Text read from a page that is not in the partners: set aside, with the reason why."""

    source: str
    position: int  # 1-based: the section's index, or the line's order among the set-aside lines
    text: str
    reason: str


@dataclass(frozen=True)
class RunResult:
    documents: tuple[Document, ...]
    partners: tuple[Partner, ...]
    failed: tuple[Rejected, ...] = ()  # sections whose extraction failed

    @property
    def rejected(self) -> tuple[Rejected, ...]:
        """Every row of rejected.csv: the failed sections, then each page's lines set aside."""
        return (*self.failed, *(r for d in self.documents for r in d.set_aside()))


@dataclass(frozen=True)
class Changes:
    """What changed since a previous run, as the outputs write it beside the run: made by ``tools.diff``
    once the whole run is known, written by the outputs (the workbook's changes sheet, the report's
    changes section, ``changes_since_previous.json``)."""

    previous: str  # the previous run, as it was named
    fields: tuple[tuple[str, str], ...]  # the rows' columns in order, each with its description
    rows: tuple[dict, ...]  # one per change, keyed by the fields' names
    json: bytes  # the content of changes_since_previous.json


@dataclass(frozen=True)
class History:
    """How pages changed over their versions, as the outputs write it beside the run on each page's
    latest version (``pipeline history``): made by ``tools.history``, written by the outputs
    (``history.csv`` and ``versions.csv`` with their sheets, the report's timeline, ``history.json``)."""

    versions: tuple[dict, ...]  # the rows of versions.csv: one per version of each page
    rows: tuple[dict, ...]  # the rows of history.csv: one per partner and per agreement
    data: dict  # the whole history, as history.json holds it (what the report's timeline is drawn from)
    json: bytes  # the content of history.json
