"""Turns French pages about the World Customs Organization's partnerships into clean, checked data.

The stages (``stages/``: reading, sections, then the extractors) run on the language tools
(``nlp/``) with the project's knowledge (``resources/``); ``run`` analyses the sections, ``outputs/``
writes what was found, and ``tools/`` scores and compares the outputs. ``api`` is the Python API (a
function per command), ``cli`` the command line. See the README's "Layout" for the dependency arrows.
"""

__version__ = "0.1.0"
