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
import unicodedata
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


# What word processors and keyboards put in place of the hyphen-minus of an ISO date.
_ZEROS = str.maketrans("Oo", "00")
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d", "-"))
_ISO_SHAPE = re.compile(r"~?\d{4}(?:-\d{1,2}){1,2}(?:T\d{1,2}:\d{2}(?::\d{2})?)?(?:\.\.\S+)?")
# A date glued to a dash or bar that should have been a space (``2023-09-20—Talks``).
_DASH_GLUED = re.compile(rf"(?P<date>{_ISO})[–—|](?=\S)")
# A whole day joined to its title by a hyphen (``2024-01-12-Talks``): a word, not a date.
# (``2008-09-style`` and ``2019-20-season`` are years, and ordinary titles.)
_HYPHEN_GLUED = re.compile(r"(?P<date>~?\d{4}-\d{1,2}-\d{1,2})-(?=[^\W\d_])")
# A year with the letter O for a zero (``2O24-01-13``), or of five digits in a whole day
# (``20224-01-12``; not three: ``141-5-35`` is a vote).
_SLIPPED_YEAR = re.compile(r"(?P<year>[\dOo]{4,5})-(?P<rest>\d{1,2}(?:-\d{1,2})?)(?=\s|$)")
# An approximate date written with a space after ``~``, or with ``c.``/``circa``.
_APPROX = re.compile(r"(?:~\s+|(?:c\.|ca\.|circa|approx\.|approximately)\s*)"
                     r"(?P<date>\d{4}(?:-\d{1,2}){0,2})(?![\w-])", re.I)
# A date in bold or italics: Markdown's markers are not part of it.
_EMPHASISED = re.compile(rf"(?P<mark>\*\*|__|\*|_)(?P<date>{_ISO}(?:\.\.{_ISO})?)(?P=mark)")
# A time of day with am/pm (``2023-09-20T2:30pm``, ``2023-09-20 2:30 p.m.``).
_AM_PM = re.compile(r"(?P<day>~?\d{4}-\d{1,2}-\d{1,2})(?:T|\s+)(?P<hour>\d{1,2})"
                    r"(?::(?P<minute>\d{2}))?\s*(?P<half>[ap])\.?m\.?(?!\w)", re.I)
# Month names between dashes (``2023-Sep-20``, ``20-Sep-2023``).
_DASHED_YEAR_FIRST = re.compile(rf"(?P<year>\d{{4}})-{_MONTH}-(?P<day>\d{{1,2}})(?!\w)", re.I)
_DASHED_DAY_FIRST = re.compile(rf"(?P<day>\d{{1,2}})-{_MONTH}-(?P<year>\d{{4}})(?!\w)", re.I)
# Two-digit years (``20/09/23``): read as this century's.
_NUMERIC_SHORT = re.compile(r"(?P<a>\d{1,2})(?P<sep>[./])(?P<b>\d{1,2})(?P=sep)(?P<yy>\d{2})"
                            r"(?![\w./])")
# A day of the week before a date written with names (``Monday, 20 September 2023``).
_WEEKDAY = re.compile(r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
                      r"mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?,?\s+|[^\W\d_]+,\s+(?=\d)",
                      re.I)


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
    for finder in (_typed_variant, _iso_variant, _numeric, _named, _weekday):
        found = finder(text, months)
        if found is not None:
            return found
    return None


def _typed_variant(text: str, months: Mapping[str, int]) -> Misdated | None:
    """An ISO date as a word processor or a hurried hand types it: other dashes, glued to
    the title, approximate with ``c.``, in bold, with am/pm, with a month name."""
    if _RANGE.match(text):
        return None  # a range written with a dash: ``_iso_variant`` says how to write it
    word = text.split(maxsplit=1)[0] if text.strip() else ""
    hyphenated = word.translate(_DASHES)
    if hyphenated != word and _ISO_SHAPE.fullmatch(hyphenated):
        dash = next(c for c in word if c.translate(_DASHES) != c)
        return _checked(word, [hyphenated],
                        what=f"a date with {unicodedata.name(dash).lower()} (U+{ord(dash):04X}) "
                             "in place of '-'")
    match = _DASH_GLUED.match(text) or _HYPHEN_GLUED.match(text)
    if match:
        return _checked(match.group(0), [match["date"]], what="a date glued to what follows")
    match = _SLIPPED_YEAR.match(text)
    written = match["year"] if match else ""
    if match and any(c.isdigit() for c in written) and \
            (len(written) != 4 or not written.isdigit()):
        year = written.translate(_ZEROS)
        if len(year) == 4:
            return _checked(match.group(0), [f"{year}-{match['rest']}"],
                            what="a date with the letter O in its year")
        if "-" in match["rest"] and year[:2] in ("19", "20"):  # a whole day, a year typed
            return Misdated(match.group(0), (), f"its year has {len(year)} digits",
                            what="a date")
    match = _AM_PM.match(text)
    if match:
        hour = int(match["hour"]) % 12 + (12 if match["half"].lower() == "p" else 0)
        return _checked(match.group(0), [f"{match['day']}T{hour:02d}:{match['minute'] or '00'}"],
                        what="a date and time")
    match = _EMPHASISED.match(text)
    if match:
        return _checked(match.group(0), [match["date"]], what="a date in bold or italics")
    match = _APPROX.match(text)
    if match:
        return _checked(match.group(0), [f"~{match['date']}"], what="an approximate date")
    for pattern in (_DASHED_YEAR_FIRST, _DASHED_DAY_FIRST):
        match = pattern.match(text)
        month = _month(match, months)
        if match and month:
            return _checked(match.group(0), [_iso(match["year"], month, match["day"])])
    match = _NUMERIC_SHORT.match(text)
    if match:
        year = f"20{match['yy']}"
        return _checked(match.group(0), [_iso(year, match["b"], match["a"]),
                                         _iso(year, match["a"], match["b"])])
    return None


def _weekday(text: str, months: Mapping[str, int]) -> Misdated | None:
    """A date with names after a day of the week (``Monday, 20 September 2023``)."""
    match = _WEEKDAY.match(text)
    if match is None:
        return None
    found = _named(text[match.end():], months)
    if found is None or found.month_only:
        return None
    return Misdated(text[:match.end()] + found.text, found.readings, found.problem,
                    what=found.what)


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


# Time-zone abbreviations an editor may write after a time, and the offsets they stand for
# (several where the abbreviation is used for more than one zone).
_ZONES: dict[str, tuple[str, ...]] = {
    "UTC": ("Z",), "GMT": ("Z",), "Z": ("Z",), "WET": ("+00:00",), "WEST": ("+01:00",),
    "BST": ("+01:00",), "CET": ("+01:00",), "CEST": ("+02:00",), "EET": ("+02:00",),
    "EEST": ("+03:00",), "MSK": ("+03:00",), "TRT": ("+03:00",), "EAT": ("+03:00",),
    "WAT": ("+01:00",), "CAT": ("+02:00",), "SAST": ("+02:00",), "IRST": ("+03:30",),
    "GST": ("+04:00",), "PKT": ("+05:00",), "IST": ("+05:30", "+01:00", "+02:00"),
    "ICT": ("+07:00",), "WIB": ("+07:00",), "HKT": ("+08:00",), "SGT": ("+08:00",),
    "AWST": ("+08:00",), "JST": ("+09:00",), "KST": ("+09:00",), "ACST": ("+09:30",),
    "AEST": ("+10:00",), "AEDT": ("+11:00",), "NZST": ("+12:00",), "NZDT": ("+13:00",),
    "HST": ("-10:00",), "AKST": ("-09:00",), "AKDT": ("-08:00",), "PST": ("-08:00",),
    "PDT": ("-07:00",), "MST": ("-07:00",), "MDT": ("-06:00",), "CST": ("-06:00", "+08:00"),
    "CDT": ("-05:00",), "EST": ("-05:00",), "EDT": ("-04:00",), "AST": ("-04:00", "+03:00"),
    "ADT": ("-03:00",), "NST": ("-03:30",), "ART": ("-03:00",), "BRT": ("-03:00",),
}


def zone_offsets(word: str) -> tuple[str, ...] | None:
    """The offsets a time-zone abbreviation written after a time stands for, or None when
    ``word`` is not one (only upper-case abbreviations: ``Est`` is a word)."""
    return _ZONES.get(word.rstrip(".,:;")) if word.isupper() or word == "Z" else None
