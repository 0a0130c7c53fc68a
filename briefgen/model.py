"""The content model: what editors wrote, parsed and checked, before any cross-referencing.

Markdown is already rendered, with links and citations left as placeholders (``Fragment``,
see ``fragments``) that are filled against the site's index later (``render``). Locations
are kept for whatever is checked after parsing. Nothing here holds parser state, so a
document is small, cheap to cache and to pass between processes. (The classes have no
``__slots__`` on purpose: pickle restores a plain ``__dict__`` in C, several times faster
than the ``__setstate__`` that slotted frozen dataclasses need.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from briefgen.contentfiles import Collection as Collection  # re-exported: part of the model
from briefgen.contentfiles import StaticFile as StaticFile
from briefgen.dates import DateValue
from briefgen.errors import FILE_START, Loc
from briefgen.fragmenttypes import EMPTY, Fragment, Ref

ACTOR_KINDS = ("person", "organization", "country", "group")
SOURCE_KINDS = ("article", "statement", "transcript", "report", "dataset", "social", "other")
STATUSES = ("published", "draft")
UPDATE_KINDS = ("update", "correction")


class Bracketed(NamedTuple):
    """Plain text in single brackets, ``[report]``: a citation without its ``@`` or a link
    without its second bracket, if it names a source or an actor (checked later)."""

    text: str  # between the brackets
    line: int
    col: int
    span: int


class SiteLink(NamedTuple):
    """A Markdown link or image to a root-relative path (``/about/``), or a link to a
    fragment of its own page (``#entry-id``), checked later against the paths the site
    publishes and the ids of the briefing it points to."""

    url: str  # as markdown-it holds it: percent-encoded
    line: int
    col: int
    span: int
    image: bool


@dataclass(frozen=True)
class Located:
    """A string value with the place it was written."""

    value: str
    loc: Loc


@dataclass(frozen=True)
class ImageSpec:
    """An image named in front matter: a briefing's lead image, an actor's portrait. Its
    ``src`` is checked against the site's static files when the document is filled."""

    src: str
    alt: str  # "" for an image that is only decoration
    caption: str | None
    credit: str | None
    loc: Loc  # where ``src`` is written
    span: int


@dataclass(frozen=True)
class Role:
    title: str
    of: Located | None
    start: DateValue | None
    end: DateValue | None


@dataclass(frozen=True)
class Actor:
    id: str
    path: str
    name: Located
    kind: str
    aliases: tuple[Located, ...] = ()
    summary: Fragment | None = None
    roles: tuple[Role, ...] = ()
    wikidata: str | None = None
    links: tuple[str, ...] = ()
    body: Fragment | None = None
    refs: Sequence[Ref] = ()
    image: ImageSpec | None = None  # a portrait or emblem
    brackets: tuple[Bracketed, ...] = ()
    site_links: tuple[SiteLink, ...] = ()
    fingerprint: str = ""  # of the file's content: stands for everything above
    short_name: str | None = None  # shown in chips, never in the editor's sentences


@dataclass(frozen=True)
class Source:
    id: str
    path: str
    title: str
    publisher: Located
    date: DateValue
    url: str | None = None
    authors: tuple[str, ...] = ()
    accessed: DateValue | None = None
    archive_url: str | None = None
    kind: str = "article"
    language: str | None = None
    date_loc: Loc = FILE_START  # where ``date`` is written
    body: Fragment | None = None
    refs: Sequence[Ref] = ()
    brackets: tuple[Bracketed, ...] = ()
    site_links: tuple[SiteLink, ...] = ()
    fingerprint: str = ""  # of the file's content: stands for everything above


@dataclass(frozen=True)
class Update:
    """An item of a briefing's change log."""

    date: DateValue
    note: Fragment
    kind: str = "update"  # or "correction", shown flagged at the top and at its entry
    entry: str | None = None  # the id of the entry it concerns (checked to exist)
    date_loc: Loc = FILE_START  # where its date is written


@dataclass(frozen=True)
class Entry:
    id: str
    date: DateValue
    title: Fragment
    body: Fragment
    loc: Loc
    id_loc: Loc | None = None  # where an explicit id is written


@dataclass(frozen=True)
class DatedEntry:
    """An entry's date as written, for the checks of entry dates (``entrydates``)."""

    id: str
    date: DateValue
    loc: Loc  # where its date is written
    span: int
    planned: bool = False  # announces a planned event: may lie far ahead


@dataclass(frozen=True)
class Section:
    """An ordinary level-2 section in a briefing body."""

    id: str
    title: Fragment
    body: Fragment
    meant_as_entry: bool = False  # its heading starts with an invalid date (an error)


@dataclass(frozen=True)
class Briefing:
    id: str
    path: str
    title: str
    date: DateValue
    lead: Fragment
    blocks: tuple[Entry | Section, ...]
    notes: Fragment = EMPTY
    summary: Fragment | None = None
    updated: DateValue | None = None
    updates: tuple[Update, ...] = ()
    authors: tuple[str, ...] = ()
    tags: tuple[Located, ...] = ()
    draft: bool = False
    refs: Sequence[Ref] = ()  # every link and citation, numbered as in the fragments
    date_loc: Loc = FILE_START  # where ``date`` is written (a scheduled briefing is told there)
    updated_loc: Loc | None = None  # where ``updated`` is written, if it is
    image: ImageSpec | None = None  # the lead image
    brackets: tuple[Bracketed, ...] = ()
    site_links: tuple[SiteLink, ...] = ()
    # The entries not marked planned (and not already reported far ahead), where their
    # dates are written: checked against the build's clock (``site.check``).
    unplanned: tuple[DatedEntry, ...] = ()
    explicit_ids: tuple[str, ...] = ()  # the {#id}s of the page's headings, entries' included
    # A Markdown briefing's footnotes (the block of their refs) → the entries that refer to
    # them: a note's actors and sources count for those entries.
    note_entries: tuple[tuple[str, tuple[str, ...]], ...] = ()
    fingerprint: str = ""  # of the file's content: stands for everything above

    @property
    def entries(self) -> list[Entry]:
        return [b for b in self.blocks if isinstance(b, Entry)]


@dataclass(frozen=True)
class Page:
    id: str
    path: str
    title: str
    body: Fragment
    summary: Fragment | None = None
    draft: bool = False
    refs: Sequence[Ref] = ()
    brackets: tuple[Bracketed, ...] = ()
    site_links: tuple[SiteLink, ...] = ()
    fingerprint: str = ""  # of the file's content: stands for everything above
    title_loc: Loc = FILE_START  # where ``title`` is written


Document = Briefing | Actor | Source | Page


@dataclass(frozen=True)
class Content:
    """Everything loaded from a site folder, in file order within each collection."""

    briefings: tuple[Briefing, ...]
    actors: tuple[Actor, ...]
    sources: tuple[Source, ...]
    pages: tuple[Page, ...]
    static: tuple[StaticFile, ...]
    # Ids of files that exist but could not be read; links to them are not reported again.
    broken_ids: frozenset[tuple[Collection, str]] = frozenset()
