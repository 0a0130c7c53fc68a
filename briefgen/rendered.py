"""Every document rendered to HTML fragments, with the links and citations it records."""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt

from briefgen.errors import Diagnostic, Diagnostics
from briefgen.index import SiteIndex, TargetKind
from briefgen.model import Actor, Briefing, Entry, Page, Section, Source
from briefgen.render import CiteRecord, DocumentRenderer, LinkRecord
from briefgen.urls import Urls


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
    """What every kind of document has once rendered."""

    body_html: str
    summary_html: str
    summary_text: str
    citations: tuple[str, ...]  # source ids in order of first citation: the Sources list
    links: tuple[LinkRecord, ...]
    cites: tuple[CiteRecord, ...]

    def linked_actors(self) -> list[str]:
        return self.linked(TargetKind.ACTOR)

    def linked(self, kind: TargetKind) -> list[str]:
        seen: dict[str, None] = {}
        for link in self.links:
            if link.kind is kind or (kind is TargetKind.BRIEFING and
                                     link.kind is TargetKind.ENTRY):
                seen.setdefault(link.id)
        return list(seen)


@dataclass(frozen=True, slots=True)
class RenderedBriefing:
    briefing: Briefing
    doc: RenderedDoc  # body_html is the lead
    blocks: tuple[RenderedEntry | RenderedSection, ...]
    notes_html: str
    updates_html: tuple[str, ...]

    @property
    def entries(self) -> list[RenderedEntry]:
        return [b for b in self.blocks if isinstance(b, RenderedEntry)]


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _doc(renderer: DocumentRenderer, body_html: str, summary_html: str,
         summary_text: str) -> RenderedDoc:
    return RenderedDoc(body_html, summary_html, summary_text, tuple(renderer.citation_order),
                       tuple(renderer.links), tuple(renderer.cites))


class DocumentRendering:
    """Renders documents of one build against one index and Markdown configuration."""

    def __init__(self, md: MarkdownIt, index: SiteIndex, urls: Urls, style: str) -> None:
        self.md, self.index, self.urls, self.style = md, index, urls, style

    def _renderer(self, path: str, visible: bool) -> tuple[DocumentRenderer, Diagnostics]:
        diags = Diagnostics(path)
        return DocumentRenderer(self.md, self.index, self.urls, diags, self.style,
                                visible), diags

    def briefing(self, briefing: Briefing, visible: bool
                 ) -> tuple[RenderedBriefing, list[Diagnostic]]:
        r, diags = self._renderer(briefing.path, visible)
        lead_html = r.render(briefing.lead, None)
        lead_text = r.text(briefing.lead)
        blocks: list[RenderedEntry | RenderedSection] = []
        for block in briefing.blocks:
            if isinstance(block, Entry):
                start = len(r.links), len(r.cites)
                title_html = r.render_inline(block.title, block.id)
                body_html = r.render(block.body, block.id)
                actors = _unique([x.id for x in r.links[start[0]:]
                                  if x.kind is TargetKind.ACTOR])
                sources = _unique([c.source_id for c in r.cites[start[1]:]])
                text = r.text(block.body)
                blocks.append(RenderedEntry(block, briefing, title_html, body_html, text,
                                            actors, sources, r.inline_text(block.title),
                                            bool(sources) or block.id in r.failed_cites))
            else:
                blocks.append(RenderedSection(block, r.render_inline(block.title, block.id),
                                              r.render(block.body, block.id)))
        notes_html = r.render(briefing.notes, None) if briefing.notes else ""
        summary_html = r.render_field(briefing.summary)
        summary_text = r.inline_text(briefing.summary.tokens[0].children or []) \
            if briefing.summary and briefing.summary.tokens else lead_text[:300]
        updates = tuple(r.render_field(u.note) for u in briefing.updates)
        doc = _doc(r, lead_html, summary_html, summary_text)
        return RenderedBriefing(briefing, doc, tuple(blocks), notes_html, updates), diags.items

    def simple(self, document: Actor | Source | Page, visible: bool = True
               ) -> tuple[RenderedDoc, list[Diagnostic]]:
        r, diags = self._renderer(document.path, visible)
        body = document.body
        body_html = r.render(body.tokens, None) if body is not None else ""
        summary = getattr(document, "summary", None)
        summary_html = r.render_field(summary)
        summary_text = r.inline_text(summary.tokens[0].children or []) \
            if summary and summary.tokens else (r.text(body.tokens)[:300] if body else "")
        return _doc(r, body_html, summary_html, summary_text), diags.items
