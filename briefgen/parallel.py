"""Running many small, independent jobs in worker processes that share the parent's model.

Workers are forked after the model is built, so they inherit it instead of receiving it
pickled; only each result travels back. Where fork is unavailable, or the work is small,
everything runs in this process.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")

# The jobs of the current run, read by forked workers. It is set only for the duration of
# one stream_all() call, which is how the workers inherit them without pickling.
_inherited: list[Callable[[], object]] = []


def _run(index: int) -> object:
    return _inherited[index]()


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
    # Objects the workers inherit stay shared only while nobody writes to their pages; the
    # collector would (it marks every object it visits), so keep it away from them.
    gc.freeze()
    try:
        with process_pool(workers) as pool:
            yield from pool.map(_run, range(len(jobs)), chunksize=batch)  # type: ignore[misc]
    finally:
        gc.unfreeze()
        _inherited.clear()
