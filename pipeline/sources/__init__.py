"""Where pages come from besides page files: the live web by URL (``web``, each response kept as a
WARC capture), web-archive captures (``warc``) and PDF reports (``pdf``). Each gives ``RawPage``s,
which the reading stage decodes and splits like any page.

These modules import their libraries (httpx, warcio, pypdf) at the top; ``api`` imports them only
when a run has such an input, so that a run on page files never pays for them.
"""

URL_SCHEMES = ("http://", "https://")


def is_url(text: str) -> bool:
    """An input given as a URL rather than a path."""
    return text.lower().startswith(URL_SCHEMES)
