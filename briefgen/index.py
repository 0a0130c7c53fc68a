"""Phase A: every id, name and alias of the site, and what a link target resolves to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from briefgen.errors import FILE_START, Diagnostic, Diagnostics
from briefgen.fragments import fill
from briefgen.model import Actor, Briefing, Collection, Content, Entry, Located, Page, Source
from briefgen.slug import name_key
from briefgen.suggest import closest
from briefgen.urls import Urls

# Page ids that would collide with generated paths (SPEC §12).
RESERVED_PAGE_IDS = frozenset({
    "briefings", "actors", "sources", "timeline", "tags", "search", "api", "feed.xml",
    "sitemap.xml", "robots.txt", "404.html", "assets", "index.html",
})


class TargetKind(StrEnum):
    ACTOR = "actor"
    BRIEFING = "briefing"
    ENTRY = "entry"
    SOURCE = "source"
    PAGE = "page"


@dataclass(frozen=True, slots=True)
class Target:
    kind: TargetKind
    id: str  # the actor, briefing, source or page id
    rel: str  # site path, with a fragment for entries
    text: str  # default link text
    entry_id: str | None = None
    hidden: bool = False  # a draft or scheduled document left out of this build


@dataclass(frozen=True, slots=True)
class Lookup:
    target: Target | None
    problem: str | None = None


@dataclass(slots=True)
class SiteIndex:
    """All link targets of the site; built once per build from the whole content."""

    actors: dict[str, Actor] = field(default_factory=dict)
    briefings: dict[str, Briefing] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # name_key of a name or alias → actor id
    visible: set[tuple[Collection, str]] = field(default_factory=set)
    broken: frozenset[tuple[Collection, str]] = frozenset()
    # Targets already resolved in this build (the index does not change once built).
    _resolved: dict[str, Lookup] = field(default_factory=dict, repr=False)
    _cited: dict[str, Lookup] = field(default_factory=dict, repr=False)

    def actor_for_name(self, text: str) -> Actor | None:
        """An actor by id exactly, or by name or alias ignoring case."""
        if text in self.actors:
            return self.actors[text]
        actor_id = self.names.get(name_key(text))
        return self.actors.get(actor_id) if actor_id else None

    def is_visible(self, collection: Collection, doc_id: str) -> bool:
        return (collection, doc_id) in self.visible

    def resolve(self, target: str) -> Lookup:
        """Resolve a ``[[target]]`` in the order of SPEC §6."""
        lookup = self._resolved.get(target)
        if lookup is None:
            lookup = self._resolved[target] = self._resolve(target)
        return lookup

    def _resolve(self, target: str) -> Lookup:
        actor = self.actor_for_name(target)
        if actor is not None:
            return Lookup(Target(TargetKind.ACTOR, actor.id, Urls.actor(actor.id), actor.name.value))
        kind, _, rest = target.partition("/")
        if kind == "briefings":
            return self._briefing(rest)
        if kind == "sources" and rest in self.sources:
            source = self.sources[rest]
            return Lookup(Target(TargetKind.SOURCE, rest, Urls.source(rest), source.title))
        if kind == "pages" and rest in self.pages:
            page = self.pages[rest]
            hidden = not self.is_visible(Collection.PAGES, rest)
            return Lookup(Target(TargetKind.PAGE, rest, Urls.page(rest), page.title, None, hidden))
        if kind == "actors" and rest in self.actors:
            return Lookup(Target(TargetKind.ACTOR, rest, Urls.actor(rest),
                                 self.actors[rest].name.value))
        return Lookup(None, self._unknown(target))

    def _briefing(self, rest: str) -> Lookup:
        briefing_id, hash_sign, entry_id = rest.partition("#")
        briefing = self.briefings.get(briefing_id)
        if briefing is None:
            return Lookup(None, self._unknown(f"briefings/{rest}"))
        if hash_sign and not entry_id:
            return Lookup(None, f"'briefings/{rest}' names no entry after '#'; write "
                                f"briefings/{briefing_id}#ENTRY-ID or drop the '#'")
        hidden = not self.is_visible(Collection.BRIEFINGS, briefing_id)
        if not entry_id:
            return Lookup(Target(TargetKind.BRIEFING, briefing_id, Urls.briefing(briefing_id),
                                 briefing.title, None, hidden))
        entry = next((e for e in briefing.entries if e.id == entry_id), None)
        if entry is None:
            ids = [e.id for e in briefing.entries]
            hint = closest(entry_id, ids)
            suggestion = f"; did you mean '{briefing_id}#{hint[0]}'?" if hint else \
                f"; its entries are {', '.join(ids[:5])}" if ids else "; it has no entries"
            return Lookup(None, f"briefing '{briefing_id}' has no entry '{entry_id}'{suggestion}")
        return Lookup(Target(TargetKind.ENTRY, briefing_id, Urls.briefing(briefing_id, entry.id),
                             self.title_text(briefing, entry), entry.id, hidden))

    def title_text(self, briefing: Briefing, entry: Entry) -> str:
        """An entry title's plain text, its links showing the actor names they resolve to."""
        names = []
        for ref in briefing.refs:
            actor = self.actor_for_name(ref.target) if ref.target and not ref.label else None
            names.append(ref.label or (actor.name.value if actor else ref.target or ""))
        return fill(entry.title.text, names)

    def _unknown(self, target: str) -> str | None:
        kind, _, rest = target.partition("/")
        collection = {"briefings": Collection.BRIEFINGS, "sources": Collection.SOURCES,
                      "pages": Collection.PAGES, "actors": Collection.ACTORS}.get(kind)
        if collection and (collection, rest.partition("#")[0]) in self.broken:
            return None  # the file exists but has errors of its own, reported there
        if (Collection.ACTORS, target) in self.broken:
            return None
        candidates = list(self.actors) + [f"briefings/{b}" for b in self.briefings] \
            + [f"sources/{s}" for s in self.sources] + [f"pages/{p}" for p in self.pages]
        bare = [c for c in candidates if c.partition("/")[2] == target]  # "cbs" for sources/cbs
        found = bare or closest(target, candidates) or closest(name_key(target), self.names)
        hint = f"; did you mean {' or '.join(repr(f) for f in found)}?" if found else \
            "; link an actor by id, name or alias, or write briefings/ID, sources/ID or pages/ID"
        return f"unknown link target '{target}'{hint}"

    def cite(self, source_id: str) -> Lookup:
        """Resolve the source id of a ``[@source_id]`` citation."""
        lookup = self._cited.get(source_id)
        if lookup is None:
            lookup = self._cited[source_id] = self._cite(source_id)
        return lookup

    def _cite(self, source_id: str) -> Lookup:
        source = self.sources.get(source_id)
        if source is not None:
            return Lookup(Target(TargetKind.SOURCE, source_id, Urls.source(source_id), source.title))
        if (Collection.SOURCES, source_id) in self.broken:
            return Lookup(None, None)
        found = closest(source_id, self.sources) or closest(source_id.lower(), self.sources)
        hint = f"; did you mean {' or '.join(repr(f) for f in found)}?" if found else \
            "; cite a source by its file name in sources/"
        return Lookup(None, f"unknown source '{source_id}' in citation{hint}")


def _register_names(index: SiteIndex, actors: Iterable[Actor]) -> list[Diagnostic]:
    """Every id, name and alias names one actor; a clash is reported where the later one
    (in file order) is written, naming both actors."""
    diagnostics: list[Diagnostic] = []
    owners: dict[str, str] = {}  # name_key of an id, name or alias → actor id
    for actor in actors:
        written = [("id", Located(actor.id, FILE_START)), ("name", actor.name),
                   *(("alias", alias) for alias in actor.aliases)]
        for what, located in written:
            key = name_key(located.value)
            other = owners.setdefault(key, actor.id)
            if other != actor.id:
                d = Diagnostics(actor.path)
                d.error(located.loc, f"{what} '{located.value}' of actor '{actor.id}' is already the"
                                     f" id, name or alias of actor '{other}' "
                                     f"({index.actors[other].path}); links to it would be ambiguous",
                        span=len(located.value))
                diagnostics.extend(d.items)
    index.names = owners
    return diagnostics


def build_index(content: Content, visible_briefings: set[str],
                visible_pages: set[str]) -> tuple[SiteIndex, list[Diagnostic]]:
    index = SiteIndex(broken=content.broken_ids)
    index.actors = {a.id: a for a in content.actors}
    index.briefings = {b.id: b for b in content.briefings}
    index.sources = {s.id: s for s in content.sources}
    index.pages = {p.id: p for p in content.pages}
    index.visible = {(Collection.BRIEFINGS, b) for b in visible_briefings} \
        | {(Collection.PAGES, p) for p in visible_pages} \
        | {(Collection.ACTORS, a) for a in index.actors} \
        | {(Collection.SOURCES, s) for s in index.sources}
    diagnostics = _register_names(index, content.actors)
    for actor in content.actors:
        for role in actor.roles:
            if role.of is not None and role.of.value not in index.actors \
                    and (Collection.ACTORS, role.of.value) not in index.broken:
                d = Diagnostics(actor.path)
                named = index.actor_for_name(role.of.value)
                found = [named.id] if named else closest(role.of.value, index.actors)
                hint = f"; did you mean {found[0]!r}?" if found else ""
                d.error(role.of.loc, f"role of unknown actor '{role.of.value}'{hint}",
                        span=len(role.of.value))
                diagnostics.extend(d.items)
    return index, diagnostics
