"""The project's spaCy components, registered at import, and the model as the pipeline loads it."""

import pytest
from spacy.language import Language

from pipeline.nlp import GAZETTEER_SPANS, components  # noqa: F401 - registers the components


def test_the_components_are_registered_with_spacy():
    assert Language.has_factory("omd_cached_lemmatizer")
    assert Language.has_factory("omd_paragraphs")


def test_the_pipeline_runs_only_what_the_extractors_read(nlp):
    assert not {"parser", "senter", "ner"} & set(nlp.component_names)
    assert nlp.pipe_names[:2] == ["omd_gazetteer", "omd_gazetteer_acronyms"]
    assert {"omd_cached_lemmatizer", "omd_paragraphs", "sentencizer"} <= set(nlp.pipe_names)
    assert "lemmatizer" in nlp.disabled


@pytest.mark.parametrize("text", [
    "Les administrations douanières ont signé des protocoles d'accord et luttent contre les drogues.",
    "L'Organisation mondiale des douanes coopère avec les Nations Unies depuis 1998 ; elles échangent des données.",
])
def test_the_cached_lemmatizer_gives_the_models_own_lemmas(nlp, text):
    ours = [t.lemma_ for t in nlp(text)]
    with nlp.select_pipes(disable=["omd_cached_lemmatizer"]):
        doc = nlp(text)
    theirs = [t.lemma_ for t in nlp.get_pipe("lemmatizer")(doc)]
    assert ours == theirs


@pytest.mark.parametrize(("text", "starts"), [
    ("Premier. Deuxième phrase.", ["Premier", "Deuxième"]),
    ("Une ligne\nune autre", ["Une", "une"]),  # a line break always ends a sentence
    ("Un accord ; un autre accord.", ["Un", "un"]),  # a semicolon too
    ("Signé le 3 mai 2001 à Bruxelles.", ["Signé"]),
])
def test_sentences_start_where_these_pages_start_them(nlp, text, starts):
    assert [s[0].text for s in nlp(text).sents] == starts


def test_the_gazetteer_rulers_find_names_in_any_case_and_acronyms_as_written(nlp):
    doc = nlp("L'OMD et l'organisation mondiale des douanes, mais pas omd.")
    found = [(s.text, s.label_) for s in doc.spans[GAZETTEER_SPANS]]
    assert ("OMD", "ACR") in found and ("organisation mondiale des douanes", "ORG") in found
    assert "omd" not in [text for text, _ in found]
