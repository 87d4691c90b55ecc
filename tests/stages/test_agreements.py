"""Agreements: typed from their cue, one per instrument, with parties, date, status, evidence and offsets.

Each case runs the real pipeline (spaCy French model and dateparser) over a short French text, as the
section body of a partner; see ``extract_partner`` in conftest.py.
"""

import pytest

OMS = "Organisation mondiale de la Santé (OMS)"
SEED_AIEA = (
    "Les relations de travail entre l’OMD et l’AIEA ont conduit ces deux organisations à conclure un Protocole "
    "d’accord (PDA) en mai 1998. Cet accord fournit un cadre pour la promotion de la coopération.Un Protocole "
    "d'accord entre l'OMD et l'AIEA a été signé le 13 mai 1998."
)
SEED_ONUDC = (
    "Le partenariat entre l’Organisation mondiale des douanes (OMD) et l’Office des Nations Unies contre la drogue "
    "et le crime (ONUDC) est fondé sur un Protocole d’accord (PDA) conclu en novembre 1996. L’ONUDC et l’OMD ont "
    "œuvré avec succès ensemble. Un Protocole d'accord entre l'OMD et l'ONUDC a été signé le 18 mars 2010."
)
SEED_DOGS = (
    "Le Comité de contrôle douanier du Ministère des Finances de la République du Kazakhstan et l’administration "
    "des douanes de la République tchèque ont conclu chacun un Protocole d’accord avec l’OMD aux fins de la "
    "création de Centres régionaux de dressage de chiens de l’OMD."
)
KAZAKH = "Comité de contrôle douanier du Ministère des Finances de la République du Kazakhstan"
CZECH = "Administration des douanes de la République tchèque"



def agreements(extract_partner, heading, text):
    partner = extract_partner(heading, text)
    for a in partner.agreements:
        assert text[a.start:a.end] == a.label, a  # the label is the cue as written, where it stands
        assert a.evidence in text, a
        lo = text.index(a.evidence)
        assert lo <= a.start and a.end <= lo + len(a.evidence), a  # the evidence is the cue's sentence
    return partner.agreements


# (cue as written, with its article, type)
TYPES = [
    pytest.param("un Protocole d’accord", "memorandum_of_understanding", id="protocole-d-accord"),
    pytest.param("un protocole d'accord", "memorandum_of_understanding", id="lowercase"),
    pytest.param("un PDA", "memorandum_of_understanding", id="pda"),
    pytest.param("un Mémorandum d'accord", "memorandum_of_understanding", id="memorandum"),
    pytest.param("un memorandum d’accord", "memorandum_of_understanding", id="memorandum-no-accent"),
    pytest.param("un Protocole d'entente", "memorandum_of_understanding", id="protocole-d-entente"),
    pytest.param("un MoU", "memorandum_of_understanding", id="mou"),
    pytest.param("un Accord de coopération", "cooperation_agreement", id="accord-de-cooperation"),
    pytest.param("un Accord-cadre de coopération", "cooperation_agreement", id="accord-cadre"),
    pytest.param("un Accord de partenariat", "cooperation_agreement", id="accord-de-partenariat"),
    pytest.param("une Lettre d'intention", "letter_of_intent", id="lettre-d-intention"),
    pytest.param("une Lettre d’entente", "letter_of_intent", id="lettre-d-entente"),
    pytest.param("une Déclaration commune", "agreement", id="declaration-commune"),
    pytest.param("un Arrangement", "agreement", id="arrangement"),
    pytest.param("un accord", "agreement", id="accord"),
]


@pytest.mark.parametrize(("cue", "kind"), TYPES)
def test_type_from_cue(extract_partner, cue, kind):
    text = f"L’OMD et l’OMS ont signé {cue} le 3 mars 2005."
    found = agreements(extract_partner, OMS, text)
    assert len(found) == 1, found
    a = found[0]
    label = cue.split(" ", 1)[1]
    assert (a.type, a.label, a.parties) == (kind, label, ("OMD", "OMS"))
    assert (a.date, a.date_precision, a.date_text) == ("2005-03-03", "day", "le 3 mars 2005")
    assert a.status == "signed"
    assert a.evidence == text


def test_label_keeps_the_acronym_that_follows_the_cue(extract_partner):
    text = "L’OMD et l’OMS ont conclu un Protocole d’accord (PDA) en 2003."
    (a,) = agreements(extract_partner, OMS, text)
    assert (a.type, a.label, a.date, a.status) == ("memorandum_of_understanding", "Protocole d’accord (PDA)",
                                                   "2003", "concluded")


# (heading, text, [(type, date, precision)] in order): mentions of one instrument are merged, the more
# precise date wins; contradicting dates are two instruments.
MERGING = [
    pytest.param("Agence Internationale de l’energie Atomique (AIEA)", SEED_AIEA,
                 [("memorandum_of_understanding", "1998-05-13", "day")], id="seed-month-then-day"),
    pytest.param(OMS, "Un Protocole d'accord entre l'OMD et l'OMS a été signé le 13 mai 1998. Les deux organisations "
                 "avaient conclu ce Protocole d'accord en mai 1998.",
                 [("memorandum_of_understanding", "1998-05-13", "day")], id="day-then-month"),
    pytest.param(OMS, "L’OMD et l’OMS ont conclu un Protocole d’accord. Un Protocole d'accord entre l'OMD et l'OMS a "
                 "été signé en 2002.", [("memorandum_of_understanding", "2002", "year")], id="undated-then-dated"),
    pytest.param("Office des Nations Unies contre la drogue et le crime (ONUDC)", SEED_ONUDC,
                 [("memorandum_of_understanding", "1996-11", "month"),
                  ("memorandum_of_understanding", "2010-03-18", "day")], id="seed-1996-vs-2010"),
    pytest.param(OMS, "L'OMD et l'OMS ont signé un Protocole d'accord en 1996. Un Protocole d'accord entre l'OMD et "
                 "l'OMS a été signé en 2010.",
                 [("memorandum_of_understanding", "1996", "year"), ("memorandum_of_understanding", "2010", "year")],
                 id="1996-vs-2010"),
    pytest.param(OMS, "L'OMD et l'OMS ont signé deux Protocoles d'accord, le premier en 1999 et le second le 19 juin "
                 "2014.", [("memorandum_of_understanding", "1999", "year"),
                           ("memorandum_of_understanding", "2014-06-19", "day")], id="deux-protocoles"),
    pytest.param(OMS, "L'OMD et l'OMS ont signé un accord de coopération en 2005 et une déclaration commune en 2010.",
                 [("cooperation_agreement", "2005", "year"), ("agreement", "2010", "year")], id="two-types"),
]


@pytest.mark.parametrize(("heading", "text", "expected"), MERGING)
def test_one_agreement_per_instrument(extract_partner, heading, text, expected):
    found = agreements(extract_partner, heading, text)
    assert [(a.type, a.date, a.date_precision) for a in found] == expected


def test_merged_agreement_keeps_the_day_and_the_signature(extract_partner):
    (a,) = agreements(extract_partner, "Agence Internationale de l’energie Atomique (AIEA)", SEED_AIEA)
    assert a.parties == ("OMD", "AIEA")
    assert a.label == "Protocole d’accord (PDA)"
    assert a.date_text == "le 13 mai 1998"
    assert a.status == "signed"


# (heading, text, the parties of each agreement, in order)
PARTIES = [
    pytest.param("Centres régionaux de dressage de chiens de l’OMD", SEED_DOGS,
                 [{KAZAKH, "OMD"}, {CZECH, "OMD"}], id="chacun-two-agreements"),
    pytest.param("INTERPOL", "Le Secrétariat de l’OMD et l’INTERPOL travaillent ensemble. Les deux Secrétariats ont "
                 "conclu un Protocole d’accord en 2003.", [{"OMD", "INTERPOL"}], id="les-deux-secretariats"),
    pytest.param("Secrétariat de la CITES (CITES)", "L’OMD entretient depuis longtemps des relations de travail "
                 "avec le Secrétariat de la CITES. Cette Convention repose sur le Protocole d’accord que les deux "
                 "organisations ont conclu en 1996.", [{"OMD", "CITES"}], id="les-deux-organisations"),
    pytest.param("Banque mondiale", "L'OMD et la Banque mondiale coopèrent depuis 2000. Les deux organisations ont "
                 "signé un Accord de coopération en 2009.", [{"OMD", "Banque mondiale"}],
                 id="les-deux-organisations-no-acronym"),
    pytest.param("Union africaine (UA)",
                 "Un Accord de coopération a été signé entre l'OMD et l'Union africaine en 2010.",
                 [{"OMD", "UA"}], id="entre-after-cue"),
    pytest.param("Organe international de contrôle des stupéfiants (OICS)", "Un Protocole d'accord a été signé le 12 "
                 "avril 2012 entre l'OMD et l'OICS.", [{"OMD", "OICS"}], id="entre-after-date"),
    pytest.param("Observatoire européen des drogues et des toxicomanies (OEDT)", "En 2007, l’OEDT a conclu un "
                 "Protocole d’accord avec l’OMD visant à intensifier la lutte contre la drogue.",
                 [{"OEDT", "OMD"}], id="avec"),
    pytest.param(OMS, "L’Organisation mondiale des douanes (OMD) et l’OMS ont signé une déclaration commune en 2014.",
                 [{"OMD", "OMS"}], id="long-name-subject"),
]


@pytest.mark.parametrize(("heading", "text", "parties"), PARTIES)
def test_parties(extract_partner, heading, text, parties):
    found = agreements(extract_partner, heading, text)
    assert [set(a.parties) for a in found] == parties
    assert all(len(a.parties) == len(set(a.parties)) for a in found)


def test_each_administration_has_its_own_agreement(extract_partner):
    found = agreements(extract_partner, "Centres régionaux de dressage de chiens de l’OMD", SEED_DOGS)
    assert [a.type for a in found] == ["memorandum_of_understanding"] * 2
    assert all(a.status == "concluded" and a.date is None for a in found)


# (heading, text): no agreement at all
NOT_AGREEMENTS = [
    pytest.param(OMS, "La Convention-cadre de l’OMS pour la lutte antitabac a été signée en 2003 par de nombreux pays.",
                 id="convention"),
    pytest.param(OMS, "La Convention de Kyoto révisée a été signée par de nombreux Membres de l'OMD.", id="kyoto"),
    pytest.param("Comité contre le terrorisme (CCT)", "La Résolution 1373 du Conseil de sécurité a été adoptée en "
                 "2001 et signée par les États.", id="resolution"),
    pytest.param("Programme des Nations Unies pour l’environnement (PNUE)", "L'OMD a signé en 2005 un Programme de "
                 "travail conjoint avec le PNUE.", id="programme"),
    pytest.param("Programme des Nations Unies pour l’environnement (PNUE)", "L'OMD et le PNUE ont décidé d'un commun "
                 "accord de signer le document.", id="d-un-commun-accord"),
    pytest.param("Programme des Nations Unies pour l’environnement (PNUE)", "L'OMD agit en accord avec le PNUE et a "
                 "signé le document.", id="en-accord-avec"),
    pytest.param("Programme des Nations Unies pour l’environnement (PNUE)", "Les fonctionnaires sont sensibilisés aux "
                 "Accords multilatéraux sur l’environnement (AME) signés par les pays.", id="accords-multilateraux"),
    pytest.param("Union africaine (UA)", "L'OMD soutient l'Accord portant création de la ZLECAf, signé en 2018.",
                 id="accord-portant-creation"),
    pytest.param("Organisation mondiale du commerce (OMC)", "L'OMD aide ses Membres à mettre en œuvre l'Accord sur la "
                 "facilitation des échanges de l'OMC, conclu en 2013.", id="accord-sur"),
    pytest.param(OMS, "L'OMD soutient la mise en œuvre de l'Accord de Paris sur le climat, signé en 2015.",
                 id="accord-de-paris"),
]


@pytest.mark.parametrize(("heading", "text"), NOT_AGREEMENTS)
def test_not_agreements(extract_partner, heading, text):
    assert agreements(extract_partner, heading, text) == ()


# (text, status)
STATUS = [
    pytest.param("Un Protocole d'accord entre l'OMD et l'OMS a été signé le 13 mai 1998.", "signed", id="a-ete-signe"),
    pytest.param("L’OMD et l’OMS ont conclu un Protocole d’accord en 2003.", "concluded", id="ont-conclu"),
    pytest.param("La coopération repose sur un Protocole d’accord entre l’OMD et l’OMS.", "mentioned", id="mentioned"),
]


@pytest.mark.parametrize(("text", "status"), STATUS)
def test_status(extract_partner, text, status):
    (a,) = agreements(extract_partner, OMS, text)
    assert a.status == status
    assert a.evidence == text


def test_evidence_is_the_sentence_of_the_cue(extract_partner):
    text = ("L’OMD et l’OMS collaborent sur tout un éventail de questions. Un Protocole d'accord entre l'OMD et l'OMS "
            "a été signé en 2002. Les deux organisations se réunissent chaque année.")
    (a,) = agreements(extract_partner, OMS, text)
    assert a.evidence == "Un Protocole d'accord entre l'OMD et l'OMS a été signé en 2002."
    assert (a.start, a.end) == (text.index("Protocole"), text.index("Protocole") + len("Protocole d'accord"))


@pytest.mark.parametrize(("line", "date", "precision"), [
    ("Bruxelles, le 9 octobre 2019 –", "2019-10-09", "day"),
    ("07/11/2022", "2022-11-07", "day"),
    (None, None, None),  # nothing dates "aujourd'hui": no date is borrowed
])
def test_signed_today_takes_the_publication_date(extract_partner, line, date, precision):
    text = "L’OMD et l’Alliance des chambres de commerce (ACC) ont signé aujourd’hui un Protocole d’accord."
    partner = extract_partner("À propos de l’ACC", text, published_text=line)
    (agreement,) = partner.agreements
    assert (agreement.date, agreement.date_precision) == (date, precision)
    assert agreement.date_text == ("aujourd’hui" if date else None)


# Instruments as the SPEC words them: (heading, text, [(type, date, status)]).
WORDING = [
    pytest.param("Agence (AX)", "L’Agence (AX) a signé avec l’OMD un accord de financement le 3 avril 2019.",
                 [("agreement", "2019-04-03", "signed")], id="funding"),
    pytest.param("Agence (AX)", "Un arrangement administratif a été conclu entre l’AX et l’OMD en 2020.",
                 [("agreement", "2020", "concluded")], id="administrative arrangement"),
    pytest.param("Agence (AX)", "L’AX et l’OMD ont signé le 8 novembre 2022 un Accord de coopération qui remplace "
                 "celui de 2009.", [("cooperation_agreement", "2022-11-08", "signed"),
                                    ("cooperation_agreement", "2009", "mentioned")], id="replaces an earlier one"),
    pytest.param("Agence (AX)", "L’AX a signé un Protocole d’accord avec l’OMD le 5 mai 2016 ; un avenant du 28 "
                 "février 2020 l’a prolongé jusqu’en 2023.", [("memorandum_of_understanding", "2016-05-05", "signed")],
                 id="an avenant is no new instrument"),
    pytest.param("Agence (AX)", "L’AX a signé un Protocole d’accord avec l’OMD en 2017, puis un accord de mise en "
                 "œuvre l’année suivante.", [("memorandum_of_understanding", "2017", "signed"),
                                             ("agreement", None, "signed")], id="dated only relatively"),
    pytest.param("Agence (AX)", "L’AX et l’OMD négocient depuis avril 2023 un Protocole d’accord.",
                 [("memorandum_of_understanding", None, "pending")], id="under negotiation"),
    pytest.param("Agence (AX)", "L’AX et l’OMD n’ont pas conclu d’accord formel en 2019.", [], id="denied"),
    pytest.param("Agence (AX)", "Accord : Protocole d’accord avec l’OMD signé le 12 mars 2015.",
                 [("memorandum_of_understanding", "2015-03-12", "signed")], id="a label is no instrument"),
]


@pytest.mark.parametrize(("heading", "text", "expected"), WORDING)
def test_instruments_in_every_wording(extract_partner, heading, text, expected):
    found = agreements(extract_partner, heading, text)
    assert [(a.type, a.date, a.status) for a in found] == expected


# Parties are organisations: (heading, text, parties of the one agreement).
PARTIES_OF_HEADLINES = [
    pytest.param("Brésil", "La Receita Federal et l’Administration des douanes du Portugal ont signé une Lettre "
                 "d’intention en 2019.", ("Receita Federal", "Administration des douanes du Portugal"),
                 id="a country heading is no party"),
    pytest.param("Un nouvel accord pour la formation", "L’Agence tchèque de développement (Czechaid) a rejoint le "
                 "programme de l’OMD. Les deux organisations ont signé un Protocole d’accord en 2021.",
                 ("OMD", "Czechaid"), id="'les deux organisations' under a headline"),
    pytest.param("Moldavie", "L’Administration des douanes de Moldavie a signé un Protocole d’accord en 2018.",
                 ("Administration des douanes de Moldavie",), id="no OMD where the section never names it"),
    pytest.param("Agence (AX)", "Un accord de financement a été signé entre l’AX, la Banque andine de "
                 "développement et l’OMD en 2020.", ("AX", "Banque andine de développement", "OMD"),
                 id="three parties"),
]


@pytest.mark.parametrize(("heading", "text", "parties"), PARTIES_OF_HEADLINES)
def test_parties_are_organisations(extract_partner, heading, text, parties):
    (agreement,) = agreements(extract_partner, heading, text)
    assert agreement.parties == parties


def test_signed_today_wins_over_the_other_dates_of_its_sentence(extract_partner):
    text = ("L’Union des transitaires du Levant (UTL) et l’OMD signent aujourd’hui une Lettre d’intention, au terme "
            "d’un atelier organisé les 14 et 15 mars 2022 à Beyrouth.")
    partner = extract_partner("À propos de l’UTL", text, published_text="Beyrouth, le 16 mars 2022 –")
    (agreement,) = partner.agreements
    assert (agreement.date, agreement.date_text) == ("2022-03-16", "aujourd’hui")


def test_today_dates_only_an_instrument_signed_today(extract_partner):
    text = "Le Protocole d’accord signé en 2010 entre l’UTL et l’OMD est toujours en vigueur aujourd’hui."
    partner = extract_partner("À propos de l’UTL", text, published_text="Beyrouth, le 16 mars 2022 –")
    (agreement,) = partner.agreements
    assert agreement.date == "2010"
