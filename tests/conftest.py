"""Shared fixtures: the configuration and the spaCy model are loaded once per test session, pages run
in-process through the real pipeline, and the command line runs in a subprocess with a cache of the
test's own (never the repository's ``.cache/``: a guard fails the session if anything was written there)."""

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.analysis import Analyser, run
from pipeline.config import Config
from pipeline.models import Document, RawPage, Section
from pipeline.outputs import rows
from pipeline.stages import analyse
from pipeline.stages.sections import read_documents, to_partners

ROOT = Path(__file__).parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SEED = ROOT / "corpus" / "omd_partenaires_fr.txt"


@pytest.fixture(scope="session")
def config():
    return Config.load()


@pytest.fixture(scope="session")
def analyser(config):
    """The real model and extractors of the shipped configuration, built once for the session."""
    analyser = Analyser(config)
    analyser.extractors  # noqa: B018 - built now, once
    return analyser


@pytest.fixture(scope="session")
def nlp(analyser):
    return analyser.nlp


@pytest.fixture(scope="session")
def parse(analyser):
    def _parse(text):
        return next(iter(analyser.parse([text])))

    return _parse


def run_pages(paths, analyser):
    """partners.json content for the given page files, through the real pipeline."""
    pages = [RawPage(p.relative_to(ROOT).as_posix(), p.read_bytes()) for p in paths]
    documents, errors = read_documents(pages, analyser.config.resources)
    assert not errors, [e.line() for e in errors]
    return json.loads(rows.to_json(run(documents, analyser), analyser.config))


def make_partner(analyser, heading, text, source="tests/unit.txt", published_text=None):
    """One partner built from a heading and its text (and the date line or dateline that dates it, if
    any), through the real splitter and every stage."""
    document = Document(source=source, sha256="", title=None,
                        sections=(Section(source, 1, heading, text, published_text),))
    (partner,) = to_partners((document,), analyser.config.resources)
    return analyse(partner, next(iter(analyser.parse([partner.text]))), analyser.extractors)


@pytest.fixture(scope="session")
def extract_partner(analyser):
    """``extract_partner(heading, text)``: the extracted Partner; the model is loaded once per session."""
    return functools.cache(functools.partial(make_partner, analyser))


def run_cli(*args, cache_dir=None, cwd=None, env=None):
    """``python -m pipeline ARGS`` in a subprocess. A ``run`` (or a ``history``) uses ``cache_dir`` (the
    test's own) unless it says ``--no-cache`` or ``--cache-dir`` itself: never the repository's cache."""
    args = [str(a) for a in args]
    if args[:1] in (["run"], ["history"]) and not {"--no-cache", "--cache-dir", "--help"} & set(args):
        assert cache_dir is not None, "a test's run needs a cache of its own (cache_dir) or --no-cache"
        args += ["--cache-dir", str(cache_dir)]
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=600)


@pytest.fixture
def cli(tmp_path):
    """``run_cli`` with a cache in the test's own temporary folder."""
    return functools.partial(run_cli, cache_dir=tmp_path / "test-cache")


def _snapshot(folder: Path) -> dict:
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*")}


@pytest.fixture(scope="session", autouse=True)
def repository_cache_untouched():
    """Fails the session if any test wrote into the repository's own .cache/ (a test using it would
    depend on what a developer's cache holds; such a test also writes there, which this sees)."""
    before = _snapshot(ROOT / ".cache")
    yield
    assert _snapshot(ROOT / ".cache") == before, "a test read or wrote the repository's .cache/"
