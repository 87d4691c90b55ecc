"""Themes: every theme of the controlled vocabulary from a typical sentence, matched on lemmas, with the
cue kept as written as evidence; cues inside an organisation's name or a place name do not count.

Each case runs the real pipeline (spaCy French model) over a short French text, as the section body of
a partner; see ``extract_partner`` in conftest.py.
"""

import pytest

HEADING = "Test"



def found(extract_partner, text, heading=HEADING):
    partner = extract_partner(heading, text)
    out = {}
    for theme in partner.themes:
        assert theme.code not in out, theme  # one entry per theme
        assert theme.evidence, theme
        for phrase in theme.evidence:
            assert phrase in text, (theme.code, phrase)  # evidence as written
        out[theme.code] = theme
    return out


# (text, theme code, one cue phrase of its evidence, exactly as written in the text)
THEMES = [
    pytest.param("L'OMD lutte contre le trafic de matières nucléaires et radioactives.", "nuclear_radioactive",
                 "matières nucléaires", id="nuclear"),
    pytest.param("Les stupéfiants et la toxicomanie sont au cœur de ce travail.", "drugs", "stupéfiants", id="drugs"),
    pytest.param("Le contrôle des précurseurs chimiques est renforcé.", "drugs", "précurseurs chimiques",
                 id="drugs-precursors"),
    pytest.param("La CITES protège les espèces menacées d’extinction.", "wildlife", "espèces menacées", id="wildlife"),
    pytest.param("La Convention protège la faune et la flore sauvages.", "wildlife", "faune", id="wildlife-fauna"),
    pytest.param("Les saisies d’ivoire effectuées dans le monde entier ont augmenté.", "wildlife", "ivoire",
                 id="wildlife-ivory"),
    pytest.param("La lutte contre les délits environnementaux est une priorité.", "environment",
                 "délits environnementaux", id="environment"),
    pytest.param("Ces substances appauvrissent la couche d’ozone.", "environment", "couche d’ozone",
                 id="environment-ozone"),
    pytest.param("L’OMD est un partenaire actif de l’initiative des Douanes vertes.", "environment", "Douanes vertes",
                 id="environment-green-customs"),
    pytest.param("Il faut lutter contre le trafic illicite de biens culturels.", "cultural_heritage", "biens culturels",
                 id="cultural-goods"),
    pytest.param("La protection du patrimoine culturel concerne aussi les musées.", "cultural_heritage", "musées",
                 id="cultural-museums"),
    pytest.param("La protection de la propriété intellectuelle est essentielle.", "intellectual_property",
                 "propriété intellectuelle", id="ip"),
    pytest.param("Les atteintes aux DPI sont nombreuses.", "intellectual_property", "DPI", id="ip-acronym"),
    pytest.param("Les médicaments contrefaits sont dangereux.", "intellectual_property", "contrefaits",
                 id="ip-counterfeit"),
    pytest.param("La douane lutte contre le blanchiment d’argent.", "money_laundering", "blanchiment d’argent",
                 id="money-laundering"),
    pytest.param("La lutte contre le terrorisme passe par la sécurité des frontières.", "terrorism_security",
                 "sécurité des frontières", id="terrorism"),
    pytest.param("La santé publique est menacée par les produits dangereux.", "public_health", "santé publique",
                 id="public-health"),
    pytest.param("Les faux médicaments circulent.", "public_health", "médicaments", id="public-health-medicines"),
    pytest.param("Le commerce illicite du tabac et des cigarettes augmente.", "tobacco", "cigarettes", id="tobacco"),
    pytest.param("La lutte contre la criminalité organisée est une priorité.", "organised_crime",
                 "criminalité organisée", id="organised-crime"),
    pytest.param("La délinquance transfrontalière, la contrebande et les armes légères sont visées.", "organised_crime",
                 "armes légères", id="organised-crime-arms"),
    pytest.param("La lutte contre la fraude est renforcée.", "fraud", "fraude", id="fraud"),
    pytest.param("Des séminaires et des ateliers ont été organisés.", "capacity_building", "séminaires",
                 id="capacity-seminars"),
    pytest.param("L’OMD veut sensibiliser les fonctionnaires des douanes.", "capacity_building", "sensibiliser",
                 id="capacity-sensibiliser"),
    pytest.param("Le dressage des chiens est assuré par les centres régionaux.", "capacity_building", "dressage",
                 id="capacity-dog-training"),
    pytest.param("L’assistance technique et le renforcement des capacités sont au programme.", "capacity_building",
                 "renforcement des capacités", id="capacity-building"),
    pytest.param("La facilitation du commerce passe par le guichet unique.", "trade_facilitation",
                 "facilitation du commerce", id="trade-facilitation"),
    pytest.param("La simplification des procédures accélère la mainlevée.", "trade_facilitation", "mainlevée",
                 id="trade-facilitation-release"),
    pytest.param("L’échange d’informations entre les services est quotidien.", "information_exchange",
                 "échange d’informations", id="information-exchange"),
    pytest.param("Les deux organisations ont lancé un projet d’échange de données.", "information_exchange",
                 "échange de données", id="data-exchange"),
    pytest.param("Ce Protocole prévoit l’échange de renseignements entre les autorités.", "information_exchange",
                 "échange de renseignements", id="intelligence-exchange"),
    pytest.param("L’OMD lutte contre le trafic illicite de matières dangereuses.", "illicit_trafficking",
                 "trafic illicite", id="illicit-trafficking"),
    pytest.param("Le commerce illicite est en hausse.", "illicit_trafficking", "commerce illicite",
                 id="illicit-trade"),
    pytest.param("Le contrôle des conteneurs est renforcé.", "supply_chain_security", "conteneurs",
                 id="containers"),
    pytest.param("Le cadre de normes vise à sécuriser la chaîne logistique.", "supply_chain_security",
                 "chaîne logistique", id="supply-chain"),
    # lemmas: plural, singular, conjugated verbs, capitals, typographic and straight apostrophes
    pytest.param("Les trafics illicites de cigarettes augmentent.", "illicit_trafficking", "trafics illicites",
                 id="plural"),
    pytest.param("Une espèce menacée a été saisie.", "wildlife", "espèce menacée", id="singular"),
    pytest.param("Les deux organisations sensibilisent les agents.", "capacity_building", "sensibilisent",
                 id="conjugated"),
    pytest.param("Les chiens sont dressés et formés à Almaty.", "capacity_building", "dressés", id="participle"),
    pytest.param("Contrebande de cigarettes : les saisies augmentent.", "organised_crime", "Contrebande",
                 id="capital-sentence-start"),
    pytest.param("Le Trafic Illicite de Biens Culturels.", "cultural_heritage", "Biens Culturels", id="title-case"),
    pytest.param("LA CONTREBANDE DE CIGARETTES ET LE BLANCHIMENT D'ARGENT.", "money_laundering",
                 "BLANCHIMENT D'ARGENT", id="all-capitals"),
    pytest.param("Le blanchiment d'argent est combattu.", "money_laundering", "blanchiment d'argent",
                 id="straight-apostrophe"),
    pytest.param("L’OMD coopère dans le domaine de la Protection de l’Environnement.", "environment", "Environnement",
                 id="capital-mid-sentence"),
]


@pytest.mark.parametrize(("text", "code", "evidence"), THEMES)
def test_theme_from_a_typical_sentence(extract_partner, text, code, evidence):
    got = found(extract_partner, text)
    assert code in got, {c: t.evidence for c, t in got.items()}
    assert evidence in got[code].evidence


def test_every_theme_of_the_vocabulary_is_tested(config):
    codes = {p.values[1] for p in THEMES}
    assert codes == set(config.resources.themes.codes)


def test_theme_label_comes_from_the_vocabulary(extract_partner):
    got = found(extract_partner, "La lutte contre le blanchiment d’argent est une priorité.")
    assert got["money_laundering"].label == "Blanchiment d’argent"


def test_evidence_is_listed_once(extract_partner):
    got = found(extract_partner, "La drogue circule. La drogue est saisie. Les drogues de synthèse aussi.")
    evidence = got["drugs"].evidence
    assert len(evidence) == len(set(evidence))
    assert "drogue" in evidence


# (heading, text, theme codes that must not be found)
NOT_THEMES = [
    pytest.param(HEADING, "L’Office des Nations Unies contre la drogue et le crime (ONUDC) coopère avec l’OMD.",
                 {"drugs"}, id="onudc-name"),
    pytest.param(HEADING, "Le partenariat entre l’OMD et l’Office des Nations Unies contre la drogue et le crime est "
                 "ancien.", {"drugs"}, id="onudc-name-no-acronym"),
    pytest.param(HEADING, "L’Observatoire européen des drogues et des toxicomanies (OEDT) est une agence de l’UE.",
                 {"drugs"}, id="oedt-name"),
    pytest.param(HEADING, "L'OMD coopère avec l'Office européen de lutte antifraude (OLAF).", {"fraud"},
                 id="olaf-name"),
    pytest.param(HEADING, "Le Groupe Asie et Pacifique sur le blanchiment d’argent (GAP) coopère avec l’OMD.",
                 {"money_laundering"}, id="gap-name"),
    pytest.param(HEADING, "Le Comité contre le terrorisme coopère avec l'OMD.", {"terrorism_security"}, id="cct-name"),
    pytest.param(HEADING, "L'Organisation mondiale de la propriété intellectuelle (OMPI) et l'OMD coopèrent.",
                 {"intellectual_property"}, id="ompi-name"),
    pytest.param(HEADING, "L'Organisation internationale des musées (ICOM) coopère avec l'OMD.", {"cultural_heritage"},
                 id="icom-name"),
    pytest.param(HEADING, "Le Programme des Nations Unies pour l’environnement (PNUE) coopère avec l'OMD.",
                 {"environment"}, id="pnue-name"),
    pytest.param("Programme des Nations Unies pour l’environnement (PNUE)", "L’OMD et le Programme des Nations Unies "
                 "pour l’environnement (PNUE) ont conclu un Protocole d’accord en 2003.", {"environment"},
                 id="partner-name-in-text"),
    pytest.param(HEADING, "Les chiens sont dressés à Abidjan, en Côte d’Ivoire.", {"wildlife"}, id="cote-d-ivoire"),
    pytest.param(HEADING, "Le Ghana et la Côte d'Ivoire coopèrent.", {"wildlife"}, id="cote-d-ivoire-straight"),
    pytest.param(HEADING, "Les deux organisations veulent faciliter les échanges d’informations.",
                 {"trade_facilitation"}, id="faciliter-les-echanges-d-informations"),
    pytest.param(HEADING, "L'OMD coopère avec le Secrétariat de la CITES.", {"wildlife"}, id="cites-acronym"),
]


@pytest.mark.parametrize(("heading", "text", "absent"), NOT_THEMES)
def test_cues_that_do_not_count(extract_partner, heading, text, absent):
    got = found(extract_partner, text, heading)
    assert not absent & set(got), {c: got[c].evidence for c in absent & set(got)}


def test_facilitating_information_exchange_is_information_exchange(extract_partner):
    got = found(extract_partner, "Les deux organisations veulent faciliter les échanges d’informations.")
    assert set(got) == {"information_exchange"}
    assert got["information_exchange"].evidence == ("échanges d’informations",)


def test_cue_outside_a_name_still_counts(extract_partner):
    text = "L’Office des Nations Unies contre la drogue et le crime (ONUDC) lutte contre le trafic de drogue."
    got = found(extract_partner, text)
    assert "drugs" in got
    name_end = text.index("(ONUDC)")
    assert all(text.find(e, name_end) > 0 for e in got["drugs"].evidence)  # from after the name only
