"""Finds every calendar date or year in a section, normalised at the precision written, with its role.

Candidates come from regular expressions built on the month names of ``resources/dates.toml``; each
distinct candidate string is then normalised once by dateparser, with explicit settings and a fixed
reference date, and truncated to the written precision, so a missing day or month is never filled in
(``en 2002`` is ``2002``, never today's month and day). A number that is not a date (``n° 1373``,
``40 pays``) is not a date.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace
from datetime import datetime
from functools import cache

from . import resources
from .cues import CueIndex, tokens
from .models import DateMention, Partner
from .nlp import norm

# dateparser only ever sees complete candidates, but a reference date is still set so that nothing
# it does can depend on the day the pipeline runs.
DATEPARSER_SETTINGS = {
    "DATE_ORDER": "DMY",
    "PREFER_DAY_OF_MONTH": "first",
    "PREFER_DATES_FROM": "past",
    "RELATIVE_BASE": datetime(2000, 1, 1),
    "RETURN_TIME_AS_PERIOD": False,
    "STRICT_PARSING": False,
    "REQUIRE_PARTS": [],
    "TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": False,
    # Candidates are absolute dates found by the patterns: the relative-date parser ("il y a deux
    # ans") would only cost time (it is tried first, on every string).
    "PARSERS": ["absolute-time"],
}
# The shapes the candidate patterns find, tried first (after dateparser's translation of the month
# names): several times faster than its general parser, which remains the fallback. A part these
# formats leave out is never read: the value is cut to the precision written.
DATE_FORMATS = ["%d %B %Y", "%B %Y", "%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d"]
ROLES = ("signature", "conclusion", "creation", "start", "event")


@cache
def _config() -> dict:
    return resources.load("dates.toml")


@cache
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    cfg = _config()
    months = "|".join(sorted((re.escape(m) for m in cfg["months"]), key=len, reverse=True))
    day_month_year = re.compile(
        rf"(?<![\w/.-])(?:(?P<day>(?:[0-3]?\d)(?:er)?|premier)\s+)?(?P<month>{months})\.?\s+(?P<year>\d{{4}})(?![\w/-])",
        re.IGNORECASE,
    )
    numeric = re.compile(
        r"(?<![\w/.-])(?:(?P<d>[0-3]?\d)[/.](?P<m>[01]?\d)[/.](?P<y>\d{4})|(?P<iy>\d{4})-(?P<im>[01]\d)-(?P<id>[0-3]\d))(?![\w/-])"
    )
    # A year, or either end of a range of years ("2021-2025", "2010–2014").
    # A year, either end of a range of years ("2021-2025", "2010–2014"), a season ("2012/13").
    year = re.compile(r"(?<![\w/.,])(?P<year>\d{4})(?:/\d{2}(?!\d))?(?![\w/]|[.,]\d|-\d{2}\b|[-–](?!\d{4}\b))")
    return day_month_year, numeric, year


@cache  # each distinct string parsed once per process; date strings are bounded by the calendar
def normalise(text: str) -> tuple[str, str] | None:
    """ISO prefix and precision of one date expression, or None if it is not a valid date."""
    data = _parser().get_date_data(text, date_formats=DATE_FORMATS)
    if data is None or data.date_obj is None:
        return None
    period = data.period or "day"
    d = data.date_obj
    if period == "year":
        return f"{d.year:04d}", "year"
    if period == "month":
        return f"{d.year:04d}-{d.month:02d}", "month"
    if period == "day":
        return f"{d.year:04d}-{d.month:02d}-{d.day:02d}", "day"
    return None


@cache
def _parser():
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["fr"], settings=DATEPARSER_SETTINGS)


def _valid_year(y: str) -> bool:
    cfg = _config()
    return cfg["min_year"] <= int(y) <= cfg["max_year"]


def candidates(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, ISO value, precision) for every date expression, in text order."""
    dmy, numeric, year = _patterns()
    found: list[tuple[int, int, str, str]] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return not any(s < te and ts < e for ts, te in taken)

    for m in dmy.finditer(text):
        if not _valid_year(m.group("year")):
            continue
        expression = m.group(0)
        day = m.group("day")
        # dateparser reads "1er" and "premier" badly in some versions: give it the number.
        if day and not day[0].isdigit():
            expression = "1 " + expression[len(day):].lstrip()
        elif day:
            expression = re.sub(r"^(\d+)er\b", r"\1", expression)
        parsed = normalise(expression.replace(".", ""))
        expected = "day" if day else "month"
        if parsed is None or parsed[1] != expected or not parsed[0].startswith(m.group("year")):
            taken.append((m.start(), m.end()))  # "31 février 2005" is no date, nor is its year
            continue
        found.append((m.start(), m.end(), *parsed))
        taken.append((m.start(), m.end()))
    for m in numeric.finditer(text):
        if not free(m.start(), m.end()):
            continue
        if m.group("y"):
            y, mo, d = m.group("y"), m.group("m"), m.group("d")
        else:
            y, mo, d = m.group("iy"), m.group("im"), m.group("id")
        if not _valid_year(y):
            continue
        parsed = normalise(f"{int(d)}/{int(mo)}/{y}")
        if parsed is None or parsed[0] != f"{y}-{int(mo):02d}-{int(d):02d}":
            continue  # 31/02/2005 and the like: not a date
        found.append((m.start(), m.end(), *parsed))
        taken.append((m.start(), m.end()))
    for m in year.finditer(text):
        if not free(m.start(), m.end()) or not _valid_year(m.group("year")) \
                or not _is_year(text, m.start(), m.end()):
            continue
        found.append((m.start("year"), m.end(), m.group("year"), "year"))
        taken.append((m.start(), m.end()))
    return sorted(found)


@cache
def _folded(key: str) -> frozenset[str]:
    return frozenset(norm(w) for w in _config()[key])


def _is_year(text: str, start: int, end: int) -> bool:
    before = re.findall(r"[\wº°]+", norm(text[max(0, start - 15):start]))
    after = re.findall(r"[\w%]+", norm(text[end:end + 20]))
    if re.search(r"[nN][°º]\s*$|\d[  ]$", text[max(0, start - 4):start]):
        return False
    if before and before[-1] in _folded("not_a_year_after"):
        return False
    if after and after[0] in _folded("not_a_year_before"):
        return False
    # "2000 entreprises", "1800 kilogrammes": a number followed by a plural noun counts things.
    following = re.match(r"\s+([a-zà-ÿ]+)", text[end:end + 30])
    return not (following and len(following.group(1)) > 3 and following.group(1)[-1] in "sx"
                and norm(following.group(1)) not in _folded("not_plural_nouns"))


@cache
def _role_cues() -> CueIndex:
    roles = _config()["roles"]
    return CueIndex((phrase, role) for role, phrases in roles.items() for phrase in phrases)


@cache
def _start_prepositions() -> tuple[str, ...]:
    return tuple(norm(p) for p in _config()["start_prepositions"])


def _roles(doc, spans: list) -> list[str]:
    """What each date (a token span) dates: the nearest cue in its clause decides. Cues are found
    once per Doc; a clause runs from the previous date (or the sentence's start) to the next one."""
    cues = [m for m in _role_cues().find(doc) if m.value != "start"]
    # Sentence starts read once from the cached tokens: Span.sent checks the whole Doc's annotation
    # again on every call.
    starts = [t.i for t in tokens(doc) if t.is_sent_start] or [0]
    out = []
    for i, span in enumerate(spans):
        before = re.sub(r"\s+(le|la|l'|du|de l'|de la)$", "",
                        norm(doc.text[max(0, span.start_char - 24):span.start_char]).rstrip())
        if any(before.endswith(p) for p in _start_prepositions()):
            out.append("start")  # "depuis 2005", "depuis le 1er janvier 2010"
            continue
        at = bisect_right(starts, span.start)
        sent_start, sent_end = starts[at - 1], starts[at] if at < len(starts) else len(doc)
        lo = max(sent_start, spans[i - 1].end if i > 0 else 0)
        hi = min(sent_end, spans[i + 1].start if i + 1 < len(spans) else len(doc))
        preceding = [m for m in cues if lo <= m.start and m.end <= span.start]
        # A cue after the date is its own only if it is nearer to it than to the next date:
        # in "lancé en 2001 et … créé en 2003", "créé" dates 2003, not 2001.
        following = [m for m in cues if m.start >= span.end and m.end <= hi and m.start - span.end <= hi - m.end]
        out.append(preceding[-1].value if preceding else following[0].value if following else "event")
    return out


def find(doc, text: str) -> tuple[DateMention, ...]:
    found = candidates(text)
    spans = [doc.char_span(s, e, alignment_mode="expand") for s, e, *_ in found]
    roles = _roles(doc, spans)
    return tuple(
        DateMention(text=text[s:e], value=value, precision=precision, role=r, start=s, end=e)
        for (s, e, value, precision), r in zip(found, roles, strict=True)
    )


def extract(partner: Partner, doc) -> Partner:
    return replace(partner, dates=find(doc, partner.text))
