"""Builds that make much of the site in worker processes (a large site's; here a small one,
with the thresholds lowered) write the same bytes as a build in one process, whatever the
build cache holds: nothing (a first build), every record but no output folder (it was
removed), or every record and a change that every page reads (the site's title). And the
values the workers make are not made again here, one at a time: the build cache keeps no
parsed documents, and a fill made in a worker is joined here to its document."""

from __future__ import annotations

import os
import shutil
from ast import literal_eval
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from briefgen.build import BuildOptions, BuildResult, build
from briefgen.engine.deps import Engine, Key
from briefgen.web import make
from tests.editing import apply, initial_site, write
from tests.test_incremental import CHILDREN_APART, files

# Made in workers, each once, when most of the site is made (the search index's parts too).
STAGED = ("parse", "fill", *(piece for piece, _ in make.SHARED_PIECES), "search_unit",
          "search_block")


def run(site: Path, out: Path, jobs: int, use_cache: bool = True) -> BuildResult:
    result = build(site, BuildOptions(out=out, jobs=jobs, use_cache=use_cache))
    assert result.ok, [d.headline() for d in result.diagnostics]
    return result


class Made:
    """The nodes made during a build, by which process (a file that every process of the
    build appends to: workers are forked)."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def clear(self) -> None:
        self.log.write_text("")

    def here(self, *kinds: str) -> list[str]:
        parent = str(os.getpid())
        return [key for pid, key in self._lines() if pid == parent and literal_eval(key)[0] in kinds]

    def more_than_once(self, *kinds: str) -> list[str]:
        counts = Counter(key for _, key in self._lines() if literal_eval(key)[0] in kinds)
        return [key for key, count in counts.items() if count > 1]

    def _lines(self) -> list[tuple[str, str]]:
        return [tuple(line.split(" ", 1)) for line in self.log.read_text().splitlines()]  # type: ignore[misc]


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Made:
    """Workers from the first few nodes and outputs on; every node made, and where."""
    monkeypatch.setattr(make, "MANY_OUTPUTS", 2)
    monkeypatch.setattr(make, "MANY_PIECES", 2)
    monkeypatch.setattr(make, "MANY_BLOCKS", 2)
    monkeypatch.setattr(make, "NODES_PER_JOB", 3)
    monkeypatch.setattr(make, "PIECES_PER_JOB", 3)
    found = Made(tmp_path / "made.log")
    found.clear()
    original = Engine.compute_detached

    def compute_detached(engine: Engine, key: Key) -> tuple[Any, Any]:
        with found.log.open("a") as log:
            log.write(f"{os.getpid()} {key!r}\n")
        return original(engine, key)

    monkeypatch.setattr(Engine, "compute_detached", compute_detached)
    return found


def same_as_one_process(site: Path, out: Path, tmp_path: Path, name: str) -> None:
    alone = tmp_path / f"alone-{name}"
    run(site, alone, jobs=1, use_cache=False)
    assert files(out) == files(alone), f"{name}: the build in workers differs"


def test_a_site_remade_in_workers_is_the_same_and_made_once(tmp_path, made):
    site = initial_site()
    for n in range(8):
        apply(site, "add", n)
    root = tmp_path / "site"
    root.mkdir()
    assert len(write(root, {}, site).files) > 10
    out = tmp_path / "out"

    def made_once_in_workers(name: str, kinds: tuple[str, ...] = STAGED) -> None:
        here = made.here(*kinds)
        assert not here, f"{name}: made here, one at a time: {here[:3]}"
        again = made.more_than_once(*kinds)
        assert not again, f"{name}: made in more than one worker: {again[:3]}"
        made.clear()

    run(root, out, jobs=2)
    made_once_in_workers("cold")
    same_as_one_process(root, out, tmp_path, "cold")

    shutil.rmtree(out)  # the records are all there; no output, and no value kept for pages
    made.clear()
    remade = run(root, out, jobs=2)
    made_once_in_workers("removed output")
    assert remade.stats is not None and remade.stats.written == len(files(out))
    same_as_one_process(root, out, tmp_path, "removed output")

    before = site.files()
    site.title = "Equality, retitled"  # every page shows it
    write(root, before, site)
    made.clear()
    run(root, out, jobs=2)
    # (pieces that the change makes due are made here, between the stages: measured, a
    # pool of workers for them gained nothing)
    made_once_in_workers("retitled", ("parse", "fill"))
    same_as_one_process(root, out, tmp_path, "retitled")

    before = site.files()
    for n in range(len(site.briefings)):  # many files changed (a pull, a search and replace)
        apply(site, "change", n)
    write(root, before, site)
    made.clear()
    run(root, out, jobs=2)
    # (a few actors and sources are parsed here again, when a piece of theirs reads them)
    parsed_here = [key for key in made.here("parse") if "content/briefings/" in key]
    assert not parsed_here, f"many changed: parsed here, one at a time: {parsed_here[:3]}"
    made_once_in_workers("many changed", ("fill", "search_unit", "search_block"))
    same_as_one_process(root, out, tmp_path, "many changed")


# A build in a process of its own (a test run has threads; the store forks only without
# them): the first build's commit has a child write the contributions.
_BUILD_WITH_CHILD = CHILDREN_APART + """
import sys
from pathlib import Path
from briefgen.build import BuildOptions, build

result = build(Path(sys.argv[1]), BuildOptions(out=Path(sys.argv[2]), jobs=2))
assert result.ok, [d.headline() for d in result.diagnostics]
print(len(children))
"""


def test_the_contributions_a_child_wrote_serve_the_next_builds(tmp_path):
    import subprocess
    import sys

    site = initial_site()
    for n in range(4):
        apply(site, "add", n)
    root = tmp_path / "site"
    root.mkdir()
    write(root, {}, site)
    out = tmp_path / "out"

    def build_apart() -> str:
        done = subprocess.run([sys.executable, "-c", _BUILD_WITH_CHILD, str(root), str(out)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert build_apart() == "1", "the first build's commit forked no child"
    for step, operation in enumerate(["retitle", "rename-actor", "delete", "cite"]):
        before = site.files()
        apply(site, operation, step)
        write(root, before, site)
        assert build_apart() == "0"  # an incremental commit writes in place
        same_as_one_process(root, out, tmp_path, f"after {operation}")
