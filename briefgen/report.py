"""Printing diagnostics and summaries for people at a terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import TextIO

from briefgen.errors import Diagnostic, Severity, SourceLines, format_diagnostic, sorted_diagnostics

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


def plural(count: int, word: str) -> str:
    if count == 1:
        return f"1 {word}"
    irregular = {"entry": "entries", "briefing": "briefings"}
    return f"{count} {irregular.get(word, word + 's')}"
