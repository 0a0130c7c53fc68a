"""A briefing's change log (SPEC §3, §7): updates and corrections, the entries they name, the
`updated` date they give every output, and the briefing's own Atom feed; and the Sources
list's links back to every citation (SPEC §6)."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import feedparser
import html5lib
import pytest

from briefgen.build import BuildOptions, BuildResult, build
from briefgen.preview import Preview
from tests.conftest import write

XHTML = "{http://www.w3.org/1999/xhtml}"
BASE = "https://example.org/desk/"
TALKS = """---
title: Talks in Geneva
date: 2022-01-12
summary: "Envoys meet [@report]."
updates:
  - date: 2022-01-15
    kind: correction
    entry: second-day
    note: "An earlier version said [[russia]] left early [@report, p. 2]."
  - date: 2022-01-13
    note: Added the second day.
    entry: second-day
  - date: 2022-01-14
    note: "Added a statement by [[russia]] [@statement]."
---

Lead [@report].

## 2022-01-10 Envoys meet {#geneva}

They meet [@report; @statement] and talk [@report, p. 3].

## 2022-01-11 Second day {#second-day}

[[russia]] stays @report [p. 4].
"""
SITE = {
    "site.yaml": f"title: Desk\nbase_url: {BASE}\ntimezone: Europe/Berlin\n",
    "content/actors/russia.yaml": "name: Russia\nkind: country\n",
    "content/sources/report.yaml": "title: Talks end\npublisher: Wire\ndate: 2022-01-12\n",
    "content/sources/statement.yaml": "title: A statement\npublisher: russia\ndate: 2022-01-11\n",
    "content/briefings/talks.md": TALKS,
    "content/briefings/quiet.md": ("---\ntitle: Quiet\ndate: 2022-01-05\n---\n\n"
                                   "## 2022-01-04 Nothing much\n\nCalm [@report].\n"),
}


@pytest.fixture
def built(tmp_path: Path, cli) -> Path:
    site = write(tmp_path / "site", SITE)
    out = tmp_path / "out"
    result = cli("--site", str(site), "build", "--out", str(out))
    assert result.code == 0, result.err
    assert result.headlines == []
    return out


def page(out: Path, rel: str = "briefings/talks/") -> str:
    return (out / rel / "index.html").read_text()


def element(html: str, element_id: str) -> str:
    """The text of the element with this id, tags and all."""
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    found = tree.find(f".//*[@id='{element_id}']")
    assert found is not None, element_id
    return "".join(found.itertext())


def test_corrections_are_flagged_at_the_top_and_at_their_entry(built: Path):
    html = page(built)
    top = re.search(r'<aside class="bg-corrections".*?</aside>', html, re.S)
    assert top is not None and top.start() < html.index('class="bg-lead')
    assert "An earlier version said Russia left early" in re.sub("<[^>]+>", "", top.group(0))
    assert 'href="#second-day"' in top.group(0)  # it names its entry
    assert "Added the second day" not in top.group(0)  # updates are not corrections
    entry = element(html, "second-day")
    assert "Correction" in entry and "An earlier version said Russia left early" in entry
    assert "Update" in entry and "Added the second day" in entry
    assert "An earlier version" not in element(html, "geneva")


def test_the_date_of_an_update_is_followed_by_the_language_s_colon(tmp_path: Path, cli):
    """French sets a no-break space before a colon, in the notes of updates as elsewhere."""
    site = write(tmp_path / "site", {**SITE, "site.yaml": SITE["site.yaml"] + "language: fr\n"})
    assert cli("--site", str(site), "build", "--out", str(tmp_path / "out")).code == 0
    html = page(tmp_path / "out")
    dated = re.findall(r"</time>(.?): ", html)
    # the correction at the top, the two notes at their entry, the three of the change log
    assert len(dated) == 6 and set(dated) == {"\u00a0"}


def test_the_change_log_numbers_updates_oldest_first_as_written(built: Path):
    html = page(built)
    log = element(html, "bg-updates")
    # Listed as written; numbered by date, so that a number stays when updates are added.
    assert log.index("An earlier version") < log.index("Added the second day") \
        < log.index("Added a statement")
    assert "Added the second day" in element(html, "bg-update-1")
    assert "Added a statement" in element(html, "bg-update-2")
    assert "An earlier version" in element(html, "bg-update-3")
    assert 'class="bg-update-correction"' in html


def test_updated_is_the_latest_update_everywhere(built: Path):
    html = page(built)
    assert re.search(r'<a href="#bg-updates">Updated <time datetime="2022-01-15">', html)
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1))
    assert ld["dateModified"] == "2022-01-15"
    site_feed = feedparser.parse((built / "feed.xml").read_bytes())
    talks = next(e for e in site_feed.entries if e.link == f"{BASE}briefings/talks/")
    assert talks.updated == "2022-01-15T00:00:00+01:00"
    sitemap = (built / "sitemap.xml").read_text()
    assert f"<loc>{BASE}briefings/talks/</loc>\n    <lastmod>2022-01-15</lastmod>" in sitemap
    exported = json.loads((built / "api/briefings.json").read_text())
    talks_json = next(b for b in exported if b["id"] == "talks")
    assert talks_json["updated"]["start"] == "2022-01-15"
    assert [(u["kind"], u["entry"]) for u in talks_json["updates"]] == [
        ("correction", "second-day"), ("update", "second-day"), ("update", None)]
    # A note is exported as the text readers see, as the summary is: no Markdown.
    notes = [u["note"] for u in talks_json["updates"]]
    assert notes[0].startswith("An earlier version said Russia left early (")
    assert "[[" not in " ".join(notes) and "[@" not in " ".join(notes)


def test_a_briefing_feed_lists_its_updates_newest_first(built: Path):
    feed = feedparser.parse((built / "briefings/talks/feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Updates to “Talks in Geneva” — Desk"
    assert feed.feed.updated == "2022-01-15T00:00:00+01:00"
    assert [e.title for e in feed.entries] == [
        "Correction: An earlier version said Russia left early (Wire, p. 2).",
        "Update: Added a statement by Russia (Russia).",
        "Update: Added the second day."]
    assert [e.link for e in feed.entries] == [
        f"{BASE}briefings/talks/#bg-update-{n}" for n in (3, 2, 1)]
    assert [e.updated for e in feed.entries] == [
        f"2022-01-{d}T00:00:00+01:00" for d in (15, 14, 13)]
    assert feed.entries[0].tags[0].term == "correction"
    assert feed.entries[0].summary == "About the entry “Second day” (11 January 2022)."
    # The page announces it, and shows where to follow it.
    assert ('<link rel="alternate" type="application/atom+xml" title="Talks in Geneva" '
            'href="/desk/briefings/talks/feed.xml">') in page(built)


def test_a_briefing_without_updates_has_an_empty_feed_dated_by_the_briefing(built: Path):
    feed = feedparser.parse((built / "briefings/quiet/feed.xml").read_bytes())
    assert not feed.bozo and feed.entries == []
    assert feed.feed.updated == "2022-01-05T00:00:00+01:00"
    assert "bg-updates" not in page(built, "briefings/quiet/")
    assert "Updated" not in page(built, "briefings/quiet/")


def test_every_citation_is_linked_back_from_the_sources_list(built: Path):
    html = page(built)
    ids = Counter(re.findall(r' id="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []  # a correction shown thrice: ids once
    cites = re.findall(r'<a id="(bg-cite-([a-z-]+?)-\d+)" href="#bg-source-\2"', html)
    for source in ("report", "statement"):
        anchors = [anchor for anchor, sid in cites if sid == source]
        item = re.search(rf'<li id="bg-source-{source}".*?</li>', html, re.S)
        assert item is not None
        back = re.findall(r'<a href="#(bg-cite-[^"]+)">', item.group(0))
        assert back == anchors and len(back) > 1, source
        labels = re.findall(r'Back to citation </span>([a-z]+)</a>', item.group(0))
        assert labels == [chr(ord("a") + i) for i in range(len(back))]
    # report: the summary, the lead, twice in the first entry, in text in the second,
    # in the correction's note (its copies at the top and at the entry have no ids).
    assert len([a for a, sid in cites if sid == "report"]) == 6


def test_a_source_cited_once_has_one_arrow_back(tmp_path: Path, cli):
    site = write(tmp_path / "site", {**SITE, "content/briefings/talks.md":
                                     "---\ntitle: T\ndate: 2022-01-12\n---\n\n"
                                     "## 2022-01-10 Once\n\nOnce [@report].\n"})
    result = cli("--site", str(site), "build", "--out", str(tmp_path / "out"))
    assert result.code == 0, result.err
    html = page(tmp_path / "out")
    assert ('<span class="bg-source-back"><a href="#bg-cite-report-1">↑<span '
            'class="bg-visually-hidden"> Back to the citation</span></a></span>') in html


@pytest.mark.parametrize("updated,warned", [("2022-01", False), ("2022-01-15", False),
                                            ("2022-01-20", True), ("2022-01-14", True)])
def test_updated_written_wins_with_a_warning_when_it_disagrees(tmp_path: Path, cli, updated,
                                                               warned):
    text = TALKS.replace("updates:\n", f"updated: {updated}\nupdates:\n", 1)
    site = write(tmp_path / "site", {**SITE, "content/briefings/talks.md": text})
    result = cli("--site", str(site), "build", "--out", str(tmp_path / "out"))
    assert result.code == 0, result.err
    expected = [f"content/briefings/talks.md:5:10: warning: 'updated' ({updated}) disagrees "
                "with the latest update (2022-01-15, line 7); remove 'updated' to take the "
                "latest update's date, or correct one of them"] if warned else []
    assert result.headlines == expected
    assert f'<a href="#bg-updates">Updated <time datetime="{updated}">' in page(tmp_path / "out")


def test_updates_of_a_yaml_briefing_name_its_entries(tmp_path: Path, cli):
    briefing = ("title: Y\ndate: 2022-01-12\nupdates:\n  - date: 2022-01-13\n    kind: correction\n"
                "    entry: met\n    note: Fixed a name.\nentries:\n  - date: 2022-01-10\n"
                "    id: met\n    title: Envoys meet\n    body: They meet [@report].\n")
    files = {k: v for k, v in SITE.items() if k != "content/briefings/talks.md"}
    site = write(tmp_path / "site", {**files, "content/briefings/y.yaml": briefing})
    result = cli("--site", str(site), "build", "--out", str(tmp_path / "out"))
    assert result.code == 0, result.err
    assert "Fixed a name." in element(page(tmp_path / "out", "briefings/y/"), "met")


BEFORE = "is before the briefing's date (12 January 2022); check the year or month"


@pytest.mark.parametrize("written,warned", [
    ("2021-01-13", "13 January 2021"), ("2022-01-11", "11 January 2022"),
    ("2021-12", "December 2021"), ("2022-01-12", None), ("2022-01", None),
    ("2022-01-10..2022-01-13", None),
])
def test_an_update_dated_before_the_briefing_is_a_warning_at_its_date(tmp_path: Path, cli,
                                                                      written, warned):
    text = TALKS.replace("  - date: 2022-01-13\n", f"  - date: {written}\n", 1)
    site = write(tmp_path / "site", {**SITE, "content/briefings/talks.md": text})
    result = cli("--site", str(site), "check")
    assert result.code == 0, result.err
    expected = [f"content/briefings/talks.md:10:11: warning: update dated {warned} {BEFORE}"]
    assert result.headlines == (expected if warned else [])


def test_updated_before_the_briefing_is_a_warning_at_its_value(tmp_path: Path, cli):
    text = TALKS.replace("updates:\n", "updated: 2021-01-15\nupdates:\n", 1)
    site = write(tmp_path / "site", {**SITE, "content/briefings/talks.md": text})
    result = cli("--site", str(site), "check")
    assert result.code == 0, result.err
    assert f"content/briefings/talks.md:5:10: warning: 'updated' (15 January 2021) {BEFORE}" \
        in result.headlines


def test_an_update_of_a_yaml_briefing_dated_before_it_is_a_warning(tmp_path: Path, cli):
    briefing = ("title: Y\ndate: 2022-01-12\nupdates:\n  - date: 2021-01-13\n"
                "    note: Fixed a name.\nentries:\n  - date: 2022-01-10\n"
                "    title: Envoys meet\n    body: They meet [@report].\n")
    files = {k: v for k, v in SITE.items() if k != "content/briefings/talks.md"}
    site = write(tmp_path / "site", {**files, "content/briefings/y.yaml": briefing})
    result = cli("--site", str(site), "check")
    assert [h for h in result.headlines if "briefings/" in h] == [
        f"content/briefings/y.yaml:4:11: warning: update dated 13 January 2021 {BEFORE}"]


AHEAD = ("is in the future: the page, its feeds and the sitemap would say the briefing was "
         "updated then")


def diagnosed(result: BuildResult) -> list[str]:
    return sorted(d.headline() for d in result.diagnostics)


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


def test_an_update_dated_in_the_future_is_a_warning_until_that_date_comes(tmp_path: Path):
    text = TALKS.replace("  - date: 2022-01-14\n", "  - date: 2022-01-20\n", 1)
    site = write(tmp_path / "site", {**SITE, "content/briefings/talks.md": text})
    out = tmp_path / "out"
    warned = [f"content/briefings/talks.md:13:11: warning: update dated 20 January 2022 {AHEAD}; "
              "correct the date, or add the update once it is made"]
    # The site's zone is Europe/Berlin: 20 January begins at 23:00 UTC on the 19th.
    before = build(site, BuildOptions(out=out, jobs=1, now=at("2022-01-19T22:30+00:00")))
    assert before.ok and diagnosed(before) == warned
    assert before.valid_until == at("2022-01-19T23:00+00:00").timestamp()
    # The same files, built again with the cache when the date has come: no warning.
    after = build(site, BuildOptions(out=out, jobs=1, now=at("2022-01-19T23:30+00:00")))
    assert after.ok and diagnosed(after) == []


def test_updated_in_the_future_is_a_warning_at_its_value(tmp_path: Path, cli):
    text = TALKS.replace("updates:\n", "updated: 2099-01-15\nupdates:\n", 1)
    site = write(tmp_path / "site", {**SITE, "content/briefings/talks.md": text})
    result = cli("--site", str(site), "check")
    assert result.code == 0, result.err
    assert f"content/briefings/talks.md:5:10: warning: 'updated' (15 January 2099) {AHEAD}; " \
           "correct the date" in result.headlines


def test_a_scheduled_briefing_s_updates_are_checked_when_it_comes_out(tmp_path: Path):
    text = TALKS.replace("date: 2022-01-12\n", "date: 2022-01-17\n", 1).replace(
        "  - date: 2022-01-14\n", "  - date: 2022-01-20\n", 1)
    site = write(tmp_path / "site", {**SITE, "content/briefings/talks.md": text})
    early = build(site, BuildOptions(write=False, jobs=1, now=at("2022-01-16T12:00+00:00")))
    assert not any(AHEAD in line for line in diagnosed(early)), diagnosed(early)
    out = build(site, BuildOptions(write=False, jobs=1, now=at("2022-01-18T12:00+00:00")))
    assert any(f"update dated 20 January 2022 {AHEAD}" in line for line in diagnosed(out))


def test_the_preview_drops_the_warning_when_the_date_comes_without_an_edit(tmp_path: Path):
    text = TALKS.replace("  - date: 2022-01-14\n", "  - date: 2022-01-20\n", 1)
    site = write(tmp_path / "site", {**SITE, "content/briefings/talks.md": text})
    preview = Preview(site, tmp_path / "served", BuildOptions(
        base_url=BASE, jobs=1, now=at("2022-01-18T12:00+00:00")))
    assert any(AHEAD in line for line in diagnosed(preview.rebuild()))
    preview.options = replace(preview.options, now=at("2022-01-21T12:00+00:00"))
    assert diagnosed(preview.rebuild()) == []
