"""Configuration as an explicit object: two configurations run side by side in one process, each
with its own resources and indexes, and neither leaks into the other."""

import shutil

import pytest
from conftest import ROOT

from pipeline.analysis import Analyser, run
from pipeline.cache import Cache
from pipeline.config import Config
from pipeline.models import Document, Partner, Section

TEXT = ("La Ligue des licornes (LDL) et l’OMD ont signé un Protocole d’accord le 3 mai 2001 "
        "pour la protection des licornes.")


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """The shipped resources plus a theme and a body of a fable."""
    folder = tmp_path_factory.mktemp("resources")
    for path in (ROOT / "pipeline" / "resources").glob("*.toml"):
        shutil.copyfile(path, folder / path.name)
    with open(folder / "themes.toml", "a", encoding="utf-8") as themes:
        themes.write('\n[[theme]]\ncode = "unicorns"\nlabel = "Licornes"\ncues = ["licorne"]\n')
    with open(folder / "organisations.toml", "a", encoding="utf-8") as gazetteer:
        gazetteer.write('\n[[organisation]]\nname = "Ligue internationale des licornes"\nacronym = "LDL"\n'
                        'aliases = ["Ligue des licornes"]\nkind = "ngo"\n')
    return Config.load(folder)


def _partner(analyser):
    document = Document("fable.txt", "0" * 64, None, (Section("fable.txt", 1, "Ligue (LDL)", TEXT),))
    (partner,) = run([document], analyser).partners
    return partner


def test_two_configurations_in_one_process(analyser, edited):
    shipped = _partner(analyser)
    fable = _partner(Analyser(edited))
    again = _partner(analyser)  # the shipped configuration after the other one ran: unchanged
    assert [t.code for t in fable.themes] == ["unicorns"]
    assert "unicorns" not in [t.code for t in shipped.themes]
    ldl = next(o for o in fable.organisations if o.acronym == "LDL")
    assert ldl.name == "Ligue internationale des licornes"  # the edited gazetteer's canonical name
    assert not any(o.name == "Ligue internationale des licornes" for o in shipped.organisations)
    assert again == shipped


def test_each_configuration_has_its_own_cache_keys(config, edited, tmp_path):
    partner = Partner("ldl", "fable.txt", 1, "Ligue (LDL)", "Ligue", "LDL", TEXT, "0" * 64)
    assert Cache(tmp_path, config).key(partner) != Cache(tmp_path, edited).key(partner)


def test_the_model_is_named_with_its_installed_version(config):
    assert config.model_label == "fr_core_news_sm 3.8.0"
    assert Config(config.resources, model="xx_no_such_model").model_version == "not installed"
