"""One function that builds: load, index, render, invert, plan, render pages, write."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path, PurePosixPath

from briefgen import __version__
from briefgen.api import ApiExport, search_index
from briefgen.cache import Store, cache_folder, code_fingerprint
from briefgen.config import SiteConfig, load_config
from briefgen.errors import (
    FILE_START,
    Diagnostic,
    Diagnostics,
    Progress,
    Severity,
    has_errors,
    no_progress,
)
from briefgen.feeds import feeds_for, robots, sitemap
from briefgen.graph import Graph, build_graph
from briefgen.index import RESERVED_PAGE_IDS, SiteIndex, TargetKind, build_index
from briefgen.load import load_content
from briefgen.markup import MARKDOWN_CONFIG_VERSION
from briefgen.model import Collection, Content
from briefgen.output import MANIFEST, OutputRefused, WriteStats, check_output, publish
from briefgen.pages import Planner
from briefgen.render import RefResolver
from briefgen.rendered import DocumentRendering, RenderedBriefing, RenderedDoc
from briefgen.templates import (
    ThemeError,
    file_digest,
    make_environment,
    render_template,
    theme_folder,
)
from briefgen.urls import Urls


@dataclass(frozen=True, slots=True)
class BuildOptions:
    out: Path | None = None
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    write: bool = True  # False for `check`
    now: datetime | None = None
    progress: Progress = no_progress
    jobs: int = field(default_factory=lambda: len(os.sched_getaffinity(0)))
    use_cache: bool = True


@dataclass(slots=True)
class BuildResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    stats: WriteStats | None = None
    out: Path | None = None
    seconds: float = 0.0
    config: SiteConfig | None = None
    notes: list[str] = field(default_factory=list)  # about the build itself, not the content

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def _visible(content: Content, config: SiteConfig, options: BuildOptions,
             diagnostics: list[Diagnostic]) -> tuple[set[str], set[str]]:
    now = options.now or datetime.now(config.zone)
    briefings: set[str] = set()
    for b in content.briefings:
        if b.draft and not options.drafts:
            continue
        if b.date.sort_instant(config.zone) > now and not options.future:
            d = Diagnostics(b.path)
            d.warning(FILE_START, f"briefing '{b.id}' is dated {b.date.human()}, in the future: "
                                  "it is left out until then (build with --future to include it)")
            diagnostics.extend(d.items)
            continue
        briefings.add(b.id)
    pages = set()
    for p in content.pages:
        if p.id in RESERVED_PAGE_IDS:
            d = Diagnostics(p.path)
            d.error(FILE_START, f"page id '{p.id}' collides with the generated /{p.id}/; "
                                "rename the file")
            diagnostics.extend(d.items)
        elif not p.draft or options.drafts:
            pages.add(p.id)
    return briefings, pages


@dataclass(slots=True)
class _Rendered:
    briefings: list[RenderedBriefing]
    docs: dict[str, RenderedDoc]


def _render_all(content: Content, index: SiteIndex, config: SiteConfig, urls: Urls,
                visible_pages: set[str], diagnostics: list[Diagnostic]) -> _Rendered:
    rendering = DocumentRendering(RefResolver(index, urls, config.citation_style))
    briefings = []
    for b in content.briefings:
        visible = index.is_visible(Collection.BRIEFINGS, b.id)
        rb, diags = rendering.briefing(b, visible)
        diagnostics.extend(diags)
        if visible:
            briefings.append(rb)
    docs: dict[str, RenderedDoc] = {}
    for kind, items in (("actors", content.actors), ("sources", content.sources),
                        ("pages", content.pages)):
        for item in items:
            visible = kind != "pages" or item.id in visible_pages
            doc, diags = rendering.simple(item, visible)
            diagnostics.extend(diags)
            if visible:
                docs[f"{kind}/{item.id}"] = doc
    return _Rendered(briefings, docs)


def _outputs(config: SiteConfig, urls: Urls, index: SiteIndex, graph: Graph,
             rendered: _Rendered, content: Content, visible_pages: set[str],
             theme: Path, diagnostics: list[Diagnostic],
             progress: Progress) -> dict[str, bytes | Path]:
    assets = {p.relative_to(theme / "static").as_posix(): p
              for p in sorted((theme / "static").rglob("*")) if p.is_file()} \
        if (theme / "static").is_dir() else {}
    env = make_environment(config.root, theme, urls, {k: file_digest(p) for k, p in assets.items()})
    pages = tuple(p for p in content.pages if p.id in visible_pages)
    planner = Planner(config, urls, index, graph, rendered.docs, pages)
    files: dict[str, bytes | Path] = {}
    planned = planner.plan()
    for number, page in enumerate(planned, start=1):
        files[page.path] = render_template(env, page.template, page.variables).encode("utf-8")
        if number % 100 == 0 or number == len(planned):
            progress("Rendering pages", number, len(planned))
    files.update(feeds_for(config, urls, graph, {a.id: a.name.value for a in content.actors}))
    files.update(ApiExport(index, graph, urls, config.title, config.description).files())
    page_texts = [(p.title, Urls.page(p.id), rendered.docs[f"pages/{p.id}"].summary_text)
                  for p in pages]
    files["search/index.json"] = search_index(graph, index, urls, page_texts)
    lastmod = {Urls.briefing(rb.briefing.id): (rb.briefing.updated or rb.briefing.date)
               .start.date_iso() for rb in graph.briefings}
    site_paths = [p.path.removesuffix("index.html") for p in planned if p.path != "404.html"]
    files["sitemap.xml"] = sitemap(urls, [(rel, lastmod.get(rel)) for rel in site_paths])
    files["robots.txt"] = robots(urls)
    for rel, path in assets.items():
        files[f"assets/{rel}"] = path
    generated = set(files) | {MANIFEST}
    folders = {parent.as_posix() for f in generated for parent in PurePosixPath(f).parents}
    for static in content.static:
        parents = {p.as_posix() for p in PurePosixPath(static.rel).parents}
        if static.rel in generated or static.rel in folders or parents & generated:
            d = Diagnostics(static.path)
            d.error(FILE_START, f"static file '{static.rel}' collides with a generated file of "
                                "the same path; rename or move it")
            diagnostics.extend(d.items)
            continue
        files[static.rel] = config.root / static.path
    return files


def build(site_root: Path, options: BuildOptions) -> BuildResult:
    """Build (or, with ``write=False``, check) the site in ``site_root``."""
    started = time.perf_counter()
    result = BuildResult()
    config, config_diags = load_config(site_root)
    result.diagnostics.extend(config_diags.items)
    if config is None or not result.ok:
        return result
    if options.base_url:
        config = replace(config, base_url=options.base_url.rstrip("/") + "/")
    result.config = config
    urls = Urls(config.base_url)
    try:
        theme = theme_folder(config.root, config.theme)
    except ThemeError as exc:
        result.diagnostics.append(Diagnostic("site.yaml", FILE_START, Severity.ERROR, str(exc)))
        return result
    cache = Store.open(cache_folder(config.root) if options.use_cache else None,
                       "documents.pickle", f"{code_fingerprint()}:{MARKDOWN_CONFIG_VERSION}:"
                                           f"{config.unsafe_html}:{config.timezone_name}")
    content, diags = load_content(config, options.progress, cache, options.jobs)
    if options.write:  # `check` writes nothing, not even its cache
        cache.save()
    result.notes.extend(cache.notes)
    result.diagnostics.extend(diags)
    visible_briefings, visible_pages = _visible(content, config, options, result.diagnostics)
    index, diags = build_index(content, visible_briefings, visible_pages)
    result.diagnostics.extend(diags)
    rendered = _render_all(content, index, config, urls, visible_pages, result.diagnostics)
    graph, warnings = build_graph(
        index, rendered.briefings,
        {(TargetKind.PAGE, k): v for k, v in rendered.docs.items()}, config.zone)
    result.diagnostics.extend(warnings)
    result.counts = {"briefings": len(graph.briefings), "entries": len(graph.timeline),
                     "actors": len(index.actors), "sources": len(index.sources),
                     "pages": len(visible_pages), "static files": len(content.static)}
    if not result.ok:
        result.seconds = time.perf_counter() - started
        return result
    out = (options.out or config.output_path).resolve()
    try:
        if options.write:  # refuse a dangerous folder before spending time on pages
            result.out = out
            check_output(out, config.root, [config.content_path, config.root / "templates",
                                            config.root / "themes"])
        # `check` renders every page too, so template errors surface without writing.
        files = _outputs(config, urls, index, graph, rendered, content, visible_pages, theme,
                         result.diagnostics, options.progress)
        result.counts["files"] = len(files)
        if result.ok and options.write:
            result.stats = publish(out, files, __version__)
    except (OutputRefused, ThemeError) as exc:
        result.diagnostics.append(Diagnostic("", FILE_START, Severity.ERROR, str(exc)))
    result.seconds = time.perf_counter() - started
    return result


