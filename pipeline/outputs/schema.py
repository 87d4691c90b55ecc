"""The dataset's description (a Frictionless Data Package with Table Schemas) and its validation.

Every run checks its own tables against this schema before anything is written: a value of the
wrong type, a date that is not an ISO prefix, a code outside its vocabulary, a duplicate key or a
row pointing at no partner is an error, never a silent pass. Rows are checked with fastjsonschema
(each field of the Table Schema turned into a JSON Schema property); keys are checked here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import fastjsonschema

from ..errors import PipelineError
from .tables import HISTORY_TABLES, TABLES, THEME_CODES

# The tables whose rows point at a partner of partners.csv (a history's rows may name partners gone).
_LINKED = frozenset(TABLES) - {"partners.csv", "rejected.csv"}


class SchemaError(PipelineError):
    """The run's own tables break the published schema: a bug, never written out."""

    exit_code = 3


def table_schemas(theme_codes: Sequence[str], history: bool = False) -> dict[str, dict]:
    """The Table Schema of each CSV view, with the configuration's theme vocabulary; with ``history``,
    those of a page's history too (``history.csv``, ``versions.csv``)."""
    schemas = {}
    for name, table_fields in TABLES.items():
        table_fields = [_with_codes(f, theme_codes) for f in table_fields]
        schema = {"fields": table_fields, "missingValues": [""]}
        if name == "partners.csv":
            schema["primaryKey"] = ["partner_id"]
        elif name in _LINKED:
            schema["foreignKeys"] = [{"fields": ["partner_id"],
                                      "reference": {"resource": "partners", "fields": ["partner_id"]}}]
        schemas[name] = schema
    if history:
        for name, table_fields in HISTORY_TABLES.items():
            schemas[name] = {"fields": table_fields, "missingValues": [""],
                             **({"primaryKey": ["page", "version"]} if name == "versions.csv" else {})}
    return schemas


def _with_codes(field: dict, theme_codes: Sequence[str]) -> dict:
    constraints = field.get("constraints", {})
    if constraints.get("enum") != THEME_CODES:
        return field
    return {**field, "constraints": {**constraints, "enum": list(theme_codes)}}


def datapackage(version: str, theme_codes: Sequence[str], history: bool = False) -> dict:
    """The Data Package descriptor written beside the CSV files (with ``history``: a page's history's too)."""
    return {
        "profile": "tabular-data-package",
        "name": "omd-partners",
        "title": "Partners of the World Customs Organization (OMD), extracted from French web pages",
        "version": version,
        "resources": [
            {
                "name": name.removesuffix(".csv"),
                "path": name,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "header": True},
                "schema": schema,
            }
            for name, schema in table_schemas(theme_codes, history).items()
        ],
    }


_JSON_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean"}


def _validator(schema: dict):
    """A table's compiled row validator (fastjsonschema turns its JSON Schema into Python code)."""
    props, required = {}, []
    for field in schema["fields"]:
        constraints = field.get("constraints", {})
        prop: dict = {"type": [_JSON_TYPES[field["type"]], "null"]}
        for key in ("pattern", "enum", "minimum"):
            if key in constraints:
                prop[key] = constraints[key] + [None] if key == "enum" else constraints[key]
        if constraints.get("required"):
            prop["type"] = _JSON_TYPES[field["type"]]
            required.append(field["name"])
        props[field["name"]] = prop
    return fastjsonschema.compile({"type": "object", "properties": props, "required": required,
                                   "additionalProperties": False})


class Validator:
    """Checks a run's rows as they are written, table by table, then the keys across the tables. Each
    table's validator is compiled when its first rows come (a run never pays for a history's tables)."""

    def __init__(self, theme_codes: Sequence[str]) -> None:
        self._schemas = table_schemas(theme_codes, history=True)
        self._validators: dict = {}
        self._counts: Counter[str] = Counter()
        self._ids: set[str] = set()
        self._duplicates: set[str] = set()
        self._referenced: dict[str, set[str]] = {}
        self.problems: list[str] = []

    def rows(self, name: str, rows: list[dict]) -> None:
        check = self._validators.get(name)
        if check is None:
            check = self._validators[name] = _validator(self._schemas[name])
        for row in rows:
            self._counts[name] += 1
            try:
                check(row)
            except fastjsonschema.JsonSchemaValueException as error:
                self.problems.append(f"{name} row {self._counts[name]}: {error.message.replace('data.', '', 1)}")
            if name == "partners.csv":
                pid = row.get("partner_id")
                (self._duplicates if pid in self._ids else self._ids).add(pid)
            elif name in _LINKED:
                self._referenced.setdefault(name, set()).add(row.get("partner_id"))

    def finish(self, partner_ids: set[str] | None = None) -> None:
        """Raise SchemaError naming the first problem found, if any."""
        problems = list(self.problems)
        if self._duplicates:
            problems.append(f"partners.csv: duplicate partner_id {', '.join(sorted(map(str, self._duplicates)))}")
        known = self._ids if partner_ids is None else partner_ids
        for name, referenced in self._referenced.items():
            dangling = sorted(map(str, referenced - known))
            if dangling:
                problems.append(f"{name}: partner_id not in partners.csv: {', '.join(dangling)}")
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise SchemaError("outputs", f"the tables break their schema: {problems[0]}{more}",
                              "this is a bug: please report it with the input page")


def validate(tables: dict[str, list[dict]], theme_codes: Sequence[str], partner_ids: set[str] | None = None) -> None:
    """Raise SchemaError on the first rows that break the schema, naming table, row and field.

    ``partner_ids``: the ids the rows may point at, when ``tables`` holds only some partners' rows.
    """
    validator = Validator(theme_codes)
    for name, rows in tables.items():
        validator.rows(name, rows)
    validator.finish(partner_ids)
