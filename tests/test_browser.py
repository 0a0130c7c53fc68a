"""The built site in a real browser: offline search, no console errors, dark mode, phone width."""

from __future__ import annotations

import pytest

from tests.conftest import run_subprocess, write


def test_search_finds_entries_actors_and_sources(browser, static_server, site_dir):
    base = static_server(site_dir)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "search/?q=lavrov")
    page.wait_for_selector("#bg-results li")
    kinds = page.locator(".bg-result-kind").all_text_contents()
    assert any(k.startswith("Actor") for k in kinds), kinds
    assert any(k.startswith("Entry") for k in kinds), kinds
    page.locator("#bg-results").get_by_role("link", name="Sergey Lavrov", exact=True).click()
    page.wait_for_url("**/actors/sergey-lavrov/")
    assert page.locator("h1").inner_text() == "Sergey Lavrov"
    # typing updates the results without a reload; nonsense finds nothing
    page.goto(base + "search/")
    page.fill("#bg-q", "zzzzqqq")
    page.wait_for_function("document.getElementById('bg-search-status').textContent === "
                           "'0 results'")
    assert errors == []
    page.close()


def test_pages_fit_a_phone_and_honour_dark_mode(browser, static_server, site_dir):
    base = static_server(site_dir)
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    page = context.new_page()
    for path in ("", "briefings/russia-written-response/", "actors/sergey-lavrov/", "timeline/",
                 "sources/"):
        page.goto(base + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path or 'home'} scrolls sideways by {overflow}px on a phone"
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        channels = [int(c) for c in background[background.index("(") + 1:-1].split(",")[:3]]
        assert max(channels) < 80, f"{path or 'home'} is not dark in dark mode: {background}"
    context.close()


LONG = "Donaudampfschifffahrtselektrizitaetenhauptbetriebswerkbauunterbeamtengesellschaft"


def test_long_words_and_timed_dates_stay_inside_the_page(browser, static_server, example_site,
                                                         tmp_path):
    """A tag, an actor's name and a publisher that are one long word, and entries with a
    time and a range of times: nothing scrolls sideways on a phone, and on a desktop the
    timeline's dates stay in their column (clear of the rail and its dots)."""
    path = example_site / "content" / "briefings" / "russia-written-response.md"
    text = path.read_text()
    text = text.replace("tags: [", f"tags: [{LONG}, ", 1)
    text = text.replace("## 2022-02-01 ", "## 2022-02-01T14:30 ", 1)
    text = text.replace("## What to watch", "## 2022-02-02T09:00..2022-02-03T17:00 Talks on "
                        "times\n\nThe [[long-org]] spoke [@long-source].\n\n## What to watch")
    path.write_text(text)
    write(example_site, {"content/actors/long-org.yaml": f"name: {LONG}\nkind: organization\n",
                         "content/sources/long-source.yaml": f"title: Note\npublisher: {LONG}\n"
                                                             "date: 2022-02-02\n"})
    out = tmp_path / "out"
    result = run_subprocess("--site", str(example_site), "build", "--out", str(out))
    assert result.code == 0, result.err
    base = static_server(out)
    pages = ("briefings/russia-written-response/", "actors/long-org/", "actors/russia/",
             "timeline/", "timeline/2022/")
    for width, height in ((390, 844), (1366, 900)):
        page = browser.new_page(viewport={"width": width, "height": height})
        for path_ in pages:
            page.goto(base + path_)
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path_} scrolls sideways by {overflow}px at {width}px"
            spill = page.evaluate("Math.max(0, ...[...document.querySelectorAll("
                                  "'.bg-tl-date, .bg-toc-date')].map(e => e.scrollWidth - "
                                  "e.clientWidth))")
            assert spill <= 0, f"a date of {path_} spills out of its box by {spill}px"
        page.close()


def test_skip_link_moves_focus_to_main(browser, static_server, site_dir):
    base = static_server(site_dir)
    page = browser.new_page()
    page.goto(base + "briefings/russia-written-response/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "bg-skip"
    assert page.locator(".bg-skip").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#bg-main"
    page.close()


def test_citation_jumps_to_its_source_item(browser, static_server, site_dir):
    """Without JavaScript (with it, a citation opens a popover: test_reading_browser.py)."""
    base = static_server(site_dir)
    page = browser.new_page(java_script_enabled=False)
    page.goto(base + "briefings/russia-written-response/")
    link = page.locator(".bg-cite a").first
    target = link.get_attribute("href")
    link.click()
    assert page.evaluate("location.hash") == target
    item = page.locator(f"li{target}")
    assert item.is_visible()
    assert item.locator("a[href*='/sources/']").count() == 1
    page.close()


def test_tags_and_entries_in_any_script_are_reached_by_their_links(browser, static_server,
                                                                   tmp_path):
    site = write(tmp_path / "site", {
        "site.yaml": "title: T\n",
        "content/briefings/talks.md":
            "---\ntitle: Talks\ndate: 2022-01-10\ntags: [Дипломатия]\n---\n\n"
            "## 2022-01-05 Переговоры в Женеве\n\nText.\n\n## 2022-01-06 外交会談\n\nText.\n\n"
            "## 2022-01-07 Third\n\nBack to [[briefings/talks#2022-01-05-переговоры-в-женеве]].\n",
    })
    out = tmp_path / "out"
    result = run_subprocess("--site", str(site), "build", "--out", str(out))
    assert result.code == 0, result.err
    base = static_server(out)
    page = browser.new_page()
    page.goto(base + "briefings/talks/")
    for link, target in ((page.locator(".bg-toc a").nth(1), "2022-01-06-外交会談"),
                         (page.locator(".bg-link-entry"), "2022-01-05-переговоры-в-женеве")):
        link.click()
        assert page.evaluate("document.querySelector(':target').id") == target
    page.locator(".bg-kicker a").click()
    page.wait_for_url("**/tags/*/")
    assert page.locator("h1").inner_text().strip().endswith("Дипломатия")
    page.close()


@pytest.mark.parametrize("viewport,scale,expected", [
    ({"width": 390, "height": 844}, 2, "written-reply.800w.jpg"),  # 390 CSS px × 2
    ({"width": 390, "height": 844}, 3, "written-reply.1280w.jpg"),  # 390 × 3: the next copy up
    ({"width": 1366, "height": 900}, 1, "written-reply.800w.jpg"),  # the 40rem column
    ({"width": 1366, "height": 900}, 2, "written-reply.1280w.jpg"),  # 640 × 2
    ({"width": 1366, "height": 900}, 3, "written-reply.jpg"),  # 1920 px: the largest (1600w)
])
def test_the_browser_picks_the_copy_of_an_image_that_fits(browser, static_server, site_dir,
                                                          viewport, scale, expected):
    base = static_server(site_dir)
    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(base + "briefings/russia-written-response/")
    lead = page.locator(".bg-lead-figure img")
    assert lead.evaluate("img => img.complete && img.naturalWidth > 0")
    shown = lead.evaluate("img => img.currentSrc")
    assert shown.startswith(base + "images/") and shown.split("?")[0].endswith("/" + expected)
    # The figure in an entry loads once it is scrolled to, at the size its box asks for.
    figure = page.locator(".bg-prose .bg-figure img")
    figure.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=figure.element_handle())
    box = figure.bounding_box()
    assert box is not None and abs(box["width"] / box["height"] - 1400 / 560) < 0.02
    assert figure.evaluate("img => img.currentSrc").split("?")[0].split("/")[-1] in {
        "written-exchange.800w.png", "written-exchange.1280w.png", "written-exchange.png"}
    # Every image comes from the site itself, and only the copies the page needs are loaded.
    images = [url for url in requested if "/images/" in url]
    assert images and all(url.startswith(base) for url in requested)
    assert len([url for url in images if "written-reply" in url]) == 1
    context.close()
