"""The words of the page's scripts in a real browser: a German site's citation popover,
back-to-top button and search page speak German, plural forms included."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_subprocess, write

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LONG = "\n\n".join(f"## 2022-01-{day:02d} Gespräch {day}\n\nDie Gespräche gehen weiter [@memo]."
                   for day in range(10, 28))


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("german")
    site = write(root / "site", {
        "site.yaml": "title: Lage\nlanguage: de\n",
        "content/sources/memo.yaml": "title: Ein Vermerk\npublisher: Agentur\ndate: 2022-01-02\n",
        "content/briefings/talks.md": ("---\ntitle: Gespräche in Genf\ndate: 2022-01-28\n---\n\n"
                                       "## 2022-01-01 Waffenruhe vereinbart\n\nEine Waffenruhe "
                                       "[@memo].\n\n" + LONG + "\n"),
    })
    out = root / "out"
    result = run_subprocess("--site", str(site), "build", "--out", str(out))
    assert result.code == 0, result.err
    return out


@pytest.fixture
def page(browser, static_server, german):
    base = static_server(german)
    opened = []

    def start(path: str, **options):
        tab = browser.new_page(**options)
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.goto(base + path)
        opened.append((tab, errors))
        return tab

    yield start
    for tab, errors in opened:
        assert errors == []
        tab.close()


def test_the_citation_popover_and_the_top_button_speak_the_sites_language(page):
    tab = page("briefings/talks/", viewport=DESKTOP)
    tab.locator(".bg-cite a").first.hover()
    tab.wait_for_selector("#bg-popover:not([hidden])")
    popover = tab.locator("#bg-popover")
    assert popover.get_attribute("aria-label") == "Quelle 1"
    assert popover.get_by_role("button").inner_text() == "Schließen"
    assert popover.get_by_role("link", name="In der Quellenliste").count() == 1
    tab.evaluate("window.scrollTo(0, 4000)")
    tab.wait_for_function("!document.querySelector('.bg-to-top').hidden")
    button = tab.locator(".bg-to-top")
    assert button.get_attribute("aria-label") == "Zurück nach oben"
    assert button.inner_text().endswith("Oben")


def _status(tab, query: str) -> str:
    tab.goto(tab.url.split("?")[0] + "?q=" + query)
    tab.wait_for_function("(() => { const s = document.getElementById('bg-search-status')"
                          ".textContent; return /Ergebnis/.test(s); })()")
    return tab.locator("#bg-search-status").inner_text()


def test_the_search_page_counts_and_labels_results_in_the_sites_language(page):
    tab = page("search/", viewport=PHONE)
    assert _status(tab, "waffenruhe") == "1 Ergebnis"
    assert tab.locator(".bg-result-kind").all_text_contents() == ["Eintrag · 1. Januar 2022"]
    assert tab.locator(".bg-result-context").all_text_contents() == ["in Gespräche in Genf"]
    assert _status(tab, "gespräche+weiter") == "18 Ergebnisse"
