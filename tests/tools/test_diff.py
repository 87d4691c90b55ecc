"""Comparing two runs: what counts as a change, what does not, and the three report formats.

The runs are small hand-built partners.json dicts, so these tests need neither the model nor the disk.
"""

import copy
import json

import pytest

from pipeline.tools.diff import SUMMARY_KEYS, compare, render


def _agreement(kind, parties, date):
    return {"type": kind, "label": kind, "parties": list(parties), "date": date, "date_precision": None,
            "date_text": None, "status": "signed", "evidence": "", "start": 0, "end": 0}


def _partner(pid, index, heading, *, text, agreements=(), dates=(), organisations=(), themes=()):
    return {
        "partner_id": pid, "source": "corpus/page.txt", "section_index": index, "heading": heading,
        "name": heading, "acronym": None, "text": text, "text_sha256": f"sha-{text}",
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


CHANGES = [
    # id, mutation of the new run, expected non-zero summary counts, key of the result, its expected value
    pytest.param(_add_partner, {"partners_added": 1}, "partners_added",
                 [{"partner_id": "omc", "heading": "Organisation mondiale du commerce (OMC)"}], id="partner-added"),
    pytest.param(lambda run: run["partners"].pop(2), {"partners_removed": 1}, "partners_removed",
                 [{"partner_id": "upu", "heading": "Union postale universelle (UPU)"}], id="partner-removed"),
    pytest.param(edit("aiea", _rename), {"partners_renamed": 1}, "partners_renamed",
                 [{"partner_id": "aiea", "old_heading": AIEA,
                   "new_heading": "Agence internationale de l’énergie atomique (AIEA)"}], id="partner-renamed"),
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


@pytest.mark.parametrize("which", ["old", "new"])
def test_duplicate_partner_id_is_refused(which):
    runs = {"old": base_run(), "new": base_run()}
    runs[which]["partners"].append(copy.deepcopy(runs[which]["partners"][0]))
    with pytest.raises(ValueError, match=f"{which} run: partner_id 'aiea' appears twice"):
        compare(runs["old"], runs["new"])


def _every_kind_of_change():
    old, new = base_run(), base_run()
    _add_partner(new)
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
        "",
        "Partners added:",
        "  + omc: Organisation mondiale du commerce (OMC)",
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
        "## Partners added",
        "",
        "- `omc`: Organisation mondiale du commerce (OMC)",
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
