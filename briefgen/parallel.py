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
        # One share per worker, handed out at the start, so that nothing more has to be
        # handed out while this process is busy with the jobs of ``here``. Each share takes
        # every n-th job: expensive jobs, which come together in the list, are spread evenly.
        order = [i for start in range(workers) for i in range(start, len(jobs), workers)]
        share = -(-len(jobs) // workers)
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = pool.map(_run, order, chunksize=share)  # starts the workers
            mine = [job() for job in here]
            theirs: list[object] = [None] * len(jobs)
            for index, result in zip(order, results, strict=True):
                theirs[index] = result
            return mine + theirs  # type: ignore[operator]
    finally:
        gc.unfreeze()
        _inherited.clear()
