"""The site's words: catalogues by language, site.yaml's overrides (checked with locations),
plural forms, dates in the site's language, and the pages, feeds, exports and search
results that show them."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefgen.config import parse_config
from briefgen.dates import parse_date
from briefgen.datetext import DateStyle, date_text
from briefgen.wording import CATALOGUES, english_keys, parts_of, plural_category, site_words
from tests.conftest import run_subprocess, write

CODES = sorted(p.stem for p in CATALOGUES.glob("*.yaml"))
REGIONAL = [code for code in CODES if "-" in code]  # overlays of their language's catalogue


@pytest.mark.parametrize("code", [c for c in CODES if c not in REGIONAL])
def test_each_catalogue_has_every_key_with_the_parts_english_has(code):
    english = english_keys()
    words = site_words(code)
    import yaml

    own = yaml.safe_load((CATALOGUES / f"{code}.yaml").read_text(encoding="utf-8"))
    assert set(own) == set(english), sorted(set(own) ^ set(english))
    for key, value in own.items():
        if key != "dates":
            assert parts_of(value) <= parts_of(english[key]) | {"n"}, key
    assert len(words.dates.months) == len(words.dates.months_alone) == 12


@pytest.mark.parametrize("code", REGIONAL)
def test_a_regional_catalogue_changes_only_keys_of_its_language(code):
    import yaml

    own = yaml.safe_load((CATALOGUES / f"{code}.yaml").read_text(encoding="utf-8"))
    assert set(own) <= set(english_keys())
    base = site_words(code.split("-")[0])
    regional = site_words(code)
    assert all(regional.texts[k] != base.texts[k] for k in own if k != "dates")


@pytest.mark.parametrize("language,numbers", [
    ("en", {0: "other", 1: "one", 2: "other"}),
    ("fr", {0: "one", 1: "one", 2: "other"}),
    ("pt-BR", {0: "one", 1: "one", 2: "other"}),
    ("pt-PT", {0: "other", 1: "one", 2: "other"}),
    ("ru", {1: "one", 21: "one", 11: "many", 22: "few", 14: "many", 25: "many"}),
    ("pl", {1: "one", 21: "many", 22: "few", 112: "many", 5: "many"}),
    ("cs", {1: "one", 3: "few", 5: "other"}),
    ("ja", {1: "other", 2: "other"}),
    ("ar", {0: "zero", 2: "two", 3: "few", 11: "many", 100: "other"}),
])
def test_plural_categories_follow_the_language(language, numbers):
    assert {n: plural_category(language, n) for n in numbers} == numbers


@pytest.mark.parametrize("language,shown", [
    ("en", ["1 July 2023", "13–14 July 2023", "30 June – 2 July 2023",
            "January–February 2022", "July 2023", "c. 2022"]),
    ("en-US", ["July 1, 2023", "July 13–14, 2023", "June 30 – July 2, 2023",
               "January–February 2022", "July 2023", "c. 2022"]),
    ("fr", ["1er juillet 2023", "13–14 juillet 2023", "30 juin – 2 juillet 2023",
            "janvier–février 2022", "juillet 2023", "vers 2022"]),
    ("de", ["1. Juli 2023", "13.–14. Juli 2023", "30. Juni – 2. Juli 2023",
            "Januar–Februar 2022", "Juli 2023", "ca. 2022"]),
    ("es", ["1 de julio de 2023", "13–14 de julio de 2023", "30 de junio – 2 de julio de 2023",
            "enero–febrero de 2022", "julio de 2023", "hacia 2022"]),
    ("pt-BR", ["1º de julho de 2023", "13–14 de julho de 2023",
               "30 de junho – 2 de julho de 2023", "janeiro–fevereiro de 2022",
               "julho de 2023", "c. 2022"]),
])
def test_dates_are_written_the_way_the_language_writes_them(language, shown):
    style = DateStyle.for_site(language, ZoneInfo("UTC"), site_words(language).dates)
    values = ["2023-07-01", "2023-07-13..2023-07-14", "2023-06-30..2023-07-02",
              "2022-01..2022-02", "2023-07", "~2022"]
    assert [date_text(parse_date(v), style) for v in values] == shown


def test_texts_fill_their_parts_and_choose_their_form():
    fr = site_words("fr")
    assert fr.text("entries_count", 0) == "0 entrée"  # French: zero takes the singular
    assert fr.text("entries_count", 2) == "2 entrées"
    assert site_words("en").text("entries_count", 0) == "0 entries"
    assert fr.text("follow_actor", name="{n}") == "Suivre {n} (flux Atom)"  # filled once


SITE = "title: T\nlanguage: fr\n"


def _config(text: str):
    site = Path(tempfile.mkdtemp())
    (site / "content").mkdir()  # a site with its content folder: no warning for its absence
    return parse_config(site, text)


def test_site_words_override_the_catalogue():
    config, diags = _config(SITE + "words:\n  sources: Références\n  entries_count:\n"
                            "    one: '{n} fait'\n    other: '{n} faits'\n  dates:\n"
                            "    approximately: 'env. {date}'\n")
    assert not diags.items, [d.message for d in diags.items]
    words = site_words(config.language, config.words)
    assert words.text("sources") == "Références"
    assert words.text("entries_count", 3) == "3 faits"
    assert words.text("topics") == "Thèmes"  # the rest is the language's
    assert words.dates.months[0] == "janvier" and words.dates.approximately == "env. {date}"


def test_site_words_can_give_a_language_without_a_catalogue_its_months():
    months = ", ".join(f"m{i}" for i in range(1, 13))
    config, diags = _config(f"title: T\nlanguage: sw\nwords:\n  dates:\n    months: [{months}]\n")
    assert not diags.items
    words = site_words(config.language, config.words)
    style = DateStyle.for_site("sw", ZoneInfo("UTC"), words.dates)
    assert date_text(parse_date("2023-07-13"), style) == "13 m7 2023"
    assert date_text(parse_date("2023-07"), style) == "m7 2023"  # the same names alone


@pytest.mark.parametrize("words,expected", [
    ("  sorces: Refs\n", r"^4:3: unknown key 'sorces' in words; did you mean 'sources'"),
    ("  made_with: 'by {tool}'\n", r"^4:14: 'words.made_with' uses \{tool\}.*\{generator\}"),
    ("  entries_count: {one: '{n} x'}\n", r"^4:18: 'words.entries_count' needs an 'other' form"),
    ("  entries_count: {single: '{n} x', other: '{n} xs'}\n",
     r"^4:19: 'single' is not a plural form"),
    ("  dates:\n    months: [a, b]\n",
     r"^5:13: 'words.dates.months' must be a list of the 12 month names"),
    ("  dates:\n    date: '{day} {month}'\n",
     r"^5:11: 'words.dates.date' must show \{day\} and \{month\} and \{year\}"),
    ("  sources: 12\n", r"^4:12: 'words.sources' expects text"),
    ("  dates:\n    months: [a, b, c, d, e, '{year}', g, h, i, j, k, l]\n",
     r"^5:29: a month name in 'words.dates.months' cannot hold braces"),
    ("  - sources\n", r"^4:3: 'words' must be a mapping"),
])
def test_a_wrong_word_is_a_located_error(words, expected):
    config, diags = _config(SITE + "words:\n" + words)
    assert config is not None  # the site is still checked, with the catalogue's words
    found = [f"{d.loc.line}:{d.loc.col}: {d.message}" for d in diags.items]
    assert len(found) == 1 and re.search(expected, found[0]), found


# ------------------------------------------------------------------ a French site, built


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory, cli_module) -> Path:
    root = tmp_path_factory.mktemp("french")
    write(root, {
        "site.yaml": "title: Veille\nbase_url: https://example.org/\nlanguage: fr\n"
                     "words:\n  topics: Sujets\n",
        "content/actors/ana.yaml": "name: Ana Diaz\nkind: person\n",
        "content/sources/memo.yaml": "title: Note\npublisher: Agence\ndate: 2023-07-01\n",
        "content/briefings/b.md": "---\ntitle: Le dossier\ndate: 2023-07-14\ntags: [Paix]\n"
                                  "updates:\n  - date: 2023-07-15\n    note: Précision.\n---\n\n"
                                  "## 2023-07-01 Première réunion\n\n[[ana]] parle [@memo].\n\n"
                                  "## 2023-07-13..2023-07-14 Sommet\n\nSuite [@memo].\n\n"
                                  "## 2023-08 Bilan\n\nFin [@memo].\n",
    })
    assert cli_module("--site", str(root), "build", "--out", str(root / "out")) == 0
    return root / "out"


@pytest.fixture(scope="module")
def cli_module():
    from briefgen.cli import main

    return lambda *args: main(list(args))


def _page(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def test_pages_show_the_languages_words_and_dates(french: Path):
    home, briefing = _page(french, "index.html"), _page(french, "briefings/b/index.html")
    assert '<html lang="fr">' in home
    assert ">Dossiers</a>" in home and ">Sujets</a>" in home  # the override of the site
    assert "Aller au contenu" in home and "Skip to content" not in home
    assert "1 dossier · 3 entrées datées" in home
    assert '<time datetime="2023-07-01">1er juillet 2023</time>' in briefing
    assert '<time datetime="2023-07-13">13</time>–<time datetime="2023-07-14">14 juillet 2023' \
        in briefing
    assert "Dans ce dossier" in briefing and "Publié le" in briefing
    for english in ("Who is in this briefing", "In this briefing", "Published 14", "July"):
        assert english not in briefing, english


def test_titles_feeds_exports_and_search_results_show_them_too(french: Path):
    assert "<title>Chronologie · Veille</title>" in _page(french, "timeline/index.html")
    assert "<title>Thème : Paix · Veille</title>".replace(" :", "\u00a0:") \
        in _page(french, "tags/paix/index.html")
    feed = _page(french, "briefings/b/feed.xml")
    assert "Mises à jour de «\u00a0Le dossier\u00a0»" in feed and "Mise à jour: Précision." in feed
    entries = json.loads(_page(french, "api/entries.json"))
    assert {e["date"]["text"] for e in entries} == {"1er juillet 2023", "13–14 juillet 2023",
                                                    "août 2023"}
    timeline = json.loads(_page(french, "api/timelinejs.json"))
    assert any("À lire dans" in e["text"]["text"] for e in timeline["events"])
    units = [doc for path in (french / "search" / "d" / "b").rglob("*.bin")
             for doc in _search_docs(path)]
    assert {d[0] for d in units} == {"Dossier", "Entrée"}
    assert "1er juillet 2023" in {d[3] for d in units}


def _search_docs(path: Path) -> list[list[object]]:
    import gzip

    return json.loads(gzip.decompress(path.read_bytes()))


def test_the_scripts_get_their_words_from_the_page(french: Path):
    search = _page(french, "search/index.html")
    found = re.search(r"search\.js[^>]*data-words='([^']*)'", search)
    assert found is not None
    words = json.loads(found[1].replace("&#39;", "'"))
    assert words["results_count"] == {"one": "{n} résultat", "other": "{n} résultats"}
    base = re.search(r'site\.js[^>]*data-words=\'([^\']*)\'', _page(french, "index.html"))
    assert base is not None and json.loads(base[1])["close"] == {"other": "Fermer"}


def test_a_template_asking_for_a_text_that_does_not_exist_is_an_error_at_its_line(tmp_path):
    site = write(tmp_path / "site", {
        "site.yaml": "title: T\n",
        "content/briefings/b.md": "---\ntitle: B\ndate: 2023-01-02\n---\n\n"
                                  "## 2023-01-01 One\n\nText.\n",
        "templates/tags.html": '{% extends "base.html" %}{% block main %}\n'
                               '{{ t("serach") }}{% endblock %}',
    })
    result = run_subprocess("--site", str(site), "build", "--out", str(tmp_path / "out"))
    assert result.code == 1 and "Traceback" not in result.err
    assert re.search(r"templates/tags\.html:2:1: error: t\('serach'\): the site's words have no "
                     r"such text.*'search'.* \(while rendering tags\.html\)", result.err)


def test_a_source_in_another_language_has_its_title_marked_with_it(tmp_path):
    """WCAG's language of parts: a Russian source's title on an English site is read as
    Russian, wherever it is listed; the site's own language and free text mark nothing."""
    site = write(tmp_path / "site", {
        "site.yaml": "title: T\nlanguage: en\n",
        "content/sources/tass.yaml": "title: Заявление МИД\npublisher: TASS\ndate: 2022-01-02\n"
                                     "language: ru\n",
        "content/sources/wire.yaml": "title: A wire\npublisher: Wire\ndate: 2022-01-02\n"
                                     "language: en\n",
        "content/sources/memo.yaml": "title: A memo\npublisher: Desk\ndate: 2022-01-02\n"
                                     "language: Russian\n",
        "content/briefings/b.md": "---\ntitle: B\ndate: 2022-01-05\n---\n\n## 2022-01-03 Talks\n\n"
                                  "They talk [@tass] [@wire] [@memo].\n",
    })
    out = tmp_path / "out"
    result = run_subprocess("--site", str(site), "build", "--out", str(out))
    assert result.code == 0, result.err
    assert re.search(r"content/sources/memo\.yaml:4:11: warning: language 'Russian' is not a "
                     r"language code such as ru", result.err)
    briefing = (out / "briefings" / "b" / "index.html").read_text()
    assert re.findall(r'class="bg-source-title"[^>]*>([^<]*)', briefing) == \
        ["Заявление МИД", "A wire", "A memo"]
    assert briefing.count(' lang="ru"') == 1
    assert '<a class="bg-source-title" href="/sources/tass/" dir="auto" lang="ru">' in briefing
    assert '"inLanguage": "ru"' in briefing
    assert '<h1 dir="auto" lang="ru">Заявление МИД</h1>' in \
        (out / "sources" / "tass" / "index.html").read_text()
    assert 'dir="auto" lang="ru">Заявление МИД</a>' in (out / "sources" / "index.html").read_text()
