"""Dates as readers see them: compact ranges, times with their zone, the order and clock of
the site's language, and the exact offset in every ``<time datetime>``."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefgen.dates import parse_date
from briefgen.datetext import PLAIN, DateStyle, date_parts, date_text, offset_label
from briefgen.web.templates import time_html
from tests.conftest import write

LONDON = DateStyle.for_site("en-GB", ZoneInfo("Europe/London"))
BERLIN = DateStyle.for_site("en", ZoneInfo("Europe/Berlin"))
US = DateStyle.for_site("en-US", ZoneInfo("America/Los_Angeles"))
DUBAI = DateStyle.for_site("en", ZoneInfo("Asia/Dubai"))


@pytest.mark.parametrize("written,shown", [
    ("2023-07-13..2023-07-14", "13–14 July 2023"),
    ("2023-06-30..2023-07-02", "30 June – 2 July 2023"),
    ("2022-12-30..2023-01-02", "30 December 2022 – 2 January 2023"),
    ("2022-01..2022-02", "January–February 2022"),
    ("2021-11..2022-02", "November 2021 – February 2022"),
    ("2021..2022", "2021–2022"),
    ("2021..2022-03", "2021 – March 2022"),  # other precisions: each end in full
    ("2022-01..2022-01-15", "January 2022 – 15 January 2022"),
    ("~2023-07-13..~2023-07-14", "c. 13–14 July 2023"),
    ("~2021..2022", "c. 2021 – 2022"),  # one end approximate: each end as it is
    ("2023-07-13T14:00..2023-07-13T16:00", "13 July 2023, 14:00–16:00 BST"),
    ("2023-07-13T14:00..2023-07-14T09:00", "13 July 2023, 14:00 BST – 14 July 2023, 09:00 BST"),
    ("2023-07-13T14:00+02:00..2023-07-13T16:00", "13 July 2023, 14:00 UTC+2 – 13 July 2023, 16:00 BST"),
])
def test_ranges_are_compact(written, shown):
    assert date_text(parse_date(written), LONDON) == shown


@pytest.mark.parametrize("written,shown", [
    ("2023-07-13..2023-07-14", "July 13–14, 2023"),
    ("2023-06-30..2023-07-02", "June 30 – July 2, 2023"),
    ("2022-12-30..2023-01-02", "December 30, 2022 – January 2, 2023"),
    ("2023-07-13", "July 13, 2023"),
    ("2023-07-13T14:00..2023-07-13T16:30", "July 13, 2023, 2:00\u00a0PM – 4:30\u00a0PM PDT"),
    ("2023-07-13T00:05", "July 13, 2023, 12:05\u00a0AM PDT"),
    ("2023-07-13T12:00", "July 13, 2023, 12:00\u00a0PM PDT"),
])
def test_en_us_puts_the_month_first_and_uses_a_12_hour_clock(written, shown):
    assert date_text(parse_date(written), US) == shown


@pytest.mark.parametrize("written,style,shown,iso", [
    # with an offset: the offset, whatever the site's zone
    ("2023-07-13T23:00-07:00", BERLIN, "13 July 2023, 23:00 UTC−7", "2023-07-13T23:00:00-07:00"),
    ("2023-07-13T05:30+05:30", BERLIN, "13 July 2023, 05:30 UTC+5:30", "2023-07-13T05:30:00+05:30"),
    ("2023-07-13T14:30Z", BERLIN, "13 July 2023, 14:30 UTC", "2023-07-13T14:30:00+00:00"),
    # without one: the site zone's abbreviation on that day, and its offset in datetime
    ("2023-07-13T14:30", BERLIN, "13 July 2023, 14:30 CEST", "2023-07-13T14:30:00+02:00"),
    ("2023-01-13T14:30", BERLIN, "13 January 2023, 14:30 CET", "2023-01-13T14:30:00+01:00"),
    ("2023-01-13T14:30", DUBAI, "13 January 2023, 14:30 UTC+4", "2023-01-13T14:30:00+04:00"),
    ("2023-01-13T14:30", DateStyle.for_site("en", UTC), "13 January 2023, 14:30 UTC",
     "2023-01-13T14:30:00+00:00"),
    # a day has no offset to give
    ("2023-01-13", BERLIN, "13 January 2023", "2023-01-13"),
    # without a site zone (DateValue.human()): no zone is guessed
    ("2023-01-13T14:30", PLAIN, "13 January 2023, 14:30", "2023-01-13T14:30"),
])
def test_times_show_their_zone_and_datetime_has_the_exact_offset(written, style, shown, iso):
    parts = date_parts(parse_date(written), style)
    assert [p.text for p in parts] == [shown]
    assert parts[0].iso == iso


def test_offsets_use_a_minus_sign_and_drop_zero_minutes():
    assert [offset_label(m) for m in (-420, 330, 0, -150, 60)] == [
        "UTC−7", "UTC+5:30", "UTC", "UTC−2:30", "UTC+1"]


def test_time_html_gives_one_time_element_per_end():
    assert time_html(parse_date("2023-07-13..2023-07-14"), LONDON) == (
        '<time datetime="2023-07-13">13</time>–<time datetime="2023-07-14">14 July 2023</time>')
    assert time_html(parse_date("2023-07-13T14:00..2023-07-13T16:00"), BERLIN) == (
        '<time datetime="2023-07-13T14:00:00+02:00">13 July 2023, 14:00</time>–'
        '<time datetime="2023-07-13T16:00:00+02:00">16:00 CEST</time>')
    assert time_html(None, BERLIN) == ""


def test_human_text_is_compact_without_a_zone():
    assert parse_date("2022-01-24..2022-01-28").human() == "24–28 January 2022"
    assert parse_date("2022-02-01T14:30:00+03:00").human() == "1 February 2022, 14:30 UTC+3"


def test_pages_show_dates_in_the_site_zone_and_language(tmp_path: Path, cli):
    site = write(tmp_path / "site", {
        "site.yaml": "title: T\nbase_url: https://example.org/\nlanguage: en-US\n"
                     "timezone: America/New_York\n",
        "content/sources/wire.yaml": "title: Wire\npublisher: Wire\ndate: 2023\n",
        "content/briefings/b.md": (
            "---\ntitle: B\ndate: 2023-07-14\n---\n\n"
            "## 2023-07-13T14:30 Talks begin\n\nText [@wire].\n\n"
            "## 2023-07-13..2023-07-14 Talks go on {#on}\n\nText [@wire].\n\n"
            "## 2023-07-15 Talks end\n\nText [@wire].\n"),
    })
    out = tmp_path / "out"
    assert cli("--site", str(site), "build", "--out", str(out), "--quiet").code == 0
    page = (out / "briefings" / "b" / "index.html").read_text()
    assert '<time datetime="2023-07-13T14:30:00-04:00">July 13, 2023, 2:30\u00a0PM EDT</time>' \
        in page
    assert '<time datetime="2023-07-13">July 13</time>–<time datetime="2023-07-14">14, 2023' \
           '</time>' in page
    toc = re.findall(r'<span class="bg-toc-date">(.*?)</span>', page)
    assert [html.unescape(t) for t in toc] == ["July 13, 2023, 2:30\u00a0PM EDT",
                                               "July 13–14, 2023", "July 15, 2023"]
    timeline = (out / "timeline" / "index.html").read_text()
    assert "July 13, 2023, 2:30\u00a0PM EDT" in timeline
    entries = {e["id"]: e for e in json.loads((out / "api" / "entries.json").read_text())}
    # The exports' text is the pages' (the exact value is in start and end).
    assert entries["on"]["date"]["text"] == "July 13–14, 2023"
    timed = [e for e in entries.values() if "T" in e["date"]["start"]]
    assert timed[0]["date"]["text"] == "July 13, 2023, 2:30\u00a0PM EDT"
