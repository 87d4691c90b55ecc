"""The Python API: each command as a function, with the CLI's behaviour and none of its printing."""

import json
import logging
import subprocess
import sys

import pytest
from conftest import ROOT, SEED
from openpyxl import load_workbook

from pipeline import api
from pipeline.errors import InputError

GOLD = ROOT / "corpus" / "gold" / "omd_partenaires_fr.gold.json"


def test_run_then_an_identical_run_reuses_the_outputs_and_says_its_warnings_again(config, nlp, tmp_path, caplog):
    page = tmp_path / "page.txt"
    page.write_text(SEED.read_text(encoding="utf-8") + "|\nTest (TST)\nL’OMD coopère avec l’ZXQA depuis 2004.\n",
                    encoding="utf-8")
    cache = tmp_path / "cache"
    first = api.run([page], tmp_path / "a", cache_dir=cache, config=config)
    assert (first.documents, first.sections, first.kept, first.failed, first.exit_code) == (1, 17, 17, 0, 0)
    assert (first.cache_hits, first.cache_misses, first.reused) == (0, 17, False)
    assert any("ZXQA" in line for line in first.warnings)
    with caplog.at_level(logging.WARNING, logger="pipeline"):
        second = api.run([page], tmp_path / "b", cache_dir=cache, config=config)
    assert second.reused and second.kept == 17 and second.warnings == first.warnings
    assert any("ZXQA" in r.getMessage() for r in caplog.records)
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_run_without_cache_and_with_an_unreadable_input(config, nlp, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    summary = api.run([SEED, tmp_path / "empty.txt"], tmp_path / "out", formats=("json",), cache_dir=None,
                      config=config)
    assert summary.kept == 16 and summary.exit_code == 1 and summary.cache_hits is None
    assert [e.source for e in summary.errors] == [str(tmp_path / "empty.txt")]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["partners.json"]


def test_run_with_nothing_readable_raises_the_input_error(config, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        api.run([tmp_path / "nope.txt"], tmp_path / "out", cache_dir=None, config=config)
    assert not (tmp_path / "out").exists()


def test_evaluate_and_diff(config, nlp, tmp_path):
    out = tmp_path / "out"
    api.run([SEED], out, cache_dir=None, config=config)
    scores = api.evaluate(GOLD, out, config)
    assert scores.scores["sections"].f1 == 1.0 and scores.below({"dates": 0.9}) == {}
    assert json.loads((out / "evaluation.json").read_text(encoding="utf-8"))["scores"]["sections"]["tp"] == 16
    assert api.diff(out, out / "partners.json")["changed"] is False
    changes = api.diff(out, out, write=tmp_path / "changes.json")
    assert json.loads((tmp_path / "changes.json").read_text(encoding="utf-8")) == changes


def test_a_pipeline_loads_the_model_once_for_many_runs(config, tmp_path):
    pipeline = api.Pipeline(config)
    first = pipeline.run([SEED], tmp_path / "a", formats=("json",), cache_dir=None)
    analyser, nlp = pipeline.analyser, pipeline.analyser.nlp
    second = pipeline.run([SEED], tmp_path / "b", formats=("json",), cache_dir=None)
    assert pipeline.analyser is analyser and pipeline.analyser.nlp is nlp
    assert first.kept == second.kept == 16
    assert (tmp_path / "a" / "partners.json").read_bytes() == (tmp_path / "b" / "partners.json").read_bytes()


def test_a_pipeline_whose_sections_are_all_cached_builds_no_analyser(config, nlp, tmp_path):
    cache = tmp_path / "cache"
    api.run([SEED], tmp_path / "a", formats=("json",), cache_dir=cache, config=config)
    pipeline = api.Pipeline(config)
    summary = pipeline.run([SEED], tmp_path / "b", formats=("csv",), cache_dir=cache)
    assert (summary.reused, summary.cache_hits, summary.cache_misses) == (False, 16, 0)
    assert pipeline._analyser is None  # noqa: SLF001 - what this test is about


@pytest.mark.parametrize(("formats", "expected"), [
    (["json"], ("json",)),
    ([" csv", "json ", "csv"], ("csv", "json")),
    (["jsno"], None),
    (["", " "], None),
])
def test_formats_are_checked_by_the_api(formats, expected):
    if expected is None:
        with pytest.raises(InputError, match="unknown format"):
            api.check_formats(formats)
    else:
        assert api.check_formats(formats) == expected


def test_a_run_with_an_unknown_format_writes_nothing(config, tmp_path):
    with pytest.raises(InputError, match="unknown format"):
        api.run([SEED], tmp_path / "out", formats=("jsno",), cache_dir=None, config=config)
    assert not (tmp_path / "out").exists()


def test_load_gives_the_tables_of_a_run(config, nlp, tmp_path):
    api.run([SEED], tmp_path / "out", formats=("csv",), cache_dir=None, config=config)
    tables = api.load(tmp_path / "out")
    assert len(tables.partners) == 16 and tables.agreement_list["year"].dtype == "Int64"
    with pytest.raises(InputError, match="no datapackage.json"):
        api.load(tmp_path)


def _imported(code: str, cwd=ROOT) -> set[str]:
    """The top modules a Python process running ``code`` imports (``-X importtime``)."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                            cwd=cwd, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}


@pytest.mark.parametrize(("code", "loaded", "not_loaded"), [
    # the package alone: no API, no language tools, no pandas
    ("import pipeline", set(), {"pipeline.api", "spacy", "pandas"}),
    # the API's commands at the top level: the API, still neither spaCy nor pandas
    ("import pipeline; pipeline.run, pipeline.load, pipeline.evaluate, pipeline.diff", {"pipeline.api"},
     {"spacy", "pandas"}),
    # pipeline.run is the API's function, whatever the API has loaded
    ("import pipeline, pipeline.api; assert pipeline.run is pipeline.api.run", {"pipeline.streaming"}, {"pandas"}),
])
def test_the_apis_commands_are_the_packages_and_load_only_what_they_need(code, loaded, not_loaded):
    imported = _imported(code)
    assert loaded <= imported and not imported & not_loaded, imported & not_loaded


def test_pandas_is_imported_only_by_load(tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    run = f"import pipeline; pipeline.run([{str(SEED)!r}], out={str(out)!r}, cache_dir={str(cache)!r}"
    assert "pandas" not in _imported(run + ")")  # analysed
    assert "pandas" not in _imported(run + ")")  # the same run again: its outputs copied
    assert not {"pandas", "spacy"} & _imported(run + ", formats=('csv', 'xlsx'))")  # every section from the cache
    assert "pandas" in _imported(f"import pipeline; pipeline.load({str(out)!r})")


# --- a run given a previous run -----------------------------------------------------------------------

def _new_version(tmp_path):
    """The seed page as its site publishes it next: CITES's heading gains its acronym, and a new section
    has a memorandum signed on 3 February 2025 (the issue's case)."""
    page = tmp_path / "v2" / "omd_partenaires_fr.txt"
    page.parent.mkdir()
    text = SEED.read_text(encoding="utf-8").replace("Secrétariat de la CITES\n", "Secrétariat de la CITES (CITES)\n")
    page.write_text(text.rstrip("\n|") + "\n|\nOrganisation mondiale du commerce (OMC)\nUn Protocole d’accord entre "
                    "l’OMD et l’OMC a été signé le 3 février 2025.\n", encoding="utf-8")
    return page


def test_a_run_given_a_previous_run_writes_what_changed(config, nlp, tmp_path):
    cache = tmp_path / "cache"
    api.run([SEED], tmp_path / "old", cache_dir=cache, config=config)
    summary = api.run([_new_version(tmp_path)], tmp_path / "new", cache_dir=cache, config=config,
                      previous=tmp_path / "old")
    saved = json.loads((tmp_path / "new" / "changes_since_previous.json").read_text(encoding="utf-8"))
    assert saved["previous"] == str(tmp_path / "old" / "partners.json")
    assert {k: v for k, v in saved["summary"].items() if v} == {
        "partners_added": 1, "partners_renamed": 1, "agreements_added": 1, "dates_added": 1,
        "organisations_added": 2}
    assert saved["partners_renamed"][0]["old_partner_id"] == "secretariat-de-la-cites"
    assert summary.changes == {k: v for k, v in saved.items() if k != "previous"}
    assert summary.changes == api.diff(tmp_path / "old", tmp_path / "new")  # the same as the diff command
    assert "changes" in load_workbook(tmp_path / "new" / "partners.xlsx", read_only=True).sheetnames
    assert 'id="changes"' in (tmp_path / "new" / "report.html").read_text(encoding="utf-8")
    # evaluate renders the report anew: its changes section stays.
    api.evaluate(GOLD, tmp_path / "new", config)
    assert 'id="changes"' in (tmp_path / "new" / "report.html").read_text(encoding="utf-8")


def test_a_saved_run_is_reused_only_with_the_same_previous_run(config, nlp, tmp_path):
    cache, page = tmp_path / "cache", _new_version(tmp_path)
    api.run([SEED], tmp_path / "old", formats=("json",), cache_dir=cache, config=config)
    api.run([SEED], tmp_path / "other", formats=("json",), cache_dir=None, config=config)
    data = json.loads((tmp_path / "other" / "partners.json").read_text(encoding="utf-8"))
    data["partners"].pop()
    (tmp_path / "other" / "partners.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    def run(previous, out):
        summary = api.run([page], tmp_path / out, formats=("json",), cache_dir=cache, config=config,
                          previous=previous and tmp_path / previous)
        files = sorted(p.name for p in (tmp_path / out).iterdir())
        return summary.reused, files, summary.changes and summary.changes["summary"]["partners_removed"]

    assert run(None, "a") == (False, ["partners.json"], None)
    assert run("old", "b") == (False, ["changes_since_previous.json", "partners.json"], 0)   # not a's outputs
    assert run("other", "c") == (False, ["changes_since_previous.json", "partners.json"], 0)  # not b's either
    assert run("old", "d") == (True, ["changes_since_previous.json", "partners.json"], 0)   # b's, with its changes
    assert (tmp_path / "d" / "changes_since_previous.json").read_bytes() == (
        tmp_path / "b" / "changes_since_previous.json").read_bytes()
    assert run(None, "e") == (True, ["partners.json"], None)


def test_the_previous_run_may_be_the_output_folder_itself(config, nlp, tmp_path):
    out = tmp_path / "out"
    api.run([SEED], out, formats=("json",), cache_dir=None, config=config)
    first = api.run([_new_version(tmp_path)], out, formats=("json",), cache_dir=None, config=config, previous=out)
    assert first.changes["summary"]["partners_added"] == 1
    again = api.run([tmp_path / "v2"], out, formats=("json",), cache_dir=None, config=config, previous=out)
    assert again.changes["changed"] is False


@pytest.mark.parametrize(("previous", "message"), [
    ("nowhere", "no such previous run file"),
    ("corpus/gold/omd_partenaires_fr.gold.json", "not the partners.json of a run: previous run: a partner has no "
                                                 "partner_id"),
    ("corpus/omd_partenaires_fr.txt", "not a previous run file of the expected shape"),
])
def test_a_previous_run_that_is_not_one_is_refused_before_anything_is_analysed(config, tmp_path, previous, message):
    pipeline = api.Pipeline(config)
    with pytest.raises(InputError, match=message) as error:
        pipeline.run([SEED], tmp_path / "out", cache_dir=None, previous=ROOT / previous
                     if previous != "nowhere" else tmp_path / previous)
    assert error.value.exit_code == 2 and "give --previous the outputs folder" in error.value.line()
    assert not (tmp_path / "out").exists() and pipeline._analyser is None  # noqa: SLF001 - what this is about


# Review of issue 14: a bad --previous was said only once the pages were read (and URLs fetched).
def test_a_bad_previous_run_is_said_before_any_page_is_read(config, tmp_path):
    with pytest.raises(InputError, match="no such previous run file"):
        api.Pipeline(config).run([tmp_path / "not-read-yet.txt"], tmp_path / "out", previous=tmp_path / "nowhere")
