"""What each template receives. Theme authors: this file is the reference (docs/theming.md).

Every template gets ``site`` and ``page``; each page kind adds the fields of its dataclass.
Rendered Markdown arrives as HTML strings marked safe; everything else is escaped by Jinja.

Everything here was read through the page's reader, so that the page is made again when it
changes: a page's own document arrives whole (``Actor``, ``Source`` of ``model``), other
documents as their identities (``ActorIdent``, ``SourceIdent``, ``BriefingCard``), and entries
in lists as ``EntryView``s that read their entry only when a template asks for more than the
list item.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from briefgen.dates import DateValue
from briefgen.engine.deps import Part, Reader
from briefgen.model import Actor, Source
from briefgen.site.citeforms import cite_anchor
from briefgen.site.documents import ActorIdent, SourceIdent
from briefgen.site.filled import RenderedBriefing, RenderedDoc
from briefgen.site.media import Figure
from briefgen.site.pieces import BriefingCard


@dataclass(frozen=True, slots=True)
class NavItem:
    title: str
    rel: str  # site path, e.g. "briefings/"


@dataclass(frozen=True, slots=True)
class SiteInfo:
    title: str
    description: str
    language: str
    base_url: str
    nav: tuple[NavItem, ...]
    citation_style: str
    generator: str


@dataclass(frozen=True, slots=True)
class PageMeta:
    """The page's own metadata: used in <head>, OpenGraph and the canonical link."""

    rel: str  # site path of the page ("" for home)
    title: str  # the page's own title, without the site's
    description: str
    canonical: str  # absolute URL
    og_type: str = "website"
    json_ld: tuple[dict[str, Any], ...] = ()
    feed: str | None = None  # site path of an Atom feed about this page's subject
    noindex: bool = False  # the 404 page, and pages that show a draft or scheduled briefing
    section: str = ""  # which nav item is current: "briefings", "actors", …
    image: Figure | None = None  # og:image: the lead image or portrait (never an SVG)
    twitter_card: str = "summary"  # "summary_large_image" for a briefing with a lead image


class EntryView:
    """An entry in a list: the fingerprint of its list item (``entry_list`` joins the items
    into the page), and, should a template ask, everything of the entry (read then, and
    recorded for the page)."""

    __slots__ = ("_reader", "briefing_id", "id", "place")

    def __init__(self, reader: Reader, briefing_id: str, entry_id: str, place: Part) -> None:
        self._reader, self.place = reader, place
        self.briefing_id, self.id = briefing_id, entry_id

    @property
    def fp(self) -> str:
        return self.place.fp

    def item_html(self, reader: Reader) -> str:
        items = dict(reader.get(self.place.key))
        return str(items.get(self.place.part, ""))

    def __getattr__(self, name: str) -> Any:
        rb: RenderedBriefing = self._reader.get(("fill", "briefings", self.briefing_id))
        entry = rb.entry(self.id)
        if entry is None:
            raise AttributeError(name)
        return getattr(entry, name)


class Backlinks(Sequence[str]):
    """The element ids of a page's links to one source's item, in order, each made when it
    is read: a link-dense page has a hundred thousand."""

    __slots__ = ("numbers", "source_id")

    def __init__(self, source_id: str, numbers: Sequence[int]) -> None:
        self.source_id, self.numbers = source_id, numbers

    def __len__(self) -> int:
        return len(self.numbers)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...

    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        return cite_anchor(self.source_id, self.numbers[index])

    def __iter__(self) -> Iterator[str]:
        return (cite_anchor(self.source_id, n) for n in self.numbers)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


class Labelled(Sequence[tuple[str, str]]):
    """Each backlink with its label: a, b, … z, aa, ab … (as Wikipedia's), made when read."""

    __slots__ = ("backlinks",)

    def __init__(self, backlinks: Sequence[str]) -> None:
        self.backlinks = backlinks

    def __len__(self) -> int:
        return len(self.backlinks)

    @overload
    def __getitem__(self, index: int) -> tuple[str, str]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[str, str]]: ...

    def __getitem__(self, index: int | slice) -> tuple[str, str] | list[tuple[str, str]]:
        if isinstance(index, slice):
            return list(self)[index]
        position = range(len(self))[index]
        return self.backlinks[position], letters(position + 1)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((anchor, letters(n)) for n, anchor in enumerate(self.backlinks, start=1))


class CardView:
    """A briefing in a list: where its card's HTML is (``card_list`` joins the cards into
    the page), and, should a template ask, everything of the card (read then, and recorded
    for the page)."""

    __slots__ = ("_reader", "briefing_id", "place")

    def __init__(self, reader: Reader, briefing_id: str, place: Part) -> None:
        self._reader, self.briefing_id, self.place = reader, briefing_id, place

    def item_html(self, reader: Reader) -> str:
        return str(reader.get(self.place.key))

    def __getattr__(self, name: str) -> Any:
        card: BriefingCard | None = self._reader.get(("card", self.briefing_id))
        if card is None:
            raise AttributeError(name)
        return getattr(card, name)


@dataclass(frozen=True, slots=True)
class CitedSource:
    """One item of a page's Sources list, in order of first citation."""

    number: int
    anchor: str  # element id of the item ("bg-source-<id>")
    source: SourceIdent
    publisher_actor: ActorIdent | None
    backlinks: Sequence[str] = ()  # element ids of the page's links to the item, in order
    label: str = ""  # how author-date citations name it ("King 2024a"); "" in the numeric style

    @property
    def back(self) -> Labelled:
        """Each backlink with its label: a, b, … z, aa, ab … (as Wikipedia's)."""
        return Labelled(self.backlinks)


def letters(n: int) -> str:
    """1 → a, 26 → z, 27 → aa: bijective base 26."""
    text = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


@dataclass(frozen=True, slots=True)
class TagLink:
    """A topic named on a page."""

    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class HomeContext:
    briefings: tuple[BriefingCard, ...]  # latest first
    entries: tuple[EntryView, ...]  # latest first
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class BriefingContext:
    briefing: RenderedBriefing
    sources: tuple[CitedSource, ...]
    actors: tuple[ActorIdent, ...]  # every actor the briefing links to
    tags: tuple[TagLink, ...]
    actor_by_id: dict[str, ActorIdent]  # for each entry's actor chips
    source_by_id: dict[str, CitedSource]  # for each entry's source chips
    status: str = "published"  # "draft" or "scheduled" in builds that show them


@dataclass(frozen=True, slots=True)
class BriefingListContext:
    briefings: tuple[CardView, ...]  # newest first


@dataclass(frozen=True, slots=True)
class RoleView:
    title: str
    start: DateValue | None
    end: DateValue | None


@dataclass(frozen=True, slots=True)
class ActorContext:
    actor: Actor
    doc: RenderedDoc
    sources: tuple[CitedSource, ...]
    entries: tuple[EntryView, ...]  # ascending date order, across briefings
    briefings: tuple[BriefingCard, ...]
    co_actors: tuple[tuple[ActorIdent, int], ...]  # most frequent first
    members: tuple[tuple[ActorIdent, RoleView], ...]  # actors whose roles point here
    role_targets: dict[str, ActorIdent]  # actor id → actor, for each role's "of"


@dataclass(frozen=True, slots=True)
class ActorGroup:
    kind: str
    label: str
    actors: tuple[tuple[ActorIdent, int], ...]  # with the number of entries that link to each


@dataclass(frozen=True, slots=True)
class ActorListContext:
    groups: tuple[ActorGroup, ...]
    summaries: dict[str, str]  # by actor id: the summary as plain text, "" if none


@dataclass(frozen=True, slots=True)
class SourceContext:
    source: Source
    doc: RenderedDoc
    sources: tuple[CitedSource, ...]
    publisher_actor: ActorIdent | None
    entries: tuple[EntryView, ...]  # entries that cite it, ascending
    briefings: tuple[BriefingCard, ...]  # briefings that cite it anywhere


@dataclass(frozen=True, slots=True)
class SourceListItem:
    source: SourceIdent
    cited: int  # how many entries cite it
    publisher_actor: ActorIdent | None  # the actor the publisher names, if any

    @property
    def publisher(self) -> str:
        return self.publisher_actor.name if self.publisher_actor else self.source.publisher


@dataclass(frozen=True, slots=True)
class SourceListContext:
    sources: tuple[SourceListItem, ...]  # newest first


@dataclass(frozen=True, slots=True)
class TimelineContext:
    entries: tuple[EntryView, ...]  # ascending
    years: tuple[int, ...]
    year: int | None = None  # set on a year page
    # On /timeline/: (year, its entries) for every year, ascending; empty on a year page.
    by_year: tuple[tuple[int, tuple[EntryView, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class TagView:
    slug: str
    name: str
    briefings: tuple[BriefingCard, ...]  # newest first


@dataclass(frozen=True, slots=True)
class TagSummary:
    slug: str
    name: str
    briefings: tuple[str, ...]  # the ids of its briefings, newest first


@dataclass(frozen=True, slots=True)
class TagListContext:
    tags: tuple[TagSummary, ...]


@dataclass(frozen=True, slots=True)
class TagContext:
    tag: TagView


@dataclass(frozen=True, slots=True)
class FreePageContext:
    doc: RenderedDoc
    sources: tuple[CitedSource, ...]
    title: str
    status: str = "published"  # "draft" in builds with --drafts


@dataclass(frozen=True, slots=True)
class SearchContext:
    index_rel: str  # site path of the search index's manifest (its other files are beside it)


@dataclass(frozen=True, slots=True)
class NotFoundContext:
    pass


@dataclass(frozen=True, slots=True)
class Common:
    site: SiteInfo
    page: PageMeta
