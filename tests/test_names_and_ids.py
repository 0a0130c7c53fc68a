"""Built sites: tags and entry ids in any script, notes never published, one id per element."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from tests.conftest import write

SOURCE = {"content/sources/report.yaml": "title: A report\npublisher: Daily News\ndate: 2022-01-01\n"}


class Page(HTMLParser):
    """Every id and every link of one HTML page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids.append(value)
            if name in ("href", "src") and value is not None:
                self.links.append(value)


def build(cli, site: Path, out: Path) -> None:
    result = cli("--site", str(site), "build", "--out", str(out))
    assert result.code == 0, result.err


def page(out: Path, rel: str) -> Page:
    return Page((out / rel).read_text(encoding="utf-8"))


def test_tags_and_entry_ids_in_any_script(tmp_path, cli):
    site = write(tmp_path / "site", {
        "site.yaml": "title: T\nbase_url: https://example.org/briefs/\n",
        **SOURCE,
        "content/briefings/geneva.md":
            "---\ntitle: Talks\ndate: 2022-02-01\ntags: [Дипломатия, 外交, EU institutions]\n---\n"
            "Lead [@report].\n\n## 2022-01-05 Переговоры в Женеве\n\nText [@report].\n\n"
            "## 2022-01-06 外交会談\n\nSee [[briefings/geneva#2022-01-05-переговоры-в-женеве]] "
            "[@report].\n\n## 2022-01-07 Third\n\nText [@report].\n",
    })
    out = tmp_path / "out"
    build(cli, site, out)
    for slug in ("дипломатия", "外交", "eu-institutions"):
        assert (out / "tags" / slug / "index.html").is_file(), slug
        assert (out / "tags" / slug / "feed.xml").is_file(), slug
    encoded = quote("дипломатия")
    briefing = page(out, "briefings/geneva/index.html")
    assert f"/briefs/tags/{encoded}/" in briefing.links
    assert f"/briefs/tags/{quote('外交')}/" in briefing.links
    entry = "2022-01-05-переговоры-в-женеве"
    assert entry in briefing.ids and "2022-01-06-外交会談" in briefing.ids
    assert f"/briefs/briefings/geneva/#{quote(entry)}" in briefing.links  # the [[link]]
    assert f"#{quote(entry)}" in briefing.links  # the table of contents and the permalink
    for file in out.rglob("*.html"):
        links = Page(file.read_text(encoding="utf-8")).links
        assert all(link.isascii() for link in links), (file, [x for x in links if not x.isascii()])
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>https://example.org/briefs/tags/{encoded}/</loc>" in sitemap
    feed = (out / "tags" / "дипломатия" / "feed.xml").read_text(encoding="utf-8")
    assert f'href="https://example.org/briefs/tags/{encoded}/feed.xml"' in feed
    api = json.loads((out / "api" / "briefings.json").read_text(encoding="utf-8"))
    urls = [tag["url"] for item in api for tag in item["tags"]]
    assert urls == [f"https://example.org/briefs/tags/{encoded}/",
                    f"https://example.org/briefs/tags/{quote('外交')}/",
                    "https://example.org/briefs/tags/eu-institutions/"]
    entries = (out / "api" / "entries.json").read_text(encoding="utf-8")
    assert f"https://example.org/briefs/briefings/geneva/#{quote(entry)}" in entries


NOTE = "SECRET-NOTE"


@pytest.mark.parametrize("unsafe_html", [False, True])
def test_notes_are_never_published(tmp_path, cli, unsafe_html):
    site = write(tmp_path / "site", {
        "site.yaml": f"title: T\nmarkdown:\n  unsafe_html: {str(unsafe_html).lower()}\n",
        **SOURCE,
        "content/briefings/notes.md":
            f"---\ntitle: Notes\ndate: 2022-02-01\nsummary: Sum <!-- {NOTE} --> mary.\n---\n"
            f"Lead <!-- {NOTE} --> text [@report].\n\n<!--\n{NOTE}\n\n{NOTE}\n-->\n\n"
            f"## 2022-01-05 An entry <!-- {NOTE} -->\n\n"
            f"Text [@report] <!-- {NOTE}\n{NOTE} -->.\n\n<div>\n<!-- {NOTE} -->\n</div>\n",
        "content/briefings/yaml-form.yaml":
            f"title: YAML\ndate: 2022-02-02\nlead: |\n  <!-- {NOTE} -->\n  Lead [@report].\n"
            f"entries:\n  - date: 2022-02-02\n    title: Entry <!-- {NOTE} -->\n"
            f"    body: \"Body <!-- {NOTE} --> [@report]\"\n",
        "content/pages/about.md": f"---\ntitle: About\n---\nText <!-- {NOTE} -->.\n",
    })
    out = tmp_path / "out"
    build(cli, site, out)
    leaks = [file for file in out.rglob("*") if file.is_file() and NOTE.encode() in file.read_bytes()]
    assert leaks == []
    html = (out / "briefings/notes/index.html").read_text(encoding="utf-8")
    assert '<meta name="description" content="Sum mary.">' in html
    assert "2022-01-05-an-entry" in page(out, "briefings/notes/index.html").ids


def test_every_id_on_a_page_is_unique(tmp_path, cli):
    site = write(tmp_path / "site", {
        "site.yaml": "title: T\n",
        **SOURCE,
        "content/briefings/ids.md":
            "---\ntitle: Ids\ndate: 2022-02-01\n---\n"
            "Lead[^1] [@report].\n\n### Early {#2022-02-03-later}\n\n"
            "## 2022-02-01 Same title\n\nOne [@report].\n\n"
            "## 2022-02-01 Same title\n\nTwo [@report].\n\n"
            "## 2022-02-02 Note {#fn1}\n\nText[^2] [@report].\n\n"
            "## 2022-02-03 Later\n\nText [@report].\n\n"
            "## What to watch\n\nA section.\n\n## What to watch\n\nAnother.\n\n"
            "[^1]: First.\n[^2]: Second.\n",
        "content/pages/about.md": "---\ntitle: About\n---\n# About {#about}\n\n## Method\n",
    })
    out = tmp_path / "out"
    build(cli, site, out)
    for file in out.rglob("*.html"):
        found = Page(file.read_text(encoding="utf-8"))
        twice = [i for i, n in Counter(found.ids).items() if n > 1]
        assert twice == [], (file, twice)
        missing = [link for link in found.links
                   if link.startswith("#") and unquote(link[1:]) not in found.ids]
        assert missing == [], (file, missing)
    ids = page(out, "briefings/ids/index.html").ids
    for expected in ("2022-02-01-same-title", "2022-02-01-same-title-2", "fn1", "bg-fn-1",
                     "bg-fn-2", "2022-02-03-later", "2022-02-03-later-2", "what-to-watch",
                     "what-to-watch-2"):
        assert expected in ids, expected
    assert "about" in page(out, "about/index.html").ids


def test_a_section_whose_slug_starts_with_bg_gets_an_id(tmp_path):
    """The theme's prefix is dropped from a generated id (this once looped for ever)."""
    site = write(tmp_path / "site", {
        "site.yaml": "title: T\n",
        "content/briefings/x.md": "---\ntitle: X\ndate: 2022-01-01\n---\n\n## BG report\n\nText.\n",
    })
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "briefgen", "--site", str(site), "build",
                           "--out", str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "report" in page(out, "briefings/x/index.html").ids
