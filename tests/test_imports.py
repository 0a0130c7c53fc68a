"""What a run imports follows what it does: a build that changes nothing imports none of the
code that parses, renders, resizes, indexes or forks; kinds name their code lazily, and every
name must resolve."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import jinja2

from briefgen.engine import codec
from briefgen.site.kinds import Named, site_kinds
from briefgen.web.themes import TemplateFingerprints, TemplateFolders, template_folders, theme_folder
from tests.conftest import write

# Third-party and own modules that only making something needs.
HEAVY = ("jinja2", "markupsafe", "markdown_it", "mdit_py_plugins", "PIL", "Stemmer",
         "watchdog", "multiprocessing", "concurrent.futures", "briefgen.parse",
         "briefgen.markup", "briefgen.web.templates", "briefgen.web.make", "briefgen.web.plan",
         "briefgen.search", "briefgen.web.resizing", "briefgen.site.fill", "briefgen.parallel")


def _imported_by_build(site: Path, out: Path) -> tuple[set[str], str]:
    """The modules one ``briefgen build`` process imports (Python's own import report,
    ``-X importtime``, on standard error), and its standard output."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "briefgen", "--site",
                           str(site), "build", "--out", str(out)], env=env, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    modules = {line.rpartition("|")[2].strip() for line in proc.stderr.splitlines()
               if line.startswith("import time:") and "|" in line}
    assert "briefgen.build" in modules  # the report was read
    return modules, proc.stdout


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)}


def test_a_build_that_changes_nothing_imports_no_renderer(example_site: Path,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "public"
    first, _ = _imported_by_build(example_site, out)
    # The same report shows these modules when a build makes pages: it can see them.
    assert {"jinja2", "markdown_it", "briefgen.web.templates", "briefgen.parse"} <= first
    again, report = _imported_by_build(example_site, out)
    assert "0 written" in report, report
    assert _heavy(again) == set()


def test_an_edit_imports_what_it_needs(example_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    _imported_by_build(example_site, out)
    briefing = sorted((example_site / "content" / "briefings").iterdir())[0]
    briefing.write_text(briefing.read_text(encoding="utf-8") + "\nOne more sentence.\n",
                        encoding="utf-8")
    modules, report = _imported_by_build(example_site, out)
    counts = re.search(r"(\d+) files \((\d+) written", report)
    assert counts is not None and 0 < int(counts.group(2)) < int(counts.group(1)), report
    assert {"markdown_it", "jinja2"} <= modules
    assert "watchdog" not in modules  # only the preview watches files
    assert "multiprocessing" not in modules  # too little to make for worker processes


def test_every_named_function_and_class_resolves(tmp_path: Path) -> None:
    for kind in site_kinds(lambda rel: None):  # type: ignore[arg-type,return-value]
        for function in (kind.compute, kind.fingerprint):
            if isinstance(function, Named):
                assert callable(function.function()), (kind.name, function)
    for name in codec.registered_names():
        assert codec.class_named(name) is not None, name


def test_template_folders_find_what_jinja_finds(tmp_path: Path) -> None:
    site = write(tmp_path / "site", {
        "templates/base.html": "{% block body %}site{% endblock %}",
        "templates/partials/new.html": "{% include 'partials/entry_item.html' %}",
        "templates/.hidden.html": "x",
        "templates/deep/er/one.html": "{% extends \"base.html\" %}",
    })
    theme = theme_folder(site, "default")
    folders = template_folders(site, theme)
    ours = TemplateFolders(folders)
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(f) for f in folders])
    env = jinja2.Environment(loader=loader)
    assert ours.names() == env.list_templates()
    for name in [*env.list_templates(), "missing.html", "../site.yaml", "./base.html"]:
        try:
            expected: str | None = loader.get_source(env, name)[0]
        except jinja2.TemplateNotFound:
            expected = None
        assert ours.source(name) == expected, name
    fingerprints = TemplateFingerprints(ours)
    before = fingerprints("deep/er/one.html")
    (site / "templates/base.html").write_text("changed", encoding="utf-8")
    assert TemplateFingerprints(ours)("deep/er/one.html") != before  # what it extends counts
