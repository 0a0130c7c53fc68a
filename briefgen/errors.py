"""Diagnostics: content problems with a location, collected rather than raised."""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple, Protocol

from briefgen.chars import visible
from briefgen.filesystem import FileProblem, read_regular


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
        """``path:line:col: severity: message`` on one line, whatever the path and message
        hold (see ``chars.visible``)."""
        message = visible(self.message)
        if not self.path:  # a problem of the build itself, not of a file
            return f"briefgen: {self.severity.value}: {message}"
        return f"{visible(self.path)}:{self.loc.line}:{self.loc.col}: {self.severity.value}: {message}"


class WorkerDied(Exception):
    """A worker process ended before its jobs were done (the kernel's out-of-memory killer,
    a signal): the build fails with this message, its output and cache as they were."""


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


def not_utf8(data: bytes) -> tuple[Loc, str]:
    """Where the first byte of ``data`` that is not UTF-8 is (its line, and its column in
    characters as every other column, a byte-order mark left out), and what to say there."""
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        lines = split_lines(body[:exc.start].decode("utf-8") + "x")  # its own line at the end
        return (Loc(len(lines), len(lines[-1])),
                f"not UTF-8 text (byte \\x{body[exc.start]:02x}); save the file as UTF-8")
    return FILE_START, "not UTF-8 text; save the file as UTF-8"


def split_lines(text: str) -> list[str]:
    """The lines that a ``Loc`` counts: broken at a line feed, a carriage return or both, as
    editors and Markdown break them (not at the other characters ``str.splitlines`` takes)."""
    return _LINE_BREAK.split(text.removesuffix("\n").removesuffix("\r")) if text else []


_LINE_BREAK = re.compile("\r\n|\r|\n")


class SourceLines:
    """Reads the lines of site files on demand, for the context under a diagnostic.

    Only regular files are read, never blocking, up to the size limit of content files, and
    never through a symbolic link that leads out of the site or into a hidden folder of it (a
    diagnostic about a refused link must not print a line of what it points to)."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._cache: dict[str, list[str]] = {}

    def line(self, path: str, number: int) -> str | None:
        if path not in self._cache:
            self._cache[path] = split_lines(self._read(path))
        lines = self._cache[path]
        if not 1 <= number <= len(lines):
            return None
        return lines[number - 1]

    def _read(self, path: str) -> str:
        try:
            root = os.path.realpath(self._root)
            full = os.path.join(root, path)
            real = os.path.realpath(full)
            inner = real[len(root) + 1:].split(os.sep) if real.startswith(root + os.sep) else None
            inside = inner is not None and not any(part.startswith(".") for part in inner)
            if not inside and real != os.path.normpath(full):
                return ""
            data = read_regular(real)
        except (OSError, ValueError, FileProblem):
            return ""
        # A byte that is not UTF-8 is kept (as U+DC80 to U+DCFF) and shown as ``\\xff``.
        return data.decode("utf-8-sig", errors="surrogateescape")


def format_diagnostic(diag: Diagnostic, sources: SourceLines | None = None) -> str:
    """The headline, then the source line and a caret under the column, when known. Control
    characters and line breaks in either are shown as escapes: one diagnostic is one headline
    and at most two lines of context, whatever the file holds."""
    return format_located(diag.headline(), diag.path, diag.loc, diag.span, sources)


def format_located(text: str, path: str, loc: Loc, span: int,
                   sources: SourceLines | None = None) -> str:
    """``text`` (a headline), then the line of ``path`` at ``loc`` with a caret under
    ``span`` characters from its column (see ``format_diagnostic``)."""
    source = sources.line(path, loc.line) if sources and path else None
    if source is None or not source.strip():
        return text
    col = max(1, min(loc.col, len(source) + 1))
    # A long line is shown around the column only: a file whose one line holds thousands
    # of problems would otherwise print that line thousands of times.
    start = max(0, min(col - 1 - ECHO_BEFORE, len(source) - ECHO_WIDTH))
    shown = source[start:start + ECHO_WIDTH].replace("\t", " ")
    before = "…" if start else ""
    after = "…" if start + ECHO_WIDTH < len(source) else ""
    gutter = str(loc.line)
    pad = " " * len(gutter)
    col -= start
    span = max(1, min(span, len(shown) - col + 1))
    # Escapes are wider than the characters they stand for: measure the caret after them.
    lead = len(before) + len(visible(shown[:col - 1]))
    width = max(1, len(visible(shown[col - 1:col - 1 + span])))
    caret = " " * lead + "^" + "~" * (width - 1)
    return f"{text}\n  {gutter} | {before}{visible(shown)}{after}\n  {pad} | {caret}"


ECHO_WIDTH = 200  # characters of a source line shown under a diagnostic
ECHO_BEFORE = 60  # of which before the column, when the line is longer


def sorted_diagnostics(items: Iterable[Diagnostic]) -> list[Diagnostic]:
    unique = {(d.path, d.loc, d.severity, d.message): d for d in items}
    return sorted(unique.values(), key=Diagnostic.sort_key)
