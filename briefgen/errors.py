"""Diagnostics: content problems with a location, collected rather than raised."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple, Protocol


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Loc(NamedTuple):
    """A 1-based line and column in a file. (Named tuples, not dataclasses, for the small
    records that documents hold by the hundred thousand: the build cache unpickles them
    about twice as fast.)"""

    line: int = 1
    col: int = 1


FILE_START = Loc(1, 1)


@dataclass(frozen=True)
class Diagnostic:
    """One problem in one file. ``path`` is relative to the site folder, POSIX style."""

    path: str
    loc: Loc
    severity: Severity
    message: str
    # How many characters the caret underlines (at least one).
    span: int = 1

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.loc.line, self.loc.col, self.message)

    def headline(self) -> str:
        if not self.path:  # a problem of the build itself, not of a file
            return f"briefgen: {self.severity.value}: {self.message}"
        return f"{self.path}:{self.loc.line}:{self.loc.col}: {self.severity.value}: {self.message}"


@dataclass(slots=True)
class Diagnostics:
    """A collector for one file (or the whole site): append, never raise."""

    path: str
    items: list[Diagnostic] = field(default_factory=list)

    def error(self, loc: Loc, message: str, span: int = 1) -> None:
        self.items.append(Diagnostic(self.path, loc, Severity.ERROR, message, span))

    def warning(self, loc: Loc, message: str, span: int = 1) -> None:
        self.items.append(Diagnostic(self.path, loc, Severity.WARNING, message, span))


class Progress(Protocol):
    """Told how far a long phase has got: ``progress("Rendering pages", 1200, 5000)``."""

    def __call__(self, phase: str, done: int, total: int) -> None: ...


def no_progress(phase: str, done: int, total: int) -> None:
    """The default: say nothing."""


def has_errors(items: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in items)


class SourceLines:
    """Reads the lines of site files on demand, for the context under a diagnostic."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._cache: dict[str, list[str]] = {}

    def line(self, path: str, number: int) -> str | None:
        if path not in self._cache:
            try:
                text = (self._root / path).read_text(encoding="utf-8-sig", errors="replace")
            except OSError:
                text = ""
            self._cache[path] = text.splitlines()
        lines = self._cache[path]
        if not 1 <= number <= len(lines):
            return None
        return lines[number - 1]


def format_diagnostic(diag: Diagnostic, sources: SourceLines | None = None) -> str:
    """The headline, then the source line and a caret under the column, when known."""
    text = diag.headline()
    source = sources.line(diag.path, diag.loc.line) if sources and diag.path else None
    if source is None or not source.strip():
        return text
    col = max(1, min(diag.loc.col, len(source) + 1))
    # A long line is shown around the column only: a file whose one line holds thousands
    # of problems would otherwise print that line thousands of times.
    start = max(0, min(col - 1 - ECHO_BEFORE, len(source) - ECHO_WIDTH))
    shown = source[start:start + ECHO_WIDTH].replace("\t", " ")
    before = "…" if start else ""
    after = "…" if start + ECHO_WIDTH < len(source) else ""
    gutter = str(diag.loc.line)
    pad = " " * len(gutter)
    col -= start
    span = max(1, min(diag.span, len(shown) - col + 1))
    caret = " " * (len(before) + col - 1) + "^" + "~" * (span - 1)
    return f"{text}\n  {gutter} | {before}{shown}{after}\n  {pad} | {caret}"


ECHO_WIDTH = 200  # characters of a source line shown under a diagnostic
ECHO_BEFORE = 60  # of which before the column, when the line is longer


def sorted_diagnostics(items: Iterable[Diagnostic]) -> list[Diagnostic]:
    unique = {(d.path, d.loc, d.severity, d.message): d for d in items}
    return sorted(unique.values(), key=Diagnostic.sort_key)
