"""Every page of a built site is valid HTML for a real checker, keeps its headings in order
and carries JSON-LD: the example site, built with a draft and a scheduled briefing shown
(so that their badges are checked too).

The HTML checker is the Nu Html Checker (the W3C's validator), from the npm registry:
`npm ci --prefix tests/vnu --ignore-scripts`; it runs on Java (Debian's `default-jre-headless`).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path

import html5lib
import pytest

from tests.conftest import ROOT, TESTS, run_subprocess, write

BASE = "https://briefs.example.org/desk/"
VNU = TESTS / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
INSTALL = ("npm ci --prefix tests/vnu --ignore-scripts` and a Java runtime, "
           "`apt-get install -y default-jre-headless")
XHTML = "{http://www.w3.org/1999/xhtml}"

DRAFT = """---
title: Notes on a second letter
date: 2022-02-03
status: draft
tags: [Diplomacy]
---

Unpublished notes about [[russia]].

## 2022-02-03 A second letter is expected

[[sergey-lavrov]] is said to prepare another letter [@cbs-russia-written-response].
"""
SCHEDULED = """---
title: A look back, a year on
date: 2999-02-01
tags: [Diplomacy]
---

What [[united-states]] and [[russia]] said a year later.

## 2999-01-31 An anniversary statement

[[antony-blinken]] speaks about the letters [@cbs-russia-written-response].
"""

# One page of each kind, by its site path (the fixture checks that each exists).
KINDS = {
    "home": "", "briefings": "briefings/", "briefing": "briefings/russia-written-response/",
    "draft briefing": "briefings/second-letter/",
    "scheduled briefing": "briefings/a-year-on/",
    "actors": "actors/", "actor": "actors/russia/", "sources": "sources/",
    "source": "sources/cbs-russia-written-response/", "timeline": "timeline/",
    "year": "timeline/2022/", "tags": "tags/", "tag": "tags/diplomacy/", "page": "about/",
    "search": "search/", "not found": "404.html",
}


def page_file(out: Path, rel: str) -> Path:
    return out / rel if rel.endswith(".html") else out / rel / "index.html"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("markup")
    site = root / "site"
    site.mkdir()
    shutil.copy(ROOT / "site.yaml", site / "site.yaml")
    shutil.copytree(ROOT / "content", site / "content")
    write(site, {"content/briefings/second-letter.md": DRAFT,
                 "content/briefings/a-year-on.md": SCHEDULED})
    out = root / "out"
    result = run_subprocess("--site", str(site), "build", "--out", str(out), "--drafts",
                            "--future", "--base-url", BASE)
    assert result.code == 0, result.err
    for kind, rel in KINDS.items():
        assert page_file(out, rel).is_file(), f"no {kind} page at {rel}"
    return out


def pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def parse(path: Path):
    return html5lib.parse(path.read_bytes(), transport_encoding="utf-8")


def test_headings_start_at_h1_and_never_skip_a_level(built: Path):
    skipped = []
    for path in pages(built):
        levels = [int(el.tag[-1]) for el in parse(path).iter()
                  if el.tag in {f"{XHTML}h{n}" for n in range(1, 7)}]
        assert levels and levels[0] == 1 and levels.count(1) == 1, f"{path}: {levels}"
        skipped += [f"{path.relative_to(built)}: h{a} then h{b}"
                    for a, b in itertools.pairwise(levels) if b > a + 1]
    assert skipped == []


def test_every_page_has_json_ld(built: Path):
    for path in pages(built):
        blocks = [json.loads(el.text or "") for el in parse(path).iter(f"{XHTML}script")
                  if el.get("type") == "application/ld+json"]
        assert blocks, f"no JSON-LD in {path.relative_to(built)}"
        for block in blocks:
            assert block["@context"] == "https://schema.org" and block["@type"], path


@pytest.fixture(scope="module")
def nu_checker() -> list[str]:
    """The command that runs the Nu Html Checker; skipped without it unless CI requires it."""
    java = shutil.which("java")
    if java and VNU.is_file():
        return [java, "-jar", str(VNU)]
    message = f"the Nu Html Checker is not installed: run `{INSTALL}`"
    if os.environ.get("BRIEFGEN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"BRIEFGEN_REQUIRE_BROWSER=1 but {message}")
    pytest.skip(message)


def test_every_kind_of_page_passes_the_nu_checker(built: Path, nu_checker: list[str]):
    files = [str(page_file(built, rel)) for rel in KINDS.values()]
    files += [str(p) for p in pages(built) if str(p) not in files]  # and every other page
    proc = subprocess.run([*nu_checker, "--errors-only", "--format", "json", "--exit-zero-always",
                           *files], capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)
    report = json.loads(proc.stderr or proc.stdout)  # the checker writes its report to stderr
    errors = [f"{m.get('url', '').rsplit(str(built), 1)[-1]}:{m.get('lastLine')}: "
              f"{m.get('message')}" for m in report["messages"]]
    assert errors == []
