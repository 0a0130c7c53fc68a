"""Where each wikilink and citation stands in its file: a line and a column, in linear time.

A token knows its offset in the Markdown text it was parsed from (``meta["pos"]``); its file
line is the block's line plus the newlines before it in the block. The column is where its
literal text stands on that line. YAML can fold, unescape or re-indent the text, so a literal
missing from its line is then looked for at its first unused place from the text's first
line on.

Every step is linear in the size of the text: the newlines of a block are counted once, from
token to token; each file line is searched from where the last literal found on it ended; and
once a literal is missing from its line, an index of the file's bracketed spans, built once
per file, answers every further look-up by bisection instead of scanning the file again.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Sequence

from markdown_it.token import Token

from briefgen.citerules import BRACKETED
from briefgen.footnotes import MISSING_NOTE
from briefgen.rawhtml import UNCLOSED

# Inline tokens that diagnostics point at (links and images only when their rule noted
# where they start: an autolink is not checked).
LOCATED = frozenset({"wikilink", "citation", "citation_error", UNCLOSED, BRACKETED,
                     MISSING_NOTE, "link_open", "image"})
# A bracketed span without brackets inside: most literals of a citation are one, so is a
# footnote reference, and the literal of a wikilink is one with a bracket more on each side.
_SPAN = re.compile(r"\[[^\[\]]*\]")
_OPENING = {"link_open": len("["), "image": len("![")}  # tokens whose text follows them
_COLUMN_BITS = 32  # a place in the file is packed into one int: line << 32 | column
_COLUMN_MASK = (1 << _COLUMN_BITS) - 1


def _place(line: int, col: int) -> int:
    return line << _COLUMN_BITS | col


class _Occurrences:
    """Every place a link or citation literal stands in the file, by literal, in file order."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.places: dict[str, array[int]] = {}
        for number, raw in enumerate(lines, 1):
            if "[" not in raw:
                continue
            for match in _SPAN.finditer(raw):
                start, end = match.span()
                if "@" in match.group() or match.group().startswith("[^"):
                    self._add(match.group(), _place(number, start))
                if start and raw[start - 1] == "[" and raw.startswith("]", end):
                    self._add(raw[start - 1:end + 1], _place(number, start - 1))

    def _add(self, literal: str, place: int) -> None:
        found = self.places.get(literal)
        if found is None:
            found = self.places[literal] = array("q")
        found.append(place)


class _Newlines:
    """Counts the newlines of one block's text up to an offset, going forward only."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset = 0
        self.count = 0
        self.line_start = 0  # offset of the first character of the line ``offset`` is on

    def advance(self, offset: int) -> int:
        """The number of newlines before ``offset``."""
        if offset < self.offset:  # out of order (never seen in practice): count afresh
            self.offset = self.count = self.line_start = 0
        last = self.text.rfind("\n", self.offset, offset)
        if last >= 0:
            self.count += self.text.count("\n", self.offset, offset)
            self.line_start = last + 1
        self.offset = offset
        return self.count


class Locator:
    """Locates the tokens of one file's Markdown texts; one per file, reused for each text."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines
        self._index: _Occurrences | None = None  # built when a literal is first missing
        # One int object per line number, shared by the links on that line.
        self.numbers: dict[int, int] = {}

    def text(self, first_line: int, inline_line: int | None = None) -> TextSearch:
        """The look-ups of one Markdown text whose first line is file line ``first_line``;
        ``inline_line``: the line of a one-line field, for inline tokens without a block
        line."""
        return TextSearch(self, first_line, inline_line)

    def locate(self, tokens: Sequence[Token], first_line: int,
               inline_line: int | None = None) -> None:
        """Locate the links and citations of every inline token of one text."""
        search = self.text(first_line, inline_line)
        for token in tokens:
            if token.type == "inline":
                search.add(token)

    def find_on_line(self, literal: str, line: int, start: int) -> int:
        """The column of ``literal`` on file line ``line`` from column ``start`` on, or -1."""
        if self._index is None:
            raw = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
            return raw.find(literal, start)
        # Once the index exists, a missing literal costs a bisection, not a scan of the line.
        places = self._index.places.get(literal)
        if places is None:
            return -1
        at = bisect_left(places, _place(line, start))
        if at < len(places) and places[at] >> _COLUMN_BITS == line:
            return places[at] & _COLUMN_MASK
        return -1

    def places(self, literal: str) -> array[int] | None:
        """Every place of ``literal`` in the file, in order (see ``_place``)."""
        if self._index is None:
            self._index = _Occurrences(self.lines)
        return self._index.places.get(literal)


def _located(children: Sequence[Token]) -> Iterator[Token]:
    """The tokens to locate among ``children``, those of images' alt text included, in the
    order of the text."""
    for child in children:
        if child.type in LOCATED and "pos" in child.meta:
            yield child
        if child.type == "image" and child.children:
            yield from _located(child.children)


class TextSearch:
    """The look-ups of one text, fed its inline tokens in order: where on each line the
    last literal found there ended, and for each literal the first of its places not yet
    ruled out."""

    def __init__(self, locator: Locator, first_line: int, inline_line: int | None) -> None:
        self.locator = locator
        self.first_line = first_line
        self.inline_line = inline_line
        self.start_line = first_line if inline_line is None else min(first_line, inline_line)
        self.searched_from: dict[int, int] = {}
        self.next_place: dict[str, int] = {}
        # The newlines of the inline token last added, counted so far: a long one is added
        # in runs of its children, in order.
        self.counted: tuple[Token, _Newlines] | None = None

    def add(self, parent: Token, children: Sequence[Token] | None = None) -> None:
        """Give every wikilink and citation child of ``parent`` (an inline token; of
        ``children``, a run of its children) its file ``line`` and ``col`` (1-based) in
        ``meta``."""
        children = parent.children if children is None else children
        if not children:
            return
        fixed = self.inline_line if self.inline_line is not None and not parent.map else None
        block_line = self.first_line + (parent.map[0] if parent.map else 0)
        if self.counted is None or self.counted[0] is not parent:
            self.counted = (parent, _Newlines(parent.content))
        newlines = self.counted[1]
        for child in _located(children):
            offset = child.meta["pos"]
            count = newlines.advance(offset)
            line = block_line + count if fixed is None else fixed
            self.place(child, line, offset - newlines.line_start)

    def place(self, token: Token, line: int, text_col: int) -> None:
        # A link is found by its whole literal (kept by its rule), a citation wrapped over
        # lines by its first line.
        literal = (token.meta.get("literal") or token.content).partition("\n")[0]
        # What the literal covers: a link or an image only its opening, as the tokens of its
        # text (or alt text) are placed after it.
        covered = _OPENING.get(token.type, len(literal))
        # At or after its column in the text: container markers (``> ``, list indents) and
        # YAML indentation only add to the left, and a removed comment may hold the same
        # literal earlier on the line.
        col = self.locator.find_on_line(literal, line,
                                        max(self.searched_from.get(line, 0), text_col))
        if col < 0:
            found = self._first_unused(literal)
            if found is None:
                # Not in the file as written (an escape changed it): its place in the text.
                col = text_col
                self.searched_from[line] = max(self.searched_from.get(line, 0),
                                               col + covered)
            else:
                line, col = found
                self.searched_from[line] = col + covered
        else:
            self.searched_from[line] = col + covered
        token.meta["line"] = self.locator.numbers.setdefault(line, line)
        token.meta["col"] = col + 1

    def _first_unused(self, literal: str) -> tuple[int, int] | None:
        """The first place of ``literal`` from the text's first line on that no literal found
        before covers. A place ruled out stays ruled out (``searched_from`` only grows), so
        each literal's places are passed over once per text."""
        places = self.locator.places(literal)
        if places is None:
            return None
        at = self.next_place.get(literal)
        if at is None:
            at = bisect_left(places, _place(self.start_line, 0))
        while at < len(places):
            line, col = places[at] >> _COLUMN_BITS, places[at] & _COLUMN_MASK
            at += 1
            if col >= self.searched_from.get(line, 0):
                self.next_place[literal] = at
                return line, col
        self.next_place[literal] = at
        return None
