"""Phase C: the recorded links inverted into backlinks, cited-by lists, the timeline, tags."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import tzinfo

from briefgen.dates import SortKey
from briefgen.errors import FILE_START, Diagnostic, Diagnostics
from briefgen.fingerprint import digest
from briefgen.index import SiteIndex, TargetKind
from briefgen.model import Actor, Role
from briefgen.rendered import RenderedBriefing, RenderedDoc, RenderedEntry
from briefgen.slug import slugify

CO_ACTORS_SHOWN = 8


@dataclass(frozen=True, slots=True)
class Tag:
    slug: str
    name: str
    briefings: tuple[RenderedBriefing, ...]  # newest first
    fingerprint: str = ""  # stands for the fields above (pages list a tag many times)


@dataclass(slots=True)
class Graph:
    briefings: list[RenderedBriefing] = field(default_factory=list)  # newest first
    timeline: list[RenderedEntry] = field(default_factory=list)  # ascending
    entries_by_actor: dict[str, list[RenderedEntry]] = field(default_factory=dict)
    briefings_by_actor: dict[str, list[RenderedBriefing]] = field(default_factory=dict)
    entries_by_source: dict[str, list[RenderedEntry]] = field(default_factory=dict)
    briefings_by_source: dict[str, list[RenderedBriefing]] = field(default_factory=dict)
    co_actors: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    members: dict[str, list[tuple[Actor, Role]]] = field(default_factory=dict)
    publisher_actor: dict[str, str] = field(default_factory=dict)
    tags: list[Tag] = field(default_factory=list)
    tag_slugs: dict[str, str] = field(default_factory=dict)  # tag as written → slug
    years: list[int] = field(default_factory=list)
    by_year: dict[int, list[RenderedEntry]] = field(default_factory=dict)  # ascending

    def entries_in_year(self, year: int) -> list[RenderedEntry]:
        return self.by_year.get(year, [])


def _briefing_key(rb: RenderedBriefing, zone: tzinfo) -> tuple[SortKey, str]:
    return (-rb.briefing.date.sort_key(zone), rb.briefing.path)


def _timeline(briefings: Iterable[RenderedBriefing], zone: tzinfo) -> list[RenderedEntry]:
    keyed: list[tuple[SortKey, str, int, RenderedEntry]] = []
    for rb in briefings:
        for position, entry in enumerate(rb.entries):
            keyed.append((entry.entry.date.sort_key(zone), rb.briefing.path, position, entry))
    keyed.sort(key=lambda k: k[:3])
    return [k[3] for k in keyed]


def _tags(graph: Graph, briefings: list[RenderedBriefing], warnings: list[Diagnostic]) -> None:
    names: dict[str, str] = {}
    members: dict[str, list[RenderedBriefing]] = defaultdict(list)
    for rb in sorted(briefings, key=lambda b: b.briefing.path):
        for tag in rb.briefing.tags:
            slug = slugify(tag.value)
            if not slug:
                continue
            if slug not in names:
                names[slug] = tag.value
            elif names[slug] != tag.value:
                d = Diagnostics(rb.briefing.path)
                d.warning(tag.loc, f"tag '{tag.value}' is merged with '{names[slug]}' (same URL "
                                   f"tags/{slug}/); write it the same way everywhere",
                          span=len(tag.value))
                warnings.extend(d.items)
            graph.tag_slugs[tag.value] = slug
            if not members[slug] or members[slug][-1] is not rb:  # one briefing, two spellings
                members[slug].append(rb)
    order = {id(b): i for i, b in enumerate(briefings)}
    graph.tags = []
    for slug in sorted(names, key=lambda s: names[s].casefold()):
        tagged = tuple(sorted(members[slug], key=lambda b: order[id(b)]))
        graph.tags.append(Tag(slug, names[slug], tagged, digest(slug, names[slug], tagged)))


def build_graph(index: SiteIndex, briefings: list[RenderedBriefing],
                docs: dict[tuple[TargetKind, str], RenderedDoc],
                zone: tzinfo) -> tuple[Graph, list[Diagnostic]]:
    """Invert the links of the visible documents. ``docs`` holds actors, sources and pages."""
    warnings: list[Diagnostic] = []
    graph = Graph(briefings=sorted(briefings, key=lambda b: _briefing_key(b, zone)))
    graph.timeline = _timeline(graph.briefings, zone)
    for entry in graph.timeline:
        graph.by_year.setdefault(entry.entry.date.year, []).append(entry)
    graph.years = sorted(graph.by_year)
    by_actor: dict[str, list[RenderedEntry]] = defaultdict(list)
    by_source: dict[str, list[RenderedEntry]] = defaultdict(list)
    co: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in graph.timeline:
        for actor_id in entry.actors:
            by_actor[actor_id].append(entry)
            co[actor_id].update(a for a in entry.actors if a != actor_id)
        for source_id in entry.sources:
            by_source[source_id].append(entry)
    graph.entries_by_actor = dict(by_actor)
    graph.entries_by_source = dict(by_source)
    graph.co_actors = {a: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:CO_ACTORS_SHOWN]
                       for a, c in co.items()}
    b_actor: dict[str, list[RenderedBriefing]] = defaultdict(list)
    b_source: dict[str, list[RenderedBriefing]] = defaultdict(list)
    for rb in graph.briefings:
        for actor_id in rb.doc.linked(TargetKind.ACTOR):
            b_actor[actor_id].append(rb)
        for source_id in rb.doc.citations:
            b_source[source_id].append(rb)
    graph.briefings_by_actor = dict(b_actor)
    graph.briefings_by_source = dict(b_source)
    for actor in index.actors.values():
        for role in actor.roles:
            if role.of is not None and role.of.value in index.actors:
                graph.members.setdefault(role.of.value, []).append((actor, role))
    for source in index.sources.values():
        publisher = index.actor_for_name(source.publisher.value)
        if publisher is not None:
            graph.publisher_actor[source.id] = publisher.id
    _tags(graph, graph.briefings, warnings)
    warnings.extend(_usage_warnings(index, graph, docs))
    return graph, warnings


def _usage_warnings(index: SiteIndex, graph: Graph,
                    docs: dict[tuple[TargetKind, str], RenderedDoc]) -> list[Diagnostic]:
    """SPEC §8: uncited sources, unlinked actors, entries without citations, empty briefings."""
    every = [rb.doc for rb in graph.briefings] + list(docs.values())
    linked = {link.id for doc in every for link in doc.links if link.kind is TargetKind.ACTOR}
    cited = {c.source_id for doc in every for c in doc.cites}
    warnings: list[Diagnostic] = []
    for source in index.sources.values():
        if source.id not in cited:
            d = Diagnostics(source.path)
            d.warning(FILE_START, f"source '{source.id}' is never cited")
            warnings.extend(d.items)
    for actor in index.actors.values():
        if actor.id not in linked:
            d = Diagnostics(actor.path)
            d.warning(actor.name.loc, f"actor '{actor.id}' is never linked; link it with "
                                      f"[[{actor.id}]] or remove the file")
            warnings.extend(d.items)
    for rb in graph.briefings:
        d = Diagnostics(rb.briefing.path)
        if not rb.entries and not any(getattr(b, "meant_as_entry", False)
                                      for b in rb.briefing.blocks):
            d.warning(FILE_START, f"briefing '{rb.briefing.id}' has no dated entries; start an "
                                  "entry with a heading such as '## 2022-02-01 What happened'")
        for entry in rb.entries:
            if not entry.attempted_citation:
                d.warning(entry.entry.loc, f"entry '{entry.id}' cites no source; add a "
                                           "citation such as [@source-id]")
        warnings.extend(d.items)
    return warnings
