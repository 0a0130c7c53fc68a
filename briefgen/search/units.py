"""What each briefing, actor, source and page gives to search: a *unit* of documents (a
briefing and its entries; one actor, source or page), each with the fields the index holds
and what its result shows.

A unit is a persisted piece (``search_unit`` nodes): the blocks that make the index read
their units' pieces from the build cache instead of filling their documents again, and the
files of documents that results show are written from them. A document's ``names`` field
holds the names and aliases of the actors it links, so that any name of an actor finds the
entries that link it; this is where one document shows another's data, read through the
engine as everything else.
"""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass

from briefgen.dates import DateValue
from briefgen.datetext import DateStyle, date_text
from briefgen.engine.deps import Reader
from briefgen.search import codes
from briefgen.site.documents import ActorIdent, Doc, PageIdent, SourceIdent
from briefgen.site.filled import RenderedBriefing, RenderedDoc, RenderedEntry
from briefgen.site.settings import SiteSettings
from briefgen.slug import slugify
from briefgen.urls import Urls
from briefgen.wording import Words

# The collections, in the order of the index, with the short name the files use.
COLLECTIONS = (("briefings", "b"), ("actors", "a"), ("sources", "s"), ("pages", "p"))
SHORT = dict(COLLECTIONS)


@dataclass(frozen=True, slots=True)
class SearchDoc:
    kind: str  # Briefing, Entry, Actor, Source, Page
    title: str
    link: str  # as the site links it (base_url's path included)
    date: str  # as shown ("13 July 2023"), "" if none
    year: int | None  # for the year filter
    body: str
    names: str  # names and aliases of the actors it links (an actor's: its aliases)
    actors: tuple[str, ...]  # for the actor filter
    tags: tuple[str, ...]  # slugs, for the topic filter
    status: str  # published, draft, scheduled
    context: str = ""  # an entry's briefing title


def rows(docs: list[SearchDoc]) -> str:
    """A unit's documents as a JSON array of arrays, the fields in the order of
    ``SearchDoc`` (the files of documents that results show hold this)."""
    return json.dumps([(d.kind, d.title, d.link, d.date, d.year, d.body, d.names, d.actors,
                        d.tags, d.status, d.context) for d in docs],
                      ensure_ascii=False, separators=(",", ":"))


def encode(docs: list[SearchDoc]) -> str:
    """A unit's documents as kept in the build cache: ``rows`` compressed as the file of
    documents is (a briefing's text is kept for every briefing of the site), in base64."""
    return base64.b64encode(codes.compress(rows(docs))).decode("ascii")


def compressed(text: str | None) -> bytes:
    """The file of documents of a unit kept as ``encode`` made it."""
    return base64.b64decode(text) if text else codes.compress("[]")


def decode(text: str | None) -> list[SearchDoc]:
    if not text:
        return []
    found = json.loads(gzip.decompress(base64.b64decode(text)))
    return [SearchDoc(kind, title, link, date, year, body, names, tuple(actors), tuple(tags),
                      status, context)
            for kind, title, link, date, year, body, names, actors, tags, status, context
            in found]


@dataclass(frozen=True, slots=True)
class _Shown:
    """How a result shows: links as the site's, the kind and date in the site's words."""

    urls: Urls
    words: Words
    dates: DateStyle

    def kind(self, name: str) -> str:
        return self.words.text(f"result_{name}")

    def date(self, value: DateValue) -> str:
        return date_text(value, self.dates)


def unit(r: Reader, collection: str, unit_id: str) -> str:
    """The node ``("search_unit", collection, id)``: the unit's documents, encoded."""
    settings: SiteSettings = r.get(("settings", "site"))
    shown = _Shown(Urls(settings.base_url), settings.words, settings.dates)
    maker = _MAKERS[collection]
    return encode(maker(r, unit_id, shown))


def _names(r: Reader, actor_ids: tuple[str, ...] | list[str]) -> str:
    return " · ".join(name for actor_id in actor_ids for name in _actor_names(r, actor_id))


def _actor_names(r: Reader, actor_id: str) -> list[str]:
    actor = r.get(("ident", "actors", actor_id))
    return [actor.name, *actor.aliases] if isinstance(actor, ActorIdent) else []


def _briefing(r: Reader, briefing_id: str, shown: _Shown) -> list[SearchDoc]:
    rb: RenderedBriefing | None = r.get(("fill", "briefings", briefing_id))
    if rb is None:
        return []
    b = rb.briefing
    tags = tuple(dict.fromkeys(s for t in b.tags if (s := slugify(t.value))))
    actors = tuple(rb.doc.linked_actors())
    # The briefing's documents name its actors again and again: each is read once.
    known: dict[str, list[str]] = {}

    def names(actor_ids: tuple[str, ...]) -> str:
        for actor_id in actor_ids:
            if actor_id not in known:
                known[actor_id] = _actor_names(r, actor_id)
        return " · ".join(name for actor_id in actor_ids for name in known[actor_id])

    urls = shown.urls
    # Updates that name an entry are found with it; the others, and the footnotes, with
    # the briefing (a footnote's entries are those that cite it, which a search cannot show).
    updates: dict[str | None, list[str]] = {}
    for update in rb.change_log:
        updates.setdefault(update.entry if rb.entry(update.entry or "") else None,
                           []).append(update.text)
    body = _joined(*_texts(rb.doc), rb.notes_text, *updates.get(None, ()))
    docs = [SearchDoc(shown.kind("briefing"), b.title, urls.link(Urls.briefing(b.id)),
                      shown.date(b.date), b.date.year, body,
                      _joined(names(actors), *b.authors, sep=" · "), actors, tags, rb.status)]
    entry, section = shown.kind("entry"), shown.kind("section")
    for block in rb.blocks:
        if isinstance(block, RenderedEntry):
            docs.append(SearchDoc(entry, block.title_text, urls.link(Urls.briefing(b.id, block.id)),
                                  shown.date(block.entry.date), block.entry.date.year,
                                  _joined(block.text, *updates.get(block.id, ())),
                                  names(block.actors), block.actors, tags, rb.status, b.title))
        elif block.text:  # a section without text of its own is its heading only
            docs.append(SearchDoc(section, block.title_text,
                                  urls.link(Urls.briefing(b.id, block.section.id)), "",
                                  b.date.year, block.text, names(block.actors), block.actors,
                                  tags, rb.status, b.title))
    return docs


def _joined(*texts: str, sep: str = " ") -> str:
    return sep.join(text for text in texts if text)


def _actor(r: Reader, actor_id: str, shown: _Shown) -> list[SearchDoc]:
    actor = r.get(("ident", "actors", actor_id))
    if not isinstance(actor, ActorIdent):
        return []
    filled: RenderedDoc | None = r.get(("fill", "actors", actor_id))
    found: Doc | None = r.get(("doc", "actors", actor_id))
    roles = getattr(found.document, "roles", ()) if found is not None else ()
    body = _joined(*_texts(filled), *(role.title for role in roles))
    return [SearchDoc(shown.kind("actor"), actor.name, shown.urls.link(Urls.actor(actor_id)), "",
                      None,
                      body.strip(), " · ".join(actor.aliases), (actor_id,), (), "published")]


def _source(r: Reader, source_id: str, shown: _Shown) -> list[SearchDoc]:
    source = r.get(("ident", "sources", source_id))
    if not isinstance(source, SourceIdent):
        return []
    publisher: str | None = r.get(("publisher", source_id))
    actors = (publisher,) if publisher else ()
    filled: RenderedDoc | None = r.get(("fill", "sources", source_id))
    # A publisher that is an actor is found by its names (``names``), not by its id.
    body = _joined("" if publisher else source.publisher, *source.authors, *_texts(filled))
    return [SearchDoc(shown.kind("source"), source.title,
                      shown.urls.link(Urls.source(source_id)), shown.date(source.date),
                      source.date.year, body, _names(r, actors), actors,
                      (), "published")]


def _page(r: Reader, page_id: str, shown: _Shown) -> list[SearchDoc]:
    page = r.get(("ident", "pages", page_id))
    filled: RenderedDoc | None = r.get(("fill", "pages", page_id))
    if not isinstance(page, PageIdent) or filled is None:
        return []
    return [SearchDoc(shown.kind("page"), page.title, shown.urls.link(Urls.page(page_id)), "",
                      None,
                      _joined(*_texts(filled)), "", (), (), page.status)]


def _texts(filled: RenderedDoc | None) -> tuple[str, ...]:
    """A document's summary, if written apart from its body, and its body."""
    if filled is None:
        return ()
    if not filled.body_text:
        return (filled.summary_text,)
    return (filled.summary_text, filled.body_text) if filled.summary_html else \
        (filled.body_text,)


_MAKERS = {"briefings": _briefing, "actors": _actor, "sources": _source, "pages": _page}
