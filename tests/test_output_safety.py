"""SPEC §10: builds swap in a fresh folder, refuse dangerous targets and keep foreign files."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefgen.manifest import foreign_paths, read_manifest, safe_rel
from briefgen.output import MANIFEST, OutputRefused, OutputUpdate, publish
from tests.conftest import leftovers, run_subprocess, write


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file()}


def test_build_then_rebuild_keeps_foreign_files_and_removes_stale_ones(example_site, tmp_path, cli):
    out = tmp_path / "out"
    assert cli("--site", str(example_site), "build", "--out", str(out)).code == 0
    (out / "CNAME").write_text("briefs.example.org\n")
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (out / "briefings" / "notes.txt").write_text("mine")
    actor = next((example_site / "content" / "actors").glob("pamela-falk.*"))
    actor.unlink()
    for briefing in (example_site / "content" / "briefings").iterdir():
        text = briefing.read_text()
        briefing.write_text(text.replace("[[pamela-falk]]", "Pamela Falk")
                            .replace("[[Pamela Falk]]", "Pamela Falk"))
    result = cli("--site", str(example_site), "build", "--out", str(out))
    assert result.code == 0, result.err
    assert (out / "CNAME").read_text() == "briefs.example.org\n"
    assert (out / ".git" / "HEAD").is_file()
    assert (out / "briefings" / "notes.txt").read_text() == "mine"
    assert not (out / "actors" / "pamela-falk").exists(), "stale output was not removed"
    assert "of yours kept" in result.out
    assert leftovers(out) == [], "temporary folders were left behind"


def test_failed_build_leaves_previous_output_untouched(example_site, tmp_path, cli):
    out = tmp_path / "out"
    assert cli("--site", str(example_site), "build", "--out", str(out)).code == 0
    before = snapshot(out)
    write(example_site, {"content/actors/broken.yaml": "name: [unclosed\n"})
    result = cli("--site", str(example_site), "build", "--out", str(out))
    assert result.code == 1
    assert snapshot(out) == before


def test_second_build_rewrites_nothing(example_site, tmp_path, cli):
    out = tmp_path / "out"
    cli("--site", str(example_site), "build", "--out", str(out))
    inodes = {p: p.stat().st_ino for p in out.rglob("*") if p.is_file() and p.name != MANIFEST}
    result = cli("--site", str(example_site), "build", "--out", str(out))
    assert result.code == 0
    assert "(0 written" in result.out, result.out
    assert {p: p.stat().st_ino for p in inodes} == inodes, "unchanged files were rewritten"


@pytest.mark.parametrize("where", ["site", "parent", "content", "content-sub"])
def test_refuses_output_that_would_touch_the_site(example_site, cli, where):
    target = {"site": example_site, "parent": example_site.parent,
              "content": example_site / "content",
              "content-sub": example_site / "content" / "public"}[where]
    before = snapshot(example_site)
    result = cli("--site", str(example_site), "build", "--out", str(target))
    assert result.code == 1
    assert "refusing" in result.err
    assert snapshot(example_site) == before


def test_ctrl_c_while_the_new_site_is_put_in_place_waits_for_it(example_site, tmp_path, cli,
                                                                  monkeypatch):
    """The editor's files move into the new site, then the two folders are exchanged: a
    Ctrl-C in between would leave ``.git`` and ``CNAME`` in the hidden folder. It takes
    effect once the new site is in place, with them."""
    import signal

    from briefgen import output

    out = tmp_path / "public"
    assert cli("--site", str(example_site), "build", "--out", str(out), "-q").code == 0
    write(out, {"CNAME": "briefs.example.org\n", ".git/HEAD": "ref: refs/heads/main\n"})
    about = example_site / "content/pages/about.md"
    about.write_text(about.read_text() + "\nA late line.\n")
    real = output.swap_in

    def interrupted(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # as a key press would, mid-way
        time.sleep(0.05)
        return real(*args, **kwargs)

    monkeypatch.setattr(output, "swap_in", interrupted)
    result = cli("--site", str(example_site), "build", "--out", str(out), "-q")
    assert (result.code, result.err) == (130, "Interrupted.\n")
    assert (out / "CNAME").read_text() == "briefs.example.org\n"
    assert (out / ".git/HEAD").is_file()
    assert "A late line." in (out / "about/index.html").read_text()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


KILLED_AT_THE_EXCHANGE = """
import os, sys
from briefgen import fileops
from briefgen.cli import main

def killed(self, first, second):
    os._exit(9)  # as kill -9 at that instant: nothing is cleaned up

fileops.OsFileOps.exchange = killed
main(sys.argv[1:])
"""


def test_a_file_of_yours_in_a_folder_the_new_site_drops_survives_a_kill(example_site,
                                                                        tmp_path, cli):
    """Killed after the editor's files moved into the new site and before the exchange:
    the next build puts them back, into the folder they were in, which the old site has and
    the new one does not (the actor was deleted), and keeps them there."""
    import subprocess
    import sys

    out = tmp_path / "public"
    assert cli("--site", str(example_site), "build", "--out", str(out), "-q").code == 0
    write(out, {"actors/pamela-falk/mynote.txt": "mine\n", "CNAME": "briefs.example.org\n"})
    (example_site / "content/actors/pamela-falk.yaml").unlink()
    for path in (example_site / "content").rglob("*.[my]*"):
        text = path.read_text()
        if "pamela-falk" in text:
            path.write_text(text.replace("[[pamela-falk]]", "Pamela Falk"))
    killed = subprocess.run([sys.executable, "-c", KILLED_AT_THE_EXCHANGE, "--site",
                             str(example_site), "build", "--out", str(out), "-q"],
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode == 9, killed.stderr
    assert not (out / "actors/pamela-falk/mynote.txt").exists()  # in the hidden folder now
    result = cli("--site", str(example_site), "build", "--out", str(out))
    assert result.code == 0, result.err
    assert "could not be moved back" not in result.err and "look through it" not in result.err
    assert (out / "actors/pamela-falk/mynote.txt").read_text() == "mine\n"
    assert (out / "CNAME").is_file() and not (out / "actors/pamela-falk/index.html").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".public.briefgen-")] \
        and all(not (c / "site/actors/pamela-falk/mynote.txt").exists()
                for c in tmp_path.iterdir() if c.name.startswith(".public.briefgen-"))


def test_a_folder_above_the_output_that_cannot_be_written_is_an_error(example_site, tmp_path,
                                                                       cli, monkeypatch):
    """``/var/www/site`` for a user who may write the site but not ``/var/www``: the new
    site is written beside the output. A clear error, not a traceback. (Refused here by the
    operation itself: root may write any folder.)"""
    import errno

    from briefgen import fileops

    out = tmp_path / "www" / "site"
    out.mkdir(parents=True)
    real = fileops.OsFileOps.mkdir

    def refused(self, path):
        if os.path.dirname(path) == str(out.parent):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        real(self, path)

    monkeypatch.setattr(fileops.OsFileOps, "mkdir", refused)
    result = cli("--site", str(example_site), "build", "--out", str(out))
    assert result.code == 1 and "Traceback" not in result.err
    assert f"error: cannot build into {out}: Permission denied ({out.parent}/.site.briefgen-" \
        in result.err
    assert f"writes the new site beside it, in {out.parent}, which must be a folder you can " \
           "write, then swaps it in" in result.err
    assert list(out.iterdir()) == []


def test_an_output_that_holds_the_build_cache_is_refused_before_anything_is_made(
        example_site, tmp_path, cli, monkeypatch):
    out = tmp_path / "public"
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", str(out / ".cache"))
    result = cli("--site", str(example_site), "build", "--out", str(out))
    assert result.code == 1
    assert f"error: refusing to build into {out}: it contains the build cache {out}/.cache, " \
           "which would be published with the site; set BRIEFGEN_CACHE_DIR to a folder " \
           "outside it" in result.err
    assert not out.exists()


def test_a_mount_point_as_the_output_is_refused_with_the_reason(example_site, tmp_path, cli,
                                                                monkeypatch):
    """A build puts a new folder in the output's place: a mount point cannot be moved (it
    failed with 'Device or resource busy' in the hidden folder)."""
    out = tmp_path / "mnt"
    out.mkdir()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda path: str(path) == str(out) or real(path))
    result = cli("--site", str(example_site), "build", "--out", str(out))
    assert result.code == 1
    assert f"refusing to build into {out}: it is a mount point, and a build puts a new folder " \
           f"in the output's place; build into a folder inside it, such as {out}/site" \
           in result.err
    assert list(out.iterdir()) == []


def test_a_file_of_yours_that_cannot_be_moved_leaves_the_output_as_it_was(
        example_site, tmp_path, cli, monkeypatch):
    """One of the editor's files cannot be moved into the new site (a folder of another
    user's, as certbot's ``.well-known``): those moved before it go back, and the output is
    what the error says, unchanged."""
    import errno

    from briefgen import fileops

    out = tmp_path / "public"
    assert cli("--site", str(example_site), "build", "--out", str(out), "-q").code == 0
    write(out, {"CNAME": "briefs.example.org\n", ".git/HEAD": "ref\n", "uploads/a.jpg": "x"})
    before = snapshot(out)
    about = example_site / "content/pages/about.md"
    about.write_text(about.read_text() + "\nA late line.\n")
    real = fileops.OsFileOps.rename

    def refused(self, source, target):
        if source == str(out / "uploads"):
            raise PermissionError(errno.EACCES, "Permission denied", source)
        real(self, source, target)

    monkeypatch.setattr(fileops.OsFileOps, "rename", refused)
    result = cli("--site", str(example_site), "build", "--out", str(out))
    assert result.code == 1 and f"{out} is unchanged" in result.err
    assert snapshot(out) == before


def test_a_failure_after_the_new_site_is_in_place_says_so(example_site, tmp_path, cli,
                                                           monkeypatch):
    """Putting the previous site aside fails (a full disk as the marker is written): the
    new site is published, which the build says; the next build finishes the rest."""
    import errno

    from briefgen import swap

    out = tmp_path / "public"
    assert cli("--site", str(example_site), "build", "--out", str(out), "-q").code == 0
    about = example_site / "content/pages/about.md"
    about.write_text(about.read_text() + "\nA late line.\n")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(swap, "_keep_as_spare", full)
        result = cli("--site", str(example_site), "build", "--out", str(out))
    assert result.code == 0, result.err
    assert "the new site is in place; putting the previous one aside failed (No space left " \
           "on device), which the next build finishes" in result.err
    assert "A late line." in (out / "about/index.html").read_text()
    about.write_text(about.read_text() + "\nAnother.\n")
    again = cli("--site", str(example_site), "build", "--out", str(out))
    assert again.code == 0 and "Another." in (out / "about/index.html").read_text()
    assert leftovers(out) == []


def test_putting_back_never_follows_a_link_out_of_the_output(tmp_path):
    from briefgen.fileops import OS_FILE_OPS
    from briefgen.swap import _put_back

    tree, out, elsewhere = tmp_path / "tree", tmp_path / "out", tmp_path / "elsewhere"
    write(tree, {"a/b/note.txt": "mine"})
    elsewhere.mkdir()
    out.mkdir()
    (out / "a").symlink_to(elsewhere)
    assert not _put_back(tree, out, "a/b", OS_FILE_OPS)
    assert list(elsewhere.iterdir()) == [] and (tree / "a/b/note.txt").read_text() == "mine"


def test_refuses_non_empty_foreign_folder_and_accepts_empty_one(example_site, tmp_path, cli):
    foreign = tmp_path / "thesis"
    foreign.mkdir()
    (foreign / "chapter1.txt").write_text("years of work")
    result = cli("--site", str(example_site), "build", "--out", str(foreign))
    assert result.code == 1 and "not empty" in result.err
    assert snapshot(foreign) == {"chapter1.txt": b"years of work"}
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("--site", str(example_site), "build", "--out", str(empty)).code == 0
    assert (empty / "index.html").is_file()


def test_foreign_file_where_the_build_writes_is_an_error_not_an_overwrite(example_site, tmp_path,
                                                                         cli):
    out = tmp_path / "out"
    cli("--site", str(example_site), "build", "--out", str(out))
    manifest = (out / MANIFEST).read_text()
    # Pretend robots.txt was not written by briefgen: drop it from the manifest.
    (out / MANIFEST).write_text(manifest.replace('"robots.txt"', '"robots-old.txt"'))
    (out / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    result = cli("--site", str(example_site), "build", "--out", str(out))
    assert result.code == 1
    assert "robots.txt" in result.err
    assert (out / "robots.txt").read_text() == "User-agent: *\nDisallow: /private/\n"


def test_folders_named_like_staging_folders_are_never_touched(tmp_path):
    out = tmp_path / "public"
    publish(out, {"index.html": b"one"}, "test")
    decoys = {".public.briefgen-new/thesis.txt": "years of work",
              ".public.briefgen-old/index.html": "not for publishing",
              ".public.briefgen-0123456789abcdef/notes.txt": "no marker"}
    for rel, text in decoys.items():
        (tmp_path / rel).parent.mkdir()
        (tmp_path / rel).write_text(text)
    publish(out, {"index.html": b"two"}, "test")
    assert {rel: (tmp_path / rel).read_text() for rel in decoys} == decoys
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "index.html"]
    assert sorted(leftovers(out)) == sorted(p.split("/")[0] for p in decoys), \
        "a staging folder was left behind"


def test_a_marker_for_another_output_does_not_make_a_folder_ours(tmp_path):
    out = tmp_path / "public"
    publish(out, {"index.html": b"one"}, "test")
    other = tmp_path / ".public.briefgen-00000000000000aa"
    (other / "site").mkdir(parents=True)
    (other / "site" / "work.txt").write_text("mine")
    (other / ".briefgen-staging.json").write_text(json.dumps(
        {"briefgen": "staging", "out": str(tmp_path / "elsewhere"), "token": "00000000000000aa"}))
    publish(out, {"index.html": b"two"}, "test")
    assert (other / "site" / "work.txt").read_text() == "mine"


def test_publish_refuses_to_replace_a_foreign_file(tmp_path):
    out = tmp_path / "public"
    publish(out, {"index.html": b"a"}, "test")
    (out / "feed.xml").write_text("mine")
    with pytest.raises(OutputRefused):
        publish(out, {"index.html": b"a", "feed.xml": b"<feed/>"}, "test")
    assert (out / "feed.xml").read_text() == "mine"


def test_check_writes_nothing(example_site, cli):
    before = sorted(p.relative_to(example_site) for p in example_site.rglob("*"))
    assert cli("--site", str(example_site), "check").code == 0
    assert sorted(p.relative_to(example_site) for p in example_site.rglob("*")) == before
    assert not (example_site / "public").exists()


def test_output_symlink_pointing_outside_is_kept_not_followed(example_site, tmp_path, cli):
    out = tmp_path / "out"
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "data.txt").write_text("keep")
    cli("--site", str(example_site), "build", "--out", str(out))
    os.symlink(precious, out / "linked")
    assert cli("--site", str(example_site), "build", "--out", str(out)).code == 0
    assert (precious / "data.txt").read_text() == "keep"
    assert (out / "linked").is_symlink()


@pytest.mark.parametrize("entry", ["../victim.txt", "ABSOLUTE", "a/../../victim.txt"])
def test_tampered_manifest_never_deletes_outside_the_output(tmp_path, entry):
    out = tmp_path / "public"
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    publish(out, {"index.html": b"a"}, "test")
    name = str(victim) if entry == "ABSOLUTE" else entry
    (out / MANIFEST).write_text(json.dumps({"files": {"index.html": "", name: "x"}}))
    publish(out, {"index.html": b"b"}, "test")
    assert victim.read_text() == "precious"
    assert (out / "index.html").read_bytes() == b"b"


def test_output_below_a_file_is_refused(example_site, tmp_path, cli):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = cli("--site", str(example_site), "build", "--out", str(blocker / "out"))
    assert result.code == 1 and "is a file" in result.err
    assert blocker.read_text() == "x"


def test_in_place_update_removes_stale_files_and_the_folders_they_leave_empty(tmp_path):
    out = tmp_path / "served"
    publish(out, {"a/b/index.html": b"1", "c/index.html": b"2"}, "test", in_place=True)
    (out / "c/notes.txt").write_text("mine")
    stats = publish(out, {"c/index.html": b"3"}, "test", in_place=True)
    assert not (out / "a").exists()
    assert (out / "c/index.html").read_bytes() == b"3"
    assert (out / "c/notes.txt").read_text() == "mine"
    assert stats.removed == 1 and stats.written == 1


def test_in_place_replaced_files_are_freed_in_the_background_and_none_is_left(
        tmp_path, monkeypatch):
    """A replaced file is linked aside before the replace (which then frees nothing while
    requests wait), and the links go once the files are in place."""
    import time

    out = tmp_path / "served"
    publish(out, {"big.json": b"1" * 100_000, "index.html": b"a"}, "test", in_place=True)
    old_inode = (out / "big.json").stat().st_ino
    links_when_replaced = []
    replace = os.replace

    def noting(source, target):
        if str(target).endswith("big.json"):
            links_when_replaced.append(os.stat(target).st_nlink)
        replace(source, target)

    monkeypatch.setattr(os, "replace", noting)
    stats = publish(out, {"big.json": b"2" * 100_000, "index.html": b"a"}, "test",
                    in_place=True)
    monkeypatch.undo()
    assert links_when_replaced == [2], "the replaced file was not linked aside"
    assert stats.written == 1 and (out / "big.json").read_bytes() == b"2" * 100_000
    containers = [p for p in tmp_path.iterdir() if p.is_dir() and p != out]
    assert len(containers) == 1
    deadline = time.monotonic() + 30
    while (aside := sorted(containers[0].glob("freed-*"))) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert aside == [], "a link to a replaced file was left behind"
    assert (out / "big.json").stat().st_ino != old_inode


def test_an_aborted_in_place_update_leaves_no_link_to_a_replaced_file(tmp_path):
    """A page put in place first (``move_now``), then the build fails: the page stays new,
    and the link to its old version goes all the same."""
    import time

    from briefgen.output import OutputUpdate

    out = tmp_path / "served"
    publish(out, {"index.html": b"old", "other.html": b"x"}, "test", in_place=True)
    update = OutputUpdate(out, ["index.html", "other.html"], "test", in_place=True)
    update.record(update.put("index.html", b"new"))
    assert update.move_now(["index.html"]) == ["index.html"]
    update.abort()
    assert (out / "index.html").read_bytes() == b"new"
    containers = [p for p in tmp_path.iterdir() if p.is_dir() and p != out]
    deadline = time.monotonic() + 30
    while (aside := sorted(containers[0].glob("freed-*"))) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert aside == []


def test_a_full_disk_is_an_error_naming_the_file_and_keeps_the_old_site(example_site, tmp_path,
                                                                        monkeypatch):
    import errno

    from briefgen import output
    from briefgen.build import BuildOptions, build

    out = tmp_path / "out"
    assert build(example_site, BuildOptions(out=out, jobs=1)).ok
    before = snapshot(out)
    (example_site / "site.yaml").write_text((example_site / "site.yaml").read_text()
                                            .replace("title:", "title: New", 1))
    calls = []

    def full(path: str, data: bytes) -> None:
        calls.append(path)
        if len(calls) > 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        Path(path).write_bytes(data)

    monkeypatch.setattr(output, "write_new", full)
    result = build(example_site, BuildOptions(out=out, jobs=1))
    messages = [d.message for d in result.diagnostics]
    assert not result.ok
    assert any(m.startswith("No space left on device while writing " + str(out.resolve()))
               for m in messages), messages
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_a_cache_others_can_write_is_not_loaded(example_site, tmp_path, monkeypatch):
    """A pickle in the cache runs when loaded: a cache folder that another user can write
    to is ignored, with a note."""
    from briefgen.cache import cache_folder

    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    first = run_subprocess("--site", str(example_site), "build", "--out", str(out))
    assert first.code == 0 and "not used" not in first.err
    folder = cache_folder(example_site)
    assert list(folder.glob("state-*.sqlite"))
    folder.chmod(0o777)
    (example_site / "site.yaml").write_text((example_site / "site.yaml").read_text() + "\n")
    second = run_subprocess("--site", str(example_site), "build", "--out", str(out))
    assert second.code == 0, second.err
    assert f"the build cache is not used: {folder} is writable by every user" in second.err


def test_kept_files_linked_while_pages_are_made_leave_no_links_behind(tmp_path):
    """The first publish after a first build has no spare tree: a child process links the
    kept files into the new tree while pages are made. Putting each kept file in place then
    must not leave a second name behind (a rename between two links of one file does
    nothing), and names an older version left are taken away, never published."""
    out = tmp_path / "public"
    pages = {f"p{n}/index.html": f"page {n}".encode() for n in range(40)}
    publish(out, pages, "test")
    for rel in ("p0/index.html", "p1/index.html"):  # leftovers of an older version
        (out / f"{rel}.briefgen-link").hardlink_to(out / rel)
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest.pop("tidy") is True  # this version's trees are marked as holding none
    (out / MANIFEST).write_text(json.dumps(manifest))  # the older version's had no mark
    update = OutputUpdate(out, list(pages), "test")
    update.prepare([rel for rel in pages if rel != "p0/index.html"])
    update.record(update.put("p0/index.html", b"page 0, edited"))
    for rel in pages:
        if rel != "p0/index.html":
            update.keep(rel)
    update.commit()
    expected = {**pages, "p0/index.html": b"page 0, edited"}
    for round_ in range(3):  # the leftover is gone from both trees, whichever is published
        assert not [p for p in out.rglob("*") if p.name.endswith(".briefgen-link")]
        shown = {rel: data for rel, data in snapshot(out).items() if rel != MANIFEST}
        assert shown == expected
        assert foreign_paths(out, read_manifest(out) or {}) == []
        expected = {**expected, "p2/index.html": f"page 2, round {round_}".encode()}
        publish(out, expected, "test")  # a change: the other tree is brought up to date


@given(st.text(alphabet="/.\\a\x00", max_size=12))
def test_a_manifest_entry_is_safe_only_when_every_part_is_a_plain_name(rel):
    """A tampered manifest must not name anything outside the folder: an absolute path, an
    empty, ``.`` or ``..`` part, a backslash or a NUL make an entry unsafe."""
    parts = rel.split("/")
    expected = bool(rel) and "\\" not in rel and "\x00" not in rel \
        and all(part not in ("", ".", "..") for part in parts)
    assert safe_rel(rel) == expected


def test_a_file_of_yours_that_appears_after_the_output_was_looked_at_is_kept(
        example_site, tmp_path, monkeypatch):
    """The output folder is looked at on the other core while the site is read (``survey``):
    a file put into it after that look, during the build, is still there after the swap."""
    from briefgen import survey
    from briefgen.build import BuildOptions, build

    out = tmp_path / "out"
    assert build(example_site, BuildOptions(out=out, jobs=1)).ok
    assert build(example_site, BuildOptions(out=out, jobs=1)).ok  # a spare tree now
    looked = survey.SurveyInChild._rest
    late = {"notes.txt": "mine", "briefings/draft-notes.md": "also mine"}

    def look_then_write(self):
        found = looked(self)
        assert found is not None and found.folders, "the child's look is used"
        for rel, text in late.items():
            (out / rel).write_text(text)
        return found

    monkeypatch.setattr(survey.SurveyInChild, "_rest", look_then_write)
    past = time.time_ns() - 3600 * 1_000_000_000  # folders not changed lately: not racy
    for folder in [out, *(p for p in out.rglob("*") if p.is_dir())]:
        os.utime(folder, ns=(past, past))
    page = next((example_site / "content/briefings").glob("*.md"))
    page.write_text(page.read_text() + "\nA late paragraph.\n")
    result = build(example_site, BuildOptions(out=out, jobs=1))
    assert result.ok and result.stats is not None and result.stats.written
    for rel, text in late.items():
        assert (out / rel).read_text() == text


def test_the_look_a_child_takes_at_the_output_is_the_one_the_build_would_take(tmp_path):
    from briefgen.engine.store import FileState
    from briefgen.survey import SurveyInChild

    out = tmp_path / "out"
    publish(out, {"a/index.html": b"1", "b/index.html": b"2", "c.json": b"3"}, "test")
    (out / "CNAME").write_text("briefs.example.org\n")
    (out / "a" / "notes.txt").write_text("mine")
    (out / "b" / "index.html").unlink()
    recorded = {rel: FileState.of(os.stat(out / rel)) for rel in ("a/index.html", "c.json")}
    recorded["b/index.html"] = FileState(1, 1, 1, 1)
    recorded["c.json"] = recorded["c.json"]._replace(mtime=1)  # restored from a backup
    look = SurveyInChild(out, lambda: recorded)
    changed = look.changed()
    assert changed is not None and changed.recorded == 3
    assert changed.states == {"b/index.html": None,
                              "c.json": FileState.of(os.stat(out / "c.json"))}
    found = look.result()
    assert found is not None and found.manifest is not None and found.rest
    assert found.manifest.files == read_manifest(out)
    rest = found.rest()
    assert rest is not None
    assert sorted(rest.foreign) == sorted(foreign_paths(out, found.manifest.files)) \
        == ["CNAME", "a/notes.txt"]
    look.close()  # reaped already: nothing left to do


def _tree(root: Path, files: dict[str, str], age_s: int) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    past = time.time_ns() - age_s * 1_000_000_000
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        os.utime(folder, ns=(past, past))


def test_after_a_look_only_the_folders_changed_since_are_listed_for_late_files(tmp_path):
    """After the swap, the previous output is looked through for files of the editor's that
    reached it during the build. A look taken earlier in the build gives each folder's time:
    a folder whose time changed since (a file added, a folder made) is listed again; one
    unchanged since an old time is not."""
    from briefgen.manifest import FolderTimes, foreign_paths_since

    root = tmp_path / "out"
    owned = {"a/index.html": "1", "b/index.html": "2", "index.html": "3"}
    _tree(root, dict.fromkeys(owned, "x"), age_s=3600)
    listed = FolderTimes(time.time_ns(), {})
    assert foreign_paths(root, owned, listed.times) == []
    assert set(listed.times) == {"", "a/", "b/"}
    (root / "a" / "notes.txt").write_text("mine")  # a's time changes
    (root / "c").mkdir()  # and the tree's: a new folder
    (root / "c" / "draft.md").write_text("mine")
    hidden = root / "b" / "late.txt"  # a file whose folder keeps its old time
    hidden.write_text("mine")
    os.utime(root / "b", ns=(listed.times["b/"], listed.times["b/"]))
    assert foreign_paths_since(root, owned, listed) == ["a/notes.txt", "c"]
    assert sorted(foreign_paths(root, owned)) == ["a/notes.txt", "b/late.txt", "c"]


@pytest.mark.parametrize("whole_seconds", [False, True])
def test_a_folder_changed_just_before_the_look_is_listed_again_whatever_its_time(
        tmp_path, whole_seconds):
    """A file system keeps times in steps (whole seconds on some, up to 2 s apart): a folder
    changed shortly before the look may change again without its time changing, so it is
    listed again: 50 ms before, with a time in nanoseconds; 1 to 2 s before, with a time of
    whole seconds."""
    from briefgen.manifest import FolderTimes, foreign_paths_since

    root = tmp_path / "out"
    owned = {"b/index.html": "2"}
    _tree(root, dict.fromkeys(owned, "x"), age_s=3600)
    looked = time.time_ns()
    second = 1_000_000_000
    then = (looked // second - 1) * second if whole_seconds else looked - 50_000_000
    os.utime(root / "b", ns=(then, then))
    listed = FolderTimes(looked, {})
    foreign_paths(root, owned, listed.times)
    (root / "b" / "late.txt").write_text("mine")
    os.utime(root / "b", ns=(then, then))
    assert foreign_paths_since(root, owned, listed) == ["b/late.txt"]
