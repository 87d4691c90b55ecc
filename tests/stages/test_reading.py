"""Bytes to text: encodings, spaces, HTML, and what is refused."""

import pytest

from pipeline.errors import InputError
from pipeline.stages.reading import decode, html_blocks, normalise, read_page

PAGE = "Organisation mondiale des douanes (OMD)\nL’OMD a été créée en 1952 ; « élargie » depuis.\n"


@pytest.mark.parametrize(("data", "encoding"), [
    (PAGE.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + PAGE.encode("utf-8"), "utf-8-sig"),
    (PAGE.replace("\n", "\r\n").encode("cp1252"), "cp1252"),
    (PAGE.replace("’", "'").encode("latin-1"), "cp1252"),
])
def test_decodes_supported_encodings(data, encoding):
    text, used = decode("p.txt", data)
    assert used == encoding
    assert "créée" in normalise(text)


@pytest.mark.parametrize(("raw", "expected"), [
    ("13\u00a0mai\u00a01998", "13 mai 1998"),
    ("texte\u202f;", "texte ;"),
    ("a\r\nb\rc", "a\nb\nc"),
    ("e\u0301te\u0301", "été"),  # decomposed accents to NFC
    ("l’OMD «\u00a0x\u00a0»", "l’OMD « x »"),  # typographic marks kept
    ("zero\u200bwidth", "zerowidth"),
])
def test_normalise(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize(("data", "problem"), [
    (b"", "empty"),
    (b"   \n\t\n", "empty"),
    (b"%PDF-1.7\n...", "PDF"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
    (b"PK\x03\x04\x14\x00", "ZIP"),
    (b"abc\x00\x00\x01def", "binary"),
])
def test_refuses_what_is_not_a_page(data, problem):
    with pytest.raises(InputError, match=problem):
        read_page("bad.txt", data)


def test_html_drops_furniture_and_keeps_blocks():
    html = """<html><head><title>T</title><script>var a='Protocole';</script></head><body>
    <nav><a>Accueil</a></nav><header>Bandeau</header><h1>Partenaires</h1>
    <h2>Union postale universelle (UPU)</h2><p>L&rsquo;UPU et l&rsquo;OMD&nbsp;coopèrent.</p>
    <p><strong>Banque mondiale</strong></p><ul><li>Elle finance des projets.</li></ul>
    <!-- commentaire --><footer>© OMD</footer></body></html>"""
    blocks, title = html_blocks(normalise(html))
    texts = [(b.kind, b.text) for b in blocks if b.kind != "blank"]
    assert title == "Partenaires"
    assert texts == [
        ("heading", "Partenaires"),
        ("heading", "Union postale universelle (UPU)"),
        ("line", "L’UPU et l’OMD coopèrent."),
        ("heading", "Banque mondiale"),
        ("line", "Elle finance des projets."),
    ]
