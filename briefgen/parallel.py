"""Running many small, independent jobs in worker processes that share the parent's model.

Workers are forked after the model is built, so they inherit it instead of receiving it
pickled; only each result travels back. Where fork is unavailable, or the work is small,
everything runs in this process.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import pickle
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from briefgen.errors import WorkerDied
from briefgen.leftovers import private_folder, remove_abandoned

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")

# The jobs of the current run, read by forked workers. It is set only for the duration of
# one stream_all() call, which is how the workers inherit them without pickling.
_inherited: list[Callable[[], object]] = []
# Where the workers of the current run leave results too big for the pipe (see ``_Spill``).
_spill_folder: list[str] = []
# A result pickled to more than this goes back through a file, not through the pipe.
SPILL_BYTES = 1 << 20
# A run's folder of large results, in the temporary folder: ``briefgen-results-<pid>-<random>``.
SPILL_PREFIX = "briefgen-results-"


@dataclass(frozen=True, slots=True)
class _Pickled:
    data: bytes


@dataclass(frozen=True, slots=True)
class _Spilled:
    path: str


class _Spill:
    """A file-like sink for a pickle: it keeps what it is given in memory up to
    ``SPILL_BYTES``, then writes it all to a file. A large result (the filled document of
    a 10 MB briefing) then never exists whole as bytes: not in the worker, which would hold
    it beside the objects it pickles, nor in the parent, beside the objects it unpickles."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.parts: list[bytes] = []
        self.size = 0
        self.file: BinaryIO | None = None

    def write(self, data: bytes) -> int:
        if self.file is not None:
            return self.file.write(data)
        self.parts.append(bytes(data))
        self.size += len(data)
        if self.size > SPILL_BYTES:
            self.file = open(self.path, "xb")  # noqa: SIM115 (``result`` closes it)
            self.file.writelines(self.parts)
            self.parts = []
        return len(data)

    def result(self) -> _Pickled | _Spilled:
        if self.file is None:
            return _Pickled(b"".join(self.parts))
        self.file.close()
        return _Spilled(self.path)


def _run(index: int) -> _Pickled | _Spilled:
    result = _inherited[index]()
    sink = _Spill(os.path.join(_spill_folder[0], f"{os.getpid()}-{index}"))
    try:
        pickle.Pickler(sink, protocol=pickle.HIGHEST_PROTOCOL).dump(result)
        return sink.result()
    except OSError:  # no room for the file (a full temporary folder): through the pipe
        if sink.file is not None:
            sink.file.close()
        with contextlib.suppress(OSError):
            os.unlink(sink.path)
        return _Pickled(pickle.dumps(result, pickle.HIGHEST_PROTOCOL))


def _unpickled(sent: _Pickled | _Spilled) -> object:
    if isinstance(sent, _Pickled):
        return pickle.loads(sent.data)
    with open(sent.path, "rb") as spilled:
        result = pickle.load(spilled)
    os.unlink(sent.path)
    return result


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int | None = None) -> None:
    """End this forked process when its parent ends: a build killed with ``kill -9`` must
    not leave workers running. Linux delivers a signal (``PR_SET_PDEATHSIG``); elsewhere a
    thread watches for the parent to go."""
    expected = parent if parent is not None else os.getppid()
    armed = False
    if sys.platform.startswith("linux"):
        try:
            armed = ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) == 0
        except (OSError, AttributeError):
            armed = False
    if not armed:
        threading.Thread(target=_watch_parent, args=(expected,), daemon=True).start()
    if os.getppid() != expected:  # the parent was gone before the signal was armed
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def process_pool(workers: int) -> ProcessPoolExecutor:
    """Forked workers (they inherit this process's model) that end with this process."""
    # Imported when workers are first needed, not by builds that make little.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=die_with_parent, initargs=(os.getpid(),))


def can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def stream_all(jobs: Sequence[Callable[[], T]], workers: int, minimum: int = 64,
               batch: int = 8) -> Iterator[T]:
    """Call every job and yield the results in order, each as soon as it and those before
    it are done: the caller takes in the first results while the workers make the next
    (the command line's parent process would otherwise wait, then work while they wait).
    Jobs are handed out ``batch`` at a time, so that a worker with quick jobs takes more."""
    if workers < 1 or len(jobs) < minimum or _inherited or not can_fork():
        for job in jobs:
            yield job()
        return
    _inherited.extend(jobs)
    remove_abandoned(SPILL_PREFIX)
    _spill_folder.append(private_folder(SPILL_PREFIX))
    # Objects the workers inherit stay shared only while nobody writes to their pages; the
    # collector would (it marks every object it visits), so keep it away from them.
    gc.freeze()
    try:
        from concurrent.futures.process import BrokenProcessPool

        try:
            with process_pool(workers) as pool:
                for sent in pool.map(_run, range(len(jobs)), chunksize=batch):
                    yield _unpickled(sent)  # type: ignore[misc]
        except BrokenProcessPool as exc:
            raise WorkerDied("a worker process of this build ended abruptly (killed: out of "
                             "memory?)") from exc
    finally:
        gc.unfreeze()
        _inherited.clear()
        shutil.rmtree(_spill_folder.pop(), ignore_errors=True)
