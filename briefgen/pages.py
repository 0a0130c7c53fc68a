"""Phase D (plan): one planned HTML page per URL, with its template and context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from briefgen import __version__
from briefgen.config import SiteConfig
from briefgen.contexts import (
    ActorContext,
    ActorGroup,
    ActorListContext,
    BriefingContext,
    BriefingListContext,
    CitedSource,
    Common,
    FreePageContext,
    HomeContext,
    NavItem,
    NotFoundContext,
    PageMeta,
    SearchContext,
    SiteInfo,
    SourceContext,
    SourceListContext,
    SourceListItem,
    TagContext,
    TagLink,
    TagListContext,
    TimelineContext,
)
from briefgen.fingerprint import digest
from briefgen.graph import Graph
from briefgen.index import SiteIndex
from briefgen.metadata import actor_ld, briefing_ld, source_ld, webpage_ld, website_ld
from briefgen.model import ACTOR_KINDS, Actor, Page, Source
from briefgen.render import SOURCE_ANCHOR
from briefgen.rendered import RenderedDoc
from briefgen.templates import context_vars
from briefgen.urls import Urls, output_file

HOME_BRIEFINGS = 10
HOME_ENTRIES = 12
KIND_LABELS = {"person": "People", "organization": "Organizations", "country": "Countries",
               "group": "Groups"}


def _one(make: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any
         ) -> tuple[dict[str, Any], ...]:
    return (make(*args, **kwargs),)


def _source_ld(source: Source, index: SiteIndex, urls: Urls) -> tuple[dict[str, Any], ...]:
    return ({"@context": "https://schema.org", **source_ld(source, index, urls)},)


@dataclass(frozen=True, slots=True)
class PlannedPage:
    path: str  # output file, relative to the output folder
    template: str
    variables: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Planner:
    config: SiteConfig
    urls: Urls
    index: SiteIndex
    graph: Graph
    docs: dict[str, RenderedDoc]  # "actors/<id>", "sources/<id>", "pages/<id>" → rendered
    pages: tuple[Page, ...]  # visible free pages

    site: SiteInfo = field(init=False)  # the same for every page

    def __post_init__(self) -> None:
        nav = [NavItem("Briefings", "briefings/"), NavItem("Timeline", "timeline/"),
               NavItem("Actors", "actors/"), NavItem("Sources", "sources/"),
               NavItem("Topics", "tags/")]
        nav += [NavItem(p.title, Urls.page(p.id)) for p in self.pages]
        values = (self.config.title, self.config.description, self.config.language,
                  self.config.base_url, tuple(nav), self.config.citation_style,
                  f"briefgen {__version__}")
        site = SiteInfo(*values, fingerprint=digest(*values))
        object.__setattr__(self, "site", site)

    def _page(self, rel: str, template: str, ctx: object, title: str, description: str,
              **meta: Any) -> PlannedPage:
        description = description or self.config.description or title
        if "make_json_ld" not in meta:
            meta["make_json_ld"] = partial(_one, webpage_ld, self.config, self.urls, rel, title,
                                           description, collection=template.endswith("s.html")
                                           or template in ("timeline.html", "tag.html"))
        page = PageMeta(rel=rel, title=title, description=description,
                        canonical=self.urls.absolute(rel), **meta)
        common = Common(self.site, page)
        return PlannedPage(output_file(rel), template, context_vars(common, ctx))

    def publisher(self, source_id: str) -> Actor | None:
        actor_id = self.graph.publisher_actor.get(source_id)
        return self.index.actors.get(actor_id) if actor_id else None

    def cited(self, source_ids: tuple[str, ...]) -> tuple[CitedSource, ...]:
        return tuple(CitedSource(number, f"{SOURCE_ANCHOR}{sid}", self.index.sources[sid],
                                 self.publisher(sid))
                     for number, sid in enumerate(source_ids, start=1))

    def plan(self) -> list[PlannedPage]:
        planned = [self.home(), *self.briefings(), *self.actors(), *self.sources(),
                   *self.timeline(), *self.tags(), *self.free_pages()]
        planned.append(self._page("search/", "search.html", SearchContext("search/index.json"),
                                  "Search", f"Search {self.config.title}", section="search"))
        planned.append(PlannedPage("404.html", "404.html", context_vars(
            Common(self.site, PageMeta("404.html", "Page not found",
                                              "This page does not exist.",
                                              self.urls.absolute("404.html"), noindex=True)),
            NotFoundContext())))
        return planned

    def home(self) -> PlannedPage:
        g = self.graph
        counts = {"briefings": len(g.briefings), "entries": len(g.timeline),
                  "actors": len(self.index.actors), "sources": len(self.index.sources)}
        ctx = HomeContext(tuple(g.briefings[:HOME_BRIEFINGS]),
                          tuple(reversed(g.timeline[-HOME_ENTRIES:])), counts)
        return self._page("", "home.html", ctx, self.config.title, self.config.description,
                          make_json_ld=partial(_one, website_ld, self.config, self.urls),
                          feed="feed.xml")

    def briefings(self) -> list[PlannedPage]:
        out = [self._page("briefings/", "briefings.html",
                          BriefingListContext(tuple(self.graph.briefings)), "Briefings",
                          f"All briefings of {self.config.title}", section="briefings",
                          feed="feed.xml")]
        tags_by_slug = {t.slug: t for t in self.graph.tags}
        for rb in self.graph.briefings:
            b = rb.briefing
            actors = tuple(self.index.actors[a] for a in rb.doc.linked_actors())
            slugs = dict.fromkeys(self.graph.tag_slugs[t.value] for t in b.tags
                                  if t.value in self.graph.tag_slugs)
            tags = tuple(TagLink(slug, tags_by_slug[slug].name) for slug in slugs)
            cited = self.cited(rb.doc.citations)
            ctx = BriefingContext(rb, cited, actors, tags, {a.id: a for a in actors},
                                  {c.source.id: c for c in cited})
            out.append(self._page(Urls.briefing(b.id), "briefing.html", ctx, b.title,
                                  rb.doc.summary_text, og_type="article", section="briefings",
                                  make_json_ld=partial(_one, briefing_ld, rb, self.config, self.index,
                                                       self.urls)))
        return out

    def actors(self) -> list[PlannedPage]:
        g = self.graph
        groups = []
        for kind in ACTOR_KINDS:
            members = sorted((a for a in self.index.actors.values() if a.kind == kind),
                             key=lambda a: a.name.value.casefold())
            if members:
                groups.append(ActorGroup(kind, KIND_LABELS[kind], tuple(
                    (a, len(g.entries_by_actor.get(a.id, []))) for a in members)))
        out = [self._page("actors/", "actors.html", ActorListContext(tuple(groups)), "Actors",
                          "People, organizations and countries in these briefings",
                          section="actors")]
        for actor in self.index.actors.values():
            doc = self.docs[f"actors/{actor.id}"]
            ctx = ActorContext(
                actor=actor, doc=doc, sources=self.cited(doc.citations),
                entries=tuple(g.entries_by_actor.get(actor.id, [])),
                briefings=tuple(g.briefings_by_actor.get(actor.id, [])),
                co_actors=tuple((self.index.actors[a], n) for a, n in g.co_actors.get(actor.id, [])),
                members=tuple(g.members.get(actor.id, [])),
                role_targets={r.of.value: self.index.actors[r.of.value] for r in actor.roles
                              if r.of is not None and r.of.value in self.index.actors},
            )
            out.append(self._page(Urls.actor(actor.id), "actor.html", ctx, actor.name.value,
                                  doc.summary_text or f"{actor.name.value} in {self.config.title}",
                                  og_type="profile", section="actors",
                                  make_json_ld=partial(_one, actor_ld, actor, self.urls),
                                  feed=f"actors/{actor.id}/feed.xml"))
        return out

    def sources(self) -> list[PlannedPage]:
        g = self.graph
        zone = self.config.zone
        ordered = sorted(self.index.sources.values(),
                         key=lambda s: (-s.date.sort_key(zone), s.path))
        listing = SourceListContext(tuple(
            SourceListItem(s, len(g.entries_by_source.get(s.id, [])), self.publisher(s.id))
            for s in ordered))
        out = [self._page("sources/", "sources.html", listing, "Sources",
                          "Every document these briefings cite", section="sources")]
        for source in self.index.sources.values():
            doc = self.docs[f"sources/{source.id}"]
            publisher = self.publisher(source.id)
            ctx = SourceContext(source, doc, self.cited(doc.citations), publisher,
                                tuple(g.entries_by_source.get(source.id, [])),
                                tuple(g.briefings_by_source.get(source.id, [])))
            name = publisher.name.value if publisher else source.publisher.value
            out.append(self._page(Urls.source(source.id), "source.html", ctx, source.title,
                                  f"{name}, {source.date.human()}: "
                                  f"{source.title}", section="sources",
                                  make_json_ld=partial(_source_ld, source, self.index,
                                                       self.urls)))
        return out

    def timeline(self) -> list[PlannedPage]:
        g = self.graph
        years = tuple(g.years)
        by_year = tuple((year, tuple(g.entries_in_year(year))) for year in years)
        out = [self._page("timeline/", "timeline.html",
                          TimelineContext(tuple(g.timeline), years, by_year=by_year),
                          "Timeline", "Every dated entry of every briefing", section="timeline")]
        for year in years:
            out.append(self._page(Urls.year(year), "timeline.html",
                                  TimelineContext(tuple(g.entries_in_year(year)), years, year),
                                  f"Timeline: {year}", f"What happened in {year}",
                                  section="timeline"))
        return out

    def tags(self) -> list[PlannedPage]:
        out = [self._page("tags/", "tags.html", TagListContext(tuple(self.graph.tags)), "Topics",
                          "Briefings by topic", section="tags")]
        for tag in self.graph.tags:
            out.append(self._page(Urls.tag(tag.slug), "tag.html", TagContext(tag),
                                  f"Topic: {tag.name}", f"Briefings about {tag.name}",
                                  section="tags", feed=f"tags/{tag.slug}/feed.xml"))
        return out

    def free_pages(self) -> list[PlannedPage]:
        out = []
        for page in self.pages:
            doc = self.docs[f"pages/{page.id}"]
            ctx = FreePageContext(doc, self.cited(doc.citations), page.title)
            out.append(self._page(Urls.page(page.id), "page.html", ctx, page.title,
                                  doc.summary_text, section=page.id))
        return out
