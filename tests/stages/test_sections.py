"""Splitting pages of every layout into partner sections, and parsing headings."""

import json
import re
from pathlib import Path

import pytest
from conftest import FIXTURES, SEED
from selectolax.lexbor import LexborHTMLParser

from pipeline.errors import InputError
from pipeline.stages.reading import read_page
from pipeline.stages.sections import parse_heading, split, to_partners
from pipeline.text import normalise, slug

LAYOUTS = FIXTURES / "layouts"
LAYOUT_PAGES = sorted(p for p in LAYOUTS.iterdir() if p.suffix in (".txt", ".html", ".htm"))


def split_file(path: Path, resources):
    return split(read_page(path.name, path.read_bytes(), resources), resources)


@pytest.mark.parametrize("page", LAYOUT_PAGES, ids=lambda p: p.name)
def test_layout_splits_into_exactly_its_sections(config, page):
    expected = json.loads(page.with_name(page.stem + ".expected.json").read_text(encoding="utf-8"))
    document = split_file(page, config.resources)
    partners = to_partners((document,), config.resources)
    assert document.title == expected["title"]
    got = [(p.heading, p.name, p.acronym) for p in partners]
    want = [(s["heading"], s["name"], s["acronym"]) for s in expected["sections"]]
    assert got == want
    for partner, section in zip(partners, expected["sections"], strict=True):
        assert partner.text.startswith(section["text_startswith"]), partner.text[:60]
        for fragment in section.get("text_contains", []):
            assert fragment in partner.text


def test_every_layout_fixture_has_its_expectations():
    assert len(LAYOUT_PAGES) >= 8
    for page in LAYOUT_PAGES:
        assert page.with_name(page.stem + ".expected.json").exists(), page


def test_seed_gives_sixteen_sections(config):
    partners = to_partners((split_file(SEED, config.resources),), config.resources)
    assert len(partners) == 16
    assert partners[0].heading == "Agence Internationale de l’energie Atomique (AIEA)"
    assert [p.acronym for p in partners][:2] == ["AIEA", None]
    assert partners[9].name == "Office des Nations Unies contre la drogue et le crime"
    assert len({p.partner_id for p in partners}) == 16


@pytest.mark.parametrize(("heading", "name", "acronym"), [
    ("Agence Internationale de l’energie Atomique (AIEA)", "Agence Internationale de l’energie Atomique", "AIEA"),
    ("Direction Générale Fiscalité et Union douanière (DG TAXUD)",
     "Direction Générale Fiscalité et Union douanière", "DG TAXUD"),
    ("Groupe des Vingt (G20)", "Groupe des Vingt", "G20"),
    ("Europol", "Europol", None),
    ("Organisation maritime internationale (www.imo.org)", "Organisation maritime internationale (www.imo.org)",
     None),
    ("Le secrétariat de l’OSCE (Organisation pour la sécurité et la coopération en Europe)",
     "Le secrétariat de l’OSCE", "OSCE"),
    ("Banque mondiale (en anglais)", "Banque mondiale (en anglais)", None),
    ("Office des Nations Unies contre la drogue et le crime (ONUDC/UNODC)",
     "Office des Nations Unies contre la drogue et le crime (ONUDC/UNODC)", None),
    ("Groupe des Vingt (G-20)", "Groupe des Vingt", "G-20"),
])
def test_parse_heading(config, heading, name, acronym):
    assert parse_heading(heading, config.resources.gazetteer.acronyms) == (name, acronym)


def test_ids_do_not_depend_on_section_order(config):
    page = "A propos (AP)\nTexte un.\n|\nBanque mondiale\nTexte deux.\n|\nBanque mondiale\nTexte trois.\n"
    reordered = "Banque mondiale\nTexte trois.\n|\nA propos (AP)\nTexte un.\n|\nBanque mondiale\nTexte deux.\n"
    def ids_of(text):
        document = split(read_page("a.txt", text.encode(), config.resources), config.resources)
        return {p.text: p.partner_id for p in to_partners((document,), config.resources)}

    ids, ids2 = ids_of(page), ids_of(reordered)
    assert ids == ids2
    assert ids["Texte un."] == "ap"
    assert len(set(ids.values())) == 3


def test_slug_is_ascii():
    assert slug("Organisation mondiale de la Santé") == "organisation-mondiale-de-la-sante"


def test_page_without_sections_is_an_input_error(config):
    with pytest.raises(InputError, match="no partner section"):
        split(read_page("x.txt", b"Un titre\nUn autre titre\n", config.resources), config.resources)


@pytest.mark.parametrize(("heading", "name", "acronym"), [
    ("1. Union africaine (UA)", "Union africaine", "UA"),
    ("12) Banque asiatique de développement (BAsD)", "Banque asiatique de développement", "BAsD"),
    ("IV. Organisation mondiale du commerce (OMC)", "Organisation mondiale du commerce", "OMC"),
    ("À propos de l’Organisation mondiale des douanes (OMD)", "Organisation mondiale des douanes", "OMD"),
    ("À propos du Fonds nordique de développement (FND)", "Fonds nordique de développement", "FND"),
    ("À propos de l’OMD", "OMD", None),
    ("2019 en bref", "2019 en bref", None),  # a year is no heading number
])
def test_parse_heading_numbers_and_prefixes(config, heading, name, acronym):
    layout = config.resources.layout
    assert parse_heading(heading, config.resources.gazetteer.acronyms, layout.heading_prefixes) == (name, acronym)


def sections_of(text, resources, name="p.txt"):
    document = split(read_page(name, text.encode(), resources), resources)
    return document, [(s.heading, s.text, s.published_text) for s in document.sections]


NEWS = """Actualités

L’OMD et l’Agence X signent un protocole d’accord !
15/03/2023
L’Agence X et l’OMD ont signé aujourd’hui un Protocole d’accord.

Un atelier réunit les douanes de la région
Publié le 2 février 2022
Le Bureau régional a tenu un atelier.

Page 1 sur 3 – Toutes les actualités
"""
PDF = """Rapport annuel 2019 – Partenariats

Banque mondiale (BM)
La Banque mondiale et l’OMD ont renforcé leur coopé-
ration dans la région Asie-
Pacifique depuis 2015, avec des ateliers régionaux de
formation consacrés aux procédures de dédouanement.
Les deux organisations ont signé un Protocole d’accord le

12

Rapport annuel 2019 – Partenariats

14 mars 2016 à Washington.

Union africaine (UA)
L’Union africaine et l’OMD travaillent ensemble.

13

Rapport annuel 2019 – Partenariats
"""
TABLES = """Office régional (OR)

L’Office coopère avec les administrations suivantes.
Pays – Administration – Date de signature
Chili – Servicio Nacional de Aduanas – 12/09/2006
Pérou – Superintendencia Nacional – 01/04/2008

Agence sud (AS)

L’Agence coopère aussi.
"""
RELEASE = """COMMUNIQUÉ DE PRESSE

L’OMD et l’Agence Y unissent leurs forces

Genève, le 9 octobre 2017 – L’OMD et l’Agence Y ont signé aujourd’hui un Protocole d’accord.

À propos de l’Agence Y (AY)
L’Agence Y soutient les douanes.

Contact presse : presse@example.org
– FIN –
"""
NUMBERED = """Coopération avec les partenaires – Rapport annuel

Le présent chapitre résume nos activités.

1. Union africaine (UA)
L’UA coopère avec l’OMD. Ses objectifs :
1. Renforcer les capacités
2. Échanger des informations
Les deux organisations se réunissent chaque année.

2. Banque mondiale (BM)
La Banque mondiale finance des projets.
"""


@pytest.mark.parametrize(("text", "title", "expected", "aside"), [
    (NEWS, "Actualités", [
        ("L’OMD et l’Agence X signent un protocole d’accord !",
         "L’Agence X et l’OMD ont signé aujourd’hui un Protocole d’accord.", "15/03/2023"),
        ("Un atelier réunit les douanes de la région", "Le Bureau régional a tenu un atelier.",
         "Publié le 2 février 2022")],
     ["Page 1 sur 3 – Toutes les actualités"]),
    (PDF, None, [
        ("Banque mondiale (BM)", "La Banque mondiale et l’OMD ont renforcé leur coopération dans la région "
         "Asie-Pacifique depuis 2015, avec des ateliers régionaux de formation consacrés aux procédures de "
         "dédouanement.\nLes deux organisations ont signé un Protocole d’accord le 14 mars 2016 à Washington.",
         None),
        ("Union africaine (UA)", "L’Union africaine et l’OMD travaillent ensemble.", None)],
     ["Rapport annuel 2019 – Partenariats", "12", "Rapport annuel 2019 – Partenariats", "13",
      "Rapport annuel 2019 – Partenariats"]),
    (TABLES, None, [
        ("Office régional (OR)", "L’Office coopère avec les administrations suivantes.\n"
         "Chili – Servicio Nacional de Aduanas – 12/09/2006\nPérou – Superintendencia Nacional – 01/04/2008", None),
        ("Agence sud (AS)", "L’Agence coopère aussi.", None)],
     ["Pays – Administration – Date de signature"]),
    (RELEASE, None, [
        ("L’OMD et l’Agence Y unissent leurs forces",
         "L’OMD et l’Agence Y ont signé aujourd’hui un Protocole d’accord.", "Genève, le 9 octobre 2017 –"),
        ("À propos de l’Agence Y (AY)", "L’Agence Y soutient les douanes.", None)],
     ["COMMUNIQUÉ DE PRESSE", "Contact presse : presse@example.org", "– FIN –"]),
    (NUMBERED, "Coopération avec les partenaires – Rapport annuel", [
        ("1. Union africaine (UA)", "L’UA coopère avec l’OMD. Ses objectifs :\n1. Renforcer les capacités\n"
         "2. Échanger des informations\nLes deux organisations se réunissent chaque année.", None),
        ("2. Banque mondiale (BM)", "La Banque mondiale finance des projets.", None)],
     ["Le présent chapitre résume nos activités."]),
])
def test_pages_of_other_kinds(config, text, title, expected, aside):
    document, sections = sections_of(text, config.resources)
    assert sections == expected
    assert document.title == title
    assert [line for line, _ in document.ignored] == aside


def test_every_line_set_aside_says_why(config):
    document, _ = sections_of(PDF, config.resources)
    assert [why for _, why in document.ignored] == [
        "running header or footer (repeated on the page)", "page number",
        "running header or footer (repeated on the page)", "page number",
        "running header or footer (repeated on the page)"]


def test_a_date_line_over_its_title_dates_that_item(config):
    page = "Actualités\n\n03/06/2021\nL’OMD accueille l’Agence Z\nL’Agence Z a rejoint le programme.\n\n" \
           "28/05/2021\nUn nouvel accord pour la région\nLe Bureau a signé un accord.\n"
    _, sections = sections_of(page, config.resources)
    assert [(h, p) for h, _, p in sections] == [("L’OMD accueille l’Agence Z", "03/06/2021"),
                                                ("Un nouvel accord pour la région", "28/05/2021")]


def test_html_of_divs_with_a_table_and_a_sidebar(config):
    html = ("<html><body><nav>Accueil</nav><main><h1>Nos partenaires</h1>"
            "<article><div class='card-title'>Agence (AG)</div><div class='card-body'>Elle coopère.</div>"
            "<table><tr><th>Accord</th><th>Date</th></tr><tr><td>PDA</td><td>2012</td></tr></table></article>"
            "<article><h2>Office (OF)</h2><div>Il coopère.</div></article></main>"
            "<aside class='sidebar'>Liens utiles</aside><footer>© OMD</footer></body></html>")
    document, sections = sections_of(html, config.resources, "p.html")
    assert [(h, t) for h, t, _ in sections] == [("Agence (AG)", "Elle coopère.\n\nPDA | 2012"),
                                                ("Office (OF)", "Il coopère.")]
    assert document.title == "Nos partenaires"
    assert tuple(document.ignored) == (("Accueil", "navigation (<nav>)"), ("Accord | Date", "header row of a table"),
                                ("Liens utiles", "sidebar (<aside>)"), ("© OMD", "page footer (<footer>)"))


def test_markdown_page(config):
    md = ("# Partenaires\n\nNote interne.\n\n## Institutions régionales\n\n### Agence (AG)\n\n"
          "Elle coopère avec [l’OMD](https://wcoomd.org).\n\n- **Accord :** Protocole d’accord signé en 2015\n")
    document, sections = sections_of(md, config.resources, "note.md")
    assert [(h, t) for h, t, _ in sections] == [
        ("Agence (AG)", "Elle coopère avec l’OMD.\n\nAccord : Protocole d’accord signé en 2015")]
    assert document.title == "Partenaires"
    assert [line for line, _ in document.ignored] == ["Note interne.", "Institutions régionales"]


GENRES = FIXTURES / "genres"
GENRE_PAGES = sorted(p for p in GENRES.iterdir() if not p.name.endswith(".json"))


def _letters(text):
    return re.sub(r"[\W_]+", "", text.casefold())


def _visible_words(path):
    """The words a reader sees on the page (an HTML page's body without scripts and styles)."""
    text = path.read_bytes().decode("cp1252" if b"windows-1252" in path.read_bytes()[:500] else "utf-8")
    if path.suffix == ".html":
        tree = LexborHTMLParser(text)
        tree.strip_tags(["script", "style", "head"])
        text = tree.body.text(separator=" ")
    return re.findall(r"[^\W\d_]{2,}|\d+", normalise(text))


@pytest.mark.parametrize("page", GENRE_PAGES, ids=lambda p: p.name)
def test_page_of_another_kind_as_its_annotator_read_it(config, page):
    """Title, headings and publication dates as the gold says; every line of furniture set aside; no
    word of the page lost (each is in a title, heading, text, date line, link or set-aside line)."""
    gold = json.loads(page.with_name(page.name.rsplit(".", 1)[0] + ".gold.json").read_text(encoding="utf-8"))
    document = split_file(page, config.resources)
    assert document.title == gold["title"]
    assert [s.heading for s in document.sections] == [p["heading"] for p in gold["partners"]]
    assert [bool(s.published_text) for s in document.sections] == [bool(p.get("published"))
                                                                   for p in gold["partners"]]
    aside = _letters(" ".join(line for line, _ in document.ignored))
    for line in gold["furniture"]:
        assert _letters(line) in aside or line == gold["title"], line
    kept = [document.title or "", *(line for line, _ in document.ignored)]
    kept += [f"{s.heading} {s.text} {s.published_text or ''} {' '.join(link.url for link in s.links)}"
             for s in document.sections]
    kept_letters = _letters(" ".join(kept))
    lost = [w for w in _visible_words(page) if _letters(w) not in kept_letters]
    assert not lost, lost


@pytest.mark.parametrize(("name", "page", "sections"), [
    ("lead.html", "<h1>Nos partenaires</h1><p>L’OMD coopère avec eux.</p>"
     "<p><strong>Union africaine (UA)</strong> – L’UA a signé en 2009.</p>"
     "<p><b>Banque mondiale</b> – Elle finance.</p>",
     [("Union africaine (UA)", "L’UA a signé en 2009."), ("Banque mondiale", "Elle finance.")]),
    ("lead.md", "# Partenaires\n\n**Union africaine (UA)** L’UA coopère.\n\n- **Accord :** Protocole signé.\n\n"
     "**Banque mondiale** – Elle finance.\n",
     [("Union africaine (UA)", "L’UA coopère.\n\nAccord : Protocole signé."), ("Banque mondiale", "Elle finance.")]),
    # Bold words that are a label, or that start a sentence going on in lower case, are no heading.
    ("label.html", "<h2>Agence (AG)</h2><p><strong>Accord :</strong> Protocole.</p><p><b>OMD</b> et AG.</p>",
     [("Agence (AG)", "Accord : Protocole.\n\nOMD et AG.")]),
])
def test_bold_lead_ins_head_their_paragraph_where_no_heading_is_marked(config, name, page, sections):
    _, got = sections_of(page, config.resources, name)
    assert [(h, t) for h, t, _ in got] == sections


# Issue 14: group headings ("Organisations internationales") were only set aside; each partner now
# takes its group, and the line stays in rejected.csv saying it is one.
@pytest.mark.parametrize(("name", "text", "groups"), [
    ("p.txt", "Nos partenaires\n\nOrganisations internationales\n\nUnion africaine (UA)\nL’UA coopère.\n\n"
              "Banque mondiale (BM)\nLa Banque finance.\n\nInstitutions régionales\n\n"
              "Communauté d’Afrique de l’Est (CAE)\nLa CAE coopère.\n",
     ["Organisations internationales", "Organisations internationales", "Institutions régionales"]),
    ("p.md", "# Partenaires\n\nNote interne.\n\n## Institutions régionales\n\n### Agence (AG)\n\nElle coopère.\n\n"
             "### Office (OF)\n\nIl coopère.\n",
     ["Institutions régionales", "Institutions régionales"]),
    ("p.txt", "Union africaine (UA)\nL’UA coopère.\n\nBanque mondiale (BM)\nLa Banque finance.\n\nContact\n",
     [None, None]),  # a heading with nothing under it, after the partners, groups none of them
])
def test_each_partner_takes_the_group_heading_over_it(config, name, text, groups):
    document, _ = sections_of(text, config.resources, name)
    assert [s.group for s in document.sections] == groups
    assert [p.group for p in to_partners((document,), config.resources)] == groups
    grouped = [line for line, why in document.ignored if why.startswith("group heading")]
    assert grouped == list(dict.fromkeys(g for g in groups if g))
