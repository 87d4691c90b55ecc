"""The project's knowledge: the TOML data files in this folder, loaded and validated as one ``Resources``.

Each file has a schema (the ``*File`` structs below: required keys, types, allowed codes); a file is
checked against it as it is loaded, then for what a schema cannot say (unique acronyms and aliases
across the gazetteer, unique theme codes, regular expressions that compile). Every problem is
reported with where it is, in one ``ResourceError`` (exit 3), before any section is analysed.

Indexes that several stages share (the gazetteer's acronyms and names) are built here, once per
``Resources``; an index that one stage needs is built by that stage's extractor.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, get_args, get_origin

import msgspec

from ..errors import ResourceError
from ..models import AgreementType, DatePrecision, DateRole
from ..text import name_key, sha256

DEFAULT_FOLDER = Path(__file__).parent
THEME_CODE = re.compile(r"^[a-z][a-z0-9_]*$")

# A word or phrase is never empty: an empty cue would match everywhere (or nowhere) without a word.
Word = Annotated[str, msgspec.Meta(min_length=1)]
Words = tuple[Word, ...]
# A list that must hold something for the stage that reads it to work at all.
SomeWords = Annotated[tuple[Word, ...], msgspec.Meta(min_length=1)]


class _Schema(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A table of a resource file: unknown keys are errors, so that a misspelt key is never ignored."""


# --- layout.toml ----------------------------------------------------------------------------------

class LayoutFile(_Schema):
    title_cues: Words
    furniture: Words  # regular expressions, matched case-insensitively (never empty: "" matches every line)
    page_numbers: Words  # regular expressions for a line that only numbers a page
    date_line_prefixes: Words
    dateline: str  # regular expression; {date} stands for a written date
    heading_prefixes: Words
    heading_never_ends_with: Words
    table_header_words: Words
    html_furniture: Words
    html_heading_classes: Words


# --- organisations.toml ---------------------------------------------------------------------------

class GazetteerEntry(_Schema):
    name: Word
    kind: Literal["un_system", "eu", "international", "regional", "national", "ngo", "private"]
    acronym: Word | None = None
    acronyms: Words = ()
    aliases: Words = ()
    family: bool = False  # a family of offices: one office named in full is that office

    def all_acronyms(self) -> list[str]:
        return [a for a in (self.acronym, *self.acronyms) if a]

    def all_names(self) -> list[str]:
        return [self.name, *self.aliases]


class OrganisationsFile(_Schema):
    organisation: Annotated[tuple[GazetteerEntry, ...], msgspec.Meta(min_length=1)]


# --- entities.toml --------------------------------------------------------------------------------

class EntitiesFile(_Schema):
    org_heads: SomeWords
    not_org_heads: Words
    capitalised_org_heads: Words
    foreign_org_heads: Words
    foreign_connectors: Words
    org_head_suffixes: Words
    foreign_articles: Words
    verb_objects: Words
    verb_prepositions: Words
    name_connectors: Words
    secretariat_of: Words
    named_by: Words
    generic_phrases: Words
    generic_determiners: Words
    acronym_articles: Words


# --- agreements.toml ------------------------------------------------------------------------------

class AgreementTypeEntry(_Schema):
    code: AgreementType
    cues: SomeWords


class AgreementContext(_Schema):
    needs_context: Words
    making: Words
    anaphora: Words
    not_after: Words
    not_before: Words
    amends: Words
    pending: Words
    another: Words
    renewal: Words
    denied: Words
    replaces: Words
    relative: Words
    covers: Words
    not_in: Words
    clause_breaks: Words
    signed: Words
    concluded: Words


class AgreementsFile(_Schema):
    type: Annotated[tuple[AgreementTypeEntry, ...], msgspec.Meta(min_length=1)]
    acronyms: dict[str, AgreementType]
    same_period: dict[str, DatePrecision]
    context: AgreementContext


# --- dates.toml -----------------------------------------------------------------------------------

class DatesFile(_Schema):
    languages: Annotated[tuple[Literal["fr", "en", "es", "pt", "de", "it"], ...], msgspec.Meta(min_length=1)]
    months: SomeWords
    range_joiners: Words
    not_a_year_after: Words
    not_a_year_before: Words
    not_plural_nouns: Words
    min_year: int
    max_year: int
    start_prepositions: Words
    today: Words
    roles: dict[DateRole, Words]


# --- themes.toml ----------------------------------------------------------------------------------

class ThemeEntry(_Schema):
    code: Word
    label: Word
    cues: SomeWords


class ThemesFile(_Schema):
    theme: Annotated[tuple[ThemeEntry, ...], msgspec.Meta(min_length=1)]


class Gazetteer:
    """The gazetteer's entries and the indexes every stage shares: by acronym and by name key."""

    def __init__(self, entries: tuple[GazetteerEntry, ...]) -> None:
        self.entries = entries
        self.by_acronym: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        for i, entry in enumerate(entries):
            for acronym in entry.all_acronyms():
                self.by_acronym[acronym] = i
            for name in entry.all_names():
                self.by_name[name_key(name)] = i
        self.acronyms = frozenset(self.by_acronym)

    def find_name(self, name: str | None) -> int | None:
        """The entry that knows ``name`` (its name or an alias, compared by name key)."""
        return self.by_name.get(name_key(name)) if name else None


class ThemeVocabulary:
    """The controlled vocabulary of themes, in the order of the file."""

    def __init__(self, entries: tuple[ThemeEntry, ...]) -> None:
        self.entries = entries
        self.codes = tuple(t.code for t in entries)
        # Cues written in capitals (DPI, SAFE) are acronyms: matched on their exact spelling only, and
        # never taken for a body's acronym.
        self.acronym_cues = frozenset(cue for t in entries for cue in t.cues if cue.isupper())


# Every resource file with its schema, in the order they are read.
SCHEMAS: dict[str, type[_Schema]] = {
    "layout.toml": LayoutFile, "organisations.toml": OrganisationsFile, "entities.toml": EntitiesFile,
    "agreements.toml": AgreementsFile, "dates.toml": DatesFile, "themes.toml": ThemesFile,
}


@dataclass(frozen=True)
class Resources:
    """Every data file, validated; ``fingerprint`` changes whenever any file's bytes do."""

    folder: Path
    fingerprint: str
    layout: LayoutFile
    furniture: tuple[re.Pattern, ...]
    gazetteer: Gazetteer
    entities: EntitiesFile
    agreements: AgreementsFile
    dates: DatesFile
    themes: ThemeVocabulary


def load(folder: Path | str | None = None) -> Resources:
    """Read and validate every resource file of ``folder`` (default: this package's own).

    Raises ResourceError naming the file and every problem in it.
    """
    folder = DEFAULT_FOLDER if folder is None else Path(folder)
    checks = {"layout.toml": _layout_problems, "organisations.toml": _gazetteer_problems,
              "agreements.toml": _agreements_problems, "dates.toml": _dates_problems,
              "themes.toml": _themes_problems}
    raw, data, problems, hints = {}, {}, {}, {}
    for name, schema in SCHEMAS.items():
        try:
            raw[name] = _read(folder, name)
        except ResourceError as exc:  # missing, unreadable, not TOML: said with the other files' problems
            problems[name], hints[name] = [exc.problem], exc.hint
            continue
        try:
            data[name] = msgspec.convert(raw[name][1], schema)
        except msgspec.ValidationError as exc:  # then, and only then, every problem with where it is
            problems[name] = list(_problems(raw[name][1], schema)) or [_message(exc, schema)]
            continue
        found = checks[name](data[name]) if name in checks else []  # what a schema cannot say
        if found:
            problems[name] = found
    if problems:
        _raise(folder, problems, hints)
    layout, organisations, entities = data["layout.toml"], data["organisations.toml"], data["entities.toml"]
    agreements, dates, themes = data["agreements.toml"], data["dates.toml"], data["themes.toml"]
    fingerprint = sha256(b"".join(name.encode() + b"\0" + data + b"\0" for name, (data, _) in raw.items()))
    return Resources(
        folder=folder, fingerprint=fingerprint, layout=layout,
        furniture=tuple(re.compile(p, re.I) for p in layout.furniture),
        gazetteer=Gazetteer(organisations.organisation), entities=entities, agreements=agreements, dates=dates,
        themes=ThemeVocabulary(themes.theme),
    )


def _where(folder: Path, name: str) -> str:
    return f"pipeline/resources/{name}" if folder == DEFAULT_FOLDER else str(folder / name)


def _read(folder: Path, name: str) -> tuple[bytes, dict]:
    where = _where(folder, name)
    try:
        data = (folder / name).read_bytes()
    except FileNotFoundError as exc:
        raise ResourceError(where, "resource file is missing", "restore it (or reinstall the project)") from exc
    except OSError as exc:
        raise ResourceError(where, f"cannot be read: {exc.strerror}", "check its permissions") from exc
    try:
        return data, tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ResourceError(where, "not UTF-8 text", "save the file as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ResourceError(where, f"not valid TOML: {exc}", "fix the file's syntax") from exc


def _raise(folder: Path, problems: dict[str, list[str]], hints: dict[str, str]) -> None:
    """One error naming the first broken file and every problem in it, and the other broken files."""
    (name, found), *others = problems.items()
    hint = hints.get(name, "fix the file and run again")
    if others:
        also = ", ".join(f"{other} ({len(more)} problem{'s' if len(more) > 1 else ''})" for other, more in others)
        hint = f"fix the files and run again; also broken: {also}"
    raise ResourceError(_where(folder, name), "; ".join(found), hint)


def _problems(raw: dict, schema: type[_Schema], where: str = "") -> Iterator[str]:
    """Every way ``raw`` breaks ``schema``, each with where it is (not only the first)."""
    fields = {f.encode_name: f for f in msgspec.structs.fields(schema)}
    for key in raw:
        if key not in fields:
            yield f'{where}unknown key "{key}"'
    for key, field in fields.items():
        if key not in raw:
            if field.required:
                yield f'{where}missing key "{key}"'
            continue
        value = raw[key]
        entry = _entry_schema(field.type)
        if entry is not None and isinstance(value, list):
            if not value:
                yield f"{where}[[{key}]]: no entry"
            for i, item in enumerate(value, 1):
                here = f"{where}[[{key}]] entry {i}"
                if isinstance(item, dict):
                    yield from _problems(item, entry, f"{here}: ")
                else:
                    yield f"{here}: not a table"
        elif isinstance(field.type, type) and issubclass(field.type, _Schema) and isinstance(value, dict):
            yield from _problems(value, field.type, f"{where}[{key}] ")
        elif get_origin(field.type) is dict and isinstance(value, dict):
            for name, item in value.items():  # one at a time, so that each problem names its key
                try:
                    msgspec.convert({name: item}, field.type)
                except msgspec.ValidationError as exc:
                    yield f'{where}[{key}] "{name}": {_message(exc, field.type)}'
        else:
            try:
                msgspec.convert(value, field.type)
            except msgspec.ValidationError as exc:
                yield f'{where}key "{key}": {_message(exc, field.type)}'


def _entry_schema(annotation) -> type[_Schema] | None:
    """The table type of an array of tables (``tuple[Entry, ...]``), else None."""
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) is tuple:
        args = get_args(annotation)
        if args and isinstance(args[0], type) and issubclass(args[0], _Schema):
            return args[0]
    return None


def _message(exc: msgspec.ValidationError, annotation) -> str:
    """msgspec's message in the file's terms: "Expected `str`, got `int` - at `$[2]`" -> "expected str,
    got int (item 3)"; an unknown code is given with the codes allowed there."""
    text, _, at = str(exc).partition(" - at `")
    text = text.replace("`", "")
    text = text[:1].lower() + text[1:]
    if text.startswith("expected str of length >= 1"):
        text = "empty text"
    elif text.startswith("expected array of length >= 1"):
        text = "empty list"
    elif text.startswith("invalid enum value"):
        text += f" (allowed: {', '.join(_allowed(annotation))})"
    if at.startswith("key`"):
        return f"{text}, as a key of the table"
    item = re.search(r"\[(\d+)\]`?$", at)
    if item:
        return f"{text} (item {int(item.group(1)) + 1})"
    return text


def _allowed(annotation) -> list[str]:
    """The codes a type allows: the values of the Literals in it."""
    if get_origin(annotation) is Literal:
        return [str(a) for a in get_args(annotation)]
    return [code for arg in get_args(annotation) for code in _allowed(arg)]


def _layout_problems(layout: LayoutFile) -> list[str]:
    problems = []
    for key in ("furniture", "page_numbers"):
        for i, pattern in enumerate(getattr(layout, key), 1):
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(f'key "{key}": item {i} is not a valid regular expression ({exc})')
    if "{date}" not in layout.dateline:
        problems.append('key "dateline": the expression must hold {date} where the date stands')
    return problems


def _gazetteer_problems(data: OrganisationsFile) -> list[str]:
    """Acronyms and names (case-insensitive) claimed by two bodies, and acronyms too short to be any."""
    problems = []
    claimed: dict[tuple[str, str], int] = {}
    for i, entry in enumerate(data.organisation, 1):
        mine = {("acronym", a.casefold()): a for a in entry.all_acronyms()}
        mine |= {("name", name_key(n)): n for n in entry.all_names()}
        for key, written in mine.items():
            if key[0] == "acronym" and len(written) < 2:
                problems.append(f'[[organisation]] entry {i}: acronym "{written}" is shorter than 2 characters')
            other = claimed.setdefault(key, i)
            if other != i:
                problems.append(f'[[organisation]] entries {other} and {i}: both claim the {key[0]} "{written}"')
    return problems


def _agreements_problems(data: AgreementsFile) -> list[str]:
    seen: dict[str, int] = {}
    problems = []
    for i, entry in enumerate(data.type, 1):
        other = seen.setdefault(entry.code, i)
        if other != i:
            problems.append(f'[[type]] entries {other} and {i}: both define type "{entry.code}"')
    declared = set(seen)
    for acronym, code in data.acronyms.items():
        if code not in declared:
            problems.append(f'[acronyms] "{acronym}": type "{code}" has no [[type]] entry')
    return problems


def _dates_problems(data: DatesFile) -> list[str]:
    if data.min_year >= data.max_year:
        return [f"min_year ({data.min_year}) is not below max_year ({data.max_year})"]
    return []


def _themes_problems(data: ThemesFile) -> list[str]:
    seen: dict[str, int] = {}
    problems = []
    for i, entry in enumerate(data.theme, 1):
        if not THEME_CODE.match(entry.code):
            problems.append(f'[[theme]] entry {i}: code "{entry.code}" is not lower_case_with_underscores')
        other = seen.setdefault(entry.code, i)
        if other != i:
            problems.append(f'[[theme]] entries {other} and {i}: both define code "{entry.code}"')
    return problems

