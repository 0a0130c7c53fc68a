"""Dates at their own precision: years, months, days, times, approximations and ranges."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from enum import IntEnum
from typing import NamedTuple

from briefgen.datetext import MONTHS, date_text, point_text

# The shape of a date as the first word of a heading (SPEC §12): a word with this shape must
# be a valid date, or the heading is an error rather than an ordinary section.
DATE_SHAPE = re.compile(r"~?\d{4}(?:-\d+)*(?:T[\d:+\-Z.]*)?(?:\.\.\S*)?")

_POINT = re.compile(
    r"(?P<approx>~)?(?P<year>\d{4})"
    r"(?:-(?P<month>\d{1,2})"
    r"(?:-(?P<day>\d{1,2})"
    r"(?:[T ](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d{1,2}(?::?\d{2})?)?)?)?)?"
)


class SortKey(NamedTuple):
    """A date's position: a calendar day (proleptic ordinal), then an instant (POSIX time)."""

    day: int
    instant: float

    def __neg__(self) -> SortKey:
        """The key for newest-first lists."""
        return SortKey(-self.day, -self.instant)


class Precision(IntEnum):
    YEAR = 1
    MONTH = 2
    DAY = 3
    MINUTE = 4
    SECOND = 5


class DateError(ValueError):
    """A date that cannot be read; the message says why."""


@dataclass(frozen=True)
class DatePoint:
    year: int
    month: int | None = None
    day: int | None = None
    hour: int | None = None
    minute: int | None = None
    second: int | None = None
    offset_minutes: int | None = None
    approximate: bool = False

    @property
    def precision(self) -> Precision:
        if self.hour is not None:
            return Precision.SECOND if self.second is not None else Precision.MINUTE
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    def date_iso(self) -> str:
        """The ISO form of the date part at year, month or day precision."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def written(self) -> str:
        """The point as an editor writes it: ``~`` kept, seconds and offset as in ``iso``."""
        return ("~" if self.approximate else "") + self.iso()

    def iso(self) -> str:
        """ISO 8601 at the point's own precision, valid in ``<time datetime>``."""
        text = self.date_iso()
        if self.hour is None:
            return text
        text += f"T{self.hour:02d}:{self.minute or 0:02d}"
        if self.second is not None or self.offset_minutes is not None:
            text += f":{self.second or 0:02d}"
        if self.offset_minutes is not None:
            text += _offset_text(self.offset_minutes)
        return text

    def human(self) -> str:
        """The point as a reader sees it, in the default style (see ``datetext``)."""
        return point_text(self)

    def _zone(self, default: tzinfo) -> tzinfo:
        if self.offset_minutes is None:
            return default
        return timezone(timedelta(minutes=self.offset_minutes))

    def first_instant(self, default: tzinfo) -> datetime:
        return datetime(self.year, self.month or 1, self.day or 1, self.hour or 0,
                        self.minute or 0, self.second or 0, tzinfo=self._zone(default))

    def last_instant(self, default: tzinfo) -> datetime:
        """The last instant the point covers (the end of its year, month, day or minute)."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        hour = 23 if self.hour is None else self.hour
        minute = 59 if self.minute is None else self.minute
        second = 59 if self.second is None else self.second
        return datetime(self.year, month, day, hour, minute, second, 999999,
                        tzinfo=self._zone(default))


@dataclass(frozen=True)
class DateValue:
    """A point in time, or a range with an end of its own precision."""

    start: DatePoint
    end: DatePoint | None = None

    def iso(self) -> str:
        return self.start.iso() if self.end is None else f"{self.start.iso()}/{self.end.iso()}"

    def human(self) -> str:
        """The value as a reader sees it, ranges compact, in the default style (see
        ``datetext``)."""
        return date_text(self)

    def written(self) -> str:
        """The value as an editor writes it in a heading (``~2022-01``, ``2022-01..2022-02``)."""
        return self.start.written() if self.end is None else \
            f"{self.start.written()}..{self.end.written()}"

    def sort_instant(self, default: tzinfo) -> datetime:
        return self.start.first_instant(default)

    def sort_key(self, default: tzinfo) -> SortKey:
        """Where the value stands in a list (SPEC §12): the calendar day of its start as
        written (so an offset never moves it to another day), then its first instant.
        ``default`` is the zone of times written without an offset."""
        first = self.start.first_instant(default)
        return SortKey(first.date().toordinal(), first.timestamp())

    def end_key(self, default: tzinfo) -> SortKey:
        """The same for the last instant the value covers: the end of its range, month,
        day… A value lies wholly before another when its ``end_key`` is below the other's
        ``sort_key``."""
        point = self.end or self.start
        last = point.last_instant(default)
        return SortKey(last.date().toordinal(), last.timestamp())

    @property
    def year(self) -> int:
        return self.start.year


def _offset_text(minutes: int) -> str:
    if minutes == 0:
        return "+00:00"
    sign = "+" if minutes > 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def _parse_offset(text: str) -> int:
    if text == "Z":
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours = int(digits[:-2] if len(digits) > 2 else digits)
    minutes = int(digits[-2:]) if len(digits) > 2 else 0
    if hours > 14 or minutes > 59:
        raise DateError(f"'{text}' is not a time zone offset")
    return sign * (hours * 60 + minutes)


def parse_point(text: str) -> DatePoint:
    match = _POINT.fullmatch(text.strip())
    if match is None:
        raise DateError(
            f"'{text}' is not a date; write YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        )
    parts = match.groupdict()
    year = int(parts["year"])
    if year == 0:
        raise DateError(f"'{text}' has no year 0; years run from 0001 to 9999")
    month = int(parts["month"]) if parts["month"] else None
    day = int(parts["day"]) if parts["day"] else None
    if month is not None and not 1 <= month <= 12:
        raise DateError(f"'{text}' has no month {month}; months run from 01 to 12")
    if day is not None and month is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise DateError(
                f"'{text}' is not a real date: {MONTHS[month - 1]} {year} has {last} days"
            )
    hour = int(parts["hour"]) if parts["hour"] else None
    minute = int(parts["minute"]) if parts["minute"] else None
    second = int(parts["second"]) if parts["second"] else None
    if hour is not None and (hour > 23 or (minute or 0) > 59 or (second or 0) > 59):
        raise DateError(f"'{text}' has an impossible time of day")
    offset = _parse_offset(parts["tz"]) if parts["tz"] else None
    return DatePoint(year, month, day, hour, minute, second, offset, bool(parts["approx"]))


def parse_date(text: str, default_zone: tzinfo = UTC) -> DateValue:
    """Parse any date form of SPEC §2; raise DateError with a readable message."""
    text = text.strip()
    if ".." in text:
        first, _, second = text.partition("..")
        if not first or not second:
            raise DateError(f"'{text}' is an incomplete range; write START..END")
        start, end = parse_point(first), parse_point(second)
        if end.last_instant(default_zone) < start.first_instant(default_zone):
            raise DateError(f"the range '{text}' ends before it starts")
        return DateValue(start, end)
    return DateValue(parse_point(text))


def looks_like_date(word: str) -> bool:
    return DATE_SHAPE.fullmatch(word) is not None
