"""Property-based and fuzz tests: whatever the text, reading and splitting raise only the project's
own errors; generated pages in every layout split back exactly; every extracted item points at its
own words in the text."""

import contextlib
import html as html_module
import textwrap

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pipeline.config import Config
from pipeline.errors import InputError
from pipeline.stages import analyse
from pipeline.stages.layout import Layout
from pipeline.stages.reading import read_page
from pipeline.stages.sections import parse_heading, split, to_partners

# Hypothesis calls each test many times: the shipped resources are loaded once for the module.
RESOURCES = Config.load().resources
NEVER_LAST = {w.casefold() for w in RESOURCES.layout.heading_never_ends_with}
LAYOUT = Layout(RESOURCES)

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.binary(max_size=2000))
def test_any_bytes_read_and_split_or_raise_an_input_error(data):
    for name in ("page.txt", "page.html"):
        with contextlib.suppress(InputError):
            split(read_page(name, data, RESOURCES), RESOURCES)


@FAST
@given(st.text(max_size=2000))
def test_any_text_read_and_split_or_raise_an_input_error(text):
    for name in ("page.txt", "page.html"):
        try:
            document = split(read_page(name, text.encode("utf-8", "surrogatepass"), RESOURCES), RESOURCES)
        except (InputError, UnicodeEncodeError):
            continue
        assert all(s.heading and s.text for s in document.sections)


LETTERS = "abcdefghijklmnopqrstuvwxyzéèàçôâ"
word = st.text(LETTERS, min_size=2, max_size=10)
capitalised = word.map(str.capitalize)
heading = st.builds(
    lambda first, rest, acronym: " ".join([first, *rest]) + (f" ({acronym})" if acronym else ""),
    capitalised, st.lists(st.one_of(word, capitalised), max_size=5),
    st.one_of(st.none(), st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=6)),
)
sentence = st.builds(lambda first, rest: " ".join([first, *rest]) + ".", capitalised,
                     st.lists(word, min_size=3, max_size=25))
paragraph = st.lists(sentence, min_size=1, max_size=4).map(" ".join)
section = st.tuples(heading, st.lists(paragraph, min_size=1, max_size=3))
# A report copied from a PDF: paragraphs long enough to be wrapped over several lines.
long_sentence = st.builds(lambda first, rest: " ".join([first, *rest]) + ".", capitalised,
                          st.lists(word, min_size=12, max_size=25))
pdf_section = st.tuples(heading, st.lists(st.lists(long_sentence, min_size=2, max_size=4).map(" ".join),
                                          min_size=1, max_size=2))


def render(layout, sections):
    if layout == "separators":
        return "\n|\n".join(h + "\n" + "\n".join(ps) for h, ps in sections) + "\n"
    if layout == "blank lines":
        return "\n\n".join(h + "\n" + "\n\n".join(ps) for h, ps in sections) + "\n"
    if layout == "bullets":
        return "\n".join("• " + h + "\n" + "\n".join("- " + p for p in ps) for h, ps in sections) + "\n"
    if layout == "numbered":
        return "Rapport annuel\n\n" + "\n\n".join(
            f"{n}. {h}\n\n" + "\n\n".join(ps) for n, (h, ps) in enumerate(sections, 1)) + "\n"
    if layout == "news":
        return "Actualités\n\n" + "\n\n".join(
            f"{h}\n{n % 28 + 1:02d}/03/2023\n" + "\n\n".join(ps) for n, (h, ps) in enumerate(sections)) \
            + "\n\nPage 1 sur 2\n"
    if layout == "pdf":
        header = "Rapport annuel 2019 – Partenariats"
        return f"{header}\n\n" + "".join(
            h + "\n" + "\n\n".join("\n".join(textwrap.wrap(p, 64, break_on_hyphens=False)) for p in ps)
            + f"\n\n{header}\n{n}\n\n" for n, (h, ps) in enumerate(sections, 1))
    if layout == "tables":
        return "\n\n".join(h + "\n" + "\n\n".join(ps) + "\n" + "\n".join(TABLE) for h, ps in sections) + "\n"
    if layout == "markdown":
        return "# Partenaires\n\n" + "\n\n".join(f"## {h}\n\n" + "\n\n".join(ps) for h, ps in sections) + "\n"
    if layout == "div html":
        body = "".join(f"<article><div class='card-title'>{html_module.escape(h)}</div>"
                       + "".join(f"<div class='card-body'>{html_module.escape(p)}</div>" for p in ps) + "</article>"
                       for h, ps in sections)
        return (f"<html><body><div class='cookie-banner'>Ce site utilise des cookies</div><main>{body}</main>"
                "<aside class='sidebar'>Liens utiles</aside></body></html>")
    body = "".join(f"<h2>{html_module.escape(h)}</h2>" + "".join(f"<p>{html_module.escape(p)}</p>" for p in ps)
                   for h, ps in sections)
    return f"<html><body><nav><a>Accueil</a></nav>{body}<footer>© OMD</footer></body></html>"


TABLE = ["Partenaire – Type d’accord – Date de signature", "Chili – Protocole d’accord – 12/09/2006",
         "Pérou – Lettre d’intention – 01/04/2008"]
NAMES = {"html": "page.html", "div html": "page.html", "markdown": "page.md"}
LAYOUTS = ["separators", "blank lines", "bullets", "html", "numbered", "news", "pdf", "tables", "markdown",
           "div html"]


def expected_sections(layout, sections):
    joiner = "\n" if layout in ("separators", "bullets") else "\n\n"
    out = []
    for n, (h, ps) in enumerate(sections, 1):
        text = joiner.join(ps) + ("\n" + "\n".join(TABLE[1:]) if layout == "tables" else "")
        out.append((f"{n}. {h}" if layout == "numbered" else h, text))
    return out


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(LAYOUTS).flatmap(lambda layout: st.tuples(
    st.just(layout), st.lists(pdf_section if layout == "pdf" else section, min_size=2 if layout == "pdf" else 1,
                              max_size=6))))
def test_generated_pages_split_back_exactly(case):
    layout, sections = case
    # A line repeated at every page break is a running header: a report does not repeat a heading so;
    # nor does a heading end with a word such as "de" or "et", nor is it a menu item ("Menu").
    assume(layout != "pdf" or len({h for h, _ in sections}) == len(sections))
    assume(not any(h.split()[-1].casefold() in NEVER_LAST or LAYOUT.is_site_furniture(h) for h, _ in sections))
    text = render(layout, sections)
    if layout == "pdf":  # nor does it repeat a line of its text word for word
        lines = [line for line in text.splitlines() if line and "Rapport annuel" not in line]
        assume(len(set(lines)) == len(lines))
    page = read_page(NAMES.get(layout, "page.txt"), text.encode("utf-8"), RESOURCES)
    document = split(page, RESOURCES)
    assert [(s.heading, s.text) for s in document.sections] == expected_sections(layout, sections)
    if layout == "news":
        assert [s.published_text for s in document.sections] == [f"{n % 28 + 1:02d}/03/2023"
                                                                 for n in range(len(sections))]
    partners = to_partners((document,), RESOURCES)
    assert len({p.partner_id for p in partners}) == len(partners)
    assert [p.name for p in partners] == [parse_heading(h, RESOURCES.gazetteer.acronyms)[0] for h, _ in sections]


PIECES = [
    "l’OMD", "l'OMD", "l’Organisation mondiale des douanes (OMD)", "le Secrétariat de l’OMD", "l’ONUDC",
    "le Programme des Nations Unies pour l’environnement (PNUE)", "la Banque mondiale", "Europol",
    "le Comité de contrôle douanier du Ministère des Finances de la République du Kazakhstan",
    "un Protocole d’accord (PDA)", "une Lettre d’intention", "un Accord de coopération", "la Convention de Kyoto",
    "le 13 mai 1998", "en mai 1998", "en 2002", "depuis 2005", "le 1er janvier 2000", "le 3/03/2019",
    "2018-04-23", "n° 1373", "plus de 40 pays", "ont conclu", "a été signé", "les deux organisations",
    "entre", "et", "avec", "chacun", "contre le trafic illicite", "de drogues", "des biens culturels",
    "la contrefaçon", "la formation", "le blanchiment d’argent", "Côte d’Ivoire", ",", ".", ";", "(", ")",
    "=HYPERLINK(1)", "\u200b", "محمد", "税关",
]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40))
def test_every_extracted_item_points_at_its_text(analyser, parse, pieces):
    text = "Le partenaire coopère. " + " ".join(pieces)
    document = split(read_page("p.txt", f"Partenaire (PRT)\n{text}\n|\n".encode(), RESOURCES), RESOURCES)
    for partner in to_partners((document,), RESOURCES):
        partner = analyse(partner, parse(partner.text), analyser.extractors)
        t = partner.text
        for org in partner.organisations:
            assert org.mentions and all(t[m.start:m.end] == m.text for m in org.mentions)
        for d in partner.dates:
            assert t[d.start:d.end] == d.text and d.value[:4].isdigit()
        for a in partner.agreements:
            assert t[a.start:a.end] == a.label and a.evidence in t
        for theme in partner.themes:
            assert all(e in t for e in theme.evidence)


# --- HTML of any shape: no visible text is ever lost without a record ---------------------------------
# Elements of every kind, nested at random, with text inside and between them. Each text is a word of
# its own ("w17"), so that where it went can be checked: in the title, a heading, a section's text or
# its date line, or a line set aside (rejected.csv). Text in invisible elements (scripts, styles,
# templates) is not read, and may be lost.
_CONTAINERS = ["div", "p", "span", "section", "article", "main", "blockquote", "ul", "li", "ol", "table", "tr",
               "td", "th", "h1", "h2", "h3", "h4", "strong", "em", "b", "a", "header", "footer", "nav", "aside",
               "form", "textarea", "pre", "dl", "dt", "dd", "figure", "figcaption", "details", "summary", "caption",
               "label", "button", "select", "option", "center", "font", "small", "code"]
_HIDDEN = ["script", "style", "noscript", "template", "title"]


@st.composite
def html_tree(draw, depth=0):
    counter = draw(st.shared(st.builds(lambda: [0]), key="words"))

    def word():
        counter[0] += 1
        return f"w{counter[0]}"

    parts, visible = [], []
    for _ in range(draw(st.integers(1, 4 if depth < 4 else 1))):
        kind = draw(st.sampled_from(["text", "element", "element", "hidden", "br"] if depth < 6 else ["text"]))
        if kind == "text":
            w = " ".join(word() for _ in range(draw(st.integers(1, 6))))
            parts.append(f" {w} ")  # (words side by side in the source are one word on screen too)
            visible += w.split()
        elif kind == "br":
            parts.append("<br>")
        elif kind == "hidden":
            tag = draw(st.sampled_from(_HIDDEN))
            parts.append(f" <{tag}>{word()} {word()}</{tag}> ")
        else:
            tag = draw(st.sampled_from(_CONTAINERS))
            inner, words = draw(html_tree(depth + 1))
            parts.append(f" <{tag}>{inner}</{tag}> ")
            visible += words
    return "".join(parts), visible


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_tree())
def test_no_visible_text_of_any_html_is_lost_without_a_record(tree):
    body, visible = tree
    page = f"<html><head><title>Titre</title></head><body><h2>Agence (AX)</h2><p>w0 texte.</p>{body}</body></html>"
    try:
        document = split(read_page("page.html", page.encode("utf-8"), RESOURCES), RESOURCES)
    except InputError:
        return  # said, with exit 2: not silent
    kept = [document.title or ""]
    for s in document.sections:
        kept += [s.heading, s.text, s.published_text or ""]
    kept += [line for line, _ in document.ignored]
    words = set(" ".join(kept).split())
    missing = [w for w in visible if w not in words]
    assert not missing, (missing, page)
