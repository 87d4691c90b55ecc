"""The review page of a drafted gold, read as a parser would, then used in Chromium: data that looks
like markup stays text, the vocabularies are the product's own, the text is drawn as in the report,
and the page's controls (reject a section, undo, a wrong date, a theme twice, cancel an addition) give
the gold a reviewer means. The whole draft → review → evaluate loop is in tests/test_gold_workflow.py.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from html.parser import HTMLParser

import pytest
from browser import Tab, chromium

from pipeline.models import AGREEMENT_TYPES, GOLD_REVIEW
from pipeline.outputs import report, review
from pipeline.resources import ThemeVocabulary
from pipeline.tools import gold as drafting

HOSTILE = "</script><script>alert(1)</script> Office « gras » & <b>Cie</b> <!--"
TEXT = "L’Office gras (OG) coopère avec l’OMD depuis 2005 sur les drogues.\u2028Fin &amp; </SCRIPT>."


def _at(text: str, needle: str) -> dict:
    start = text.index(needle)
    return {"text": needle, "start": start, "end": start + len(needle)}


@pytest.fixture
def predictions() -> dict:
    partner = {
        "partner_id": "og", "source": "pages/<i>veille</i>.txt", "section_index": 1, "heading": HOSTILE,
        "name": "Office gras", "acronym": "OG", "published": None, "published_text": None, "text": TEXT,
        "text_sha256": "0" * 64,
        "organisations": [{"name": "Office gras", "acronym": "OG", "source": "defined",
                           "mentions": [_at(TEXT, "L’Office gras (OG)")]},
                          {"name": "Organisation mondiale des douanes", "acronym": "OMD", "source": "gazetteer",
                           "mentions": [_at(TEXT, "l’OMD")]}],
        "agreements": [],
        "dates": [{**_at(TEXT, "2005"), "value": "2005", "precision": "year", "role": "start"}],
        "themes": [{"code": "drugs", "label": "Drogues et précurseurs", "evidence": ["</script>drogues"]}],
        "links": [],
    }
    second = {**copy.deepcopy(partner), "partner_id": "deux", "section_index": 2, "heading": "Deuxième section",
              "organisations": [], "dates": [], "themes": []}
    return {"schema_version": "1.0",
            "generator": {"name": "omd-partners-pipeline", "version": "9.9.9", "spacy_model": "fr_core_news_sm 3.8.0"},
            "documents": [{"source": "pages/<i>veille</i>.txt", "title": HOSTILE, "n_sections": 2}],
            "partners": [partner, second]}


class Scripts(HTMLParser):
    """Every element's tag and the content of each script element."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def _render(predictions, config, name="veille.gold.json"):
    return review.render(drafting.draft(predictions), predictions, config, name)


def test_the_data_travels_whole_and_cannot_end_its_script_element(predictions, config):
    html = _render(predictions, config)
    parsed = Scripts(html)
    assert [a.get("type") for a, _ in parsed.scripts] == ["application/json", None]  # the page's own two
    (_, block), _ = parsed.scripts
    assert "<" not in block and ">" not in block and "&" not in block
    data = json.loads(block)
    assert data == json.loads(json.dumps(review.payload(drafting.draft(predictions), predictions, config,
                                                        "veille.gold.json")))
    assert data["gold"]["partners"][0]["heading"] == HOSTILE and data["mark"] == GOLD_REVIEW
    assert data["context"][0]["themes"] == [{"evidence": ["</script>drogues"]}]


def test_markup_in_the_data_is_text(predictions, config):
    html = _render(predictions, config)
    assert "<script>alert(1)" not in html and "<b>Cie</b>" not in html and "<i>veille</i>" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    tags = [t for t, _ in Scripts(html).tags]
    assert "i" not in tags and tags.count("b") == 2  # the page's own words in bold, no others


def test_the_text_is_drawn_as_in_the_report(predictions, config):
    html = _render(predictions, config)
    for partner in predictions["partners"]:
        assert f'<div class="text" lang="fr">{report.highlighted(partner)}</div>' in html
    assert report.CSS in html


def test_the_vocabularies_are_the_products_own(predictions, config):
    vocabulary = review.payload({}, predictions, config, "x.gold.json")["vocabulary"]
    assert [code for code, _ in vocabulary["agreement_types"]] == list(AGREEMENT_TYPES)
    assert [code for code, _ in vocabulary["themes"]] == list(config.resources.themes.codes)
    # An analyst's own theme file: the page offers its themes, no others.
    mine = ThemeVocabulary(config.resources.themes.entries[:2])
    edited = dataclasses.replace(config, resources=dataclasses.replace(config.resources, themes=mine))
    vocabulary = review.payload({}, predictions, edited, "x.gold.json")["vocabulary"]
    assert [code for code, _ in vocabulary["themes"]] == list(mine.codes)


def test_same_draft_same_page_and_nothing_from_outside(predictions, config):
    html = _render(predictions, config)
    assert _render(copy.deepcopy(predictions), config) == html
    for tag, attrs in Scripts(html).tags:
        assert "src" not in attrs and tag not in ("link", "iframe", "img"), tag
    assert "http://" not in html and "https://" not in html and "@import" not in html and "fetch(" not in html
    assert not re.search(r"url\(", html)


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def tab(browser, predictions, config, tmp_path):
    page = tmp_path / "veille.gold.review.html"
    page.write_text(_render(predictions, config), encoding="utf-8")
    tab = Tab(browser, page.as_uri())
    tab.page.wait_for_selector('html[data-review="ready"]', state="attached")
    yield tab
    assert tab.errors == []  # no console error, whatever the test did
    tab.close()


def _left(tab) -> int:
    return int(tab.page.get_attribute("#left", "data-left"))


def test_markup_is_shown_as_written_in_chromium(tab, predictions):
    assert tab.page.inner_text('section[data-partner="0"] h2') == f"1. {HOSTILE}"
    assert "</script>drogues" in tab.page.inner_text('section[data-partner="0"] aside')
    assert _left(tab) == 2 + 4  # two sections, four items


def test_a_rejected_section_leaves_the_gold_and_comes_back_with_undo(tab, tmp_path):
    section = tab.page.locator('section[data-partner="0"] .partner-review')
    section.locator('button[data-act="reject"]').click()
    assert _left(tab) == 1  # the other section; the rejected one's items go with it
    gold = tab.downloaded_json(tmp_path / "rejected")
    assert [p["heading"] for p in gold["partners"]] == ["Deuxième section"]
    section.locator('button[data-act="undo"]').click()
    assert _left(tab) == 6
    assert [p["heading"] for p in tab.downloaded_json(tmp_path / "undone")["partners"]] == [HOSTILE,
                                                                                              "Deuxième section"]


def test_a_wrong_date_is_refused_and_the_item_stays_to_review(tab, tmp_path):
    item = tab.page.locator('section[data-partner="0"] li[data-field="dates"][data-index="0"]')
    item.locator('button[data-act="edit"]').click()
    item.locator('[name="value"]').fill("13/05/1998")
    item.locator('button[data-act="save"]').click()
    assert "AAAA-MM-JJ" in item.locator(".error").inner_text()
    item.locator('[name="value"]').fill("1998-05")
    item.locator('button[data-act="save"]').click()
    assert item.get_attribute("data-status") == "corrected" and _left(tab) == 5
    gold = tab.downloaded_json(tmp_path / "date")
    assert gold["partners"][0]["dates"] == [{"text": "2005", "value": "1998-05", "precision": "month"}]


def test_a_theme_is_not_added_twice_and_a_cancelled_addition_leaves_nothing(tab, tmp_path):
    themes = 'section[data-partner="0"] li[data-field="themes"]'
    tab.page.click('section[data-partner="0"] button[data-act="add"][data-field="themes"]')
    added = tab.page.locator(themes).nth(1)
    added.locator('[name="code"]').select_option("drugs")
    added.locator('button[data-act="save"]').click()
    assert "déjà" in added.locator(".error").inner_text()
    added.locator('button[data-act="cancel"]').click()
    assert tab.page.locator(themes).count() == 1
    tab.page.click('section[data-partner="0"] button[data-act="add"][data-field="themes"]')  # left open
    gold = tab.downloaded_json(tmp_path / "themes")
    assert gold["partners"][0]["themes"] == [{GOLD_REVIEW: True, "code": "drugs"}]
    assert _left(tab) == 6


def test_the_json_shown_is_the_json_downloaded(tab, tmp_path):
    tab.page.click('section[data-partner="1"] .partner-review button[data-act="accept"]')
    tab.page.fill("#reviewer-notes", "Section 2 : titre d’une brève.")
    tab.page.click("#show-json")
    shown = tab.page.input_value("#gold-json")
    downloaded = tab.download("#download", tmp_path / "shown").read_text(encoding="utf-8")
    assert shown == downloaded
    notes = json.loads(downloaded)["notes"]
    assert "1 accepted" in notes and notes.endswith("Reviewer's notes: Section 2 : titre d’une brève.")


def test_pointing_at_an_item_outlines_its_marks_and_no_outline_outlives_the_pointer(tab):
    item = tab.page.locator('section[data-partner="0"] li[data-field="organisations"][data-index="0"]')
    outlined = 'section[data-partner="0"] mark.focus'
    item.hover()
    assert [m.get_attribute("data-name") for m in tab.page.locator(outlined).all()] == ["Office gras"]
    # The item is drawn anew as a form under the pointer (the element it entered is gone), then the
    # pointer moves to another item: only that one's marks are outlined.
    item.locator('button[data-act="edit"]').click()
    tab.page.hover('section[data-partner="0"] li[data-field="dates"][data-index="0"]')
    tab.page.wait_for_timeout(100)  # the browser's own pointer events after a redraw come on a timer
    assert [m.get_attribute("data-value") or m.get_attribute("data-name")
            for m in tab.page.locator(outlined).all()] == ["2005"]
