"""Recognition from the text alone: every gold page run with a gazetteer that knows none of the
bodies the gold files name (``tools.evaluate.without_gold_bodies``), and scored again.

What the gazetteer knows cannot help here: a body is found by its name's shape, a defined acronym or
a name in another language, or not at all. The bar, over all gold pages together: organisations
recall at least 0.85 and precision at least 0.90, agreement parties right for 0.85 of the matched
agreements.
"""

import json

import pytest
from conftest import ROOT, run_pages
from test_evaluate_gold import ALL_FILES, pooled

from pipeline.analysis import Analyser
from pipeline.tools.evaluate import without_gold_bodies


@pytest.fixture(scope="module")
def ablated(config):
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in ALL_FILES]
    return without_gold_bodies(config, golds), golds


def test_the_ablated_gazetteer_knows_no_gold_body(ablated, config):
    ablated_config, golds = ablated
    gazetteer = ablated_config.resources.gazetteer
    assert 0 < len(gazetteer.entries) < len(config.resources.gazetteer.entries)
    assert ablated_config.resources.fingerprint != config.resources.fingerprint
    for gold in golds:
        for partner in gold["partners"]:
            for org in partner["organisations"]:
                assert gazetteer.find_name(org["name"]) is None, org
                assert org.get("acronym") not in gazetteer.by_acronym, org


def test_bodies_are_found_from_the_text_alone(ablated):
    ablated_config, golds = ablated
    predictions = run_pages([ROOT / g["source"] for g in golds], Analyser(ablated_config))
    total = pooled(ALL_FILES, predictions, ablated_config.resources.gazetteer)
    orgs, parties = total["organisations"], total["agreement_parties"]
    accuracy = parties.tp / (parties.tp + parties.fn)
    print(f"\nwithout the gold bodies: organisations P {orgs.precision:.3f} R {orgs.recall:.3f} "
          f"F1 {orgs.f1:.3f}, parties {accuracy:.3f}")
    assert orgs.recall >= 0.85 and orgs.precision >= 0.90, (orgs.precision, orgs.recall)
    assert accuracy >= 0.85, accuracy
