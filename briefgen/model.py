"""The content model: what editors wrote, parsed and checked, before any cross-referencing.

Markdown is kept as markdown-it token streams, parsed once; it is rendered later against the
site's index (see ``render``). Locations are kept for whatever is checked after parsing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from markdown_it.token import Token

from briefgen.dates import DateValue
from briefgen.errors import Loc


class Collection(StrEnum):
    BRIEFINGS = "briefings"
    ACTORS = "actors"
    SOURCES = "sources"
    PAGES = "pages"


ACTOR_KINDS = ("person", "organization", "country", "group")
SOURCE_KINDS = ("article", "statement", "transcript", "report", "dataset", "social", "other")
STATUSES = ("published", "draft")


@dataclass(frozen=True, slots=True)
class Markdown:
    """A parsed Markdown text: block tokens, and the file line of its first line."""

    tokens: list[Token]
    first_line: int


@dataclass(frozen=True, slots=True)
class InlineMarkdown:
    """A one-line Markdown field such as ``summary``: inline tokens and where it stands."""

    source: str
    tokens: list[Token]
    loc: Loc


@dataclass(frozen=True, slots=True)
class Located:
    """A string value with the place it was written."""

    value: str
    loc: Loc


@dataclass(frozen=True, slots=True)
class Role:
    title: str
    of: Located | None
    start: DateValue | None
    end: DateValue | None


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    path: str
    name: Located
    kind: str
    aliases: tuple[Located, ...] = ()
    summary: InlineMarkdown | None = None
    roles: tuple[Role, ...] = ()
    wikidata: str | None = None
    links: tuple[str, ...] = ()
    body: Markdown | None = None


@dataclass(frozen=True, slots=True)
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
    body: Markdown | None = None


@dataclass(frozen=True, slots=True)
class Update:
    date: DateValue
    note: InlineMarkdown


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    date: DateValue
    title: list[Token]
    title_text: str
    body: list[Token]
    loc: Loc
    id_loc: Loc | None = None  # where an explicit id is written


@dataclass(frozen=True, slots=True)
class Section:
    """An ordinary level-2 section in a briefing body."""

    id: str
    title: list[Token]
    title_text: str
    body: list[Token]
    meant_as_entry: bool = False  # its heading starts with an invalid date (an error)


@dataclass(frozen=True, slots=True)
class Briefing:
    id: str
    path: str
    title: str
    date: DateValue
    lead: list[Token]
    blocks: tuple[Entry | Section, ...]
    notes: list[Token] = field(default_factory=list)
    summary: InlineMarkdown | None = None
    updated: DateValue | None = None
    updates: tuple[Update, ...] = ()
    authors: tuple[str, ...] = ()
    tags: tuple[Located, ...] = ()
    draft: bool = False

    @property
    def entries(self) -> list[Entry]:
        return [b for b in self.blocks if isinstance(b, Entry)]


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    path: str
    title: str
    body: Markdown
    summary: InlineMarkdown | None = None
    draft: bool = False


@dataclass(frozen=True, slots=True)
class StaticFile:
    """A file under ``content/static/``, copied to the output root as it is."""

    rel: str
    path: str


Document = Briefing | Actor | Source | Page


@dataclass(frozen=True, slots=True)
class Content:
    """Everything loaded from a site folder, in file order within each collection."""

    briefings: tuple[Briefing, ...]
    actors: tuple[Actor, ...]
    sources: tuple[Source, ...]
    pages: tuple[Page, ...]
    static: tuple[StaticFile, ...]
    # Ids of files that exist but could not be read; links to them are not reported again.
    broken_ids: frozenset[tuple[Collection, str]] = frozenset()
