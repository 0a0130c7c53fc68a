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
from itertools import accumulate

from briefgen.engine.deps import Part, digest_text

_SEP, _FIELD, _ROW = "\x1f", "\x1d", "\x1e"

Piece = Part  # a piece of a joined output: the node (and part of it) whose text it is
# The fingerprints of a piece with nothing to show, and of a part that is not there: such
# pieces are left out of joins.
EMPTY_PIECE = (digest_text(""), "")
WRITE_AT = 1 << 20  # bytes gathered before they are written


@dataclass(frozen=True, slots=True)
class Joined:
    parts: tuple[str | Piece, ...]

    @property
    def fingerprint(self) -> str:
        return "j" + digest_text(_ROW.join(p if isinstance(p, str) else f"{_SEP.join(p.key)}"
                                           f"{_FIELD}{p.part}{_FIELD}{p.fp}"
                                           for p in self.parts))


def join(parts: Iterable[str | Piece], separator: str = "") -> tuple[str | Piece, ...]:
    """Parts with ``separator`` between them (a comma between JSON items)."""
    found: list[str | Piece] = []
    for part in parts:
        if found and separator:
            found.append(separator)
        found.append(part)
    return tuple(found)


# (piece, the short text written just before it) → (offset, length) of both in the file
Layout = dict[tuple[Piece, str], tuple[int, int]]
_LEAD = 4  # a literal this short before a piece (a JSON comma) is copied along with it


# A layout as kept in the output's record: a row per piece ("key, part, fingerprint, lead"),
# in file order, then the numbers: for each piece the bytes of literal text before it and its
# own (lead included). Relative, so that replacing a piece changes its row and its length,
# nothing else: a splice of one entry among 45,000 reads no other row.
_NUMBERS = "\x1c"


def encode_layout(layout: Iterable[tuple[Piece, str, int, int]]) -> str:
    """The layout of pieces written at (offset, length), in file order."""
    rows, numbers, end = [], [], 0
    for p, lead, offset, length in layout:
        rows.append(_row(p, lead))
        numbers.append(f"{offset - end} {length}")
        end = offset + length
    return f"{_ROW.join(rows)}{_NUMBERS}{' '.join(numbers)}" if rows else ""


def decode_layout(text: object) -> Layout:
    packed = Packed.of(text)
    if packed is None:
        return {}
    found: Layout = {}
    ends = list(accumulate(map(int, packed.numbers)))
    for index, row in enumerate(packed.rows):
        found[_piece_of(row)] = (ends[2 * index], int(packed.numbers[2 * index + 1]))
    return found


def _row(piece: Piece, lead: str) -> str:
    return f"{_SEP.join(piece.key)}{_FIELD}{piece.part}{_FIELD}{piece.fp}{_FIELD}{lead}"


def _piece_of(row: str) -> tuple[Piece, str]:
    """The piece of a layout row, and its lead."""
    key, part, fp, lead = row.split(_FIELD)
    return Piece(tuple(key.split(_SEP)), part, fp), lead


@dataclass(slots=True)
class Packed:
    """A layout split into its rows and numbers but not parsed: a splice parses only the
    rows of the pieces it replaces."""

    rows: list[str]
    numbers: list[str]  # gap and length of each piece, as text

    @classmethod
    def of(cls, text: object) -> Packed | None:
        if not isinstance(text, str) or not text:
            return None
        rows, _, numbers = text.partition(_NUMBERS)
        found = cls(rows.split(_ROW), numbers.split(" "))
        return found if len(found.numbers) == 2 * len(found.rows) else None

    def find(self, keys: Iterable[tuple[str, ...]]) -> list[tuple[int, Piece, str]]:
        """Where the pieces of the nodes ``keys`` are: (row, piece, lead), in file order."""
        heads = tuple(f"{_SEP.join(key)}{_FIELD}" for key in keys)
        found = []
        for index, row in enumerate(self.rows):
            if row.startswith(heads):
                found.append((index, *_piece_of(row)))
        return found

    def text(self) -> str:
        return f"{_ROW.join(self.rows)}{_NUMBERS}{' '.join(self.numbers)}"


def _leads(parts: tuple[str | Piece, ...]) -> list[tuple[str | Piece, str]]:
    """The parts, each piece with the short literal before it (then not written apart):
    pieces and their separators lie one after another, so a run of unchanged ones is one
    copy."""
    found: list[tuple[str | Piece, str]] = []
    for index, part in enumerate(parts):
        if isinstance(part, str):
            following = parts[index + 1] if index + 1 < len(parts) else None
            if not (isinstance(following, Piece) and len(part) <= _LEAD and part.isprintable()):
                found.append((part, ""))
        else:
            previous = parts[index - 1] if index else None
            lead = previous if isinstance(previous, str) and len(previous) <= _LEAD \
                and previous.isprintable() else ""
            found.append((part, lead))
    return found


def write_joined(target: str, joined: Joined, previous: str | None, layout: Layout,
                 piece_data: Callable[[Piece], bytes]) -> tuple[str, int]:
    """Write ``joined`` to the new file ``target``, copying the pieces that ``previous``
    (the last build's file, or None) holds as ``layout`` says; return the new layout, as
    text for the record, and how many pieces had to be made."""
    made = 0
    rows: list[tuple[Piece, str, int, int]] = []
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    source = os.open(previous, os.O_RDONLY) if previous is not None and layout else None
    try:
        fd = os.open(target, flags, 0o666)
        try:
            writer = _Writer(fd, source)
            for part, lead in _leads(joined.parts):
                if isinstance(part, str):
                    writer.write(part.encode("utf-8"))
                    continue
                found = layout.get((part, lead)) if source is not None else None
                if found is None:
                    data = lead.encode("utf-8") + piece_data(part)
                    made += 1
                    rows.append((part, lead, writer.offset, len(data)))
                    writer.write(data)
                else:
                    rows.append((part, lead, writer.offset, found[1]))
                    writer.copy(*found)
            writer.flush()
        finally:
            os.close(fd)
    finally:
        if source is not None:
            os.close(source)
    return encode_layout(rows), made


def splice_joined(target: str, previous: str, packed: Packed,
                  replaced: dict[int, tuple[Piece, str, bytes]]) -> str:
    """Write to the new file ``target`` the file ``previous`` (laid out as ``packed`` says)
    with the pieces of the rows ``replaced`` (row → the new piece, its lead and its bytes,
    lead included) in the place of the old ones, everything else copied in a few ranges;
    return the new layout (``packed`` is changed to it)."""
    ends = list(accumulate(map(int, packed.numbers))) if replaced else []
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    source = os.open(previous, os.O_RDONLY)
    try:
        size = os.fstat(source).st_size
        fd = os.open(target, flags, 0o666)
        try:
            writer = _Writer(fd, source)
            position = 0
            for index in sorted(replaced):
                piece, lead, data = replaced[index]
                start, end = ends[2 * index], ends[2 * index + 1]
                if start > position:
                    writer.copy(position, start - position)
                writer.write(data)
                position = end
                packed.rows[index] = _row(piece, lead)
                packed.numbers[2 * index + 1] = str(len(data))
            if size > position:
                writer.copy(position, size - position)
            writer.flush()
        finally:
            os.close(fd)
    finally:
        os.close(source)
    return packed.text()


class _Writer:
    """Appends to a file, gathering text into few writes and copies of consecutive ranges
    of the previous file into one."""

    def __init__(self, fd: int, source: int | None) -> None:
        self.fd, self.source = fd, source
        self.offset = 0  # where the next byte goes
        self.pending = bytearray()
        self.copy_from, self.copying = 0, 0

    def write(self, data: bytes) -> None:
        if self.copying:
            self._copy_now()
        self.pending += data
        self.offset += len(data)
        if len(self.pending) >= WRITE_AT:  # a first build's 50 MB export is not held whole
            _write_all(self.fd, self.pending)
            self.pending = bytearray()

    def copy(self, start: int, length: int) -> None:
        if self.pending:
            _write_all(self.fd, self.pending)
            self.pending = bytearray()
        if self.copying and self.copy_from + self.copying == start:
            self.copying += length
        else:
            if self.copying:
                self._copy_now()
            self.copy_from, self.copying = start, length
        self.offset += length

    def flush(self) -> None:
        if self.copying:
            self._copy_now()
        if self.pending:
            _write_all(self.fd, self.pending)
            self.pending = bytearray()

    def _copy_now(self) -> None:
        assert self.source is not None
        _copy(self.source, self.fd, self.copy_from, self.copying)
        self.copying = 0


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
