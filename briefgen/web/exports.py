"""The JSON exports and TimelineJS: the whole model with absolute links.

Each is a join of small pieces, one per entry, briefing, actor or source, each a node of its
own: an edit makes again the pieces it touches, and the join puts them together.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from briefgen.dates import DatePoint, DateValue
from briefgen.datetext import DateStyle, date_text, point_text
from briefgen.engine.deps import Item, Reader
from briefgen.site.documents import ActorIdent, Doc, SourceIdent
from briefgen.site.filled import RenderedBriefing
from briefgen.site.media import Figure
from briefgen.site.settings import SiteSettings
from briefgen.slug import slugify
from briefgen.urls import Urls
from briefgen.web.joined import EMPTY_PIECE, Joined, Piece, join
from briefgen.wording import Words

# Compact: an indent would switch json to its pure-Python encoder, ten times slower. One
# encoder for every call: json.dumps with options would make a new one each time.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(data: Any) -> str:
    return _ENCODER.encode(data)


def _date(value: DateValue | None, style: DateStyle) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"start": value.start.iso(), "end": value.end.iso() if value.end else None,
            "approximate": value.start.approximate, "text": date_text(value, style)}


@dataclass(frozen=True, slots=True)
class EntryData:
    """What feeds and exports show of an entry."""

    briefing_id: str
    id: str
    briefing_title: str
    title_text: str
    date: DateValue
    text: str
    actors: tuple[str, ...]
    sources: tuple[str, ...]
    status: str = "published"  # of its briefing


def entries_data(r: Reader, briefing_id: str) -> list[EntryData]:
    """What feeds and exports show of each entry of a briefing (read from its fill)."""
    rb: RenderedBriefing | None = r.get(("fill", "briefings", briefing_id))
    if rb is None:
        return []
    return [EntryData(briefing_id, entry.id, rb.briefing.title, entry.title_text,
                      entry.entry.date, entry.text, entry.actors, entry.sources, rb.status)
            for entry in rb.entries]


class _Refs:
    """Names and absolute links of other documents, read through the reader."""

    def __init__(self, r: Reader) -> None:
        self.r = r
        settings: SiteSettings = r.get(("settings", "site"))
        self.settings = settings
        self.urls = Urls(settings.base_url)
        self.dates = settings.dates

    def date(self, value: DateValue | None) -> dict[str, Any] | None:
        """A date as data, with its text as the site shows it."""
        return _date(value, self.dates)

    def actor(self, actor_id: str) -> dict[str, str]:
        found = self.r.get(("ident", "actors", actor_id))
        name = found.name if isinstance(found, ActorIdent) else actor_id
        return {"id": actor_id, "name": name, "url": self.urls.absolute(Urls.actor(actor_id))}

    def source(self, source_id: str) -> dict[str, str]:
        found = self.r.get(("ident", "sources", source_id))
        title = found.title if isinstance(found, SourceIdent) else source_id
        return {"id": source_id, "name": title, "url": self.urls.absolute(Urls.source(source_id))}


# ------------------------------------------------------------------------ pieces


def entry_json(r: Reader, briefing_id: str) -> tuple[tuple[str, str], ...]:
    """The JSON of each entry of a briefing (``api/entries.json``), by entry id."""
    refs = _Refs(r)
    urls = refs.urls
    return tuple((e.id, _json({
        "id": e.id,
        "briefing": e.briefing_id,
        "briefing_url": urls.absolute(Urls.briefing(e.briefing_id)),
        "url": urls.absolute(Urls.briefing(e.briefing_id, e.id)),
        "title": e.title_text,
        "date": refs.date(e.date),
        "status": e.status,
        "actors": [refs.actor(a) for a in e.actors],
        "sources": [refs.source(s) for s in e.sources],
        "text": e.text,
    })) for e in entries_data(r, briefing_id))


def briefing_json(r: Reader, briefing_id: str) -> str:
    rb: RenderedBriefing | None = r.get(("fill", "briefings", briefing_id))
    if rb is None:
        return ""
    refs = _Refs(r)
    urls, b = refs.urls, rb.briefing
    return _json({
        "id": b.id,
        "url": urls.absolute(Urls.briefing(b.id)),
        "title": b.title,
        "date": refs.date(b.date),
        "updated": refs.date(b.updated),
        "status": rb.status,
        "summary": rb.doc.summary_text,
        "authors": list(b.authors),
        "tags": [{"name": t.value, "url": urls.absolute(Urls.tag(slugify(t.value)))}
                 for t in b.tags],
        # The note as text, as the summary is: its citations and typography as shown.
        "updates": [{"date": refs.date(u.date), "note": u.text, "kind": u.kind, "entry": u.entry}
                    for u in rb.change_log],
        "actors": [refs.actor(a) for a in rb.doc.linked_actors()],
        "sources": [refs.source(s) for s in rb.doc.citations],
        "entries": [{"id": e.id, "url": urls.absolute(Urls.briefing(b.id, e.id))}
                    for e in rb.entries],
        **_image(rb.doc.image),
    })


def _image(image: Figure | None) -> dict[str, Any]:
    """A document's own image (its largest copy), only for documents that have one."""
    if image is None:
        return {}
    return {"image": {"url": image.url, "width": image.width or None,
                      "height": image.height or None, "alt": image.alt,
                      "caption": image.caption or None, "credit": image.credit or None}}


def actor_json(r: Reader, actor_id: str) -> str:
    found: Doc | None = r.get(("doc", "actors", actor_id))
    a = found.document if found is not None else None
    if a is None:
        return ""
    refs = _Refs(r)
    urls = refs.urls
    return _json({
        "id": a.id,
        "url": urls.absolute(Urls.actor(a.id)),
        "name": a.name.value,  # type: ignore[union-attr]
        "kind": a.kind,  # type: ignore[union-attr]
        "aliases": [x.value for x in a.aliases],  # type: ignore[union-attr]
        "summary": r.get(("actor_summary", a.id)) or None,  # as text, as briefings' are
        "roles": [{"title": role.title,
                   "of": refs.actor(role.of.value) if role.of else None,
                   "from": refs.date(role.start), "to": refs.date(role.end)}
                  for role in a.roles],  # type: ignore[union-attr]
        "wikidata": a.wikidata,  # type: ignore[union-attr]
        "links": list(a.links),  # type: ignore[union-attr]
        "entries": [urls.absolute(Urls.briefing(item[1][0], item[1][1]))
                    for item in r.index("actor_entries", a.id)],
        "feed": urls.absolute(f"actors/{a.id}/feed.xml"),
        **(_image(r.get(("fill", "actors", a.id)).image) if a.image is not None  # type: ignore[union-attr]
           else {}),
    })


def source_json(r: Reader, source_id: str) -> str:
    s = r.get(("ident", "sources", source_id))
    if not isinstance(s, SourceIdent):
        return ""
    found: Doc | None = r.get(("doc", "sources", source_id))
    document: Any = found.document if found is not None else None
    refs = _Refs(r)
    urls = refs.urls
    publisher: str | None = r.get(("publisher", source_id))
    return _json({
        "id": s.id,
        "url": urls.absolute(Urls.source(s.id)),
        "title": s.title,
        "publisher": {"name": s.publisher,
                      "actor": refs.actor(publisher) if publisher else None},
        "date": refs.date(s.date),
        "original_url": s.url,
        "archive_url": s.archive_url,
        "accessed": refs.date(document.accessed) if document is not None else None,
        "authors": list(s.authors),
        "kind": document.kind if document is not None else "article",
        "language": document.language if document is not None else None,
        "cited_by": [urls.absolute(Urls.briefing(item[1][0], item[1][1]))
                     for item in r.index("source_entries", s.id)],
    })


def _tl_html(text: str) -> str:
    """Text as HTML that TimelineJS shows as typed, for the fields it sanitises and renders as
    HTML (headline, text); quotes too, so that it is also safe in an attribute."""
    return html.escape(text, quote=True)


def _tl_stripped(text: str) -> str:
    """Text for the fields TimelineJS strips of markup and then renders as HTML (group,
    display_date): the stripping decodes one level of entities, so it is escaped twice."""
    return _tl_html(_tl_html(text))


def _tl_date(point: DatePoint, style: DateStyle) -> dict[str, Any]:
    data: dict[str, Any] = {"year": point.year,
                            "display_date": _tl_stripped(point_text(point, style))}
    if point.month:
        data["month"] = point.month
    if point.day:
        data["day"] = point.day
    if point.hour is not None:
        data["hour"] = point.hour
        data["minute"] = point.minute or 0
    return data


def timeline_event(r: Reader, briefing_id: str) -> tuple[tuple[str, str], ...]:
    """One Knight Lab TimelineJS 3 event per entry of a briefing, by entry id."""
    settings: SiteSettings = r.get(("settings", "site"))
    urls = Urls(settings.base_url)
    return tuple((e.id, _timeline_event(e, urls, settings.dates, settings.words))
                  for e in entries_data(r, briefing_id))


def _timeline_event(e: EntryData, urls: Urls, dates: DateStyle, words: Words) -> str:
    link = urls.absolute(Urls.briefing(e.briefing_id, e.id))
    event: dict[str, Any] = {
        "unique_id": f"{e.briefing_id}--{e.id}",
        "start_date": _tl_date(e.date.start, dates),
        "text": {"headline": _tl_html(e.title_text),
                 "text": f'<p>{_tl_html(e.text[:500])}</p><p><a href="{_tl_html(link)}">'
                         f"{_tl_html(words.text('read_in', title=e.briefing_title))}</a></p>"},
        "group": _tl_stripped(e.briefing_title),
        # TimelineJS's autolinker copies text after `www.` into a single-quoted href after
        # sanitising has turned &#x27; back into a quote: off, as on the site's own pages.
        "autolink": False,
    }
    if e.date.end:
        event["end_date"] = _tl_date(e.date.end, dates)
    return _json(event)


# ------------------------------------------------------------------------ joins


def _pieces(r: Reader, piece: str, index: str, *rest: str,
            order: Callable[[Item], Any] | None = None) -> list[Piece]:
    found = r.each_fingerprint(piece, index, *rest)
    if order is not None:
        found.sort(key=lambda pair: order(pair[0]))
    return [place for _, place in found if place.fp not in EMPTY_PIECE]


def _by_path(item: Item) -> Any:
    return item[0][1]  # actors' items are ordered by name, then path: exports use file order


def _array(pieces: list[Piece]) -> Joined:
    return Joined(("[", *join(pieces, ","), "]\n"))


def briefings_export(r: Reader) -> Joined:
    return _array(_pieces(r, "briefing_json", "briefings"))


def entries_export(r: Reader) -> Joined:
    return _array(_pieces(r, "entry_json", "timeline"))


def actors_export(r: Reader) -> Joined:
    return _array(_pieces(r, "actor_json", "actors", order=_by_path))


def sources_export(r: Reader) -> Joined:
    return _array(_pieces(r, "source_json", "sources"))


def timelinejs_export(r: Reader) -> Joined:
    settings: SiteSettings = r.get(("settings", "site"))
    title = _json({"text": {"headline": _tl_html(settings.title),
                            "text": _tl_html(settings.description)}, "autolink": False})
    events = _pieces(r, "timeline_event", "timeline")
    return Joined((f'{{"title":{title},"events":[', *join(events, ","), "]}\n"))
