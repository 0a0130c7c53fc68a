"""Documents as nodes: each content file parsed, the document that owns each id, and the
identity of each document (what others show of it: a name, a title, a date).

Levels: files and settings (inputs) → ``parse`` (emits into the ``docs``, ``ids`` and
``names`` indexes) → ``doc`` → ``ident`` (emits the lists of actors, sources, visible
briefings and pages, and the members of each actor). Identities are small and read by many
pages (every chip, link text and Sources list), so an edit to a document's body leaves the
pages that only name it alone.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any

from briefgen.dates import DateValue
from briefgen.engine.deps import Reader, digest_text
from briefgen.errors import FILE_START, Diagnostic, Loc, Severity
from briefgen.model import Actor, Briefing, Collection, Document, Page, Source
from briefgen.parse import Parsed, parse_document
from briefgen.site.filetext import FileText
from briefgen.site.ordering import newest_first_key
from briefgen.site.settings import Flags, ParseSettings
from briefgen.slug import name_key
from briefgen.suggest import closest, slip_keys
from briefgen.wording import language_tag

# A document's status in a build. Drafts (with --drafts) and scheduled briefings (dated in the
# future, with --future) are shown marked as such, and kept out of the feeds and the sitemap.
PUBLISHED, DRAFT, SCHEDULED = "published", "draft", "scheduled"

# Page ids that would collide with generated paths (SPEC §12).
RESERVED_PAGE_IDS = frozenset({
    "briefings", "actors", "sources", "timeline", "tags", "search", "api", "feed.xml",
    "sitemap.xml", "robots.txt", "404.html", "assets", "index.html",
})


@functools.lru_cache(maxsize=4)
def _markdown(unsafe_html: bool, language: str) -> Any:
    from briefgen.markup import make_markdown  # markdown-it is imported only to parse

    return make_markdown(unsafe_html, language)


def collection_of(rel: str) -> Collection:
    """``content/actors/x.yaml`` → actors (the folder a content file is in)."""
    folder = rel.rpartition("/")[0]  # string operations: this runs for every file of a build
    return Collection(folder.rpartition("/")[2])


def parse(r: Reader, rel: str) -> Parsed:
    """One content file, parsed on its own (no other file is read)."""
    settings: ParseSettings = r.get(("settings", "parse"))
    file: FileText = r.get(("file", rel))
    collection = collection_of(rel)
    fingerprint = digest_text(repr((rel, r.deps.get(("file", rel)), settings)))
    if file.missing:
        return Parsed(None, [], PurePosixPath(rel).stem, fingerprint)
    if file.text is None:
        r.diagnostics(file.problems)
        parsed = Parsed(None, list(file.problems), PurePosixPath(rel).stem, fingerprint)
    else:
        md = _markdown(settings.unsafe_html, settings.language)
        parsed = parse_document(collection, rel, file.text, md, settings.zone, settings.language)
        document = replace(parsed.document, fingerprint=fingerprint) \
            if parsed.document is not None else None
        parsed = Parsed(document, parsed.diagnostics, parsed.id, fingerprint)
        r.diagnostics(parsed.diagnostics)
    valid = PurePosixPath(rel).stem == parsed.id
    # Files with valid names claim their ids first: 'Brief.md' (an error already) must
    # not take the id of a valid 'brief.md'.
    r.emit("docs", collection.value, parsed.id, ((not valid, rel), None, rel, valid))
    r.emit("ids", ((collection.value, parsed.id, rel), None, collection.value, parsed.id))
    if parsed.document is None:
        # While a file cannot be read, the warnings that depend on every file are held back.
        r.emit("unreadable", ((rel,), None, collection.value))
    if collection is Collection.ACTORS:
        # Actor ids (and below, names) by length and ends: a publisher one edit away from
        # one reads six keys, and an actor renamed tells the publishers that read its keys.
        for key in slip_keys(parsed.id):
            r.emit("actor_spellings", key, ((rel, 0), None, parsed.id, parsed.id))
    if isinstance(parsed.document, Actor):
        _emit_names(r, parsed.document, rel)
    return parsed


def _names_written(actor: Actor) -> list[tuple[str, str, Loc]]:
    return [("id", actor.id, FILE_START), ("name", actor.name.value, actor.name.loc),
            *(("alias", a.value, a.loc) for a in actor.aliases)]


def _emit_names(r: Reader, actor: Actor, rel: str) -> None:
    for position, (what, text, loc) in enumerate(_names_written(actor)):
        key = name_key(text)
        r.emit("names", key, ((rel, position), None, actor.id, what, text, loc.line, loc.col, rel))
        r.emit("name_list", ((key, rel, position), None, key, actor.id, what, text))
        if what != "id":
            for spelling in slip_keys(key):
                r.emit("actor_spellings", spelling, ((rel, position), None, key, actor.id))


@dataclass(frozen=True, slots=True)
class Doc:
    """The document that owns an id (None: its file has errors that stop parsing)."""

    rel: str
    document: Document | None
    fingerprint: str


def doc(r: Reader, collection: str, doc_id: str) -> Doc | None:
    claims = r.index("docs", collection, doc_id)
    if not claims:
        return None
    owner = claims[0][2]
    parsed: Parsed = r.get(("parse", owner))
    for _, _, rel, valid in claims[1:]:
        if valid:
            r.diagnostic(Diagnostic(rel, FILE_START, Severity.ERROR,
                                    f"duplicate {collection[:-1]} id '{doc_id}': {owner} and {rel} "
                                    "both define it; rename one"))
    return Doc(owner, parsed.document, parsed.fingerprint)


def doc_fingerprint(found: Doc | None) -> str:
    return f"{found.rel}:{found.fingerprint}" if found is not None else "-"


# ------------------------------------------------------------------------ identities


@dataclass(frozen=True, slots=True)
class ActorIdent:
    id: str
    path: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    summary_source: str  # the one-line summary as written ("" if none)
    short_name: str = ""  # for chips ("" if none: the chip shows the name)

    @property
    def chip_name(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True, slots=True)
class SourceIdent:
    id: str
    path: str
    title: str
    publisher: str
    date: DateValue
    authors: tuple[str, ...]
    url: str | None
    archive_url: str | None
    language: str | None = None  # a language tag (pages mark its title with it), else None


@dataclass(frozen=True, slots=True)
class BriefingIdent:
    id: str
    path: str
    title: str
    date: DateValue
    draft: bool
    visible: bool  # in this build (drafts and scheduled briefings may be left out)
    status: str = PUBLISHED  # PUBLISHED, DRAFT or SCHEDULED (dated in the future)


@dataclass(frozen=True, slots=True)
class PageIdent:
    id: str
    path: str
    title: str
    draft: bool
    visible: bool
    status: str = PUBLISHED  # PUBLISHED or DRAFT


Ident = ActorIdent | SourceIdent | BriefingIdent | PageIdent


def ident(r: Reader, collection: str, doc_id: str) -> Ident | None:
    found: Doc | None = r.get(("doc", collection, doc_id))
    document = found.document if found is not None else None
    if isinstance(document, Actor):
        return _actor(r, document)
    if isinstance(document, Source):
        r.emit("sources", ((document.path,), (document.id,)))
        return SourceIdent(document.id, document.path, document.title, document.publisher.value,
                           document.date, document.authors, document.url, document.archive_url,
                           language_tag(document.language))
    if isinstance(document, Briefing):
        return _briefing(r, document)
    if isinstance(document, Page):
        return _page(r, document)
    return None


def _actor(r: Reader, actor: Actor) -> ActorIdent:
    """An actor's identity. A name that another actor also claims is an error at both
    definitions, each naming the other (SPEC §12); this actor reports its own."""
    for position, (what, text, loc) in enumerate(_names_written(actor)):
        others = [item for item in r.index("names", name_key(text)) if item[2] != actor.id]
        if others:
            order, _, other, other_what, _, line, col, other_path = others[0]
            relation = "already" if order < (actor.path, position) else "also"
            r.diagnostic(Diagnostic(actor.path, loc, Severity.ERROR,
                                    f"{what} '{text}' of actor '{actor.id}' is {relation} the "
                                    f"{other_what} of actor '{other}' ({other_path}:{line}:{col}); "
                                    "links to it would be ambiguous", len(text)))
    for position, role in enumerate(actor.roles):
        if role.of is None:
            continue
        if role.of.value == actor.id:  # its own page would list it as one of its members
            r.diagnostic(Diagnostic(actor.path, role.of.loc, Severity.ERROR,
                                    f"role '{role.title}' is of the actor itself; 'of' names "
                                    "the body or country the role is held in (or leave it out)",
                                    len(role.of.value)))
            continue
        r.emit("members", role.of.value, ((actor.path, position), (actor.id,), role.title,
                                          role.start, role.end))
        if not r.index("docs", "actors", role.of.value):
            r.diagnostic(_unknown_role_target(r, actor, role.of.value, role.of.loc))
    r.emit("actors", ((actor.name.value.casefold(), actor.path), (actor.id,), actor.kind))
    return ActorIdent(actor.id, actor.path, actor.name.value, actor.kind,
                      tuple(a.value for a in actor.aliases),
                      actor.summary.source if actor.summary else "", actor.short_name or "")


def _unknown_role_target(r: Reader, actor: Actor, target: str, loc: Loc) -> Diagnostic:
    named = r.index("names", name_key(target))
    actor_ids = [item[3] for item in r.index("ids") if item[2] == "actors"]
    found = [named[0][2]] if named else closest(target, actor_ids)
    hint = f"; did you mean {found[0]!r}?" if found else ""
    return Diagnostic(actor.path, loc, Severity.ERROR, f"role of unknown actor '{target}'{hint}",
                      len(target))


def _visible(r: Reader, document: Briefing | Page, dated: DateValue | None) -> tuple[bool, str]:
    """Whether a document is in this build, and its status: drafts only with --drafts,
    briefings dated in the future only with --future; a briefing is scheduled until its date
    comes (see ``Reader.expires``)."""
    flags: Flags = r.get(("settings", "flags"))
    if document.draft and not flags.drafts:
        return False, DRAFT
    status = DRAFT if document.draft else PUBLISHED
    if dated is None:
        return True, status
    settings: ParseSettings = r.get(("settings", "parse"))
    starts = dated.sort_instant(settings.zone).timestamp()
    if starts > r.now:
        r.expires(starts)
        return flags.future, status if document.draft else SCHEDULED
    return True, status


def _emit_unpublished(r: Reader, document: Briefing | Page, status: str) -> None:
    """A draft or scheduled document shown in this build: pages that show it are marked."""
    if status != PUBLISHED:
        collection = collection_of(document.path).value
        r.emit("unpublished", ((document.path,), None, collection, document.id, status))


def _briefing(r: Reader, briefing: Briefing) -> BriefingIdent:
    visible, status = _visible(r, briefing, briefing.date)
    if not visible and not briefing.draft:
        r.diagnostic(Diagnostic(briefing.path, briefing.date_loc, Severity.WARNING,
                                f"briefing '{briefing.id}' is dated {briefing.date.human()}, in "
                                "the future: it is left out until then (build with --future to "
                                "include it)"))
    if visible:
        settings: ParseSettings = r.get(("settings", "parse"))
        r.emit("briefings", (newest_first_key(briefing.date, settings.zone, briefing.path),
                             (briefing.id,)))
        _emit_unpublished(r, briefing, status)
    return BriefingIdent(briefing.id, briefing.path, briefing.title, briefing.date,
                         briefing.draft, visible, status)


def _page(r: Reader, page: Page) -> PageIdent:
    if page.id in RESERVED_PAGE_IDS:
        r.diagnostic(Diagnostic(page.path, FILE_START, Severity.ERROR,
                                f"page id '{page.id}' collides with the generated /{page.id}/; "
                                "rename the file"))
        return PageIdent(page.id, page.path, page.title, page.draft, False)
    visible, status = _visible(r, page, None)
    if visible:
        r.emit("pages", ((page.path,), (page.id,), page.title))
        _emit_unpublished(r, page, status)
    return PageIdent(page.id, page.path, page.title, page.draft, visible, status)
