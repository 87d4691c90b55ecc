"""The one-row-per-agreement view: the partner as a body, its counterparts, a numeric year, and evidence
in which the date stands, in CSV, in the schema and in the workbook."""

import csv
import io

import pytest
from conftest import SEED

from pipeline.analysis import run
from pipeline.models import Agreement, Mention, Organisation, Partner, RawPage
from pipeline.outputs import rows, schema, tables, writing
from pipeline.outputs.agreement_list import dated_evidence, identify
from pipeline.stages.sections import read_documents

AIEA_TEXT = ("Les deux organisations ont conclu un Protocole d’accord (PDA) en mai 1998. Cet accord fournit un "
             "cadre.Un Protocole d'accord entre l'OMD et l'AIEA a été signé le 13 mai 1998.")


def _agreement(text, evidence, date_text, label="Protocole d’accord"):
    start = text.index(label) if label in text else 0
    return Agreement("memorandum_of_understanding", label, ("OMD", "AIEA"), "1998-05-13" if date_text else None,
                     "day" if date_text else None, date_text, "signed", evidence, start, start + len(label))


@pytest.mark.parametrize(("text", "evidence", "date_text", "expected"), [
    # the date is in the agreement's sentence: as it is
    ("L’OMD et l’AIEA ont signé un Protocole d’accord le 13 mai 1998. Il porte sur les matières.",
     "L’OMD et l’AIEA ont signé un Protocole d’accord le 13 mai 1998.", "le 13 mai 1998",
     "L’OMD et l’AIEA ont signé un Protocole d’accord le 13 mai 1998."),
    # undated: as it is
    ("L’OMD et l’AIEA ont conclu un Protocole d’accord. Il porte sur les matières.",
     "L’OMD et l’AIEA ont conclu un Protocole d’accord.", None, "L’OMD et l’AIEA ont conclu un Protocole d’accord."),
    # dated from the next sentence: both, side by side
    ("En 2007, l’OEDT a conclu un Protocole d’accord avec l’OMD. Il a été signé le 12 janvier 2007. Fin.",
     "En 2007, l’OEDT a conclu un Protocole d’accord avec l’OMD.", "le 12 janvier 2007",
     "En 2007, l’OEDT a conclu un Protocole d’accord avec l’OMD. Il a été signé le 12 janvier 2007."),
    # dated from a later sentence, text between (and no space after the full stop: pages copied together)
    (AIEA_TEXT, "Les deux organisations ont conclu un Protocole d’accord (PDA) en mai 1998.", "le 13 mai 1998",
     "Les deux organisations ont conclu un Protocole d’accord (PDA) en mai 1998. […] Un Protocole d'accord entre "
     "l'OMD et l'AIEA a été signé le 13 mai 1998."),
    # dated from an earlier sentence
    ("Le 3 mars 2015, les deux organisations se sont réunies. Elles ont signé un Protocole d’accord à Genève.",
     "Elles ont signé un Protocole d’accord à Genève.", "Le 3 mars 2015",
     "Le 3 mars 2015, les deux organisations se sont réunies. Elles ont signé un Protocole d’accord à Genève."),
    # a long sentence before it (read back past the first window)
    ("Intro. Le 3 mars 2015, " + "les organisations se sont réunies " * 20 + "à Genève. Elles ont signé un "
     "Protocole d’accord.", "Elles ont signé un Protocole d’accord.", "Le 3 mars 2015",
     "Le 3 mars 2015, " + "les organisations se sont réunies " * 20 + "à Genève. Elles ont signé un Protocole "
     "d’accord."),
    # the date written nearest: here after, not before
    ("Vu en 2002 par beaucoup de gens, longtemps. Puis un Protocole d’accord fut rédigé. Signé en 2002. Fin.",
     "Puis un Protocole d’accord fut rédigé.", "en 2002", "Puis un Protocole d’accord fut rédigé. Signé en 2002."),
    ("Vu en 2002. Puis un Protocole d’accord fut rédigé, puis relu, puis discuté. Il fut signé en 2002. Fin.",
     "Puis un Protocole d’accord fut rédigé, puis relu, puis discuté.", "en 2002",
     "Vu en 2002. Puis un Protocole d’accord fut rédigé, puis relu, puis discuté."),
    # an acronym ends a sentence, a lone capital does not ("M. Kunio")
    ("Un Protocole d’accord lie l’OMD et l’AIEA. Il a été signé par M. Kunio en 2002 à Vienne. Fin.",
     "Un Protocole d’accord lie l’OMD et l’AIEA.", "en 2002",
     "Un Protocole d’accord lie l’OMD et l’AIEA. Il a été signé par M. Kunio en 2002 à Vienne."),
])
def test_the_evidence_shows_the_date(text, evidence, date_text, expected):
    assert dated_evidence(text, _agreement(text, evidence, date_text)) == expected


def _org(name, acronym, *mentions):
    return Organisation(name, acronym, tuple(Mention(m, 0, len(m)) for m in mentions), "gazetteer")


ORGS = (
    _org("Organisation mondiale des douanes", "OMD", "l’OMD"),
    _org("Organisation internationale de police criminelle", "INTERPOL", "l’INTERPOL"),
    _org("Conseil international des musées", "ICOM", "l’ICOM"),
    _org("Secrétariat de la Convention sur le commerce international des espèces de faune et de flore sauvages "
         "menacées d'extinction", "CITES", "Secrétariat de la CITES"),
    _org("Centres régionaux de dressage de chiens de l’OMD", None, "Centres régionaux de dressage de chiens de l’OMD"),
)


@pytest.mark.parametrize(("name", "acronym", "parties", "expected"), [
    # the heading's acronym: the gazetteer's name ("Organisation internationale des musées (ICOM)")
    ("Organisation internationale des musées", "ICOM", ("OMD", "ICOM"), ("Conseil international des musées", "ICOM",
                                                                         ["OMD"])),
    # the heading is the body's acronym, without parentheses
    ("INTERPOL", None, ("INTERPOL", "OMD"), ("Organisation internationale de police criminelle", "INTERPOL", ["OMD"])),
    # the heading is how the text names the body
    ("Secrétariat de la CITES", None, ("OMD", "CITES"), (ORGS[3].name, "CITES", ["OMD"])),
    # a body with no acronym; an acronym inside its name is not the partner
    ("Centres régionaux de dressage de chiens de l’OMD", None, ("Comité de contrôle douanier", "OMD"),
     ("Centres régionaux de dressage de chiens de l’OMD", None, ["Comité de contrôle douanier", "OMD"])),
    # a heading that names none of the bodies: as written; every party is a counterpart
    ("Institutions de l’Union européenne", None, ("OMD", "OLAF"), ("Institutions de l’Union européenne", None,
                                                                    ["OMD", "OLAF"])),
    # a heading's acronym no body of the section has: as written, and never its own counterpart
    ("Union postale universelle", "UPU", ("OMD", "UPU"), ("Union postale universelle", "UPU", ["OMD"])),
])
def test_the_partner_is_the_body_its_heading_names_and_the_counterparts_the_others(name, acronym, parties, expected):
    partner = Partner("p", "p.txt", 1, name, name, acronym, "x", "0" * 64, organisations=ORGS)
    who = identify(partner)
    assert (who.name, who.acronym, who.counterparts(parties)) == expected


@pytest.fixture(scope="module")
def seed_files(analyser):
    documents, _ = read_documents([RawPage("omd_partenaires_fr.txt", SEED.read_bytes())], analyser.config.resources)
    result = run(documents, analyser)
    return result, writing.render(result, analyser.config, ("csv",))


def test_the_seed_lists_one_row_per_agreement_each_with_its_date_in_its_evidence(seed_files):
    result, files = seed_files
    listed = list(csv.DictReader(io.StringIO(files["agreement_list.csv"].decode("utf-8-sig"))))
    agreements = [a for p in result.partners for a in p.agreements]
    assert len(listed) == len(agreements) == 15
    assert list(listed[0]) == list(tables.COLUMNS["agreement_list.csv"])
    for row, agreement in zip(listed, agreements, strict=True):
        assert (row["type"], row["date"], row["status"]) == (agreement.type, agreement.date or "", agreement.status)
        assert row["year"] == (agreement.date[:4] if agreement.date else "")
        assert agreement.date_text is None or agreement.date_text in row["evidence"], row
    aiea = listed[0]
    assert (aiea["partner"], aiea["partner_acronym"], aiea["counterparts"]) == (
        "Agence internationale de l’énergie atomique", "AIEA", "OMD")
    assert aiea["evidence"].endswith("en mai 1998. […] Un Protocole d'accord entre l'OMD et l'AIEA a été signé le "
                                     "13 mai 1998.")


def test_the_view_is_described_and_checked_like_the_others(config, seed_files):
    _, files = seed_files
    fields = {f["name"]: f for f in tables.TABLES["agreement_list.csv"]}
    assert fields["year"]["type"] == "integer" and fields["date"]["constraints"]["pattern"] == tables.PARTIAL_DATE
    table = rows.rows(seed_files[0])
    schema.validate(table, config.resources.themes.codes)
    table["agreement_list.csv"][0]["year"] = "1998"
    with pytest.raises(schema.SchemaError, match="agreement_list.csv row 1: year must be integer"):
        schema.validate(table, config.resources.themes.codes)
