"""Entry dates that are probably typos: far after the briefing, out of order, or after today."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from briefgen.build import BuildOptions, BuildResult, build
from briefgen.dates import parse_date
from briefgen.entrydates import a_year_after, check_entry_dates
from briefgen.errors import Diagnostics, Loc
from briefgen.model import DatedEntry
from tests.conftest import write


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


# ------------------------------------------------------------------ entries after today

BRIEFING = """---
title: Talks
date: 2026-12-01
---

## 2026-12-01 Talks open

Said [@memo].

## {second} Talks resume{mark}

Said [@memo].
"""
SITE = {"site.yaml": "title: T\nbase_url: https://example.org/\ntimezone: Europe/Berlin\n",
        "content/sources/memo.yaml": "title: Memo\npublisher: Wire\ndate: 2021\n"}
AFTER_TODAY = "in the future; correct the date if it is a typo; if the entry announces a planned " \
              "event, "


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def diagnosed(result: BuildResult) -> list[str]:
    return [d.headline() for d in result.diagnostics]


def site_with(tmp_path: Path, second: str, mark: str = "") -> Path:
    text = BRIEFING.format(second=second, mark=mark)
    return write(tmp_path / "site", {**SITE, "content/briefings/talks.md": text})


def test_an_entry_dated_after_today_is_a_warning_until_its_date_comes(tmp_path: Path):
    site, out = site_with(tmp_path, "2026-12-20"), tmp_path / "out"
    # The site's zone is Europe/Berlin: 20 December begins at 23:00 UTC on the 19th.
    before = build(site, BuildOptions(out=out, jobs=1, now=moment("2026-12-19T22:30+00:00")))
    assert before.ok
    assert diagnosed(before) == [
        "content/briefings/talks.md:10:4: warning: entry '2026-12-20-talks-resume' is dated "
        f"2026-12-20, {AFTER_TODAY}end its heading with {{.planned}}"]
    assert before.valid_until == moment("2026-12-19T23:00+00:00").timestamp()
    # The same files, built again from the cache once the date has come: no warning.
    after = build(site, BuildOptions(out=out, jobs=1, now=moment("2026-12-19T23:30+00:00")))
    assert after.ok and diagnosed(after) == []


@pytest.mark.parametrize("second,mark", [
    ("2026-12", ""),  # this month: it may have begun
    ("2026-12-20", " {.planned}"),
    ("2028-01-05", ""),  # more than a year after the briefing: that warning alone
])
def test_entries_not_warned_as_after_today(tmp_path: Path, second: str, mark: str):
    site = site_with(tmp_path, second, mark)
    result = build(site, BuildOptions(write=False, jobs=1, now=moment("2026-12-07T12:00+00:00")))
    assert not any(AFTER_TODAY in line for line in diagnosed(result)), diagnosed(result)


def test_a_yaml_entry_after_today_is_told_of_planned_true(tmp_path: Path):
    briefing = ("title: Y\ndate: 2026-12-01\nentries:\n  - date: 2026-12-01\n    title: Open\n"
                "    body: Said [@memo].\n  - date: 2027-01\n    title: Later\n"
                "    body: Said [@memo].\n  - date: 2027-02\n    title: Vote\n"
                "    planned: true\n    body: Said [@memo].\n")
    site = write(tmp_path / "site", {**SITE, "content/briefings/y.yaml": briefing})
    result = build(site, BuildOptions(write=False, jobs=1, now=moment("2026-12-07T12:00+00:00")))
    assert diagnosed(result) == [
        f"content/briefings/y.yaml:7:11: warning: entry '2027-01-later' is dated 2027-01, "
        f"{AFTER_TODAY}add planned: true to it"]


def test_a_scheduled_briefing_s_entries_are_checked_when_it_comes_out(tmp_path: Path):
    site = site_with(tmp_path, "2026-12-20")
    early = build(site, BuildOptions(write=False, jobs=1, now=moment("2026-11-30T12:00+00:00")))
    assert not any(AFTER_TODAY in line for line in diagnosed(early)), diagnosed(early)
    out = build(site, BuildOptions(write=False, jobs=1, now=moment("2026-12-07T12:00+00:00")))
    assert any(AFTER_TODAY in line for line in diagnosed(out))
