"""The preview's HTTP side: serve a folder under a path prefix, safely, with live events.

It knows nothing of content: it serves files of one folder, injects the live script into
HTML responses, and streams the events a ``Broadcaster`` publishes.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import mimetypes
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

LIVE_PATH = "__briefgen/"
NOT_FOUND = "404.html"  # the page served for an address the site lacks
HEARTBEAT_SECONDS = 15.0
# A request must arrive (and a heartbeat be written) within this, or the connection goes:
# idle and half-open connections would otherwise each hold a thread for ever.
SOCKET_TIMEOUT_SECONDS = 10.0
# A request for a file that the running build is remaking waits for it, at most this long.
PENDING_TIMEOUT_SECONDS = 120.0
INTERRUPT_POLL_SECONDS = 0.02  # how often a wait for reloading tabs asks for a newer change
MAX_CONNECTIONS = 512  # beyond this, new connections are answered 503 at once
_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
         b"Content-Length: 26\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
         b"Too many connections: wait")
_LIVE_SCRIPT = (Path(__file__).resolve().parent / "live.js").read_bytes()
_LIVE_TAG = f'"live-{hashlib.blake2b(_LIVE_SCRIPT, digest_size=8).hexdigest()}"'
_WAITING = (b"<!doctype html><html><head><meta charset=utf-8><title>Waiting for a good build"
            b"</title></head><body><p>There is no good build yet. This page reloads when "
            b"there is.</p></body></html>")


@dataclass(frozen=True, slots=True)
class Told:
    """The pages that tabs told to reload show, and the count of connections when they were
    told. (Per page, not per tab: a tab that reloaded earlier may still count as connected
    until a message to it fails.)"""

    pages: frozenset[str | None]
    mark: int


class Broadcaster:
    """Fans build events out to every connected tab, and knows which page each tab shows
    (the live script says so when it connects). A tab that connects later is told the
    current state (the errors, if the last build failed), and what it missed: each page
    is served with the count of events published before it was read (``published``), which
    its tab gives back when it connects; a change published since to its page, or to a
    style sheet, is told to it then (``missed``). A build that ends between a page's
    request and its tab's connection is not lost, and a tab is not reloaded for a change
    that its page already shows."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        # Each tab's queue, the page it shows and when it connected (a count of connections).
        self._clients: dict[queue.Queue[str | None], tuple[str | None, int]] = {}
        self._connections = 0
        self._last: str | None = None
        self._published = 0  # events published so far
        # For each file changed, the count of events when it last did (one entry per file
        # of the site at most); and when a style sheet, or anything, last did.
        self._changed_at: dict[str, int] = {}
        self._css_at = 0
        self._any_at = 0

    def published(self) -> int:
        """How many events were published so far: read before a page is, and given to it."""
        with self._lock:
            return self._published

    def publish(self, event: str, data: dict[str, Any]) -> Told:
        """Tell every tab; return which pages the tabs that reload show."""
        message = f"event: {event}\ndata: {json.dumps(data)}\n\n"
        state = {**data, "changed": []}
        changed = set(data.get("changed", ()))
        with self._lock:
            self._published += 1
            for rel in changed:
                self._changed_at[rel] = self._published
            if changed:
                self._any_at = self._published
            if any(rel.endswith(".css") for rel in changed):
                self._css_at = self._published
            self._last = f"event: {event}\ndata: {json.dumps(state)}\n\n"
            for client in self._clients:
                client.put(message)
            pages = {page for page, _ in self._clients.values() if page in changed}
            return Told(frozenset(pages), self._connections)

    def subscribe(self, page: str | None = None,
                  since: int | None = None) -> queue.Queue[str | None]:
        """A tab's connection; ``since``: the count of events its page was served with."""
        client: queue.Queue[str | None] = queue.Queue()
        with self._lock:
            self._connections += 1
            self._clients[client] = (page, self._connections)
            if since is not None and since < self._published:
                missed = {"page": page is not None and self._changed_at.get(page, 0) > since,
                          "css": self._css_at > since, "any": self._any_at > since}
                if any(missed.values()):
                    client.put(f"event: missed\ndata: {json.dumps(missed)}\n\n")
            if self._last is not None:
                client.put(self._last)
            self._lock.notify_all()
        return client

    def unsubscribe(self, client: queue.Queue[str | None]) -> None:
        with self._lock:
            self._clients.pop(client, None)
            self._lock.notify_all()

    def wait_for_reloads(self, told: Told, timeout: float,
                         interrupted: Callable[[], bool] = lambda: False) -> None:
        """Wait until the tabs ``told`` (by ``publish``) have reloaded their page and
        connected again, ``timeout`` seconds have passed, or ``interrupted`` says that a
        newer change waits: the rest of a build waits meanwhile, so that serving those
        pages does not compete with it for the interpreter. Only connections made since
        count: the old one of a reloaded tab is noticed as closed only when a message to it
        fails, which may be a heartbeat later."""
        deadline = time.monotonic() + timeout
        with self._lock:

            def reloaded() -> bool:
                again = {page for page, since in self._clients.values() if since > told.mark}
                return told.pages <= again

            while not reloaded() and not interrupted():
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._lock.wait(min(left, INTERRUPT_POLL_SECONDS))

    def open_pages(self) -> set[str]:
        """The files the connected tabs show (``briefings/x/index.html``)."""
        with self._lock:
            return {page for page, _ in self._clients.values() if page}

    def close(self) -> None:
        with self._lock:
            for client in self._clients:
                client.put(None)


class PendingFiles:
    """The files a running build is remaking: a request for one waits until it is made,
    so that nobody is served a page the change has made stale."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._files: set[str] = set()
        self._held = False  # a change is seen, and what it remakes not yet known

    def hold(self) -> None:
        """Every request waits, from the moment a change is seen until the build that
        follows says which files it remakes (``add``) or is over (``release``): until then,
        any file may be one of them."""
        with self._condition:
            self._held = True

    def release(self) -> None:
        with self._condition:
            self._held = False
            self._condition.notify_all()

    def add(self, rels: Iterable[str]) -> None:
        with self._condition:
            self._files.update(rels)
            self._held = False
            self._condition.notify_all()

    def done(self, rels: Iterable[str]) -> None:
        with self._condition:
            self._files.difference_update(rels)
            self._condition.notify_all()

    def clear(self) -> None:
        with self._condition:
            self._files.clear()
            self._held = False
            self._condition.notify_all()

    def wait(self, rels: Collection[str], timeout: float = PENDING_TIMEOUT_SECONDS) -> None:
        with self._condition:
            self._condition.wait_for(lambda: not self._held and self._files.isdisjoint(rels),
                                     timeout)


class SwapLock:
    """Many readers (requests) or one writer (the swap of a new build into place)."""

    def __init__(self) -> None:
        self._readers = 0
        self._condition = threading.Condition()

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._condition:
            self._readers += 1
        try:
            yield
        finally:
            with self._condition:
                self._readers -= 1
                self._condition.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._condition:
            self._condition.wait_for(lambda: self._readers == 0)
            yield  # readers wait on the condition's lock until the swap is done


class BoundedServer(http.server.ThreadingHTTPServer):
    """A thread per connection, at most ``MAX_CONNECTIONS`` of them at a time."""

    daemon_threads = True
    request_queue_size = 128  # tabs reconnect all at once after a restart

    def __init__(self, address: tuple[str, int],
                 handler: type[http.server.BaseHTTPRequestHandler],
                 max_connections: int = MAX_CONNECTIONS) -> None:
        super().__init__(address, handler)
        self._slots = threading.BoundedSemaphore(max_connections)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that closes its connection mid-request (a tab closed or reloaded) is
        not a problem worth a traceback; anything else is reported as the base class does."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            try:
                request.settimeout(1.0)
                request.sendall(_BUSY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def resolve_request(root: Path, prefix: str, raw_path: str) -> Path | None:
    """The file under ``root`` that a request path names, or None (never outside ``root``)."""
    path = urlsplit(raw_path).path
    if not path.startswith(prefix):
        return None
    decoded = unquote(path[len(prefix):])
    if "\\" in decoded or "\x00" in decoded or "%" in decoded:
        return None  # backslashes, NULs and double encoding are never legitimate here
    parts = [p for p in decoded.split("/") if p not in ("", ".")]
    if any(p == ".." or p.startswith(".briefgen") for p in parts):
        return None  # no way out, and briefgen's own bookkeeping (the manifest) is not served
    candidate = root.joinpath(*parts) if parts else root
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(root.resolve()):
        return None  # a symbolic link that leads out of the folder
    if resolved.is_dir():
        if decoded and not decoded.endswith("/"):
            return candidate  # the caller redirects to the slash form
        index = resolved / "index.html"
        return index if index.is_file() else None
    return candidate if resolved.is_file() else None


def requested_files(prefix: str, raw_path: str) -> set[str]:
    """The output files a request path may name (a page's folder names its index.html), its
    empty and ``.`` parts left out as ``resolve_request`` leaves them (``/actors//x/`` is
    ``actors/x/index.html``)."""
    path = urlsplit(raw_path).path
    if not path.startswith(prefix):
        return set()
    decoded = "/".join(p for p in unquote(path[len(prefix):]).split("/") if p not in ("", "."))
    if not decoded:
        return {"index.html"}
    return {decoded, f"{decoded}/index.html"}


def page_of(raw_path: str) -> str | None:
    """The page a live-reload connection says its tab shows (``?page=``), if any."""
    found = parse_qs(urlsplit(raw_path).query).get("page")
    return found[0] if found else None


def served_since(raw_path: str) -> int | None:
    """The count of events a live-reload connection's page was served with (``?since=``)."""
    found = parse_qs(urlsplit(raw_path).query).get("since")
    return int(found[0]) if found and found[0].isdigit() and len(found[0]) < 19 else None


def entity_tag(state: os.stat_result) -> str:
    """A file's validator: files are replaced, never rewritten in place, so a new file has a
    new inode or time; the live script's tag (``inject``) is the same on every page."""
    return f'"{state.st_ino:x}-{state.st_size:x}-{state.st_mtime_ns:x}"'


def inject(html: bytes, prefix: str, published: int | None = None) -> bytes:
    """The live script added to a page; ``published``: the count of events published
    before the page was read (see ``Broadcaster``)."""
    since = f' data-since="{published}"' if published is not None else ""
    tag = f'<script src="{prefix}{LIVE_PATH}live.js" data-prefix="{prefix}"{since} defer>' \
        '</script>'
    marker = html.rfind(b"</body>")
    return html[:marker] + tag.encode() + html[marker:] if marker >= 0 else html + tag.encode()


def make_handler(root: Path, prefix: str, events: Broadcaster, lock: SwapLock,
                 stopping: threading.Event, socket_timeout: float = SOCKET_TIMEOUT_SECONDS,
                 pending: PendingFiles | None = None
                 ) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "briefgen"
        protocol_version = "HTTP/1.1"
        timeout = socket_timeout

        def do_GET(self) -> None:
            self._respond(send_body=True)

        def do_HEAD(self) -> None:
            self._respond(send_body=False)

        def _respond(self, send_body: bool) -> None:
            path = urlsplit(self.path).path
            if path == prefix + LIVE_PATH + "events":
                self._stream()
                return
            if path == prefix + LIVE_PATH + "live.js":
                if self.headers.get("If-None-Match") == _LIVE_TAG:
                    self._not_modified(_LIVE_TAG)
                    return
                self._send(200, "application/javascript; charset=utf-8", _LIVE_SCRIPT, send_body,
                           _LIVE_TAG)
                return
            if path + "/" == prefix:
                self._redirect(prefix)
                return
            if pending is not None:
                pending.wait(requested_files(prefix, self.path))
                if resolve_request(root, prefix, self.path) is None:
                    pending.wait({NOT_FOUND})  # an address the site lacks: its 404 page
            with lock.reading():
                published = events.published()  # before the page is read: see ``Broadcaster``
                target = resolve_request(root, prefix, self.path)
                if target is not None and target.is_dir():
                    query = urlsplit(self.path).query  # a search's words, say
                    self._redirect(path + "/" + (f"?{query}" if query else ""))
                    return
                status, tag = 200, None
                if target is None:
                    status, target = 404, root / NOT_FOUND
                try:
                    with target.open("rb") as file:
                        if status == 200:
                            tag = entity_tag(os.fstat(file.fileno()))
                            if tag == self.headers.get("If-None-Match"):
                                self._not_modified(tag)
                                return
                        body = file.read()
                except OSError:  # no good build yet: a page that shows the errors and waits
                    status, body, target = 404, _WAITING, Path("waiting.html")
            ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if ctype == "text/html":
                body = inject(body, prefix, published)
            if ctype.startswith("text/") or ctype in ("application/javascript", "application/json",
                                                      "application/xml", "image/svg+xml"):
                ctype += "; charset=utf-8"
            self._send(status, ctype, body, send_body, tag)

        def _send(self, status: int, ctype: str, body: bytes, send_body: bool,
                  tag: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if tag is None:
                self.send_header("Cache-Control", "no-store")
            else:  # a tab that reloads asks again, and keeps what it has if it is the same
                self.send_header("Cache-Control", "no-cache")
                self.send_header("ETag", tag)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def _not_modified(self, tag: str) -> None:
            self.send_response(304)
            self.send_header("Cache-Control", "no-cache")
            self.send_header("ETag", tag)
            self.end_headers()

        def _redirect(self, location: str) -> None:
            self.send_response(301)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _stream(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            client = events.subscribe(page_of(self.path), served_since(self.path))
            try:
                self.wfile.write(b"retry: 500\n\n")
                self.wfile.flush()
                while not stopping.is_set():
                    try:
                        message = client.get(timeout=HEARTBEAT_SECONDS)
                    except queue.Empty:
                        message = ": keep-alive\n\n"
                    if message is None:
                        break
                    self.wfile.write(message.encode())
                    self.wfile.flush()
            except OSError:  # the tab went away, or stopped reading (a heartbeat timed out)
                pass
            finally:
                events.unsubscribe(client)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
