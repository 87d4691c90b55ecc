"""Results kept between runs, so that a re-run only analyses the sections that changed.

A section's entry is keyed on everything its result depends on: its heading and text, the code of
the analysis (``ANALYSIS_CODE``: the stages, the language tools, the analyser that wires them, the
models and string helpers, the resource loader), the stages run, the resource files' content, and
the spaCy model's name and version. Editing
a gazetteer or an extractor therefore invalidates exactly what it must; editing the CLI or the
outputs does not. An entry that cannot be read, does not have the expected shape, or whose offsets
do not point at the section's text is ignored and rebuilt, never trusted.

The output files of the last few runs are kept too, keyed on the pages' bytes and names, the formats
asked for, all of the package's code and resources and the model: a run identical to one of them
copies its files (checked against their recorded SHA-256) instead of writing them again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path

import msgspec

from . import __version__
from .config import Config
from .models import PARTIAL_DATE, Agreement, DateMention, Document, Organisation, Partner, Theme
from .stages import STAGES, Extractor
from .text import sha256

PACKAGE = Path(__file__).parent
# What a section's result depends on, relative to the package: the analysis's code.
ANALYSIS_CODE = ("stages", "nlp", "resources", "analysis.py", "models.py", "text.py")
RUNS = "runs"
KEEP_RUNS = 3  # outputs of the last runs kept, for those who switch between a few inputs


def _python_files(root: Path, parts: Iterable[str]) -> list[Path]:
    files: list[Path] = []
    for part in parts:
        path = root / part
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return sorted(files)


def fingerprint(root: Path = PACKAGE, parts: Sequence[str] | None = None) -> str:
    """Hash of the package's Python files under ``parts`` (default: all of them), names and bytes."""
    files = _python_files(root, parts) if parts is not None else sorted(root.rglob("*.py"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def analysis_key(config: Config, stages: Sequence[type[Extractor]] = STAGES, root: Path = PACKAGE) -> str:
    """What every section's entry is keyed on besides the section: code, stages, resources, model."""
    names = ",".join(f"{stage.__module__}.{stage.__qualname__}" for stage in stages)
    parts = (__version__, fingerprint(root, ANALYSIS_CODE), names, config.resources.fingerprint, config.model,
             config.model_version)
    return sha256("\0".join(parts))


def run_key(documents: Iterable[Document], formats: Sequence[str], config: Config, root: Path = PACKAGE,
            previous: str | None = None) -> str:
    """Key of a whole run's outputs: the pages (name and bytes), the formats, all of the code, the
    resources and the model, and the key of the previous run it is compared with, if any (its name and
    content: the changes written with the outputs). The sections and every result are functions of these."""
    parts = [__version__, fingerprint(root), config.resources.fingerprint, config.model, config.model_version,
             ",".join(formats)]
    parts += [f"{d.source}\x1f{d.path}\x1f{d.captured}\x1f{d.sha256}" for d in documents]
    if previous is not None:  # (a run compared with none keeps the key it always had)
        parts.append(f"previous\x1f{previous}")
    return sha256("\0".join(parts))


def _file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@dataclass(frozen=True)
class _Entry:
    """A section's cached results: read back into the models' types, every field's type checked."""

    organisations: tuple[Organisation, ...]
    agreements: tuple[Agreement, ...]
    dates: tuple[DateMention, ...]
    themes: tuple[Theme, ...]
    published: str | None


_DECODER = msgspec.json.Decoder(_Entry)
# A cache entry: the digest of its analysis key and its content, a line end, then the content. An entry
# whose digest does not match (corrupted, edited, or written for another section) is rebuilt.
_SEPARATOR = b"\n"
# A saved run's file names are plain names: never a path read from the cache ("../evil.txt").
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_ISO_DATE = re.compile(PARTIAL_DATE)


class _Manifest(msgspec.Struct):
    """What a saved run says of itself, every field's type checked when it is read back."""

    files: dict[str, str]
    kept: int
    failed: int
    warnings: list[str]


class Cache:
    """The cache of one configuration (and list of stages) in ``folder``; counts what it reused and
    what was analysed."""

    def __init__(self, folder: Path | str, config: Config, stages: Sequence[type[Extractor]] = STAGES) -> None:
        self.folder = Path(folder)
        self.hits = 0
        self.misses = 0
        self._key = analysis_key(config, stages)
        self._themes = frozenset(config.resources.themes.codes)

    def key(self, partner: Partner) -> str:
        data = "\0".join((self._key, partner.heading, partner.name, partner.acronym or "",
                          partner.published_text or "", partner.text))
        return sha256(data)

    def _path(self, k: str) -> Path:
        return self.folder / k[:2] / f"{k}.json"

    def has(self, partner: Partner) -> bool:
        """Whether an entry exists (``get`` still checks it)."""
        found = self._path(self.key(partner)).is_file()
        self.misses += not found
        return found

    def get(self, partner: Partner) -> Partner | None:
        key = self.key(partner)
        try:
            digest, _, payload = self._path(key).read_bytes().partition(_SEPARATOR)
            if digest.decode("ascii", "replace") != sha256(key + payload.decode("utf-8", "replace")):
                raise ValueError("the entry does not match its section")
            result = _restore(partner, _DECODER.decode(payload), self._themes)
        except (OSError, ValueError, msgspec.ValidationError):  # msgspec's DecodeError is a ValueError
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, partner: Partner) -> None:
        key = self.key(partner)
        path = self._path(key)
        payload = msgspec.json.encode(_Entry(partner.organisations, partner.agreements, partner.dates, partner.themes,
                                             partner.published))
        data = sha256(key + payload.decode("utf-8")).encode("ascii") + _SEPARATOR + payload
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except OSError:  # a cache that cannot be written only costs time; it leaves nothing behind
            if tmp is not None:
                with suppress(OSError):
                    os.remove(tmp)

    def saved_run(self, key: str) -> tuple[Path, dict] | None:
        """The folder and manifest of an identical run's outputs, if they are all there, unchanged."""
        folder = self.folder / RUNS / key
        try:
            manifest = msgspec.json.decode((folder / "manifest.json").read_bytes(), type=_Manifest)
            files = manifest.files
            if not files or not all(_PLAIN_NAME.fullmatch(name) for name in files) \
                    or any(_file_sha256(folder / name) != digest for name, digest in files.items()):
                return None
        except (OSError, ValueError, msgspec.ValidationError, RecursionError):
            return None
        return folder, msgspec.structs.asdict(manifest)

    def save_run(self, key: str, out_dir: Path, manifest: dict, names: Iterable[str]) -> None:
        """Keep the outputs just written in ``out_dir`` (hard links where possible) for identical re-runs:
        the files ``names`` (the run's own; a file the user keeps beside them is theirs, never the cache's)."""
        runs = self.folder / RUNS
        staging = None
        try:
            runs.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=runs, prefix=".tmp-"))
            files = {}
            wanted = set(names)
            for path in sorted(out_dir.iterdir()):
                if path.is_file() and path.name in wanted:
                    try:
                        os.link(path, staging / path.name)
                    except OSError:
                        shutil.copyfile(path, staging / path.name)
                    files[path.name] = _file_sha256(staging / path.name)
            (staging / "manifest.json").write_text(json.dumps({**manifest, "files": files}, ensure_ascii=False),
                                                   encoding="utf-8")
            shutil.rmtree(runs / key, ignore_errors=True)
            os.rename(staging, runs / key)
            staging = None
            old = sorted((p for p in runs.iterdir() if p.is_dir() and p.name != key),
                         key=lambda p: p.stat().st_mtime, reverse=True)
            for path in old[KEEP_RUNS - 1:]:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:  # a cache that cannot be written only costs time; it leaves nothing behind
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)


def _restore(partner: Partner, entry: _Entry, themes: frozenset[str]) -> Partner:
    """The partner with the entry's results, once they are possible for it: offsets inside its text
    and pointing at what they say, dates written as ISO prefixes, themes of the vocabulary."""
    text = partner.text

    def points(start: int, end: int, written: str) -> None:
        if not 0 <= start <= end <= len(text) or text[start:end] != written:
            raise ValueError("offsets do not point at the text")

    for org in entry.organisations:
        for m in org.mentions:
            points(m.start, m.end, m.text)
    for item in entry.dates:
        points(item.start, item.end, item.text)
        if not _ISO_DATE.fullmatch(item.value):
            raise ValueError("not a date")
    for item in entry.agreements:
        points(item.start, item.end, item.label)
        if item.date is not None and not _ISO_DATE.fullmatch(item.date):
            raise ValueError("not a date")
    if any(t.code not in themes for t in entry.themes):
        raise ValueError("a theme outside the vocabulary")
    return replace(partner, organisations=entry.organisations, agreements=entry.agreements, dates=entry.dates,
                   themes=entry.themes, published=entry.published)
