"""Incremental builds: nothing changed → nothing rendered or written; one edit → only the
outputs that depend on it, and always the same bytes as a clean build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from briefgen.build import BuildOptions, BuildResult, build
from briefgen.output import MANIFEST
from tests.conftest import write


def run(site: Path, out: Path, **options: object) -> BuildResult:
    result = build(site, BuildOptions(out=out, jobs=1, **options))  # type: ignore[arg-type]
    assert result.ok, [d.headline() for d in result.diagnostics]
    return result


def pages(rendered: list[str]) -> list[str]:
    """What a build made, but the search index's files."""
    return [rel for rel in rendered if not rel.startswith("search/")]


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != MANIFEST}


def states(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*")}


def same_as_clean_build(site: Path, out: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    run(site, clean, use_cache=False)
    assert files(out) == files(clean), "an incremental build differs from a clean one"


@pytest.fixture
def built(example_site: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    first = run(example_site, out)
    assert first.rendered, "the first build renders everything"
    return out


def test_second_build_renders_nothing_and_writes_nothing(example_site, built):
    before = states(built)
    again = run(example_site, built)
    assert again.rendered == []
    assert again.stats is not None and again.stats.written == 0 and again.stats.removed == 0
    assert states(built) == before, "the output folder was touched"


def test_unrelated_content_change_rerenders_nothing(example_site, built, tmp_path):
    # A draft is validated but not published: the site's outputs cannot change.
    (example_site / "content/briefings/notes.md").write_text(
        "---\ntitle: Notes\ndate: 2022-02-03\nstatus: draft\n---\n\nLead.\n")
    before = states(built)
    again = run(example_site, built)
    assert again.rendered == []
    assert states(built) == before
    same_as_clean_build(example_site, built, tmp_path)


def test_editing_an_actor_rerenders_only_what_shows_it(example_site, built, tmp_path):
    actor = example_site / "content/actors/pamela-falk.yaml"
    actor.write_text(actor.read_text().replace("name: Pamela Falk", "name: Pamela F. Falk"))
    again = run(example_site, built)
    rendered = set(again.rendered)
    assert {"actors/pamela-falk/index.html", "actors/index.html",
            "briefings/russia-written-response/index.html"} <= rendered
    # The other briefing shares topics with the edited one, but shows nothing of her.
    assert "briefings/us-ambassador-ukraine/index.html" not in rendered
    assert "Pamela F. Falk" in (built / "briefings/russia-written-response/index.html").read_text()
    same_as_clean_build(example_site, built, tmp_path)


def test_editing_the_end_of_a_page_rerenders_exactly_that_page(example_site, built, tmp_path):
    about = example_site / "content/pages/about.md"
    about.write_text(about.read_text() + "\nA new closing paragraph.\n")
    again = run(example_site, built)
    # The page, and the search index's share of its new words: its documents, the shards
    # of its words and pairs, and the pages of the vocabulary that hold them.
    assert pages(again.rendered) == ["about/index.html"]
    assert "search/d/p/about.bin" in again.rendered
    assert again.stats is not None and 0 < again.stats.written <= len(again.rendered) < 20
    same_as_clean_build(example_site, built, tmp_path)


def test_an_edit_links_unchanged_files(example_site, built, tmp_path):
    unchanged = built / "sources/state-department-2022-01-31/index.html"
    inode = unchanged.stat().st_ino
    about = example_site / "content/pages/about.md"
    about.write_text(about.read_text() + "\nA new closing paragraph.\n")
    again = run(example_site, built)
    assert pages(again.rendered) == ["about/index.html"]
    # The new output folder holds the previous build's file itself (a hard link), not a copy.
    assert unchanged.stat().st_ino == inode
    assert run(example_site, built).rendered == []
    same_as_clean_build(example_site, built, tmp_path)


def test_after_every_file_was_written_anew_an_edit_shares_the_unchanged_ones_again(
        example_site, built):
    """A build that trusts none of the output (a new cache: a briefgen upgrade, a deleted
    cache folder) writes every file anew, and the spare tree beside the output stops sharing
    files with it. The next edit links them again; and what it records of the folder is what
    the folder holds: the build after it finds nothing to write."""
    from briefgen.cache import cache_folder

    about = example_site / "content/pages/about.md"
    about.write_text(about.read_text() + "\nOne.\n")
    run(example_site, built)  # a spare tree now
    shutil.rmtree(cache_folder(example_site))
    assert run(example_site, built).stats.written == len(files(built))
    about.write_text(about.read_text() + "\nTwo.\n")
    edit = run(example_site, built)
    assert edit.stats is not None and 0 < edit.stats.written < 20
    spare = next(built.parent.glob(f".{built.name}.briefgen-*")) / "site"
    unchanged = sorted(set(files(built)) - set(edit.stats.changed))
    assert unchanged and [rel for rel in unchanged if (spare / rel).stat().st_ino
                          != (built / rel).stat().st_ino] == []
    again = run(example_site, built)
    assert again.stats is not None and again.stats.written == 0 and again.rendered == []


def test_a_file_that_cannot_be_read_stays_an_error_through_edits_until_it_goes(
        example_site, built, tmp_path):
    """Builds after an edit keep the engine's record of every content file that did not
    change; one that cannot be read is read again each time, its error reported each time,
    and once it is deleted the site is a clean build's."""
    broken = example_site / "content/briefings/broken.md"
    broken.write_bytes(b"---\ntitle: Broken\n---\n\xff\xfe not UTF-8\n")
    about = example_site / "content/pages/about.md"
    for n in range(2):
        about.write_text(about.read_text() + f"\nEdit {n}.\n")
        result = build(example_site, BuildOptions(out=built, jobs=1))
        assert not result.ok
        assert any(d.path.endswith("broken.md") and "UTF-8" in d.message
                   for d in result.diagnostics), [d.headline() for d in result.diagnostics]
    broken.unlink()
    about.write_text(about.read_text() + "\nLast edit.\n")
    run(example_site, built)
    same_as_clean_build(example_site, built, tmp_path)


def test_two_output_folders_built_in_turn_each_get_every_change(example_site, built, tmp_path):
    """The engine's state is one per site: after an edit built into another folder, a build
    into the first one still makes what that edit changed (its folder's records are older
    than the engine's)."""
    other = tmp_path / "other"
    run(example_site, other)
    about = example_site / "content/pages/about.md"
    about.write_text(about.read_text() + "\nBuilt into the other folder first.\n")
    first = run(example_site, other)
    assert pages(first.rendered) == ["about/index.html"]
    again = run(example_site, built)
    assert again.stats is not None and again.stats.written == len(first.rendered)
    assert "the other folder first" in (built / "about/index.html").read_text()
    same_as_clean_build(example_site, built, tmp_path)
    assert run(example_site, built).rendered == []


def test_editing_a_template_rerenders_the_pages_that_use_it(example_site, built, tmp_path):
    (example_site / "templates").mkdir()
    (example_site / "templates/tag.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Topic {{ tag.name }}</h1>{% endblock %}')
    rendered = set(run(example_site, built).rendered)
    assert rendered and all(p.startswith("tags/") and p.endswith("/index.html") for p in rendered)
    assert "<h1>Topic Diplomacy</h1>" in (built / "tags/diplomacy/index.html").read_text()
    same_as_clean_build(example_site, built, tmp_path)


def test_a_static_file_changed_with_its_size_and_time_kept_is_published_again(
        example_site, tmp_path):
    # As `cp -p`, `rsync -a` or `tar` restore a file, or a second save within a coarse
    # clock's tick: same size, same modification time, other bytes.
    note = example_site / "content/static/note.txt"
    note.write_text("version-1\n")
    out = tmp_path / "out"
    run(example_site, out)
    kept = note.stat()
    note.write_text("version-2\n")
    os.utime(note, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    assert note.stat().st_size == kept.st_size and note.stat().st_mtime_ns == kept.st_mtime_ns
    run(example_site, out)
    assert (out / "note.txt").read_text() == "version-2\n"
    same_as_clean_build(example_site, out, tmp_path)


def test_a_static_link_pointed_at_a_twin_file_is_published_again(example_site, tmp_path,
                                                                  monkeypatch):
    """A link pointed at another file of the same size and times (``touch -d`` on both,
    ``cp -p``, ``tar``: the change time can match too, within a clock's tick) is another
    file. The times are made equal here by having every file look alike to the build."""
    from briefgen.site import inputs

    monkeypatch.setattr(inputs, "file_state", lambda path: (5, 1, 1))
    static = example_site / "content/static"
    (static / "a.txt").write_text("AAAA\n")
    (static / "b.txt").write_text("BBBB\n")
    (static / "x.txt").symlink_to("a.txt")
    out = tmp_path / "out"
    run(example_site, out)
    assert (out / "x.txt").read_text() == "AAAA\n"
    (static / "x.txt").unlink()
    (static / "x.txt").symlink_to("b.txt")
    assert run(example_site, out).rendered == ["x.txt"]
    assert (out / "x.txt").read_text() == "BBBB\n"


def test_the_output_folder_keeps_its_mode_and_group_across_builds(example_site, tmp_path):
    """Set for a web server (``chmod 750 public``, ``chgrp www-data public``), they carry
    over to the tree that each build swaps in."""
    out = tmp_path / "out"
    run(example_site, out)
    os.chmod(out, 0o750)
    group = next((g for g in (os.getgid(), *os.getgroups()) if g != out.stat().st_gid), None)
    if os.geteuid() == 0:
        group = 1  # root may give it any group
    if group is not None:
        os.chown(out, -1, group)
    wanted = out.stat()
    about = example_site / "content/pages/about.md"
    for n in range(3):  # each build that writes swaps in the other tree
        about.write_text(about.read_text() + f"\nEdit {n}.\n")
        assert run(example_site, out).rendered
        assert f"Edit {n}." in (out / "about/index.html").read_text()
        now = out.stat()
        assert (oct(now.st_mode & 0o7777), now.st_gid) == (oct(0o750), wanted.st_gid)


def test_deleting_a_briefing_removes_its_pages_and_links(example_site, built, tmp_path):
    (example_site / "content/briefings/us-ambassador-ukraine.yaml").unlink()
    about = example_site / "content/pages/about.md"
    about.write_text(about.read_text().replace("[[briefings/us-ambassador-ukraine]]", "x"))
    main = example_site / "content/briefings/russia-written-response.md"
    main.write_text(main.read_text().replace("[[briefings/us-ambassador-ukraine]]", "a second"))
    result = build(example_site, BuildOptions(out=built, jobs=1))
    assert result.ok, [d.headline() for d in result.diagnostics]
    assert not (built / "briefings/us-ambassador-ukraine").exists()
    assert result.stats is not None and result.stats.removed >= 1
    same_as_clean_build(example_site, built, tmp_path)


def test_corrupt_cache_is_ignored_with_a_note(example_site, built, tmp_path):
    cache = Path(os.environ["BRIEFGEN_CACHE_DIR"])
    damaged = 0
    for path in cache.rglob("state-*.sqlite"):
        path.write_bytes(b"not a database at all" * 100)
        damaged += 1
    assert damaged
    touched = example_site / "content/sources/washington-post-2022-01-31.md"
    touched.write_text(touched.read_text() + "\nOne more note.\n")
    result = run(example_site, built)
    assert any("could not be read" in note for note in result.notes), result.notes
    same_as_clean_build(example_site, built, tmp_path)


def test_a_store_damaged_inside_is_made_afresh_when_a_build_finds_it(example_site, built,
                                                                     tmp_path, cli):
    # Its header and schema read well; a page in the middle of the file does not.
    cache = Path(os.environ["BRIEFGEN_CACHE_DIR"])
    damaged = 0
    for path in cache.rglob("state-*.sqlite"):
        data = bytearray(path.read_bytes())
        middle = len(data) // 2
        data[middle:middle + 8192] = b"\xab" * 8192
        path.write_bytes(bytes(data))
        damaged += 1
    assert damaged
    touched = example_site / "content/sources/washington-post-2022-01-31.md"
    touched.write_text(touched.read_text() + "\nOne more note.\n")
    checked = cli("--site", str(example_site), "check")
    assert checked.code == 0 and "Traceback" not in checked.err, checked.err
    result = run(example_site, built)
    assert any("is damaged" in note for note in result.notes), result.notes
    same_as_clean_build(example_site, built, tmp_path)
    again = run(example_site, built)  # the new file replaced the damaged one
    assert not again.notes and again.rendered == []


def test_what_site_yaml_says_survives_a_store_found_damaged(example_site, built, monkeypatch):
    from briefgen.engine.store import EngineStore, StoreDamaged

    real, reads = EngineStore.file_states, []

    def damaged_once(self: EngineStore) -> object:
        reads.append(self)
        if len(reads) == 1:
            raise StoreDamaged("the build cache is damaged (a test)")
        return real(self)

    monkeypatch.setattr(EngineStore, "file_states", damaged_once)
    site_yaml = example_site / "site.yaml"
    site_yaml.write_text(site_yaml.read_text() + "unknown_setting: 1\n")
    result = build(example_site, BuildOptions(out=built, jobs=1))
    assert reads and "the build cache is damaged (a test)" in result.notes
    assert any("unknown_setting" in d.message for d in result.diagnostics), result.diagnostics


def test_a_full_disk_while_the_cache_is_written_is_a_note_not_a_damaged_cache(
        example_site, built, tmp_path, monkeypatch):
    import sqlite3

    from briefgen.engine.store import EngineStore

    def full(self: EngineStore, changes: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    real = EngineStore._write_nodes
    monkeypatch.setattr(EngineStore, "_write_nodes", full)
    touched = example_site / "content/sources/washington-post-2022-01-31.md"
    touched.write_text(touched.read_text() + "\nOne more note.\n")
    result = run(example_site, built)
    assert [n for n in result.notes if "could not be written" in n] and \
        not [n for n in result.notes if "damaged" in n], result.notes
    same_as_clean_build(example_site, built, tmp_path)
    monkeypatch.setattr(EngineStore, "_write_nodes", real)
    touched.write_text(touched.read_text() + "\nAnd another.\n")
    run(example_site, built)
    same_as_clean_build(example_site, built, tmp_path)


def test_a_full_disk_when_the_cache_is_opened_is_said_and_the_cache_kept(
        example_site, built, tmp_path, monkeypatch):
    import sqlite3

    from briefgen.engine import store as store_module

    def full(db: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    cache = Path(os.environ["BRIEFGEN_CACHE_DIR"])
    stored = {path: path.stat().st_mtime_ns for path in cache.rglob("state-*.sqlite")}
    assert stored
    real = store_module._tune
    monkeypatch.setattr(store_module, "_tune", full)
    touched = example_site / "content/sources/washington-post-2022-01-31.md"
    touched.write_text(touched.read_text() + "\nOne more note.\n")
    result = run(example_site, built)
    assert [n for n in result.notes if "the disk is full" in n] and \
        not [n for n in result.notes if "could not be read" in n], result.notes
    same_as_clean_build(example_site, built, tmp_path)
    assert {path: path.stat().st_mtime_ns for path in stored} == stored, "the cache was replaced"
    monkeypatch.setattr(store_module, "_tune", real)
    again = run(example_site, built)  # room again: the cache kept is read, and follows the edit
    assert not again.notes
    same_as_clean_build(example_site, built, tmp_path)


def test_a_folder_in_the_place_of_the_store_s_journal_is_cleared(example_site, built,
                                                                   tmp_path):
    cache = Path(os.environ["BRIEFGEN_CACHE_DIR"])
    for path in cache.rglob("state-*.sqlite"):
        journal = Path(f"{path}-wal")
        if journal.exists():
            journal.unlink()
        journal.mkdir()
    touched = example_site / "content/sources/washington-post-2022-01-31.md"
    touched.write_text(touched.read_text() + "\nOne more note.\n")
    result = run(example_site, built)
    assert any("could not be read" in note for note in result.notes), result.notes
    same_as_clean_build(example_site, built, tmp_path)
    assert not run(example_site, built).notes


def test_scheduled_briefing_appears_when_its_date_comes(example_site, built, tmp_path):
    from datetime import UTC, datetime

    (example_site / "content/briefings/later.md").write_text(
        "---\ntitle: Later\ndate: 2030-01-01\n---\n\n## 2030-01-01 Then\n\nText "
        "[@cbs-russia-written-response].\n")
    early = run(example_site, built, now=datetime(2029, 12, 31, tzinfo=UTC))
    assert not (built / "briefings/later").exists()
    assert any("in the future" in d.message for d in early.diagnostics)
    run(example_site, built, now=datetime(2030, 1, 2, tzinfo=UTC))
    assert (built / "briefings/later/index.html").is_file()


def test_caches_of_sites_not_built_for_a_month_are_pruned(example_site, tmp_path):
    import time

    base = Path(os.environ["BRIEFGEN_CACHE_DIR"])
    old, recent = base / "0123456789abcdef", base / "fedcba9876543210"
    foreign = base / "0123456789abcde0"  # named like ours, but holds something else
    for folder in (old, recent, foreign):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "documents.pickle").write_bytes(b"x")
    (foreign / "notes.txt").write_text("mine")
    (old / "state-0123.sqlite").write_bytes(b"x")
    write(old, {"images/0a1b-480-795b3041.jpg": "x", "images/0a1b-480-795b3041.jpg.digest": "x",
                "templates/__jinja2_0a1b.cache": "x"})
    # Named like ours and holding what ours hold, but with the user's own files in them.
    photos, letters = base / "0123456789abcde1", base / "0123456789abcde2"
    write(photos, {"images/holiday/photo.jpg": "irreplaceable", "state-0123.sqlite": "x"})
    write(letters, {"templates/letter.tex": "my template"})
    month_ago = time.time() - 31 * 86400
    for folder in (old, foreign, photos, letters):
        os.utime(folder, (month_ago, month_ago))
    run(example_site, tmp_path / "out")
    assert not old.exists() and recent.exists()
    assert (foreign / "notes.txt").read_text() == "mine"
    assert (photos / "images/holiday/photo.jpg").read_text() == "irreplaceable"
    assert (letters / "templates/letter.tex").read_text() == "my template"


def test_a_build_that_dies_before_writing_its_first_state_leaves_the_old_file(tmp_path):
    """A fresh state is written to a new file and renamed in place: a build that stops before
    that (an error, a kill) leaves the old file as it was and, once the next one starts, no
    half-written file."""
    import subprocess
    import sys

    from briefgen.engine.deps import Changes, Record
    from briefgen.engine.store import EngineStore

    path = tmp_path / "state.sqlite"
    path.write_bytes(b"an older version's state")
    store = EngineStore(path, "v2")
    assert store.fresh
    store.close()  # never committed
    assert path.read_bytes() == b"an older version's state"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.sqlite", "state.sqlite.lock"]

    # A build killed while writing leaves its new file; the next store removes it.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (tmp_path / f"state.sqlite.new-{dead}").write_bytes(b"half")
    store = EngineStore(path, "v2")
    changes = Changes()
    changes.records[("parse", "a.md")] = Record("fp1", deps=(("file", "a.md"),))
    changes.records[("file", "a.md")] = Record("f")
    store.commit(changes)
    assert not store.fresh
    store.close()
    assert sorted(p.name for p in tmp_path.iterdir() if ".new-" in p.name) == []

    again = EngineStore(path, "v2")
    assert not again.fresh
    assert again.record(("parse", "a.md")) == changes.records[("parse", "a.md")]
    assert again.readers(("file", "a.md")) == {("parse", "a.md")}
    again.close()


# Committed in a process of its own: the store forks only in a process without other
# threads, and a test run has some (servers of other tests). The prelude has every fresh
# store's commit write its contributions apart, and lists the children in ``children``.
CHILDREN_APART = """
from briefgen.engine import store as store_module

store_module._APART_FROM = 1
children = []
original = store_module._Apart.__init__

def started(apart, pid, path):
    children.append(pid)
    original(apart, pid, path)

store_module._Apart.__init__ = started
"""
_COMMIT_APART = CHILDREN_APART + """
import os, sys
from pathlib import Path
from briefgen.engine.deps import Changes, Record

path, how = Path(sys.argv[1]), sys.argv[2]
changes = Changes()
for n in range(50):
    key = ("item", f"b{n}")
    index = ("idx", "timeline") if n % 2 else ("idx", "actor_entries", f"a{n % 7}")
    items = ((f"2022-01-{n % 28 + 1:02d}", (f"b{n}", "e1")),)
    changes.records[key] = Record(f"fp{n}", emits=((index, items),))
    changes.contributions[(index, key)] = items
store = store_module.EngineStore(path, "v1", helper=True)
assert store.fresh
if how == "fails":  # the child's table cannot be made: it ends with an error
    store_module._CONTRIBS = "CREATE TABLE broken("
if how == "no-fork":  # no process to spare
    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")
    os.fork = no_fork
if how == "interrupted":  # after the fork, before the join
    def interrupted(self, changes):
        raise KeyboardInterrupt
    store_module.EngineStore._write_nodes = interrupted
if how == "join-full":  # the disk fills up while the child's rows are copied in
    class FullWhileJoining:
        def __init__(self, db):
            self.db = db

        def execute(self, sql, *args):
            if sql.startswith("INSERT INTO contribs SELECT"):
                raise store_module.sqlite3.OperationalError("database or disk is full")
            return self.db.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self.db, name)

    store.db = FullWhileJoining(store.db)
try:
    store.commit(changes)
except KeyboardInterrupt:
    print("interrupted")
except store_module.sqlite3.OperationalError:
    print("full")
store.close()
for pid in children:  # each was waited for: none is left running, or a zombie
    try:
        os.waitpid(pid, os.WNOHANG)
        print("not waited for")
    except ChildProcessError:
        pass
print(len(children))
"""


@pytest.mark.parametrize("how", ["writes", "fails", "no-fork", "interrupted", "join-full"])
def test_a_fresh_store_writes_its_contributions_in_a_child_and_the_same(tmp_path, how):
    """A first build's commit has a forked child write the contributions meanwhile, and
    writes them itself if the child fails or cannot be forked: the store reads back what it
    was given. Interrupted, it leaves no child and the old state. Never a file of the
    child's left. A full disk while the child's rows are copied in fails the commit (the new
    file, which has no journal, is not written on: on a full tmpfs, reading it back through
    SQLite's memory map killed the process with SIGBUS)."""
    import subprocess
    import sys

    from briefgen.engine.deps import Record
    from briefgen.engine.store import EngineStore

    path = tmp_path / "state.sqlite"
    done = subprocess.run([sys.executable, "-c", _COMMIT_APART, str(path), how],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    expected_children = "0" if how == "no-fork" else "1"
    said = {"interrupted": ["interrupted"], "join-full": ["full"]}.get(how, [])
    assert done.stdout.split() == [*said, expected_children], done.stdout
    assert [p.name for p in tmp_path.iterdir() if ".new-" in p.name] == []
    if how in ("interrupted", "join-full"):
        assert not path.exists(), "a first commit that did not finish left a state"
        return

    again = EngineStore(path, "v1", readonly=True)
    expected: dict[tuple[str, ...], dict[tuple[str, ...], object]] = {}
    for n in range(50):
        index = ("idx", "timeline") if n % 2 else ("idx", "actor_entries", f"a{n % 7}")
        expected.setdefault(index, {})[("item", f"b{n}")] = \
            ((f"2022-01-{n % 28 + 1:02d}", (f"b{n}", "e1")),)
    for index, items in expected.items():
        assert again.contributions(index) == items
    assert again.record(("item", "b3")) == Record(
        "fp3", emits=((("idx", "timeline"), (("2022-01-04", ("b3", "e1")),)),))
    again.close()


def test_writers_of_one_state_take_turns(tmp_path):
    """Two builds of one site and variant (into two outputs) share a state: the second
    waits for the first, and says so; a reader (``check``) never waits."""
    import threading

    from briefgen.engine.store import EngineStore

    path = tmp_path / "state.sqlite"
    first = EngineStore(path, "v1")
    waited: list[int | None] = []
    opened = threading.Event()

    def second() -> None:
        EngineStore(path, "v1", on_wait=waited.append).close()
        opened.set()

    thread = threading.Thread(target=second)
    thread.start()
    assert not opened.wait(0.5), "the second writer did not wait"
    assert waited == [os.getpid()]
    first.close()
    assert opened.wait(10)
    thread.join()


def test_nothing_changed_reports_what_the_last_build_did_and_a_file_changed_by_hand_is_repaired(
        example_site, built):
    first = run(example_site, built)
    again = run(example_site, built)
    assert again.stats is not None and again.stats.written == 0
    assert sorted(d.headline() for d in again.diagnostics) == \
        sorted(d.headline() for d in first.diagnostics)
    assert again.counts == first.counts and again.counts["files"] == len(files(built))
    page = built / "briefings/index.html"
    good = page.read_bytes()
    before = page.stat()
    page.write_bytes(b"x" * len(good))  # same size and time, as a restore with cp -p keeps
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    (built / "feed.xml").unlink()
    repaired = run(example_site, built)
    assert repaired.stats is not None and repaired.stats.written == 2
    assert page.read_bytes() == good and (built / "feed.xml").is_file()


@pytest.mark.parametrize("child_reads", ["nothing", "other records"])
def test_a_file_changed_by_hand_is_repaired_whatever_the_survey_child_reads(
        example_site, built, monkeypatch, child_reads):
    """The output folder is looked at by a forked child, against the recorded states that
    it reads itself. When it cannot read them, or compares other records than the build's,
    the build looks at the folder itself: a file changed by hand is made again."""
    from briefgen import build as build_module
    from briefgen.engine.store import StoreError

    def recorded_states(rows: object) -> dict[str, object]:
        if child_reads == "nothing":
            raise StoreError("the build cache could not be read")
        return {}

    run(example_site, built)  # the cache records the folder as this build leaves it
    page = built / "briefings/index.html"
    good = page.read_bytes()
    before = page.stat()
    page.write_bytes(b"x" * len(good))  # same size and time, as a restore with cp -p keeps
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    monkeypatch.setattr(build_module, "_recorded_states", recorded_states)
    repaired = run(example_site, built)
    assert repaired.stats is not None and repaired.stats.written == 1
    assert page.read_bytes() == good
    assert run(example_site, built).stats.written == 0  # type: ignore[union-attr]


@pytest.mark.parametrize("threads", [1, 2])
def test_the_survey_child_reads_the_records_itself_unless_threads_run(example_site, built,
                                                                       monkeypatch, threads):
    """Alone, the process leaves the reading of the output folder's records to the survey's
    child; with other threads running, it reads them before the fork (a thread inside
    SQLite at the fork would leave the child a lock nobody releases). Either way a file
    changed by hand is found and made again."""
    from types import SimpleNamespace

    from briefgen import build as build_module

    reads: list[str] = []
    at_fork: list[int] = []
    output_rows = build_module.EngineStore.output_rows
    survey_init = build_module.SurveyInChild.__init__

    def counted(self, folder):  # type: ignore[no-untyped-def]
        reads.append(folder)
        return output_rows(self, folder)

    def looked(self, out, recorded):  # type: ignore[no-untyped-def]
        at_fork.append(len(reads))
        survey_init(self, out, recorded)

    monkeypatch.setattr(build_module.EngineStore, "output_rows", counted)
    monkeypatch.setattr(build_module.SurveyInChild, "__init__", looked)
    monkeypatch.setattr(build_module, "threading", SimpleNamespace(active_count=lambda: threads))
    page = built / "briefings/index.html"
    good = page.read_bytes()
    page.write_bytes(good + b" ")
    repaired = run(example_site, built)
    assert at_fork == [0 if threads == 1 else 1]
    assert repaired.stats is not None and repaired.stats.written == 1
    assert page.read_bytes() == good


def test_a_theme_without_a_template_briefgen_renders_is_an_error_until_it_has_it(tmp_path):
    """A theme of the site's own that lacks a template the default theme has: a clear error
    naming it (it was an internal error), and the next build, once the theme has it, works."""
    from briefgen.web.themes import PACKAGED_THEMES

    site = tmp_path / "site"
    (site / "content" / "briefings").mkdir(parents=True)
    (site / "site.yaml").write_text("title: T\ntheme: mine\n")
    (site / "content" / "briefings" / "b.md").write_text(
        "---\ntitle: B\ndate: 2023-01-02\n---\n\n## 2023-01-01 One\n\nText.\n")
    theme = site / "themes" / "mine"
    shutil.copytree(PACKAGED_THEMES / "theme", theme)
    (theme / "templates" / "partials" / "entry_item.html").unlink()
    out = tmp_path / "out"
    result = build(site, BuildOptions(out=out, jobs=1))
    errors = [d.message for d in result.diagnostics if d.severity.value == "error"]
    assert errors == ["template 'partials/entry_item.html' not found in the site's templates/ "
                      "or the theme's templates/"]
    assert not out.exists()
    shutil.copy(PACKAGED_THEMES / "theme" / "templates" / "partials" / "entry_item.html",
                theme / "templates" / "partials" / "entry_item.html")
    assert build(site, BuildOptions(out=out, jobs=1)).ok
    assert "bg-tl-item" in (out / "timeline" / "index.html").read_text()
