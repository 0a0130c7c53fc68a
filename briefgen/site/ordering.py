"""How entries, briefings and sources are ordered (SPEC §12), defined once: by the calendar
day as written, then the first instant (``DateValue.sort_key``); ties by file name, then by
place in the file."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from briefgen.dates import DateValue


def entry_sort_key(date: DateValue, zone: tzinfo, path: str, position: int) -> tuple[Any, ...]:
    """Ascending (timelines, actor and source pages)."""
    key = date.sort_key(zone)
    return (key.day, key.instant, path, position)


def newest_first_key(date: DateValue, zone: tzinfo, path: str) -> tuple[Any, ...]:
    """Descending (lists of briefings and of sources)."""
    key = -date.sort_key(zone)
    return (key.day, key.instant, path)
