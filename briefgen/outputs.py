"""Phase D (plan): every file of the site, what it is made from, and how to make it.

Each ``Output`` names its inputs; their digest (with the template's, for pages) is recorded
after a build, so that the next build makes again only the outputs whose inputs changed
and reuses the rest from the output folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import Environment

from briefgen.api import ApiExport, search_index
from briefgen.cache import Store
from briefgen.config import SiteConfig
from briefgen.errors import FILE_START, Diagnostic, Diagnostics
from briefgen.feeds import briefing_feed, entry_feed, robots, sitemap
from briefgen.graph import Graph
from briefgen.index import SiteIndex
from briefgen.model import Content, Page
from briefgen.output import MANIFEST
from briefgen.pages import Planner
from briefgen.rendered import RenderedDoc
from briefgen.templates import render_template
from briefgen.urls import Urls


@dataclass(frozen=True, slots=True)
class Output:
    path: str  # relative to the output folder
    inputs: Any  # everything it is made from (see fingerprint.digest)
    produce: Callable[[], bytes | Path]
    template: str | None = None  # an HTML page's template
    # Made in the main process, never a worker: it fills caches that later builds reuse.
    in_parent: bool = False


@dataclass(frozen=True, slots=True)
class SiteModel:
    """What phase D reads: the configuration and the complete, cross-linked model."""

    config: SiteConfig
    urls: Urls
    index: SiteIndex
    graph: Graph
    docs: dict[str, RenderedDoc]  # "actors/<id>", "sources/<id>", "pages/<id>" → rendered
    content: Content
    pages: tuple[Page, ...]  # visible free pages


def site_outputs(model: SiteModel, env: Environment, assets: dict[str, Path],
                 diagnostics: list[Diagnostic], memo: Store | None = None) -> list[Output]:
    planner = Planner(model.config, model.urls, model.index, model.graph, model.docs, model.pages)
    outputs: list[Output] = []
    planned = planner.plan()
    for page in planned:
        outputs.append(Output(page.path, page.variables, _renderer(env, page.template,
                                                                   page.variables),
                              page.template))
    outputs += _feeds(model)
    outputs += _exports(model, [p.path for p in planned if p.path != "404.html"], memo)
    for rel, path in assets.items():
        outputs.append(Output(f"assets/{rel}", _file_inputs(path), _copy(path)))
    outputs += _static(model, outputs, diagnostics)
    return outputs


def _renderer(env: Environment, template: str, variables: dict[str, Any]
              ) -> Callable[[], bytes]:
    return lambda: render_template(env, template, variables).encode("utf-8")


def _copy(path: Path) -> Callable[[], Path]:
    return lambda: path


def _file_inputs(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_size, stat.st_mtime_ns


def _feeds(model: SiteModel) -> list[Output]:
    config, urls, graph = model.config, model.urls, model.graph
    outputs = [Output("feed.xml", ("site", config.title, tuple(graph.briefings)),
                      lambda: briefing_feed(config, urls, "feed.xml", "", config.title,
                                            graph.briefings))]
    for actor in model.content.actors:
        rel, title = f"actors/{actor.id}/feed.xml", f"{actor.name.value} — {config.title}"
        entries = tuple(graph.entries_by_actor.get(actor.id, ()))
        outputs.append(Output(rel, ("actor", title, entries), _entry_feed(
            model, rel, Urls.actor(actor.id), title, entries)))
    for tag in graph.tags:
        rel, title = f"tags/{tag.slug}/feed.xml", f"{tag.name} — {config.title}"
        outputs.append(Output(rel, ("tag", title, tag.briefings), _briefing_feed(
            model, rel, Urls.tag(tag.slug), title, tag.briefings)))
    return outputs


def _entry_feed(model: SiteModel, rel: str, page: str, title: str,
                entries: tuple[Any, ...]) -> Callable[[], bytes]:
    return lambda: entry_feed(model.config, model.urls, rel, page, title, entries)


def _briefing_feed(model: SiteModel, rel: str, page: str, title: str,
                   briefings: tuple[Any, ...]) -> Callable[[], bytes]:
    return lambda: briefing_feed(model.config, model.urls, rel, page, title, briefings)


def _exports(model: SiteModel, page_paths: list[str], memo: Store | None) -> list[Output]:
    index, graph, urls = model.index, model.graph, model.urls
    api = ApiExport(index, graph, urls, model.config.title, model.config.description, memo)
    briefings, timeline = tuple(graph.briefings), tuple(graph.timeline)
    actors, sources = tuple(index.actors.values()), tuple(index.sources.values())
    page_texts = tuple((p.title, Urls.page(p.id), model.docs[f"pages/{p.id}"].summary_text)
                       for p in model.pages)
    lastmod = {Urls.briefing(rb.briefing.id): (rb.briefing.updated or rb.briefing.date)
               .start.date_iso() for rb in graph.briefings}
    site_paths = tuple((rel, lastmod.get(rel)) for rel in
                       (p.removesuffix("index.html") for p in page_paths))
    return [
        # Names and titles of what they link and cite are part of the JSON (also where a
        # link has its own label, so the briefing's own fingerprint does not show them).
        Output("api/briefings.json", (briefings, graph.tag_slugs, actors, sources),
               api.briefings_json, in_parent=True),
        Output("api/entries.json", (timeline, actors, sources), api.entries_json,
               in_parent=True),
        Output("api/actors.json", (actors, timeline), api.actors_json),
        Output("api/sources.json", (sources, timeline, graph.publisher_actor), api.sources_json),
        Output("api/timelinejs.json", timeline, api.timelinejs_json, in_parent=True),
        Output("search/index.json", (briefings, actors, sources, page_texts),
               lambda: search_index(graph, index, urls, list(page_texts), memo), in_parent=True),
        Output("sitemap.xml", site_paths, lambda: sitemap(urls, list(site_paths))),
        Output("robots.txt", urls.base_url, lambda: robots(urls)),
    ]


def _static(model: SiteModel, outputs: list[Output],
            diagnostics: list[Diagnostic]) -> list[Output]:
    """Files of content/static/, unless one would take the place of a generated file."""
    generated = {o.path for o in outputs} | {MANIFEST}
    folders = {parent.as_posix() for f in generated for parent in PurePosixPath(f).parents}
    found = []
    for static in model.content.static:
        parents = {p.as_posix() for p in PurePosixPath(static.rel).parents}
        if static.rel in generated or static.rel in folders or parents & generated:
            d = Diagnostics(static.path)
            d.error(FILE_START, f"static file '{static.rel}' collides with a generated file of "
                                "the same path; rename or move it")
            diagnostics.extend(d.items)
            continue
        path = model.config.root / static.path
        found.append(Output(static.rel, _file_inputs(path), _copy(path)))
    return found
