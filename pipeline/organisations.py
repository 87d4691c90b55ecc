"""Stub: filled by the extraction work."""

from .models import Partner

GAZETTEER_COMPONENT = "omd_gazetteer"


def register_gazetteer() -> None:
    from spacy.language import Language

    if not Language.has_factory(GAZETTEER_COMPONENT):
        Language.component(GAZETTEER_COMPONENT, func=lambda doc: doc)


def extract(partner: Partner, doc) -> Partner:
    return partner
