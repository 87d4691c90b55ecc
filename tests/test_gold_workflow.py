"""Making a gold file, end to end, as an analyst would: ``gold draft`` on a page that is in no gold set,
the review page opened in Chromium (accept, reject, correct, add, download), and the downloaded gold
scored by ``evaluate``. Also the command's exit codes and what it refuses.

The page is written here, with mistakes the pipeline makes on it, so that the review has something
to correct: a body named together with the next one, a renewal taken for a second memorandum, a party
too many, a range of months read as a year, a body and a month not found at all.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from browser import Tab, chromium
from conftest import ROOT

from pipeline import api
from pipeline.models import GOLD_REVIEW
from pipeline.tools import files
from pipeline.tools import gold as drafting

PAGE = """Partenariats régionaux de l’OMD

Organisation maritime de l’Afrique de l’Ouest et du Centre (OMAOC)
L’OMD et l’Organisation maritime de l’Afrique de l’Ouest et du Centre (OMAOC) ont signé un Protocole d’accord \
le 4 juin 2019 à Abidjan, renouvelé le 2/3/2023. Les deux organisations organisent depuis 2020 des ateliers de \
formation sur la sécurité de la chaîne logistique avec le soutien de la Banque ouest-africaine de développement \
et de la Commission de la CEDEAO.

Office régional de lutte contre la drogue (ORLD)
L’Office régional de lutte contre la drogue (ORLD) coopère avec l’OMD depuis 2015 contre le trafic illicite de \
stupéfiants. Des missions conjointes ont eu lieu en mai-juin 2016. Une Lettre d’intention a été signée en mars \
2021 avec l’Agence danoise pour le développement international.
"""
BANK = "Banque ouest-africaine de développement"
DANIDA = "Agence danoise pour le développement international"

# The scores of the run against the reviewed gold: (tp, fp, fn) per field. Each follows from one
# decision of the review below: the body cut short and the body added (organisations: 1 spurious, 2
# missing), the renewal rejected (agreements: 1 spurious), the letter's parties corrected (1 wrong),
# "mai-juin 2016" corrected and completed (dates: 1 spurious, 2 missing); the rest was accepted.
EXPECTED = {
    "sections": (2, 0, 0),
    "organisations": (5, 1, 2),
    "dates": (5, 1, 2),
    "agreements": (2, 1, 0),
    "agreement_parties": (1, 1, 1),
    "themes": (4, 0, 0),
    "acronyms": (2, 0, 0),
    "published": (0, 0, 0),
}


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def _item(tab: Tab, partner: int, field: str, index: int):
    return tab.page.locator(f'section[data-partner="{partner}"] li[data-field="{field}"][data-index="{index}"]')


def _act(tab: Tab, partner: int, field: str, index: int, act: str) -> None:
    _item(tab, partner, field, index).locator(f'button[data-act="{act}"]').click()


def _fill(form, values: dict) -> None:
    for name, value in values.items():
        box = form.locator(f'[name="{name}"]')
        if box.evaluate("e => e.tagName") == "SELECT":
            box.select_option(value)
        else:
            box.fill(value)
    form.locator('button[data-act="save"]').click()


def _correct(tab: Tab, partner: int, field: str, index: int, **values) -> None:
    _act(tab, partner, field, index, "edit")
    _fill(_item(tab, partner, field, index), values)


def _add(tab: Tab, partner: int, field: str, **values) -> None:
    tab.page.locator(f'section[data-partner="{partner}"] button[data-act="add"][data-field="{field}"]').click()
    index = tab.page.locator(f'section[data-partner="{partner}"] li[data-field="{field}"]').count() - 1
    _fill(_item(tab, partner, field, index), values)


def _accept_all_but(tab: Tab, gold: dict, partner: int, skip: set[tuple[str, int]]) -> None:
    """Accept the section and every item of it still to review, but those in ``skip``."""
    tab.page.locator(f'section[data-partner="{partner}"] .partner-review button[data-act="accept"]').click()
    for field in ("organisations", "agreements", "dates", "themes"):
        for index, _ in enumerate(gold["partners"][partner][field]):
            if (field, index) not in skip:
                _act(tab, partner, field, index, "accept")


def _left(tab: Tab) -> int:
    return int(tab.page.get_attribute("#left", "data-left"))


def _index(items: list[dict], **wanted) -> int:
    """Where the draft holds the item with these values (the review below relies on the pipeline's
    mistakes on this page: if one is fixed, pick another mistake for the test)."""
    hits = [i for i, item in enumerate(items) if all(item.get(k) == v for k, v in wanted.items())]
    assert len(hits) == 1, (wanted, items)
    return hits[0]


def test_draft_review_in_the_browser_then_evaluate(browser, config, tmp_path):
    page = tmp_path / "veille_regionale.txt"
    page.write_text(PAGE, encoding="utf-8")
    cache = tmp_path / "cache"
    drafted = api.draft_gold(page, tmp_path / "gold" / "veille_regionale.gold.json", config, cache_dir=cache)
    assert drafted.page == tmp_path / "gold" / "veille_regionale.gold.review.html"
    draft_bytes = drafted.gold.read_bytes()
    draft = json.loads(draft_bytes)
    assert (drafted.partners, drafted.items) == (2, 19)
    assert drafting.marks(draft) == drafted.marks == 21  # every partner and every item

    omaoc, orld = draft["partners"]
    bank = _index(omaoc["organisations"], name=f"{BANK} et de la Commission de la CEDEAO")
    renewal = _index(omaoc["agreements"], date="2023-03-02")
    letter = _index(orld["agreements"], type="letter_of_intent", date="2021-03")
    assert set(orld["agreements"][letter]["parties"]) == {"ORLD", "OMD", DANIDA}
    months = _index(orld["dates"], value="2016")

    tab = Tab(browser, drafted.page.as_uri())
    tab.page.wait_for_selector('html[data-review="ready"]', state="attached")
    assert _left(tab) == 21
    # Nothing decided yet: the page gives the draft back, byte for byte.
    assert tab.download("#download", tmp_path / "untouched").read_bytes() == draft_bytes

    # Section 1: the body named with the next one is cut, the missing one added, the renewal rejected.
    _accept_all_but(tab, draft, 0, {("organisations", bank), ("agreements", renewal)})
    _correct(tab, 0, "organisations", bank, name=BANK)
    _add(tab, 0, "organisations", name="Commission de la CEDEAO")
    _act(tab, 0, "agreements", renewal, "reject")
    assert _left(tab) == 10  # section 2 and its 9 items

    # Halfway: what was decided has no mark left, what was not keeps its mark.
    half = tab.downloaded_json(tmp_path / "half")
    assert drafting.marks(half) == 10
    assert f'"{GOLD_REVIEW}":' not in json.dumps(half["partners"][0])
    assert half["partners"][1] == orld

    # Section 2: the letter's parties and the range of months corrected, the second month added.
    _accept_all_but(tab, draft, 1, {("agreements", letter), ("dates", months)})
    _correct(tab, 1, "agreements", letter, parties=f"ORLD; {DANIDA}")
    _correct(tab, 1, "dates", months, value="2016-05", text="mai 2016")
    _add(tab, 1, "dates", value="2016-06", text="juin 2016")
    assert _left(tab) == 0
    assert tab.page.inner_text("#left") == "Tout est relu"

    downloaded = tab.download("#download", tmp_path / "reviewed")
    assert downloaded.name == "veille_regionale.gold.json"
    assert tab.errors == []
    tab.close()

    gold = files.parse(downloaded.read_bytes())  # the gold file's shape
    assert drafting.marks(gold) == 0 and f'"{GOLD_REVIEW}":' not in downloaded.read_text(encoding="utf-8")
    assert [o["name"] for o in gold["partners"][0]["organisations"]] == [
        "Organisation mondiale des douanes", "Organisation maritime de l’Afrique de l’Ouest et du Centre", BANK,
        "Commission de la CEDEAO"]
    assert [a["date"] for a in gold["partners"][0]["agreements"]] == ["2019-06-04"]
    assert gold["partners"][1]["agreements"][letter]["parties"] == ["ORLD", DANIDA]
    assert [(d["value"], d["precision"]) for d in gold["partners"][1]["dates"]] == [
        ("2015", "year"), ("2016-05", "month"), ("2021-03", "month"), ("2016-06", "month")]
    assert "3 corrected, 1 rejected, 2 added" in gold["notes"]

    api.run([page], tmp_path / "out", formats=("json",), cache_dir=cache, config=config)
    result = api.evaluate(downloaded, tmp_path / "out", config, save=False)
    scores = {name: (s.tp, s.fp, s.fn) for name, s in result.scores.items() if name in EXPECTED}
    assert scores == EXPECTED, result.report()


def _cli_page(tmp_path: Path) -> Path:
    page = tmp_path / "veille.txt"
    page.write_text(PAGE, encoding="utf-8")
    return page


@pytest.mark.parametrize(("case", "code", "message"), [
    ("missing page", 2, "veille.txt: no such file or folder"),
    ("a folder", 2, "is a folder; a gold file is about one page"),
    ("--out is a folder", 2, "is a folder (give --out a file name"),
    ("gold exists", 3, "exists already (give --force to replace it, or another --out)"),
    ("no section", 2, "no partner section found"),
])
def test_bad_input_is_one_line_and_nothing_is_written(cli, tmp_path, case, code, message):
    page, out = _cli_page(tmp_path), tmp_path / "gold" / "veille.gold.json"
    if case == "missing page":
        page.unlink()
    elif case == "a folder":
        page = tmp_path
    elif case == "--out is a folder":
        out.mkdir(parents=True)
    elif case == "gold exists":
        out.parent.mkdir()
        out.write_text("my own gold", encoding="utf-8")
    elif case == "no section":
        page.write_text("Un titre\nUn autre titre\n", encoding="utf-8")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = cli("gold", "draft", page, "--out", out, "--cache-dir", tmp_path / "cache")
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if "cache" not in p.parts)
    assert after == [p for p in before if "cache" not in p.parts]
    if case == "gold exists":
        assert out.read_text(encoding="utf-8") == "my own gold"


def test_draft_command_writes_beside_the_page_and_replaces_only_with_force(cli, tmp_path):
    page = _cli_page(tmp_path)
    result = cli("gold", "draft", page, "--no-cache")
    assert result.returncode == 0, result.stderr
    gold, review = tmp_path / "gold" / "veille.gold.json", tmp_path / "gold" / "veille.gold.review.html"
    assert "2 partners and 19 items to review" in result.stderr and str(review) in result.stderr
    first = gold.read_bytes()
    assert drafting.marks(json.loads(first)) == 21 and review.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold", "veille.txt"]  # no outputs folder, no temporary
    assert sorted(p.name for p in gold.parent.iterdir()) == ["veille.gold.json", "veille.gold.review.html"]

    assert cli("gold", "draft", page, "--no-cache").returncode == 3
    result = cli("gold", "draft", page, "--no-cache", "--force")
    assert result.returncode == 0, result.stderr
    assert gold.read_bytes() == first  # the same page, the same draft


def test_help_says_what_the_command_does_without_loading_the_language_tools():
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "pipeline", "gold", "draft", "--help"],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0 and '"review": true' in result.stdout and "--force" in result.stdout
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert not imported & {"spacy", "dateparser", "xlsxwriter", "playwright"}, imported
