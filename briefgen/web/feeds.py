"""Atom feeds, the sitemap and robots.txt: XML with absolute URLs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from briefgen.datetext import date_text
from briefgen.engine.deps import Reader
from briefgen.site.filled import RenderedBriefing
from briefgen.site.pieces import BriefingCard
from briefgen.site.settings import SiteSettings
from briefgen.urls import Urls
from briefgen.web.exports import EntryData, entries_data
from briefgen.web.pages import shows_unpublished, unpublished

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True, slots=True)
class FeedItem:
    id: str
    title: str
    link: str
    updated: datetime
    published: datetime
    summary: str
    categories: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()


def _sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    el = ET.SubElement(parent, tag)
    el.text = text
    return el


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"


def _text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(value: str) -> str:
    return (_text(value).replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#09;"))


class _Lines:
    """Indented XML, written as text: ElementTree takes about 2 ms for a 20-entry feed, and
    there is one feed per actor and topic. The bytes are those of ElementTree with
    ``indent``."""

    def __init__(self) -> None:
        self.lines = ["<?xml version='1.0' encoding='utf-8'?>"]

    def leaf(self, depth: int, tag: str, text: str = "", **attrs: str) -> None:
        attributes = "".join(f' {name}="{_attribute(value)}"' for name, value in attrs.items())
        self.lines.append(f"{'  ' * depth}<{tag}{attributes}>{_text(text)}</{tag}>" if text
                          else f"{'  ' * depth}<{tag}{attributes} />")

    def open(self, depth: int, tag: str) -> None:
        self.lines.append(f"{'  ' * depth}<{tag}>")

    def close(self, depth: int, tag: str) -> None:
        self.lines.append(f"{'  ' * depth}</{tag}>")

    def bytes(self) -> bytes:
        return ("\n".join(self.lines) + "\n").encode("utf-8")


def atom(config: SiteSettings, urls: Urls, feed_rel: str, page_rel: str, title: str,
         items: Sequence[FeedItem], updated: datetime | None = None) -> bytes:
    """``updated`` is the feed's, else that of its newest item."""
    out = _Lines()
    out.lines.append(f'<feed xmlns="{ATOM_NS}" xml:lang="{_attribute(config.language)}">')
    out.leaf(1, "id", urls.absolute(feed_rel))
    out.leaf(1, "title", title)
    if config.description:
        out.leaf(1, "subtitle", config.description)
    newest = updated or max((i.updated for i in items),
                            default=datetime(1970, 1, 1, tzinfo=config.zone))
    out.leaf(1, "updated", newest.isoformat())
    out.leaf(1, "link", rel="self", type="application/atom+xml", href=urls.absolute(feed_rel))
    out.leaf(1, "link", rel="alternate", type="text/html", href=urls.absolute(page_rel))
    out.open(1, "author")
    out.leaf(2, "name", config.title)
    out.close(1, "author")
    out.leaf(1, "generator", "briefgen")
    for item in items:
        out.open(1, "entry")
        out.leaf(2, "id", item.id)
        out.leaf(2, "title", item.title)
        out.leaf(2, "link", rel="alternate", type="text/html", href=item.link)
        out.leaf(2, "published", item.published.isoformat())
        out.leaf(2, "updated", item.updated.isoformat())
        for name in item.authors:
            out.open(2, "author")
            out.leaf(3, "name", name)
            out.close(2, "author")
        for category in item.categories:
            out.leaf(2, "category", term=category)
        if item.summary:
            out.leaf(2, "summary", item.summary)
        out.close(1, "entry")
    out.lines.append("</feed>")
    return out.bytes()


def briefing_item(card: BriefingCard, urls: Urls, zone: tzinfo) -> FeedItem:
    b = card.briefing
    link = urls.absolute(Urls.briefing(b.id))
    published = b.date.start.first_instant(zone)
    updated = (card.updated or b.date).start.first_instant(zone)
    return FeedItem(link, b.title, link, updated, published, card.doc.summary_text, card.tags,
                    card.authors)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """What a feed shows of an entry (kept in the build cache: an actor's feed is made again
    from its latest entries whenever one of them changes)."""

    link: str
    title: str
    when: str  # ISO 8601, the start of its date
    summary: str


def feed_entry(r: Reader, briefing_id: str) -> tuple[tuple[str, FeedEntry], ...]:
    """What a feed shows of each entry of a briefing, by entry id."""
    settings, urls = _feed_settings(r)
    return tuple((e.id, _feed_entry(e, urls, settings.zone))
                 for e in entries_data(r, briefing_id))


def _feed_entry(entry: EntryData, urls: Urls, zone: tzinfo) -> FeedEntry:
    link = urls.absolute(Urls.briefing(entry.briefing_id, entry.id))
    return FeedEntry(link, f"{entry.title_text} ({entry.briefing_title})",
                     entry.date.start.first_instant(zone).isoformat(), entry.text[:600])


def _entry_item(entry: FeedEntry) -> FeedItem:
    when = datetime.fromisoformat(entry.when)
    return FeedItem(entry.link, entry.title, entry.link, when, when, entry.summary)


def _feed_settings(r: Reader) -> tuple[SiteSettings, Urls]:
    settings: SiteSettings = r.get(("settings", "site"))
    return settings, Urls(settings.base_url)


def _published(r: Reader, briefing_ids: list[str]) -> list[str]:
    """Feeds announce publication: no draft or scheduled briefing, even in builds that show
    them."""
    hidden = unpublished(r)
    return [b for b in briefing_ids if ("briefings", b) not in hidden] if hidden else briefing_ids


def _briefing_feed(r: Reader, feed_rel: str, page_rel: str, title: str,
                   briefing_ids: list[str]) -> bytes:
    """Briefings newest first, capped at ``feeds.limit``."""
    settings, urls = _feed_settings(r)
    briefing_ids = _published(r, briefing_ids)
    cards = [c for c in (r.get(("card", b)) for b in briefing_ids[: settings.feed_limit]) if c]
    return atom(settings, urls, feed_rel, page_rel, title,
                [briefing_item(c, urls, settings.zone) for c in cards])


def site_feed(r: Reader) -> bytes:
    settings, _ = _feed_settings(r)
    ids = [item[1][0] for item in r.index("briefings")]
    return _briefing_feed(r, "feed.xml", "", settings.title, ids)


def tag_feed(r: Reader, slug: str) -> bytes:
    settings, _ = _feed_settings(r)
    info = r.get(("tag", slug))
    return _briefing_feed(r, f"tags/{slug}/feed.xml", Urls.tag(slug),
                          f"{info.name} — {settings.title}", list(r.get(("tagged", slug))))


def actor_feed(r: Reader, actor_id: str) -> bytes:
    """Entries in ascending date order (SPEC §12); the cap keeps the most recent ones."""
    settings, urls = _feed_settings(r)
    actor = r.get(("ident", "actors", actor_id))
    title = f"{actor.name} — {settings.title}"
    items = r.index("actor_entries", actor_id)
    hidden = unpublished(r)  # the entries of drafts and scheduled briefings are left out
    if hidden:
        items = tuple(item for item in items if ("briefings", item[1][0]) not in hidden)
    latest = items[-settings.feed_limit:]
    r.watch("feed_entry", "actor_entries", actor_id)
    entries = [e for e in (r.piece("feed_entry", item) for item in latest) if e is not None]
    return atom(settings, urls, f"actors/{actor_id}/feed.xml", Urls.actor(actor_id), title,
                [_entry_item(e) for e in entries])


def briefing_feed(r: Reader, briefing_id: str) -> bytes:
    """A briefing's updates and corrections, newest first: each links to its item in the
    change log, whose number keeps its id when later updates are added."""
    settings, urls = _feed_settings(r)
    rb: RenderedBriefing = r.get(("fill", "briefings", briefing_id))
    b = rb.briefing
    zone, t = settings.zone, settings.words.text
    page = urls.absolute(Urls.briefing(b.id))
    newest = sorted(rb.change_log, key=lambda u: (u.date.sort_key(zone), u.number), reverse=True)
    items = []
    for update in newest[: settings.feed_limit]:
        when = update.date.start.first_instant(zone)
        link = f"{page}#{update.anchor}"
        entry = rb.entry(update.entry) if update.entry else None
        about = t("about_entry", title=entry.title_text,
                  date=date_text(entry.entry.date, settings.dates)) if entry else ""
        items.append(FeedItem(link, f"{t(update.kind)}: {update.text}", link, when, when, about,
                              (update.kind,)))
    return atom(settings, urls, f"briefings/{b.id}/feed.xml", Urls.briefing(b.id),
                t("updates_to", title=b.title, site=settings.title), items,
                (b.updated or b.date).start.first_instant(zone))


def sitemap(r: Reader) -> bytes:
    """Every HTML page but the 404 page and those that show a draft or scheduled briefing
    (marked noindex), with the last modification of briefings."""
    from briefgen.web.plan import html_keys, site_rel

    _, urls = _feed_settings(r)
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for key in html_keys(r):
        if shows_unpublished(r, key):
            continue
        rel = site_rel(key)
        url = ET.SubElement(root, "url")
        _sub(url, "loc", urls.absolute(rel))
        if rel.startswith("briefings/") and rel.count("/") == 2:
            lastmod = r.get(("lastmod", rel.split("/")[1]))
            if lastmod is not None:
                _sub(url, "lastmod", lastmod)
    return _xml(root)


def robots(r: Reader) -> bytes:
    _, urls = _feed_settings(r)
    return f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute('sitemap.xml')}\n".encode()
