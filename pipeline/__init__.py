"""Turns French pages about the World Customs Organization's partnerships into clean, checked data.

The stages (``stages/``: reading, sections, then the extractors) run on the language tools
(``nlp/``) with the project's knowledge (``resources/``); ``run`` analyses the sections, ``outputs/``
writes what was found, and ``tools/`` scores and compares the outputs. ``api`` is the Python API (a
function per command), ``cli`` the command line. See the README's "Layout" for the dependency arrows.

For notebooks, the API's commands are here too, imported from ``api`` when first used (``import
pipeline`` loads neither spaCy nor pandas)::

    import pipeline

    pipeline.run(["corpus"], out="outputs")      # = python -m pipeline run corpus --out outputs
    tables = pipeline.load("outputs")             # the CSV views as typed pandas DataFrames
    pipeline.evaluate("corpus/gold/omd_partenaires_fr.gold.json", "outputs")
    pipeline.diff("outputs_old", "outputs")
    pipeline.history(["captures"], out="history")  # = python -m pipeline history captures --out history
"""

import sys
import types

__version__ = "0.1.0"


class _FromApi:
    """A function of ``api`` as an attribute of the package, imported when first asked for."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, package: object, owner: type | None = None):
        if package is None:
            return self
        from . import api  # the API (and what it imports) loads only when a notebook uses it

        return getattr(api, self.name)

    def __set__(self, package: object, value: object) -> None:
        # The import system binds each submodule to its package as it loads it: the module
        # ``pipeline/run.py`` would then hide the function ``pipeline.run``. The module stays in
        # sys.modules, where ``from .run import …`` finds it; the attribute stays the API's function.
        if not isinstance(value, types.ModuleType):
            raise AttributeError(f"pipeline.{self.name} is api.{self.name}: set that one")


class _Package(types.ModuleType):
    """The package, with the API's commands as attributes (a module's class may be replaced so)."""

    run = _FromApi()
    load = _FromApi()
    evaluate = _FromApi()
    diff = _FromApi()
    history = _FromApi()


sys.modules[__name__].__class__ = _Package
