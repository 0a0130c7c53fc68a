"""Search index benchmark: briefgen's term-sharded index against Pagefind on the same output.

    python bench/search.py --sizes 1000,10000 [--workdir DIR] [--pagefind "python -m pagefind"]

For each size it generates the corpus (``gen_corpus.py``, cached in the work folder), builds
it with briefgen and reports:

- the index's size and files, and the time its nodes take in a cold build and in the build
  after one briefing is edited (measured in this process, one core: the units, blocks and
  index files are timed around their functions, in CPU time, which other work on a shared
  machine does not inflate as it does wall time), with the wall time of both whole builds;
- the bytes that edit rewrote under ``search/`` (files with a new inode: unchanged files
  are hard links to the previous build's);
- the bytes each query loads in Chromium (every ``search/*.bin`` response: manifest,
  vocabulary pages, shards, the documents of the first 10 results), for the most common word,
  a rare name, two words, a phrase and a prefix;

and, with ``--cold-runs N``, what the index adds to a whole cold build: N rounds of cold builds
(two jobs, subprocesses, empty cache) with the index and without it (its nodes and files left
out), interleaved, the medians of their CPU time (user and system, of the build and the workers
it waited for, from ``os.wait4``) and wall time;

then runs Pagefind over a hard-linked copy of the same output (its build time, index size,
and the bytes the same queries load through its JavaScript API with the first 10 results'
data). Pagefind is a benchmark tool only: install it in the environment that runs this
(``pip install 'pagefind[extended]'``); without it the Pagefind rows are skipped. Nothing here
uses the network once the packages are installed.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
PAGEFIND_PAGE = """<!doctype html><meta charset="utf-8"><title>pagefind bench</title>
<script type="module">
window.run = async (q) => {
  const pagefind = await import("./pagefind/pagefind.js");
  const search = await pagefind.search(q);
  const data = await Promise.all(search.results.slice(0, 10).map(r => r.data()));
  return [search.results.length, data.map(d => d.meta.title)];
};
</script>"""


def corpus(workdir: Path, size: int, seed: int) -> Path:
    folder = workdir / f"corpus-n{size}-s{seed}"
    if not (folder / "briefgen" / "site.yaml").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([sys.executable, str(ROOT / "bench/gen_corpus.py"), "--briefings",
                        str(size), "--out", str(folder), "--seed", str(seed)], check=True,
                       stdout=subprocess.DEVNULL)
    return folder / "briefgen"


# ------------------------------------------------------------------------ timing the index


class Timers:
    """CPU time spent in the search index's node functions (patched in before a build)."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()

    @contextlib.contextmanager
    def patched(self) -> Iterator[None]:
        from briefgen.search import blocks, files, units

        originals = [(units, "unit"), (blocks, "blocks"), (blocks, "layout"),
                     (blocks, "block"), (files, "make")]
        saved = [(module, name, getattr(module, name)) for module, name in originals]
        for module, name, function in saved:
            setattr(module, name, self._timed(f"{module.__name__.rsplit('.', 1)[1]}.{name}",
                                              function))
        try:
            yield
        finally:
            for module, name, function in saved:
                setattr(module, name, function)

    def _timed(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any) -> Any:
            started = time.process_time()
            try:
                return function(*args)
            finally:
                self.seconds[label] += time.process_time() - started

        return timed

    def total(self) -> float:
        return sum(self.seconds.values())


def build_in_process(site: Path, out: Path, cache: Path) -> tuple[float, Timers]:
    """A build in this process, one core (so that every search node runs here and is timed)."""
    os.environ["BRIEFGEN_CACHE_DIR"] = str(cache)
    from briefgen.build import BuildOptions, build

    timers = Timers()
    with timers.patched():
        started = time.perf_counter()
        result = build(site, BuildOptions(out=out, jobs=1))
        seconds = time.perf_counter() - started
    if not result.ok:
        raise SystemExit("the build failed: " + "; ".join(d.headline() for d in result.diagnostics))
    return seconds, timers


def build_subprocess(site: Path, out: Path, cache: Path) -> float:
    env = {**os.environ, "BRIEFGEN_CACHE_DIR": str(cache)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "briefgen", "--site", str(site), "build", "--out",
                    str(out), "--quiet"], check=True, env=env, cwd=ROOT)
    return time.perf_counter() - started


# A build without the search index: its nodes are not made and its files not planned (for
# measuring what the index adds; this reaches into the build's list of a document's nodes).
WITHOUT_INDEX = """
import sys
import briefgen.build as build
import briefgen.search.files as files
build.DOCUMENT_KINDS = tuple(k for k in build.DOCUMENT_KINDS if not k.startswith("search"))
files.planned = lambda r: []
from briefgen.cli import run
sys.argv[0] = "briefgen"
run()
"""


def cold_cpu(site: Path, out: Path, cache: Path, index: bool) -> tuple[float, float, float]:
    """A cold build in a subprocess: (user, system) CPU seconds, its workers included, and
    wall seconds."""
    for folder in (out, cache):
        shutil.rmtree(folder, ignore_errors=True)
    command = [sys.executable, "-m", "briefgen"] if index else [sys.executable, "-c", WITHOUT_INDEX]
    env = {**os.environ, "BRIEFGEN_CACHE_DIR": str(cache),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    started = time.perf_counter()
    process = subprocess.Popen([*command, "--site", str(site), "build", "--out", str(out),
                                "--quiet"], env=env, cwd=out.parent,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if status:
        raise SystemExit(f"the cold build failed ({command[-1][:20]}…)")
    return usage.ru_utime, usage.ru_stime, time.perf_counter() - started


def report_cold(site: Path, workdir: Path, runs: int) -> None:
    found: dict[bool, list[tuple[float, float, float]]] = {True: [], False: []}
    for round_ in range(runs):
        for index in (True, False) if round_ % 2 == 0 else (False, True):
            found[index].append(cold_cpu(site, workdir / "out-cold", workdir / "cache-cold",
                                         index))
    print(f"\ncold builds, {runs} rounds (median CPU user + system, wall):")
    for index, label in ((True, "with the index"), (False, "without it")):
        user, system, wall = (statistics.median(r[i] for r in found[index]) for i in range(3))
        cpu = sorted(r[0] + r[1] for r in found[index])
        print(f"  {label:15} {statistics.median(cpu):6.2f} s CPU ({cpu[0]:.2f}–{cpu[-1]:.2f}; "
              f"user {user:.2f}, system {system:.2f}), {wall:.2f} s wall")


def search_files(out: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_size)
            for p in (out / "search").rglob("*.bin")}


def edit_one_briefing(site: Path) -> Path:
    """Append a sentence with new words to the body of one briefing (the middle one)."""
    briefings = sorted((site / "content/briefings").glob("*.md"))
    target = briefings[len(briefings) // 2]
    target.write_text(target.read_text() + "\nA zyxwvut quorbling sentence about the harbour "
                      f"{time.time_ns()}.\n")
    return target


def rare_name(site: Path) -> str:
    """The last word of the name of the actor linked least often (a rare word)."""
    counts: Counter[str] = Counter()
    for briefing in (site / "content/briefings").glob("*.md"):
        counts.update(re.findall(r"\[\[([a-z0-9-]+)", briefing.read_text()))
    actor = min(counts, key=lambda a: (counts[a], a))
    text = (site / f"content/actors/{actor}.yaml").read_text()
    name = re.search(r"^name: (.+)$", text, re.M)
    return (name.group(1) if name else actor).strip().strip('"').split()[-1]


# ------------------------------------------------------------------------ queries in Chromium


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def measure_queries(out: Path, queries: list[str], pagefind: bool) -> list[tuple[str, int, str]]:
    """(query, bytes loaded, what it found) for each query, in a fresh page each."""
    from urllib.parse import quote

    from playwright.sync_api import sync_playwright

    found = []
    with serving(out) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--headless", "--no-sandbox"])
        for query in queries:
            page = browser.new_page()
            loaded: list[int] = []
            watched = "/pagefind/" if pagefind else "/search/"

            def seen(response: Any, watched: str = watched, loaded: list[int] = loaded) -> None:
                if watched in response.url and not response.url.endswith((".html", "/")):
                    with contextlib.suppress(Exception):
                        loaded.append(len(response.body()))

            page.on("response", seen)
            if pagefind:
                page.goto(base + "pf-bench.html")
                page.wait_for_function("window.run !== undefined")
                count, _ = page.evaluate("q => window.run(q)", query)
                what = f"{count} results"
            else:
                page.goto(base + "search/?q=" + quote(query))
                page.wait_for_function(
                    "(() => { const s = document.getElementById('bg-search-status').textContent;"
                    " return s && !s.startsWith('Loading'); })()", timeout=600_000)
                page.wait_for_function(
                    "document.querySelectorAll('#bg-results li').length === Math.min(10, "
                    "parseInt(document.getElementById('bg-search-status').textContent) || 0)",
                    timeout=600_000)
                what = page.locator("#bg-search-status").inner_text()
            page.wait_for_timeout(200)
            found.append((query, sum(loaded), what))
            page.close()
        browser.close()
    return found


def run_pagefind(command: list[str], out: Path, workdir: Path) -> tuple[Path, float, int, int]:
    copy = workdir / f"{out.name}-pagefind"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(out, copy, copy_function=os.link)
    started = time.perf_counter()
    subprocess.run([*command, "--site", str(copy)], check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    index = [p for p in (copy / "pagefind").rglob("*") if p.is_file()]
    (copy / "pf-bench.html").write_text(PAGEFIND_PAGE)
    return copy, seconds, sum(p.stat().st_size for p in index), len(index)


def kib(n: float) -> str:
    return f"{n / 1024:,.1f} KiB"


def report_size(size: int, args: argparse.Namespace) -> None:
    site = corpus(args.workdir, size, args.seed)
    work = args.workdir / f"site-n{size}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(site, work)
    out, cache = args.workdir / f"out-n{size}", args.workdir / f"cache-n{size}"
    for folder in (out, cache):
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\n## {size} briefings\n")
    cold_wall = build_subprocess(work, out, cache)
    shutil.rmtree(cache)
    shutil.rmtree(out)
    cold, timers = build_in_process(work, out, cache)
    files = search_files(out)
    print(f"cold build (2 jobs, subprocess): {cold_wall:.1f} s wall")
    parts = ", ".join(f"{k} {v:.2f} s" for k, v in timers.seconds.most_common())
    print(f"cold build (1 job, in process): {cold:.1f} s wall, of which the search index "
          f"{timers.total():.2f} s CPU ({parts})")
    print(f"index: {len(files)} files, {kib(sum(s for _, s in files.values()))}; "
          f"largest shard {kib(max(s for r, (_, s) in files.items() if '/t/' in r))}; "
          f"manifest {kib(files['search/manifest.bin'][1])}")
    if args.cold_runs:
        report_cold(work, args.workdir, args.cold_runs)
    target = edit_one_briefing(work)
    edit, timers = build_in_process(work, out, cache)
    after = search_files(out)
    rewritten = {r: s for r, (ino, s) in after.items() if files.get(r, (None,))[0] != ino}
    kinds = Counter(r.split("/")[1] for r in rewritten)
    print(f"edit of {target.name} (1 job, in process): {edit:.2f} s wall, of which the search "
          f"index {timers.total():.2f} s CPU; rewrote {len(rewritten)} index files, "
          f"{kib(sum(rewritten.values()))} ({dict(kinds)})")
    common, rare = "the", rare_name(work)
    queries = [common, rare, f"{common} harbour", '"of the"', "con"]
    print("\nbytes loaded per query (briefgen):")
    for query, loaded, what in measure_queries(out, queries, pagefind=False):
        print(f"  {query!r:22} {kib(loaded):>12}  {what}")
    if args.pagefind:
        try:
            copy, seconds, size_bytes, count = run_pagefind(args.pagefind, out, args.workdir)
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"\nPagefind did not run: {exc}")
            return
        print(f"\nPagefind: {seconds:.1f} s wall, index {count} files, {kib(size_bytes)}")
        for query, loaded, what in measure_queries(copy, queries, pagefind=True):
            print(f"  {query!r:22} {kib(loaded):>12}  {what}")
        shutil.rmtree(copy, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000", help="comma-separated numbers of briefings")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench-search"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cold-runs", type=int, default=0,
                        help="rounds of cold builds with and without the index (0: none)")
    parser.add_argument("--pagefind", default=f"{shlex.quote(sys.executable)} -m pagefind",
                        help="the command that runs Pagefind ('' to skip it)")
    args = parser.parse_args(argv)
    args.pagefind = shlex.split(args.pagefind) if args.pagefind else None
    args.workdir.mkdir(parents=True, exist_ok=True)
    for size in (int(s) for s in args.sizes.split(",")):
        report_size(size, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
