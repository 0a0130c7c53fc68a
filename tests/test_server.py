"""The preview server: only the output folder is served, safely, with the right types."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from briefgen.server import Broadcaster, inject, resolve_request
from tests.conftest import free_port


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    (folder / "actors" / "x").mkdir(parents=True)
    (folder / "index.html").write_text("<html><body>home</body></html>")
    (folder / "actors" / "x" / "index.html").write_text("<html><body>x</body></html>")
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", folder / "leak.txt")
    os.symlink(tmp_path, folder / "up")
    return folder


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt", "/%2e%2e%2fsecret.txt",
    "/%252e%252e/secret.txt", "/..\\secret.txt", "/..%5csecret.txt", "/leak.txt",
    "/up/secret.txt", "/actors/../../secret.txt", "/%00", "/nope/",
])
def test_traversal_and_links_out_are_refused(root, path):
    assert resolve_request(root, "/", path) is None


@pytest.mark.parametrize("path,expected", [
    ("/", "index.html"), ("/index.html", "index.html"), ("/actors/x/", "actors/x/index.html"),
    ("/actors/x/index.html?a=1#b", "actors/x/index.html"),
])
def test_files_under_the_root_are_served(root, path, expected):
    found = resolve_request(root, "/", path)
    assert found is not None and found.resolve() == (root / expected).resolve()


def test_prefix_is_required(root):
    assert resolve_request(root, "/briefs/", "/index.html") is None
    assert resolve_request(root, "/briefs/", "/briefs/actors/x/") is not None


def test_reload_script_goes_before_body_end():
    html = inject(b"<html><body><p>x</p></body></html>", "/b/")
    assert html.endswith(b'<script src="/b/__briefgen/live.js" data-prefix="/b/" defer>'
                         b"</script></body></html>")


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def told(client) -> list[tuple[str, dict]]:
    """The events waiting for a tab: (name, data)."""
    found = []
    while not client.empty():
        message = client.get_nowait()
        name, data = message.split("\n")[:2]
        found.append((name.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
    return found


def test_a_tab_that_connects_after_a_build_is_told_what_its_page_missed():
    """A page is served with the count of events published before it was read; its tab,
    connecting after a build that changed it, is told (it would otherwise never reload),
    and is not told of changes its page already shows, or that are not its."""
    events = Broadcaster()
    served = events.published()
    events.publish("build", {"ok": True, "changed": ["a/index.html"], "errors": []})
    late = told(events.subscribe("a/index.html", served))
    assert late[0] == ("missed", {"page": True, "css": False, "any": True})
    # Another page's tab only hears that something changed (a page waiting for a good build
    # reloads then); a page served after the build hears nothing.
    assert told(events.subscribe("b/index.html", served))[0] == \
        ("missed", {"page": False, "css": False, "any": True})
    assert all(name != "missed" for name, _ in
               told(events.subscribe("a/index.html", events.published())))
    events.publish("build", {"ok": True, "changed": ["assets/style.css"], "errors": []})
    assert told(events.subscribe("b/index.html", served))[0] == \
        ("missed", {"page": False, "css": True, "any": True})
    events.publish("build", {"ok": False, "changed": [], "errors": []})
    now = events.published()
    assert all(name != "missed" for name, _ in told(events.subscribe("a/index.html", now)))


def test_pages_are_served_with_the_count_of_events_before_them(example_site, serve_site):
    served = serve_site(example_site)
    _, _, body = fetch(served.url + "briefings/")
    assert re.search(rb'<script src="/__briefgen/live.js" data-prefix="/" data-since="\d+" '
                     rb'defer>', body)


def test_served_site_over_http(example_site, serve_site):
    served = serve_site(example_site)
    status, headers, body = fetch(served.url)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"__briefgen/live.js" in body
    assert fetch(served.url + "assets/style.css")[1]["Content-Type"].startswith("text/css")
    assert fetch(served.url + "feed.xml")[1]["Content-Type"].startswith("application/xml")
    assert fetch(served.url + "api/entries.json")[1]["Content-Type"].startswith("application/json")
    status, _, body = fetch(served.url + "no/such/page/")
    assert status == 404 and b"Page not found" in body
    for path in ("..%2f..%2fsite.yaml", "%2e%2e/site.yaml", "%252e%252e/site.yaml", "..\\site.yaml"):
        assert fetch(served.url + path)[0] == 404, path
    status, _, script = fetch(served.url + "__briefgen/live.js")
    assert status == 200 and b"EventSource" in script


def test_base_url_path_is_kept_in_the_preview(example_site, serve_site):
    yaml = example_site / "site.yaml"
    yaml.write_text(yaml.read_text().replace("base_url: http://localhost:8000/",
                                             "base_url: https://example.org/desk/"))
    served = serve_site(example_site)
    status, _, body = fetch(served.url + "desk/")
    assert status == 200
    assert f'href="{served.url}desk/'.encode() in body or b'href="/desk/' in body
    assert fetch(served.url + "desk/actors/joe-biden/")[0] == 200


def test_port_in_use_is_a_clear_error(example_site):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "briefgen", "--site", str(example_site),
                               "serve", "--port", str(port)], capture_output=True, text=True,
                              timeout=60)
    assert proc.returncode == 1
    assert f"port {port} is already in use; try --port {port + 1}" in proc.stderr


def test_the_last_port_in_use_is_told_without_a_next_one(example_site):
    with socket.socket() as blocker:
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            blocker.bind(("127.0.0.1", 65535))
        except OSError:
            pytest.skip("port 65535 is taken by another program")
        blocker.listen()
        proc = subprocess.run([sys.executable, "-m", "briefgen", "--site", str(example_site),
                               "serve", "--port", "65535"], capture_output=True, text=True,
                              timeout=60)
    assert proc.returncode == 1
    assert "port 65535 is already in use; choose another with --port" in proc.stderr


def test_port_zero_is_a_usage_error(example_site):
    """Any free port would do, but the pages would be built for port 0."""
    proc = subprocess.run([sys.executable, "-m", "briefgen", "--site", str(example_site),
                           "serve", "--port", "0"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "0 is not a port number (1 to 65535)" in proc.stderr


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_stops_cleanly_and_leaves_no_temporary_folder(example_site, serve_site, signum):
    """Ctrl-C, a kill, or the terminal closed."""
    import glob
    import tempfile

    before = set(glob.glob(os.path.join(tempfile.gettempdir(), "briefgen-serve-*")))
    served = serve_site(example_site)
    during = set(glob.glob(os.path.join(tempfile.gettempdir(), "briefgen-serve-*"))) - before
    assert len(during) == 1
    served.proc.send_signal(signum)
    assert served.proc.wait(timeout=20) == 0
    time.sleep(0.1)
    assert not any(os.path.exists(p) for p in during)


def test_the_folder_of_a_preview_killed_outright_is_removed_by_the_next(example_site,
                                                                        serve_site):
    """``kill -9`` leaves no chance to clean up: the folder (a copy of the whole site) is
    named after the process, and the next preview removes it once that process is gone."""
    import glob
    import tempfile

    def folders() -> set[str]:
        return set(glob.glob(os.path.join(tempfile.gettempdir(), "briefgen-serve-*")))

    before = folders()
    first = serve_site(example_site)
    left = folders() - before
    assert [os.path.basename(p).split("-")[2] for p in left] == [str(first.proc.pid)]
    first.proc.kill()
    first.proc.wait(timeout=20)
    assert all(os.path.isdir(p) for p in left)
    second = serve_site(example_site)
    assert not any(os.path.exists(p) for p in left)
    second.proc.terminate()
    assert second.proc.wait(timeout=20) == 0


def test_a_scheduled_briefing_appears_when_its_time_comes_without_an_edit(example_site,
                                                                         serve_site):
    """The clock, not a file, changes the site: the preview builds again at that time."""
    from datetime import UTC, datetime, timedelta

    when = (datetime.now(UTC) + timedelta(seconds=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
    (example_site / "content/briefings/later-one.md").write_text(
        f"---\ntitle: Later one\ndate: {when}\nsummary: Soon.\n---\n\n"
        f"## {when[:10]} Something\n\nText [@cbs-russia-written-response].\n")
    served = serve_site(example_site)

    def status() -> int:
        try:
            with urllib.request.urlopen(served.url + "briefings/later-one/", timeout=10) as r:
                return int(r.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    assert status() == 404
    deadline = time.monotonic() + 30
    while status() != 200 and time.monotonic() < deadline:
        time.sleep(0.25)
    assert status() == 200
    with urllib.request.urlopen(served.url, timeout=10) as home:
        assert "Later one" in home.read().decode()


@pytest.mark.parametrize("flags", [(), ("--future",)])
def test_a_briefing_scheduled_centuries_ahead_keeps_the_preview_up(example_site, serve_site,
                                                                   flags):
    """Its time is beyond what a wait can take (``threading.TIMEOUT_MAX``): the preview
    waits a day at a time, and serves meanwhile."""
    (example_site / "content/briefings/far-off.md").write_text(
        "---\ntitle: Far off\ndate: 2999-02-01\n---\n\n## 2999-01-31 An anniversary\n\n"
        "Text [@cbs-russia-written-response].\n")
    served = serve_site(example_site, *flags)
    time.sleep(1.5)
    assert served.proc.poll() is None
    with urllib.request.urlopen(served.url, timeout=10) as home:
        assert home.status == 200


def test_a_redirect_to_a_folder_keeps_the_query(example_site, serve_site):
    """/search?q=… is /search/?q=…: the reader's words are not lost."""
    served = serve_site(example_site)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as raised:
        opener.open(served.url + "search?q=Nebenzia", timeout=10)
    assert raised.value.code == 301
    assert raised.value.headers["Location"] == "/search/?q=Nebenzia"


def test_a_request_waits_while_a_change_is_seen_and_not_yet_planned():
    """Between a save and the moment the build knows what it remakes, any page may be one
    it makes stale: requests wait; then only those for the files it remakes."""
    import threading

    from briefgen.server import PendingFiles

    pending = PendingFiles()
    served: list[str] = []

    def request(rel: str) -> threading.Thread:
        thread = threading.Thread(target=lambda: (pending.wait({rel}, timeout=10),
                                                  served.append(rel)))
        thread.start()
        return thread

    pending.hold()
    page, other = request("briefings/b/index.html"), request("about/index.html")
    time.sleep(0.2)
    assert served == []  # the change is seen: nothing is known to be fresh
    pending.add(["briefings/b/index.html"])  # the build says what it remakes
    other.join(5)
    assert served == ["about/index.html"]
    pending.done(["briefings/b/index.html"])
    page.join(5)
    assert served == ["about/index.html", "briefings/b/index.html"]
    pending.hold()
    late = request("about/index.html")
    time.sleep(0.1)
    pending.release()  # a build that found nothing to remake
    late.join(5)
    assert served[-1] == "about/index.html"


def test_other_host_than_loopback_warns(example_site):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "briefgen", "--site", str(example_site),
                             "serve", "--host", "0.0.0.0", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(3)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "other machines can reach the preview" in err


def test_a_host_that_resolves_nowhere_is_an_error_without_the_warning(example_site):
    """The warning that other machines can reach the preview comes once it listens there."""
    done = subprocess.run([sys.executable, "-m", "briefgen", "--site", str(example_site),
                           "serve", "--host", "nowhere.invalid", "--port", str(free_port())],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "cannot listen on nowhere.invalid:" in done.stderr
    assert "other machines can reach" not in done.stderr


@pytest.fixture
def small_server(root):
    """The preview's server in this process, with a short timeout and four connections."""
    import threading

    from briefgen.server import BoundedServer, Broadcaster, SwapLock, make_handler

    handler = make_handler(root, "/", Broadcaster(), SwapLock(), threading.Event(),
                           socket_timeout=0.5)
    server = BoundedServer(("127.0.0.1", 0), handler, max_connections=4)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_idle_connections_time_out_and_extra_ones_get_503(small_server):
    host, port = small_server.split("/")[2].split(":")
    idle = [socket.create_connection((host, int(port))) for _ in range(4)]
    time.sleep(0.1)
    status, headers, _ = fetch(small_server)
    assert status == 503 and headers["Retry-After"] == "1"
    time.sleep(1.0)  # the idle connections sent no request within the timeout
    for sock in idle:
        sock.settimeout(2)
        assert sock.recv(1) == b"", "an idle connection was kept open"
        sock.close()
    assert fetch(small_server)[0] == 200


def test_half_sent_request_does_not_hold_a_slot(small_server):
    host, port = small_server.split("/")[2].split(":")
    stuck = [socket.create_connection((host, int(port))) for _ in range(4)]
    for sock in stuck:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # never finished
    time.sleep(1.2)
    assert fetch(small_server)[0] == 200
    for sock in stuck:
        sock.close()


def test_the_manifest_is_not_served(root, small_server):
    (root / ".briefgen-manifest.json").write_text("{}")
    (root / ".well-known").mkdir()
    (root / ".well-known" / "security.txt").write_text("Contact: x")
    assert fetch(small_server + ".briefgen-manifest.json")[0] == 404
    assert fetch(small_server + ".well-known/security.txt")[0] == 200


def conditional(url: str, tag: str) -> int:
    request = urllib.request.Request(url, headers={"If-None-Match": tag})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def wait_for_text(url: str, text: bytes, timeout: float = 60) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = fetch(url)[2]
        if text in body:
            return body
        time.sleep(0.05)
    raise AssertionError(f"{url} never showed {text!r}")


def test_a_reloading_tab_keeps_what_did_not_change(example_site, serve_site):
    """Files carry a validator: a tab that reloads gets 304 for the stylesheet and scripts
    it has, and the new bytes of what a build replaced."""
    served = serve_site(example_site)
    page = served.url + "briefings/"
    for url in (served.url + "assets/style.css", served.url + "__briefgen/live.js", page):
        status, headers, _ = fetch(url)
        assert status == 200 and headers["Cache-Control"] == "no-cache" and headers["ETag"]
        assert conditional(url, headers["ETag"]) == 304, url
        assert conditional(url, '"something-else"') == 200
    tag = fetch(page)[1]["ETag"]
    yaml = example_site / "site.yaml"
    yaml.write_text(yaml.read_text().replace("title: ", "title: Retitled ", 1))
    wait_for_text(page, b"Retitled ")
    assert conditional(page, tag) == 200
    status, headers, _ = fetch(served.url + "no/such/page/")
    assert status == 404 and headers["Cache-Control"] == "no-store" and "ETag" not in headers


@pytest.mark.parametrize("how", ["content_dir", "link"])
def test_a_content_folder_outside_the_site_is_watched(example_site, serve_site, tmp_path, how):
    """``content_dir: ../shared`` and a ``content`` that is a link are allowed: a save there
    is built as one in the site is."""
    shared = tmp_path / "shared"
    shutil.move(example_site / "content", shared)
    yaml = example_site / "site.yaml"
    if how == "content_dir":
        yaml.write_text(yaml.read_text() + f"content_dir: {os.path.relpath(shared, example_site)}\n")
    else:
        (example_site / "content").symlink_to(shared)
    served = serve_site(example_site)
    about = shared / "pages/about.md"
    about.write_text(about.read_text() + "\nSaved in the shared folder.\n")
    deadline = time.monotonic() + 30
    while b"Saved in the shared folder." not in fetch(served.url + "about/")[2]:
        assert time.monotonic() < deadline, "the save was never built"
        time.sleep(0.2)


def test_a_setting_only_a_new_preview_applies_is_told(example_site, serve_site):
    served = serve_site(example_site)
    yaml = example_site / "site.yaml"
    yaml.write_text(yaml.read_text().replace("base_url: http://localhost:8000/",
                                             "base_url: https://example.org/desk/"))
    import queue
    import threading

    lines: queue.Queue[str] = queue.Queue()
    assert served.proc.stdout is not None
    threading.Thread(target=lambda: [lines.put(line) for line in served.proc.stdout],
                     daemon=True).start()
    deadline = time.monotonic() + 30
    while True:
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))  # raises when late
        if "base_url changed" in line:
            break
    assert line.strip() == ("briefgen: note: site.yaml's base_url changed; stop and start briefgen "
                            "serve again to apply it")


@pytest.mark.parametrize(("prefix", "path", "files"), [
    ("/", "/actors//russia/", {"actors/russia", "actors/russia/index.html"}),
    ("/", "/actors/./russia/", {"actors/russia", "actors/russia/index.html"}),
    ("/", "/./", {"index.html"}),
    ("/briefs/", "/briefs//x/", {"x", "x/index.html"}),
    ("/briefs/", "/x/", set()),
])
def test_a_request_waits_for_the_files_it_is_served(prefix, path, files):
    """The files a request waits for while they are remade are the ones it is served:
    empty and ``.`` parts left out, as when the file is looked up."""
    from briefgen.server import requested_files

    assert requested_files(prefix, path) == files
