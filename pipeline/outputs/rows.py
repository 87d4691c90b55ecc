"""A run's results as data: the content of ``partners.json`` and the rows of every CSV view.

One mapping from the models to what is written, shared by every format: the JSON writer, the CSV and
XLSX writers (rows keyed by the columns of ``tables.TABLES``), the report and the schema's checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import msgspec

from .. import __version__
from ..config import Config
from ..models import Document, Partner, Rejected, RunResult
from ..text import FORMULA_START
from .agreement_list import dated_evidence, identify
from .tables import COLUMNS

SCHEMA_VERSION = "1.0"
GENERATOR = "omd-partners-pipeline"
LIST_SEP = "; "


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def pretty(value) -> bytes:
    """JSON indented by two spaces, characters as written: the bytes ``json.dumps(value, indent=2,
    ensure_ascii=False)`` gives, at a fraction of its cost."""
    return msgspec.json.format(msgspec.json.encode(value), indent=2)


def head_data(documents: Sequence[Document], config: Config) -> dict:
    """The part of partners.json that comes before the partners."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": GENERATOR, "version": __version__, "spacy_model": config.model_label},
        "documents": [
            {"source": d.source, "path": d.path, "captured": d.captured, "sha256": d.sha256, "title": d.title,
             "n_sections": len(d.sections), "encoding": d.encoding, "ignored_lines": [line for line, _ in d.ignored]}
            for d in documents
        ],
    }


def to_data(result: RunResult, config: Config) -> dict:
    """The content of partners.json, as plain data."""
    return {**head_data(result.documents, config), "partners": [partner_data(p) for p in result.partners],
            "rejected": [rejected_data(r) for r in result.rejected]}


def to_json(result: RunResult, config: Config) -> str:
    return pretty(to_data(result, config)).decode("utf-8") + "\n"


def _mentions(mentions) -> list[dict]:
    return [{"text": m.text, "start": m.start, "end": m.end} for m in mentions]


def partner_data(p: Partner) -> dict:
    """A partner's entry in partners.json, keys in the order of SPEC.md (and those added since after them)."""
    itself = p.organisation()
    return {
        "partner_id": p.partner_id, "source": p.source, "section_index": p.section_index, "heading": p.heading,
        "name": p.name, "acronym": p.acronym, "published": p.published, "published_text": p.published_text,
        "text": p.text, "text_sha256": p.text_sha256,
        "organisations": [{"name": o.name, "acronym": o.acronym, "mentions": _mentions(o.mentions),
                           "is_partner": o is itself}
                          for o in p.organisations],
        "agreements": [{"type": a.type, "label": a.label, "parties": list(a.parties), "date": a.date,
                        "date_precision": a.date_precision, "date_text": a.date_text, "status": a.status,
                        "evidence": a.evidence, "start": a.start, "end": a.end} for a in p.agreements],
        "dates": [{"text": d.text, "value": d.value, "precision": d.precision, "role": d.role, "start": d.start,
                   "end": d.end} for d in p.dates],
        "themes": [{"code": t.code, "label": t.label, "evidence": list(t.evidence)} for t in p.themes],
        "links": [{"text": link.text, "url": link.url} for link in p.links],
        "organisation": {"name": itself.name, "acronym": itself.acronym} if itself else None,
        "group": p.group,
    }


def rejected_data(r: Rejected) -> dict:
    return {"source": r.source, "position": r.position, "text": r.text, "reason": r.reason}


def partner_rows(p: Partner) -> dict[str, list[dict]]:
    """A partner's rows in each CSV view (dicts keyed by column)."""
    key = {"source": p.source, "partner_id": p.partner_id}
    itself = p.organisation()
    return {
        "partners.csv": [{
            **key, "section_index": p.section_index, "heading": p.heading, "name": p.name,
            "acronym": p.acronym, "published": p.published, "published_text": p.published_text,
            "n_organisations": len(p.organisations),
            "n_agreements": len(p.agreements), "n_dates": len(p.dates), "n_themes": len(p.themes),
            "organisations": LIST_SEP.join(o.short_name() for o in p.organisations),
            "agreement_types": LIST_SEP.join(a.type for a in p.agreements),
            "themes": LIST_SEP.join(t.code for t in p.themes),
            "text_sha256": p.text_sha256, "text": p.text,
            "organisation": itself.name if itself else None, "organisation_acronym": itself.acronym if itself else None,
            "group": p.group, "captured": p.captured,
        }],
        "organisations.csv": [{
            **key, "name": o.name, "acronym": o.acronym, "found_by": o.source, "n_mentions": len(o.mentions),
            "mentions": LIST_SEP.join(m.text for m in o.mentions),
            "start": o.mentions[0].start if o.mentions else None, "end": o.mentions[0].end if o.mentions else None,
            "is_partner": o is itself,
        } for o in p.organisations],
        "agreements.csv": [{
            **key, "type": a.type, "label": a.label, "parties": LIST_SEP.join(a.parties),
            "date": a.date, "date_precision": a.date_precision, "date_text": a.date_text,
            "status": a.status, "evidence": a.evidence, "start": a.start, "end": a.end,
        } for a in p.agreements],
        "agreement_list.csv": agreement_list_rows(p),
        "dates.csv": [{**key, "text": d.text, "value": d.value, "precision": d.precision, "role": d.role,
                       "start": d.start, "end": d.end} for d in p.dates],
        "themes.csv": [{**key, "code": t.code, "label": t.label, "evidence": LIST_SEP.join(t.evidence)}
                       for t in p.themes],
    }


def agreement_list_rows(p: Partner) -> list[dict]:
    """A partner's rows of the one-row-per-agreement view: the partner as a body, the other parties,
    the year as a number, evidence that shows the date."""
    who = identify(p)
    return [{
        "source": p.source, "partner_id": p.partner_id, "partner": who.name, "partner_acronym": who.acronym,
        "counterparts": LIST_SEP.join(who.counterparts(a.parties)), "type": a.type, "label": a.label,
        "date": a.date, "year": int(a.date[:4]) if a.date else None, "status": a.status,
        "evidence": dated_evidence(p.text, a), "start": a.start, "end": a.end,
    } for a in p.agreements]


def rejected_rows(rejected: Iterable[Rejected]) -> list[dict]:
    return [{"source": r.source, "position": r.position, "reason": r.reason, "text": r.text} for r in rejected]


def rows(result: RunResult) -> dict[str, list[dict]]:
    """Every CSV view as a list of rows (dicts keyed by column), in document order."""
    tables: dict[str, list[dict]] = {name: [] for name in COLUMNS}
    for p in result.partners:
        for name, table in partner_rows(p).items():
            tables[name].extend(table)
    tables["rejected.csv"] = rejected_rows(result.rejected)
    return tables
