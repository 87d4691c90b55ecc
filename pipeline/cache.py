"""Per-section results kept between runs, so that a re-run only analyses the sections that changed.

A section's entry is keyed on everything its result depends on: its heading and text, the code of
the pipeline, the resource files' content, and the spaCy model's name and version. Editing a
gazetteer or the code therefore invalidates exactly what it must. An entry that cannot be read or
does not have the expected shape is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, replace
from functools import cache
from pathlib import Path

from . import resources
from .models import Agreement, DateMention, Mention, Organisation, Partner, Theme

DEFAULT_DIR = Path(".cache") / "pipeline"


@cache
def code_fingerprint() -> str:
    """Hash of the code a section's result depends on: the stages' modules and what they build on.
    Editing the CLI, the exports or the report keeps the cache; editing an extractor does not."""
    import sys

    from . import cues, models, nlp, pipeline

    modules = {sys.modules[stage.__module__] for stage in pipeline.STAGES} | {cues, models, nlp, pipeline}
    digest = hashlib.sha256()
    for path in sorted(Path(m.__file__) for m in modules):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def _run_key() -> str:
    from . import __version__
    from .nlp import MODEL, model_version

    parts = (__version__, code_fingerprint(), resources.fingerprint(), MODEL, model_version())
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def key(partner: Partner) -> str:
    data = "\0".join((_run_key(), partner.heading, partner.name, partner.acronym or "", partner.text))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


class Cache:
    def __init__(self, folder: Path = DEFAULT_DIR) -> None:
        self.folder = Path(folder)
        self.hits = 0
        self.misses = 0

    def _path(self, k: str) -> Path:
        return self.folder / k[:2] / f"{k}.json"

    def get(self, partner: Partner) -> Partner | None:
        path = self._path(key(partner))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            result = _restore(partner, data)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, partner: Partner) -> None:
        path = self._path(key(partner))
        data = {name: [asdict(item) for item in getattr(partner, name)]
                for name in ("organisations", "agreements", "dates", "themes")}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs time


def _restore(partner: Partner, data: dict) -> Partner:
    orgs = tuple(
        Organisation(name=o["name"], acronym=o["acronym"], source=o["source"],
                     mentions=tuple(Mention(**m) for m in o["mentions"]))
        for o in data["organisations"]
    )
    agreements = tuple(Agreement(**{**a, "parties": tuple(a["parties"])}) for a in data["agreements"])
    dates = tuple(DateMention(**d) for d in data["dates"])
    themes = tuple(Theme(code=t["code"], label=t["label"], evidence=tuple(t["evidence"])) for t in data["themes"])
    for item in (*orgs, *agreements, *dates):
        for m in getattr(item, "mentions", (item,)):
            if partner.text[m.start:m.end] != (m.text if hasattr(m, "text") else m.label):
                raise ValueError("offsets do not point at the text")
    return replace(partner, organisations=orgs, agreements=agreements, dates=dates, themes=themes)
