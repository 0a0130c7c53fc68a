"""How `briefgen check` scales with one big, link-dense briefing.

    python bench/dense.py [--n 10000] [--mb 10] [--runs 3] [--cases paragraph,lines,yaml,source,plain]

For every case a site is generated (deterministically) with one big file, at ``n`` and ``2n``
units and at about ``--mb`` megabytes; ``python -m briefgen --site SITE check`` runs on it as a
subprocess ``--runs`` times (an empty cache folder each time, so every check is cold). The
table gives the median wall time, the peak RSS of the largest process (``os.wait4``), the
doubling ratio (time at 2n over time at n) and the big file's figures against the targets:
doubling at most 2.2x, a 10 MB link-dense briefing in at most 15 s and 30x its size in memory.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from run import TreeMemorySampler, snapshot_briefgen

HERE = Path(__file__).resolve().parent
ACTORS = 200
SOURCES = 200
DOUBLING_TARGET = 2.2
SECONDS_TARGET = 15.0
MEMORY_TARGET = 30.0  # peak RSS over file size
PROSE = ("the envoy said that talks would resume after a pause in which both sides weighed"
         " new terms for a ceasefire while observers noted troop movements near the border"
         " and ministers met again to discuss sanctions trade grain exports and prisoners")
WORDS = tuple(PROSE.split())


# --------------------------------------------------------------------------- content


class Writer:
    """Deterministic pieces of text: words, links and citations from a seeded generator."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def words(self, count: int) -> str:
        return " ".join(self.random.choice(WORDS) for _ in range(count))

    def link(self) -> str:
        number = self.random.randrange(ACTORS)
        if self.random.random() < 0.3:
            return f"[[actor-{number}|the {self.random.choice(WORDS)}]]"
        return f"[[actor-{number}]]"

    def cite(self) -> str:
        number = self.random.randrange(SOURCES)
        if self.random.random() < 0.2:
            return f"[@source-{number}, p. {self.random.randrange(1, 300)}]"
        return f"[@source-{number}]"

    def dense_line(self) -> str:
        return f"{self.link()} {self.words(3)} {self.link()} {self.words(2)} {self.cite()}."


FRONT = "---\ntitle: A dense briefing\ndate: 2022-03-01\n---\n\n"


def paragraph_case(w: Writer, n: int) -> Iterator[str]:
    """One entry whose body is one paragraph of ``n`` citations, four to a line."""
    yield FRONT + "## 2022-01-01 One long paragraph\n\n"
    for number in range(n):
        yield f"{w.words(2)} {w.cite()}" + ("\n" if number % 4 == 3 else " ")
    yield "\n"


def lines_case(w: Writer, n: int) -> Iterator[str]:
    """``n`` lines of links and citations: paragraphs of 10 lines, an entry every 200."""
    yield FRONT
    for number in range(n):
        if number % 200 == 0:
            yield f"\n## 2022-01-01 Part {number // 200} {{#part-{number // 200}}}\n\n"
        elif number % 10 == 0:
            yield "\n"
        yield w.dense_line() + "\n"


def yaml_case(w: Writer, n: int) -> Iterator[str]:
    """A YAML briefing: ``n`` lines of links in folded (``>``) entry bodies, 200 to an entry,
    where the Markdown text is not line for line the file's text."""
    yield "title: A dense YAML briefing\ndate: 2022-03-01\nentries:\n"
    for number in range(n):
        if number % 200 == 0:
            yield (f"  - date: 2022-01-01\n    title: Part {number // 200}\n"
                   f"    id: part-{number // 200}\n    body: >\n")
        elif number % 10 == 0:
            yield "\n"
        yield "      " + w.dense_line() + "\n"


def source_case(w: Writer, n: int) -> Iterator[str]:
    """A source file whose Markdown body is a list of ``n`` lines of links."""
    yield "---\ntitle: Notes on everyone\npublisher: Wire\ndate: 2022-01-01\n---\n\n"
    for _ in range(n):
        yield f"- {w.dense_line()}\n"


def plain_case(w: Writer, n: int) -> Iterator[str]:
    """Prose: ``n`` lines of about 80 characters, one link and one citation a paragraph."""
    yield FRONT
    for number in range(n):
        if number % 120 == 0:
            yield f"\n## 2022-01-01 Chapter {number // 120} {{#chapter-{number // 120}}}\n\n"
        elif number % 6 == 0:
            yield "\n"
        line = w.words(13)
        if number % 6 == 0:
            line += f" {w.link()} {w.cite()}"
        yield line + "\n"


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Writer, int], Iterator[str]]
    path: str  # the big file, relative to the site
    dense: bool  # held to the 10 MB targets
    what: str


CASES = {c.name: c for c in (
    Case("paragraph", paragraph_case, "content/briefings/dense.md", True,
         "one paragraph of N citations"),
    Case("lines", lines_case, "content/briefings/dense.md", True,
         "N lines of [[links]] in Markdown"),
    Case("yaml", yaml_case, "content/briefings/dense.yaml", True,
         "N lines of links in folded YAML bodies"),
    Case("source", source_case, "content/sources/notes.md", True,
         "a source file of N lines of links"),
    Case("plain", plain_case, "content/briefings/dense.md", False,
         "N lines of prose, few links"),
)}


def write_site(folder: Path, case: Case, n: int, seed: int) -> int:
    """A site with ``ACTORS`` actors, ``SOURCES`` sources and the case's big file; returns
    the big file's size in bytes."""
    shutil.rmtree(folder, ignore_errors=True)
    for kind in ("actors", "sources", "briefings"):
        (folder / "content" / kind).mkdir(parents=True)
    (folder / "site.yaml").write_text("title: Dense\nbase_url: https://example.org/\n")
    for number in range(ACTORS):
        (folder / f"content/actors/actor-{number}.yaml").write_text(
            f"name: Actor {number}\nkind: person\n")
    for number in range(SOURCES):
        (folder / f"content/sources/source-{number}.yaml").write_text(
            f"title: Report {number}\npublisher: Wire\ndate: 2022-01-01\n")
    if case.name == "source":  # every source is cited once, so that none is unused
        cites = " ".join(f"[@source-{k}]" for k in range(SOURCES)) + " [@notes]"
        (folder / "content/briefings/cites.md").write_text(
            f"{FRONT}## 2022-01-01 Everything cited\n\n{cites}\n")
    big = folder / case.path
    with big.open("w", encoding="utf-8") as out:
        for piece in case.make(Writer(seed), n):
            out.write(piece)
    return big.stat().st_size


def units_for(case: Case, megabytes: float, seed: int) -> int:
    """How many units make the case's file about ``megabytes`` long."""
    sample = 2000
    size = sum(len(p.encode()) for p in case.make(Writer(seed), sample))
    return max(1, round(megabytes * 1_000_000 * sample / size))


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    seconds: float
    cpu_seconds: float  # user + system, of the check and the workers it waited for
    max_rss_kib: int  # the largest process (ru_maxrss from wait4)
    peak_pss_kib: int  # the sampled peak of the summed PSS of the process tree
    exit: int  # the exit status; -1 after a timeout


@dataclass
class Row:
    case: str
    size: str  # "n", "2n" or the megabytes
    units: int
    file_bytes: int
    runs: list[Run] = field(default_factory=list)

    @property
    def timed_out(self) -> bool:
        return any(r.exit == -1 for r in self.runs)

    @property
    def seconds(self) -> float:
        """The median; at least the timeout when a run was stopped."""
        if self.timed_out:
            return max(r.seconds for r in self.runs)
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu_seconds(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def rss_mb(self) -> float:
        return statistics.median(r.max_rss_kib for r in self.runs) * 1024 / 1e6

    @property
    def pss_mb(self) -> float:
        return max(r.peak_pss_kib for r in self.runs) * 1024 / 1e6

    @property
    def times_size(self) -> float:
        return self.rss_mb * 1e6 / self.file_bytes


def check_once(site: Path, python: str, env: dict[str, str], timeout: float, log: Path) -> Run:
    """One `briefgen check` of ``site`` in its own process group, killed after ``timeout``."""
    with tempfile.TemporaryDirectory(prefix="dense-cache-") as cache, log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen([python, "-m", "briefgen", "--site", str(site), "check"],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env={**env, "BRIEFGEN_CACHE_DIR": cache}, cwd=log.parent,
                                start_new_session=True)
        timer = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL))
        timer.start()
        with TreeMemorySampler(proc.pid, 0.05) as sampler:
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - started
        killed = not timer.is_alive()
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, sampler.peak_kib,
               -1 if killed else proc.returncode)


def measure_row(row: Row, site: Path, args: argparse.Namespace, env: dict[str, str]) -> Row:
    log = args.workdir / "logs" / f"{row.case}-{row.size}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(args.runs):
        run = check_once(site, args.python, env, args.timeout, log)
        row.runs.append(run)
        if run.exit != 0:
            tail = log.read_text(encoding="utf-8", errors="replace")[-600:]
            print(f"  {row.case} {row.size}: exit {run.exit} after {run.seconds:.1f} s"
                  f"{' (timeout)' if run.exit == -1 else ''}\n{tail}", file=sys.stderr)
            break  # a timeout or a failure is not repeated
    return row


# --------------------------------------------------------------------------- report


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def seconds_cell(row: Row) -> str:
    return f">{row.seconds:.0f} (timeout)" if row.timed_out else f"{row.seconds:.2f}"


def rss_cell(row: Row) -> str:
    # A stopped check's workers were killed, not waited for: their memory is not in wait4's.
    return "n/a" if row.timed_out else f"{row.rss_mb:.0f} ({row.times_size:.0f}x)"


def report(rows: list[Row]) -> str:
    by_key = {(r.case, r.size): r for r in rows}
    measured = table(
        ["case", "size", "units", "file MB", "wall s", "CPU s", "max RSS MB (x file)",
         "peak PSS MB"],
        [[r.case, r.size, str(r.units), f"{r.file_bytes / 1e6:.2f}", seconds_cell(r),
          "-" if r.timed_out else f"{r.cpu_seconds:.2f}", rss_cell(r), f"{r.pss_mb:.0f}"]
         for r in rows])
    doubling = []
    for name in CASES:
        one, two = by_key.get((name, "n")), by_key.get((name, "2n"))
        if one and two:
            ratio = two.seconds / one.seconds
            ok = not two.timed_out and ratio <= DOUBLING_TARGET
            cpu = "-" if one.timed_out or two.timed_out else \
                f"{two.cpu_seconds / one.cpu_seconds:.2f}"
            doubling.append([name, seconds_cell(one), seconds_cell(two),
                             f"{'>' if two.timed_out else ''}{ratio:.2f}", cpu,
                             "yes" if ok else "NO"])
    parts = [measured]
    if doubling:
        parts.append(table(["case", "n: wall s", "2n: wall s", "2n / n", "2n / n (CPU)",
                            f"<= {DOUBLING_TARGET}x"], doubling))
    big = [r for r in rows if r.size not in ("n", "2n")]
    if big:
        parts.append(table(
            ["case", "file MB", "wall s", f"<= {SECONDS_TARGET:.0f} s", "max RSS MB (x file)",
             f"<= {MEMORY_TARGET:.0f}x file"],
            [[r.case + ("" if CASES[r.case].dense else " (not held to the targets)"),
              f"{r.file_bytes / 1e6:.2f}", seconds_cell(r),
              "yes" if not r.timed_out and r.seconds <= SECONDS_TARGET else "NO", rss_cell(r),
              "yes" if not r.timed_out and r.times_size <= MEMORY_TARGET else "NO"]
             for r in big]))
    return "\n\n".join(parts)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10000,
                        help="units (citations or lines) of the small size; 2n is run too")
    parser.add_argument("--mb", type=float, default=10.0,
                        help="size in MB of the big file (0: skip the big files)")
    parser.add_argument("--runs", type=int, default=3, help="checks per case and size")
    parser.add_argument("--cases", default=",".join(CASES),
                        help=f"comma-separated, of: {', '.join(CASES)}")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per check")
    parser.add_argument("--workdir", type=Path,
                        help="where sites, logs and the snapshot go (default: a temporary "
                             "folder, removed at the end)")
    parser.add_argument("--package", type=Path, default=HERE.parent / "briefgen",
                        help="the briefgen package to measure (copied first; default: this "
                             "checkout's)")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter that runs `python -m briefgen`")
    parser.add_argument("--json", type=Path, help="also write every run to this file")
    args = parser.parse_args(argv)
    unknown = set(args.cases.split(",")) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s): {', '.join(sorted(unknown))}")
    return args


def sizes(args: argparse.Namespace, case: Case) -> list[tuple[str, int]]:
    chosen = [("n", args.n), ("2n", 2 * args.n)]
    if args.mb > 0:
        chosen.append((f"{args.mb:g} MB", units_for(case, args.mb, args.seed)))
    return chosen


def run_all(args: argparse.Namespace) -> list[Row]:
    snapshot, _ = snapshot_briefgen(args.package.resolve(), args.workdir, args.python)
    env = {**os.environ, "PYTHONPATH": str(snapshot)}
    rows: list[Row] = []
    for name in args.cases.split(","):
        case = CASES[name]
        for size, units in sizes(args, case):
            site = args.workdir / "sites" / f"{name}-{size.replace(' ', '')}"
            file_bytes = write_site(site, case, units, args.seed)
            row = measure_row(Row(name, size, units, file_bytes), site, args, env)
            rows.append(row)
            print(f"{name:<9} {size:<6} {units:>8} units {file_bytes / 1e6:6.2f} MB "
                  f"{seconds_cell(row):>10} s {row.rss_mb:6.0f} MB", file=sys.stderr, flush=True)
            shutil.rmtree(site)
    return rows


def describe_package(package: Path) -> str:
    """Which code was measured: the commit of the checkout the package lies in, if any."""
    done = subprocess.run(["git", "-C", str(package.resolve().parent), "log", "-1",
                           "--format=%h %s"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return f"package {package}"
    dirty = subprocess.run(["git", "-C", str(package.resolve().parent), "status", "--porcelain",
                            "--", package.name], capture_output=True, text=True, check=False)
    return f"commit {done.stdout.strip()[:60]}" + (" (modified)" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    temporary = args.workdir is None
    if temporary:
        args.workdir = Path(tempfile.mkdtemp(prefix="briefgen-dense-"))
    try:
        rows = run_all(args)
    finally:
        if temporary:
            shutil.rmtree(args.workdir, ignore_errors=True)
    print(f"briefgen check, median of {args.runs} run(s); n = {args.n}; "
          f"{describe_package(args.package)}")
    print(report(rows))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1))
    failed = any(r.runs and r.runs[-1].exit not in (0, -1) for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
