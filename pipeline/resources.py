"""Loads the data files under pipeline/resources/ once per process and hands out their contents.

Knowledge (organisations, agreement cues, theme lexicon, date words, layout cues) lives in those TOML
files; this module only reads, checks and caches them, and fingerprints them for the cache key.
"""

from __future__ import annotations

import hashlib
import tomllib
from functools import cache
from importlib import resources as importlib_resources

from .errors import ResourceError

RESOURCE_FILES = ("layout.toml", "organisations.toml", "entities.toml", "agreements.toml", "dates.toml", "themes.toml")


def _path(name: str):
    return importlib_resources.files("pipeline") / "resources" / name


@cache
def load(name: str) -> dict:
    """The parsed contents of ``pipeline/resources/<name>``."""
    try:
        return tomllib.loads(_path(name).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ResourceError(f"pipeline/resources/{name}", "resource file is missing",
                            "reinstall the project") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ResourceError(f"pipeline/resources/{name}", f"not valid TOML: {exc}",
                            "fix the file's syntax") from exc


@cache
def fingerprint() -> str:
    """A hash of every resource file's bytes: changes whenever any of them is edited."""
    digest = hashlib.sha256()
    for name in RESOURCE_FILES:
        path = _path(name)
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()
