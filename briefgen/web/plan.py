"""Which files the site has: every output, as a node key, and the path it is written to.

The list of outputs is itself made from the indexes (a page per visible briefing, per actor,
per year that has entries…), in ``plan`` nodes: adding a briefing adds its page, and an edit
that changes no list leaves the plan alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from briefgen.engine.deps import Key, Reader
from briefgen.errors import FILE_START, Diagnostic, Severity
from briefgen.images import CopyCache, ImageFacts, copy_bytes
from briefgen.manifest import MANIFEST
from briefgen.search import files as search_files
from briefgen.site import media
from briefgen.urls import Urls, output_file
from briefgen.web import exports, feeds, pages
from briefgen.web.joined import Joined

SINGLE_PAGES: dict[str, tuple[str, Callable[[Reader], bytes | Joined]]] = {
    "home": ("", pages.home),
    "briefings": ("briefings/", pages.briefings_list),
    "actors": ("actors/", pages.actors_list),
    "sources": ("sources/", pages.sources_list),
    "timeline": ("timeline/", pages.timeline),
    "tags": ("tags/", pages.tags_list),
    "search": ("search/", pages.search_page),
    "404": ("404.html", pages.not_found),
}

EXPORTS: dict[str, Callable[[Reader], bytes | Joined]] = {
    "api/briefings.json": exports.briefings_export,
    "api/entries.json": exports.entries_export,
    "api/actors.json": exports.actors_export,
    "api/sources.json": exports.sources_export,
    "api/timelinejs.json": exports.timelinejs_export,
    "sitemap.xml": feeds.sitemap,
    "robots.txt": feeds.robots,
}


@dataclass(frozen=True, slots=True)
class StaticFile:
    """A file copied as it is: from the theme's static/ (to assets/) or content/static/."""

    path: Path

    def read(self) -> bytes:
        return self.path.read_bytes()


@dataclass(frozen=True, slots=True)
class ImageCopy(StaticFile):
    """A copy of an image, read from the build cache (or made) only when it is written:
    ``check`` makes outputs without writing them, and must not resize anything."""

    facts: ImageFacts
    width: int
    cache: CopyCache | None

    def read(self) -> bytes:
        return copy_bytes(self.path, self.facts, self.width, self.cache)


def site_rel(key: Key) -> str:
    """The site path of an HTML page's output key (``actors/x/``); "" for home."""
    kind = key[0]
    if kind == "page":
        return SINGLE_PAGES[key[1]][0]
    return _SITE_PATHS[kind](key[1])


_SITE_PATHS: dict[str, Callable[[str], str]] = {
    "briefing_page": Urls.briefing, "actor_page": Urls.actor, "source_page": Urls.source,
    "year_page": lambda y: Urls.year(int(y)), "tag_page": Urls.tag, "free_page": Urls.page,
}


def output_path(key: Key) -> str:
    """The file an output key is written to, relative to the output folder."""
    kind = key[0]
    if kind in ("page", "briefing_page", "actor_page", "source_page", "year_page", "tag_page",
                "free_page"):
        return output_file(site_rel(key))
    if kind == "feed":
        return "feed.xml"
    if kind == "actor_feed":
        return f"actors/{key[1]}/feed.xml"
    if kind == "tag_feed":
        return f"tags/{key[1]}/feed.xml"
    if kind == "briefing_feed":
        return f"briefings/{key[1]}/feed.xml"
    if kind == "export":
        return key[1]
    if kind == "asset_file":
        return f"assets/{key[1]}"
    if kind == "static_file":
        return key[1]
    if kind == "image_copy":
        return media.copy_rel(key[1], key[2])
    if kind == "search_file":
        return f"search/{key[1]}"
    raise KeyError(key)


def _ids(r: Reader, name: str) -> list[str]:
    return [item[1][0] for item in r.index(name)]


def plan_pages(r: Reader) -> tuple[Key, ...]:
    """Every page, feed and export, in the order of the sitemap."""
    keys: list[Key] = [("page", "home"), ("page", "briefings")]
    keys += [("briefing_page", b) for b in _ids(r, "briefings")]
    actors = sorted(r.index("actors"), key=lambda item: item[0][1])  # file order
    keys += [("page", "actors")] + [("actor_page", item[1][0]) for item in actors]
    keys += [("page", "sources")] + [("source_page", s) for s in _ids(r, "sources")]
    keys += [("page", "timeline")] + [("year_page", str(y)) for y in r.get(("years",))]
    tags = [t.slug for t in r.get(("tag_list",))]
    keys += [("page", "tags")] + [("tag_page", slug) for slug in tags]
    keys += [("free_page", p) for p in _ids(r, "pages")]
    keys += [("page", "search"), ("page", "404"), ("feed",)]
    keys += [("actor_feed", item[1][0]) for item in actors]
    keys += [("tag_feed", slug) for slug in tags]
    keys += [("briefing_feed", b) for b in _ids(r, "briefings")]
    keys += [("export", name) for name in EXPORTS]
    keys += search_files.planned(r)
    return tuple(keys)


def plan_assets(r: Reader) -> tuple[Key, ...]:
    return tuple(("asset_file", rel) for rel in r.get(("listing", "assets")))


def plan_static(r: Reader) -> tuple[Key, ...]:  # the node ("plan_static",)
    """Files of content/static/, unless one would take the place of a generated file."""
    copies = media.planned_copies(r)
    generated = {output_path(k) for k in (*r.get(("plan", "pages")), *r.get(("plan", "assets")))}
    generated |= {output_path(k) for k in copies if k[2]}
    generated.add(MANIFEST)
    folders = {parent.as_posix() for f in generated for parent in PurePosixPath(f).parents}
    published = {k[1] for k in copies}  # images published as their copies, not as they are
    # The same, told apart only by case: one file on a host or a computer that does not tell
    # case apart (macOS, Windows, some copy tools), where one would replace the other.
    folded = {name.casefold(): name for name in (*generated, *folders)}
    found: list[Key] = []
    for rel, path in r.get(("listing", "static")):
        if rel in published:
            continue
        parents = {p.as_posix() for p in PurePosixPath(rel).parents}
        if rel in generated or rel in folders or parents & generated:
            r.diagnostic(Diagnostic(path, FILE_START, Severity.ERROR,
                                    f"static file '{rel}' collides with a generated file of the "
                                    "same path; rename or move it"))
            continue
        alike = next((folded[name.casefold()] for name in (rel, *sorted(parents))
                      if folded.get(name.casefold(), name) != name), None)
        if alike is not None:
            r.diagnostic(Diagnostic(path, FILE_START, Severity.ERROR,
                                    f"static file '{rel}' differs only in case from '{alike}' "
                                    "of the site: where case is not told apart (macOS, Windows, "
                                    "some hosts) one replaces the other; rename or move it"))
            continue
        folded.setdefault(rel.casefold(), rel)
        found.append(("static_file", rel))
    return (*found, *copies)


PLANS: dict[str, Callable[[Reader], tuple[Key, ...]]] = {
    "pages": plan_pages, "assets": plan_assets,
}


def plan(r: Reader, family: str) -> tuple[Key, ...]:
    return PLANS[family](r)


def html_keys(r: Reader) -> list[Key]:
    """The keys of every HTML page but the 404 page, in plan order."""
    keys: tuple[Key, ...] = r.get(("plan", "pages"))
    return [k for k in keys if k[0].endswith("page") and k != ("page", "404")]


# ------------------------------------------------------------------------ making outputs


def make(r: Reader, kind: str, *args: str) -> Any:
    """The content of one output: bytes, or a ``StaticFile`` to copy."""
    if kind == "page":
        return SINGLE_PAGES[args[0]][1](r)
    if kind == "export":
        return EXPORTS[args[0]](r)
    if kind == "asset_file":
        return StaticFile(r.get(("asset", *args)))
    if kind == "static_file":
        return StaticFile(r.get(("static", *args)))
    if kind == "image_copy":
        copy = media.copy_plan(r, *args)
        if copy.width is None:
            return StaticFile(copy.source)
        return ImageCopy(copy.source, copy.facts, copy.width, copy.cache)
    if kind == "search_file":
        return search_files.make(r, args[0])
    return _MAKERS[kind](r, *args)


_MAKERS: dict[str, Callable[..., bytes | Joined]] = {
    "briefing_page": pages.briefing_page,
    "actor_page": pages.actor_page,
    "source_page": pages.source_page,
    "year_page": pages.year_page,
    "tag_page": pages.tag_page,
    "free_page": pages.free_page,
    "feed": feeds.site_feed,
    "actor_feed": feeds.actor_feed,
    "tag_feed": feeds.tag_feed,
    "briefing_feed": feeds.briefing_feed,
}
