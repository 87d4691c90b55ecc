"""The vocabularies: defined once in models.py, named in French for the report, allowed by the schema."""

import pytest

from pipeline import models
from pipeline.outputs import schema, tables

VOCABULARIES = [
    ("agreement_type", models.AGREEMENT_TYPES, "agreements.csv", "type"),
    ("date_precision", models.DATE_PRECISIONS, "dates.csv", "precision"),
    ("date_role", models.DATE_ROLES, "dates.csv", "role"),
    ("agreement_status", models.AGREEMENT_STATUSES, "agreements.csv", "status"),
    ("agreement_type", models.AGREEMENT_TYPES, "agreement_list.csv", "type"),
    ("agreement_status", models.AGREEMENT_STATUSES, "agreement_list.csv", "status"),
    ("organisation_source", models.ORGANISATION_SOURCES, "organisations.csv", "found_by"),
]


@pytest.mark.parametrize(("kind", "codes", "table", "column"), VOCABULARIES)
def test_every_code_has_its_french_label_and_the_schema_allows_it_and_nothing_else(config, kind, codes, table,
                                                                                    column):
    assert tuple(models.FRENCH_LABELS[kind]) == codes
    (field,) = [f for f in tables.TABLES[table] if f["name"] == column]
    assert field["constraints"]["enum"] == list(codes)
    values = {"source": "p.txt", "partner_id": "p", "type": "agreement", "label": "x", "status": "signed",
              "evidence": "x", "text": "x", "value": "2001", "precision": "year", "role": "event", "name": "x",
              "n_mentions": 1, "mentions": "x", "partner": "x"}
    row = {name: values.get(name) for name in tables.COLUMNS[table]}
    partner = dict.fromkeys(tables.COLUMNS["partners.csv"])
    partner.update(source="p.txt", partner_id="p", section_index=1, heading="h", name="h", n_organisations=0,
                   n_agreements=0, n_dates=0, n_themes=0, text_sha256="0" * 64, text="x")
    themes = config.resources.themes.codes
    for code in codes:
        schema.validate({"partners.csv": [partner], table: [{**row, column: code}]}, themes)
    with pytest.raises(schema.SchemaError, match=f"{column} must be one of"):
        schema.validate({"partners.csv": [partner], table: [{**row, column: "not_a_code"}]}, themes)


def test_the_theme_codes_come_from_the_configuration(config):
    schemas = schema.table_schemas(("a", "b"))
    (code,) = [f for f in schemas["themes.csv"]["fields"] if f["name"] == "code"]
    assert code["constraints"]["enum"] == ["a", "b"]
    shipped = schema.table_schemas(config.resources.themes.codes)["themes.csv"]["fields"]
    assert next(f for f in shipped if f["name"] == "code")["constraints"]["enum"][0] == "nuclear_radioactive"


def test_an_organisation_is_listed_by_its_acronym_else_its_name():
    assert models.Organisation("Union postale universelle", "UPU", ()).short_name() == "UPU"
    assert models.Organisation("Banque mondiale", None, ()).short_name() == "Banque mondiale"
