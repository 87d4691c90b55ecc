"""A page's history over its versions (``pipeline history``): each partner and each agreement followed
from version to version, when it was first and last seen, the versions holding it, and what happened
to it (added, removed, re-dated, renamed, added again after a gap).

Pure: ``follow(page, versions)`` takes each version's partners (the dicts of ``partners.json``), oldest
first, and gives the page's history as plain data (what ``history.json`` holds); ``rows`` and
``version_rows`` turn it into the rows of ``history.csv`` and ``versions.csv``. Reading the versions
and writing the files are the caller's business. ``version_of`` tells a dated file's page and date
from its name.

Followed, not cut: consecutive versions are compared with ``diff.compare``, so that a partner renamed
(the same text, nearly the same text, the same body named by its heading) stays one partner, and a
partner that comes back after a gap resumes its line (the same id, or paired by those rules with the
partners gone before). An agreement is followed within its partner by the identity ``diff`` gives it
(type, parties, rank: ``diff.agreement_keys``): the same identity with another date is re-dated; when
its partner is renamed, an agreement whose other parties are the same is renamed with it rather than
removed and added.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from .. import __version__
from ..models import History, short_name
from . import diff

SCHEMA_VERSION = "1.0"
LIST_SEP = "; "
_SEPARATORS = "-_. "
# A date in a file's name, between separators (or the name's ends): 2024-03-01, 2024-03, 2024.
_DATE = re.compile(r"(?:^|(?<=[-_. ]))(?P<y>(?:19|20)\d{2})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?(?=$|[-_. ])")
_KINDS = {"added": "added", "removed": "removed", "renamed": "renamed", "redated": "re-dated"}


@dataclass(frozen=True)
class Version:
    """One version of a page: when it was seen (a capture's time, a file's date), where it was read,
    its bytes' hash, its partners (as ``partners.json`` holds them) and how many of its sections could
    not be analysed (their partners are missing from it)."""

    seen: str
    path: str
    sha256: str
    partners: Sequence[dict]
    failed: int = 0


def version_of(name: str, folder: str = "") -> tuple[str, str] | None:
    """The page and the date a file's name gives: ``page-2024-03-01.html`` is ``page.html`` of
    2024-03-01 (``2024-03-01_page.html``, ``page_2024-03.txt`` and ``rapport-2023.pdf`` too); a file
    named by its date alone takes its folder's name (``partenaires/2024-03-01.html``); a file whose
    name has no date, in a folder named by one (``2024-03-01/page.html``), takes that date. The last
    date of a name counts. None: no date (a file's time of modification is never used: it changes when
    the file is copied)."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, ""
    found = _last_date(stem)
    if found is not None:
        start, end, when = found
        if start > 0 and stem[start - 1] in _SEPARATORS:
            start -= 1
        elif end < len(stem) and stem[end] in _SEPARATORS:
            end += 1
        page = (stem[:start] + stem[end:]).strip(_SEPARATORS) or folder
        return (page + (f".{suffix}" if suffix else ""), when) if page else None
    in_folder = _last_date(folder)
    return (name, in_folder[2]) if in_folder is not None else None


def _last_date(text: str) -> tuple[int, int, str] | None:
    """Where the last valid date of ``text`` is, and that date (ISO, at the precision written)."""
    for match in reversed(list(_DATE.finditer(text))):
        year, month, day = int(match["y"]), int(match["m"] or 1), int(match["d"] or 1)
        try:
            date(year, month, day)
        except ValueError:
            continue
        return match.start(), match.end(), match.group(0)
    return None


# --- following partners and agreements ----------------------------------------------------------


@dataclass
class _Agreement:
    """An agreement followed within its partner: its last values, the versions holding it, its events."""

    key: tuple[str, tuple[str, ...], int]
    type: str
    parties: list[str]
    date: str | None
    order: tuple[int, int]  # (first version, position in it): the rows' order
    present: list[int] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)


@dataclass
class _Partner:
    """A partner followed across versions: its last id and heading, the versions holding it, its events
    and its agreements (those of its last version by identity; the others, gone, by identity too)."""

    partner_id: str
    heading: str
    names: set[str]  # how its agreements' parties may name it (acronym, name, its body's)
    order: tuple[int, int]
    data: dict  # its entry in the last version holding it (what a partner coming back is compared with)
    headings: list[str] = field(default_factory=list)
    present: list[int] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    agreements: list[_Agreement] = field(default_factory=list)
    current: dict[tuple, _Agreement] = field(default_factory=dict)
    gone: dict[tuple, _Agreement] = field(default_factory=dict)


def follow(page: str, versions: Sequence[Version]) -> dict:
    """The history of ``page`` over ``versions`` (oldest first), as ``history.json`` holds it: the
    versions with what changed in each, then every partner ever seen with its agreements, each with
    the versions holding it (``present``: their numbers, 1 for the oldest) and its events
    (``{"version": 3, "kind": "redated", "old": "2002", "new": "2002-09"}``), in the order they
    were first seen."""
    partners: list[_Partner] = []
    present: dict[str, _Partner] = {}  # partner_id -> partner, in the version before
    summaries = []
    previous: list[dict] = []
    for number, version in enumerate(versions, 1):
        current = _merged(version.partners)
        counts = dict.fromkeys(("partners_added", "partners_removed", "partners_renamed", "agreements_added",
                                "agreements_removed", "agreements_redated"), 0)
        mapped = _map(previous, current, present, partners, number) if number > 1 else {}
        following: dict[str, _Partner] = {}
        for position, entry in enumerate(current):
            pid = entry["partner_id"]
            partner = mapped.get(pid)
            if partner is None:
                partner = _Partner(pid, entry.get("heading") or "", _names(entry), (number, position), entry)
                partner.headings.append(partner.heading)
                partners.append(partner)
                if number > 1:
                    partner.events.append({"version": number, "kind": "added"})
            renamed = any(e["version"] == number and e["kind"] == "renamed" for e in partner.events)
            old_names = partner.names
            partner.partner_id, partner.heading, partner.names, partner.data = \
                pid, entry.get("heading") or "", _names(entry), entry
            if partner.headings[-1] != partner.heading:
                partner.headings.append(partner.heading)
            partner.present.append(number)
            following[pid] = partner
            _follow_agreements(partner, entry.get("agreements") or (), number, position,
                               old_names if renamed else None)
        for partner in present.values():
            if partner.present[-1] != number:  # in the version before, not in this one
                partner.events.append({"version": number, "kind": "removed"})
                for agreement in partner.current.values():
                    agreement.events.append({"version": number, "kind": "removed", "with_partner": True})
                partner.gone.update(partner.current)
                partner.current = {}
        for partner in partners:
            for event in partner.events:
                if event["version"] == number:
                    counts[f"partners_{event['kind']}"] += 1
            for agreement in partner.agreements:
                for event in agreement.events:
                    if event["version"] == number and event["kind"] != "renamed":
                        counts[f"agreements_{event['kind']}"] += 1
        summaries.append({"version": number, "seen": version.seen, "path": version.path, "sha256": version.sha256,
                          "partners": len(current), "agreements": sum(len(p.get("agreements") or ()) for p in current),
                          "failed": version.failed, **counts})
        present, previous = following, current
    last = len(versions)
    ordered = sorted(partners, key=lambda p: p.order)
    return {
        "page": page,
        "versions": summaries,
        "partners": [{"partner_id": p.partner_id, "partner": p.heading, "former_names": p.headings[:-1],
                      "present": p.present, "in_latest": p.present[-1] == last, "events": p.events,
                      "agreements": [{"type": a.type, "parties": a.parties, "date": a.date, "present": a.present,
                                      "in_latest": a.present[-1] == last, "events": a.events}
                                     for a in sorted(p.agreements, key=lambda a: a.order)]}
                     for p in ordered],
    }


def _merged(partners: Iterable[dict]) -> list[dict]:
    """A version's partners, one per partner_id: a partner whose sections a page repeats is one
    partner, holding the agreements of all of them (in page order)."""
    out: dict[str, dict] = {}
    for entry in partners:
        pid = entry.get("partner_id")
        if not pid:
            raise ValueError(f"a partner has no partner_id ({entry.get('heading')!r})")
        if pid in out:
            first = out[pid]
            out[pid] = {**first, "agreements": [*(first.get("agreements") or ()), *(entry.get("agreements") or ())],
                        "organisations": [*(first.get("organisations") or ()),
                                          *(entry.get("organisations") or ())]}
        else:
            out[pid] = entry
    return list(out.values())


def _names(entry: dict) -> set[str]:
    """How an agreement's parties may name the partner: its acronym or name, its body's short name."""
    names = {entry.get("acronym"), entry.get("name"), short_name(entry.get("acronym"), entry.get("name") or "")}
    body = entry.get("organisation")
    if isinstance(body, dict):
        names |= {body.get("acronym"), body.get("name"), short_name(body.get("acronym"), body.get("name") or "")}
    return {n for n in names if n}


def _map(previous: list[dict], current: list[dict], present: dict[str, _Partner], partners: list[_Partner],
         number: int) -> dict[str, _Partner]:
    """The partners of this version that continue one already followed, by their id here: kept (the same
    id), renamed since the version before (``diff.compare``'s pairs), or back after a gap."""
    changes = diff.compare({"partners": previous}, {"partners": current})
    mapped: dict[str, _Partner] = {}
    for entry in changes["partners_renamed"]:
        partner = present[entry["old_partner_id"]]
        mapped[entry["partner_id"]] = partner
        partner.events.append(_renamed(number, entry))
    added = {e["partner_id"] for e in changes["partners_added"]}
    for entry in current:
        pid = entry["partner_id"]
        if pid not in mapped and pid not in added and pid in present:
            mapped[pid] = present[pid]
    # Back after a gap: the partners gone before the version before, compared with those added now.
    gone = [p for p in partners if p.present[-1] < number - 1]
    newcomers = [e for e in current if e["partner_id"] in added]
    if gone and newcomers:
        by_id = {p.partner_id: p for p in gone}
        back = diff.compare({"partners": [p.data for p in gone]}, {"partners": newcomers})
        still_new = {e["partner_id"] for e in back["partners_added"]}
        renamed = {e["partner_id"]: e for e in back["partners_renamed"]}
        for entry in newcomers:
            pid = entry["partner_id"]
            again = {"version": number, "kind": "added", "again": True}
            if pid in renamed:  # back under another heading (or id)
                partner = by_id[renamed[pid]["old_partner_id"]]
                partner.events += [again, _renamed(number, renamed[pid])]
            elif pid not in still_new and pid in by_id:  # back as it was
                partner = by_id[pid]
                partner.events.append(again)
            else:
                continue
            mapped[pid] = partner
    return mapped


def _renamed(number: int, entry: dict) -> dict:
    return {"version": number, "kind": "renamed", "old": entry["old_heading"], "new": entry["new_heading"],
            "old_partner_id": entry["old_partner_id"], "partner_id": entry["partner_id"],
            "matched_by": entry["matched_by"]}


def _follow_agreements(partner: _Partner, agreements: Sequence[dict], number: int, position: int,
                       old_names: set[str] | None) -> None:
    """The partner's agreements in this version, each continuing one already followed (the same
    identity; renamed with the partner: the same type and other parties) or new."""
    before = dict(partner.current)
    came: list[tuple[tuple, dict, int]] = []
    now: dict[tuple, _Agreement] = {}
    for rank, (key, item) in enumerate(zip(diff.agreement_keys(agreements), agreements, strict=True)):
        followed = before.pop(key, None)
        if followed is None:
            came.append((key, item, rank))
            continue
        _seen(followed, item, number)
        now[key] = followed
    again = {"version": number, "kind": "added", "again": True,
             **({"with_partner": True} if _just_added(partner, number) else {})}
    for key, item, rank in came:
        followed = partner.gone.pop(key, None)
        if followed is not None:
            followed.events.append(dict(again))
        elif old_names is not None and (followed := _renamed_with([*before.values(), *partner.gone.values()], key,
                                                                  old_names, partner.names)):
            if followed in before.values():
                before = {k: v for k, v in before.items() if v is not followed}
            else:  # gone with its partner, back with it under its new name
                partner.gone = {k: v for k, v in partner.gone.items() if v is not followed}
                followed.events.append(dict(again))
            followed.events.append({"version": number, "kind": "renamed", "old": list(followed.parties),
                                    "new": list(item.get("parties") or ())})
        else:
            followed = _Agreement(key, item.get("type") or "", list(item.get("parties") or ()), item.get("date"),
                                  (number, position * 1000 + rank))
            partner.agreements.append(followed)
            if number > partner.order[0] or partner.events:
                followed.events.append({"version": number, "kind": "added",
                                        **({"with_partner": True} if _just_added(partner, number) else {})})
        followed.key = key
        _seen(followed, item, number)
        now[key] = followed
    for followed in before.values():
        followed.events.append({"version": number, "kind": "removed"})
        partner.gone[followed.key] = followed
    partner.current = now


def _just_added(partner: _Partner, number: int) -> bool:
    return any(e["version"] == number and e["kind"] == "added" for e in partner.events)


def _seen(agreement: _Agreement, item: dict, number: int) -> None:
    """An agreement found in version ``number``: re-dated when its date is not the one last seen."""
    new = item.get("date")
    if agreement.present and new != agreement.date:
        agreement.events.append({"version": number, "kind": "redated", "old": agreement.date, "new": new})
    agreement.type, agreement.parties, agreement.date = item.get("type") or "", list(item.get("parties") or ()), new
    agreement.present.append(number)


def _renamed_with(candidates: Sequence[_Agreement], key: tuple, old_names: set[str],
                  new_names: set[str]) -> _Agreement | None:
    """Of the agreements a renamed partner no longer has (since the version before, else since it was
    last seen), the first of the same type whose parties other than the partner are the new one's."""
    kind, parties, _ = key
    others = set(parties) - new_names
    for followed in candidates:
        if followed.type == kind and set(followed.parties) - old_names == others \
                and set(followed.parties) != set(parties):
            return followed
    return None


# --- rows and files --------------------------------------------------------------------------------


def spans(numbers: Iterable[int]) -> str:
    """Version numbers as a compact list: ``1-3; 5``."""
    out: list[str] = []
    run: list[int] = []
    for n in sorted(set(numbers)):
        if run and n == run[-1] + 1:
            run.append(n)
            continue
        if run:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [n]
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return LIST_SEP.join(out)


def _when(page: dict, number: int) -> str:
    return f"v{number} ({page['versions'][number - 1]['seen']})"


def _value(value: str | None) -> str:
    return value or "undated"


def describe(page: dict, event: dict) -> str:
    """One event in words: "re-dated in v4 (2024-04-01) from 2002 to 2002-09"."""
    kind, when = event["kind"], _when(page, event["version"])
    if kind == "added":
        return ("added again" if event.get("again") else "added") + f" in {when}" \
            + (" with its partner" if event.get("with_partner") else "")
    if kind == "removed":
        return f"removed in {when}" + (" with its partner" if event.get("with_partner") else "")
    if kind == "redated":
        return f"re-dated in {when} from {_value(event['old'])} to {_value(event['new'])}"
    if isinstance(event["old"], list):  # an agreement renamed with its partner: its parties
        return f"renamed with its partner in {when}: {' + '.join(event['old'])} -> {' + '.join(event['new'])}"
    ids = f" ({event['old_partner_id']} -> {event['partner_id']})" if event["old_partner_id"] != event["partner_id"] \
        else ""
    return f"renamed in {when} from {event['old']} to {event['new']}{ids}"


def rows(history: dict) -> list[dict]:
    """The rows of history.csv: for each page, each partner followed by its agreements."""
    out = []
    for page in history["pages"]:
        for p in page["partners"]:
            out.append(_row(page, "partner", p, p, former_names=LIST_SEP.join(p["former_names"]) or None))
            for a in p["agreements"]:
                out.append(_row(page, "agreement", p, a, type=a["type"], parties=LIST_SEP.join(a["parties"]) or None,
                                date=a["date"]))
    return out


def _row(page: dict, item: str, partner: dict, entry: dict, **more) -> dict:
    present, versions = entry["present"], page["versions"]
    return {"page": page["page"], "item": item, "partner_id": partner["partner_id"], "partner": partner["partner"],
            "type": None, "parties": None, "date": None, "first_seen": versions[present[0] - 1]["seen"],
            "last_seen": versions[present[-1] - 1]["seen"], "versions": spans(present), "n_versions": len(present),
            "in_latest": entry["in_latest"], "former_names": None,
            "changes": LIST_SEP.join(describe(page, e) for e in entry["events"]) or None, **more}


def version_rows(history: dict) -> list[dict]:
    """The rows of versions.csv: each page's versions, oldest first."""
    return [{"page": page["page"], **version} for page in history["pages"] for version in page["versions"]]


def whole(pages: Iterable[dict]) -> dict:
    """The history of every page followed, as history.json holds it."""
    return {"schema_version": SCHEMA_VERSION, "generator": {"name": "omd-partners-pipeline", "version": __version__},
            "pages": list(pages)}


def for_outputs(history: dict) -> History:
    """``history`` as the outputs write it: the rows of its tables, and history.json."""
    data = json.dumps(history, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    return History(versions=tuple(version_rows(history)), rows=tuple(rows(history)), data=history, json=data)


def saved(data: object) -> History | None:
    """The history a run wrote (its ``history.json``, parsed), to be written again (as when ``evaluate``
    renders the report anew); None for a file that is not a history."""
    try:
        return for_outputs(data) if isinstance(data, dict) and isinstance(data.get("pages"), list) else None
    except (KeyError, TypeError, IndexError, AttributeError):
        return None
