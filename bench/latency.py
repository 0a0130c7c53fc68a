"""Save-to-reloaded latency of the live preview, measured in a real browser.

    python bench/latency.py --sizes example,1000,5000,10000 --edits 12

For each site, start the preview server (`briefgen serve`, and `hugo server` on the Hugo
twin of a generated corpus) and open, in headless Chromium, one briefing page and the page of
an actor that the briefing links, each in its own tab. Then two kinds of edit, each repeated:

- ``body``: a paragraph with a fresh token appended to the briefing's file; timed until the
  token is in the briefing page's text;
- ``title``: a fresh token added to the briefing's title; timed until it is in the briefing
  page and until the server serves the actor page with it (the page lists the briefing's
  entries, or for Hugo the briefings, by title; its tab stays open, so that a server that
  makes open pages first can).

Each time is file write → new text visible in the briefing's tab (the first paint of the
reloaded document, from the browser's paint timing) or served, for the actor.
Prints the median, minimum and 90th percentile per site, tool, edit and page, and the peak
memory of each server.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from run import TreeMemorySampler, corpus, find_hugo  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout:.0f} s")


@contextmanager
def server(cmd: list[str], port: int, log: Path, env: dict[str, str]
           ) -> Iterator[TreeMemorySampler]:
    """A running preview server; the sampler keeps the peak memory (summed PSS) of its
    process tree, from start-up (the first build) to the end of the edits."""
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
        try:
            with TreeMemorySampler(proc.pid, interval=0.1) as memory:
                wait_for_port(port, 900)
                yield memory
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def with_token(text: str, edit: str, token: str) -> str:
    """The briefing's file with ``token`` added as ``edit`` says."""
    if edit == "body":
        return text + f"\n\nA paragraph with {token}.\n"
    line = re.search(r"^title: (.*)$", text, re.MULTILINE)
    assert line is not None, "a briefing without a title line"
    value = line.group(1)
    titled = value[:-1] + f" {token}" + value[-1] if value[:1] in "\"'" else f"{value} {token}"
    return text[:line.start(1)] + titled + text[line.end(1):]


def wait_until_served(url: str, token: str, timeout: float) -> None:
    """Ask for ``url`` until its text holds ``token`` (the other pages are timed as served,
    not as shown: a preview server reloads only the tab of the page that changed, or every
    tab, as it sees fit)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            if token.encode() in response.read():
                return
        time.sleep(0.005)
    raise TimeoutError(f"{url} did not show {token} within {timeout:.0f} s")


def measure(browser: Browser, urls: list[str], source: Path, edit: str, edits: int,
            settle: float) -> list[list[float]]:
    """Per page of ``urls`` (the briefing's, then the actor's for a title edit), the time
    from each write until the page shows the new text."""
    pages = [browser.new_page() for _ in urls]
    for page, url in zip(pages, urls, strict=True):
        page.goto(url, timeout=900000)  # the first build of a large site comes first
    pages[0].wait_for_timeout(settle * 1000)  # the live-reload connections are up
    original = source.read_text(encoding="utf-8")
    times: list[list[float]] = [[] for _ in urls]
    try:
        for number in range(edits):
            token = f"latencytoken{number}x{int(time.time() * 1000)}"
            started, wall = time.perf_counter(), time.time() * 1000
            source.write_text(with_token(original, edit, token), encoding="utf-8")
            pages[0].wait_for_function(
                f"document.body && document.body.innerText.includes('{token}')",
                polling=5, timeout=120000)
            noticed = (time.perf_counter() - started) * 1000
            times[0].append(shown_after(pages[0], wall, noticed))
            for url, found in zip(urls[1:], times[1:], strict=True):
                wait_until_served(url, token, timeout=120)
                found.append((time.perf_counter() - started) * 1000)
            pages[0].wait_for_timeout(settle * 1000)
    finally:
        source.write_text(original, encoding="utf-8")
        pages[0].wait_for_timeout(settle * 2000)  # the preview is back to the original
        for page in pages:
            page.close()
    return times


# When the document now shown was first painted, on the wall clock (ms); None when the page
# has no such entry (the text came without a new document).
FIRST_PAINT = """() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return paint ? performance.timeOrigin + paint.startTime : null;
}"""


def shown_after(page: Page, written: float, noticed: float) -> float:
    """Milliseconds from the write to the new text on screen: the reloaded document's first
    paint, when it came after the write; else when the text was noticed. (Noticing goes
    through the browser's automation channel, which adds tens of milliseconds that a reader
    does not wait for, the same for both tools.)"""
    painted = page.evaluate(FIRST_PAINT)
    if painted is None or painted < written:
        return noticed
    return min(noticed, painted - written)


def linked_actor(source: Path) -> str:
    """An actor that the briefing links (the first one, by id; the Hugo twin has the same
    actors, linked with Markdown links)."""
    found = re.search(r"\[\[([a-z0-9-]+)[\]|]", source.read_text(encoding="utf-8"))
    assert found is not None, f"{source} links no actor"
    return found.group(1)


def site_for(size: str, workdir: Path) -> tuple[Path, Path | None, str]:
    """(briefgen site, Hugo site or None, briefing id) in a scratch copy."""
    scratch = workdir / f"latency-{size}"
    if scratch.exists():
        shutil.rmtree(scratch)
    if size == "example":
        scratch.mkdir(parents=True)
        shutil.copy(ROOT / "site.yaml", scratch / "site.yaml")
        shutil.copytree(ROOT / "content", scratch / "content")
        return scratch, None, "russia-written-response"
    pristine = corpus(workdir, int(size), 1, sys.executable)
    shutil.copytree(pristine, scratch)
    briefing = sorted((scratch / "briefgen/content/briefings").glob("*.md"))[len(
        list((scratch / "briefgen/content/briefings").glob("*.md"))) // 2].stem
    return scratch / "briefgen", scratch / "hugo", briefing


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return (f"median {statistics.median(ordered):7.0f} ms   min {ordered[0]:6.0f} ms   "
            f"p90 {p90:6.0f} ms   (n={len(ordered)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="example,1000", help="example and/or briefing counts")
    parser.add_argument("--edits", type=int, default=12)
    parser.add_argument("--tools", default="briefgen,hugo")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench"))
    parser.add_argument("--settle", type=float, default=0.5,
                        help="seconds to wait after each reload before the next edit")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "BRIEFGEN_CACHE_DIR": str(args.workdir / "cache-latency")}
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for size in args.sizes.split(","):
            site, hugo_site, briefing = site_for(size, args.workdir)
            actor = linked_actor(site / f"content/briefings/{briefing}.md")  # the same for both
            tools = []
            if "briefgen" in args.tools:
                tools.append(("briefgen serve", site, lambda port, s=site: [
                    sys.executable, "-m", "briefgen", "--site", str(s), "serve",
                    "--port", str(port)]))
            if "hugo" in args.tools and hugo_site is not None:
                tools.append(("hugo server", hugo_site, lambda port, s=hugo_site: [
                    find_hugo(None), "server", "--source", str(s), "--port", str(port),
                    "--bind", "127.0.0.1", "--logLevel", "warn"]))
            for tool, root, command in tools:
                port = free_port()
                log = args.workdir / f"latency-{tool.split()[0]}-{size}.log"
                source = root / f"content/briefings/{briefing}.md"
                base = f"http://127.0.0.1:{port}"
                pages = {"briefing": f"{base}/briefings/{briefing}/",
                         "actor": f"{base}/actors/{actor}/"}
                with server(command(port), port, log, env) as memory:
                    for edit, shown in (("body", ["briefing"]), ("title", ["briefing", "actor"])):
                        times = measure(browser, [pages[name] for name in shown], source, edit,
                                        args.edits, args.settle)
                        for name, found in zip(shown, times, strict=True):
                            rows.append((size, tool, f"{edit:5} {name:8}", summary(found)))
                            print(f"{size:>8}  {tool:15} {rows[-1][2]}  {rows[-1][3]}",
                                  flush=True)
                rows.append((size, tool, "peak memory   ",
                             f"{memory.peak_kib / 1024:7.0f} MiB (summed PSS of the server's "
                             "processes, first build included)"))
                print(f"{size:>8}  {tool:15} {rows[-1][2]}  {rows[-1][3]}", flush=True)
        browser.close()
    print("\nsave-to-reloaded (file write -> new text in the page), Chromium headless")
    for size, tool, what, text in rows:
        print(f"{size:>8}  {tool:15} {what}  {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
