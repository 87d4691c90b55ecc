"""Bytes to text: encodings, spaces, HTML, and what is refused."""

import pytest

from pipeline.errors import InputError
from pipeline.stages.reading import collect_inputs, decode, read_page, source_names, text_blocks
from pipeline.text import normalise

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


PLAIN = PAGE.replace("’", "'").replace("« ", "").replace(" »", "")  # accents only: one-byte charsets decode it


@pytest.mark.parametrize(("data", "declared", "encoding"), [
    (PAGE.encode("utf-8"), "utf-8", "utf-8"),
    (PAGE.encode("cp1252"), "windows-1252", "windows-1252"),
    (PAGE.encode("cp1252"), "utf-8", "cp1252"),  # declared UTF-8, is not: the page's evidence decides
    (PLAIN.encode("utf-8"), "iso-8859-1", "utf-8"),  # declared Latin-1 for UTF-8: no "crÃ©Ã©e"
    (PLAIN.encode("utf-8"), "windows-1252", "utf-8"),
    (PLAIN.encode("utf-8"), "no-such-charset", "utf-8"),
    (PLAIN.encode("ascii", "ignore"), "iso-8859-1", "iso-8859-1"),
], ids=["utf-8", "cp1252", "utf-8-but-cp1252", "latin-1-but-utf-8", "cp1252-but-utf-8", "unknown", "ascii"])
def test_a_declared_charset_is_tried_first_but_never_gives_mojibake(data, declared, encoding):
    text, used = decode("https://example.org/page", data, declared)
    assert used == encoding
    assert "Ã" not in text
    assert "créée" in text or data.isascii()


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
def test_refuses_what_is_not_a_page(config, data, problem):
    with pytest.raises(InputError, match=problem):
        read_page("bad.txt", data, config.resources)




@pytest.mark.parametrize(("line", "expected"), [
    ("• Union postale universelle (UPU)", ("Union postale universelle (UPU)", True)),
    ("- une ligne de liste", ("une ligne de liste", True)),
    ("– 14 –", ("– 14 –", False)),  # a mark on both sides decorates a page number: no bullet
    ("Partenaire\tType\tDate", ("Partenaire\tType\tDate", False)),  # tabs inside kept: cell delimiters
    ("   Texte   espacé", ("Texte espacé", False)),
])
def test_text_blocks_lines(line, expected):
    (block,) = text_blocks(line)
    assert (block.text, block.bullet) == expected


def test_markdown_is_read_by_its_suffix_and_folders_find_it(config, tmp_path):
    page = read_page("note.md", b"# Titre\n\n## Agence (AG)\n\nTexte.\n", config.resources)
    assert page.markup == "markdown" and page.html_title == "Titre"
    (tmp_path / "a.md").write_text("x")
    (tmp_path / "b.txt").write_text("x")
    files, errors, _ = collect_inputs((tmp_path,))
    assert [f.name for f in files] == ["a.md", "b.txt"] and not errors


@pytest.mark.parametrize(("names", "found"), [
    (["rapport.pdf", "RAPPORT_2.PDF", "scan.png"], ["RAPPORT_2.PDF", "rapport.pdf"]),
    (["captures.warc.gz", "old.WARC", "notes.gz", "page.warc.gz.part"], ["captures.warc.gz", "old.WARC"]),
    (["page.html", "captures.warc.gz", "rapport.pdf"], ["captures.warc.gz", "page.html", "rapport.pdf"]),
])
def test_folders_find_pdf_reports_and_warc_captures(tmp_path, names, found):
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    files, errors, _ = collect_inputs((tmp_path,))
    assert [f.name for f in files] == found and not errors


@pytest.mark.parametrize(("files", "expected"), [
    (["corpus/page.txt"], ["page.txt"]),
    (["a/page.txt", "b/page.txt", "c/other.html"], ["a/page.txt", "b/page.txt", "other.html"]),
    (["x/a/page.txt", "y/a/page.txt"], ["x/a/page.txt", "y/a/page.txt"]),
    (["a/page.txt", "a/page.TXT"], ["page.txt", "page.TXT"]),
])
def test_a_page_is_named_by_its_file_name_and_only_the_folders_that_tell_it_apart(tmp_path, files, expected):
    paths = [tmp_path / f for f in files]
    assert list(source_names(paths).values()) == expected


def test_a_name_given_for_a_page_is_its_name_and_two_pages_may_not_share_one(tmp_path):
    a, b = tmp_path / "a" / "page.txt", tmp_path / "b" / "page.txt"
    assert source_names([a, b], {a: "OMD, page des partenaires"}) == {a: "OMD, page des partenaires", b: "page.txt"}
    with pytest.raises(InputError, match="two pages have this name"):
        source_names([a, b], {a: "x", b: "x"})
