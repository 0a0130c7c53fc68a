"""The values of Markdown rendered ahead (``fragments``): the HTML and text of a piece of
Markdown, and the links and citations waiting in it for the index. Apart from the renderer,
so that the model of documents imports no Markdown parser.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, NamedTuple, overload

from briefgen.citations import CiteItem, Phrase
from briefgen.errors import Loc


class Ref(NamedTuple):
    """A link or citation waiting for the index: where it stands and what it names. (Its
    line and column are fields of their own, not a ``Loc``: a link-dense document holds
    hundreds of thousands of refs.)"""

    target: str | None  # a link's target; None for a citation
    label: str | None  # a link's own label; a citation's text if it does not parse
    items: tuple[CiteItem, ...]  # a citation's sources and locators; none if it does not parse
    line: int
    col: int
    span: int  # length of its literal text, for the caret under an error
    block: str | None  # the entry or section it stands in; None for the lead and notes
    # False in one-line fields (summary): shown also on pages without a Sources list, where
    # their citations keep words instead of numbers.
    linked: bool = True
    alt: bool = False  # in an image's alt text: filled as plain text
    # An in-text citation (``@id``): its text as written, shown when no source has the id.
    intext: Phrase | None = None
    # An image: its path as written. It fills the attributes that say which file to show.
    image: str | None = None

    @property
    def loc(self) -> Loc:
        return Loc(self.line, self.col)


_NUMBERS = (3, 4, 5)  # line, col, span
_OBJECTS = (0, 1, 2, 6, 7, 8, 9, 10)  # the other fields


class RefTable(Sequence[Ref]):
    """A document's refs, kept by field rather than one tuple each: a link-dense document
    holds hundreds of thousands, which take less than half the memory this way, and travel
    from a worker process as a few long columns (one object each) instead of that many
    objects. Each ``Ref`` is made again when it is read."""

    __slots__ = ("_columns", "_numbers")

    def __init__(self, refs: Sequence[Ref] = ()) -> None:
        # Line, column and span as machine integers; the other fields as tuples. One column
        # at a time: no more than the table is made besides the refs.
        self._numbers = tuple(array("q", map(itemgetter(i), refs)) for i in _NUMBERS)
        self._columns = tuple(tuple(map(itemgetter(i), refs)) for i in _OBJECTS)

    def __len__(self) -> int:
        return len(self._columns[0])

    def __iter__(self) -> Iterator[Ref]:
        target, label, items, block, linked, alt, intext, image = self._columns
        line, col, span = self._numbers
        return map(Ref._make, zip(target, label, items, line, col, span, block, linked, alt,
                                  intext, image, strict=True))

    @overload
    def __getitem__(self, index: int) -> Ref: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Ref, ...]: ...

    def __getitem__(self, index: int | slice) -> Ref | tuple[Ref, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        target, label, items, block, linked, alt, intext, image = self._columns
        line, col, span = self._numbers
        return Ref(target[index], label[index], items[index], line[index], col[index],
                   span[index], block[index], linked[index], alt[index], intext[index],
                   image[index])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RefTable):
            return self._columns == other._columns and self._numbers == other._numbers
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __reduce__(self) -> tuple[object, ...]:
        return (_ref_table, (self._columns, self._numbers))


def _ref_table(columns: tuple[tuple[Any, ...], ...], numbers: tuple[array[int], ...]) -> RefTable:
    table = RefTable.__new__(RefTable)
    table._columns, table._numbers = columns, numbers
    return table


@dataclass(frozen=True)
class Fragment:
    html: str
    text: str  # plain text for search, feeds and excerpts
    source: str = ""  # the Markdown it came from, kept for one-line fields


EMPTY = Fragment("", "")
