"""Printing diagnostics and summaries for people at a terminal."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from briefgen.errors import (
    Diagnostic,
    Severity,
    SourceLines,
    format_diagnostic,
    format_located,
    sorted_diagnostics,
)

if TYPE_CHECKING:
    from briefgen.site.mentions import Mention

_COLORS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m"}
_RESET = "\033[0m"


def use_color(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def print_diagnostics(items: Iterable[Diagnostic], sources: SourceLines,
                      stream: TextIO | None = None) -> tuple[int, int]:
    """Print every diagnostic, sorted by file and line; return (errors, warnings)."""
    stream = stream or sys.stderr
    errors = warnings = 0
    color = use_color(stream)
    for diag in sorted_diagnostics(items):
        text = format_diagnostic(diag, sources)
        if color:
            label = f"{diag.severity.value}:"
            text = text.replace(label, f"{_COLORS[diag.severity]}{label}{_RESET}", 1)
        print(text, file=stream)
        if diag.severity is Severity.ERROR:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def print_mentions(items: Iterable[Mention], sources: SourceLines,
                   stream: TextIO | None = None) -> None:
    """The unlinked mentions of actors, by file and line, on standard output."""
    stream = stream or sys.stdout
    for mention in sorted(items, key=lambda m: (m.path, m.loc, m.text)):
        print(format_located(mention.headline(), mention.path, mention.loc, len(mention.text),
                             sources), file=stream)


class TerminalProgress:
    """One self-overwriting status line on a terminal, for builds that take a while."""

    def __init__(self, stream: TextIO | None = None, delay: float = 0.5) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.started = time.monotonic()
        self.delay = delay  # say nothing for builds shorter than this
        self.shown = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled or time.monotonic() - self.started < self.delay:
            return
        self.stream.write(f"\r\033[K{phase} {done}/{total}")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def plural(count: int, word: str) -> str:
    if count == 1:
        return f"1 {word}"
    irregular = {"entry": "entries", "briefing": "briefings"}
    return f"{count} {irregular.get(word, word + 's')}"
