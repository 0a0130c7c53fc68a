"""A look at the output folder taken in a child process while the build reads the site.

A command-line build after an edit spent about a sixth of its time on the output folder
before making anything: it read the manifest, walked every folder for files that are not
briefgen's, and looked (a ``stat`` each) at every file the last build wrote, to notice one
restored from a backup or edited by hand. None of that depends on the content, so a child
process does it on the other core while this one scans, parses and settles; the build takes
the result when it needs it, or does the work itself when the child could not (any failure
there is only a lost head start).

The look is taken earlier than the build would take it, but either is older than the swap:
a file that appears in the output after it is found by the last look the swap takes
(``swap._keep_as_spare``), as before.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from briefgen.engine.store import FileState
from briefgen.fileops import OS_FILE_OPS
from briefgen.manifest import FolderTimes, Manifest, foreign_paths, load_manifest
from briefgen.swap import READY, SPARE, containers


@dataclass(frozen=True, slots=True)
class Changed:
    """The files the build cache says the last build wrote, as the child found them."""

    recorded: int  # how many the cache names
    # Those whose state is not the recorded one (None: missing); the others are as recorded.
    states: dict[str, FileState | None]


@dataclass(frozen=True, slots=True)
class Survey:
    """The output folder as the child found it: its manifest, and the spare tree's."""

    manifest: Manifest | None  # the files briefgen wrote, their digests, the build's token
    spare: Path | None = None  # the spare tree the build will bring to the new site
    spare_manifest: Manifest | None = None  # its manifest
    # Gives the rest of the look (``Rest``), or None if the child could not: only the publish
    # needs it, and the child takes it while the build makes pages.
    rest: Callable[[], Rest | None] | None = None


@dataclass(frozen=True, slots=True)
class Rest:
    """What only the publish needs of the look."""

    foreign: list[str]  # the top-most paths of the files briefgen did not write
    folders: FolderTimes | None  # the output's folders' times, as they were listed
    # The recorded files of which the spare holds another file than the output does (or
    # none): after a build that wrote every file anew, the two trees stop sharing them.
    split: frozenset[str]


def output_states(out: Path, rels: Iterable[str],
                  seen: Mapping[str, FileState | None] | None = None
                  ) -> dict[str, FileState | None]:
    """The state of each output file (a ``stat`` each, unless ``seen`` has it; None when it
    is missing)."""
    folder, of, stat = f"{out}/", FileState.of, os.stat
    seen = seen or {}
    found: dict[str, FileState | None] = {}
    for rel in rels:
        if rel in seen:
            found[rel] = seen[rel]
            continue
        try:
            found[rel] = of(stat(folder + rel))
        except OSError:
            found[rel] = None
    return found


def _hand_over(part: object, parts: list[BinaryIO], number: int, pipe: int) -> None:
    """In the child: part ``number`` of the look into its file, then a byte into the pipe
    to say that it is there."""
    pickle.dump(part, parts[number], pickle.HIGHEST_PROTOCOL)
    parts[number].flush()
    os.write(pipe, str(number + 1).encode())


def _changed(recorded: Mapping[str, FileState], found: Mapping[str, FileState | None]
             ) -> Changed:
    return Changed(len(recorded), {rel: state for rel, state in found.items()
                                   if state != recorded[rel]})


def _split(spare: Path, found: Mapping[str, FileState | None]) -> frozenset[str]:
    """The files of ``found`` (present in the output) that the tree ``spare`` does not
    share with it: another file of the same name, or none."""
    folder, stat = f"{spare}/", os.stat
    split = []
    for rel, state in found.items():
        if state is None:
            continue
        try:
            if stat(folder + rel).st_ino == state.ino:
                continue
        except OSError:
            pass
        split.append(rel)
    return frozenset(split)


class SurveyInChild:
    """The look, taken by a forked child in three parts: which of the files the build
    cache says the last build wrote are no longer as recorded (``changed``: all that a
    build with nothing to do needs); the manifest (``result``: what a build needs before it
    makes pages); the foreign files, the folders' times and the files the spare tree does
    not share with the output (``Survey.rest``: what only the publish needs). Each part
    goes into a temporary file of its own, and a byte through a pipe says that it is there:
    the child never waits for this process to read.

    ``recorded`` gives the recorded state of each file; it is called in the child (decoding
    the cache's rows of 17,600 files takes longer than looking at them)."""

    PARTS = 3

    def __init__(self, out: Path, recorded: Callable[[], Mapping[str, FileState]]) -> None:
        self._pid: int | None = None
        self._pipe: BinaryIO | None = None
        self._parts: list[BinaryIO] = []
        self._got: list[Any] = []  # the parts read so far
        if not hasattr(os, "fork") or not out.is_dir():
            return
        states = [(c.state, c.site) for c in containers(out, OS_FILE_OPS)]
        if any(state == READY for state, _ in states):
            return  # an unfinished swap: the output may change before the build looks at it
        spare = next((site for state, site in states if state == SPARE), None)
        try:  # no room for the files, no process to spare: the build looks itself
            parts: list[BinaryIO] = [tempfile.TemporaryFile()  # noqa: SIM115 (see ``close``)
                                     for _ in range(self.PARTS)]
            reader, writer = os.pipe()
            pid = os.fork()
        except OSError:
            return
        if pid == 0:  # the child: look, hand the result over, leave without any cleanup
            # It only reads, and not for long: if the build is killed meanwhile, the child
            # ends when it writes to the pipe nobody reads any more.
            code = 1
            try:
                os.close(reader)
                known = recorded()
                found = output_states(out, known)
                _hand_over(_changed(known, found), parts, 0, writer)
                manifest = load_manifest(out)
                spare_manifest = load_manifest(spare) if spare is not None else None
                _hand_over(Survey(manifest, spare, spare_manifest), parts, 1, writer)
                folders = FolderTimes(time.time_ns(), {})
                foreign = foreign_paths(out, manifest.files, folders.times) \
                    if manifest is not None else []
                split = _split(spare, found) if spare is not None else frozenset()
                _hand_over(Rest(foreign, folders if manifest is not None else None, split),
                           parts, 2, writer)
                code = 0
            finally:
                os._exit(code)
        os.close(writer)
        self._pid, self._pipe, self._parts = pid, os.fdopen(reader, "rb", buffering=0), parts

    def changed(self) -> Changed | None:
        """The recorded files that changed, or None when the child has no answer: the
        caller then looks itself."""
        found = self._part(0)
        return found if isinstance(found, Changed) else None

    def result(self) -> Survey | None:
        """The output's manifest, or None when the child has none: the caller then looks
        itself."""
        found = self._part(1)
        return replace(found, rest=self._rest) if isinstance(found, Survey) else None

    def _rest(self) -> Rest | None:
        found = self._part(2)
        self.close()  # the last part
        return found if isinstance(found, Rest) else None

    def _part(self, number: int) -> Any:
        """Part ``number`` of the look (None when the child could not give it); the parts
        come through the pipe in order."""
        while len(self._got) <= number and self._pipe is not None:
            self._got.append(self._read(len(self._got)))
        return self._got[number] if number < len(self._got) else None

    def _read(self, part: int) -> Any:
        """Part ``part`` of the look, once the child says it is there (None if it fails)."""
        if self._pipe is None:
            return None
        try:
            if self._pipe.read(1) != str(part + 1).encode():
                raise EOFError
            found = self._parts[part]
            found.seek(0)
            return pickle.load(found)  # our own child's: not a cache
        except (EOFError, pickle.UnpicklingError, OSError):
            self.close()
            return None

    def close(self) -> None:
        """Stop the child, if it is still looking, and reap it."""
        if self._pipe is not None:
            self._pipe.close()
            self._pipe = None
        for part in self._parts:
            part.close()
        self._parts = []
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = None
