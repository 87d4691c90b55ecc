"""The HTML review report, read back as a browser would: parsed by html.parser, then opened in Chromium.

The run is built by hand (no spaCy needed) so that each case is visible here: typographic apostrophes,
markup in a heading and a text, nested, identical and crossing spans, an offset outside the text.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.outputs import report
from pipeline.tools import diff

CHROMIUM = Path("/usr/bin/chromium")
KINDS = ("org", "date", "agreement")


def at(text: str, needle: str, nth: int = 0) -> dict:
    """Offsets of the ``nth`` occurrence of ``needle``, so that the fixture never counts by hand."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return {"text": needle, "start": start, "end": start + len(needle)}


TEXT_A = ("L’OMD et l’Agence d’essai (AE) ont conclu chacun un Protocole d’accord de l’OMD, "
          "signé le 13 mai 1998 à Bruxelles.")
TEXT_B = ("Le <script>alert(1)</script> n’est pas exécuté ; « guillemets » & \"doubles\" restent. "
          "L’Office <b>gras</b> (OG) coopère depuis 2005 sur les drogues.")
TEXT_C = "Première ligne sans rien.\r\nDeuxième ligne, après un retour chariot.\n\tFin."


def _partner(pid, index, heading, text, organisations=(), agreements=(), dates=(), themes=()):
    return {"partner_id": pid, "source": "corpus/page.txt", "section_index": index, "heading": heading,
            "name": heading, "acronym": None, "text": text, "text_sha256": "0" * 64,
            "organisations": list(organisations), "agreements": list(agreements), "dates": list(dates),
            "themes": list(themes)}


def _agreement(text, label, date=None):
    return {"type": "memorandum_of_understanding", "label": label, "parties": ["OMD", "AE"], "date": date,
            "date_precision": "day" if date else None, "date_text": "le 13 mai 1998" if date else None,
            "status": "concluded", "evidence": text, **{k: at(text, label)[k] for k in ("start", "end")}}


def _date(text, written, value, precision, role):
    return {**at(text, written), "value": value, "precision": precision, "role": role}


@pytest.fixture
def data() -> dict:
    a = _partner(
        "ae", 1, "Agence d’essai (AE)", TEXT_A,
        organisations=[
            {"name": "Organisation mondiale des douanes", "acronym": "OMD", "source": "gazetteer",
             # The second mention lies inside the agreement label: nested, so not drawn.
             "mentions": [at(TEXT_A, "L’OMD"), at(TEXT_A, "l’OMD")]},
            {"name": "Agence d’essai", "acronym": "AE", "source": "defined",
             "mentions": [at(TEXT_A, "l’Agence d’essai (AE)")]},
        ],
        # "conclu chacun": two agreements on one label, drawn as one mark standing for both.
        agreements=[_agreement(TEXT_A, "Protocole d’accord de l’OMD", "1998-05-13"),
                    _agreement(TEXT_A, "Protocole d’accord de l’OMD", "1998-05-13")],
        # "mai 1998" lies inside "13 mai 1998": the outer one is drawn.
        dates=[_date(TEXT_A, "13 mai 1998", "1998-05-13", "day", "signature"),
               _date(TEXT_A, "mai 1998", "1998-05", "month", "signature")],
        themes=[{"code": "capacity_building", "label": "Formation et renforcement des capacités",
                 "evidence": ["formation"]}],
    )
    b = _partner(
        "og", 2, "<script>alert(1)</script> Office « gras » (OG) & Cie", TEXT_B,
        organisations=[{"name": "Office <b>gras</b>", "acronym": "OG", "source": "text",
                        "mentions": [at(TEXT_B, "L’Office <b>gras</b> (OG)")]}],
        dates=[_date(TEXT_B, "2005", "2005", "year", "start")],
        themes=[{"code": "drugs", "label": "Drogues et précurseurs", "evidence": ["drogues"]},
                {"code": "environment", "label": "Environnement", "evidence": ["<b>vert</b>"]}],
    )
    c = _partner("sans-rien", 3, "Section sans rien", TEXT_C)
    return {
        "schema_version": "1.0",
        "generator": {"name": "omd-partners-pipeline", "version": "9.9.9", "spacy_model": "fr_core_news_sm 3.8.0"},
        "documents": [{"source": "corpus/page.txt", "sha256": "f" * 64, "title": "Partenaires de l’OMD",
                       "n_sections": 3, "encoding": "utf-8", "ignored_lines": []}],
        "partners": [a, b, c],
    }


@pytest.fixture
def evaluation() -> dict:
    score = {"precision": 0.9, "recall": 0.75, "f1": 0.8182, "tp": 9, "fp": 1, "fn": 3}
    return {
        "scores": {"sections": score, "organisations": score, "dates": score},
        "differences": [
            {"section": "AE", "field": "dates", "kind": "spurious", "item": "1998-05 x1", "partner_id": "ae"},
            {"section": "AE", "field": "acronyms", "kind": "wrong", "item": "gold 'AE', got None",
             "partner_id": "ae"},
            {"section": "OG", "field": "themes", "kind": "missing", "item": "<i>tobacco</i>", "partner_id": "og"},
            {"section": "Absente", "field": "sections", "kind": "missing", "item": "Absente", "partner_id": None},
        ],
    }


class Page(HTMLParser):
    """What a reader of the page sees: sections with their text and marks, every tag and attribute."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.sections: list[dict] = []
        self.loose_diffs: list[dict] = []
        self._text_depth = 0
        self._section_depth = 0
        self._in_heading = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attrs))
        classes = attrs.get("class", "").split()
        if tag == "section" and "partner" in classes:
            self.sections.append({"attrs": attrs, "text": "", "heading": "", "marks": [], "diffs": []})
            self._section_depth = 1
        elif self._section_depth and tag not in ("br", "meta", "img", "input", "hr", "wbr"):
            self._section_depth += 1
        if tag == "li" and "diff" in classes:
            (self.sections[-1]["diffs"] if self._section_depth else self.loose_diffs).append(attrs)
        if tag == "h2" and self._section_depth:
            self._in_heading = True
        if self._text_depth:
            self._text_depth += 1
            if tag == "mark":
                self.sections[-1]["marks"].append(attrs)
        elif tag == "div" and "text" in classes and self._section_depth:
            self._text_depth = 1

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_heading = False
        if self._text_depth:
            self._text_depth -= 1
        if self._section_depth:
            self._section_depth -= 1

    def handle_data(self, data):
        if self._text_depth:
            self.sections[-1]["text"] += data
        elif self._in_heading:
            self.sections[-1]["heading"] += data

    def marks(self, section: int, kind: str) -> list[dict]:
        return [m for m in self.sections[section]["marks"] if m["class"].split() == ["ent", kind]]

    def elements(self, tag: str, cls: str | None = None) -> list[dict]:
        return [a for t, a in self.tags if t == tag and (cls is None or cls in a.get("class", "").split())]


def drawn(marks: list[dict]) -> int:
    """Items a list of marks stands for: a mark shared by several items says how many."""
    return sum(int(m.get("data-n", "1")) for m in marks)


def n_spans(partner: dict, kind: str) -> int:
    if kind == "org":
        return sum(len(o["mentions"]) for o in partner["organisations"])
    return len(partner["dates" if kind == "date" else "agreements"])


def test_every_item_is_highlighted_once_per_class(data):
    page = Page(report.render(data))
    assert len(page.sections) == 3
    # Sections without overlap: one mark per span of every item.
    for i in (1, 2):
        for kind in KINDS:
            assert len(page.marks(i, kind)) == n_spans(data["partners"][i], kind), (i, kind)
    # Section A: "l’OMD" inside the agreement label and "mai 1998" inside "13 mai 1998" give way to the
    # outer span; the two agreements share their label's mark.
    a = data["partners"][0]
    assert len(page.marks(0, "org")) == n_spans(a, "org") - 1 == 2
    assert len(page.marks(0, "date")) == n_spans(a, "date") - 1 == 1
    assert len(page.marks(0, "agreement")) == 1
    assert drawn(page.marks(0, "agreement")) == n_spans(a, "agreement") == 2
    assert page.marks(0, "agreement")[0]["data-label"] == "ACCORD ×2"
    assert [m["data-value"] for m in page.marks(0, "date")] == ["1998-05-13"]
    assert {m["data-acronym"] for m in page.marks(0, "org")} == {"OMD", "AE"}


def test_hidden_spans_are_still_listed(data):
    html = report.render(data)
    section_a = html.split('<section class="partner')[1]
    # The nested items keep their place in the lists, with a word on why they are not drawn.
    assert "mai 1998" in section_a and section_a.count("(chevauchement)") == 2
    assert "Organisations (2)" in section_a and "Accords (2)" in section_a and "Dates (2)" in section_a


def test_section_text_is_the_partner_text(data):
    page = Page(report.render(data))
    for section, partner in zip(page.sections, data["partners"], strict=True):
        assert section["text"] == partner["text"]
        for mark in section["marks"]:
            assert mark["data-label"].split()[0] in ("ORG", "DATE", "ACCORD")


def test_markup_in_the_data_is_escaped(data, evaluation):
    html = report.render(data, evaluation)
    assert "<script>alert(1)" not in html
    assert "<b>gras</b>" not in html and "<i>tobacco</i>" not in html and "<b>vert</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    page = Page(html)
    assert len(page.elements("script")) == 1  # the report's own
    assert not page.elements("i") and all("gras" not in str(a) for a in page.elements("b"))
    for section, partner in zip(page.sections, data["partners"], strict=True):
        assert f'{partner["section_index"]}. {partner["heading"]}' in section["heading"]
    assert page.sections[1]["marks"][0]["data-name"] == "Office <b>gras</b>"


def test_carriage_return_survives(data):
    html = report.render(data)
    assert "&#13;" in html and "\r" not in html


def test_evaluation_marks_only_with_an_evaluation(data, evaluation):
    without = Page(report.render(data))
    assert not without.elements("li", "diff") and not without.elements("span", "diff")
    assert not without.elements("table", "scores")
    assert not any("has-diffs" in s["attrs"]["class"] for s in without.sections)

    page = Page(report.render(data, evaluation))
    assert page.elements("table", "scores")
    assert [d["class"] for d in page.sections[0]["diffs"]] == ["diff spurious", "diff wrong"]
    assert [d["class"] for d in page.sections[1]["diffs"]] == ["diff missing"]
    assert page.sections[2]["diffs"] == []
    # A gold section with no partner in the run belongs to no section: listed beside the scores.
    assert [d["data-kind"] for d in page.loose_diffs] == ["missing"]
    assert len(page.elements("li", "diff")) == len(evaluation["differences"])
    assert [("has-diffs" in s["attrs"]["class"]) for s in page.sections] == [True, True, False]
    html = report.render(data, evaluation)
    # Each kind has its own look, not only its own class.
    for kind in ("missing", "spurious", "wrong"):
        assert re.search(rf"\.diff\.{kind} \{{[^}}]*border", html), kind
    assert "0,818" in html and "0,750" in html


def test_no_outside_resource(data, evaluation):
    html = report.render(data, evaluation)
    page = Page(html)
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not re.match(r"\s*(https?:)?//", value), (tag, name, value)
    assert not page.elements("link") and not page.elements("iframe") and not page.elements("img")
    assert all("src" not in attrs for _, attrs in page.tags)
    assert "http://" not in html and "https://" not in html
    assert "@import" not in html and "url(" not in html and "fetch(" not in html


def test_page_shape(data):
    html = report.render(data)
    assert html.startswith("<!DOCTYPE html>\n")
    page = Page(html)
    assert page.elements("html")[0]["lang"] == "fr"
    assert {"charset": "utf-8"} in page.elements("meta")
    for needle in ("omd-partners-pipeline", "9.9.9", "fr_core_news_sm 3.8.0", "corpus/page.txt",
                   "Partenaires de l’OMD"):
        assert needle in html
    ids = [a["id"] for _, a in page.tags if "id" in a]
    assert len(ids) == len(set(ids))
    links = [a["href"][1:] for a in page.elements("a") if a.get("href", "").startswith("#")]
    assert len(links) == 3 and set(links) <= set(ids)
    rows = [a for a in page.elements("tr") if "data-themes" in a]
    assert [r["data-themes"] for r in rows] == ["capacity_building", "drugs environment", ""]
    assert [s["attrs"]["data-themes"] for s in page.sections] == ["capacity_building", "drugs environment", ""]
    options = [a["value"] for a in page.elements("option")]
    # themes by label, accents aside; then how organisations were found, most certain first
    assert options == ["", "drugs", "environment", "capacity_building", "__none__",
                       "", "gazetteer", "defined", "text", "unknown"]
    assert [s["attrs"]["data-sources"] for s in page.sections] == ["defined gazetteer", "text", ""]
    assert html.count('class="swatch org"') >= 1 and 'class="legend"' in html


def test_deterministic(data, evaluation):
    first = report.render(data, evaluation)
    assert report.render(copy.deepcopy(data), copy.deepcopy(evaluation)) == first
    assert report.render(data, evaluation) == first
    assert report.render(data) != first


def test_crossing_and_invalid_spans_never_break_the_text(data):
    partner = data["partners"][1]
    text = partner["text"]
    # A date crossing the organisation mention, and one pointing outside the text.
    cross = at(text, "(OG) coopère depuis")
    partner["dates"] += [{**cross, "value": "2000", "precision": "year", "role": "event"},
                         {"text": "x", "start": len(text) - 1, "end": len(text) + 5, "value": "2001",
                          "precision": "year", "role": "event"}]
    html = report.render(data)
    page = Page(html)
    assert page.sections[1]["text"] == text
    # The longer organisation mention wins over the crossing date; the invalid one is reported, not drawn.
    assert [m["data-value"] for m in page.marks(1, "date")] == ["2005"]
    assert len(page.marks(1, "org")) == 1
    assert "1 non surligné (chevauchement)" in html
    assert "1 position invalide" in html


def test_empty_run_and_shared_partner_ids(data, evaluation):
    assert "Aucune section" in report.render({"partners": []})
    twin = copy.deepcopy(data["partners"][0])
    twin["source"] = "corpus/autre.txt"
    data["partners"].append(twin)
    page = Page(report.render(data, evaluation))
    ids = [s["attrs"]["id"] for s in page.sections]
    assert len(set(ids)) == 4
    # "ae" now names two sections: its differences cannot be pinned to one.
    assert page.sections[0]["diffs"] == [] and len(page.loose_diffs) == 3


def _chromium(page: Path, profile: Path, query: str = "") -> tuple[str, str]:
    result = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri() + query],
        capture_output=True, timeout=60)
    # Decoded by hand: text mode would turn the text's "\r\n" into "\n" and hide a lost character.
    stdout, stderr = result.stdout.decode("utf-8"), result.stderr.decode("utf-8", "replace")
    assert result.returncode == 0, stderr[-2000:]
    return stdout, stderr


def _page_errors(stderr: str, page: Path) -> list[str]:
    # Chromium logs the page's console (errors included) as "CONSOLE" lines naming the file; the rest of
    # its stderr is noise from the container (no D-Bus, no GPU).
    return [line for line in stderr.splitlines()
            if "Uncaught" in line or ("CONSOLE" in line and page.as_uri() in line)]


def test_in_chromium(data, evaluation, tmp_path):
    if not CHROMIUM.exists() or not shutil.which(str(CHROMIUM)):
        if os.environ.get("PIPELINE_REQUIRE_BROWSER"):
            pytest.fail("PIPELINE_REQUIRE_BROWSER is set but /usr/bin/chromium cannot be run")
        pytest.skip("Chromium is not installed (/usr/bin/chromium): `apt-get install chromium`, as .ci/run does, "
                    "lets this test run")
    page = tmp_path / "report.html"
    page.write_text(report.render(data, evaluation), encoding="utf-8")

    dom, stderr = _chromium(page, tmp_path / "profile")
    assert not _page_errors(stderr, page), _page_errors(stderr, page)
    assert 'data-filter="ready"' in dom  # the script ran to its end
    parsed = Page(dom)
    assert [len(s["marks"]) for s in parsed.sections] == [4, 2, 0]
    assert [s["text"] for s in parsed.sections] == [p["text"] for p in data["partners"]]
    assert "3 / 3 sections affichées" in dom

    dom, stderr = _chromium(page, tmp_path / "profile", "?theme=drugs")
    assert not _page_errors(stderr, page), _page_errors(stderr, page)
    parsed = Page(dom)
    assert ["hidden" in s["attrs"] for s in parsed.sections] == [True, False, True]
    assert "1 / 3 sections affichées" in dom

    # The organisations to review first: found by the shape of their name only.
    dom, stderr = _chromium(page, tmp_path / "profile", "?source=defined")
    assert not _page_errors(stderr, page), _page_errors(stderr, page)
    parsed = Page(dom)
    assert ["hidden" in s["attrs"] for s in parsed.sections] == [False, True, True]
    shown = [a["data-source"] for _, a in parsed.tags if "data-source" in a and "hidden" not in a]
    assert shown == ["defined"] and "1 / 3 sections affichées" in dom


# --- a run given a previous one: the changes section at the top ---------------------------------------

class Changes(HTMLParser):
    """The changes section as a reader sees it: its summary line and each row's cells and attributes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found, self.meta, self.rows, self.order = False, "", [], []
        self._in, self._meta, self._cell = 0, False, None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "section":
            self.order.append(attrs.get("class", ""))
        if tag == "div" and attrs.get("class") == "toolbar":
            self.order.append("toolbar")
        if tag == "section" and attrs.get("id") == "changes":
            self.found, self._in = True, 1
        elif self._in:
            self._in += 1
            if tag == "p":
                self._meta = True
            elif tag == "tr" and "data-kind" in attrs:
                self.rows.append({"attrs": attrs, "cells": [], "links": []})
            elif tag == "td" and self.rows:
                self.rows[-1]["cells"].append("")
                self._cell = True
            elif tag == "a" and self.rows:
                self.rows[-1]["links"].append(attrs["href"])

    def handle_endtag(self, tag):
        if self._in:
            self._in -= 1
            self._meta = self._meta and tag != "p"
            self._cell = self._cell and tag != "td"

    def handle_data(self, data):
        if self._meta:
            self.meta += data
        elif self._cell:
            self.rows[-1]["cells"][-1] += data


def _changes_of(data: dict, previous: dict):
    return diff.for_outputs(diff.compare(previous, data), "<anciens>/partners.json")


def test_changes_section_lists_each_change_at_the_top_escaped_and_linked(data):
    previous = copy.deepcopy(data)
    previous["partners"].pop(2)  # "sans-rien" is new
    previous["partners"][1]["heading"] = "Office <i>ancien</i>"  # "og" renamed
    previous["partners"][0]["dates"].pop()  # "ae" gains a date
    html = report.render(data, changes=_changes_of(data, previous))
    page = Changes(html)
    assert page.found and page.order[:2] == ["changes", "toolbar"]  # above everything else
    assert page.meta == "Comparé avec <anciens>/partners.json : 3 changements (ajouté : 2, renommé : 1)."
    assert [(r["attrs"]["data-kind"], r["attrs"]["data-field"], r["cells"]) for r in page.rows] == [
        ("added", "partner", ["ajouté", "Section sans rien sans-rien", "partenaire", "", "Section sans rien"]),
        ("renamed", "heading", ["renommé", f"{data['partners'][1]['heading']} og", "titre", "Office <i>ancien</i>",
                                data["partners"][1]["heading"]]),
        ("added", "date", ["ajouté", "Agence d’essai (AE) ae", "date", "", "1998-05"]),
    ]
    # Each partner of the run links to its section; the markup of a heading is text, never a tag.
    ids = {a["id"] for _, a in Page(html).tags if "id" in a}
    assert [r["links"] for r in page.rows] == [["#p3-sans-rien"], ["#p2-og"], ["#p1-ae"]]
    assert all(link[1:] in ids for r in page.rows for link in r["links"])
    assert "<i>ancien</i>" not in html and "&lt;i&gt;ancien&lt;/i&gt;" in html
    assert not Page(html).elements("i") and len(Page(html).elements("script")) == 1  # only the page's own


def test_changes_section_says_when_nothing_changed_and_is_absent_without_a_previous_run(data):
    html = report.render(data, changes=_changes_of(data, copy.deepcopy(data)))
    page = Changes(html)
    assert page.found and page.rows == []
    assert page.meta == "Comparé avec <anciens>/partners.json : aucun changement."
    plain = report.render(data)
    assert not Changes(plain).found and report.CHANGES_CSS not in plain and report.CHANGES_CSS in html
    assert report.render(data, changes=None) == plain


def test_a_removed_partner_is_listed_without_a_link(data):
    previous = copy.deepcopy(data)
    previous["partners"].append({**copy.deepcopy(data["partners"][2]), "partner_id": "parti", "heading": "Parti",
                                 "text": "Un texte qui n’est plus là.", "text_sha256": "1" * 64})
    page = Changes(report.render(data, changes=_changes_of(data, previous)))
    assert [(r["attrs"]["data-kind"], r["cells"][1], r["links"]) for r in page.rows] == [
        ("removed", "Parti parti", [])]
