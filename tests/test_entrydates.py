"""Entry dates that are probably typos: far after the briefing, or out of order."""

from __future__ import annotations

from datetime import UTC, date

import pytest

from briefgen.dates import parse_date
from briefgen.entrydates import DatedEntry, a_year_after, check_entry_dates
from briefgen.errors import Diagnostics, Loc


def warnings(dates: list[str], reference: str | None = None, planned: int | None = None
             ) -> list[str]:
    diags = Diagnostics("b.md")
    entries = [DatedEntry(f"e{n}", parse_date(text), Loc(n, 4), len(text), planned == n)
               for n, text in enumerate(dates, start=1)]
    check_entry_dates(diags, entries, ("date", parse_date(reference)) if reference else None,
                      UTC, in_yaml=False)
    return [f"{d.loc.line}: {d.message}" for d in diags.items]


def test_a_year_after_a_leap_day():
    assert a_year_after(date(2024, 2, 29)) == date(2025, 2, 28)
    assert a_year_after(date(2023, 5, 1)) == date(2024, 5, 1)


@pytest.mark.parametrize("entry,warned", [
    ("2024-05-01", False), ("2024-05-02", True), ("2024-05", False), ("2024-06", True),
    ("2024-04-30..2026-01-01", False), ("2024-05-01T23:00-07:00", False),
])
def test_more_than_a_year_after_the_briefing(entry, warned):
    found = warnings([entry], reference="2023-05-01")
    assert bool(found) is warned, found


def test_the_reference_covers_its_whole_month():
    assert warnings(["2024-05-31"], reference="2023-05") == []
    assert warnings(["2024-06-01"], reference="2023-05") != []


def test_planned_entries_may_lie_far_ahead():
    assert warnings(["2023-01-01", "2030-01-01"], reference="2023-05-01", planned=2) == []
    assert "{.planned}" in warnings(["2023-01-01", "2030-01-01"], reference="2023-05-01")[0]


@pytest.mark.parametrize("dates", [
    ["2023-01-01", "2023-01-02", "2023-01-02", "2023-02"],
    ["2023-03-05", "2023-03-04", "2023-03", "2023-03-01", "2022"],
    ["2023-01-20", "2023-01", "2023-01-25"],  # a month overlaps its days: in either order
    ["2023-05-01T23:00-07:00", "2023-05-02T01:00Z"],  # the day as written, not UTC
    ["2023-02-01", "2023-01-01"],
])
def test_ordered_briefings_have_no_warning(dates):
    assert warnings(dates) == []


def test_the_first_break_of_the_majority_order_is_reported_once():
    found = warnings(["2023-01-05", "2023-01-10", "2023-01-03", "2023-01-12", "2023-01-01",
                      "2023-01-20"])
    assert len(found) == 1
    assert found[0].startswith("3: entry 'e3' (2023-01-03) is dated before the entry 'e2' on "
                               "line 2 (2023-01-10)") and "oldest first" in found[0]


def test_a_tie_goes_by_the_first_and_last_entries():
    found = warnings(["2023-03-05", "2023-03-04", "2023-03-09", "2023-03-01"])
    assert len(found) == 1 and found[0].startswith("3: entry 'e3'") and "newest first" in found[0]


def test_a_typo_in_the_first_entry_does_not_turn_the_order():
    found = warnings(["2023-05-01", "2022-05-02", "2023-05-03", "2023-05-04"])
    assert len(found) == 1 and found[0].startswith("2: entry 'e2'")
