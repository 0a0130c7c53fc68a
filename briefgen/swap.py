"""Putting the next site in the place of the output folder in one atomic step, and
finishing or undoing an interrupted one at the next start (SPEC §10).

Beside the output, briefgen keeps one container, ``<parent>/.<name>.briefgen-<token>/``,
with a marker naming the output, the token and the container's state; the marker is what
proves briefgen made it: a folder without a valid one is never touched, whatever its name.
The container holds ``site/``, a complete earlier tree of the site (the *spare*), and
``new/``, the files a running build writes. Publishing a build:

1. the spare is marked ``building``: its manifest goes, and it is brought to the new site:
   the new files are moved in, the unchanged ones hard-linked from the output where the
   spare's differ, the ones no longer made removed. Only what changed since the spare's build
   is touched: no folder is made or removed for the thousands of pages that did not change;
2. its new manifest (with the build's token) is written and it is marked ``ready``;
3. the output's foreign files (``.git``, ``CNAME``) are moved into it;
4. it and the output are exchanged (``renameat2(RENAME_EXCHANGE)``: both paths exist at
   every instant), or, where the system cannot, the output is moved to ``old/`` and the
   tree to its place, and ``old/`` becomes ``site/``;
5. the previous output, now in ``site/``, is complete with its own manifest: the spare of
   the next build. The container is marked ``spare``.

``recover`` turns any state between these steps into the complete old site or the complete
new one, with every foreign file back in the output; a spare that was being built when the
process died is thrown away (it holds only briefgen's files) and the next build makes a
fresh one.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from briefgen.fileops import FileOps
from briefgen.manifest import (
    MANIFEST,
    FolderTimes,
    Manifest,
    OutputRefused,
    foreign_paths,
    foreign_paths_since,
    load_manifest,
    remove_empty_folders,
)

MARKER = ".briefgen-staging.json"
SITE, NEW, OLD = "site", "new", "old"
SPARE, BUILDING, READY = "spare", "building", "ready"
KEPT = "kept"  # holds something of the editor's that had nowhere to go: never touched again
_TOKEN = re.compile("[0-9a-f]{16}")


def _prefix(out: Path) -> str:
    return f".{out.name}.briefgen-"


@dataclass(frozen=True, slots=True)
class Container:
    """The folder beside the output that briefgen made and keeps."""

    out: Path
    path: Path
    token: str

    @property
    def site(self) -> Path:
        return self.path / SITE

    @property
    def new(self) -> Path:
        return self.path / NEW

    @property
    def old(self) -> Path:
        return self.path / OLD

    @classmethod
    def create(cls, out: Path, ops: FileOps) -> Container:
        token = secrets.token_hex(8)
        container = cls(out, out.parent / f"{_prefix(out)}{token}", token)
        ops.mkdir(str(container.path))
        container.set_state(ops, BUILDING, "")
        ops.mkdir(str(container.site))
        return container

    def marker(self) -> dict[str, str] | None:
        try:
            found = json.loads((self.path / MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        ok = isinstance(found, dict) and found.get("briefgen") == "staging" \
            and found.get("token") == self.token and found.get("out") == str(self.out)
        return found if ok else None

    @property
    def state(self) -> str:
        return str((self.marker() or {}).get("state", ""))

    @property
    def build(self) -> str:
        """The token of the build the container is being brought to (state building, ready)."""
        return str((self.marker() or {}).get("build", ""))

    def set_state(self, ops: FileOps, state: str, build: str) -> None:
        """Write the marker anew in one step (a new file renamed over the old one)."""
        marker = {"briefgen": "staging", "out": str(self.out), "token": self.token,
                  "state": state, "build": build, "pid": os.getpid()}
        temporary = str(self.path / f"{MARKER}.tmp")
        with contextlib.suppress(FileNotFoundError):
            ops.unlink(temporary)
        ops.write(temporary, json.dumps(marker).encode())
        ops.rename(temporary, str(self.path / MARKER))

    def spare(self) -> Manifest | None:
        """The manifest of the complete tree in ``site/``, if the container keeps one."""
        return load_manifest(self.site) if self.state == SPARE and self.site.is_dir() else None

    def discard(self, ops: FileOps, notes: list[str]) -> None:
        """Remove the container, which holds only briefgen's files (the caller checked)."""
        for tree in (self.site, self.new, self.old):
            shutil.rmtree(tree, ignore_errors=True)
        for name in (MARKER, f"{MARKER}.tmp"):
            with contextlib.suppress(FileNotFoundError):
                ops.unlink(str(self.path / name))
        try:
            ops.rmdir(str(self.path))
        except OSError:
            notes.append(f"{self.path} was kept: it holds files briefgen did not write; look "
                         "through it and delete it")


def containers(out: Path, ops: FileOps) -> list[Container]:
    """The containers beside ``out`` that briefgen made for it (a valid marker). A container
    that a crash left before its marker was complete holds nothing else, and goes here."""
    found = []
    prefix = _prefix(out)
    with contextlib.suppress(OSError), os.scandir(out.parent) as entries:
        candidates = [e for e in entries if e.name.startswith(prefix) and not e.is_symlink()
                      and _TOKEN.fullmatch(e.name[len(prefix):]) and e.is_dir()]
    for entry in candidates:
        container = Container(out, Path(entry.path), entry.name[len(prefix):])
        if container.marker() is not None:
            found.append(container)
        else:
            _remove_unfinished(container.path, ops)
    return sorted(found, key=lambda c: c.token)


def _remove_unfinished(path: Path, ops: FileOps) -> None:
    """A folder of our name holding at most a marker that did not finish being written."""
    with contextlib.suppress(OSError):
        names = sorted(os.listdir(path))
        for name in names:
            if name not in (MARKER, f"{MARKER}.tmp"):
                return
        for name in names:
            ops.unlink(str(path / name))
        ops.rmdir(str(path))


def _build_of(folder: Path) -> str | None:
    manifest = load_manifest(folder)
    return manifest.build if manifest is not None else None


# ------------------------------------------------------------------------ publishing


@dataclass(frozen=True, slots=True)
class Looked:
    """The output as a look taken during the build found it: its manifest, and when each of
    its folders last changed (so that, once it is the spare, only the folders changed since
    are looked through for files of the editor's)."""

    manifest: Manifest
    folders: FolderTimes


def swap_in(container: Container, ops: FileOps, notes: list[str],
            foreign: list[str] | None = None, looked: Looked | None = None) -> None:
    """Steps 3 to 5: the ready tree (manifest written) becomes the output. ``foreign``: the
    output's files that are not briefgen's, if the caller knows them (a file that appears
    later is moved back after the exchange, see ``_keep_as_spare``); ``looked``: the output
    as the caller found it, if it did."""
    out, site = container.out, container.site
    if foreign is None:
        owned = _owned_files(out)
        foreign = foreign_paths(out, owned) if out.is_dir() and owned is not None else []
    foreign = [rel for rel in foreign if os.path.lexists(out / rel)]
    clashes = [rel for rel in foreign if os.path.lexists(site / rel)]
    if clashes:
        raise OutputRefused(f"{out / clashes[0]} was not written by briefgen, and this build "
                            "produces a file there; move it away first")
    moved: list[str] = []
    exchanged = False
    try:
        for rel in foreign:
            target = site / rel
            if not target.parent.is_dir():
                _make_folders(site, target.parent, ops)
            ops.rename(str(out / rel), str(target))
            moved.append(rel)
        first = not out.exists()
        if first:
            ops.rename(str(site), str(out))
        else:
            _same_access(out, site)
            exchanged = ops.exchange(str(site), str(out))
            if not exchanged:  # two renames, the old site set aside first
                ops.rename(str(out), str(container.old))
                try:
                    ops.rename(str(site), str(out))
                except OSError:
                    with contextlib.suppress(OSError):
                        ops.rename(str(container.old), str(out))
                    raise
    except OSError:
        # Nothing is in place: the editor's files go back where they were, so that the
        # output is as it was (which the error says).
        for rel in reversed(moved):
            with contextlib.suppress(OSError):
                ops.rename(str(site / rel), str(out / rel))
        raise
    try:
        if first:
            container.set_state(ops, BUILDING, "")  # an empty container: no spare yet
            ops.mkdir(str(site))
            return
        if not exchanged:
            ops.rename(str(container.old), str(site))
        _keep_as_spare(container, ops, notes, looked)
    except OSError as exc:  # the new site is in place: what is left, the next build does
        notes.append(f"the new site is in place; putting the previous one aside failed "
                     f"({exc.strerror or exc}), which the next build finishes")


def _same_access(out: Path, site: Path) -> None:
    """The output folder's mode and group (``chmod 750 public``, ``chgrp www-data public``:
    set for a web server) carry over to the tree that takes its place. Where the system
    does not allow it, the tree keeps what it was made with."""
    try:
        was, now = os.stat(out), os.stat(site)
        if stat.S_IMODE(was.st_mode) != stat.S_IMODE(now.st_mode):
            os.chmod(site, stat.S_IMODE(was.st_mode))
        if was.st_gid != now.st_gid:
            os.chown(site, -1, was.st_gid)
    except (OSError, AttributeError):  # (no chown on some systems)
        pass


def _keep_as_spare(container: Container, ops: FileOps, notes: list[str],
                   looked: Looked | None = None) -> None:
    """The previous output, now in ``site/``, is the next build's spare; a file of the
    editor's that reached it (one that appeared in the output during the swap) goes back
    into the output first. An empty folder (a first build into an empty output) is no spare."""
    manifest = looked.manifest if looked is not None else load_manifest(container.site)
    if manifest is None:
        _empty_into_output(container.site, container.out, notes, ops)
        container.set_state(ops, BUILDING, "")
        return
    late = foreign_paths_since(container.site, manifest.files, looked.folders) \
        if looked is not None else foreign_paths(container.site, manifest.files)
    for rel in late:
        if not _put_back(container.site, container.out, rel, ops):
            notes.append(f"{container.site / rel} could not be moved back into "
                         f"{container.out}; it was left where it is, in a folder briefgen "
                         "will not touch again")
            container.set_state(ops, KEPT, "")
            return
    container.set_state(ops, SPARE, manifest.build)


def _put_back(tree: Path, out: Path, rel: str, ops: FileOps) -> bool:
    """A file or folder of the editor's, ``rel`` in ``tree``, moved to its place in the
    output: into a folder of that name that the output has (what it holds goes in, one by
    one), or into folders made for it where the output has none (the new site dropped the
    page whose folder held it). False when something of the output's stands in its way;
    what could be moved is moved."""
    source, target = tree / rel, out / rel
    if _through_link(out, target.parent):
        return False  # it would land wherever the link leads, outside the output
    if not os.path.lexists(target):
        try:
            _make_folders(out, target.parent, ops)
            ops.rename(str(source), str(target))
        except OSError:  # a file of the output's where a folder above it would go
            return False
        return True
    if not (source.is_dir() and not source.is_symlink() and target.is_dir()
            and not target.is_symlink()):
        return False
    with os.scandir(source) as entries:
        names = sorted(entry.name for entry in entries)
    moved = [_put_back(tree, out, f"{rel}/{name}", ops) for name in names]
    if all(moved):
        with contextlib.suppress(OSError):
            ops.rmdir(str(source))
    return all(moved)


def _through_link(root: Path, folder: Path) -> bool:
    """Whether a folder between ``root`` (excluded) and ``folder`` is a symbolic link."""
    while folder != root and folder.is_relative_to(root):
        if folder.is_symlink():
            return True
        folder = folder.parent
    return False


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


def _empty_into_output(previous: Path, out: Path, notes: list[str], ops: FileOps) -> None:
    """Move what a tree that briefgen does not keep holds into the output (files that
    appeared there while it was swapped), where their place is free; drop empty folders."""
    remove_empty_folders(previous, ops)
    if previous.is_dir():
        _move_remaining(previous, out, previous, notes, ops)
        remove_empty_folders(previous, ops)


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


# ------------------------------------------------------------------------ recovery


def recover(out: Path, ops: FileOps, notes: list[str]) -> Container | None:
    """Bring every interrupted publish of ``out`` to the complete old or new site, with the
    foreign files back in the output; return the container to build the next site in (the
    one with a spare, if any). Safe to run again after any interruption."""
    kept: Container | None = None
    for container in containers(out, ops):
        if container.state == KEPT:
            notes.append(f"{container.path} holds files of yours that briefgen could not put "
                         "back; look through it, then delete it")
            continue
        _recover_one(container, ops, notes)
        if not container.path.exists() or container.state == KEPT:
            continue
        if kept is None or (kept.spare() is None and container.spare() is not None):
            if kept is not None:
                _drop(kept, ops, notes)
            kept = container
        else:
            _drop(container, ops, notes)
    return kept


def _drop(container: Container, ops: FileOps, notes: list[str]) -> None:
    """An extra container: its trees hold only briefgen's files once recovered."""
    if container.site.is_dir():
        manifest = load_manifest(container.site)
        if manifest is not None and foreign_paths(container.site, manifest.files):
            notes.append(f"{container.path} was kept: it holds files briefgen did not write")
            return
    container.discard(ops, notes)


def _recover_one(container: Container, ops: FileOps, notes: list[str]) -> None:
    site, old = container.site, container.old
    state, build = container.state, container.build
    shutil.rmtree(container.new, ignore_errors=True)  # a build's own files, never published
    if state == READY:
        _recover_ready(container, build, ops, notes)
    elif state == BUILDING:
        # Being brought to a new site when the process died: nothing of it was published,
        # and foreign files move in only once it is ready. Start afresh next time.
        for tree in (site, old):
            shutil.rmtree(tree, ignore_errors=True)
        with contextlib.suppress(FileExistsError):
            ops.mkdir(str(site))
    elif state == SPARE and not site.is_dir() and old.is_dir():
        ops.rename(str(old), str(site))  # the last rename of a swap without exchange


def _recover_ready(container: Container, build: str, ops: FileOps, notes: list[str]) -> None:
    out, site, old = container.out, container.site, container.old
    if not os.path.lexists(out):
        # Between the renames of a system without an exchange.
        if site.is_dir() and _build_of(site) == build:
            ops.rename(str(site), str(out))
        elif old.is_dir():
            ops.rename(str(old), str(out))
    if _build_of(out) == build:
        # The new site is in place: what is left is to keep the previous one as the spare.
        if not site.is_dir() and old.is_dir():
            ops.rename(str(old), str(site))
        elif site.is_dir() and old.is_dir():
            _empty_into_output(old, out, notes, ops)  # the new tree had not left site/
        if site.is_dir():
            _keep_as_spare(container, ops, notes)
        else:
            container.set_state(ops, BUILDING, "")
            ops.mkdir(str(site))
        return
    # The output still holds the old site: the foreign files go back; the ready tree, a
    # complete site never published, stays as the spare (its manifest says what it holds).
    if old.is_dir() and not site.is_dir():
        ops.rename(str(old), str(site))
    manifest = load_manifest(site) if site.is_dir() else None
    if manifest is None:
        shutil.rmtree(site, ignore_errors=True)
        container.set_state(ops, BUILDING, "")
        ops.mkdir(str(site))
        return
    stuck = False
    for rel in foreign_paths(site, manifest.files):
        if not _put_back(site, out, rel, ops):
            notes.append(f"{site / rel} could not be moved back into {out}; it was left where "
                         "it is, in a folder briefgen will not touch again")
            stuck = True
    container.set_state(ops, KEPT if stuck else SPARE, "" if stuck else manifest.build)


__all__ = ["MANIFEST", "Container", "recover", "swap_in"]
