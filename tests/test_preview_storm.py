"""A request storm on a real `briefgen serve`: 200 tabs listening, every one told of each
change, every page request answered with a complete page, edits and CSS swaps included."""

from __future__ import annotations

import http.client
import json
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from tests.conftest import ROOT

CLIENTS = 200
PAGE = "briefings/russia-written-response/"
SOURCE = "content/briefings/russia-written-response.md"


class Listener(threading.Thread):
    """One tab's event stream: collects the build events it receives."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(daemon=True)
        self.host, self.port = host, port
        self.events: list[dict[str, object]] = []
        self.connected = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            self._listen()
        except BaseException as exc:
            self.failure = exc
            self.connected.set()

    def _listen(self) -> None:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        conn.request("GET", "/__briefgen/events")
        response = conn.getresponse()
        assert response.status == 200
        self.connected.set()
        data = ""
        while True:
            line = response.readline()
            if not line:
                return
            text = line.decode().rstrip("\n")
            if text.startswith("data: "):
                data = text[6:]
            elif text == "" and data:
                self.events.append(json.loads(data))
                data = ""


def get(host: str, port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_for(listeners: list[Listener], test, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(any(test(e) for e in listener.events) for listener in listeners):
            return
        time.sleep(0.05)
    missing = sum(1 for li in listeners if not any(test(e) for e in li.events))
    raise AssertionError(f"{missing} of {len(listeners)} tabs were not told")


def test_two_hundred_tabs_get_every_change_and_every_page_is_whole(example_site, serve_site):
    shutil.copytree(ROOT / "themes" / "default", example_site / "themes" / "default")
    served = serve_site(example_site)
    parts = urlsplit(served.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    listeners = [Listener(host, port) for _ in range(CLIENTS)]
    for listener in listeners:
        listener.start()
    for listener in listeners:
        assert listener.connected.wait(30)
        assert listener.failure is None, listener.failure
    path = served.site / SOURCE
    path.write_text(path.read_text() + "\nA sentence the storm looks for.\n")
    with ThreadPoolExecutor(max_workers=32) as pool:
        # Requests while the rebuild runs: each is the old page or the new one, never partial.
        pages = list(pool.map(lambda _: get(host, port, "/" + PAGE), range(CLIENTS)))
    for status, body in pages:
        assert status == 200 and body.rstrip().endswith(b"</html>")
    wait_for(listeners, lambda e: e.get("ok") and PAGE + "index.html" in e.get("changed", []))
    with ThreadPoolExecutor(max_workers=32) as pool:
        pages = list(pool.map(lambda _: get(host, port, "/" + PAGE), range(CLIENTS)))
    assert all(status == 200 and b"A sentence the storm looks for." in body
               for status, body in pages)
    css = served.site / "themes" / "default" / "static" / "style.css"
    css.write_text(css.read_text() + "\nbody{color:red}\n")
    wait_for(listeners, lambda e: e.get("ok") and e.get("changed") == ["assets/style.css"])
    path.write_text(path.read_text().replace("title:", "titel:", 1))
    wait_for(listeners, lambda e: e.get("ok") is False and any(
        "titel" in err["message"] for err in e["errors"]))  # type: ignore[index, union-attr]
    status, body = get(host, port, "/" + PAGE)
    assert status == 200 and b"A sentence the storm looks for." in body, "last good page"
