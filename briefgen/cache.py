"""A persistent cache of parsed documents, keyed by each file's content.

The cache is only an accelerator: it is keyed by the content of each file and by a
fingerprint of everything else that shapes a parse (briefgen's own code, the Markdown
configuration, the time zone), so a stale entry can never be found. A cache that cannot
be read is ignored, with a note, and written afresh.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen import __version__

FORMAT = 2


def cache_root() -> Path:
    """``BRIEFGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/briefgen``, else ``~/.cache/briefgen``."""
    return Path(os.environ.get("BRIEFGEN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "briefgen"))


def cache_folder(site_root: Path) -> Path:
    """Where a site's cache lives: outside the site, so that nothing is added to it."""
    site = hashlib.sha256(str(site_root.resolve()).encode()).hexdigest()[:16]
    return cache_root() / site


def locks_folder() -> Path:
    """Where builds keep the locks of their output folders (see ``buildlock``)."""
    return cache_root() / "locks"


def untrusted(path: Path) -> str | None:
    """Why a cache file must not be loaded, or None. Loading a cache can run code (a
    pickle), so it must belong to the user running briefgen and be writable by nobody
    else, and so must the folder that holds it."""
    if not hasattr(os, "getuid"):
        return None
    for item in (path.parent, path):
        try:
            stat = item.lstat()
        except OSError:
            continue
        if item.is_symlink():
            return f"{item} is a symbolic link"
        if stat.st_uid != os.getuid():
            return f"{item} belongs to another user"
        if stat.st_mode & 0o002:
            return f"{item} is writable by every user"
    return None


@functools.cache  # the code does not change while a process runs
def code_fingerprint() -> str:
    """Changes whenever briefgen's code does (its version, or any module edited in place)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*.py")):  # subpackages too (engine, site, web, search)
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def content_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


STALE_AFTER_DAYS = 30


def prune_stale(site_root: Path) -> None:
    """Remove the caches of sites not built for a month (temporary sites leave many)."""
    folder = cache_folder(site_root)
    cutoff = time.time() - STALE_AFTER_DAYS * 86400
    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # its files may still be being written
        os.utime(folder)  # this site's cache is fresh
        for other in folder.parent.iterdir():
            if other != folder and _ours(other) and other.stat().st_mtime < cutoff:
                shutil.rmtree(other, ignore_errors=True)


def _ours(folder: Path) -> bool:
    """A site cache folder that briefgen made: a hash for a name, only its files inside
    (the cache's parent may be a folder the user chose, holding other things)."""
    if not folder.is_dir() or folder.is_symlink() or re.fullmatch("[0-9a-f]{16}", folder.name) is None:
        return False
    return all((p.is_file() and (p.name.startswith("state-") or p.suffix == ".pickle"
                                 or p.name.startswith(".tmp-")))
               or (p.name == "images" and p.is_dir() and not p.is_symlink())  # resized copies
               for p in folder.iterdir())


@dataclass(slots=True)
class Session:
    """Caches kept in memory between the builds of one process (the live preview): each
    store is read from disk once and, with ``persist`` off, never written back."""

    persist: bool = False
    stores: dict[tuple[Path | None, str, str], Store] = field(default_factory=dict)

    def open(self, folder: Path | None, name: str, context: str, memo: bool = False) -> Store:
        key = (folder, name, context)
        if key not in self.stores:
            self.stores[key] = Store.open(folder, name, context, memo)
        store = self.stores[key]
        store.used, store.pending = set(), {}  # what an unsaved (failed) build put is gone
        store.persist = self.persist
        return store


MEMO_SLACK = 32  # new entries a memo table may miss on disk before it is rewritten


@dataclass(slots=True)
class Store:
    """One pickled table: key → value, valid only for one ``context`` fingerprint.

    What a build puts stays pending until ``save``: a build that fails part-way must not
    leave records that describe outputs it never wrote."""

    path: Path | None
    context: str
    entries: dict[Any, Any] = field(default_factory=dict)
    pending: dict[Any, Any] = field(default_factory=dict)
    used: set[Any] = field(default_factory=set)
    dirty: bool = False
    notes: list[str] = field(default_factory=list)
    persist: bool = True  # False: kept in memory only (see Session)
    # Entries keyed by everything they are made from: a missing one costs time, never
    # correctness, so a few new ones are not worth rewriting the whole file (see _merge).
    memo: bool = False

    @classmethod
    def open(cls, folder: Path | None, name: str, context: str, memo: bool = False) -> Store:
        if folder is None:
            return cls(None, context, memo=memo)
        store = cls(folder / name, context, memo=memo)
        path = folder / name
        if not path.exists():
            return store
        problem = untrusted(path)
        if problem:
            store.notes.append(f"the build cache is not used: {problem}; building without it")
            store.path, store.dirty = None, True
            return store
        try:
            with path.open("rb") as handle:
                header = pickle.load(handle)
                if header == (FORMAT, context):
                    store.entries = pickle.load(handle)
                else:
                    store.dirty = True  # another version or configuration: start afresh
        except Exception as exc:
            store.notes.append(f"the build cache {path} could not be read ({type(exc).__name__});"
                               " it is ignored and written afresh")
            store.entries, store.dirty = {}, True
        return store

    def get(self, key: Any) -> Any:
        value = self.pending.get(key, self.entries.get(key))
        if value is not None:
            self.used.add(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self.pending[key] = value
        self.used.add(key)

    def save(self) -> None:
        """Keep what this build used and put (dropping the rest); write it atomically."""
        if self._merge():
            self._write()

    def _merge(self) -> bool:
        """Fold this build's puts into the table; True if the file must be written."""
        if self.memo and self.persist and not self.dirty and self.path is not None \
                and len(self.pending) <= max(MEMO_SLACK, len(self.entries) // 50) \
                and self.path.exists():
            # A one-file edit: later builds remake these few entries rather than this build
            # rewriting a table of thousands. Unused entries go at the next real write.
            self.entries.update(self.pending)
            self.pending = {}
            return False
        if self.pending or set(self.entries) != self.used:
            merged = {k: v for k, v in self.entries.items() if k in self.used}
            merged.update(self.pending)
            self.entries, self.pending, self.dirty = merged, {}, True
        if not self.dirty or self.path is None or not self.persist:
            return False
        self.dirty = False
        return True

    def _write(self) -> None:
        assert self.path is not None
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    pickle.dump((FORMAT, self.context), handle, protocol=pickle.HIGHEST_PROTOCOL)
                    pickle.dump(self.entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, self.path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)


def save_all(stores: list[Store], background: bool) -> Callable[[], None]:
    """Save ``stores``. With ``background``, a forked child process writes them while this
    one goes on (pickling large tables takes seconds); call the returned function to wait
    for it (a build does, before it ends). Only for a process without other threads: the
    command line, not the preview. Each file is replaced atomically, so a reader sees the
    old table or the new one."""
    due = [store for store in stores if store._merge()]
    if not due:
        return _done
    # Forking a process that holds a large model costs a little too: only for large tables.
    if background and hasattr(os, "fork") and any(store.memo for store in due):
        from briefgen.parallel import die_with_parent  # imported before the fork, not in the child

        child = os.fork()
        if child == 0:  # the child: write, then leave without running any cleanup
            code = 0
            try:
                die_with_parent()
                for store in due:
                    store._write()
            except BaseException:
                code = 1
            os._exit(code)
        return lambda: _reap(child)
    for store in due:
        store._write()
    return _done


def _done() -> None:
    """Nothing to wait for."""


def _reap(child: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(child, 0)
