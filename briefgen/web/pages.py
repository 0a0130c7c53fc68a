"""The HTML pages of the site: one function per kind of page, each an output node that
reads what it shows through its reader and renders its template (SPEC §7)."""

from __future__ import annotations

from typing import Any

from briefgen import __version__
from briefgen.datetext import date_text
from briefgen.engine.deps import Item, Key, Reader
from briefgen.model import ACTOR_KINDS, Actor, Source
from briefgen.site.documents import PUBLISHED, ActorIdent, Doc, PageIdent, SourceIdent
from briefgen.site.fill import SOURCE_ANCHOR
from briefgen.site.filled import RenderedBriefing, RenderedDoc
from briefgen.site.media import Figure
from briefgen.site.ordering import newest_first_key
from briefgen.site.pieces import BriefingCard, TagInfo
from briefgen.site.settings import SiteSettings
from briefgen.slug import slugify
from briefgen.urls import SECTIONS, Urls, output_file
from briefgen.web.contexts import (
    ActorContext,
    ActorGroup,
    ActorListContext,
    Backlinks,
    BriefingContext,
    BriefingListContext,
    CardView,
    CitedSource,
    Common,
    EntryView,
    FreePageContext,
    HomeContext,
    NavItem,
    NotFoundContext,
    PageMeta,
    RoleView,
    SearchContext,
    SiteInfo,
    SourceContext,
    SourceListContext,
    SourceListItem,
    TagContext,
    TagLink,
    TagListContext,
    TagSummary,
    TagView,
    TimelineContext,
)
from briefgen.web.joined import EMPTY_PIECE, Joined
from briefgen.web.metadata import actor_ld, briefing_ld, source_ld, webpage_ld, website_ld
from briefgen.web.templates import context_vars
from briefgen.web.themes import ThemeError

HOME_BRIEFINGS = 10
HOME_ENTRIES = 12


class PageReader:
    """What every page reads: the settings, the site's navigation, the identities of other
    documents; and how a page is rendered."""

    def __init__(self, r: Reader) -> None:
        self.r = r
        self.settings: SiteSettings = r.get(("settings", "site"))
        self.urls = Urls(self.settings.base_url)
        self.t = self.settings.words.text

    def site(self) -> SiteInfo:
        nav = [NavItem(self.t(key), rel) for key, rel in SECTIONS]
        nav += [NavItem(item[2], Urls.page(item[1][0])) for item in self.r.index("pages")]
        s = self.settings
        return SiteInfo(s.title, s.description, s.language, s.base_url, tuple(nav),
                        s.citation_style, f"briefgen {__version__}")

    def actor(self, actor_id: str) -> ActorIdent | None:
        found = self.r.get(("ident", "actors", actor_id))
        return found if isinstance(found, ActorIdent) else None

    def source(self, source_id: str) -> SourceIdent | None:
        found = self.r.get(("ident", "sources", source_id))
        return found if isinstance(found, SourceIdent) else None

    def publisher(self, source_id: str) -> ActorIdent | None:
        actor_id: str | None = self.r.get(("publisher", source_id))
        return self.actor(actor_id) if actor_id else None

    def cited(self, doc: RenderedDoc) -> tuple[CitedSource, ...]:
        """A page's Sources list: every source its document cites, with the ids of the
        links that cite it on the page."""
        found = []
        anchors, labels = dict(doc.anchors), dict(doc.labels)
        for number, sid in enumerate(doc.citations, start=1):
            source = self.source(sid)
            if source is not None:
                found.append(CitedSource(number, f"{SOURCE_ANCHOR}{sid}", source,
                                         self.publisher(sid),
                                         Backlinks(sid, anchors.get(sid, ())),
                                         labels.get(sid, "")))
        return tuple(found)

    def entries(self, name: str, *rest: str) -> tuple[EntryView, ...]:
        return tuple(EntryView(self.r, item[1][0], item[1][1], fp)
                     for item, fp in self.r.each_fingerprint("item", name, *rest))

    def card_views(self, name: str, *rest: str) -> tuple[CardView, ...]:
        return tuple(CardView(self.r, item[1][0], place)
                     for item, place in self.r.each_fingerprint("card_html", name, *rest)
                     if place.fp not in EMPTY_PIECE)

    def cards(self, name: str, *rest: str) -> tuple[BriefingCard, ...]:
        return tuple(card for _, card in self.r.each("card", name, *rest) if card is not None)

    def filled(self, collection: str, doc_id: str) -> Any:
        return self.r.get(("fill", collection, doc_id))

    def document(self, collection: str, doc_id: str) -> Any:
        found: Doc | None = self.r.get(("doc", collection, doc_id))
        return found.document if found is not None else None

    def render(self, rel: str, template: str, ctx: object, title: str, description: str,
               **meta: Any) -> bytes | Joined:
        description = description or self.settings.description or title
        if "json_ld" not in meta:
            collection = template.endswith("s.html") or template in ("timeline.html", "tag.html")
            meta["json_ld"] = (webpage_ld(self.settings, self.urls, rel, title, description,
                                          collection),)
        page = PageMeta(rel=rel, title=title, description=description,
                        canonical=self.urls.absolute(rel), **meta)
        return self.render_common(template, Common(self.site(), page), ctx)

    def render_common(self, template: str, common: Common, ctx: object) -> bytes | Joined:
        templates = self.r.get(("service", "templates"))
        try:
            page: bytes | Joined = templates.render_joined(self.r, template,
                                                           context_vars(common, ctx))
        except ThemeError as exc:
            raise PageError(exc.message, exc.path, exc.line, exc.column, exc.width) from None
        return page


def social_image(image: Figure | None) -> Figure | None:
    """The image that link previews show (og:image): social sites read no SVG."""
    return image if image is not None and image.mime != "image/svg+xml" else None


class PageError(ThemeError):
    """A template could not be rendered, at a template's line."""


# ------------------------------------------------------------------------ drafts shown


def unpublished(r: Reader) -> dict[tuple[str, str], str]:
    """(collection, id) → status of every draft or scheduled document this build shows."""
    return {(item[2], item[3]): item[4] for item in r.index("unpublished")}


def _briefing_ids(items: tuple[Item, ...]) -> list[str]:
    return [item[1][0] for item in items if item[1] is not None]


def _shown_briefings(r: Reader, key: Key) -> list[str]:
    """The briefings whose cards, entries or page the page of an output key shows."""
    kind, args = key[0], key[1:]
    if key == ("page", "home"):
        return _briefing_ids(r.index("briefings")[:HOME_BRIEFINGS]) \
            + _briefing_ids(r.index("timeline")[-HOME_ENTRIES:])
    if key in (("page", "briefings"), ("page", "timeline")):
        return _briefing_ids(r.index(key[1]))
    if kind == "briefing_page":
        return [args[0]]
    if kind == "year_page":
        return _briefing_ids(r.index("year", *args))
    if kind == "tag_page":
        return list(r.get(("tagged", *args)))
    if kind in ("actor_page", "source_page"):
        of = kind.removesuffix("_page")
        return _briefing_ids(r.index(f"{of}_entries", *args)) \
            + _briefing_ids(r.index(f"{of}_briefings", *args))
    return []


def shows_unpublished(r: Reader, key: Key) -> bool:
    """Whether the page of an output key shows a draft or scheduled document (only in builds
    with --drafts or --future): it is marked noindex and left out of the sitemap."""
    hidden = unpublished(r)
    if not hidden:
        return False
    if key[0] == "free_page":
        return ("pages", key[1]) in hidden
    return any(("briefings", b) in hidden for b in _shown_briefings(r, key))


# ------------------------------------------------------------------------ pages


def home(r: Reader) -> bytes | Joined:
    p = PageReader(r)
    counts = {"briefings": len(r.index("briefings")), "entries": len(r.index("timeline")),
              "actors": len(r.index("actors")), "sources": len(r.index("sources"))}
    briefings = r.index("briefings")[:HOME_BRIEFINGS]
    cards = tuple(c for c in (r.get(("card", item[1][0])) for item in briefings) if c)
    latest = list(reversed(r.index("timeline")[-HOME_ENTRIES:]))
    r.watch("item", "timeline")
    entries = tuple(EntryView(r, item[1][0], item[1][1], place)
                    for item, place in zip(latest, r.places("item", latest), strict=True))
    s = p.settings
    return p.render("", "home.html", HomeContext(cards, entries, counts), s.title, s.description,
                    json_ld=(website_ld(s, p.urls),), feed="feed.xml",
                    noindex=shows_unpublished(r, ("page", "home")))


def briefings_list(r: Reader) -> bytes | Joined:
    p = PageReader(r)
    return p.render("briefings/", "briefings.html", BriefingListContext(p.card_views("briefings")),
                    p.t("briefings"), p.t("all_briefings_of", site=p.settings.title),
                    section="briefings",
                    feed="feed.xml", noindex=shows_unpublished(r, ("page", "briefings")))


def briefing_page(r: Reader, briefing_id: str) -> bytes | Joined:
    p = PageReader(r)
    rb: RenderedBriefing = p.filled("briefings", briefing_id)
    b = rb.briefing
    actors = tuple(a for a in (p.actor(x) for x in rb.doc.linked_actors()) if a is not None)
    tags: dict[str, TagLink] = {}
    for tag in b.tags:
        slug = slugify(tag.value)
        info: TagInfo | None = r.get(("tag", slug)) if slug else None
        if info is not None:
            tags.setdefault(slug, TagLink(slug, info.name))
    cited = p.cited(rb.doc)
    status = rb.status
    ctx = BriefingContext(rb, cited, actors, tuple(tags.values()), {a.id: a for a in actors},
                          {c.source.id: c for c in cited}, status)
    ld = briefing_ld(rb, p.settings, p.urls, [(c.source, c.publisher_actor) for c in cited],
                     actors)
    image = social_image(rb.doc.image)
    return p.render(Urls.briefing(b.id), "briefing.html", ctx, b.title, rb.doc.summary_text,
                    og_type="article", section="briefings", json_ld=(ld,), image=image,
                    twitter_card="summary_large_image" if image else "summary",
                    feed=f"briefings/{b.id}/feed.xml", noindex=status != PUBLISHED)


def actors_list(r: Reader) -> bytes | Joined:
    p = PageReader(r)
    by_kind: dict[str, list[tuple[ActorIdent, int]]] = {kind: [] for kind in ACTOR_KINDS}
    for item in r.index("actors"):
        actor = p.actor(item[1][0])
        if actor is not None:
            by_kind[actor.kind].append((actor, len(r.index("actor_entries", actor.id))))
    groups = tuple(ActorGroup(kind, p.t(f"kinds_{kind}"), tuple(members))
                   for kind, members in by_kind.items() if members)
    summaries = {actor.id: r.get(("actor_summary", actor.id))
                 for group in groups for actor, _ in group.actors}
    return p.render("actors/", "actors.html", ActorListContext(groups, summaries), p.t("actors"),
                    p.t("actors_description"), section="actors")


def actor_page(r: Reader, actor_id: str) -> bytes | Joined:
    p = PageReader(r)
    actor: Actor = p.document("actors", actor_id)
    doc: RenderedDoc = p.filled("actors", actor_id)
    co = tuple((a, n) for a, n in ((p.actor(x), n) for x, n in r.get(("co_actors", actor_id)))
               if a is not None)
    members = []
    for item in r.index("members", actor_id):
        member = p.actor(item[1][0])
        if member is not None:
            members.append((member, RoleView(item[2], item[3], item[4])))
    targets = {role.of.value: found for role in actor.roles if role.of is not None
               for found in [p.actor(role.of.value)] if found is not None}
    ctx = ActorContext(actor=actor, doc=doc, sources=p.cited(doc),
                       entries=p.entries("actor_entries", actor_id),
                       briefings=p.cards("actor_briefings", actor_id), co_actors=co,
                       members=tuple(members), role_targets=targets)
    name = actor.name.value
    return p.render(Urls.actor(actor_id), "actor.html", ctx, name,
                    doc.summary_text or p.t("actor_in_site", name=name, site=p.settings.title),
                    og_type="profile",
                    section="actors", json_ld=(actor_ld(actor, p.urls, doc.image),),
                    feed=f"actors/{actor_id}/feed.xml", image=social_image(doc.image),
                    noindex=shows_unpublished(r, ("actor_page", actor_id)))


def sources_list(r: Reader) -> bytes | Joined:
    p = PageReader(r)
    zone = p.settings.zone
    found = [s for s in (p.source(item[1][0]) for item in r.index("sources")) if s is not None]
    ordered = sorted(found, key=lambda s: newest_first_key(s.date, zone, s.path))
    items = tuple(SourceListItem(s, len(r.index("source_entries", s.id)), p.publisher(s.id))
                  for s in ordered)
    return p.render("sources/", "sources.html", SourceListContext(items), p.t("sources"),
                    p.t("sources_description"), section="sources")


def source_page(r: Reader, source_id: str) -> bytes | Joined:
    p = PageReader(r)
    source: Source = p.document("sources", source_id)
    doc: RenderedDoc = p.filled("sources", source_id)
    identity = p.source(source_id)
    publisher = p.publisher(source_id)
    ctx = SourceContext(source, doc, p.cited(doc), publisher,
                        p.entries("source_entries", source_id),
                        p.cards("source_briefings", source_id))
    name = publisher.name if publisher else source.publisher.value
    ld = {"@context": "https://schema.org", **source_ld(identity, publisher, p.urls)} \
        if identity is not None else {}
    return p.render(Urls.source(source_id), "source.html", ctx, source.title,
                    f"{name}, {date_text(source.date, p.settings.dates)}: {source.title}",
                    section="sources",
                    json_ld=(ld,), noindex=shows_unpublished(r, ("source_page", source_id)))


def timeline(r: Reader) -> bytes | Joined:
    p = PageReader(r)
    years: tuple[int, ...] = r.get(("years",))
    entries = p.entries("timeline")
    grouped: dict[int, list[EntryView]] = {}
    for item, view in zip(r.index("timeline"), entries, strict=True):
        grouped.setdefault(item[2], []).append(view)
    by_year = tuple((year, tuple(grouped.get(year, ()))) for year in years)
    return p.render("timeline/", "timeline.html", TimelineContext(entries, years, by_year=by_year),
                    p.t("timeline"), p.t("timeline_description"), section="timeline",
                    noindex=shows_unpublished(r, ("page", "timeline")))


def year_page(r: Reader, year: str) -> bytes | Joined:
    p = PageReader(r)
    years: tuple[int, ...] = r.get(("years",))
    ctx = TimelineContext(p.entries("year", year), years, int(year))
    return p.render(Urls.year(int(year)), "timeline.html", ctx, p.t("year_title", year=year),
                    p.t("year_description", year=year), section="timeline",
                    noindex=shows_unpublished(r, ("year_page", year)))


def tags_list(r: Reader) -> bytes | Joined:
    p = PageReader(r)
    tags = tuple(TagSummary(t.slug, t.name, r.get(("tagged", t.slug)))
                 for t in r.get(("tag_list",)))
    return p.render("tags/", "tags.html", TagListContext(tags), p.t("topics"),
                    p.t("topics_description"), section="tags")


def tag_page(r: Reader, slug: str) -> bytes | Joined:
    p = PageReader(r)
    info: TagInfo = r.get(("tag", slug))
    cards = tuple(c for c in (r.get(("card", b)) for b in r.get(("tagged", slug))) if c)
    return p.render(Urls.tag(slug), "tag.html", TagContext(TagView(slug, info.name, cards)),
                    p.t("topic_title", name=info.name), p.t("topic_description", name=info.name),
                    section="tags",
                    feed=f"tags/{slug}/feed.xml", noindex=shows_unpublished(r, ("tag_page", slug)))


def free_page(r: Reader, page_id: str) -> bytes | Joined:
    p = PageReader(r)
    doc: RenderedDoc = p.filled("pages", page_id)
    title = p.document("pages", page_id).title
    identity = r.get(("ident", "pages", page_id))
    status = identity.status if isinstance(identity, PageIdent) else PUBLISHED
    ctx = FreePageContext(doc, p.cited(doc), title, status)
    return p.render(Urls.page(page_id), "page.html", ctx, title, doc.summary_text,
                    section=page_id, noindex=status != PUBLISHED)


def search_page(r: Reader) -> bytes | Joined:
    p = PageReader(r)
    return p.render("search/", "search.html", SearchContext("search/manifest.bin"),
                    p.t("search"), p.t("search_description", site=p.settings.title),
                    section="search")


def not_found(r: Reader) -> bytes | Joined:
    p = PageReader(r)
    title, description = p.t("page_not_found"), p.t("not_found_description")
    ld = webpage_ld(p.settings, p.urls, "404.html", title, description, False)
    page = PageMeta("404.html", title, description, p.urls.absolute("404.html"),
                    json_ld=(ld,), noindex=True)
    return p.render_common("404.html", Common(p.site(), page), NotFoundContext())


PAGE_PATHS = {"home": "", "briefings": "briefings/", "actors": "actors/", "sources": "sources/",
              "timeline": "timeline/", "tags": "tags/", "search": "search/", "404": "404.html"}


def page_file(rel: str) -> str:
    return output_file(rel)
