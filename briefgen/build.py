"""One function that builds: load, index, render, invert, plan, render pages, write."""

from __future__ import annotations

import functools
import gc
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from briefgen import __version__
from briefgen.buildlock import output_lock
from briefgen.cache import (
    Session,
    Store,
    cache_folder,
    code_fingerprint,
    locks_folder,
    prune_stale,
    save_all,
)
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
from briefgen.fingerprint import digest
from briefgen.graph import build_graph
from briefgen.index import RESERVED_PAGE_IDS, SiteIndex, TargetKind, build_index
from briefgen.load import Scan, file_state, load_content, scan
from briefgen.markup import MARKDOWN_CONFIG_VERSION
from briefgen.model import Collection, Content
from briefgen.output import (
    OutputRefused,
    OutputUpdate,
    OutputWriteError,
    WriteStats,
    Written,
    check_output,
    read_manifest,
)
from briefgen.outputs import Output, SiteModel, site_outputs
from briefgen.parallel import run_all
from briefgen.render import RefResolver
from briefgen.rendered import DocumentRendering, RenderedBriefing, RenderedDoc, RenderedEntry
from briefgen.templates import (
    RenderedOnce,
    TemplateFingerprints,
    ThemeError,
    entry_items,
    file_digest,
    load_templates,
    make_environment,
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
    session: Session | None = None  # caches kept in memory between builds (the preview)
    versioned_assets: bool = True  # asset URLs end in ?v=<digest> (not in the preview)
    in_place: bool = False  # update a private folder in place (the preview), not swap it
    swap_lock: AbstractContextManager[object] | None = None  # held while the output is swapped
    waiting: Callable[[str], None] = lambda message: None  # told when another build holds the output


@dataclass(slots=True)
class BuildResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    stats: WriteStats | None = None
    out: Path | None = None
    seconds: float = 0.0
    config: SiteConfig | None = None
    notes: list[str] = field(default_factory=list)  # about the build itself, not the content
    rendered: list[str] = field(default_factory=list)  # outputs made afresh (not reused)
    # When a scheduled briefing's date comes, the same inputs make a different site.
    valid_until: float | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def _visible(content: Content, config: SiteConfig, options: BuildOptions,
             result: BuildResult) -> tuple[set[str], set[str]]:
    diagnostics = result.diagnostics
    now = options.now or datetime.now(config.zone)
    briefings: set[str] = set()
    for b in content.briefings:
        if b.draft and not options.drafts:
            continue
        if b.date.sort_instant(config.zone) > now and not options.future:
            starts = b.date.sort_instant(config.zone).timestamp()
            result.valid_until = min(result.valid_until or starts, starts)
            d = Diagnostics(b.path)
            d.warning(b.date_loc, f"briefing '{b.id}' is dated {b.date.human()}, in the future: "
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
                visible_pages: set[str], diagnostics: list[Diagnostic],
                memo: Store | None) -> _Rendered:
    rendering = DocumentRendering(RefResolver(index, urls, config.citation_style), memo)
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


def _open_store(options: BuildOptions, config: SiteConfig, name: str, context: str,
                needed: bool = True, memo: bool = False) -> Store:
    folder = cache_folder(config.root) if options.use_cache and needed else None
    if options.session is not None:
        return options.session.open(folder, name, context, memo)
    return Store.open(folder, name, context, memo)


def _model(config: SiteConfig, scanned: Scan, options: BuildOptions, result: BuildResult,
           writing: list[Callable[[], None]]) -> SiteModel | None:
    """Phases A to C: load (from the cache where possible), index, render, invert."""
    parse_context = (f"{code_fingerprint()}:{MARKDOWN_CONFIG_VERSION}:{config.unsafe_html}:"
                     f"{config.timezone_name}:{config.language}")
    cache = _open_store(options, config, "documents.pickle", parse_context, memo=True)
    content, diags = load_content(config, scanned, options.progress, cache, options.jobs)
    if options.write and options.use_cache and options.session is None:
        prune_stale(config.root)
    result.notes.extend(cache.notes)
    result.diagnostics.extend(diags)
    visible_briefings, visible_pages = _visible(content, config, options, result)
    index, diags = build_index(content, visible_briefings, visible_pages)
    result.diagnostics.extend(diags)
    urls = Urls(config.base_url)
    # Filled documents are remembered between builds (by the preview also in memory).
    memo = _open_store(options, config, "rendered.pickle",
                       f"{code_fingerprint()}:{config.fingerprint()}", memo=True)
    rendered = _render_all(content, index, config, urls, visible_pages, result.diagnostics, memo)
    result.notes.extend(memo.notes)
    if options.write:  # `check` writes nothing, not even its cache
        writing.append(save_all([cache, memo], background=options.session is None))
    graph, warnings = build_graph(
        index, rendered.briefings,
        {(TargetKind.PAGE, k): v for k, v in rendered.docs.items()}, config.zone)
    result.diagnostics.extend(warnings)
    result.counts = {"briefings": len(graph.briefings), "entries": len(graph.timeline),
                     "actors": len(index.actors), "sources": len(index.sources),
                     "pages": len(visible_pages), "static files": len(content.static)}
    pages = tuple(p for p in content.pages if p.id in visible_pages)
    return SiteModel(config, urls, index, graph, rendered.docs, content, pages)


@dataclass(slots=True)
class _Plan:
    outputs: list[Output]
    stale: list[Output]  # made afresh: their recorded inputs changed
    stores: list[Store]  # caches the rendering fills, saved once the build succeeded
    entry_items: RenderedOnce
    entries: list[RenderedEntry]  # every entry, in timeline order


def _plan(model: SiteModel, theme: Path, out: Path, records: Store, result: BuildResult,
          options: BuildOptions) -> _Plan:
    """Phase D (plan): every output, and which of them must be made afresh."""
    static = theme / "static"
    assets = {p.relative_to(static).as_posix(): p for p in sorted(static.rglob("*"))
              if p.is_file()} if static.is_dir() else {}
    # The preview serves with caching off and swaps changed stylesheets in place, so its
    # asset URLs carry no digest: a CSS edit then changes the CSS file and nothing else.
    versioned_assets = options.versioned_assets
    asset_digests = {k: file_digest(p) for k, p in assets.items()} if versioned_assets else {}
    items = _open_store(options, model.config, "entry-items.pickle",
                        f"{code_fingerprint()}:{model.config.fingerprint()}:{versioned_assets}",
                        memo=True)
    compiled = _open_store(options, model.config, "templates.pickle", code_fingerprint(),
                           memo=True)
    env = make_environment(model.config.root, theme, model.urls, asset_digests, items, compiled)
    template_fingerprint = TemplateFingerprints(env, asset_digests)
    fragments = _open_store(options, model.config, "fragments.pickle",
                            f"{code_fingerprint()}:{model.config.fingerprint()}", memo=True)
    outputs = site_outputs(model, env, assets, result.diagnostics, fragments)
    load_templates(env, (o.template for o in outputs if o.template))
    previous = read_manifest(out) or {}
    stale: list[Output] = []
    for output in outputs:
        key = _output_digest(output, template_fingerprint)
        if records.get(output.path) != key or output.path not in previous \
                or not (out / output.path).is_file():
            stale.append(output)
        records.put(output.path, key)
    return _Plan(outputs, stale, [items, fragments, compiled], entry_items(env),
                 model.graph.timeline)


def _make(plan: _Plan, update: OutputUpdate | None, result: BuildResult,
          options: BuildOptions) -> None:
    """Phase D (make): the stale outputs, in worker processes, each written straight into
    ``update`` (or, for `check` and failed builds, rendered and dropped)."""
    progress = options.progress
    progress("Rendering pages", 0, len(plan.stale))
    if len(plan.stale) >= MANY_PAGES:
        _render_entry_items(plan.entry_items, plan.entries, options.jobs)
    # Outputs that fill the caches are made in this process, while workers make the rest.
    stale = sorted(plan.stale, key=lambda o: not o.in_parent)
    jobs = [functools.partial(_make_one, output, update) for output in stale]
    here = sum(1 for o in stale if o.in_parent)
    workers, minimum = _workers(options.jobs), MANY_PAGES
    if workers and here and len(plan.outputs) >= BIG_SITE and options.session is None \
            and len(jobs) - here < MANY_PAGES:
        # A small change to a big site: the site-wide exports made here take seconds, so one
        # worker makes the other outputs meanwhile.
        workers, minimum = 1, 1
    for written in run_all(jobs[here:], workers, minimum, here=jobs[:here]):
        if written is not None and update is not None:
            update.record(written)
    result.rendered.extend(o.path for o in stale)
    progress("Rendering pages", len(stale), len(stale))
    if update is not None:
        stale_paths = {o.path for o in stale}
        for output in plan.outputs:
            if output.path not in stale_paths:
                update.keep(output.path)


MANY_PAGES = 64  # from here on, every entry's list item is probably needed
BIG_SITE = 1000  # outputs


def _render_entry_items(items: RenderedOnce, entries: Sequence[RenderedEntry], jobs: int) -> None:
    """Render every entry's list item once, across the workers, before the pages that list
    entries: otherwise each worker would render each item again for itself."""
    missing = items.missing(entries)
    chunks = [missing[i:i + ENTRY_CHUNK] for i in range(0, len(missing), ENTRY_CHUNK)]
    rendered = run_all([functools.partial(items.render, chunk) for chunk in chunks],
                       _workers(jobs), minimum=2)
    for chunk, htmls in zip(chunks, rendered, strict=True):
        items.add(chunk, htmls)


ENTRY_CHUNK = 500


def _workers(cores: int) -> int:
    """Worker processes for ``cores`` cores: none for one core (all work stays here)."""
    return cores if cores > 1 else 0


def _make_one(output: Output, update: OutputUpdate | None) -> Written | None:
    data = output.produce()
    return update.put(output.path, data) if update is not None else None


def _output_digest(output: Output, template_fingerprint: TemplateFingerprints) -> str:
    template = template_fingerprint(output.template) if output.template else ""
    return digest(output.path, template, output.inputs)


def build(site_root: Path, options: BuildOptions) -> BuildResult:
    """Build (or, with ``write=False``, check) the site in ``site_root``."""
    with collector_paused():
        return _build(site_root, options)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Keep Python's cycle collector out of a build. A build holds millions of small objects
    for its whole run (the model, the caches) and makes few reference cycles; the collector
    would walk them all again and again, measured at a third of a one-file rebuild. It runs
    as usual again afterwards (the preview process lives on)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build(site_root: Path, options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    result = BuildResult()
    config, config_diags = load_config(site_root)
    result.diagnostics.extend(config_diags.items)
    if config is None or not result.ok:
        return result
    if options.base_url:
        config = replace(config, base_url=options.base_url.rstrip("/") + "/")
    result.config = config
    try:
        theme = theme_folder(config.root, config.theme)
    except ThemeError as exc:
        result.diagnostics.append(Diagnostic("site.yaml", FILE_START, Severity.ERROR, str(exc)))
        return result
    out = (options.out or config.output_path).resolve()
    if options.write and options.session is None:
        # Builds into one output take turns (the preview's private folder is its own).
        def waiting(pid: int | None) -> None:
            options.waiting(f"waiting for another build of {_shown(out, config.root)}"
                            + (f" (pid {pid})" if pid else ""))

        with output_lock(locks_folder(), out, waiting):
            return _build_into(config, theme, out, options, result, started)
    return _build_into(config, theme, out, options, result, started)


def _shown(out: Path, root: Path) -> str:
    """The output folder as an editor knows it: relative to the site when inside it."""
    try:
        return out.relative_to(root.resolve()).as_posix() + "/"
    except ValueError:
        return str(out) + "/"


def _build_into(config: SiteConfig, theme: Path, out: Path, options: BuildOptions,
                result: BuildResult, started: float) -> BuildResult:
    scanned = scan(config)
    last_build = _open_store(options, config, f"build-{digest(str(out))}.pickle",
                             code_fingerprint(), needed=options.write)
    inputs = _site_inputs(config, scanned, theme, options)
    now = (options.now or datetime.now(config.zone)).timestamp()
    if not _replay(last_build, inputs, out, now, result):
        writing: list[Callable[[], None]] = []
        try:
            model = _model(config, scanned, options, result, writing)
            if model is not None and result.ok:
                _write(model, theme, out, options, result, writing)
        finally:
            for wait in writing:
                wait()
        if result.stats is not None:
            _record(last_build, inputs, out, result)
    result.notes.extend(last_build.notes)
    result.seconds = time.perf_counter() - started
    return result


def _site_inputs(config: SiteConfig, scanned: Scan, theme: Path, options: BuildOptions) -> str:
    """Everything a build reads: when it is unchanged, so is the site."""
    folders = [config.root / "templates", theme]
    templates = [(str(p), *file_state(p)) for folder in folders if folder.is_dir()
                 for p in sorted(folder.rglob("*")) if p.is_file()]
    return digest(code_fingerprint(), config.fingerprint(), scanned.fingerprint(), templates,
                  options.drafts, options.future, options.versioned_assets)


def _replay(last_build: Store, inputs: str, out: Path, now: float, result: BuildResult) -> bool:
    """Nothing the build reads has changed since the last build into ``out``, and that
    output is intact: report the same diagnostics and touch nothing."""
    record = last_build.get("last")
    if not record or record["inputs"] != inputs or not result.ok:
        return False
    if record["valid_until"] is not None and now >= record["valid_until"]:
        return False
    manifest = read_manifest(out)
    if manifest is None or digest(sorted(manifest.items())) != record["manifest"] \
            or not all((out / rel).is_file() for rel in manifest):
        return False
    result.diagnostics.extend(record["diagnostics"])
    result.counts = dict(record["counts"])
    result.out = out
    result.stats = WriteStats(0, len(manifest), 0, 0)
    return True


def _record(last_build: Store, inputs: str, out: Path, result: BuildResult) -> None:
    manifest = read_manifest(out) or {}
    last_build.put("last", {"inputs": inputs, "valid_until": result.valid_until,
                            "manifest": digest(sorted(manifest.items())),
                            "diagnostics": list(result.diagnostics),
                            "counts": dict(result.counts)})
    last_build.save()


def _write(model: SiteModel, theme: Path, out: Path, options: BuildOptions,
           result: BuildResult, writing: list[Callable[[], None]]) -> None:
    config = model.config
    records = _open_store(options, config,
                          f"outputs-{digest(str(out), options.versioned_assets)}.pickle",
                          f"{code_fingerprint()}:{config.fingerprint()}")
    result.notes.extend(records.notes)
    update: OutputUpdate | None = None
    try:
        if options.write:  # refuse a dangerous folder before spending time on pages
            result.out = out
            check_output(out, config.root, [config.content_path, config.root / "templates",
                                            config.root / "themes"])
        plan = _plan(model, theme, out, records, result, options)
        result.counts["files"] = len(plan.outputs)
        # `check`, and a build with errors, make every page too (so that template errors
        # surface) but write none.
        if result.ok and options.write:
            update = OutputUpdate(out, [o.path for o in plan.outputs], __version__,
                                  in_place=options.in_place)
            if options.session is None:  # the preview's server threads forbid a fork
                stale = {o.path for o in plan.stale}
                update.prepare([o.path for o in plan.outputs if o.path not in stale])
        _make(plan, update, result, options)
        if update is not None and result.ok:
            result.stats = update.commit(options.swap_lock)
            result.notes.extend(update.notes)
            update = None
            # Only now that the output holds what the records describe.
            writing.append(save_all([*plan.stores, records],
                                    background=options.session is None))
    except (OutputRefused, ThemeError) as exc:
        result.diagnostics.append(Diagnostic("", FILE_START, Severity.ERROR, str(exc)))
    except OutputWriteError as exc:
        result.diagnostics.append(Diagnostic("", FILE_START, Severity.ERROR,
                                             f"{exc.reason} while writing {out / exc.rel}; "
                                             f"{out} is unchanged"))
    except OSError as exc:
        where = exc.filename or out
        result.diagnostics.append(Diagnostic("", FILE_START, Severity.ERROR,
                                             f"{exc.strerror or exc} ({where}); {out} holds "
                                             "the complete old or new site"))
    finally:
        if update is not None:
            update.abort()
