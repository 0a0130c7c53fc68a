"""site.yaml: a setting with an error is reported and replaced by its default, so that the
content is checked in the same run; only a site.yaml that cannot be read stops early."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.cache import cache_folder
from briefgen.config import parse_config
from tests.conftest import write


def messages(diags) -> list[str]:
    return [f"{d.loc.line}:{d.loc.col}: {d.message}" for d in diags.items]


def test_bad_settings_fall_back_to_their_defaults(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    config, diags = parse_config(tmp_path, "timezone: Mars/Olympus\nlanguage: english\n"
                                           "feeds:\n  limit: 0\ncitations:\n  style: apa\n"
                                           "markdown:\n  unsafe_html: maybe\ntheme: fancy\n"
                                           "base_url: 'https://example.org/b?x=1'\ncolour: red\n")
    assert config is not None
    assert config.title  # a placeholder: the content is checked, nothing is built
    assert (config.timezone_name, config.language, config.feed_limit,
            config.citation_style, config.unsafe_html, config.theme, config.base_url) == (
        "UTC", "en", 50, "numeric", False, "default", "https://example.org/b/")
    assert len(diags.items) == 9
    assert "1:1: missing required key 'title' in site.yaml" in messages(diags)


def test_good_settings_next_to_bad_ones_are_kept(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    config, diags = parse_config(tmp_path, "title: Kept\ntimezone: Europe/Paris\nfeeds:\n"
                                           "  limit: 7\ntittle: typo\n")
    assert config is not None
    assert (config.title, config.timezone_name, config.feed_limit) == ("Kept", "Europe/Paris", 7)
    assert messages(diags) == ["5:1: unknown key 'tittle' in site.yaml; did you mean 'title'?"]


@pytest.mark.parametrize("text", ["title: [unclosed\n", "- a list\n", "just text\n",
                                  "title: T\ncontent_dir: 12\n", "title: T\ncontent_dir: file.txt\n"])
def test_a_site_yaml_that_names_no_readable_content_stops_early(tmp_path: Path, text: str) -> None:
    write(tmp_path, {"file.txt": "x"})
    config, diags = parse_config(tmp_path, text)
    assert config is None
    assert diags.items


def test_a_content_folder_that_does_not_exist_yet_is_kept_for_new(tmp_path: Path) -> None:
    config, diags = parse_config(tmp_path, "title: T\ncontent_dir: text\n")
    assert config is not None and config.content_dir == "text"
    assert messages(diags) == ["2:14: 'content_dir' folder 'text' does not exist"]


def test_a_missing_default_content_folder_is_a_warning_not_a_silent_empty_site(
        tmp_path: Path) -> None:
    config, diags = parse_config(tmp_path, "title: T\n")
    assert config is not None and config.content_dir == "content"
    assert [m.split(": there is")[0] for m in messages(diags)] == ["1:1"]
    assert "no content/ folder" in messages(diags)[0]
    (tmp_path / "content").mkdir()
    assert messages(parse_config(tmp_path, "title: T\n")[1]) == []


@pytest.mark.parametrize("zone,warned", [("Etc/GMT+3", True), ("Etc/GMT-10", True),
                                         ("Etc/GMT+0", False), ("Europe/Moscow", False)])
def test_an_etc_zone_says_its_sign_is_reversed(tmp_path: Path, zone: str, warned: bool) -> None:
    (tmp_path / "content").mkdir()
    config, diags = parse_config(tmp_path, f"title: T\ntimezone: {zone}\n")
    assert config is not None and config.timezone_name == zone
    assert [m.split(": ")[0] for m in messages(diags)] == (["2:11"] if warned else [])
    if warned:
        assert "the sign of the Etc/ zones is the reverse" in messages(diags)[0]


def test_check_reports_site_yaml_and_content_problems_together(tmp_path: Path, cli) -> None:
    site = write(tmp_path / "s", {
        "site.yaml": "title: T\ntimezone: Nowhere\n",
        "content/actors/a.yaml": "name: A\nkind: persn\n",
    })
    result = cli("--site", str(site), "check")
    assert result.code == 1
    assert [h.split(": error: ")[0] for h in result.headlines if ": error: " in h] == [
        "content/actors/a.yaml:2:7", "site.yaml:2:11"]


def test_a_build_with_site_yaml_errors_writes_neither_output_nor_cache(tmp_path: Path, cli) -> None:
    site = write(tmp_path / "s", {
        "site.yaml": "title: T\nfeeds:\n  limit: 0\n",
        "content/actors/a.yaml": "name: A\nkind: person\n",
    })
    result = cli("--site", str(site), "build", "--out", str(tmp_path / "out"))
    assert result.code == 1
    assert result.headlines[-1] == "site.yaml:3:10: error: 'limit' expects a whole number of at least 1"
    assert "actor 'a' is never linked" in result.headlines[0]
    assert not (tmp_path / "out").exists()
    assert not list(cache_folder(site).glob("*.sqlite"))


@pytest.mark.parametrize("line,expected", [
    ("base_url: https://editor:pw@example.org/briefs/",
     "2:11: 'base_url' must not hold a user name or password: every page, feed and the "
     "sitemap would publish it; write 'https://example.org/briefs/' and give the password to "
     "the browser, not the site"),
    ("base_url: https://example.org/briefs/index.html",
     "2:11: 'base_url' must be a folder, not a file ('index.html'): write "
     "'https://example.org/briefs/'"),
    ("base_url: https://example.org/briefs//",
     "2:11: 'base_url' has an empty part ('//') in its path: write 'https://example.org/briefs/'"),
    ("output_dir: ~/www",
     "2:13: 'output_dir' holds '~', which briefgen does not expand (no shell reads site.yaml): "
     "it would make a folder of that name; write the folder's full path, or one relative to the "
     "site"),
    ("output_dir: ${HOME}/www",
     "2:13: 'output_dir' holds '${HOME}', which briefgen does not expand (no shell reads "
     "site.yaml): it would make a folder of that name; write the folder's full path, or one "
     "relative to the site"),
    ("content_dir: $CONTENT",
     "2:14: 'content_dir' folder '$CONTENT' holds '$CONTENT', which briefgen does not expand; "
     "write the folder's full path, or one relative to the site"),
])
def test_addresses_and_folders_that_would_publish_wrongly_are_errors(tmp_path: Path, line: str,
                                                                    expected: str) -> None:
    (tmp_path / "content").mkdir()
    _, diags = parse_config(tmp_path, f"title: T\n{line}\n")
    assert messages(diags) == [expected]
    assert not (tmp_path / "~").exists()


@pytest.mark.parametrize("url", ["https://example.org/", "https://example.org/v1.2/",
                                 "https://example.org/briefs", "http://localhost:8000/"])
def test_ordinary_addresses_pass(tmp_path: Path, url: str) -> None:
    (tmp_path / "content").mkdir()
    _, diags = parse_config(tmp_path, f"title: T\nbase_url: {url}\n")
    assert messages(diags) == []


@pytest.mark.parametrize("language,warned", [("en", False), ("en-US", False), ("pt-PT", False),
                                             ("de", False), ("ru", True), ("zz", True)])
def test_a_language_briefgen_has_no_texts_in_is_a_warning(tmp_path: Path, language: str,
                                                          warned: bool) -> None:
    (tmp_path / "content").mkdir()
    _, diags = parse_config(tmp_path, f"title: T\nlanguage: {language}\n")
    found = [m for m in messages(diags) if "no texts of its own" in m]
    assert bool(found) is warned, messages(diags)
    if warned:
        assert found[0].startswith(f"2:11: briefgen has no texts of its own in '{language}' (it "
                                   "has de, en, es, fr, it, nl, pt, pt-BR)")
    # The site's own texts say that the site knows.
    _, diags = parse_config(tmp_path, f"title: T\nlanguage: {language}\nwords:\n  search: Poisk\n")
    assert not [m for m in messages(diags) if "no texts of its own" in m]


@pytest.mark.parametrize(("written", "address"), [
    ("HTTPS://Bücher.Example:443/news", "https://xn--bcher-kva.example/news/"),
    ("http://example.org:80", "http://example.org/"),
    ("http://staging.example:8080/a/", "http://staging.example:8080/a/"),
    ("https://[::1]:443/", "https://[::1]/"),
    ("https://пример.рф/", "https://xn--e1afmkfd.xn--p1ai/"),
    # IDNA 2003 would write fass.de and a σ: browsers go to another domain (xn--fa-hia.de).
    ("https://faß.de/", "https://faß.de/"),
    ("https://ελλάς.gr/", "https://ελλάς.gr/"),
])
def test_a_base_url_is_written_as_clients_send_it(written, address):
    from briefgen.config import site_address

    assert site_address(written) == address
