"""``briefgen serve``: build, serve, watch; rebuild what changed and tell the browsers.

The model's caches stay in memory between rebuilds (a build ``Session``); each rebuild is
the ordinary incremental build, so what the preview serves is what ``build`` would write.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from briefgen import collector
from briefgen.build import BuildOptions, BuildResult, Session, build
from briefgen.chars import visible
from briefgen.config import SiteConfig, load_config
from briefgen.errors import (
    FILE_START,
    Diagnostic,
    Severity,
    SourceLines,
    format_diagnostic,
    sorted_diagnostics,
)
from briefgen.leftovers import private_folder, remove_abandoned
from briefgen.load import is_editor_junk
from briefgen.report import plural, print_diagnostics
from briefgen.server import (
    BoundedServer,
    Broadcaster,
    PendingFiles,
    SwapLock,
    Told,
    make_handler,
)

DEBOUNCE_SECONDS = 0.015  # a burst of saves (autosave, git checkout) becomes one rebuild
# After each page open in a tab is made, the next one and the rest of a build wait for
# the tabs told to load it again, at most this long in all (a tab that does not reload
# costs the rest this delay).
RELOAD_WAIT_SECONDS = 1.0
LOOPBACK = ("127.0.0.1", "::1", "localhost")


class Preview:
    """Rebuilds one site into one folder, keeping the last good build on failure. After a
    change, the pages that tabs show are made and announced first, then the rest; a request
    for a page still being remade waits for it."""

    def __init__(self, site: Path, out: Path, options: BuildOptions) -> None:
        self.site, self.out = site, out
        self.options = replace(options, out=out, session=Session(), versioned_assets=False,
                               in_place=True)
        self.events = Broadcaster()
        self.lock = SwapLock()
        self.pending = PendingFiles()

    def rebuild(self, changed: frozenset[str] | None = None,
                interrupted: Callable[[], bool] = lambda: False) -> BuildResult:
        """Build again; ``changed``: the site's files changed since the last build (as the
        watcher saw them), or None when any may have. Once the open pages are made,
        ``interrupted`` is asked between the others: when it says a newer change waits,
        the rest is left to the next build."""
        announced: list[str] = []
        told: list[Told] = []

        def made_first(rels: list[str]) -> None:
            announced.extend(rels)
            if rels:
                told.append(self.events.publish("build", {"ok": True, "changed": rels,
                                                          "errors": []}))

        deadline: list[float] = []  # one second for all the tabs, from the first told

        def first_shown() -> None:
            # Until the tabs told are back, a newer change waits, or the second has passed.
            if not told:
                return
            if not deadline:
                deadline.append(time.monotonic() + RELOAD_WAIT_SECONDS)
            for each in told:
                self.events.wait_for_reloads(each, deadline[0] - time.monotonic(), interrupted)

        try:
            result = build(self.site, replace(
                self.options, swap_lock=self.lock.writing, changed=changed,
                wanted=frozenset(self.events.open_pages()), made_first=made_first,
                first_shown=first_shown, pending=self.pending, interrupted=interrupted))
        except Exception as exc:  # a bug of briefgen's: the preview goes on serving
            result = self._internal_error(exc)
        self.pending.release()  # a build that found nothing to remake says so by ending
        if not result.ok:
            self.pending.clear()  # what an interrupted build left stays as the last good one
        sources = SourceLines(self.site)
        if result.ok:
            changed_files = list(result.stats.changed) if result.stats else []
            rest = [rel for rel in changed_files if rel not in set(announced)]
            if rest or not announced:
                self.events.publish("build", {"ok": True, "changed": rest, "errors": []})
        else:
            self.events.publish("build", {"ok": False, "changed": [], "errors": [
                _describe(d, sources) for d in sorted_diagnostics(result.diagnostics)]})
        return result

    def _internal_error(self, exc: Exception) -> BuildResult:
        """A build that raised: its details on the terminal (for a bug report), an error in
        the browsers, the last good build still served, and the next change built from the
        files alone (the engine, which may hold half of that build, is dropped)."""
        traceback.print_exception(exc, file=sys.stderr)
        self.options = replace(self.options, session=Session())
        self.pending.clear()
        message = (f"internal error while building ({type(exc).__name__}: {exc}); this is a "
                   "bug in briefgen: please report it with the details printed in the "
                   "terminal. Still serving the last good build")
        return BuildResult(diagnostics=[Diagnostic("", FILE_START, Severity.ERROR, message)])


def _describe(diag: Any, sources: SourceLines) -> dict[str, str]:
    lines = format_diagnostic(diag, sources).split("\n", 1)
    location = f"{diag.path}:{diag.loc.line}:{diag.loc.col}" if diag.path else "briefgen"
    return {"location": location, "severity": diag.severity.value, "message": diag.message,
            "source": lines[1] if len(lines) > 1 else ""}


def is_relevant(site: Path, path: Path, watched: tuple[str, ...], ignored: list[Path]) -> bool:
    """A change the site is made from: not an editor's swap file, not our own output."""
    if is_editor_junk(path.name) or any(path.is_relative_to(o) for o in ignored):
        return False
    try:
        parts = path.relative_to(site).parts
    except ValueError:
        return False
    return bool(parts) and parts[0] in watched and not any(p.startswith(".") for p in parts)


class Changes:
    """What the watcher saw since the last build: the site's files that were written, and
    whether anything else happened (a file added, removed or renamed, a folder changed),
    after which every file must be looked at."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: set[str] = set()
        self._structural = False
        self.seen = threading.Event()

    def written(self, rel: str) -> None:
        with self._lock:
            self._files.add(rel)
        self.seen.set()

    def other(self) -> None:
        with self._lock:
            self._structural = True
        self.seen.set()

    def take(self) -> frozenset[str] | None:
        """The files written since the last take, or None if anything else happened."""
        with self._lock:
            files, structural = frozenset(self._files), self._structural
            self._files, self._structural = set(), False
        return None if structural else files


def watch_handler(site: Path, watched: tuple[str, ...], ignored: list[Path],
                  changes: Changes, elsewhere: tuple[Path, ...] = ()) -> Any:
    """The watcher's handler of file-system events: each one told to ``changes``;
    ``elsewhere``: folders outside the site that it is made from (a content folder there),
    any change in which has every file looked at."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler

    class Events(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            if event.is_directory and event.event_type == "modified":
                return  # comes with every write inside; what happened has events of its own
            source, target = str(event.src_path), str(getattr(event, "dest_path", "") or "")
            if any(_inside_folder(Path(raw), folder) for raw in (source, target) if raw
                   for folder in elsewhere):
                changes.other()
                return
            relevant = [Path(raw) for raw in (source, target)
                        if raw and is_relevant(site, Path(raw), watched, ignored)]
            if not relevant:
                return
            if not event.is_directory and event.event_type in ("modified", "closed"):
                changes.written(Path(source).relative_to(site).as_posix())
            elif not event.is_directory and event.event_type == "moved" \
                    and relevant == [Path(target)]:
                # An editor's save: a new file (its own junk) renamed over the one edited.
                changes.written(Path(target).relative_to(site).as_posix())
            else:
                changes.other()

    return Events()


def _inside_folder(path: Path, folder: Path) -> bool:
    if is_editor_junk(path.name) or not path.is_relative_to(folder):
        return False
    return not any(part.startswith(".") for part in path.relative_to(folder).parts)


def _watch(site: Path, watched: tuple[str, ...], ignored: list[Path], poll: bool,
           changes: Changes, elsewhere: tuple[Path, ...] = ()) -> Any:
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    observer = PollingObserver(timeout=0.3) if poll else Observer()
    handler = watch_handler(site, watched, ignored, changes, elsewhere)
    for folder in (site, *elsewhere):
        observer.schedule(handler, str(folder), recursive=True)
    observer.start()
    return observer


def _elsewhere(site: Path, config: SiteConfig) -> tuple[Path, ...]:
    """The content folder, when it lies outside the site (``content_dir: ../shared``, or a
    ``content`` that is a link): the site's own watch does not see into it."""
    content = config.content_path
    return () if content.is_relative_to(site) or not content.is_dir() else (content,)


def _restart_needed(site: Path, started: SiteConfig) -> str | None:
    """What site.yaml now says that only a new ``serve`` applies, if anything."""
    config, _ = load_config(site)
    if config is None:
        return None  # its errors are reported by the build
    for name in ("content_dir", "base_url"):
        if getattr(config, name) != getattr(started, name):
            return name
    return None


def _stop_on_sigterm() -> None:
    """SIGTERM, and SIGHUP (the terminal closed), stop the preview as Ctrl-C does: its
    temporary folder is removed."""
    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    for name in ("SIGTERM", "SIGHUP"):
        with contextlib.suppress(ValueError, AttributeError):  # the main thread only; POSIX
            signal.signal(getattr(signal, name), stop)


SERVE_PREFIX = "briefgen-serve-"  # the preview's folder: briefgen-serve-<pid>-<random>


def serve(site: Path, host: str, port: int, drafts: bool, future: bool, poll: bool) -> int:
    collector.return_large_blocks()
    site = site.resolve()
    config, diags = load_config(site)
    if config is None:
        print_diagnostics(diags.items, SourceLines(site))
        return 1
    prefix = urlsplit(config.base_url).path or "/"
    prefix = prefix if prefix.endswith("/") else prefix + "/"
    display = f"[{host}]" if ":" in host else host
    # A preview killed outright (kill -9) left its folder, a copy of the site: removed now.
    remove_abandoned(SERVE_PREFIX)
    workdir = Path(private_folder(SERVE_PREFIX))
    preview = Preview(site, workdir / "site", BuildOptions(
        drafts=drafts, future=future, base_url=f"http://{display}:{port}{prefix}"))
    stopping = threading.Event()
    handler = make_handler(preview.out, prefix, preview.events, preview.lock, stopping,
                           pending=preview.pending)
    try:
        server = BoundedServer((host, port), handler)
    except OSError as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        if exc.errno == errno.EADDRINUSE:
            other = f"try --port {port + 1}" if port < 65535 else "choose another with --port"
            print(f"briefgen serve: port {port} is already in use; {other}", file=sys.stderr)
        else:
            print(f"briefgen serve: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
        return 1
    if host not in LOOPBACK:  # told once it listens there (not for a name that resolves nowhere)
        print(f"warning: serving on {host}: other machines can reach the preview",
              file=sys.stderr)
    _stop_on_sigterm()
    changes = Changes()
    observer = None
    serving = False
    try:
        result = preview.rebuild()
        _report(result, site, first=True)
        watched = ("site.yaml", Path(config.content_dir).parts[0], "templates", "themes")
        observer = _watch(site, watched, [workdir, config.output_path], poll, changes,
                          _elsewhere(site, config))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        serving = True
        print(f"Serving {visible(site.name)} at http://{display}:{port}{prefix} (Ctrl-C to stop)",
              flush=True)
        while True:
            if not changes.seen.wait(_until(result.valid_until)):
                if result.valid_until is None or time.time() < result.valid_until:
                    continue  # woken before the time (a wait is at most a day long)
                # The clock reached a scheduled briefing's time (or an update's): no file
                # changed, but pages do.
                preview.pending.hold()
                result = preview.rebuild(frozenset(), changes.seen.is_set)
                _report(result, site)
                continue
            preview.pending.hold()  # from now on, any page may be one the change makes stale
            changes.seen.clear()
            while changes.seen.wait(DEBOUNCE_SECONDS):  # until a quiet moment ends the burst
                changes.seen.clear()
            taken = changes.take()
            result = preview.rebuild(taken, changes.seen.is_set)
            _report(result, site)
            if taken is None or "site.yaml" in taken:
                setting = _restart_needed(site, config)
                if setting is not None:
                    print(f"briefgen: note: site.yaml's {setting} changed; stop and start "
                          "briefgen serve again to apply it", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
    finally:
        stopping.set()
        preview.events.close()
        if serving:  # shutdown() waits for serve_forever, which would never come
            server.shutdown()
        server.server_close()
        if observer is not None:
            observer.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _until(valid_until: float | None) -> float | None:
    """How long to wait for a change before the clock changes pages (None: until a file
    changes); never less than a moment, so that a time just past does not spin, and at most
    a day (a briefing scheduled for 2999 is beyond what a wait can take)."""
    if valid_until is None:
        return None
    return min(max(CLOCK_GRACE_SECONDS, valid_until - time.time()), LONGEST_WAIT_SECONDS)


CLOCK_GRACE_SECONDS = 0.5
LONGEST_WAIT_SECONDS = 86_400.0


def _report(result: BuildResult, site: Path, first: bool = False) -> None:
    errors, warnings = print_diagnostics(result.diagnostics, SourceLines(site))
    stamp = time.strftime("%H:%M:%S")
    if errors:
        serving = "the pages show them until a save fixes them" if first else \
            "still serving the last good build"
        print(f"[{stamp}] build failed: {plural(errors, 'error')}; {serving}", file=sys.stderr,
              flush=True)
        return
    written = result.stats.written if result.stats else 0
    extra = f", {plural(warnings, 'warning')}" if warnings else ""
    if result.unmade:
        extra += f"; {plural(len(result.unmade), 'file')} left to the next build (a newer change)"
    print(f"[{stamp}] rebuilt in {result.seconds:.2f} s: {plural(written, 'file')} changed{extra}",
          file=sys.stderr, flush=True)
