"""``briefgen serve``: build, serve on loopback, watch the site and rebuild on changes."""

from __future__ import annotations

import contextlib
import errno
import http.server
import mimetypes
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from briefgen.build import BuildOptions, BuildResult, build
from briefgen.config import load_config
from briefgen.errors import SourceLines
from briefgen.load import is_editor_junk
from briefgen.report import print_diagnostics

DEBOUNCE_SECONDS = 0.15
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def resolve_request(root: Path, prefix: str, raw_path: str) -> Path | None:
    """The file under ``root`` that a request path names, or None (never outside ``root``)."""
    path = urlsplit(raw_path).path
    if not path.startswith(prefix):
        return None
    decoded = unquote(path[len(prefix):])
    if "\\" in decoded or "\x00" in decoded or "%" in decoded:
        return None  # backslashes, NULs and double encoding are never legitimate here
    parts = [p for p in decoded.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    candidate = root.joinpath(*parts) if parts else root
    if candidate.is_dir():
        if decoded and not decoded.endswith("/"):
            return candidate  # the caller redirects to the slash form
        candidate = candidate / "index.html"
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(root.resolve()) or not resolved.is_file():
        return None
    return candidate


class _Handler(http.server.BaseHTTPRequestHandler):
    root: Path
    prefix: str
    server_version = "briefgen"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        path = urlsplit(self.path).path
        if path + "/" == self.prefix:
            self._redirect(self.prefix)
            return
        target = resolve_request(self.root, self.prefix, self.path)
        if target is not None and target.is_dir():
            self._redirect(path + "/")
            return
        status = 200
        if target is None:
            status, target = 404, self.root / "404.html"
            if not target.is_file():
                self.send_error(404)
                return
        body = target.read_bytes()
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def _watch(site: Path, out_dirs: list[Path], poll: bool, on_change: Callable[[], None]) -> object:
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    class Events(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            for raw in (event.src_path, getattr(event, "dest_path", "")):
                if not raw:
                    continue
                path = Path(str(raw))
                if is_editor_junk(path.name) or any(path.is_relative_to(o) for o in out_dirs):
                    continue
                if any(part.startswith(".") for part in path.relative_to(site).parts):
                    continue
                on_change()
                return

    observer = PollingObserver(timeout=0.5) if poll else Observer()
    observer.schedule(Events(), str(site), recursive=True)
    observer.start()
    return observer


def serve(site: Path, host: str, port: int, drafts: bool, future: bool, poll: bool) -> int:
    site = site.resolve()
    config, diags = load_config(site)
    if config is None:
        print_diagnostics(diags.items, SourceLines(site))
        return 1
    if host not in LOOPBACK:
        print(f"warning: serving on {host} makes the preview reachable from other machines",
              file=sys.stderr)
    prefix = urlsplit(config.base_url).path or "/"
    prefix = prefix if prefix.endswith("/") else prefix + "/"
    workdir = Path(tempfile.mkdtemp(prefix="briefgen-serve-"))
    out = workdir / "site"
    display_host = f"[{host}]" if ":" in host else host
    options = BuildOptions(out=out, drafts=drafts, future=future,
                           base_url=f"http://{display_host}:{port}{prefix}")
    handler = type("Handler", (_Handler,), {"root": out, "prefix": prefix})
    try:
        httpd = http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        if exc.errno == errno.EADDRINUSE:
            print(f"briefgen serve: port {port} is already in use; try --port {port + 1}",
                  file=sys.stderr)
        else:
            print(f"briefgen serve: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
        return 1
    httpd.daemon_threads = True
    changed = threading.Event()

    def rebuild() -> BuildResult:
        started = time.perf_counter()
        result = build(site, options)
        errors, warnings = print_diagnostics(result.diagnostics, SourceLines(site))
        took = time.perf_counter() - started
        state = f"failed ({errors} errors); still serving the last good build" if errors else \
            f"ok ({warnings} warnings)" if warnings else "ok"
        print(f"[{time.strftime('%H:%M:%S')}] build {state} in {took:.2f} s", file=sys.stderr)
        return result

    rebuild()
    observer = _watch(site, [out, workdir, config.output_path], poll, changed.set)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    print(f"Serving {site.name} at http://{display_host}:{port}{prefix} (Ctrl-C to stop)")
    try:
        while True:
            changed.wait()
            time.sleep(DEBOUNCE_SECONDS)  # let a burst of saves settle into one rebuild
            changed.clear()
            rebuild()
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
    finally:
        httpd.shutdown()
        with contextlib.suppress(Exception):
            observer.stop()  # type: ignore[attr-defined]
        shutil.rmtree(workdir, ignore_errors=True)
    return 0
