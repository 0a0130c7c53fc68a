"""Small values that many pages share, each a node of its own so that a page reads exactly
the pieces it shows: an entry's list item, an actor's chip, a briefing's card, an actor's
co-actors, a source's publisher, the years and the topics of the site.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from markupsafe import Markup

from briefgen.dates import DateValue
from briefgen.engine.deps import Reader
from briefgen.errors import Diagnostic, Loc, Severity
from briefgen.site.documents import PUBLISHED, ActorIdent, SourceIdent
from briefgen.site.filled import RenderedBriefing, RenderedDoc
from briefgen.site.lookup import Lookups
from briefgen.site.roles import RoleSpan

CO_ACTORS_SHOWN = 8


def entry_item(r: Reader, briefing_id: str) -> tuple[tuple[str, bytes], ...]:
    """The HTML of each entry of a briefing in a list (timeline, year, actor and source
    pages, home), by entry id, in UTF-8: typographic quotes and dashes would have Python
    hold every character of the text in two bytes, and a large preview holds them all."""
    rb: RenderedBriefing | None = r.get(("fill", "briefings", briefing_id))
    if rb is None:
        return ()
    templates = r.get(("service", "templates"))
    return tuple((entry.id, str(templates.render(r, "partials/entry_item.html",
                                                 {"e": entry, "status": rb.status})
                                ).encode("utf-8"))
                 for entry in rb.entries)


def actor_chip(r: Reader, actor_id: str, role: str = "") -> str:
    """The HTML of the link to an actor shown as a chip; with ``role`` (an index into its
    roles), the chip also shows that role's title."""
    actor = r.get(("ident", "actors", actor_id))
    if not isinstance(actor, ActorIdent):
        return ""
    spans: tuple[RoleSpan, ...] = r.get(("roles", actor_id)) if role else ()
    title = spans[int(role)].title if role and int(role) < len(spans) else ""
    templates = r.get(("service", "templates"))
    return str(templates.render(r, "partials/actor_chip.html", {"a": actor, "role": title}))


def actor_summary(r: Reader, actor_id: str) -> str:
    """The summary an actor's file gives, as plain text (its links showing the names they
    resolve to), "" if none: the list of actors shows it."""
    filled: RenderedDoc | None = r.get(("fill", "actors", actor_id))
    return filled.summary_text if filled is not None and filled.summary_html else ""


@dataclass(frozen=True, slots=True)
class CardBriefing:
    id: str
    title: str
    date: DateValue


@dataclass(frozen=True, slots=True)
class CardDoc:
    summary_html: str
    summary_text: str


@dataclass(frozen=True, slots=True)
class BriefingCard:
    """What lists of briefings show of one (home, all briefings, topics, feeds)."""

    briefing: CardBriefing
    doc: CardDoc
    entries: tuple[str, ...]  # entry ids
    updated: DateValue | None
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    status: str = PUBLISHED  # or DRAFT, SCHEDULED: shown marked

    @property
    def summary_html(self) -> Markup:
        return Markup(self.doc.summary_html)


def briefing_card(r: Reader, briefing_id: str) -> BriefingCard | None:
    rb: RenderedBriefing | None = r.get(("fill", "briefings", briefing_id))
    if rb is None:
        return None
    b = rb.briefing
    return BriefingCard(CardBriefing(b.id, b.title, b.date),
                        CardDoc(rb.doc.summary_list_html, rb.doc.summary_text),
                        tuple(e.id for e in rb.entries), b.updated,
                        tuple(t.value for t in b.tags), b.authors, rb.status)


def card_html(r: Reader, briefing_id: str) -> str:
    """The HTML of a briefing's card in the list of all briefings (made once per briefing,
    and joined into that page as a piece)."""
    card: BriefingCard | None = r.get(("card", briefing_id))
    if card is None:
        return ""
    templates = r.get(("service", "templates"))
    return str(templates.render(r, "partials/briefing_card.html", {"rb": card}))


def last_modified(r: Reader, briefing_id: str) -> str | None:
    """The day a briefing last changed (its last update, else its date), as the sitemap
    gives it: a node of its own, so that an edit that leaves it alone (a title) leaves the
    sitemap alone too."""
    card: BriefingCard | None = r.get(("card", briefing_id))
    if card is None:
        return None
    return (card.updated or card.briefing.date).start.date_iso()


def co_actors(r: Reader, actor_id: str) -> tuple[tuple[str, int], ...]:
    """The actors an actor most often shares an entry with, most frequent first."""
    counts: Counter[str] = Counter()
    for _, _, actors in r.index("actor_entries", actor_id):
        counts.update(actors)  # counted in C; the actor itself is taken out below
    counts.pop(actor_id, None)
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:CO_ACTORS_SHOWN])


def publisher(r: Reader, source_id: str) -> str | None:
    """The actor a source's publisher names (by id, name or alias), if any."""
    source = r.get(("ident", "sources", source_id))
    if not isinstance(source, SourceIdent):
        return None
    actor = Lookups(r).actor_for_name(source.publisher)
    return actor.id if actor else None


def years(r: Reader) -> tuple[int, ...]:
    """The years that have entries, ascending."""
    return tuple(sorted({item[2] for item in r.index("years")}))


@dataclass(frozen=True, slots=True)
class TagInfo:
    slug: str
    name: str  # the spelling met first, in file order


def tag(r: Reader, slug: str) -> TagInfo | None:
    """A topic and its name; other spellings with the same slug are merged into it, with a
    warning where they are written."""
    items = sorted(r.index("tag", slug), key=lambda item: item[0])
    if not items:
        return None
    name = items[0][2]
    for (path, _), _, spelling, line, col, _ in items[1:]:
        if spelling != name:
            r.diagnostic(Diagnostic(path, Loc(line, col), Severity.WARNING,
                                    f"tag '{spelling}' is merged with '{name}' (same URL "
                                    f"tags/{slug}/); write it the same way everywhere",
                                    len(spelling)))
    return TagInfo(slug, name)


def tag_slugs(r: Reader) -> tuple[str, ...]:
    return tuple(sorted({item[2] for item in r.index("tags")}))


def tag_list(r: Reader) -> tuple[TagInfo, ...]:
    """Every topic, by name."""
    found = []
    for slug in r.get(("tag_slugs",)):
        info = r.get(("tag", slug))
        if info is not None:
            found.append(info)
    return tuple(sorted(found, key=lambda t: t.name.casefold()))


def tagged(r: Reader, slug: str) -> tuple[str, ...]:
    """The ids of a topic's briefings, newest first (once each)."""
    seen: dict[str, None] = {}
    for item in sorted(r.index("tag", slug), key=lambda item: item[5]):
        seen.setdefault(item[1][0])
    return tuple(seen)


def counts(r: Reader) -> tuple[tuple[str, int], ...]:
    """How many of each the site has, for the build's summary."""
    return (("briefings", len(r.index("briefings"))), ("entries", len(r.index("timeline"))),
            ("actors", len(r.index("actors"))), ("sources", len(r.index("sources"))),
            ("pages", len(r.index("pages"))))
