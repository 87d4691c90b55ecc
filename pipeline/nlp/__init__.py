"""The language tools the stages run on: spaCy's French model with the project's components
(``model``, ``components``), cue-phrase matching on lemmas (``cues``) and dateparser
(``dateparsing``).

Only ``model``, ``components`` and ``dateparsing`` import spaCy or dateparser; the stages import
``cues`` and the constant below, so that reading and splitting pages never loads them.
"""

# The spans key under which the gazetteer's rulers put the bodies they find in a Doc.
GAZETTEER_SPANS = "gazetteer"
# Only what the extractors read is run: tokens, parts of speech, morphology and lemmas. Sentences
# come from spaCy's rule-based sentencizer (these pages are well punctuated) and a paragraph rule,
# not from the parser or the senter. The entity recogniser, nearly half of the model's time, is
# left out: the gazetteer, acronym definitions, head nouns and parts of speech find the bodies (its
# ORG and LOC tags changed no result on any gold page).
EXCLUDED = ("parser", "senter", "ner")
