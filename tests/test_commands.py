"""evaluate and diff through the command line, in a subprocess, as an analyst runs them."""

import json
import shutil

import pytest
from conftest import ROOT, SEED, run_cli

GOLD = ROOT / "corpus" / "gold" / "omd_partenaires_fr.gold.json"


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("eval") / "out"
    result = run_cli("run", str(SEED), "--out", str(out), "--no-cache")
    assert result.returncode == 0, result.stderr
    return out


def test_evaluate_on_the_seed(seed_out, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(seed_out, out)
    result = run_cli("evaluate", "--gold", str(GOLD), "--pred", str(out / "partners.json"), "--min-f1", "0.95")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.strip()}
    for field in ("organisations", "dates", "agreements", "themes"):
        assert float(lines[field][3]) >= 0.95, lines[field]
    assert lines["sections"][1:4] == ["1.000", "1.000", "1.000"]
    saved = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    assert saved["scores"]["sections"]["tp"] == 16


def test_evaluate_lists_errors_of_a_damaged_prediction(seed_out, tmp_path):
    data = json.loads((seed_out / "partners.json").read_text(encoding="utf-8"))
    aiea = data["partners"][0]
    aiea["dates"] = aiea["dates"][:1]  # one date lost
    aiea["organisations"].append({"name": "Banque mondiale", "acronym": None, "mentions": []})  # one invented
    aiea["agreements"][0]["date"] = "1999"
    pred = tmp_path / "partners.json"
    pred.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = run_cli("evaluate", "--gold", str(GOLD), "--pred", str(pred), "--min-f1", "dates=0.99")
    assert result.returncode == 1
    assert "[AIEA] dates: missing 1998-05-13" in result.stdout
    assert "[AIEA] organisations: spurious Banque mondiale" in result.stdout
    # A re-dated agreement is one wrong item, not a missing one and an extra one.
    assert "[AIEA] agreements: wrong memorandum_of_understanding 1998-05-13 → 1999" in result.stdout
    assert "[AIEA] agreements: missing" not in result.stdout and "[AIEA] agreements: spurious" not in result.stdout
    summary = result.stdout.split("\n\n")[0].splitlines()
    assert "Agreements: 14 of 15 found, 1 with a wrong date (AIEA: memorandum_of_understanding 1998-05-13 → 1999), " \
           "0 extra." in summary
    assert "below --min-f1: dates" in result.stderr


@pytest.mark.parametrize("case", ["missing gold", "not json", "other page"])
def test_evaluate_bad_input_exit_2(seed_out, tmp_path, case):
    gold = tmp_path / "gold.json"
    if case == "not json":
        gold.write_text("{oops", encoding="utf-8")
    elif case == "other page":
        gold.write_text(json.dumps({"source": "other.txt", "partners": [{"heading": "Ailleurs", "dates": []}]}),
                        encoding="utf-8")
    result = run_cli("evaluate", "--gold", str(gold), "--pred", str(seed_out))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "gold" in result.stderr


def _edited(seed_out, tmp_path):
    data = json.loads((seed_out / "partners.json").read_text(encoding="utf-8"))
    partners = data["partners"]
    partners.reverse()  # reordering alone is no change
    removed = partners.pop()  # aiea (last after reversing)
    added = json.loads(json.dumps(partners[0]))
    added.update(partner_id="upu", heading="Union postale universelle (UPU)", name="Union postale universelle",
                 acronym="UPU")
    partners.append(added)
    onudc = next(p for p in partners if p["partner_id"] == "onudc")
    onudc["agreements"][1]["date"] = "2011-03-18"
    new = tmp_path / "new" / "partners.json"
    new.parent.mkdir()
    new.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return new, removed


def test_diff_between_runs(seed_out, tmp_path):
    new, removed = _edited(seed_out, tmp_path)
    changes = tmp_path / "changes.json"
    result = run_cli("diff", str(seed_out), str(new.parent), "--format", "json", "--write", str(changes))
    assert result.returncode == 0, result.stderr
    data = json.loads(changes.read_text(encoding="utf-8"))
    assert [p["partner_id"] for p in data["partners_added"]] == ["upu"]
    assert [p["partner_id"] for p in data["partners_removed"]] == [removed["partner_id"]]
    redated = data["partners_modified"][0]["agreements"]["redated"][0]
    assert (redated["old_date"], redated["new_date"]) == ("2010-03-18", "2011-03-18")
    text = run_cli("diff", str(seed_out), str(new)).stdout
    assert "upu" in text and "2011-03-18" in text


def test_diff_of_reordered_run_is_no_change(seed_out, tmp_path):
    data = json.loads((seed_out / "partners.json").read_text(encoding="utf-8"))
    data["partners"].reverse()
    new = tmp_path / "partners.json"
    new.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = run_cli("diff", str(seed_out), str(new))
    assert result.returncode == 0
    assert result.stdout.strip() == "No change."


# The scenario: the seed run from another folder, then evaluated from the project's folder.
def test_a_run_made_from_another_folder_is_scored_against_its_gold(cli, tmp_path):
    out = tmp_path / "x"
    assert cli("run", "omd_partenaires_fr.txt", "--out", out, cwd=ROOT / "corpus").returncode == 0
    result = cli("evaluate", "--gold", GOLD.relative_to(ROOT), "--pred", out, "--min-f1", "0.95")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["Scored the run's page omd_partenaires_fr.txt (the gold names it "
                         "corpus/omd_partenaires_fr.txt) against the gold.", "Sections: 16 of 16 found, 0 extra."]
    assert "Publication dates: nothing to compare (n/a)." in lines
    table = {line.split()[0]: line.split()[1:4] for line in lines if line[:1].islower()}
    assert table["sections"] == ["1.000", "1.000", "1.000"] and table["published"] == ["n/a"] * 3
    saved = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    assert saved["scores"]["published"]["f1"] is None and saved["source"] == "omd_partenaires_fr.txt"


def _write(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _pred(tmp_path, *headings, source="corpus/omd_partenaires_fr.txt"):
    return _write(tmp_path / "partners.json", {"partners": [{"source": source, "heading": h, "acronym": None}
                                                            for h in headings]})


def test_an_evaluation_in_which_no_gold_section_is_found_is_refused(cli, tmp_path):
    pred = _pred(tmp_path, "Banque mondiale", "Union africaine")
    result = cli("evaluate", "--gold", GOLD, "--pred", pred, "--min-f1", "0.9")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: {GOLD}: none of the gold's 16 sections is among the 2 sections of 'corpus/omd_partenaires_fr.txt' "
        f"in {pred}: nothing can be scored (check that the run is of the page the gold's \"source\" names "
        "('corpus/omd_partenaires_fr.txt') and that the gold's headings are written as on the page)"]
    assert not (tmp_path / "evaluation.json").exists()


@pytest.mark.parametrize(("args", "code", "stderr"), [
    ((), 0, ""),
    (("--min-f1", "0.9"), 0, ""),  # every field that has something to compare
    (("--min-f1", "published=0.9"), 1, "error: below --min-f1: published n/a (nothing to compare)"),
    (("--min-f1", "0.5", "--min-f1", "agreements=0.5"), 1,
     "error: below --min-f1: agreements n/a (nothing to compare)"),
])
def test_min_f1_fails_a_field_named_that_has_nothing_to_compare(cli, tmp_path, args, code, stderr):
    gold = _write(tmp_path / "gold.json", {"source": "p.txt", "partners": [{"heading": "Agence (AG)"}]})
    pred = _pred(tmp_path, "Agence (AG)", source="p.txt")
    result = cli("evaluate", "--gold", gold, "--pred", pred, *args)
    assert (result.returncode, result.stderr.strip()) == (code, stderr)
    assert "Agreements: nothing to compare (n/a)." in result.stdout.splitlines()


@pytest.mark.parametrize(("flag", "sections", "left_out"), [
    ((), ["0.500", "1.000", "0.667"], "Sections: 1 of 1 found, 1 extra (Union africaine), if the gold covers only "
                                     "some sections, score only those (--only-gold-sections)."),
    (("--only-gold-sections",), ["1.000", "1.000", "1.000"],
     "Sections: 1 of 1 found, 0 extra, 1 predicted section left out (not in the gold)."),
])
def test_a_partial_gold_with_and_without_only_gold_sections(cli, tmp_path, flag, sections, left_out):
    gold = _write(tmp_path / "gold.json", {"source": "p.txt", "partners": [{"heading": "Agence (AG)"}]})
    pred = _pred(tmp_path, "Union africaine", "Agence (AG)", source="p.txt")
    result = cli("evaluate", "--gold", gold, "--pred", pred, *flag)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert left_out in lines
    (row,) = [line for line in lines if line.startswith("sections ")]
    assert row.split()[1:4] == sections


def test_a_bad_gold_file_is_one_line_with_where(cli, tmp_path):
    gold = tmp_path / "gold.json"
    gold.write_text('{"source": "p.txt",\n "partners": [\n  {"heading": "A",\n   "agreements": [{"type": "MoU"}],'
                    '\n   "themes": [{"code": "drug"}]}]}', encoding="utf-8")
    result = cli("evaluate", "--gold", gold, "--pred", _pred(tmp_path, "A", source="p.txt"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {gold}:4: partners[0].agreements[0].type: 'MoU' is not one of "
                           "memorandum_of_understanding, cooperation_agreement, letter_of_intent, agreement; "
                           f"{gold}:5: partners[0].themes[0].code: 'drug' is not one of nuclear_radioactive, "), line
    assert line.endswith("(fix these 2 problems and run again)")


def test_a_gold_still_marked_for_review_is_refused(cli, tmp_path):
    gold = _write(tmp_path / "gold.json", {"source": "p.txt", "partners": [
        {"heading": "Agence (AG)", "review": True, "organisations": [{"name": "Agence", "review": True}]}]})
    result = cli("evaluate", "--gold", gold, "--pred", _pred(tmp_path, "Agence (AG)", source="p.txt"))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f'error: {gold}: 2 items are still marked for review ("review": true): line 1: partners[0]; line 1: '
        "partners[0].organisations[0] (read each item and remove its review mark, then run again)"]


@pytest.mark.parametrize("order", [("sections=0.9", "0.5"), ("0.5", "sections=0.9")])
def test_min_f1_for_a_field_wins_over_the_number_for_every_field(cli, tmp_path, order):
    gold = _write(tmp_path / "gold.json", {"source": "p.txt", "partners": [{"heading": "Agence (AG)"}]})
    pred = _pred(tmp_path, "Union africaine", "Agence (AG)", source="p.txt")  # sections F1 0.667
    result = cli("evaluate", "--gold", gold, "--pred", pred, "--min-f1", order[0], "--min-f1", order[1])
    assert (result.returncode, result.stderr.strip()) == (1, "error: below --min-f1: sections 0.667")


@pytest.mark.parametrize(("edited", "flags", "code", "stdout"), [
    pytest.param(False, ["--exit-code"], 0, "No change.", id="exit-code-nothing-changed"),
    pytest.param(True, ["--exit-code"], 1, "Partners: 1 added, 1 removed", id="exit-code-something-changed"),
    pytest.param(True, ["--exit-code", "--format", "json"], 1, '"changed": true', id="exit-code-json"),
    pytest.param(True, [], 0, "Partners: 1 added, 1 removed", id="without-exit-code-changes-exit-0"),
])
def test_diff_exit_code(seed_out, tmp_path, cli, edited, flags, code, stdout):
    new = _edited(seed_out, tmp_path)[0] if edited else seed_out
    result = cli("diff", str(seed_out), str(new), *flags)
    assert result.returncode == code, result.stderr
    assert stdout in result.stdout and result.stderr == ""


def test_diff_exit_code_keeps_exit_2_for_bad_input(seed_out, tmp_path, cli):
    result = cli("diff", str(seed_out), str(tmp_path / "nowhere"), "--exit-code")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1


def test_run_with_a_previous_run_says_what_changed_and_writes_it(seed_out, tmp_path, cli):
    page = tmp_path / "page.txt"
    page.write_text(SEED.read_text(encoding="utf-8").replace("Secrétariat de la CITES\n",
                                                              "Secrétariat de la CITES (CITES)\n"), encoding="utf-8")
    out = tmp_path / "out"
    result = cli("run", str(page), "--out", str(out), "--previous", str(seed_out))
    assert result.returncode == 0, result.stderr
    assert f"info: since {seed_out}: Partners: 0 added, 0 removed, 1 renamed, 0 modified." in result.stderr
    assert json.loads((out / "changes_since_previous.json").read_text(encoding="utf-8"))[
        "partners_renamed"][0]["matched_by"] == "text"
    bad = cli("run", str(page), "--out", str(tmp_path / "bad"), "--previous", str(tmp_path / "nowhere"))
    assert bad.returncode == 2 and not (tmp_path / "bad").exists()
    assert bad.stderr == f"error: {tmp_path / 'nowhere'}: no such previous run file (give --previous the outputs " \
                         "folder (or the partners.json) of an earlier run)\n"
