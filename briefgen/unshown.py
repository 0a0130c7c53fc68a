"""Markdown that CommonMark reads otherwise than its editor meant, published without a word.

- A footnote definition that nothing refers to is dropped, with every line folded into it.

Each is a warning where it is written. A missing footnote definition is an inline problem,
reported with the others by the document parser (see ``footnotes``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from markdown_it.token import Token

from briefgen.errors import Diagnostics, Loc, split_lines
from briefgen.footnotes import UNUSED_NOTES, Unused

# A 0-based line of a Markdown text and a literal written on it (or starting it) -> where
# the literal stands in the file.
Place = Callable[[int, str], Loc]


def report_unshown(tokens: Sequence[Token], env: dict[str, Any], text: str, place: Place,
                   diags: Diagnostics) -> None:
    """Warn of what the parse of one Markdown text (``text``, with ``env``) left unshown."""
    notes: list[Unused] = env.get(UNUSED_NOTES, [])
    if notes:
        lines = split_lines(text)
        for note in notes:
            _unused_note(note, lines, place, diags)


def _line(lines: Sequence[str], number: int) -> str:
    return lines[number] if 0 <= number < len(lines) else ""


def _unused_note(note: Unused, lines: Sequence[str], place: Place, diags: Diagnostics) -> None:
    literal = f"[^{note.label}]"
    taken = sum(1 for number in range(note.start, note.end) if _line(lines, number).strip())
    raw = _line(lines, note.start)
    diags.warning(place(note.start, raw[max(raw.find(literal), 0):]),
                  f"footnote {literal} is never referred to, so its text "
                  f"({taken} line{'s' if taken != 1 else ''}) is not shown; refer to it with "
                  f"{literal} or remove it", span=len(literal) + 1)
