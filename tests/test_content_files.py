"""Hostile file-system layouts in a site: symbolic links, FIFOs, sockets, huge files, names with
control characters or bytes that are not UTF-8, folders briefgen cannot use. None may hang a
check or a build, publish a file from outside the content folder, or print more than one line
per diagnostic headline."""

from __future__ import annotations

import os
import re
import shutil
import socket
from pathlib import Path

import pytest

from briefgen.errors import Diagnostic, Loc, Severity, SourceLines, format_diagnostic
from tests.conftest import write
from tests.fuzzing import time_limit

SITE = {
    "site.yaml": "title: Links\nbase_url: https://example.org/\n",
    "content/actors/alpha.yaml": "name: Alpha\nkind: person\n",
    "content/pages/about.md": "---\ntitle: About\n---\nAbout [[alpha]].\n",
}
HEADLINE = re.compile(r"[^\n]+:\d+:\d+: (error|warning): [^\n]+")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A valid site in ``tmp_path/site``, with a secret file next to it."""
    (tmp_path / "secret.txt").write_text("TOP SECRET\n")
    (tmp_path / "secret-folder").mkdir()
    (tmp_path / "secret-folder" / "key.txt").write_text("TOP SECRET KEY\n")
    return write(tmp_path / "site", SITE)


def link(path: Path, target: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


def make_deep_folder(parent: Path, name: str, levels: int) -> None:
    """Folders nested deeper than a path can name: made one level at a time, each relative
    to the one before."""
    parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(parent, os.O_RDONLY)
    try:
        for _ in range(levels):
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)


def run(cli, site: Path, *args: str):
    with time_limit(60):
        return cli("--site", str(site), *args)


@pytest.mark.parametrize("where", ["static/leak.txt", "briefings/leak.md", "actors/leak.yaml",
                                   "sources/leak.yaml", "pages/leak.md", "leak.md"])
def test_a_link_out_of_the_content_folder_is_an_error_at_the_link(site: Path, tmp_path: Path,
                                                                   cli, where: str) -> None:
    depth = "../" * (where.count("/") + 2)
    link(site / "content" / where, f"{depth}secret.txt")
    out = tmp_path / "out"
    result = run(cli, site, "build", "--out", str(out))
    assert result.code == 1
    assert result.headlines == [
        f"content/{where}:1:1: error: 'content/{where}' is a symbolic link to "
        f"'{depth}secret.txt', which is outside the content folder content/: briefgen follows "
        "links only to files and folders inside the content folder; move or copy what it "
        "points to into content/ instead"]
    assert "TOP SECRET" not in result.err + result.out  # not even echoed under the error
    assert not out.exists()


@pytest.mark.parametrize("where", ["static", "briefings", "static/deeper/assets"])
def test_a_linked_folder_out_of_the_content_folder_is_an_error(site: Path, tmp_path: Path,
                                                               cli, where: str) -> None:
    depth = "../" * (where.count("/") + 2)
    link(site / "content" / where, f"{depth}secret-folder")
    result = run(cli, site, "build", "--out", str(tmp_path / "out"))
    assert result.code == 1
    assert [h.split(": error: ")[0] for h in result.headlines] == [f"content/{where}:1:1"]
    assert "outside the content folder" in result.err
    assert not (tmp_path / "out").exists()


def test_links_to_hidden_folders_and_the_output_are_refused_even_inside(tmp_path: Path,
                                                                        cli) -> None:
    site = write(tmp_path / "site", {"site.yaml": "title: T\ncontent_dir: .\n",
                                     "actors/alpha.yaml": SITE["content/actors/alpha.yaml"],
                                     ".git/config": "[core]\n", "public/index.html": "x"})
    link(site / "static" / "git-config", "../.git/config")
    link(site / "static" / "published", "../public")
    result = run(cli, site, "check")
    assert result.code == 1
    assert sorted(h for h in result.headlines if ": error: " in h) == [
        "static/git-config:1:1: error: 'static/git-config' is a symbolic link to "
        "'../.git/config', which is in the hidden folder ./.git/: briefgen follows links only to "
        "files and folders inside the content folder; move or copy what it points to into ./ "
        "instead",
        "static/published:1:1: error: 'static/published' is a symbolic link to '../public', "
        "which is in the output folder: briefgen follows links only to files and folders inside "
        "the content folder; move or copy what it points to into ./ instead"]


def test_links_inside_the_content_folder_are_followed(site: Path, tmp_path: Path, cli) -> None:
    write(site, {"content/static/real.txt": "real", "content/shared/logo.svg": "<svg/>",
                 "content/drafts/beta.yaml": "name: Beta\nkind: person\n"})
    link(site / "content/static/alias.txt", "real.txt")
    link(site / "content/static/images", "../shared")
    link(site / "content/actors/beta.yaml", "../drafts/beta.yaml")
    write(site, {"content/pages/more.md": "---\ntitle: More\n---\n[[beta]]\n"})
    out = tmp_path / "out"
    result = run(cli, site, "build", "--out", str(out))
    assert result.code == 0, result.err
    assert (out / "alias.txt").read_text() == "real"
    assert (out / "images/logo.svg").read_text() == "<svg/>"
    assert (out / "actors/beta/index.html").is_file()
    assert result.headlines == ["content/shared:1:1: warning: folder 'content/shared' is ignored;"
                                " known folders are actors, briefings, pages, sources, static",
                                "content/drafts:1:1: warning: folder 'content/drafts' is ignored;"
                                " known folders are actors, briefings, pages, sources, static"][::-1]


def _site_theme(site: Path, name: str = "mine") -> Path:
    """A copy of the default theme in the site's ``themes/<name>/``, the site set to use it."""
    from briefgen.web.themes import PACKAGED_THEMES

    theme = site / "themes" / name
    shutil.copytree(PACKAGED_THEMES / "theme", theme)
    (site / "site.yaml").write_text(SITE["site.yaml"] + f"theme: {name}\n")
    return theme


@pytest.mark.parametrize("where", ["templates/briefing.html", "templates/partials/macros.html",
                                   "themes/mine/static/leak.txt",
                                   "themes/mine/static/.well-known/security.txt",
                                   "themes/mine/templates/base.html"])
def test_a_link_in_the_templates_or_theme_out_of_the_site_is_an_error(site: Path, tmp_path: Path,
                                                                     cli, where: str) -> None:
    """What a template or an asset leads to would be rendered into pages or published."""
    _site_theme(site)
    if (site / where).exists():
        (site / where).unlink()
    link(site / where, str(tmp_path / "secret.txt"))
    out = tmp_path / "out"
    result = run(cli, site, "build", "--out", str(out))
    assert result.code == 1
    base = "templates" if where.startswith("templates/") else "/".join(where.split("/")[:3])
    assert result.headlines == [
        f"{where}:1:1: error: '{where}' is a symbolic link to '{tmp_path / 'secret.txt'}', "
        "which is outside the site folder: briefgen follows links in templates and themes only "
        f"to files inside the site folder; copy what it points to into {base}/ instead"]
    assert "TOP SECRET" not in result.err + result.out
    assert not out.exists()


def test_links_in_templates_and_themes_within_the_site_or_a_shared_theme_are_followed(
        site: Path, tmp_path: Path, cli) -> None:
    """A theme folder may itself be a link (one theme for several sites): links inside it
    may lead anywhere within it, and the site's templates anywhere within the site, but not
    into its hidden folders."""
    shared = _site_theme(tmp_path, "shared")  # a theme outside the site
    (shared / "static/print.css").write_text("/* print */")
    (shared / "static/style-print.css").symlink_to("print.css")
    link(site / "themes/mine", str(shared))
    (site / "site.yaml").write_text(SITE["site.yaml"] + "theme: mine\n")
    write(site, {"layouts/page.html": (shared / "templates/page.html").read_text()
                 .replace("</h1>", "</h1><p>From the site's layouts.</p>", 1)})
    link(site / "templates/page.html", "../layouts/page.html")
    link(site / "templates/loop", "..")
    out = tmp_path / "out"
    result = run(cli, site, "build", "--out", str(out))
    assert result.code == 0, result.err
    assert (out / "assets/style-print.css").read_text() == "/* print */"
    assert "From the site's layouts." in (out / "about/index.html").read_text()
    write(site, {".git/config": "[core]\n"})
    link(site / "templates/partials/git.html", "../../.git/config")
    result = run(cli, site, "check")
    assert result.headlines == [
        "templates/partials/git.html:1:1: error: 'templates/partials/git.html' is a symbolic "
        "link to '../../.git/config', which is in the hidden folder .git/: briefgen follows "
        "links in templates and themes only to files inside the site folder; copy what it "
        "points to into templates/ instead"]


def test_shared_templates_and_themes_kept_in_hidden_or_other_folders_build(
        site: Path, tmp_path: Path, cli) -> None:
    """A templates/ folder that is a link, with links among its own files; a theme kept in a
    hidden folder of the site; links in a theme's folders that no build reads (a virtual
    environment, ``npm link``)."""
    shared = tmp_path / "shared-templates"
    from briefgen.web.themes import PACKAGED_THEMES

    shared.mkdir()
    page = (PACKAGED_THEMES / "theme/templates/page.html").read_text()
    (shared / "page-real.html").write_text(page.replace("</h1>", "</h1><p>Shared.</p>", 1))
    (shared / "page.html").symlink_to("page-real.html")
    link(site / "templates", str(shared))
    theme = _site_theme(site / ".themes", "kept")
    (theme / "static/alt.css").symlink_to("style.css")
    link(site / "themes/kept", "../.themes/themes/kept")
    (site / "site.yaml").write_text(SITE["site.yaml"] + "theme: kept\n")
    link(theme / ".venv/bin/python", "/usr/bin/python3")
    link(theme / "node_modules/sass", str(tmp_path / "secret-folder"))
    out = tmp_path / "out"
    result = run(cli, site, "build", "--out", str(out))
    assert result.code == 0, result.err
    assert "<p>Shared.</p>" in (out / "about/index.html").read_text()
    assert (out / "assets/alt.css").read_bytes() == (theme / "static/style.css").read_bytes()


def test_links_in_templates_that_lead_nowhere_are_errors(site: Path, tmp_path: Path,
                                                        cli) -> None:
    """An override that is a link to nothing would leave the theme's template in its place,
    without a word; a templates/ folder that links to itself is an error, not a crash."""
    link(site / "templates/base.html", "nowhere.html")
    result = run(cli, site, "check")
    assert result.headlines == [
        "templates/base.html:1:1: error: 'templates/base.html' is a symbolic link to "
        "'nowhere.html', which does not exist: remove the link or correct it"]
    shutil.rmtree(site / "templates")
    link(site / "templates", "templates")
    result = run(cli, site, "build", "--out", str(tmp_path / "out"))
    assert result.code == 1 and "Traceback" not in result.err, result.err
    assert result.headlines == [
        "templates:1:1: error: 'templates' is a symbolic link that leads back to itself (a loop "
        "of links); remove it"]


@pytest.mark.parametrize("layout", [
    {"content/static/loop": ".."},  # the content folder, which holds the link
    {"content/static/self": "."},
    {"content/static/deep/up": "../.."},
    {"content/static/a": "b", "content/static/b": "a"},  # a loop of links
    {"content/static/me": "me"},
    {"content/briefings": "briefings"},
    {"content/static/dangling.txt": "nowhere.txt"},
])
def test_loops_and_dangling_links_are_errors_never_hangs(site: Path, cli,
                                                         layout: dict[str, str]) -> None:
    (site / "content/static/deep").mkdir(parents=True)
    for path, target in layout.items():
        link(site / path, target)
    result = run(cli, site, "check")
    assert result.code == 1
    assert sorted(h.split(":1:1: error: ")[0] for h in result.headlines) == \
        sorted(p for p in layout)
    assert all(re.search("loop|itself|does not exist", h) for h in result.headlines)


def test_links_that_multiply_a_folder_stop_with_an_error(site: Path, cli) -> None:
    """Each level links twice to the next: 2**30 paths, if they were walked."""
    for level in range(30):
        folder = site / "content/static" / f"l{level}"
        folder.mkdir(parents=True)
        (folder / "f.txt").write_text("x")
        if level:
            link(site / "content/static" / f"l{level - 1}" / "a", f"../l{level}")
            link(site / "content/static" / f"l{level - 1}" / "b", f"../l{level}")
    result = run(cli, site, "check")
    assert result.code == 1
    assert any("lead to more than 100000 files and folders" in h for h in result.headlines)


@pytest.mark.parametrize("where", ["content/fifo", "content/briefings/fifo.md",
                                   "content/static/fifo.txt", "content/static/sub/fifo"])
def test_a_fifo_is_ignored_with_a_warning(site: Path, tmp_path: Path, cli, where: str) -> None:
    (site / where).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(site / where)
    out = tmp_path / "out"
    result = run(cli, site, "build", "--out", str(out))
    assert result.code == 0, result.err
    assert result.headlines == [f"{where}:1:1: warning: '{where}' is ignored: it is a FIFO "
                                "(named pipe), not a regular file or folder"]
    assert not (out / Path(where).name).exists()


def test_a_socket_and_a_fifo_site_yaml_never_block(site: Path, cli, monkeypatch) -> None:
    monkeypatch.chdir(site / "content/pages")  # a socket's path may be only ~100 bytes long
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind("sock.md")
        result = run(cli, site, "check")
        assert result.headlines == ["content/pages/sock.md:1:1: warning: 'content/pages/sock.md' "
                                    "is ignored: it is a socket, not a regular file or folder"]
    (site / "site.yaml").unlink()
    os.mkfifo(site / "site.yaml")
    result = run(cli, site, "check")
    assert result.code == 1
    assert result.headlines == ["site.yaml:1:1: error: the file is a FIFO (named pipe), not a "
                                "regular file"]


def test_the_lines_under_a_diagnostic_are_never_read_from_a_fifo(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    diag = Diagnostic("pipe.md", Loc(1, 1), Severity.WARNING, "ignored")
    with time_limit(10):
        assert format_diagnostic(diag, SourceLines(tmp_path)) == diag.headline()


def test_a_file_over_the_size_limit_is_an_error(site: Path, cli) -> None:
    with open(site / "content/pages/huge.md", "wb") as handle:
        handle.truncate(65 * 1024 * 1024)  # sparse: takes no room
    result = run(cli, site, "check")
    assert result.headlines == ["content/pages/huge.md:1:1: error: the file is 65.0 MB, over the "
                                "limit of 64 MB for one file; split it"]


@pytest.mark.parametrize("name", [b"new\nline.md", b"esc\x1b[2J.md", b"bad\xff\xfe.md",
                                  b"bell\x07.md", b"ls\xe2\x80\xa8.md", b"rtl\xe2\x80\xaefdp.md"])
def test_hostile_file_names_print_as_one_escaped_line(site: Path, tmp_path: Path, cli,
                                                      name: bytes) -> None:
    pages = os.fsencode(site / "content/pages")
    with open(os.path.join(pages, name), "wb") as handle:
        handle.write(b"---\ntitle: \x1b[31mred\n---\n")
    static = os.fsencode(site / "content/static")
    os.makedirs(static)
    with open(os.path.join(static, name), "wb") as handle:
        handle.write(b"x")
    result = run(cli, site, "build", "--out", str(tmp_path / "out"))
    assert result.code == 1
    assert "Traceback" not in result.err
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202e\ud800-\udfff]", result.err)
    headlines = [line for line in result.err.splitlines() if ": error: " in line]
    assert all(HEADLINE.fullmatch(line) for line in headlines)
    static_error = [h for h in headlines if h.startswith("content/static/")]
    assert len(static_error) == 1 and "rename it" in static_error[0]
    assert not (tmp_path / "out").exists()


def test_diagnostics_escape_control_characters_in_paths_messages_and_lines(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("x\x1b[31my\u2028z\tw\n", encoding="utf-8")
    diag = Diagnostic("a.md", Loc(1, 2), Severity.ERROR, "bad key 'k\x1b]0;t\x07\n'", span=5)
    assert format_diagnostic(diag, SourceLines(tmp_path)).split("\n") == [
        "a.md:1:2: error: bad key 'k\\x1b]0;t\\x07\\n'",
        "  1 | x\\x1b[31my\\u2028z w",
        "    |  ^~~~~~~~"]


def test_yaml_locations_count_lines_as_the_file_does(site: Path, cli) -> None:
    """libyaml also breaks lines at U+2028, U+2029 and U+0085; a file's lines do not."""
    write(site, {"content/actors/alpha.yaml": 'name: "A\u2028B\u2029C\u0085D"\nkind: persn\n'})
    result = run(cli, site, "check")
    assert [h.split(" must be")[0] for h in result.headlines] == [
        "content/actors/alpha.yaml:2:7: error: 'kind'"]


@pytest.mark.parametrize("setting, fs", [("content_dir: /proc", "/proc"),
                                         ("content_dir: /sys/kernel", "/sys"),
                                         ("output_dir: /dev/shm/site", "/dev")])
def test_a_folder_on_a_kernel_file_system_is_refused(site: Path, cli, setting: str,
                                                     fs: str) -> None:
    (site / "site.yaml").write_text(f"title: T\n{setting}\n")
    result = run(cli, site, "build")
    key, value = setting.split(": ")
    assert result.headlines == [f"site.yaml:2:{len(key) + 3}: error: '{key}' folder '{value}' is "
                                f"on the kernel file system {fs}, which holds no site; choose a "
                                "folder of yours"]


def test_a_theme_linked_to_a_kernel_file_system_is_refused(site: Path, cli) -> None:
    link(site / "themes/kernel", "/proc/self")
    (site / "site.yaml").write_text("title: T\ntheme: kernel\n")
    result = run(cli, site, "check")
    assert result.headlines == ["site.yaml:2:8: error: theme 'kernel': its folder is on the "
                                "kernel file system /proc, which holds no site; choose a folder "
                                "of yours"]


def test_paths_over_the_system_limit_are_errors(site: Path, tmp_path: Path, cli) -> None:
    long = "a" * 5000
    result = run(cli, site, "build", "--out", str(tmp_path / long))
    assert result.code == 2
    assert "--out" in result.err and "File name too long" in result.err
    result = run(cli, tmp_path / long, "check")
    assert result.code == 1
    assert "File name too long" in result.headlines[0]
    make_deep_folder(site / "content/static", "d" * 200, 25)  # 5,000 characters deep
    result = run(cli, site, "check")
    assert result.code == 1 and "Traceback" not in result.err
    assert any("File name too long" in h for h in result.headlines)


def test_repositories_and_files_of_secrets_in_the_static_folder_are_refused(site: Path,
                                                                           tmp_path: Path, cli):
    write(site, {"content/static/.git/config": "[remote]\n url = https://u:token@example.org/r\n",
                 "content/static/.git/HEAD": "ref: refs/heads/main\n",
                 "content/static/vendor/lib/.git/config": "[core]\n",
                 "content/static/.env": "API_KEY=secret\n",
                 "content/static/deploy/.htpasswd": "editor:$apr1$x\n",
                 "content/static/.nojekyll": "",
                 "content/static/.well-known/security.txt": "Contact: x\n"})
    out = tmp_path / "out"
    result = run(cli, site, "build", "--out", str(out))
    assert result.code == 1 and not out.exists()
    assert result.headlines == [
        "content/static/.env:1:1: error: '.env' is a file of passwords or keys, which would be "
        "published with the site; move it out of the static folder",
        "content/static/.git:1:1: error: '.git' is a Git repository, which would be published "
        "with the site; move it out of the static folder",
        "content/static/deploy/.htpasswd:1:1: error: 'deploy/.htpasswd' is a file of passwords "
        "or keys, which would be published with the site; move it out of the static folder",
        "content/static/vendor/lib/.git:1:1: error: 'vendor/lib/.git' is a Git repository, which "
        "would be published with the site; move it out of the static folder"]
    for name in (".git", "vendor/lib/.git"):
        shutil.rmtree(site / "content/static" / name)
    for name in (".env", "deploy/.htpasswd"):
        (site / "content/static" / name).unlink()
    assert run(cli, site, "build", "--out", str(out)).code == 0
    assert (out / ".nojekyll").exists() and (out / ".well-known/security.txt").exists()


def test_static_files_told_apart_from_the_site_s_only_by_case_are_errors(site: Path,
                                                                        tmp_path: Path, cli):
    write(site, {"content/static/Feed.xml": "x", "content/static/About/index.html": "x",
                 "content/static/img/Logo.png": "a", "content/static/img/logo.png": "b",
                 "content/static/img/map.png": "c"})
    out = tmp_path / "out"
    result = run(cli, site, "build", "--out", str(out))
    alike = ("differs only in case from '{0}' of the site: where case is not told apart (macOS, "
             "Windows, some hosts) one replaces the other; rename or move it")
    assert result.code == 1 and result.headlines == [
        "content/static/About/index.html:1:1: error: static file 'About/index.html' "
        + alike.format("about/index.html"),
        "content/static/Feed.xml:1:1: error: static file 'Feed.xml' " + alike.format("feed.xml"),
        "content/static/img/logo.png:1:1: error: static file 'img/logo.png' "
        + alike.format("img/Logo.png")]
