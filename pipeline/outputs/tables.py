"""The CSV views' columns, defined once: each table's fields in column order, with their types,
descriptions and constraints. The writers take their column order from here, the schema
(``schema.py``) its Table Schemas, the workbook its README sheet.
"""

from __future__ import annotations

from .. import models
from ..models import (
    AGREEMENT_STATUSES,
    AGREEMENT_TYPES,
    CHANGE_KINDS,
    DATE_PRECISIONS,
    DATE_ROLES,
    HISTORY_ITEMS,
    ORGANISATION_SOURCES,
)

PARTIAL_DATE = rf"^{models.PARTIAL_DATE}$"
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SHA256 = r"^[0-9a-f]{64}$"
CAPTURE_TIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"
CAPTURED = rf"^{CAPTURE_TIME}$"
# When a version of a page was seen: its capture's time, or the date its file's name gives.
VERSION_DATE = rf"^({CAPTURE_TIME}|{models.PARTIAL_DATE})$"
# A compact list of version numbers: "1-3; 5".
VERSION_LIST = r"^\d+(-\d+)?(; \d+(-\d+)?)*$"
# Stands for the theme codes of the configuration's vocabulary in the static table definitions.
THEME_CODES = "<theme codes>"
# Stands between two sentences of an evidence that are not next to each other in the text.
EVIDENCE_GAP = " […] "


def _one_of(codes) -> str:
    """"day, month or year"."""
    return ", ".join(codes[:-1]) + " or " + codes[-1]


def _f(name, type_="string", description="", required=False, **constraints):
    field = {"name": name, "type": type_, "description": description}
    if required:
        constraints["required"] = True
    if constraints:
        field["constraints"] = constraints
    return field


_KEYS = [
    _f("source", description="The input page: its file name (with its folders where two pages share one), "
                             "or the name given with --source-name", required=True),
    _f("partner_id", description="Stable slug of the partner (acronym, else name)", required=True, pattern=SLUG),
]


def _offsets(what):
    return [
        _f("start", "integer", f"Offset of the first character of the {what} in the partner's text", minimum=0),
        _f("end", "integer", f"Offset just after the {what} in the partner's text", minimum=0),
    ]


# Every CSV view's fields, in column order: the one definition of the tables' columns (keys first,
# then the item's fields in the order of SPEC.md).
TABLES: dict[str, list[dict]] = {
    "partners.csv": _KEYS + [
        _f("section_index", "integer", "1-based position of the section in its page", required=True, minimum=1),
        _f("heading", description="The section's heading as written", required=True),
        _f("name", description="The heading without its acronym", required=True),
        _f("acronym", description="The acronym in the heading's parentheses, if any"),
        _f("published", description="The item's date of publication (ISO 8601 at the precision written): a "
                                    "news item's date line, a press release's dateline; empty elsewhere"),
        _f("published_text", description="The date line or dateline it is read from, as written"),
        _f("n_organisations", "integer", "Number of organisations mentioned", required=True, minimum=0),
        _f("n_agreements", "integer", "Number of agreements", required=True, minimum=0),
        _f("n_dates", "integer", "Number of date mentions", required=True, minimum=0),
        _f("n_themes", "integer", "Number of themes", required=True, minimum=0),
        _f("organisations", description="Organisations (acronym, else name), joined with '; '"),
        _f("agreement_types", description="Agreement types, joined with '; '"),
        _f("themes", description="Theme codes, joined with '; '"),
        _f("text_sha256", description="SHA-256 of the section's text", required=True, pattern=SHA256),
        _f("text", description="The section's text; every offset points into it", required=True),
        # (last, so that the columns before them keep their places)
        _f("organisation", description="The canonical name of the organisation the partner is (its row in "
                                       "organisations.csv has is_partner true); empty when the heading names "
                                       "no body the section mentions (a country, a headline)"),
        _f("organisation_acronym", description="That organisation's canonical acronym, if any"),
        _f("group", description="The page's group heading over the partner (\"Organisations internationales\"), "
                                "if any"),
        _f("captured", description="When its page was fetched (UTC, ISO 8601), for a page read by its URL or "
                                   "from a web capture; empty for a page file", pattern=CAPTURED),
    ],
    "organisations.csv": _KEYS + [
        _f("name", description="Canonical full name", required=True),
        _f("acronym", description="Canonical acronym, if any"),
        _f("n_mentions", "integer", "Number of mentions in the section", required=True, minimum=1),
        _f("mentions", description="The mentions as written, joined with '; '", required=True),
        *_offsets("first mention"),
        # (last, so that the columns before it keep their places; "source" in partners.json)
        _f("found_by", description="How it was found, most certain first: the gazetteer, an acronym defined in "
           "the text, the shape of its name, an acronym alone", required=True, enum=list(ORGANISATION_SOURCES)),
        _f("is_partner", "boolean", "The organisation is the partner itself (the body its heading names)",
           required=True),
    ],
    "agreements.csv": _KEYS + [
        _f("type", description="Type of instrument", required=True, enum=list(AGREEMENT_TYPES)),
        _f("label", description="The instrument's name as written", required=True),
        _f("parties", description="Parties (acronym, else name), joined with '; '"),
        _f("date", description="ISO 8601 date at the precision written", pattern=PARTIAL_DATE),
        _f("date_precision", description="Precision of the date", enum=list(DATE_PRECISIONS)),
        _f("date_text", description="The date as written"),
        _f("status", description="What the text says happened to it", required=True, enum=list(AGREEMENT_STATUSES)),
        _f("evidence", description="The sentence that names it", required=True),
        *_offsets("label"),
    ],
    # One row per agreement, for the question analysts ask first (who signed what, when): the partner by
    # its canonical name, the other parties, a year to filter on, and evidence in which the date stands.
    "agreement_list.csv": _KEYS + [
        _f("partner", description="The partner: the canonical name of the body its heading names (the "
                                  "gazetteer's, when it knows the body), else the heading's name", required=True),
        _f("partner_acronym", description="The partner's acronym, if any"),
        _f("counterparts", description="The parties other than the partner (acronym, else name), joined with '; '"),
        _f("type", description="Type of instrument", required=True, enum=list(AGREEMENT_TYPES)),
        _f("label", description="The instrument's name as written", required=True),
        _f("date", description="ISO 8601 date at the precision written", pattern=PARTIAL_DATE),
        _f("year", "integer", "The date's year, as a number; empty when undated", minimum=0),
        _f("status", description="What the text says happened to it", required=True, enum=list(AGREEMENT_STATUSES)),
        _f("evidence", description="The sentence that names it; when its date is written in another sentence, "
                                   f"that sentence too (joined by '{EVIDENCE_GAP.strip()}' where text lies "
                                   "between them)", required=True),
        *_offsets("label"),
    ],
    "dates.csv": _KEYS + [
        _f("text", description="The date as written", required=True),
        _f("value", description="ISO 8601 date at the precision written (never filled in)", required=True,
           pattern=PARTIAL_DATE),
        _f("precision", description=_one_of(DATE_PRECISIONS), required=True, enum=list(DATE_PRECISIONS)),
        _f("role", description="What the date dates", required=True, enum=list(DATE_ROLES)),
        *_offsets("date"),
    ],
    "themes.csv": _KEYS + [
        _f("code", description="Theme code from the controlled vocabulary", required=True, enum=THEME_CODES),
        _f("label", description="Theme label", required=True),
        _f("evidence", description="Cue phrases found, as written, joined with '; '", required=True),
    ],
    "rejected.csv": [
        _f("source", description="The input page", required=True),
        _f("position", "integer", "The section's index, or the line's order among the lines set aside",
           required=True, minimum=1),
        _f("reason", description="Why it is not among the partners", required=True),
        _f("text", description="The text as read", required=True),
    ],
}
COLUMNS: dict[str, tuple[str, ...]] = {name: tuple(f["name"] for f in fields) for name, fields in TABLES.items()}

# The tables of ``pipeline history``, written beside the run on each page's latest version (and
# described in the same datapackage.json): one row per partner and per agreement followed across the
# versions, and one row per version.
_PAGE = _f("page", description="The page followed: its URL (captures), or its file name without the date "
                               "(dated files)", required=True)
_WHEN = "when it was seen: its capture's time (UTC), or the date its file's name gives"
HISTORY_TABLES: dict[str, list[dict]] = {
    "history.csv": [
        _PAGE,
        _f("item", description="What the row follows: " + _one_of(HISTORY_ITEMS), required=True,
           enum=list(HISTORY_ITEMS)),
        _f("partner_id", description="The partner's id in the last version it was seen in", required=True,
           pattern=SLUG),
        _f("partner", description="The partner's heading in the last version it was seen in", required=True),
        _f("type", description="The agreement's type (agreement rows)", enum=list(AGREEMENT_TYPES)),
        _f("parties", description="The agreement's parties (acronym, else name), joined with '; ', as last seen"),
        _f("date", description="The agreement's date as last seen (ISO 8601 at the precision written)",
           pattern=PARTIAL_DATE),
        _f("first_seen", description=f"The first version holding it: {_WHEN}", required=True, pattern=VERSION_DATE),
        _f("last_seen", description="The last version holding it", required=True, pattern=VERSION_DATE),
        _f("versions", description="The versions holding it, by number (versions.csv): '1-3; 5' is 1, 2, 3 and 5",
           required=True, pattern=VERSION_LIST),
        _f("n_versions", "integer", "How many versions hold it", required=True, minimum=1),
        _f("in_latest", "boolean", "The page's latest version holds it", required=True),
        _f("former_names", description="The partner's earlier headings, oldest first, joined with '; ' (renamed)"),
        _f("changes", description="What happened to it, version by version, joined with '; ': "
                                  + ", ".join(k for k in CHANGE_KINDS if k != "changed")
                                  + " (added again after a gap; an agreement renamed with its partner)"),
    ],
    "versions.csv": [
        _PAGE,
        _f("version", "integer", "The version's number, 1 for the oldest", required=True, minimum=1),
        _f("seen", description=f"When this version was seen: {_WHEN}", required=True, pattern=VERSION_DATE),
        _f("path", description="Where it was read: the file, or FILE#OFFSET of its capture in a WARC file",
           required=True),
        _f("sha256", description="SHA-256 of the version's bytes", required=True, pattern=SHA256),
        _f("partners", "integer", "Partners in this version", required=True, minimum=0),
        _f("agreements", "integer", "Agreements in this version", required=True, minimum=0),
        _f("failed", "integer", "Sections of this version whose extraction failed (their partners are missing "
                                "from it)", required=True, minimum=0),
        *[_f(f"{what}_{kind}", "integer", f"{what.capitalize()} {kind} since the version before", required=True,
             minimum=0)
          for what, kinds in (("partners", ("added", "removed", "renamed")),
                              ("agreements", ("added", "removed", "redated")))
          for kind in kinds],
    ],
}
HISTORY_COLUMNS: dict[str, tuple[str, ...]] = {name: tuple(f["name"] for f in fields)
                                               for name, fields in HISTORY_TABLES.items()}
