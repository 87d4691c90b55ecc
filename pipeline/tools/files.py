"""The shape of the JSON files the tools read: a gold file, or the partners.json of a run.

``evaluate`` and ``diff`` read only what is described here; a file of another shape (a partner that
is a number, a heading that is not text, an organisation that is null, a number of 5,000 digits, an
array nested 100,000 deep) is refused with where it is wrong, before anything is compared.
"""

from __future__ import annotations

import msgspec


class _Mention(msgspec.Struct):
    text: str = ""
    start: int = 0
    end: int = 0


class _Organisation(msgspec.Struct):
    name: str | None = None
    acronym: str | None = None
    source: str | None = None
    mentions: list[_Mention] = []


class _Agreement(msgspec.Struct):
    type: str
    date: str | None = None
    parties: list[str] = []


class _Date(msgspec.Struct):
    value: str
    text: str | None = None
    precision: str | None = None


class _Theme(msgspec.Struct):
    code: str


class _Partner(msgspec.Struct):
    heading: str
    source: str | None = None
    partner_id: str | None = None
    section_index: int | None = None
    name: str | None = None
    acronym: str | None = None
    published: str | None = None
    organisations: list[_Organisation] = []
    agreements: list[_Agreement] = []
    dates: list[_Date] = []
    themes: list[_Theme] = []


class PartnersFile(msgspec.Struct):
    """A gold file or a partners.json: what the tools read of it (other keys are ignored)."""

    partners: list[_Partner]
    source: str | None = None


def parse(raw: bytes) -> dict:
    """The file's content as plain data, once it is known to have the shape above. Raises ValueError
    saying what is wrong and where (``Expected `str`, got `int` - at `$.partners[0].heading```)."""
    try:
        msgspec.json.decode(raw, type=PartnersFile)
        return msgspec.json.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ValueError(str(exc)) from exc
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc
