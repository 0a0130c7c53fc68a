"""Documents with their links and citations filled in: the values of ``fill`` nodes.

A filled briefing holds its own parsed document and what its refs resolved to, and nothing
of any other document's (see ``engine.deps``): pages read other documents through their
own nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
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
    text: str = ""  # the body as plain text, links showing the names they resolve to
    actors: tuple[str, ...] = ()  # actor ids in order of first link
    title_text: str = ""  # the title as plain text


@dataclass(frozen=True, slots=True)
class RenderedDoc:
    """What every kind of document has once filled."""

    body_html: str
    summary_html: str  # on the document's own page, whose Sources list it may point at
    summary_text: str
    summary_list_html: str  # in lists of briefings, where there is no Sources list
    citations: tuple[str, ...]  # source ids in order of first citation: the Sources list
    links: tuple[LinkRecord, ...]  # the first link to each target (kind and id), in order
    cites: tuple[CiteRecord, ...]  # the first citation of each source, in order
    fingerprint: str = ""
    image: Figure | None = None  # a briefing's lead image, an actor's portrait
    # (source id, (n, …)): the page's links to the source's item, whose ids are
    # bg-cite-<source id>-<n>, in page order; the item links back to each.
    anchors: tuple[tuple[str, tuple[int, ...]], ...] = ()
    # (source id, "King 2024a"): in the author-date style, how citations name each source.
    labels: tuple[tuple[str, str], ...] = ()
    body_text: str = ""  # the whole body as plain text (search holds it)

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
    notes_text: str = ""  # the footnotes as plain text

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


# ------------------------------------------------------------------------ between processes


@dataclass(frozen=True, slots=True)
class DetachedBriefing:
    """A filled briefing as a worker process hands it back: without its parsed document
    (the briefing, its blocks and its change log), which the parent process holds already.
    Pickled whole, the result would arrive as a second copy of the parsed document."""

    fingerprint: str  # the parsed document's, to check that the parent's is the same one
    doc: RenderedDoc
    blocks: tuple[tuple[object, ...], ...]  # each block's fields after its model objects
    notes_html: str
    updates_html: tuple[str, ...]
    own_fingerprint: str
    status: str
    change_log: tuple[tuple[object, ...], ...]  # each update's fields after ``update``
    notes_text: str


def _own(value: object, skip: int) -> tuple[object, ...]:
    """A dataclass's field values after the first ``skip``."""
    return tuple(getattr(value, f.name) for f in fields(value)[skip:])  # type: ignore[arg-type]


def detach(value: object) -> object:
    """The value of a ``fill`` node ready to leave a worker (see ``DetachedBriefing``)."""
    if not isinstance(value, RenderedBriefing):
        return value  # the other documents' values hold nothing of their parsed document
    return DetachedBriefing(
        value.briefing.fingerprint, value.doc,
        tuple(_own(block, 2 if isinstance(block, RenderedEntry) else 1) for block in value.blocks),
        value.notes_html, value.updates_html, value.fingerprint, value.status,
        tuple(_own(update, 1) for update in value.change_log), value.notes_text)


def attach(value: object, briefing: object) -> object:
    """A detached filled briefing joined again to the parent's own parsed ``briefing`` (the
    same parse: its blocks and updates are those the worker filled, in order)."""
    if not isinstance(value, DetachedBriefing):
        return value
    if not isinstance(briefing, Briefing) or briefing.fingerprint != value.fingerprint \
            or len(briefing.blocks) != len(value.blocks) \
            or len(briefing.updates) != len(value.change_log):
        raise ValueError("a briefing was filled in a worker from another parse")
    blocks = tuple(RenderedEntry(block, briefing, *own) if isinstance(block, Entry)  # type: ignore[arg-type]
                   else RenderedSection(block, *own)  # type: ignore[arg-type]
                   for block, own in zip(briefing.blocks, value.blocks, strict=True))
    change_log = tuple(RenderedUpdate(update, *own)  # type: ignore[arg-type]
                       for update, own in zip(briefing.updates, value.change_log, strict=True))
    return RenderedBriefing(briefing, value.doc, blocks, value.notes_html, value.updates_html,
                            value.own_fingerprint, value.status, change_log, value.notes_text)
