"""Re-runs: cached results are byte-identical to fresh ones, and a change invalidates what it must."""

import shutil
import subprocess
import sys
from dataclasses import replace

import pytest
from conftest import ROOT, SEED

from pipeline import cache as cache_module
from pipeline.config import Config
from pipeline.models import Document, Partner


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_cached_and_uncached_runs_are_identical(cli, tmp_path):
    cache_dir = tmp_path / "cache"
    runs = {}
    for name, extra in [("cold", ()), ("warm", ()), ("nocache", ("--no-cache",))]:
        out = tmp_path / name
        result = cli("run", str(SEED), "--out", str(out), "--cache-dir", str(cache_dir), "-v", *extra)
        assert result.returncode == 0, result.stderr
        runs[name] = (_files(out), result.stderr)
    assert runs["cold"][0] == runs["warm"][0] == runs["nocache"][0]
    assert "cache: 0 reused, 16 analysed" in runs["cold"][1]
    assert "cache: 16 reused, 0 analysed; outputs copied" in runs["warm"][1]
    # Without the kept outputs, the sections' entries are read one by one.
    shutil.rmtree(cache_dir / cache_module.RUNS)
    out = tmp_path / "sections"
    result = cli("run", str(SEED), "--out", str(out), "--cache-dir", str(cache_dir), "-v")
    assert "cache: 16 reused, 0 analysed\n" in result.stderr
    assert _files(out) == runs["cold"][0]
    shutil.rmtree(cache_dir / cache_module.RUNS)
    entries = sorted(p for p in cache_dir.rglob("*.json"))
    assert len(entries) == 16
    # A corrupt entry is ignored and rebuilt, never trusted.
    entries[0].write_text('{"organisations": [{"name": 1}]', encoding="utf-8")
    entries[1].write_text('{"organisations": [], "agreements": [], "dates": [{"text": "x", "value": "1999", '
                          '"precision": "year", "role": "event", "start": 0, "end": 1}], "themes": []}',
                          encoding="utf-8")
    out = tmp_path / "repaired"
    result = cli("run", str(SEED), "--out", str(out), "--cache-dir", str(cache_dir), "-v")
    assert "cache: 14 reused, 2 analysed" in result.stderr
    assert _files(out) == runs["cold"][0]


def _partner(text="L’OMD et l’UPU."):
    return Partner("upu", "p.txt", 1, "UPU", "UPU", None, text, "0" * 64)


@pytest.fixture
def package_copy(tmp_path):
    """A copy of the package's code and resources, to edit without touching the repository."""
    copy = tmp_path / "pipeline"
    shutil.copytree(ROOT / "pipeline", copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _append(path, line):
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_editing_a_resource_file_invalidates_the_cache(package_copy, tmp_path):
    resources = package_copy / "resources"
    before = cache_module.Cache(tmp_path, Config.load(resources))
    assert before.key(_partner()) == cache_module.Cache(tmp_path, Config.load(resources)).key(_partner())
    assert before.key(_partner("Autre texte.")) != before.key(_partner())  # another section, another key
    _append(resources / "themes.toml", "# a new comment")
    after = cache_module.Cache(tmp_path, Config.load(resources))
    assert after.key(_partner()) != before.key(_partner())


@pytest.mark.parametrize(("edited", "analysis_changes"), [
    ("stages/dates.py", True),
    ("stages/organisations.py", True),
    ("nlp/cues.py", True),
    ("models.py", True),
    ("text.py", True),
    ("cli.py", False),
    ("outputs/report.py", False),
    ("tools/diff.py", False),
    ("analysis.py", True),
    ("streaming.py", False),
    ("api.py", False),
])
def test_the_code_fingerprint_covers_the_analysis_code_only(package_copy, edited, analysis_changes):
    """Editing an extractor invalidates every cached section; editing the CLI or an output does not
    (but it does change the key of the kept outputs, which any module shapes)."""
    analysis = cache_module.fingerprint(package_copy, cache_module.ANALYSIS_CODE)
    whole = cache_module.fingerprint(package_copy)
    assert analysis == cache_module.fingerprint(ROOT / "pipeline", cache_module.ANALYSIS_CODE)
    _append(package_copy / edited, "# edited")
    assert (cache_module.fingerprint(package_copy, cache_module.ANALYSIS_CODE) != analysis) == analysis_changes
    assert cache_module.fingerprint(package_copy) != whole


def test_an_identical_rerun_copies_the_kept_outputs_and_checks_them(cli, tmp_path):
    cache_dir = tmp_path / "cache"
    page = tmp_path / "page.txt"
    shutil.copyfile(SEED, page)
    first = cli("run", str(page), "--out", str(tmp_path / "a"), "--cache-dir", str(cache_dir), "-v")
    assert first.returncode == 0, first.stderr
    # An identical run: the kept files, without spaCy (-X importtime lists every module imported).
    again = subprocess.run([sys.executable, "-X", "importtime", "-m", "pipeline", "run", str(page), "--out",
                            str(tmp_path / "b"), "--cache-dir", str(cache_dir), "-v"],
                           capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert "outputs copied from an identical earlier run" in again.stderr
    assert " spacy" not in again.stderr and "dateparser" not in again.stderr
    assert _files(tmp_path / "b") == _files(tmp_path / "a")
    # A kept file changed behind the tool's back is not trusted: the run writes its outputs anew.
    (tmp_path / "a" / "partners.csv").write_bytes(b"edited in place")  # a hard link to the kept copy
    third = cli("run", str(page), "--out", str(tmp_path / "c"), "--cache-dir", str(cache_dir), "-v")
    assert "outputs copied" not in third.stderr and "cache: 16 reused, 0 analysed" in third.stderr
    assert _files(tmp_path / "c") == _files(tmp_path / "b")
    # Other formats: the kept outputs do not serve, the cached sections do, and spaCy is not imported.
    other = subprocess.run([sys.executable, "-X", "importtime", "-m", "pipeline", "run", str(page), "--out",
                            str(tmp_path / "e"), "--formats", "json", "--cache-dir", str(cache_dir), "-v"],
                           capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert "cache: 16 reused, 0 analysed\n" in other.stderr
    assert " spacy" not in other.stderr and "dateparser" not in other.stderr
    assert (tmp_path / "e" / "partners.json").read_bytes() == (tmp_path / "a" / "partners.json").read_bytes()
    # Another page, other outputs.
    page.write_text(SEED.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    fourth = cli("run", str(page), "--out", str(tmp_path / "d"), "--cache-dir", str(cache_dir), "-v")
    assert "outputs copied" not in fourth.stderr


def test_an_identical_rerun_says_the_warnings_of_the_run_it_copies(cli, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("Test (TST)\nL’OMD coopère avec l’ZXQA depuis 2004.\n|\n"
                    "Union postale universelle (UPU)\nL’UPU et l’OMD ont signé un Protocole d’accord en 1998.\n",
                    encoding="utf-8")
    runs = [cli("run", str(page), "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"), "-v")
            for _ in range(2)]
    assert "outputs copied" not in runs[0].stderr and "outputs copied" in runs[1].stderr
    for run in runs:
        assert "warning: " in run.stderr and "acronym ZXQA is neither in the gazetteer" in run.stderr


@pytest.mark.parametrize(("change", "same"), [
    ({}, True),
    ({"captured": "2026-01-05T09:00:00Z"}, False),  # a later capture of the same bytes: its time is in the outputs
    ({"path": "https://example.org/new"}, False),
    ({"sha256": "b" * 64}, False),
])
def test_a_saved_run_is_reused_only_for_the_same_pages_and_captures(config, change, same):
    page = Document(source="https://example.org/p", sha256="a" * 64, title=None, sections=(),
                    path="https://example.org/p", captured="2025-12-01T09:00:00Z")
    key = cache_module.run_key([page], ["json"], config)
    assert (cache_module.run_key([replace(page, **change)], ["json"], config) == key) is same


@pytest.mark.parametrize(("previous", "same_as_without"), [(None, True), ("a", False), ("b", False)])
def test_the_key_of_a_whole_run_holds_the_previous_run_it_is_compared_with(config, previous, same_as_without):
    documents = [Document("page.txt", "1" * 64, None, ())]
    without = cache_module.run_key(documents, ("json",), config)
    key = cache_module.run_key(documents, ("json",), config, previous=previous)
    assert (key == without) is same_as_without
    others = {cache_module.run_key(documents, ("json",), config, previous=p) for p in ("a", "b")}
    assert len(others) == 2
