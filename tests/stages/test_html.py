"""HTML to blocks: every visible text in document order, headings from the markup, tables by row,
page furniture read and marked with why."""

import pytest

from pipeline.stages.html import html_blocks
from pipeline.text import normalise


def blocks_of(html, resources):
    blocks, title = html_blocks(normalise(html), resources)
    return [(b.kind, b.text) for b in blocks if b.kind != "blank"], title


def test_headings_paragraphs_and_furniture(config):
    html = """<html><head><title>T</title><script>var a='Protocole';</script></head><body>
    <nav><a>Accueil</a></nav><header>Bandeau</header><h1>Partenaires</h1>
    <h2>Union postale universelle (UPU)</h2><p>L&rsquo;UPU et l&rsquo;OMD&nbsp;coopèrent.</p>
    <p><strong>Banque mondiale</strong></p><ul><li>Elle finance des projets.</li></ul>
    <!-- commentaire --><footer>© OMD</footer></body></html>"""
    texts, title = blocks_of(html, config.resources)
    assert title == "Partenaires"
    assert texts == [
        ("furniture", "Accueil"),
        ("furniture", "Bandeau"),
        ("heading", "Partenaires"),
        ("heading", "Union postale universelle (UPU)"),
        ("line", "L’UPU et l’OMD coopèrent."),
        ("heading", "Banque mondiale"),
        ("line", "Elle finance des projets."),
        ("furniture", "© OMD"),
    ]


@pytest.mark.parametrize(("html", "expected"), [
    # Text in divs, articles and sections is read, in document order.
    ("<article><div class='card-title'>Agence (AG)</div><div class='card-body'>Elle coopère.</div></article>",
     [("heading", "Agence (AG)"), ("line", "Elle coopère.")]),
    ("<section><h3>Office (OF)</h3><div>Texte.</div><blockquote>« Cité. »</blockquote>"
     "<dl><dt>Accord</dt><dd>Signé en 2015</dd></dl></section>",
     [("heading", "Office (OF)"), ("line", "Texte."), ("line", "« Cité. »"), ("line", "Accord"),
      ("line", "Signé en 2015")]),
    # <br> breaks a line; a line end in the source does not.
    ("<div>Première ligne<br>seconde\nsuite</div>", [("line", "Première ligne"), ("line", "seconde suite")]),
    # Text loose between blocks is a block of its own (a news item's date).
    ("<div class='item'><h3><a class='title' href='/x'>Titre</a></h3><span class='date'>03/06/2021</span>"
     "<div class='excerpt'>Texte.</div></div>",
     [("heading", "Titre"), ("line", "03/06/2021"), ("line", "Texte.")]),
    # A table of data, row by row; its header row marked.
    ("<table><thead><tr><th>Accord</th><th>Date</th></tr></thead><tbody><tr><td>PDA</td><td>2012</td></tr>"
     "</tbody></table>", [("header_row", "Accord | Date"), ("row", "PDA | 2012")]),
    # A table used to lay out the page is read as blocks.
    ("<table><tr><td><h2>Agence (AG)</h2><p>Un.</p><p>Deux.</p></td></tr></table>",
     [("heading", "Agence (AG)"), ("line", "Un."), ("line", "Deux.")]),
    # Furniture by class, id or role, wherever it stands; an article's own footer is content.
    ("<div class='cookie-banner'>Ce site utilise des cookies <button>OK</button></div>"
     "<div id='sidebar'><p>Liens utiles</p></div><div role='navigation'>Menu</div>"
     "<article><p>Texte.</p><footer>Publié le 3 juin 2021</footer></article>",
     [("furniture", "Ce site utilise des cookies"), ("furniture", "OK"), ("furniture", "Liens utiles"),
      ("furniture", "Menu"), ("line", "Texte."), ("line", "Publié le 3 juin 2021")]),
])
def test_blocks(config, html, expected):
    texts, _ = blocks_of(f"<html><body>{html}</body></html>", config.resources)
    assert texts == expected


def test_furniture_says_why(config):
    blocks, _ = html_blocks("<body><aside>Liens</aside><div class='pagination'>1 2</div></body>", config.resources)
    reasons = [b.reason for b in blocks if b.kind == "furniture"]
    assert reasons == ["sidebar (<aside>)", 'page furniture (class "pagination")']


def test_links_keep_their_text_and_their_target(config):
    blocks, _ = html_blocks("<body><nav><a href='/menu'>Menu</a></nav><p>Voir <a href='https://wcoomd.org'>"
                            "l’OMD</a> et <a href='#top'>haut</a>.</p></body>", config.resources)
    assert [(link.text, link.url) for b in blocks for link in b.links] == [("l’OMD", "https://wcoomd.org")]
