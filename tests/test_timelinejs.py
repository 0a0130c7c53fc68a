"""The TimelineJS export shows the editor's characters, never markup, in the real TimelineJS.

TimelineJS renders `text.headline` and `text.text` as (sanitised) HTML, and strips the markup of
`group` and `display_date` and then renders what is left as HTML. The browser tests load the
export in TimelineJS itself, installed from the npm registry by
`npm ci --prefix tests/timelinejs`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, TESTS, run_subprocess, write

TIMELINEJS = TESTS / "timelinejs" / "node_modules" / "@knight-lab" / "timelinejs" / "dist"
INSTALL = "npm ci --prefix tests/timelinejs"

# Each payload sets window.__pwned if it ever runs.
SITE_TITLE = "Vector<T> &lt;b&gt; <img src=x onerror=\"window.__pwned='site title'\">"
SITE_DESCRIPTION = ("</p><script>window.__pwned='description'</script> \"double\" 'single' "
                    "&amp; www.x.test'onmouseover='window.__pwned=1'")
BRIEFINGS = {
    # Stripping markup decodes &lt; &gt;: a group escaped once would come back as an <img>.
    "generics": "&lt;img src=x onerror=window.__pwned='group'&gt; Vector<T>",
    "markup": "</p><b>bold</b> \"q\" 'q' &amp;amp; <img src=x onerror=\"window.__pwned='group'\">",
}
BODY = ("Body <script>window.__pwned='body'</script> www.x.test'onmouseover='window.__pwned=1' "
        "&lt;b&gt;.")
BODY_SHOWN = ("Body <script>window.__pwned='body'</script> www.x.test'onmouseover='window.__pwned=1' "
              "<b>.")


@dataclass(frozen=True)
class Heading:
    """An entry heading as written in Markdown, and what the site (and so the timeline) shows."""

    briefing: str
    id: str
    date: str
    written: str
    shown: str
    date_shown: str


HEADINGS = (
    Heading("generics", "vector", "2022-01-10",
            "Vector<T> and <img src=x onerror=\"window.__pwned='headline'\">",
            "Vector<T> and <img src=x onerror=\"window.__pwned='headline'\">", "10 January 2022"),
    Heading("generics", "script", "2022-01-11T14:30+01:00",
            "<script>window.__pwned='script'</script> \"double\" 'single' </p>",
            # Raw HTML keeps what was typed; the prose after it gets curly quotes.
            "<script>window.__pwned='script'</script> “double” ‘single’ </p>",
            "11 January 2022, 14:30 UTC+1"),
    # In Markdown \& is a literal ampersand and &lt; is the character <.
    Heading("markup", "entities", "2022-01-12..2022-01-14",
            r"\&lt;b\&gt; typed, &lt;i&gt; as an entity", "&lt;b&gt; typed, <i> as an entity",
            "12 January 2022 — 14 January 2022"),
    Heading("markup", "iframe", "~2022-02",
            "<iframe srcdoc=\"<script>window.__pwned='iframe'</script>\"></iframe> `<b>code</b>`",
            "<iframe srcdoc=\"<script>window.__pwned='iframe'</script>\"></iframe> <b>code</b>",
            "c. February 2022"),
)
CONTENT_TAGS = "img, script, iframe, svg, b, i, code, t"


def hostile_site(root: Path) -> Path:
    files = {"site.yaml": f"title: {json.dumps(SITE_TITLE)}\nbase_url: https://example.org/\n"
                          f"description: {json.dumps(SITE_DESCRIPTION)}\n"}
    for briefing, title in BRIEFINGS.items():
        entries = "".join(f"## {h.date} {h.written} {{#{h.id}}}\n\n{BODY}\n\n"
                          for h in HEADINGS if h.briefing == briefing)
        files[f"content/briefings/{briefing}.md"] = (
            f"---\ntitle: {json.dumps(title)}\ndate: 2022-01-10\n---\n\nLead.\n\n{entries}")
    return write(root, files)


def build(site: Path, out: Path) -> Path:
    result = run_subprocess("--site", str(site), "build", "--out", str(out))
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("timelinejs")
    return build(hostile_site(root / "site"), root / "out")


def read_json(out: Path, name: str) -> Any:
    return json.loads((out / "api" / name).read_text(encoding="utf-8"))


class Fragment(HTMLParser):
    """The elements and the text of an HTML fragment, entities decoded, as a browser parses it."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.parts: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def shown_as_html(value: str) -> str:
    """What TimelineJS shows for a field it renders as HTML; fails if it holds any element."""
    fragment = Fragment(value)
    assert fragment.tags == [], value
    return fragment.text


def shown_after_stripping(value: str) -> str:
    """What TimelineJS shows for a field whose markup it strips before rendering it as HTML."""
    return shown_as_html(Fragment(value).text)


def test_every_field_timelinejs_renders_as_html_is_escaped(hostile_out: Path) -> None:
    data = read_json(hostile_out, "timelinejs.json")
    entries = {f"{e['briefing']}--{e['id']}": e for e in read_json(hostile_out, "entries.json")}
    assert shown_as_html(data["title"]["text"]["headline"]) == SITE_TITLE
    assert shown_as_html(data["title"]["text"]["text"]) == SITE_DESCRIPTION
    assert data["title"]["autolink"] is False
    # Non-HTML fields are untouched: ids as they are, dates as numbers.
    headings = {f"{h.briefing}--{h.id}": h for h in HEADINGS}
    assert [e["unique_id"] for e in data["events"]] == list(entries)
    assert sorted(entries) == sorted(headings)
    for event in data["events"]:
        entry, heading = entries[event["unique_id"]], headings[event["unique_id"]]
        assert shown_as_html(event["text"]["headline"]) == heading.shown == entry["title"]
        text = Fragment(event["text"]["text"])
        assert text.tags == [("p", {}), ("p", {}), ("a", {"href": entry["url"]})]
        assert text.text == f"{BODY_SHOWN}Read in “{BRIEFINGS[heading.briefing]}”"
        assert entry["text"] == BODY_SHOWN
        assert shown_after_stripping(event["group"]) == BRIEFINGS[heading.briefing]
        assert event["autolink"] is False
        dates = [event["start_date"], *([event["end_date"]] if "end_date" in event else [])]
        assert " — ".join(shown_after_stripping(d["display_date"]) for d in dates) == \
            heading.date_shown
        assert all(isinstance(d[k], int) for d in dates for k in d if k != "display_date")


# ---- in the real TimelineJS ------------------------------------------------------------------

HARNESS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TimelineJS</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="timelinejs/css/timeline.css">
<script src="timelinejs/js/timeline.js"></script>
</head><body>
<div id="timeline" style="width: 1200px; height: 700px"></div>
<script>
  // font: false, or TimelineJS would fetch its web fonts from a third-party host.
  const timeline = new TL.Timeline("timeline", "site/api/timelinejs.json",
    {script_path: new URL("timelinejs/js/", location.href).href, font: false});
  timeline.on("ready", () => { window.timelineReady = true; });
</script>
</body></html>
"""


@pytest.fixture(scope="module")
def timelinejs() -> Path:
    """TimelineJS's dist folder from the npm registry; skipped without it unless CI requires it."""
    if (TIMELINEJS / "js" / "timeline.js").is_file():
        return TIMELINEJS
    message = f"TimelineJS is not installed: run `{INSTALL}`"
    if os.environ.get("BRIEFGEN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"BRIEFGEN_REQUIRE_BROWSER=1 but {message}")
    pytest.skip(message)


@dataclass
class Loaded:
    page: Any
    events: list[dict[str, Any]]
    entries: dict[str, dict[str, Any]]
    problems: list[str] = field(default_factory=list)


@pytest.fixture
def load_timeline(browser, static_server, timelinejs: Path, tmp_path: Path):
    """Serve a build and TimelineJS on loopback and open the build's export in TimelineJS."""
    pages: list[Any] = []

    def load(out: Path) -> Loaded:
        root = tmp_path / f"served-{len(pages)}"
        root.mkdir()
        (root / "site").symlink_to(out, target_is_directory=True)
        (root / "timelinejs").symlink_to(timelinejs, target_is_directory=True)
        (root / "index.html").write_text(HARNESS, encoding="utf-8")
        base = static_server(root)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        pages.append(page)
        loaded = Loaded(page, read_json(out, "timelinejs.json")["events"],
                        {f"{e['briefing']}--{e['id']}": e for e in read_json(out, "entries.json")})

        def route(r: Any) -> None:
            if r.request.url.startswith(base):
                r.continue_()
            else:
                loaded.problems.append(f"request to {r.request.url}")
                r.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda exc: loaded.problems.append(f"page error: {exc}"))
        page.on("console", lambda msg: loaded.problems.append(f"console: {msg.text}")
                if msg.type == "error" else None)
        page.goto(base + "index.html")
        page.wait_for_function("window.timelineReady === true"
                               " || document.querySelector('.tl-message strong') !== null")
        message = page.locator("#timeline .tl-message").all_inner_texts()
        assert page.evaluate("window.timelineReady") is True, message
        assert not any(text.strip() for text in message), message
        return loaded

    yield load
    for page in pages:
        page.close()


def texts(page: Any, selector: str) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(selector).all_text_contents()]


def test_hostile_text_shows_as_typed_and_never_runs(load_timeline, hostile_out: Path) -> None:
    loaded = load_timeline(hostile_out)
    page = loaded.page
    first = next(h for h in HEADINGS if f"{h.briefing}--{h.id}" == loaded.events[0]["unique_id"])
    next_title = texts(page, ".tl-slidenav-next .tl-slidenav-title")
    # Walk every slide so that each one is shown (and its media, if any, loaded).
    for _ in loaded.events:
        page.locator(".tl-slidenav-next").click()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None
    assert page.locator(f"#timeline :is({CONTENT_TAGS})").count() == 0
    handlers = page.evaluate("""[...document.querySelectorAll('#timeline *')].flatMap(
        el => [...el.attributes].filter(a => a.name.startsWith('on')).map(a => a.name))""")
    assert handlers == []
    assert loaded.problems == []

    assert next_title == [first.shown]
    assert texts(page, ".tl-slide-titleslide .tl-headline") == [SITE_TITLE]
    assert texts(page, ".tl-slide-titleslide .tl-text-content") == [SITE_DESCRIPTION]
    assert sorted(texts(page, ".tl-timegroup-message")) == sorted(BRIEFINGS.values())
    for heading in HEADINGS:
        uid = f"{heading.briefing}--{heading.id}"
        slide = f'[id="{uid}"]'
        assert texts(page, f'[id="{uid}-marker"] .tl-headline') == [heading.shown]
        assert texts(page, f"{slide} .tl-headline") == [heading.shown]
        assert texts(page, f"{slide} .tl-headline-date") == [heading.date_shown]
        assert texts(page, f"{slide} .tl-text-content p:first-child") == [BODY_SHOWN]
        link = page.locator(f"{slide} .tl-text-content a")
        assert " ".join(link.text_content().split()) == f"Read in “{BRIEFINGS[heading.briefing]}”"
        assert link.get_attribute("href") == loaded.entries[uid]["url"]


@pytest.mark.parametrize("site", [ROOT, TESTS / "sites" / "basic" / "site"],
                         ids=["example", "golden"])
def test_export_loads_in_timelinejs_without_error(load_timeline, site: Path, tmp_path: Path) -> None:
    loaded = load_timeline(build(site, tmp_path / "out"))
    page = loaded.page
    assert loaded.problems == []
    assert page.locator("#timeline .tl-timemarker").count() == len(loaded.events) > 0
    for event in loaded.events:
        title = loaded.entries[event["unique_id"]]["title"]
        assert texts(page, f'[id="{event["unique_id"]}"] .tl-headline') == [" ".join(title.split())]


def test_entry_ids_in_any_script_are_timelinejs_slide_ids(load_timeline, tmp_path: Path) -> None:
    site = write(tmp_path / "site", {
        "site.yaml": "title: T\nbase_url: https://example.org/\n",
        "content/briefings/talks.md": "---\ntitle: Talks\ndate: 2022-01-10\n---\n\n"
                                      "## 2022-01-05 Переговоры в Женеве\n\nText.\n\n"
                                      "## 2022-01-06 外交会談\n\nText.\n",
    })
    loaded = load_timeline(build(site, tmp_path / "out"))
    assert loaded.problems == []
    assert [e["unique_id"] for e in loaded.events] == [
        "talks--2022-01-05-переговоры-в-женеве", "talks--2022-01-06-外交会談"]
    for event in loaded.events:
        title = loaded.entries[event["unique_id"]]["title"]
        assert texts(loaded.page, f'[id="{event["unique_id"]}"] .tl-headline') == [title]
