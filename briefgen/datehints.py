"""Dates written another way at the start of a heading, and the ISO form to write instead.

An editor who writes ``## 27 September 2023 Talks`` means an entry, but only ISO dates open
entries (SPEC §2, §12). ``misdated`` recognises the common other ways — day and month names
in English and a few other languages, numeric days (``09/27/2023``, ``27.09.2023``), ranges
with a dash or spaces, a time after a space — so that the heading is reported with the
form to write rather than silently becoming an ordinary section.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from briefgen.dates import DateError, parse_date

# Month names and their usual abbreviations, by language (lower case, without the dot of an
# abbreviation). English is always read; another language when the site is written in it.
_MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("january jan", "february feb", "march mar", "april apr", "may", "june jun",
           "july jul", "august aug", "september sep sept", "october oct", "november nov",
           "december dec"),
    "de": ("januar jan jänner jän", "februar feb", "märz mär mrz", "april apr", "mai",
           "juni jun", "juli jul", "august aug", "september sep sept", "oktober okt",
           "november nov", "dezember dez"),
    "fr": ("janvier janv", "février fevrier févr fevr", "mars", "avril avr", "mai", "juin",
           "juillet juil", "août aout", "septembre sept", "octobre oct", "novembre nov",
           "décembre decembre déc dec"),
    "es": ("enero ene", "febrero feb", "marzo mar", "abril abr", "mayo may", "junio jun",
           "julio jul", "agosto ago", "septiembre setiembre sep sept set", "octubre oct",
           "noviembre nov", "diciembre dic"),
    "it": ("gennaio gen", "febbraio feb", "marzo mar", "aprile apr", "maggio mag",
           "giugno giu", "luglio lug", "agosto ago", "settembre set", "ottobre ott",
           "novembre nov", "dicembre dic"),
    "pt": ("janeiro jan", "fevereiro fev", "março marco mar", "abril abr", "maio mai",
           "junho jun", "julho jul", "agosto ago", "setembro set", "outubro out",
           "novembro nov", "dezembro dez"),
    "nl": ("januari jan", "februari feb", "maart mrt", "april apr", "mei", "juni jun",
           "juli jul", "augustus aug", "september sep sept", "oktober okt", "november nov",
           "december dec"),
}

LANGUAGES = tuple(_MONTH_NAMES)

_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|er|re|º|ª|°)?\.?"
_DAY_END = r"(?:\s*[–—-]\s*(?P<day2>\d{1,2})(?:st|nd|rd|th|º|ª|°)?\.?)?"
_MONTH = r"(?P<month>[^\W\d_]{3,}\.?)"
_YEAR = r"(?P<year>\d{4})(?!\w)"
_DAY_MONTH_YEAR = re.compile(
    rf"{_DAY}{_DAY_END}\s+(?:(?:de|of)\s+)?{_MONTH},?\s+(?:de\s+)?{_YEAR}", re.I)
_MONTH_DAY_YEAR = re.compile(rf"{_MONTH}\s+{_DAY}{_DAY_END},?\s+{_YEAR}", re.I)
_MONTH_YEAR = re.compile(rf"{_MONTH},?\s+(?:de\s+)?{_YEAR}", re.I)
_NUMERIC = re.compile(r"(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})(?!\w)")
_YEAR_FIRST = re.compile(r"(?P<year>\d{4})(?P<sep>[./])(?P<month>\d{1,2})(?P=sep)"
                         r"(?P<day>\d{1,2})(?![\w.])")
_ISO = (r"~?\d{4}(?:-\d{1,2}){0,2}"
        r"(?:T\d{1,2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?")
_RANGE = re.compile(
    rf"(?P<start>{_ISO})(?:\s*[–—]\s*|\s+\.\.\s*|\s*\.\.\s+|\s+-\s+|/|\s+to\s+)(?P<end>{_ISO})(?!\w)")
_SPACED_TIME = re.compile(r"(?P<day>~?\d{4}-\d{1,2}-\d{1,2})\s+(?P<time>\d{1,2}:\d{2}(?::\d{2})?)"
                          r"(?![\w:])")
# A month or day glued to punctuation (``2023-09-20:``); a bare year (``2024: a review``) is
# a common section title.
_GLUED = re.compile(rf"(?P<date>~?\d{{4}}-\d{{1,2}}(?:-\d{{1,2}})?(?:\.\.{_ISO})?)[:,;.](?=\s|$)")


@dataclass(frozen=True)
class Misdated:
    """A date at the start of a heading written in a form briefgen does not read."""

    text: str  # as written
    readings: tuple[str, ...]  # the ISO forms it can mean (valid ones only)
    problem: str | None = None  # why no reading is a valid date
    month_only: bool = False  # a month and year: perhaps a section title, not an entry
    what: str = "a date"  # "a date", "a range", "a date and time"


@functools.cache  # a few languages per process, read for every briefing
def month_table(language: str) -> Mapping[str, int]:
    """Month names and abbreviations → month number, in English and ``language``."""
    table: dict[str, int] = {}
    primary = language.split("-")[0].lower()
    for code in dict.fromkeys(("en", primary)):
        for number, names in enumerate(_MONTH_NAMES.get(code, ()), start=1):
            for name in names.split():
                table.setdefault(name, number)
    return table


def misdated(text: str, months: Mapping[str, int]) -> Misdated | None:
    """The date written another way that ``text`` (a heading's text) starts with, if any."""
    for finder in (_iso_variant, _numeric, _named):
        found = finder(text, months)
        if found is not None:
            return found
    return None


def _iso_variant(text: str, months: Mapping[str, int]) -> Misdated | None:
    """ISO dates joined the wrong way: a dash or spaced range, a spaced time, a colon."""
    match = _RANGE.match(text)
    if match:
        return _checked(match.group(0), [f"{match['start']}..{match['end']}"], what="a range")
    match = _SPACED_TIME.match(text)
    if match:
        return _checked(match.group(0), [f"{match['day']}T{match['time']}"],
                        what="a date and time")
    match = _GLUED.match(text)
    if match:
        return _checked(match.group(0), [match["date"]])
    return None


def _numeric(text: str, months: Mapping[str, int]) -> Misdated | None:
    match = _YEAR_FIRST.match(text)
    if match:
        return _checked(match.group(0), [_iso(match["year"], match["month"], match["day"])])
    match = _NUMERIC.match(text)
    if match is None:
        return None
    a, b, year = match["a"], match["b"], match["year"]
    # Day first (27/09) or month first (09/27): every reading that is a real date is offered.
    readings = [_iso(year, b, a), _iso(year, a, b)]
    return _checked(match.group(0), readings)


def _named(text: str, months: Mapping[str, int]) -> Misdated | None:
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        match = pattern.match(text)
        month = _month(match, months)
        if match and month:
            start = _iso(match["year"], month, match["day"])
            if match["day2"]:
                return _checked(match.group(0),
                                [f"{start}..{_iso(match['year'], month, match['day2'])}"],
                                what="a range")
            return _checked(match.group(0), [start])
    match = _MONTH_YEAR.match(text)
    month = _month(match, months)
    if match and month:
        return Misdated(match.group(0), (f"{match['year']}-{month:02d}",), month_only=True,
                        what="a month")
    return None


def _month(match: re.Match[str] | None, months: Mapping[str, int]) -> int | None:
    return months.get(match["month"].rstrip(".").casefold()) if match else None


def _iso(year: str, month: str | int, day: str) -> str:
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _checked(text: str, readings: list[str], what: str = "a date") -> Misdated:
    """Keep the readings that are real dates; say why when none is."""
    valid: list[str] = []
    problem = None
    for reading in sorted(set(readings)):
        try:
            parse_date(reading)
        except DateError as exc:
            problem = problem or str(exc)
        else:
            valid.append(reading)
    return Misdated(text, tuple(valid), None if valid else problem, what=what)
