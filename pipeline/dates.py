"""Stub: filled by the extraction work."""

from .models import Partner


def extract(partner: Partner, doc) -> Partner:
    return partner
