"""Save-to-reloaded latency of the live preview, measured in a real browser.

    python bench/latency.py --sizes example,1000,5000 --edits 12

For each site, start the preview server (`briefgen serve`, and `hugo server` on the Hugo
twin of a generated corpus), open one briefing page in headless Chromium, then repeatedly
append a paragraph with a fresh token to that briefing's file and time how long it takes
until the token is in the page's text: file write → new text visible. Prints the median,
minimum and 90th percentile per site and tool.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from run import corpus, find_hugo  # noqa: E402

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
def server(cmd: list[str], port: int, log: Path, env: dict[str, str]) -> Iterator[None]:
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
        try:
            wait_for_port(port, 900)
            yield
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def measure(browser: Browser, url: str, source: Path, edits: int, settle: float) -> list[float]:
    page = browser.new_page()
    page.goto(url, timeout=120000)
    page.wait_for_timeout(settle * 1000)  # the live-reload connection is up
    original = source.read_text(encoding="utf-8")
    times: list[float] = []
    try:
        for number in range(edits):
            token = f"latencytoken{number}x{int(time.time() * 1000)}"
            started = time.perf_counter()
            source.write_text(original + f"\n\nA paragraph with {token}.\n", encoding="utf-8")
            page.wait_for_function(f"document.body && document.body.innerText.includes('{token}')",
                                   polling=5, timeout=120000)
            times.append((time.perf_counter() - started) * 1000)
            page.wait_for_timeout(settle * 1000)
    finally:
        source.write_text(original, encoding="utf-8")
        page.close()
    return times


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
                with server(command(port), port, log, env):
                    times = measure(browser, f"http://127.0.0.1:{port}/briefings/{briefing}/",
                                    root / f"content/briefings/{briefing}.md", args.edits,
                                    args.settle)
                rows.append((size, tool, summary(times)))
                print(f"{size:>8}  {tool:15} {rows[-1][2]}", flush=True)
        browser.close()
    print("\nsave-to-reloaded (file write -> new text in the page), Chromium headless")
    for size, tool, text in rows:
        print(f"{size:>8}  {tool:15} {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
