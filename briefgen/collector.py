"""Python's cycle collector during a build, and the memory of a process that lives on.

A build holds millions of small objects for its whole run and makes few reference cycles:
the collector, left on, would walk them all again and again, so a build runs with it off.
Rendering pages does make cycles (a Jinja template with macros leaves its context in one
after every render), and with the collector off they pile up for the rest of the build —
about a tenth of a large preview's memory. So, before the pages are made, everything alive
is set apart (``gc.freeze``: it is never walked again during the build) and the young
objects alone are collected as the pages go (``collect_young``), each time a few thousand
have been made, which costs about what they cost to make.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 20_000  # objects made since the last collection that make it worth one
_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
LARGE_BLOCK = 128 * 1024


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for a build, and as it was afterwards, every object walked again
    by later collections (the preview process lives on)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def set_apart_old() -> None:
    """What is alive now stays alive for the rest of the build: never walked again."""
    gc.freeze()


def collect_young() -> None:
    """Free the cycles among the objects made since the last collection, if there are many."""
    if gc.get_count()[0] > YOUNG:
        gc.collect(0)


def return_large_blocks() -> None:
    """For a process that lives for hours (the preview): memory blocks of 128 KiB and more
    (a page, a joined file being made) go back to the system as soon as they are freed.
    glibc raises that threshold each time it frees such a block, after which they come from
    the heap and leave it fragmented: at 2,000 briefings that cost 11 MiB of the preview's
    327 MiB peak. Nothing is done where the C library has no ``mallopt``."""
    import ctypes  # here: a build has no need of it

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK)
