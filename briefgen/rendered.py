"""Every document rendered to HTML fragments, with the links and citations it records.

These classes have no ``__slots__``: the build cache pickles them, and a frozen dataclass
with slots is unpickled field by field through ``object.__setattr__``, several times slower.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from briefgen.cache import Store
from briefgen.errors import Diagnostic, Diagnostics
from briefgen.fingerprint import digest
from briefgen.fragments import Fragment, fill
from briefgen.index import TargetKind
from briefgen.model import Actor, Briefing, Entry, Page, Section, Source
from briefgen.render import CiteRecord, Filled, LinkRecord, RefResolver

T = TypeVar("T")


@dataclass(frozen=True)
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
    fingerprint: str = ""  # stands for everything above (see fingerprint.py)

    @property
    def id(self) -> str:
        return self.entry.id


@dataclass(frozen=True)
class RenderedSection:
    section: Section
    title_html: str
    body_html: str


@dataclass(frozen=True)
class RenderedDoc:
    """What every kind of document has once rendered."""

    body_html: str
    summary_html: str
    summary_text: str
    citations: tuple[str, ...]  # source ids in order of first citation: the Sources list
    links: tuple[LinkRecord, ...]
    cites: tuple[CiteRecord, ...]
    fingerprint: str = ""

    def linked_actors(self) -> list[str]:
        return self.linked(TargetKind.ACTOR)

    def linked(self, kind: TargetKind) -> list[str]:
        seen: dict[str, None] = {}
        for link in self.links:
            if link.kind is kind or (kind is TargetKind.BRIEFING and
                                     link.kind is TargetKind.ENTRY):
                seen.setdefault(link.id)
        return list(seen)


@dataclass(frozen=True)
class RenderedBriefing:
    briefing: Briefing
    doc: RenderedDoc  # body_html is the lead
    blocks: tuple[RenderedEntry | RenderedSection, ...]
    notes_html: str
    updates_html: tuple[str, ...]
    fingerprint: str = ""

    @property
    def entries(self) -> list[RenderedEntry]:
        return [b for b in self.blocks if isinstance(b, RenderedEntry)]


@dataclass(frozen=True)
class _DetachedEntry:
    title_html: str
    body_html: str
    text: str
    actors: tuple[str, ...]
    sources: tuple[str, ...]
    title_text: str
    attempted_citation: bool
    fingerprint: str


@dataclass(frozen=True)
class _DetachedBriefing:
    """A rendered briefing without its parsed document, which the memo need not hold twice
    (the document cache has it); ``attach`` joins them again."""

    doc: RenderedDoc
    blocks: tuple[_DetachedEntry | tuple[str, str], ...]  # entries; sections' (title, body)
    notes_html: str
    updates_html: tuple[str, ...]
    fingerprint: str


def _detach(rb: RenderedBriefing) -> _DetachedBriefing:
    blocks: list[_DetachedEntry | tuple[str, str]] = []
    for block in rb.blocks:
        if isinstance(block, RenderedEntry):
            blocks.append(_DetachedEntry(block.title_html, block.body_html, block.text,
                                         block.actors, block.sources, block.title_text,
                                         block.attempted_citation, block.fingerprint))
        else:
            blocks.append((block.title_html, block.body_html))
    return _DetachedBriefing(rb.doc, tuple(blocks), rb.notes_html, rb.updates_html,
                             rb.fingerprint)


def _attach(detached: _DetachedBriefing, briefing: Briefing) -> RenderedBriefing:
    blocks: list[RenderedEntry | RenderedSection] = []
    for block, part in zip(briefing.blocks, detached.blocks, strict=True):
        if isinstance(part, _DetachedEntry):
            assert isinstance(block, Entry)
            blocks.append(RenderedEntry(block, briefing, part.title_html, part.body_html,
                                        part.text, part.actors, part.sources, part.title_text,
                                        part.attempted_citation, part.fingerprint))
        else:
            assert isinstance(block, Section)
            blocks.append(RenderedSection(block, *part))
    return RenderedBriefing(briefing, detached.doc, tuple(blocks), detached.notes_html,
                            detached.updates_html, detached.fingerprint)


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _by_block(pairs: Iterable[tuple[str | None, T]]) -> dict[str | None, list[T]]:
    """(block, value) pairs → each block's values, in order."""
    grouped: dict[str | None, list[T]] = {}
    for block, value in pairs:
        grouped.setdefault(block, []).append(value)
    return grouped


class DocumentRendering:
    """Fills the fragments of documents against one index (phase B). With a ``memo`` (kept
    in the build cache, and in memory by the preview), a document whose content and whose
    links' resolutions are unchanged is not filled again."""

    def __init__(self, resolver: RefResolver, memo: Store | None = None) -> None:
        self.resolver = resolver
        self.memo = memo

    def briefing(self, briefing: Briefing, visible: bool
                 ) -> tuple[RenderedBriefing, list[Diagnostic]]:
        key = self._key(briefing, visible)
        found = self.memo.get(key) if self.memo is not None and key else None
        if found is not None:
            return _attach(found, briefing), []
        rendered, diags = self._briefing(briefing, visible)
        if self.memo is not None and key and not diags:
            self.memo.put(key, _detach(rendered))
        return rendered, diags

    def simple(self, document: Actor | Source | Page, visible: bool = True
               ) -> tuple[RenderedDoc, list[Diagnostic]]:
        key = self._key(document, visible)
        found: RenderedDoc | None = self.memo.get(key) if self.memo is not None and key \
            else None
        if found is not None:
            return found, []
        rendered, diags = self._simple(document, visible)
        if self.memo is not None and key and not diags:
            self.memo.put(key, rendered)
        return rendered, diags

    def _key(self, document: Briefing | Actor | Source | Page, visible: bool
             ) -> tuple[object, ...] | None:
        """What a document's rendering depends on. Documents with problems are never
        remembered: they are rendered afresh, to report them."""
        if self.memo is None or not document.fingerprint:
            return None
        return (document.fingerprint, visible, self.resolver.signature(document.refs))

    def _briefing(self, briefing: Briefing, visible: bool
                  ) -> tuple[RenderedBriefing, list[Diagnostic]]:
        diags = Diagnostics(briefing.path)
        filled = self.resolver.fill(briefing.refs, diags, visible)
        fingerprint = _fingerprint(briefing.fingerprint, filled)
        blocks: list[RenderedEntry | RenderedSection] = []
        # Grouped once by block: a pass over every ref for each entry would make a briefing
        # of many entries cost the square of its size.
        actors_of = _by_block((x.block, x.id) for x in filled.links if x.kind is TargetKind.ACTOR)
        sources_of = _by_block((c.block, c.source_id) for c in filled.cites)
        refs_of = _by_block((ref.block, (filled.html[i], filled.text[i]))
                            for i, ref in enumerate(briefing.refs)) if fingerprint else {}
        for block in briefing.blocks:
            title_html = fill(block.title.html, filled.html)
            body_html = fill(block.body.html, filled.html)
            if isinstance(block, Entry):
                actors = _unique(actors_of.get(block.id, []))
                sources = _unique(sources_of.get(block.id, []))
                attempted = bool(sources) or block.id in filled.failed_cite_blocks
                text = fill(block.body.text, filled.text)
                title_text = fill(block.title.text, filled.text)
                # The file's content plus what this entry's own refs became (the rest of
                # its HTML comes from the file): pages that list this entry need not change
                # when another entry of the same briefing does.
                own = digest(briefing.fingerprint, block.id, visible, refs_of.get(block.id, []),
                             block.id in filled.failed_cite_blocks) \
                    if fingerprint else ""
                blocks.append(RenderedEntry(block, briefing, title_html, body_html, text,
                                            actors, sources, title_text, attempted, own))
            else:
                blocks.append(RenderedSection(block, title_html, body_html))
        lead_text = fill(briefing.lead.text, filled.text)
        doc = _doc(filled, briefing.lead, briefing.summary, lead_text, fingerprint)
        updates = tuple(fill(u.note.html, filled.html) for u in briefing.updates)
        return RenderedBriefing(briefing, doc, tuple(blocks),
                                fill(briefing.notes.html, filled.html), updates,
                                fingerprint), diags.items

    def _simple(self, document: Actor | Source | Page, visible: bool = True
                ) -> tuple[RenderedDoc, list[Diagnostic]]:
        diags = Diagnostics(document.path)
        filled = self.resolver.fill(document.refs, diags, visible)
        body = document.body
        body_text = fill(body.text, filled.text) if body else ""
        summary = getattr(document, "summary", None)
        fingerprint = _fingerprint(document.fingerprint, filled)
        return _doc(filled, body, summary, body_text, fingerprint), diags.items


def _fingerprint(document: str, filled: Filled) -> str:
    """A rendered document is its file's content plus what its links resolved to."""
    return digest(document, filled.html, filled.text) if document else ""


def _doc(filled: Filled, body: Fragment | None, summary: Fragment | None,
         body_text: str, fingerprint: str) -> RenderedDoc:
    summary_text = fill(summary.text, filled.text) if summary else body_text[:300]
    return RenderedDoc(
        body_html=fill(body.html, filled.html) if body else "",
        summary_html=fill(summary.html, filled.html) if summary else "",
        summary_text=summary_text,
        citations=tuple(filled.citation_order),
        links=tuple(filled.links),
        cites=tuple(filled.cites),
        fingerprint=fingerprint,
    )
