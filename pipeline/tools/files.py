"""The shape of the JSON files the tools read: a gold file, or the partners.json of a run.

``evaluate`` and ``diff`` read only what is described here. A partners.json of another shape (a
partner that is a number, a heading that is not text, an organisation that is null, a number of 5,000
digits, an array nested 100,000 deep) is refused with where it is wrong, before anything is compared.

A gold file is written by a person, so it is checked more closely and every problem is reported at
once, each with its line and field (``gold.json:12: partners[0].agreements[1].type: 'MoU' is not one
of memorandum_of_understanding, …``): the keys it needs, the types, the vocabularies the product
defines (agreement types, statuses, date precisions and roles from ``models``; theme codes from the
themes resource, passed in), dates written at a precision (``models.PARTIAL_DATE``) that are real
calendar dates, and no item still marked ``"review": true`` (a drafted gold nobody has read yet).
Keys the schema does not name (``notes``, ``furniture``, a run's offsets) are ignored.

Lines come from a small scanner of the JSON text (``value_places``), not a source-map library:
it runs only once a file is known to be broken, is thirty lines with no recursion (a file nested
100,000 deep cannot exhaust the stack), and spares a dependency (json-source-map) last released in 2022.
"""

from __future__ import annotations

import codecs
import datetime
import json
import re
from collections.abc import Collection, Iterator
from typing import Annotated

import msgspec
import msgspec.inspect as mi

from ..errors import InputError
from ..models import (
    AGREEMENT_STATUSES,
    AGREEMENT_TYPES,
    DATE_PRECISIONS,
    DATE_ROLES,
    ISO_LENGTH,
    PARTIAL_DATE,
    AgreementStatus,
    AgreementType,
    DatePrecision,
    DateRole,
    marked_for_review,
)

# --- What the tools read of a run's partners.json (and of a gold file, before its own checks).


class _Mention(msgspec.Struct):
    text: str = ""
    start: int = 0
    end: int = 0


class _Organisation(msgspec.Struct):
    name: str | None = None
    acronym: str | None = None
    source: str | None = None
    mentions: list[_Mention] = []


class _Agreement(msgspec.Struct):
    type: str
    date: str | None = None
    parties: list[str] = []


class _Date(msgspec.Struct):
    value: str
    text: str | None = None
    precision: str | None = None


class _Theme(msgspec.Struct):
    code: str


class _Partner(msgspec.Struct):
    heading: str
    source: str | None = None
    partner_id: str | None = None
    section_index: int | None = None
    name: str | None = None
    acronym: str | None = None
    published: str | None = None
    organisations: list[_Organisation] = []
    agreements: list[_Agreement] = []
    dates: list[_Date] = []
    themes: list[_Theme] = []


class PartnersFile(msgspec.Struct):
    """A gold file or a partners.json: what the tools read of it (other keys are ignored)."""

    partners: list[_Partner]
    source: str | None = None


def parse(raw: bytes) -> dict:
    """The file's content as plain data, once it is known to have the shape above. Raises ValueError
    saying what is wrong and where (``Expected `str`, got `int` - at `$.partners[0].heading```; a
    JSON syntax error with its line and column)."""
    try:
        msgspec.json.decode(raw, type=PartnersFile)
        return msgspec.json.decode(raw)
    except msgspec.ValidationError as exc:  # (a DecodeError too: caught first)
        raise ValueError(str(exc)) from exc
    except msgspec.DecodeError as exc:
        line, column, problem = _syntax(raw, exc)
        raise ValueError(f"line {line}, column {column}: {problem}") from exc
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc


# --- The gold file: the one definition of its schema.

# A date as the outputs write it: ISO 8601 at the precision written (1998, 1998-05, 1998-05-13).
IsoDate = Annotated[str, msgspec.Meta(pattern=f"^{PARTIAL_DATE}$")]
DATE_PATTERN = f"^{PARTIAL_DATE}$"


class GoldOrganisation(msgspec.Struct):
    name: str
    acronym: str | None = None


class GoldAgreement(msgspec.Struct):
    type: AgreementType
    date: IsoDate | None = None
    parties: list[str] = []
    date_precision: DatePrecision | None = None
    status: AgreementStatus | None = None


class GoldDate(msgspec.Struct):
    value: IsoDate
    precision: DatePrecision | None = None
    text: str | None = None
    role: DateRole | None = None


class GoldTheme(msgspec.Struct):
    code: str  # one of the themes resource's codes (data, so checked apart: ``_meaning``)


class GoldPartner(msgspec.Struct):
    heading: str
    partner_id: str | None = None  # (a gold drafted from a run keeps the run's ids)
    name: str | None = None
    acronym: str | None = None
    section_index: Annotated[int, msgspec.Meta(ge=1)] | None = None
    source: str | None = None
    published: IsoDate | None = None
    organisations: list[GoldOrganisation] = []
    agreements: list[GoldAgreement] = []
    dates: list[GoldDate] = []
    themes: list[GoldTheme] = []


class GoldFile(msgspec.Struct):
    """A gold file: the answer a person wrote for one page (``source``: the page it is about)."""

    source: str
    partners: Annotated[list[GoldPartner], msgspec.Meta(min_length=1)]
    title: str | None = None
    notes: str | None = None


REVIEW_HINT = "read each item and remove its review mark, then run again"
SHOWN = 5  # review marks whose place is shown; the others are counted
# Problems listed on the line (a file of another format altogether has one per item: the first ones
# and the count tell what is wrong, a line of a thousand would not).
LISTED = 20


def parse_gold(raw: bytes, name: str, theme_codes: Collection[str]) -> dict:
    """A gold file's content as plain data, once it is known to be a gold file a person has finished.

    Raises InputError (exit 2): a JSON syntax error with its line and column; else every problem of
    the schema, each with its line and field; else the items still marked for review.
    """
    raw = raw.removeprefix(codecs.BOM_UTF8)  # (as some editors save UTF-8)
    try:
        data = msgspec.json.decode(raw)
    except msgspec.ValidationError as exc:  # (untyped, only a number out of range; a DecodeError too)
        raise InputError(name, f"not a gold file: {str(exc).partition(' - at ')[0].lower()}",
                         "write numbers of at most 19 digits") from exc
    except msgspec.DecodeError as exc:
        line, column, problem = _syntax(raw, exc)
        raise InputError(f"{name}:{line}:{column}", f"not valid JSON: {problem}",
                         "fix the file's syntax and run again") from exc
    except RecursionError:
        raise InputError(name, f"not a gold file: {_too_deep(raw)}",
                         "give the gold file written for the page") from None
    except UnicodeDecodeError as exc:
        raise InputError(name, "not UTF-8 text", "save the file as UTF-8") from exc
    problems = [*_problems(data, mi.type_info(GoldFile), ()), *_meaning(data, theme_codes)]
    if problems:
        lines = value_places(raw.decode("utf-8"))
        found = sorted(((place_of(lines, path), path, message) for path, message in problems), key=lambda p: p[0])
        found = [(f"{name}:{line}", f"{_path(path)}: {message}" if path else message)
                 for (line, _), path, message in found]
        n = len(found)
        hint = "fix it and run again" if n == 1 else f"fix these {n} problems and run again"
        (first, problem), *others = found[:LISTED]
        more = [f"and {n - LISTED} more"] if n > LISTED else []
        raise InputError(first, "; ".join([problem, *(f"{where}: {what}" for where, what in others), *more]), hint)
    marks = list(review_marks(data))
    if marks:
        lines = value_places(raw.decode("utf-8"))
        shown = "; ".join(f"line {place_of(lines, p)[0]}: {_path(p) or 'the file'}" for p in marks[:SHOWN])
        more = f"; and {len(marks) - SHOWN} more" if len(marks) > SHOWN else ""
        raise InputError(name, f"{len(marks)} item{'s are' if len(marks) > 1 else ' is'} still marked for review "
                         f'("review": true): {shown}{more}', REVIEW_HINT)
    return data


def review_marks(data) -> Iterator[tuple]:
    """The path of every object carrying a review mark (``"review"`` with any value but false or
    null), in file order."""
    stack = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            if marked_for_review(value):
                yield path
            stack.extend(reversed([(path + (k,), v) for k, v in value.items()]))
        elif isinstance(value, list):
            stack.extend(reversed([(path + (i,), v) for i, v in enumerate(value)]))


_KINDS = {dict: "an object", list: "a list", str: "text", bool: "true or false", int: "a number", float: "a number",
          type(None): "null"}

# msgspec sorts a Literal's values; a message lists them in the order the product defines them.
_IN_ORDER = {frozenset(v): v for v in (AGREEMENT_TYPES, AGREEMENT_STATUSES, DATE_PRECISIONS, DATE_ROLES)}


def _problems(value, t, path: tuple) -> Iterator[tuple[tuple, str]]:
    """Every way ``value`` breaks the schema type ``t`` (``msgspec.inspect``), each with its path."""
    if isinstance(t, mi.UnionType):  # the schema's unions are all "X or null"
        if value is None:
            return
        (t,) = [x for x in t.types if not isinstance(x, mi.NoneType)]
    got = _KINDS.get(type(value), type(value).__name__)
    if isinstance(t, mi.StructType):
        if not isinstance(value, dict):
            yield path, f"expected an object, got {got}"
            return
        for f in t.fields:
            if f.encode_name in value:
                yield from _problems(value[f.encode_name], f.type, path + (f.encode_name,))
            elif f.required:
                yield path, f'missing key "{f.encode_name}"'
    elif isinstance(t, mi.ListType):
        if not isinstance(value, list):
            yield path, f"expected a list, got {got}"
            return
        if t.min_length and len(value) < t.min_length:
            yield path, "empty (a gold file judges at least one section)"
        for i, item in enumerate(value):
            yield from _problems(item, t.item_type, path + (i,))
    elif isinstance(t, mi.LiteralType):
        if value not in t.values:
            values = _IN_ORDER.get(frozenset(t.values), t.values)
            yield path, f"{_show(value)} is not one of {', '.join(values)}"
    elif isinstance(t, mi.StrType):
        if not isinstance(value, str):
            yield path, f"expected text, got {got}"
        elif t.pattern == DATE_PATTERN:
            problem = date_problem(value)
            if problem:
                yield path, problem
    elif isinstance(t, mi.IntType):
        if not isinstance(value, int) or isinstance(value, bool):
            yield path, f"expected a whole number, got {got}"
        elif t.ge is not None and value < t.ge:
            yield path, f"{value} is below {t.ge}"
    else:  # a type this schema does not use: a change to the schema must teach the checker
        raise TypeError(f"the gold schema uses a type the checker does not know: {t!r}")


def date_problem(value: str) -> str | None:
    """Why ``value`` is not a date written at a precision (``1998``, ``1998-05``, ``1998-05-13``), or None."""
    if not re.fullmatch(PARTIAL_DATE, value):
        return f"{_show(value)} is not a date written YYYY, YYYY-MM or YYYY-MM-DD"
    parts = [int(p) for p in value.split("-")] + [1] * (3 - value.count("-") - 1)
    try:
        datetime.date(*parts)
    except ValueError:
        return f"{_show(value)} is not a date of the calendar"
    return None


def _meaning(data, theme_codes: Collection[str]) -> Iterator[tuple[tuple, str]]:
    """What the schema's types cannot say: theme codes are the resource's, and a date's precision is
    the one its value is written at. (Reads only the parts of the right type: the others have their
    problem from ``_problems`` already.)"""
    partners = data.get("partners") if isinstance(data, dict) else None
    for i, partner in enumerate(partners if isinstance(partners, list) else []):
        if not isinstance(partner, dict):
            continue
        here = ("partners", i)
        for j, theme in _objects(partner, "themes"):
            code = theme.get("code")
            if isinstance(code, str) and code not in theme_codes:
                yield here + ("themes", j, "code"), f"{_show(code)} is not one of {', '.join(theme_codes)}"
        for j, date in _objects(partner, "dates"):
            yield from _precision(date.get("value"), date.get("precision"), here + ("dates", j, "precision"))
        for j, agreement in _objects(partner, "agreements"):
            yield from _precision(agreement.get("date"), agreement.get("date_precision"),
                                  here + ("agreements", j, "date_precision"))


def _objects(partner: dict, key: str) -> Iterator[tuple[int, dict]]:
    items = partner.get(key)
    return ((j, item) for j, item in enumerate(items if isinstance(items, list) else []) if isinstance(item, dict))


def _precision(value, precision, path: tuple) -> Iterator[tuple[tuple, str]]:
    if (isinstance(value, str) and precision in ISO_LENGTH and date_problem(value) is None
            and len(value) != ISO_LENGTH[precision]):
        written = next(p for p, n in ISO_LENGTH.items() if n == len(value))
        yield path, f"{_show(precision)} but {value} is written to the {written}"


def _too_deep(raw: bytes) -> str:
    """What is wrong with a file nested too deeply to be read whole: where msgspec, reading it against
    the schema, finds the first value of the wrong type."""
    try:
        msgspec.json.decode(raw, type=GoldFile)
    except msgspec.ValidationError as exc:
        problem, _, at = str(exc).partition(" - at `")
        return f"{at.rstrip('`').removeprefix('$.')}: {problem.replace('`', '').lower()} (nested too deeply)"
    except (msgspec.DecodeError, RecursionError):
        pass
    return "nested too deeply (a gold file is a few levels deep)"


def _show(value) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(value)


def _path(path: tuple) -> str:
    """``("partners", 0, "agreements", 1, "type")`` -> ``partners[0].agreements[1].type``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out


def place_of(places: dict[tuple, tuple[int, int]], path: tuple) -> tuple[int, int]:
    """The (line, column) of ``path``'s value, else of the nearest enclosing value the scanner recorded."""
    while path not in places and path:
        path = path[:-1]
    return places.get(path, (1, 1))


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|\n|[^\s{}\[\],:"]+')
DEPTH = 12  # deeper values are placed at their ancestor of this depth (a gold file is six levels deep)


def value_places(text: str) -> dict[tuple, tuple[int, int]]:
    """Where each value of a valid JSON text starts, (line, column) from 1, by its path. One pass, no
    recursion: a stack of the open objects and lists, each with its path and its current key or index."""
    places: dict[tuple, tuple[int, int]] = {}
    stack: list[list] = []  # [path, key or index, whether a key is expected next]
    line, line_start = 1, 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line, line_start = line + 1, match.end()
            continue
        top = stack[-1] if stack else None
        if token in ",:":
            if top is not None and token == ",":
                if isinstance(top[1], int):
                    top[1] += 1
                else:
                    top[2] = True
            continue
        if token in "}]":
            stack.pop()
            continue
        if top is not None and top[2]:  # an object's key
            top[1], top[2] = json.loads(token), False
            continue
        path = () if top is None else (*top[0], top[1])
        if len(path) <= DEPTH:
            places.setdefault(path, (line, match.start() - line_start + 1))
        if token == "{":
            stack.append([path, None, True])
        elif token == "[":
            stack.append([path, 0, False])
    return places


def _syntax(raw: bytes, exc: msgspec.DecodeError) -> tuple[int, int, str]:
    """msgspec's syntax error as (line, column, what): ``(3, 14, "JSON is malformed: invalid
    character")``, columns counted in characters; a file that stops short ends too soon."""
    message = str(exc)
    found = re.search(r" \(byte (\d+)\)$", message)
    if found:
        offset, message = int(found.group(1)), message[:found.start()]
    else:
        offset, message = len(raw), "JSON is malformed: the file ends before its last value is closed"
    before = raw[:offset].decode("utf-8", "replace")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1, message
