"""Shared fixtures: the spaCy model is loaded once per test session, and pages are run in-process."""

import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


def run_pages(paths):
    """partners.json content for the given page files, through the real pipeline."""
    import json

    from pipeline import export, pipeline

    pages = [(p.relative_to(ROOT).as_posix(), p.read_bytes()) for p in paths]
    documents, errors = pipeline.read_documents(pages)
    assert not errors, [e.line() for e in errors]
    return json.loads(export.to_json(pipeline.run(documents)))


@pytest.fixture(scope="session")
def nlp():
    from pipeline import nlp as nlp_module

    return nlp_module.load()


@pytest.fixture(scope="session")
def parse(nlp):
    from pipeline import nlp as nlp_module

    def _parse(text):
        return next(nlp_module.parse([text]))

    return _parse


def make_partner(heading, text, source="tests/unit.txt"):
    """One partner built from a heading and its text, through the real splitter and every stage."""
    from pipeline import nlp as nlp_module
    from pipeline.models import Document, Section
    from pipeline.pipeline import analyse
    from pipeline.sections import to_partners

    document = Document(source=source, sha256="", title=None, sections=(Section(source, 1, heading, text),))
    (partner,) = to_partners((document,))
    return analyse(partner, next(nlp_module.parse([partner.text])))


@pytest.fixture(scope="session")
def extract_partner(nlp):
    """``extract_partner(heading, text)``: the extracted Partner; the model is loaded once per session."""
    return functools.cache(make_partner)
