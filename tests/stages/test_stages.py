"""The extraction stages: one signature, an order that every stage's needs are checked against."""

import pytest

from pipeline.models import Partner
from pipeline.stages import STAGES, analyse, check_order
from pipeline.stages.agreements import Agreements
from pipeline.stages.dates import Dates, Published
from pipeline.stages.organisations import Organisations
from pipeline.stages.themes import Themes


def test_the_stages_run_in_an_order_that_meets_every_need():
    assert (Organisations, Dates, Published, Agreements, Themes) == STAGES
    assert {stage.fills for stage in STAGES} == {"organisations", "dates", "published", "agreements", "themes"}


@pytest.mark.parametrize(("order", "message"), [
    ((Dates, Agreements, Organisations, Themes), "Agreements needs organisations"),
    ((Organisations, Agreements, Dates, Themes), "Agreements needs dates"),
    ((Themes, Organisations), "Themes needs organisations"),
])
def test_an_order_that_breaks_a_need_is_refused(order, message):
    with pytest.raises(RuntimeError, match=message):
        check_order(order)


def test_every_extractor_has_the_one_signature(analyser, parse):
    """``extract(partner, doc) -> Partner``: the partner again, with the one field the stage fills."""
    partner = Partner("t", "t.txt", 1, "Test", "Test", None, "L’OMD a signé un Protocole d’accord en 2001.", "0" * 64)
    doc = parse(partner.text)
    for extractor in analyser.extractors:
        filled = extractor.extract(partner, doc)
        assert isinstance(filled, Partner)
        changed = {f for f in ("organisations", "dates", "agreements", "themes")
                   if getattr(filled, f) != getattr(partner, f)}
        assert changed <= {extractor.fills}
        partner = filled
    assert partner == analyse(Partner("t", "t.txt", 1, "Test", "Test", None, partner.text, "0" * 64), doc,
                              analyser.extractors)
    assert [a.date for a in partner.agreements] == ["2001"]
