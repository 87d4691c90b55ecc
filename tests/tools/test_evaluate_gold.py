"""Regression against the hand-made gold files: every field scored, every difference printed.

Each ``*.gold.json`` under corpus/gold/ and tests/fixtures/gold/ is a test case: its page is run
through the real pipeline and scored with the same code as ``python -m pipeline evaluate``.
"""

import json

import pytest
from conftest import FIXTURES, ROOT, run_pages

from pipeline.tools.evaluate import evaluate

GOLD_FILES = sorted([*(ROOT / "corpus" / "gold").glob("*.gold.json"), *(FIXTURES / "gold").glob("*.gold.json")])
THRESHOLDS = {"sections": 1.0, "organisations": 0.95, "dates": 0.95, "agreements": 0.95, "themes": 0.95}
PARTIES_MIN_ACCURACY = 0.90


@pytest.fixture(scope="module")
def predictions(analyser):
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in GOLD_FILES]
    return run_pages([ROOT / g["source"] for g in golds], analyser)


@pytest.mark.parametrize("gold_file", GOLD_FILES, ids=lambda p: p.name)
def test_gold(gold_file, predictions, config):
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    result = evaluate(gold, predictions, config.resources.gazetteer)
    print(f"\n{gold_file.name}\n{result.table()}\n{result.report()}")
    low = {name: round(result.scores[name].f1, 3) for name, minimum in THRESHOLDS.items()
           if result.scores[name].f1 < minimum}
    parties = result.scores["agreement_parties"]
    matched = parties.tp + parties.fn
    accuracy = parties.tp / matched if matched else 1.0
    assert not low and accuracy >= PARTIES_MIN_ACCURACY, (
        f"below threshold: {low}, parties {accuracy:.2f}\n{result.report()}")


def test_there_are_gold_pages_beyond_the_seed():
    assert len(GOLD_FILES) >= 3
    for gold_file in GOLD_FILES:
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        assert (ROOT / gold["source"]).exists(), gold["source"]


def test_every_offset_points_at_its_text(predictions):
    for partner in predictions["partners"]:
        text = partner["text"]
        for org in partner["organisations"]:
            for m in org["mentions"]:
                assert text[m["start"]:m["end"]] == m["text"]
        for d in partner["dates"]:
            assert text[d["start"]:d["end"]] == d["text"]
        for a in partner["agreements"]:
            assert text[a["start"]:a["end"]] == a["label"]
            assert a["evidence"] in text
        for t in partner["themes"]:
            assert all(e in text for e in t["evidence"])
