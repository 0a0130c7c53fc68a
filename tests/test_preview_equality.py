"""Incremental rebuilds (the preview's, and `build` into the same folder with its cache)
equal a clean build, byte for byte, after any sequence of edits (hypothesis draws the
sequences, see ``tests/editing.py``), with the clock moving and, for `build`, the flags
changing between runs into the same folder; and they report what a check from nothing
reports, the unlinked mentions of `check --mentions` included."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen import preview as preview_module
from briefgen.build import BuildOptions, BuildResult, build
from briefgen.preview import Preview
from tests.editing import (
    BASE_URL,
    CLOCKS,
    OPERATIONS,
    OTHER_BASE_URL,
    Site,
    apply,
    initial_site,
    snapshot,
    write,
)


def moment(clock: str) -> datetime:
    return datetime.fromisoformat(f"{clock}T12:00:00+00:00")


def reported(result: BuildResult) -> list[str]:
    return sorted(d.headline() for d in result.diagnostics)


def listed(result: BuildResult) -> list[str]:
    return sorted(m.headline() for m in result.mentions)


def same_report(site: Path, result: BuildResult, mentions: bool = False, **flags: Any) -> None:
    """What an incremental run reports is what a clean check of the same files reports (and
    lists, with ``mentions``: the run was asked for them)."""
    clean = build(site, BuildOptions(write=False, use_cache=False, jobs=1, mentions=mentions,
                                     **flags))
    assert reported(result) == reported(clean), "an incremental run reports otherwise"
    assert listed(result) == listed(clean), "an incremental run lists other mentions"


def check_preview(steps: list[tuple[str, int, str]], ignored_reads: frozenset[str] = frozenset()
                  ) -> None:
    """Edit a site step by step; after each step the preview, rebuilt from the files its
    watcher would name, equals a clean build."""
    with tempfile.TemporaryDirectory() as tmp, \
            mock.patch.object(preview_module, "RELOAD_WAIT_SECONDS", 0.0):
        root = Path(tmp)
        folder = root / "site"
        site = initial_site()
        write(folder, {}, site)
        clock = CLOCKS[0]
        preview = Preview(folder, root / "served", BuildOptions(
            base_url=BASE_URL, jobs=1, now=moment(clock), ignored_reads=ignored_reads,
            mentions=True))
        assert preview.rebuild().ok
        last_good = snapshot(preview.out)
        # A tab shows a briefing: its page is made first when an edit touches it, the search
        # blocks after it (and it never reloads, so nothing waits for it).
        preview.events.subscribe("briefings/b0/index.html")
        for number, (operation, n, when) in enumerate(steps):
            clock = max(clock, when)  # the clock only moves on
            before = site.files()
            apply(site, operation, n)
            written = write(folder, before, site)
            preview.options = replace(preview.options, now=moment(clock))
            result = preview.rebuild(written.changed)
            same_report(folder, result, mentions=True, base_url=BASE_URL, now=moment(clock))
            if not result.ok:
                assert snapshot(preview.out) == last_good, "a broken edit changed the preview"
                continue
            clean = root / f"clean{number}"
            fresh = build(folder, BuildOptions(out=clean, base_url=BASE_URL, jobs=1,
                                               now=moment(clock), use_cache=False,
                                               versioned_assets=False))
            assert fresh.ok
            last_good = snapshot(preview.out)
            assert last_good == snapshot(clean), f"after {steps[:number + 1]}"


def check_builds(steps: list[tuple[str, int, str, bool, bool, bool]],
                 ignored_reads: frozenset[str] = frozenset()) -> None:
    """The same with `build` into one folder, its cache kept, and the flags (``--drafts``,
    ``--future``, ``--base-url``) of each run drawn anew."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder, out = root / "site", root / "public"
        site = initial_site()
        write(folder, {}, site)
        options = BuildOptions(out=out, base_url=BASE_URL, jobs=1, now=moment(CLOCKS[0]),
                               ignored_reads=ignored_reads)
        assert build(folder, options).ok
        last_good = snapshot(out)
        clock = CLOCKS[0]
        flags: dict[str, Any] = {"now": moment(clock), "base_url": BASE_URL}
        for number, (operation, n, when, drafts, future, other_url) in enumerate(steps):
            clock = max(clock, when)  # the clock only moves on
            before = site.files()
            apply(site, operation, n)
            write(folder, before, site)
            flags = {"drafts": drafts, "future": future, "now": moment(clock),
                     "base_url": OTHER_BASE_URL if other_url else BASE_URL}
            result = build(folder, replace(options, **flags))
            same_report(folder, result, **flags)
            if not result.ok:
                assert snapshot(out) == last_good, "a failed build changed the output"
                continue
            clean = root / f"clean{number}"
            assert build(folder, BuildOptions(out=clean, jobs=1, use_cache=False, **flags)).ok
            last_good = snapshot(out)
            assert last_good == snapshot(clean), f"after {steps[:number + 1]}"
        # `check --mentions` from the build cache lists what a check from nothing lists.
        cached = build(folder, BuildOptions(write=False, jobs=1, mentions=True,
                                            ignored_reads=ignored_reads, **flags))
        same_report(folder, cached, mentions=True, **flags)


preview_steps = st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 5),
                                   st.sampled_from(CLOCKS)), min_size=1, max_size=6)
build_steps = st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 5),
                                 st.sampled_from(CLOCKS), st.booleans(), st.booleans(),
                                 st.booleans()), min_size=1, max_size=6)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(preview_steps)
def test_incremental_rebuilds_equal_clean_builds(steps):
    check_preview(steps)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(build_steps)
def test_incremental_builds_equal_clean_builds(steps):
    check_builds(steps)


def test_the_model_writes_what_it_holds(tmp_path):
    """The edits' model and its files agree (a guard for the generator itself)."""
    site: Site = initial_site()
    written = write(tmp_path, {}, site)
    assert written.structural and "content/briefings/b0.md" in written.files
    before = site.files()
    apply(site, "change", 0)
    again = write(tmp_path, before, site)
    assert again.changed == frozenset({"content/briefings/b0.md"})
    assert "More text 0" in (tmp_path / "content/briefings/b0.md").read_text()


def test_the_run_after_a_failed_one_starts_from_the_files_that_one_read():
    """A failed build (an alias clash) while a briefing is deleted: the next runs must not
    look for the deleted file, and must report what a clean check reports."""
    check_preview([(operation, n, CLOCKS[1]) for operation, n in [
        ("alias-name", 1), ("tags", 0), ("delete", 4), ("lead-link", 2), ("draft", 2),
        ("delete-actor", 2)]])
    check_preview([(operation, n, CLOCKS[1]) for operation, n in [
        ("alias-name", 5), ("lead-cite", 3), ("alias-name", 1), ("add-actor", 1), ("tags", 0),
        ("delete", 4), ("lead-link", 2), ("draft", 2), ("delete-actor", 2)]])


def test_updates_and_corrections_stay_equal_through_their_edits():
    """The change log's edits, with the edits of what its notes and entries show: an actor
    renamed, a source retitled, a briefing redated (its entries' ids follow)."""
    steps = [("update", 1, CLOCKS[0]), ("update", 2, CLOCKS[0]), ("rename-actor", 1, CLOCKS[0]),
             ("source-title", 1, CLOCKS[0]), ("update-typo", 0, CLOCKS[0]), ("fix", 0, CLOCKS[0]),
             ("updated", 0, CLOCKS[0]), ("redate", 1, CLOCKS[0]), ("unupdate", 1, CLOCKS[0]),
             ("updated", 1, CLOCKS[1]), ("unupdate", 0, CLOCKS[1])]
    check_preview(steps)
    check_builds([(*step, False, False, False) for step in steps])


def test_the_sites_words_stay_equal_through_their_edits():
    """site.yaml's words and the language they override: every page, feed, export and
    search result shows them, and so does the search page's script tag; a source's language
    marks its title where it is listed (unless it is the site's)."""
    steps = [("words", 1, CLOCKS[0]), ("language", 1, CLOCKS[0]), ("words", 2, CLOCKS[0]),
             ("update", 1, CLOCKS[0]), ("words", 0, CLOCKS[0]), ("language", 0, CLOCKS[0]),
             ("words", 4, CLOCKS[0]), ("retitle", 1, CLOCKS[0]), ("source-language", 1, CLOCKS[0]),
             ("cite", 1, CLOCKS[0]), ("source-language", 3, CLOCKS[0]),
             ("language", 1, CLOCKS[0]), ("source-language", 0, CLOCKS[0])]
    check_preview(steps)
    check_builds([(*step, False, False, False) for step in steps])
