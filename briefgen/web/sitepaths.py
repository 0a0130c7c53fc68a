"""Markdown links to paths of the site (``[about](/about/)``), checked against the files
the site publishes (SPEC §7: every internal link resolves to a file of the build). Images are
checked apart, as files under content/static/ (``site/media.py``).

The published paths come from the plans: the ``publish`` node turns them into the
``published`` index, keyed by path, and each document's links look up only the paths they
name. So adding a page makes stale just the documents that link to its path, and a link
that resolves depends on one index key, not on the whole plan. Levels: plans → ``publish``
→ the ``published`` index → ``site_links`` (one node per content file).
"""

from __future__ import annotations

from urllib.parse import unquote

from briefgen.engine.deps import Reader
from briefgen.errors import Diagnostic, Loc, Severity
from briefgen.model import Briefing, Page, SiteLink
from briefgen.parse import Parsed
from briefgen.site.documents import ActorIdent, BriefingIdent, Doc, PageIdent, collection_of
from briefgen.site.fill import hidden_problem
from briefgen.site.lookup import DRAFT, Lookups
from briefgen.site.settings import SiteSettings
from briefgen.suggest import closest
from briefgen.urls import Urls, output_file
from briefgen.web.plan import output_path

PLANS = (("plan", "pages"), ("plan", "assets"), ("plan_static",))
# Site paths whose first folder names a kind of document: (collection, where the id is).
_DOCUMENT_FOLDERS = {"briefings": "briefings", "actors": "actors", "sources": "sources"}


def publish(r: Reader) -> None:
    """The node ``("publish",)``: every file the site publishes, as an index key."""
    for plan in PLANS:
        for key in r.get(plan):
            path = output_path(key)
            r.emit("published", path, ((path,), None))


def check_links(r: Reader, rel: str) -> None:
    """The node ``("site_links", rel)``: the root-relative links of one file (its images are
    checked as files under content/static/, their paths without base_url's)."""
    parsed: Parsed = r.get(("parse", rel))
    document = parsed.document
    links = [link for link in document.site_links if not link.image] if document else []
    if not links:
        return
    collection = collection_of(rel).value
    found: Doc | None = r.get(("doc", collection, parsed.id))
    if found is None or found.rel != rel:
        return  # a second file for one id: reported as such
    settings: SiteSettings = r.get(("settings", "site"))
    checker = _Checker(r, Urls(settings.base_url).prefix, collection, parsed.id,
                       isinstance(document, Briefing | Page))
    for link in links:
        problem, severity = checker.problem(link), Severity.ERROR
        if problem is None:
            # The page exists; a fragment it lacks opens it at its top: a warning, as a
            # site's own templates may give the page ids of their own.
            problem, severity = checker.fragment_problem(link) or \
                checker.actor_by_path(link), Severity.WARNING
        if problem is not None:
            r.diagnostic(Diagnostic(rel, Loc(link.line, link.col), severity, problem,
                                    link.span))


class _Checker:
    def __init__(self, r: Reader, prefix: str, collection: str, doc_id: str,
                 may_hide: bool) -> None:
        self.r, self.prefix, self.lookups = r, prefix, Lookups(r)
        self.collection, self.doc_id, self.may_hide = collection, doc_id, may_hide
        self._near: dict[tuple[str, str], list[str]] = {}  # fragment → nearest id

    def exists(self, site_rel: str) -> bool:
        """Whether a site path is published (a folder's path without its final slash too,
        which web servers redirect)."""
        if site_rel == "" or site_rel.endswith("/"):
            return bool(self.r.index("published", output_file(site_rel)))
        return bool(self.r.index("published", site_rel)) or \
            bool(self.r.index("published", site_rel + "/index.html"))

    def problem(self, link: SiteLink) -> str | None:
        if link.url.startswith("#"):
            return None  # this page: see ``fragment_problem``
        raw_path = link.url.split("#", 1)[0].split("?", 1)[0]
        path, tail = unquote(raw_path), unquote(link.url[len(raw_path):])  # tail: ?… and #…
        what = f"{'image' if link.image else 'link to'} '{unquote(link.url)}'"
        if path + "/" == self.prefix:
            return None  # the home page, without its final slash
        if not path.startswith(self.prefix):
            if self.exists(path[1:]):
                return (f"{what} leaves the site, which is at {self.prefix} (the path of "
                        f"base_url); did you mean '{self.prefix}{path[1:]}{tail}'?")
            return None  # another part of the same host: not the site's to check
        site_rel = path[len(self.prefix):]
        if self.exists(site_rel):
            return None
        first, _, rest = site_rel.partition("/")
        collection, doc_id = (_DOCUMENT_FOLDERS[first], rest.partition("/")[0]) \
            if first in _DOCUMENT_FOLDERS else ("pages", first)
        if doc_id and self.lookups.exists(collection, doc_id):
            found = self.lookups.ident(collection, doc_id)
            if found is None or (isinstance(found, PageIdent) and not found.visible
                                 and not found.draft):
                return None  # a file with errors of its own, reported there
            if isinstance(found, BriefingIdent | PageIdent) and not found.visible:
                return self._hidden(found, f"'{self.prefix}{site_rel}'")
        if first in ("tags", "timeline") and self.lookups.unreadable("briefings"):
            return None  # the briefing that makes this page may be the one that is unreadable
        return (f"{what}: the site has no {'file' if link.image else 'page or file'} at this "
                f"path{self._suggestion(site_rel, tail)}")

    def fragment_problem(self, link: SiteLink) -> str | None:
        """A link to an entry or section that the briefing it points to lacks (the theme's
        own ids, which start with ``bg-``, are not checked)."""
        path, _, fragment = link.url.partition("#")
        fragment = unquote(fragment)
        if not fragment or fragment.startswith("bg-") or fragment.casefold() == "top":
            return None  # the theme's ids; "#top" is the top of any page (HTML)
        briefing_id = self._briefing_at(path) if path else \
            self.doc_id if self.collection == "briefings" else None
        if briefing_id is None:
            return None
        ids: tuple[str, ...] = self.r.get(("anchors", briefing_id))
        if fragment in ids:
            return None
        where = "this briefing" if not path else f"briefing '{briefing_id}'"
        near = self._near.get((briefing_id, fragment))
        if near is None:  # a link-dense page repeats its links: each is looked at once
            near = self._near[(briefing_id, fragment)] = closest(fragment, ids, limit=1)
        hint = f"; did you mean '{path}#{near[0]}'?" if near else ""
        return (f"link to '{unquote(link.url)}': {where} has no entry or section "
                f"'{fragment}', so the link opens the page at its top{hint}")

    def actor_by_path(self, link: SiteLink) -> str | None:
        """A Markdown link to an actor's page links the page, not the actor: an entry with it
        does not list the actor, nor the actor's page the entry."""
        if link.image or "#" in link.url:  # a part of the page: no [[link]] says that
            return None
        actor_id = self._document_at(link.url, "actors")
        if actor_id is None or not isinstance(self.lookups.ident("actors", actor_id), ActorIdent):
            return None
        return (f"link to '{unquote(link.url)}' links the actor's page but not the actor, so "
                f"the actor is not counted as linked here (an entry would not list them); "
                f"write [[{actor_id}|…]] with the link's text")

    def _briefing_at(self, url: str) -> str | None:
        """The briefing whose published page a link's path names, if it names one."""
        briefing_id = self._document_at(url, "briefings")
        path = unquote(url.split("#", 1)[0].split("?", 1)[0])
        return briefing_id if briefing_id and self.exists(path[len(self.prefix):]) else None

    def _document_at(self, url: str, folder: str) -> str | None:
        """The id of the document of ``folder`` whose page a link's URL names (``/actors/x/``
        or ``…/index.html``, with the path of base_url), if it names one."""
        path = unquote(url.split("#", 1)[0].split("?", 1)[0])
        if not path.startswith(self.prefix):
            return None
        first, _, rest = path[len(self.prefix):].partition("/")
        doc_id, _, tail = rest.partition("/")
        return doc_id if first == folder and doc_id and tail in ("", "index.html") else None

    def _hidden(self, found: BriefingIdent | PageIdent, what: str) -> str | None:
        """A link to a draft or a scheduled briefing: an error from a published page."""
        if self.may_hide:
            own = self.r.get(("ident", self.collection, self.doc_id))
            if isinstance(own, BriefingIdent | PageIdent) and not own.visible:
                return None  # from a page that is left out too
        why = self.lookups.why_hidden(found) if isinstance(found, BriefingIdent) else DRAFT
        return hidden_problem(what, why)

    def _suggestion(self, site_rel: str, tail: str) -> str:
        paths = {output_path(key).removesuffix("index.html")
                 for plan in PLANS for key in self.r.get(plan)}
        found = closest(site_rel, paths, limit=1)
        return f"; did you mean '{self.prefix}{found[0]}{tail}'?" if found else ""
