"""Dates as a reader sees them: at their own precision, ranges compact ("13–14 July 2023"),
times with the zone they are in, in the order and clock of the site's language.

A time written with an offset shows that offset (``23:00 UTC−7``: an offset alone cannot
tell PDT from MST); a time written without one is in the site's zone and shows its
abbreviation (``CEST``), and its ``<time datetime>`` gets the zone's offset on that day, so
that the machine-readable value is always exact.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # dates imports this module: its values are only handed in here
    from briefgen.dates import DatePoint, DateValue

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

# Where the reader expects "July 13, 2023" and a 12-hour clock (CLDR's formats).
MONTH_FIRST = frozenset({"en-us", "en-ph"})
HOUR12 = frozenset({"en-us", "en-ph", "en-ca", "en-au", "en-nz", "en-in"})
MINUS = "\u2212"
DASH = "\u2013"


@dataclass(frozen=True, slots=True)
class DateWords:
    """How a language writes a date: month names and the patterns that put a day, a month
    and a year together (``{day}``, ``{month}``, ``{year}``). English by default; the
    others come from the site's words (see ``wording``)."""

    months: tuple[str, ...] = MONTHS  # with a day ("13 July"): a genitive where one is used
    months_alone: tuple[str, ...] = MONTHS  # without a day ("July 2023")
    date: str = "{day} {month} {year}"  # "13 July 2023", "13. Juli 2023", "13 de julio de 2023"
    day_month: str = "{day} {month}"  # a range's start in another month: "30 June – 2 July"
    day: str = "{day}"  # a range's start in the same month: "13–14 July" ("13.–14. Juli")
    month_year: str = "{month} {year}"  # "July 2023", "julio de 2023"
    first_day: str = "1"  # the first of a month ("1er" in French)
    approximately: str = "c. {date}"  # an approximate date ("c. 2022", "vers 2022")

    @property
    def english(self) -> bool:
        return self == ENGLISH


ENGLISH = DateWords()


@dataclass(frozen=True, slots=True)
class DateStyle:
    """How one site shows dates. ``zone``: the site's time zone, for times written without
    an offset (None: such times show no zone)."""

    zone: tzinfo | None = None
    month_first: bool = False  # "July 13, 2023" rather than "13 July 2023"
    hour12: bool = False  # "11:00 PM" rather than "23:00"
    words: DateWords = ENGLISH  # the language's month names and patterns

    @classmethod
    def for_site(cls, language: str, zone: tzinfo, words: DateWords = ENGLISH) -> DateStyle:
        tag = language.lower().replace("_", "-")
        english = words.english  # month-first is English's way only ("July 13, 2023")
        return cls(zone, english and tag in MONTH_FIRST, tag in HOUR12, words)


PLAIN = DateStyle()


@dataclass(frozen=True, slots=True)
class Shown:
    """One part of a date as shown: text, and the ISO value of the point it stands for
    (None for the dash between the ends of a range)."""

    text: str
    iso: str | None = None


def date_parts(value: DateValue, style: DateStyle = PLAIN) -> tuple[Shown, ...]:
    """``value`` as shown: one part per point (a range's ends, joined by a dash)."""
    if value.end is None:
        return (Shown(point_text(value.start, style), _iso(value.start, style)),)
    first, dash, last = _range(value.start, value.end, style)
    return (Shown(first, _iso(value.start, style)), Shown(dash),
            Shown(last, _iso(value.end, style)))


def date_text(value: DateValue, style: DateStyle = PLAIN) -> str:
    if value.end is None:
        return point_text(value.start, style)
    return "".join(_range(value.start, value.end, style))


def point_text(point: DatePoint, style: DateStyle = PLAIN) -> str:
    if point.day is not None and point.hour is None and not point.approximate \
            and not style.month_first and style.words is ENGLISH:  # the usual case, at once
        return f"{point.day} {MONTHS[point.month - 1]} {point.year}"  # type: ignore[operator]
    text = _day(point, style)
    if point.hour is not None:
        text += f", {_clock(point, style)}"
        zone = _zone_label(point, style)
        if zone:
            text += f" {zone}"
    return _approximately(text, style) if point.approximate else text


def _approximately(text: str, style: DateStyle) -> str:
    return style.words.approximately.replace("{date}", text)


def _day(point: DatePoint, style: DateStyle, year: bool = True) -> str:
    """The calendar part at the point's precision (without the year if ``year`` is false)."""
    if point.month is None:
        return str(point.year)
    words = style.words
    if point.day is None:
        month = words.months_alone[point.month - 1]
        return _fill(words.month_year, month=month, year=point.year) if year else month
    month = words.months[point.month - 1]
    if style.month_first:
        return f"{month} {point.day}" + (f", {point.year}" if year else "")
    day = words.first_day if point.day == 1 else str(point.day)
    return _fill(words.date if year else words.day_month, day=day, month=month, year=point.year)


def _fill(pattern: str, day: str = "", month: str = "", year: int = 0) -> str:
    """A date pattern with its parts (``str.format`` would read braces in a month's name)."""
    return pattern.replace("{day}", day).replace("{month}", month).replace("{year}", str(year))


def _clock(point: DatePoint, style: DateStyle) -> str:
    hour, minute = point.hour or 0, point.minute or 0
    if not style.hour12:
        return f"{hour:02d}:{minute:02d}"
    suffix = "AM" if hour < 12 else "PM"
    return f"{(hour % 12) or 12}:{minute:02d}\u00a0{suffix}"


def offset_label(minutes: int) -> str:
    """``UTC−7``, ``UTC+5:30``, ``UTC``."""
    if minutes == 0:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else MINUS}{hours}" + (f":{rest:02d}" if rest else "")


def _local(point: DatePoint, zone: tzinfo) -> datetime:
    return datetime(point.year, point.month or 1, point.day or 1, point.hour or 0,
                    point.minute or 0, point.second or 0, tzinfo=zone)


def _zone_label(point: DatePoint, style: DateStyle) -> str:
    if point.offset_minutes is not None:
        return offset_label(point.offset_minutes)
    if style.zone is None:
        return ""
    local = _local(point, style.zone)
    name = local.tzname()
    if name and name[0].isalpha():  # "CEST"; zones without letters say "+03"
        return name
    offset = local.utcoffset()
    return offset_label(int(offset.total_seconds()) // 60 if offset is not None else 0)


def _iso(point: DatePoint, style: DateStyle) -> str:
    """The ``<time datetime>`` value: a time always with its offset (the site zone's on
    that day when none is written)."""
    if point.hour is None or point.offset_minutes is not None or style.zone is None:
        return point.iso()
    offset = _local(point, style.zone).utcoffset()
    minutes = int(offset.total_seconds()) // 60 if offset is not None else 0
    return replace(point, offset_minutes=minutes).iso()


def _range(start: DatePoint, end: DatePoint, style: DateStyle) -> tuple[str, str, str]:
    """The two ends of a range as shown, and the dash between them: what both ends share
    (the year, the month, the day) written once, the dash spaced when what it joins has
    spaces ("13–14 July 2023", "30 June – 2 July 2023")."""
    if start.approximate == end.approximate:
        compact = _compact(replace(start, approximate=False), replace(end, approximate=False),
                           style)
        if compact is not None:
            first, dash, last = compact
            return _approximately(first, style) if start.approximate else first, dash, last
    first, last = point_text(start, style), point_text(end, style)
    return first, _dash(" " in first or " " in last), last


def _compact(start: DatePoint, end: DatePoint, style: DateStyle) -> tuple[str, str, str] | None:
    timed = start.hour is not None, end.hour is not None
    if timed == (True, True):
        return _same_day_times(start, end, style)
    if timed != (False, False) or start.precision != end.precision \
            or start.year != end.year or start.month is None:
        return None  # whole years ("2021–2022") need nothing shared
    if start.day is None:  # months of one year: "January–February 2022"
        return style.words.months_alone[start.month - 1], DASH, _day(end, style)
    if start.month == end.month:  # days of one month
        if style.month_first:  # "July 13–14, 2023"
            return _day(start, style, year=False), DASH, f"{end.day}, {end.year}"
        day = style.words.first_day if start.day == 1 else str(start.day)
        return _fill(style.words.day, day=day), DASH, _day(end, style)
    return _day(start, style, year=False), _dash(True), _day(end, style)


def _same_day_times(start: DatePoint, end: DatePoint,
                    style: DateStyle) -> tuple[str, str, str] | None:
    """"13 July 2023, 14:00–16:00 CEST": one day, one zone."""
    same_day = (start.year, start.month, start.day) == (end.year, end.month, end.day)
    zone = _zone_label(start, style)
    if not same_day or zone != _zone_label(end, style):
        return None
    first = f"{_day(start, style)}, {_clock(start, style)}"
    last = _clock(end, style) + (f" {zone}" if zone else "")
    return first, _dash(style.hour12), last


def _dash(spaced: bool) -> str:
    return f" {DASH} " if spaced else DASH
