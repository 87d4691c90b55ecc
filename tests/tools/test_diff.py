"""Comparing two runs: what counts as a change, what does not, partners renamed or not, the three
report formats and the rows of the changes sheet.

The runs are small hand-built partners.json dicts, so these tests need neither the model nor the disk
(but for the issue's own case, a new section read by the real pipeline).
"""

import copy
import json

import pytest

from pipeline.models import CHANGE_FIELDS, CHANGE_KINDS
from pipeline.outputs.rows import partner_data
from pipeline.tools.diff import (
    COLUMNS,
    SUMMARY_KEYS,
    Tracker,
    compact,
    compare,
    headline,
    render,
    rows,
    similarity,
)


def _agreement(kind, parties, date):
    return {"type": kind, "label": kind, "parties": list(parties), "date": date, "date_precision": None,
            "date_text": None, "status": "signed", "evidence": "", "start": 0, "end": 0}


def _partner(pid, index, heading, *, text, agreements=(), dates=(), organisations=(), themes=(), acronym=None):
    return {
        "partner_id": pid, "source": "corpus/page.txt", "section_index": index, "heading": heading,
        "name": heading, "acronym": acronym, "text": text, "text_sha256": f"sha-{text}",
        "organisations": [{"name": n, "acronym": a, "mentions": []} for n, a in organisations],
        "agreements": [_agreement(*a) for a in agreements],
        "dates": [{"text": v, "value": v, "precision": "year", "role": "event", "start": 0, "end": 0} for v in dates],
        "themes": [{"code": c, "label": c.title(), "evidence": []} for c in themes],
    }


MOU = "memorandum_of_understanding"
COOP = "cooperation_agreement"


def base_run():
    return {
        "schema_version": "1.0",
        "generator": {"name": "omd-partners-pipeline", "version": "0.1.0", "spacy_model": "fr_core_news_sm 3.8.0"},
        "documents": [{"source": "corpus/page.txt", "sha256": "doc-1", "title": None, "n_sections": 3}],
        "partners": [
            _partner("aiea", 1, "Agence Internationale de l’energie Atomique (AIEA)", text="AIEA v1",
                     agreements=[(MOU, ["OMD", "AIEA"], "1998-05-13")],
                     dates=["1998-05", "1998-05-13"],
                     organisations=[("Organisation mondiale des douanes", "OMD"), ("Agence", "AIEA")],
                     themes=["nuclear_radioactive", "information_exchange"]),
            _partner("interpol", 2, "INTERPOL", text="INTERPOL v1",
                     agreements=[(MOU, ["OMD", "INTERPOL"], "1998"), (MOU, ["INTERPOL", "OMD"], "2010"),
                                 (COOP, ["OMD", "INTERPOL"], None)],
                     dates=["1998", "2010", "2010"],
                     organisations=[("Organisation mondiale des douanes", "OMD"), ("Secrétariat général", None)],
                     themes=["organised_crime"]),
            _partner("upu", 3, "Union postale universelle (UPU)", text="UPU v1"),
        ],
    }


def _partner_of(run, pid):
    return next(p for p in run["partners"] if p["partner_id"] == pid)


def edit(pid, fn):
    """A mutation of one partner of the run."""
    def mutate(run):
        fn(_partner_of(run, pid))
    return mutate


def modified(pid, heading, *, text_changed=False, agreements=None, dates=None, organisations=None, themes=None):
    """The full ``partners_modified`` entry expected for one partner."""
    def two(d):
        return {"added": [], "removed": [], **(d or {})}
    return {
        "partner_id": pid, "heading": heading, "text_changed": text_changed,
        "agreements": {"added": [], "removed": [], "redated": [], **(agreements or {})},
        "dates": two(dates), "organisations": two(organisations), "themes": two(themes),
    }


AIEA = "Agence Internationale de l’energie Atomique (AIEA)"


def _reorder_sections(run):
    run["partners"].reverse()
    for i, p in enumerate(run["partners"], 1):
        p["section_index"] = i


def _move_to_other_source(run):
    run["documents"][0].update(source="corpus/renamed.html", sha256="doc-2")
    for p in run["partners"]:
        p["source"] = "corpus/renamed.html"


def _swap_parties_and_reorder_items(p):
    p["agreements"].reverse()  # different types: their ranks do not change
    for a in p["agreements"]:
        a["parties"].reverse()
    p["dates"].reverse()
    p["organisations"].reverse()
    p["themes"].reverse()


NO_CHANGE = [
    pytest.param(lambda run: None, id="identical"),
    pytest.param(_reorder_sections, id="sections-reordered"),
    pytest.param(_move_to_other_source, id="source-renamed"),
    pytest.param(edit("aiea", _swap_parties_and_reorder_items), id="items-and-parties-reordered"),
    pytest.param(edit("aiea", lambda p: p["organisations"][0].update(name="OMD, nom corrigé")),
                 id="org-name-changed-same-acronym"),
    pytest.param(edit("aiea", lambda p: p["themes"][0].update(label="autre libellé", evidence=["x"])),
                 id="theme-label-changed"),
    pytest.param(edit("aiea", lambda p: p["agreements"][0].update(label="PDA", evidence="autre", start=5)),
                 id="agreement-label-and-offsets-changed"),
    pytest.param(edit("aiea", lambda p: p["dates"][0].update(role="signature", start=9, text="mai 98")),
                 id="date-role-and-offsets-changed"),
]


@pytest.mark.parametrize("mutate", NO_CHANGE)
def test_no_change(mutate):
    old, new = base_run(), base_run()
    mutate(new)
    changes = compare(old, new)
    assert changes == {
        "changed": False, "summary": dict.fromkeys(SUMMARY_KEYS, 0), "partners_added": [],
        "partners_removed": [], "partners_renamed": [], "partners_modified": [],
    }
    assert render(changes) == "No change.\n"


def _add_partner(run):
    run["partners"].insert(1, _partner("omc", 2, "Organisation mondiale du commerce (OMC)", text="OMC v1"))


def _rename(p):
    p["heading"] = "Agence internationale de l’énergie atomique (AIEA)"


def content(pid, heading, agreements=(), dates=(), organisations=(), themes=()):
    """The expected entry of a partner added or removed: everything it holds."""
    return {"partner_id": pid, "heading": heading, "agreements": list(agreements), "dates": list(dates),
            "organisations": list(organisations), "themes": list(themes)}


CHANGES = [
    # id, mutation of the new run, expected non-zero summary counts, key of the result, its expected value
    pytest.param(_add_partner, {"partners_added": 1}, "partners_added",
                 [content("omc", "Organisation mondiale du commerce (OMC)")], id="partner-added"),
    pytest.param(lambda run: run["partners"].pop(2), {"partners_removed": 1}, "partners_removed",
                 [content("upu", "Union postale universelle (UPU)")], id="partner-removed"),
    pytest.param(edit("aiea", _rename), {"partners_renamed": 1}, "partners_renamed",
                 [{"partner_id": "aiea", "old_partner_id": "aiea", "old_heading": AIEA,
                   "new_heading": "Agence internationale de l’énergie atomique (AIEA)", "matched_by": "partner_id"}],
                 id="partner-renamed"),
    pytest.param(edit("aiea", lambda p: p["agreements"][0].update(date="1998-05")),
                 {"partners_modified": 1, "agreements_redated": 1}, "partners_modified",
                 [modified("aiea", AIEA, agreements={"redated": [
                     {"type": MOU, "parties": ["AIEA", "OMD"], "occurrence": 1,
                      "old_date": "1998-05-13", "new_date": "1998-05"}]})], id="agreement-redated"),
    pytest.param(edit("interpol", lambda p: p["agreements"][1].update(date=None)),
                 {"partners_modified": 1, "agreements_redated": 1}, "partners_modified",
                 [modified("interpol", "INTERPOL", agreements={"redated": [
                     {"type": MOU, "parties": ["INTERPOL", "OMD"], "occurrence": 2,
                      "old_date": "2010", "new_date": None}]})], id="second-of-same-identity-undated"),
    pytest.param(edit("upu", lambda p: p["agreements"].append(_agreement("letter_of_intent", ["UPU", "OMD"], "2007"))),
                 {"partners_modified": 1, "agreements_added": 1}, "partners_modified",
                 [modified("upu", "Union postale universelle (UPU)", agreements={"added": [
                     {"type": "letter_of_intent", "parties": ["OMD", "UPU"], "occurrence": 1, "date": "2007"}]})],
                 id="agreement-added"),
    pytest.param(edit("interpol", lambda p: p["agreements"].pop(2)),
                 {"partners_modified": 1, "agreements_removed": 1}, "partners_modified",
                 [modified("interpol", "INTERPOL", agreements={"removed": [
                     {"type": COOP, "parties": ["INTERPOL", "OMD"], "occurrence": 1, "date": None}]})],
                 id="agreement-removed"),
    pytest.param(edit("interpol", lambda p: p["agreements"].pop(1)),
                 {"partners_modified": 1, "agreements_removed": 1}, "partners_modified",
                 [modified("interpol", "INTERPOL", agreements={"removed": [
                     {"type": MOU, "parties": ["INTERPOL", "OMD"], "occurrence": 2, "date": "2010"}]})],
                 id="last-of-same-identity-removed"),
    pytest.param(edit("aiea", lambda p: p["dates"].append({"text": "2002", "value": "2002"})),
                 {"partners_modified": 1, "dates_added": 1}, "partners_modified",
                 [modified("aiea", AIEA, dates={"added": ["2002"]})], id="date-added"),
    pytest.param(edit("interpol", lambda p: p["dates"].pop()),
                 {"partners_modified": 1, "dates_removed": 1}, "partners_modified",
                 [modified("interpol", "INTERPOL", dates={"removed": ["2010"]})], id="repeated-date-cited-once-less"),
    pytest.param(edit("aiea", lambda p: p["organisations"].append({"name": "Union européenne", "acronym": "UE"})),
                 {"partners_modified": 1, "organisations_added": 1}, "partners_modified",
                 [modified("aiea", AIEA, organisations={"added": ["UE"]})], id="organisation-added"),
    pytest.param(edit("interpol", lambda p: p["organisations"].pop()),
                 {"partners_modified": 1, "organisations_removed": 1}, "partners_modified",
                 [modified("interpol", "INTERPOL", organisations={"removed": ["Secrétariat général"]})],
                 id="organisation-without-acronym-removed"),
    pytest.param(edit("upu", lambda p: p["themes"].append({"code": "drugs", "label": "Drogues"})),
                 {"partners_modified": 1, "themes_added": 1}, "partners_modified",
                 [modified("upu", "Union postale universelle (UPU)", themes={"added": ["drugs"]})], id="theme-added"),
    pytest.param(edit("aiea", lambda p: p["themes"].pop(0)),
                 {"partners_modified": 1, "themes_removed": 1}, "partners_modified",
                 [modified("aiea", AIEA, themes={"removed": ["nuclear_radioactive"]})], id="theme-removed"),
    pytest.param(edit("upu", lambda p: p.update(text="UPU v2", text_sha256="sha-UPU v2")),
                 {"partners_modified": 1, "texts_changed": 1}, "partners_modified",
                 [modified("upu", "Union postale universelle (UPU)", text_changed=True)], id="text-changed"),
]


@pytest.mark.parametrize(("mutate", "counts", "key", "expected"), CHANGES)
def test_change(mutate, counts, key, expected):
    old, new = base_run(), base_run()
    mutate(new)
    changes = compare(old, new)
    assert changes["changed"] is True
    assert changes["summary"] == {**dict.fromkeys(SUMMARY_KEYS, 0), **counts}
    assert changes[key] == expected
    others = {"partners_added", "partners_removed", "partners_renamed", "partners_modified"} - {key}
    assert all(changes[k] == [] for k in others)
    # The reverse comparison undoes it: added becomes removed, and the counts mirror.
    back = compare(new, old)["summary"]
    assert back["partners_added"] == counts.get("partners_removed", 0)
    assert back["dates_removed"] == counts.get("dates_added", 0)
    assert back["agreements_redated"] == counts.get("agreements_redated", 0)


def test_renamed_and_modified_partner_is_in_both_lists_and_sections_order_does_not_matter():
    old, new = base_run(), base_run()
    _rename(_partner_of(new, "aiea"))
    _partner_of(new, "aiea")["themes"].pop()
    _reorder_sections(new)
    changes = compare(old, new)
    assert [p["partner_id"] for p in changes["partners_renamed"]] == ["aiea"]
    assert changes["partners_modified"] == [
        modified("aiea", "Agence internationale de l’énergie atomique (AIEA)",
                 themes={"removed": ["information_exchange"]})]


def test_agreement_identity_is_its_rank_among_same_type_and_parties():
    old, new = base_run(), base_run()
    # A new first memorandum between the same parties shifts the ranks: the brief's identity rule.
    _partner_of(new, "interpol")["agreements"].insert(0, _agreement(MOU, ["OMD", "INTERPOL"], "1990"))
    agreements = compare(old, new)["partners_modified"][0]["agreements"]
    assert [(a["occurrence"], a["old_date"], a["new_date"]) for a in agreements["redated"]] == [
        (1, "1998", "1990"), (2, "2010", "1998")]
    assert agreements["added"] == [{"type": MOU, "parties": ["INTERPOL", "OMD"], "occurrence": 3, "date": "2010"}]


def test_result_is_deterministic_and_json_serialisable():
    old, new = base_run(), base_run()
    _add_partner(new)
    new["partners"].pop()
    _partner_of(new, "aiea")["dates"][:0] = [{"value": "2005"}, {"value": "2001"}, {"value": "2005"}]
    _partner_of(new, "aiea")["organisations"] += [{"name": "Z", "acronym": None}, {"name": "B", "acronym": "B"}]
    shuffled = copy.deepcopy(new)
    shuffled["partners"].reverse()
    changes = compare(old, new)
    assert changes == compare(old, shuffled)
    assert json.loads(json.dumps(changes)) == changes
    entry = changes["partners_modified"][0]
    assert entry["dates"]["added"] == ["2001", "2005", "2005"]
    assert entry["organisations"]["added"] == ["B", "Z"]


def _on_a_second_page(run, pid="aiea"):
    twin = copy.deepcopy(_partner_of(run, pid))
    twin.update(source="corpus/other.txt", section_index=1)
    run["partners"].append(twin)
    return twin


@pytest.mark.parametrize("which", ["old", "new"])
def test_a_partner_on_two_pages_is_compared_by_page_and_neither_hides_the_other(which):
    runs = {"old": base_run(), "new": base_run()}
    twin = _on_a_second_page(runs[which])
    twin["dates"].append({"value": "2020"})
    changes = compare(runs["old"], runs["new"])
    kind = "added" if which == "new" else "removed"
    assert changes["summary"] == {**dict.fromkeys(SUMMARY_KEYS, 0), f"partners_{kind}": 1, f"agreements_{kind}": 1,
                                  f"dates_{kind}": 3, f"organisations_{kind}": 2, f"themes_{kind}": 2}
    assert [p["partner_id"] for p in changes[f"partners_{kind}"]] == ["aiea"]
    # Both runs with both pages: the second page's partner is compared with its own former self.
    old, new = base_run(), base_run()
    _on_a_second_page(old)
    _on_a_second_page(new)["dates"].append({"value": "2020"})
    assert [(e["partner_id"], e["dates"]) for e in compare(old, new)["partners_modified"]] == [
        ("aiea", {"added": ["2020"], "removed": []})]


def test_a_partner_without_id_is_refused():
    old = base_run()
    del old["partners"][0]["partner_id"]
    with pytest.raises(ValueError, match="old run: a partner has no partner_id"):
        compare(old, base_run())


def _every_kind_of_change():
    old, new = base_run(), base_run()
    _add_partner(new)
    _partner_of(new, "omc").update(
        agreements=[_agreement(MOU, ["OMD", "OMC"], "2025-02-03")], dates=[{"value": "2025-02-03"}],
        organisations=[{"name": "Organisation mondiale du commerce", "acronym": "OMC"}],
        themes=[{"code": "trade_facilitation"}])
    new["partners"].pop()  # upu
    _rename(_partner_of(new, "aiea"))
    _partner_of(new, "aiea")["agreements"][0]["date"] = "1998-05"
    interpol = _partner_of(new, "interpol")
    interpol.update(text_sha256="changed")
    interpol["agreements"].pop()
    interpol["dates"].append({"value": "2011"})
    interpol["themes"] = [{"code": "drugs"}]
    return compare(old, new)


UNCHANGED = compare(base_run(), base_run())


@pytest.mark.parametrize(("changes", "fmt", "expected_lines"), [
    pytest.param(UNCHANGED, "text", ["No change."], id="text-unchanged"),
    pytest.param(UNCHANGED, "markdown", ["# Changes between two runs", "", "No change."], id="markdown-unchanged"),
    pytest.param(_every_kind_of_change(), "text", [
        "Partners: 1 added, 1 removed, 1 renamed, 2 modified.",
        "Agreements: 1 added, 1 removed, 1 re-dated. Dates: 2 added, 0 removed. Organisations: 1 added, 0 removed. "
        "Themes: 2 added, 1 removed. Texts changed: 1.",
        "",
        "Partners added:",
        "  + omc: Organisation mondiale du commerce (OMC)",
        "      agreement: memorandum_of_understanding (OMC + OMD), 2025-02-03",
        "      dates: 2025-02-03",
        "      organisations: OMC",
        "      themes: trade_facilitation",
        "",
        "Partners removed:",
        "  - upu: Union postale universelle (UPU)",
        "",
        "Partners renamed:",
        f"  ~ aiea: {AIEA} -> Agence internationale de l’énergie atomique (AIEA)",
        "",
        "Partners modified:",
        "  * aiea: Agence internationale de l’énergie atomique (AIEA)",
        "      agreement re-dated: memorandum_of_understanding (AIEA + OMD), 1998-05-13 -> 1998-05",
        "  * interpol: INTERPOL",
        "      text changed",
        "      agreement removed: cooperation_agreement (INTERPOL + OMD), undated",
        "      dates added: 2011",
        "      themes added: drugs",
        "      themes removed: organised_crime",
    ], id="text-every-change"),
    pytest.param(_every_kind_of_change(), "markdown", [
        "# Changes between two runs",
        "",
        "Partners: 1 added, 1 removed, 1 renamed, 2 modified.",
        "",
        "Agreements: 1 added, 1 removed, 1 re-dated. Dates: 2 added, 0 removed. Organisations: 1 added, 0 removed. "
        "Themes: 2 added, 1 removed. Texts changed: 1.",
        "",
        "## Partners added",
        "",
        "- `omc`: Organisation mondiale du commerce (OMC)",
        "  - agreement: memorandum_of_understanding (OMC + OMD), 2025-02-03",
        "  - dates: 2025-02-03",
        "  - organisations: OMC",
        "  - themes: trade_facilitation",
        "",
        "## Partners removed",
        "",
        "- `upu`: Union postale universelle (UPU)",
        "",
        "## Partners renamed",
        "",
        f"- `aiea`: {AIEA} -> Agence internationale de l’énergie atomique (AIEA)",
        "",
        "## Partners modified",
        "",
        "### `aiea`: Agence internationale de l’énergie atomique (AIEA)",
        "",
        "- agreement re-dated: memorandum_of_understanding (AIEA + OMD), 1998-05-13 -> 1998-05",
        "",
        "### `interpol`: INTERPOL",
        "",
        "- text changed",
        "- agreement removed: cooperation_agreement (INTERPOL + OMD), undated",
        "- dates added: 2011",
        "- themes added: drugs",
        "- themes removed: organised_crime",
    ], id="markdown-every-change"),
])
def test_render_text_and_markdown(changes, fmt, expected_lines):
    assert render(changes, fmt) == "\n".join(expected_lines) + "\n"


@pytest.mark.parametrize("changes", [UNCHANGED, _every_kind_of_change()], ids=["unchanged", "every-change"])
def test_render_json_parses_back(changes):
    out = render(changes, "json")
    assert json.loads(out) == changes
    assert out == json.dumps(changes, ensure_ascii=False, indent=2, sort_keys=True)
    assert "énergie" in out or not changes["changed"]  # accents kept, not escaped


def test_render_default_is_text_and_unknown_format_is_refused():
    assert render(UNCHANGED) == render(UNCHANGED, "text")
    with pytest.raises(ValueError, match="unknown format 'html'"):
        render(UNCHANGED, "html")


# --- partners added or removed count with their whole content ----------------------------------------

def _upu_gains(run):
    run["partners"].append(_partner(
        "ue", 4, "Union européenne (UE)", text="UE v1", acronym="UE",
        agreements=[(COOP, ["OMD", "UE"], "2003"), (MOU, ["OMD", "UE"], None)], dates=["2003", "2003", "2010"],
        organisations=[("Organisation mondiale des douanes", "OMD"), ("Union européenne", "UE")],
        themes=["fraud"]))


@pytest.mark.parametrize(("mutate", "side", "counts"), [
    pytest.param(_upu_gains, "new", {"partners_added": 1, "agreements_added": 2, "dates_added": 3,
                                     "organisations_added": 2, "themes_added": 1}, id="added-with-everything"),
    pytest.param(_upu_gains, "old", {"partners_removed": 1, "agreements_removed": 2, "dates_removed": 3,
                                     "organisations_removed": 2, "themes_removed": 1}, id="removed-with-everything"),
    pytest.param(lambda run: run["partners"].pop(0), "new",
                 {"partners_removed": 1, "agreements_removed": 1, "dates_removed": 2, "organisations_removed": 2,
                  "themes_removed": 2}, id="seed-partner-removed"),
])
def test_added_and_removed_partners_count_their_content(mutate, side, counts):
    runs = {"old": base_run(), "new": base_run()}
    mutate(runs[side])
    changes = compare(runs["old"], runs["new"])
    assert changes["summary"] == {**dict.fromkeys(SUMMARY_KEYS, 0), **counts}
    kind = "added" if "partners_added" in counts else "removed"
    (entry,) = changes[f"partners_{kind}"]
    for field in ("agreements", "dates", "organisations", "themes"):
        assert len(entry[field]) == counts[f"{field}_{kind}"]
    # Listed in every format.
    for fmt in ("text", "markdown"):
        listed = render(changes, fmt)
        assert all(str(value) in listed for field in ("dates", "organisations", "themes") for value in entry[field])
        assert all(a["type"] in listed for a in entry["agreements"])
    assert json.loads(render(changes, "json"))[f"partners_{kind}"] == [entry]


def test_the_issues_new_section_with_a_memorandum_counts_one_agreement_added(extract_partner):
    """The issue's case, read by the real pipeline: a new section with a memorandum "signé le 3 février
    2025" was 0 agreements added."""
    new = extract_partner("Organisation mondiale du commerce (OMC)",
                          "Un Protocole d’accord entre l’OMD et l’OMC a été signé le 3 février 2025.")
    old_run, new_run = base_run(), base_run()
    new_run["partners"].append(partner_data(new))
    changes = compare(old_run, new_run)
    assert changes["summary"]["partners_added"] == 1
    assert changes["summary"]["agreements_added"] == 1
    assert changes["summary"]["dates_added"] == 1
    (entry,) = changes["partners_added"]
    assert [(a["type"], a["date"]) for a in entry["agreements"]] == [(MOU, "2025-02-03")]
    assert "agreement: memorandum_of_understanding (OMC + OMD), 2025-02-03" in render(changes)


# --- partners renamed: paired by text, by nearly the same text, by organisation; and never wrongly ----

CITES = "Secrétariat de la CITES"
CITES_TEXT = ("L’OMD entretient depuis longtemps des relations de travail avec le Secrétariat de la CITES aux fins "
              "de la mise en œuvre de cette Convention qui repose sur le Protocole d’accord conclu en 1996.")
CITES_ORG = ("Secrétariat de la Convention sur le commerce international des espèces de faune et de flore sauvages "
             "menacées d'extinction", "CITES")
OMD = ("Organisation mondiale des douanes", "OMD")


def _with(*partners):
    run = base_run()
    run["partners"] += list(partners)
    return run


def _cites(pid="secretariat-de-la-cites", heading=CITES, text=CITES_TEXT, **kw):
    kw.setdefault("organisations", [OMD, CITES_ORG])
    return _partner(pid, 4, heading, text=text, **kw)


def _renamed(pid, old_pid, old_heading, new_heading, how):
    return [{"partner_id": pid, "old_partner_id": old_pid, "old_heading": old_heading, "new_heading": new_heading,
             "matched_by": how}]


RENAMED = [
    # old run, new run, expected partners_renamed, expected summary counts besides it
    pytest.param(_with(_cites()), _with(_cites("cites", f"{CITES} (CITES)", acronym="CITES", dates=["1996"])),
                 _renamed("cites", "secretariat-de-la-cites", CITES, f"{CITES} (CITES)", "text"),
                 {"partners_modified": 1, "dates_added": 1}, id="acronym-gained-same-text"),
    pytest.param(_with(_cites()),
                 _with(_cites("cites", "CITES", text=CITES_TEXT.replace("1996", "1996, renouvelé en 2016"))),
                 _renamed("cites", "secretariat-de-la-cites", CITES, "CITES", "similar_text"),
                 {"partners_modified": 1, "texts_changed": 1}, id="nearly-the-same-text"),
    pytest.param(_with(_partner("organisation-mondiale-du-commerce", 4, "Organisation mondiale du commerce",
                                text="L’OMD et l’OMC coopèrent depuis 2002.",
                                organisations=[OMD, ("Organisation mondiale du commerce", "OMC")])),
                 _with(_partner("omc", 4, "OMC", text="Un tout autre texte sur la facilitation des échanges.",
                                organisations=[OMD, ("Organisation mondiale du commerce", "OMC")])),
                 _renamed("omc", "organisation-mondiale-du-commerce", "Organisation mondiale du commerce", "OMC",
                          "organisation"),
                 {"partners_modified": 1, "texts_changed": 1}, id="same-organisation-other-text"),
]


@pytest.mark.parametrize(("old", "new", "renamed", "counts"), RENAMED)
def test_a_renamed_partner_is_paired_with_its_former_self(old, new, renamed, counts):
    changes = compare(old, new)
    assert changes["partners_renamed"] == renamed
    assert changes["partners_added"] == changes["partners_removed"] == []
    assert changes["summary"] == {**dict.fromkeys(SUMMARY_KEYS, 0), "partners_renamed": 1, **counts}
    assert [e["partner_id"] for e in changes["partners_modified"]] == [renamed[0]["partner_id"]] * bool(
        counts.get("partners_modified"))
    assert f"{renamed[0]['old_partner_id']} -> {renamed[0]['partner_id']}" in render(changes)


NOT_RENAMED = [
    # old run, new run: the partner of each is removed and added, never paired
    pytest.param(_with(_partner("banque-mondiale", 4, "Banque mondiale", text="La Banque mondiale finance l’OMD.",
                                organisations=[OMD, ("Banque mondiale", None)])),
                 _with(_partner("fmi", 4, "Fonds monétaire international (FMI)", acronym="FMI",
                                text="Le FMI et l’OMD travaillent ensemble.",
                                organisations=[OMD, ("Fonds monétaire international", "FMI")])),
                 id="sharing-only-the-omd"),
    pytest.param(_with(_partner("centres-regionaux-de-lomd", 4, "Centres régionaux de l’OMD",
                                text="Les centres forment les maîtres-chiens.", organisations=[OMD])),
                 _with(_partner("secretariat-de-lomd", 4, "Secrétariat de l’OMD", text="Le Secrétariat coordonne.",
                                organisations=[OMD])),
                 id="headings-naming-the-omd-that-every-partner-mentions"),
    pytest.param(_with(_partner("asean", 4, "ASEAN", acronym="ASEAN", text="Le Protocole d’accord avec l’ASEAN a été "
                                "signé en 2005 à Bruxelles.", organisations=[OMD, ("ANASE", "ASEAN")])),
                 _with(_partner("apec", 4, "APEC", acronym="APEC", text="Le Protocole d’accord avec l’APEC a été "
                                "signé en 2005 à Bruxelles.", organisations=[OMD, ("APEC", "APEC")])),
                 id="nearly-the-same-text-about-another-body"),
    pytest.param(_with(_cites(text="Ancien texte.")),
                 _with(_cites("cites-ivoire", "CITES : ivoire", text="Premier texte."),
                       _cites("cites-bois", "CITES : bois", text="Second texte.")),
                 id="one-body-named-by-two-new-headings"),
]


@pytest.mark.parametrize(("old", "new"), NOT_RENAMED)
def test_different_partners_are_never_paired(old, new):
    changes = compare(old, new)
    assert changes["partners_renamed"] == []
    assert len(changes["partners_removed"]) == 1 and len(changes["partners_added"]) >= 1


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("Le Protocole d’accord a été signé en 1998.", "Le Protocole d'accord a été SIGNÉ en 1998 !", 1.0),
    ("un deux trois quatre", "cinq six sept huit", 0.0),
    ("un deux trois quatre cinq", "un deux trois quatre six", 2 / 4),
    (" ".join(f"mot{i}" for i in range(500)), " ".join(f"mot{i}" for i in range(500)), 1.0),
])
def test_similarity_is_the_share_of_word_trigrams_in_common(a, b, expected):
    sketch = [compact(_partner("x", 1, "X", text=t))["sketch"] for t in (a, b)]
    assert similarity(*sketch) == pytest.approx(expected)
    assert len(sketch[0]) <= 64 * 8  # a long text costs a few hundred bytes


def test_a_long_text_edited_a_little_is_nearly_the_same_and_another_is_not():
    words = [f"mot{i}" for i in range(2000)]
    edited = words[:1000] + ["autre"] + words[1001:]
    other = [f"terme{i}" for i in range(2000)]
    base, near, far = (compact(_partner("x", 1, "X", text=" ".join(w)))["sketch"] for w in (words, edited, other))
    assert similarity(base, near) > 0.9 and similarity(base, far) == 0.0


# --- the tracker of a run being written, the rows of the changes sheet, the headline -----------------

def test_the_tracker_of_a_run_being_written_finds_what_compare_finds():
    old, new = base_run(), _every_new_run()
    tracker = Tracker(old)
    for partner in new["partners"]:
        tracker.add(partner)
    assert tracker.changes() == compare(old, new)
    # A partner kept under its id needs no sketch of its text: only the ones that may be renamed do.
    assert [p["partner_id"] for p in tracker.new if p["sketch"]] == ["omc"]


def _every_new_run():
    new = base_run()
    _add_partner(new)
    new["partners"].pop()
    _partner_of(new, "aiea")["dates"].append({"value": "2002"})
    return new


def test_rows_one_per_change_with_the_vocabularies_of_models():
    changes = _every_kind_of_change()
    table = rows(changes)
    assert all(list(row) == [name for name, _ in COLUMNS] for row in table)
    assert {row["kind"] for row in table} <= set(CHANGE_KINDS)
    assert {row["field"] for row in table} <= set(CHANGE_FIELDS)
    assert [(r["kind"], r["partner_id"], r["field"], r["old"], r["new"]) for r in table] == [
        ("added", "omc", "partner", "", "Organisation mondiale du commerce (OMC)"),
        ("added", "omc", "agreement", "", "memorandum_of_understanding (OMC + OMD), 2025-02-03"),
        ("added", "omc", "date", "", "2025-02-03"),
        ("added", "omc", "organisation", "", "OMC"),
        ("added", "omc", "theme", "", "trade_facilitation"),
        ("removed", "upu", "partner", "Union postale universelle (UPU)", ""),
        ("renamed", "aiea", "heading", AIEA, "Agence internationale de l’énergie atomique (AIEA)"),
        ("redated", "aiea", "agreement", "memorandum_of_understanding (AIEA + OMD), 1998-05-13",
         "memorandum_of_understanding (AIEA + OMD), 1998-05"),
        ("changed", "interpol", "text", "", ""),
        ("removed", "interpol", "agreement", "cooperation_agreement (INTERPOL + OMD), undated", ""),
        ("added", "interpol", "date", "", "2011"),
        ("added", "interpol", "theme", "", "drugs"),
        ("removed", "interpol", "theme", "organised_crime", ""),
    ]
    assert rows(UNCHANGED) == []


def test_headline():
    assert headline(UNCHANGED) == "No change."
    assert headline(_every_kind_of_change()).startswith("Partners: 1 added, 1 removed, 1 renamed, 2 modified. "
                                                        "Agreements: 1 added")


def test_markdown_escapes_the_items_of_a_partner_added_but_not_its_own_arrows():
    old, new = base_run(), base_run()
    new["partners"].append(_partner("z", 4, "Z", text="Z v1", organisations=[("*Z* <b>", None)]))
    _partner_of(new, "aiea")["agreements"][0]["date"] = "1998-05"
    text = render(compare(old, new), "markdown")
    assert "  - organisations: \\*Z\\* \\<b\\>" in text and "<b>" not in text
    assert "1998-05-13 -> 1998-05" in text
