"""One function that builds: the inputs of this run go into the engine, the engine brings
every node up to date and names the outputs to make, they are made (in worker processes
when there are many) and written into a fresh folder that is swapped in (SPEC §10).

The engine's state is kept between runs: in memory by the preview (a ``Session``), and in
the build cache on disk by the command line (``engine.store``).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen import collector
from briefgen.buildlock import output_lock, user_locks_folders
from briefgen.cache import (
    cache_folder,
    cache_root,
    code_fingerprint,
    locks_folder,
    prune_stale,
    untrusted,
)
from briefgen.config import SiteConfig, load_config, site_address
from briefgen.engine.deps import Engine, Key, Record, digest_text
from briefgen.engine.store import (
    EngineStore,
    FileState,
    OutputRow,
    StoreDamaged,
    StoreError,
    output_states_of,
)
from briefgen.errors import (
    FILE_START,
    Diagnostic,
    Loc,
    Progress,
    Severity,
    WorkerDied,
    has_errors,
    no_progress,
)
from briefgen.output import (
    OutputRefused,
    OutputWriteError,
    SwapLock,
    WriteStats,
    cache_inside,
    check_output,
)
from briefgen.site.inputs import Synced, sync_files, sync_inputs, sync_static
from briefgen.site.kinds import FILL, INDEXES, PARSE, SEARCH_BLOCK, SEARCH_UNITS, file_loader, site_kinds
from briefgen.site.scanning import ContentScan, file_states, rescan, scan_content
from briefgen.site.settings import Flags
from briefgen.survey import Survey, SurveyInChild, output_states
from briefgen.web.outputkinds import OUTPUT_KINDS
from briefgen.web.themes import ThemeError, theme_folder

if TYPE_CHECKING:
    from briefgen.site.mentions import Mention
    from briefgen.web.make import Pending
    from briefgen.web.resizing import ImageStats

PLANS: tuple[Key, ...] = (("plan", "pages"), ("plan", "assets"), ("plan_static",))
# Nodes every build needs, besides documents and outputs.
SITE_ROOTS = {*PLANS, ("counts",), ("held_warnings",), ("publish",)}
# The preview makes the pages that tabs show before these nodes: each block's share of the
# search files, the costliest part of an edit, which no page and no plan reads and which
# reports nothing; until they are made, requests for the files they feed wait.
DEFERRED_KINDS = frozenset({"search_block"})
DEFERRED_OUTPUTS = frozenset({"search_file"})


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
    session: Session | None = None  # the engine kept in memory between builds (the preview)
    versioned_assets: bool = True  # asset URLs end in ?v=<digest> (not in the preview)
    in_place: bool = False  # update a private folder in place (the preview), not swap it
    swap_lock: SwapLock | None = None  # held while the output is swapped (made anew each time)
    waiting: Callable[[str], None] = lambda message: None  # told when another build holds the output
    mentions: bool = False  # list the unlinked mentions of actors (`check --mentions`)
    # The preview: the files changed since its last build, as its watcher saw them (site
    # relative; None: not known, so everything is looked at), the output files that tabs show
    # (made and put in place first), told which of those changed once they are, and told
    # which files are being remade (so that requests for them wait).
    changed: frozenset[str] | None = None
    wanted: frozenset[str] = frozenset()
    # Tests: kinds of reads not recorded, to show that the equality tests notice.
    ignored_reads: frozenset[str] = frozenset()
    made_first: Callable[[list[str]], None] | None = None
    first_shown: Callable[[], None] = lambda: None  # every page that tabs show is told
    pending: Pending | None = None
    # The preview: asked between the outputs made after the open pages; True when a newer
    # change waits (the rest is left to the next build, see ``BuildResult.unmade``).
    interrupted: Callable[[], bool] = lambda: False


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
    made: dict[Key, Record] = field(default_factory=dict)  # the outputs made, what they read
    images: ImageStats | None = None  # resizing, reported apart
    mentions: list[Mention] = field(default_factory=list)  # with ``BuildOptions.mentions``
    # Output files left to the next build: a newer change came while they were being made
    # (the preview, ``BuildOptions.interrupted``).
    unmade: list[str] = field(default_factory=list)
    # Output files whose nodes were left for the next build too (see ``web.make.Later``):
    # requests for them wait for it.
    unsettled: list[str] = field(default_factory=list)
    # The output files whose state (inode, times) writing changed; None: not known, any may.
    touched: set[str] | None = None
    # The run's engine, held with the result: the command line exits without freeing its
    # objects one by one (0.6 s at 5,000 briefings), which it would do as the build returns.
    engine: Engine | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


@dataclass(slots=True)
class Session:
    """The engine of one site kept in memory between the builds of one process (the
    preview). A new engine starts whenever the site's settings that every node reads
    change (its root, theme or flags)."""

    engine: Engine | None = None
    context: tuple[object, ...] = ()
    files: dict[str, tuple[FileState | None, str]] = field(default_factory=dict)
    # What the last run found (the files the engine holds), for the next one to start from
    # when only content files changed: no scan of every file, no settings read again; and,
    # when that run succeeded, its plan of outputs, which the next one keeps unless a plan
    # changes.
    scan: ContentScan | None = None
    synced: Synced | None = None
    settled: Settled | None = None
    paths: dict[Key, str] = field(default_factory=dict)
    # The private output folder's files and digests as the last build left them (the
    # preview's folder: nothing else writes there).
    published: dict[str, str] | None = None


def build(site_root: Path, options: BuildOptions) -> BuildResult:
    """Build (or, with ``write=False``, check) the site in ``site_root``."""
    with collector.paused():
        return _build(site_root, options)


def _build(site_root: Path, options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    result = BuildResult()
    config, config_diags = load_config(site_root)
    result.diagnostics.extend(config_diags.items)
    if config is None:
        return result
    if not result.ok:
        # Errors in site.yaml: the content is still checked, so that the run reports every
        # problem, but nothing is written (not the output, not the build cache).
        options = replace(options, write=False)
    if options.base_url:
        config = replace(config, base_url=site_address(options.base_url.rstrip("/") + "/"))
    result.config = config
    try:
        theme = theme_folder(config.root, config.theme)
    except ThemeError as exc:
        result.diagnostics.append(Diagnostic("site.yaml", FILE_START, Severity.ERROR, str(exc)))
        return result
    out = (options.out or config.output_path).resolve()
    if options.write and (problem := cache_inside(out, cache_root())) is not None:
        # Before the cache is opened (it would be made inside the output).
        result.diagnostics.append(Diagnostic("", FILE_START, Severity.ERROR, problem))
        return result
    result.diagnostics.extend(_links_leaving_the_site(config, theme, out))
    if not result.ok:
        options = replace(options, write=False)  # what a link leads to is never published
    if options.write and options.session is None:
        # Builds into one output take turns (the preview's private folder is its own).
        def waiting(pid: int | None) -> None:
            options.waiting(f"waiting for another build of {_shown(out, config.root)}"
                            + (f" (pid {pid})" if pid else ""))

        def waiting_beside() -> None:  # (another user's build, or another output there)
            options.waiting("waiting for another build into "
                            f"{_shown(out.parent, config.root)}")

        with output_lock((*user_locks_folders(result.notes.append), locks_folder()), out,
                         waiting, result.notes.append, waiting_beside):
            _build_into_or_fail(config, theme, out, options, result)
    else:
        _build_into_or_fail(config, theme, out, options, result)
    result.seconds = time.perf_counter() - started
    return result


def _links_leaving_the_site(config: SiteConfig, theme: Path, out: Path) -> list[Diagnostic]:
    """Links in the site's templates and its theme that lead where a build never reads."""
    from briefgen.contenttree import links_leaving
    from briefgen.web.themes import PACKAGED_THEMES

    off_limits = (("the output folder", out), ("the build cache", cache_folder(config.root)))
    inside = (config.root, theme)
    found = links_leaving(config.root / "templates", "templates", inside, off_limits)
    if not theme.resolve().is_relative_to(PACKAGED_THEMES):
        for part in ("templates", "static"):  # what a build reads of a theme
            found += links_leaving(theme / part, f"themes/{config.theme}/{part}", inside,
                                   off_limits)
    return found


def _build_into_or_fail(config: SiteConfig, theme: Path, out: Path, options: BuildOptions,
                        result: BuildResult) -> None:
    """``_build_into``; a worker that died makes it an error of the build, not a traceback."""
    try:
        _build_into(config, theme, out, options, result)
    except WorkerDied as exc:
        result.diagnostics.append(Diagnostic("", FILE_START, Severity.ERROR, str(exc)))


def _shown(out: Path, root: Path) -> str:
    """The output folder as an editor knows it: relative to the site when inside it."""
    try:
        return out.relative_to(root.resolve()).as_posix() + "/"
    except ValueError:
        return str(out) + "/"


def _engine(config: SiteConfig, theme: Path, flags: Flags, options: BuildOptions,
            result: BuildResult, afresh: bool = False) -> tuple[Engine, EngineStore | None]:
    """The engine of this run: the session's (the preview), else one over the build cache
    (the command line; read-only for ``check``)."""
    kinds, session = site_kinds(file_loader(config.root)), options.session
    if session is not None:
        context = (config.root, config.content_dir, theme, flags, config.base_url,
                   options.ignored_reads, options.mentions)
        if session.engine is None or session.context != context:
            session.engine = Engine(kinds, INDEXES, ignored_reads=options.ignored_reads)
            session.context = context
            # The folder's files stay what they are (``published``): only the engine is new.
            session.files, session.paths = {}, {}
            session.scan = session.synced = session.settled = None
        return session.engine, None
    store = _open_store(config, flags, options, result, afresh) if options.use_cache else None
    # A fresh store has nothing to read: the engine does not ask it (a first build would
    # ask for every node it makes).
    return Engine(kinds, INDEXES, backing=store if store and not store.fresh else None,
                  ignored_reads=options.ignored_reads), store


def _open_store(config: SiteConfig, flags: Flags, options: BuildOptions,
                result: BuildResult, afresh: bool = False) -> EngineStore | None:
    folder = cache_folder(config.root)
    variant = digest_text(repr((flags.drafts, flags.future, flags.versioned_assets,
                                config.base_url)))[:16]
    path = folder / f"state-{variant}.sqlite"
    problem = untrusted(path)
    if problem:
        result.notes.append(f"the build cache is not used: {problem}; building without it")
        return None
    try:
        store = EngineStore(path, f"{code_fingerprint()}", readonly=not options.write,
                            on_wait=lambda pid: options.waiting(
                                "waiting for another build of this site"
                                + (f" (pid {pid})" if pid else "")),
                            helper=options.jobs > 1, afresh=afresh)
    except StoreError as exc:
        if options.write:
            result.notes.append(str(exc))
        return None
    result.notes.extend(store.notes)
    if options.write:
        prune_stale(config.root)
    return store


def _build_into(config: SiteConfig, theme: Path, out: Path, options: BuildOptions,
                result: BuildResult, afresh: bool = False) -> None:
    """Build with the engine over the build cache; when the cache's file turns out damaged
    on the way, once more without reading it (``afresh``; ``check``: without it)."""
    flags = Flags(options.drafts, options.future, options.versioned_assets)
    reported = len(result.diagnostics)  # site.yaml's, before this run
    engine, store = _engine(config, theme, flags, options, result, afresh)
    result.engine = engine
    survey = None
    if store is not None and options.write and not store.fresh:
        # The command line, with a build cache: the output folder is looked at on the other
        # core meanwhile (see ``survey``). The child reads the folder's records itself
        # (17,600 rows at 5,000 briefings: ~20 ms that a build with nothing to do would
        # wait for here), unless this process runs other threads: one inside SQLite at the
        # fork would leave the child a lock that nobody releases.
        alone = threading.active_count() == 1
        rows = partial(_rows_read_apart, store.path, store.context, str(out)) if alone \
            else partial(list, store.output_rows(str(out)))
        survey = SurveyInChild(out, partial(_recorded_states, rows))
    damaged: StoreDamaged | None = None
    try:
        _run(engine, store, config, theme, flags, out, options, result, survey)
    except StoreDamaged as exc:
        if afresh:
            raise
        damaged = exc
    finally:
        if survey is not None:
            survey.close()
        if store is not None:
            store.close()
        else:  # nothing to write the changes to (the preview, a build without cache)
            engine.take_changes()
    if damaged is not None:  # nothing of this run is kept: made again from the files
        del result.diagnostics[reported:], result.rendered[:]
        result.notes.append(str(damaged))
        _build_into(config, theme, out, options if options.write else
                    replace(options, use_cache=False), result, afresh=True)


def _run(engine: Engine, store: EngineStore | None, config: SiteConfig, theme: Path,
         flags: Flags, out: Path, options: BuildOptions, result: BuildResult,
         survey: SurveyInChild | None = None) -> None:
    now = (options.now or datetime.now(config.zone)).timestamp()
    session = options.session
    quick = _quick_inputs(engine, session, options.changed, now, config.root)
    if quick is None:
        known = store.file_states() if store is not None else session.files if session else {}
        options.progress("Reading", 0, 1)
        scanned = scan_content(config, known)
        files = file_states(scanned)  # what the next run starts from
        # The content files of the last run (an edit, or none): the engine keeps the
        # inputs of those that did not change as it recorded them (none is read or set).
        changed = {rel for rel, state in files.items() if known[rel] != state} \
            if store is not None and files.keys() == known.keys() else None
        engine.begin_run(now, input_kinds=("file",) if store is not None and changed is None
                         else (), kept_kinds=("file",) if changed is not None else ())
        synced = sync_inputs(engine, config, theme, flags, scanned,
                             cache_folder(config.root) if options.use_cache else None,
                             written=options.write, changed=changed)
    else:
        scanned, synced = quick
        files = file_states(scanned)
    last = session.settled if session is not None else None
    if session is not None:
        # The engine now holds these files, whatever the run's outcome: the next run starts
        # from them. Its outputs are known again only once this run succeeds (below).
        session.files = files
        session.scan, session.synced, session.settled = scanned, synced, None
    result.diagnostics.extend(synced.diagnostics)
    # The records of the output folder are the engine's state only when the last run that
    # wrote one wrote this one (after a build into another, the engine has moved on).
    current_records = store is not None and store.last_output_folder() == str(out)
    if quick is None and store is not None and options.write and not options.mentions \
            and current_records and _nothing_changed(engine, store, files, known, now) \
            and _unchanged_site(engine, store, config, synced, out, result, survey):
        return
    defer = DEFERRED_KINDS if options.made_first is not None and options.wanted else frozenset()
    if quick is not None:
        settled = _settle_quickly(engine, last, now, defer)
    elif store is not None and not options.mentions and known.keys() == files.keys():
        # The output folder's records give the engine's fingerprints of its outputs.
        settled = _settle_stored(engine, now, options.jobs, fork=session is None,
                                 recorded=store.output_states(str(out))
                                 if options.write and current_records else None)
    else:
        settled = None
    outputs = settled or _settle(engine, synced, now, options.jobs, fork=session is None,
                                 mentions=options.mentions)
    if session is not None:
        engine.let_go()  # the file texts, parsed now: the preview holds the engine for hours
    result.diagnostics.extend(engine.all_diagnostics())
    if options.mentions:
        result.mentions = [m for key in sorted(engine.roots()) if key[0] == "mentions"
                           for m in engine.value(key)]
    result.valid_until = engine.valid_until()
    result.counts = _counts(engine, synced)
    result.counts["files"] = len(outputs.all)
    if options.write:
        result.out = out
        try:
            # A folder whose files this process knows, or whose manifest the survey read, is
            # its own (its manifest is not read again).
            surveyed = survey.result() if survey is not None else None
            _check_output(config, out,
                          ours=(session is not None and session.published is not None)
                          or (surveyed is not None and surveyed.manifest is not None))
        except OutputRefused as exc:
            result.diagnostics.append(Diagnostic("", FILE_START, Severity.ERROR, str(exc)))
            return
    if not result.ok:
        return  # content errors: no page is made (its template may rely on what is wrong)
    recorded = store.output_states(str(out)) if store is not None and options.write else {}
    if session is not None and settled is not None and session.paths is not None:
        paths = session.paths  # the outputs of the last build (see _settle_quickly)
    elif outputs.paths is not None:
        paths = outputs.paths
    else:
        from briefgen.web.plan import output_path

        paths = {key: output_path(key) for key in outputs.all}
    current: dict[str, FileState | None] = {}
    if store is not None and options.write:
        current = _folder_now(out, paths.values(), recorded, survey)
        outputs.untrusted = frozenset(k for k, rel in paths.items()
                                      if rel not in recorded or recorded[rel][1] != current[rel])
        outputs.stale |= outputs.untrusted
        outputs.present = frozenset(rel for key, rel in paths.items()
                                    if key not in outputs.untrusted and current[rel] is not None)
    if store is not None and options.write and not outputs.stale and current_records \
            and recorded.keys() == set(paths.values()):
        # The folder holds exactly what the engine says: nothing to make, write or swap.
        result.stats = WriteStats(0, len(paths), 0, 0)
    else:
        if options.write:  # resized images are made apart, and timed apart
            from briefgen.web.resizing import resize_images

            result.images = resize_images(engine, outputs.all, outputs.stale, options.jobs,
                                          session is None, options.progress)
        _make(engine, outputs, paths, out, options, result,
              survey.result() if survey is not None else None)
    if not result.ok or result.stats is None:
        return
    if session is not None:
        engine.let_go()  # list items and export pieces: the next build copies them
        session.paths = paths
        outputs.fingerprints.update((key, record.fp) for key, record in result.made.items())
        session.settled = outputs
    if store is not None:
        if result.touched is not None:  # only those: the others are as the folder had them
            current.update(output_states(out, result.touched & current.keys()))
        elif result.stats.written or result.stats.removed:
            current = output_states(out, paths.values())  # linking changed the files' times
        fingerprints = {**outputs.fingerprints,
                        **{key: record.fp for key, record in result.made.items()}}
        states = {rel: (fingerprints[key], state) for key, rel in paths.items()
                  if key in fingerprints and (state := current.get(rel)) is not None}
        changes = engine.take_changes()
        if not changes.empty() or files != known or states != recorded:
            try:
                store.commit(changes, files, (str(out), states))
            except sqlite3.OperationalError as exc:  # a full disk, say: the site is published
                result.notes.append(f"the build cache could not be written ({exc}); the site "
                                    "is published, and the next build checks it against the "
                                    "cache as it was before")


def _template_problem(exc: ThemeError, root: Path) -> Diagnostic:
    """A template error at its line, the template's path as for content files: relative to
    the site when the template is in it."""
    if exc.path is None:
        return Diagnostic("", FILE_START, Severity.ERROR, exc.message)
    where = os.path.abspath(exc.path)
    inside = os.path.relpath(where, os.path.abspath(root))
    shown = Path(inside).as_posix() if not inside.startswith("..") else where
    return Diagnostic(shown, Loc(exc.line, exc.column or 1), Severity.ERROR, exc.message,
                      max(exc.width, 1))


def _nothing_changed(engine: Engine, store: EngineStore,
                     files: dict[str, tuple[FileState | None, str]],
                     known: dict[str, tuple[FileState | None, str]], now: float) -> bool:
    """The same files as the last run's (so the same roots), none of them, no setting,
    template or asset changed, and the clock changes nothing: the engine's stored state is
    this run's as it is."""
    return engine.quiet() and not store.due(now) and files == known


def _unchanged_site(engine: Engine, store: EngineStore, config: SiteConfig, synced: Synced,
                    out: Path, result: BuildResult, survey: SurveyInChild | None) -> bool:
    """With nothing changed: when the output folder holds exactly the files the last build
    wrote (a ``stat`` each), report the stored state and say so; else False (the build goes
    on, and makes what the folder lacks)."""
    changed = survey.changed() if survey is not None else None
    if changed is not None:
        if changed.states or not changed.recorded:
            return False
        count = changed.recorded
    else:  # the child had no answer: look here
        recorded = store.output_states(str(out))
        current = output_states(out, recorded)
        if not recorded or any(state != current[rel] for rel, (_, state) in recorded.items()):
            return False
        count = len(recorded)
    result.out = out
    result.diagnostics.extend(engine.all_diagnostics())
    result.valid_until = engine.valid_until()
    result.counts = _counts(engine, synced)
    result.counts["files"] = count
    try:  # its own files, as recorded: no need to read its manifest to know it is ours
        _check_output(config, out, ours=True)
    except OutputRefused as exc:
        result.diagnostics.append(Diagnostic("", FILE_START, Severity.ERROR, str(exc)))
        return True
    if result.ok:
        result.stats = WriteStats(0, count, 0, 0)
    return True


def _check_output(config: SiteConfig, out: Path, ours: bool = False) -> None:
    """Refuse an output folder that would touch the site's own folders (``check_output``)."""
    check_output(out, config.root, [config.content_path, config.root / "templates",
                                    config.root / "themes"], ours=ours, cache=cache_root())


def _with_links_to(scan: ContentScan, changed: frozenset[str], root: Path) -> frozenset[str]:
    """The files ``changed``, and the content and static files that are links to one of
    them: the watcher names the file saved, not the links that show it."""
    reals = {os.path.realpath(root / rel) for rel in changed}
    return changed | {f.source.rel for f in scan.files if f.source.real in reals} \
        | {item.path for item in scan.static if item.real in reals}


def _quick_inputs(engine: Engine, session: Session | None, changed: frozenset[str] | None,
                  now: float, root: Path) -> tuple[ContentScan, Synced] | None:
    """The preview after an edit of content or static files it knows (a photo replaced):
    only those are looked at again; the settings, templates and assets are what the last
    build had."""
    if session is None or changed is None or session.scan is None or session.synced is None \
            or session.settled is None:
        return None
    changed = _with_links_to(session.scan, changed, root)
    scanned = rescan(session.scan, set(changed))
    # Where each leads is looked at again: a link may have been pointed at another file.
    static = [replace(item, real=os.path.realpath(root / item.path))
              for item in scanned.static if item.path in changed] if scanned else []
    if scanned is None or not all((root / item.path).is_file() for item in static):
        return None  # a static file gone after all: the listing changes too
    engine.begin_run(now, same_inputs=True)
    sync_files(engine, (f for f in scanned.files if f.source.rel in changed))
    sync_static(engine, root, static)
    return scanned, session.synced


def _settle_quickly(engine: Engine, last: Settled | None, now: float,
                    defer: frozenset[str] = frozenset()) -> Settled | None:
    """Bring the engine up to date when the files are the same ones as in the last build
    (``last``, which succeeded): the roots are those of the last build, and, unless a plan
    changed, so are the outputs. None when a plan changed: then the roots must be found
    again (``_settle``). Nodes of the kinds ``defer`` are left for ``Settled.later``."""
    if last is None:
        return None
    plans = {plan: engine.record(plan) for plan in PLANS}
    stale = set(engine.update(now, defer=defer).outputs)
    if engine.pending(besides=defer) \
            or any(engine.record(plan) != record for plan, record in plans.items()):
        return None
    settled = Settled(last.all, stale & last.paths_of, last.fingerprints, paths_of=last.paths_of)
    if engine.pending():
        def later(cancel: Callable[[], bool] | None) -> set[Key] | None:
            update = engine.update(now, cancel=cancel)
            return None if update.cancelled else set(update.outputs) & last.paths_of

        settled.later = later
    return settled


def _settle_stored(engine: Engine, now: float, jobs: int, fork: bool,
                   recorded: Mapping[str, tuple[str, FileState]] | None = None
                   ) -> Settled | None:
    """The command line, when the content files are the ones of the last run (an edit): the
    stored roots are this run's too, so the engine is brought up to date from them alone,
    with nothing done per document of the site. None when a plan changed (a page appears
    or goes): then the roots must be found again (``_settle``)."""
    plans = {plan: engine.record(plan) for plan in PLANS}
    if any(record is None for record in plans.values()):
        return None
    stale = _update_in_stages(engine, now, jobs, fork)
    if engine.pending() or any(engine.record(plan) != record for plan, record in plans.items()):
        return None
    planned = [key for plan in PLANS for key in engine.value(plan)]
    return _settled(engine, planned, stale, recorded)


def _update_in_stages(engine: Engine, now: float, jobs: int, fork: bool) -> set[Key]:
    """Bring the engine up to date, the parses, the fills and the search index's parts in
    worker processes when many are due (``compute_in_workers`` decides); the outputs due."""
    from briefgen.web.make import MANY_BLOCKS, compute_in_workers, parses_to_join

    stale: set[Key] = set()
    if fork:
        stale |= set(engine.update(now, below=PARSE).outputs)
        compute_in_workers(engine, engine.queued("parse"), jobs)  # many files changed
        stale |= set(engine.update(now, below=FILL).outputs)
        fills = engine.queued("fill")
        compute_in_workers(engine, parses_to_join(engine, fills, jobs), jobs)
        compute_in_workers(engine, fills, jobs)
        stale |= set(engine.update(now, below=SEARCH_UNITS).outputs)
        compute_in_workers(engine, engine.queued("search_unit"), jobs)
        stale |= set(engine.update(now, below=SEARCH_BLOCK).outputs)
        compute_in_workers(engine, engine.queued("search_block"), jobs, many=MANY_BLOCKS)
    stale |= set(engine.update(now).outputs)
    return stale


def _settled(engine: Engine, planned: list[Key], stale: set[Key],
             recorded: Mapping[str, tuple[str, FileState]] | None = None) -> Settled:
    """The outputs of the plan ``planned``: those due, and those the engine never made.
    ``recorded``: the output folder's files as the last run, which built into it, recorded
    them with their outputs' fingerprints (the engine's are not read then)."""
    paths: dict[Key, str] | None = None
    if recorded is None:
        known = engine.fingerprints(OUTPUT_KINDS)
    else:
        from briefgen.web.plan import output_path

        paths = {key: output_path(key) for key in planned}
        known = {key: row[0] for key, rel in paths.items() if (row := recorded.get(rel))}
    stale |= {key for key in planned if key not in known}
    planned_set = frozenset(planned)
    return Settled(planned, stale & planned_set, known, paths_of=planned_set, paths=paths)


def _folder_now(out: Path, rels: Iterable[str], recorded: Mapping[str, tuple[str, FileState]],
                survey: SurveyInChild | None) -> dict[str, FileState | None]:
    """The state of each output file in the folder (a ``stat`` each, or the survey's): a file
    that is not what the last build left (deleted, restored from a backup, edited by hand)
    is made again."""
    changed = survey.changed() if survey is not None else None
    if changed is None or changed.recorded != len(recorded):  # it compared other records
        return output_states(out, rels)
    seen: dict[str, FileState | None] = {rel: state for rel, (_, state) in recorded.items()}
    seen.update(changed.states)
    return output_states(out, rels, seen)


def _recorded_states(rows: Callable[[], list[OutputRow]]) -> dict[str, FileState]:
    """(In the survey's child) the recorded states of the output folder's files."""
    return {rel: state for rel, (_, state) in output_states_of(rows()).items()}


def _rows_read_apart(path: Path, context: str, folder: str) -> list[OutputRow]:
    """The build cache's rows of the output folder ``folder``, read in the survey's child
    over a connection of its own: forked while this process holds no transaction (and runs
    no other thread), so the child inherits no lock half-held. A cache it cannot read is an
    error there (``StoreError``): the child then answers nothing, and the build looks at the
    folder itself."""
    store = EngineStore(path, context, readonly=True)
    try:
        return store.output_rows(folder)
    finally:
        store.close()


@dataclass(slots=True)
class Settled:
    all: list[Key]  # every output, in plan order
    stale: set[Key]  # outputs whose inputs changed (or that are new)
    fingerprints: dict[Key, str]  # of the outputs the engine knows
    paths_of: frozenset[Key] = frozenset()  # ``all`` as a set
    paths: dict[Key, str] | None = None  # each output's file, when known already
    # Outputs whose file is not the one the last build left: made again, and never copied from.
    untrusted: frozenset[Key] = frozenset()
    # Files of the output found as the last build left them (the others are untrusted).
    present: frozenset[str] = frozenset()
    # Nodes left for after the pages that tabs show: makes them, returns the outputs due
    # then (None: its ``cancel`` said a newer change waits; they are left to the next build).
    later: Callable[[Callable[[], bool] | None], set[Key] | None] | None = None


def _settle(engine: Engine, synced: Synced, now: float, jobs: int, fork: bool,
            mentions: bool = False) -> Settled:
    """Bring the engine up to date, the plan of outputs included.

    Roots are added in stages so that each level is complete before the next reads the
    indexes it emits into: first every file's parse (which names its document), then each
    document's nodes, then the outputs the plans name. The outputs of the last run stay
    roots until the new plan is known, so that nothing they share is dropped in between."""
    from briefgen.web.make import compute_in_workers

    parses = {("parse", rel) for rel in synced.content}
    if fork:  # the files never parsed (all of them, the first time) in worker processes
        known = engine.fingerprints(["parse"])
        compute_in_workers(engine, [k for k in sorted(parses) if k not in known], jobs)
    kept = {key for key in engine.roots() if engine.kinds[key[0]].output}
    engine.set_roots(parses | SITE_ROOTS | kept | _document_roots(engine, synced, now=False))
    stale = set(engine.update(now).outputs)
    documents = _document_roots(engine, synced, now=True, mentions=mentions)
    engine.set_roots(parses | SITE_ROOTS | kept | documents)
    # documents filled (rendered, links resolved) in worker processes when many
    stale |= _update_in_stages(engine, now, jobs, fork)
    while True:
        planned: list[Key] = [key for plan in PLANS for key in engine.value(plan)]
        _, removed = engine.set_roots(parses | SITE_ROOTS | documents | set(planned))
        stale |= set(engine.update(now).outputs)
        if not removed and not engine.pending():
            break
    return _settled(engine, planned, stale)


def _document_roots(engine: Engine, synced: Synced, now: bool,
                    mentions: bool = False) -> set[Key]:
    """The nodes of each file's document, from its parse (``now``), or as the last run
    had them (before the parses of this run are known)."""
    if not now:
        return {key for key in engine.roots() if key[0] in DOCUMENT_NODES}
    from briefgen.filenames import document_id
    from briefgen.site.documents import collection_of

    roots: set[Key] = set()
    for rel in synced.content:
        collection, doc_id = collection_of(rel).value, document_id(rel)
        roots.update((("check", rel), ("site_links", rel)))
        roots.update((kind, collection, doc_id) for kind in DOCUMENT_KINDS)
        if mentions and collection == "briefings":
            roots.add(("mentions", doc_id))
    return roots


# Each document's nodes; a search block node emits the index's lines if its unit starts one.
DOCUMENT_KINDS = ("doc", "ident", "fill", "search_unit", "search_block")
DOCUMENT_NODES = (*DOCUMENT_KINDS, "check", "site_links", "mentions")


def _counts(engine: Engine, synced: Synced) -> dict[str, int]:
    counts: dict[str, int] = dict(engine.value(("counts",)))
    counts["static files"] = len(engine.value(("listing", "static")))
    return counts


def _make(engine: Engine, outputs: Settled, paths: dict[Key, str], out: Path,
          options: BuildOptions, result: BuildResult, surveyed: Survey | None = None) -> None:
    """Make the stale outputs (all of them for ``check``, so that template errors surface)
    and, for a build without errors, write them."""
    try:
        _make_and_write(engine, outputs, paths, out, options, result, surveyed)
    finally:
        if options.pending is not None:
            options.pending.clear()  # every file is in place (or stays old): none to wait for
            # but those an interrupted build left to the next one, which starts at once
            options.pending.add([*result.unmade, *result.unsettled])


def _make_and_write(engine: Engine, outputs: Settled, paths: dict[Key, str], out: Path,
                    options: BuildOptions, result: BuildResult,
                    surveyed: Survey | None) -> None:
    from briefgen.web.make import FirstPages, Later, MadeOutputs, make_outputs

    writing = options.write and result.ok
    try:
        first = FirstPages(options.wanted, options.made_first, options.pending,
                           options.swap_lock, options.interrupted, options.first_shown) \
            if options.made_first is not None else None
        made: MadeOutputs = make_outputs(
            engine, outputs.all, outputs.stale, outputs.fingerprints, out if writing else None,
            options.jobs, options.progress, in_place=options.in_place,
            fork=options.session is None, untrusted=outputs.untrusted, paths=paths, first=first,
            present=outputs.present, surveyed=surveyed,
            own=options.session.published if options.session is not None else None,
            later=Later(outputs.later, frozenset(rel for key, rel in paths.items()
                                                 if key[0] in DEFERRED_OUTPUTS))
            if outputs.later is not None else None)
    except ThemeError as exc:  # a page's template (PageError), or the theme's
        root = result.config.root if result.config is not None else Path.cwd()
        result.diagnostics.append(_template_problem(exc, root))
        return
    except OutputRefused as exc:
        result.diagnostics.append(Diagnostic("", FILE_START, Severity.ERROR, str(exc)))
        return
    except OutputWriteError as exc:
        result.diagnostics.append(Diagnostic("", FILE_START, Severity.ERROR,
                                             f"{exc.reason} while writing {out / exc.rel}; "
                                             f"{out} is unchanged"))
        return
    result.rendered.extend(made.rendered)
    result.made = made.records
    result.unmade, result.unsettled = made.unmade, made.unsettled
    if made.update is None:
        return
    if options.session is not None:
        options.session.published = None  # until this commit is through
    try:
        result.stats = made.update.commit(options.swap_lock)
        result.touched = made.update.touched
        if options.session is not None and made.update.in_place:
            options.session.published = made.update.files()
        result.notes.extend(made.update.notes)
        for key, record in made.records.items():
            engine.set_output(key, record)
    except OutputRefused as exc:  # a file of the editor's where this build writes one
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
