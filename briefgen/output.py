"""Phase D (write): build into a fresh folder beside the output, then swap it in.

Safety rules (SPEC §10): never write outside the output folder; refuse an output folder that
is the site, contains it, lies in content/, or holds files briefgen did not write; inside the
output, remove only files an earlier build wrote (listed in its manifest) and keep the rest.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Collection, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

MANIFEST = ".briefgen-manifest.json"
_STAGING = ".{}.briefgen-new"
_BACKUP = ".{}.briefgen-old"


class Reuse:
    """Marks an output that is unchanged: the file of the previous build is kept."""


REUSE = Reuse()


class OutputRefused(Exception):
    """The output folder is not one briefgen may write to; the message says why."""


@dataclass(frozen=True, slots=True)
class WriteStats:
    written: int  # new or changed files
    unchanged: int
    removed: int
    kept: int  # files found in the output that briefgen did not write
    changed: tuple[str, ...] = ()  # paths written or removed, for the preview's reloads


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def _safe_rel(rel: str) -> bool:
    """A manifest entry names a file inside the output folder: relative, no ``..``."""
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and "\\" not in rel and "\x00" not in rel \
        and all(p not in ("", ".", "..") for p in parts)


def read_manifest(out: Path) -> dict[str, str] | None:
    """The files an earlier build wrote. Entries that would point outside ``out`` are
    dropped: a tampered manifest must never make briefgen delete anything else."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
        return {str(k): str(v) for k, v in files.items() if _safe_rel(str(k))}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def check_output(out: Path, site_root: Path, protected: list[Path]) -> None:
    """Raise OutputRefused unless ``out`` is safe to build into."""
    out, site_root = out.resolve(), site_root.resolve()
    if _inside(site_root, out):
        raise OutputRefused(f"refusing to build into {out}: it is or contains the site folder")
    for folder in protected:
        if _inside(out, folder.resolve()):
            raise OutputRefused(f"refusing to build into {out}: it lies inside {folder}")
    if out.exists() and not out.is_dir():
        raise OutputRefused(f"refusing to build into {out}: it is a file, not a folder")
    blocking = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise OutputRefused(f"refusing to build into {out}: {blocking} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and read_manifest(out) is None:
        raise OutputRefused(f"refusing to build into {out}: the folder is not empty and was not "
                            "created by briefgen; choose a new or empty folder with --out")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _folders_of(rels: Iterable[str]) -> set[str]:
    """Every folder (relative, POSIX) that holds one of the files ``rels``, at any depth."""
    folders: set[str] = set()
    for rel in rels:
        folder = rel.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def _foreign(out: Path, manifest: Mapping[str, str]) -> list[str]:
    """Top-most paths in ``out`` that briefgen did not write (``.git``, ``CNAME`` …)."""
    owned_dirs = _folders_of(manifest)
    found: list[str] = []

    def walk(folder: str, rel: str) -> None:
        with os.scandir(folder) as children:
            entries = sorted(children, key=lambda child: child.name)
        for child in entries:
            child_rel = f"{rel}{child.name}"
            if child_rel == MANIFEST or child_rel in manifest:
                continue
            if child_rel in owned_dirs and child.is_dir(follow_symlinks=False):
                walk(child.path, child_rel + "/")
            else:
                found.append(child_rel)

    if out.is_dir():
        walk(str(out), "")
    return found


def _clear_leftovers(out: Path) -> None:
    """Recover from an interrupted build: keep the foreign files, drop half-written ones."""
    staging = out.parent / _STAGING.format(out.name)
    backup = out.parent / _BACKUP.format(out.name)
    if staging.is_dir():
        shutil.rmtree(staging)  # a half-written build: only briefgen writes under this name
    if backup.is_dir():
        manifest = read_manifest(backup) or {}
        if not out.exists():
            backup.rename(out)
            return
        for rel in _foreign(backup, manifest):
            target = out / rel
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                (backup / rel).rename(target)
        _remove_owned(backup, manifest)


def _remove_owned(folder: Path, manifest: Mapping[str, str], keep_manifest: bool = False) -> None:
    """Delete the files a manifest lists, then the folders they leave empty; anything else
    stays. Never follows a symbolic link out of ``folder``, whatever the manifest says."""
    direct: dict[str, bool] = {"": True}  # folder (relative) → no symbolic link on the way

    def reached_directly(rel_dir: str) -> bool:
        known = direct.get(rel_dir)
        if known is None:
            known = direct[rel_dir] = reached_directly(rel_dir.rpartition("/")[0]) \
                and not os.path.islink(os.path.join(folder, rel_dir))
        return known

    for rel in manifest:
        if _safe_rel(rel) and reached_directly(rel.rpartition("/")[0]):
            with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError):
                os.unlink(os.path.join(folder, rel))
    if not keep_manifest:
        with contextlib.suppress(FileNotFoundError):
            (folder / MANIFEST).unlink()
    # Deepest first; a folder that still holds something stays.
    for rel_dir in sorted((d for d, ok in direct.items() if ok and d),
                          key=lambda d: -d.count("/")):
        with contextlib.suppress(OSError):
            os.rmdir(os.path.join(folder, rel_dir))
    with contextlib.suppress(OSError):
        os.rmdir(folder)


@dataclass(frozen=True, slots=True)
class Written:
    """What became of one output file: its digest, and whether its bytes are new."""

    rel: str
    digest: str
    changed: bool


class OutputUpdate:
    """The next state of an output folder, assembled in a staging folder beside it.

    ``put`` may run in forked worker processes: it writes only the staging folder and
    returns what the parent needs, so pages never travel between processes. ``commit`` then
    (in the parent) either swaps the staging folder in (``publish``: unchanged files are
    hard-linked into it first), or, for the preview's private folder (``in_place``), moves the
    changed files into the output one by one. Until ``commit``, the output is untouched.
    """

    def __init__(self, out: Path, paths: Collection[str], version: str,
                 in_place: bool = False) -> None:
        self.out, self.version, self.paths = out.resolve(), version, frozenset(paths)
        _clear_leftovers(self.out)
        old = read_manifest(self.out)
        self.in_place = in_place and old is not None
        self.old: dict[str, str] = old or {}
        self.foreign = [] if self.in_place else _foreign(self.out, self.old)
        clashes = sorted(f for f in self.foreign
                         if f in self.paths or any(p.startswith(f + "/") for p in self.paths))
        if clashes:
            raise OutputRefused(f"{self.out / clashes[0]} was not written by briefgen, and this "
                                "build produces a file there; move it away first")
        self.staging = self.out.parent / _STAGING.format(self.out.name)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.staging.mkdir()
        self.written: dict[str, Written] = {}
        self._linker: int | None = None  # a child process linking kept files into staging
        self._prelinked: frozenset[str] = frozenset()

    def prepare(self, kept: Collection[str]) -> None:
        """Start linking the previous build's files of ``kept`` (outputs whose inputs did not
        change) into the staging folder, in a child process while this one renders the
        rest: making thousands of folders takes a second. Only for a process without other
        threads (the command line)."""
        if self.in_place or not kept or not hasattr(os, "fork"):
            return
        rels = sorted(kept)
        child = os.fork()
        if child == 0:  # the child: link, then leave without running any cleanup
            code = 0
            try:
                _link_tree(self.out, self.staging, rels)
            except BaseException:
                code = 1
            os._exit(code)
        self._linker, self._prelinked = child, frozenset(rels)

    def _wait_for_linker(self) -> bool:
        """Wait for ``prepare``'s child; True if it linked every kept file."""
        if self._linker is None:
            return False
        _, status = os.waitpid(self._linker, 0)
        self._linker = None
        return os.waitstatus_to_exitcode(status) == 0

    def reusable(self, rel: str) -> bool:
        """The previous build wrote ``rel`` and it is still there."""
        return rel in self.old and os.path.isfile(os.path.join(self.out, rel))

    def keep(self, rel: str) -> None:
        """``rel`` is unchanged: the previous build's file stays."""
        self.written[rel] = Written(rel, self.old[rel], False)

    def put(self, rel: str, data: bytes | Path) -> Written:
        """Stage the new content of ``rel`` (only if it differs from the previous build's)."""
        payload = data.read_bytes() if isinstance(data, Path) else data
        digest = _digest(payload)
        if self.old.get(rel) == digest and self.reusable(rel):
            return Written(rel, digest, False)
        target = os.path.join(self.staging, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(payload)
        return Written(rel, digest, True)

    def record(self, written: Written) -> None:
        self.written[written.rel] = written

    def commit(self, swap_lock: AbstractContextManager[object] | None = None) -> WriteStats:
        try:
            missing = self.paths - set(self.written)
            if missing:
                raise ValueError(f"outputs never made: {sorted(missing)[:3]}")
            changed = sorted(w.rel for w in self.written.values() if w.changed)
            gone = sorted(set(self.old) - self.paths)
            stats = WriteStats(len(changed), len(self.paths) - len(changed), len(gone),
                               len(self.foreign), tuple(changed + gone))
            prelinked = self._wait_for_linker()
            if not changed and not gone and self.old:
                shutil.rmtree(self.staging)
                return stats
            if self.in_place:
                self._move_in(changed, gone, swap_lock)
            else:
                self._swap_in(swap_lock, self._prelinked if prelinked else frozenset())
            return stats
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        if self._linker is not None:
            with contextlib.suppress(ChildProcessError):
                self._wait_for_linker()
        shutil.rmtree(self.staging, ignore_errors=True)

    def _manifest(self, folder: Path) -> None:
        files = {rel: w.digest for rel, w in sorted(self.written.items())}
        (folder / MANIFEST).write_text(json.dumps(
            {"generator": f"briefgen {self.version}", "files": files}, indent=0),
            encoding="utf-8")

    def _swap_in(self, swap_lock: AbstractContextManager[object] | None,
                 prelinked: frozenset[str]) -> None:
        unchanged = [rel for rel, w in self.written.items()
                     if not w.changed and rel not in prelinked]
        _link_tree(self.out, self.staging, unchanged)
        self._manifest(self.staging)
        with swap_lock or contextlib.nullcontext():  # a server must not read mid-swap
            _swap(self.out, self.staging, self.old, self.foreign)

    def _move_in(self, changed: list[str], gone: list[str],
                 swap_lock: AbstractContextManager[object] | None) -> None:
        """Each changed file replaces its old one by an atomic rename, all under
        ``swap_lock``, so that a reader never sees a half-updated site."""
        with swap_lock or contextlib.nullcontext():
            for rel in changed:
                target = os.path.join(self.out, rel)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.replace(os.path.join(self.staging, rel), target)
            _remove_owned(self.out, {rel: self.old[rel] for rel in gone}, keep_manifest=True)
            self._manifest(self.out)
        shutil.rmtree(self.staging, ignore_errors=True)


def publish(out: Path, files: Mapping[str, bytes | Path | Reuse], version: str,
            swap_lock: AbstractContextManager[object] | None = None,
            in_place: bool = False) -> WriteStats:
    """Make ``files`` (output path → bytes, a file to copy, or REUSE to keep the previous
    build's file) the content of ``out``. When nothing changed, nothing is touched."""
    update = OutputUpdate(out, files, version, in_place)
    try:
        for rel, data in files.items():
            if isinstance(data, Reuse):
                if not update.reusable(rel):
                    raise OutputRefused(f"{update.out / rel} vanished during the build; "
                                        "build again")
                update.keep(rel)
            else:
                update.record(update.put(rel, data))
    except BaseException:
        update.abort()
        raise
    return update.commit(swap_lock)


def _link_tree(old: Path, new: Path, rels: list[str]) -> None:
    """Hard-link the files ``rels`` of ``old`` into ``new``, making their folders; a file
    that is already there (linked before) is fine, one that vanished from ``old`` is not."""
    for folder in sorted(_folders_of(rels)):  # parents first; one mkdir each, cheaper than makedirs
        with contextlib.suppress(FileExistsError):
            os.mkdir(os.path.join(new, folder))
    for rel in rels:
        target = os.path.join(new, rel)
        if not _link(os.path.join(old, rel), target) and not os.path.isfile(target):
            raise OutputRefused(f"{old / rel} vanished during the build; build again")


def _link(existing: str, new: str) -> bool:
    """Reuse an unchanged file by hard link; False if that is not possible."""
    try:
        os.link(existing, new)
        return True
    except OSError:
        return False


def _swap(out: Path, staging: Path, old: Mapping[str, str], foreign: list[str]) -> None:
    if not out.exists():
        staging.rename(out)
        return
    if not any(out.iterdir()):
        out.rmdir()
        staging.rename(out)
        return
    backup = out.parent / _BACKUP.format(out.name)
    out.rename(backup)
    staging.rename(out)
    for rel in foreign:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        (backup / rel).rename(target)
    _remove_owned(backup, old)
    if backup.exists():
        # Something unexpected is left; keep it rather than delete what is not ours.
        leftovers = out / ".briefgen-leftovers"
        with contextlib.suppress(OSError):
            backup.rename(leftovers)
