"""The role an actor held on an entry's date (compared at the coarser precision of the two
dates; of several, the latest ``from``; of none, nothing), and actors' short names: shown in
the chips of an entry, never in the editor's sentences or a link's default text."""

from __future__ import annotations

import re
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest

from briefgen.dates import parse_date, parse_point
from briefgen.site.roles import RoleSpan, compare, role_on
from tests.conftest import write


def span(title: str, start: str | None, end: str | None = None) -> RoleSpan:
    last = parse_date(end) if end else None
    return RoleSpan(title, parse_point(start) if start else None,
                    (last.end or last.start) if last else None)


def held(spans: list[RoleSpan], when: str, zone=UTC) -> str | None:
    index = role_on(spans, parse_date(when), zone)
    return spans[index].title if index is not None else None


@pytest.mark.parametrize("start,end,when,expected", [
    # the coarser precision decides: a month contains its days, a year its months
    ("2021-01-26", None, "2021-01", True),
    ("2021-01-26", None, "2021", True),
    ("2021-01-26", None, "2021-01-25", False),
    ("2021-01", None, "2021-01-01", True),
    (None, "2022", "2022-06-15", True),
    (None, "2022", "2023-01-01", False),
    (None, "2022-05-07", "2022-05", True),
    (None, "2022-05-07", "2022-05-08", False),
    # a range: its start counts; an end written as a range: its last point
    ("2022-02-01", None, "2022-01-30..2022-02-03", False),
    (None, "2022-01..2022-03", "2022-03-31", True),
    # times: instants when both have one, else the day
    ("2023-07-13T10:00", None, "2023-07-13", True),
    ("2023-07-13T10:00", None, "2023-07-13T09:59", False),
    ("2023-07-13T10:00+02:00", None, "2023-07-13T08:30Z", True),
    ("2023-07-13T10:00+02:00", None, "2023-07-13T07:30Z", False),
    # open on both sides: always
    (None, None, "1999", True),
])
def test_a_role_contains_a_date_at_the_coarser_precision(start, end, when, expected):
    assert (held([span("Post", start, end)], when) == "Post") is expected


def test_of_several_roles_the_latest_from_wins():
    spans = [span("Governor", None, "2012-05-07"), span("President", "2000-05-07", "2008-05-07"),
             span("Prime Minister", "2008-05-08", "2012-05-07"), span("President", "2012-05-07")]
    assert held(spans, "2005-03-01") == "President"
    assert held(spans, "2010") == "Prime Minister"  # the year holds three: the latest from
    assert held(spans, "2012-05-07") == "President"
    assert held(spans, "2012-05") == "President"
    assert held(spans, "1999-01-01") == "Governor"  # no from: the earliest of all


def test_equal_froms_keep_the_first_listed_and_none_is_nothing():
    spans = [span("First", "2020"), span("Second", "2020")]
    assert held(spans, "2021") == "First"
    assert held([span("Post", "2020", "2021")], "2022") is None
    assert held([], "2022") is None


def test_comparisons_follow_the_written_calendar_below_minutes():
    zone = ZoneInfo("Pacific/Auckland")
    # a day written in one zone is the same calendar day, whatever the zone
    assert compare(parse_point("2022-05-07"), parse_point("2022-05-07T23:30-10:00"), zone) == 0
    assert compare(parse_point("2022-05"), parse_point("2022-06-01"), zone) == -1


# ------------------------------------------------------------------------ on a site

SITE = {
    "site.yaml": "title: T\nbase_url: https://example.org/\n",
    "content/actors/brink.yaml": (
        "name: Bridget Brink\nshort_name: Brink\nkind: person\nroles:\n"
        "  - title: Ambassador to Slovakia\n    from: 2019\n    to: 2022-05\n"
        "  - title: Ambassador to Ukraine\n    from: 2022-05-30\n"),
    "content/actors/kyiv.yaml": "name: Kyiv\nkind: group\n",
    "content/sources/wire.yaml": "title: Wire\npublisher: Wire\ndate: 2022\n",
    "content/briefings/b.md": (
        "---\ntitle: B\ndate: 2022-06-01\n---\n\n"
        "## 2022-02-01 Picked {#picked}\n\n[[brink]] and [[kyiv]] [@wire].\n\n"
        "## 2022-05 Confirmed {#confirmed}\n\n[[Bridget Brink|She]] arrives [@wire].\n\n"
        "## 2022-06-01 Arrived {#arrived}\n\n[[brink]] in [[kyiv]] [@wire].\n\n"
        "## 2018 Before {#before}\n\n[[brink]] [@wire].\n"),
}


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    from briefgen.cli import main

    root = tmp_path_factory.mktemp("roles")
    site = write(root / "site", SITE)
    assert main(["--site", str(site), "build", "--out", str(root / "out"), "--quiet"]) == 0
    return (root / "out" / "briefings" / "b" / "index.html").read_text()


def chips(page: str, entry: str) -> list[str]:
    """The actor chips of an entry as text, the role after the link."""
    block = page.split(f'id="{entry}"', 1)[1].split("</article>", 1)[0]
    row = block.split("bg-chips-actors", 1)[1].split("</p>", 1)[0]
    return [re.sub(r"<[^>]+>", "", chip) for chip in
            re.findall(r'<span class="bg-chip bg-chip-\w+">(.*?</a>'
                       r'(?:<span class="bg-chip-role">.*?</span>)?)</span>', row)]


def test_each_chip_shows_the_role_held_on_its_entry_s_date(page: str):
    assert chips(page, "picked") == ["Brink, Ambassador to Slovakia", "Kyiv"]
    # May 2022 holds both the first role's end and the second's start: the later start wins
    assert chips(page, "confirmed") == ["Brink, Ambassador to Ukraine"]
    assert chips(page, "arrived") == ["Brink, Ambassador to Ukraine", "Kyiv"]
    assert chips(page, "before") == ["Brink"]


def test_the_role_is_outside_the_link_and_the_short_name_only_in_chips(page: str):
    assert re.search(r'<span class="bg-chip bg-chip-person"><a href="/actors/brink/" '
                     r'title="Bridget Brink">'
                     r'<bdi>Brink</bdi></a><span class="bg-chip-role">, <bdi>Ambassador to '
                     r'Slovakia</bdi></span>', page)
    # the editor's sentences: the name (a link's default text) and the label as written
    assert 'href="/actors/brink/" dir="auto">Bridget Brink</a> and' in page
    assert 'href="/actors/brink/">She</a> arrives' in page
    assert ">Brink</a> and" not in page
