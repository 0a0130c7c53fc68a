"""Splitting a Markdown file into its YAML front matter and its body."""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefgen.errors import Loc

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


@dataclass(frozen=True, slots=True)
class Split:
    yaml_text: str | None
    yaml_first_line: int  # file line of the YAML text's first line
    body: str
    body_first_line: int
    problem: tuple[Loc, str] | None = None


def split_front_matter(text: str) -> Split:
    """A file that starts with a ``---`` line has YAML up to the next ``---`` (or ``...``)."""
    # Lines as Markdown and every Loc count them: not broken at U+2028 and the like.
    lines = _LINE.findall(text)
    if not lines or lines[0].rstrip() != "---":
        return Split(None, 1, text, 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return Split("".join(lines[1:index]), 2, "".join(lines[index + 1:]), index + 2)
    return Split(None, 1, text, 1,
                 (Loc(1, 1), "front matter is not closed: add a line with --- after it"))
