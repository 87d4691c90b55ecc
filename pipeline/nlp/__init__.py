"""The language tools the stages run on: spaCy's French model with the project's components
(``model``, ``components``), cue-phrase matching on lemmas (``cues``) and dateparser
(``dateparsing``).

Only ``model``, ``components`` and ``dateparsing`` import spaCy or dateparser; the stages import
``cues`` and the constant below, so that reading and splitting pages never loads them.
"""

# The spans key under which the gazetteer's rulers put the bodies they find in a Doc.
GAZETTEER_SPANS = "gazetteer"
