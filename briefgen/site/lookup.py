"""What a link target or a cited source id names, looked up through the indexes (SPEC §6).

Every look-up is a read of the node that reader records, failed ones included: a
``[[target]]`` that names nothing depends on the index key it looked in, so the alias that
later makes it resolve makes the document stale.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from briefgen.engine.deps import Item, Reader
from briefgen.site.documents import ActorIdent, BriefingIdent, Ident, PageIdent, SourceIdent
from briefgen.site.settings import Flags
from briefgen.slug import is_valid_id, name_key
from briefgen.suggest import closest, one_edit_apart
from briefgen.urls import Urls

DRAFT = "a draft"  # why a document is left out of a build (else: "scheduled for <date>")
CUTOFF = 0.6  # the least similarity of a suggestion, as difflib's close matches


class TargetKind(StrEnum):
    ACTOR = "actor"
    BRIEFING = "briefing"
    ENTRY = "entry"
    SOURCE = "source"
    PAGE = "page"


@dataclass(frozen=True, slots=True)
class Target:
    kind: TargetKind
    id: str  # the actor, briefing, source or page id
    rel: str  # site path, with a fragment for entries
    text: str  # default link text
    entry_id: str | None = None
    hidden: bool = False  # a draft or scheduled document left out of this build
    why_hidden: str = ""  # what a link to it is told: "a draft", "scheduled for 1 May 2030"


@dataclass(frozen=True, slots=True)
class Lookup:
    target: Target | None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class EntryTitles:
    """A briefing's entry ids and their titles as plain text, links showing the names
    they resolve to (the default text of a ``[[briefings/x#entry]]`` link)."""

    titles: tuple[tuple[str, str], ...]


class Lookups:
    """Resolves targets for one node, through its reader."""

    def __init__(self, r: Reader) -> None:
        self.r = r
        self._resolved: dict[str, Lookup] = {}
        self._source_ids: list[str] | None = None
        self._near: dict[str, str | None] = {}  # handles repeat: "@newsdesk" is looked at once
        # A link-dense document names the same few documents over and over: each is looked
        # up once (its reads are recorded the first time; they cannot change within a node).
        self._idents: dict[tuple[str, str], Ident | None] = {}
        self._cited: dict[str, Lookup] = {}

    def exists(self, collection: str, doc_id: str) -> bool:
        return bool(self.r.index("docs", collection, doc_id))

    def ident(self, collection: str, doc_id: str) -> Ident | None:
        """The identity of a document, if a file claims that id (else None, unrecorded
        beyond the failed claim)."""
        key = (collection, doc_id)
        if key not in self._idents:
            self._idents[key] = self.r.get(("ident", collection, doc_id)) \
                if self.exists(collection, doc_id) else None
        return self._idents[key]

    def broken(self, collection: str, doc_id: str) -> bool:
        """A file claims the id but has errors that stop it being read: links to it are not
        reported again."""
        return self.exists(collection, doc_id) and self.ident(collection, doc_id) is None

    def actor_for_name(self, text: str) -> ActorIdent | None:
        """An actor by id exactly, or by name or alias (Unicode-equal, ignoring case)."""
        found = self.ident("actors", text)
        if isinstance(found, ActorIdent):
            return found
        named = self.r.index("names", name_key(text))
        if named:
            actor = self.ident("actors", named[0][2])
            return actor if isinstance(actor, ActorIdent) else None
        return None

    def resolve(self, target: str) -> Lookup:
        """A ``[[target]]`` in the order of SPEC §6."""
        lookup = self._resolved.get(target)
        if lookup is None:
            lookup = self._resolved[target] = self._resolve(target)
        return lookup

    def _resolve(self, target: str) -> Lookup:
        actor = self.actor_for_name(target)
        if actor is not None:
            return Lookup(Target(TargetKind.ACTOR, actor.id, Urls.actor(actor.id), actor.name))
        kind, _, rest = target.partition("/")
        if kind == "briefings":
            return self._briefing(rest)
        found = self.ident(kind, rest) if kind in ("sources", "pages", "actors") and rest else None
        if isinstance(found, SourceIdent):
            return Lookup(Target(TargetKind.SOURCE, rest, Urls.source(rest), found.title))
        if isinstance(found, PageIdent):
            if not found.visible and not found.draft:
                return Lookup(None)  # a page id that is refused: reported at the page
            return Lookup(Target(TargetKind.PAGE, rest, Urls.page(rest), found.title, None,
                                 not found.visible, DRAFT if not found.visible else ""))
        if isinstance(found, ActorIdent):
            return Lookup(Target(TargetKind.ACTOR, rest, Urls.actor(rest), found.name))
        return Lookup(None, self._unknown(target))

    def _briefing(self, rest: str) -> Lookup:
        briefing_id, hash_sign, entry_id = rest.partition("#")
        briefing = self.ident("briefings", briefing_id)
        if not isinstance(briefing, BriefingIdent):
            return Lookup(None, self._unknown(f"briefings/{rest}"))
        if hash_sign and not entry_id:
            return Lookup(None, f"'briefings/{rest}' names no entry after '#'; write "
                                f"briefings/{briefing_id}#ENTRY-ID or drop the '#'")
        hidden = not briefing.visible
        why = self.why_hidden(briefing) if hidden else ""
        if not entry_id:
            return Lookup(Target(TargetKind.BRIEFING, briefing_id, Urls.briefing(briefing_id),
                                 briefing.title, None, hidden, why))
        titles: EntryTitles = self.r.get(("entry_titles", briefing_id))
        title = dict(titles.titles).get(entry_id)
        if title is None:
            ids = [i for i, _ in titles.titles]
            hint = closest(entry_id, ids)
            suggestion = f"; did you mean '{briefing_id}#{hint[0]}'?" if hint else \
                f"; its entries are {', '.join(ids[:5])}" if ids else "; it has no entries"
            return Lookup(None, f"briefing '{briefing_id}' has no entry '{entry_id}'{suggestion}")
        return Lookup(Target(TargetKind.ENTRY, briefing_id, Urls.briefing(briefing_id, entry_id),
                             title, entry_id, hidden, why))

    def why_hidden(self, briefing: BriefingIdent) -> str:
        """Why a briefing is left out of this build: a draft, or dated in the future."""
        flags: Flags = self.r.get(("settings", "flags"))
        if briefing.draft and not flags.drafts:
            return DRAFT
        return f"scheduled for {briefing.date.human()}"

    def unreadable(self, collection: str | None = None) -> bool:
        """Whether a content file (of ``collection``) cannot be read this run."""
        return any(collection is None or item[2] == collection
                   for item in self.r.index("unreadable"))

    def _unknown(self, target: str) -> str | None:
        kind, _, rest = target.partition("/")
        if kind in ("briefings", "sources", "pages", "actors") and \
                self.broken(kind, rest.partition("#")[0]):
            return None  # the file exists but has errors of its own, reported there
        if self.broken("actors", target):
            return None
        if "/" not in target and self.unreadable("actors"):
            return None  # it may be a name or alias in the actor file that cannot be read
        paths = [f"{coll}/{doc_id}" for _, _, coll, doc_id in self.r.index("ids")]
        bare = [repr(c) for c in paths if c.partition("/")[2] == target]  # "cbs": sources/cbs
        found = bare or (
            [] if "/" in target else actor_suggestions(target, self.r.index("name_list"))
        ) or [repr(c) for c in closest(target, paths)]
        hint = f"; did you mean {' or '.join(found)}?" if found else \
            "; link an actor by id, name or alias, or write briefings/ID, sources/ID or pages/ID"
        return f"unknown link target '{target}'{hint}"

    def cite(self, source_id: str) -> Lookup:
        """The source of a ``[@source_id]`` citation."""
        if source_id not in self._cited:
            self._cited[source_id] = self._cite(source_id)
        return self._cited[source_id]

    def _cite(self, source_id: str) -> Lookup:
        source = self.ident("sources", source_id)
        if isinstance(source, SourceIdent):
            return Lookup(Target(TargetKind.SOURCE, source_id, Urls.source(source_id),
                                 source.title))
        if self.broken("sources", source_id):
            return Lookup(None, None)
        sources = self.source_ids()
        found = closest(source_id, sources) or closest(source_id.lower(), sources)
        hint = f"; did you mean {' or '.join(repr(f) for f in found)}?" if found else \
            "; cite a source by its file name in sources/"
        return Lookup(None, f"unknown source '{source_id}' in citation{hint}")

    def source_ids(self) -> list[str]:
        if self._source_ids is None:
            self._source_ids = sorted(doc_id for _, _, coll, doc_id in self.r.index("ids")
                                      if coll == "sources")
        return self._source_ids

    def near_source(self, word: str) -> str | None:
        """The source id one edit away from ``word``, if there is one."""
        if word not in self._near:
            self._near[word] = next((i for i in self.source_ids() if one_edit_apart(word, i)),
                                    None)
        return self._near[word]

    def source(self, source_id: str) -> SourceIdent | None:
        found = self.ident("sources", source_id)
        return found if isinstance(found, SourceIdent) else None

    def author_label(self, source: SourceIdent) -> str:
        """The name in an author-date citation: the first author's family name, else the
        publisher."""
        if source.authors:
            return family_name(source.authors[0])
        return self.publisher_label(source)

    def publisher_label(self, source: SourceIdent) -> str:
        """The publisher as the Sources list shows it: an actor's name when it names one."""
        actor = self.actor_for_name(source.publisher)
        return actor.name if actor else source.publisher


# Words after a family name (``King Jr.``), and the particles that belong to the family name
# they precede (``van Beethoven``, ``de la Cruz``).
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v", "phd", "md"})
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "das", "del", "della", "di",
                        "du", "la", "le", "dos", "ter", "ten", "bin", "ibn", "al"})


def family_name(author: str) -> str:
    """The name an author-date citation gives an author: "King" for "Martin Luther King Jr."
    and "King, Martin Luther", "van Beethoven" for "Ludwig van Beethoven"."""
    if "," in author:
        family, _, given = author.partition(",")
        if family.strip() and given.strip().casefold().rstrip(".") not in \
                {s.rstrip(".") for s in _SUFFIXES}:
            return family.strip()
    words = author.replace(",", " ").split()
    while len(words) > 1 and words[-1].casefold() in _SUFFIXES:
        words.pop()
    if not words:
        return author.strip()
    start = len(words) - 1
    while start > 1 and words[start - 1].casefold() in _PARTICLES:
        start -= 1
    return " ".join(words[start:])


def actor_suggestions(typed: str, names: Iterable[Item], limit: int = 3) -> list[str]:
    """The actors nearest to ``typed``, each named once and in the form typed: an id-shaped
    text gets ids, with the name to tell them apart (``'european-commission' (European
    Commission)``); other text gets the nearest name or alias as written. ``names``: the
    items of the ``name_list`` index."""
    wants_id = is_valid_id(typed)
    wanted = name_key(typed)
    matcher = difflib.SequenceMatcher(b=wanted, autojunk=False)
    best: dict[str, tuple[float, str]] = {}
    shown_name: dict[str, str] = {}
    for _, _, key, actor_id, what, text in names:
        if what == "name":
            shown_name[actor_id] = text
        if what == "id" and not wants_id:
            continue
        matcher.set_seq1(key)
        if matcher.real_quick_ratio() < CUTOFF or matcher.quick_ratio() < CUTOFF:
            continue
        score = matcher.ratio()
        if score >= CUTOFF and score > best.get(actor_id, (0.0, ""))[0]:
            best[actor_id] = (score, text)
    ranked = sorted(best.items(), key=lambda pair: (-pair[1][0], pair[0]))[:limit]
    if wants_id:
        return [f"'{actor_id}' ({shown_name.get(actor_id, actor_id)})" for actor_id, _ in ranked]
    return [repr(text) for _, (_, text) in ranked]
