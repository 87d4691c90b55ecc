"""Dates: every calendar date or year of a text, at the precision written, never filled in, with its role.

Each case runs the real pipeline (spaCy French model and dateparser) over a short French text, as the
section body of a partner; see ``extract_partner`` in conftest.py.
"""

import pytest

from pipeline.stages.dates import Dates

HEADING = "Organisation mondiale de la Santé (OMS)"
LENGTH = {"year": 4, "month": 7, "day": 10}



def found(extract_partner, text):
    partner = extract_partner(HEADING, text)
    for d in partner.dates:
        assert text[d.start:d.end] == d.text, d
        assert d.precision in LENGTH and len(d.value) == LENGTH[d.precision], d  # never filled in
    return [(d.text, d.value, d.precision) for d in partner.dates]


# (text, [(date as written, ISO value, precision)], in text order)
VALUES = [
    pytest.param("Un Protocole d'accord a été signé le 13 mai 1998.",
                 [("13 mai 1998", "1998-05-13", "day")], id="day-month-year"),
    pytest.param("Le Protocole d'accord a été signé le 1er janvier 2000.",
                 [("1er janvier 2000", "2000-01-01", "day")], id="1er"),
    pytest.param("L'accord a pris effet le premier janvier 2000.",
                 [("premier janvier 2000", "2000-01-01", "day")], id="premier"),
    pytest.param("Les deux organisations ont conclu un Protocole d’accord (PDA) en mai 1998.",
                 [("mai 1998", "1998-05", "month")], id="month-year"),
    pytest.param("Un Protocole d'accord entre l'OMD et l'OMS a été signé le 2 Juin 2003.",
                 [("2 Juin 2003", "2003-06-02", "day")], id="capitalised-month"),
    pytest.param("Un Protocole d'accord a été signé en Septembre 2002.",
                 [("Septembre 2002", "2002-09", "month")], id="capitalised-month-year"),
    pytest.param("Un atelier a eu lieu le 12 janv. 2007 à Bruxelles.",
                 [("12 janv. 2007", "2007-01-12", "day")], id="abbreviated-month"),
    pytest.param("Un Protocole d'accord a été signé le 12\u00a0janvier\u00a02007.",
                 [("12\u00a0janvier\u00a02007", "2007-01-12", "day")], id="non-breaking-spaces"),
    pytest.param("Un Protocole d'accord entre l'OMD et l'OMS a été signé en 2002.",
                 [("2002", "2002", "year")], id="en-year"),
    pytest.param("L’OMD a participé depuis 2005 aux travaux de nombreuses équipes pluridisciplinaires.",
                 [("2005", "2005", "year")], id="depuis-year"),
    pytest.param("Le Protocole a été signé à la date du 12/01/2007.",
                 [("12/01/2007", "2007-01-12", "day")], id="a-la-date-du-numeric"),
    pytest.param("Une réunion s'est tenue le 3/03/2019 à Bruxelles.",
                 [("3/03/2019", "2019-03-03", "day")], id="numeric-one-digit-day"),
    pytest.param("Le rapport a été publié le 2018-04-23.",
                 [("2018-04-23", "2018-04-23", "day")], id="iso"),
    pytest.param("Une réunion s'est tenue le 12.01.2007 à Vienne.",
                 [("12.01.2007", "2007-01-12", "day")], id="dotted"),
    pytest.param("Deux accords ont été signés, le 1er mars 2005 et le 3 avril 2006.",
                 [("1er mars 2005", "2005-03-01", "day"), ("3 avril 2006", "2006-04-03", "day")], id="two-days"),
    pytest.param("Les deux Secrétariats ont lancé en novembre 2006 un projet d’échange de données.",
                 [("novembre 2006", "2006-11", "month")], id="month-mid-sentence"),
    pytest.param("La résolution 1540 (2004) du Conseil de sécurité vise les armes de destruction massive.",
                 [("2004", "2004", "year")], id="resolution-number-then-year"),
    pytest.param("L'OMD et l'OMS ont coopéré entre 1998 et 2000.",
                 [("1998", "1998", "year"), ("2000", "2000", "year")], id="two-years"),
    pytest.param("Les 1 500 agents ont été formés en 2010.",
                 [("2010", "2010", "year")], id="quantity-then-year"),
    pytest.param("Le programme couvre la période 2005-2010.",
                 [("2005", "2005", "year"), ("2010", "2010", "year")], id="year-range"),
]


@pytest.mark.parametrize(("text", "expected"), VALUES)
def test_dates_are_found_at_the_precision_written(extract_partner, text, expected):
    assert found(extract_partner, text) == expected


# Numbers that are not dates: no date at all in these texts.
NOT_DATES = [
    pytest.param("Le Comité vérifie que les pays appliquent la Résolution du Conseil de sécurité n° 1373.",
                 id="n-degree"),
    pytest.param("La Résolution 2178 du Conseil de sécurité vise les combattants terroristes étrangers.",
                 id="resolution"),
    pytest.param("Plus de 2000 pays participent à ce programme.", id="quantity-pays"),
    pytest.param("Plus de 40 pays ont participé à l'opération.", id="small-quantity"),
    pytest.param("Les douanes ont saisi 1 500 tonnes de marchandises.", id="thousands-separator"),
    pytest.param("Plus de 2000 fonctionnaires des douanes ont été formés.", id="quantity-fonctionnaires"),
    pytest.param("La date du 31/02/2005 n'existe pas.", id="invalid-numeric-date"),
    pytest.param("Voir l'article 2005 du code des douanes.", id="article"),
    pytest.param("Le certificat ISO 2000 est exigé.", id="iso-standard"),
    pytest.param("Plus de 2000 entreprises ont été certifiées.", id="quantity-entreprises"),
    pytest.param("Les douanes ont saisi 1800 kilogrammes de cocaïne.", id="quantity-kilogrammes"),
    pytest.param("La date du 31 février 2005 n'existe pas.", id="invalid-written-date"),
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_numbers_that_are_not_dates(extract_partner, text):
    assert found(extract_partner, text) == []


# dateparser is given a fixed reference date and the value is cut to the precision written, so the day
# the tests run never leaks into a value.
CANDIDATES = [
    ("en 2002", [(3, 7, "2002", "year")]),
    ("depuis 2005", [(7, 11, "2005", "year")]),
    ("en mai 1998", [(3, 11, "1998-05", "month")]),
    ("le 1er janvier 2000", [(3, 19, "2000-01-01", "day")]),
]


@pytest.mark.parametrize(("text", "expected"), CANDIDATES)
def test_candidates_are_never_filled_in(analyser, text, expected):
    (stage,) = [e for e in analyser.extractors if isinstance(e, Dates)]
    assert stage.candidates(text) == expected


# (text, the date as written, its role)
ROLES = [
    pytest.param("Un Protocole d'accord entre l'OMD et l'AIEA a été signé le 13 mai 1998.",
                 "13 mai 1998", "signature", id="a-ete-signe-le"),
    pytest.param("Le Protocole d'accord, signé le 2 Juin 2003, prévoit des échanges.",
                 "2 Juin 2003", "signature", id="signe-apposition"),
    pytest.param("L’OMD et l’AIEA ont signé, le 13 mai 1998, un Protocole d’accord.",
                 "13 mai 1998", "signature", id="ont-signe-le"),
    pytest.param("Les deux organisations ont conclu un Protocole d’accord (PDA) en mai 1998.",
                 "mai 1998", "conclusion", id="ont-conclu-en"),
    pytest.param("En 2007, l'OEDT a conclu un Protocole d’accord avec l’OMD.",
                 "2007", "conclusion", id="en-year-then-conclu"),
    pytest.param("Le partenariat est fondé sur un Protocole d’accord (PDA) conclu en novembre 1996.",
                 "novembre 1996", "conclusion", id="nearest-cue-wins-over-fonde"),
    pytest.param("L’Observatoire européen des drogues et des toxicomanies (OEDT) créé en 1993 est une agence de l’UE.",
                 "1993", "creation", id="cree-en"),
    pytest.param("Le Groupe de travail OMD/CITES a été établi en 1996.", "1996", "creation", id="etabli-en"),
    pytest.param("L'organisation a été fondée le 1er janvier 2000.", "1er janvier 2000", "creation", id="fondee-le"),
    pytest.param("Le Centre a été mis en place en 2008.", "2008", "creation", id="mis-en-place"),
    pytest.param("Le Centre, créé en 1999, a signé un accord en 2005.", "1999", "creation", id="clause-creation"),
    pytest.param("Le Centre, créé en 1999, a signé un accord en 2005.", "2005", "signature", id="clause-signature"),
    pytest.param("L’OMD a participé depuis 2005 aux travaux de nombreuses équipes.", "2005", "start", id="depuis"),
    pytest.param("Dès 2010, les deux organisations coopèrent.", "2010", "start", id="des"),
    pytest.param("À partir de 2015, l'OMD forme des agents.", "2015", "start", id="a-partir-de"),
    pytest.param("L'organisation a été fondée en 1952 ; elle coopère avec l'OMD depuis 1998.",
                 "1998", "start", id="depuis-after-creation"),
    pytest.param("Les deux Secrétariats ont lancé en novembre 2006 un projet d’échange de données.",
                 "novembre 2006", "event", id="ont-lance-un-projet"),
    pytest.param("Une réunion s'est tenue à Bruxelles le 12/01/2007.", "12/01/2007", "event", id="meeting"),
    pytest.param("Un accord a été signé à Genève le 1er juillet 2008 et est entré en vigueur en 2009.",
                 "2009", "event", id="entry-into-force"),
    pytest.param("L'OMD coopère avec l'OICS depuis le 1er janvier 2010.", "1er janvier 2010", "start",
                 id="depuis-le-day"),
    pytest.param("Le Programme a été lancé en 2001 et le Groupe de travail a été créé en 2003.", "2001", "event",
                 id="cue-of-next-clause"),
]


@pytest.mark.parametrize(("text", "date_text", "role"), ROLES)
def test_date_roles(extract_partner, text, date_text, role):
    partner = extract_partner(HEADING, text)
    matching = [d for d in partner.dates if d.text == date_text]
    assert len(matching) == 1, [(d.text, d.role) for d in partner.dates]
    assert matching[0].role == role


@pytest.mark.parametrize(("line", "published"), [
    ("15/03/2023", "2023-03-15"),
    ("Publié le 3 juin 2021", "2021-06-03"),
    ("Genève, le 9 octobre 2017 –", "2017-10-09"),
    ("mars 2021", "2021-03"),
    ("2019-05-28", "2019-05-28"),
    ("31/02/2021", None),  # no such day
    (None, None),
])
def test_publication_date_from_the_date_line(extract_partner, line, published):
    partner = extract_partner(HEADING, "L’OMS et l’OMD coopèrent.", published_text=line)
    assert partner.published == published
    assert partner.dates == ()  # the date line is not a date of the text


# Ranges, periods and English dates (SPEC, Dates): every written end is a date.
RANGES = [
    pytest.param("L'atelier s'est tenu du 12 au 14 mars 2018 à Lomé.",
                 [("12", "2018-03-12", "day"), ("14 mars 2018", "2018-03-14", "day")], id="du … au …"),
    pytest.param("La mission a eu lieu les 8 et 9 mai 2018.",
                 [("8", "2018-05-08", "day"), ("9 mai 2018", "2018-05-09", "day")], id="les … et …"),
    pytest.param("Le séminaire du 28 février au 2 mars 2019 a réuni 40 agents.",
                 [("28 février", "2019-02-28", "day"), ("2 mars 2019", "2019-03-02", "day")], id="two months"),
    pytest.param("Session de formation, 3-5 juin 2019.",
                 [("3", "2019-06-03", "day"), ("5 juin 2019", "2019-06-05", "day")], id="hyphen"),
    pytest.param("Le financement couvre l'exercice 2017/2018.",
                 [("2017", "2017", "year"), ("2018", "2018", "year")], id="fiscal period"),
    pytest.param("Le programme court sur la période 2016-2021.",
                 [("2016", "2016", "year"), ("2021", "2021", "year")], id="years"),
    pytest.param("« The agreement signed on 14 March 2016 remains in force », a-t-il déclaré.",
                 [("14 March 2016", "2016-03-14", "day")], id="English"),
    pytest.param("Un avenant du 28 févr. 2020 l'a prolongé.", [("28 févr. 2020", "2020-02-28", "day")],
                 id="abbreviated month"),
    pytest.param("Le 5 au matin, la délégation a signé le 7 juin 2019.", [("7 juin 2019", "2019-06-07", "day")],
                 id="a day far from a range is no date"),
    pytest.param("Le rapport COVID-19 mai 2020 est publié.", [("mai 2020", "2020-05", "month")],
                 id="no range after a word"),
]


@pytest.mark.parametrize(("text", "expected"), RANGES)
def test_ranges_periods_and_english_dates(extract_partner, text, expected):
    assert found(extract_partner, text) == expected
