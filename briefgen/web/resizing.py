"""Resizing the images a build publishes, before its outputs are made: every copy missing
from the build cache is made there, one job per image (decoded once for all its widths), in
worker processes when there are several. The outputs then only read the cache. Resizing is
timed apart, so that the build's summary says what images cost and what the rest did.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from briefgen.engine.deps import Engine, Key
from briefgen.errors import Progress
from briefgen.images import (
    DIGEST_SUFFIX,
    CopyCache,
    ImageFacts,
    digest_of,
    make_copies,
    recipe,
)
from briefgen.parallel import stream_all
from briefgen.site.media import CopyPlan, plan_copy

STALE_AFTER_DAYS = 30  # copies that no build has asked for this long are removed


@dataclass(frozen=True, slots=True)
class ImageStats:
    """For the build summary: the images resized in this build, and those whose copies
    were made before (kept in the output, or found in the build cache)."""

    resized: int
    reused: int
    seconds: float


@dataclass(frozen=True, slots=True)
class _Job:
    """The copies of one image to make, all from one decoding."""

    source: Path
    facts: ImageFacts
    widths: tuple[int, ...]
    cache: CopyCache


def resize_images(engine: Engine, planned: Iterable[Key], stale: set[Key], jobs: int,
                  fork: bool, progress: Progress) -> ImageStats | None:
    """Make the cache hold every copy that the ``stale`` image outputs will read; None when
    the site publishes no resized image."""
    started = time.perf_counter()
    copies = [key for key in planned if key[0] == "image_copy"]
    if not copies:
        return None
    widths: dict[str, list[int]] = {}
    plans: dict[str, CopyPlan] = {}
    for key in copies:
        if key in stale:
            plan = _plan(engine, key)
            if plan.width is not None and plan.cache is not None:
                widths.setdefault(key[1], []).append(plan.width)
                plans[key[1]] = plan
    due = []
    for rel, plan in plans.items():
        assert plan.cache is not None
        if plan.cache.missing(plan.facts, widths[rel]):
            due.append(_Job(plan.source, plan.facts, tuple(widths[rel]), plan.cache))
    progress("Resizing images", 0, len(due))
    workers = jobs if fork and jobs > 1 else 0
    for done, _ in enumerate(stream_all([functools.partial(_resize, job) for job in due],
                                        workers, minimum=2, batch=1), start=1):
        progress("Resizing images", done, len(due))
    if due:
        _prune(engine, copies, due[0].cache)
    return ImageStats(len(due), len({key[1] for key in copies}) - len(due),
                      time.perf_counter() - started)


def _plan(engine: Engine, key: Key) -> CopyPlan:
    """What the output ``key`` reads, read from outside any node."""
    rel, width = key[1], key[2]
    return plan_copy(engine.value(("image_file", rel)), engine.value(("static", rel)),
                     engine.value(("service", "images")), width)


def _resize(job: _Job) -> int:
    """Make the missing copies of one image (in a worker process, perhaps)."""
    missing = job.cache.missing(job.facts, job.widths)
    data = job.source.read_bytes()
    if not missing or digest_of(data) != job.facts.digest:
        return 0  # changed since it was probed: the next build sees it changed
    copies = make_copies(data, job.facts, missing)
    try:
        job.cache.store(job.facts, copies)
    except OSError:
        return 0  # a cache that cannot be written costs time: the outputs make their copies
    return len(missing)


def _prune(engine: Engine, copies: list[Key], cache: CopyCache) -> None:
    """After images changed: remove the copies of another recipe, and those that this
    build does not publish and that are a month old (another build of the site, with
    drafts say, makes again what it still needs)."""
    keep = set()
    for key in copies:
        plan = _plan(engine, key)
        if plan.width is not None:
            keep.add(cache.path(plan.facts, plan.width).name)
    cutoff = time.time() - STALE_AFTER_DAYS * 86400
    with contextlib.suppress(OSError), os.scandir(cache.folder) as found:
        for entry in found:
            copy = entry.name.removesuffix(DIGEST_SUFFIX)  # a copy's digest goes with it
            current = copy.rpartition(".")[0].endswith("-" + recipe()) \
                or entry.name.startswith(".tmp-")  # being written by another build
            if copy not in keep and (not current or entry.stat().st_mtime < cutoff):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
