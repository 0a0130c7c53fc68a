"""Outputs made of many pieces (the timeline, the JSON exports, feeds, pages that list
entries), written by copying the unchanged pieces out of the previous build's file.

Such an output is a ``Joined``: literal text and references to piece nodes (an entry's list
item, its JSON), each with its fingerprint. Its fingerprint is made of theirs, so knowing
whether it changed costs no bytes. When it is written, a piece that the previous file holds
with the same fingerprint is copied from there in the kernel (``copy_file_range``); only new
and changed pieces are made and written. The output's layout (where each piece stands in
the file) is kept in its record for the next build. So an edit to one entry of 20,000
rewrites a 50 MB export for the cost of copying it, and the pieces themselves need not be
kept in the build cache: the published file is their store.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from briefgen.engine.deps import Key, digest_text

_SEP, _FIELD, _ROW = "\x1f", "\x1d", "\x1e"


@dataclass(frozen=True, slots=True)
class Piece:
    key: Key  # the node whose value (text) this is
    fp: str


@dataclass(frozen=True, slots=True)
class Joined:
    parts: tuple[str | Piece, ...]

    @property
    def fingerprint(self) -> str:
        return "j" + digest_text(_ROW.join(p if isinstance(p, str) else f"{_SEP.join(p.key)}"
                                           f"{_FIELD}{p.fp}" for p in self.parts))


def join(parts: Iterable[str | Piece], separator: str = "") -> tuple[str | Piece, ...]:
    """Parts with ``separator`` between them (a comma between JSON items)."""
    found: list[str | Piece] = []
    for part in parts:
        if found and separator:
            found.append(separator)
        found.append(part)
    return tuple(found)


Layout = dict[tuple[Key, str], tuple[int, int]]  # (piece key, fingerprint) → (offset, length)


def encode_layout(layout: Iterable[tuple[Key, str, int, int]]) -> str:
    return _ROW.join(f"{_SEP.join(key)}{_FIELD}{fp}{_FIELD}{offset}{_FIELD}{length}"
                     for key, fp, offset, length in layout)


def decode_layout(text: object) -> Layout:
    if not isinstance(text, str) or not text:
        return {}
    found: Layout = {}
    for row in text.split(_ROW):
        key, fp, offset, length = row.split(_FIELD)
        found[(tuple(key.split(_SEP)), fp)] = (int(offset), int(length))
    return found


def write_joined(target: str, joined: Joined, previous: str | None, layout: Layout,
                 piece_text: Callable[[Key], str]) -> tuple[str, int]:
    """Write ``joined`` to the new file ``target``, copying the pieces that ``previous``
    (the last build's file, or None) holds as ``layout`` says; return the new layout, as
    text for the record, and how many pieces had to be made."""
    made = 0
    rows: list[tuple[Key, str, int, int]] = []
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    source = os.open(previous, os.O_RDONLY) if previous is not None and layout else None
    try:
        fd = os.open(target, flags, 0o666)
        try:
            offset = 0
            pending = bytearray()  # literal text and made pieces, written in few calls
            for part in joined.parts:
                if isinstance(part, str):
                    pending += part.encode("utf-8")
                    continue
                found = layout.get((part.key, part.fp)) if source is not None else None
                if found is None:
                    data = piece_text(part.key).encode("utf-8")
                    made += 1
                    rows.append((part.key, part.fp, offset + len(pending), len(data)))
                    pending += data
                    continue
                if pending:
                    offset += _write_all(fd, pending)
                    pending = bytearray()
                assert source is not None
                _copy(source, fd, found[0], found[1])
                rows.append((part.key, part.fp, offset, found[1]))
                offset += found[1]
            if pending:
                _write_all(fd, pending)
        finally:
            os.close(fd)
    finally:
        if source is not None:
            os.close(source)
    return encode_layout(rows), made


def _write_all(fd: int, data: bytes | bytearray) -> int:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    return len(data)


def _copy(source: int, target: int, offset: int, length: int) -> None:
    """``length`` bytes of ``source`` from ``offset`` on, appended to ``target``: in the
    kernel where it can (no copy through this process), else read and written."""
    while length > 0:
        try:
            done = os.copy_file_range(source, target, length, offset)
        except (OSError, AttributeError):
            done = 0
        if done <= 0:
            data = os.pread(source, min(length, 1 << 20), offset)
            if not data:
                raise OSError(f"the previous file ended {length} bytes early")
            done = _write_all(target, data)
        offset += done
        length -= done
