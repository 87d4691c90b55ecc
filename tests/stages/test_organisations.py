"""Organisations: one entry per body with all its mentions, whole names, acronyms from the gazetteer or
defined in the text, and no countries, cities, conventions, programmes or initiatives.

Each case runs the real pipeline (spaCy French model) over a short French text, as the section body of
a partner; see ``extract_partner`` in conftest.py.
"""

import pytest

HEADING = "Test"
SEED_PNUE = (
    "L’OMD et le Programme des Nations Unies pour l’environnement (PNUE) ont conclu un Protocole d’accord (PDA) "
    "en 2003. Depuis 2001, l’OMD est un partenaire très actif dans le cadre des Initiative des Douanes vertes (IDV), "
    "série d’activités coordonnées par le PNUE entreprises en collaboration par des organisations partenaires Qui "
    "vise à sensibiliser les fonctionnaires des douanes aux Accords multilatéraux sur l’environnement (AME)."
)
SEED_ONUDC = (
    "Le partenariat entre l’Organisation mondiale des douanes (OMD) et l’Office des Nations Unies contre la drogue "
    "et le crime (ONUDC) est fondé sur un Protocole d’accord (PDA) conclu en novembre 1996. L’ONUDC et l’OMD ont "
    "œuvré avec succès ensemble. Le projet le plus récent est le ‘’Programme mondial de contrôle des conteneurs "
    "ONUDC- OMD’’. Un Protocole d'accord entre l'OMD et l'ONUDC a été signé le 18 mars 2010."
)



def fold(text):
    return text.replace("’", "'")


def bare(mention):
    """A mention without the article glued or put before it: "l’OMD" -> "OMD"."""
    for article in ("l'", "le ", "la ", "les "):
        if fold(mention).lower().startswith(article):
            return mention[len(article):]
    return mention


def organisations(extract_partner, text, heading=HEADING):
    partner = extract_partner(heading, text)
    for org in partner.organisations:
        for m in org.mentions:
            assert text[m.start:m.end] == m.text, (org.name, m)
    return partner.organisations


def by_name(orgs, name):
    found = [o for o in orgs if fold(o.name) == fold(name)]
    assert len(found) == 1, [(o.name, [m.text for m in o.mentions]) for o in orgs]
    return found[0]


def by_acronym(orgs, acronym):
    found = [o for o in orgs if o.acronym == acronym]
    assert len(found) == 1, [(o.name, o.acronym, [m.text for m in o.mentions]) for o in orgs]
    return found[0]


# (text, the organisation's whole name, the mention as written, without its article)
WHOLE_NAMES = [
    pytest.param("Le partenariat entre l’OMD et l’Office des Nations Unies contre la drogue et le crime est ancien.",
                 "Office des Nations Unies contre la drogue et le crime",
                 "Office des Nations Unies contre la drogue et le crime", id="onudc"),
    pytest.param("Le Comité de contrôle douanier du Ministère des Finances de la République du Kazakhstan et "
                 "l’administration des douanes de la République tchèque ont conclu chacun un Protocole d’accord "
                 "avec l’OMD.",
                 "Comité de contrôle douanier du Ministère des Finances de la République du Kazakhstan",
                 "Comité de contrôle douanier du Ministère des Finances de la République du Kazakhstan",
                 id="kazakhstan"),
    pytest.param("Le Comité de contrôle douanier du Ministère des Finances de la République du Kazakhstan et "
                 "l’administration des douanes de la République tchèque ont conclu chacun un Protocole d’accord "
                 "avec l’OMD.",
                 "Administration des douanes de la République tchèque",
                 "administration des douanes de la République tchèque", id="czech-administration"),
    pytest.param("Le Bureau régional de liaison chargé du renseignement pour l'Afrique de l'Ouest (BRLR AO) "
                 "travaille avec l'OMD.",
                 "Bureau régional de liaison chargé du renseignement pour l'Afrique de l'Ouest",
                 "Bureau régional de liaison chargé du renseignement pour l'Afrique de l'Ouest (BRLR AO)", id="brlr"),
    pytest.param("L’Office des Nations Unies contre la drogue et le crime lutte contre le trafic de drogue.",
                 "Office des Nations Unies contre la drogue et le crime",
                 "Office des Nations Unies contre la drogue et le crime", id="name-then-verb"),
    pytest.param("Le Comité du Contre terrorisme du Conseil de sécurité des Nations unies est chargé de vérifier "
                 "que les pays appliquent bien la Résolution.",
                 "Comité du Contre terrorisme du Conseil de sécurité des Nations unies",
                 "Comité du Contre terrorisme du Conseil de sécurité des Nations unies", id="nations-unies-lowercase"),
    pytest.param("Le ministère des Finances du Japon a signé un Protocole d'accord avec l'OMD.",
                 "Ministère des Finances du Japon", "ministère des Finances du Japon", id="lowercase-ministry"),
]


@pytest.mark.parametrize(("text", "name", "mention"), WHOLE_NAMES)
def test_names_are_whole(extract_partner, text, name, mention):
    org = by_name(organisations(extract_partner, text), name)
    assert mention in [bare(m.text) for m in org.mentions]


@pytest.mark.parametrize("text", [
    pytest.param("Le partenariat entre l’OMD et l’Office des Nations Unies contre la drogue et le crime est ancien.",
                 id="onudc"),
    pytest.param("Le Comité de contrôle douanier du Ministère des Finances de la République du Kazakhstan a conclu "
                 "un Protocole d’accord avec l’OMD.", id="kazakhstan"),
])
def test_no_entry_for_part_of_a_name(extract_partner, text):
    orgs = organisations(extract_partner, text)
    assert len(orgs) == 2, [o.name for o in orgs]
    assert not any(fold(o.name) in ("Comité", "Office des Nations Unies", "Ministère des Finances") for o in orgs)


# (text, the mentions of the one OMD entry, without their article, in text order)
ONE_ENTRY = [
    pytest.param("Le Secrétariat de l’OMD coopère avec l'AIEA. L’Organisation mondiale des douanes (OMD) a signé un "
                 "accord. Depuis, l’OMD agit.",
                 ["Secrétariat de l’OMD", "Organisation mondiale des douanes (OMD)", "OMD"], id="three-forms"),
    pytest.param(SEED_ONUDC, ["Organisation mondiale des douanes (OMD)", "OMD", "OMD", "OMD"], id="seed-onudc"),
    pytest.param("The WCO and the OMD are one body: l’OMD.", ["WCO", "OMD", "OMD"], id="english-acronym"),
]


@pytest.mark.parametrize(("text", "mentions"), ONE_ENTRY)
def test_one_entry_for_all_mentions_of_a_body(extract_partner, text, mentions):
    orgs = organisations(extract_partner, text)
    omd = [o for o in orgs if o.acronym == "OMD"]
    assert len(omd) == 1, [(o.name, o.acronym) for o in orgs]
    assert omd[0].name == "Organisation mondiale des douanes"
    assert [bare(m.text) for m in omd[0].mentions] == mentions


# (text, acronym as the gazetteer has it, its canonical full name): acronyms never spelled out in the text
GAZETTEER = [
    pytest.param("L’OMD et le PNUE travaillent ensemble.", "OMD", "Organisation mondiale des douanes", id="omd"),
    pytest.param("L’OMD et le PNUE travaillent ensemble.", "PNUE",
                 "Programme des Nations Unies pour l'environnement", id="pnue"),
    pytest.param("The WCO works with the UNODC.", "OMD", "Organisation mondiale des douanes", id="wco"),
    pytest.param("The WCO works with the UNODC.", "ONUDC", "Office des Nations Unies contre la drogue et le crime",
                 id="unodc"),
    pytest.param("L'OMD, l'OMC et la Banque mondiale coopèrent.", "OMC", "Organisation mondiale du commerce", id="omc"),
    pytest.param("Les deux Secrétariats ont conclu un Protocole d’accord. L’OICS le met en œuvre.", "OICS",
                 "Organe international de contrôle des stupéfiants", id="oics"),
]


@pytest.mark.parametrize(("text", "acronym", "name"), GAZETTEER)
def test_known_acronym_gets_its_full_name(extract_partner, text, acronym, name):
    org = by_acronym(organisations(extract_partner, text), acronym)
    assert fold(org.name) == fold(name)


def test_english_and_french_acronyms_are_one_body(extract_partner):
    orgs = organisations(extract_partner, "L'OMD et l'UNODC coopèrent avec l'ONUDC.")
    onudc = by_acronym(orgs, "ONUDC")
    assert [bare(m.text) for m in onudc.mentions] == ["UNODC", "ONUDC"]


# (text, long name defined in the text, its acronym, all its mentions without their article)
DEFINED = [
    pytest.param("Le Réseau douanier de l'Atlantique Sud (RDAS) coopère avec l'OMD. Le RDAS a été créé en 2010.",
                 "Réseau douanier de l'Atlantique Sud", "RDAS",
                 ["Réseau douanier de l'Atlantique Sud (RDAS)", "RDAS"], id="rdas"),
    pytest.param("L’Agence de coopération douanière du Pacifique (ACDP) et l'OMD coopèrent. L'ACDP a son siège à Suva.",
                 "Agence de coopération douanière du Pacifique", "ACDP",
                 ["Agence de coopération douanière du Pacifique (ACDP)", "ACDP"], id="acdp"),
]


@pytest.mark.parametrize(("text", "name", "acronym", "mentions"), DEFINED)
def test_acronym_defined_in_the_text(extract_partner, text, name, acronym, mentions):
    orgs = organisations(extract_partner, text)
    org = by_acronym(orgs, acronym)
    assert fold(org.name) == fold(name)
    assert [bare(m.text) for m in org.mentions] == mentions


# (heading, text, words no mention may hold): countries, cities, people, texts, programmes, initiatives...
NOT_ORGANISATIONS = [
    pytest.param(HEADING, "L’Organe international de contrôle des stupéfiants (OICS) situé à Vienne, Autriche, "
                 "contrôle la mise en œuvre des Conventions des Nations Unies.",
                 ["Vienne", "Autriche", "Convention"], id="city-country"),
    pytest.param("Centres régionaux de dressage de chiens de l’OMD",
                 "Les locaux modernes dans lesquels sont dressés et formés les chiens sont situés à Almaty, République "
                 "du Kazakhstan et à Hermanice, République tchèque.",
                 ["Almaty", "Kazakhstan", "Hermanice", "tchèque"], id="cities-countries"),
    pytest.param(HEADING, "La Convention de Kyoto révisée est un instrument de l'OMD.", ["Convention", "Kyoto"],
                 id="convention"),
    pytest.param(HEADING, "La Résolution 2178 du Conseil de sécurité exige des mesures.", ["Résolution", "2178"],
                 id="resolution"),
    pytest.param(HEADING, "L'OMD soutient le Programme régional de sécurité maritime (MASE). Le MASE aide les pays.",
                 ["Programme", "MASE"], id="programme"),
    pytest.param(HEADING, "L’Initiative des Douanes vertes (IDV) réunit plusieurs partenaires. L'IDV forme les agents.",
                 ["Initiative", "Douanes vertes", "IDV"], id="initiative"),
    pytest.param(HEADING, "Deux projets, à savoir le ‘’Projet cohésion’’ et le ‘’Projet PRISM’’, ont été lancés sous "
                 "les auspices de l’OICS.", ["Projet", "PRISM"], id="projects"),
    pytest.param(HEADING, "L’Accord de coopération a été signé par l'OMD et Europol.", ["Accord"], id="agreement"),
    pytest.param(HEADING, "L’OMD aide les administrations des douanes à se moderniser.", ["administrations"],
                 id="generic-administrations"),
    pytest.param(HEADING, "Le Président de l'OMD, M. Kunio Mikuriya, s'est rendu à Bruxelles.",
                 ["Mikuriya", "Kunio", "Bruxelles"], id="person-city"),
    pytest.param("Programme des Nations Unies pour l’environnement (PNUE)", SEED_PNUE,
                 ["Initiative", "IDV", "Qui", "Accords multilatéraux", "AME"], id="seed-pnue"),
]


@pytest.mark.parametrize(("heading", "text", "forbidden"), NOT_ORGANISATIONS)
def test_not_organisations(extract_partner, heading, text, forbidden):
    orgs = organisations(extract_partner, text, heading)
    for org in orgs:
        for m in org.mentions:
            assert not any(word in m.text for word in forbidden), (org.name, m.text)


@pytest.mark.parametrize("text", [
    pytest.param(SEED_PNUE, id="seed-pnue"),
    pytest.param("Qui vise à sensibiliser les fonctionnaires. L’OMD agit. L’ Accord a été signé.",
                 id="pronoun-article"),
])
def test_articles_and_pronouns_are_not_organisations(extract_partner, text):
    orgs = organisations(extract_partner, text, "Programme des Nations Unies pour l’environnement (PNUE)")
    names = {fold(o.name).strip().lower() for o in orgs}
    assert not names & {"l'", "l", "qui", "le", "la"}, names
    assert all(len(bare(m.text).strip()) >= 2 for o in orgs for m in o.mentions)


def test_seed_pnue_finds_the_bodies(extract_partner):
    orgs = organisations(extract_partner, SEED_PNUE, "Programme des Nations Unies pour l’environnement (PNUE)")
    assert sorted(o.acronym or o.name for o in orgs) == ["OMD", "PNUE"]


# Acronyms neither in the gazetteer nor defined: a body where French gives it an article.
UNKNOWN_ACRONYMS = [
    pytest.param("L’OMD coopère avec l’ZXQA depuis 2004.", {"ZXQA"}, id="elided-article"),
    pytest.param("Un atelier a été organisé avec la KWTB et le QRVN.", {"KWTB", "QRVN"}, id="articles"),
    pytest.param("Les systèmes d’informations préalables sur les voyageurs (API/PNR) sont promus.", set(),
                 id="term-in-parentheses"),
    pytest.param("L’OMD a pris part aux travaux de la Convention « MEDICRIME » en 2011.", set(),
                 id="convention-name"),
    pytest.param("L’OMD applique le cadre de normes SAFE.", set(), id="theme-acronym"),
    pytest.param("LA COOPÉRATION AVEC LES DOUANES A DÉBUTÉ EN 2004.", set(), id="line-in-capitals"),
]


@pytest.mark.parametrize(("text", "expected"), UNKNOWN_ACRONYMS)
def test_unknown_acronyms(extract_partner, text, expected):
    found = {o.acronym for o in extract_partner(HEADING, text).organisations if o.source == "unknown"}
    assert found == expected


@pytest.mark.parametrize("text", [
    "Pendant la COVID-19, l’OMD a publié des lignes directrices.",
    "Elle travaille avec la S.A.R.L Dupont et l’OMD.",
])
def test_words_in_capitals_that_name_no_body_are_not_organisations(extract_partner, text):
    assert [o.acronym or o.name for o in organisations(extract_partner, text)] == ["OMD"]


# --- bodies no gazetteer knows, found from the text (SPEC, Organisations) ----------------------------
# (text, the body's name as the text gives it, its acronym or None). None of these bodies is in the
# gazetteer, and none is taken from a gold page.
FROM_THE_TEXT = [
    pytest.param("L’OMD travaille avec l’Agence islandaise pour la coopération au développement depuis 2012.",
                 "Agence islandaise pour la coopération au développement", None, id="lower-case complements"),
    pytest.param("Elle a reçu l’appui de l’Administration des douanes estonienne et des experts du Secrétariat.",
                 "Administration des douanes estonienne", None, id="adjective after the complement"),
    pytest.param("Agence tchèque de coopération technique a signé la lettre en 2019.",
                 "Agence tchèque de coopération technique", None, id="at a sentence's start, no article"),
    pytest.param("Le Fonds andin pour le commerce et le transport finance trois ateliers.",
                 "Fonds andin pour le commerce et le transport", None, id="a fund named as a body"),
    pytest.param("La Namibia Revenue Agency participe aux travaux.", "Namibia Revenue Agency", None,
                 id="English, head last"),
    pytest.param("Le Servicio de Aduanas de Honduras coordonne les contrôles.", "Servicio de Aduanas de Honduras",
                 None, id="Spanish"),
    pytest.param("La Secretaria de Estado da Fazenda do Piauí a rejoint le réseau.",
                 "Secretaria de Estado da Fazenda do Piauí", None, id="Portuguese"),
    pytest.param("Un expert de la Oberfinanzdirektion a animé l’atelier.", "Oberfinanzdirektion", None,
                 id="German compound"),
    pytest.param("Le Bundesministerium für wirtschaftliche Zusammenarbeit finance le projet.",
                 "Bundesministerium für wirtschaftliche Zusammenarbeit", None, id="German, lower-case adjective"),
    pytest.param("L’Agence tchèque de développement (Czechaid) finance la formation.",
                 "Agence tchèque de développement", "Czechaid", id="short name in parentheses"),
    pytest.param("Le Conseil des chargeurs du Sahel (ChaSa) réunit les transporteurs.",
                 "Conseil des chargeurs du Sahel", "ChaSa", id="mixed-case acronym"),
    pytest.param("Le Ministère de l’Industrie de la Slovaquie soutient le programme.",
                 "Ministère de l’Industrie de la Slovaquie", None, id="ends before its verb"),
    pytest.param("La Direction des douanes de la Dominique finance depuis 2015 les ateliers.",
                 "Direction des douanes de la Dominique", None, id="ends before a verb and a preposition"),
    pytest.param("La Fédération des transitaires et commissionnaires en douane du Gabon regroupe 80 sociétés.",
                 "Fédération des transitaires et commissionnaires en douane du Gabon", None,
                 id="coordinated nouns and 'en douane'"),
    pytest.param("La Direction des affaires juridiques et consulaires de la Slovaquie appuie le projet.",
                 "Direction des affaires juridiques et consulaires de la Slovaquie", None, id="coordinated adjectives"),
    pytest.param("Le Port autonome de Pointe-Noire a modernisé son terminal.", "Port autonome de Pointe-Noire", None,
                 id="public enterprise"),
]


@pytest.mark.parametrize(("text", "name", "acronym"), FROM_THE_TEXT)
def test_bodies_no_gazetteer_knows_are_found_from_the_text(extract_partner, text, name, acronym):
    org = by_name(organisations(extract_partner, text), name)
    assert org.acronym == acronym and org.source in ("text", "defined")


@pytest.mark.parametrize(("text", "names"), [
    pytest.param("Le projet associe le Service des douanes de la République du Tadjikistan et le Service des "
                 "douanes de la République kirghize.", ["Service des douanes de la République du Tadjikistan",
                                                       "Service des douanes de la République kirghize"],
                 id="two bodies of one head"),
    pytest.param("Le Secrétariat de l’OMD et Eurojust coopèrent.", ["OMD", "Eurojust"],
                 id="a body after an acronym and 'et'"),
])
def test_two_bodies_joined_by_and_stay_two(extract_partner, text, names):
    orgs = organisations(extract_partner, text)
    for name in names:
        by_name(orgs, name) if " " in name else by_acronym(orgs, name)


def test_an_office_named_in_full_is_that_office_not_its_family(extract_partner):
    text = ("Le Bureau régional de renforcement des capacités pour l’Afrique du Nord et le Proche-Orient organise "
            "un atelier. Le Bureau régional accueille 30 participants.")
    orgs = organisations(extract_partner, text)
    office = by_name(orgs, "Bureau régional de renforcement des capacités pour l’Afrique du Nord et le Proche-Orient")
    assert len(office.mentions) == 2 and office.acronym is None  # "Le Bureau régional" is that office again


def test_a_name_written_again_without_its_acronym_is_one_body(extract_partner):
    text = "Le Port autonome de Kribi (PAK) a signé. Le Port autonome de Kribi s’est engagé à former ses agents."
    org = by_acronym(organisations(extract_partner, text), "PAK")
    assert org.name == "Port autonome de Kribi" and len(org.mentions) == 2


# (text, a word no organisation's name or acronym may hold)
NOT_BODIES = [
    pytest.param("Le port de Kribi accueille des navires.", "Kribi", id="a port in lower case is a place"),
    pytest.param("Les navires arrivent au Port de Lomé.", "Lomé", id="a Port with no qualifier is a place"),
    pytest.param("Centré sur la lutte contre la fraude, le programme forme les agents.", "Centr", id="a participle"),
    pytest.param("Les agents ont rejoint le Réseau le 30 novembre 2017.", "2017", id="a date after a head"),
    pytest.param("Service de qualité assuré par la douane, le guichet ouvre en mai.", "qualité",
                 id="a phrase that starts a sentence"),
    pytest.param("Chaque Administration membre a désigné un point de contact.", "membre", id="a class of bodies"),
    pytest.param("The Secretariat moved in October 2019.", "moved", id="English words end a French name"),
    pytest.param("L’Agence tchèque de développement (Belgique) finance la formation.", "Belgique",
                 id="a country in parentheses is no acronym"),
    pytest.param("L’Autorité portuaire (Port-Gentil) forme ses agents.", "Port-Gentil",
                 id="a hyphenated town in parentheses is no acronym"),
    pytest.param("L’Office des recettes (Lesotho) forme ses agents.", "Lesotho",
                 id="a less common country in parentheses is no acronym"),
]


@pytest.mark.parametrize(("text", "word"), NOT_BODIES)
def test_not_bodies_nor_parts_of_them(extract_partner, text, word):
    for org in organisations(extract_partner, text):
        assert word not in org.name and word != org.acronym, org


def test_a_known_body_followed_by_a_place_stays_that_body(extract_partner):
    orgs = organisations(extract_partner, "Un expert de la Banque mondiale en Afrique de l’Ouest a participé.")
    assert [o.source for o in orgs] == ["gazetteer"] and orgs[0].name == "Banque mondiale"


def test_a_body_named_only_by_the_headings_acronym_takes_the_headings_name(extract_partner):
    orgs = organisations(extract_partner, "La FoFaC forme les commissionnaires depuis 2015.",
                         heading="Fondation pour la facilitation du commerce (FoFaC)")
    org = by_acronym(orgs, "FoFaC")
    assert org.name == "Fondation pour la facilitation du commerce"


def test_a_fund_of_a_body_leaves_the_body_its_mention(extract_partner):
    orgs = organisations(extract_partner, "Le Fonds de coopération douanière de l’OMD finance la formation.")
    assert by_acronym(orgs, "OMD").mentions[0].text == "l’OMD"


# Issue 14: organisation names mixed ’ and ' as the pages wrote them; a name has one apostrophe.
def test_names_take_the_typographic_apostrophe_and_mentions_stay_as_written(extract_partner):
    partner = extract_partner("Office (OEP)", "L'Office d'études portuaires (OEP) coopère avec l'OMD.")
    names = {o.name for o in partner.organisations}
    assert "Office d’études portuaires" in names
    assert "'" not in "".join(names)
    assert any(m.text == "l'OMD" for o in partner.organisations for m in o.mentions)
