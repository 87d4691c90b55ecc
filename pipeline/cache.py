"""Results kept between runs, so that a re-run only analyses the sections that changed.

A section's entry is keyed on everything its result depends on: its heading and text, the code of
the pipeline, the resource files' content, and the spaCy model's name and version. Editing a
gazetteer or the code therefore invalidates exactly what it must. An entry that cannot be read or
does not have the expected shape is ignored and rebuilt, never trusted.

The output files of the last few runs are kept too, keyed on the pages' bytes and names, the formats
asked for, all of the package's code and resources and the model: a run identical to one of them
copies its files (checked against their recorded SHA-256) instead of writing them again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import msgspec

from . import resources
from .models import Agreement, DateMention, Organisation, Partner, Theme

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


@cache
def package_fingerprint() -> str:
    """Hash of every module of the package: any of them (export, report, schema) shapes the outputs."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def run_key(documents, formats) -> str:
    """Key of a whole run's outputs: the pages (name and bytes), the formats, the code, resources
    and model. The sections and every result are functions of these."""
    from . import __version__
    from .nlp import MODEL, model_version

    parts = [__version__, package_fingerprint(), resources.fingerprint(), MODEL, model_version(), ",".join(formats)]
    parts += [f"{d.source}\x1f{d.sha256}" for d in documents]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def _file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


RUNS = "runs"
KEEP_RUNS = 3  # outputs of the last runs kept, for those who switch between a few inputs


class Cache:
    def __init__(self, folder: Path = DEFAULT_DIR) -> None:
        self.folder = Path(folder)
        self.hits = 0
        self.misses = 0

    def _path(self, k: str) -> Path:
        return self.folder / k[:2] / f"{k}.json"

    def has(self, partner: Partner) -> bool:
        """Whether an entry exists (``get`` still checks it)."""
        found = self._path(key(partner)).is_file()
        self.misses += not found
        return found

    def get(self, partner: Partner) -> Partner | None:
        path = self._path(key(partner))
        try:
            entry = _decoder().decode(path.read_bytes())
            result = _restore(partner, entry)
        except (OSError, ValueError, msgspec.ValidationError):  # msgspec's DecodeError is a ValueError
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, partner: Partner) -> None:
        path = self._path(key(partner))
        data = msgspec.json.encode(_Entry(partner.organisations, partner.agreements, partner.dates, partner.themes))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def saved_run(self, key: str) -> tuple[Path, dict] | None:
        """The folder and manifest of an identical run's outputs, if they are all there, unchanged."""
        folder = self.folder / RUNS / key
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            files = manifest["files"]
            if not files or any(_file_sha256(folder / name) != digest for name, digest in files.items()):
                return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        return folder, manifest

    def save_run(self, key: str, out_dir: Path, manifest: dict) -> None:
        """Keep the outputs just written in ``out_dir`` (hard links where possible) for identical re-runs."""
        runs = self.folder / RUNS
        try:
            runs.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=runs, prefix=".tmp-"))
            files = {}
            for path in sorted(out_dir.iterdir()):
                if path.is_file():
                    try:
                        os.link(path, staging / path.name)
                    except OSError:
                        shutil.copyfile(path, staging / path.name)
                    files[path.name] = _file_sha256(staging / path.name)
            (staging / "manifest.json").write_text(json.dumps({**manifest, "files": files}, ensure_ascii=False),
                                                   encoding="utf-8")
            shutil.rmtree(runs / key, ignore_errors=True)
            os.rename(staging, runs / key)
            old = sorted((p for p in runs.iterdir() if p.is_dir() and p.name != key),
                         key=lambda p: p.stat().st_mtime, reverse=True)
            for path in old[KEEP_RUNS - 1:]:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass  # a cache that cannot be written only costs time


@dataclass(frozen=True)
class _Entry:
    """A section's cached results: read back into the models' types, every field's type checked."""

    organisations: tuple[Organisation, ...]
    agreements: tuple[Agreement, ...]
    dates: tuple[DateMention, ...]
    themes: tuple[Theme, ...]


@cache
def _decoder() -> msgspec.json.Decoder:
    return msgspec.json.Decoder(_Entry)


def _restore(partner: Partner, entry: _Entry) -> Partner:
    text = partner.text
    for org in entry.organisations:
        for m in org.mentions:
            if text[m.start:m.end] != m.text:
                raise ValueError("offsets do not point at the text")
    for item in entry.dates:
        if text[item.start:item.end] != item.text:
            raise ValueError("offsets do not point at the text")
    for item in entry.agreements:
        if text[item.start:item.end] != item.label:
            raise ValueError("offsets do not point at the text")
    return replace(partner, organisations=entry.organisations, agreements=entry.agreements, dates=entry.dates,
                   themes=entry.themes)
