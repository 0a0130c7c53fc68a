"""The repository's example site: it builds cleanly and every link in it resolves."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import html5lib
import pytest

from tests.conftest import ROOT, run_subprocess

BASE = "https://briefs.example.org/desk/"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "out"
    result = run_subprocess("build", "--out", str(out), "--base-url", BASE, cwd=ROOT)
    assert result.code == 0, result.err
    assert "error" not in result.err
    return out


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_example_site_has_no_warnings():
    result = run_subprocess("check", "--strict", cwd=ROOT)
    assert result.code == 0, result.err
    assert result.headlines == []


def test_every_internal_link_and_fragment_resolves(built: Path):
    prefix = urlsplit(BASE).path
    pages = {p: parse(p) for p in built.rglob("*.html")}
    broken = []
    for page, parsed in pages.items():
        rel = page.relative_to(built).as_posix().removesuffix("index.html")
        here = urljoin(BASE, rel)
        for link in parsed.links:
            url = urlsplit(urljoin(here, link))
            if url.scheme not in ("http", "https") or url.netloc != urlsplit(BASE).netloc:
                continue
            assert url.path.startswith(prefix), f"{page}: {link} leaves base_url's path"
            target = built / unquote(url.path[len(prefix):])
            if url.path.endswith("/"):
                target = target / "index.html"
            if not target.is_file() or (url.fragment and target.suffix == ".html" and \
                    unquote(url.fragment) not in pages[target].ids):
                broken.append((rel, link))
    assert not broken, broken[:20]


def test_every_page_is_reachable_from_home(built: Path):
    seen, queue = set(), [built / "index.html"]
    while queue:
        page = queue.pop()
        if page in seen or page.suffix != ".html":
            continue
        seen.add(page)
        rel = page.relative_to(built).as_posix().removesuffix("index.html")
        for link in parse(page).links:
            url = urlsplit(urljoin(urljoin(BASE, rel), link))
            if url.netloc == urlsplit(BASE).netloc and url.path.startswith(urlsplit(BASE).path):
                target = built / unquote(url.path[len(urlsplit(BASE).path):])
                queue.append(target / "index.html" if url.path.endswith("/") else target)
    unreachable = {p for p in built.rglob("index.html")} - seen
    assert not unreachable, sorted(str(p.relative_to(built)) for p in unreachable)


def test_html_is_well_formed(built: Path):
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    for page in sorted(built.rglob("*.html")):
        try:
            parser.parse(page.read_bytes())
        except html5lib.html5parser.ParseError as exc:
            pytest.fail(f"{page.relative_to(built)}: {exc}")


def test_feeds_parse_and_link_absolutely(built: Path):
    feeds = sorted(built.rglob("feed.xml"))
    assert len(feeds) > 3
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.feed.title
        for item in feed.entries:
            assert item.link.startswith(BASE), item.link
            assert item.updated_parsed is not None


def test_home_feed_lists_briefings_newest_first(built: Path):
    feed = feedparser.parse((built / "feed.xml").read_bytes())
    published = [e.published_parsed for e in feed.entries]
    assert published == sorted(published, reverse=True)
    briefings = json.loads((built / "api" / "briefings.json").read_text())
    assert [e.link for e in feed.entries] == [b["url"] for b in briefings]


def test_sitemap_lists_every_page_once(built: Path):
    root = ET.parse(built / "sitemap.xml").getroot()
    locs = [u.findtext("{http://www.sitemaps.org/schemas/sitemap/0.9}loc") for u in root]
    assert len(locs) == len(set(locs))
    pages = {BASE + p.relative_to(built).as_posix().removesuffix("index.html")
             for p in built.rglob("index.html")}
    assert set(locs) == pages


def test_no_third_party_resources(built: Path):
    for page in built.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r'<(?:script|link|img|iframe)\b[^>]*(?:src|href)="([^"]+)"', text):
            url = urlsplit(urljoin(BASE, match.group(1)))
            if "alternate" in match.group(0) or "canonical" in match.group(0):
                continue
            assert url.netloc == urlsplit(BASE).netloc, (page, match.group(0))


def test_timelinejs_export_shape(built: Path):
    data = json.loads((built / "api" / "timelinejs.json").read_text())
    entries = json.loads((built / "api" / "entries.json").read_text())
    assert len(data["events"]) == len(entries)
    for event in data["events"]:
        assert isinstance(event["start_date"]["year"], int)
        assert event["text"]["headline"]
        assert len({e["unique_id"] for e in data["events"]}) == len(data["events"])
