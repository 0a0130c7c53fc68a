"""Phase B: fill each document's placeholders against the complete index.

For every ``Ref`` of a document (in document order) this produces the HTML and the plain
text that stand in its place, numbers citations by first use, records which actors and
sources each block links to (for backlinks), and reports unresolved links and citations at
their file line and column.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from html import escape
from typing import NamedTuple, TypeVar

from briefgen.errors import Diagnostics
from briefgen.fragments import Ref
from briefgen.index import SiteIndex, TargetKind
from briefgen.model import Source
from briefgen.urls import Urls

SOURCE_ANCHOR = "bg-source-"
T = TypeVar("T")


class LinkRecord(NamedTuple):
    kind: TargetKind
    id: str
    entry_id: str | None
    block: str | None  # the entry (or section) the link stands in; None for the lead


class CiteRecord(NamedTuple):
    source_id: str
    block: str | None


@dataclass(slots=True)
class Filled:
    """What a document's refs resolve to."""

    html: list[str] = field(default_factory=list)  # one per ref
    text: list[str] = field(default_factory=list)  # one per ref
    citation_order: list[str] = field(default_factory=list)  # the Sources list
    citation_number: dict[str, int] = field(default_factory=dict)  # 1-based, in that list
    links: list[LinkRecord] = field(default_factory=list)
    cites: list[CiteRecord] = field(default_factory=list)
    failed_cite_blocks: set[str | None] = field(default_factory=set)
    # Equal strings and records kept once: a link-dense document repeats them by the thousand.
    pool: dict[object, object] = field(default_factory=dict, repr=False)

    def keep(self, value: T) -> T:
        return self.pool.setdefault(value, value)  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class RefResolver:
    index: SiteIndex
    urls: Urls
    citation_style: str = "numeric"
    # What each link target and cited source id resolves to, as text (see ``signature``).
    _known: dict[str, str] = field(default_factory=dict, repr=False)

    def signature(self, refs: tuple[Ref, ...]) -> str:
        """What the refs resolve to, as a digest: equal signatures fill equally."""
        parts: list[str] = []
        for ref in refs:
            if ref.target is not None:
                parts.append(self._resolved(ref.target))
            else:
                parts.extend(self._cited(item.source_id) for item in ref.items)
        return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"),
                               digest_size=16).hexdigest()

    def _resolved(self, target: str) -> str:
        found = self._known.get(target)
        if found is None:
            found = self._known[target] = repr(self.index.resolve(target))
        return found

    def _cited(self, source_id: str) -> str:
        key = "@" + source_id
        found = self._known.get(key)
        if found is None:
            source = self.index.sources.get(source_id)
            found = self._known[key] = repr((source_id, source.fingerprint if source else None,
                                             author_label(source, self.index) if source
                                             else None))
        return found

    def fill(self, refs: tuple[Ref, ...], diags: Diagnostics, visible: bool = True) -> Filled:
        """Resolve every ref of one document; ``visible``: the document is in this build."""
        filled = Filled()
        for ref in refs:
            if ref.target is not None:
                html, text = self._link(ref, filled, diags, visible)
            else:
                html, text = self._citation(ref, filled, diags), ""
            filled.html.append(filled.keep(html))
            filled.text.append(filled.keep(text))
        return filled

    def _link(self, ref: Ref, filled: Filled, diags: Diagnostics,
              visible: bool) -> tuple[str, str]:
        assert ref.target is not None
        lookup = self.index.resolve(ref.target)
        target = lookup.target
        if target is None:
            if lookup.problem:
                diags.error(ref.loc, lookup.problem, span=ref.span)
            text = ref.label or ref.target
            return f'<span class="bg-unresolved">{escape(text)}</span>', text
        text = ref.label or target.text
        if target.hidden:
            if visible:
                diags.error(ref.loc, f"'{ref.target}' is a draft or scheduled and is left out of"
                                     " this build; publish it, build with --drafts/--future, or"
                                     " remove the link", span=ref.span)
            return escape(text), text
        filled.links.append(filled.keep(LinkRecord(target.kind, target.id, target.entry_id,
                                                   ref.block)))
        css = f"bg-link bg-link-{target.kind.value}"
        return (f'<a class="{css}" href="{escape(self.urls.link(target.rel))}">'
                f"{escape(text)}</a>"), text

    def _citation(self, ref: Ref, filled: Filled, diags: Diagnostics) -> str:
        parts: list[str] = []
        for item in ref.items:
            lookup = self.index.cite(item.source_id)
            if lookup.target is None:
                if lookup.problem:
                    diags.error(ref.loc, lookup.problem, span=ref.span)
                filled.failed_cite_blocks.add(ref.block)
                parts.append(escape(f"@{item.source_id}"))
                continue
            filled.cites.append(filled.keep(CiteRecord(item.source_id, ref.block)))
            if item.source_id not in filled.citation_number:
                filled.citation_order.append(item.source_id)
                filled.citation_number[item.source_id] = len(filled.citation_order)
            parts.append(self._cite_part(self.index.sources[item.source_id], item.locator,
                                         filled, ref.linked))
        if self.citation_style == "author-date":
            return f'<span class="bg-cite">({"; ".join(parts)})</span>'
        separator = "; " if any(i.locator for i in ref.items) else ", "
        return f'<span class="bg-cite">[{separator.join(parts)}]</span>'

    def _cite_part(self, source: Source, locator: str, filled: Filled, linked: bool) -> str:
        if self.citation_style == "author-date":
            label = f"{author_label(source, self.index)} {source.date.year}"
        else:
            label = str(filled.citation_number[source.id])
        text = escape(label)
        if linked:
            text = (f'<a href="#{SOURCE_ANCHOR}{source.id}" title="{escape(source.title)}">'
                    f"{text}</a>")
        return text + (f", {escape(locator)}" if locator else "")


def author_label(source: Source, index: SiteIndex) -> str:
    """The name in an author-date citation: the first author's family name, else the
    publisher (an actor's name when the publisher is an actor)."""
    if source.authors:
        return source.authors[0].split()[-1]
    actor = index.actor_for_name(source.publisher.value)
    return actor.name.value if actor else source.publisher.value
