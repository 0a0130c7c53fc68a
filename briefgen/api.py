"""The JSON exports: the whole model with absolute links, TimelineJS, and the search index."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from briefgen.cache import Store
from briefgen.dates import DatePoint, DateValue
from briefgen.graph import Graph
from briefgen.index import SiteIndex
from briefgen.model import Actor, Source
from briefgen.rendered import RenderedBriefing, RenderedEntry
from briefgen.urls import Urls

T = TypeVar("T")


# Compact: an indent would switch json to its pure-Python encoder, ten times slower. One
# encoder for every call: json.dumps with options would make a new one each time.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _dump(data: Any) -> bytes:
    return (_ENCODER.encode(data) + "\n").encode("utf-8")


def _date(value: DateValue | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"start": value.start.iso(), "end": value.end.iso() if value.end else None,
            "approximate": value.start.approximate, "text": value.human()}


def _json(data: Any) -> str:
    return _ENCODER.encode(data)


def _joined(items: Iterable[T], key_of: Callable[[T], Any], make: Callable[[T], Any],
            memo: Store | None) -> str:
    """A JSON array whose items are serialised once and kept in ``memo`` between builds
    (an edit changes one entry of thousands)."""
    parts = []
    for item in items:
        key = key_of(item) if memo is not None else None
        text = memo.get(key) if memo is not None and key else None
        if text is None:
            text = _json(make(item))
            if memo is not None and key:
                memo.put(key, text)
        parts.append(text)
    return "[" + ",".join(parts) + "]"


class ApiExport:
    def __init__(self, index: SiteIndex, graph: Graph, urls: Urls, title: str,
                 description: str, memo: Store | None = None) -> None:
        self.index, self.graph, self.urls = index, graph, urls
        self.title, self.description = title, description
        self.memo = memo

    def _entry_key(self, kind: str, e: RenderedEntry) -> Any:
        """An entry's JSON depends on it and on the names of what it links to and cites."""
        if not e.fingerprint:
            return None
        return (kind, e.fingerprint, self._names(e.actors, e.sources))

    def _briefing_key(self, rb: RenderedBriefing) -> Any:
        """A briefing's JSON: it, the names of what it links and cites, its tags' pages."""
        if not rb.fingerprint:
            return None
        slugs = tuple(self.graph.tag_slugs.get(t.value, "") for t in rb.briefing.tags)
        return ("briefing", rb.fingerprint, slugs,
                self._names(tuple(rb.doc.linked_actors()), rb.doc.citations))

    def _names(self, actor_ids: tuple[str, ...], source_ids: tuple[str, ...]) -> tuple[str, ...]:
        actors, sources = self.index.actors, self.index.sources
        return (*[actors[a].name.value for a in actor_ids], "\x00",
                *[sources[s].title for s in source_ids])

    def _ref(self, kind: str, doc_id: str, name: str) -> dict[str, str]:
        rel = {"actor": Urls.actor, "source": Urls.source}[kind](doc_id)
        return {"id": doc_id, "name": name, "url": self.urls.absolute(rel)}

    def entry(self, e: RenderedEntry) -> dict[str, Any]:
        return {
            "id": e.id,
            "briefing": e.briefing.id,
            "briefing_url": self.urls.absolute(Urls.briefing(e.briefing.id)),
            "url": self.urls.absolute(Urls.briefing(e.briefing.id, e.id)),
            "title": e.title_text,
            "date": _date(e.entry.date),
            "actors": [self._ref("actor", a, self.index.actors[a].name.value) for a in e.actors],
            "sources": [self._ref("source", s, self.index.sources[s].title) for s in e.sources],
            "text": e.text,
        }

    def briefing(self, rb: RenderedBriefing) -> dict[str, Any]:
        b = rb.briefing
        return {
            "id": b.id,
            "url": self.urls.absolute(Urls.briefing(b.id)),
            "title": b.title,
            "date": _date(b.date),
            "updated": _date(b.updated),
            "summary": rb.doc.summary_text,
            "authors": list(b.authors),
            "tags": [{"name": t.value, "url": self.urls.absolute(
                Urls.tag(self.graph.tag_slugs.get(t.value, "")))} for t in b.tags],
            "updates": [{"date": _date(u.date), "note": u.note.source} for u in b.updates],
            "actors": [self._ref("actor", a, self.index.actors[a].name.value)
                       for a in rb.doc.linked_actors()],
            "sources": [self._ref("source", s, self.index.sources[s].title)
                        for s in rb.doc.citations],
            "entries": [{"id": e.id, "url": self.urls.absolute(Urls.briefing(b.id, e.id))}
                        for e in rb.entries],
        }

    def actor(self, a: Actor) -> dict[str, Any]:
        return {
            "id": a.id,
            "url": self.urls.absolute(Urls.actor(a.id)),
            "name": a.name.value,
            "kind": a.kind,
            "aliases": [x.value for x in a.aliases],
            "summary": a.summary.source if a.summary else None,
            "roles": [{"title": r.title,
                       "of": self._ref("actor", r.of.value, self.index.actors[r.of.value].name.value)
                       if r.of else None,
                       "from": _date(r.start), "to": _date(r.end)} for r in a.roles],
            "wikidata": a.wikidata,
            "links": list(a.links),
            "entries": [self.urls.absolute(Urls.briefing(e.briefing.id, e.id))
                        for e in self.graph.entries_by_actor.get(a.id, [])],
            "feed": self.urls.absolute(f"actors/{a.id}/feed.xml"),
        }

    def source(self, s: Source) -> dict[str, Any]:
        publisher = self.graph.publisher_actor.get(s.id)
        return {
            "id": s.id,
            "url": self.urls.absolute(Urls.source(s.id)),
            "title": s.title,
            "publisher": {"name": s.publisher.value,
                          "actor": self._ref("actor", publisher,
                                             self.index.actors[publisher].name.value)
                          if publisher else None},
            "date": _date(s.date),
            "original_url": s.url,
            "archive_url": s.archive_url,
            "accessed": _date(s.accessed),
            "authors": list(s.authors),
            "kind": s.kind,
            "language": s.language,
            "cited_by": [self.urls.absolute(Urls.briefing(e.briefing.id, e.id))
                         for e in self.graph.entries_by_source.get(s.id, [])],
        }

    def briefings_json(self) -> bytes:
        text = _joined(self.graph.briefings, self._briefing_key, self.briefing, self.memo)
        return (text + "\n").encode("utf-8")

    def entries_json(self) -> bytes:
        text = _joined(self.graph.timeline, lambda e: self._entry_key("api", e), self.entry,
                       self.memo)
        return (text + "\n").encode("utf-8")

    def actors_json(self) -> bytes:
        return _dump([self.actor(a) for a in self.index.actors.values()])

    def sources_json(self) -> bytes:
        return _dump([self.source(s) for s in self.index.sources.values()])

    def timelinejs_json(self) -> bytes:
        events = _joined(self.graph.timeline, lambda e: self._entry_key("tl", e), self._event,
                         self.memo)
        title = _json({"text": {"headline": _tl_html(self.title), "text": _tl_html(self.description)},
                       "autolink": False})
        return f'{{"title":{title},"events":{events}}}\n'.encode()

    def _event(self, e: RenderedEntry) -> dict[str, Any]:
        """One Knight Lab TimelineJS 3 event per entry."""
        link = self.urls.absolute(Urls.briefing(e.briefing.id, e.id))
        event: dict[str, Any] = {
            "unique_id": f"{e.briefing.id}--{e.id}",
            "start_date": _tl_date(e.entry.date.start),
            "text": {"headline": _tl_html(e.title_text),
                     "text": f'<p>{_tl_html(e.text[:500])}</p><p><a href="{_tl_html(link)}">'
                             f"Read in “{_tl_html(e.briefing.title)}”</a></p>"},
            "group": _tl_stripped(e.briefing.title),
            # TimelineJS's autolinker copies text after `www.` into a single-quoted href after
            # sanitising has turned &#x27; back into a quote: off, as on the site's own pages.
            "autolink": False,
        }
        if e.entry.date.end:
            event["end_date"] = _tl_date(e.entry.date.end)
        return event


def _tl_html(text: str) -> str:
    """Text as HTML that TimelineJS shows as typed, for the fields it sanitises and renders as
    HTML (headline, text); quotes too, so that it is also safe in an attribute."""
    return html.escape(text, quote=True)


def _tl_stripped(text: str) -> str:
    """Text for the fields TimelineJS strips of markup and then renders as HTML (group,
    display_date): the stripping decodes one level of entities, so it is escaped twice."""
    return _tl_html(_tl_html(text))


def _tl_date(point: DatePoint) -> dict[str, Any]:
    data: dict[str, Any] = {"year": point.year, "display_date": _tl_stripped(point.human())}
    if point.month:
        data["month"] = point.month
    if point.day:
        data["day"] = point.day
    if point.hour is not None:
        data["hour"] = point.hour
        data["minute"] = point.minute or 0
    return data


def _search_entry(e: RenderedEntry, urls: Urls) -> dict[str, str]:
    return {"t": e.title_text, "u": urls.link(Urls.briefing(e.briefing.id, e.id)),
            "k": "Entry", "d": e.entry.date.human(), "x": f"{e.text} {e.briefing.title}"}


def search_index(graph: Graph, index: SiteIndex, urls: Urls,
                 page_texts: list[tuple[str, str, str]], memo: Store | None = None) -> bytes:
    """Documents for the offline search page: title, root-relative URL, kind, date, text."""
    parts: list[str] = []
    for rb in graph.briefings:
        parts.append(_json({"t": rb.briefing.title, "u": urls.link(Urls.briefing(rb.briefing.id)),
                            "k": "Briefing", "d": rb.briefing.date.human(),
                            "x": rb.doc.summary_text}))
        if rb.entries:
            entries = _joined(rb.entries, lambda e: ("search", e.fingerprint) if e.fingerprint
                              else None, lambda e: _search_entry(e, urls), memo)
            parts.append(entries[1:-1])
    docs: list[dict[str, str]] = []
    for a in index.actors.values():
        docs.append({"t": a.name.value, "u": urls.link(Urls.actor(a.id)), "k": "Actor", "d": "",
                     "x": " ".join([x.value for x in a.aliases]
                                   + [a.summary.source if a.summary else ""])})
    for s in index.sources.values():
        docs.append({"t": s.title, "u": urls.link(Urls.source(s.id)), "k": "Source",
                     "d": s.date.human(), "x": s.publisher.value})
    for title, rel, text in page_texts:
        docs.append({"t": title, "u": urls.link(rel), "k": "Page", "d": "", "x": text})
    parts += [_json(d) for d in docs]
    return ("[" + ",".join(p for p in parts if p) + "]\n").encode("utf-8")
