"""Atom feeds, the sitemap and robots.txt: XML with absolute URLs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from briefgen.config import SiteConfig
from briefgen.rendered import RenderedBriefing, RenderedEntry
from briefgen.urls import Urls

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


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    el.text = text
    return el


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"


def atom(config: SiteConfig, urls: Urls, feed_rel: str, page_rel: str, title: str,
         items: Sequence[FeedItem]) -> bytes:
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": config.language})
    _text(root, "id", urls.absolute(feed_rel))
    _text(root, "title", title)
    if config.description:
        _text(root, "subtitle", config.description)
    newest = max((i.updated for i in items), default=datetime(1970, 1, 1, tzinfo=config.zone))
    _text(root, "updated", newest.isoformat())
    ET.SubElement(root, "link", {"rel": "self", "type": "application/atom+xml",
                                 "href": urls.absolute(feed_rel)})
    ET.SubElement(root, "link", {"rel": "alternate", "type": "text/html",
                                 "href": urls.absolute(page_rel)})
    author = ET.SubElement(root, "author")
    _text(author, "name", config.title)
    _text(root, "generator", "briefgen")
    for item in items:
        entry = ET.SubElement(root, "entry")
        _text(entry, "id", item.id)
        _text(entry, "title", item.title)
        ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": item.link})
        _text(entry, "published", item.published.isoformat())
        _text(entry, "updated", item.updated.isoformat())
        for name in item.authors:
            _text(ET.SubElement(entry, "author"), "name", name)
        for category in item.categories:
            ET.SubElement(entry, "category", {"term": category})
        if item.summary:
            _text(entry, "summary", item.summary)
    return _xml(root)


def briefing_item(rb: RenderedBriefing, urls: Urls, zone: tzinfo) -> FeedItem:
    b = rb.briefing
    link = urls.absolute(Urls.briefing(b.id))
    published = b.date.start.first_instant(zone)
    updated = (b.updated or b.date).start.first_instant(zone)
    return FeedItem(link, b.title, link, updated, published,
                    rb.doc.summary_text, tuple(t.value for t in b.tags), b.authors)


def entry_item(entry: RenderedEntry, urls: Urls, zone: tzinfo) -> FeedItem:
    link = urls.absolute(Urls.briefing(entry.briefing.id, entry.id))
    when = entry.entry.date.start.first_instant(zone)
    return FeedItem(link, f"{entry.title_text} ({entry.briefing.title})", link, when, when,
                    entry.text[:600])


def briefing_feed(config: SiteConfig, urls: Urls, feed_rel: str, page_rel: str, title: str,
                  briefings: Sequence[RenderedBriefing]) -> bytes:
    """Briefings newest first, capped at ``feeds.limit``."""
    items = [briefing_item(rb, urls, config.zone) for rb in briefings[: config.feed_limit]]
    return atom(config, urls, feed_rel, page_rel, title, items)


def entry_feed(config: SiteConfig, urls: Urls, feed_rel: str, page_rel: str, title: str,
               entries: Sequence[RenderedEntry]) -> bytes:
    """Entries in ascending date order (SPEC §12); the cap keeps the most recent ones."""
    latest = list(entries)[-config.feed_limit:]
    items = [entry_item(e, urls, config.zone) for e in latest]
    return atom(config, urls, feed_rel, page_rel, title, items)


def sitemap(urls: Urls, pages: Sequence[tuple[str, str | None]]) -> bytes:
    """``pages`` are (site path, last modification date or None)."""
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for rel, lastmod in pages:
        url = ET.SubElement(root, "url")
        _text(url, "loc", urls.absolute(rel))
        if lastmod:
            _text(url, "lastmod", lastmod)
    return _xml(root)


def robots(urls: Urls) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {urls.absolute('sitemap.xml')}\n".encode()
