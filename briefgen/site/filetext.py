"""The value of a content file's input: apart from the parsing that reads it, so that finding
which files changed imports no parser."""

from __future__ import annotations

from dataclasses import dataclass

from briefgen.errors import Diagnostic


@dataclass(frozen=True, slots=True)
class FileText:
    """A content file as read: its text, or why it could not be read."""

    text: str | None
    problems: tuple[Diagnostic, ...] = ()
    missing: bool = False  # the file is gone: it claims no id any more
