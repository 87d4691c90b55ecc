"""A page's history: sequences of versions (hand-made partners.json dicts, so that each case is visible
here and no model is needed) and the rows they give, one per partner and per agreement; the versions'
counts; the dates read from file names; the rows against their schema."""

import json

import pytest

from pipeline.outputs import schema
from pipeline.outputs.tables import HISTORY_COLUMNS
from pipeline.tools.history import Version, follow, for_outputs, rows, saved, spans, version_of, whole

MOU = "memorandum_of_understanding"
COOP = "cooperation_agreement"
AIEA_TEXT = "Les relations de travail entre l’OMD et l’AIEA portent sur le trafic illicite de matières nucléaires."
CITES_TEXT = "L’OMD entretient depuis longtemps des relations de travail avec le Secrétariat de la CITES."
OMC_TEXT = "L’Organisation mondiale du commerce et l’OMD coopèrent à la facilitation des échanges depuis 2014."
EUROPOL_TEXT = "Depuis la signature d’un Accord de coopération en 2002, l’OMD et Europol coopèrent étroitement."


def partner(pid, heading, text, agreements=(), acronym=None, name=None, body=None):
    """A partner as partners.json holds it (what the history reads of it)."""
    return {"partner_id": pid, "source": "page.txt", "section_index": 1, "heading": heading, "name": name or heading,
            "acronym": acronym, "text": text, "text_sha256": f"sha-{text}", "organisations": [],
            "organisation": body, "agreements": [{"type": t, "parties": list(p), "date": d} for t, p, d in agreements]}


AIEA = partner("aiea", "AIEA", AIEA_TEXT, [(MOU, ("OMD", "AIEA"), "1998")], acronym="AIEA")
AIEA_REDATED = partner("aiea", "AIEA", AIEA_TEXT, [(MOU, ("OMD", "AIEA"), "1998-05-13")], acronym="AIEA")
AIEA_BARE = partner("aiea", "AIEA", AIEA_TEXT, acronym="AIEA")
CITES = partner("secretariat-de-la-cites", "Secrétariat de la CITES", CITES_TEXT, [(MOU, ("OMD", "CITES"), "1996")])
CITES_NAMED = partner("cites", "Secrétariat de la CITES (CITES)", CITES_TEXT, [(MOU, ("OMD", "CITES"), "1996")],
                      acronym="CITES", name="Secrétariat de la CITES")
OMC = partner("omc", "Organisation mondiale du commerce (OMC)", OMC_TEXT, [(MOU, ("OMD", "OMC"), "2014")],
              acronym="OMC", name="Organisation mondiale du commerce")
WTO = partner("wto", "World Trade Organization (WTO)", OMC_TEXT, [(MOU, ("OMD", "WTO"), "2014")],
              acronym="WTO", name="World Trade Organization")
EUROPOL = partner("europol", "Europol", EUROPOL_TEXT, [(COOP, ("OMD", "Europol"), "2002")])
EUROPOL_MORE = partner("europol", "Europol", EUROPOL_TEXT, [(COOP, ("OMD", "Europol"), "2002"),
                                                             (MOU, ("OMD", "Europol"), "2002-09")])
DATES = ("2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01")


def history_of(*versions):
    """The history of "page.txt" over ``versions`` (each a list of partners), dated one month apart."""
    return follow("page.txt", [Version(DATES[i], f"page-{DATES[i]}.txt", "0" * 64, list(v))
                               for i, v in enumerate(versions)])


def shown(*versions):
    """The rows, as (item, partner_id, versions, first seen, last seen, in latest, changes)."""
    return [(r["item"], r["partner_id"], r["versions"], r["first_seen"], r["last_seen"], r["in_latest"], r["changes"])
            for r in rows(whole([history_of(*versions)]))]


V1, V2, V3 = "v1 (2024-01-01)", "v2 (2024-02-01)", "v3 (2024-03-01)"

CASES = {
    "unchanged": (
        [[AIEA], [AIEA]],
        [("partner", "aiea", "1-2", DATES[0], DATES[1], True, None),
         ("agreement", "aiea", "1-2", DATES[0], DATES[1], True, None)]),
    "a partner added": (
        [[AIEA_BARE], [AIEA_BARE, EUROPOL]],
        [("partner", "aiea", "1-2", DATES[0], DATES[1], True, None),
         ("partner", "europol", "2", DATES[1], DATES[1], True, f"added in {V2}"),
         ("agreement", "europol", "2", DATES[1], DATES[1], True, f"added in {V2} with its partner")]),
    "a partner removed": (
        [[AIEA_BARE, EUROPOL], [AIEA_BARE]],
        [("partner", "aiea", "1-2", DATES[0], DATES[1], True, None),
         ("partner", "europol", "1", DATES[0], DATES[0], False, f"removed in {V2}"),
         ("agreement", "europol", "1", DATES[0], DATES[0], False, f"removed in {V2} with its partner")]),
    "present again after a gap": (
        [[AIEA_BARE, EUROPOL], [AIEA_BARE], [AIEA_BARE, EUROPOL]],
        [("partner", "aiea", "1-3", DATES[0], DATES[2], True, None),
         ("partner", "europol", "1; 3", DATES[0], DATES[2], True, f"removed in {V2}; added again in {V3}"),
         ("agreement", "europol", "1; 3", DATES[0], DATES[2], True,
          f"removed in {V2} with its partner; added again in {V3} with its partner")]),
    "an agreement re-dated": (
        [[AIEA], [AIEA_REDATED]],
        [("partner", "aiea", "1-2", DATES[0], DATES[1], True, None),
         ("agreement", "aiea", "1-2", DATES[0], DATES[1], True, f"re-dated in {V2} from 1998 to 1998-05-13")]),
    "an agreement added, removed, then back re-dated": (
        [[AIEA_BARE], [AIEA], [AIEA_BARE], [AIEA_REDATED]],
        [("partner", "aiea", "1-4", DATES[0], DATES[3], True, None),
         ("agreement", "aiea", "2; 4", DATES[1], DATES[3], True,
          f"added in {V2}; removed in {V3}; added again in v4 (2024-04-01); "
          "re-dated in v4 (2024-04-01) from 1998 to 1998-05-13")]),
    "an agreement added to a partner kept": (
        [[EUROPOL], [EUROPOL_MORE]],
        [("partner", "europol", "1-2", DATES[0], DATES[1], True, None),
         ("agreement", "europol", "1-2", DATES[0], DATES[1], True, None),
         ("agreement", "europol", "2", DATES[1], DATES[1], True, f"added in {V2}")]),
    "renamed, same text: one partner, not removed and added": (
        [[CITES], [CITES_NAMED]],
        [("partner", "cites", "1-2", DATES[0], DATES[1], True,
          f"renamed in {V2} from Secrétariat de la CITES to Secrétariat de la CITES (CITES) "
          "(secretariat-de-la-cites -> cites)"),
         ("agreement", "cites", "1-2", DATES[0], DATES[1], True, None)]),
    "renamed with its agreement, whose party follows the partner's new name": (
        [[OMC], [WTO]],
        [("partner", "wto", "1-2", DATES[0], DATES[1], True,
          f"renamed in {V2} from Organisation mondiale du commerce (OMC) to World Trade Organization (WTO) "
          "(omc -> wto)"),
         ("agreement", "wto", "1-2", DATES[0], DATES[1], True,
          f"renamed with its partner in {V2}: OMD + OMC -> OMD + WTO")]),
    "gone, then back under another name (the same text)": (
        [[AIEA_BARE, OMC], [AIEA_BARE], [AIEA_BARE, WTO]],
        [("partner", "aiea", "1-3", DATES[0], DATES[2], True, None),
         ("partner", "wto", "1; 3", DATES[0], DATES[2], True,
          f"removed in {V2}; added again in {V3}; renamed in {V3} from Organisation mondiale du commerce (OMC) to "
          "World Trade Organization (WTO) (omc -> wto)"),
         ("agreement", "wto", "1; 3", DATES[0], DATES[2], True,
          f"removed in {V2} with its partner; added again in {V3} with its partner; "
          f"renamed with its partner in {V3}: OMD + OMC -> OMD + WTO")]),
    "two different bodies on one text are not one partner renamed": (
        [[OMC], [partner("upu", "Union postale universelle (UPU)", "Un tout autre texte sur la poste et l’OMD.",
                         acronym="UPU")]],
        [("partner", "omc", "1", DATES[0], DATES[0], False, f"removed in {V2}"),
         ("agreement", "omc", "1", DATES[0], DATES[0], False, f"removed in {V2} with its partner"),
         ("partner", "upu", "2", DATES[1], DATES[1], True, f"added in {V2}")]),
    "a page that repeats a partner holds it once, with the agreements of both sections": (
        [[EUROPOL, {**EUROPOL_MORE, "agreements": EUROPOL_MORE["agreements"][1:]}], [EUROPOL_MORE]],
        [("partner", "europol", "1-2", DATES[0], DATES[1], True, None),
         ("agreement", "europol", "1-2", DATES[0], DATES[1], True, None),
         ("agreement", "europol", "1-2", DATES[0], DATES[1], True, None)]),
}


@pytest.mark.parametrize(("versions", "expected"), CASES.values(), ids=CASES.keys())
def test_the_rows_of_a_sequence_of_versions(versions, expected):
    assert shown(*versions) == expected


def test_each_version_says_what_changed_since_the_one_before():
    history = history_of([AIEA, CITES, EUROPOL], [AIEA_REDATED, CITES_NAMED], [AIEA_REDATED, CITES_NAMED, EUROPOL])
    counts = [(v["version"], v["seen"], v["partners"], v["agreements"], v["partners_added"], v["partners_removed"],
               v["partners_renamed"], v["agreements_added"], v["agreements_removed"], v["agreements_redated"])
              for v in history["versions"]]
    assert counts == [(1, DATES[0], 3, 3, 0, 0, 0, 0, 0, 0),
                      (2, DATES[1], 2, 2, 0, 1, 1, 0, 1, 1),
                      (3, DATES[2], 3, 3, 1, 0, 0, 1, 0, 0)]


def test_a_partner_without_an_id_is_refused():
    with pytest.raises(ValueError, match="no partner_id"):
        history_of([{**AIEA, "partner_id": None}])


def test_the_rows_keep_their_schema_and_history_json_is_the_same_each_time(config):
    versions = ([AIEA, CITES, EUROPOL], [AIEA_REDATED, CITES_NAMED], [AIEA_REDATED, CITES_NAMED, EUROPOL, WTO])
    first, second = for_outputs(whole([history_of(*versions)])), for_outputs(whole([history_of(*versions)]))
    assert first.json == second.json and first.rows == second.rows
    assert all(tuple(row) == HISTORY_COLUMNS["history.csv"] for row in first.rows)
    assert all(tuple(row) == HISTORY_COLUMNS["versions.csv"] for row in first.versions)
    validator = schema.Validator(config.resources.themes.codes)
    validator.rows("history.csv", list(first.rows))
    validator.rows("versions.csv", list(first.versions))
    validator.finish()  # (a history's rows name partners that partners.csv may not hold: no foreign key)
    assert saved(json.loads(first.json)) == first
    assert saved({"pages": "no"}) is None and saved([]) is None


@pytest.mark.parametrize(("name", "folder", "expected"), [
    ("partenaires-2024-03-01.html", "pages", ("partenaires.html", "2024-03-01")),
    ("2024-03-01_partenaires.html", "pages", ("partenaires.html", "2024-03-01")),
    ("partenaires.2024-03-01.html", "pages", ("partenaires.html", "2024-03-01")),
    ("partenaires_2024-03_final.txt", "pages", ("partenaires_final.txt", "2024-03")),
    ("rapport-2023.pdf", "rapports", ("rapport.pdf", "2023")),
    ("rapport-2022-2023.pdf", "rapports", ("rapport-2022.pdf", "2023")),  # the last date counts
    ("2024-03-01.html", "partenaires", ("partenaires.html", "2024-03-01")),  # named by its date alone
    ("partenaires.html", "2024-03-01", ("partenaires.html", "2024-03-01")),  # in a folder named by the date
    ("partenaires.html", "saved", None),  # no date: no version (never the file's time)
    ("partenaires-v2024.html", "saved", None),  # a number inside a word is no date
    ("partenaires-2024-13-01.html", "saved", None),  # a date that does not exist is no date
    ("page-20240301.html", "saved", None),
])
def test_the_page_and_date_a_file_name_gives(name, folder, expected):
    assert version_of(name, folder) == expected


@pytest.mark.parametrize(("numbers", "expected"), [
    ([1], "1"), ([1, 2, 3], "1-3"), ([1, 2, 3, 5], "1-3; 5"), ([2, 4, 6], "2; 4; 6"), ([3, 1, 2, 2], "1-3"),
    ([1, 2, 4, 5, 7], "1-2; 4-5; 7"),
])
def test_versions_as_a_compact_list(numbers, expected):
    assert spans(numbers) == expected
