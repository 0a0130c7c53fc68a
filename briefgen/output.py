"""Phase D (write): build into a fresh folder beside the output, then swap it in.

Safety rules (SPEC §10): never write outside the output folder; refuse an output folder that
is the site, contains it, lies in content/, or holds files briefgen did not write; inside the
output, remove only files an earlier build wrote (listed in its manifest) and keep the rest.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import shutil
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from briefgen.fileops import OS_FILE_OPS, FileOps, write_new
from briefgen.interrupts import interrupts_held
from briefgen.manifest import (
    LINKING,
    MANIFEST,
    OutputRefused,
    folders_of,
    foreign_paths,
    manifest_bytes,
    read_manifest,
    remove_owned,
)
from briefgen.swap import BUILDING, READY, SPARE, Container, Looked, recover, swap_in

if TYPE_CHECKING:
    from briefgen.survey import Survey

__all__ = ["MANIFEST", "OutputRefused", "OutputUpdate", "OutputWriteError", "WriteStats",
           "Written", "check_output", "publish", "read_manifest"]

# In place (the preview): the names, in the container, of links to replaced files until a
# thread deletes them (``OutputUpdate._replace``).
FREED = "freed-"


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


def check_output(out: Path, site_root: Path, protected: list[Path], ours: bool = False,
                 cache: Path | None = None) -> None:
    """Raise OutputRefused unless ``out`` is safe to build into; ``ours``: the caller knows
    the folder holds what briefgen wrote there; ``cache``: the build cache, which must not
    be published."""
    # (``realpath``, not ``resolve``: a loop of links is a path that leads nowhere, not a crash)
    out, site_root = Path(os.path.realpath(out)), Path(os.path.realpath(site_root))
    if _inside(site_root, out):
        raise OutputRefused(f"refusing to build into {out}: it is or contains the site folder")
    if cache is not None and (problem := cache_inside(out, cache)) is not None:
        raise OutputRefused(problem)
    if os.path.ismount(out):
        raise OutputRefused(f"refusing to build into {out}: it is a mount point, and a build "
                            "puts a new folder in the output's place; build into a folder "
                            f"inside it, such as {out / 'site'}")
    for folder in protected:
        if _inside(out, Path(os.path.realpath(folder))):
            raise OutputRefused(f"refusing to build into {out}: it lies inside {folder}")
    if out.exists() and not out.is_dir():
        raise OutputRefused(f"refusing to build into {out}: it is a file, not a folder")
    blocking = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise OutputRefused(f"refusing to build into {out}: {blocking} is a file, not a folder")
    if not ours and out.is_dir() and any(out.iterdir()) and read_manifest(out) is None:
        raise OutputRefused(f"refusing to build into {out}: the folder is not empty and was not "
                            "created by briefgen; choose a new or empty folder with --out")


def cache_inside(out: Path, cache: Path) -> str | None:
    """Why ``out`` must not be built into when it holds the build cache (it would be
    published with the site), or None."""
    out = Path(os.path.realpath(out))
    if not _inside(Path(os.path.realpath(cache)), out):
        return None
    return (f"refusing to build into {out}: it contains the build cache {cache}, which would "
            "be published with the site; set BRIEFGEN_CACHE_DIR to a folder outside it")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Written(NamedTuple):
    """What became of one output file: its digest, and whether its bytes are new. A named
    tuple: a build records one per output file (tens of thousands)."""

    rel: str
    digest: str
    changed: bool


# Held while files are put in place (the preview's server reads none meanwhile); called
# once for each time.
SwapLock = Callable[[], AbstractContextManager[object]]


class OutputUpdate:
    """The next state of an output folder, assembled beside it (see ``swap``).

    ``put`` may run in forked worker processes: it writes only the container's ``new/``
    folder and returns what the parent needs, so pages never travel between processes.
    ``commit`` then (in the parent) either brings the kept spare tree to the new site and
    exchanges it with the output, or, for the preview's private folder (``in_place``), moves
    the changed files into the output one by one. Until ``commit``, the output and the spare
    are untouched. The caller holds the output's build lock (``buildlock``) from before this
    is made until it is committed or aborted.
    """

    def __init__(self, out: Path, paths: Collection[str], version: str,
                 in_place: bool = False, ops: FileOps = OS_FILE_OPS,
                 own: dict[str, str] | None = None, surveyed: Survey | None = None) -> None:
        """``own``: for a folder that only this process writes (the preview's), its files and
        their digests as this process last left them; they are trusted as they are, so that
        nothing is read or looked at for the files an edit leaves alone. ``surveyed``: its
        manifest and foreign files, as a look taken during this build found them."""
        self.out, self.version, self.paths = out.resolve(), version, frozenset(paths)
        self.ops = ops
        self.notes: list[str] = []
        try:
            self._begin(own, surveyed, in_place)
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            hint = f"; a build writes the new site beside it, in {self.out.parent}, which " \
                "must be a folder you can write, then swaps it in" \
                if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else ""
            raise OutputRefused(f"cannot build into {self.out}: {exc.strerror or exc}{where}"
                                f"{hint}") from None

    def _begin(self, own: dict[str, str] | None, surveyed: Survey | None,
               in_place: bool) -> None:
        """The output's folder and the container beside it, ready for this build's files."""
        ops = self.ops
        self.out.parent.mkdir(parents=True, exist_ok=True)
        container = recover(self.out, ops, self.notes)
        self.trusted = in_place and own is not None
        if surveyed is not None and not self.notes:  # else recovering changed the folder
            old = surveyed.manifest.files if surveyed.manifest is not None else None
        else:
            old, surveyed = own if self.trusted else read_manifest(self.out), None
        self._surveyed = surveyed
        self.in_place = in_place and old is not None
        self.old: dict[str, str] = old or {}
        self._manifest = self.old  # as found (``distrust`` makes ``old`` anew)
        # The output's files that briefgen did not write: known at the commit (``foreign``),
        # the first time they matter (nothing is written into the output before).
        self._foreign: list[str] | None = [] if self.in_place else None
        self.looked: Looked | None = None  # the look at the output's folders, if taken
        self.container = container or Container.create(self.out, ops)
        spare = surveyed.spare_manifest if surveyed is not None \
            and surveyed.spare == self.container.site and self.container.state == SPARE \
            else self.container.spare()
        self.spare: dict[str, str] | None = spare.files if spare is not None else None
        # The files whose spare copy is not the output's own (see ``touched``), from the look
        # taken at this spare during the build; None: no look was.
        self._split: frozenset[str] | None = None
        # The output files whose state the publish changed: those written, and those it
        # linked (a link changes a file's ctime); the others are the files the output had
        # before, shared by the two trees. None when that is not known.
        self.touched: set[str] | None = None
        # No leftover link to look for in a tree this briefgen made (one stat per file saved)
        self._tidy = spare is not None and spare.tidy
        with contextlib.suppress(FileExistsError):
            ops.mkdir(str(self.container.new))
        self.root = self.container.new  # where this build writes its files
        self.build = secrets.token_hex(8)
        self.written: dict[str, Written] = {}
        # The files of the plan that this build left as the previous one wrote them, without
        # recording each (``keep_the_rest``): a preview edit keeps tens of thousands.
        self._kept: frozenset[str] = frozenset()
        self._old_current = False  # ``old`` is the output's files as committed (``files``)
        self.moved: set[str] = set()  # files already put in place (``move_now``)
        self._set_aside: list[str] = []  # links to replaced files, deleted in the background
        self._linker: int | None = None  # a child process linking kept files into staging
        self._present: frozenset[str] = frozenset()

    def prepare(self, kept: Collection[str]) -> None:
        """Without a spare (a first build, or after a crash), start linking the previous
        build's files of ``kept`` into the container's tree, in a child process while this one
        renders the rest: making thousands of folders takes seconds. Only for a process
        without other threads (the command line)."""
        if self.in_place or self.spare is not None or not kept or not hasattr(os, "fork") \
                or self.container.state != BUILDING:
            return
        from briefgen.parallel import die_with_parent  # imported before the fork, not in the child

        rels = sorted(kept)
        child = os.fork()
        if child == 0:  # the child: link, then leave without running any cleanup
            code = 0
            try:
                die_with_parent()
                _link_tree(self.out, self.container.site, rels)
            except BaseException:
                code = 1
            os._exit(code)
        self._linker = child

    def _wait_for_linker(self) -> None:
        if self._linker is not None:
            os.waitpid(self._linker, 0)
            self._linker = None

    def reusable(self, rel: str) -> bool:
        """The previous build wrote ``rel`` and it is still there."""
        return rel in self.old and (self.trusted or rel in self._present
                                    or os.path.isfile(os.path.join(self.out, rel)))

    def present(self, rels: Iterable[str]) -> None:
        """Files the caller has just found in the output as the last build left them (a
        ``stat`` each): not looked at again."""
        self._present = frozenset(rels)

    def files(self) -> dict[str, str]:
        """The output's files and digests once committed: for a folder only this process
        writes, its ``own`` files brought up to date (not a copy of every entry per build)."""
        return self.old if self._old_current else self._digests()

    def _unchanged(self) -> Iterator[tuple[str, str]]:
        """The files of the plan whose bytes are the previous build's, with their digests."""
        for rel, written in self.written.items():
            if not written.changed:
                yield rel, written.digest
        old = self.old
        for rel in self._kept:
            yield rel, old[rel]

    def _digests(self) -> dict[str, str]:
        found = {rel: written.digest for rel, written in self.written.items()}
        found.update((rel, self.old[rel]) for rel in self._kept)
        return found

    def distrust(self, rels: Iterable[str]) -> None:
        """Files of the output that are not what the last build wrote (edited by hand,
        restored from a backup): written again whatever the manifest says, and never copied
        from."""
        doubtful = set(rels) & self.old.keys()
        if doubtful:
            self.old = {rel: digest for rel, digest in self.old.items() if rel not in doubtful}

    def leave_out(self, rels: Iterable[str]) -> None:
        """New files of the plan that this build did not make (interrupted in place, the
        preview): the next build makes them."""
        left = set(rels)
        assert self.in_place or not left
        self.paths = self.paths - left

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
            try:
                write_new(target, payload)
            except FileNotFoundError:  # its folder is new (asked only then: a syscall less)
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

    def move_now(self, rels: Collection[str], swap_lock: SwapLock | None = None) -> list[str]:
        """In place (the preview): put the changed files of ``rels``, made already, in place
        at once (the pages that tabs show, before the rest is made); return them."""
        assert self.in_place
        moving = sorted(rel for rel in rels if rel in self.written and self.written[rel].changed
                        and rel not in self.moved)
        with swap_lock() if swap_lock else contextlib.nullcontext():
            for rel in moving:
                self._replace(rel)
                self.moved.add(rel)
        return moving

    def _replace(self, rel: str) -> None:
        """In place: put the staged ``rel`` where the old one is, keeping a link to the old
        one aside first. Replacing the last link of a big file frees its blocks there and
        then (~12 ms per 20 MB on ext4; a title edit at 5,000 briefings replaces 100 MB of
        exports), so that is left to a thread once the files are in place."""
        target = os.path.join(self.out, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        aside = os.path.join(self.container.path, f"{FREED}{self.build}-{len(self._set_aside)}")
        with contextlib.suppress(OSError):  # no old file, or no hard links here: freed now
            os.link(target, aside)
            self._set_aside.append(aside)
        os.replace(os.path.join(self.root, rel), target)

    def _free_set_aside(self) -> None:
        aside, self._set_aside = self._set_aside, []
        if aside:
            threading.Thread(target=_unlink_all, args=(aside,), daemon=True).start()

    def keep_the_rest(self) -> None:
        """Every file of the plan not made by this build is unchanged."""
        self._kept = frozenset(self.paths - self.written.keys())

    @property
    def foreign(self) -> list[str]:
        """The output's files that briefgen did not write (top-most paths); OutputRefused
        when this build would write one of them."""
        if self._foreign is None:
            surveyed = self._surveyed
            rest = surveyed.rest() if surveyed is not None and surveyed.rest else None
            if rest is None:
                found = foreign_paths(self.out, self._manifest)
            else:
                found = rest.foreign
                if surveyed is not None and surveyed.manifest is not None \
                        and rest.folders is not None:
                    self.looked = Looked(surveyed.manifest, rest.folders)
                if surveyed is not None and surveyed.spare == self.container.site:
                    self._split = rest.split
            folders = folders_of(self.paths) if found else set()
            clashes = sorted(f for f in found if f in self.paths or f in folders)
            if clashes:
                raise OutputRefused(f"{self.out / clashes[0]} was not written by briefgen, and "
                                    "this build produces a file there; move it away first")
            self._foreign = found
        return self._foreign

    def commit(self, swap_lock: SwapLock | None = None) -> WriteStats:
        try:
            # Neither made nor kept from the previous build (which never wrote it):
            missing = (self.paths - self.written.keys() - self._kept) \
                | (self._kept - self.old.keys())
            if missing:
                raise ValueError(f"outputs never made: {sorted(missing)[:3]}")
            changed = sorted(w.rel for w in self.written.values() if w.changed)
            gone = sorted(self.old.keys() - self.paths)
            stats = WriteStats(len(changed), len(self.paths) - len(changed), len(gone),
                               len(self.foreign), tuple(changed + gone))
            self._wait_for_linker()
            if not changed and not gone and self.old:
                self._clean()
                self._old_current = True
                return stats
            if self.in_place:
                self._move_in(changed, gone, swap_lock)
            else:
                self._publish(changed, swap_lock)
            return stats
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Drop what this build wrote; the output and the spare stay as they were (a spare
        that a failed commit left half-built is thrown away by the next start)."""
        self._wait_for_linker()
        self._clean()
        self._free_set_aside()  # the files ``move_now`` put in place stay; their old ones go
        if self.trusted and self.in_place:
            self._own_files_unknown()

    def _clean(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _manifest_data(self) -> bytes:
        return manifest_bytes(self._digests(), self.version, self.build)

    def _publish(self, changed: list[str], swap_lock: SwapLock | None
                 ) -> None:
        """Bring the container's tree to the new site (only what differs from what it holds),
        then exchange it with the output."""
        container, ops, site = self.container, self.ops, self.container.site
        spare = self.spare or {}
        linked: frozenset[str] = frozenset()
        foreign = self.foreign  # with the rest of the look: the spare's split, folders' times
        touched = set(changed)
        split = frozenset() if self.spare is None else self._split  # no spare: all linked
        try:
            container.set_state(ops, BUILDING, self.build)
            with contextlib.suppress(FileNotFoundError):
                ops.unlink(str(site / MANIFEST))
            if self.spare is None and _empty(site):
                # Nothing to bring up to date (a first build, or the first after one): the
                # staging tree is the site, and the files kept from the previous build are
                # linked into it at once — a folder and a link each, where one at a time,
                # with the checks an older tree needs, took seconds at 17,000 files.
                ops.rmdir(str(site))
                ops.rename(str(self.root), str(site))
                changed = []
                self._tidy = True
                linked = frozenset(rel for rel, _ in self._unchanged())
                _link_tree(self.out, site, sorted(linked))
            for rel in changed:
                _clear_way(site, rel)
                _make_parents(site, rel, ops)
                ops.rename(os.path.join(self.root, rel), os.path.join(site, rel))
                _drop_leftover_link(site, rel, ops)
            tree = str(site)
            for rel, digest in self._unchanged():
                if rel in linked:
                    continue
                if not self._tidy:
                    _drop_leftover_link(site, rel, ops)
                if spare.get(rel) != digest:
                    self._keep_in_tree(tree, rel)
                    touched.add(rel)
                elif split is not None and rel in split:
                    # Both hold the same bytes in two files (after a build that wrote every
                    # file anew): one file again, so that the spare's states are the
                    # output's, and each build records only what changed.
                    self._link_again(tree, rel)
                    touched.add(rel)
            _remove_files(site, [rel for rel in spare if rel not in self.paths], ops)
            ops.write(str(site / MANIFEST), self._manifest_data())
            container.set_state(ops, READY, self.build)
            with swap_lock() if swap_lock else contextlib.nullcontext(), \
                    interrupts_held():  # no reading mid-swap, no stopping either
                swap_in(container, ops, self.notes, foreign, self.looked)
        except OSError as exc:
            if exc.errno in (errno.EBUSY, errno.EXDEV):  # a folder that cannot be moved
                raise OutputRefused(
                    f"cannot put the new site in the place of {self.out} ({exc.strerror}): a "
                    "build puts a new folder there, which cannot be done to a mount point (a "
                    "bind mount too); build into a folder inside it") from None
            raise OutputWriteError(exc.filename or MANIFEST, exc.errno or 0,
                                   exc.strerror or str(exc)) from None
        self._clean()
        self.touched = touched | linked if split is not None else None

    def _link_again(self, tree: str, rel: str) -> None:
        """A file of the tree with the bytes of the output's, in a file of its own: the
        output's file takes its name, removed and linked again (its folder is there, as the
        look found it). The tree is being brought to the new site, and a crash discards it,
        so the name may be missing for that instant. At 17,600 files, the checks of
        ``_keep_in_tree`` for each took a second more."""
        target = os.path.join(tree, rel)
        try:
            self.ops.unlink(target)
            os.link(os.path.join(self.out, rel), target)
        except OSError:  # not as the look found it (a folder there), or no hard links here
            self._keep_in_tree(tree, rel)

    def _keep_in_tree(self, tree: str, rel: str) -> None:
        """An unchanged output that the tree (the spare) holds in an older version, or not
        at all: the tree must hold the output's own file; a hard link, never a copy written
        in place."""
        target = os.path.join(tree, rel)
        source = os.path.join(self.out, rel)
        if _same_file(source, target):
            return  # linked already (by the child that links while pages are made)
        _clear_way(self.container.site, rel)
        _make_parents(self.container.site, rel, self.ops)
        temporary = f"{target}{LINKING}"
        if not _link(source, temporary):
            raise OutputRefused(f"{self.out / rel} vanished during the build; build again")
        # A rename between two links of one file does nothing and leaves both names: the
        # check above keeps it from happening.
        self.ops.rename(temporary, target)

    def _move_in(self, changed: list[str], gone: list[str],
                 swap_lock: SwapLock | None) -> None:
        """Each changed file replaces its old one by an atomic rename, all under
        ``swap_lock``, so that a reader never sees a half-updated site. The new manifest is
        made and written beside the old one first: requests wait on the lock, and at 10,000
        briefings the manifest takes ~40 ms to make."""
        if self.trusted:
            self._move_in_own(changed, gone, swap_lock)
            return
        tmp = self.out / f"{MANIFEST}.tmp"
        write_new(str(tmp), self._manifest_data())
        try:
            with swap_lock() if swap_lock else contextlib.nullcontext():
                for rel in changed:
                    if rel not in self.moved:
                        self._replace(rel)
                remove_owned(self.out, gone, self.ops, keep_manifest=True)
                os.replace(tmp, self.out / MANIFEST)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()  # left only when the update failed before the manifest's turn
        self._clean()
        self._free_set_aside()

    def _move_in_own(self, changed: list[str], gone: list[str],
                     swap_lock: SwapLock | None) -> None:
        """``_move_in`` for a folder only this process writes, whose files the caller knows
        (``own``): its manifest is not written again (at 5,000 briefings, ~40 ms of every
        preview build), as nothing reads it while the caller knows the files; a failed
        update writes one that the next build can trust (``abort``)."""
        with swap_lock() if swap_lock else contextlib.nullcontext():
            for rel in changed:
                if rel not in self.moved:
                    self._replace(rel)
            remove_owned(self.out, gone, self.ops, keep_manifest=True)
        # The caller's record of its files, brought up to date (``files``).
        self.old.update((rel, self.written[rel].digest) for rel in changed)
        for rel in gone:
            del self.old[rel]
        self._old_current = True
        self._clean()
        self._free_set_aside()

    def _own_files_unknown(self) -> None:
        """A failed update of a folder whose manifest is not kept (``_move_in_own``): name
        every file it may hold, with no digest, so that the next build, which cannot trust
        what the caller knew, owns them all and writes each one again."""
        unknown = dict.fromkeys([*self.old, *self.paths], "")
        tmp = self.out / f"{MANIFEST}.tmp"
        with contextlib.suppress(OSError):
            write_new(str(tmp), manifest_bytes(unknown, self.version, self.build))
            os.replace(tmp, self.out / MANIFEST)


def _unlink_all(paths: list[str]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _empty(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except FileNotFoundError:
        return False


def _make_parents(root: Path, rel: str, ops: FileOps) -> None:
    folder = rel.rpartition("/")[0]
    if not folder or os.path.isdir(os.path.join(root, folder)):
        return
    missing = []
    while folder and not os.path.isdir(os.path.join(root, folder)):
        missing.append(folder)
        folder = folder.rpartition("/")[0]
    for path in reversed(missing):
        ops.mkdir(os.path.join(root, path))


def _clear_way(root: Path, rel: str) -> None:
    """In the container's own tree, a folder where a file goes (or a file where a folder
    goes) is an earlier build's and goes."""
    target = os.path.join(root, rel)
    if os.path.isdir(target) and not os.path.islink(target):
        shutil.rmtree(target)
    folder = rel.rpartition("/")[0]
    while folder:
        path = os.path.join(root, folder)
        if os.path.lexists(path) and not os.path.isdir(path):
            os.unlink(path)
        folder = folder.rpartition("/")[0]


def _remove_files(root: Path, rels: list[str], ops: FileOps) -> None:
    """Remove files of the container's tree, then the folders they leave empty."""
    folders: set[str] = set()
    for rel in rels:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError):
            ops.unlink(os.path.join(root, rel))
        folders.update(folders_of([rel]))
    for folder in sorted(folders, key=lambda f: -f.count("/")):
        with contextlib.suppress(OSError):
            ops.rmdir(os.path.join(root, folder))


def publish(out: Path, files: Mapping[str, bytes | Path | Reuse], version: str,
            swap_lock: SwapLock | None = None,
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


def _drop_leftover_link(site: Path, rel: str, ops: FileOps) -> None:
    """A second name of ``rel`` that an older briefgen left in the tree (``_keep_in_tree``):
    never published again."""
    leftover = os.path.join(site, rel + LINKING)
    if os.path.lexists(leftover):
        ops.unlink(leftover)


def _same_file(first: str, second: str) -> bool:
    try:
        a, b = os.stat(first), os.stat(second)
    except FileNotFoundError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


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
