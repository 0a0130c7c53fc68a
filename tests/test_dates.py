"""Dates of SPEC §2: every form, its rendering, ordering and errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefgen.dates import DateError, looks_like_date, parse_date
from tests.conftest import write


@pytest.mark.parametrize("text,iso,human", [
    ("2022", "2022", "2022"),
    ("2022-02", "2022-02", "February 2022"),
    ("2022-02-01", "2022-02-01", "1 February 2022"),
    ("2022-2-1", "2022-02-01", "1 February 2022"),
    ("2022-02-01T14:30", "2022-02-01T14:30", "1 February 2022, 14:30"),
    ("2022-02-01T14:30:00+03:00", "2022-02-01T14:30:00+03:00", "1 February 2022, 14:30 UTC+3"),
    ("2022-02-01 14:30:05Z", "2022-02-01T14:30:05+00:00", "1 February 2022, 14:30 UTC"),
    ("~2022-02", "2022-02", "c. February 2022"),
    ("2021-11..2022-02", "2021-11/2022-02", "November 2021 – February 2022"),
    ("2022-01-24..2022-01-28", "2022-01-24/2022-01-28", "24–28 January 2022"),
    ("2024-02-29", "2024-02-29", "29 February 2024"),
])
def test_forms_parse_and_render_at_their_precision(text, iso, human):
    value = parse_date(text)
    assert value.iso() == iso
    assert value.human() == human


@pytest.mark.parametrize("text,words", [
    ("2022-02-30", "28 days"),
    ("2023-02-29", "28 days"),
    ("2022-13", "month 13"),
    ("2022-00-10", "month 0"),
    ("2022-02-01T25:00", "time of day"),
    ("2022-02..2022-01", "ends before it starts"),
    ("2022..", "incomplete range"),
    ("..2022", "incomplete range"),
    ("yesterday", "not a date"),
    ("22-02-01", "not a date"),
    ("~", "not a date"),
    ("2022-02-01T10:00+15:00", "offset"),
])
def test_impossible_dates_are_errors_that_say_why(text, words):
    with pytest.raises(DateError, match=words):
        parse_date(text)


def test_a_range_may_end_within_its_start():
    # 2022-02..2022-02-10: the end's last instant is not before the start's first instant.
    value = parse_date("2022-02..2022-02-10")
    assert value.end is not None and value.end.day == 10


def test_ordering_uses_first_instant_in_own_offset_or_site_zone():
    brussels = ZoneInfo("Europe/Brussels")
    local = parse_date("2022-02-01T00:30").sort_instant(brussels)
    offset = parse_date("2022-01-31T23:45+00:00").sort_instant(brussels)
    assert offset > local  # 23:45 UTC is 00:45 in Brussels, after 00:30
    assert parse_date("2022").sort_instant(UTC) < parse_date("2022-01-01T00:01").sort_instant(UTC)


@pytest.mark.parametrize("word,shaped", [
    ("2024", True), ("2024-13-01", True), ("~2025-02", True), ("2023-12-06..2023-12-08", True),
    ("2022-02-01T14:30", True), ("1990s", False), ("24/7", False), ("Q3", False), ("202", False),
])
def test_heading_date_shape(word, shaped):
    assert looks_like_date(word) is shaped


@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)),
       st.sampled_from(["year", "month", "day", "minute"]), st.booleans())
def test_iso_round_trips(moment, precision, approximate):
    text = {"year": f"{moment.year:04d}", "month": f"{moment.year:04d}-{moment.month:02d}",
            "day": moment.strftime("%Y-%m-%d"),
            "minute": moment.strftime("%Y-%m-%dT%H:%M")}[precision]
    value = parse_date(("~" if approximate else "") + text)
    assert value.iso() == text
    assert parse_date(value.iso()) == parse_date(text)
    assert value.human().startswith("c. ") is approximate
    start = value.start.first_instant(UTC)
    assert start <= value.start.last_instant(UTC)


def test_position_is_the_calendar_day_as_written_then_the_first_instant():
    # 23:00 at -07:00 on 1 May is 06:00 UTC on 2 May, yet the reader sees 1 May.
    late = parse_date("2023-05-01T23:00-07:00")
    assert late.sort_key(UTC) < parse_date("2023-05-02T01:00Z").sort_key(UTC)
    assert late.sort_key(UTC) < parse_date("2023-05-02").sort_key(UTC)
    assert late.sort_key(UTC) > parse_date("2023-05-01T22:00Z").sort_key(UTC)
    # 00:30 in Brussels (23:30 UTC the day before) stands on 1 February, after 23:45 UTC on
    # 31 January; within 1 February, instants decide.
    brussels = ZoneInfo("Europe/Brussels")
    assert parse_date("2022-02-01T00:30").sort_key(brussels) > \
        parse_date("2022-01-31T23:45+00:00").sort_key(brussels)
    assert parse_date("2022-02-01T00:30").sort_key(brussels) < \
        parse_date("2022-02-01T00:15+00:00").sort_key(brussels)
    # Coarser dates stand at their first day; a range at its start.
    assert parse_date("2022").sort_key(UTC) == parse_date("2022-01-01").sort_key(UTC)
    assert parse_date("2022-03..2022-05").sort_key(UTC) == parse_date("2022-03-01").sort_key(UTC)
    assert parse_date("~2022-03").sort_key(UTC) == parse_date("2022-03").sort_key(UTC)


def test_newest_first_is_the_negated_key():
    keys = [parse_date(t).sort_key(UTC) for t in ("2023-05-02", "2023-05-01T23:00-07:00")]
    assert sorted(keys, key=lambda k: -k) == [keys[0], keys[1]]


def test_end_key_is_the_last_day_and_instant_covered():
    assert parse_date("2022-02").end_key(UTC).day == parse_date("2022-02-28").sort_key(UTC).day
    assert parse_date("2022-01-24..2022-01-28").end_key(UTC) > \
        parse_date("2022-01-28T23:59").sort_key(UTC)
    assert parse_date("2023-05-01T23:00-07:00").end_key(UTC).day == \
        parse_date("2023-05-01").sort_key(UTC).day


def test_written_form_round_trips():
    for text in ("~2022-01", "2022-01-24..2022-01-28", "2023-05-01T23:00:00-07:00", "2022"):
        assert parse_date(text).written() == text


LATE_AND_EARLY = {
    "site.yaml": "title: Order\n",
    "content/sources/wire.yaml": "title: Wire\npublisher: Wire\ndate: 2023-05-01\n",
    # Two briefings a day apart as written, in the other order as instants.
    "content/briefings/a-west.md": "---\ntitle: West\ndate: 2023-05-01T23:00-07:00\n---\n\n"
                                   "## 2023-05-01T23:00-07:00 Late in the west [@wire]\n\n"
                                   "## 2023-12-31T23:00-07:00 New Year's Eve in the west [@wire]\n",
    "content/briefings/b-utc.md": "---\ntitle: UTC\ndate: 2023-05-02T01:00Z\n---\n\n"
                                  "## 2023-05-02T01:00Z Early in UTC [@wire]\n",
}


def test_lists_follow_the_day_as_written(tmp_path, cli):
    site = write(tmp_path / "site", LATE_AND_EARLY)
    out = tmp_path / "out"
    result = cli("--site", str(site), "build", "--out", str(out))
    assert result.code == 0, result.err
    entries = [e["id"] for e in json.loads((out / "api/entries.json").read_text("utf-8"))]
    assert entries == ["2023-05-01-late-in-the-west", "2023-05-02-early-in-utc",
                       "2023-12-31-new-year-s-eve-in-the-west"]
    briefings = [b["id"] for b in json.loads((out / "api/briefings.json").read_text("utf-8"))]
    assert briefings == ["b-utc", "a-west"]  # newest first
    # Listed on the year page of its day as written, though it is 2024 in UTC.
    assert "new-year-s-eve-in-the-west" in (out / "timeline/2023/index.html").read_text("utf-8")
    assert not (out / "timeline/2024").exists()


SOURCE_SITE = {
    "site.yaml": "title: T\nbase_url: https://example.org/\n",
    "content/briefings/b.md": "---\ntitle: B\ndate: 2022-02-01\n---\n\n"
                              "## 2022-01-31 Said [@memo]\n\nText [@notes].\n",
}


@pytest.mark.parametrize("accessed,warned", [
    ("2021-01-31", "accessed 31 January 2021, before the source's date (31 January 2022); "
                   "check the year"),
    ("2022-01", None), ("2022-01-31", None), ("2023", None),
    ("2022-01-30T23:00", "accessed 30 January 2022, 23:00, before the source's date "
                         "(31 January 2022); check the year"),
])
def test_a_source_accessed_before_its_date_is_a_warning_at_accessed(tmp_path, cli, accessed,
                                                                    warned):
    site = write(tmp_path / "site", {
        **SOURCE_SITE,
        "content/sources/memo.yaml": f"title: Memo\npublisher: Wire\ndate: 2022-01-31\n"
                                     f"accessed: {accessed}\n",
        "content/sources/notes.md": f"---\ntitle: Notes\npublisher: Wire\ndate: 2022-01-31\n"
                                    f"accessed: {accessed}\n---\n\nOur notes.\n",
    })
    result = cli("--site", str(site), "check")
    assert result.code == 0, result.err
    expected = [f"content/sources/memo.yaml:4:11: warning: {warned}",
                f"content/sources/notes.md:5:11: warning: {warned}"]
    assert result.headlines == (expected if warned else [])
