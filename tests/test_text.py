"""The string helpers every layer uses: folding, name keys, the acronym patterns, slugs."""

import pytest

from pipeline.text import acronyms_in, collapse, fold, is_acronym, is_heading_acronym, name_key, norm, slug


@pytest.mark.parametrize(("text", "expected"), [
    ("l’OMD « x » – y", "l'OMD \" x \" - y"),
    ("Accord", "Accord"),
])
def test_fold_keeps_the_length(text, expected):
    assert fold(text) == expected and len(fold(text)) == len(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("Énergie Atomique", "energie atomique"),
    ("l’Œuvre", "l'oeuvre"),
])
def test_norm(text, expected):
    assert norm(text) == expected


@pytest.mark.parametrize(("a", "b"), [
    ("l’Organisation mondiale des douanes", "Organisation Mondiale des Douanes"),
    ("La Banque mondiale", "banque  mondiale"),
    ("Organisation mondiale-des douanes", "organisation mondiale des douanes"),
])
def test_name_key_ignores_articles_case_accents_and_spacing(a, b):
    assert name_key(a) == name_key(b)


# (text, an acronym in running text, an acronym in a heading's parentheses)
ACRONYMS = [
    ("OMD", True, True),
    ("G20", True, True),
    ("DG TAXUD", True, True),
    ("ONUDC-OMD", True, True),
    ("MoU", True, False),
    ("API/PNR", True, False),
    ("ONUDC/UNODC", True, False),  # a heading's "(ONUDC/UNODC)" is two acronyms, not one
    ("COVID-19", False, True),  # in running text a disease, not a body
    ("S.A.R.L", False, True),
    ("A.B.C", False, True),
    ("BRLR AO 2", False, True),
    ("Europol", False, False),
    ("O", False, False),
    ("en anglais", False, False),
]


@pytest.mark.parametrize(("text", "running", "heading"), ACRONYMS)
def test_the_acronym_patterns(text, running, heading):
    assert (is_acronym(text), is_heading_acronym(text)) == (running, heading)


@pytest.mark.parametrize(("text", "expected"), [
    ("Le secrétariat de l’OSCE", ["OSCE"]),
    ("Bureau régional OMD-UE pour l’ASEAN", ["OMD", "UE", "ASEAN"]),
    ("ÉCOLE nationale", []),
    ("Comité G20 des Finances", ["G20"]),
])
def test_acronyms_in_a_name(text, expected):
    assert acronyms_in(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Organisation mondiale de la Santé", "organisation-mondiale-de-la-sante"),
    ("DG TAXUD", "dg-taxud"),
    ("***", "partner"),
    ("x" * 80, "x" * 60),
])
def test_slug(text, expected):
    assert slug(text) == expected


def test_collapse():
    assert collapse("  un\t deux\n\ntrois ") == "un deux trois"
