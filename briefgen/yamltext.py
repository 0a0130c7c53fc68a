"""YAML text as an editor sees it: lines with their indentation, a list item's ``-`` and a
key, read without a parser, for telling a syntax error in plain words (``yamlerrors``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

import yaml

from briefgen.errors import Loc

Place = Callable[[int, int], Loc]  # a 0-based line and column of the YAML text -> the file's

_KEY = r"[\w][\w.-]*"
_LINE_START = re.compile(r"(?P<indent> *)(?P<dash>-(?: +|$))?")
_KEY_AT = re.compile(rf"(?P<key>{_KEY}) *:(?: +|$)")
_NO_SPACE = re.compile(rf"(?P<key>{_KEY}):(?P<rest>[^\s:/].*)")
BLOCK_HEADER = re.compile(r"[|>][-+0-9]*\s*(#.*)?")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of YAML as an editor sees it: indentation, a list item's ``-``, a key."""

    number: int  # 0-based, as libyaml counts
    text: str
    indent: int
    dash: int | None  # the column of a list item's '-'
    content: int  # where what follows the indentation and the '- ' starts
    key: str | None
    value_col: int  # where the value after 'key: ' starts (the line's end when none)

    @property
    def value(self) -> str:
        """The text after 'key: ', or after a list item's '- ' when no key follows it."""
        return self.text[self.value_col:].rstrip() if self.key else \
            self.text[self.content:].rstrip() if self.dash is not None else ""

    @property
    def name(self) -> str:
        return f"'{self.key}'" if self.key else "the list item"

    @property
    def column(self) -> int:
        """Where the key, else the list item, starts: a line indented further goes on with
        its value."""
        return self.content if self.key or self.dash is None else self.dash

    @property
    def blank(self) -> bool:
        stripped = self.text.strip()
        return not stripped or stripped.startswith("#")

    @property
    def structural(self) -> bool:
        """A key or a list item: a line whose column says where it belongs."""
        return self.key is not None or self.dash is not None

    def no_space_key(self) -> re.Match[str] | None:
        """``key:value``, the space after the colon forgotten."""
        return None if self.key else _NO_SPACE.match(self.text, self.content)

    def levels(self) -> list[tuple[int, str]]:
        """The columns this line opens, right to left, with a name for each."""
        found = [(self.content, f"'{self.key}'")] if self.key else []
        if self.dash is not None:
            found.append((self.dash, "the list item"))
        return found


def parse_line(number: int, text: str) -> Line:
    start = _LINE_START.match(text)
    assert start is not None  # the pattern matches the empty string
    indent, content = len(start["indent"]), start.end()
    dash = indent if start["dash"] else None
    key = _KEY_AT.match(text, content)
    return Line(number, text, indent, dash, content, key["key"] if key else None,
                key.end() if key else len(text))


@dataclass(frozen=True)
class Source:
    """The YAML text as libyaml breaks it into lines, and how to name places in the file."""

    text: str
    place: Place
    front_matter: bool
    loader: type

    @cached_property
    def lines(self) -> list[Line]:
        raw = re.split("\r\n|[\r\n\x85\u2028\u2029]", self.text)
        if len(raw) > 1 and not raw[-1]:
            raw.pop()
        return [parse_line(n, text) for n, text in enumerate(raw)]

    def line(self, number: int) -> Line:
        return self.lines[number] if 0 <= number < len(self.lines) else parse_line(number, "")

    def char(self, line: int, col: int) -> str:
        text = self.line(line).text
        return text[col] if 0 <= col < len(text) else ""

    def number(self, line: int) -> int:
        """The line as the editor's file counts it."""
        return self.place(line, 0).line

    def ends(self) -> str:
        """Where the text ends, in words: the file's last line or the front matter's '---'."""
        last = self.number(max(len(self.lines) - 1, 0))
        return f"the front matter ends on line {last + 1}" if self.front_matter else \
            f"the file ends on line {last}"

    def above(self, line: int) -> Iterator[Line]:
        """The lines above ``line`` that hold something, nearest first."""
        for number in range(min(line, len(self.lines)) - 1, -1, -1):
            if not self.lines[number].blank:
                yield self.lines[number]

    def tokens_before(self, line: int, col: int) -> list[yaml.Token]:
        """libyaml's tokens that end before a place (scanning stops at the error)."""
        found: list[yaml.Token] = []
        try:
            for token in yaml.scan(self.text, Loader=self.loader):
                if (token.end_mark.line, token.end_mark.column) > (line, col):
                    break
                found.append(token)
        except yaml.YAMLError:
            pass
        return found


def quoted(value: str) -> str:
    """``value`` as a quoted YAML scalar (shortened when long)."""
    if len(value) > 60:
        value = value[:57] + "…"
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"
