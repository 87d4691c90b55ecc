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
              "n_mentions": 1, "mentions": "x", "is_partner": False, "partner": "x"}
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


def _org(name, acronym=None, *mentions):
    return models.Organisation(name, acronym, tuple(models.Mention(m, 0, len(m)) for m in mentions or (name,)))


OMD = _org("Organisation mondiale des douanes", "OMD", "l’OMD")


# Issue 14: nothing linked a partner to the organisation row that is that partner.
@pytest.mark.parametrize(("heading_name", "acronym", "orgs", "expected"), [
    ("Agence internationale (AIEA)", "AIEA", [OMD, _org("Agence internationale de l’énergie atomique", "AIEA")], 1),
    ("Europol", None, [OMD, _org("Agence de l’Union européenne pour la coopération", "Europol", "Europol")], 1),
    ("Secrétariat de la CITES", None, [OMD, _org("Convention sur le commerce international", "CITES",
                                                 "le Secrétariat de la CITES")], 1),
    ("Centres régionaux de dressage de chiens de l’OMD", None,
     [_org("Centres régionaux de dressage de chiens de l’OMD"), OMD], 0),
    ("Brésil", None, [OMD, _org("Receita Federal do Brasil", "RFB")], None),  # a country is no body
    ("Guinée", None, [OMD, _org("Douanes de Papouasie-Nouvelle-Guinée", None,
                                "les douanes de Papouasie-Nouvelle-Guinée")], None),  # nor the end of a word
])
def test_the_partner_is_the_organisation_its_heading_names(heading_name, acronym, orgs, expected):
    partner = models.Partner("p", "p.txt", 1, heading_name, heading_name, acronym, "", "", organisations=tuple(orgs))
    assert partner.organisation() is (None if expected is None else orgs[expected])
