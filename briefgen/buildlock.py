"""One build at a time per output folder.

Two builds into one output (a second terminal, an editor plugin, CI beside a person) would
interleave their swaps. Each build holds an exclusive ``flock`` on a file named after the
output's path, for its whole run. The locks live in the user's own folders of locks (under
the system's temporary folder, and in the user's runtime folder where the system makes one),
whatever build cache a build uses (``BRIEFGEN_CACHE_DIR`` and ``XDG_CACHE_HOME`` may differ
between a terminal and an editor), and in the cache folder; never in the site or the output.
Last, each build locks the folder that holds the output (no file: the folder itself), which
makes builds by two users into one output take turns too.
The system releases them when the process ends, however it ends: a killed build never blocks
the next one. A folder where no lock can be kept (not a folder, not the user's alone) is
passed over, with a note.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from stat import S_ISDIR

try:
    import fcntl
except ImportError:  # pragma: no cover - not a POSIX system: builds are not serialised
    fcntl = None  # type: ignore[assignment]


def lock_path(locks: Path, out: Path) -> Path:
    return locks / (hashlib.sha256(str(out).encode("utf-8", "surrogateescape")).hexdigest()[:24]
                    + ".lock")


def user_locks_folders(on_passed_over: Callable[[str], None] = lambda problem: None
                       ) -> list[Path]:
    """The user's folders of locks, the same for every build of this user whatever its
    environment: under the system's temporary folder and, where the system makes one, in the
    user's private runtime folder (``/run/user/UID``: another user cannot have made it, as
    they could the first). Each must be the user's alone (a lock file in a folder others can
    write could be replaced): one that is not is passed over, and ``on_passed_over`` told."""
    if not hasattr(os, "getuid"):
        return []
    found = []
    shared = _temporary_folder() / f"briefgen-{os.getuid()}-locks"
    try:
        _private_folder(shared)
        found.append(shared)
    except OSError as exc:
        on_passed_over(f"builds cannot take turns through {shared} ({exc.strerror or exc})")
    runtime = Path(f"/run/user/{os.getuid()}")
    with contextlib.suppress(OSError):
        _check_private(runtime)
        found.append(runtime / "briefgen-locks")
    return found


def _temporary_folder() -> Path:
    return Path("/tmp") if Path("/tmp").is_dir() else Path(tempfile.gettempdir())


@contextlib.contextmanager
def output_lock(folders: Iterable[Path], out: Path,
                on_wait: Callable[[int | None], None],
                on_passed_over: Callable[[str], None] = lambda problem: None,
                on_wait_beside: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the lock of ``out`` in each of ``folders`` for the body, in that order; when
    another build holds one, call ``on_wait(pid of that build)`` once, then wait for it; a
    folder where no lock can be kept is passed over, and ``on_passed_over`` told why. Last,
    the lock of the folder that holds ``out``, which every build into that folder takes:
    ``on_wait_beside`` is called when that one is what this build waits for (the other
    build may be of another output there; by default, ``on_wait(None)``)."""
    told: list[int | None] = []

    def waiting(pid: int | None) -> None:
        if not told:
            told.append(pid)
            on_wait(pid)

    def waiting_beside(pid: int | None) -> None:
        if not told:
            told.append(pid)
            if on_wait_beside is None:
                on_wait(pid)
            else:
                on_wait_beside()

    with contextlib.ExitStack() as held:
        for folder in folders:
            try:
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                held.enter_context(file_lock(lock_path(folder, out), waiting))
            except OSError as exc:
                on_passed_over(f"builds into {out} cannot take turns through {folder} "
                               f"({exc.strerror or exc})")
        # Last, so that builds of one user wait in the order above: the folder that holds
        # the output, which builds by every user who can write there can lock.
        try:
            held.enter_context(folder_lock(out.parent, waiting_beside))
        except OSError as exc:
            # None yet (the build makes it), or a file (the build refuses such an output).
            if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
                on_passed_over(f"builds by other users into {out} cannot take turns "
                               f"({exc.strerror or exc})")
        yield


def _private_folder(folder: Path) -> None:
    """Make ``folder`` if need be; raise OSError unless it is a folder of this user's that
    nobody else can write (a lock file in it could be replaced by another user's)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _check_private(folder)


def _check_private(folder: Path) -> None:
    stat = folder.lstat()
    if not S_ISDIR(stat.st_mode) or (hasattr(os, "getuid") and stat.st_uid != os.getuid()) \
            or stat.st_mode & 0o022:
        raise OSError(errno.EPERM, "not a folder of this user's that only this user can write")


@contextlib.contextmanager
def file_lock(path: Path, on_wait: Callable[[int | None], None]) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (made if need be) for the body."""
    if fcntl is None:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
                 | getattr(os, "O_NOFOLLOW", 0), 0o600)
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


@contextlib.contextmanager
def folder_lock(folder: Path, on_wait: Callable[[int | None], None]) -> Iterator[None]:
    """Hold an exclusive lock on the folder itself for the body: no file is made, so it
    needs no folder of one's own, and another user's build that can write the output's
    folder can take it too (the output itself is swapped, so it cannot hold the lock)."""
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
                 | getattr(os, "O_CLOEXEC", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait(None)  # a folder holds no pid
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(os.pread(fd, 32, 0).decode().strip())
    return None
