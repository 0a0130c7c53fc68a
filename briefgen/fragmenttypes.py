"""The values of Markdown rendered ahead (``fragments``): the HTML and text of a piece of
Markdown, and the links and citations waiting in it for the index. Apart from the renderer,
so that the model of documents imports no Markdown parser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

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


@dataclass(frozen=True)
class Fragment:
    html: str
    text: str  # plain text for search, feeds and excerpts
    source: str = ""  # the Markdown it came from, kept for one-line fields


EMPTY = Fragment("", "")
