"""Every kind of node and index of a site, with its level: the one place where the keys of
the build's state are defined (the store's tables hold nothing else).

A node reads only nodes of lower levels (``engine.deps``); an index sits between the nodes
that emit into it and the nodes that read it.

Kinds name their functions by module and name (``Named``): a module is imported when a node
of its kind is first made, so a build that changes nothing imports none of the code that
makes nodes (Markdown, templates, images, search), and an edit imports what it touches.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen.engine import codec
from briefgen.engine.deps import IndexKind, Kind, digest_text, parts_fingerprint
from briefgen.site.filetext import FileText
from briefgen.web.outputkinds import OUTPUT_KINDS, SPLICED_EXPORTS, SPLICED_KINDS, SPLICED_PAGES

# The values that persisted kinds hold, allowed back from the build cache (by module, imported
# when a value of theirs is first read back).
codec.register_named({
    "briefgen.site.documents": ("ActorIdent", "SourceIdent", "BriefingIdent", "PageIdent"),
    "briefgen.site.lookup": ("EntryTitles",),
    "briefgen.site.pieces": ("BriefingCard", "CardBriefing", "CardDoc", "TagInfo"),
    "briefgen.web.feeds": ("FeedEntry",),
    "briefgen.search.blocks": ("Layout",),
    "briefgen.images": ("ImageFacts",),
    "briefgen.site.roles": ("RoleSpan",),
})


@dataclass(frozen=True, slots=True)
class Named:
    """A function by its module and name, imported on its first call (Python's own module
    cache keeps it: no state of ours)."""

    module: str
    name: str

    def __call__(self, *args: Any) -> Any:
        return self.function()(*args)

    def function(self) -> Callable[..., Any]:
        module = sys.modules.get(self.module) or importlib.import_module(self.module)
        found: Callable[..., Any] = getattr(module, self.name)
        return found


def import_code(kind: Kind) -> None:
    """Import the functions of a kind now (before forking workers that make its nodes)."""
    for function in (kind.compute, kind.fingerprint):
        if isinstance(function, Named):
            function.function()


def _functions_of(module: str) -> Callable[[str], Named]:
    return lambda name: Named(module, name)


def _parse_fingerprint(parsed: Any) -> str:
    fingerprint: str = parsed.fingerprint
    return fingerprint


# Levels, lowest first.
INPUT = 0
IMAGE_FILES = 5
IMAGES = 6
PARSE = 10
DOC_INDEXES = 15
DOC = 20
IDENT = 30
IDENT_INDEXES = 35
RESOLVED = 36
FILL = 40
LINK_INDEXES = 45
PIECES = 50
LISTS = 55
EXPORT_PIECES = 60
CHECKS = 60
SEARCH_UNITS = 60  # what each document gives to search (kept)
SEARCH_BLOCKS = 61  # the units cut into blocks
SEARCH_MEMBERS = 62  # index: each block's units
SEARCH_LAYOUT = 63
SEARCH_BLOCK = 64  # a block's share of each index file
SEARCH_INDEXES = 66  # indexes: the lines of each shard and vocabulary page
HELD_INDEX = 65
HELD = 70
PLAN = 85
PLAN_STATIC = 86
PUBLISH = 87  # the plans' paths, as an index keyed by path
PUBLISHED_INDEX = 88
SITE_LINKS = 89  # links to paths of the site, checked against that index
OUTPUT = 90


def _text_fp(value: Any) -> str:
    return digest_text(value) if isinstance(value, str) else digest_text(repr(value))


INDEXES = [IndexKind(name, DOC_INDEXES) for name in ("docs", "ids", "names", "name_list",
                                                     "unreadable", "actor_spellings")] \
    + [IndexKind(name, IDENT_INDEXES) for name in ("actors", "sources", "briefings", "pages",
                                                   "members", "unpublished")] \
    + [IndexKind(name, LINK_INDEXES) for name in (
        "timeline", "year", "years", "actor_entries", "source_entries", "actor_briefings",
        "source_briefings", "linked", "cited", "tag", "tags", "images")] \
    + [IndexKind("search_members", SEARCH_MEMBERS)] \
    + [IndexKind(name, SEARCH_INDEXES) for name in ("search_shard", "search_vocab")] \
    + [IndexKind("held", HELD_INDEX), IndexKind("published", PUBLISHED_INDEX)]


def site_kinds(load_file: Callable[[str], FileText]) -> list[Kind]:
    """The kinds of one site; ``load_file`` reads a content file (relative path) when its
    text is needed and was not read this run."""
    media, documents, fill, filled, pieces, roles, check, held, mentions = (
        _functions_of(f"briefgen.site.{name}") for name in (
            "media", "documents", "fill", "filled", "pieces", "roles", "check", "held",
            "mentions"))
    feeds, exports, plan, sitepaths = (_functions_of(f"briefgen.web.{name}") for name in (
        "feeds", "exports", "plan", "sitepaths"))
    units, blocks = _functions_of("briefgen.search.units"), _functions_of("briefgen.search.blocks")
    inputs = [
        Kind("file", INPUT, load=load_file, reads="file", held=False),
        Kind("settings", INPUT, reads="config"),
        Kind("service", INPUT, reads="config"),
        Kind("template", INPUT, reads="template"),
        Kind("asset", INPUT, reads="asset"),
        Kind("static", INPUT, reads="static"),
        Kind("listing", INPUT, reads="static"),
    ]
    derived = [
        # An image's facts are kept: finding them means decoding the file.
        Kind("image_file", IMAGE_FILES, media("image_file"), persist=True, reads="image"),
        Kind("image", IMAGES, media("image"), reads="image"),
        Kind("parse", PARSE, documents("parse"), _parse_fingerprint, reads="document"),
        Kind("doc", DOC, documents("doc"), documents("doc_fingerprint"), reads="document"),
        Kind("ident", IDENT, documents("ident"), persist=True, reads="identity"),
        Kind("entry_titles", RESOLVED, fill("entry_titles"), persist=True, reads="identity"),
        Kind("anchors", RESOLVED, fill("anchors"), persist=True, reads="anchors"),
        Kind("publisher", RESOLVED, pieces("publisher"), persist=True, reads="identity"),
        Kind("roles", RESOLVED, roles("roles"), persist=True, reads="roles"),
        Kind("fill", FILL, fill("filled"), fill("fill_fingerprint"), reads="body",
             detach=filled("detach"), attach=_attach_fill),
        # List items and chips are not kept: pages copy unchanged items from their own
        # previous file (web/joined.py), and a chip is quick to make again. A chip's key is
        # ("chip", actor id), or ("chip", actor id, role index) for a role held on a date.
        Kind("item", PIECES, pieces("entry_item"), parts_fingerprint, reads="piece", parts=True,
             held=False),
        Kind("chip", PIECES, pieces("actor_chip"), _text_fp, reads="piece", held=False),
        Kind("card", PIECES, pieces("briefing_card"), persist=True, reads="piece"),
        Kind("actor_summary", PIECES, pieces("actor_summary"), _text_fp, persist=True,
             reads="piece"),
        Kind("card_html", LISTS, pieces("card_html"), _text_fp, reads="piece", held=False),
        Kind("lastmod", LISTS, pieces("last_modified"), persist=True, reads="piece"),
        Kind("feed_entry", LISTS, feeds("feed_entry"), parts_fingerprint, persist=True,
             reads="piece", parts=True),
        Kind("co_actors", PIECES, pieces("co_actors"), persist=True, reads="piece"),
        Kind("years", PIECES, pieces("years"), persist=True, reads="piece"),
        Kind("tag", PIECES, pieces("tag"), persist=True, reads="piece"),
        Kind("tag_slugs", PIECES, pieces("tag_slugs"), persist=True, reads="piece"),
        Kind("tagged", PIECES, pieces("tagged"), persist=True, reads="piece"),
        Kind("tag_list", LISTS, pieces("tag_list"), persist=True, reads="piece"),
        Kind("counts", LISTS, pieces("counts"), persist=True, reads="piece"),
        Kind("check", CHECKS, check("check"), reads="check"),
        Kind("held_warnings", HELD, held("held_warnings"), reads="check"),
        Kind("mention_names", RESOLVED, mentions("mention_names"), reads="mentions"),
        Kind("mentions", CHECKS, mentions("mentions"), reads="mentions"),
    ]
    # Not kept either: the exports copy unchanged pieces from their previous file. Each is
    # joined by one export alone, and let go once it is written.
    export_pieces = [
        Kind(name, EXPORT_PIECES, function, _text_fp, reads="piece", held=False,
             joined_once=True)
        for name, function in (
            ("briefing_json", exports("briefing_json")),
            ("actor_json", exports("actor_json")), ("source_json", exports("source_json")))
    ] + [
        Kind(name, EXPORT_PIECES, function, parts_fingerprint, reads="piece", parts=True,
             held=False, joined_once=True)
        for name, function in (("entry_json", exports("entry_json")),
                               ("timeline_event", exports("timeline_event")))
    ]
    search = [
        Kind("search_unit", SEARCH_UNITS, units("unit"), _text_fp, persist=True, reads="piece"),
        Kind("search_blocks", SEARCH_BLOCKS, blocks("blocks"), persist=True, reads="piece"),
        Kind("search_layout", SEARCH_LAYOUT, blocks("layout"), persist=True, reads="piece"),
        Kind("search_block", SEARCH_BLOCK, blocks("block"), reads="piece"),
    ]
    plans = [
        Kind("plan", PLAN, plan("plan"), persist=True, reads="plan"),
        Kind("plan_static", PLAN_STATIC, plan("plan_static"), persist=True, reads="plan"),
        Kind("publish", PUBLISH, sitepaths("publish"), reads="plan"),
        Kind("site_links", SITE_LINKS, sitepaths("check_links"), reads="check"),
    ]
    outputs = [Kind(name, OUTPUT, _maker(name), output=True, reads="output",
                    spliced={"export": SPLICED_EXPORTS,
                             "page": SPLICED_PAGES}.get(name, frozenset()),
                    spliced_all=name in SPLICED_KINDS)
               for name in OUTPUT_KINDS]
    return inputs + derived + export_pieces + search + plans + outputs


def _attach_fill(value: Any, key: tuple[str, ...], get: Callable[[tuple[str, ...]], Any]) -> Any:
    """A filled briefing from a worker, joined to the parsed document this process holds."""
    from briefgen.site import filled

    if not isinstance(value, filled.DetachedBriefing):
        return value
    found: Any = get(("doc", *key[1:]))  # a documents.Doc, or None
    return filled.attach(value, found.document if found is not None else None)


def _maker(kind: str) -> Callable[..., Any]:
    make_output = Named("briefgen.web.plan", "make")

    def make(r: Any, *args: str) -> Any:
        return make_output(r, kind, *args)

    return make


def file_loader(root: Path) -> Callable[[str], FileText]:
    from briefgen.load import read_text

    def load(rel: str) -> FileText:
        diagnostics: list[Any] = []
        text = read_text(root / rel, rel, diagnostics)
        return FileText(text, tuple(diagnostics))

    return load
