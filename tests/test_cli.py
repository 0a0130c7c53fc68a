"""The command line: exit statuses, summaries, new and init (SPEC §8)."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from briefgen import __version__
from tests.conftest import run_subprocess, write


def test_version_and_help(cli):
    result = run_subprocess("--version")
    assert result.code == 0 and result.out.strip() == f"briefgen {__version__}"
    helped = run_subprocess("--help")
    assert helped.code == 0
    for command in ("build", "serve", "check", "new", "init"):
        assert command in helped.out
    assert "Exit status" in helped.out


@pytest.mark.parametrize("args", [["no-such-command"], ["build", "--no-such-option"],
                                  ["new", "briefing"], ["new", "poem", "x"], [],
                                  ["serve", "--port", "70000"], ["serve", "--port", "-1"],
                                  ["serve", "--port", "http"]])
def test_usage_errors_exit_2(cli, args):
    assert cli(*args).code == 2


def test_build_prints_a_summary_with_counts(example_site, tmp_path, cli):
    result = cli("--site", str(example_site), "build", "--out", str(tmp_path / "out"))
    assert result.code == 0, result.err
    assert re.match(r"Built 2 briefings \(9 entries\), 15 actors, 4 sources, 1 page in [0-9.]+ s",
                    result.out), result.out
    assert "files (" in result.out


def test_quiet_build_prints_nothing(example_site, tmp_path, cli):
    result = cli("--site", str(example_site), "build", "--quiet", "--out", str(tmp_path / "o"))
    assert result.code == 0 and result.out == "" and result.err == ""


def test_missing_site_yaml_is_a_located_error(tmp_path, cli):
    result = cli("--site", str(tmp_path), "build")
    assert result.code == 1
    assert result.headlines[0].startswith("site.yaml:1:1: error: no site.yaml")


def test_check_strict_fails_on_warnings_and_lists_them(tmp_path, cli):
    site = write(tmp_path / "s", {
        "site.yaml": "title: T\n",
        "content/actors/lonely.yaml": "name: Lonely\nkind: person\n",
    })
    relaxed = cli("--site", str(site), "check")
    assert relaxed.code == 0
    assert relaxed.headlines == [
        "content/actors/lonely.yaml:1:7: warning: actor 'lonely' is never linked; "
        "link it with [[lonely]] or remove the file"]
    strict = cli("--site", str(site), "check", "--strict")
    assert strict.code == 1 and "--strict" in strict.err


def test_new_writes_a_valid_starter_and_never_overwrites(example_site, cli):
    for kind, doc_id in (("briefing", "nato-summit"), ("actor", "jens-stoltenberg"),
                         ("source", "nato-communique")):
        result = cli("--site", str(example_site), "new", kind, doc_id)
        assert result.code == 0, result.err
        made = list((example_site / "content" / f"{kind}s").glob(f"{doc_id}.*"))
        assert len(made) == 1
        again = cli("--site", str(example_site), "new", kind, doc_id)
        assert again.code == 1 and "already exists" in again.err
    check = cli("--site", str(example_site), "check")
    assert check.code == 0, check.err


def test_new_refuses_an_id_taken_in_another_extension(example_site, cli):
    (example_site / "content" / "actors" / "someone.md").write_text("---\nname: S\nkind: person\n---\n")
    result = cli("--site", str(example_site), "new", "actor", "someone")
    assert result.code == 1
    assert not (example_site / "content" / "actors" / "someone.yaml").exists()


def test_new_validates_the_id_and_suggests_one(example_site, cli):
    result = cli("--site", str(example_site), "new", "actor", "Jens Stoltenberg")
    assert result.code == 2
    assert "'jens-stoltenberg'" in result.err


def test_new_writes_nothing_through_a_folder_linked_outside_content(tmp_path, cli):
    site = write(tmp_path / "s", {"site.yaml": "title: T\n"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (site / "content").mkdir()
    (site / "content/pages").symlink_to(elsewhere)
    result = cli("--site", str(site), "new", "page", "notes")
    assert result.code == 1 and "outside content/" in result.err
    assert list(elsewhere.iterdir()) == []


def test_new_and_init_report_what_the_file_system_refuses(tmp_path, cli):
    site = write(tmp_path / "s", {"site.yaml": "title: T\n", "content/pages": "a file"})
    long_id = "a" * 300
    for args, said in [(("new", "briefing", long_id), "File name too long"),
                       (("new", "page", "notes"), "is a file, not a folder")]:
        result = cli("--site", str(site), *args)
        assert result.code == 1 and said in result.err and "Traceback" not in result.err
    for target, said in [(site / "site.yaml" / "sub", "Not a directory"),
                         (tmp_path / ("b" * 300), "File name too long")]:
        result = cli("init", str(target))
        assert result.code == 1 and "briefgen init: cannot create a site in" in result.err
        assert said in result.err


def test_the_text_new_writes_for_the_editor_to_replace_is_warned_until_replaced(example_site,
                                                                                tmp_path, cli):
    assert cli("--site", str(example_site), "new", "source", "tass-memo").code == 0
    assert cli("--site", str(example_site), "new", "actor", "kremlin").code == 0
    result = cli("--site", str(example_site), "check")
    assert result.code == 0  # starter files pass check: a warning, not an error
    assert ("content/sources/tass-memo.yaml:2:12: warning: 'publisher' is still the text "
            "'briefgen new' wrote, which would be published as it is; write the publisher's "
            "name, or an actor's id") in result.err
    assert "content/actors/kremlin.yaml:4:10: warning: 'summary' is still the text" in result.err
    source = example_site / "content" / "sources" / "tass-memo.yaml"
    source.write_text(source.read_text().replace("The publisher's name, or an actor id", "TASS"))
    assert "'publisher' is still" not in cli("--site", str(example_site), "check").err


def test_new_honours_content_dir(tmp_path, cli):
    site = write(tmp_path / "s", {"site.yaml": "title: T\ncontent_dir: text\n"})
    assert cli("--site", str(site), "new", "source", "memo").code == 0
    assert (site / "text" / "sources" / "memo.yaml").is_file()


def test_new_source_takes_its_date_from_an_id_that_ends_in_one(tmp_path, cli):
    site = write(tmp_path / "s", {"site.yaml": "title: T\n"})
    for doc_id, title, day in (("cbs-reply-2022-01-31", "Cbs Reply", "2022-01-31"),
                               ("memo-2024-03", "Memo", "2024-03")):
        assert cli("--site", str(site), "new", "source", doc_id).code == 0
        text = (site / "content" / "sources" / f"{doc_id}.yaml").read_text()
        assert f'title: "{title}"\n' in text and f"\ndate: {day}\n" in text
    before = datetime.now(UTC).date().isoformat()
    result = cli("--site", str(site), "new", "source", "memo-2024-02-30")
    after = datetime.now(UTC).date().isoformat()
    assert result.code == 0
    assert "'2024-02-30' is not a real date" in result.err and "dated today" in result.err
    text = (site / "content" / "sources" / "memo-2024-02-30.yaml").read_text()
    assert f"\ndate: {before}\n" in text or f"\ndate: {after}\n" in text


def test_new_page_writes_a_draft_page_and_refuses_reserved_ids(tmp_path, cli):
    site = write(tmp_path / "s", {"site.yaml": "title: T\n"})
    assert cli("--site", str(site), "new", "page", "methodology").code == 0
    text = (site / "content" / "pages" / "methodology.md").read_text()
    assert text.startswith('---\ntitle: "Methodology"\n') and "status: draft" in text
    for reserved in ("search", "tags", "timeline", "api", "assets"):
        result = cli("--site", str(site), "new", "page", reserved)
        assert result.code == 2
        assert f"'{reserved}' cannot be a page id: briefgen makes /{reserved}/ itself" in result.err
        assert not (site / "content" / "pages" / f"{reserved}.md").exists()
    result = cli("--site", str(site), "new", "page", "about", "--yaml")
    assert result.code == 2 and "Markdown only" in result.err


def test_new_briefing_yaml_writes_the_yaml_form(tmp_path, cli):
    site = write(tmp_path / "s", {"site.yaml": "title: T\n"})
    assert cli("--site", str(site), "new", "briefing", "nato-summit", "--yaml").code == 0
    assert not (site / "content" / "briefings" / "nato-summit.md").exists()
    data = yaml.safe_load((site / "content" / "briefings" / "nato-summit.yaml").read_text())
    assert data["title"] == "Nato Summit" and data["status"] == "draft"
    assert "[[actor-id]]" in data["lead"]
    assert [sorted(entry) for entry in data["entries"]] == [["body", "date", "title"]]


def test_every_starter_passes_check(tmp_path, cli):
    site = write(tmp_path / "s", {"site.yaml": "title: T\n"})
    for args in (["briefing", "in-markdown"], ["briefing", "in-yaml", "--yaml"],
                 ["actor", "someone"], ["actor", "something", "--yaml"],
                 ["source", "memo-2024-03-01"], ["page", "methodology"]):
        assert cli("--site", str(site), "new", *args).code == 0
    check = cli("--site", str(site), "check")
    assert check.code == 0, check.err
    starter = ("warning: '{}' is still the text 'briefgen new' wrote, which would be published "
               "as it is; write {}")
    summary = starter.format("summary", "a line on who this is, or remove the line")
    assert sorted(check.headlines) == [
        "content/actors/someone.yaml:1:7: warning: actor 'someone' is never linked; link it "
        "with [[someone]] or remove the file",
        f"content/actors/someone.yaml:4:10: {summary}",
        "content/actors/something.yaml:1:7: warning: actor 'something' is never linked; link it "
        "with [[something]] or remove the file",
        f"content/actors/something.yaml:4:10: {summary}",
        "content/sources/memo-2024-03-01.yaml:1:1: warning: source 'memo-2024-03-01' is never "
        "cited",
        "content/sources/memo-2024-03-01.yaml:2:12: "
        + starter.format("publisher", "the publisher's name, or an actor's id")]


def test_init_scaffolds_a_site_that_builds_without_warnings(tmp_path, cli):
    target = tmp_path / "fresh"
    assert cli("init", str(target)).code == 0
    check = cli("--site", str(target), "check", "--strict")
    assert check.code == 0, check.err
    assert check.headlines == []
    assert cli("init", str(target)).code == 1


def test_init_says_how_to_preview_the_new_site(tmp_path, cli, monkeypatch):
    """From where the command ran: into the folder, quoted as a shell needs it; in the
    current folder, nothing to change into."""
    monkeypatch.chdir(tmp_path)
    done = cli("init", "my briefings")
    assert done.code == 0
    assert done.out.splitlines()[-1] == \
        "Next: cd 'my briefings' && briefgen serve   (or: briefgen build)"
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    assert cli("init", ".").out.splitlines()[-1] == \
        "Next: briefgen serve   (or: briefgen build)"


def test_init_refuses_a_file(tmp_path, cli):
    path = tmp_path / "file"
    path.write_text("x")
    result = cli("init", str(path))
    assert result.code == 1
    assert result.err == f"briefgen init: {path} is a file, not a folder; nothing was written\n"
    assert path.read_text() == "x"
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    assert cli("init", str(dangling)).err == \
        f"briefgen init: {dangling} is a symbolic link that leads nowhere; nothing was written\n"
    assert not (tmp_path / "nowhere").exists()


def test_drafts_and_future_briefings(tmp_path, cli):
    site = write(tmp_path / "s", {
        "site.yaml": "title: T\n",
        "content/sources/s.yaml": "title: S\npublisher: P\ndate: 2020\n",
        "content/briefings/draft.md": "---\ntitle: D\ndate: 2020-01-01\nstatus: draft\n---\n\n"
                                      "## 2020-01-01 E\n\nText [@s].\n",
        "content/briefings/later.md": "---\ntitle: L\ndate: 2999-01-01\n---\n\n"
                                      "## 2999-01-01 E\n\nText [@s].\n",
    })
    out = tmp_path / "out"
    plain = cli("--site", str(site), "build", "--out", str(out))
    assert plain.code == 0
    assert any("in the future" in h and "--future" in h for h in plain.headlines)
    assert not (out / "briefings" / "draft").exists() and not (out / "briefings" / "later").exists()
    both = cli("--site", str(site), "build", "--out", str(out), "--drafts", "--future")
    assert both.code == 0
    assert (out / "briefings" / "draft" / "index.html").is_file()
    assert (out / "briefings" / "later" / "index.html").is_file()


LOCAL_WARNING = ("site.yaml:3:11: warning: base_url http://localhost:8000/ is a local address: "
                 "feeds, the sitemap and canonical links would point at this computer; set it to "
                 "the site's public address, or build with --base-url URL")


def local_site(root: Path, base_url: str | None = "http://localhost:8000/") -> Path:
    setting = f"base_url: {base_url}\n" if base_url else ""
    return write(root, {
        "site.yaml": f"title: T\ndescription: D\n{setting}",
        "content/sources/s.yaml": "title: S\npublisher: P\ndate: 2020\n",
        "content/briefings/b.md": "---\ntitle: B\ndate: 2020-01-01\n---\n\n"
                                  "## 2020-01-01 E\n\nText [@s].\n",
    })


def test_build_warns_at_a_local_base_url(tmp_path, cli):
    site = local_site(tmp_path / "s")
    result = cli("--site", str(site), "build", "--out", str(tmp_path / "out"))
    assert result.code == 0
    assert result.headlines == [LOCAL_WARNING]
    assert "1 warning" in result.out
    for address in ("http://127.0.0.1:8000/", "http://[::1]/briefs/", "http://0.0.0.0:8000/",
                    "http://site.localhost/"):
        site = local_site(tmp_path / address.replace("/", "-").replace(":", "-"), address)
        built = cli("--site", str(site), "build", "--out", str(tmp_path / "o"))
        assert len(built.headlines) == 1 and f"base_url {address} is a local" in built.err


def test_build_warns_when_no_base_url_is_set(tmp_path, cli):
    site = local_site(tmp_path / "s", base_url=None)
    result = cli("--site", str(site), "build", "--out", str(tmp_path / "out"))
    assert result.code == 0
    assert result.headlines == [
        "site.yaml:1:1: warning: base_url is not set, so http://localhost:8000/ is used: feeds, "
        "the sitemap and canonical links would point at this computer; add 'base_url: "
        "https://…' with the site's public address, or build with --base-url URL"]


def test_no_local_base_url_warning_from_check_or_with_a_public_address(tmp_path, cli):
    site = local_site(tmp_path / "s")
    assert cli("--site", str(site), "check", "--strict").headlines == []
    given = cli("--site", str(site), "build", "--out", str(tmp_path / "o"), "--base-url",
                "https://example.org/")
    assert given.code == 0 and given.headlines == []
    public = local_site(tmp_path / "p", "https://localhost.example.org/")
    assert cli("--site", str(public), "build", "--out", str(tmp_path / "p-out")).headlines == []


def test_failed_build_gives_no_local_base_url_warning(tmp_path, cli):
    site = local_site(tmp_path / "s")
    write(site, {"content/briefings/broken.md": "---\ntitle: [unclosed\n---\n"})
    result = cli("--site", str(site), "build", "--out", str(tmp_path / "out"))
    assert result.code == 1
    assert result.headlines and not any("base_url" in h for h in result.headlines)


def test_serve_gives_no_local_base_url_warning(tmp_path, serve_site):
    served = serve_site(local_site(tmp_path / "s"))
    assert served.startup and not any("base_url" in line for line in served.startup)


def test_published_page_linking_to_a_draft_is_an_error(tmp_path, cli):
    site = write(tmp_path / "s", {
        "site.yaml": "title: T\n",
        "content/briefings/draft.md": "---\ntitle: D\ndate: 2020-01-01\nstatus: draft\n---\n",
        "content/pages/about.md": "---\ntitle: A\n---\n\nSee [[briefings/draft]].\n",
    })
    result = cli("--site", str(site), "check")
    assert result.code == 1
    assert result.headlines[0].startswith("content/pages/about.md:5:5: error: 'briefings/draft'")
    assert cli("--site", str(site), "check", "--drafts").code == 0


def test_errors_in_yaml_block_scalars_point_at_the_file_line(tmp_path, cli):
    site = write(tmp_path / "s", {
        "site.yaml": "title: T\n",
        "content/briefings/b.yaml": (
            "title: B\ndate: 2022\nlead: |\n  Intro with [[nobody]].\nentries:\n"
            "  - date: 2022-01-01\n    title: E\n    body: |\n      First line.\n"
            "      Second [@missing] here.\n"),
    })
    result = cli("--site", str(site), "check")
    assert "content/briefings/b.yaml:4:14: error: unknown link target 'nobody'" in result.err
    assert "content/briefings/b.yaml:10:14: error: unknown source 'missing'" in result.err


def test_error_output_shows_the_source_line_and_a_caret(tmp_path, cli):
    site = write(tmp_path / "s", {"site.yaml": "title: T\n",
                                  "content/actors/a.yaml": "name: NO\nkind: person\n"})
    result = cli("--site", str(site), "check")
    lines = result.err.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("content/actors/a.yaml:1:7")))
    assert "quote the value" in lines[at]
    assert lines[at + 1].endswith("| name: NO")
    assert lines[at + 2].endswith("|       ^~")


def test_traceback_free_on_binary_content(tmp_path, cli):
    site = write(tmp_path / "s", {"site.yaml": "title: T\n"})
    folder = site / "content" / "actors"
    folder.mkdir(parents=True)
    (folder / "blob.yaml").write_bytes(b"\xff\xfe\x00garbage")
    result = run_subprocess("--site", str(site), "check")
    assert result.code == 1
    assert "Traceback" not in result.err
    assert "content/actors/blob.yaml:1:1: error: not UTF-8" in result.err


def test_theme_override_from_site_templates(example_site, tmp_path, cli):
    write(example_site, {"templates/404.html": "<p>Custom {{ site.title }}</p>"})
    out = tmp_path / "out"
    assert cli("--site", str(example_site), "build", "--out", str(out)).code == 0
    assert (out / "404.html").read_text() == "<p>Custom Ukraine Diplomacy Briefings</p>"


def test_template_error_is_reported_not_raised(example_site, tmp_path, cli):
    write(example_site, {"templates/tags.html": "{% for x in %}"})
    result = cli("--site", str(example_site), "build", "--out", str(tmp_path / "out"))
    assert result.code == 1
    assert "templates/tags.html:1:1: error: template syntax error: " in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "out").exists()


def test_new_shows_an_id_s_control_characters_escaped(tmp_path, cli):
    result = cli("--site", str(tmp_path), "new", "actor", "a\x1bb")
    assert result.code == 2
    assert result.err.startswith("briefgen new: 'a\\x1bb' is not a valid id")
    assert "\x1b" not in result.err


def test_a_template_included_but_missing_is_told_at_the_include(example_site, tmp_path, cli):
    write(example_site, {"templates/tags.html": "<p>\n{% include 'partials/missing.html' %}</p>"})
    result = cli("--site", str(example_site), "build", "--out", str(tmp_path / "out"))
    assert result.code == 1 and "Traceback" not in result.err
    assert "templates/tags.html:2:1: error: template 'partials/missing.html' not found in the " \
           "site's templates/ or the theme's templates/" in result.err


@pytest.mark.parametrize("template", ["404.html", "tags.html"])
@pytest.mark.parametrize("expression, raised", [("1 // 0", "ZeroDivisionError"),
                                                 ('"a" + 1', "TypeError")])
def test_an_exception_in_a_template_is_a_located_error(example_site, tmp_path, cli, template,
                                                       expression, raised):
    write(example_site, {f"templates/{template}": f"<p>\n{{{{ {expression} }}}}</p>"})
    result = cli("--site", str(example_site), "build", "--out", str(tmp_path / "out"))
    assert result.code == 1 and "Traceback" not in result.err
    assert f"templates/{template}:2:1: error: {raised}: " in result.err
    assert f"(while rendering {template})\n  2 | {{{{ {expression} }}}}</p>\n" in result.err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("line, caret, message", [
    # An undefined name, an attribute one of briefgen's objects lacks, an unknown filter and
    # test: the caret under the culprit, and what the template could have meant.
    ("<h1>{{ titel }}</h1>", "       ^~~~~",
     "'titel' is undefined; did you mean 'title'"),
    ("<h1>{{ doc.summry_html }}</h1>", "           ^~~~~~~~~~~",
     "has no attribute 'summry_html'; did you mean 'summary_html'"),
    ("<h1>{{ title | uper }}</h1>", "               ^~~~",
     "No filter named 'uper'; did you mean 'upper'?"),
    ("<h1>{{ title if title is not strng }}</h1>", "                             ^~~~~",
     "No test named 'strng' found; did you mean 'string'?"),
    # Nothing named: the line's first tag, not its first column.
    ("<h1>{{ 1 // 0 }}</h1>", "    ^~", "ZeroDivisionError"),
])
def test_a_template_error_points_at_its_culprit_with_a_suggestion(example_site, tmp_path, cli,
                                                                  line, caret, message):
    write(example_site, {"templates/page.html": f"<main>\n{line}\n</main>"})
    result = cli("--site", str(example_site), "build", "--out", str(tmp_path / "out"))
    assert result.code == 1 and "Traceback" not in result.err
    column = caret.index("^") + 1
    assert f"templates/page.html:2:{column}: error: " in result.err
    assert message in result.err
    assert f"  2 | {line}\n    | {caret}\n" in result.err


def test_check_renders_the_pages_in_workers_and_reports_their_template_errors(example_site):
    # A process of its own, where `check` hands the pages to worker processes.
    write(example_site, {"templates/actor.html": "<p>\n{{ 1 // 0 }}</p>"})
    result = run_subprocess("--site", str(example_site), "check")
    assert result.code == 1 and "Traceback" not in result.err
    assert "templates/actor.html:2:1: error: ZeroDivisionError: integer division or modulo by " \
           "zero (while rendering actor.html)" in result.err


def test_check_hands_its_pages_to_workers(example_site, monkeypatch):
    from briefgen.build import BuildOptions, build
    from briefgen.web import make

    asked: list[tuple[str, int, int]] = []
    real = make.stream_all

    def recording(jobs, workers, *args, **kwargs):
        asked.append((jobs[0].func.__name__ if jobs else "", len(jobs), workers))
        return real(jobs, workers, *args, **kwargs)

    monkeypatch.setattr(make, "stream_all", recording)
    assert build(example_site, BuildOptions(write=False, jobs=2)).ok
    assert any(name == "_render_only" and count >= make.MANY_OUTPUTS and workers == 2
               for name, count, workers in asked), asked


def test_unknown_theme_is_an_error(tmp_path: Path, cli):
    site = write(tmp_path / "s", {"site.yaml": "title: T\ntheme: fancy\n"})
    result = cli("--site", str(site), "build", "--out", str(tmp_path / "o"))
    assert result.code == 1 and "theme 'fancy' not found" in result.err


@pytest.mark.parametrize("url", ["javascript:alert(1)//", "http://[::1", "ftp://example.org/",
                                 "https://example.org/news/?ref=feed", "https://example.org/#top"])
def test_bad_base_url_option_is_a_usage_error(example_site, tmp_path, cli, url):
    result = cli("--site", str(example_site), "build", "--base-url", url, "--out", str(tmp_path / "o"))
    assert result.code == 2
    assert result.err.startswith("briefgen build: --base-url "), result.err
    assert not (tmp_path / "o").exists()


def test_a_query_in_the_base_url_option_is_told_as_in_site_yaml(example_site, tmp_path, cli):
    url = "https://example.org/news/?ref=feed"
    result = cli("--site", str(example_site), "build", "--base-url", url, "--out", str(tmp_path / "o"))
    assert result.err == f"briefgen build: --base-url must not have a query or fragment, not " \
                         f"'{url}'\n"


def _built_with_base_url(site: Path, out: Path, cli, url: str, how: str) -> Path:
    """The site built with ``url`` as its base URL, given in site.yaml or as the option."""
    args = ["--base-url", url] if how == "--base-url" else []
    if how == "site.yaml":
        site_yaml = site / "site.yaml"
        site_yaml.write_text(re.sub(r"(?m)^base_url: .*$", f"base_url: {url}",
                                    site_yaml.read_text()))
    result = cli("--site", str(site), "build", *args, "--out", str(out))
    assert result.code == 0, result.err
    return out


@pytest.mark.parametrize("how", ["site.yaml", "--base-url"])
def test_a_base_url_path_is_written_percent_encoded_everywhere(example_site, tmp_path, cli, how):
    """As the site's own paths are: the sitemap's addresses must be, and a feed's links."""
    out = _built_with_base_url(example_site, tmp_path / "o", cli, "https://example.org/nüws/été/",
                               how)
    encoded = "https://example.org/n%C3%BCws/%C3%A9t%C3%A9/"
    assert f"<loc>{encoded}briefings/</loc>" in (out / "sitemap.xml").read_text()
    assert f"Sitemap: {encoded}sitemap.xml" in (out / "robots.txt").read_text()
    assert 'href="/n%C3%BCws/%C3%A9t%C3%A9/feed.xml"' in (out / "index.html").read_text()
    assert "nüws" not in (out / "feed.xml").read_text()


@pytest.mark.parametrize("how", ["site.yaml", "--base-url"])
def test_a_base_url_host_is_written_as_clients_send_it(example_site, tmp_path, cli, how):
    """A feed reader or a search engine compares addresses as text: the host in lower case
    and ASCII, no port that the scheme implies."""
    out = _built_with_base_url(example_site, tmp_path / "o", cli,
                               "HTTPS://Bücher.Example:443/news/", how)
    address = "https://xn--bcher-kva.example/news/"
    assert f"<loc>{address}briefings/</loc>" in (out / "sitemap.xml").read_text()
    feed = (out / "feed.xml").read_text()
    assert address in feed
    assert ":443" not in feed and "Bücher" not in feed and "HTTPS" not in feed


def test_a_base_url_keeps_a_port_of_its_own(example_site, tmp_path, cli):
    out = tmp_path / "o"
    result = cli("--site", str(example_site), "build", "--base-url",
                 "http://staging.example:8080/", "--out", str(out))
    assert result.code == 0, result.err
    assert "<loc>http://staging.example:8080/briefings/</loc>" in (out / "sitemap.xml").read_text()


def test_an_empty_host_is_a_usage_error(example_site, cli):
    result = cli("--site", str(example_site), "serve", "--host", "", "--port", "8999")
    assert result.code == 2
    assert "argument --host: needs an address, not an empty one (every address of this " \
           "machine: write 0.0.0.0)" in result.err


@pytest.mark.parametrize("args", [["build", "--out", ""], ["--site", "", "check"], ["init", ""]])
def test_an_empty_folder_name_is_a_usage_error_not_the_current_folder(
        example_site, tmp_path, cli, monkeypatch, args):
    """``--out "$OUT"`` with OUT unset must not build into (or init) whatever folder the
    shell is in."""
    monkeypatch.chdir(example_site)
    before = sorted(p.name for p in example_site.iterdir())
    result = cli(*args)
    assert result.code == 2
    assert "needs a folder name, not an empty one (for the current folder, write '.')" \
        in result.err
    assert sorted(p.name for p in example_site.iterdir()) == before


def test_ctrl_c_while_the_command_loads_ends_it_without_a_traceback(example_site):
    """The ``briefgen`` command and ``python -m briefgen`` both start in ``__main__.main``:
    Ctrl-C while briefgen's modules load (the interrupt raised by the import here) ends the
    command as it does later on."""
    import subprocess

    interrupted_import = (
        "import builtins, sys\n"
        "real = builtins.__import__\n"
        "def importing(name, *args, **kwargs):\n"
        "    if name == 'briefgen.cli':\n"
        "        raise KeyboardInterrupt\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = importing\n"
        "sys.argv = ['briefgen', '--site', sys.argv[1], 'check']\n"
        "from briefgen.__main__ import main\n"
        "main()\n")
    done = subprocess.run([sys.executable, "-c", interrupted_import, str(example_site)],
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (130, "Interrupted.\n")


def test_a_byte_that_is_not_utf8_is_placed_and_shown_as_an_escape(tmp_path, cli):
    site = write(tmp_path / "s", {"site.yaml": "title: T\n",
                                  "content/pages/p.md": "---\ntitle: P\n---\n\nText.\n"})
    (site / "content/actors").mkdir()
    (site / "content/actors/b.yaml").write_bytes("\ufeffname: Caf\u00e9 B".encode() + b"\xffad\n")
    result = cli("--site", str(site), "check")
    assert result.code == 1
    # Column 13 (characters, the byte-order mark left out), the caret under the escape.
    assert "content/actors/b.yaml:1:13: error: not UTF-8 text (byte \\xff); save the file as " \
           "UTF-8\n  1 | name: Café B\\xffad\n    |             ^~~~\n" in result.err


def test_a_site_and_an_output_whose_names_are_not_utf8_build_and_build_again(
        example_site, tmp_path, cli):
    """A folder name of bytes that are not UTF-8 (a disk from an old system): the build
    cache is keyed by the name's bytes and keeps it, and the summary shows it escaped."""
    site = tmp_path / "site\udcfe"  # the byte 0xfe, as Python keeps it in a file name
    example_site.rename(site)
    out = tmp_path / "out\udcff"
    first = cli("--site", str(site), "build", "--out", str(out))
    assert first.code == 0 and "Traceback" not in first.err, first.err
    again = cli("--site", str(site), "build", "--out", str(out))
    assert again.code == 0, again.err
    assert f"  {tmp_path}/out\\xff: " in again.out and "(0 written, " in again.out


def test_invalid_file_name_does_not_take_a_valid_files_id(tmp_path, cli):
    site = write(tmp_path / "s", {
        "site.yaml": "title: T\n",
        "content/actors/Alice.yaml": "name: Alice A\nkind: person\n",
        "content/actors/alice.yaml": "name: Alice B\nkind: person\n",
        "content/pages/p.md": "---\ntitle: P\n---\n\n[[alice]]\n",
    })
    result = cli("--site", str(site), "check")
    errors = [h for h in result.headlines if ": error: " in h]
    assert errors == ["content/actors/Alice.yaml:1:1: error: 'Alice.yaml' is not a valid file name: "
                      "ids use lower-case letters, digits and hyphens; rename it to 'alice.yaml'"]


def test_template_that_is_not_utf8_is_an_error(example_site, tmp_path, cli):
    (example_site / "templates" / "partials").mkdir(parents=True)
    (example_site / "templates" / "page.html").write_bytes(b"caf\xe9 {{ title }}")
    result = cli("--site", str(example_site), "build", "--out", str(tmp_path / "o"))
    assert result.code == 1 and "not UTF-8" in result.err and "Traceback" not in result.err
    assert "templates/page.html:1:1: error: template 'page.html' is not UTF-8 text (byte 3); " \
           "save it as UTF-8" in result.err
    # Included by another template: told at its own file and line all the same.
    (example_site / "templates" / "page.html").unlink()
    (example_site / "templates" / "partials" / "macros.html").write_bytes(
        b"{# macros #}\n\ncaf\xe9\n")
    result = cli("--site", str(example_site), "build", "--out", str(tmp_path / "o"))
    assert result.code == 1 and "Traceback" not in result.err
    assert "templates/partials/macros.html:3:1: error: template 'partials/macros.html' is not " \
           "UTF-8 text (byte 17)" in result.err
