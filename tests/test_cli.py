"""The command line, run as a user would: in a subprocess, on temporary folders, with a cache of its own."""

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEED, run_cli

from pipeline import cli as cli_module

GOLD = ROOT / "corpus" / "gold" / "omd_partenaires_fr.gold.json"


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    result = run_cli("run", SEED, "--out", out, cache_dir=tmp_path_factory.mktemp("cache"))
    return result, out


def test_run_writes_json_and_csv(seed_run):
    result, out = seed_run
    assert result.returncode == 0, result.stderr
    data = json.loads((out / "partners.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == "1.0"
    assert len(data["partners"]) == 16
    assert data["documents"][0]["n_sections"] == 16
    for name in ("partners.csv", "organisations.csv", "agreements.csv", "dates.csv", "themes.csv"):
        assert (out / name).exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temporary left


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_run_is_deterministic(tmp_path):
    """The same page, run from two fresh folders, once without a cache and once with a cold one, under
    other hash seeds: every file is byte-identical (nothing is copied from an earlier run)."""
    results = {}
    for name, cache, seed in [("nocache", ("--no-cache",), "1"), ("cold", ("--cache-dir", "cache"), "4242")]:
        folder = tmp_path / name
        folder.mkdir()
        shutil.copyfile(SEED, folder / "page.txt")
        result = run_cli("run", "page.txt", "--out", "out", *cache, "-v", cwd=folder,
                         env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        assert "outputs copied" not in result.stderr
        results[name] = _files(folder / "out")
    assert set(results["nocache"]) == {"partners.json", "partners.csv", "organisations.csv", "agreements.csv",
                                       "agreement_list.csv", "dates.csv", "themes.csv", "rejected.csv",
                                       "datapackage.json", "partners.xlsx", "report.html"}
    assert results["nocache"] == results["cold"]
    assert "cache: 0 reused, 16 analysed" in result.stderr  # the second run's cache was cold indeed


@pytest.mark.parametrize("command", [(), ("run",)])
def test_help(command):
    result = run_cli(*command, "--help")
    assert result.returncode == 0
    assert "Usage" in result.stdout


def _bad_inputs(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "pdf.txt").write_bytes(b"%PDF-1.4 binary")
    (tmp_path / "titles.txt").write_text("Un titre\nUn autre titre\n", encoding="utf-8")
    (tmp_path / "nopages").mkdir()
    return {
        "missing": (str(tmp_path / "nope.txt"), "no such file"),
        "empty": (str(tmp_path / "empty.txt"), "empty"),
        "binary": (str(tmp_path / "pdf.txt"), "PDF"),
        "no sections": (str(tmp_path / "titles.txt"), "no partner section"),
        "empty folder": (str(tmp_path / "nopages"), "no page"),
    }


@pytest.mark.parametrize("case", ["missing", "empty", "binary", "no sections", "empty folder"])
def test_bad_input_one_line_exit_2_nothing_written(cli, tmp_path, case):
    path, words = _bad_inputs(tmp_path)[case]
    out = tmp_path / "out"
    result = cli("run", path, "--out", str(out))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and Path(path).name in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_one_bad_file_among_good_ones(cli, tmp_path):
    (tmp_path / "seed.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    result = cli("run", str(tmp_path), "--out", str(out))
    assert result.returncode == 1
    assert "empty.txt" in result.stderr
    assert len(json.loads((out / "partners.json").read_text(encoding="utf-8"))["partners"]) == 16


def test_folder_input_skips_gold(cli, tmp_path):
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "x.txt").write_bytes(b"\x00\x01")
    (tmp_path / "page.txt").write_bytes(SEED.read_bytes())
    result = cli("run", str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr


def test_refuses_to_replace_a_folder_holding_folders_of_its_own(cli, tmp_path):
    out = tmp_path / "mine"
    (out / "project").mkdir(parents=True)
    (out / "notes.docx").write_text("precious")
    result = cli("run", str(SEED), "--out", str(out))
    assert result.returncode == 3
    assert "holds folders this tool did not write (project)" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.docx", "project"]


# Issue 14: the next run deleted the files a user keeps in outputs/ (changes.json, notes, .gitkeep).
def test_a_run_keeps_the_users_files_and_drops_only_a_stale_evaluation(cli, tmp_path):
    out = tmp_path / "outputs"
    assert cli("run", str(SEED), "--out", str(out)).returncode == 0
    assert cli("diff", str(out), str(out), "--write", str(out / "changes.json")).returncode == 0
    assert cli("evaluate", "--gold", str(GOLD), "--pred", str(out)).returncode == 0
    for name, text in ((".gitkeep", ""), ("run.log", "log"), ("notes.txt", "mes notes")):
        (out / name).write_text(text)
    changes = (out / "changes.json").read_bytes()
    result = cli("run", str(SEED), "--out", str(out), "--no-cache")
    assert result.returncode == 0, result.stderr
    assert (out / "changes.json").read_bytes() == changes and (out / "notes.txt").read_text() == "mes notes"
    assert {".gitkeep", "run.log", "partners.json"} <= {p.name for p in out.iterdir()}
    assert not (out / "evaluation.json").exists()  # it scored the outputs replaced


# Review of issue 14: the cache kept the user's files with a run's outputs and copied them back over
# newer ones; a .gitkeep in the folder stopped the reuse of identical runs.
def test_an_identical_rerun_is_reused_and_keeps_the_users_current_files(cli, tmp_path):
    out = tmp_path / "outputs"
    out.mkdir()
    (out / ".gitkeep").write_text("")
    assert cli("run", str(SEED), "--out", str(out)).returncode == 0
    (out / "notes.txt").write_text("first")
    assert cli("run", str(SEED), "--out", str(out)).returncode == 0
    (out / "notes.txt").write_text("second")
    again = cli("run", str(SEED), "--out", str(out), "-v")
    assert "outputs copied from an identical earlier run" in again.stderr, again.stderr
    assert (out / "notes.txt").read_text() == "second" and (out / ".gitkeep").exists()


# Issue 14: the output folder was 0700 and evaluate's files 0600: colleagues could not open them.
@pytest.mark.parametrize(("umask", "folder", "file"), [(0o022, 0o755, 0o644), (0o002, 0o775, 0o664),
                                                       (0o077, 0o700, 0o600)])
def test_outputs_follow_the_users_umask(tmp_path, umask, folder, file):
    out = tmp_path / "out"
    run = ["run", SEED, "--out", out, "--cache-dir", tmp_path / "cache"]
    for args in (run, ["evaluate", "--gold", GOLD, "--pred", out]):
        done = subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=ROOT, capture_output=True,
                              timeout=600, preexec_fn=lambda: os.umask(umask))
        assert done.returncode == 0, done.stderr
    assert out.stat().st_mode & 0o777 == folder
    for name in ("partners.json", "partners.xlsx", "report.html"):
        assert (out / name).stat().st_mode & 0o777 == file, name


# Issue 14: a page's source was the path as typed; run from another folder, every row changed.
def test_a_page_is_named_by_its_file_name_from_any_folder(cli, tmp_path):
    page = tmp_path / "pages" / "partenaires.txt"
    page.parent.mkdir()
    page.write_bytes(SEED.read_bytes())
    outs = [tmp_path / "from-here", tmp_path / "from-there"]
    assert cli("run", str(page), "--out", str(outs[0])).returncode == 0
    assert cli("run", "partenaires.txt", "--out", str(outs[1]), cwd=page.parent).returncode == 0
    data = [json.loads((o / "partners.json").read_text(encoding="utf-8")) for o in outs]
    assert {p["source"] for d in data for p in d["partners"]} == {"partenaires.txt"}
    assert [d["documents"][0]["path"] for d in data] == [str(page), "partenaires.txt"]
    assert (outs[0] / "agreements.csv").read_bytes() == (outs[1] / "agreements.csv").read_bytes()
    named = cli("run", str(page), "--source-name", "OMD, partenaires", "--out", str(tmp_path / "named"))
    assert named.returncode == 0, named.stderr
    assert (tmp_path / "named" / "partners.csv").read_text(encoding="utf-8-sig").splitlines()[1].startswith(
        '"OMD, partenaires",')


class _Terminal(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.mark.parametrize(("total", "quiet", "tty", "shown"), [
    (5000, False, True, True),
    (5000, True, True, False),  # -q silences it
    (5000, False, False, False),  # stderr redirected to a file or a pipe: no bar
    (10, False, True, False),  # a short run
])
def test_progress_bar_only_for_a_person_watching_a_long_run(total, quiet, tty, shown):
    stream = _Terminal(tty)
    progress = cli_module._progress(total, quiet, stream)
    assert (progress is not None) == shown
    if shown:
        assert stream.getvalue() == ""  # nothing before the first section (a copied run shows no bar)
        progress.update(1200)
        progress.bar.refresh()
        progress.close()
        assert "1200/5000" in stream.getvalue() and "section/s" in stream.getvalue()


# Review of issue 14: a page's kind came from its name in the outputs, so --source-name could make a
# Markdown page be read as plain text.
def test_a_name_given_to_a_page_does_not_change_how_it_is_read(cli, tmp_path):
    page = tmp_path / "note.md"
    page.write_text("# Partenaires\n\n## Agence (AG)\n\nElle coopère avec l’OMD.\n\n## Office (OF)\n\nIl coopère.\n",
                    encoding="utf-8")
    result = cli("run", str(page), "--source-name", "Partenaires 2024", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    rows = (tmp_path / "out" / "partners.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    assert [r.split(",")[3] for r in rows] == ["Agence (AG)", "Office (OF)"]


# Review of issue 14: --out the folder of the pages was accepted, and a run on that folder then read
# the outputs (report.html) back as a page.
def test_the_folder_of_the_pages_is_no_output_folder_and_an_output_folder_no_input(cli, tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "page.txt").write_bytes(SEED.read_bytes())
    refused = cli("run", str(pages), "--out", str(pages))
    assert refused.returncode == 3 and "holds pages (page.txt): it is not an outputs folder" in refused.stderr
    assert sorted(p.name for p in pages.iterdir()) == ["page.txt"]
    assert cli("run", str(pages), "--out", str(tmp_path / "out")).returncode == 0
    again = cli("run", str(tmp_path / "out"), "--out", str(tmp_path / "other"))
    assert again.returncode == 2 and "is this tool's output folder, not a folder of pages" in again.stderr
