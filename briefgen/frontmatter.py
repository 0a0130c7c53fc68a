"""Splitting a Markdown file into its YAML front matter and its body."""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefgen.errors import Loc

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
# A top-level YAML key at the start of its line: ``title:``, ``"title":``.
_KEY = re.compile(r"""(?:[^\s#'"\-?:][^:]*|"[^"]*"|'[^']*'):(?:[ \t]|$)""")
BOM = "\ufeff"


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
        return Split(None, 1, text, 1, _misplaced(lines))
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return Split("".join(lines[1:index]), 2, "".join(lines[index + 1:]), index + 2)
    return Split(None, 1, text, 1,
                 (Loc(1, 1), "front matter is not closed: add a line with --- after it"))


def _misplaced(lines: list[str]) -> tuple[Loc, str] | None:
    """Front matter that does not start the file: blank lines (or text, or spaces) above its
    ``---``. Read as Markdown, its keys would be missing; so it is reported as misplaced when
    the first ``---`` line is closed by another and the lines between start with a key."""
    opening = next((i for i, line in enumerate(lines) if _bare(line) == "---"), None)
    if opening is None or not _keys_follow(lines, opening):
        return None
    line = lines[opening]
    col = line.index("---") + 1
    loc = Loc(opening + 1, col)
    first = "front matter must start on the first line"
    if any(_bare(above) for above in lines[:opening]):
        return loc, (f"{first}; move the text above '---' below the front matter (after the "
                     "closing '---'), or remove it")
    fixes = []
    if opening:
        fixes.append("the blank line above '---'" if opening == 1 else
                     f"the {opening} blank lines above '---'")
    if col > 1:
        before = line[:col - 1]
        what = "the byte order mark (U+FEFF)" if BOM in before else \
            ("the space" if len(before) == 1 else "the spaces")
        fixes.append(f"{what} before {'it' if fixes else repr('---')}")
    if not opening:
        first = "front matter must start at the beginning of the first line"
    return loc, f"{first}; remove {' and '.join(fixes)}"


def _bare(line: str) -> str:
    """A line without its line break, surrounding spaces and byte order marks."""
    return line.replace(BOM, "").strip()


def _keys_follow(lines: list[str], opening: int) -> bool:
    """Whether a line of ``---`` (or ``...``) closes the block that starts after
    ``opening``, and the first line of that block that is not blank or a comment is a key."""
    for line in lines[opening + 1:]:
        bare = _bare(line)
        if bare in ("---", "..."):
            return False  # closed before any key
        if bare and not bare.startswith("#"):
            if _KEY.match(line) is None:
                return False
            break
    else:
        return False
    return any(_bare(line) in ("---", "...") for line in lines[opening + 2:])
