"""One check per content file: the warnings that need the whole site (SPEC §8), and those
that depend on the build's clock (a change log dated in the future)."""

from __future__ import annotations

from datetime import tzinfo

from briefgen.engine.deps import Reader
from briefgen.entrydates import after_today
from briefgen.errors import FILE_START, Diagnostic, Severity
from briefgen.filenames import YAML_SUFFIXES
from briefgen.model import Actor, Briefing, Page, Source
from briefgen.parse import Parsed
from briefgen.site.documents import Doc, collection_of
from briefgen.site.held import hold
from briefgen.site.nearmiss import near_misses
from briefgen.site.settings import ParseSettings, SiteSettings
from briefgen.slug import name_key
from briefgen.urls import SECTIONS


def check(r: Reader, rel: str) -> None:
    parsed: Parsed = r.get(("parse", rel))
    collection = collection_of(rel).value
    found: Doc | None = r.get(("doc", collection, parsed.id))
    if found is None or found.rel != rel or found.document is None:
        return
    document = found.document
    if isinstance(document, Source) and not r.index("cited", document.id):
        hold(r, Diagnostic(document.path, FILE_START, Severity.WARNING,
                           f"source '{document.id}' is never cited"))
    if isinstance(document, Actor) and not r.index("linked", document.id):
        hold(r, Diagnostic(document.path, document.name.loc, Severity.WARNING,
                           f"actor '{document.id}' is never linked; link it with "
                           f"[[{document.id}]] or remove the file"))
    r.diagnostics(near_misses(r, document))
    if isinstance(document, Page):
        r.diagnostics(menu_clashes(r, document))
    if not isinstance(document, Source | Briefing):
        return
    settings: ParseSettings = r.get(("settings", "parse"))
    if isinstance(document, Source):
        published = document.date.sort_instant(settings.zone).timestamp()
        if published > r.now and document.date.year < 9999:
            r.diagnostic(Diagnostic(document.path, document.date_loc, Severity.WARNING,
                                    f"source dated {document.date.human()}, in the future: "
                                    "correct the date (a source is cited once it is out)",
                                    len(document.date.written())))
            r.expires(published)  # the warning goes when the date comes
    if isinstance(document, Briefing):
        future, expires = future_changes(document, r.now, settings.zone)
        r.diagnostics(future)
        if expires is not None:  # what is said here changes when that date comes
            r.expires(expires)


def menu_clashes(r: Reader, page: Page) -> list[Diagnostic]:
    """A published page's title is its link in the menu: one that reads like a section's
    (the search's included), or like another page's that comes before it, makes two links
    alike."""
    pages = r.index("pages")
    if not any(item[1][0] == page.id for item in pages):
        return []  # not in the menu (a draft)
    settings: SiteSettings = r.get(("settings", "site"))
    title = _as_read(page.title)
    clash = next((f"the menu's link to /{rel}" for key, rel in (*SECTIONS, ("search", "search/"))
                  if _as_read(settings.words.text(key)) == title), None)
    if clash is None:
        clash = next((f"the title of {item[0][0]}" for item in pages
                      if item[0][0] < page.path and _as_read(item[2]) == title), None)
    if clash is None:
        return []
    return [Diagnostic(page.path, page.title_loc, Severity.WARNING,
                       f"page title '{page.title}' is also {clash}: the menu would show two "
                       "links that read alike; give the page another title")]


def _as_read(title: str) -> str:
    """A title as a reader tells it from another: case, Unicode forms and spacing aside."""
    return name_key(" ".join(title.split()))


def future_changes(briefing: Briefing, now: float, zone: tzinfo
                   ) -> tuple[list[Diagnostic], float | None]:
    """Warnings for the dates that lie in the future at ``now``: of the change log
    (``updates``, ``updated``: the page, its feeds and the sitemap would say that the
    briefing was changed then), and of entries not marked planned. With the time at which
    what is said here changes (a date comes), if any. A scheduled briefing is checked when
    it comes out."""
    published = briefing.date.sort_instant(zone).timestamp()
    if published > now:
        return [], published
    ahead, expires = after_today(briefing.unplanned, now, zone,
                                 in_yaml=briefing.path.endswith(YAML_SUFFIXES))
    found = [Diagnostic(briefing.path, entry.loc, Severity.WARNING, message, entry.span)
             for entry, message in ahead]
    dated = [(f"update dated {u.date.human()}", "correct the date, or add the update once it "
              "is made", u.date, u.date_loc) for u in briefing.updates]
    if briefing.updated is not None and briefing.updated_loc is not None:
        dated.append((f"'updated' ({briefing.updated.human()})", "correct the date",
                      briefing.updated, briefing.updated_loc))
    for what, fix, value, loc in dated:
        starts = value.sort_instant(zone).timestamp()
        if starts > now:
            found.append(Diagnostic(briefing.path, loc, Severity.WARNING,
                                    f"{what} is in the future: the page, its feeds and the "
                                    f"sitemap would say the briefing was updated then; {fix}",
                                    len(value.written())))
            expires = starts if expires is None else min(expires, starts)
    return found, expires
