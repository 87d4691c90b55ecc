"""Scoring one field against a gold: the date of publication (the other fields are exercised by the
gold regression tests and the commands' tests)."""

import pytest

from pipeline.tools.evaluate import evaluate


def _page(published):
    return {"source": "p.txt", "partners": [{"source": "p.txt", "heading": "Agence (AG)", "acronym": "AG",
                                             "published": published}]}


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
