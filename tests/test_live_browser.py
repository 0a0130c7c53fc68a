"""The live preview in a real browser: a real `briefgen serve`, Debian's Chromium."""

from __future__ import annotations

import shutil
import time
import urllib.request

import pytest

from tests.conftest import ROOT

PAGE = "briefings/russia-written-response/"
SOURCE = "content/briefings/russia-written-response.md"


@pytest.fixture
def live(example_site, serve_site, browser):
    shutil.copytree(ROOT / "themes" / "default", example_site / "themes" / "default")
    served = serve_site(example_site)
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto(served.url + PAGE)
    page.wait_for_function("window.EventSource !== undefined")
    page.wait_for_timeout(300)  # the event stream connects
    yield served, page
    page.close()


def test_page_updates_after_an_edit_without_a_manual_reload(live):
    served, page = live
    path = served.site / SOURCE
    path.write_text(path.read_text().replace("Lead", "Lead").replace(
        "## What to watch", "## 2022-02-02 A brand new development\n\nFresh text "
        "[@cbs-russia-written-response].\n\n## What to watch"))
    page.wait_for_selector("text=A brand new development", timeout=15000)


def test_error_overlay_appears_on_a_broken_edit_and_goes_after_the_fix(live):
    served, page = live
    path = served.site / SOURCE
    good = path.read_text()
    path.write_text(good.replace("[[vassily-nebenzia]]", "[[vassily-nebenzya-typo]]"))
    overlay = page.wait_for_selector("#briefgen-error-overlay", timeout=15000)
    text = overlay.inner_text()
    assert "content/briefings/russia-written-response.md:" in text
    assert "vassily-nebenzya-typo" in text
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "typo" in text)
    assert f"russia-written-response.md:{line}:" in text
    path.write_text(good)
    page.wait_for_selector("#briefgen-error-overlay", state="detached", timeout=15000)


def test_a_new_tab_shows_the_errors_of_a_broken_build(live, browser):
    served, page = live
    path = served.site / SOURCE
    path.write_text(path.read_text().replace("title:", "titel:", 1))
    page.wait_for_selector("#briefgen-error-overlay", timeout=15000)
    other = browser.new_page()
    other.goto(served.url)
    other.wait_for_selector("#briefgen-error-overlay", timeout=15000)
    assert "titel" in other.inner_text("#briefgen-error-overlay")
    other.close()


def test_css_edit_applies_without_a_reload(live):
    served, page = live
    page.evaluate("window.__briefgenMarker = 42")
    css = served.site / "themes/default/static/style.css"
    css.write_text(css.read_text() + "\nbody { outline: 7px solid rgb(1, 2, 3); }\n")
    page.wait_for_function(
        "getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)'", timeout=15000)
    assert page.evaluate("window.__briefgenMarker") == 42, "the page was reloaded"


def test_scroll_position_is_kept_across_a_reload(live):
    served, page = live
    page.evaluate("window.scrollTo(0, 900)")
    page.wait_for_timeout(200)
    path = served.site / SOURCE
    path.write_text(path.read_text() + "\nA closing sentence added by the test.\n")
    page.wait_for_selector("text=A closing sentence added by the test.", timeout=15000)
    page.wait_for_function("Math.abs(window.scrollY - 900) < 60", timeout=5000)


def test_a_site_broken_from_the_start_recovers_after_the_fix(example_site, serve_site, browser):
    path = example_site / SOURCE
    good = path.read_text()
    path.write_text(good.replace("[[vassily-nebenzia]]", "[[nobody-at-all]]"))
    served = serve_site(example_site)
    page = browser.new_page()
    page.goto(served.url + PAGE)
    page.wait_for_selector("#briefgen-error-overlay", timeout=15000)
    path.write_text(good)
    page.wait_for_selector("h1", timeout=15000)
    page.wait_for_function("document.title.includes('written reply')", timeout=15000)
    assert page.locator("#briefgen-error-overlay").count() == 0
    page.close()


def luminance(css: str) -> float:
    """The relative luminance (WCAG 2.1) of a computed CSS colour, rgb() or rgba()."""
    channels = [float(c) / 255 for c in css[css.index("(") + 1:-1].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


OVERLAY = "#briefgen-error-overlay"
STYLE_OF = "(el) => { const s = getComputedStyle(el); return [s.color, s.backgroundColor]; }"


def test_the_error_overlay_reads_in_both_schemes_and_can_be_dismissed(example_site, serve_site,
                                                                      browser):
    served = serve_site(example_site)
    pages = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme,
                                      has_touch=True, is_mobile=True)
        pages[scheme] = context.new_page()
        pages[scheme].goto(served.url + PAGE)
        pages[scheme].wait_for_function("window.EventSource !== undefined")
    pages["light"].wait_for_timeout(300)  # the event streams connect
    path = example_site / SOURCE
    good = path.read_text()
    path.write_text(good.replace("[[vassily-nebenzia]]", "[[vassily-nebenzya]]"))
    for scheme, page in pages.items():
        page.wait_for_selector(OVERLAY, timeout=15000)
        overlay = page.locator(OVERLAY)
        text, ground = overlay.evaluate(STYLE_OF)
        assert (luminance(ground) > 0.5) == (scheme == "light"), (scheme, ground)
        assert contrast(text, ground) >= 7, (scheme, text, ground)
        item = overlay.locator(".briefgen-error", has_text="vassily-nebenzya")
        source = item.locator("pre")
        # The source line's box is the overlay's own: the theme's `pre` colours are not used.
        color, background = source.evaluate(STYLE_OF)
        assert contrast(color, background) >= 7, (scheme, color, background)
        location = item.locator(".briefgen-location").evaluate(STYLE_OF)
        assert contrast(location[0], item.evaluate(STYLE_OF)[1]) >= 4.5, (scheme, location)
        # One line and its caret, never wrapped; the caret stands under the marked characters,
        # which are scrolled into view on a phone.
        assert source.evaluate("el => getComputedStyle(el).whiteSpace") == "pre"
        assert source.inner_text().count("\n") == 1
        mark, caret = source.locator("mark").bounding_box(), source.locator(
            ".briefgen-caret").bounding_box()
        box = source.bounding_box()
        assert mark is not None and caret is not None and box is not None
        assert abs(mark["x"] - caret["x"]) < 1 and abs(mark["width"] - caret["width"]) < 1
        assert box["x"] <= mark["x"] and mark["x"] + mark["width"] <= box["x"] + box["width"]
        assert source.locator("mark").inner_text() == "[[vassily-nebenzya]]"
    # Escape dismisses it and leaves a button that shows it again; so does the Dismiss button.
    page = pages["light"]
    page.keyboard.press("Escape")
    assert page.locator(OVERLAY).count() == 0
    page.locator("#briefgen-error-pill").tap()
    assert page.locator(OVERLAY).is_visible()
    page.get_by_role("button", name="Dismiss").tap()
    assert page.locator(OVERLAY).count() == 0
    assert page.locator("#briefgen-error-pill").is_visible()
    path.write_text(good)  # the next good build takes the button away too
    page.wait_for_selector("#briefgen-error-pill", state="detached", timeout=15000)
    for page in pages.values():
        page.context.close()


def test_a_tab_whose_event_stream_opens_after_a_build_still_reloads(example_site, serve_site,
                                                                      browser):
    """The page is loaded, a build changes it before the tab's event stream is open (the
    stream's request is held back until then): the tab reloads when it connects."""
    shutil.copytree(ROOT / "themes" / "default", example_site / "themes" / "default")
    served = serve_site(example_site)
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    held = []
    page.route("**/__briefgen/events*", lambda route: held.append(route))
    page.goto(served.url + PAGE)
    page.wait_for_function("window.EventSource !== undefined")
    deadline = time.monotonic() + 15
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "the live script never asked for its event stream"
    path = served.site / SOURCE
    path.write_text(path.read_text().replace(
        "## What to watch", "## 2022-02-02 Written while the tab connects\n\nText.\n\n"
        "## What to watch"))
    url = served.url + PAGE
    while b"Written while the tab connects" not in urllib.request.urlopen(url, timeout=30).read():
        assert time.monotonic() < deadline + 30, "the preview never rebuilt"
        time.sleep(0.1)
    held[0].continue_()  # (the reloaded page's own stream is held: it is not needed)
    page.wait_for_selector("text=Written while the tab connects", timeout=15000)
    page.close()
