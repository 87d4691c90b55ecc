"""Regression against the hand-made gold files: every field scored, every difference printed.

Each ``*.gold.json`` under corpus/gold/ and tests/fixtures/gold/ (the first site's layouts),
tests/fixtures/genres/ (pages of other kinds: news listings, press release, tables, Markdown, div
HTML, PDF copies) and tests/fixtures/extraction/ (pages naming mostly bodies no gazetteer knows,
written by annotators before any tuning) is a test case: its page is run through the real pipeline
and scored with the same code as ``python -m pipeline evaluate``. The bar is set over all pages
together (every field's F1 at least 0.95, agreement parties 0.90, bodies absent from the gazetteer
found by their exact name 0.90); each page is also held to floors, so that no page can collapse
unseen behind the others. tests/tools/test_ablation.py scores the same pages with the gazetteer
emptied of their bodies.
"""

import json

import pytest
from conftest import FIXTURES, ROOT, run_pages

from pipeline.tools.evaluate import FIELDS, Score, evaluate

GOLD_FILES = sorted([*(ROOT / "corpus" / "gold").glob("*.gold.json"), *(FIXTURES / "gold").glob("*.gold.json")])
GENRE_FILES = sorted((FIXTURES / "genres").glob("*.gold.json"))
EXTRACTION_FILES = sorted((FIXTURES / "extraction").glob("*.gold.json"))
ALL_FILES = [*GOLD_FILES, *GENRE_FILES, *EXTRACTION_FILES]
THRESHOLDS = {"sections": 1.0, "organisations": 0.95, "dates": 0.95, "agreements": 0.95, "themes": 0.95,
              "published": 1.0}
PARTIES_MIN_ACCURACY = 0.90
# Other pages, one by one: floors a little under what each scores, the bar being over all pages.
OTHER_THRESHOLDS = {"sections": 1.0, "published": 1.0, "organisations": 0.85, "dates": 0.90, "agreements": 0.80,
                    "themes": 0.85, "acronyms": 0.60}
OTHER_PARTIES_MIN_ACCURACY = 0.75
# A page about one administration's own agreements, whose table rows leave that administration implicit
# (assistance_mutuelle: the gold's notes say why it is a party of every row; the pipeline cannot know).
PARTIES_FLOORS = {"assistance_mutuelle.gold.json": 0.40}
# Over all pages together.
POOLED_THRESHOLDS = {f: 0.95 for f in FIELDS if f not in ("agreement_parties", "new_bodies")}
POOLED_PARTIES_MIN_ACCURACY = 0.90
NEW_BODIES_MIN_RECALL = 0.90


@pytest.fixture(scope="module")
def predictions(analyser):
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in ALL_FILES]
    return run_pages([ROOT / g["source"] for g in golds], analyser)


def _accuracy(parties: Score) -> float | None:
    """The share of matched agreements whose parties are right; None (n/a) when none was matched."""
    matched = parties.tp + parties.fn
    return parties.tp / matched if matched else None


def _score(gold_file, predictions, config, thresholds, parties_min):
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    result = evaluate(gold, predictions, config.resources.gazetteer)
    print(f"\n{gold_file.name}\n{result.table()}\n{result.report()}")
    # One page is held to the fields it has something to compare in (n/a: not judged here; the
    # pooled test requires every field to be compared somewhere).
    low = {name: round(result.scores[name].f1, 3) for name, minimum in thresholds.items()
           if result.scores[name].f1 is not None and result.scores[name].f1 < minimum}
    accuracy = _accuracy(result.scores["agreement_parties"])
    assert not low and (accuracy is None or accuracy >= parties_min), \
        f"below threshold: {low}, parties {accuracy}\n{result.report()}"
    return result


@pytest.mark.parametrize("gold_file", GOLD_FILES, ids=lambda p: p.name)
def test_gold(gold_file, predictions, config):
    _score(gold_file, predictions, config, THRESHOLDS, PARTIES_MIN_ACCURACY)


@pytest.mark.parametrize("gold_file", [*GENRE_FILES, *EXTRACTION_FILES], ids=lambda p: p.name)
def test_gold_page_of_another_kind(gold_file, predictions, config):
    _score(gold_file, predictions, config, OTHER_THRESHOLDS,
           PARTIES_FLOORS.get(gold_file.name, OTHER_PARTIES_MIN_ACCURACY))


def pooled(files, predictions, gazetteer) -> dict[str, Score]:
    """Every field's counts summed over ``files``."""
    total = {f: Score() for f in FIELDS}
    for gold_file in files:
        result = evaluate(json.loads(gold_file.read_text(encoding="utf-8")), predictions, gazetteer)
        for name, s in result.scores.items():
            total[name].tp += s.tp
            total[name].fp += s.fp
            total[name].fn += s.fn
            total[name].wrong += s.wrong
    return total


def test_every_field_over_every_gold_page(predictions, config):
    """The issue's bar, over all gold pages together: every field's F1 at least 0.95, agreement
    parties right for 0.90 of the matched agreements, and 0.90 of the bodies absent from the gazetteer
    found by their exact name. A field with nothing to compare over all pages (n/a) fails: it would
    show nothing."""
    total = pooled(ALL_FILES, predictions, config.resources.gazetteer)
    table = {name: s.as_dict() for name, s in total.items()}
    print("\nall gold pages:", table)
    low = {name: table[name] for name, minimum in POOLED_THRESHOLDS.items()
           if total[name].f1 is None or total[name].f1 < minimum}
    assert len(EXTRACTION_FILES) >= 8 and not low, low
    accuracy = _accuracy(total["agreement_parties"])
    assert accuracy is not None and accuracy >= POOLED_PARTIES_MIN_ACCURACY, table["agreement_parties"]
    recall = total["new_bodies"].recall
    assert recall is not None and recall >= NEW_BODIES_MIN_RECALL, table["new_bodies"]


def test_most_bodies_of_the_new_pages_are_unknown_to_the_gazetteer(config):
    """The extraction pages measure recognition from the text: at least 40% of the bodies they name
    are absent from the gazetteer (they were written so; a gazetteer grown to hold them would make
    the measure meaningless)."""
    gazetteer = config.resources.gazetteer
    bodies = {(g["source"], o["name"]): o for p in EXTRACTION_FILES
              for g in [json.loads(p.read_text(encoding="utf-8"))] for part in g["partners"]
              for o in part["organisations"]}
    unknown = [o for o in bodies.values() if gazetteer.find_name(o["name"]) is None
               and o.get("acronym") not in gazetteer.by_acronym]
    assert len(unknown) >= 0.4 * len(bodies), (len(unknown), len(bodies))


def test_there_are_gold_pages_beyond_the_seed():
    assert len(GOLD_FILES) >= 3
    for gold_file in ALL_FILES:
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
