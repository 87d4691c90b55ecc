"""The timeline of a page's history, drawn in the report (``pipeline history``): for each page, its
versions, its agreements placed by signing date and marked by the version in which each appeared,
and its partners' presence across the versions (a row per partner, a cell per version).

Inline SVG drawn here, with every size computed in Python: no script is needed to see it, nothing is
fetched, and the same history always gives the same bytes. Every text from the pages is escaped as
in the rest of the report; each mark has a tooltip (an SVG ``<title>``) saying in words what it
shows, and ``data-`` attributes that the tests read back from the browser's DOM.
"""

from __future__ import annotations

from datetime import date

from ..models import FRENCH_LABELS
from .report import Part
from .report import escape_html as _e

AGREEMENT_TYPES = FRENCH_LABELS["agreement_type"]
KINDS = FRENCH_LABELS["change_kind"]
# A colour per version (cycling past ten), with the colour of a number written on it. The number is
# always written too: the colour alone never carries the meaning.
PALETTE = (("#0072b2", "#fff"), ("#e69f00", "#000"), ("#009e73", "#fff"), ("#cc79a7", "#000"),
           ("#56b4e9", "#000"), ("#d55e00", "#fff"), ("#f0e442", "#000"), ("#6a3d9a", "#fff"),
           ("#8c564b", "#fff"), ("#7f7f7f", "#fff"))
LABEL_WIDTH = 250  # px: the partners' names on the left of both pictures
LABEL_CHARS = 36  # a longer name is cut (whole in its tooltip)
PLOT_WIDTH = 660  # px: the agreements' time axis
ROW = 26  # px: a partner's row
CELL = 30  # px: a version's column in the presence grid
RADIUS = 9  # px: an agreement's mark
TOP = 34  # px: room for the axis or the versions' numbers
FONT = 12

CSS = """section.history { margin: 1.25rem 0; }
section.history h3 { font-size: 1rem; text-transform: none; letter-spacing: 0; color: var(--ink);
  margin: 1rem 0 .3rem; }
table.versions { width: auto; }
table.versions td { white-space: nowrap; }
table.versions td:nth-child(3) { white-space: normal; overflow-wrap: anywhere; }
figure.timeline { margin: .5rem 0 1.25rem; overflow-x: auto; }
figure.timeline svg { display: block; font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
figure.timeline svg text { fill: var(--ink); }
figure.timeline svg .axis line, figure.timeline svg .grid line { stroke: var(--line); }
figure.timeline svg .redating { stroke: var(--muted); stroke-dasharray: 3 2; }
figure.timeline svg .absent rect { fill: #fff; stroke: var(--line); }
figure.timeline svg .present rect { fill: #2da44e; }
figure.timeline svg .present text { fill: #fff; font-weight: 700; }
figure.timeline svg .absent text { fill: var(--missing); font-weight: 700; }
figure.timeline figcaption { color: var(--muted); font-size: .85rem; }
ul.versions-legend { list-style: none; padding: 0; margin: .3rem 0; display: flex; flex-wrap: wrap; gap: .2rem 1rem;
  font-size: .85rem; }
ul.versions-legend svg { display: inline-block; vertical-align: middle; }
"""


def part(history: dict) -> Part:
    """The report's history section (each page's versions, then its two pictures) and its CSS."""
    return Part(CSS, section(history))


def section(history: dict) -> str:
    """The history section's HTML."""
    pages = history.get("pages") or []
    parts = ['<section class="history" id="history"><h2>Historique de la page</h2>',
             f'<p class="meta">{len(pages)} page{"s" if len(pages) > 1 else ""} suivie{"s" if len(pages) > 1 else ""}'
             " au fil de ses versions (captures ou fichiers datés) ; les sections ci-dessous sont celles de la "
             "dernière version.</p>"]
    for i, page in enumerate(pages, 1):
        parts.append(_page(page, i))
    parts.append("</section>")
    return "".join(parts)


def _page(page: dict, number: int) -> str:
    versions = page.get("versions") or []
    first, last = (versions[0]["seen"], versions[-1]["seen"]) if versions else ("", "")
    return "".join([
        f'<div class="history-page" id="history-{number}" data-page="{_e(page.get("page"))}">',
        f'<h3>{_e(page.get("page"))}</h3>',
        f'<p class="meta">{len(versions)} version{"s" if len(versions) > 1 else ""}, du {_e(first)} au {_e(last)}.</p>',
        _versions_table(versions),
        _agreements_figure(page),
        _presence_figure(page),
        "</div>",
    ])


def _colour(version: int) -> tuple[str, str]:
    return PALETTE[(version - 1) % len(PALETTE)]


def _versions_table(versions: list[dict]) -> str:
    rows = []
    for v in versions:
        changes = (f'+{v["partners_added"]} −{v["partners_removed"]} ↻{v["partners_renamed"]}',
                   f'+{v["agreements_added"]} −{v["agreements_removed"]} ≠{v["agreements_redated"]}')
        fill, _ = _colour(v["version"])
        rows.append(f'<tr data-version="{v["version"]}"><td class="num">'
                    f'<span class="swatch" style="background:{fill}"></span>v{v["version"]}</td>'
                    f'<td><code>{_e(v["seen"])}</code></td><td><code>{_e(v["path"])}</code></td>'
                    f'<td class="num">{v["partners"]}</td><td>{changes[0]}</td>'
                    f'<td class="num">{v["agreements"]}</td><td>{changes[1]}</td></tr>')
    return ('<table class="versions"><thead><tr><th class="num">Version</th><th>Vue le</th><th>Lue dans</th>'
            '<th class="num">Partenaires</th><th>+ajoutés −retirés ↻renommés</th><th class="num">Accords</th>'
            f'<th>+ajoutés −retirés ≠re-datés</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1].rstrip() + "…"


def _agreement_name(agreement: dict) -> str:
    kind = AGREEMENT_TYPES.get(agreement.get("type"), agreement.get("type") or "accord")
    parties = " + ".join(agreement.get("parties") or ()) or "sans partie"
    return f"{kind} ({parties})"


def _event(page: dict, event: dict) -> str:
    """An event in French, for a tooltip: "re-daté en v4 (2024-04-01) : 2002 → 2002-09"."""
    seen = page["versions"][event["version"] - 1]["seen"]
    when = f'v{event["version"]} ({seen})'
    kind = event["kind"]
    if kind == "added":
        word = "ajouté de nouveau" if event.get("again") else KINDS["added"]
        return f"{word} en {when}" + (" avec son partenaire" if event.get("with_partner") else "")
    if kind == "removed":
        return f'{KINDS["removed"]} en {when}' + (" avec son partenaire" if event.get("with_partner") else "")
    if kind == "redated":
        return f'{KINDS["redated"]} en {when} : {event["old"] or "sans date"} → {event["new"] or "sans date"}'
    old, new = event["old"], event["new"]
    if isinstance(old, list):
        return f'{KINDS["renamed"]} avec son partenaire en {when} : {" + ".join(old)} → {" + ".join(new)}'
    return f'{KINDS["renamed"]} en {when} : {old} → {new}'


def _position(value: str) -> float:
    """A date (ISO at any precision) as a year with its fraction: a month or a year at its middle."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return parts[0] + 0.5
    if len(parts) == 2:
        return parts[0] + (parts[1] - 0.5) / 12
    day = date(*parts[:3])
    start = date(day.year, 1, 1)
    return day.year + (day - start).days / (date(day.year + 1, 1, 1) - start).days


def _ticks(low: int, high: int) -> list[int]:
    span = high - low
    step = 1 if span <= 12 else 2 if span <= 24 else 5 if span <= 60 else 10
    return [y for y in range(low, high + 1) if y % step == 0]


def _lanes(xs: list[float]) -> list[int]:
    """The lane of each mark of a row (0 for most): the first where it covers no mark already placed."""
    placed: list[list[float]] = []
    lanes = []
    for cx in xs:
        lane = next((i for i, taken in enumerate(placed) if all(abs(cx - t) > 2 * RADIUS + 1 for t in taken)),
                    len(placed))
        if lane == len(placed):
            placed.append([])
        placed[lane].append(cx)
        lanes.append(lane)
    return lanes


def _agreements_figure(page: dict) -> str:
    """Agreements by signing date (x), one row per partner, each marked with the number and colour of
    the version in which it appeared; hollow when the latest version no longer holds it; its earlier
    date, when re-dated, a small grey dot joined to it. Marks that would cover each other in a row
    are set in lanes, one under the other."""
    rows, undated = [], []
    for partner in page.get("partners") or []:
        dated = []
        for agreement in partner.get("agreements") or []:
            (dated if agreement.get("date") else undated).append((partner, agreement))
        if dated:
            rows.append((partner, [a for _, a in dated]))
    caption = ("<b>Accords par date de signature.</b> Chaque marque porte le numéro (et la couleur) de la version où "
               "l’accord est apparu ; creuse : absent de la dernière version ; point gris : sa date d’avant un "
               "re-datage.")
    if not rows:
        body = '<p class="none">Aucun accord daté dans ces versions.</p>'
        return f'<figure class="timeline agreements">{body}<figcaption>{caption}</figcaption></figure>' \
            + _undated(page, undated)
    dates = [_position(a["date"]) for _, agreements in rows for a in agreements]
    for _, agreements in rows:
        for a in agreements:
            dates += [_position(e[k]) for e in a.get("events") or () if e["kind"] == "redated"
                      for k in ("old", "new") if e.get(k)]
    low, high = int(min(dates)), int(max(dates)) + 1

    def x(value: float) -> float:
        return round(LABEL_WIDTH + 10 + (value - low) / (high - low) * (PLOT_WIDTH - 20), 1)

    lanes = [_lanes([x(_position(a["date"])) for a in agreements]) for _, agreements in rows]
    heights = [max(ROW, (max(row) + 1) * (2 * RADIUS + 3) + 6) for row in lanes]
    width, height = LABEL_WIDTH + PLOT_WIDTH + 20, TOP + sum(heights) + 10
    parts = [f'<svg class="agreements" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="Accords de {_e(page.get("page"))} par date de signature et version d’apparition">',
             f"<title>Accords par date de signature — {_e(page.get('page'))}</title>", '<g class="axis">']
    for year in _ticks(low, high):
        parts.append(f'<line x1="{x(year)}" y1="{TOP - 6}" x2="{x(year)}" y2="{height - 6}"></line>'
                     f'<text x="{x(year)}" y="{TOP - 12}" text-anchor="middle">{year}</text>')
    parts.append("</g>")
    top = TOP
    for (partner, agreements), row_lanes, row_height in zip(rows, lanes, heights, strict=True):
        first = top + (row_height - (max(row_lanes) + 1) * (2 * RADIUS + 3)) / 2 + RADIUS + 1.5
        parts.append(f'<g class="row" data-partner-id="{_e(partner["partner_id"])}">'
                     f'<text x="{LABEL_WIDTH - 6}" y="{top + row_height / 2 + 4}" text-anchor="end">'
                     f'{_e(_label(partner["partner"]))}<title>{_e(partner["partner"])}</title></text>')
        for agreement, lane in zip(agreements, row_lanes, strict=True):
            parts.append(_mark(page, partner, agreement, x, first + lane * (2 * RADIUS + 3)))
        parts.append("</g>")
        top += row_height
    parts.append("</svg>")
    return (f'<figure class="timeline agreements">{"".join(parts)}<figcaption>{caption}</figcaption>'
            f'{_legend(page)}</figure>' + _undated(page, undated))


def _mark(page: dict, partner: dict, agreement: dict, x, cy: float) -> str:
    first = agreement["present"][0]
    fill, ink = _colour(first)
    cx = x(_position(agreement["date"]))
    latest = agreement.get("in_latest")
    history = [_event(page, e) for e in agreement.get("events") or ()]
    seen = page["versions"][first - 1]["seen"]
    tip = " — ".join([f'{partner["partner"]} : {_agreement_name(agreement)}', agreement["date"],
                      f"apparu en v{first} ({seen})", *history,
                      *([] if latest else ["absent de la dernière version"])])
    redated = ""
    for event in agreement.get("events") or ():
        if event["kind"] == "redated" and event.get("old"):
            ox = x(_position(event["old"]))
            redated += (f'<line class="redating" x1="{ox}" y1="{cy}" x2="{cx}" y2="{cy}"></line>'
                        f'<circle cx="{ox}" cy="{cy}" r="3" fill="#8c959f"></circle>')
    shape = (f'<circle cx="{cx}" cy="{cy}" r="{RADIUS}" fill="{fill}" stroke="#1f2328" stroke-width="0.5"></circle>'
             f'<text x="{cx}" y="{cy + 4}" text-anchor="middle" font-size="10" font-weight="700" '
             f'style="fill:{ink}">{first}</text>'
             if latest else
             f'<circle cx="{cx}" cy="{cy}" r="{RADIUS}" fill="#fff" stroke="{fill}" stroke-width="2.5" '
             f'stroke-dasharray="3 2"></circle>'
             f'<text x="{cx}" y="{cy + 4}" text-anchor="middle" font-size="10" font-weight="700">{first}</text>')
    return (f'<g class="agreement" data-type="{_e(agreement.get("type"))}" data-date="{_e(agreement["date"])}" '
            f'data-first="{first}" data-in-latest="{"true" if latest else "false"}">{redated}{shape}'
            f"<title>{_e(tip)}</title></g>")


def _legend(page: dict) -> str:
    items = []
    for v in page.get("versions") or []:
        fill, ink = _colour(v["version"])
        items.append(f'<li><svg width="20" height="20" aria-hidden="true"><circle cx="10" cy="10" r="{RADIUS}" '
                     f'fill="{fill}"></circle><text x="10" y="14" text-anchor="middle" font-size="10" '
                     f'font-weight="700" style="fill:{ink}">{v["version"]}</text></svg> '
                     f'apparu en v{v["version"]} ({_e(v["seen"])})</li>')
    return f'<ul class="versions-legend">{"".join(items)}</ul>'


def _undated(page: dict, undated: list[tuple[dict, dict]]) -> str:
    if not undated:
        return ""
    items = [f'<li data-first="{a["present"][0]}">{_e(p["partner"])} : {_e(_agreement_name(a))}, apparu en '
             f'v{a["present"][0]}{"" if a.get("in_latest") else " (absent de la dernière version)"}</li>'
             for p, a in undated]
    return f'<p class="meta">Accords sans date ({len(items)}) :</p><ul class="undated">{"".join(items)}</ul>'


def _presence_figure(page: dict) -> str:
    """Each partner's presence across the versions: a filled cell where a version holds it ("+" where
    it was added, "R" where renamed, "•" where one of its agreements changed), an empty one where it
    does not ("×" where it was removed)."""
    versions = page.get("versions") or []
    partners = page.get("partners") or []
    n = len(versions)
    width, height = LABEL_WIDTH + n * CELL + 10, TOP + len(partners) * ROW + 6
    parts = [f'<svg class="presence" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="Présence des partenaires de {_e(page.get("page"))} dans chaque version">',
             f"<title>Présence des partenaires par version — {_e(page.get('page'))}</title>", '<g class="axis">']
    for v in versions:
        cx = LABEL_WIDTH + (v["version"] - 1) * CELL + CELL / 2
        parts.append(f'<text x="{cx}" y="{TOP - 10}" text-anchor="middle">v{v["version"]}'
                     f'<title>v{v["version"]} : {_e(v["seen"])}</title></text>')
    parts.append("</g>")
    for i, partner in enumerate(partners):
        y = TOP + i * ROW
        present = set(partner.get("present") or ())
        marks: dict[int, list[str]] = {}
        for event in partner.get("events") or ():
            marks.setdefault(event["version"], []).append(_event(page, event))
        changed: dict[int, list[str]] = {}
        for agreement in partner.get("agreements") or ():
            for event in agreement.get("events") or ():
                if not event.get("with_partner"):
                    changed.setdefault(event["version"], []).append(
                        f"{_agreement_name(agreement)} : {_event(page, event)}")
        parts.append(f'<g class="partner" data-partner-id="{_e(partner["partner_id"])}" '
                     f'data-present="{" ".join(map(str, sorted(present)))}">'
                     f'<text x="{LABEL_WIDTH - 6}" y="{y + ROW / 2 + 4}" text-anchor="end">'
                     f'{_e(_label(partner["partner"]))}<title>{_e(partner["partner"])}</title></text>')
        for v in versions:
            number = v["version"]
            here = number in present
            kinds = [e["kind"] for e in partner.get("events") or () if e["version"] == number]
            sign = ("+" if "added" in kinds else "R" if "renamed" in kinds else "×" if "removed" in kinds
                    else "•" if number in changed else "")
            tip = " — ".join([partner["partner"], f'v{number} ({v["seen"]})',
                              "présent" if here else "absent", *marks.get(number, ()), *changed.get(number, ())])
            cx = LABEL_WIDTH + (number - 1) * CELL
            parts.append(f'<g class="cell {"present" if here else "absent"}" data-version="{number}">'
                         f'<rect x="{cx + 2}" y="{y + 3}" width="{CELL - 4}" height="{ROW - 6}" rx="3"></rect>'
                         + (f'<text x="{cx + CELL / 2}" y="{y + ROW / 2 + 4}" text-anchor="middle">{sign}</text>'
                            if sign else "")
                         + f"<title>{_e(tip)}</title></g>")
        parts.append("</g>")
    parts.append("</svg>")
    caption = ("<b>Présence des partenaires par version.</b> Case pleine : la version le contient (+ ajouté, "
               "R renommé, • un de ses accords a changé) ; vide : elle ne le contient pas (× retiré).")
    return f'<figure class="timeline presence">{"".join(parts)}<figcaption>{caption}</figcaption></figure>'
