"""Drafts (--drafts) and scheduled briefings (--future) appear wherever published briefings do,
each marked: a visible badge and noindex on every page that shows one, a status in the JSON;
the sitemap and the feeds, which announce publication, leave them out."""

from __future__ import annotations

import gzip
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import html5lib
import pytest

from briefgen.build import BuildOptions, build
from tests.conftest import run_subprocess, write
from tests.test_incremental import files

BASE = "https://example.org/desk/"
XHTML = "{http://www.w3.org/1999/xhtml}"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
LATER = "2999-01-01"

SITE = {
    "site.yaml": f"title: Desk\nbase_url: {BASE}\n",
    "content/actors/ana.yaml": "name: Ana\nkind: person\n",
    "content/actors/ben.yaml": "name: Ben\nkind: person\n",
    "content/actors/cleo.yaml": "name: Cleo\nkind: person\n",
    "content/sources/memo.yaml": "title: Memo\npublisher: Wire\ndate: 2022\n",
    "content/sources/wire.yaml": "title: Wire story\npublisher: Wire\ndate: 2022\n",
    "content/briefings/pub.md": "---\ntitle: Published one\ndate: 2022-03-01\ntags: [Alpha]\n---\n"
                                "\n## 2022-03-01 Talks open\n\n[[ana]] meets [[cleo]] [@memo] "
                                "[@wire].\n",
    "content/briefings/draft.md": "---\ntitle: Draft one\ndate: 2022-03-05\nstatus: draft\n"
                                  "tags: [Alpha, Beta]\n---\n\n## 2022-03-04 A leak\n\n[[ana]] "
                                  "and [[ben]] talk [@memo].\n",
    "content/briefings/later.md": f"---\ntitle: Later one\ndate: {LATER}\ntags: [Alpha]\n---\n"
                                  f"\n## {LATER} Far ahead\n\n[[ana]] looks back [@memo].\n",
    "content/pages/about.md": "---\ntitle: About\n---\n\nAbout the desk.\n",
    "content/pages/notes.md": "---\ntitle: Notes\nstatus: draft\n---\n\nNot yet.\n",
}
BADGES = {"draft": "Draft", "later": "Scheduled"}  # briefing id → its badge
# Pages that show the draft or the scheduled briefing (as a card, an entry or its own page).
SHOWING = ["", "briefings/", "briefings/draft/", "briefings/later/", "timeline/",
           "timeline/2022/", f"timeline/{LATER[:4]}/", "actors/ana/", "actors/ben/",
           "sources/memo/", "tags/alpha/", "tags/beta/"]
# Pages that show neither.
NOT_SHOWING = ["briefings/pub/", "actors/", "actors/cleo/", "sources/", "sources/wire/",
               "tags/", "about/", "search/"]


def built_site(root: Path, *flags: str) -> Path:
    site = write(root / "site", SITE)
    out = root / "out"
    result = run_subprocess("--site", str(site), "build", "--out", str(out), *flags)
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def shown(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_site(tmp_path_factory.mktemp("drafts"), "--drafts", "--future")


def page(out: Path, rel: str):
    return html5lib.parse((out / rel / "index.html").read_bytes(), transport_encoding="utf-8")


def noindex(tree) -> bool:
    return any(m.get("name") == "robots" and "noindex" in (m.get("content") or "")
               for m in tree.iter(f"{XHTML}meta"))


def text(el) -> str:
    return "".join(el.itertext()).strip()


def links_to_briefings(tree) -> dict[str, list[str]]:
    """For every link to a briefing's page (not to one of its entries): the texts of the
    badges beside it (in the same element)."""
    found: dict[str, list[str]] = {}
    for parent in tree.iter():
        for child in parent:
            href = child.get("href") or ""
            match = re.fullmatch(r"/desk/briefings/([a-z]+)/", href)
            if child.tag == f"{XHTML}a" and match:
                badges = [text(b) for b in parent if "bg-badge" in (b.get("class") or "")]
                found.setdefault(match[1], []).extend(badges)
    return found


@pytest.mark.parametrize("rel", SHOWING)
def test_pages_that_show_a_draft_or_scheduled_briefing_mark_it_and_are_noindex(shown, rel):
    tree = page(shown, rel)
    assert noindex(tree), f"{rel or 'home'} shows a draft but may be indexed"
    links = links_to_briefings(tree)
    own = rel.removeprefix("briefings/").rstrip("/")
    if own in BADGES:  # the briefing's own page says so above its title
        status = [el for el in tree.iter() if el.get("class") == "bg-status"]
        assert len(status) == 1 and text(status[0]).startswith(BADGES[own]), rel
    else:
        assert links.keys() & BADGES.keys(), f"{rel or 'home'} shows no draft"
    for briefing, badges in links.items():
        assert badges == [BADGES[briefing]] * len(badges) if briefing in BADGES else not badges, \
            f"{rel or 'home'}: the link to {briefing} has badges {badges}"


@pytest.mark.parametrize("rel", NOT_SHOWING)
def test_pages_that_show_no_draft_are_indexed_and_unmarked(shown, rel):
    tree = page(shown, rel)
    assert not noindex(tree)
    assert not [el for el in tree.iter() if "bg-badge" in (el.get("class") or "")]


def test_a_draft_page_is_marked(shown):
    tree = page(shown, "notes")
    assert noindex(tree)
    status = [el for el in tree.iter() if el.get("class") == "bg-status"]
    assert len(status) == 1 and text(status[0]).startswith("Draft")


def test_json_gives_each_briefing_and_entry_its_status(shown):
    briefings = json.loads((shown / "api/briefings.json").read_text())
    expected = {"pub": "published", "draft": "draft", "later": "scheduled"}
    assert {b["id"]: b["status"] for b in briefings} == expected
    entries = json.loads((shown / "api/entries.json").read_text())
    assert {e["briefing"]: e["status"] for e in entries} == expected
    # The search index's documents: a briefing's file holds its rows; a block of pages',
    # each page's rows. A row's fields: kind, title, link, …, status (tenth).
    rows = [row for f in (shown / "search/d/b").rglob("*.bin")
            for row in json.loads(gzip.decompress(f.read_bytes()))]
    rows += [row for f in (shown / "search/d/p").glob("*.bin")
             for unit in json.loads(gzip.decompress(f.read_bytes())) for row in unit]
    marked = {row[1]: row[9] for row in rows}
    assert marked == {"Published one": "published", "Talks open": "published",
                      "Draft one": "draft", "A leak": "draft", "Later one": "scheduled",
                      "Far ahead": "scheduled", "About": "published", "Notes": "draft"}


def sitemap(out: Path) -> set[str]:
    root = ET.parse(out / "sitemap.xml").getroot()
    return {u.findtext(f"{SITEMAP}loc", "").removeprefix(BASE) for u in root}


def test_the_sitemap_lists_only_pages_that_may_be_indexed(shown):
    listed = sitemap(shown)
    assert listed == set(NOT_SHOWING)  # nor the draft page, nor the 404 page


def feed_links(out: Path, rel: str) -> list[str]:
    root = ET.parse(out / rel).getroot()
    return [e.find(f"{ATOM}link").get("href", "").removeprefix(BASE)  # type: ignore[union-attr]
            for e in root.iter(f"{ATOM}entry")]


def test_feeds_announce_only_published_briefings(shown):
    assert feed_links(shown, "feed.xml") == ["briefings/pub/"]
    assert feed_links(shown, "tags/alpha/feed.xml") == ["briefings/pub/"]
    assert feed_links(shown, "tags/beta/feed.xml") == []
    assert feed_links(shown, "actors/ana/feed.xml") == ["briefings/pub/#2022-03-01-talks-open"]
    assert feed_links(shown, "actors/ben/feed.xml") == []


def test_without_the_flags_nothing_is_marked(tmp_path):
    out = built_site(tmp_path)
    assert not (out / "briefings/draft").exists() and not (out / "briefings/later").exists()
    for path in out.rglob("*.html"):
        content = path.read_text()
        assert "bg-badge" not in content and "bg-status" not in content
        assert ('content="noindex"' in content) == (path.name == "404.html"), path
    briefings = json.loads((out / "api/briefings.json").read_text())
    assert [(b["id"], b["status"]) for b in briefings] == [("pub", "published")]
    assert sitemap(out) == set(NOT_SHOWING) | {"", "briefings/", "timeline/", "timeline/2022/",
                                               "actors/ana/", "actors/ben/", "sources/memo/",
                                               "tags/alpha/"}


def test_a_scheduled_briefing_is_published_when_its_date_comes(tmp_path):
    site = write(tmp_path / "site", SITE)
    out = tmp_path / "out"
    before, after = datetime(2998, 12, 31, tzinfo=UTC), datetime(2999, 1, 2, tzinfo=UTC)
    options = BuildOptions(out=out, future=True, jobs=1, now=before)
    first = build(site, options)
    assert first.ok and first.valid_until is not None
    assert "Scheduled" in (out / "index.html").read_text()
    assert build(site, BuildOptions(out=out, future=True, jobs=1, now=after)).ok
    assert "bg-badge" not in (out / "index.html").read_text()
    assert "briefings/later/" in sitemap(out)
    assert feed_links(out, "feed.xml") == ["briefings/later/", "briefings/pub/"]
    clean = tmp_path / "clean"
    assert build(site, BuildOptions(out=clean, future=True, jobs=1, now=after,
                                    use_cache=False)).ok
    assert files(out) == files(clean)


def test_badges_are_visible_in_both_colour_schemes_and_in_search(browser, static_server,
                                                                 tmp_path):
    site = write(tmp_path / "site", SITE)
    out = tmp_path / "out"
    result = run_subprocess("--site", str(site), "build", "--out", str(out), "--drafts",
                            "--future", "--base-url", "http://127.0.0.1/")
    assert result.code == 0, result.err
    base = static_server(out)
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
        tab = context.new_page()
        tab.goto(base)
        badges = tab.locator(".bg-badge")
        assert sorted(badges.all_inner_texts()) == ["DRAFT", "DRAFT", "SCHEDULED", "SCHEDULED"]
        for n in range(badges.count()):
            assert badges.nth(n).is_visible()
            assert contrast(*badges.nth(n).evaluate(
                "el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]")) >= 4.5
        tab.goto(base + "search/?q=leak")
        tab.wait_for_selector("#bg-results li")
        assert tab.locator("#bg-results .bg-badge").all_inner_texts() == ["DRAFT"]
        context.close()


def contrast(color: str, background: str) -> float:
    def luminance(css: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"[0-9]+", css)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(color), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)
