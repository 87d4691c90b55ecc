"""Finds every calendar date or year in a section, normalised at the precision written, with its role.

Candidates come from regular expressions built on the month names of ``resources/dates.toml``; each
distinct candidate string is then normalised once by dateparser (``nlp.dateparsing``, with explicit
settings and a fixed reference date), and truncated to the written precision, so a missing day or
month is never filled in (``en 2002`` is ``2002``, never today's month and day). A number that is not
a date (``n° 1373``, ``40 pays``) is not a date.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from ..models import DateMention, DatePrecision, Partner
from ..nlp.cues import CueIndex, char_span, sentence_starts
from ..text import NUMERIC_DATE, alternation, norm, written_date

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from .base import Toolkit


class DateFinder:
    """Every date expression of a text, normalised: what the dates and the publication stages share."""

    def __init__(self, kit: Toolkit) -> None:
        words = kit.resources.dates
        self.normalise = kit.normalise_date
        self.min_year, self.max_year = words.min_year, words.max_year
        self.day_month_year = re.compile(written_date(words.months), re.IGNORECASE)
        months = alternation(words.months)
        joiners = "|".join(re.escape(j) for j in words.range_joiners)
        # The first end of a range, right before the written date that ends it.
        # "March 14, 2016": the month first, as English writes it
        self.month_day_year = re.compile(rf"(?<![\w/.])(?P<month>{months})\.?\s+(?P<day>[0-3]?\d),?\s+"
                                         rf"(?P<year>\d{{4}})(?![\w/-])", re.IGNORECASE)
        self.range_start = re.compile(rf"(?<![\w/.-])(?P<day>[0-3]?\d)(?:er)?(?:\s+(?P<month>{months})\.?)?"
                                      rf"\s*(?:{joiners})\s*$", re.IGNORECASE)
        self.not_a_year_after = frozenset(norm(w) for w in words.not_a_year_after)
        self.not_a_year_before = frozenset(norm(w) for w in words.not_a_year_before)
        self.not_plural_nouns = frozenset(norm(w) for w in words.not_plural_nouns)

    def candidates(self, text: str) -> list[tuple[int, int, str, DatePrecision]]:
        """(start, end, ISO value, precision) for every date expression, in text order: written dates
        first, then numeric ones, then years, none overlapping another."""
        found: list[tuple[int, int, str, DatePrecision]] = []
        taken: list[tuple[int, int]] = []
        for rule in (self._written_dates, self._month_first_dates, self._numeric_dates, self._periods, self._years):
            for start, end, value, precision, keep in rule(text, taken):
                taken.append((start, end))
                if keep:
                    found.append((start, end, value, precision))
        return sorted(found)

    def _written_dates(self, text: str, taken: list[tuple[int, int]]):
        """"13 mai 1998", "1er janvier 2000", "mai 1998": the day and month as written, checked by
        dateparser; "31 février 2005" is no date, nor is its year."""
        for m in self.day_month_year.finditer(text):
            if not self._valid_year(m.group("year")):
                continue
            expression = m.group(0)
            day = m.group("day")
            # dateparser reads "1er" and "premier" badly in some versions: give it the number.
            if day and not day[0].isdigit():
                expression = "1 " + expression[len(day):].lstrip()
            elif day:
                expression = re.sub(r"^(\d+)er\b", r"\1", expression)
            parsed = self.normalise(expression.replace(".", ""))
            expected = "day" if day else "month"
            valid = parsed is not None and parsed[1] == expected and parsed[0].startswith(m.group("year"))
            if valid and day:
                yield from self._range_start(text, m.start(), m.group("year"), parsed[0])
            yield (m.start(), m.end(), *(parsed if valid else ("", "day")), valid)

    def _month_first_dates(self, text: str, taken: list[tuple[int, int]]):
        """"March 14, 2016", in an English passage: a day, checked by dateparser."""
        for m in self.month_day_year.finditer(text):
            if not _free(taken, m.start(), m.end()) or not self._valid_year(m.group("year")):
                continue
            parsed = self.normalise(f"{int(m.group('day'))} {m.group('month').rstrip('.')} {m.group('year')}")
            if parsed is not None and parsed[1] == "day" and parsed[0].startswith(m.group("year")):
                yield (m.start(), m.end(), *parsed, True)

    def _range_start(self, text: str, at: int, year: str, end_value: str):
        """"du 12 au 14 mars 2018": the 12th of March 2018, the range's first written end."""
        found = self.range_start.search(text, max(0, at - 30), at)
        if found is None:
            return
        before = re.findall(r"[\wº°]+", norm(text[max(0, found.start() - 15):found.start()]))
        if before and before[-1] in self.not_a_year_after:
            return  # "n° 12 et 14 mars 2018", "l'article 12 - 14 mars 2018": a number, not a day
        day = int(found.group("day"))
        month = found.group("month")
        if month:
            parsed = self.normalise(f"{day} {month.rstrip('.')} {year}")
        else:  # the end's month and year: built, not parsed, so no reading order can swap day and month
            try:
                parsed = (date(int(year), int(end_value[5:7]), day).isoformat(), "day")
            except ValueError:
                return
        if parsed is None or parsed[1] != "day" or parsed[0] >= end_value:
            return
        end = found.end("month") if month else found.end("day") + (2 if text[found.end("day"):].startswith("er") else 0)
        yield (found.start(), end, *parsed, True)

    def _numeric_dates(self, text: str, taken: list[tuple[int, int]]):
        """"13/05/1998", "13.05.1998", "1998-05-13"; "31/02/2005" and the like are not dates."""
        for m in _NUMERIC.finditer(text):
            if not _free(taken, m.start(), m.end()):
                continue
            if m.group("y"):
                y, mo, d = m.group("y"), m.group("m"), m.group("d")
            else:
                y, mo, d = m.group("iy"), m.group("im"), m.group("id")
            if not self._valid_year(y):
                continue
            parsed = self.normalise(f"{int(d)}/{int(mo)}/{y}")
            if parsed is None or parsed[0] != f"{y}-{int(mo):02d}-{int(d):02d}":
                continue
            yield (m.start(), m.end(), *parsed, True)

    def _periods(self, text: str, taken: list[tuple[int, int]]):
        """"l'exercice 2017/2018": both years of a period written with a slash."""
        for m in _PERIOD.finditer(text):
            if _free(taken, m.start(), m.end()) and self._valid_year(m.group(1)) and self._valid_year(m.group(2)) \
                    and int(m.group(1)) < int(m.group(2)):
                yield (m.start(1), m.end(1), m.group(1), "year", True)
                yield (m.start(2), m.end(2), m.group(2), "year", True)

    def _years(self, text: str, taken: list[tuple[int, int]]):
        """A year on its own, or an end of a range of years; not a number that counts or numbers things."""
        for m in _YEAR.finditer(text):
            if not _free(taken, m.start(), m.end()) or not self._valid_year(m.group("year")) \
                    or not self._is_year(text, m.start(), m.end()):
                continue
            yield (m.start("year"), m.end(), m.group("year"), "year", True)

    def _valid_year(self, y: str) -> bool:
        return self.min_year <= int(y) <= self.max_year

    def _is_year(self, text: str, start: int, end: int) -> bool:
        before = re.findall(r"[\wº°]+", norm(text[max(0, start - 15):start]))
        after = re.findall(r"[\w%]+", norm(text[end:end + 20]))
        if re.search(r"[nN][°º]\s*$|\d[  ]$", text[max(0, start - 4):start]):
            return False
        if before and before[-1] in self.not_a_year_after:
            return False
        if after and after[0] in self.not_a_year_before:
            return False
        # "2000 entreprises", "1800 kilogrammes": a number followed by a plural noun counts things.
        following = re.match(r"\s+([a-zà-ÿ]+)", text[end:end + 30])
        return not (following and len(following.group(1)) > 3 and following.group(1)[-1] in "sx"
                    and norm(following.group(1)) not in self.not_plural_nouns)


class Dates(DateFinder):
    """The dates stage: fills ``dates``; needs nothing from earlier stages."""

    fills = "dates"
    needs: tuple[str, ...] = ()

    def __init__(self, kit: Toolkit) -> None:
        super().__init__(kit)
        words = kit.resources.dates
        self.role_cues = CueIndex(((phrase, role) for role, phrases in words.roles.items() for phrase in phrases),
                                  kit.tokenizer)
        self.start_prepositions = tuple(norm(p) for p in words.start_prepositions)

    def extract(self, partner: Partner, doc: Doc) -> Partner:
        return replace(partner, dates=self.find(doc, partner.text))

    def find(self, doc: Doc, text: str) -> tuple[DateMention, ...]:
        found = self.candidates(text)
        spans = [char_span(doc, s, e) for s, e, *_ in found]
        roles = self._roles(doc, text, spans)
        return tuple(
            DateMention(text=text[s:e], value=value, precision=precision, role=r, start=s, end=e)
            for (s, e, value, precision), r in zip(found, roles, strict=True)
        )

    def _roles(self, doc: Doc, text: str, spans: list) -> list[str]:
        """What each date (a token span) dates: the nearest cue in its clause decides. Cues are found
        once per Doc; a clause runs from the previous date (or the sentence's start) to the next one."""
        cues = sorted((m for m in self.role_cues.find(doc) if m.value != "start"), key=lambda m: m.start)
        cue_starts = [m.start for m in cues]
        starts = sentence_starts(doc)
        out = []
        for i, span in enumerate(spans):
            before = re.sub(r"\s+(le|la|l'|du|de l'|de la)$", "",
                            norm(text[max(0, span.start_char - 24):span.start_char]).rstrip())
            if any(before.endswith(p) for p in self.start_prepositions):
                out.append("start")  # "depuis 2005", "depuis le 1er janvier 2010"
                continue
            at = bisect_right(starts, span.start)
            sent_start, sent_end = starts[at - 1], starts[at] if at < len(starts) else len(doc)
            lo = max(sent_start, spans[i - 1].end if i > 0 else 0)
            hi = min(sent_end, spans[i + 1].start if i + 1 < len(spans) else len(doc))
            # The nearest cue before the date in its clause, else the first after it, found by
            # bisection (a page of thousands of dates must not scan every cue for each).
            k = bisect_right(cue_starts, span.start) - 1
            while k >= 0 and cues[k].end > span.start:
                k -= 1
            preceding = cues[k] if k >= 0 and cues[k].start >= lo else None
            # A cue after the date is its own only if it is nearer to it than to the next date:
            # in "lancé en 2001 et … créé en 2003", "créé" dates 2003, not 2001.
            k = bisect_left(cue_starts, span.end)
            following = cues[k] if k < len(cues) and cues[k].end <= hi \
                and cues[k].start - span.end <= hi - cues[k].end else None
            out.append(preceding.value if preceding else following.value if following else "event")
        return out


class Published(DateFinder):
    """The publication stage: fills ``published``, the date of a news item's date line or of a press
    release's dateline (``published_text``, found by the splitter), at the precision written."""

    fills = "published"
    needs: tuple[str, ...] = ()

    def extract(self, partner: Partner, doc: Doc) -> Partner:
        found = self.candidates(partner.published_text) if partner.published_text else []
        return replace(partner, published=found[0][2] if found else None)


_NUMERIC = re.compile(NUMERIC_DATE)
_PERIOD = re.compile(r"(?<![\w/.,])(\d{4})/(\d{4})(?![\w/])")
# A year, either end of a range of years ("2021-2025", "2010–2014"), a season ("2012/13").
_YEAR = re.compile(r"(?<![\w/.,])(?P<year>\d{4})(?:/\d{2}(?!\d))?(?![\w/]|[.,]\d|-\d{2}\b|[-–](?!\d{4}\b))")


def _free(taken: list[tuple[int, int]], s: int, e: int) -> bool:
    return not any(s < te and ts < e for ts, te in taken)
