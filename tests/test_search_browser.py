"""Search in a real browser: real queries on a small site (stemming, phrases, prefixes,
aliases, filters, other scripts, ranking), the script's text functions against Python's, and
the bytes a query loads on a generated site."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.search import terms
from tests.conftest import ROOT, run_subprocess, write

SITE = {
    "site.yaml": "title: Search test\nlanguage: en\n",
    "content/actors/lavrov.yaml": "name: Sergey Lavrov\nkind: person\naliases: [Sergei Lavrov]\n",
    "content/actors/port-union.yaml": "name: Port Union\nkind: organization\n",
    "content/sources/wire.yaml": "title: Wire report\npublisher: Wire\ndate: 2021-01-01\n",
    "content/briefings/port.md": """---
title: The port dispute
date: 2022-03-01
tags: [Labour]
---

Lead.

## 2021-05-01 Port strike ends

The [[port-union]] returns to work [@wire].

## 2022-02-01 Strikes spread to the rail yards

Workers walk out again [@wire].

## 2022-02-10 Ministers meet the union

Talks about the strike go on late into the night [@wire].
""",
    "content/briefings/talks.md": """---
title: Talks in Geneva
date: 2022-01-20
tags: [Diplomacy]
---

Lead.

## 2022-01-10 Moscow sends a written reply

[[lavrov]] handed over the written reply on Monday [@wire].

## 2022-01-12 Reply to the written questions

A reply came, and then a written note [@wire].

## 2022-01-15 外交会談が東京で開かれた

東京で外交会談が開かれた [@wire].

## 2022-01-16 Переговоры в Женеве

Переговоры продолжались [@wire].
""",
    # Words found only outside the entries' and titles' text, one place each.
    "content/briefings/harbour.md": """---
title: The harbour works
date: 2022-04-01
summary: The harbour is rebuilt.
authors: [Amara Quistwell]
tags: [Shipping]
updates:
  - date: 2022-04-03
    kind: correction
    entry: dredging
    note: The dredger was misattributed to the navy.
  - date: 2022-04-04
    note: Added the mooring figures.
---

The harbour is rebuilt. The works began after a storm, and the port authority said they
would take years, with the old breakwater removed first, the cranes replaced and the channel
deepened, while ships are sent to the smaller quays further along the coast for the whole of
the works, which the authority expects to last until the spring after next, as zephyrine
winds made the old mole unsafe.

## 2022-04-02 Dredging begins {#dredging}

Dredgers clear the channel.[^1]

## Background

The old mole was built of marlinspike granite.

[^1]: The silt goes to a gunwale basin.
""",
    "content/pages/about.md": """---
title: About
---

This site follows the harbour works. It is written by a small team, which reads the port
authority's notices, the council's minutes and the shipping press, and checks each entry
against its sources before it is published; corrections are marked where they are made, and
the change log of each briefing lists them. The words of this colophon close the page.
""",
    "content/sources/notice.md": """---
title: Port notice
publisher: Port Authority
date: 2022-04-02
---

Posted on the quayside board.
""",
}


def built(factory: pytest.TempPathFactory, name: str, files: dict[str, str]) -> Path:
    """The output of a site of ``files``, built by the command line."""
    root = factory.mktemp(name)
    site = write(root / "site", files)
    out = root / "out"
    result = run_subprocess("--site", str(site), "build", "--out", str(out))
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="module")
def search_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built(tmp_path_factory, "search", SITE)


def results(page, query: str, base: str) -> list[str]:
    """The titles of the results of ``query`` (a query string), in order."""
    page.goto(base + "search/?" + query)
    page.wait_for_function("(() => { const s = document.getElementById('bg-search-status')"
                           ".textContent; return s && !s.startsWith('Loading'); })()")
    page.wait_for_function("document.querySelectorAll('#bg-results li').length === "
                           "Math.min(10, parseInt(document.getElementById('bg-search-status')"
                           ".textContent) || 0)")
    return page.locator("#bg-results li > a").all_inner_texts()


@pytest.fixture
def search(browser, static_server, search_site):
    base = static_server(search_site)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield lambda query: results(page, query, base)
    assert errors == []
    page.close()


def test_stemming_finds_other_forms_and_ranks_titles_then_exact_words(search):
    # title, exact; title, same stem; body, exact
    assert search("q=strike") == ["Port strike ends", "Strikes spread to the rail yards",
                                  "Ministers meet the union"]
    assert search("q=strikes") == ["Strikes spread to the rail yards", "Port strike ends",
                                   "Ministers meet the union"]


def test_words_match_whole_or_at_their_start_never_inside(search):
    assert search("q=union+ministers") == ["Ministers meet the union"]
    assert search("q=ion") == []  # not inside "union"
    assert "Port strike ends" in search("q=stri")  # the word being typed completes
    assert search("q=stri+") == []  # a finished word does not


def test_a_quoted_phrase_needs_its_words_in_order(search):
    assert search("q=%22written+reply%22") == ["Moscow sends a written reply"]
    assert set(search("q=written+reply")) >= {"Moscow sends a written reply",
                                               "Reply to the written questions"}


def test_an_alias_finds_the_entries_that_link_the_actor(search, browser):
    found = search("q=sergei")
    assert found[0] == "Sergey Lavrov"
    assert "Moscow sends a written reply" in found


def test_filters_by_actor_topic_and_year(search):
    assert search("q=reply&actor=lavrov") == ["Moscow sends a written reply"]
    assert set(search("topic=labour")) == {"The port dispute", "Port strike ends",
                                            "Strikes spread to the rail yards",
                                            "Ministers meet the union"}
    assert search("q=strike&year=2021") == ["Port strike ends"]


def test_every_text_of_a_document_is_found(search):
    """The rest of a lead past its summary, a section, a footnote, the change log (an
    update that names an entry with the entry), a briefing's authors, a page's and a
    source's whole text."""
    assert search("q=zephyrine") == ["The harbour works"]
    assert search("q=marlinspike") == ["Background"]
    assert search("q=gunwale") == ["The harbour works"]
    assert search("q=misattributed") == ["Dredging begins"]
    assert search("q=mooring") == ["The harbour works"]
    assert search("q=quistwell") == ["The harbour works"]
    assert search("q=colophon") == ["About"]
    assert search("q=quayside") == ["Port notice"]


def test_a_section_result_links_to_the_section(browser, static_server, search_site):
    page = browser.new_page()
    results(page, "q=marlinspike", static_server(search_site))
    link = page.locator("#bg-results li > a").first
    assert link.get_attribute("href").endswith("/briefings/harbour/#background")
    assert page.locator("#bg-results .bg-result-kind").first.text_content() == "Section"
    page.close()


def test_queries_in_other_scripts(search):
    assert search("q=外交会談") == ["外交会談が東京で開かれた"]
    assert search("q=東京") == ["外交会談が東京で開かれた"]
    assert search("q=переговоры") == ["Переговоры в Женеве"]


def test_results_show_highlighted_excerpts(browser, static_server, search_site):
    page = browser.new_page()
    results(page, "q=strike", static_server(search_site))
    marks = page.locator("#bg-results mark").all_inner_texts()
    assert {m.lower() for m in marks} == {"strike", "strikes"}  # every form of the word
    page.fill("#bg-q", "zzzzqqq")
    page.wait_for_function("document.getElementById('bg-search-status').textContent === "
                           "'0 results'")
    page.close()


def test_the_script_splits_and_stems_as_python_does(browser, static_server, search_site):
    page = browser.new_page()
    page.goto(static_server(search_site) + "search/")
    page.wait_for_function("window.bgSearch !== undefined")
    rng = random.Random(7)
    base = ["strike", "ambassador", "generous", "consign", "happy", "hop", "agree", "relate",
            "dying", "news", "controll", "feud", "cry", "sky", "universal", "past", "succeed"]
    endings = ["", "s", "es", "ed", "ing", "ly", "ness", "ment", "ation", "al", "ful", "ive",
               "ize", "ies", "ied", "eed", "edly", "ingly", "ogist", "li", "ous", "ence"]
    vocabulary = sorted({b + e for b in base for e in endings}
                        | {"".join(rng.choice("aeiouybcdlnrst") for _ in range(rng.randint(1, 9)))
                           for _ in range(500)})
    stem = terms.stemmer("english")
    assert page.evaluate("ws => ws.map(window.bgSearch.stem)", vocabulary) == \
        [stem(w) for w in vocabulary]
    texts = ["Élysée Palace — Russia’s reply", "外交会談は東京で2022年に", "किताब पढ़ना",
             "การประชุม สุดยอด", "ﬁnance ＡＢＣ naïve İstanbul"]
    script = page.evaluate("ts => ts.map(t => window.bgSearch.words(window.bgSearch.fold(t))"
                           ".map(w => [w.text, window.bgSearch.crc32(w.text)]))", texts)
    assert script == [[[w, terms.term_hash(w)] for w in terms.words(terms.fold(t))]
                      for t in texts]
    page.close()


def test_a_query_loads_little_of_a_large_index(browser, static_server, tmp_path):
    """On a generated site, the most common word loads a few files, far under 300 KB."""
    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, str(ROOT / "bench/gen_corpus.py"), "--briefings", "200",
                    "--out", str(corpus)], check=True, capture_output=True)
    out = tmp_path / "out"
    result = run_subprocess("--site", str(corpus / "briefgen"), "build", "--out", str(out))
    assert result.code == 0, result.err
    index = sum(f.stat().st_size for f in (out / "search").rglob("*.bin"))
    page = browser.new_page()
    loaded: list[int] = []
    page.on("response", lambda r: loaded.append(len(r.body())) if r.url.endswith(".bin")
            else None)
    titles = results(page, "q=the", static_server(out))
    assert len(titles) == 10
    assert sum(loaded) < 300 * 1024 and sum(loaded) < index / 4, (sum(loaded), index)
    page.close()


FRENCH = {
    "site.yaml": "title: Veille\nlanguage: fr\n",
    "content/sources/wire.yaml": "title: Dépêche\npublisher: Agence\ndate: 2023-01-01\n",
    "content/briefings/port.md": """---
title: Le conflit du port
date: 2023-03-20
---

Les mesures annoncées, les réformes votées et les retraites contestées.

## 2023-03-07 Grève des dockers

La grève bloque le port depuis lundi [@wire].

## 2023-03-09 Les syndicales reçues

Les centrales syndicales rencontrent les ministres et les préfectures [@wire].

## 2023-03-12 Gravité de la situation

Les grandes entreprises attendent des garanties [@wire].
""",
}


@pytest.fixture(scope="module")
def french_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built(tmp_path_factory, "french", FRENCH)


def test_a_form_the_site_does_not_contain_finds_its_stem_in_any_language(browser, static_server,
                                                                        french_site):
    """The script stems only English; in French a form the site never uses ("grèves") is
    matched through the stem of a form it does use ("grève") and an ending its words have."""
    page = browser.new_page()
    base = static_server(french_site)

    def titles(query: str) -> list[str]:
        page.goto(base + "search/?q=" + query)
        page.wait_for_function("(() => { const n = parseInt(document.getElementById("
                               "'bg-search-status').textContent); return n >= 0 && document"
                               ".querySelectorAll('#bg-results li').length === Math.min(10, n);"
                               " })()")
        return page.locator("#bg-results li > a").all_inner_texts()

    assert titles("grève") == ["Grève des dockers"]
    assert titles("grèves") == ["Grève des dockers"]  # not a word of the site
    assert titles("gravures") == []  # "gr" is no stem: nothing is guessed
    page.close()
