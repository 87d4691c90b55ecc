"""Scoring against a gold, field by field: what counts as found, wrong, extra, and what has nothing to
compare (n/a, never a pass); which page of the predictions a gold is scored against; a partial gold;
the summary in words. (The fields on real pages are exercised by the gold regression tests, the
command line by tests/test_commands.py.)"""

import pytest

from pipeline.outputs import report
from pipeline.tools.evaluate import Score, evaluate, matching_sources


def _page(published=None, source="p.txt", **partner):
    partner = {"source": source, "heading": "Agence (AG)", "acronym": "AG", "published": published, **partner}
    return {"source": source, "partners": [partner]}


@pytest.mark.parametrize(("gold", "pred", "counts"), [
    ("2023-03-15", "2023-03-15", (1, 0, 0)),
    ("2023-03-15", "2023-03-14", (0, 1, 1)),
    ("2023-03-15", None, (0, 0, 1)),
    (None, "2023-03-15", (0, 1, 0)),
    (None, None, (0, 0, 0)),  # a page that dates nothing: not scored
])
def test_published_is_scored_where_the_gold_or_the_run_gives_one(config, gold, pred, counts):
    result = evaluate(_page(gold), _page(pred), config.resources.gazetteer)
    score = result.scores["published"]
    assert (score.tp, score.fp, score.fn) == counts
    assert any(d.field == "published" for d in result.differences) == (gold != pred)


@pytest.mark.parametrize(("counts", "expected"), [
    ((0, 0, 0), (None, None, None)),  # nothing to compare: n/a, not 1.0
    ((3, 0, 0), (1.0, 1.0, 1.0)),
    ((0, 2, 0), (0.0, None, 0.0)),  # only extra items: no recall to speak of, F1 0
    ((0, 0, 2), (None, 0.0, 0.0)),  # nothing found
    ((1, 1, 3), (0.5, 0.25, 1 / 3)),
])
def test_a_score_with_nothing_to_compare_is_none(counts, expected):
    score = Score(*counts)
    got = (score.precision, score.recall, score.f1)
    assert [g is None for g in got] == [e is None for e in expected]
    assert [g for g in got if g is not None] == pytest.approx([e for e in expected if e is not None])
    saved = score.as_dict()
    assert (saved["precision"], saved["recall"], saved["f1"]) == tuple(
        None if v is None else round(v, 4) for v in expected)


def test_the_table_and_the_report_say_n_a(config):
    result = evaluate(_page(), _page(), config.resources.gazetteer)
    (row,) = [line for line in result.table().splitlines() if line.startswith("published")]
    assert row.split() == ["published", "n/a", "n/a", "n/a", "0", "0", "0", "0"]
    assert "Publication dates: nothing to compare (n/a)." in result.summary().splitlines()
    html = report.render({"partners": []}, result.as_dict())
    (published,) = [r for r in html.split("<tr>") if r.startswith("<td>published</td>")]
    assert published.count(">n/a</abbr>") == 3 and "width:0px" in published


@pytest.mark.parametrize(("thresholds", "named", "below"), [
    ({"published": 0.9, "sections": 0.9}, (), {}),  # a number for every field: n/a is not judged
    ({"published": 0.9}, ("published",), {"published": None}),  # named: n/a fails
    ({"sections": 1.0}, ("sections",), {}),
    ({"acronyms": 1.0}, (), {"acronyms": 0.0}),
])
def test_min_f1_never_passes_on_a_field_named_with_nothing_to_compare(config, thresholds, named, below):
    result = evaluate(_page(), _page(acronym="AX"), config.resources.gazetteer)
    assert result.below(thresholds, named) == below


@pytest.mark.parametrize(("gold", "sources", "expected"), [
    ("corpus/page.txt", ["corpus/page.txt", "page.txt"], ["corpus/page.txt"]),  # the very same first
    ("corpus/page.txt", ["page.txt", "other.txt"], ["page.txt"]),  # a run made from another folder
    ("page.txt", ["corpus/page.txt"], ["corpus/page.txt"]),  # an old run, a gold written with the file name
    ("page.txt", ["C:\\pages\\page.txt"], ["C:\\pages\\page.txt"]),
    ("page.txt", ["a/page.txt", "b/page.txt"], ["a/page.txt", "b/page.txt"]),  # ambiguous: said by the caller
    ("corpus/page.txt", ["other.txt"], []),
    (None, ["page.txt"], []),
])
def test_a_gold_is_scored_against_its_page_by_source_else_file_name(gold, sources, expected):
    assert matching_sources(gold, sources) == expected


def test_a_run_made_from_another_folder_is_scored(config):
    result = evaluate(_page(source="corpus/p.txt"), _page(source="p.txt"), config.resources.gazetteer)
    assert result.source == "p.txt" and result.scores["sections"].tp == 1
    first = result.summary().splitlines()[0]
    assert first == "Scored the run's page p.txt (the gold names it corpus/p.txt) against the gold."


AGREEMENT = {"type": "memorandum_of_understanding", "date": "2002-09", "parties": ["OMD", "AG"]}


@pytest.mark.parametrize(("field", "gold", "pred", "line"), [
    ("agreements", {"agreements": [AGREEMENT]}, {"agreements": [{**AGREEMENT, "date": "2002-10"}]},
     "[AG] agreements: wrong memorandum_of_understanding 2002-09 → 2002-10"),
    ("agreements", {"agreements": [AGREEMENT]}, {"agreements": [{**AGREEMENT, "date": None}]},
     "[AG] agreements: wrong memorandum_of_understanding 2002-09 → undated"),
    ("agreements", {"agreements": [AGREEMENT]}, {"agreements": [{**AGREEMENT, "type": "agreement"}]},
     "[AG] agreements: wrong memorandum_of_understanding → agreement 2002-09"),
    ("dates", {"dates": [{"value": "2012", "text": "en 2012"}]}, {"dates": [{"value": "2013", "text": "en 2012"}]},
     "[AG] dates: wrong 2012 → 2013 ('en 2012')"),
    ("dates", {"dates": [{"value": "2002-09", "text": "septembre 2002"}]},
     {"dates": [{"value": "2002", "text": "2002"}]}, "[AG] dates: wrong 2002-09 → 2002 ('septembre 2002')"),
    ("acronyms", {"acronym": "AG"}, {"acronym": "AGX"}, "[AG] acronyms: wrong AG → AGX"),
    ("published", {"published": "2012"}, {"published": "2013"}, "[AG] published: wrong 2012 → 2013"),
])
def test_a_changed_value_is_one_wrong_item_and_no_match(config, field, gold, pred, line):
    result = evaluate(_page(**gold), _page(**pred), config.resources.gazetteer)
    assert [d.line() for d in result.differences if d.field == field] == [line]
    score = result.scores[field]
    assert (score.tp, score.fp, score.fn, score.wrong) == (0, 1, 1, 1)  # a wrong value is not a match


def test_other_agreements_stay_missing_and_extra(config):
    other = {"type": "letter_of_intent", "date": "2019", "parties": ["OMD", "UE"]}
    result = evaluate(_page(agreements=[AGREEMENT]), _page(agreements=[other]), config.resources.gazetteer)
    assert [d.kind for d in result.differences] == ["missing", "spurious"]
    assert result.scores["agreements"].wrong == 0


def test_the_summary_comes_in_words(config):
    gold = _page(agreements=[AGREEMENT, {**AGREEMENT, "type": "agreement", "date": "2010"}],
                 dates=[{"value": "2002-09", "text": "septembre 2002"}], themes=[{"code": "drugs"}])
    pred = _page(agreements=[{**AGREEMENT, "date": "2002-10"}], dates=[{"value": "2002-09", "text": "septembre 2002"}],
                 themes=[{"code": "drugs"}, {"code": "tobacco"}])
    assert evaluate(gold, pred, config.resources.gazetteer).summary().splitlines() == [
        "Scored the run's page p.txt against the gold.",
        "Sections: 1 of 1 found, 0 extra.",
        "Organisations: nothing to compare (n/a).",
        "Dates: 1 of 1 found, 0 extra.",
        "Agreements: 0 of 2 found, 1 with a wrong date (AG: memorandum_of_understanding 2002-09 → 2002-10), "
        "1 not found (AG: agreement 2010 parties=['OMD', 'AG']), 0 extra.",
        "Agreement parties: nothing to compare (n/a).",
        "Themes: 1 of 1 found, 1 extra (AG: tobacco).",
        "Heading acronyms: 1 of 1 right, 0 extra.",
        "Publication dates: nothing to compare (n/a).",
        "Bodies the gazetteer does not know: nothing to compare (n/a).",
    ]


def _sections(*headings, source="p.txt"):
    return {"source": source, "partners": [{"source": source, "heading": h} for h in headings]}


@pytest.mark.parametrize(("only", "counts", "left_out", "line"), [
    (False, (1, 2, 0), 0, "Sections: 1 of 1 found, 2 extra (Banque (BM); Union (UA)), if the gold covers only some "
                          "sections, score only those (--only-gold-sections)."),
    (True, (1, 0, 0), 2, "Sections: 1 of 1 found, 0 extra, 2 predicted sections left out (not in the gold)."),
])
def test_a_partial_gold_scores_only_its_sections_when_asked(config, only, counts, left_out, line):
    result = evaluate(_sections("Agence (AG)"), _sections("Banque (BM)", "Agence (AG)", "Union (UA)"),
                      config.resources.gazetteer, only_gold_sections=only)
    score = result.scores["sections"]
    assert (score.tp, score.fp, score.fn) == counts and result.left_out == left_out
    assert line in result.summary().splitlines()
    assert result.as_dict()["sections_left_out"] == left_out


def test_an_evaluation_saves_its_summary_and_null_scores(config):
    result = evaluate(_page(), _page(), config.resources.gazetteer)
    saved = result.as_dict()
    assert saved["scores"]["published"] == {"tp": 0, "fp": 0, "fn": 0, "wrong": 0, "precision": None,
                                            "recall": None, "f1": None}
    assert saved["source"] == saved["gold_source"] == "p.txt"
    assert saved["summary"] == result.summary().splitlines()
