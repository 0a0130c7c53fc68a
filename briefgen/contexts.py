"""What each template receives. Theme authors: this file is the reference (docs/theming.md).

Every template gets ``site`` and ``page``; each page kind adds the fields of its dataclass.
Rendered Markdown arrives as HTML strings marked safe; everything else is escaped by Jinja.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from briefgen.graph import Tag
from briefgen.model import Actor, Role, Source
from briefgen.rendered import RenderedBriefing, RenderedDoc, RenderedEntry


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
    fingerprint: str = ""  # stands for the fields above (every page has the same)


@dataclass(frozen=True, slots=True)
class PageMeta:
    """The page's own metadata: used in <head>, OpenGraph and the canonical link."""

    rel: str  # site path of the page ("" for home)
    title: str  # the page's own title, without the site's
    description: str
    canonical: str  # absolute URL
    og_type: str = "website"
    # Made only when the page is rendered (in a worker process): large, and made from the
    # page's other inputs, so it plays no part in deciding whether to render again.
    make_json_ld: Callable[[], tuple[dict[str, Any], ...]] | None = None
    feed: str | None = None  # site path of an Atom feed about this page's subject
    noindex: bool = False
    section: str = ""  # which nav item is current: "briefings", "actors", …

    @property
    def json_ld(self) -> tuple[dict[str, Any], ...]:
        return self.make_json_ld() if self.make_json_ld is not None else ()

    @property
    def fingerprint(self) -> str:
        """For deciding whether to render again. ``json_ld`` is left out: it is made from
        the page's other inputs (its documents and the configuration) and is large."""
        # Not hashed here: the page's digest hashes it with everything else.
        return repr((self.rel, self.title, self.description, self.canonical, self.og_type,
                     self.feed, self.noindex, self.section))


@dataclass(frozen=True, slots=True)
class CitedSource:
    """One item of a page's Sources list, in order of first citation."""

    number: int
    anchor: str  # element id of the item ("bg-source-<id>")
    source: Source
    publisher_actor: Actor | None

    @property
    def fingerprint(self) -> str:
        """Stands for the fields above (a page lists its sources twice: in order, by id)."""
        publisher = self.publisher_actor.fingerprint if self.publisher_actor else ""
        return f"{self.number}:{self.source.fingerprint}:{publisher}"


@dataclass(frozen=True, slots=True)
class TagLink:
    """A topic named on a page, without its briefings (so that the page does not depend on
    every briefing that shares the topic)."""

    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class HomeContext:
    briefings: tuple[RenderedBriefing, ...]  # latest first
    entries: tuple[RenderedEntry, ...]  # latest first
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class BriefingContext:
    briefing: RenderedBriefing
    sources: tuple[CitedSource, ...]
    actors: tuple[Actor, ...]  # every actor the briefing links to
    tags: tuple[TagLink, ...]
    actor_by_id: dict[str, Actor]  # for each entry's actor chips
    source_by_id: dict[str, CitedSource]  # for each entry's source chips


@dataclass(frozen=True, slots=True)
class BriefingListContext:
    briefings: tuple[RenderedBriefing, ...]  # newest first


@dataclass(frozen=True, slots=True)
class ActorContext:
    actor: Actor
    doc: RenderedDoc
    sources: tuple[CitedSource, ...]
    entries: tuple[RenderedEntry, ...]  # ascending date order, across briefings
    briefings: tuple[RenderedBriefing, ...]
    co_actors: tuple[tuple[Actor, int], ...]  # most frequent first
    members: tuple[tuple[Actor, Role], ...]  # actors whose roles point here
    role_targets: dict[str, Actor]  # actor id → actor, for each role's "of"


@dataclass(frozen=True, slots=True)
class ActorGroup:
    kind: str
    label: str
    actors: tuple[tuple[Actor, int], ...]  # with the number of entries that link to each


@dataclass(frozen=True, slots=True)
class ActorListContext:
    groups: tuple[ActorGroup, ...]


@dataclass(frozen=True, slots=True)
class SourceContext:
    source: Source
    doc: RenderedDoc
    sources: tuple[CitedSource, ...]
    publisher_actor: Actor | None
    entries: tuple[RenderedEntry, ...]  # entries that cite it, ascending
    briefings: tuple[RenderedBriefing, ...]  # briefings that cite it anywhere


@dataclass(frozen=True, slots=True)
class SourceListItem:
    source: Source
    cited: int  # how many entries cite it
    publisher_actor: Actor | None  # the actor the publisher names, if any

    @property
    def publisher(self) -> str:
        return self.publisher_actor.name.value if self.publisher_actor else self.source.publisher.value


@dataclass(frozen=True, slots=True)
class SourceListContext:
    sources: tuple[SourceListItem, ...]  # newest first


@dataclass(frozen=True, slots=True)
class TimelineContext:
    entries: tuple[RenderedEntry, ...]  # ascending
    years: tuple[int, ...]
    year: int | None = None  # set on a year page
    # On /timeline/: (year, its entries) for every year, ascending; empty on a year page.
    by_year: tuple[tuple[int, tuple[RenderedEntry, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class TagListContext:
    tags: tuple[Tag, ...]


@dataclass(frozen=True, slots=True)
class TagContext:
    tag: Tag


@dataclass(frozen=True, slots=True)
class FreePageContext:
    doc: RenderedDoc
    sources: tuple[CitedSource, ...]
    title: str


@dataclass(frozen=True, slots=True)
class SearchContext:
    index_rel: str  # site path of the JSON search index


@dataclass(frozen=True, slots=True)
class NotFoundContext:
    pass


@dataclass(frozen=True, slots=True)
class Common:
    site: SiteInfo
    page: PageMeta
