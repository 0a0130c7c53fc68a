"""Phase D (write): build into a fresh folder beside the output, then swap it in.

Safety rules (SPEC §10): never write outside the output folder; refuse an output folder that
is the site, contains it, lies in content/, or holds files briefgen did not write; inside the
output, remove only files an earlier build wrote (listed in its manifest) and keep the rest.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Callable, Collection, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from briefgen.fileops import OS_FILE_OPS, FileOps, write_new
from briefgen.manifest import (
    MANIFEST,
    OutputRefused,
    folders_of,
    foreign_paths,
    manifest_bytes,
    read_manifest,
    remove_owned,
)
from briefgen.parallel import die_with_parent
from briefgen.swap import Staging, recover, swap_in

__all__ = ["MANIFEST", "OutputRefused", "OutputUpdate", "OutputWriteError", "WriteStats",
           "Written", "check_output", "publish", "read_manifest"]

class Reuse:
    """Marks an output that is unchanged: the file of the previous build is kept."""


REUSE = Reuse()


class OutputWriteError(Exception):
    """An output file could not be written (a full disk, a read-only folder)."""

    def __init__(self, rel: str, code: int, reason: str) -> None:
        super().__init__(rel, code, reason)
        self.rel, self.code, self.reason = rel, code, reason

    def __str__(self) -> str:
        return f"cannot write {self.rel}: {self.reason}"


@dataclass(frozen=True, slots=True)
class WriteStats:
    written: int  # new or changed files
    unchanged: int
    removed: int
    kept: int  # files found in the output that briefgen did not write
    changed: tuple[str, ...] = ()  # paths written or removed, for the preview's reloads


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


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
    (in the parent) either swaps the staging folder in (``swap.swap_in``: unchanged files are
    hard-linked into it first), or, for the preview's private folder (``in_place``), moves the
    changed files into the output one by one. Until ``commit``, the output is untouched.
    The caller holds the output's build lock (``buildlock``) from before this is made until
    it is committed or aborted.
    """

    def __init__(self, out: Path, paths: Collection[str], version: str,
                 in_place: bool = False, ops: FileOps = OS_FILE_OPS) -> None:
        self.out, self.version, self.paths = out.resolve(), version, frozenset(paths)
        self.ops = ops
        self.notes: list[str] = []
        self.out.parent.mkdir(parents=True, exist_ok=True)
        recover(self.out, ops, self.notes)
        old = read_manifest(self.out)
        self.in_place = in_place and old is not None
        self.old: dict[str, str] = old or {}
        self.foreign = [] if self.in_place else foreign_paths(self.out, self.old)
        clashes = sorted(f for f in self.foreign
                         if f in self.paths or any(p.startswith(f + "/") for p in self.paths))
        if clashes:
            raise OutputRefused(f"{self.out / clashes[0]} was not written by briefgen, and this "
                                "build produces a file there; move it away first")
        self.staging = Staging.create(self.out, ops)
        self.root = self.staging.site  # where files are staged
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
                die_with_parent()
                _link_tree(self.out, self.root, rels)
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
        try:
            payload = data.read_bytes() if isinstance(data, Path) else data
            digest = _digest(payload)
            if self.old.get(rel) == digest and self.reusable(rel):
                return Written(rel, digest, False)
            target = os.path.join(self.root, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            write_new(target, payload)
        except OSError as exc:
            # Raised in a worker process too: an exception that pickles, naming the file.
            raise OutputWriteError(rel, exc.errno or 0, exc.strerror or str(exc)) from None
        return Written(rel, digest, True)

    def put_joined(self, rel: str, digest: str,
                   write: Callable[[str, str | None], str]) -> tuple[Written, str | None]:
        """Stage an output that ``write(target, previous)`` writes (copying from the previous
        build's file, when there is one) and whose digest is known beforehand; return what
        ``write`` returned (the new layout), None when the file is unchanged."""
        if self.old.get(rel) == digest and self.reusable(rel):
            return Written(rel, digest, False), None
        try:
            target = os.path.join(self.root, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            previous = os.path.join(self.out, rel) if self.reusable(rel) else None
            layout = write(target, previous)
        except OSError as exc:
            raise OutputWriteError(rel, exc.errno or 0, exc.strerror or str(exc)) from None
        return Written(rel, digest, True), layout

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
                self.staging.discard(self.ops)
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
        if self.staging.container.exists():
            self.staging.discard(self.ops)

    def _manifest_data(self) -> bytes:
        files = {rel: w.digest for rel, w in self.written.items()}
        return manifest_bytes(files, self.version, self.staging.token)

    def _swap_in(self, swap_lock: AbstractContextManager[object] | None,
                 prelinked: frozenset[str]) -> None:
        unchanged = [rel for rel, w in self.written.items()
                     if not w.changed and rel not in prelinked]
        try:
            _link_tree(self.out, self.root, unchanged)
            self.ops.write(str(self.root / MANIFEST), self._manifest_data())
        except OSError as exc:
            raise OutputWriteError(MANIFEST, exc.errno or 0, exc.strerror or str(exc)) from None
        with swap_lock or contextlib.nullcontext():  # a server must not read mid-swap
            swap_in(self.staging, self.ops, self.notes)

    def _move_in(self, changed: list[str], gone: list[str],
                 swap_lock: AbstractContextManager[object] | None) -> None:
        """Each changed file replaces its old one by an atomic rename, all under
        ``swap_lock``, so that a reader never sees a half-updated site."""
        with swap_lock or contextlib.nullcontext():
            for rel in changed:
                target = os.path.join(self.out, rel)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.replace(os.path.join(self.root, rel), target)
            remove_owned(self.out, gone, self.ops, keep_manifest=True)
            tmp = self.out / f"{MANIFEST}.tmp"
            write_new(str(tmp), self._manifest_data())
            os.replace(tmp, self.out / MANIFEST)
        self.staging.discard(self.ops)


def publish(out: Path, files: Mapping[str, bytes | Path | Reuse], version: str,
            swap_lock: AbstractContextManager[object] | None = None,
            in_place: bool = False, ops: FileOps = OS_FILE_OPS) -> WriteStats:
    """Make ``files`` (output path → bytes, a file to copy, or REUSE to keep the previous
    build's file) the content of ``out``. When nothing changed, nothing is touched."""
    update = OutputUpdate(out, files, version, in_place, ops)
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
    for folder in sorted(folders_of(rels)):  # parents first; one mkdir each, cheaper than makedirs
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
    except FileExistsError:
        return False
    except OSError:
        # No hard links here (another file system, a FAT drive): copy it.
        try:
            shutil.copy2(existing, new)
            return True
        except OSError:
            return False
