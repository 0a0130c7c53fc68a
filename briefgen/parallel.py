"""Running many small, independent jobs in worker processes that share the parent's model.

Workers are forked after the model is built, so they inherit it instead of receiving it
pickled; only each result travels back. Where fork is unavailable, or the work is small,
everything runs in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")

# The jobs of the current run, read by forked workers. It is set only for the duration of
# one run_all() call, which is how the workers inherit them without pickling.
_inherited: list[Callable[[], object]] = []


def _run(index: int) -> object:
    return _inherited[index]()


def run_all(jobs: Sequence[Callable[[], T]], workers: int, minimum: int = 64,
            here: Sequence[Callable[[], T]] = ()) -> list[T]:
    """Call every job and return their results in order: first those of ``here``, which
    run in this process (while ``workers`` worker processes take the others), then those
    of ``jobs``. Without workers, or with fewer than ``minimum`` jobs, all run here."""
    if workers < 1 or len(jobs) < minimum or _inherited \
            or "fork" not in multiprocessing.get_all_start_methods():
        return [job() for job in here] + [job() for job in jobs]
    _inherited.extend(jobs)
    # Objects the workers inherit stay shared only while nobody writes to their pages; the
    # collector would (it marks every object it visits), so keep it away from them.
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        chunk = max(1, len(jobs) // (workers * 8))
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = pool.map(_run, range(len(jobs)), chunksize=chunk)  # starts the workers
            mine = [job() for job in here]
            return mine + list(results)  # type: ignore[arg-type]
    finally:
        gc.unfreeze()
        _inherited.clear()
