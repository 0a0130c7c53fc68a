"""The live preview in a real browser: a real `briefgen serve`, Debian's Chromium."""

from __future__ import annotations

import shutil

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
