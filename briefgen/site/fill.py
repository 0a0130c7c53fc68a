"""A document's links and citations filled in against the rest of the site (phase B), and
what it contributes to the site's indexes (phase C: backlinks, cited-by, the timeline).

Parsing left every ``[[link]]`` and ``[@citation]`` as a numbered placeholder; filling puts
in place of each the HTML and text it resolves to, numbers citations by first use, reports
what does not resolve, and records the actors and sources each block names. A visible
document then emits its entries and links into the indexes that pages read.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from html import escape
from string import ascii_lowercase
from typing import NamedTuple, TypeVar

from briefgen.citations import CiteItem, Phrase
from briefgen.engine.deps import Reader
from briefgen.errors import FILE_START, Diagnostic, Diagnostics, Severity
from briefgen.fragments import PLACEHOLDER, fill, fill_each
from briefgen.fragmenttypes import Fragment, Ref
from briefgen.model import Actor, Briefing, Entry, Page, Section, Source
from briefgen.site import citeforms, pagerefs
from briefgen.site.citeforms import Cited, Shown
from briefgen.site.documents import PUBLISHED, BriefingIdent, Doc, PageIdent, SourceIdent
from briefgen.site.filled import RenderedBriefing, RenderedDoc, RenderedEntry, RenderedSection
from briefgen.site.held import hold
from briefgen.site.lookup import DRAFT, EntryTitles, Lookups, TargetKind
from briefgen.site.media import Figure, Media
from briefgen.site.ordering import entry_sort_key, newest_first_key
from briefgen.site.settings import SiteSettings
from briefgen.slug import slugify
from briefgen.urls import Urls

SOURCE_ANCHOR = citeforms.SOURCE_ANCHOR  # the id prefix of a Sources list item
T = TypeVar("T")
V = TypeVar("V")


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
    # The refs of one-line fields (``linked`` false) as shown where there is no Sources list.
    detached: dict[int, str] = field(default_factory=dict)
    citation_order: list[str] = field(default_factory=list)  # the Sources list
    citation_number: dict[str, int] = field(default_factory=dict)  # 1-based, in that list
    links: list[LinkRecord] = field(default_factory=list)
    cites: list[CiteRecord] = field(default_factory=list)
    failed_cite_blocks: set[str | None] = field(default_factory=set)
    image: Figure | None = None  # the document's own image (front matter), as shown
    # How many links to each source's item the page has, each with an id for the item to
    # link back to (bg-cite-<id>-<n>), and the ref each stands in (source id, ref number);
    # the refs of one-line fields without those ids, for a second copy of the field on the
    # page (a correction shown at the top and at its entry).
    anchors: dict[str, int] = field(default_factory=dict)
    anchored: list[str] = field(default_factory=list)  # the source of each such link
    anchored_refs: array[int] = field(default_factory=lambda: array("q"))  # and its ref
    unmarked: dict[int, str] = field(default_factory=dict)
    # In the author-date style, each cited source's name in citations ("King 2024a"), which
    # its item of the Sources list shows too.
    labels: dict[str, str] = field(default_factory=dict)
    # Equal strings and records kept once: a link-dense document repeats them by the thousand.
    pool: dict[object, object] = field(default_factory=dict, repr=False)

    def keep(self, value: T) -> T:
        return self.pool.setdefault(value, value)  # type: ignore[return-value]


class RefFiller:
    """Fills the refs of one document, through the lookups of its node."""

    def __init__(self, lookups: Lookups, urls: Urls, citation_style: str,
                 media: Media | None = None) -> None:
        self.lookups, self.urls, self.style = lookups, urls, citation_style
        self.media = media
        # How each cited source is shown (with its publisher: where there is no Sources
        # list), made once: its names are looked up only where a citation shows them.
        self._shown_as: dict[tuple[str, bool], Shown] = {}
        self._years: dict[str, str] = {}  # "2024a", "2024b": see ``_years_told_apart``

    def fill(self, refs: Sequence[Ref], diags: Diagnostics, visible: bool) -> Filled:
        filled = Filled()
        if self.style != citeforms.NUMERIC:
            self._years = self._years_told_apart(refs)
        for index, ref in enumerate(refs):
            anchored = len(filled.anchored)
            if ref.image is not None:
                html = detached = self.media.attrs(ref, diags) if self.media else ""
                text = ""
            elif ref.target is not None:
                html, text = self._link(ref, filled, diags, visible)
                if ref.alt:
                    html = escape(text)
                detached = html
            else:
                # The form without numbers is needed where words are kept: in-text citations
                # and one-line fields, which lists show without a Sources list.
                alone = ref.intext is not None or not ref.linked
                page, apart, unmarked = self._citation(ref, filled, diags, alone)
                html = escape(page.text) if ref.alt else page.html
                detached = escape(apart.text) if ref.alt else apart.html
                text = apart.text if alone else ""  # search text has no bracketed numbers
                if unmarked.html != html and not ref.alt:
                    filled.unmarked[index] = unmarked.html
            # A citation's link to the Sources list has an id of its own: no two are equal.
            filled.html.append(html if len(filled.anchored) != anchored else filled.keep(html))
            filled.text.append(filled.keep(text))
            if not ref.linked:
                filled.detached[index] = detached
        return filled

    def _link(self, ref: Ref, filled: Filled, diags: Diagnostics,
              visible: bool) -> tuple[str, str]:
        assert ref.target is not None
        lookup = self.lookups.resolve(ref.target)
        target = lookup.target
        if target is None:
            if lookup.problem:
                diags.error(ref.loc, lookup.problem, span=ref.span)
            text = ref.label or ref.target
            return f'<span class="bg-unresolved">{escape(text)}</span>', text
        text = ref.label or target.text
        if target.hidden:
            if visible:
                diags.error(ref.loc, hidden_problem(f"'{ref.target}'", target.why_hidden),
                            span=ref.span)
            return escape(text), text
        filled.links.append(filled.keep(LinkRecord(target.kind, target.id, target.entry_id,
                                                   ref.block)))
        css = f"bg-link bg-link-{target.kind.value}"
        # A name or title shown for the link is set apart from the sentence around it, so
        # that one in a right-to-left script reads correctly; the editor's own label is not.
        isolated = "" if ref.label else ' dir="auto"'
        return (f'<a class="{css}" href="{escape(self.urls.link(target.rel))}"{isolated}>'
                f"{escape(text)}</a>"), text

    def _citation(self, ref: Ref, filled: Filled, diags: Diagnostics,
                  alone: bool) -> tuple[Phrase, Phrase, Phrase]:
        """The citation where its page's Sources list is, (if ``alone``) where none is, and
        (in one-line fields) on its page again without the ids of its links."""
        if not ref.items:  # it does not parse (reported with the file): shown as written
            filled.failed_cite_blocks.add(ref.block)
            written = Phrase(escape(ref.label or ""), ref.label or "")
            return written, written, written
        if ref.intext is not None:
            return self._intext(ref, ref.intext, filled, diags)
        cited = [self._cited(item, ref, filled, diags, alone) for item in ref.items]
        page = citeforms.bracketed(cited, self.style, True)
        unmarked = page if ref.linked else citeforms.bracketed([c.unmarked() for c in cited],
                                                               self.style, True)
        return page, citeforms.bracketed(cited, self.style, False) if alone else page, unmarked

    def _cited(self, item: CiteItem, ref: Ref, filled: Filled, diags: Diagnostics,
               alone: bool) -> Cited:
        lookup = self.lookups.cite(item.source_id)
        source = self.lookups.source(item.source_id) if lookup.target else None
        if source is None:
            problem = self._cut_key(item) or lookup.problem
            if problem:
                diags.error(ref.loc, problem, span=ref.span)
            filled.failed_cite_blocks.add(ref.block)
            return Cited(item, None)
        self._record(source.id, ref, filled)
        shown = self._shown(source, filled.citation_number[source.id], alone)
        if shown.author and source.id not in filled.labels:
            filled.labels[source.id] = f"{shown.author} {shown.year}"
        return Cited(item, shown, self._anchor(source.id, ref, filled))

    def _cut_key(self, item: CiteItem) -> str | None:
        """``[@a--b]`` cites ``a``: a key ends before doubled or final punctuation, as in
        Pandoc. Name the source id that was meant, if one was."""
        rest = item.suffix.text
        if not rest or rest[0] in " ,":
            return None
        written = item.source_id + rest
        meant = next((i for i in self.lookups.source_ids()
                      if len(i) > len(item.source_id) and written.startswith(i)), None)
        return (f"unknown source '{item.source_id}' in citation; a source id with doubled or "
                f"final punctuation is written in braces: @{{{meant}}}") if meant else None

    def _intext(self, ref: Ref, written: Phrase, filled: Filled,
                diags: Diagnostics) -> tuple[Phrase, Phrase, Phrase]:
        """``@id``: a citation if a source has the id, else the words as written (with a
        warning when the word is one edit away from a source id)."""
        item = ref.items[0]
        source = self.lookups.source(item.source_id)
        if source is None:
            near = self.lookups.near_source(item.source_id)
            if near:
                diags.warning(ref.loc, f"'@{item.source_id}' names no source and stays text; "
                                       f"did you mean '@{near}'? (write \\@{item.source_id} "
                                       "to keep it as text)", span=ref.span)
            return written, written, written
        self._record(source.id, ref, filled)
        cited = Cited(item, self._shown(source, filled.citation_number[source.id], True),
                      self._anchor(source.id, ref, filled))
        page = citeforms.intext(cited, self.style, True)
        unmarked = page if ref.linked else citeforms.intext(cited.unmarked(), self.style, True)
        return page, citeforms.intext(cited, self.style, False), unmarked

    def intext_text(self, ref: Ref) -> str:
        """The plain text of an in-text citation away from its page (entry titles in
        links), without recording it."""
        assert ref.intext is not None
        item = ref.items[0]
        source = self.lookups.source(item.source_id)
        if source is None:
            return ref.intext.text
        return citeforms.intext(Cited(item, self._shown(source, 0, True)), self.style,
                                False).text

    @staticmethod
    def _anchor(source_id: str, ref: Ref, filled: Filled) -> str:
        """The id of a link to a source's item, numbered on its page; none in alt text,
        which shows the citation as plain words."""
        if ref.alt:
            return ""
        occurrence = filled.anchors[source_id] = filled.anchors.get(source_id, 0) + 1
        filled.anchored.append(source_id)
        filled.anchored_refs.append(len(filled.html))  # the ref being filled
        return citeforms.cite_anchor(source_id, occurrence)

    @staticmethod
    def _record(source_id: str, ref: Ref, filled: Filled) -> None:
        """A citation of ``source_id``: for the Sources list and the cited-by indexes."""
        filled.cites.append(filled.keep(CiteRecord(source_id, ref.block)))
        if source_id not in filled.citation_number:
            filled.citation_order.append(source_id)
            filled.citation_number[source_id] = len(filled.citation_order)

    def _years_told_apart(self, refs: Sequence[Ref]) -> dict[str, str]:
        """In the author-date style, sources of one document that would be cited alike
        ("King 2024") get the year with a letter, "2024a" and "2024b", in the order of their
        titles, as author-date styles tell them apart."""
        cited = dict.fromkeys(item.source_id for ref in refs
                              if ref.target is None and ref.image is None for item in ref.items)
        alike: dict[tuple[str, int], list[SourceIdent]] = {}
        for source_id in cited:
            source = self.lookups.source(source_id)
            if source is not None:
                label = (self.lookups.author_label(source), source.date.year)
                alike.setdefault(label, []).append(source)
        years: dict[str, str] = {}
        for (_, year), sources in alike.items():
            if len(sources) > 1:
                ordered = sorted(sources, key=lambda s: (s.title.casefold(), s.id))
                years.update((s.id, f"{year}{letter}")
                             for letter, s in zip(ascii_lowercase, ordered, strict=False))
        return years

    def _shown(self, source: SourceIdent, number: int, alone: bool) -> Shown:
        """How a source is shown: the author-date style names its author; the numeric style
        names its publisher only where there is no Sources list (``alone``)."""
        key = (source.id, alone and self.style == citeforms.NUMERIC)
        shown = self._shown_as.get(key)
        if shown is None or shown.number != number:
            author = self.lookups.author_label(source) if self.style != citeforms.NUMERIC else ""
            publisher = self.lookups.publisher_label(source) if key[1] else ""
            year = self._years.get(source.id, str(source.date.year))
            shown = self._shown_as[key] = Shown.of(source.id, source.title, number, author,
                                                   publisher, year)
        return shown


def hidden_problem(what: str, why: str) -> str:
    """The error for a link from a published page to a document left out of this build."""
    if why == DRAFT:
        return (f"{what} is a draft and is left out of this build; publish it (remove "
                "'status: draft'), build with --drafts, or remove the link")
    return (f"{what} is {why} and is left out of this build until then; build with --future, "
            "or remove the link")


# ------------------------------------------------------------------------ the node


def filled(r: Reader, collection: str, doc_id: str) -> RenderedBriefing | RenderedDoc | None:
    found: Doc | None = r.get(("doc", collection, doc_id))
    document = found.document if found is not None else None
    if document is None:
        return None
    settings: SiteSettings = r.get(("settings", "site"))
    identity = r.get(("ident", collection, doc_id))
    visible = identity.visible if isinstance(identity, (BriefingIdent, PageIdent)) else True
    status = identity.status if isinstance(identity, BriefingIdent) else PUBLISHED
    diags = Diagnostics(document.path)
    lookups = Lookups(r)
    urls = Urls(settings.base_url)
    media = Media(r, urls, visible)
    refs = RefFiller(lookups, urls, settings.citation_style, media)
    resolved = refs.fill(document.refs, diags, visible)
    resolved.image = media.figure(getattr(document, "image", None), diags)
    r.diagnostics(diags.items)
    if isinstance(document, Briefing):
        briefing = _briefing(document, resolved, visible, status, settings.zone)
        if visible:
            _emit_briefing(r, briefing, settings)
            r.diagnostics(_briefing_warnings(briefing))
            _hold_uncited(r, briefing)
        return briefing
    doc = _simple(document, resolved)
    if visible:
        _emit_links(r, doc, document.path)
    return doc


def fill_fingerprint(value: RenderedBriefing | RenderedDoc | None) -> str:
    return value.fingerprint if value is not None else "-"


def _fingerprint(document: str, resolved: Filled, visible: object) -> str:
    """A filled document is its file's content plus what its links resolved to."""
    return digest_repr((document, resolved.html, resolved.text, resolved.citation_order,
                        resolved.links, resolved.cites, sorted(map(str,
                                                                   resolved.failed_cite_blocks)),
                        sorted(resolved.detached.items()), resolved.image, visible,
                        sorted(resolved.labels.items())))


_REPR_BATCH = 4096  # items of a list whose text is made at a time


def digest_repr(values: tuple[object, ...]) -> str:
    """``digest_text(repr(values))``, the lists among ``values`` written a batch of items at a
    time: the text of a link-dense document's refs would be many times the file's size."""
    digest = hashlib.blake2b(digest_size=16)

    def put(text: str) -> None:
        digest.update(text.encode("utf-8", "surrogatepass"))

    put("(")
    for position, value in enumerate(values):
        put(", " if position else "")
        if not isinstance(value, list):
            put(repr(value))
            continue
        put("[")
        for start in range(0, len(value), _REPR_BATCH):
            put((", " if start else "") + ", ".join(map(repr, value[start:start + _REPR_BATCH])))
        put("]")
    put(",)" if len(values) == 1 else ")")
    return digest.hexdigest()


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _by_block(pairs: Iterable[tuple[str | None, V]]) -> dict[str | None, list[V]]:
    """(block, value) pairs → each block's values, in order."""
    grouped: dict[str | None, list[V]] = {}
    for block, value in pairs:
        grouped.setdefault(block, []).append(value)
    return grouped


def _briefing(briefing: Briefing, resolved: Filled, visible: bool, status: str,
              zone: tzinfo) -> RenderedBriefing:
    change_log = pagerefs.change_log(briefing, resolved.html, resolved.unmarked, resolved.text,
                                     zone)
    # The change log's numbers follow the site's time zone (updates at times), not the file.
    fingerprint = _fingerprint(briefing.fingerprint, resolved,
                               (visible, status, [u.number for u in change_log]))
    # Grouped once by block: a pass over every ref for each entry would make a briefing of
    # many entries cost the square of its size.
    actors_of = _by_block((x.block, x.id) for x in resolved.links if x.kind is TargetKind.ACTOR)
    sources_of = _by_block((c.block, c.source_id) for c in resolved.cites)
    failed = set(resolved.failed_cite_blocks)
    for note, entries in briefing.note_entries:  # a note counts for the entries citing it
        for entry_id in entries:
            actors_of.setdefault(entry_id, []).extend(actors_of.get(note, ()))
            sources_of.setdefault(entry_id, []).extend(sources_of.get(note, ()))
            if note in failed:
                failed.add(entry_id)
    blocks: list[RenderedEntry | RenderedSection] = []
    for block in briefing.blocks:
        title_html = fill(block.title.html, resolved.html)
        body_html = fill(block.body.html, resolved.html)
        if isinstance(block, Entry):
            actors = _unique(actors_of.get(block.id, []))
            sources = _unique(sources_of.get(block.id, []))
            attempted = bool(sources) or block.id in failed
            blocks.append(RenderedEntry(
                block, briefing, title_html, body_html, fill(block.body.text, resolved.text),
                actors, sources, fill(block.title.text, resolved.text), attempted))
        else:
            blocks.append(RenderedSection(block, title_html, body_html,
                                          fill(block.body.text, resolved.text),
                                          _unique(actors_of.get(block.id, [])),
                                          fill(block.title.text, resolved.text)))
    doc = _doc(resolved, briefing.lead, briefing.summary,
               fill(briefing.lead.text, resolved.text), fingerprint, pagerefs.ranks(briefing))
    return RenderedBriefing(briefing, doc, tuple(blocks), fill(briefing.notes.html, resolved.html),
                            tuple(u.html for u in change_log), fingerprint, status, change_log,
                            fill(briefing.notes.text, resolved.text))


def _simple(document: Actor | Source | Page, resolved: Filled) -> RenderedDoc:
    body = document.body
    body_text = fill(body.text, resolved.text) if body else ""
    summary = getattr(document, "summary", None)
    return _doc(resolved, body, summary, body_text,
                _fingerprint(document.fingerprint, resolved, True), pagerefs.ranks(document))


def _doc(resolved: Filled, body: Fragment | None, summary: Fragment | None,
         body_text: str, fingerprint: str, ranks: dict[int, int]) -> RenderedDoc:
    summary_text = fill(summary.text, resolved.text) if summary else excerpt(body_text)
    return RenderedDoc(
        body_html=fill(body.html, resolved.html) if body else "",
        summary_html=fill(summary.html, resolved.html) if summary else "",
        summary_text=summary_text,
        summary_list_html=_detached(summary.html, resolved) if summary else "",
        citations=tuple(resolved.citation_order),
        links=_first_of_each(resolved.links, lambda x: (x.kind, x.id)),
        cites=_first_of_each(resolved.cites, lambda c: c.source_id),
        fingerprint=fingerprint,
        image=resolved.image,
        anchors=pagerefs.backlinks(resolved.anchored, resolved.anchored_refs, ranks),
        labels=tuple(resolved.labels.items()),
        body_text=body_text,
    )


SUMMARY_LENGTH = 300  # of a summary made from the start of a text, in characters


def excerpt(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """The start of a text as a summary: its spaces as one, cut after a whole word, with
    '…' when cut (a sentence cut mid-word, or mid-clause without a sign, can read as its
    opposite: 'she would' for 'she would not')."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if text[limit] != " ":  # mid-word: back to the last whole word, if one ends near
        space = cut.rfind(" ")  # (Chinese and Japanese have no spaces: cut where it is)
        cut = cut[:space] if space > limit * 4 // 5 else cut
    return cut.rstrip(" ,;:-–—") + "…"


def _first_of_each(records: list[V], key: Callable[[V], object]) -> tuple[V, ...]:
    """The first record of each key, in order: what the filled document keeps of its links
    (a link-dense document has hundreds of thousands, to a few hundred targets)."""
    first: dict[object, V] = {}
    for record in records:
        first.setdefault(key(record), record)
    return tuple(first.values())


def _detached(html: str, resolved: Filled) -> str:
    """``html`` filled for a page without a Sources list (cards of briefings)."""
    return fill_each(html, lambda n: resolved.detached.get(n, resolved.html[n]))


# ------------------------------------------------------------------------ emissions


def _emit_links(r: Reader, doc: RenderedDoc, path: str) -> None:
    """What every visible document contributes to the "never linked / never cited" checks."""
    for actor_id in dict.fromkeys(x.id for x in doc.links if x.kind is TargetKind.ACTOR):
        r.emit("linked", actor_id, ((path,), None))
    for source_id in dict.fromkeys(c.source_id for c in doc.cites):
        r.emit("cited", source_id, ((path,), None))


def _emit_briefing(r: Reader, rb: RenderedBriefing, settings: SiteSettings) -> None:
    """A visible briefing's entries into the timeline, its year and the pages of the actors
    and sources they name; the briefing into the lists of its actors, sources and tags."""
    b = rb.briefing
    zone = settings.zone
    _emit_links(r, rb.doc, b.path)
    years: set[int] = set()
    for position, entry in enumerate(rb.entries):
        key = entry_sort_key(entry.entry.date, zone, b.path, position)
        member = (b.id, entry.id)
        year = entry.entry.date.year
        years.add(year)
        r.emit("timeline", (key, member, year))
        r.emit("year", str(year), (key, member))
        for actor_id in entry.actors:
            r.emit("actor_entries", actor_id, (key, member, entry.actors))
        for source_id in entry.sources:
            r.emit("source_entries", source_id, (key, member))
    for year in sorted(years):
        r.emit("years", ((year, b.path), None, year))
    order = newest_first_key(b.date, zone, b.path)
    for actor_id in rb.doc.linked(TargetKind.ACTOR):
        r.emit("actor_briefings", actor_id, (order, (b.id,)))
    for source_id in rb.doc.citations:
        r.emit("source_briefings", source_id, (order, (b.id,)))
    for position, tag in enumerate(b.tags):
        slug = slugify(tag.value)
        if slug:
            r.emit("tag", slug, ((b.path, position), (b.id,), tag.value,
                                 tag.loc.line, tag.loc.col, order))
            r.emit("tags", ((slug, b.path, position), None, slug))


def _briefing_warnings(rb: RenderedBriefing) -> list[Diagnostic]:
    """SPEC §8: a briefing with no entries."""
    d = Diagnostics(rb.briefing.path)
    if not rb.entries and not any(isinstance(b, Section) and b.meant_as_entry
                                  for b in rb.briefing.blocks):
        d.warning(FILE_START, f"briefing '{rb.briefing.id}' has no dated entries; start an entry "
                              "with a heading such as '## 2022-02-01 What happened'")
    return d.items


def _hold_uncited(r: Reader, rb: RenderedBriefing) -> None:
    """SPEC §8: an entry that cites no source. Held back while a file cannot be read, as
    the warnings about the whole site are (``site.held``)."""
    for entry in rb.entries:
        if not entry.attempted_citation:
            hold(r, Diagnostic(rb.briefing.path, entry.entry.loc, Severity.WARNING,
                               f"entry '{entry.id}' cites no source; add a citation such as "
                               "[@source-id]"))


def anchors(r: Reader, briefing_id: str) -> tuple[str, ...]:
    """The node ``("anchors", briefing id)``: the ids a link can end in on its page (entries
    and sections, then the {#id}s of other headings; the theme's own start with ``bg-``)."""
    found: Doc | None = r.get(("doc", "briefings", briefing_id))
    document = found.document if found is not None else None
    if not isinstance(document, Briefing):
        return ()
    return tuple(dict.fromkeys((*(block.id for block in document.blocks),
                                *document.explicit_ids)))


def entry_titles(r: Reader, briefing_id: str) -> EntryTitles:
    """The titles of a briefing's entries as plain text, for links to them from elsewhere."""
    found: Doc | None = r.get(("doc", "briefings", briefing_id))
    document = found.document if found is not None else None
    if not isinstance(document, Briefing):
        return EntryTitles(())
    lookups = Lookups(r)
    in_titles = {int(n) for e in document.entries for n in PLACEHOLDER.findall(e.title.text)}
    names = []
    for number, ref in enumerate(document.refs):
        if number in in_titles and ref.intext is not None:
            settings: SiteSettings = r.get(("settings", "site"))
            filler = RefFiller(lookups, Urls(settings.base_url), settings.citation_style)
            names.append(filler.intext_text(ref))
            continue
        actor = lookups.actor_for_name(ref.target) \
            if number in in_titles and ref.target and not ref.label else None
        names.append(ref.label or (actor.name if actor else ref.target or ""))
    return EntryTitles(tuple((e.id, fill(e.title.text, names)) for e in document.entries))
