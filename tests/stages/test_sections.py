"""Splitting pages of every layout into partner sections, and parsing headings."""

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, SEED

from pipeline.errors import InputError
from pipeline.stages.reading import read_page
from pipeline.stages.sections import parse_heading, split, to_partners
from pipeline.text import slug

LAYOUTS = FIXTURES / "layouts"
LAYOUT_PAGES = sorted(p for p in LAYOUTS.iterdir() if p.suffix in (".txt", ".html", ".htm"))


def split_file(path: Path, resources):
    return split(read_page(path.name, path.read_bytes()), resources)


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
        document = split(read_page("a.txt", text.encode()), config.resources)
        return {p.text: p.partner_id for p in to_partners((document,), config.resources)}

    ids, ids2 = ids_of(page), ids_of(reordered)
    assert ids == ids2
    assert ids["Texte un."] == "ap"
    assert len(set(ids.values())) == 3


def test_slug_is_ascii():
    assert slug("Organisation mondiale de la Santé") == "organisation-mondiale-de-la-sante"


def test_page_without_sections_is_an_input_error(config):
    with pytest.raises(InputError, match="no partner section"):
        split(read_page("x.txt", b"Un titre\nUn autre titre\n"), config.resources)
