"""dateparser, set up once for French dates: one date expression in, its ISO prefix and precision out.

dateparser only ever sees complete candidates (the dates stage finds them), but a reference date is
still set so that nothing it does can depend on the day the pipeline runs.
"""

from __future__ import annotations

from datetime import datetime

from dateparser.date import DateDataParser

from ..models import DatePrecision

SETTINGS = {
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
FORMATS = ["%d %B %Y", "%B %Y", "%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d"]


class DateNormaliser:
    """``normaliser("13 mai 1998")`` -> ``("1998-05-13", "day")``; None for what is not a valid date.

    Each distinct string is parsed once per normaliser: the calendar bounds how many there are.
    """

    def __init__(self, languages: tuple[str, ...] = ("fr",)) -> None:
        self._parser = DateDataParser(languages=list(languages), settings=SETTINGS)
        self._seen: dict[str, tuple[str, DatePrecision] | None] = {}

    def __call__(self, text: str) -> tuple[str, DatePrecision] | None:
        try:
            return self._seen[text]
        except KeyError:
            value = self._seen[text] = self._parse(text)
            return value

    def _parse(self, text: str) -> tuple[str, DatePrecision] | None:
        data = self._parser.get_date_data(text, date_formats=FORMATS)
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
