"""axe-core, the accessibility engine behind Chrome's Lighthouse, finds nothing on any kind of
page of the built example site (WCAG 2.x A and AA, and axe's best practices): at a phone's and
a desktop's width, in the light and the dark colour scheme, and in the states a reader brings
about (search results with their filters, every chip row opened, a citation's popover, a source
and an entry followed by their links, the page scrolled with its button back to the top, the
phone menu open). Nor on the preview's pages: draft and scheduled badges, the error overlay
and the pill it leaves when dismissed.

axe-core comes from the npm registry, pinned by tests/axe/package-lock.json:
`npm ci --prefix tests/axe`. tests/axe/audit.js runs it in the page.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from briefgen.web.plan import SINGLE_PAGES
from tests.conftest import TESTS
from tests.test_page_markup import DRAFT, KINDS, SCHEDULED

AXE = TESTS / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AUDIT = TESTS / "axe" / "audit.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
SCHEMES = ("light", "dark")
BRIEFING = "briefings/russia-written-response/"
ONE_OFF = {path for path, _ in SINGLE_PAGES.values()}  # home, the lists, search, 404


@dataclass(frozen=True)
class Problem:
    where: str  # the page, the screen, the colour scheme and the state
    rule: str
    impact: str
    help: str
    target: str
    detail: str

    def __str__(self) -> str:
        return (f"{self.where}\n  {self.rule} ({self.impact or 'no impact given'}): "
                f"{self.help}\n  at {self.target}\n    " + self.detail.replace("\n", "\n    "))


# What axe reports as "needs review" that is no problem of ours, and why.
def benign(item: dict[str, Any]) -> bool:
    symbols = item["text"] is not None and not any(c.isalnum() for c in item["text"])
    if item["rule"] == "color-contrast":
        # Text over or under a floating box (popover, button back to the top): the box is
        # checked alone, the page in the states without it (tests/axe/audit.js).
        if item["floating"] and set(item["reasons"]) <= {"bgOverlap", "elmPartiallyObscuring"}:
            return True
        # Only symbols (the ↑ of "cited at", a "#" permalink): axe measures letters only;
        # these have the colours of links it does measure.
        return item["reasons"] == ["nonBmp"]
    # A control shown as a symbol and named in words ("#", "Link to this entry"): the rule
    # (WCAG 2.5.3, label in name) is about visible words, and a symbol is none.
    return item["rule"] == "label-content-name-mismatch" and symbols


@dataclass
class Auditor:
    """Runs axe on a page in each colour scheme and collects what it finds."""

    screen: str
    problems: list[Problem] = field(default_factory=list)

    def __call__(self, page: Any, state: str = "") -> None:
        url = page.evaluate("location.pathname + location.search + location.hash")
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            where = f"{url} [{self.screen}, {scheme}]" + (f" ({state})" if state else "")
            self.collect(where, page.evaluate("tags => window.briefgenAudit(tags)", TAGS))

    def collect(self, where: str, found: dict[str, Any]) -> None:
        for item in found["violations"]:
            self.problems.append(Problem(where, item["rule"], item["impact"], item["help"],
                                         item["target"], f"{item['summary']}\n{item['url']}"))
        for item in found["incomplete"]:
            if not benign(item):
                self.problems.append(Problem(
                    where, item["rule"], item["impact"],
                    f"axe-core {found['version']} could not decide: {item['help']}",
                    item["target"], f"{item['summary']}\n{item['url']}"))
        for item in found["underText"]:
            texts = item["texts"]
            detail = ("its place could not be measured" if item["unmeasured"] else
                      f"under {len(texts)} texts: " + ", ".join(f"“{t}”" for t in texts[:3]))
            self.problems.append(Problem(
                where, "decoration-under-text", "serious", "a decoration axe is told to look "
                "past lies under text (see tests/axe/audit.js)", item["decoration"], detail))



def fail_on(problems: list[Problem]) -> None:
    if problems:
        listed = "\n\n".join(map(str, problems))
        pytest.fail(f"{len(problems)} accessibility problems:\n\n{listed}", pytrace=False)


@pytest.fixture(scope="module")
def axe_script() -> str:
    """axe-core and our runner; skipped without axe-core unless CI requires it."""
    if AXE.is_file():
        return AXE.read_text(encoding="utf-8") + "\n" + AUDIT.read_text(encoding="utf-8")
    message = "axe-core is not installed: run `npm ci --prefix tests/axe`"
    if os.environ.get("BRIEFGEN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"BRIEFGEN_REQUIRE_BROWSER=1 but {message}")
    pytest.skip(message)


def open_context(browser: Any, axe_script: str, screen: str) -> Any:
    """A browser context of the screen's size whose every page has axe loaded."""
    mobile = screen == "phone"
    context = browser.new_context(viewport=SCREENS[screen], has_touch=mobile, is_mobile=mobile)
    context.add_init_script(axe_script)
    return context


def kind_of(rel: str) -> str:
    """A page's kind from its site path: itself for a one-off page (``actors/``, ``404.html``),
    ``actors/*/`` for ``actors/russia/``, ``*/`` for a free page (``about/``)."""
    if rel in ONE_OFF:
        return rel
    parts = rel.removesuffix("/").split("/")
    return "*/" if len(parts) == 1 else parts[0] + "/*" * (len(parts) - 1) + "/"


def page_kinds(out: Path) -> dict[str, str]:
    """One page of each kind in a built site: the largest, which has the most to check."""
    files = sorted(out.rglob("*.html"), key=lambda p: (-p.stat().st_size, str(p)))
    kinds: dict[str, str] = {}
    for path in files:
        rel = path.relative_to(out).as_posix().removesuffix("index.html")
        kinds.setdefault(kind_of(rel), rel)
    return kinds


def test_the_kinds_of_page_are_those_the_markup_test_checks(site_dir: Path):
    # Drafts and scheduled briefings exist only in the preview: checked there, below.
    expected = {kind_of(rel) for name, rel in KINDS.items()
                if name not in ("draft briefing", "scheduled briefing")}
    kinds = page_kinds(site_dir)
    assert set(kinds) == expected
    assert kinds["briefings/*/"] == BRIEFING  # the largest: citations, corrections, images


# The states a reader brings about, in turn on one page: each yields its name once shown.
def briefing_states(page: Any, screen: str) -> Iterator[str]:
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    citation = page.locator(".bg-cite a").nth(2)
    citation.scroll_into_view_if_needed()
    citation.click()
    page.wait_for_selector("#bg-popover:not([hidden])")
    yield "chip rows open, a citation's popover open"
    page.locator("#bg-popover").get_by_role("link", name="In the list of sources").click()
    page.wait_for_selector(".bg-source-item:target")
    yield "a source followed from its citation"
    page.locator(".bg-entry").nth(3).locator(".bg-permalink").click()
    page.wait_for_selector(".bg-entry:target")
    page.wait_for_function("!document.querySelector('.bg-to-top').hidden")
    yield "an entry followed by its link, scrolled: the button back to the top" + (
        ", the table of contents marking the entry" if screen == "desktop" else "")


def search_states(page: Any, screen: str) -> Iterator[str]:
    page.wait_for_selector("#bg-results li")
    page.locator("#bg-search-filters summary").click()
    yield "results for a query, filters open"


def home_states(page: Any, screen: str) -> Iterator[str]:
    if screen == "phone":
        page.locator(".bg-menu").click()
        page.wait_for_selector("#bg-nav a", state="visible")
        yield "the menu open"


STATES: list[tuple[str, Callable[[Any, str], Iterator[str]]]] = [
    (BRIEFING, briefing_states), ("search/?q=lavrov", search_states), ("", home_states)]


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_kind_of_page_passes_axe(browser, static_server, site_dir, axe_script, screen):
    base = static_server(site_dir)
    context = open_context(browser, axe_script, screen)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    audit = Auditor(screen)
    for rel in page_kinds(site_dir).values():
        page.goto(base + rel)
        audit(page)
    for path, states in STATES:
        page.goto(base + path)
        for state in states(page, screen):
            audit(page, state)
    context.close()
    assert errors == []
    fail_on(audit.problems)


def test_the_preview_passes_axe(example_site, serve_site, browser, axe_script):
    """Badges of drafts and scheduled briefings, the error overlay and its pill."""
    for name, text in (("second-letter", DRAFT), ("a-year-on", SCHEDULED)):
        (example_site / "content" / "briefings" / f"{name}.md").write_text(text)
    served = serve_site(example_site, "--drafts", "--future")
    problems: list[Problem] = []
    pages = []
    for screen in SCREENS:
        page = open_context(browser, axe_script, screen).new_page()
        audit = Auditor(screen, problems)
        for path in ("", "briefings/second-letter/", "briefings/a-year-on/"):
            page.goto(served.url + path)
            audit(page, "preview")
        page.wait_for_function("window.EventSource !== undefined")
        pages.append((audit, page))
    pages[0][1].wait_for_timeout(300)  # the event streams connect
    source = example_site / "content" / "briefings" / "russia-written-response.md"
    source.write_text(source.read_text().replace("[[vassily-nebenzia]]", "[[vassily-nebenzya]]"))
    for audit, page in pages:
        page.wait_for_selector("#briefgen-error-overlay", timeout=15000)
        audit(page, "preview: the error overlay")
        page.locator("#briefgen-error-overlay button").click()
        page.wait_for_selector("#briefgen-error-pill")
        audit(page, "preview: the overlay dismissed, its pill")
        page.context.close()
    fail_on(problems)
