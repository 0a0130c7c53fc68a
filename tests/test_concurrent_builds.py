"""Builds into one output take turns; a killed build leaves no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from briefgen.buildlock import output_lock, user_locks_folders
from briefgen.cache import locks_folder
from briefgen.manifest import MANIFEST
from tests.conftest import leftovers, run_subprocess, write

# Raise it to run many trials by hand (BRIEFGEN_CONCURRENT_TRIALS=20).
TRIALS = int(os.environ.get("BRIEFGEN_CONCURRENT_TRIALS", "3"))


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST}


def iter_until(stream: IO[str], text: str) -> Iterator[str]:
    """The lines of ``stream`` up to the first that holds ``text`` (or its end)."""
    for line in stream:
        yield line
        if text in line:
            return


def start_build(site: Path, out: Path, cache: Path | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    if cache is not None:
        env["BRIEFGEN_CACHE_DIR"] = str(cache)
    return subprocess.Popen([sys.executable, "-m", "briefgen", "--site", str(site), "build",
                             "--out", str(out)], env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def test_two_builds_at_once_both_succeed_and_leave_a_clean_build(example_site, tmp_path):
    reference = tmp_path / "reference"
    assert run_subprocess("--site", str(example_site), "build", "--out", str(reference)).code == 0
    out = tmp_path / "public"
    assert run_subprocess("--site", str(example_site), "build", "--out", str(out)).code == 0
    (out / "CNAME").write_text("briefs.example.org\n")
    briefing = next((example_site / "content" / "briefings").glob("*.md"))
    original = briefing.read_text()
    for trial in range(TRIALS):
        # Alternate between two versions so that every trial changes the output.
        briefing.write_text(original if trial % 2 else original + "\nOne more line.\n")
        first, second = start_build(example_site, out), start_build(example_site, out)
        for proc in (first, second):
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        expected = tmp_path / "expected" / str(trial)
        assert run_subprocess("--site", str(example_site), "build", "--out",
                              str(expected)).code == 0
        assert files(out) == {**files(expected), "CNAME": b"briefs.example.org\n"}
        assert leftovers(out) == []
    briefing.write_text(original)


def build_while_held(folders: list[Path], site: Path, out: Path,
                     cache: Path | None = None) -> str:
    """Start a build while this process holds the lock of ``out`` in ``folders`` (and in
    the folder that holds it); once it has waited and then built, what it said."""
    with output_lock(folders, out, lambda pid: None):
        proc = start_build(site, out, cache=cache)
        # Held until the build says it waits (however long it takes to get there), so that
        # it is seen waiting whatever the machine's load.
        assert proc.stderr is not None
        said = "".join(iter_until(proc.stderr, "waiting for another build"))
        assert proc.poll() is None, "the build did not wait"
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, said + err
    assert (out / "index.html").is_file()
    return said


def test_a_second_build_waits_and_says_for_whom(example_site, tmp_path):
    out = (tmp_path / "public").resolve()
    said = build_while_held([locks_folder()], example_site, out)
    assert f"waiting for another build of {out}/ (pid {os.getpid()})" in said


def test_builds_that_use_other_caches_take_turns_too(example_site, tmp_path):
    # A terminal and an editor plugin whose BRIEFGEN_CACHE_DIR or XDG_CACHE_HOME differ:
    # the lock held in the user's own folder of locks makes the second one wait.
    out = (tmp_path / "public").resolve()
    said = build_while_held(user_locks_folders()[:1], example_site, out,
                            cache=tmp_path / "another-cache")
    assert f"(pid {os.getpid()})" in said


def test_builds_by_another_user_take_turns_too(example_site, tmp_path):
    """Another user's build holds its own folders of locks, which this user's build never
    sees, and the lock of the folder that holds the output, which it does."""
    out = (tmp_path / "public").resolve()
    said = build_while_held([], example_site, out, cache=tmp_path / "another-cache")
    # (the lock of the folder that holds the output: another output there may be the one)
    assert f"waiting for another build into {out.parent}/\n" in said + "\n"


def test_a_cache_folder_that_cannot_hold_locks_still_builds(example_site, tmp_path):
    cache = tmp_path / "cache-is-a-file"
    cache.write_text("not a folder")
    proc = start_build(example_site, tmp_path / "public", cache=cache)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert (tmp_path / "public/index.html").is_file()


def test_check_takes_no_lock(example_site, tmp_path):
    out = (example_site / "public").resolve()
    with output_lock([locks_folder()], out, lambda pid: None):
        result = run_subprocess("--site", str(example_site), "check")
    assert result.code == 0, result.err
    assert "waiting" not in result.err


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_killed_build_leaves_no_worker_running(tmp_path):
    site = tmp_path / "site"
    briefings = {f"content/briefings/b{n:03d}.md":
                 f"---\ntitle: Briefing {n}\ndate: 2022-01-01\n---\n\n"
                 + "".join(f"## 2022-01-{d:02d} Day {d}\n\nText {n} {d} " * 20 + "\n\n"
                           for d in range(1, 20))
                 for n in range(150)}
    write(site, {"site.yaml": "title: Many\n", **briefings})
    proc = start_build(site, tmp_path / "out")
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        if len(workers) >= 2:
            break
        time.sleep(0.02)
    assert len(workers) >= 2, "the build started no workers to test with"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    assert not [w for w in workers if _alive(w)], "workers outlived their build"


def test_a_worker_that_is_killed_fails_the_build_and_leaves_the_output(example_site, tmp_path):
    # As the kernel's out-of-memory killer would: the worker making actor pages dies.
    out = tmp_path / "public"
    assert run_subprocess("--site", str(example_site), "build", "--out", str(out)).code == 0
    before = files(out)
    write(example_site, {"templates/actor.html":
                         "{{ lipsum.__globals__.os.kill(lipsum.__globals__.os.getpid(), 9) }}"})
    # A cache of its own: every page is due, so the pages are made in workers.
    proc = start_build(example_site, out, cache=tmp_path / "fresh-cache")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "Traceback" not in err, err
    assert "a worker process of this build ended abruptly" in err
    assert files(out) == before and leftovers(out) == []


def test_a_folder_of_locks_that_is_not_the_user_s_alone_is_passed_over_with_a_note(
        tmp_path, monkeypatch):
    from briefgen import buildlock

    monkeypatch.setattr(buildlock, "_temporary_folder", lambda: tmp_path)
    shared = tmp_path / f"briefgen-{os.getuid()}-locks"
    shared.mkdir()
    shared.chmod(0o777)  # as another user could have made it under /tmp
    said: list[str] = []
    assert shared not in buildlock.user_locks_folders(said.append)
    assert len(said) == 1 and f"through {shared}" in said[0]
    shared.chmod(0o700)
    assert buildlock.user_locks_folders()[0] == shared
    own = tmp_path / "own-locks"
    with output_lock([shared, own], tmp_path / "public", lambda pid: None):
        assert len(list(shared.iterdir())) == 1 and len(list(own.iterdir())) == 1
