"""Putting a staged site in the place of the output folder in one atomic step, and
finishing or undoing an interrupted one at the next start (SPEC §10).

A build stages the new site in ``<parent>/.<name>.briefgen-<token>/site``; the container
holds a marker naming the output and the token, which is what proves briefgen made it:
a folder without a valid marker is never touched, whatever its name. The new manifest
carries the same token, so the state of an interrupted swap can always be read off the
folders themselves:

1. the staged tree is complete once its manifest is written;
2. the foreign files of the output (``.git``, ``CNAME``) are moved into the staged tree;
3. the staged tree and the output are exchanged (``renameat2(RENAME_EXCHANGE)``: both
   paths exist at every instant), or, where the system cannot, the output is moved to
   ``old`` and the staged tree to its place;
4. the previous tree is emptied of briefgen's files; anything else found there moves into
   the output; the container goes.

``recover`` turns any state between these steps into the complete old site or the complete
new one, with every foreign file back in the output.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from briefgen.fileops import FileOps
from briefgen.manifest import (
    OutputRefused,
    foreign_paths,
    load_manifest,
    remove_empty_folders,
    remove_owned,
)

MARKER = ".briefgen-staging.json"
NEW_TREE = "site"
OLD_TREE = "old"


def _prefix(out: Path) -> str:
    return f".{out.name}.briefgen-"


@dataclass(frozen=True, slots=True)
class Staging:
    """A container beside the output that briefgen made, with the new tree inside it."""

    out: Path
    container: Path
    token: str

    @property
    def site(self) -> Path:
        return self.container / NEW_TREE

    @property
    def old(self) -> Path:
        return self.container / OLD_TREE

    @classmethod
    def create(cls, out: Path, ops: FileOps) -> Staging:
        token = secrets.token_hex(8)
        staging = cls(out, out.parent / f"{_prefix(out)}{token}", token)
        ops.mkdir(str(staging.container))
        marker = {"briefgen": "staging", "out": str(out), "token": token, "pid": os.getpid()}
        ops.write(str(staging.container / MARKER), json.dumps(marker).encode())
        ops.mkdir(str(staging.site))
        return staging

    @classmethod
    def found(cls, out: Path, ops: FileOps) -> list[Staging]:
        """The containers beside ``out`` that briefgen made for it (a valid marker). A
        container that a crash left before its marker was complete holds nothing else,
        and is removed here."""
        found = []
        prefix = _prefix(out)
        with contextlib.suppress(OSError), os.scandir(out.parent) as entries:
            candidates = [e for e in entries if e.name.startswith(prefix) and not e.is_symlink()
                          and _TOKEN.fullmatch(e.name[len(prefix):]) and e.is_dir()]
        for entry in candidates:
            token = entry.name[len(prefix):]
            if _marker_matches(Path(entry.path), out, token):
                found.append(cls(out, Path(entry.path), token))
            else:
                _remove_unfinished(Path(entry.path), ops)
        return sorted(found, key=lambda s: s.token)

    def discard(self, ops: FileOps) -> None:
        """Drop a staged tree that was never swapped in (a failed build): it holds only
        briefgen's files, foreign ones move in only once it is complete."""
        shutil.rmtree(self.site, ignore_errors=True)
        _remove_container(self, ops, [])


_TOKEN = re.compile("[0-9a-f]{16}")


def _remove_unfinished(container: Path, ops: FileOps) -> None:
    """A folder of our name with at most a marker that did not finish being written."""
    with contextlib.suppress(OSError):
        names = os.listdir(container)
        if names == [MARKER]:
            ops.unlink(str(container / MARKER))
        if names in ([], [MARKER]):
            ops.rmdir(str(container))


def _marker_matches(container: Path, out: Path, token: str) -> bool:
    try:
        marker = json.loads((container / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("briefgen") == "staging" \
        and marker.get("token") == token and marker.get("out") == str(out)


def _token_of(folder: Path) -> str | None:
    manifest = load_manifest(folder)
    return manifest.build if manifest is not None else None


def swap_in(staging: Staging, ops: FileOps, notes: list[str]) -> None:
    """Steps 2 to 4 above: the staged tree (manifest written) becomes the output."""
    out, site = staging.out, staging.site
    old_files = _owned_files(out)
    foreign = foreign_paths(out, old_files) if out.is_dir() and old_files is not None else []
    clashes = [rel for rel in foreign if os.path.lexists(site / rel)]
    if clashes:
        raise OutputRefused(f"{out / clashes[0]} was not written by briefgen, and this build "
                            "produces a file there; move it away first")
    for rel in foreign:
        target = site / rel
        if not target.parent.is_dir():
            _make_folders(site, target.parent, ops)
        ops.rename(str(out / rel), str(target))
    if not out.exists():
        ops.rename(str(site), str(out))
        _remove_container(staging, ops, notes)
        return
    if not ops.exchange(str(site), str(out)):
        ops.rename(str(out), str(staging.old))
        ops.rename(str(site), str(out))
    _finish(staging, notes, ops)


def _owned_files(out: Path) -> dict[str, str] | None:
    """The files of the output that briefgen wrote; an empty output owns nothing."""
    manifest = load_manifest(out)
    if manifest is not None:
        return manifest.files
    return {} if out.is_dir() and not any(out.iterdir()) else None


def _make_folders(root: Path, folder: Path, ops: FileOps) -> None:
    missing = []
    while folder != root and not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        ops.mkdir(str(path))


def _finish(staging: Staging, notes: list[str], ops: FileOps) -> None:
    """Step 4: the previous tree, wherever it is now, is emptied into the output."""
    for previous in (staging.site, staging.old):
        if previous.is_dir() and not previous.is_symlink():
            _empty_previous(previous, staging.out, notes, ops)
    _remove_container(staging, ops, notes)


def _empty_previous(previous: Path, out: Path, notes: list[str], ops: FileOps) -> None:
    """Remove briefgen's files of a previous tree; move anything else into the output (a
    file that appeared there during the swap), where its place is free."""
    manifest = load_manifest(previous)
    if manifest is not None:
        remove_owned(previous, manifest.files, ops)
    remove_empty_folders(previous, ops)
    _move_remaining(previous, out, previous, notes, ops)
    remove_empty_folders(previous, ops)
    with contextlib.suppress(OSError):
        ops.rmdir(str(previous))


def _move_remaining(folder: Path, out: Path, root: Path, notes: list[str], ops: FileOps) -> None:
    with os.scandir(folder) as entries:
        children = sorted(entries, key=lambda e: e.name)
    for child in children:
        path = Path(child.path)
        target = out / path.relative_to(root)
        if not os.path.lexists(target):
            ops.rename(str(path), str(target))
        elif child.is_dir(follow_symlinks=False) and target.is_dir() and not target.is_symlink():
            _move_remaining(path, out, root, notes, ops)
        else:
            notes.append(f"{path} could not be moved back into {out}, where {target} exists; "
                         "it was left where it is")


def _remove_container(staging: Staging, ops: FileOps, notes: list[str]) -> None:
    for leftover in (staging.site, staging.old):
        if leftover.exists():
            notes.append(f"{staging.container} was kept: it still holds files briefgen did "
                         "not write; look through it and delete it")
            return
    with contextlib.suppress(FileNotFoundError):
        ops.unlink(str(staging.container / MARKER))
    try:
        ops.rmdir(str(staging.container))
    except OSError:
        notes.append(f"{staging.container} was kept: it holds files briefgen did not write")


def recover(out: Path, ops: FileOps, notes: list[str]) -> None:
    """Bring every interrupted swap of ``out`` to the complete old or new site, with the
    foreign files back in the output. Safe to run again after any interruption."""
    for staging in Staging.found(out, ops):
        _recover_one(staging, ops, notes)


def _recover_one(staging: Staging, ops: FileOps, notes: list[str]) -> None:
    out, site, old = staging.out, staging.site, staging.old
    new_complete = site.is_dir() and _token_of(site) == staging.token
    if not os.path.lexists(out):
        # Between the two renames of a system without an exchange (or a first build).
        if new_complete:
            ops.rename(str(site), str(out))
        elif old.is_dir():
            ops.rename(str(old), str(out))
    if _token_of(out) == staging.token:
        _finish(staging, notes, ops)  # the new site is in place: only cleaning up is left
        return
    # The output still holds the old site: undo the staging, returning foreign files.
    if site.is_dir():
        if new_complete:
            manifest = load_manifest(site)
            assert manifest is not None
            for rel in foreign_paths(site, manifest.files):
                target = out / rel
                if not os.path.lexists(target) and target.parent.is_dir():
                    ops.rename(str(site / rel), str(target))
            remove_owned(site, manifest.files, ops)
            remove_empty_folders(site, ops)
            with contextlib.suppress(OSError):
                ops.rmdir(str(site))
        else:
            # Never got as far as moving foreign files: all of it is briefgen's.
            shutil.rmtree(site, ignore_errors=True)
    if old.is_dir():
        _empty_previous(old, out, notes, ops)
    _remove_container(staging, ops, notes)
