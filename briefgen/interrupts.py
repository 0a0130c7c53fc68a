"""Steps that must run to their end once begun, whatever the keyboard says."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_HELD = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
              if hasattr(signal, name))


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Ctrl-C (and SIGTERM, SIGHUP) wait until the block is done, then take effect as they
    would have: the moves of the editor's files into the new site and the exchange of the
    two folders are never left half-done by a key press (a ``kill -9`` is what recovery is
    for). Only the main thread sets handlers; elsewhere the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    previous = {signum: signal.getsignal(signum) for signum in _HELD}
    for signum in _HELD:
        signal.signal(signum, hold)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        if caught:
            signal.raise_signal(caught[0])
