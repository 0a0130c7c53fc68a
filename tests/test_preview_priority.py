"""The preview makes the pages open in tabs first: after an edit, the tabs that show an
affected page are told as soon as it is in place, before the rest of the build is made, and
a request for a page still being remade waits for it (never served stale). The real server
on loopback, with tabs played by event-stream subscriptions as the live script makes them."""

from __future__ import annotations

import errno
import json
import os
import queue
import threading
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from watchdog.events import DirModifiedEvent, FileCreatedEvent, FileModifiedEvent

from briefgen import preview as preview_module
from briefgen.build import BuildOptions, build
from briefgen.preview import Changes, Preview, watch_handler
from briefgen.server import BoundedServer, make_handler
from tests.conftest import free_port
from tests.editing import BASE_URL, Site, apply, initial_site, snapshot, write

OPEN = "briefings/b0/index.html"  # the page a tab shows


def events(client: queue.Queue[str | None], count: int) -> list[list[str]]:
    """The ``changed`` lists of the next ``count`` build events a tab receives."""
    found = []
    while len(found) < count:
        message = client.get(timeout=60)
        assert message is not None
        data = json.loads(message.split("data: ", 1)[1])
        if data["changed"]:
            found.append(data["changed"])
    return found


@pytest.fixture
def preview(tmp_path: Path):
    site = initial_site()
    write(tmp_path / "site", {}, site)
    shown = Preview(tmp_path / "site", tmp_path / "served", BuildOptions(base_url=BASE_URL,
                                                                          jobs=1))
    assert shown.rebuild().ok
    return shown, site


def retitle(preview: Preview, site: Site, n: int) -> frozenset[str] | None:
    """Retitle b0 (an even ``n`` picks it)."""
    assert n % 2 == 0
    before = site.files()
    apply(site, "retitle", n)  # b0's title shows on its page, the home page, lists, exports
    return write(preview.site, before, site).changed


def test_the_open_page_is_announced_first_and_the_rest_after(preview):
    shown, site = preview
    tab = shown.events.subscribe(OPEN)
    changed = retitle(shown, site, 2)
    result = shown.rebuild(changed)
    assert result.ok
    first, rest = events(tab, 2)
    assert first == [OPEN]
    assert OPEN not in rest and "index.html" in rest and "api/briefings.json" in rest
    assert "Briefing 0 retitled 2" in (shown.out / OPEN).read_text()


def test_each_open_page_is_announced_as_soon_as_it_is_in_place_the_smaller_first(preview):
    """Two tabs on two pages a retitle changes: each is told on its own, the one whose page
    is smaller first (it is made and reloaded sooner), both before the rest."""
    shown, site = preview
    home = "index.html"
    sizes = {rel: (shown.out / rel).stat().st_size for rel in (OPEN, home)}
    assert sizes[OPEN] != sizes[home]
    smaller, larger = sorted(sizes, key=sizes.__getitem__)
    tab = shown.events.subscribe(OPEN)
    shown.events.subscribe(home)
    result = shown.rebuild(retitle(shown, site, 8))
    assert result.ok
    first, second, rest = events(tab, 3)
    assert (first, second) == ([smaller], [larger])
    assert OPEN not in rest and home not in rest and "api/briefings.json" in rest
    assert "Briefing 0 retitled 8" in (shown.out / home).read_text()


def test_the_next_open_page_waits_until_the_tab_told_before_it_has_reloaded(
        preview, monkeypatch: pytest.MonkeyPatch):
    """Two tabs reloading at once share the machine (a big actor page beside a briefing
    doubled the time the briefing took to show): the larger page is announced only once
    the tab of the smaller one is back."""
    monkeypatch.setattr(preview_module, "RELOAD_WAIT_SECONDS", 120.0)
    shown, site = preview
    home = "index.html"
    smaller, larger = sorted((OPEN, home), key=lambda rel: (shown.out / rel).stat().st_size)
    tab = shown.events.subscribe(smaller)
    shown.events.subscribe(larger)
    done = threading.Event()
    changed = retitle(shown, site, 12)
    build = threading.Thread(target=lambda: (shown.rebuild(changed), done.set()))
    build.start()
    assert events(tab, 1) == [[smaller]]
    with pytest.raises(queue.Empty):
        while True:  # nothing more is announced while the first tab has not reloaded
            message = tab.get(timeout=0.5)
            assert message is not None and larger not in message
    shown.events.subscribe(smaller)  # the first tab, reloaded, connects again
    assert events(tab, 1) == [[larger]]
    shown.events.subscribe(larger)  # and so does the second
    build.join(60)
    assert done.is_set()
    assert "Briefing 0 retitled 12" in (shown.out / home).read_text()


def test_a_newer_change_ends_the_wait_for_tabs_that_have_not_reloaded(
        preview, monkeypatch: pytest.MonkeyPatch):
    """The rest of a build waits for the told tabs to reload, but not once a newer change
    waits: the next build starts at once instead."""
    monkeypatch.setattr(preview_module, "RELOAD_WAIT_SECONDS", 120.0)
    shown, site = preview
    tab = shown.events.subscribe(OPEN)  # never reloads
    newer = threading.Event()
    done = threading.Event()
    changed = retitle(shown, site, 10)
    build = threading.Thread(target=lambda: (shown.rebuild(changed, newer.is_set), done.set()))
    build.start()
    assert events(tab, 1) == [[OPEN]]
    assert not done.wait(0.5), "the build did not wait for the tab"
    newer.set()
    build.join(30)
    assert done.is_set(), "the build still waited for the tab after a newer change"


def test_a_page_still_being_remade_is_served_only_once_made(preview):
    shown, site = preview
    server = BoundedServer(("127.0.0.1", free_port()), make_handler(
        shown.out, "/", shown.events, shown.lock, threading.Event(), pending=shown.pending))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # A tab that does not reload holds the rest of the build back a while after its page
        # is made: the home page, still to be made then, is asked for meanwhile.
        tab = shown.events.subscribe(OPEN)
        done = threading.Event()
        changed = retitle(shown, site, 4)
        build = threading.Thread(target=lambda: (shown.rebuild(changed), done.set()))
        build.start()
        assert events(tab, 1) == [[OPEN]]
        assert not done.is_set(), "the rest of the build did not wait for the tab"
        port = server.server_address[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as response:
            home = response.read().decode()
        assert "Briefing 0 retitled 4" in home
        build.join(60)
        assert done.is_set()
    finally:
        server.shutdown()
        server.server_close()


def fetch_status(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_page_the_build_removes_and_the_404_page_it_remakes_are_not_served_old(preview):
    """While a build is held after the open page (a tab that does not reload), a request for
    the page of a briefing just deleted waits, and is answered 404, not with the old page;
    a request for an unknown address waits for the 404 page the build remakes."""
    shown, _ = preview
    server = BoundedServer(("127.0.0.1", free_port()), make_handler(
        shown.out, "/", shown.events, shown.lock, threading.Event(), pending=shown.pending))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        tab = shown.events.subscribe("index.html")  # the home page lists every briefing
        (shown.site / "content" / "briefings" / "b1.md").unlink()
        yaml = shown.site / "site.yaml"  # and the site's title shows on the 404 page
        yaml.write_text(yaml.read_text().replace("title: ", "title: Renamed ", 1))
        done = threading.Event()
        changed = frozenset({"content/briefings/b1.md", "site.yaml"})
        build = threading.Thread(target=lambda: (shown.rebuild(changed), done.set()))
        build.start()
        assert events(tab, 1) == [["index.html"]]
        assert not done.is_set(), "the rest of the build did not wait for the tab"
        port = server.server_address[1]
        status, body = fetch_status(port, "/no/such/page/")
        assert status == 404 and "Renamed " in body, "the old 404 page was served"
        status, _ = fetch_status(port, "/briefings/b1/")
        assert status == 404, "the page of a deleted briefing was served during the build"
        build.join(60)
        assert done.is_set()
    finally:
        server.shutdown()
        server.server_close()


def test_the_rest_goes_on_once_the_tab_is_back_though_its_old_connection_lingers(
        preview, monkeypatch: pytest.MonkeyPatch):
    """A reloaded tab's old connection is noticed as gone only when a message to it fails;
    its new connection alone says that the tab is back."""
    monkeypatch.setattr(preview_module, "RELOAD_WAIT_SECONDS", 120.0)
    shown, site = preview
    old = shown.events.subscribe(OPEN)  # never unsubscribed: a heartbeat has not failed yet
    stale = shown.events.subscribe(OPEN)  # from an earlier reload of the same tab
    done = threading.Event()
    changed = retitle(shown, site, 6)
    build = threading.Thread(target=lambda: (shown.rebuild(changed), done.set()))
    build.start()
    assert events(old, 1) == [[OPEN]]
    assert events(stale, 1) == [[OPEN]]
    assert not done.is_set(), "the rest of the build did not wait for the tab"
    shown.events.subscribe(OPEN)  # the tab, reloaded, connects again
    build.join(60)
    assert done.is_set(), "the rest of the build still waited after the tab came back"


def test_a_folder_touched_by_a_write_inside_it_is_not_a_structural_change(tmp_path: Path):
    site = tmp_path / "site"
    (site / "content" / "briefings").mkdir(parents=True)
    changes = Changes()
    handler = watch_handler(site, ("content",), [], changes)
    handler.on_any_event(FileModifiedEvent(str(site / "content/briefings/a.md")))
    handler.on_any_event(DirModifiedEvent(str(site / "content/briefings")))
    assert changes.take() == frozenset({"content/briefings/a.md"})
    handler.on_any_event(FileCreatedEvent(str(site / "content/briefings/b.md")))
    assert changes.take() is None  # a new file: every file is looked at


def waits(shown: Preview, rel: str) -> bool:
    """A request for ``rel`` would wait."""
    started = time.monotonic()
    shown.pending.wait({rel}, timeout=0.3)
    return time.monotonic() - started >= 0.3


def still_pending(shown: Preview, rel: str) -> bool:
    """A request for ``rel`` waits (and goes on once nothing is pending any more)."""
    served = threading.Event()
    waiting = threading.Thread(target=lambda: (shown.pending.wait({rel}), served.set()))
    waiting.start()
    waits = not served.wait(0.3)
    shown.pending.clear()
    waiting.join(10)
    return waits and served.is_set()


def test_an_interrupted_build_leaves_the_rest_to_the_next_one(preview, tmp_path: Path):
    """A newer change while the pages after the open ones are being made: what is made so
    far is in place, the rest waits for the next build (a request for it waits too), and
    that build makes it; then the preview equals a clean build."""
    shown, site = preview
    shown.events.subscribe(OPEN)
    for n in (2, 4):
        result = shown.rebuild(retitle(shown, site, n), interrupted=lambda: True)
        assert result.ok and result.unmade, "nothing was left to the next build"
        assert f"Briefing 0 retitled {n}" in (shown.out / OPEN).read_text()
        assert f"Briefing 0 retitled {n}" not in (shown.out / "index.html").read_text()
        assert result.unsettled, "the search index was made though a newer change waits"
        assert waits(shown, "index.html"), "a file left to the next build was served"
        assert still_pending(shown, result.unsettled[0]), \
            "a file whose nodes were left to the next build was served"
    result = shown.rebuild(frozenset())  # no newer change: everything is made
    assert result.ok and not result.unmade
    assert "Briefing 0 retitled 4" in (shown.out / "index.html").read_text()
    clean = build(shown.site, BuildOptions(out=tmp_path / "clean", base_url=BASE_URL, jobs=1,
                                           use_cache=False, versioned_assets=False))
    assert clean.ok
    assert snapshot(shown.out) == snapshot(tmp_path / "clean")


def test_a_newer_change_stops_the_search_index_while_it_is_made(preview, tmp_path: Path):
    """The search index is made after the open pages; a newer change that comes while it is
    being made stops it there and then (it is the longest step of an edit's rest, ~100 ms a
    block at 5,000 briefings), and the next build makes it as a clean build does."""
    shown, site = preview
    shown.events.subscribe(OPEN)
    session = shown.options.session
    assert session is not None and session.engine is not None
    engine = session.engine
    asked: list[bool] = []

    def interrupted() -> bool:
        # Asked by the update that makes the index: once between its nodes (no), then by
        # the block being made (yes). Asked elsewhere: no newer change.
        if engine.cancel is None:
            return False
        asked.append(len(asked) >= 1)
        return asked[-1]

    result = shown.rebuild(retitle(shown, site, 2), interrupted=interrupted)
    assert result.ok
    assert asked == [False, True], "the index's block never asked whether to give way"
    assert result.unsettled, "the search index was made though a newer change came"
    assert engine.queued("search_block"), "the block given up is not left to the next build"
    assert "Briefing 0 retitled 2" in (shown.out / OPEN).read_text()
    assert still_pending(shown, result.unsettled[0]), "a search file left undone was served"
    result = shown.rebuild(frozenset())
    assert result.ok and not result.unmade and not result.unsettled
    assert not engine.pending()
    assert snapshot(shown.out) == clean_build(shown, tmp_path, "clean")


def clean_build(shown: Preview, tmp_path: Path, name: str) -> dict[str, bytes]:
    clean = tmp_path / name
    assert build(shown.site, BuildOptions(out=clean, base_url=BASE_URL, jobs=1, use_cache=False,
                                          versioned_assets=False)).ok
    return snapshot(clean)


def add_briefing(shown: Preview, site: Site, n: int) -> frozenset[str] | None:
    before = site.files()
    apply(site, "add", n)  # new files in the folder, which its first manifest does not name
    return write(shown.site, before, site).changed


def test_a_new_engine_keeps_the_files_its_folder_holds(preview, tmp_path: Path):
    """The preview's folder is its own: its manifest is not written again after each
    build. A new engine (flags or theme changed) still knows the folder's files: the pages
    of a briefing added since the manifest was written go when it is deleted."""
    shown, site = preview
    assert shown.rebuild(retitle(shown, site, 20)).ok  # the first update in place
    assert shown.rebuild(add_briefing(shown, site, 1)).ok
    assert (shown.out / "briefings/new1/index.html").is_file()
    shown.options = replace(shown.options, mentions=True)  # part of the engine's context
    before = site.files()
    del site.briefings["new1"]
    result = shown.rebuild(write(shown.site, before, site).changed)
    assert result.ok, [d.headline() for d in result.diagnostics]
    assert snapshot(shown.out) == clean_build(shown, tmp_path, "clean")


def test_after_a_failed_update_the_next_build_owns_and_rewrites_every_file(
        preview, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An update that fails while putting files in place leaves the folder half updated,
    and what the preview knew of it is gone: the manifest it leaves names every file, so
    that the next build owns them all and makes the folder whole (the pages of a briefing
    deleted since go too)."""
    shown, site = preview
    assert shown.rebuild(retitle(shown, site, 22)).ok  # the first update in place
    assert shown.rebuild(add_briefing(shown, site, 3)).ok
    real_replace = os.replace
    calls: list[str] = []

    def failing(source: Any, target: Any) -> None:
        calls.append(str(target))
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing)
    failed = shown.rebuild(retitle(shown, site, 16))
    monkeypatch.undo()
    assert not failed.ok and len(calls) >= 2
    before = site.files()
    del site.briefings["new3"]  # added since the manifest was last written: its pages go
    after = shown.rebuild(write(shown.site, before, site).changed)
    assert after.ok, [d.headline() for d in after.diagnostics]
    assert snapshot(shown.out) == clean_build(shown, tmp_path, "clean")


def test_a_build_that_raises_leaves_the_preview_serving_and_the_next_one_exact(
        preview, tmp_path, monkeypatch, capsys):
    # A bug of briefgen's (an exception no bad input should cause, as an SVG of a 400-digit
    # width once did): the browsers are told, the last good build stays, nothing is lost.
    shown, site = preview
    before = snapshot(shown.out)
    told: list[dict[str, Any]] = []
    real_publish, real_build = shown.events.publish, preview_module.build

    def publish(kind: str, data: dict[str, Any]) -> Any:
        told.append(data)
        return real_publish(kind, data)

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(shown.events, "publish", publish)
    monkeypatch.setattr(preview_module, "build", failing)
    failed = shown.rebuild(retitle(shown, site, 2))
    assert not failed.ok
    assert "internal error while building (RuntimeError: a bug)" in failed.diagnostics[0].message
    assert told[-1]["ok"] is False and "bug in briefgen" in told[-1]["errors"][0]["message"]
    assert "RuntimeError: a bug" in capsys.readouterr().err  # the details, for a report
    assert snapshot(shown.out) == before
    monkeypatch.setattr(preview_module, "build", real_build)
    assert shown.rebuild(retitle(shown, site, 4)).ok
    clean = build(shown.site, BuildOptions(out=tmp_path / "clean", base_url=BASE_URL,
                                           versioned_assets=False, use_cache=False, jobs=1))
    assert clean.ok and snapshot(shown.out) == snapshot(tmp_path / "clean")


def test_a_link_to_the_file_saved_is_made_again_too(example_site, tmp_path):
    """The watcher names the file saved; a content file that is a link to it (a briefing
    shown under two names) and a static file that is a link to one are made again too,
    as a full build would make them."""
    briefings, static = example_site / "content/briefings", example_site / "content/static"
    (briefings / "zz-copy.yaml").symlink_to("us-ambassador-ukraine.yaml")
    (static / "note.txt").write_text("first\n")
    (static / "same-note.txt").symlink_to("note.txt")
    shown = Preview(example_site, tmp_path / "served", BuildOptions(base_url=BASE_URL, jobs=1))
    assert shown.rebuild().ok
    target = briefings / "us-ambassador-ukraine.yaml"
    target.write_text(target.read_text().replace("title: ", "title: Retitled ", 1))
    (static / "note.txt").write_text("second, longer\n")
    result = shown.rebuild(frozenset({"content/briefings/us-ambassador-ukraine.yaml",
                                      "content/static/note.txt"}))
    assert result.ok, [d.headline() for d in result.diagnostics]
    assert "Retitled " in (tmp_path / "served/briefings/zz-copy/index.html").read_text()
    assert (tmp_path / "served/same-note.txt").read_text() == "second, longer\n"
