"""Bad input, faults and hostile text: a run never crashes, never half-writes, never loses a section."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from conftest import FIXTURES, ROOT, SEED, run_pages

from pipeline.analysis import Analyser, run
from pipeline.errors import Interrupted, OutputError
from pipeline.models import Partner, RawPage
from pipeline.outputs import folder, rows, writing
from pipeline.stages import STAGES
from pipeline.stages.reading import read_page
from pipeline.stages.sections import read_documents, split

HOSTILE_PAGE = (
    '=HYPERLINK("http://x","y") (HYP)\n'
    "+1 L’OMD et l’UPU ont signé un Protocole d’accord le 3 mai 2001.\n"
    "|\n"
    "@SUM(A1) Organisation\n"
    "-2 est un nombre; l’OMD coopère.\u200b Zéro\u200blargeur et contrôle\x07.\n"
    "|\n"
    "Banque mondiale\n"
    "La Banque mondiale et l’OMD travaillent avec l’Autorité des douanes d’Oman (ADO) et M. محمد العلي, "
    "ainsi qu’avec le service מכס ישראל et 税关总署 depuis 2019. " + "Une très longue phrase. " * 400 + "\n"
    "|\n"
    "Banque mondiale\n"
    "Une seconde section du même nom, signée le 1er juillet 2015.\n"
    "|\n"
    "Un titre seul sans paragraphe\n"
)


@pytest.fixture(scope="module")
def hostile(analyser):
    documents, errors = read_documents([RawPage("hostile.txt", HOSTILE_PAGE.encode("utf-8"))],
                                       analyser.config.resources)
    assert not errors
    return run(documents, analyser)


def test_hostile_text_is_kept_in_json_and_neutralised_in_spreadsheets(hostile, config):
    files = writing.render(hostile, config, ("json", "csv"))
    data = json.loads(files["partners.json"])
    assert data["partners"][0]["heading"] == '=HYPERLINK("http://x","y") (HYP)'
    assert data["partners"][0]["text"].startswith("+1 ")
    partners_csv = files["partners.csv"].decode("utf-8-sig")
    assert "'=HYPERLINK" in partners_csv and "'@SUM(A1) Organisation" in partners_csv
    for name, raw in files.items():
        if name.endswith(".csv"):
            for line in raw.decode("utf-8-sig").splitlines():
                for cell in line.split(","):
                    assert not cell.startswith(("=", "+", "@")), (name, cell)


def test_hostile_sections_are_all_accounted_for(hostile):
    ids = [p.partner_id for p in hostile.partners]
    assert len(ids) == 4 and len(set(ids)) == 4  # two "Banque mondiale": two distinct ids
    assert [r.text for r in hostile.rejected] == ["Un titre seul sans paragraphe"]
    text = hostile.partners[1].text
    assert "\u200b" not in text and "\x07" not in text
    for p in hostile.partners:
        for org in p.organisations:
            assert all(p.text[m.start:m.end] == m.text for m in org.mentions)
        assert all(p.text[d.start:d.end] == d.text for d in p.dates)
    bank = hostile.partners[2]
    assert "محمد العلي" in bank.text and any(d.value == "2019" for d in bank.dates)


class _Exploding:
    """A stage with a bug that shows on one section only."""

    fills = "themes"
    needs = ("organisations",)

    def __init__(self, kit) -> None:
        pass

    def extract(self, partner: Partner, doc) -> Partner:
        if partner.acronym == "OICS":
            raise RuntimeError("boom")
        return partner


def test_a_section_whose_extraction_raises_is_set_aside(config, nlp):
    analyser = Analyser(config, stages=(*STAGES, _Exploding))
    documents, _ = read_documents([RawPage("seed.txt", SEED.read_bytes())], config.resources)
    result = run(documents, analyser)
    assert len(result.partners) == 15
    (rejected,) = result.rejected
    assert rejected.position == 11 and "RuntimeError: boom" in rejected.reason
    assert rejected.text.startswith("L’Organe international de contrôle des stupéfiants")
    table = rows.rows(result)["rejected.csv"]
    assert table[0]["reason"].startswith("extraction failed")


def test_outputs_are_all_or_nothing_when_writing_fails(tmp_path, monkeypatch):
    out = tmp_path / "out"
    folder.write_outputs({"partners.json": b"old", "partners.csv": b"old"}, out)
    calls = {"n": 0}
    real = Path.write_bytes

    def failing(self, data):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    with pytest.raises(OutputError, match="No space left"):
        folder.write_outputs({"partners.json": b"new", "partners.csv": b"new", "dates.csv": b"new"}, out)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {"partners.json": b"old", "partners.csv": b"old"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_run_killed_between_renames_gets_its_outputs_back(tmp_path):
    out = tmp_path / "out"
    folder.write_outputs({"partners.json": b"old"}, out)
    os.rename(out, tmp_path / ".out.old-999999999")  # as a kill right after the first rename leaves it
    (tmp_path / ".out.tmp-999999999-abc").mkdir()
    folder.write_outputs({"partners.json": b"new"}, out)
    assert (out / "partners.json").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _wait_for(condition, proc, timeout: float = 120.0) -> None:
    """Poll ``condition`` until it holds (the run reached the moment the test is about)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, "the run ended before the moment the test waits for"
        assert time.monotonic() < deadline, "the run never reached the moment the test waits for"
        time.sleep(0.01)


def _writing_started(folder):
    return lambda: any(folder.glob(".out.tmp-*"))


def _partners_written(folder):
    """Some partners are in the new outputs already: the run is in the middle of its sections."""
    return lambda: any(p.stat().st_size > 4096 for p in folder.glob(".out.tmp-*/partners.json"))


@pytest.mark.parametrize("moment", [_writing_started, _partners_written], ids=["writers-forking", "mid-run"])
@pytest.mark.parametrize(("signum", "workers"), [(signal.SIGTERM, "1"), (signal.SIGINT, "1"), (signal.SIGTERM, "2")])
def test_an_interrupted_run_leaves_the_previous_outputs(tmp_path, moment, signum, workers):
    out = tmp_path / "out"
    folder.write_outputs({"partners.json": b"previous"}, out)
    page = tmp_path / "pages" / "seed.txt"  # the seed twice: enough sections for two workers
    page.parent.mkdir()
    page.write_text(SEED.read_text(encoding="utf-8") * 2, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(page), "--out", str(out), "--no-cache",
                             "--workers", workers],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The signal is sent at a moment the run reaches, seen from outside: when it starts writing its
    # new outputs beside the old ones (the writer processes are being forked), or in the middle of
    # its sections. Either way the old outputs stay whole and the new ones go.
    _wait_for(moment(tmp_path), proc)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr and "ignored" not in stderr
    assert (out / "partners.json").read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "pages"]


@pytest.mark.parametrize("moment", [_writing_started, _partners_written], ids=["writers-forking", "mid-run"])
def test_ctrl_c_at_a_terminal_stops_every_process_quietly(tmp_path, moment):
    """Ctrl-C at a terminal goes to the whole process group: the run's writer and worker processes
    leave it to the run, which stops them; no traceback, and no process of the group is left."""
    out = tmp_path / "out"
    folder.write_outputs({"partners.json": b"previous"}, out)
    page = tmp_path / "pages" / "seed.txt"
    page.parent.mkdir()
    page.write_text(SEED.read_text(encoding="utf-8") * 2, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(page), "--out", str(out), "--no-cache",
                             "--workers", "2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    _wait_for(moment(tmp_path), proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "ignored" not in stderr, stderr
    assert stderr.strip() == "error: interrupted; the output folder was left as it was"
    assert (out / "partners.json").read_bytes() == b"previous"
    _wait_for_group_to_end(proc.pid)


def _wait_for_group_to_end(pgid: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        assert time.monotonic() < deadline, "processes of the run were left behind"
        time.sleep(0.05)


# Issue 13, defect 20: an interrupt between the two renames is held until both are done.
def test_an_interrupt_once_the_new_outputs_are_in_place_says_so(tmp_path, monkeypatch):
    """The two renames that swap the folders are never cut apart; an interrupt that comes meanwhile is
    delivered after them, as Interrupted (the outputs are complete), never as "left as it was"."""
    out = tmp_path / "out"
    folder.write_outputs({"partners.json": b"old"}, out)
    real_rename = os.rename

    def rename_then_interrupt(src, dst):
        real_rename(src, dst)
        signal.raise_signal(signal.SIGINT)  # held: delivered once both renames are done

    monkeypatch.setattr(os, "rename", rename_then_interrupt)
    with pytest.raises(Interrupted):
        folder.write_outputs({"partners.json": b"new"}, out)
    monkeypatch.undo()
    assert (out / "partners.json").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_dates_do_not_depend_on_the_day_the_pipeline_runs(config, nlp):
    pages = [SEED, FIXTURES / "pages" / "partenaires_sans_separateurs.txt"]
    today = run_pages(pages, Analyser(config))  # each analyser parses every date string afresh
    with time_machine.travel("2031-06-15 12:00", tick=False):
        later = run_pages(pages, Analyser(config))
    assert today == later
    assert any(d["value"] == "2002" for p in today["partners"] for d in p["dates"])


def test_per_partner_content_does_not_depend_on_section_order(analyser, tmp_path):
    sections = SEED.read_text(encoding="utf-8").strip().split("\n|\n")
    reordered = tmp_path / "seed.txt"
    reordered.write_text("\n|\n".join(reversed(sections)) + "\n", encoding="utf-8")
    original = tmp_path / "original" / "seed.txt"
    original.parent.mkdir()
    original.write_bytes(SEED.read_bytes())

    def by_id(path):
        documents, _ = read_documents([RawPage("seed.txt", path.read_bytes())], analyser.config.resources)
        data = json.loads(rows.to_json(run(documents, analyser), analyser.config))
        return {p["partner_id"]: {k: v for k, v in p.items() if k != "section_index"} for p in data["partners"]}

    assert by_id(reordered) == by_id(original)


@pytest.mark.parametrize(("name", "data", "words"), [
    ("undecodable.txt", bytes(range(128, 256)) * 40 + b"\x81\x8d\x8f\x90\x9d" * 50, "not valid text"),
    ("whitespace.txt", " \n\t\u00a0\n".encode(), "white space"),
    ("zip.txt", b"PK\x03\x04" + bytes(100), "ZIP"),
    ("png.html", b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG"),
])
def test_more_bad_inputs(cli, tmp_path, name, data, words):
    page = tmp_path / name
    page.write_bytes(data)
    result = cli("run", str(page), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert name in line and words in line


def test_a_file_over_the_size_limit(cli, tmp_path):
    page = tmp_path / "huge.txt"
    page.write_bytes(b"Titre (T)\n" + b"Texte. " * (3 * 1024 * 1024))
    result = cli("run", str(page), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "MiB limit" in result.stderr


def test_mojibake_is_repaired_and_said(cli, tmp_path):
    text = "Organisation mondiale des douanes (OMD)\nL’OMD a été créée en 1952 à Bruxelles.\n"
    page = tmp_path / "mojibake.txt"
    page.write_bytes(text.encode("utf-8").decode("cp1252").encode("utf-8"))
    out = tmp_path / "out"
    result = cli("run", str(page), "--out", str(out), "--no-cache")
    assert result.returncode == 0, result.stderr
    assert "mojibake.txt: repaired mis-decoded characters (mojibake)" in result.stderr
    assert result.stderr.startswith("warning: ")
    data = json.loads((out / "partners.json").read_text(encoding="utf-8"))
    assert data["partners"][0]["text"] == "L’OMD a été créée en 1952 à Bruxelles."


def test_html_with_scripts_comments_iframes_and_entities(config):
    html = (b"<html><body><script>document.write('<h2>Faux (FX)</h2><p>Non.</p>')</script>"
            b"<!-- <h2>Commentaire (CM)</h2><p>Non plus.</p> --><iframe src='x'><h2>Cadre</h2></iframe>"
            b"<h2>Union postale universelle (UPU)</h2><p>L&rsquo;UPU &amp; l&#8217;OMD&nbsp;: 1&nbsp;000 bureaux.</p>"
            b"</body></html>")
    document = split(read_page("page.html", html, config.resources), config.resources)
    assert [s.heading for s in document.sections] == ["Union postale universelle (UPU)"]
    assert document.sections[0].text == "L’UPU & l’OMD : 1 000 bureaux."


def test_quiet_and_verbose(cli, tmp_path):
    quiet = cli("run", str(SEED), "--out", str(tmp_path / "q"), "-q")
    assert quiet.returncode == 0 and quiet.stderr == ""
    loud = cli("run", str(SEED), "--out", str(tmp_path / "v"), "-v")
    lines = loud.stderr.strip().splitlines()
    assert lines[-1].startswith("info: 16 partners from 1 page(s)")
    assert any(line.startswith("info: 16 sections read = 16 kept + 0 set aside") for line in lines)
    assert all(line.split(":")[0] in ("debug", "info", "warning", "error") for line in lines)


def test_a_failing_run_leaves_the_previous_outputs(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from pipeline import cli as cli_module
    from pipeline.outputs import schema

    out = tmp_path / "out"
    folder.write_outputs({"partners.json": b"previous"}, out)

    def broken(partner):
        tables = real_rows(partner)
        for row in tables["dates.csv"]:
            row["value"] = "2002-11-28T00:00"  # what a dateparser default would have done
        return tables

    real_rows = writing.partner_rows
    monkeypatch.setattr(writing, "partner_rows", broken)
    result = CliRunner().invoke(cli_module.cli, ["run", str(SEED), "--out", str(out), "--no-cache"])
    assert result.exit_code == schema.SchemaError.exit_code
    assert (out / "partners.json").read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# Inputs a hostile tester built against the splitter: each once took quadratic or exponential time,
# raised a traceback, or lost or invented sections.
SLOW = [
    ("tabs.txt", "Union africaine (UA)\n\nTexte" + "\t " * 20_000 + "fin de la ligne.\n", "Union africaine (UA)"),
    ("quads.txt", "Union africaine (UA)\n\nTexte" + "\u2001" * 30_000 + "fin de la ligne.\n", "Union africaine (UA)"),
    ("heading.html", "<h2>T" + "\u2001" * 20_000 + " (UA)</h2><p>Texte.</p>", "T (UA)"),
    ("prefixes.txt", "Union africaine (UA)\n\n" + "publié le " * 60 + "x.\n", "Union africaine (UA)"),
    ("hyphens.txt", "Union africaine (UA)\nLe " + "a" * 200_000 + "-\nsuite du texte.\n", "Union africaine (UA)"),
]


@pytest.mark.parametrize(("name", "page", "heading"), SLOW, ids=[n for n, *_ in SLOW])
def test_pathological_lines_are_read(config, name, page, heading):
    """Each took from 6 s to hours before (quadratic or exponential patterns); now a fraction of a
    second, which the suite's own duration watches (speed itself is measured by make bench)."""
    document = split(read_page(name, page.encode(), config.resources), config.resources)
    assert [s.heading for s in document.sections] == [heading]


@pytest.mark.parametrize(("name", "page", "sections"), [
    ("bom.txt", b"\xef\xbb\xbfUnion africaine (UA)\n\nL'OMD et l'UA coop\xe8rent.\n",
     [("Union africaine (UA)", "L'OMD et l'UA coopèrent.")]),
    ("h1.html", "<h1>Partenaires</h1><p><strong>Union africaine (UA)</strong><br>L'UA coopère.</p>"
     "<p><strong>Banque mondiale</strong><br>Elle finance.</p>".encode(),
     [("Union africaine (UA)", "L'UA coopère."), ("Banque mondiale", "Elle finance.")]),
    ("dl.html", "<h1>Partenaires</h1><dl><dt>Union africaine (UA)</dt><dd>L'UA coopère.</dd></dl>".encode(),
     [("Union africaine (UA)", "L'UA coopère.")]),
    ("news.txt", "Actualités\n\nAccord OMD – Banque mondiale – 2015\nLa Banque a signé.\n\n"
     "Conférence OMD - UA - Addis-Abeba 2019\nL'UA a accueilli la conférence.\n".encode(),
     [("Accord OMD – Banque mondiale – 2015", "La Banque a signé."),
      ("Conférence OMD - UA - Addis-Abeba 2019", "L'UA a accueilli la conférence.")]),
    ("pre.html", "<h2>Accords (AC)</h2><pre>\nChili – Aduanas – 12/09/2006\nMaroc – Douanes – 03/05/2010\n</pre>"
     .encode(), [("Accords (AC)", "Chili – Aduanas – 12/09/2006\nMaroc – Douanes – 03/05/2010")]),
    ("hidden.html", b"<h2>Agence (AG)</h2><p>Texte.</p><div style='display: none'><h2>Ancien</h2><p>Non.</p>"
     b"</div><h2 hidden>Brouillon</h2><p aria-hidden='true'>Non plus.</p>", [("Agence (AG)", "Texte.")]),
    ("cells.html", b"<h2>Accords (AC)</h2><table><tr><td>UA<script>var x = 1;</script></td><td></td>"
     b"<td>2009</td></tr><tr><td>BM</td><td>PDA</td><td>2015</td></tr></table>",
     [("Accords (AC)", "UA |  | 2009\nBM | PDA | 2015")]),
    ("slash.txt", "Union africaine (UA)\nTexte un.\n\nUnion européenne / DG TAXUD / OLAF\nTexte deux.\n".encode(),
     [("Union africaine (UA)", "Texte un."), ("Union européenne / DG TAXUD / OLAF", "Texte deux.")]),
    ("lsep.txt", "Union africaine (UA)\u2028Texte un.\u2029Banque mondiale\u2028Texte deux.\n".encode(),
     [("Union africaine (UA)", "Texte un."), ("Banque mondiale", "Texte deux.")]),
    ("br.md", b"## Agence (AG)\n\nUn.<br>Deux.\n\n<div class='x'><b>Trois</b><script>x()</script></div>\n",
     [("Agence (AG)", "Un.\nDeux.\n\nTrois")]),
])
def test_pages_a_hostile_tester_broke(config, name, page, sections):
    document = split(read_page(name, page, config.resources), config.resources)
    assert [(s.heading, s.text) for s in document.sections] == sections
