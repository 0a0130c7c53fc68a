"""JSON-LD for pages: NewsArticle with citations for briefings, Person/Organization/Country
with sameAs for actors, CreativeWork for sources, WebPage and CollectionPage for the rest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from briefgen.model import Actor
from briefgen.site.documents import ActorIdent, SourceIdent
from briefgen.site.filled import RenderedBriefing
from briefgen.site.media import Figure
from briefgen.site.settings import SiteSettings
from briefgen.urls import Urls

_ACTOR_TYPES = {"person": "Person", "organization": "Organization", "country": "Country",
                "group": "Organization"}


def wikidata_url(qid: str) -> str:
    return f"https://www.wikidata.org/wiki/{qid}"


def source_ld(source: SourceIdent, publisher: ActorIdent | None, urls: Urls) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "CreativeWork",
        "name": source.title,
        "url": source.url or urls.absolute(Urls.source(source.id)),
        "datePublished": source.date.start.iso(),
        "publisher": {"@type": "Organization",
                      "name": publisher.name if publisher else source.publisher},
    }
    if source.authors:
        data["author"] = [{"@type": "Person", "name": a} for a in source.authors]
    if source.language:
        data["inLanguage"] = source.language
    return data


def briefing_ld(rb: RenderedBriefing, settings: SiteSettings, urls: Urls,
                cited: Sequence[tuple[SourceIdent, ActorIdent | None]],
                actors: Sequence[ActorIdent]) -> dict[str, Any]:
    b = rb.briefing
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": b.title,
        "url": urls.absolute(Urls.briefing(b.id)),
        "mainEntityOfPage": urls.absolute(Urls.briefing(b.id)),
        "datePublished": b.date.start.iso(),
        "dateModified": (b.updated or b.date).start.iso(),
        "description": rb.doc.summary_text,
        "publisher": {"@type": "Organization", "name": settings.title,
                      "url": urls.absolute("")},
        "citation": [source_ld(source, publisher, urls) for source, publisher in cited],
        "about": [{"@type": _ACTOR_TYPES[a.kind], "name": a.name,
                   "url": urls.absolute(Urls.actor(a.id))} for a in actors],
    }
    if b.authors:
        data["author"] = [{"@type": "Person", "name": a} for a in b.authors]
    if b.tags:
        data["keywords"] = [t.value for t in b.tags]
    if rb.doc.image is not None:
        data["image"] = image_ld(rb.doc.image)
    return data


def image_ld(image: Figure) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "ImageObject", "url": image.url}
    if image.width:
        data["width"], data["height"] = image.width, image.height
    if image.caption:
        data["caption"] = image.caption
    if image.credit:
        data["creditText"] = image.credit
    return data


def actor_ld(actor: Actor, urls: Urls, image: Figure | None = None) -> dict[str, Any]:
    same_as = list(actor.links)
    if actor.wikidata:
        same_as.insert(0, wikidata_url(actor.wikidata))
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": _ACTOR_TYPES[actor.kind],
        "name": actor.name.value,
        "url": urls.absolute(Urls.actor(actor.id)),
    }
    if actor.aliases:
        data["alternateName"] = [a.value for a in actor.aliases]
    if same_as:
        data["sameAs"] = same_as
    if image is not None:
        data["image"] = image_ld(image)
    return data


def webpage_ld(settings: SiteSettings, urls: Urls, rel: str, title: str, description: str,
               collection: bool) -> dict[str, Any]:
    """The JSON-LD of pages that are neither briefings nor actors: lists, sources, pages."""
    return {
        "@context": "https://schema.org",
        "@type": "CollectionPage" if collection else "WebPage",
        "name": title,
        "url": urls.absolute(rel),
        "description": description,
        "isPartOf": {"@type": "WebSite", "name": settings.title, "url": urls.absolute("")},
    }


def website_ld(settings: SiteSettings, urls: Urls) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.title,
        "url": urls.absolute(""),
        "description": settings.description,
        "potentialAction": {
            "@type": "SearchAction",
            "target": urls.absolute("search/") + "?q={query}",
            "query-input": "required name=query",
        },
    }
