"""Where a filled document's citations and change log sit on its page: the Sources list links
back to each citation in page order, and the change log's notes are filled twice (with the
ids of their citation links, and without them for the copies at the top and at an entry)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo

from briefgen.changelog import numbered
from briefgen.fragments import PLACEHOLDER, fill, fill_each
from briefgen.fragmenttypes import Fragment
from briefgen.model import Actor, Briefing, Page, Source
from briefgen.site.filled import RenderedUpdate

LEDE, BODY, CHANGE_LOG, NOTES = range(4)  # the order of a page's parts


def ranks(document: Briefing | Actor | Source | Page) -> dict[int, int]:
    """The part of its page each ref stands in, where the refs were not read in page order:
    the summary is the lede; the change log and the footnotes come last. Others: ``BODY``."""
    found: dict[int, int] = {}
    fields: list[tuple[Fragment | None, int]] = [(getattr(document, "summary", None), LEDE)]
    if isinstance(document, Briefing):
        fields += [(u.note, CHANGE_LOG) for u in document.updates] + [(document.notes, NOTES)]
    for fragment, part in fields:
        if fragment is not None:
            found.update((int(n), part) for n in PLACEHOLDER.findall(fragment.html))
    return found


def backlinks(sources: Sequence[str], refs: Sequence[int],
              parts: Mapping[int, int]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Each cited source's links, by their numbers n (bg-cite-<id>-<n>, counted in the order
    the refs were read), in page order; ``sources`` and ``refs`` hold the source and the ref
    of each link, in the order the refs were read."""
    found: dict[str, list[int]] = {}
    for source_id, ref in zip(sources, refs, strict=True):
        found.setdefault(source_id, []).append(ref)
    return tuple((source_id, _in_page_order(links, parts)) for source_id, links in found.items())


def _in_page_order(refs: list[int], parts: Mapping[int, int]) -> tuple[int, ...]:
    """The numbers 1… of links read in the order of ``refs``, in page order."""
    if not any(ref in parts for ref in refs):  # all in the body: the order they were read in
        return tuple(range(1, len(refs) + 1))
    return tuple(n for _, _, n in sorted((parts.get(ref, BODY), ref, n)
                                         for n, ref in enumerate(refs, start=1)))


def change_log(briefing: Briefing, html: Sequence[str], unmarked: Mapping[int, str],
               text: Sequence[str], zone: tzinfo) -> tuple[RenderedUpdate, ...]:
    numbers = numbered(briefing.updates, zone)
    return tuple(
        RenderedUpdate(u, number, fill(u.note.html, html),
                       fill_each(u.note.html, lambda n: unmarked.get(n, html[n])),
                       fill(u.note.text, text))
        for u, number in zip(briefing.updates, numbers, strict=True))
