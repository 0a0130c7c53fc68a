"""Reading a briefing in a real browser (the example site, Debian's Chromium): citations show
their source in a popover with a mouse, a keyboard and a finger, and still jump to the
Sources list without JavaScript; the header is one row on a phone; the table of contents
follows the entry being read; long pages have a way back to the top."""

from __future__ import annotations

import pytest

from tests.conftest import run_subprocess, write

BRIEFING = "briefings/russia-written-response/"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
CITE = ".bg-cite a"
POPOVER = "#bg-popover"



@pytest.fixture
def open_page(browser, static_server, site_dir):
    """Open a page of the example site in a new context; page errors fail the test."""
    contexts = []
    errors: list[str] = []

    def start(path: str = BRIEFING, **options):
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(static_server(site_dir) + path)
        return page

    yield start
    for context in contexts:
        context.close()
    assert errors == []


def shown(page) -> bool:
    return bool(page.evaluate(f"!document.querySelector('{POPOVER}').hidden"))


def test_without_javascript_the_sources_list_links_back_to_each_citation(open_page):
    page = open_page(java_script_enabled=False)  # the jump there: test_browser.py
    item = page.locator("#bg-source-cbs-russia-written-response")
    back = item.locator(".bg-source-back a")
    # Every link to it but the copies of the correction's note (at the top, at its entry)
    links = page.locator(f"{CITE}[href='#bg-source-cbs-russia-written-response']")
    assert back.count() == links.count() - 2 == page.locator(f"{CITE}[id]").count() - 3
    back.nth(2).click()
    target = page.locator(":target")
    assert target.evaluate("a => a.closest('.bg-cite') !== null")
    assert target.is_visible()
    assert back.nth(2).inner_text().endswith("c")


def test_hovering_a_citation_shows_its_source(open_page):
    page = open_page(viewport=DESKTOP)
    link = page.locator(CITE).nth(2)
    link.hover()
    page.wait_for_selector(f"{POPOVER}:not([hidden])")
    popover = page.locator(POPOVER)
    assert "CBS News" in popover.inner_text()
    assert popover.get_by_role("link", name="Russia sends written response").count() == 1
    assert popover.get_attribute("role") == "dialog"
    assert link.get_attribute("aria-describedby") == "bg-popover"
    assert link.get_attribute("title") is None  # no native tooltip over the popover
    # The pointer may move into the popover (to follow a link) without closing it.
    popover.hover()
    page.wait_for_timeout(400)
    assert shown(page)
    page.mouse.move(2, 2)
    page.wait_for_function(f"document.querySelector('{POPOVER}').hidden")
    assert page.evaluate("location.hash") == ""


def test_the_popover_gives_the_original_and_the_archived_copy(browser, static_server, tmp_path):
    site = write(tmp_path / "site", {
        "site.yaml": "title: T\n",
        "content/sources/memo.yaml": (
            "title: A memo\npublisher: Wire\ndate: 2022-01-02\n"
            "url: https://example.org/memo\narchive_url: https://archive.example.org/memo\n"),
        "content/briefings/talks.md": ("---\ntitle: Talks\ndate: 2022-01-12\n---\n\n"
                                       "## 2022-01-10 Envoys meet\n\nThey meet [@memo].\n"),
    })
    out = tmp_path / "out"
    assert run_subprocess("--site", str(site), "build", "--out", str(out)).code == 0
    page = browser.new_page(viewport=DESKTOP)
    page.goto(static_server(out) + "briefings/talks/")
    page.locator(CITE).hover()
    page.wait_for_selector(f"{POPOVER}:not([hidden])")
    popover = page.locator(POPOVER)
    assert popover.inner_text().split()[:6] == ["SOURCE", "1", "Wire,", "A", "memo,", "2"]
    assert popover.get_by_role("link", name="Original").get_attribute("href") == \
        "https://example.org/memo"
    assert popover.get_by_role("link", name="Archived copy").get_attribute("href") == \
        "https://archive.example.org/memo"
    page.close()


def test_the_keyboard_opens_the_popover_escape_closes_it_and_focus_returns(open_page):
    page = open_page(viewport=DESKTOP)
    link = page.locator(CITE).nth(1)
    link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # reached with the keyboard: the source is shown beside it
    assert page.evaluate("document.activeElement.closest('.bg-cite') !== null")
    page.wait_for_selector(f"{POPOVER}:not([hidden])")
    page.keyboard.press("Enter")  # opened: the focus moves into it, the page does not jump
    assert page.evaluate(f"document.querySelector('{POPOVER}').contains(document.activeElement)")
    assert link.get_attribute("aria-expanded") == "true"
    assert page.evaluate("location.hash") == ""
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == \
        "Russia sends written response to U.S. amid Ukraine negotiations"
    page.keyboard.press("Escape")
    assert not shown(page)
    assert page.evaluate("document.activeElement.closest('.bg-cite') !== null")
    assert page.evaluate("document.activeElement.id") == link.get_attribute("id")
    assert link.get_attribute("aria-expanded") == "false"
    # The close button does the same.
    page.keyboard.press("Enter")
    page.locator(f"{POPOVER} button").click()
    assert not shown(page)
    assert page.evaluate("document.activeElement.id") == link.get_attribute("id")


def test_tapping_a_citation_opens_the_popover_on_a_phone(open_page):
    page = open_page(viewport=PHONE, has_touch=True, is_mobile=True)
    link = page.locator(CITE).nth(3)
    link.scroll_into_view_if_needed()
    link.tap()
    page.wait_for_selector(f"{POPOVER}:not([hidden])")
    assert page.evaluate("location.hash") == ""
    box = page.locator(POPOVER).bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert "CBS News" in page.locator(POPOVER).inner_text()
    # Following "In the list of sources" closes it and jumps to the item.
    page.locator(POPOVER).get_by_role("link", name="In the list of sources").tap()
    assert not shown(page)
    assert page.evaluate("location.hash") == "#bg-source-cbs-russia-written-response"
    # A tap elsewhere closes it too.
    link.scroll_into_view_if_needed()
    link.tap()
    page.wait_for_selector(f"{POPOVER}:not([hidden])")
    page.locator("h1").tap()
    assert not shown(page)


@pytest.mark.parametrize("javascript", [True, False])
def test_the_header_is_one_row_on_a_phone(open_page, javascript):
    page = open_page("", viewport=PHONE, has_touch=True, is_mobile=True,
                     java_script_enabled=javascript)
    header = page.locator(".bg-masthead").bounding_box()
    brand = page.locator(".bg-brand").bounding_box()
    menu = page.locator(".bg-menu").bounding_box()
    assert header is not None and brand is not None and menu is not None
    assert header["height"] <= 64, header
    assert abs(brand["y"] - menu["y"]) < 8  # side by side
    assert not page.locator("#bg-nav").is_visible()
    page.locator(".bg-menu").tap()
    links = page.locator("#bg-nav a")
    assert links.first.is_visible() and links.count() >= 6
    if javascript:
        assert page.locator(".bg-menu").get_attribute("aria-expanded") == "true"
        page.keyboard.press("Escape")
        assert not page.locator("#bg-nav").is_visible()
        assert page.evaluate("document.activeElement.className") == "bg-menu"


def test_the_header_keeps_its_links_on_a_desktop(open_page):
    page = open_page("", viewport=DESKTOP)
    assert not page.locator(".bg-menu").is_visible()
    assert page.locator("#bg-nav a").first.is_visible()


def test_the_table_of_contents_marks_the_entry_being_read(open_page):
    page = open_page(viewport=DESKTOP)
    toc = page.locator("#bg-toc a")
    assert page.locator("#bg-toc a[aria-current]").count() == 0  # the lead is read first
    for n in (4, 1, 6):
        target = toc.nth(n).get_attribute("href")
        page.evaluate(f"document.getElementById(decodeURIComponent('{target[1:]}'))"
                      ".scrollIntoView({block: 'start', behavior: 'instant'})")
        page.wait_for_function(f"document.querySelector('#bg-toc a[aria-current]') !== null && "
                               f"document.querySelector('#bg-toc a[aria-current]')"
                               f".getAttribute('href') === '{target}'")
        assert page.locator("#bg-toc a[aria-current]").count() == 1
        current = page.locator("#bg-toc a[aria-current]")
        assert current.evaluate("a => getComputedStyle(a).borderLeftColor") != \
            toc.nth((n + 1) % 7).evaluate("a => getComputedStyle(a).borderLeftColor")


def test_a_long_page_has_a_way_back_to_the_top(open_page):
    page = open_page(viewport=PHONE, has_touch=True, is_mobile=True)
    button = page.locator(".bg-to-top")
    assert not button.is_visible()
    page.evaluate("window.scrollTo(0, 3000)")
    page.wait_for_function("!document.querySelector('.bg-to-top').hidden")
    button.tap()
    page.wait_for_function("window.scrollY === 0")
    assert page.evaluate("location.hash") == "#bg-top"
    # Without the script, the footer's link does the same.
    assert page.locator(".bg-footer a[href='#bg-top']").count() == 1
