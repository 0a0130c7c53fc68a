"""One build at a time per output folder.

Two builds into one output (a second terminal, an editor plugin, CI beside a person) would
interleave their swaps. Each build holds an exclusive ``flock`` on a file named after the
output's path, for its whole run. The lock lives in the cache folder, never in the site or
the output, and the system releases it when the process ends, however it ends: a killed
build never blocks the next one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not a POSIX system: builds are not serialised
    fcntl = None  # type: ignore[assignment]


def lock_path(locks: Path, out: Path) -> Path:
    return locks / (hashlib.sha256(str(out).encode("utf-8", "surrogateescape")).hexdigest()[:24]
                    + ".lock")


@contextlib.contextmanager
def output_lock(locks: Path, out: Path, on_wait: Callable[[int | None], None]) -> Iterator[None]:
    """Hold the lock of ``out`` for the body; when another build holds it, call
    ``on_wait(pid of that build)`` once, then wait for it."""
    locks.mkdir(parents=True, exist_ok=True)
    with file_lock(lock_path(locks, out), on_wait):
        yield


@contextlib.contextmanager
def file_lock(path: Path, on_wait: Callable[[int | None], None]) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (made if need be) for the body."""
    if fcntl is None:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait(_holder(fd))
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(os.pread(fd, 32, 0).decode().strip())
    return None
