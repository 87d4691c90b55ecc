"""Turns French pages about the World Customs Organization's partnerships into clean, checked data.

The stages (``stages/``: reading, sections, then the extractors) run on the language tools
(``nlp/``) with the project's knowledge (``resources/``); ``streaming`` analyses the sections, ``outputs/``
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

__version__ = "0.1.0"

_API = ("run", "load", "evaluate", "diff", "history")


def __getattr__(name: str):
    """``pipeline.run``, ``pipeline.load``…: the API's commands, imported from ``api`` when first used."""
    if name in _API:
        from . import api  # the API (and what it imports) loads only when a notebook uses it

        return getattr(api, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
