"""The vocabularies: defined once in models.py, named in French for the report, allowed by the schema."""

from typing import get_args

import pytest

from pipeline import models
from pipeline.outputs import schema, tables

VOCABULARIES = [
    ("agreement_type", models.AGREEMENT_TYPES, "agreements.csv", "type"),
    ("date_precision", models.DATE_PRECISIONS, "dates.csv", "precision"),
    ("date_role", models.DATE_ROLES, "dates.csv", "role"),
    ("agreement_status", models.AGREEMENT_STATUSES, "agreements.csv", "status"),
]


@pytest.mark.parametrize(("kind", "codes", "table", "column"), VOCABULARIES)
def test_every_code_has_its_french_label_and_is_what_the_schema_allows(kind, codes, table, column):
    assert tuple(models.FRENCH_LABELS[kind]) == codes
    (field,) = [f for f in tables.TABLES[table] if f["name"] == column]
    assert field["constraints"]["enum"] == list(codes)


def test_the_code_tuples_are_the_literal_types():
    assert get_args(models.AgreementType) == models.AGREEMENT_TYPES
    assert get_args(models.DateRole) == models.DATE_ROLES


def test_the_theme_codes_come_from_the_configuration(config):
    schemas = schema.table_schemas(("a", "b"))
    (code,) = [f for f in schemas["themes.csv"]["fields"] if f["name"] == "code"]
    assert code["constraints"]["enum"] == ["a", "b"]
    shipped = schema.table_schemas(config.resources.themes.codes)["themes.csv"]["fields"]
    assert next(f for f in shipped if f["name"] == "code")["constraints"]["enum"][0] == "nuclear_radioactive"


def test_an_organisation_is_listed_by_its_acronym_else_its_name():
    assert models.Organisation("Union postale universelle", "UPU", ()).short_name() == "UPU"
    assert models.Organisation("Banque mondiale", None, ()).short_name() == "Banque mondiale"
