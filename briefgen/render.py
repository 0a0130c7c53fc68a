"""Phase B: Markdown rendered against the complete index, with every link recorded.

Each document gets its own ``DocumentRenderer``: it numbers citations in order of first use,
records which actors and sources each block links to (for backlinks), and reports unresolved
links and citations at their file line and column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

from briefgen.errors import Diagnostics, Loc
from briefgen.index import SiteIndex, TargetKind
from briefgen.markup import ENV_KEY, CiteItem, token_text
from briefgen.model import InlineMarkdown, Source
from briefgen.urls import Urls

SOURCE_ANCHOR = "bg-source-"
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])")


@dataclass(frozen=True, slots=True)
class LinkRecord:
    kind: TargetKind
    id: str
    entry_id: str | None
    block: str | None  # the entry (or section) the link stands in; None for the lead


@dataclass(frozen=True, slots=True)
class CiteRecord:
    source_id: str
    block: str | None


@dataclass(slots=True)
class DocumentRenderer:
    """Renders the Markdown of one document; implements ``markup.InlineRenderer``."""

    md: MarkdownIt
    index: SiteIndex
    urls: Urls
    diags: Diagnostics
    citation_style: str = "numeric"
    visible: bool = True  # the document itself is part of this build
    citation_order: list[str] = field(default_factory=list)
    links: list[LinkRecord] = field(default_factory=list)
    cites: list[CiteRecord] = field(default_factory=list)
    failed_cites: list[str | None] = field(default_factory=list)  # blocks of unresolved ones
    block: str | None = None
    cite_links: bool = True

    # -- InlineRenderer
    def wikilink(self, token: Token) -> str:
        meta = token.meta
        lookup = self.index.resolve(meta["target"])
        label = meta["label"]
        target = lookup.target
        if target is None:
            if lookup.problem:
                self._error(token, lookup.problem)
            return f'<span class="bg-unresolved">{escape(label or meta["target"])}</span>'
        if target.hidden:
            if self.visible:
                self._error(token, f"'{meta['target']}' is a draft or scheduled and is left out of"
                                   " this build; publish it, build with --drafts/--future, or"
                                   " remove the link")
            return escape(label or target.text)
        self.links.append(LinkRecord(target.kind, target.id, target.entry_id, self.block))
        css = f"bg-link bg-link-{target.kind.value}"
        return (f'<a class="{css}" href="{escape(self.urls.link(target.rel))}">'
                f"{escape(label or target.text)}</a>")

    def citation(self, token: Token) -> str:
        items: list[CiteItem] = token.meta["items"]
        parts: list[str] = []
        for item in items:
            lookup = self.index.cite(item.source_id)
            if lookup.target is None:
                if lookup.problem:
                    self._error(token, lookup.problem)
                self.failed_cites.append(self.block)
                parts.append(escape(f"@{item.source_id}"))
                continue
            self.cites.append(CiteRecord(item.source_id, self.block))
            if item.source_id not in self.citation_order:
                self.citation_order.append(item.source_id)
            parts.append(self._cite_part(self.index.sources[item.source_id], item.locator))
        if self.citation_style == "author-date":
            return f'<span class="bg-cite">({"; ".join(parts)})</span>'
        separator = "; " if any(i.locator for i in items) else ", "
        return f'<span class="bg-cite">[{separator.join(parts)}]</span>'

    def _cite_part(self, source: Source, locator: str) -> str:
        if self.citation_style == "author-date":
            label = f"{author_label(source, self.index)} {source.date.year}"
        else:
            label = str(self.citation_order.index(source.id) + 1)
        text = escape(label)
        if self.cite_links:
            text = (f'<a href="#{SOURCE_ANCHOR}{source.id}" title="{escape(source.title)}">'
                    f"{text}</a>")
        return text + (f", {escape(locator)}" if locator else "")

    def _error(self, token: Token, message: str) -> None:
        loc = Loc(token.meta.get("line", 1), token.meta.get("col", 1))
        self.diags.error(loc, message, span=len(token.content))

    # -- rendering
    def render(self, tokens: Sequence[Token], block: str | None = None) -> str:
        self.block = block
        env: dict[str, Any] = {ENV_KEY: self}
        return str(self.md.renderer.render(tokens, self.md.options, env))

    def render_inline(self, children: Sequence[Token], block: str | None = None) -> str:
        self.block = block
        env: dict[str, Any] = {ENV_KEY: self}
        renderer = self.md.renderer
        assert isinstance(renderer, RendererHTML)
        return renderer.renderInline(children, self.md.options, env)

    def render_field(self, field_value: InlineMarkdown | None) -> str:
        """A one-line field (summary, update note); citations there are shown, not linked."""
        if field_value is None:
            return ""
        previous, self.cite_links = self.cite_links, False
        try:
            children = field_value.tokens[0].children if field_value.tokens else []
            return self.render_inline(children or [], None)
        finally:
            self.cite_links = previous

    def text(self, tokens: Sequence[Token]) -> str:
        """Plain text of block tokens, link labels resolved, for search and feeds."""
        parts = []
        for token in tokens:
            if token.type == "inline":
                parts.append(self.inline_text(token.children or []))
            elif token.type in ("code_block", "fence"):
                parts.append(token.content.strip())
        return tidy_text(" ".join(p for p in parts if p))

    def inline_text(self, children: Sequence[Token]) -> str:
        words = []
        for child in children:
            if child.type == "wikilink":
                target = self.index.resolve(child.meta["target"]).target
                words.append(child.meta["label"] or (target.text if target else
                                                     child.meta["target"]))
            else:
                words.append(token_text(child))
        return tidy_text("".join(words))


def tidy_text(text: str) -> str:
    """One space between words, none before punctuation left behind by a removed citation."""
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(text.split()))


def author_label(source: Source, index: SiteIndex) -> str:
    """The name in an author-date citation: the first author's family name, else the
    publisher (an actor's name when the publisher is an actor)."""
    if source.authors:
        return source.authors[0].split()[-1]
    actor = index.actor_for_name(source.publisher.value)
    return actor.name.value if actor else source.publisher.value
