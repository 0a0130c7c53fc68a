"""Documents with their links and citations filled in: the values of ``fill`` nodes.

A filled briefing holds its own parsed document and what its refs resolved to, and nothing
of any other document's (see ``engine.deps``): pages read other documents through their
own nodes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefgen.dates import DateValue
from briefgen.model import Briefing, Entry, Section, Update

if TYPE_CHECKING:
    from briefgen.site.fill import CiteRecord, LinkRecord
    from briefgen.site.lookup import TargetKind
    from briefgen.site.media import Figure


@dataclass(frozen=True, slots=True)
class RenderedEntry:
    entry: Entry
    briefing: Briefing
    title_html: str
    body_html: str
    text: str
    actors: tuple[str, ...]  # actor ids in order of first link
    sources: tuple[str, ...]  # source ids in order of first citation
    title_text: str  # the title as plain text, links showing the names they resolve to
    attempted_citation: bool = False  # it cites something, even if that did not resolve

    @property
    def id(self) -> str:
        return self.entry.id


@dataclass(frozen=True, slots=True)
class RenderedSection:
    section: Section
    title_html: str
    body_html: str


@dataclass(frozen=True, slots=True)
class RenderedDoc:
    """What every kind of document has once filled."""

    body_html: str
    summary_html: str  # on the document's own page, whose Sources list it may point at
    summary_text: str
    summary_list_html: str  # in lists of briefings, where there is no Sources list
    citations: tuple[str, ...]  # source ids in order of first citation: the Sources list
    links: tuple[LinkRecord, ...]
    cites: tuple[CiteRecord, ...]
    fingerprint: str = ""
    image: Figure | None = None  # a briefing's lead image, an actor's portrait
    # (source id, (n, …)): the page's links to the source's item, whose ids are
    # bg-cite-<source id>-<n>, in page order; the item links back to each.
    anchors: tuple[tuple[str, tuple[int, ...]], ...] = ()

    def linked_actors(self) -> list[str]:
        from briefgen.site.lookup import TargetKind

        return self.linked(TargetKind.ACTOR)

    def linked(self, kind: TargetKind) -> list[str]:
        from briefgen.site.lookup import TargetKind

        seen: dict[str, None] = {}
        for link in self.links:
            if link.kind is kind or (kind is TargetKind.BRIEFING and
                                     link.kind is TargetKind.ENTRY):
                seen.setdefault(link.id)
        return list(seen)


@dataclass(frozen=True, slots=True)
class RenderedUpdate:
    """An item of a briefing's change log, its note filled."""

    update: Update
    number: int  # from 1 for the oldest; the item's element id is bg-update-<number>
    html: str  # the note in the change log
    flag_html: str  # the note again (a correction at the top, a note at its entry)
    text: str  # the note as plain text (the briefing's feed)

    @property
    def anchor(self) -> str:
        return f"bg-update-{self.number}"

    @property
    def date(self) -> DateValue:
        return self.update.date

    @property
    def kind(self) -> str:
        return self.update.kind

    @property
    def entry(self) -> str | None:
        return self.update.entry


@dataclass(frozen=True, slots=True)
class RenderedBriefing:
    briefing: Briefing
    doc: RenderedDoc  # body_html is the lead
    blocks: tuple[RenderedEntry | RenderedSection, ...]
    notes_html: str
    updates_html: tuple[str, ...]
    fingerprint: str = ""
    status: str = "published"  # "draft" or "scheduled" in builds that show them
    change_log: tuple[RenderedUpdate, ...] = ()  # as written

    @property
    def corrections(self) -> list[RenderedUpdate]:
        return [u for u in self.change_log if u.kind == "correction"]

    def updates_of(self, entry_id: str) -> list[RenderedUpdate]:
        """The updates and corrections that name an entry."""
        return [u for u in self.change_log if u.entry == entry_id]

    @property
    def entries(self) -> list[RenderedEntry]:
        return [b for b in self.blocks if isinstance(b, RenderedEntry)]

    def entry(self, entry_id: str) -> RenderedEntry | None:
        return next((e for e in self.entries if e.id == entry_id), None)
