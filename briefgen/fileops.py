"""The file operations that publishing a site is made of, behind one small interface.

Publishing must leave the complete old site or the complete new one whatever moment the
process dies at. Every step that changes the output's neighbourhood goes through a
``FileOps``, so that a test can stop the process at each one in turn and check that the
next start recovers (``tests/test_crash_injection.py``).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
from typing import Protocol

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # linux/fs.h
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP}


class FileOps(Protocol):
    def mkdir(self, path: str) -> None: ...

    def rename(self, source: str, target: str) -> None:
        """Move ``source`` to ``target``, which must not exist (or be an empty folder)."""

    def exchange(self, first: str, second: str) -> bool:
        """Swap two paths in one atomic step; False where the system cannot."""

    def unlink(self, path: str) -> None: ...

    def rmdir(self, path: str) -> None: ...

    def write(self, path: str, data: bytes) -> None:
        """Write a new file (never an existing one: it may be a hard link into the site)."""


class OsFileOps:
    """The real operations."""

    def mkdir(self, path: str) -> None:
        os.mkdir(path)

    def rename(self, source: str, target: str) -> None:
        os.rename(source, target)

    def exchange(self, first: str, second: str) -> bool:
        return exchange_paths(first, second)

    def unlink(self, path: str) -> None:
        os.unlink(path)

    def rmdir(self, path: str) -> None:
        os.rmdir(path)

    def write(self, path: str, data: bytes) -> None:
        write_new(path, data)


OS_FILE_OPS = OsFileOps()


def write_new(path: str, data: bytes) -> None:
    """Create ``path`` and write ``data`` to it. An existing file is unlinked first rather
    than opened: in a staging folder it may be a hard link to a file of the published site,
    which must never change in place."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                     0o666)
    except FileExistsError:
        os.unlink(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                     0o666)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def replace_file(path: str, data: bytes, temporary: str) -> None:
    """``path`` holds ``data`` as one step: written whole under the name ``temporary`` (in
    the same folder), then renamed over ``path``; a reader, another build too, finds the old
    file or the new one, never part of it. The temporary file never stays."""
    try:
        write_new(temporary, data)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


@functools.cache  # the C library does not change while a process runs
def _renameat2() -> object | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    return getattr(libc, "renameat2", None)


def exchange_paths(first: str, second: str) -> bool:
    """``renameat2(RENAME_EXCHANGE)`` on Linux: both paths stay present at every instant.
    False where the C library, the kernel or the file system lacks it."""
    call = _renameat2()
    if call is None:
        return False
    result = call(_AT_FDCWD, os.fsencode(first), _AT_FDCWD,  # type: ignore[operator]
                  os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), first, None, second)
