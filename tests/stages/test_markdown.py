"""Markdown to blocks: headings, lists, bold labels, links and tables."""

import pytest

from pipeline.stages.markdown import markdown_blocks


def blocks_of(md):
    blocks, title = markdown_blocks(md)
    return [(b.kind, b.text, b.bullet) for b in blocks if b.kind != "blank"], title


@pytest.mark.parametrize(("md", "expected"), [
    ("## Agence (AG)\n\nElle **coopère** avec [l’OMD](https://wcoomd.org) depuis 2001.\n",
     [("heading", "Agence (AG)", False), ("line", "Elle coopère avec l’OMD depuis 2001.", False)]),
    # A bold label does not make a list item a heading; a paragraph all in bold is one.
    ("- **Accord :** Protocole d’accord signé le 12 mars 2015\n* **Contact :** x\n\n**Office (OF)**\n\nTexte.\n",
     [("line", "Accord : Protocole d’accord signé le 12 mars 2015", True), ("line", "Contact : x", True),
      ("heading", "Office (OF)", False), ("line", "Texte.", False)]),
    # Numbered list items are lines; a numbered heading keeps its number.
    ("### 1. Union africaine (UA)\n\n1. premier point\n2. second point\n",
     [("heading", "1. Union africaine (UA)", False), ("line", "premier point", True),
      ("line", "second point", True)]),
    # Pipe tables by row, the header marked; soft line breaks join a paragraph's lines.
    ("| Instrument | Date |\n|---|---|\n| PDA | 14/03/2012 |\n\nUne ligne\ncoupée.\n",
     [("header_row", "Instrument | Date", False), ("row", "PDA | 14/03/2012", False),
      ("line", "Une ligne coupée.", False)]),
    ("> « Cité », a déclaré X.\n\n---\n\nSuite.\n", [("line", "« Cité », a déclaré X.", False),
                                                  ("line", "Suite.", False)]),
])
def test_blocks(md, expected):
    assert blocks_of(md)[0] == expected


@pytest.mark.parametrize(("md", "title"), [
    ("# Partenaires\n\n## A (A)\n\nTexte.\n", "Partenaires"),
    ("Compte rendu\n============\n\n### A\n\nTexte.\n", "Compte rendu"),
    ("## A (A)\n\nTexte.\n", None),
])
def test_title_is_the_first_level_one_heading(md, title):
    assert blocks_of(md)[1] == title


def test_links_keep_their_text_and_their_target():
    blocks, _ = markdown_blocks("Voir [le **site** de l’OMD](https://wcoomd.org) et [ici](/x).\n\n"
                                "| A | B |\n|---|---|\n| [PDA](https://a.org/pda) | 2012 |\n")
    assert blocks[0].text == "Voir le site de l’OMD et ici."
    assert [(link.text, link.url) for b in blocks for link in b.links] == [
        ("le site de l’OMD", "https://wcoomd.org"), ("ici", "/x"), ("PDA", "https://a.org/pda")]
