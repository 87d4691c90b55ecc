"""A gold file drafted from predictions: every partner and item marked for review, the gold file's shape
and nothing more, where it goes, and writing it without replacing anyone's gold."""

from __future__ import annotations

import errno
import io
import json
import os
import stat
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline import api
from pipeline.errors import InputError, OutputError
from pipeline.models import GOLD_ITEM_KEYS, GOLD_PARTNER_KEYS, GOLD_REVIEW
from pipeline.tools import files
from pipeline.tools import gold as drafting

SOURCE = "pages/veille.txt"


def _predicted(index: int, heading: str, published: str | None = None, **fields) -> dict:
    partner = {"partner_id": heading.lower(), "source": SOURCE, "section_index": index, "heading": heading,
               "name": heading, "acronym": None, "published": published, "published_text": None, "text": "…",
               "text_sha256": "0" * 64, "organisations": [], "agreements": [], "dates": [], "themes": [], "links": []}
    return {**partner, **fields}


PREDICTIONS = {
    "schema_version": "1.0",
    "generator": {"name": "omd-partners-pipeline", "version": "9.9.9", "spacy_model": "fr_core_news_sm 3.8.0"},
    "documents": [{"source": SOURCE, "sha256": "f" * 64, "title": "Veille", "n_sections": 2}],
    "partners": [
        _predicted(1, "Agence (AG)", acronym="AG", organisations=[
            {"name": "Organisation mondiale des douanes", "acronym": "OMD", "source": "gazetteer",
             "mentions": [{"text": "l’OMD", "start": 0, "end": 5}]},
            {"name": "Agence", "acronym": "AG", "source": "defined", "mentions": []}],
            agreements=[{"type": "memorandum_of_understanding", "label": "PDA", "parties": ["OMD", "AG"],
                         "date": "1998-05-13", "date_precision": "day", "date_text": "13 mai 1998",
                         "status": "signed", "evidence": "…", "start": 0, "end": 3}],
            dates=[{"text": "13 mai 1998", "value": "1998-05-13", "precision": "day", "role": "signature",
                    "start": 0, "end": 11}],
            themes=[{"code": "drugs", "label": "Drogues et précurseurs", "evidence": ["drogue"]}]),
        _predicted(2, "Une nouvelle", published="2023-03-15"),
    ],
}


def test_every_partner_and_item_is_marked_and_holds_what_a_gold_judges():
    gold = drafting.draft(PREDICTIONS)
    assert (gold["source"], gold["title"]) == (SOURCE, "Veille")
    assert list(gold) == ["source", "title", "notes", "partners"]
    for partner in gold["partners"]:
        keys = [k for k in GOLD_PARTNER_KEYS if k != "published" or partner.get("published")]
        assert list(partner) == [GOLD_REVIEW, *keys, *GOLD_ITEM_KEYS] and partner[GOLD_REVIEW] is True
        for field, item_keys in GOLD_ITEM_KEYS.items():
            for item in partner[field]:
                assert list(item) == [GOLD_REVIEW, *item_keys] and item[GOLD_REVIEW] is True
    assert drafting.marks(gold) == 2 + 5 and drafting.items(gold) == 5
    # A date of publication only where the page gives one.
    assert "published" not in gold["partners"][0] and gold["partners"][1]["published"] == "2023-03-15"
    assert gold["partners"][0]["agreements"] == [{GOLD_REVIEW: True, "type": "memorandum_of_understanding",
                                                  "date": "1998-05-13", "parties": ["OMD", "AG"]}]
    files.parse(json.dumps(gold).encode())  # the shape evaluate reads


def test_notes_say_who_drafted_it_and_what_a_person_must_do():
    notes = drafting.draft(PREDICTIONS)["notes"]
    for needle in ("omd-partners-pipeline 9.9.9", "fr_core_news_sm 3.8.0", f'"{GOLD_REVIEW}": true',
                   "not by a person", "inherits the pipeline's mistakes", "evaluate refuses"):
        assert needle in notes


def test_same_predictions_same_draft():
    assert json.dumps(drafting.draft(PREDICTIONS)) == json.dumps(drafting.draft(json.loads(json.dumps(PREDICTIONS))))


@pytest.mark.parametrize(("gold", "expected"), [
    ({"partners": []}, 0),
    ({"partners": [{GOLD_REVIEW: True, "heading": "A"}]}, 1),
    ({"partners": [{"heading": "A", "dates": [{GOLD_REVIEW: True, "value": "2001"}, {"value": "2002"}]}]}, 1),
    # "yes" is a mark too (evaluate refuses it): only false or null clears one
    ({"partners": [{GOLD_REVIEW: False, "heading": "A", "themes": [{GOLD_REVIEW: "yes", "code": "drugs"}]}]}, 1),
    ({"partners": [{GOLD_REVIEW: True, "heading": "A", "organisations": [{GOLD_REVIEW: True, "name": "B"}],
                    "agreements": [{GOLD_REVIEW: True, "type": "agreement"}]}]}, 3),
])
def test_marks_are_counted_where_they_are_not_cleared(gold, expected):
    assert drafting.marks(gold) == expected


@pytest.mark.parametrize(("gold", "page"), [
    ("gold/veille.gold.json", "gold/veille.gold.review.html"),
    ("veille.json", "veille.review.html"),
    ("veille", "veille.review.html"),
    ("a/b.c.gold.json", "a/b.c.gold.review.html"),
])
def test_the_review_page_sits_beside_the_gold(gold, page):
    assert drafting.page_path(Path(gold)) == Path(page)


@pytest.mark.parametrize(("page", "gold"), [
    ("corpus/omd_partenaires_fr.txt", "corpus/gold/omd_partenaires_fr.gold.json"),
    ("veille.html", "gold/veille.gold.json"),
])
def test_a_gold_goes_to_the_pages_gold_folder_unless_told(page, gold):
    assert drafting.default_path(Path(page)) == Path(gold)


@pytest.mark.parametrize(("existing", "force", "kept"), [
    (None, False, b"new"),
    (b"mine", False, b"mine"),  # refused
    (b"mine", True, b"new"),
])
def test_a_gold_is_replaced_only_with_force(tmp_path, existing, force, kept):
    path = tmp_path / "sub" / "veille.gold.json"
    if existing is not None:
        path.parent.mkdir()
        path.write_bytes(existing)
    if existing is not None and not force:
        with pytest.raises(OutputError, match="exists already") as caught:
            drafting.save(path, b"new", force)
        assert caught.value.exit_code == 3 and "--force" in caught.value.line()
    else:
        drafting.save(path, b"new", force)
    assert path.read_bytes() == kept
    assert [p.name for p in path.parent.iterdir()] == ["veille.gold.json"]  # no temporary left


def test_a_gold_is_created_with_the_umasks_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        drafting.save(tmp_path / "a.gold.json", b"{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.gold.json").stat().st_mode) == 0o640


def test_a_folder_that_cannot_be_made_is_one_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="cannot create the folder"):
        drafting.save(tmp_path / "file" / "a.gold.json", b"{}")


@pytest.mark.parametrize(("existing", "kept"), [(None, b"new"), (b"mine", b"mine")])
def test_on_a_file_system_without_hard_links_a_gold_is_still_never_replaced(tmp_path, monkeypatch, existing, kept):
    def no_links(source, target):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "a.gold.json"
    if existing is not None:
        path.write_bytes(existing)
        with pytest.raises(OutputError, match="exists already"):
            drafting.save(path, b"new")
    else:
        drafting.save(path, b"new")
    assert path.read_bytes() == kept and [p.name for p in tmp_path.iterdir()] == ["a.gold.json"]


# Review of issue 14: "review": "true" written by hand was a mark for evaluate, none for gold's count.
@pytest.mark.parametrize(("value", "marked"), [(True, True), ("true", True), (1, True), (False, False), (None, False)])
def test_one_rule_says_what_is_marked_for_review(value, marked):
    gold = {"source": "p.txt", "partners": [{"heading": "h", GOLD_REVIEW: value, "organisations": []}]}
    assert (drafting.marks(gold) == 1) is marked
    assert bool(list(files.review_marks(gold))) is marked


# Review of issue 14: a WARC of several URLs gave one gold mixing their partners under one source.
def test_a_gold_is_drafted_for_one_page_only(tmp_path, config):
    path = tmp_path / "c.warc.gz"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, heading, text in [("https://x.org/a", "Union africaine (UA)", "L’UA coopère avec l’OMD."),
                                   ("https://x.org/b", "Banque mondiale (BM)", "La BM finance des projets.")]:
            body = f"<html><body><h2>{heading}</h2><p>{text}</p></body></html>".encode()
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=http))
    with pytest.raises(InputError, match="holds 2 pages; a gold file is about one page"):
        api.draft_gold(path, tmp_path / "g.gold.json", config, cache_dir=None)
    assert not (tmp_path / "g.gold.json").exists()
