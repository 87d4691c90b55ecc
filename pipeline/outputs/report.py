"""Renders a run (``partners.json``, optionally with ``evaluation.json``) as one HTML page for review.

The page is self-contained: inline CSS and a small inline script, no network access, no external
file or font, so it can be mailed or archived beside the outputs and still open years later. Each
section shows its text with the extracted spans highlighted in the manner of displaCy, next to the
lists of what was extracted; an evaluation adds a scores table and each section's differences, a
run given a previous one a table of the changes since, at the top, and a page's history its timeline
(drawn by ``timeline.py``), at the very top.

The same input always gives the same string: nothing depends on the clock, the locale or set order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from ..models import FRENCH_LABELS, Changes

# Highlight kinds in the order that wins a tie between spans of equal extent: the agreement label
# carries the most information, a date the least.
KINDS = ("agreement", "org", "date")
KIND_LABELS = {"org": "ORG", "date": "DATE", "agreement": "ACCORD"}
KIND_NAMES = {"org": "organisation", "date": "date", "agreement": "accord"}

AGREEMENT_TYPES = FRENCH_LABELS["agreement_type"]
STATUSES = FRENCH_LABELS["agreement_status"]
PRECISIONS = FRENCH_LABELS["date_precision"]
ROLES = FRENCH_LABELS["date_role"]
SOURCES = FRENCH_LABELS["organisation_source"]
CHANGE_KINDS = FRENCH_LABELS["change_kind"]
CHANGE_FIELDS = FRENCH_LABELS["change_field"]
DIFF_KINDS = {"missing": ("manquant", "−"), "spurious": ("en trop", "+"), "wrong": ("erroné", "≠")}

NO_THEME = "__none__"
NBSP = "\u00a0"

CSS = """
:root { --org: #7aecec; --date: #dccffa; --agreement: #feca74; --ink: #1f2328; --muted: #59636e;
  --line: #d1d9e0; --bg: #f6f8fa; --missing: #cf222e; --spurious: #bc4c00; --wrong: #8250df; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.5;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif; }
main, .top { max-width: 1200px; margin: 0 auto; padding: 0 1.25rem; }
.top { padding-top: 1.25rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .4rem; }
.partner h2 { margin: 0; }
h3 { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: .9rem 0 .3rem; }
.meta { color: var(--muted); margin: .2rem 0; font-size: .9rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
table.scores { width: auto; min-width: 32rem; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font: .85em ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; color: var(--muted); }
.toolbar { position: sticky; top: 0; z-index: 2; background: rgba(255,255,255,.96);
  border-bottom: 1px solid var(--line); padding: .5rem 0; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem;
  align-items: center; }
.toolbar select { font: inherit; padding: .15rem .3rem; max-width: 26rem; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem .9rem; align-items: center; font-size: .85rem; }
.swatch { display: inline-block; width: .9em; height: .9em; border-radius: .2em; vertical-align: -.1em;
  margin-right: .25em; }
.swatch.org { background: var(--org); } .swatch.date { background: var(--date); }
.swatch.agreement { background: var(--agreement); }
.badge { display: inline-block; font-size: .75rem; line-height: 1.3; padding: .05rem .45rem;
  margin: .1rem .15rem .1rem 0; border-radius: 1em; background: #eef1f4; border: 1px solid var(--line);
  white-space: nowrap; }
.partner { border: 1px solid var(--line); border-radius: .5rem; margin: 1.25rem 0; padding: .9rem 1.1rem;
  scroll-margin-top: 3.5rem; }
.partner.has-diffs { border-left: 4px solid var(--missing); }
.partner .idx { color: var(--muted); font-weight: 400; margin-right: .35rem; }
.body { display: grid; grid-template-columns: minmax(0, 3fr) minmax(16rem, 2fr); gap: 1.25rem; margin-top: .6rem; }
@media (max-width: 820px) { .body { grid-template-columns: 1fr; } }
.text { white-space: pre-wrap; line-height: 2.1; font-size: 1rem; overflow-wrap: anywhere; }
mark.ent { color: inherit; padding: .12em .3em; margin: 0 .08em; border-radius: .35em; line-height: 1;
  -webkit-box-decoration-break: clone; box-decoration-break: clone; }
mark.ent::after { content: attr(data-label); font-size: .58em; font-weight: 700; letter-spacing: .03em;
  vertical-align: middle; margin-left: .4em; opacity: .75; }
mark.org { background: var(--org); } mark.date { background: var(--date); }
mark.agreement { background: var(--agreement); }
aside ul { margin: 0; padding-left: 1.1rem; font-size: .88rem; }
aside li { margin: .15rem 0; }
.none { color: var(--muted); font-style: italic; font-size: .88rem; margin: 0; }
.note { color: var(--muted); font-size: .8rem; }
.count { white-space: nowrap; }
details { font-size: .8rem; color: var(--muted); }
.diffs { list-style: none; padding: 0; margin: .6rem 0 0; font-size: .88rem; }
.diff { border-left: 4px solid; padding: .15rem .5rem; margin: .2rem 0; border-radius: 0 .3rem .3rem 0; }
.diff .kind { font-weight: 700; display: inline-block; min-width: 5.5rem; }
.diff.missing { border-color: var(--missing); background: #ffebe9; }
.diff.missing .kind { color: var(--missing); }
.diff.spurious { border-color: var(--spurious); background: #fff1e5; border-left-style: dashed; }
.diff.spurious .kind { color: var(--spurious); }
.diff.wrong { border-color: var(--wrong); background: #fbefff; border-left-style: double; border-left-width: 6px; }
.diff.wrong .kind { color: var(--wrong); }
.diff.other { border-color: var(--muted); background: var(--bg); }
.bar { display: inline-block; height: .55em; background: #2da44e; border-radius: .2em; vertical-align: middle; }
.badge.diffcount { color: var(--missing); border-color: var(--missing); background: #fff; font-weight: 600; }
footer { color: var(--muted); font-size: .8rem; margin: 2rem 0; }
"""
# Only in the report of a run given a previous one (the others keep their bytes).
CHANGES_CSS = """table.changes td.kind { font-weight: 600; white-space: nowrap; }
table.changes tr.added td.kind { color: #1a7f37; } table.changes tr.removed td.kind { color: var(--missing); }
table.changes tr.renamed td.kind, table.changes tr.redated td.kind { color: var(--wrong); }
table.changes td.value { overflow-wrap: anywhere; }
"""

# Reads the sections' themes and how their organisations were found from the page itself, so no
# data is duplicated into the script (and nothing in a heading can ever end up inside it).
# ``?theme=code`` and ``?source=text`` preselect a filter, which lets a link, or a headless browser in
# the tests, open the report already filtered. Filtering on how organisations were found keeps the
# sections that have one so found, and in them only those organisations: the uncertain ones to review.
SCRIPT = """
(function () {
  "use strict";
  var select = document.getElementById("theme-filter");
  if (!select) { return; }
  var bySource = document.getElementById("source-filter");
  var status = document.getElementById("filter-status");
  var items = document.querySelectorAll("[data-themes]");
  var orgs = document.querySelectorAll("[data-source]");
  function words(el, name) { return (el.getAttribute(name) || "").split(" ").filter(Boolean); }
  function apply() {
    var code = select.value, source = bySource ? bySource.value : "", shown = 0, total = 0;
    for (var i = 0; i < items.length; i++) {
      var themes = words(items[i], "data-themes");
      var keep = code === "" || (code === "__none__" ? themes.length === 0 : themes.indexOf(code) !== -1);
      keep = keep && (source === "" || words(items[i], "data-sources").indexOf(source) !== -1);
      items[i].hidden = !keep;
      if (items[i].tagName === "SECTION") { total += 1; if (keep) { shown += 1; } }
    }
    for (var k = 0; k < orgs.length; k++) {
      orgs[k].hidden = source !== "" && orgs[k].getAttribute("data-source") !== source;
    }
    if (status) { status.textContent = shown + " / " + total + " sections affichées"; }
  }
  function preselect(el, name) {
    var wanted = null;
    try { wanted = new URLSearchParams(window.location.search).get(name); } catch (e) { wanted = null; }
    if (el === null || wanted === null) { return; }
    for (var j = 0; j < el.options.length; j++) {
      if (el.options[j].value === wanted) { el.value = wanted; }
    }
  }
  preselect(select, "theme");
  preselect(bySource, "source");
  select.addEventListener("change", apply);
  if (bySource) { bySource.addEventListener("change", apply); }
  apply();
  document.documentElement.setAttribute("data-filter", "ready");
}());
"""


@dataclass(frozen=True)
class Part:
    """A section drawn elsewhere, shown at the top of the report with the CSS it needs (a page's
    history: ``timeline.part``)."""

    css: str
    html: str


def render(data: dict, evaluation: dict | None = None, changes: Changes | None = None,
           history: Part | None = None) -> str:
    """The whole report page for a run's ``partners.json`` content, and its evaluation, its changes
    since a previous run and its history's timeline if given."""
    partners = list(data.get("partners") or [])
    page = Report(data, evaluation, partners)
    page.changes = changes
    page.history = history
    sections = [page.section(p) for p in partners]
    return page.head() + "".join(sections) + page.tail()


class Report:
    """The report page, built one partner at a time: ``section`` returns each partner's part as it
    comes (a long run writes it out at once), ``head`` and ``tail`` the parts around them, which
    hold the totals and so are asked for last."""

    def __init__(self, data: dict, evaluation: dict | None = None, partners: list[dict] | None = None) -> None:
        self.data = data
        self.evaluation = evaluation
        # Differences are placed by partner position, which needs the whole list (only an evaluation
        # has differences, and it is always given the whole list).
        self.diffs, self.loose = _split_differences(partners or [], evaluation)
        self.counts: dict[str, int] = {}
        self.labels: dict[str, str] = {}
        self.untagged = 0
        self.rows: list[str] = []
        self.changes: Changes | None = None  # since a previous run: set before ``head`` is asked for
        self.history: Part | None = None  # a page's history (its timeline): set before ``head`` too
        self.anchors: dict[str, str | None] = {}  # a partner_id -> its section (None: on two pages)

    def section(self, partner: dict) -> str:
        i = len(self.rows)
        codes = _theme_codes(partner)
        self.untagged += not codes
        for t in partner.get("themes") or []:
            self.labels.setdefault(t.get("code"), t.get("label") or t.get("code"))
        for code in codes:
            self.counts[code] = self.counts.get(code, 0) + 1
        diffs = self.diffs.get(i, [])
        pid = str(partner.get("partner_id") or "")
        self.anchors[pid] = None if pid in self.anchors else _anchor(i, partner)
        self.rows.append(_summary_row(i, partner, diffs if self.evaluation is not None else None))
        return _section(partner, _anchor(i, partner), diffs) + "\n"

    def _title(self) -> str:
        generator = self.data.get("generator") or {}
        return f"Rapport — {generator.get('name') or 'pipeline'} {generator.get('version') or ''}".strip()

    def head(self) -> str:
        title = self._title()
        body = [
            _header(self.data, title),
            '<main>',
            *([self.history.html] if self.history is not None else []),
            *([_changes(self.changes, self.anchors)] if self.changes is not None else []),
            _toolbar(self.counts, self.labels, self.untagged, len(self.rows), self.evaluation is not None),
        ]
        if self.evaluation is not None:
            body.append(_scores(self.evaluation, self.loose))
        body.append(_summary(self.rows, self.evaluation is not None))
        return "\n".join([
            "<!DOCTYPE html>",
            '<html lang="fr">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title>",
            f"<style>{CSS}{CHANGES_CSS if self.changes is not None else ''}"
            f"{self.history.css if self.history is not None else ''}</style>",
            "</head>",
            "<body>",
            *body,
            "",
        ])

    def tail(self) -> str:
        generator = self.data.get("generator") or {}
        body = ['<p class="none">Aucune section dans ce run.</p>'] if not self.rows else []
        body.append(f'<footer>Généré par {_e(generator.get("name") or "?")} {_e(generator.get("version") or "")}'
                    f' — schéma {_e(self.data.get("schema_version") or "?")}.</footer>')
        body.append('</main>')
        return "\n".join([*body, f"<script>{SCRIPT}</script>", "</body>", "</html>", ""])


_SPECIAL = re.compile("[&<>\"'\r]")


def _e(value) -> str:
    text = "" if value is None else str(value)
    if _SPECIAL.search(text) is None:
        return text  # most strings: nothing to escape, no copy
    # A carriage return would be folded into a line feed by the HTML parser; as a character
    # reference it survives, so the displayed text stays equal to the extracted one.
    return escape(text, quote=True).replace("\r", "&#13;")


def _anchor(i: int, partner: dict) -> str:
    # The position makes the id unique even when two pages hold the same partner (same partner_id).
    pid = str(partner.get("partner_id") or "")
    slug = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in pid)
    return f"p{i + 1}-{slug}" if slug else f"p{i + 1}"


def _split_differences(partners: list[dict], evaluation: dict | None) -> tuple[dict[int, list], list]:
    """Differences by partner position, and those that belong to no single partner of the run."""
    if not evaluation:
        return {}, []
    positions: dict[str, list[int]] = {}
    for i, p in enumerate(partners):
        positions.setdefault(p.get("partner_id"), []).append(i)
    by_partner: dict[int, list] = {}
    loose = []
    for d in evaluation.get("differences") or []:
        where = positions.get(d.get("partner_id")) if d.get("partner_id") else None
        # A partner_id shared by sections of two pages cannot say which one is meant: shown apart.
        if where and len(where) == 1:
            by_partner.setdefault(where[0], []).append(d)
        else:
            loose.append(d)
    return by_partner, loose


def _header(data: dict, title: str) -> str:
    generator = data.get("generator") or {}
    rows = []
    for doc in data.get("documents") or []:
        rows.append(f'<tr><td><code>{_e(doc.get("source"))}</code></td>'
                    f'<td>{_e(doc.get("title")) if doc.get("title") else "<span class=note>sans titre</span>"}</td>'
                    f'<td class="num">{_e(doc.get("n_sections"))}</td></tr>')
    documents = ('<table class="documents"><thead><tr><th>Document</th><th>Titre</th>'
                 '<th class="num">Sections</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
                 if rows else '<p class="none">Aucun document.</p>')
    return (f'<header class="top"><h1>{_e(title)}</h1>'
            f'<p class="meta">Générateur <b>{_e(generator.get("name") or "?")}</b> '
            f'version <b>{_e(generator.get("version") or "?")}</b> · modèle '
            f'<b>{_e(generator.get("spacy_model") or "?")}</b> · schéma {_e(data.get("schema_version") or "?")}</p>'
            f"{documents}</header>")


def _theme_key(label: str) -> str:
    # Accents would otherwise sort « Échange » after « Tabac ».
    return "".join(c for c in unicodedata.normalize("NFD", label) if not unicodedata.combining(c)).casefold()


def _toolbar(counts: dict[str, int], labels: dict[str, str], untagged: int, n: int, with_evaluation: bool) -> str:
    options = [f'<option value="">Tous les thèmes ({n})</option>']
    for code in sorted(counts, key=lambda c: (_theme_key(str(labels[c])), str(c))):
        options.append(f'<option value="{_e(code)}">{_e(labels[code])} ({counts[code]})</option>')
    if untagged:
        options.append(f'<option value="{NO_THEME}">Sans thème ({untagged})</option>')
    legend = [f'<span><span class="swatch {kind}"></span>{KIND_NAMES[kind]} '
              f'<code>{KIND_LABELS[kind]}</code></span>' for kind in ("org", "date", "agreement")]
    if with_evaluation:
        legend += [f'<span class="diff {kind}"><span class="kind">{sign} {name}</span></span>'
                   for kind, (name, sign) in DIFF_KINDS.items()]
    sources = [f'<option value="">Toutes ({n})</option>'] + [
        f'<option value="{_e(code)}">{_e(label)}</option>' for code, label in SOURCES.items()]
    return ('<div class="toolbar"><div><label for="theme-filter">Filtrer par thème</label> '
            f'<select id="theme-filter">{"".join(options)}</select> '
            '<label for="source-filter">Organisations repérées par</label> '
            f'<select id="source-filter">{"".join(sources)}</select> '
            '<span id="filter-status" class="note" aria-live="polite"></span></div>'
            f'<div class="legend" aria-label="Légende">{"".join(legend)}</div></div>')


def _sources(partner: dict) -> list[str]:
    """How the partner's organisations were found, each way once."""
    return sorted({str(o.get("source")) for o in partner.get("organisations") or [] if o.get("source")})


def _theme_codes(partner: dict) -> list[str]:
    return [str(t.get("code")) for t in partner.get("themes") or [] if t.get("code")]


def _badges(partner: dict) -> str:
    return "".join(f'<span class="badge" title="{_e(t.get("code"))}">{_e(t.get("label") or t.get("code"))}</span>'
                   for t in partner.get("themes") or [])


def _fmt(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.3f}".replace(".", ",")
    # A score of null: nothing to compare (neither the gold nor the run has an item), never a pass.
    return '<abbr title="rien à comparer">n/a</abbr>' if value is None else "—"


def _scores(evaluation: dict, loose: list) -> str:
    rows = []
    for name, s in (evaluation.get("scores") or {}).items():
        f1 = s.get("f1")
        width = round(f1 * 60) if isinstance(f1, int | float) else 0
        rows.append(f'<tr><td>{_e(name)}</td><td class="num">{_fmt(s.get("precision"))}</td>'
                    f'<td class="num">{_fmt(s.get("recall"))}</td><td class="num">{_fmt(f1)}</td>'
                    f'<td><span class="bar" style="width:{width}px"></span></td>'
                    f'<td class="num">{_e(s.get("tp", ""))}</td><td class="num">{_e(s.get("fp", ""))}</td>'
                    f'<td class="num">{_e(s.get("fn", ""))}</td></tr>')
    n = len(evaluation.get("differences") or [])
    parts = ['<section class="evaluation"><h2>Évaluation</h2>',
             f'<p class="meta">{n} différence{"s" if n > 1 else ""} avec le fichier de référence.</p>',
             '<table class="scores"><thead><tr><th>Champ</th><th class="num">P</th><th class="num">R</th>'
             '<th class="num">F1</th><th></th><th class="num">VP</th><th class="num">FP</th><th class="num">FN</th>'
             f'</tr></thead><tbody>{"".join(rows)}</tbody></table>']
    if loose:
        parts.append("<h3>Différences sans section unique dans ce run</h3>" + _diff_list(loose))
    parts.append("</section>")
    return "".join(parts)


def _changes(changes: Changes, anchors: dict[str, str | None]) -> str:
    """The changes since a previous run: how many of each kind, then one row per change, the partners
    of this run linked to their section."""
    counts: dict[str, int] = {}
    for row in changes.rows:
        counts[row["kind"]] = counts.get(row["kind"], 0) + 1
    n = len(changes.rows)
    said = ", ".join(f"{_e(label)} : {counts[k]}" for k, label in CHANGE_KINDS.items() if k in counts)
    parts = ['<section class="changes" id="changes"><h2>Changements depuis le run précédent</h2>',
             f'<p class="meta">Comparé avec <code>{_e(changes.previous)}</code> : '
             + (f'{n} changement{"s" if n > 1 else ""} ({said}).</p>' if n else "aucun changement.</p>")]
    if n:
        rows = []
        for row in changes.rows:
            kind, field, pid = row["kind"], row["field"], row["partner_id"]
            anchor = anchors.get(pid)  # none for a partner removed: it has no section in this run
            name = (f'<a href="#{anchor}">{_e(row["partner"])}</a>' if anchor else _e(row["partner"]))
            rows.append(f'<tr class="{_e(kind)}" data-kind="{_e(kind)}" data-field="{_e(field)}">'
                        f'<td class="kind">{_e(CHANGE_KINDS.get(kind, kind))}</td>'
                        f'<td>{name} <code>{_e(pid)}</code></td>'
                        f'<td>{_e(CHANGE_FIELDS.get(field, field))}</td>'
                        f'<td class="value">{_e(row["old"])}</td><td class="value">{_e(row["new"])}</td></tr>')
        parts.append('<table class="changes"><thead><tr><th>Changement</th><th>Partenaire</th><th>Quoi</th>'
                     f'<th>Avant</th><th>Après</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
    parts.append("</section>")
    return "".join(parts)


def _diff_list(diffs: list) -> str:
    items = []
    for d in diffs:
        kind = d.get("kind")
        name, sign = DIFF_KINDS.get(kind, (str(kind), "?"))
        css = kind if kind in DIFF_KINDS else "other"
        items.append(f'<li class="diff {css}" data-kind="{_e(kind)}"><span class="kind">{sign} {_e(name)}</span> '
                     f'<b>{_e(d.get("field"))}</b> {_e(d.get("item"))} '
                     f'<span class="note">[{_e(d.get("section"))}]</span></li>')
    return f'<ul class="diffs">{"".join(items)}</ul>'


def _summary_row(i: int, p: dict, diffs: list | None) -> str:
    extra = f'<td class="num">{len(diffs)}</td>' if diffs is not None else ""
    return (f'<tr data-themes="{_e(" ".join(_theme_codes(p)))}" data-sources="{_e(" ".join(_sources(p)))}">'
            f'<td class="num">{i + 1}</td>'
            f'<td><a href="#{_anchor(i, p)}">{_e(p.get("heading"))}</a></td>'
            f'<td class="num">{len(p.get("organisations") or [])}</td>'
            f'<td class="num">{len(p.get("agreements") or [])}</td>'
            f'<td class="num">{len(p.get("dates") or [])}</td><td>{_badges(p)}</td>{extra}</tr>')


def _summary(rows: list[str], with_diffs: bool) -> str:
    head = ('<tr><th class="num">#</th><th>Section</th><th class="num">Organisations</th><th class="num">Accords</th>'
            '<th class="num">Dates</th><th>Thèmes</th>' + ('<th class="num">Différences</th>' if with_diffs
                                                             else "") + "</tr>")
    return (f'<h2>Sections ({len(rows)})</h2><table class="summary"><thead>{head}</thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


@dataclass
class _Span:
    start: int
    end: int
    kind: str
    attrs: dict[str, str]
    titles: list[str]
    items: list[int] = field(default_factory=list)  # positions of the items it stands for, in its kind


def _valid(start, end, length: int) -> bool:
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end))
    return ints and 0 <= start < end <= length


def _candidates(partner: dict, length: int) -> tuple[list[_Span], dict[tuple[str, int], int]]:
    """Every highlightable span, and per item the number of its spans with unusable offsets."""
    spans: list[_Span] = []
    invalid: dict[tuple[str, int], int] = {}

    def add(kind: str, item: int, start, end, attrs: dict, title: str) -> None:
        if _valid(start, end, length):
            spans.append(_Span(start, end, kind, attrs, [title], [item]))
        else:
            invalid[(kind, item)] = invalid.get((kind, item), 0) + 1

    for i, a in enumerate(partner.get("agreements") or []):
        title = " · ".join(x for x in (_agreement_type(a.get("type")), a.get("date") or "sans date",
                                       STATUSES.get(a.get("status"), a.get("status") or ""),
                                       ", ".join(a.get("parties") or [])) if x)
        add("agreement", i, a.get("start"), a.get("end"),
            {"type": a.get("type"), "date": a.get("date"), "status": a.get("status")}, title)
    for i, o in enumerate(partner.get("organisations") or []):
        title = f'{o.get("name")} ({o["acronym"]})' if o.get("acronym") else str(o.get("name"))
        for m in o.get("mentions") or []:
            add("org", i, m.get("start"), m.get("end"), {"name": o.get("name"), "acronym": o.get("acronym")}, title)
    for i, d in enumerate(partner.get("dates") or []):
        title = " · ".join(x for x in (d.get("value"), PRECISIONS.get(d.get("precision"), d.get("precision")),
                                       ROLES.get(d.get("role"), d.get("role"))) if x)
        add("date", i, d.get("start"), d.get("end"),
            {"value": d.get("value"), "precision": d.get("precision"), "role": d.get("role")}, title)
    return spans, invalid


def _layout(spans: list[_Span]) -> list[_Span]:
    """The spans to draw: one per extent and kind, the outermost where they overlap, in text order."""
    merged: dict[tuple[int, int, str], _Span] = {}
    for s in spans:
        # Two items on one extent (two memoranda in "ont conclu chacun un Protocole d'accord") share a mark.
        same = merged.get((s.start, s.end, s.kind))
        if same is None:
            merged[(s.start, s.end, s.kind)] = _Span(s.start, s.end, s.kind, s.attrs, list(s.titles), list(s.items))
        else:
            same.items += s.items
            same.titles += [t for t in s.titles if t not in same.titles]
    # Longest first, as spaCy's filter_spans: nested spans keep the outer one, crossing spans the
    # longer one, and a mark never has to be cut in two.
    order = sorted(merged.values(), key=lambda s: (s.start - s.end, s.start, KINDS.index(s.kind), s.items))
    kept: list[_Span] = []
    for s in order:
        if all(s.end <= k.start or s.start >= k.end for k in kept):
            kept.append(s)
    return sorted(kept, key=lambda s: s.start)


def _highlight(text: str, marks: list[_Span]) -> str:
    out, pos = [], 0
    for s in marks:
        out.append(_e(text[pos:s.start]))
        attrs = "".join(f' data-{k}="{_e(v)}"' for k, v in s.attrs.items() if v is not None)
        label = KIND_LABELS[s.kind]
        if len(s.items) > 1:
            attrs += f' data-n="{len(s.items)}"'
            label += f" ×{len(s.items)}"
        out.append(f'<mark class="ent {s.kind}" data-label="{label}"{attrs} '
                   f'title="{_e(" | ".join(s.titles))}">{_e(text[s.start:s.end])}</mark>')
        pos = s.end
    out.append(_e(text[pos:]))
    return "".join(out)


def highlighted(partner: dict) -> str:
    """A partner's text as HTML with its extracted spans highlighted as this report draws them: the
    review page of a drafted gold (``outputs/review.py``) shows the text the same way."""
    text = str(partner.get("text") or "")
    spans, _ = _candidates(partner, len(text))
    return _highlight(text, _layout(spans))


def escape_html(value) -> str:
    """``value`` (None: empty) as HTML text or attribute value, escaped as everywhere in this report."""
    return _e(value)


def _agreement_type(code) -> str:
    return AGREEMENT_TYPES.get(code, str(code or "?"))


def _quoted(text) -> str:
    return f"«{NBSP}{_e(text)}{NBSP}»"


def _section(partner: dict, anchor: str, diffs: list) -> str:
    """One partner's part of the page: heading and meta, its differences, its text with the extracted
    spans highlighted, and beside it the lists of what was extracted."""
    text = str(partner.get("text") or "")
    spans, invalid = _candidates(partner, len(text))
    marks = _layout(spans)
    shown: dict[tuple[str, int], int] = {}
    for s in marks:
        for item in s.items:
            shown[(s.kind, item)] = shown.get((s.kind, item), 0) + 1

    def hidden(kind: str, item: int, total: int) -> str:
        return _hidden_note(total - shown.get((kind, item), 0), invalid.get((kind, item), 0))

    diff_badge = (f' <span class="badge diffcount">{len(diffs)} différence{"s" if len(diffs) > 1 else ""}</span>'
                  if diffs else "")
    return (f'<section class="partner{" has-diffs" if diffs else ""}" id="{anchor}" '
            f'data-themes="{_e(" ".join(_theme_codes(partner)))}" data-sources="{_e(" ".join(_sources(partner)))}">'
            f'<h2><span class="idx">{_e(partner.get("section_index"))}.</span> '
            f'{_e(partner.get("heading"))}{diff_badge}</h2>'
            f'<p class="meta">{_partner_meta(partner)}</p><div class="themes">{_badges(partner)}</div>'
            + (_diff_list(diffs) if diffs else "")
            + f'<div class="body"><div class="text" lang="fr">{_highlight(text, marks)}</div><aside>'
            + _block("Organisations", "org", _organisation_items(partner, hidden))
            + _block("Accords", "agreement", _agreement_items(partner, hidden))
            + _block("Dates", "date", _date_items(partner, hidden))
            + _block("Thèmes", None, _theme_items(partner))
            + "</aside></div></section>")


# Says, for an item, how many of its spans are not drawn: (kind, item index, spans in all) -> note.
Hidden = Callable[[str, int, int], str]


def _hidden_note(lost: int, bad: int) -> str:
    """A note for an item whose spans are not all drawn, so the reader knows where to look."""
    notes = []
    if lost - bad > 0:
        notes.append(f"{lost - bad} non surligné{'s' if lost - bad > 1 else ''} (chevauchement)")
    if bad:
        notes.append(f"{bad} position{'s' if bad > 1 else ''} invalide{'s' if bad > 1 else ''}")
    return f' <span class="note">— {", ".join(notes)}</span>' if notes else ""


def _partner_meta(partner: dict) -> str:
    """The partner's id, where it stands, the name and acronym read from its heading, and its date of
    publication with the line it was read from."""
    return " · ".join(x for x in (
        f"<code>{_e(partner.get('partner_id'))}</code>",
        f"{_e(partner.get('source'))} § {_e(partner.get('section_index'))}",
        f"nom : {_e(partner.get('name'))}" if partner.get("name") else "",
        f"sigle : {_e(partner.get('acronym'))}" if partner.get("acronym") else "",
        f"publié : {_e(partner.get('published'))} (« {_e(partner.get('published_text'))} »)"
        if partner.get("published_text") else "",
    ) if x)


def _organisation_items(partner: dict, hidden: Hidden) -> list[str]:
    """Each organisation: name, acronym, how it was found, number of mentions (listed in the tooltip)."""
    items = []
    for i, o in enumerate(partner.get("organisations") or []):
        mentions = o.get("mentions") or []
        n = len(mentions)
        acronym = f' <span class="badge">{_e(o["acronym"])}</span>' if o.get("acronym") else ""
        source = o.get("source")
        found = f' <span class="note">({_e(SOURCES.get(source, source))})</span>' if source else ""
        items.append(f'<li data-source="{_e(source)}"><b>{_e(o.get("name"))}</b>{acronym}{found} '
                     '<span class="note count" '
                     f'title="{_e(" | ".join(str(m.get("text")) for m in mentions))}">{n} mention{"s" if n > 1 else ""}'
                     f"</span>{hidden('org', i, n)}</li>")
    return items


def _agreement_items(partner: dict, hidden: Hidden) -> list[str]:
    """Each agreement: type, label as written, parties, date, status, and its sentence."""
    items = []
    for i, a in enumerate(partner.get("agreements") or []):
        date = (f'{_e(a.get("date"))} ({_e(PRECISIONS.get(a.get("date_precision"), a.get("date_precision")))}'
                + (f", {_quoted(a.get('date_text'))}" if a.get("date_text") else "") + ")"
                if a.get("date") else '<span class="note">sans date</span>')
        evidence = (f"<details><summary>phrase</summary>{_e(a.get('evidence'))}</details>"
                    if a.get("evidence") else "")
        items.append(
            f'<li><b>{_e(_agreement_type(a.get("type")))}</b> <code>{_e(a.get("type"))}</code> '
            f'{_quoted(a.get("label"))}<br>parties : {_e(", ".join(a.get("parties") or [])) or "—"} · date : {date}'
            f' · statut : {_e(STATUSES.get(a.get("status"), a.get("status")))}'
            f"{hidden('agreement', i, 1)}{evidence}</li>")
    return items


def _date_items(partner: dict, hidden: Hidden) -> list[str]:
    """Each date: value, as written, precision and role."""
    return [f'<li><b>{_e(d.get("value"))}</b> {_quoted(d.get("text"))} · '
            f'{_e(PRECISIONS.get(d.get("precision"), d.get("precision")))} · '
            f'{_e(ROLES.get(d.get("role"), d.get("role")))}{hidden("date", i, 1)}</li>'
            for i, d in enumerate(partner.get("dates") or [])]


def _theme_items(partner: dict) -> list[str]:
    """Each theme: label, code and the cue phrases found."""
    items = []
    for t in partner.get("themes") or []:
        evidence = ", ".join(_quoted(e) for e in t.get("evidence") or [])
        items.append(f'<li><span class="badge">{_e(t.get("label") or t.get("code"))}</span> '
                     f'<code>{_e(t.get("code"))}</code>{" — " + evidence if evidence else ""}</li>')
    return items


def _block(title: str, kind: str | None, items: list[str]) -> str:
    swatch = f'<span class="swatch {kind}"></span>' if kind else ""
    content = f'<ul>{"".join(items)}</ul>' if items else '<p class="none">aucun</p>'
    return f"<h3>{swatch}{title} ({len(items)})</h3>{content}"
