"""The reliability defects a hostile test found (issue 13), one regression test each, numbered as in
the issue: what the user gives is read once, from regular files only, never back from this tool's own
outputs; bad input and resources give one line and a documented exit code, never a traceback."""

import errno
import json
import os
import threading
import tracemalloc
from pathlib import Path

import pytest
from conftest import SEED

from pipeline.api import Pipeline
from pipeline.errors import InputError, OutputError
from pipeline.outputs.background import write_run
from pipeline.outputs.folder import FORMATS
from pipeline.outputs.writing import Writer
from pipeline.stages.reading import MAX_BYTES, collect_inputs, read_bytes


def _page(folder, name="page.txt"):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(SEED.read_bytes())
    return path


def _partners(out):
    return len(json.loads((out / "partners.json").read_text(encoding="utf-8"))["partners"])


# 3. An output folder inside the input folder is not read back as input.
def test_3_an_output_folder_inside_the_input_folder_is_not_read_back(tmp_path, cli):
    pages = tmp_path / "pages"
    _page(pages)
    counts = []
    for _ in range(3):
        result = cli("run", pages, "--out", pages / "out")
        assert result.returncode == 0, result.stderr
        counts.append(_partners(pages / "out"))
    assert counts == [16, 16, 16]


# 8. Only regular files are read: a FIFO would hang, a device never end.
def test_8_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "page.txt"
    os.mkfifo(fifo)
    done = threading.Event()

    def read():
        with pytest.raises(InputError, match="not a regular file"):
            read_bytes(fifo)
        done.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)
    if not done.is_set():  # unblock the reader so the test ends, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")


def test_8_the_size_limit_holds_while_reading(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (MAX_BYTES + 10))
    with pytest.raises(InputError, match="over the 20 MiB limit"):
        read_bytes(big)


def test_8_a_device_is_refused_in_a_run(tmp_path, cli):
    result = cli("run", "/dev/zero", "--out", tmp_path / "out")
    assert result.returncode == 2 and "not a regular file" in result.stderr and "Traceback" not in result.stderr


# 23. Hidden folders (.git, .venv, .cache) and this tool's outputs are skipped, and said with -v.
def test_23_hidden_folders_are_not_read(tmp_path, cli):
    _page(tmp_path / "site")
    for hidden in (".venv/lib", ".git", ".cache/x"):
        _page(tmp_path / "site" / hidden, "other.txt")
    files, errors, skipped = collect_inputs((tmp_path / "site",))
    assert [f.name for f in files] == ["page.txt"] and not errors
    assert {p.name for p in skipped} == {".venv", ".git", ".cache"}
    result = cli("run", tmp_path / "site", "--out", tmp_path / "out", "-v")
    assert result.returncode == 0 and _partners(tmp_path / "out") == 16
    assert "skipped" in result.stderr and ".venv" in result.stderr


def test_the_same_file_named_twice_is_read_once(tmp_path):
    page = _page(tmp_path)
    files, errors, _ = collect_inputs((page, tmp_path / "." / "page.txt", tmp_path))
    assert files == [page] and not errors


# 14. A UTF-8 mark over bytes that are not UTF-8, and a page declaring an "undefined" charset, are read.
@pytest.mark.parametrize(("name", "data"), [
    ("bom.txt", b"\xef\xbb\xbfTitre\n\nAgence (AX)\n\nL\xe9 texte a \xe9t\xe9 sign\xe9 en 2001.\n"),
    ("meta.html", b'<html><head><meta charset="undefined"></head><body><h2>Agence (AX)</h2>'
                  b"<p>Un accord sign\xe9 en 2001 avec l\x92OMD.</p></body></html>"),
])
def test_14_undecodable_declarations_fall_back_to_the_other_encodings(tmp_path, cli, name, data):
    (tmp_path / name).write_bytes(data)
    result = cli("run", tmp_path / name, "--out", tmp_path / "out")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    text = json.loads((tmp_path / "out" / "partners.json").read_text(encoding="utf-8"))["partners"][0]["text"]
    assert "sign\u00e9" in text


# 13. A section over spaCy's limit (a million characters) is parsed in pieces, joined into one Doc.
def test_13_a_long_section_is_parsed_in_pieces_with_the_same_text(analyser, monkeypatch):
    from pipeline.nlp import model

    assert analyser.nlp.max_length > model.MAX_PIECE
    text = "".join(f"L’OMD et l’AIEA ont signé un Protocole d’accord le {d} mai 1998.\n" for d in range(1, 29))
    (whole,) = analyser.parse([text])
    monkeypatch.setattr(model, "MAX_PIECE", 200)
    short, long_doc, after = analyser.parse(["Un texte court.", text, "L’ONUDC coopère."])
    assert long_doc.text == whole.text and short.text == "Un texte court." and after.text.endswith("coopère.")
    assert [s.text for s in long_doc.spans["gazetteer"]] == ["OMD", "AIEA"] * 28
    assert [t.i for t in long_doc if t.is_sent_start] == [t.i for t in whole if t.is_sent_start]


@pytest.mark.parametrize("size", [1, 7, 50])
def test_13_pieces_are_cut_at_line_ends_and_join_back(size):
    from pipeline.nlp.model import _pieces

    text = "une ligne\nune autre ligne bien plus longue\n" * 5 + "fin sans saut de ligne" * 3
    parts = _pieces(text, size)
    assert "".join(parts) == text and all(len(p) <= size for p in parts)


# 9. Long runs of one character cost no more than ordinary text: spaCy sees them calmed, offsets hold.
def test_9_runs_of_punctuation_are_calmed_for_spacy_only(extract_partner):
    text = "L’Agence (AX) a signé un Protocole d’accord avec l’OMD le 3 mai 2019. " + "!" * 30_000 + " Fin."
    partner = extract_partner("Agence (AX)", text)
    assert partner.text == text and [d.value for d in partner.dates] == ["2019-05-03"]
    (agreement,) = partner.agreements
    assert text[agreement.start:agreement.end] == "Protocole d’accord"


@pytest.mark.parametrize(("text", "calmed"), [
    ("a" + "!" * 25 + "b", "a!" + " " * 24 + "b"),
    ("trois points... et --- tiret", "trois points... et --- tiret"),  # short runs untouched
    ("&" * 30, "&" + " " * 29),
])
def test_9_calm(text, calmed):
    from pipeline.nlp.model import _calm

    assert _calm(text) == calmed and len(_calm(text)) == len(text)


# 16, 17. evaluate and diff on files of the wrong shape: one line saying where, exit 2, no traceback.
MALFORMED = [
    # (a gold file's problems are written partners[0].heading, a partners.json's $.partners[0].heading)
    pytest.param('{"partners":[1]}', "partners[0]", id="a partner that is a number"),
    pytest.param('{"partners":[{"name":"x"}]}', "heading", id="no heading"),
    pytest.param('{"partners":[{"heading":3}]}', "partners[0].heading", id="an integer heading"),
    pytest.param('{"partners":[{"heading":"h","organisations":[null]}]}', "organisations[0]", id="a null organisation"),
    pytest.param('{"partners":[{"heading":"h","themes":[{"code":["a"]}]}]}', "themes[0].code", id="a list for a code"),
    pytest.param('{"partners":[], "n": ' + "9" * 5000 + "}", "out of range", id="a 5,000-digit number"),
    pytest.param('{"partners":' + "[" * 100_000 + "]" * 100_000 + "}", "partners[0]", id="nested 100,000 deep"),
    pytest.param('{"partners":[{"heading":"h","partner_id":["p"]}]}', "partner_id", id="a list partner_id"),
    pytest.param('{"partners":[{"heading":"h","dates":[{"value":2001}]}]}', "dates[0].value", id="an integer date"),
    pytest.param('{"partners":[{"heading":"h","agreements":[{"type":null}]}]}', "agreements[0].type",
                 id="an agreement with no type"),
    pytest.param('{"partners":[{"heading":"h","acronym":["A"]}]}', "acronym", id="a list acronym"),
    pytest.param('{"partners":[{"heading":"h"}]', "malformed", id="truncated JSON"),
]


@pytest.mark.parametrize(("content", "where"), MALFORMED)
def test_16_17_malformed_gold_and_predictions_are_one_line(tmp_path, cli, content, where):
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    good = tmp_path / "good.json"
    good.write_text('{"source": "p.txt", "partners": [{"heading": "h", "source": "p.txt"}]}', encoding="utf-8")
    for args in (("evaluate", "--gold", bad, "--pred", good), ("evaluate", "--gold", good, "--pred", bad),
                 ("diff", bad, good), ("diff", good, bad)):
        result = cli(*args)
        assert result.returncode == 2 and "Traceback" not in result.stderr, (args, result.stderr)
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith(f"error: {bad}") and where in line, line


# 21. A killed evaluate's temporary file does not make the next run refuse the folder.
def test_21_a_temporary_file_of_this_tool_is_not_foreign(tmp_path, cli):
    page = _page(tmp_path)
    out = tmp_path / "out"
    assert cli("run", page, "--out", out).returncode == 0
    (out / ".evaluation.json.tmp-99999-abcd").write_bytes(b"{")
    result = cli("run", page, "--out", out)
    assert result.returncode == 0, result.stderr
    assert not list(out.glob(".*tmp*"))


# 6. --out a symlink: the outputs are replaced where it points, the link stays, no litter.
def test_6_an_output_symlink_is_followed(tmp_path, cli):
    page = _page(tmp_path)
    target = tmp_path / "real"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    for _ in range(2):
        result = cli("run", page, "--out", link)
        assert result.returncode == 0, result.stderr
    assert link.is_symlink() and (target / "partners.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# 7. Partners with the same slug get the same ids whatever the path as typed.
def test_7_ids_do_not_depend_on_the_path_as_typed(tmp_path, cli):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "page.txt").write_text("Titre\n\nAgence (AX)\n\nUn premier texte.\n\nAgence (AX)\n\nUn second texte.\n",
                                     encoding="utf-8")
    ids = []
    for path, cwd in (("page.txt", folder), (folder / "page.txt", tmp_path)):
        result = cli("run", path, "--out", tmp_path / "out", cwd=cwd)
        assert result.returncode == 0, result.stderr
        ids.append([p["partner_id"] for p in json.loads((tmp_path / "out" / "partners.json").read_text())["partners"]])
    assert ids[0] == ids[1] and len(set(ids[0])) == 2


def _outputs(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix != ".html"}


# 5. A cache entry that does not match its section, or holds impossible values, is rebuilt.
@pytest.mark.parametrize("tamper", [
    pytest.param(lambda raw: raw.replace(b'"code":"', b'"code":"bogus_'), id="an unknown theme code"),
    pytest.param(lambda raw: raw.replace(b'"start":', b'"start":-', 1), id="a negative offset"),
    pytest.param(lambda raw: raw.replace(b'"value":"', b'"value":"x', 1), id="an invalid date"),
    pytest.param(lambda raw: raw.split(b"\n", 1)[0] + b'\n{"organisations":[],"agreements":[],"dates":[],'
                 b'"themes":[{"code":"drugs","label":"x","evidence":[]}],"published":null}', id="made-up content"),
])
def test_5_a_tampered_cache_entry_is_rebuilt(tmp_path, cli, tamper):
    page = _page(tmp_path)
    cache = tmp_path / "cache"
    assert cli("run", page, "--out", tmp_path / "fresh", "--no-cache").returncode == 0
    assert cli("run", page, "--out", tmp_path / "first", "--cache-dir", cache).returncode == 0
    for entry in cache.glob("??/*.json"):
        entry.write_bytes(tamper(entry.read_bytes()))
    for run_dir in (cache / "runs").iterdir():  # not the saved outputs: the sections' entries are read
        for f in run_dir.iterdir():
            f.unlink()
    result = cli("run", page, "--out", tmp_path / "again", "--cache-dir", cache)
    assert result.returncode == 0, result.stderr
    assert _outputs(tmp_path / "again") == _outputs(tmp_path / "fresh")


# 19. A damaged saved-run manifest is not trusted: the run is made again, nothing goes outside --out.
@pytest.mark.parametrize("damage", [
    pytest.param(lambda m: {k: v for k, v in m.items() if k != "kept"}, id="kept missing"),
    pytest.param(lambda m: {k: v for k, v in m.items() if k != "warnings"}, id="warnings missing"),
    pytest.param(lambda m: {**m, "files": {**m["files"], "../evil.txt": "0" * 64}}, id="a path outside"),
])
def test_19_a_damaged_manifest_is_not_trusted(tmp_path, cli, damage):
    page = _page(tmp_path / "pages")
    cache = tmp_path / "cache"
    assert cli("run", page, "--out", tmp_path / "out", "--cache-dir", cache).returncode == 0
    (manifest_path,) = (cache / "runs").glob("*/manifest.json")
    (manifest_path.parent / "evil.txt").write_text("x")
    manifest_path.write_text(json.dumps(damage(json.loads(manifest_path.read_text()))))
    result = cli("run", page, "--out", tmp_path / "out", "--cache-dir", cache)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "copied from an identical earlier run" not in result.stderr
    assert not (tmp_path / "evil.txt").exists() and (tmp_path / "out" / "partners.json").is_file()


# 2. Concurrent runs into one folder with one cache: serialised, so no run's outputs are saved under
#    another's key, and a later identical run copies its own.
def test_2_concurrent_runs_into_one_folder_never_poison_the_cache(tmp_path):
    import subprocess
    import sys

    a = _page(tmp_path / "a", "a.txt")
    b = tmp_path / "b" / "b.txt"
    b.parent.mkdir()
    b.write_bytes((SEED.parent.parent / "tests" / "fixtures" / "genres" / "rapport_pdf.txt").read_bytes())
    out, cache = tmp_path / "out", tmp_path / "cache"
    procs = [subprocess.Popen([sys.executable, "-m", "pipeline", "run", page, "--out", out, "--cache-dir", cache,
                               "-q"], stderr=subprocess.PIPE) for page in (a, b, a, b, a, b)]
    assert all(p.wait(timeout=600) == 0 for p in procs)
    for page in (a, b, a):
        run = subprocess.run([sys.executable, "-m", "pipeline", "run", page, "--out", out, "--cache-dir", cache],
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr
        sources = {d["source"] for d in json.loads((out / "partners.json").read_text())["documents"]}
        assert sources == {page.as_posix()} or sources == {page.name}, (page, sources)


# 4. A table longer than Excel's sheet goes on in the next sheet: no row is lost in the workbook.
def test_4_a_table_longer_than_a_sheet_goes_on_in_the_next(tmp_path, monkeypatch):
    import openpyxl

    from pipeline.outputs import workbook

    monkeypatch.setattr(workbook, "XLSX_ROWS", 4)  # three rows and the header per sheet
    book = workbook.Workbook(tmp_path / "w.xlsx", tmp_path)
    columns = workbook.COLUMNS["rejected.csv"]
    rows = [{c: None for c in columns} | {"source": "p.txt", "position": i, "reason": "r", "text": f"t{i}"}
            for i in range(8)]
    book.add("rejected.csv", rows[:5])
    book.add("rejected.csv", rows[5:])
    book.close()
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx", read_only=True)
    parts = [name for name in wb.sheetnames if name.startswith("rejected")]
    assert parts == ["rejected", "rejected (2)", "rejected (3)"]
    texts = [r[-1] for name in parts for r in wb[name].iter_rows(min_row=2, values_only=True)]
    assert texts == [f"t{i}" for i in range(8)]


# Also seen: bidirectional controls in headings, form fields' text, --min-f1 nan.
def test_bidirectional_controls_are_removed():
    from pipeline.text import normalise

    assert normalise("Agence \u202eXA\u202c (AX)\u200f") == "Agence XA (AX)"


def test_form_fields_are_furniture_not_partner_text(tmp_path, cli):
    page = tmp_path / "p.html"
    page.write_text("<h2>Agence (AX)</h2><p>Texte de la section.</p><textarea>Votre message</textarea>"
                    "<select><option>Choix un</option></select>", encoding="utf-8")
    assert cli("run", page, "--out", tmp_path / "out").returncode == 0
    (partner,) = json.loads((tmp_path / "out" / "partners.json").read_text())["partners"]
    assert partner["text"] == "Texte de la section."
    rejected = (tmp_path / "out" / "rejected.csv").read_text(encoding="utf-8-sig")
    assert "Votre message" in rejected and "Choix un" in rejected


@pytest.mark.parametrize("value", ["nan", "1.5", "-0.1", "agreements=nan"])
def test_min_f1_must_be_a_number_from_0_to_1(cli, value):
    result = cli("evaluate", "--gold", "corpus/gold/omd_partenaires_fr.gold.json", "--min-f1", value)
    assert result.returncode == 2 and "from 0 to 1" in result.stderr


# 12. kill -9 of a run with workers leaves no process behind: the children die with their parent.
def test_12_children_die_with_a_killed_parent(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    pages = tmp_path / "pages"
    for i in range(120):  # long enough to be killed while its pool and writers work
        _page(pages, f"p{i}.txt")
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", pages, "--out", tmp_path / "out",
                             "--no-cache", "--workers", "2", "-q"], start_new_session=True)
    deadline = time.time() + 120
    children: list[str] = []
    while time.time() < deadline and len(children) < 4:  # two pool workers, two writers
        out = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout
        children = out.split()
        time.sleep(0.2)
    assert children, "the run started no child process"
    assert len(children) >= 4, children
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(4)
    alive = [c for c in children if os.path.exists(f"/proc/{c}")
             and "zombie" not in Path(f"/proc/{c}/status").read_text().lower()]
    assert not alive, alive


# 15. A full disk is said as such: closing the files of a writer that failed does not raise again.
def test_15_a_writer_aborting_on_a_full_disk_raises_nothing_more(tmp_path, config):
    writer = Writer(tmp_path, ("json", "csv"), (), config)

    class Full:
        def close(self):
            raise OSError(28, "No space left on device")

    writer._files.append(Full())
    writer.abort()  # the first error (the write) is the one reported; this one is not


# 22. A cache that cannot be written leaves no temporary file behind.
def test_22_a_cache_write_that_fails_leaves_nothing(tmp_path, config, monkeypatch):
    from pipeline import cache as cache_module
    from pipeline.models import Partner

    cache = cache_module.Cache(tmp_path / "cache", config)
    partner = Partner(partner_id="p", source="p.txt", section_index=1, heading="h", name="h", acronym=None,
                      text="x", text_sha256="0" * 64)

    def full(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache_module.os, "replace", full)
    cache.put(partner)
    monkeypatch.setattr(cache_module.os, "rename", full)
    out = tmp_path / "out"
    out.mkdir()
    (out / "partners.json").write_text("{}")
    cache.save_run("k", out, {"kept": 1, "failed": 0, "warnings": []}, ["partners.json"])
    assert [p for p in (tmp_path / "cache").rglob("*") if p.name.startswith(".tmp-")] == []


# 1. Text outside paragraphs (a div, a table cell, bare body text, a nested list, a quote) is read.
def test_1_text_outside_paragraphs_is_read(config):
    from pipeline.stages.reading import read_page
    from pipeline.stages.sections import split

    page = ("<h2>Agence (AIEA)</h2><p>Intro.</p><div>Un Protocole d’accord a été signé le 13 mai 1998.</div>"
            "<table><tr><td>Cellule</td></tr></table>Texte nu.<ul><li>Item<ul><li>Sous-item</li></ul></li></ul>"
            "<blockquote><p>Citation.</p></blockquote><p>Un<br>Deux</p>")
    (section,) = split(read_page("p.html", page.encode(), config.resources), config.resources).sections
    for words in ("signé le 13 mai 1998.", "Cellule", "Texte nu.", "Item", "Sous-item", "Citation.", "Un\nDeux"):
        assert words in section.text, words


# 10. Deeply nested HTML is read in time linear in its size.
@pytest.mark.parametrize("tag", ["ul><li", "blockquote"])
def test_10_deeply_nested_html_is_read(config, tag):
    from pipeline.stages.reading import read_page
    from pipeline.stages.sections import split

    # (It used to take over 120 s; the suite's own time says if it ever becomes quadratic again.)
    close = "</" + "></".join(reversed(tag.split("><"))) + ">"
    page = "<h2>Agence (AX)</h2><p>Intro.</p>" + f"<{tag}>" * 50_000 + "profond" + close * 50_000
    (section,) = split(read_page("p.html", page.encode(), config.resources), config.resources).sections
    assert "profond" in section.text


# Also seen: diff --format markdown escapes what a heading holds.
def test_diff_markdown_escapes_headings():
    from pipeline.tools.diff import render

    summary = {f"partners_{kind}": 0 for kind in ("added", "removed", "renamed", "modified")}
    added = [{"partner_id": "x", "heading": "*OMD* <b>#1</b>"}]
    changes = {"changed": True, "summary": summary, "partners_added": added,
               "partners_removed": [], "partners_renamed": [], "partners_modified": []}
    text = render(changes, "markdown")
    assert r"\*OMD\* \<b\>\#1\</b\>" in text and "<b>" not in text


# 11. Memory grows with the page's size, not with a record per line set aside: the lines are held as
#     text and a reason number, rejected.csv is written in slices, the writer is sent no list of them.
def test_11_lines_set_aside_cost_little_memory(tmp_path, config):
    n = 100_000
    page = tmp_path / "page.txt"
    page.write_text("Union africaine (UA)\nLa coopération avec l'UA a été signée le 3 mai 2001.\n\n"
                    + "".join(f"{i % 97}\n" for i in range(n)), encoding="utf-8")
    tracemalloc.start()
    try:
        inputs = Pipeline(config).read([page])
        held, read_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        write_run(tmp_path / "out", ("json", "csv"), inputs.documents, config, iter(()), background=False)
        _, write_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert inputs.set_aside == n
    # Measured: 320 B a line while the page is split (its blocks and lines; 580 before), 57 held after
    # (150 before), 40 more while writing (600 before, a row dict and JSON per line at once).
    assert read_peak / n < 400 and held / n < 80 and (write_peak - held) / n < 100
    with open(tmp_path / "out" / "rejected.csv", encoding="utf-8-sig") as rows:
        assert sum(1 for _ in rows) == n + 1


# 15. A full disk in a writer process is one line naming --out (not the hidden folder being filled).
def test_15_a_full_disk_in_a_writer_names_the_output_folder(tmp_path, config, extract_partner, monkeypatch):
    def full(self, partner):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Writer, "add", full)  # inherited by the forked writer processes
    out = tmp_path / "out"
    partner = extract_partner("Union africaine (UA)", "Un Protocole d'accord a été signé le 3 mai 2001.")
    with pytest.raises(OutputError) as raised:
        write_run(out, FORMATS, (), config, iter([partner]), background=True)
    assert raised.value.line().startswith(f"{out}: cannot write the outputs: No space left on device (free some")
    assert sorted(p.name for p in tmp_path.iterdir()) == []
