"""String helpers every layer uses: folding for matching, name keys, acronyms, slugs and hashes.

One definition of each: the stages, the outputs and the tools compare names, spot acronyms and
fold typography with these functions and nothing else. Pure functions of their arguments (and of
wordfreq's word lists, which tell a coined short name from an ordinary word); nothing here reads a
resource file or imports the project's other modules.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

from wordfreq import zipf_frequency

# Typographic apostrophes, quotes and dashes, each to one ASCII character (so offsets survive).
_FOLD = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "´": "'", "`": "'", "′": "'",
                       "“": '"', "”": '"', "«": '"', "»": '"', "„": '"', "″": '"',
                       "–": "-", "—": "-", "‐": "-", "‑": "-"})

# Spaces a saved page uses that a reader sees as an ordinary space.
_SPACES = re.compile("[\u00a0\u202f\u2000-\u200a\u205f\u3000]")
# Line ends other than \n that a page may use: CR LF, CR, NEL, the Unicode line and paragraph separators.
_LINE_ENDS = re.compile("\r\n|[\r\x85\u2028\u2029]")
# Invisible characters that only get in the way of matching (zero-width space, BOM, soft hyphen...).
# Removed with the control characters, in one pass (a regular expression is many times faster than
# str.translate on long non-ASCII text).
# The bidirectional controls (U+202A-202E, U+2066-2069, U+200E-200F) go too: they would reorder a
# heading on screen ("\u202e" turns it around) and say nothing.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Leading articles a name may carry in running text ("l'OMD", "la Banque mondiale").
ARTICLES = ("l'", "le ", "la ", "les ")
# What starts text that Excel, LibreOffice or Google Sheets would run as a formula: the CSV and XLSX
# views put a "'" before such text (outputs/rows.py), and the loader of the views takes it off (tools/load.py).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Acronyms, as written in running text and as written in a heading's parentheses. Both start with a
# capital, end with a capital or a digit, and have at least two capitals or digits. In running text an
# acronym is letters, digits and "&" (lower case inside, "MoU"), with at most one more word that
# starts with a capital ("DG TAXUD", "ONUDC-OMD"): "COVID-19" and "S.A.R.L" are not acronyms of
# bodies. In a heading, what the parentheses hold is the partner's acronym by position, so dotted,
# hyphenated and numbered forms count too ("U.E", "G-20", "BRLR AO 2"), up to three words.
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9&]*[A-Z0-9](?:[ \-/][A-Z][A-Za-z0-9]+)?$")
_HEADING_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&'’.\-]*[A-Z0-9](?:[ \-][A-Z0-9][\w\-]*){0,2}$")
# An acronym standing as a word inside a longer name: capitals, digits and "&" only.
_ACRONYM_WORD = re.compile(r"\b[A-Z][A-Z0-9&]{1,}[A-Z0-9]?\b")
# A short name written like a word, in mixed case (``Danida``, ``GrenAd``, ``TradeMark Africa``): one to
# three words, each with a capital first, and some lower case.
_SHORT_NAME = re.compile(r"^[A-Z][A-Za-z\-]*(?: [A-Z][A-Za-z\-]*){0,2}$")
# How often a word must be written (wordfreq's Zipf scale, in French or in English, whichever is
# higher) to be an ordinary word or a place's name rather than a coined short name: "Belgique" is 4.8,
# "Lesotho" 2.9, "Kampala" 2.9, "Norad" 2.6, "Danida" 1.2, "Enabel" 0.
_COMMON_WORD_ZIPF = 2.7


def fold(text: str) -> str:
    """Same length as ``text``: typographic apostrophes, quotes and dashes as ASCII."""
    return text.translate(_FOLD)


@lru_cache(maxsize=200_000)  # a pure function of its argument, called for every token
def norm(text: str) -> str:
    """Case- and accent-insensitive form used for matching names and cues."""
    decomposed = unicodedata.normalize("NFKD", fold(text).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("œ", "oe")


def unaccented(text: str) -> str:
    """``text`` without its accents, case kept."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def singular(word: str) -> str:
    """A folded French word without its plural mark (a rough rule, good enough for cue matching)."""
    if len(word) > 3 and word[-1] in "sx" and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def name_key(name: str | None) -> str:
    """How two names of a body are compared: folded, without leading articles, single spaces."""
    if not name:
        return ""
    text = norm(name).strip()
    for article in ARTICLES:
        if text.startswith(article):
            text = text[len(article):]
    return re.sub(r"[\s\-]+", " ", text).strip()


def _enough_capitals(text: str) -> bool:
    return sum(c.isupper() or c.isdigit() for c in text) >= 2


def is_acronym(text: str) -> bool:
    """Whether ``text`` is written as an acronym in running text: ``OMD``, ``G20``, ``DG TAXUD``, ``MoU``."""
    return bool(_ACRONYM.match(text)) and _enough_capitals(text)


def is_heading_acronym(text: str) -> bool:
    """Whether the parentheses of a heading hold an acronym: the running-text forms and ``U.E``, ``G-20``."""
    return bool(_HEADING_ACRONYM.match(text)) and _enough_capitals(text)


def is_short_name(text: str) -> bool:
    """Whether ``text`` is written as a body's coined short name (what parentheses after its full name
    hold): an inner capital (``GrenAd``, ``TradeMark Africa``) or a word French rarely writes
    (``Danida``, ``Enabel``), not an ordinary word or a country (``Belgique``, ``Ghana``)."""
    if len(text) > 30 or not _SHORT_NAME.match(text) or not any(c.islower() for c in text):
        return False
    words = text.split()
    # (a capital after a hyphen starts a word of a compound place name: "Pays-Bas", "Port-Gentil")
    coined = any(c.isupper() and w[i - 1] != "-" for w in words for i, c in enumerate(w) if i)
    return coined or all(max(zipf_frequency(w.casefold(), "fr"), zipf_frequency(w.casefold(), "en"))
                         < _COMMON_WORD_ZIPF for w in re.split(r"[ \-]", text) if w)


def is_english(word: str) -> bool:
    """A word English writes far more than French: "moved", "signed" (wordfreq's lists)."""
    return zipf_frequency(word, "en") >= zipf_frequency(word, "fr") + 2


def not_french(word: str) -> bool:
    """A lower-case word French does not write: "wirtschaftliche" in a German name."""
    return word.isalpha() and word.islower() and zipf_frequency(word, "fr") < 1.0


def acronyms_in(text: str) -> list[str]:
    """The words of ``text`` written as acronyms in capitals, in order: "le secrétariat de l'OSCE" -> ["OSCE"]."""
    return _ACRONYM_WORD.findall(text)


def typographic(name: str) -> str:
    """A name with French typography's apostrophe (’), however the page wrote it: one body, one name."""
    return name.replace("'", "’")


def collapse(text: str) -> str:
    """Runs of spaces, tabs and line ends as one space, trimmed."""
    return re.sub(r"[ \t\n]+", " ", text).strip()


def slug(text: str) -> str:
    """A lower-case ASCII identifier of at most 60 characters (``partner`` when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-") or "partner"


def sha256(data: bytes | str) -> str:
    """Hex SHA-256 of bytes, or of text encoded as UTF-8."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


# Date expressions, one definition for the dates stage (which finds every date in a text) and the
# splitter (which finds a news item's date line or a press release's dateline): a written date
# ("13 mai 1998", "1er janvier 2000", "mai 1998") built on the month names of ``dates.toml``, and a
# numeric one ("13/05/1998", "13.05.1998", "1998-05-13").
NUMERIC_DATE = (r"(?<![\w/.-])(?:(?P<d>[0-3]?\d)[/.](?P<m>[01]?\d)[/.](?P<y>\d{4})"
                r"|(?P<iy>\d{4})-(?P<im>[01]\d)-(?P<id>[0-3]\d))(?![\w/-])")


def alternation(words) -> str:
    """A regular expression matching any of ``words`` as written, the longest first (so that "sept"
    never wins over "septembre")."""
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


def written_date(months) -> str:
    """The pattern of a written date on these month names: groups ``day``, ``month``, ``year``."""
    names = alternation(months)
    # (a hyphen may stand before the day only after a number: "3-5 juin 2019" is a range)
    return (rf"(?<![\w/.])(?<![^\d\s]-)(?:(?P<day>(?:[0-3]?\d)(?:er)?|premier)\s+)?(?P<month>{names})\.?\s+"
            r"(?P<year>\d{4})(?![\w/-])")


def normalise(text: str) -> str:
    """Line ends, spaces, invisible characters and NFC; apostrophes and quotes stay as written."""
    text = _LINE_ENDS.sub("\n", text)
    text = _INVISIBLE.sub("", _SPACES.sub(" ", text))
    return unicodedata.normalize("NFC", text)
