"""The content fuzzer at a large budget, with figures.

    python bench/fuzz.py [--files 10000] [--workdir DIR] [--seed N] [--limit SECONDS]

Generates small sites, each a valid site with one to three files replaced or added by fuzzed
ones (the strategies of ``tests/fuzzing.py``: every loader, dates, Markdown with links,
citations and headings, the YAML forms, random bytes, every forbidden character), and for each
runs ``briefgen check`` and ``briefgen build`` in this process. It prints the files tried, the
tracebacks, the hangs (a check or build over ``--limit`` seconds), the other problems
(malformed or misplaced diagnostics, a failed build that touched the previous output, output
XML or JSON that does not parse), the longest check-and-build of one site and the peak memory.
Each site with a problem is kept under ``WORKDIR/problems/`` for a closer look. Exits 1 when
anything went wrong.
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import gc
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000, help="fuzzed files to try")
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a new temporary one)")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (default 0)")
    parser.add_argument("--limit", type=float, default=30.0,
                        help="seconds a check or build may take before it counts as a hang")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="briefgen-fuzz-"))
    workdir.mkdir(parents=True, exist_ok=True)
    # The build cache goes to the work folder, never the user's.
    os.environ["BRIEFGEN_CACHE_DIR"] = str(workdir / "cache")
    sys.path.insert(0, str(ROOT))
    from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings

    from tests.fuzzing import BASE_SITE, Harness, sites

    # A hang that the time limit cannot interrupt (a loop inside C code) ends the run with
    # every thread's stack, rather than never.
    faulthandler.dump_traceback_later(args.limit * 4, repeat=True, exit=True)
    harness = Harness(workdir / "run", limit=args.limit)
    totals = {"sites": 0, "files": 0, "tracebacks": 0, "hangs": 0, "problems": 0, "built": 0,
              "diagnostics": 0}
    slowest = 0.0
    started = time.perf_counter()

    @seed(args.seed)
    @settings(max_examples=10**9, deadline=None, database=None, phases=[Phase.generate],
              verbosity=Verbosity.quiet, suppress_health_check=list(HealthCheck))
    @given(sites())
    def run(files: dict[str, bytes]) -> None:
        nonlocal slowest
        faulthandler.dump_traceback_later(args.limit * 4, repeat=True, exit=True)
        outcome = harness.run(files)
        fuzzed = [p for p, data in files.items() if BASE_SITE.get(p, "").encode() != data]
        totals["sites"] += 1
        totals["files"] += len(fuzzed)
        totals["tracebacks"] += outcome.tracebacks
        totals["hangs"] += outcome.hangs
        totals["problems"] += len(outcome.problems)
        totals["built"] += outcome.built
        totals["diagnostics"] += outcome.diagnostics
        slowest = max(slowest, outcome.seconds)
        if totals["sites"] % 50 == 0:
            # Each build runs with the collector paused and leaves its cycles in the oldest
            # generation, which only a full collection frees: without one, thousands of
            # builds in this one process add up to gigabytes (a command runs one build).
            gc.collect()
        if outcome.problems:
            _keep(workdir / "problems" / f"site-{totals['sites']}", files, outcome.problems)
        if totals["sites"] % 500 == 0:
            print(f"  {totals['files']} files, {totals['problems']} problems, "
                  f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        if totals["files"] >= args.files:
            raise _Done

    with contextlib.suppress(_Done):
        run()
    faulthandler.cancel_dump_traceback_later()
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print(f"files tried:          {totals['files']} (in {totals['sites']} sites)")
    print(f"sites built:          {totals['built']} (the others failed with located errors; "
          f"{totals['diagnostics']} diagnostics in all)")
    print(f"tracebacks:           {totals['tracebacks']}")
    print(f"hangs (> {args.limit:g} s):      {totals['hangs']}")
    print(f"other problems:       {totals['problems'] - totals['tracebacks'] - totals['hangs']}")
    print(f"max time per site:    {slowest:.2f} s (check and build, up to 3 fuzzed files)")
    print(f"peak memory:          {peak:.0f} MB (largest process)")
    print(f"total time:           {time.perf_counter() - started:.0f} s; work folder {workdir}")
    return 1 if totals["problems"] else 0


class _Done(Exception):
    """Enough files were tried: ends the hypothesis run (which has no shrinking phase here)."""


def _keep(folder: Path, files: dict[str, bytes], problems: list[str]) -> None:
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (folder / "PROBLEMS.txt").write_text("\n\n".join(problems), encoding="utf-8", errors="replace")


if __name__ == "__main__":
    sys.exit(main())
