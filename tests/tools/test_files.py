"""Gold files are checked before anything is scored: every problem at once, each with its line and
field; a JSON syntax error with its line and column; items still marked for review refused. Every
gold file the project ships passes the check."""

import pytest
from conftest import FIXTURES, ROOT

from pipeline.errors import InputError
from pipeline.models import AGREEMENT_TYPES
from pipeline.tools import files

GOLDS = sorted([*(ROOT / "corpus" / "gold").glob("*.gold.json"), *FIXTURES.glob("*/*.gold.json")])
TYPES = ", ".join(AGREEMENT_TYPES)


def _gold(*partner_lines: str) -> str:
    """A gold file whose first partner is written on the given lines, from line 3 on."""
    return '{"source": "p.txt",\n "partners": [\n' + "\n".join(partner_lines) + "\n]}\n"


BAD = [
    pytest.param(_gold('  {"heading": "Agence (AG)",', '   "agreements": [{"type": "MoU", "date": "2012"}]}'),
                 f"gold.json:4: partners[0].agreements[0].type: 'MoU' is not one of {TYPES} (fix it and run again)",
                 id="wrong agreement type"),
    pytest.param(_gold('  {"heading": "Agence (AG)", "themes": [{"code": "drug"}]}'),
                 "gold.json:3: partners[0].themes[0].code: 'drug' is not one of ", id="wrong theme code"),
    pytest.param(_gold('  {"heading": "Agence (AG)",', '   "dates": [{"value": "13/05/1998", "precision": "day"}]}'),
                 "gold.json:4: partners[0].dates[0].value: '13/05/1998' is not a date written YYYY, YYYY-MM or "
                 "YYYY-MM-DD (fix it and run again)", id="date not ISO"),
    pytest.param(_gold('  {"heading": "Agence (AG)",', '   "agreements": [{"type": "agreement", "date": "2012-13"}]}'),
                 "gold.json:4: partners[0].agreements[0].date: '2012-13' is not a date of the calendar "
                 "(fix it and run again)", id="date not in the calendar"),
    pytest.param(_gold('  {"heading": "Agence (AG)",', '   "dates": [{"value": "1998-05", "precision": "day"}]}'),
                 "gold.json:4: partners[0].dates[0].precision: 'day' but 1998-05 is written to the month "
                 "(fix it and run again)", id="precision other than written"),
    pytest.param(_gold('  {"name": "Agence"}'),
                 'gold.json:3: partners[0]: missing key "heading" (fix it and run again)', id="missing heading"),
    pytest.param('{"partners": [{"heading": "A"}]}',
                 'gold.json:1: missing key "source" (fix it and run again)', id="missing source"),
    pytest.param('{"source": "p.txt", "partners": []}',
                 "gold.json:1: partners: empty (a gold file judges at least one section) (fix it and run again)",
                 id="no partner"),
    pytest.param(_gold('  {"heading": "Agence (AG)",}'),
                 "gold.json:3:29: not valid JSON: JSON is malformed: trailing comma in object "
                 "(fix the file's syntax and run again)", id="JSON syntax error"),
    pytest.param('{"source": "p.txt",\n "partners": [\n  {"heading": "A"}\n',
                 "gold.json:4:1: not valid JSON: JSON is malformed: the file ends before its last value is closed "
                 "(fix the file's syntax and run again)", id="JSON cut short"),
    pytest.param(_gold('  {"heading": "Agence (AG)",',
                       '   "agreements": [{"type": "MoU"}, {"type": "agreement", "parties": "OMD"}],',
                       '   "themes": [{"code": "drugs"}, {"code": "tabac"}]},',
                       '  {"heading": 7, "organisations": [{"acronym": "X"}, null]}'),
                 f"gold.json:4: partners[0].agreements[0].type: 'MoU' is not one of {TYPES}; "
                 "gold.json:4: partners[0].agreements[1].parties: expected a list, got text; "
                 "gold.json:5: partners[0].themes[1].code: 'tabac' is not one of ",
                 id="several errors at once"),
    pytest.param(_gold('  {"heading": "Agence (AG)", "review": true,',
                       '   "organisations": [{"name": "Agence", "review": true}, {"name": "OMD"}],',
                       '   "dates": [{"value": "2001", "review": false}]}'),
                 'gold.json: 2 items are still marked for review ("review": true): line 3: partners[0]; '
                 "line 4: partners[0].organisations[0] (read each item and remove its review mark, then run again)",
                 id="review marks"),
]


@pytest.mark.parametrize(("content", "line"), BAD)
def test_a_bad_gold_file_is_one_line_saying_where(config, content, line):
    with pytest.raises(InputError) as caught:
        files.parse_gold(content.encode(), "gold.json", config.resources.themes.codes)
    assert caught.value.exit_code == 2
    assert caught.value.line().startswith(line), caught.value.line()


def test_several_errors_are_all_listed_with_their_count(config):
    content = BAD[10].values[0]
    with pytest.raises(InputError) as caught:
        files.parse_gold(content.encode(), "gold.json", config.resources.themes.codes)
    text = caught.value.line()
    assert text.endswith("gold.json:6: partners[1].heading: expected text, got a number; "
                         'gold.json:6: partners[1].organisations[0]: missing key "name"; '
                         "gold.json:6: partners[1].organisations[1]: expected an object, got null "
                         "(fix these 6 problems and run again)"), text


def test_many_review_marks_are_counted_and_the_first_shown(config):
    partners = ",\n".join(f'  {{"heading": "S{i}", "review": true}}' for i in range(12))
    with pytest.raises(InputError) as caught:
        files.parse_gold(_gold(partners).encode(), "gold.json", config.resources.themes.codes)
    assert "12 items are still marked" in caught.value.line()
    assert "line 7: partners[4]; and 7 more (read each item" in caught.value.line()


def test_a_cleared_gold_is_read(config):
    content = _gold('  {"heading": "Agence (AG)", "review": false, "notes": "kept",',
                    '   "agreements": [{"type": "agreement", "date": "2012-02-29", "parties": ["OMD", "AG"]}],',
                    '   "dates": [{"value": "2012-02-29", "precision": "day"}], "themes": [{"code": "drugs"}]}')
    data = files.parse_gold(("\ufeff" + content).encode(), "gold.json", config.resources.themes.codes)
    assert data["partners"][0]["agreements"][0]["date"] == "2012-02-29"


@pytest.mark.parametrize("gold_file", GOLDS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_shipped_gold_file_is_valid(config, gold_file):
    data = files.parse_gold(gold_file.read_bytes(), str(gold_file), config.resources.themes.codes)
    assert data["partners"]


@pytest.mark.parametrize(("path", "where"), [
    ((), (1, 1)),
    (("partners",), (2, 14)),
    (("partners", 1, "b"), (4, 9)),
    (("partners", 1, "b", 0), (4, 11)),
    (("partners", 1, "b", 5), (4, 9)),  # no such item: where its list starts
])
def test_the_scanner_places_each_value(path, where):
    text = '{"source": "p",\n "partners": [{"a": "x\\" ]"},\n\n  {"b": [ {"c": null}]}]}'
    assert files.place_of(files.value_places(text), path) == where
