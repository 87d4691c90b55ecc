"""Speed and memory benchmark of the pipeline on a synthetic corpus (``make bench``).

One run:

1. builds a deterministic synthetic corpus from the seed page ``corpus/omd_partenaires_fr.txt`` at
   each size (default 1,000 and 10,000 sections), written as pages of 100 ``|``-separated sections.
   Sections are shuffled copies of the seed's 16, each given a partner from
   ``pipeline/resources/organisations.toml`` (heading ``Nom (ACR)``, the seed partner's name and
   acronym replaced in the text), new days, months and years, and a numbered sentence, so that every
   section text is distinct and no per-string cache can make the figures look better than they are;
2. measures, each as the median of ``--repeat`` runs (separate processes, wall time; peak memory is
   the child's ``ru_maxrss`` read with ``os.wait4``, which covers its own children too):
   (a) the bare spaCy baseline: the full default ``fr_core_news_sm`` over the same texts,
   (b) ``python -m pipeline run <pages> --no-cache`` at each size,
   (c) a re-run on unchanged input with a filled cache (and whether spaCy was imported at all),
   (d) a re-run after 1% of the sections changed,
   (e) ``--workers 2`` at the largest size, and whether its outputs are byte-identical,
   (f) peak memory of (b) at each size,
   (g) ``--help``, a cold run on the seed page alone, and the trimmed model's load time;
   (h) ``history`` over 10 dated versions of the seed page (each a small edit of the one before:
       a sentence added, a section removed, a date changed, a section back), against (g)'s cold run;
3. prints the figures and the checked ratios (PASS/FAIL) and writes them all to
   ``bench/results.json``.

Usage: ``python bench/bench.py [--sizes 1000,10000] [--repeat 3] [--quick] [--keep]``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.config import BATCH_SIZE, MODEL

# The model's load time is measured as the pipeline loads it: without the parts it leaves out.
from pipeline.nlp import EXCLUDED

ROOT = Path(__file__).resolve().parent.parent
SEED_PAGE = ROOT / "corpus" / "omd_partenaires_fr.txt"
ORGANISATIONS = ROOT / "pipeline" / "resources" / "organisations.toml"
RESULTS = ROOT / "bench" / "results.json"
PARTIAL = ROOT / "bench" / "results.partial.json"  # the figures so far, while the bench runs

RANDOM_SEED = 20_240_613
SECTIONS_PER_PAGE = 100
CHANGED_SHARE = 0.01
HELP_REPEAT = 5
HISTORY_VERSIONS = 10
HISTORY_LIMIT = 2.0  # a history over HISTORY_VERSIONS versions costs less than this many cold runs of one
HOST_ORGANISATION = "OMD"  # the pages are about its partners: never a partner itself

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
# One pass over every date: "13 mai 1998", "novembre 2006", "2002" (a bare year).
_DATE = re.compile(
    rf"\b(?:(?P<day>\d{{1,2}}) )?(?P<month>{'|'.join(MONTHS)}) (?P<year>(?:19|20)\d\d)\b|\b(?P<bare>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_HEADING = re.compile(r"^(?P<name>.*?)\s*\((?P<acronym>[^()]+)\)\s*$")
_CAPITALS = re.compile(r"^[A-Z]{2,}$")

# A child that only loads the model (and optionally runs it over texts), timing itself.
_SPACY_SCRIPT = """
import json, sys, time
model, exclude, texts_file = sys.argv[1], [x for x in sys.argv[2].split(",") if x], sys.argv[3]
start = time.perf_counter()
import spacy
nlp = spacy.load(model, exclude=exclude)
loaded = time.perf_counter()
pipe_s = None
if texts_file:
    with open(texts_file, encoding="utf-8") as handle:
        texts = json.load(handle)
    begin = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=int(sys.argv[4])):
        pass
    pipe_s = time.perf_counter() - begin
print(json.dumps({"load_s": loaded - start, "pipe_s": pipe_s, "pipes": nlp.pipe_names}))
"""


class BenchError(RuntimeError):
    """A measured command failed: the figures would be meaningless."""


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- The synthetic corpus --------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    heading: str
    text: str


@dataclass(frozen=True)
class Corpus:
    size: int
    path: Path  # the folder of pages (or the one page)
    sections: tuple[Section, ...]

    @property
    def words(self) -> int:
        return sum(len(s.text.split()) for s in self.sections)

    @property
    def pages(self) -> int:
        return -(-self.size // SECTIONS_PER_PAGE)


def read_seed(path: Path = SEED_PAGE) -> list[Section]:
    """The seed page's sections: blocks between ``|`` lines, a heading line then the paragraph."""
    blocks = re.split(r"^\|\s*$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    sections = []
    for block in blocks:
        lines = [line for line in block.strip().splitlines() if line.strip()]
        if len(lines) >= 2:
            sections.append(Section(lines[0].strip(), " ".join(line.strip() for line in lines[1:])))
    return sections


def read_partners(path: Path = ORGANISATIONS) -> list[tuple[str, str | None]]:
    """(name, acronym) of every organisation of the gazetteer but the host."""
    with path.open("rb") as handle:
        organisations = tomllib.load(handle)["organisation"]
    return [(o["name"], o.get("acronym")) for o in organisations if o.get("acronym") != HOST_ORGANISATION]


def _replace_words(text: str, old: str, new: str) -> str:
    pattern = re.compile(rf"(?<!\w){re.escape(old)}(?!\w)", re.IGNORECASE)
    return pattern.sub(lambda _: new, text)


def rename_partner(seed: Section, name: str, acronym: str | None) -> Section:
    """The seed section about another partner: new heading, the old name and acronym replaced."""
    match = _HEADING.match(seed.heading)
    old_name, old_acronym = (match["name"], match["acronym"]) if match else (seed.heading, None)
    if not match and _CAPITALS.match(seed.heading.split()[-1]):  # "Secrétariat de la CITES"
        old_acronym = seed.heading.split()[-1]
    text = _replace_words(seed.text, old_name, name)
    if old_acronym:
        text = _replace_words(text, old_acronym, acronym or name)
    return Section(f"{name} ({acronym})" if acronym else name, text)


def vary_dates(text: str, rng: random.Random) -> str:
    """Every date and year of ``text`` replaced by a random one of the same shape."""

    def new_date(match: re.Match) -> str:
        year = str(rng.randint(1950, 2024))
        if match["bare"]:
            return year
        month = rng.choice(MONTHS)
        return f"{rng.randint(1, 28)} {month} {year}" if match["day"] else f"{month} {year}"

    return _DATE.sub(new_date, text)


def build_sections(seed: list[Section], partners: list[tuple[str, str | None]], size: int,
                   rng: random.Random) -> tuple[Section, ...]:
    """``size`` distinct sections: shuffled rounds of the seed, each about a random partner."""
    order: list[Section] = []
    while len(order) < size:
        round_ = list(seed)
        rng.shuffle(round_)
        order.extend(round_)
    sections = []
    for i, base in enumerate(order[:size]):
        section = rename_partner(base, *rng.choice(partners))
        extra = (f" En {rng.randint(1950, 2024)}, {rng.randint(2, 60)} réunions conjointes se sont tenues"
                 f" (dossier {i:05d}-{rng.randint(10, 99)}).")
        sections.append(Section(section.heading, vary_dates(section.text, rng) + extra))
    return tuple(sections)


def change_sections(sections: Sequence[Section], share: float, rng: random.Random) -> tuple[Section, ...]:
    """A copy with ``share`` of the sections' texts edited (one sentence added to each)."""
    chosen = set(rng.sample(range(len(sections)), max(1, round(len(sections) * share))))
    return tuple(
        Section(s.heading, f"{s.text} Cette fiche a été mise à jour (révision {rng.randint(2, 9)}).")
        if i in chosen else s
        for i, s in enumerate(sections)
    )


def write_pages(sections: Sequence[Section], folder: Path) -> Path:
    """The sections as plain-text pages of ``SECTIONS_PER_PAGE`` sections, ``|`` lines between them."""
    folder.mkdir(parents=True)
    for number, start in enumerate(range(0, len(sections), SECTIONS_PER_PAGE), 1):
        chunk = sections[start:start + SECTIONS_PER_PAGE]
        body = "".join(f"{s.heading}\n{s.text}\n|\n" for s in chunk)
        (folder / f"page_{number:04d}.txt").write_text(body, encoding="utf-8")
    return folder


def write_versions(seed: Sequence[Section], count: int, folder: Path) -> Path:
    """``count`` dated versions of the seed page (``seed-2024-01-01.txt``…), each a small edit of the one
    before, in turn: a sentence added to a section, a section removed, a year changed, the section
    removed two versions before back again."""
    folder.mkdir(parents=True)
    sections = list(seed)
    removed: list[tuple[int, Section]] = []
    for n in range(count):
        if n:
            at = (3 * n) % len(sections)
            edit = n % 4
            if edit == 1:
                sections[at] = Section(sections[at].heading, f"{sections[at].text} Mise à jour n° {n}.")
            elif edit == 2:
                removed.append((at, sections.pop(at)))
            elif edit == 3:
                sections[at] = Section(sections[at].heading, _YEAR.sub(lambda m: str(int(m[0]) + 1),
                                                                       sections[at].text, count=1))
            elif removed:
                at, back = removed.pop()
                sections.insert(min(at, len(sections)), back)
        body = "".join(f"{s.heading}\n{s.text}\n|\n" for s in sections)
        (folder / f"seed-2024-{n + 1:02d}-01.txt").write_text(body, encoding="utf-8")
    return folder


def build_corpus(size: int, workdir: Path) -> Corpus:
    rng = random.Random(f"{RANDOM_SEED}-{size}")
    sections = build_sections(read_seed(), read_partners(), size, rng)
    assert len({s.text for s in sections}) == size, "section texts must all differ"
    return Corpus(size, write_pages(sections, workdir / f"pages-{size}"), sections)


# --- Running and timing child processes ------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    seconds: float  # wall time
    cpu_seconds: float  # user + system time of the child and the children it waited for
    max_rss_mb: float
    stdout: str
    stderr: str


def run_child(args: Sequence[str], cwd: Path, env: dict[str, str], ok: Sequence[int] = (0,)) -> Measure:
    """Wall time, CPU time and peak RSS of one child process, from its own ``os.wait4`` rusage.

    ``ru_maxrss`` from ``wait4`` is this child's peak (or that of a worker it reaped, if larger),
    unlike ``RUSAGE_CHILDREN`` deltas, which keep the largest of every child so far. An exit code
    outside ``ok`` raises BenchError.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(args), cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # interrupted: the measured child must not outlive the bench
            proc.kill()
            proc.wait()
            raise
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if proc.returncode not in ok:
        tail = "\n".join(stderr.strip().splitlines()[-15:])
        raise BenchError(f"exit {proc.returncode}: {' '.join(map(str, args))}\n{tail}")
    return Measure(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout, stderr)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def extraction_failures(out: Path) -> int:
    """Sections a run set aside because their extraction raised (from its rejected.csv)."""
    path = out / "rejected.csv"
    if not path.is_file():
        return 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sum(row.get("reason", "").startswith("extraction failed") for row in csv.DictReader(handle))


def tree_digest(folder: Path) -> str:
    """Hash of a folder's files (names and bytes), compiled files left out."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def compare_folders(left: Path, right: Path) -> list[str]:
    """Names of the files that are not byte-identical in both folders (or only in one)."""
    names = {p.relative_to(left).as_posix() for p in left.rglob("*") if p.is_file()}
    names |= {p.relative_to(right).as_posix() for p in right.rglob("*") if p.is_file()}
    return sorted(n for n in names
                  if not ((left / n).is_file() and (right / n).is_file()
                          and (left / n).read_bytes() == (right / n).read_bytes()))


# --- The measurements ------------------------------------------------------------------------------


@dataclass
class Figure:
    """One row of the table."""

    key: str
    what: str
    seconds: float | None = None
    cpu_seconds: float | None = None
    sections: int | None = None
    words: int | None = None
    max_rss_mb: float | None = None
    note: str = ""

    @property
    def sections_per_s(self) -> float | None:
        return self.sections / self.seconds if self.sections and self.seconds else None

    @property
    def words_per_s(self) -> float | None:
        return self.words / self.seconds if self.words and self.seconds else None

    def as_dict(self) -> dict:
        return {**asdict(self), "sections_per_s": self.sections_per_s, "words_per_s": self.words_per_s}


class Bench:
    """The measurements, run from a snapshot of ``pipeline/`` taken when the bench starts.

    Every child imports the package from that snapshot, so that the figures all describe the same
    code (and its cache keys stay valid) even if the working tree is edited during the bench.
    """

    def __init__(self, workdir: Path, repeats: int) -> None:
        self.workdir = workdir
        self.repeats = repeats
        self.figures: dict[str, Figure] = {}
        self.facts: dict[str, object] = {}
        self.failures: dict[str, int] = {}  # run label -> sections set aside by an extraction error
        self.load_samples: list[float] = []  # 1-minute load average after each measured run
        code = workdir / "code"
        shutil.copytree(ROOT / "pipeline", code / "pipeline", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        self.code_digest = tree_digest(code / "pipeline")
        python_path = os.pathsep.join(filter(None, [str(code), os.environ.get("PYTHONPATH")]))
        self.env = {**os.environ, "PYTHONPATH": python_path}

    # Children -------------------------------------------------------------------------------------

    def child(self, args: Sequence[str], ok: Sequence[int] = (0,)) -> Measure:
        return run_child(args, self.workdir, self.env, ok)

    def pipeline(self, inputs: Sequence[Path | str], out: Path, *options: str,
                 python_options: Sequence[str] = ()) -> Measure:
        """``python -m pipeline run``; exit 1 (some sections set aside, the rest written) is accepted."""
        args = [sys.executable, *python_options, "-m", "pipeline", "run", *map(str, inputs), "--out", str(out),
                *options]
        return self.child(args, ok=(0, 1))

    def spacy(self, exclude: Sequence[str] = (), texts_file: Path | None = None) -> tuple[Measure, dict]:
        """A child that loads the model (and pipes ``texts_file``), with its own timings."""
        measure = self.child([sys.executable, "-c", _SPACY_SCRIPT, MODEL, ",".join(exclude),
                              str(texts_file or ""), str(BATCH_SIZE)])
        return measure, json.loads(measure.stdout.strip().splitlines()[-1])

    def repeat(self, label: str, once: Callable[[int], Measure], times: int | None = None) -> list[Measure]:
        """``once(rep)`` run ``times`` times (default ``--repeat``), each reported as it ends."""
        times = times or self.repeats
        measures = []
        for rep in range(1, times + 1):
            measure = once(rep)
            self.load_samples.append(os.getloadavg()[0])
            say(f"{label} [{rep}/{times}]: {measure.seconds:.2f} s wall, {measure.cpu_seconds:.2f} s cpu, "
                f"{measure.max_rss_mb:.0f} MB (load avg {self.load_samples[-1]:.2f})")
            measures.append(measure)
        return measures

    def timed_runs(self, label: str, inputs: Sequence[Path | str], *options: str, times: int | None = None,
                   before: Callable[[], None] | None = None, keep_out: Path | None = None) -> list[Measure]:
        """``pipeline run`` repeated, ``before()`` each time; the last run's outputs kept in ``keep_out``."""
        times = times or self.repeats

        def once(rep: int) -> Measure:
            if before:
                before()
            out = self.fresh(f"out-{label}")
            measure = self.pipeline(inputs, out, *options)
            self.note_failures(label, out)
            if keep_out is not None and rep == times:
                shutil.rmtree(keep_out, ignore_errors=True)
                out.rename(keep_out)
            else:
                shutil.rmtree(out, ignore_errors=True)
            return measure

        return self.repeat(label, once, times)

    # Bookkeeping ----------------------------------------------------------------------------------

    def add(self, key: str, what: str, measures: Sequence[Measure] = (), corpus: Corpus | None = None,
            seconds: float | None = None, note: str = "") -> None:
        """A row: median wall and CPU time and largest peak RSS of ``measures`` (or ``seconds`` given)."""
        self.figures[key] = Figure(
            key, what,
            seconds if seconds is not None else median([m.seconds for m in measures]),
            median([m.cpu_seconds for m in measures]) if measures and seconds is None else None,
            corpus.size if corpus else None, corpus.words if corpus else None,
            max(m.max_rss_mb for m in measures) if measures else None, note)
        data = {"figures": {k: f.as_dict() for k, f in self.figures.items()}, "facts": self.facts}
        PARTIAL.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    def fresh(self, name: str) -> Path:
        """A path under the work folder that does not exist (any previous one removed)."""
        path = self.workdir / name
        if path.exists():
            shutil.rmtree(path)
        return path

    def note_failures(self, label: str, out: Path) -> None:
        failed = extraction_failures(out)
        if failed:
            self.failures[label] = failed
            say(f"warning: {label}: {failed} section(s) set aside by an extraction error")

    def source_changed(self) -> bool:
        """Whether ``pipeline/`` in the working tree differs from the snapshot measured."""
        return tree_digest(ROOT / "pipeline") != self.code_digest

    # (g) start-up figures ------------------------------------------------------------------------

    def startup(self, seed: Corpus) -> None:
        helps = self.repeat("--help", lambda _: self.child([sys.executable, "-m", "pipeline", "--help"]),
                            times=HELP_REPEAT)
        self.add("help", "python -m pipeline --help", helps, note=f"median of {HELP_REPEAT}")
        loads: list[float] = []

        def load_model(_: int) -> Measure:
            measure, data = self.spacy(exclude=EXCLUDED)
            loads.append(data["load_s"])
            return measure

        self.repeat("model load (as the pipeline loads it)", load_model)
        self.add("model_load", f"import spacy + spacy.load({MODEL}, exclude=[{', '.join(EXCLUDED)}])",
                 seconds=median(loads),
                 note="timed inside the child")
        runs = self.timed_runs("seed-cold", [seed.path], "--no-cache", "-q")
        self.add("seed_cold", "run on the seed page alone, --no-cache", runs, seed)

    # (h) a page's history ------------------------------------------------------------------------

    def history(self, seed: Corpus) -> None:
        """``history`` over HISTORY_VERSIONS dated versions of the seed page, without the cache (each
        section is still analysed once: the versions share most of theirs), as the issue asks."""
        folder = write_versions(read_seed(), HISTORY_VERSIONS, self.fresh("history-versions"))

        def once(_: int) -> Measure:
            out = self.fresh("out-history")
            measure = self.child([sys.executable, "-m", "pipeline", "history", str(folder), "--out", str(out),
                                  "--no-cache", "-q"])
            shutil.rmtree(out, ignore_errors=True)
            return measure

        runs = self.repeat(f"history-{HISTORY_VERSIONS}", once)
        self.add("history", f"history over {HISTORY_VERSIONS} versions of the seed page, --no-cache", runs, seed,
                 note="every version analysed; outputs of the latest, with history.csv and the timeline")

    # (a) bare spaCy baseline ---------------------------------------------------------------------

    def baseline(self, corpus: Corpus) -> None:
        texts_file = self.workdir / f"texts-{corpus.size}.json"
        texts_file.write_text(json.dumps([s.text for s in corpus.sections], ensure_ascii=False), encoding="utf-8")
        timings: list[dict] = []

        def pipe(_: int) -> Measure:
            measure, data = self.spacy(texts_file=texts_file)
            timings.append(data)
            say(f"baseline {corpus.size}: load {data['load_s']:.2f} s, pipe {data['pipe_s']:.2f} s")
            return measure

        measures = self.repeat(f"baseline-{corpus.size}", pipe)
        load, piped = median([t["load_s"] for t in timings]), median([t["pipe_s"] for t in timings])
        self.add(f"baseline_load_{corpus.size}", f"baseline: spacy.load({MODEL}), nothing excluded", seconds=load,
                 note="reported apart")
        self.add(f"baseline_pipe_{corpus.size}", f"baseline: nlp.pipe, {corpus.size} sections", measures, corpus,
                 seconds=piped, note=f"batch {BATCH_SIZE}; {'+'.join(timings[-1]['pipes'])}")
        self.add(f"baseline_{corpus.size}", f"baseline: load + pipe, {corpus.size} sections", corpus=corpus,
                 seconds=load + piped, note="what run is compared with")
        texts_file.unlink()

    # (b) + (f) cold runs -------------------------------------------------------------------------

    def cold_run(self, corpus: Corpus, keep_out: Path | None = None) -> None:
        runs = self.timed_runs(f"run-{corpus.size}", [corpus.path], "--no-cache", "-q", keep_out=keep_out)
        self.add(f"run_{corpus.size}", f"run --no-cache, {corpus.size} sections ({corpus.pages} pages)", runs, corpus,
                 note="whole process: start, model load, analysis, every output")

    # (e) two workers -----------------------------------------------------------------------------

    def workers(self, corpus: Corpus, single_out: Path) -> None:
        parallel_out = self.workdir / f"outputs-workers2-{corpus.size}"
        runs = self.timed_runs(f"workers2-{corpus.size}", [corpus.path], "--workers", "2", "--no-cache", "-q",
                               keep_out=parallel_out)
        differing = compare_folders(single_out, parallel_out)
        self.facts.update(workers2_outputs_identical=not differing, workers2_differing_files=differing,
                          workers2_files_compared=sorted(p.name for p in single_out.iterdir()))
        self.add(f"workers2_{corpus.size}", f"run --workers 2 --no-cache, {corpus.size} sections", runs, corpus,
                 note="outputs byte-identical" if not differing else f"DIFFER: {', '.join(differing)}")
        shutil.rmtree(parallel_out)

    # (c) + (d) re-runs with the cache ------------------------------------------------------------

    def reruns(self, corpus: Corpus) -> None:
        cache = self.fresh(f"cache-{corpus.size}")
        fill = self.timed_runs(f"cache-fill-{corpus.size}", [corpus.path], "--cache-dir", str(cache), "-q", times=1)
        self.add(f"cache_fill_{corpus.size}", f"run filling an empty cache, {corpus.size} sections", fill, corpus,
                 note="once")

        unchanged = self.timed_runs(f"rerun-unchanged-{corpus.size}", [corpus.path], "--cache-dir", str(cache), "-q")
        reused, analysed, spacy_imported = self.cache_check([corpus.path], cache)
        self.facts.update(unchanged_cache_reused=reused, unchanged_cache_analysed=analysed,
                          unchanged_spacy_imported=spacy_imported)
        self.add(f"rerun_unchanged_{corpus.size}", f"re-run, unchanged input, {corpus.size} sections", unchanged,
                 corpus, note=f"cache: {reused} reused, {analysed} analysed; spaCy "
                              f"{'imported' if spacy_imported else 'not imported'}")

        changed_sections = change_sections(corpus.sections, CHANGED_SHARE, random.Random(f"{RANDOM_SEED}-changed"))
        changed = write_pages(changed_sections, self.fresh(f"pages-{corpus.size}-changed"))
        rep_cache = self.workdir / f"cache-{corpus.size}-rep"

        def copy_cache() -> None:  # every re-run starts from the cache the unchanged run filled
            shutil.rmtree(rep_cache, ignore_errors=True)
            shutil.copytree(cache, rep_cache)

        partial = self.timed_runs(f"rerun-1pct-{corpus.size}", [changed], "--cache-dir", str(rep_cache), "-q",
                                  before=copy_cache)
        copy_cache()
        reused, analysed, _ = self.cache_check([changed], rep_cache)
        self.facts.update(changed_cache_reused=reused, changed_cache_analysed=analysed)
        self.add(f"rerun_1pct_{corpus.size}", f"re-run, {CHANGED_SHARE:.0%} of sections changed", partial, corpus,
                 note=f"cache: {reused} reused, {analysed} analysed")
        for path in (cache, rep_cache, changed):
            shutil.rmtree(path, ignore_errors=True)

    def cache_check(self, inputs: Sequence[Path], cache: Path) -> tuple[int | None, int | None, bool]:
        """One verbose run with -X importtime: (sections reused, sections analysed, spaCy imported)."""
        measure = self.pipeline(inputs, self.fresh("out-check"), "--cache-dir", str(cache), "-v",
                                python_options=("-X", "importtime"))
        found = re.search(r"cache: (\d+) reused, (\d+) analysed", measure.stderr)
        spacy_imported = re.search(r"\|\s+spacy(\.|\s*$)", measure.stderr, re.MULTILINE) is not None
        return (int(found[1]), int(found[2]), spacy_imported) if found else (None, None, spacy_imported)


# --- Checks, table, results ------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    name: str
    value: float
    limit: float
    at_most: bool  # value <= limit passes; else value >= limit passes
    unit: str
    note: str = ""
    extra_ok: bool = True  # a condition besides the number (identical outputs)

    @property
    def passed(self) -> bool:
        within = self.value <= self.limit if self.at_most else self.value >= self.limit
        return within and self.extra_ok

    @property
    def margin(self) -> float:
        """How far the value is from its limit, relative to the limit (negative: on the wrong side)."""
        return (self.limit - self.value) / self.limit if self.at_most else (self.value - self.limit) / self.limit

    def as_dict(self) -> dict:
        return {**asdict(self), "passed": self.passed, "margin": self.margin}


def checks(bench: Bench, small: int, large: int) -> list[Check]:
    f = {k: v.seconds for k, v in bench.figures.items()}
    cold, load = f[f"run_{large}"], f["model_load"]
    rss = bench.figures
    identical = bool(bench.facts.get("workers2_outputs_identical"))
    return [
        Check(f"run({large}) / baseline({large})", cold / f[f"baseline_{large}"], 1.0, True, "x",
              "baseline = full model load + nlp.pipe; run also loads its model and writes every output"),
        Check("throughput(workers 2) / throughput(workers 1)", cold / f[f"workers2_{large}"], 1.6, False, "x",
              f"at {large}; outputs {'identical' if identical else 'DIFFER'}", extra_ok=identical),
        Check("unchanged re-run / cold run", f[f"rerun_unchanged_{large}"] / cold, 0.05, True, "x", f"at {large}"),
        Check(f"{CHANGED_SHARE:.0%}-changed re-run (s) vs 0.10 x cold + model load", f[f"rerun_1pct_{large}"],
              0.10 * cold + load, True, "s", f"limit = 0.10 x {cold:.1f} + {load:.1f}"),
        Check(f"peak RSS({large}) / peak RSS({small})",
              rss[f"run_{large}"].max_rss_mb / rss[f"run_{small}"].max_rss_mb, 1.25, True, "x",
              f"{rss[f'run_{large}'].max_rss_mb:.0f} / {rss[f'run_{small}'].max_rss_mb:.0f} MB"),
        Check("--help (s)", f["help"], 0.3, True, "s"),
        Check("cold seed run (s) vs model load + 1.5 s", f["seed_cold"], load + 1.5, True, "s",
              f"limit = {load:.2f} + 1.5"),
        Check(f"history over {HISTORY_VERSIONS} versions / cold seed run", f["history"] / f["seed_cold"],
              HISTORY_LIMIT, True, "x", f"{f['history']:.2f} / {f['seed_cold']:.2f} s"),
    ]


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.{digits}f}"


def _grid(rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> list[str]:
    """Rows as aligned text columns (the ``right`` ones right-aligned), a rule under the first."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
             for row in rows]
    lines.insert(1, "-" * max(map(len, lines)))
    return lines


def _verdict(check: Check) -> str:
    if check.passed:
        return "PASS"
    if check.margin >= 0:
        return "FAIL (outputs differ)"
    return f"FAIL ({abs(check.margin):.0%} {'over' if check.at_most else 'under'})"


def render_table(figures: Sequence[Figure], results: Sequence[Check]) -> str:
    rows = [("measure", "seconds", "cpu s", "sections/s", "words/s", "peak MB", "note")]
    rows += [(fig.what, _fmt(fig.seconds), _fmt(fig.cpu_seconds), _fmt(fig.sections_per_s, 1),
              _fmt(fig.words_per_s, 0), _fmt(fig.max_rss_mb, 0), fig.note) for fig in figures]
    checked = [("check", "value", "target", "result", "note")]
    for c in results:
        unit = " s" if c.unit == "s" else ""
        checked.append((c.name, f"{c.value:.3f}{unit}", f"{'<=' if c.at_most else '>='} {c.limit:.3f}{unit}",
                        _verdict(c), c.note))
    return "\n".join([*_grid(rows, right=(1, 2, 3, 4, 5)), "", *_grid(checked)])


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def write_results(bench: Bench, corpora: Sequence[Corpus], results: Sequence[Check], args: argparse.Namespace) -> None:
    data = {
        "commit": git("rev-parse", "--short", "HEAD") or None,
        "worktree_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {"sizes": args.sizes, "repeat": args.repeat, "quick": args.quick, "random_seed": RANDOM_SEED,
                     "sections_per_page": SECTIONS_PER_PAGE, "model": MODEL, "python": sys.version.split()[0],
                     "cpus": os.cpu_count(), "memory_probe": "os.wait4 ru_maxrss of each child"},
        "corpus": {str(c.size): {"sections": c.size, "pages": c.pages, "words": c.words} for c in corpora},
        "figures": {k: fig.as_dict() for k, fig in bench.figures.items()},
        "code_snapshot_digest": bench.code_digest,
        "facts": bench.facts,
        "extraction_failures": bench.failures,
        "checks": [c.as_dict() for c in results],
        "all_passed": all(c.passed for c in results),
    }
    RESULTS.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    PARTIAL.unlink(missing_ok=True)


def warnings(bench: Bench) -> list[str]:
    """What makes the figures less trustworthy than they look."""
    found = [f"{label}: {n} section(s) set aside by an extraction error (exit 1)"
             for label, n in bench.failures.items()]
    if bench.facts["source_changed_during_bench"]:
        found.append("pipeline/ was edited during the bench; the figures are those of the snapshot taken at its start")
    if bench.facts["load_average_max"] > 2.5:
        found.append(f"the machine was busy (1-minute load average up to {bench.facts['load_average_max']:.1f} "
                     f"on {os.cpu_count()} CPUs, the bench using 1-2): wall times are inflated")
    return found


# --- Entry point -----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="Corpus sizes in sections, comma-separated.")
    parser.add_argument("--repeat", type=int, default=3, help="Repetitions of each measure (the median is kept).")
    parser.add_argument("--quick", action="store_true", help="Sizes 200,1000 and one repetition: for debugging.")
    parser.add_argument("--keep", action="store_true", help="Keep the work folder (corpora, outputs) and say where.")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat = "200,1000", 1
    args.sizes = sorted({int(s) for s in str(args.sizes).split(",") if s.strip()})
    if not args.sizes or min(args.sizes) < 1 or args.repeat < 1:
        parser.error("sizes and --repeat must be positive")
    return args


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # so that the work folder is removed and the running child killed


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminated)
    small, large = args.sizes[0], args.sizes[-1]
    workdir = Path(tempfile.mkdtemp(prefix="omd-bench-"))
    started = time.perf_counter()
    try:
        bench = Bench(workdir, args.repeat)
        corpora = [build_corpus(size, workdir) for size in args.sizes]
        for corpus in corpora:
            say(f"corpus {corpus.size}: {corpus.pages} pages, {corpus.words:,} words in {corpus.path}")
        seed = Corpus(len(read_seed()), SEED_PAGE, tuple(read_seed()))
        bench.startup(seed)
        bench.history(seed)
        single_out = workdir / f"outputs-workers1-{large}"
        for corpus in corpora:
            bench.baseline(corpus)
            bench.cold_run(corpus, keep_out=single_out if corpus.size == large else None)
        bench.workers(corpora[-1], single_out)
        bench.reruns(corpora[-1])
        bench.facts.update(
            source_changed_during_bench=bench.source_changed(),
            load_average_max=max(bench.load_samples), load_average_mean=statistics.fmean(bench.load_samples))
    except BenchError as exc:
        say(f"a measured command failed, no results written (figures so far in {PARTIAL.name}):\n{exc}")
        return 3
    finally:
        if args.keep:
            say(f"work folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results = checks(bench, small, large)
    write_results(bench, corpora, results, args)
    print(render_table(list(bench.figures.values()), results))
    for warning in warnings(bench):
        print(f"warning: {warning}")
    print(f"\n{sum(c.passed for c in results)}/{len(results)} checks passed; medians of {args.repeat} run(s); "
          f"bench took {time.perf_counter() - started:.0f} s; figures in {RESULTS.relative_to(ROOT)}")
    return 0 if all(c.passed for c in results) else 1


if __name__ == "__main__":
    sys.exit(main())
