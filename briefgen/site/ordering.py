"""How entries and briefings are ordered (SPEC §12), defined once."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from briefgen.dates import DateValue


def entry_sort_key(date: DateValue, zone: tzinfo, path: str, position: int) -> tuple[Any, ...]:
    """Ascending date order; ties fall back to the file name, then the place in the file."""
    return (date.sort_instant(zone).timestamp(), path, position)


def briefing_sort_key(date: DateValue, zone: tzinfo, path: str) -> tuple[Any, ...]:
    """Newest first; ties fall back to the file name."""
    return (-date.sort_instant(zone).timestamp(), path)
