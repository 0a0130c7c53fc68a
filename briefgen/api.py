"""The JSON exports: the whole model with absolute links, TimelineJS, and the search index."""

from __future__ import annotations

import json
from typing import Any

from briefgen.dates import DatePoint, DateValue
from briefgen.graph import Graph
from briefgen.index import SiteIndex
from briefgen.model import Actor, Source
from briefgen.rendered import RenderedBriefing, RenderedEntry
from briefgen.urls import Urls


def _dump(data: Any) -> bytes:
    # Compact: an indent would switch json to its pure-Python encoder, ten times slower.
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _date(value: DateValue | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"start": value.start.iso(), "end": value.end.iso() if value.end else None,
            "approximate": value.start.approximate, "text": value.human()}


class ApiExport:
    def __init__(self, index: SiteIndex, graph: Graph, urls: Urls, title: str,
                 description: str) -> None:
        self.index, self.graph, self.urls = index, graph, urls
        self.title, self.description = title, description

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
        return _dump([self.briefing(b) for b in self.graph.briefings])

    def entries_json(self) -> bytes:
        return _dump([self.entry(e) for e in self.graph.timeline])

    def actors_json(self) -> bytes:
        return _dump([self.actor(a) for a in self.index.actors.values()])

    def sources_json(self) -> bytes:
        return _dump([self.source(s) for s in self.index.sources.values()])

    def timelinejs_json(self) -> bytes:
        return _dump(self.timelinejs())

    def timelinejs(self) -> dict[str, Any]:
        """Knight Lab TimelineJS 3 JSON: one event per entry."""
        events = []
        for e in self.graph.timeline:
            link = self.urls.absolute(Urls.briefing(e.briefing.id, e.id))
            event: dict[str, Any] = {
                "unique_id": f"{e.briefing.id}--{e.id}",
                "start_date": _tl_date(e.entry.date.start),
                "text": {"headline": e.title_text,
                         "text": f'<p>{_escape(e.text[:500])}</p><p><a href="{link}">'
                                 f"Read in “{_escape(e.briefing.title)}”</a></p>"},
                "group": e.briefing.title,
            }
            if e.entry.date.end:
                event["end_date"] = _tl_date(e.entry.date.end)
            events.append(event)
        return {"title": {"text": {"headline": self.title, "text": self.description}},
                "events": events}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _tl_date(point: DatePoint) -> dict[str, Any]:
    data: dict[str, Any] = {"year": point.year, "display_date": point.human()}
    if point.month:
        data["month"] = point.month
    if point.day:
        data["day"] = point.day
    if point.hour is not None:
        data["hour"] = point.hour
        data["minute"] = point.minute or 0
    return data


def search_index(graph: Graph, index: SiteIndex, urls: Urls,
                 page_texts: list[tuple[str, str, str]]) -> bytes:
    """Documents for the offline search page: title, root-relative URL, kind, date, text."""
    docs: list[dict[str, str]] = []
    for rb in graph.briefings:
        docs.append({"t": rb.briefing.title, "u": urls.link(Urls.briefing(rb.briefing.id)),
                     "k": "Briefing", "d": rb.briefing.date.human(), "x": rb.doc.summary_text})
        for e in rb.entries:
            docs.append({"t": e.title_text, "u": urls.link(Urls.briefing(rb.briefing.id, e.id)),
                         "k": "Entry", "d": e.entry.date.human(),
                         "x": f"{e.text} {rb.briefing.title}"})
    for a in index.actors.values():
        docs.append({"t": a.name.value, "u": urls.link(Urls.actor(a.id)), "k": "Actor", "d": "",
                     "x": " ".join([x.value for x in a.aliases]
                                   + [a.summary.source if a.summary else ""])})
    for s in index.sources.values():
        docs.append({"t": s.title, "u": urls.link(Urls.source(s.id)), "k": "Source",
                     "d": s.date.human(), "x": s.publisher.value})
    for title, rel, text in page_texts:
        docs.append({"t": title, "u": urls.link(rel), "k": "Page", "d": "", "x": text})
    return (json.dumps(docs, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
