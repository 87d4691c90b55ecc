"""Resource files: the shipped ones load and validate; a broken one stops a run before any section is
analysed, with one line naming the file and every problem in it, and exit 3."""

import shutil

import pytest
from conftest import ROOT, SEED, run_cli

from pipeline import resources
from pipeline.errors import ResourceError

SHIPPED = ROOT / "pipeline" / "resources"


@pytest.fixture
def folder(tmp_path):
    """A copy of the shipped resource files, to break."""
    copy = tmp_path / "resources"
    shutil.copytree(SHIPPED, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return copy


def _edit(folder, name, old, new):
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}: the test no longer breaks what it says"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


DUPLICATE_OMD = '\n[[organisation]]\nname = "Office mondial des doublons"\nacronym = "OMD"\nkind = "ngo"\n'

# (file, text replaced, replacement, what the error line must say)
BROKEN = [
    pytest.param("themes.toml", "[[theme]]", "[[theme]", "not valid TOML", id="toml-syntax"),
    pytest.param("themes.toml", "cues = [", "cue = [",
                 '[[theme]] entry 1: unknown key "cue"; [[theme]] entry 1: missing key "cues"', id="missing-key"),
    pytest.param("organisations.toml", 'name = "Organisation des Nations Unies"\n', "",
                 '[[organisation]] entry 1: missing key "name"', id="gazetteer-entry-without-name"),
    pytest.param("dates.toml", "min_year = 1800", 'min_year = "1800"', 'key "min_year": expected int, got str',
                 id="wrong-type"),
    pytest.param("themes.toml", 'cues = ["matière nucléaire"', 'cues = [12, "matière nucléaire"',
                 '[[theme]] entry 1: key "cues": expected str, got int (item 1)', id="wrong-type-in-list"),
    pytest.param("organisations.toml", "# --- Système des Nations Unies", DUPLICATE_OMD + "# ---",
                 'both claim the acronym "OMD"', id="duplicate-acronym"),
    pytest.param("organisations.toml", 'kind = "un_system"', 'kind = "planetary"',
                 '[[organisation]] entry 1: key "kind": invalid enum value \'planetary\'', id="unknown-kind"),
    pytest.param("agreements.toml", 'PDA = "memorandum_of_understanding"', 'PDA = "memorandum"',
                 "[acronyms] \"PDA\": invalid enum value 'memorandum'", id="unknown-agreement-type-referenced"),
    pytest.param("agreements.toml", 'code = "letter_of_intent"', 'code = "letter"',
                 '[[type]] entry 3: key "code": invalid enum value \'letter\'', id="unknown-agreement-type"),
    pytest.param("dates.toml", "[roles]\nsignature =", "[roles]\nsigning =",
                 "[roles] \"signing\": invalid enum value 'signing' (allowed: signature, conclusion, creation, "
                 "start, event), as a key of the table",
                 id="unknown-date-role-referenced"),
    pytest.param("agreements.toml", '"même mois" = "month"', '"même mois" = "week"', "invalid enum value 'week'",
                 id="unknown-precision-referenced"),
    pytest.param("themes.toml", 'code = "drugs"', 'code = "nuclear_radioactive"',
                 '[[theme]] entries 1 and 2: both define code "nuclear_radioactive"', id="duplicate-theme-code"),
    pytest.param("themes.toml", 'code = "drugs"', 'code = "Drogues et précurseurs"',
                 'code "Drogues et précurseurs" is not lower_case_with_underscores', id="theme-code-not-a-code"),
    pytest.param("layout.toml", "'^vous êtes ici\\b',", "'^vous êtes (ici',", "is not a valid regular expression",
                 id="bad-regular-expression"),
    pytest.param("agreements.toml", 'not_in = ["d\'un commun accord"', 'not_in = ["", "d\'un commun accord"',
                 '[context] key "not_in": empty text (item 1)', id="empty-word"),
    pytest.param("layout.toml", "furniture = [", 'furniture = ["", ', 'key "furniture": empty text (item 1)',
                 id="empty-pattern"),
    pytest.param("themes.toml", 'cues = ["tabac", "cigarette", "cigarettes", "produits du tabac", "tobacco"]',
                 "cues = []",
                 '[[theme]] entry 10: key "cues": empty list', id="theme-without-cues"),
    pytest.param("organisations.toml", "# --- Système des Nations Unies",
                 '\n[[organisation]]\nname = "L\'Organisation des Nations Unies"\nkind = "ngo"\n# ---',
                 '[[organisation]] entries 1 and 2: both claim the name "Organisation des Nations Unies"',
                 id="duplicate-name"),
]


@pytest.mark.parametrize(("name", "old", "new", "message"), BROKEN)
def test_a_broken_resource_file_is_one_line_and_exit_3(folder, tmp_path, name, old, new, message):
    _edit(folder, name, old, new)
    out = tmp_path / "out"
    result = run_cli("run", SEED, "--out", out, "--no-cache", "--resources", folder)
    assert result.returncode == 3, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {folder / name}: ") and message in line, line
    assert "Traceback" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(("name", "old", "new", "message"), BROKEN)
def test_load_raises_a_resource_error_naming_the_file(folder, name, old, new, message):
    _edit(folder, name, old, new)
    with pytest.raises(ResourceError) as caught:
        resources.load(folder)
    assert caught.value.source == str(folder / name) and message in caught.value.problem
    assert caught.value.exit_code == 3


def test_every_problem_of_a_file_is_reported_not_only_the_first(folder):
    _edit(folder, "themes.toml", "cues = [", "cue = [")
    _edit(folder, "themes.toml", 'label = "Drogues et précurseurs"', "label = 3")
    with pytest.raises(ResourceError) as caught:
        resources.load(folder)
    problem = caught.value.problem
    assert '[[theme]] entry 1: unknown key "cue"' in problem
    assert '[[theme]] entry 2: key "label": expected str, got int' in problem


def test_a_missing_resource_file(folder):
    (folder / "entities.toml").unlink()
    with pytest.raises(ResourceError, match="resource file is missing"):
        resources.load(folder)


def test_the_shipped_resources_load_with_their_indexes():
    loaded = resources.load()
    assert loaded.folder == SHIPPED and len(loaded.fingerprint) == 64
    omd = loaded.gazetteer.by_acronym["OMD"]
    assert loaded.gazetteer.entries[omd].name == "Organisation mondiale des douanes"
    assert loaded.gazetteer.find_name("l’Organisation mondiale des douanes") == omd
    assert {"OMD", "WCO"} <= loaded.gazetteer.acronyms
    assert "nuclear_radioactive" in loaded.themes.codes and "SAFE" in loaded.themes.acronym_cues


def test_a_copy_of_the_resources_has_the_same_fingerprint_and_an_edit_changes_it(folder):
    assert resources.load(folder).fingerprint == resources.load().fingerprint
    _edit(folder, "themes.toml", "[[theme]]", "# a comment\n[[theme]]")
    assert resources.load(folder).fingerprint != resources.load().fingerprint


def test_a_file_with_no_entry_at_all(folder):
    (folder / "themes.toml").write_text("theme = []\n", encoding="utf-8")
    with pytest.raises(ResourceError, match=r"\[\[theme\]\]: no entry"):
        resources.load(folder)


def test_every_broken_file_is_named(folder):
    _edit(folder, "themes.toml", "cues = [", "cue = [")
    _edit(folder, "dates.toml", "min_year = 1800", 'min_year = "1800"')
    with pytest.raises(ResourceError) as caught:
        resources.load(folder)
    assert caught.value.source.endswith("dates.toml") and "min_year" in caught.value.problem
    assert "also broken: themes.toml (2 problems)" in caught.value.hint


def test_a_file_that_cannot_be_read_is_named_with_the_other_broken_ones(folder):
    (folder / "layout.toml").write_text("[oops", encoding="utf-8")
    _edit(folder, "dates.toml", "min_year = 1800", 'min_year = "1800"')
    with pytest.raises(ResourceError) as caught:
        resources.load(folder)
    assert caught.value.source.endswith("layout.toml") and "not valid TOML" in caught.value.problem
    assert "also broken: dates.toml (1 problem)" in caught.value.hint
