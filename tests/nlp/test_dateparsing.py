"""dateparser as the dates stage uses it: one expression in, its ISO prefix at the written precision out."""

import pytest
import time_machine

from pipeline.nlp.dateparsing import DateNormaliser

NORMALISED = [
    ("2002", ("2002", "year")),
    ("mai 1998", ("1998-05", "month")),
    ("septembre 2002", ("2002-09", "month")),
    ("13 mai 1998", ("1998-05-13", "day")),
    ("1 janvier 2000", ("2000-01-01", "day")),
    ("12/01/2007", ("2007-01-12", "day")),
]


@pytest.mark.parametrize(("expression", "expected"), NORMALISED)
def test_normalise_keeps_the_written_precision(expression, expected):
    assert DateNormaliser()(expression) == expected


@pytest.mark.parametrize("text", ["31 février 2005", "n'importe quoi", "32/01/2007"])
def test_what_is_not_a_date_is_none(text):
    assert DateNormaliser()(text) is None


def test_the_result_does_not_depend_on_the_day():
    today = DateNormaliser()("mai 1998")
    with time_machine.travel("2031-06-15 12:00", tick=False):
        assert DateNormaliser()("mai 1998") == today == ("1998-05", "month")
