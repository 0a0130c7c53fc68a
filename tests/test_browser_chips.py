"""An entry's actor chips in Chromium: the role held on the entry's date beside the short
name (outside the link), shown on a wide screen, folded behind a one-line count on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write
from tests.test_roles import SITE

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def site_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from briefgen.cli import main

    root = tmp_path_factory.mktemp("chips")
    site = write(root / "site", SITE)
    assert main(["--site", str(site), "build", "--out", str(root / "out"), "--quiet"]) == 0
    return root / "out"


def test_a_chip_shows_the_role_held_on_the_entry_s_date(browser, static_server, site_out):
    base = static_server(site_out)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(base + "briefings/b/")
    for entry, role in (("picked", "Ambassador to Slovakia"), ("arrived", "Ambassador to Ukraine")):
        foot = page.locator(f'[id="{entry}"] .bg-entry-foot')
        assert not foot.locator("summary").is_visible()  # no count on a wide screen
        chip = foot.locator(".bg-chip", has=page.locator('a[href$="/actors/brink/"]'))
        assert chip.is_visible()
        assert chip.text_content() == f"Brink, {role}"
        link = chip.get_by_role("link")
        assert link.inner_text() == "Brink"  # the role is not part of the link
        assert link.get_attribute("title") == "Bridget Brink"
        assert chip.locator(".bg-chip-role").is_visible()
    before = page.locator('[id="before"] .bg-chips-actors .bg-chip')
    assert before.text_content() == "Brink"  # no role held then
    context.close()


def test_on_a_phone_the_chips_fold_behind_a_one_line_count(browser, static_server, site_out):
    base = static_server(site_out)
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    page.goto(base + "briefings/b/")
    foot = page.locator('[id="picked"] .bg-entry-foot')
    summary = foot.locator("summary")
    assert summary.is_visible() and summary.text_content() == "2 actors · 1 source"
    folded = foot.bounding_box()
    assert folded is not None and folded["height"] <= 48, folded  # one touch-sized line
    assert not foot.locator(".bg-chip-role").is_visible()
    summary.tap()
    role = foot.locator(".bg-chip-role")
    role.wait_for(state="visible")
    assert role.text_content() == ", Ambassador to Slovakia"
    opened = foot.bounding_box()
    assert opened is not None and opened["height"] > folded["height"]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the open chips scroll sideways by {overflow}px"
    context.close()
