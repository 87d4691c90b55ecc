"""``make stress``: concurrent runs into a few output folders with one shared cache, some killed at
random moments, then checks that nothing is broken (issue 13). Not part of ``make test``: it takes a
few minutes and loads the machine.

Each of ``--runs`` runs (20) reads one of three pages and writes into one of three folders, all with
the same cache; a third of them are killed (SIGKILL or SIGTERM) after a random delay. Then:
- every output folder that exists holds exactly one run's complete set of files, all about one page,
  and its tables match their ``datapackage.json`` (``pipeline.api.load``-free: the files are parsed);
- no temporary or old folder is left beside the output folders once a last run has written there;
- the cache holds no wrong entry: each page run again with the cache gives the same bytes as a run
  without it.
Prints the figures and exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "corpus" / "omd_partenaires_fr.txt", ROOT / "tests" / "fixtures" / "genres" / "rapport_pdf.txt",
         ROOT / "tests" / "fixtures" / "extraction" / "communiques_regionaux.txt"]
FILES = {"partners.json", "partners.csv", "organisations.csv", "agreements.csv", "agreement_list.csv", "dates.csv",
         "themes.csv", "rejected.csv", "datapackage.json", "partners.xlsx", "report.html"}


def run(page: Path, out: Path, cache: Path | None) -> subprocess.Popen:
    args = [sys.executable, "-m", "pipeline", "run", str(page), "--out", str(out), "-q"]
    args += ["--cache-dir", str(cache)] if cache else ["--no-cache"]
    return subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "report.html"}


def check_folder(folder: Path, pages: dict[str, Path]) -> list[str]:
    problems = []
    names = {p.name for p in folder.iterdir()}
    if names != FILES:
        problems.append(f"{folder.name}: files {sorted(names ^ FILES)} differ from a run's set")
        return problems
    data = json.loads((folder / "partners.json").read_text(encoding="utf-8"))
    sources = {d["source"] for d in data["documents"]}
    if len(sources) != 1 or next(iter(sources)) not in pages:
        problems.append(f"{folder.name}: partners.json is about {sources}")
        return problems
    for name in FILES - {"partners.json", "datapackage.json", "partners.xlsx", "report.html"}:
        text = (folder / name).read_text(encoding="utf-8-sig")
        others = {line.split(",", 1)[0] for line in text.splitlines()[1:] if line and line[0] != '"'} - sources
        if others & set(pages):
            problems.append(f"{folder.name}: {name} mixes pages {others}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="omd-stress-"))
    cache = work / "cache"
    pages = {}
    for page in PAGES:
        copy = work / "pages" / page.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, copy)
        pages[copy.as_posix()] = copy
    folders = [work / f"out{i}" for i in range(3)]
    started = time.time()
    procs = []
    for _ in range(args.runs):
        page, out = rng.choice(list(pages.values())), rng.choice(folders)
        procs.append((run(page, out, cache), rng.random() < 1 / 3, rng.uniform(0.5, 8.0), rng.choice(
            [signal.SIGKILL, signal.SIGTERM])))
    killed = 0
    for proc, kill, delay, signum in procs:
        if kill:
            time.sleep(min(delay, 2.0))
            if proc.poll() is None:
                os.killpg(proc.pid, signum)
                killed += 1
    codes = [proc.wait(timeout=900) for proc, *_ in procs]
    time.sleep(1)
    # A last, undisturbed run into each folder, then every check.
    for out in folders:
        last = run(next(iter(pages.values())), out, cache)
        codes.append(last.wait(timeout=900))
    problems = []
    for out in folders:
        problems += check_folder(out, pages)
    litter = sorted(p.name for p in work.iterdir() if p.name.startswith("."))
    if litter:
        problems.append(f"left beside the output folders: {litter}")
    wrong = 0
    for name, page in pages.items():
        a, b = work / "check-cached", work / "check-fresh"
        run(page, a, cache).wait(timeout=900)
        run(page, b, None).wait(timeout=900)
        if outputs(a) != outputs(b):
            wrong += 1
            problems.append(f"the cache gives other outputs for {Path(name).name}")
        shutil.rmtree(a)
        shutil.rmtree(b)
    bad_exits = [c for c in codes if c not in (0, 130, -9, -15, 137, 143)]
    if bad_exits:
        problems.append(f"unexpected exit codes {bad_exits}")
    print(f"stress: {args.runs} concurrent runs into 3 folders, one cache; {killed} killed (SIGKILL or SIGTERM); "
          f"exit codes {sorted(set(codes))}; {len(folders)} folders checked, {len(pages)} pages re-run against the "
          f"cache ({wrong} wrong); {time.time() - started:.0f} s")
    for p in problems:
        print(f"FAIL {p}")
    if not problems:
        print("PASS every folder is one complete run of one page; no litter; the cache holds no wrong entry")
        shutil.rmtree(work)
    else:
        print(f"(kept for inspection: {work})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
