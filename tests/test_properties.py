"""Property-based and fuzz tests: whatever the text, reading and splitting raise only the project's
own errors; generated pages in every layout split back exactly; every extracted item points at its
own words in the text."""

import contextlib
import html as html_module

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import Config
from pipeline.errors import InputError
from pipeline.stages import analyse
from pipeline.stages.reading import read_page
from pipeline.stages.sections import split, to_partners

# Hypothesis calls each test many times: the shipped resources are loaded once for the module.
RESOURCES = Config.load().resources

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


def render(layout, sections):
    if layout == "separators":
        return "\n|\n".join(h + "\n" + "\n".join(ps) for h, ps in sections) + "\n"
    if layout == "blank lines":
        return "\n\n".join(h + "\n" + "\n\n".join(ps) for h, ps in sections) + "\n"
    if layout == "bullets":
        return "\n".join("• " + h + "\n" + "\n".join("- " + p for p in ps) for h, ps in sections) + "\n"
    body = "".join(f"<h2>{html_module.escape(h)}</h2>" + "".join(f"<p>{html_module.escape(p)}</p>" for p in ps)
                   for h, ps in sections)
    return f"<html><body><nav><a>Accueil</a></nav>{body}<footer>© OMD</footer></body></html>"


def expected_text(layout, paragraphs):
    joiner = "\n\n" if layout in ("blank lines", "html") else "\n"
    return joiner.join(paragraphs)


@FAST
@given(st.sampled_from(["separators", "blank lines", "bullets", "html"]), st.lists(section, min_size=1, max_size=6))
def test_generated_pages_split_back_exactly(layout, sections):
    name = "page.html" if layout == "html" else "page.txt"
    document = split(read_page(name, render(layout, sections).encode("utf-8"), RESOURCES), RESOURCES)
    assert [(s.heading, s.text) for s in document.sections] == [
        (h, expected_text(layout, ps)) for h, ps in sections]
    partners = to_partners((document,), RESOURCES)
    assert len({p.partner_id for p in partners}) == len(partners)


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
