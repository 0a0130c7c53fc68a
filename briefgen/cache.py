"""Where a site's build cache lives, whose it may be, and what invalidates all of it.

The cache (the engine's SQLite store, ``engine/store.py``, and resized images) is only an
accelerator: it is keyed by a fingerprint of briefgen's own code, so a store of another
version is never read, and one that cannot be read is ignored, with a note, and made afresh.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import shutil
import time
from pathlib import Path

from briefgen import __version__


def cache_root() -> Path:
    """``BRIEFGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/briefgen``, else ``~/.cache/briefgen``."""
    return Path(os.environ.get("BRIEFGEN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "briefgen"))


def cache_folder(site_root: Path) -> Path:
    """Where a site's cache lives: outside the site, so that nothing is added to it."""
    # The path's bytes (a name that is not UTF-8 included; for one that is, its UTF-8).
    site = hashlib.sha256(os.fsencode(site_root.resolve())).hexdigest()[:16]
    return cache_root() / site


def locks_folder() -> Path:
    """Where builds keep the locks of their output folders (see ``buildlock``)."""
    return cache_root() / "locks"


def untrusted(path: Path) -> str | None:
    """Why a cache file must not be loaded, or None. The store holds no pickles, but what
    it says decides what is published (a tampered store could make a build keep a file it
    should replace), so it must belong to the user running briefgen and be writable by
    nobody else, and so must the folder that holds it."""
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
    """A site cache folder that briefgen made: a hash for a name, and inside only what
    briefgen writes there, each by its name (the cache's parent may be a folder the user
    chose, holding other things: a folder of theirs named like ours, with an ``images``
    folder of their photos, is never taken for a cache)."""
    if not _plain_folder(folder) or re.fullmatch("[0-9a-f]{16}", folder.name) is None:
        return False
    found = False
    for item in folder.iterdir():
        if item.name in _CACHE_FILES:
            if not (_plain_folder(item) and all(
                    _CACHE_FILES[item.name].fullmatch(f.name) and f.is_file()
                    and not f.is_symlink() for f in item.iterdir())):
                return False
        elif not (_STATE_FILE.fullmatch(item.name) and item.is_file() and not item.is_symlink()):
            return False
        found = True
    return found


def _plain_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


# What a site's cache folder holds: the engine's state (and its journal, lock and the
# files of a commit under way), and two folders: resized images, compiled templates.
_STATE_FILE = re.compile(r"state-[0-9a-f]+\.sqlite.*|\.tmp-.*|[a-z]+\.pickle")
_CACHE_FILES = {
    # (a copy, and the digest of its bytes beside it)
    "images": re.compile(r"[0-9a-f]+-[0-9]+-[0-9a-z]+\.(?:jpg|png|webp)(?:\.digest)?|\.tmp-.*"),
    "templates": re.compile(r"__jinja2_[0-9a-f]+\.cache(?:[^/]*\.tmp)?"),
}
