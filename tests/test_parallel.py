"""Results of worker processes come back whole and in order, large ones through a file that
is gone afterwards (so that a large result never exists whole as bytes in either process)."""

from __future__ import annotations

import functools
import os
import tempfile
import types
from pathlib import Path

import pytest

from briefgen import parallel
from briefgen.parallel import can_fork, stream_all

pytestmark = pytest.mark.skipif(not can_fork(), reason="workers are forked")


def result(number: int, size: int) -> dict[str, object]:
    return {"number": number, "pid": os.getpid(), "text": f"{number}:" + "x" * size,
            "parts": [bytes([number % 256]) * (size // 4)] * 3}


@pytest.fixture
def temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_small_and_large_results_come_back_whole_in_order(temp_folder: Path) -> None:
    sizes = [10, parallel.SPILL_BYTES * 3, 200, parallel.SPILL_BYTES // 2, parallel.SPILL_BYTES * 2]
    jobs = [functools.partial(result, number, size) for number, size in enumerate(sizes)]
    got = list(stream_all(jobs, workers=2, minimum=1, batch=1))
    assert [{**r, "pid": 0} for r in got] == [{**result(n, s), "pid": 0}
                                              for n, s in enumerate(sizes)]
    assert all(r["pid"] != os.getpid() for r in got), "not made in worker processes"
    assert list(temp_folder.iterdir()) == [], "a spilled result was left behind"


def test_large_results_travel_through_a_file(temp_folder: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    unpickled = parallel._unpickled

    def noting(sent: object) -> object:
        seen.append(type(sent).__name__)
        return unpickled(sent)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "_unpickled", noting)
    jobs = [functools.partial(result, 1, 10), functools.partial(result, 2, parallel.SPILL_BYTES)]
    assert [r["number"] for r in stream_all(jobs, workers=2, minimum=1, batch=1)] == [1, 2]
    assert seen == ["_Pickled", "_Spilled"]


def test_the_spill_folder_goes_when_the_caller_stops_early(temp_folder: Path) -> None:
    jobs = [functools.partial(result, n, parallel.SPILL_BYTES * 2) for n in range(6)]
    stream = stream_all(jobs, workers=2, minimum=1, batch=1)
    assert isinstance(stream, types.GeneratorType)
    assert next(stream)["number"] == 0
    stream.close()
    assert list(temp_folder.iterdir()) == []


def test_a_result_that_cannot_be_spilled_comes_back_through_the_pipe(
        temp_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No room in the temporary folder (simulated: the file cannot be made): the result
    still comes back whole, and no partial file is left."""
    real_open = open

    def refusing(path: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        if "x" in mode:
            raise OSError(28, "No space left on device")
        return real_open(path, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", refusing)
    jobs = [functools.partial(result, 3, parallel.SPILL_BYTES * 2)]
    got = list(stream_all(jobs, workers=2, minimum=1, batch=1))
    assert [{**r, "pid": 0} for r in got] == [{**result(3, parallel.SPILL_BYTES * 2), "pid": 0}]
    assert list(temp_folder.iterdir()) == []


def test_the_folders_of_killed_runs_are_removed_by_the_next_run(temp_folder: Path) -> None:
    """A run killed with its results folder in place (kill -9: nothing of it runs again)
    leaves the folder; the next run removes those whose process is gone, only those."""
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = temp_folder / f"{parallel.SPILL_PREFIX}{int(gone.stdout)}-abc123"
    (dead / "sub").mkdir(parents=True)
    (dead / "sub" / "result").write_bytes(b"x" * 100)
    running = temp_folder / f"{parallel.SPILL_PREFIX}{os.getppid()}-def456"  # a live process
    running.mkdir()
    other = temp_folder / "briefgen-results-notes"  # not a run's name
    other.mkdir()
    jobs = [functools.partial(result, n, 10) for n in range(3)]
    assert len(list(stream_all(jobs, workers=2, minimum=1, batch=1))) == 3
    assert sorted(p.name for p in temp_folder.iterdir()) == sorted([running.name, other.name])
