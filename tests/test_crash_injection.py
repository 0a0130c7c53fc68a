"""SPEC §10 under fire: the process dies at each file operation of a publish in turn, and
the output is always the complete old site or the complete new one; the next start
recovers, with every foreign file back in place and nothing outside the output touched.

Each crash is real: the publish runs in a forked child that calls ``os._exit`` at the
chosen operation, so no ``finally`` or ``except`` of briefgen runs, as with ``kill -9``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from briefgen.fileops import OS_FILE_OPS
from briefgen.manifest import MANIFEST
from briefgen.output import publish

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")

# The build before OLD: the tree briefgen keeps as the spare when OLD is published.
EARLIER = {"index.html": b"earlier home", "docs/index.html": b"old docs",
           "earlier/only/index.html": b"earlier", "same.css": b"same"}
OLD = {"index.html": b"old home", "docs/index.html": b"old docs", "gone/index.html": b"gone",
       "same.css": b"same"}
NEW = {"index.html": b"new home", "docs/index.html": b"new docs", "added/deep/index.html": b"add",
       "same.css": b"same"}
FOREIGN = {"CNAME": b"briefs.example.org", ".git/HEAD": b"ref: refs/heads/main",
           ".git/objects/ab/cdef": b"object", "docs/notes.txt": b"my notes"}
DECOYS = {".public.briefgen-new/thesis.txt": b"years of work",
          ".public.briefgen-old/index.html": b"not for publishing",
          ".public.briefgen-0123456789abcdef/mine.txt": b"mine too"}
CRASHED = 77


class Faults:
    """File operations that count themselves and end the process at operation ``crash_at``
    (never, with 0); ``exchange`` may pretend the system has no atomic exchange."""

    def __init__(self, crash_at: int = 0, exchange: bool = True) -> None:
        self.crash_at, self.can_exchange, self.count = crash_at, exchange, 0

    def _tick(self) -> None:
        self.count += 1
        if self.count == self.crash_at:
            os._exit(CRASHED)

    def mkdir(self, path: str) -> None:
        self._tick()
        OS_FILE_OPS.mkdir(path)

    def rename(self, source: str, target: str) -> None:
        self._tick()
        OS_FILE_OPS.rename(source, target)

    def exchange(self, first: str, second: str) -> bool:
        self._tick()
        return self.can_exchange and OS_FILE_OPS.exchange(first, second)

    def unlink(self, path: str) -> None:
        self._tick()
        OS_FILE_OPS.unlink(path)

    def rmdir(self, path: str) -> None:
        self._tick()
        OS_FILE_OPS.rmdir(path)

    def write(self, path: str, data: bytes) -> None:
        self._tick()
        OS_FILE_OPS.write(path, data)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file()}


def setup(root: Path, spare: bool = True) -> Path:
    out = root / "public"
    if spare:  # two builds: the second keeps the first's tree as its spare
        publish(out, EARLIER, "test")
    publish(out, OLD, "test")
    for rel, data in {**FOREIGN, **DECOYS}.items():
        target = (out / rel) if rel in FOREIGN else (root / rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (root / "outside.txt").write_bytes(b"untouched")
    return out


def crash_publish(out: Path, ops: Faults) -> int:
    child = os.fork()
    if child == 0:
        try:
            publish(out, NEW, "test", ops=ops)  # type: ignore[arg-type]
        finally:
            os._exit(0)
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status)


def site_files(out: Path) -> dict[str, bytes]:
    return {rel: data for rel, data in files(out).items()
            if rel not in FOREIGN and rel != MANIFEST}


def assert_nothing_lost(root: Path) -> None:
    """Every foreign file exists somewhere under ``root`` (in the output, or still in a
    container briefgen made), and nothing outside the output changed."""
    everywhere = [p for p in root.rglob("*") if p.is_file()]
    for rel, data in FOREIGN.items():
        name = rel.rsplit("/", 1)[-1]
        assert any(p.name == name and p.read_bytes() == data for p in everywhere), rel
    for rel, data in DECOYS.items():
        assert (root / rel).read_bytes() == data, f"{rel} was touched"
    assert (root / "outside.txt").read_bytes() == b"untouched"


def kept_trees(root: Path) -> list[Path]:
    """The folders briefgen keeps beside the output (a valid marker), decoys aside."""
    return [p for p in root.iterdir() if re.fullmatch(r"\.public\.briefgen-[0-9a-f]{16}", p.name)
            and (p / ".briefgen-staging.json").is_file()]


def assert_recovered(root: Path, out: Path) -> None:
    publish(out, NEW, "test")  # the next build recovers first
    assert site_files(out) == NEW
    assert {rel: files(out)[rel] for rel in FOREIGN} == FOREIGN
    assert sorted(p.name for p in root.iterdir() if p not in kept_trees(root)) == sorted(
        [".public.briefgen-0123456789abcdef", ".public.briefgen-new", ".public.briefgen-old",
         "outside.txt", "public"]), "a staging folder was left behind"
    kept = kept_trees(root)
    assert len(kept) <= 1, "more than one tree kept beside the output"
    for tree in kept:
        marker = json.loads((tree / ".briefgen-staging.json").read_text())
        if marker["state"] == "spare":  # a complete earlier site, nothing of the editor's
            assert site_files(tree / "site") in (EARLIER, OLD, NEW)
            assert not any((tree / "site" / rel).exists() for rel in FOREIGN)
    assert_nothing_lost(root)


def count_operations(tmp_path: Path, exchange: bool, spare: bool) -> int:
    counter = Faults(exchange=exchange)
    root = tmp_path / f"count-{exchange}-{spare}"
    publish(setup(root, spare), NEW, "test", ops=counter)  # type: ignore[arg-type]
    return counter.count


@pytest.mark.parametrize("spare", [True, False], ids=["with-spare", "first-publish"])
@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_a_crash_at_any_operation_leaves_a_complete_site_and_recovers(tmp_path, exchange, spare):
    total = count_operations(tmp_path, exchange, spare)
    assert total >= 10, "the publish should go through the injected operations"
    for crash_at in range(1, total + 1):
        root = tmp_path / f"crash-{crash_at}"
        root.mkdir()
        out = setup(root, spare)
        assert crash_publish(out, Faults(crash_at, exchange)) == CRASHED
        if out.exists() or exchange:
            # With an atomic exchange the output exists at every instant.
            assert site_files(out) in (OLD, NEW), f"mixed site after a crash at {crash_at}"
        assert_nothing_lost(root)
        assert_recovered(root, out)


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_a_crash_during_recovery_is_recovered_too(tmp_path, exchange):
    total = count_operations(tmp_path, exchange, spare=True)
    for first in range(2, total + 1, 2):
        for second in range(1, 40, 3):
            root = tmp_path / f"crash-{first}-{second}"
            root.mkdir()
            out = setup(root)
            crash_publish(out, Faults(first, exchange))
            crash_publish(out, Faults(second, exchange))
            if out.exists() or exchange:
                assert site_files(out) in (OLD, NEW), (first, second)
            assert_nothing_lost(root)
            assert_recovered(root, out)


def test_a_publish_touches_only_what_changed_since_the_kept_tree(tmp_path):
    """The spare tree is brought to the new site by its differences: one changed page of two
    hundred costs a few file operations, not two hundred folders and links."""
    out = tmp_path / "public"
    site = {f"pages/{n}/index.html": f"page {n}".encode() for n in range(200)}
    publish(out, site, "test")
    publish(out, {**site, "pages/7/index.html": b"seven"}, "test")
    counter = Faults()
    publish(out, {**site, "pages/7/index.html": b"seven", "pages/9/index.html": b"nine"},
            "test", ops=counter)  # type: ignore[arg-type]
    assert counter.count < 20, counter.count
    assert (out / "pages/9/index.html").read_bytes() == b"nine"
    assert (out / "pages/7/index.html").read_bytes() == b"seven"
    assert site_files(out) == {**site, "pages/7/index.html": b"seven",
                               "pages/9/index.html": b"nine"}
