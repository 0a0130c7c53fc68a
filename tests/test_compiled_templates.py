"""Compiled templates kept in the build cache: a later run loads them instead of compiling,
an edited template is compiled again, and a cache that cannot be used never fails a build."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from jinja2 import Environment

from briefgen.cache import cache_folder
from tests.conftest import write

SITE = {
    "site.yaml": "title: T\n",
    "content/briefings/b.md": "---\ntitle: B\ndate: 2023-01-02\n---\n\n## 2023-01-01 One\n\nText.\n",
}


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from source in this process."""
    names: list[str] = []
    original = Environment.compile

    def counted(self, source, name=None, filename=None, raw=False, defer_init=False):
        names.append(str(name))
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(Environment, "compile", counted)
    return names


def _build(cli, site: Path, out: Path) -> None:
    assert cli("--site", str(site), "build", "--out", str(out), "--quiet").code == 0


def test_a_later_build_loads_the_compiled_templates(cli, tmp_path, compiles):
    site = write(tmp_path / "site", SITE)
    _build(cli, site, tmp_path / "out")
    assert "briefing.html" in compiles and "base.html" in compiles
    folder = cache_folder(site) / "templates"
    assert sorted(os.listdir(folder)) and oct(folder.stat().st_mode & 0o777) == "0o700"
    compiles.clear()
    write(site, {"content/briefings/b.md": SITE["content/briefings/b.md"] + "More.\n"})
    _build(cli, site, tmp_path / "out")
    assert compiles == []  # the page was made again, from compiled templates
    write(site, {"templates/briefing.html": '{% extends "base.html" %}{% block main %}x'
                                            '{% endblock %}'})
    _build(cli, site, tmp_path / "out")
    assert compiles == ["briefing.html"]  # only the edited one
    page = (tmp_path / "out" / "briefings" / "b" / "index.html").read_text()
    assert "<main" in page and ">x</main>" in page.replace("\n", "")


@pytest.mark.parametrize("damage", [lambda data: b"junk",  # not a compiled template
                                    lambda data: data[:60]])  # cut short after its header
def test_a_broken_or_foreign_cache_is_passed_over(cli, tmp_path, compiles, damage):
    site = write(tmp_path / "site", SITE)
    _build(cli, site, tmp_path / "out")
    folder = cache_folder(site) / "templates"
    for name in os.listdir(folder):  # compiled again
        (folder / name).write_bytes(damage((folder / name).read_bytes()))
    compiles.clear()
    write(site, {"content/briefings/b.md": SITE["content/briefings/b.md"] + "More.\n"})
    _build(cli, site, tmp_path / "out")
    assert "briefing.html" in compiles
    folder.chmod(0o777)  # others could write code there: not loaded
    compiles.clear()
    write(site, {"content/briefings/b.md": SITE["content/briefings/b.md"] + "Again.\n"})
    _build(cli, site, tmp_path / "out")
    assert "briefing.html" in compiles
    assert "Again." in (tmp_path / "out" / "briefings" / "b" / "index.html").read_text()


def _flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0x01])


@pytest.mark.parametrize("damage", [
    lambda data: data.replace(b"<main", b"<XXXX"),  # a string of the code: it loads and runs
    _flip_last_byte,
    lambda data: data[:-4]])  # cut short
def test_damage_inside_a_compiled_template_is_never_run(cli, tmp_path, compiles, damage):
    """Damage that leaves code that loads (another string, another instruction) would
    publish other pages, or crash the build, at every build until the cache is deleted:
    a file whose digest does not match is compiled again."""
    site = write(tmp_path / "site", SITE)
    _build(cli, site, tmp_path / "out")
    folder = cache_folder(site) / "templates"
    damaged = 0
    for name in os.listdir(folder):
        data = (folder / name).read_bytes()
        if damage(data) != data:
            (folder / name).write_bytes(damage(data))
            damaged += 1
    assert damaged
    compiles.clear()
    write(site, {"content/briefings/b.md": SITE["content/briefings/b.md"] + "More.\n"})
    _build(cli, site, tmp_path / "out")
    assert "base.html" in compiles
    page = (tmp_path / "out" / "briefings" / "b" / "index.html").read_text()
    assert "<main" in page and "<XXXX" not in page and "More." in page


def test_a_compiled_template_file_holds_no_pickle(cli, tmp_path):
    """Jinja's own format unpickles a part of the file: a cache must never be a way to run
    code. briefgen's holds the code as ``marshal`` writes it, after a digest."""
    site = write(tmp_path / "site", SITE)
    _build(cli, site, tmp_path / "out")
    folder = cache_folder(site) / "templates"
    for name in os.listdir(folder):
        data = (folder / name).read_bytes()
        assert data.startswith(b"briefgen-template-1 "), name
        assert not data.startswith(b"j2"), name


def test_only_lines_of_the_site_s_own_templates_are_blamed(tmp_path, monkeypatch):
    from jinja2 import FileSystemLoader

    from briefgen.engine.store import StoreDamaged
    from briefgen.web import templates
    from briefgen.web.themes import ThemeError

    site = tmp_path / "site"
    write(site, {"templates/t.html": "a\n{{ boom() }}"})
    env = Environment(loader=FileSystemLoader(str(site / "templates")))

    def zero() -> int:
        return 1 // 0

    def damaged() -> None:
        raise StoreDamaged("the build cache is damaged")

    with pytest.raises(ThemeError, match=r"t\.html:2: ZeroDivisionError: .* \(while rendering "
                                         r"t\.html\)"):
        templates.render_template(env, "t.html", {"boom": zero})
    with pytest.raises(StoreDamaged):  # the build's own signal: it starts again
        templates.render_template(env, "t.html", {"boom": damaged})
    # The same line in the theme briefgen ships is briefgen's bug, not the site's.
    monkeypatch.setattr(templates, "PACKAGED_THEMES", site.resolve())
    with pytest.raises(ZeroDivisionError):
        templates.render_template(env, "t.html", {"boom": zero})
