"""The history's timeline in the report, read back as a browser would: parsed by html.parser (what
each mark says, escaping, nothing fetched, the same bytes each time), then opened in Chromium: no
console error, every mark drawn inside its picture and none covering another.

The history is built by ``tools.history.follow`` from hand-made versions (no spaCy needed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from browser import CHROMIUM, Tab, chromium

from pipeline.outputs import report, timeline
from pipeline.tools.history import Version, follow, whole

MOU = "memorandum_of_understanding"
HOSTILE = "<script>alert('x')</script> Office « gras » & Cie (OG)"


def partner(pid, heading, text, agreements=(), acronym=None):
    return {"partner_id": pid, "source": "page.txt", "section_index": 1, "heading": heading, "name": heading,
            "acronym": acronym, "text": text, "text_sha256": f"sha-{text}", "organisations": [], "dates": [],
            "themes": [], "agreements": [{"type": t, "label": "Protocole", "parties": list(p), "date": d,
                                          "date_precision": None, "date_text": None, "status": "signed",
                                          "evidence": text, "start": 0, "end": 1} for t, p, d in agreements]}


AIEA = partner("aiea", "Agence internationale de l’énergie atomique (AIEA)", "L’OMD et l’AIEA coopèrent depuis 1998.",
               [(MOU, ("OMD", "AIEA"), "1998")], "AIEA")
# Two agreements a few weeks apart: their marks would cover each other on one line.
EUROPOL = partner("europol", "Europol", "Europol et l’OMD ont signé deux accords en 2002.",
                  [("cooperation_agreement", ("OMD", "Europol"), "2002-09"), (MOU, ("OMD", "Europol"), "2002-10")])
HOSTILE_PARTNER = partner("og", HOSTILE, "L’Office gras coopère avec l’OMD.", [(MOU, ("OMD", "OG"), None)], "OG")
ONUDC = partner("onudc", "ONUDC", "L’ONUDC et l’OMD ont conclu un protocole en 2010.",
                [(MOU, ("OMD", "ONUDC"), "2010")])
VERSIONS = [
    ("2024-01-15T08:00:00Z", [AIEA, EUROPOL, ONUDC]),
    ("2024-02-15T08:00:00Z", [{**AIEA, "agreements": [{**AIEA["agreements"][0], "date": "1998-05-13"}]}, EUROPOL,
                              HOSTILE_PARTNER]),
    ("2024-03-15T08:00:00Z", [{**AIEA, "agreements": [{**AIEA["agreements"][0], "date": "1998-05-13"}]}, EUROPOL,
                              HOSTILE_PARTNER, ONUDC]),
]


@pytest.fixture
def history() -> dict:
    return whole([follow("https://www.example.org/partenaires", [
        Version(seen, f"captures.warc.gz#{i}", "0" * 64, partners) for i, (seen, partners) in enumerate(VERSIONS)])])


@pytest.fixture
def data() -> dict:
    """The run on the latest version, as partners.json holds it."""
    return {"schema_version": "1.0", "generator": {"name": "omd-partners-pipeline", "version": "9.9.9"},
            "documents": [{"source": "https://www.example.org/partenaires", "title": None, "n_sections": 4}],
            "partners": VERSIONS[-1][1]}


class Picture(HTMLParser):
    """The timeline as a reader sees it: every element with its attributes and the text inside it."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.texts: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data):
        self.texts.append(data)

    def having(self, tag: str, css: str) -> list[dict]:
        return [a for t, a in self.elements if t == tag and css in a.get("class", "").split()]


def test_agreements_are_placed_by_date_and_marked_by_the_version_they_appeared_in(history):
    page = Picture(timeline.section(history))
    marks = [(a["data-date"], a["data-first"], a["data-in-latest"]) for a in page.having("g", "agreement")]
    assert marks == [("1998-05-13", "1", "true"), ("2002-09", "1", "true"), ("2002-10", "1", "true"),
                     ("2010", "1", "true")]
    # The undated agreement is listed under the picture, with the version it appeared in.
    assert [a["data-first"] for t, a in page.elements if t == "li" and "data-first" in a] == ["2"]
    # AIEA's agreement was re-dated: its earlier date is drawn, joined to the mark.
    assert len(page.having("line", "redating")) == 1
    tips = " ".join(page.texts)
    assert "re-daté en v2 (2024-02-15T08:00:00Z) : 1998 → 1998-05-13" in tips
    assert "retiré en v2 (2024-02-15T08:00:00Z)" in tips and "ajouté de nouveau en v3" in tips


def test_each_partner_has_a_cell_per_version_filled_where_a_version_holds_it(history):
    page = Picture(timeline.section(history))
    rows = [(a["data-partner-id"], a["data-present"]) for a in page.having("g", "partner")]
    assert rows == [("aiea", "1 2 3"), ("europol", "1 2 3"), ("onudc", "1 3"), ("og", "2 3")]
    cells = [("present" in a["class"], a["data-version"]) for a in page.having("g", "cell")]
    assert cells == [(True, "1"), (True, "2"), (True, "3")] * 2 + [(True, "1"), (False, "2"), (True, "3"),
                                                                   (False, "1"), (True, "2"), (True, "3")]
    versions = [a["data-version"] for t, a in page.elements if t == "tr" and "data-version" in a]
    assert versions == ["1", "2", "3"]


def test_the_history_is_at_the_top_of_the_report_escaped_self_contained_and_the_same_each_time(history, data):
    html = report.render(data, history=timeline.part(history))
    assert html == report.render(data, history=timeline.part(history))
    assert html.index('id="history"') < html.index('class="summary"')
    assert HOSTILE not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    page = Picture(html)
    assert [t for t, _ in page.elements].count("script") == 1  # the report's own filter, nothing else
    assert not [a for _, a in page.elements for k, v in a.items() if k in ("src", "href") and "//" in v]
    assert "section.history" in html.split("</style>")[0]
    # Without a history the report keeps its bytes.
    assert "section.history" not in report.render(data) and 'id="history"' not in report.render(data)


def test_no_dated_agreement_and_a_single_version(data):
    single = whole([follow("page.txt", [Version("2024-01-01", "page-2024-01-01.txt", "0" * 64,
                                                [partner("upu", "UPU", "Un texte.")])])])
    page = Picture(timeline.section(single))
    assert page.having("g", "agreement") == [] and "Aucun accord daté dans ces versions." in page.texts
    assert [a["data-present"] for a in page.having("g", "partner")] == ["1"]


# --- in Chromium ------------------------------------------------------------------------------------

def _require_chromium() -> None:
    if not CHROMIUM.exists() or not shutil.which(str(CHROMIUM)):
        if os.environ.get("PIPELINE_REQUIRE_BROWSER"):
            pytest.fail("PIPELINE_REQUIRE_BROWSER is set but /usr/bin/chromium cannot be run")
        pytest.skip("Chromium is not installed (/usr/bin/chromium): `apt-get install chromium`, as .ci/run does, "
                    "lets this test run")


def test_the_dom_chromium_builds_holds_the_picture_and_no_error(history, data, tmp_path):
    _require_chromium()
    page = tmp_path / "report.html"
    page.write_text(report.render(data, history=timeline.part(history)), encoding="utf-8")
    result = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri()],
        capture_output=True, timeout=60)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 0, stderr[-2000:]
    errors = [line for line in stderr.splitlines()
              if "Uncaught" in line or ("CONSOLE" in line and page.as_uri() in line)]
    assert not errors, errors
    dom = Picture(result.stdout.decode("utf-8"))
    assert len(dom.having("g", "agreement")) == 4 and len(dom.having("g", "cell")) == 12
    assert [t for t, _ in dom.elements].count("svg") >= 2


def test_every_mark_is_drawn_inside_its_picture_and_none_covers_another(history, data, tmp_path):
    _require_chromium()
    page = tmp_path / "report.html"
    page.write_text(report.render(data, history=timeline.part(history)), encoding="utf-8")
    with chromium() as browser:
        tab = Tab(browser, page.as_uri())
        try:
            tab.page.set_viewport_size({"width": 1200, "height": 900})
            boxes = tab.page.evaluate("""() => {
              const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
              const svg = document.querySelector("svg.agreements");
              return {
                picture: box(svg),
                marks: [...svg.querySelectorAll("g.agreement > circle:not([r='3'])")].map(box),
                labels: [...svg.querySelectorAll("g.row > text")].map(box),
                cells: [...document.querySelectorAll("svg.presence g.cell rect")].map(box),
                grid: box(document.querySelector("svg.presence")),
              };
            }""")
            tab.page.screenshot(path=str(tmp_path / "timeline.png"), full_page=True)
        finally:
            tab.close()
        assert tab.errors == []

    def inside(inner, outer):
        return outer[0] <= inner[0] < inner[2] <= outer[2] and outer[1] <= inner[1] < inner[3] <= outer[3]

    def overlap(a, b):
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    assert len(boxes["marks"]) == 4 and len(boxes["cells"]) == 12
    assert all(inside(m, boxes["picture"]) for m in boxes["marks"] + boxes["labels"])
    assert all(inside(c, boxes["grid"]) for c in boxes["cells"])
    marks = boxes["marks"]
    assert not [(a, b) for i, a in enumerate(marks) for b in marks[i + 1:] if overlap(a, b)]
    # Labels stay left of the time axis: a name never runs under a mark.
    assert max(label[2] for label in boxes["labels"]) < min(m[0] for m in marks)
    assert (tmp_path / "timeline.png").stat().st_size > 10_000
