"""Reading site files so that nothing can block or surprise a build: regular files only,
opened without blocking, up to a size; and the file systems that hold no site at all."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

# Far above any real content file, far below what would exhaust memory when parsed.
_MB = 1024 * 1024
MAX_CONTENT_BYTES = 64 * _MB

_CHUNK = _MB


class FileProblem(Exception):
    """Why a path cannot be read, as the end of a sentence that starts with the path."""


def kind(mode: int) -> str:
    """What a file of this mode is, for a message: "a FIFO (named pipe)"."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "a regular file" if stat.S_ISREG(mode) else "a special file"


def os_problem(exc: OSError) -> str:
    """The system's own words for an error ("File name too long"), without the path."""
    return exc.strerror or (errno.errorcode.get(exc.errno or 0) or str(exc))


def read_regular(path: str | Path, limit: int = MAX_CONTENT_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; FileProblem otherwise.

    A FIFO, socket or device is never opened (opening some devices has effects), and the
    file is opened without blocking in case it was swapped for one after the check."""
    try:
        if not stat.S_ISREG(mode := os.stat(path).st_mode):
            raise FileProblem(f"is {kind(mode)}, not a regular file")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise FileProblem(f"cannot be read: {os_problem(exc)}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(f"is {kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise FileProblem(_too_big(f"{info.st_size / _MB:.1f} MB", limit))
        return _read_at_most(fd, limit)
    except OSError as exc:
        raise FileProblem(f"cannot be read: {os_problem(exc)}") from exc
    finally:
        os.close(fd)


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := os.read(fd, min(_CHUNK, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:  # it grew while being read, or it is a file of /proc
            raise FileProblem(_too_big(f"more than {limit // _MB} MB", limit))
    return b"".join(chunks)


def _too_big(size: str, limit: int) -> str:
    return f"is {size}, over the limit of {limit // _MB} MB for one file; split it"


# Kernel file systems: their files are views of the running system, some of which block
# when read, and none of which is a site.
_PSEUDO_ROOTS = ("/proc", "/sys", "/dev")
_PSEUDO_TYPES = frozenset({
    "proc", "sysfs", "devtmpfs", "devpts", "debugfs", "tracefs", "securityfs", "cgroup",
    "cgroup2", "configfs", "pstore", "bpf", "efivarfs", "fusectl", "mqueue", "binfmt_misc",
    "hugetlbfs", "rpc_pipefs", "nsfs", "autofs",
})


def pseudo_filesystem(path: Path) -> str | None:
    """The name of the kernel file system that holds ``path`` (``/proc``, ``sysfs``), if one
    does. Judged by the resolved path and, where the system lists its mounts, by the type of
    the file system mounted there (so a ``proc`` mounted elsewhere counts too)."""
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError):
        return None
    for root in _PSEUDO_ROOTS:
        if real == root or real.startswith(root + "/"):
            return root
    mount, fs_type = _mount_of(real)
    return f"{fs_type} (mounted on {mount})" if fs_type in _PSEUDO_TYPES else None


def _mount_of(real: str) -> tuple[str, str]:
    """The mount point holding ``real`` and its file-system type (empty if unknown)."""
    try:
        table = read_regular("/proc/self/mounts", 4 * 1024 * 1024).decode("utf-8", "replace")
    except FileProblem:
        return "", ""
    best, best_type = "", ""
    for line in table.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        mount = _unescape_mount(fields[1])
        inside = real == mount or real.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) >= len(best):
            best, best_type = mount, fields[2]
    return best, best_type


def _unescape_mount(field: str) -> str:
    """Mount points in the mount table write space, tab, newline and backslash in octal."""
    for code in ("\\040", "\\011", "\\012", "\\134"):
        field = field.replace(code, chr(int(code[1:], 8)))
    return field
