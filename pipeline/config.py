"""A run's configuration as one explicit object: the resources, the spaCy model and the options.

Everything a section's result depends on besides its text is here, and is passed down to the
stages, the cache and the outputs: two configurations (say, the shipped resources and an edited
copy) can run side by side in one process. Building one reads and validates the resource files; the
model is loaded only when a section is analysed (see ``analysis.Analyser``).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import resources
from .resources import Resources

MODEL = "fr_core_news_sm"
BATCH_SIZE = 64  # sections per spaCy batch: large enough for speed, small enough for flat memory
CACHE_DIR = Path(".cache") / "pipeline"  # where a run keeps its cache unless told otherwise
CAPTURES_DIR = Path("captures")  # where pages fetched by URL are kept (WARC files) unless told otherwise


@dataclass(frozen=True)
class Config:
    resources: Resources
    model: str = MODEL
    batch_size: int = BATCH_SIZE

    @classmethod
    def load(cls, resources_folder: Path | str | None = None, model: str = MODEL,
             batch_size: int = BATCH_SIZE) -> Config:
        """The configuration with the resource files of ``resources_folder`` (default: the shipped
        ones), validated. Raises ResourceError for a broken file."""
        return cls(resources.load(resources_folder), model, batch_size)

    @property
    def model_version(self) -> str:
        """The installed version of the model's package, without importing spaCy."""
        try:
            return version(self.model.replace("_", "-"))
        except PackageNotFoundError:
            return "not installed"

    @property
    def model_label(self) -> str:
        """How the outputs name the model: ``fr_core_news_sm 3.8.0``."""
        return f"{self.model} {self.model_version}"
