"""Recorded dependencies, and the invalidation they drive.

Everything a build derives is a *node* named by a key: a tuple whose first item is the
node's kind (``("fill", "briefings", "x")``). A node's value is computed by its kind's
function from the values it reads through the ``Reader`` it is handed; every read is
recorded, by the key read, in the node's record, and the engine keeps the reverse: for each
key, the nodes that read it. Nothing is declared by hand: what a value depends on is what its
code read. A node is made again when something it read gets a new fingerprint.

Kinds have levels. A node reads only nodes of lower levels, so one pass in level order
settles everything (``Engine.update``). Inputs (files, settings) are level 0.

Besides reading, a node may *emit* items into indexes (``("idx", name, ...)``): a briefing
emits its entries into the timeline and into the backlinks of every actor they link.
An index's value is the union of what its emitters emit, kept up to date by diffing each
emitter's new emissions against its old ones; an index is itself a node that others read
(an actor page reads the backlinks of its actor). A new alias emitted under a name makes
every node that looked that name up, and found nothing, stale: failed look-ups are reads.

A node may read one kind of *piece* for every member of an index (``Reader.each``): the
timeline reads the list item of every entry. That is one dependency, not thousands: when a
piece changes, the readers of the indexes its member belongs to are told.

After an input changes, ``Engine.update`` walks the readers of what changed, recomputes
them in level order, and stops wherever a recomputed value has the fingerprint it had
(early cut-off). Outputs (files) are collected rather than made, so that the caller can
make them in the order it wants, in worker processes, or not at all (``check``).
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from briefgen.errors import Diagnostic

Key = tuple[str, ...]
Item = tuple[Any, ...]  # (sort key, member key or None, data...)


def digest_text(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


_PART, _PART_FP = "\x1e", "\x1f"


def parts_fingerprint(value: tuple[tuple[str, Any], ...]) -> str:
    """The fingerprint of a node with parts: each part's name and fingerprint (text as it
    is, UTF-8 as the text it encodes, anything else by its ``repr``)."""
    return _PART.join(f"{part}{_PART_FP}{_digest_any(p)}" for part, p in value)


def _digest_any(value: Any) -> str:
    if isinstance(value, str):
        return digest_text(value)
    return digest_bytes(value) if isinstance(value, bytes) else digest_text(repr(value))


def part_fingerprints(fp: str) -> dict[str, str]:
    return dict(row.split(_PART_FP) for row in fp.split(_PART)) if fp else {}


def part_of(member: Key) -> str:
    """Which part of its head's node stands for a member: the rest of its key."""
    return _PART_FP.join(member[1:])


def digest_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class Kind:
    """What a kind of node is and how it is made."""

    name: str
    level: int
    # (reader, *key[1:]) -> value. None for inputs, whose fingerprint the caller sets.
    compute: Callable[..., Any] | None = None
    # (value) -> fingerprint; the value is compared by it (early cut-off).
    fingerprint: Callable[[Any], str] = lambda value: digest_text(repr(value))
    # Kept in the store between runs. Other values are made again when a later run needs
    # them (their inputs are unchanged, so they come out the same).
    persist: bool = False
    output: bool = False  # a file of the site: collected by ``update``, made by the caller
    reads: str = ""  # the kind of read that reading it counts as (default: its name)
    # For inputs: (*key[1:]) -> value, when the value is needed.
    load: Callable[..., Any] | None = None
    # The node stands for many pieces (one per entry of a briefing): its key is the head of
    # their members, its value a tuple of ``(part, piece)`` pairs, its fingerprint theirs
    # (``parts_fingerprint``). One node instead of one per entry: far fewer records to keep,
    # while each piece keeps a fingerprint of its own for the outputs that join them.
    parts: bool = False
    # Outputs of this kind, by their first argument, that are only the pieces of indexes
    # joined in index order (their literal text from their own reads): when only pieces
    # changed, the previous file with those pieces replaced is the new one (``changed_pieces``).
    spliced: frozenset[str] = frozenset()
    spliced_all: bool = False  # every output of this kind is such a join
    # A value made in a worker process travels back pickled: ``detach`` (in the worker)
    # leaves out what the parent holds already, ``attach`` (in the parent: value, key and a
    # look-up of the values it holds) puts the parent's own objects back.
    detach: Callable[[Any], Any] | None = None
    attach: Callable[[Any, Key, Callable[[Key], Any]], Any] | None = None
    # Memory of a long-lived engine (the preview's). ``held``: the value stays in memory
    # after the build that made it; else it is let go (``let_go``) and made again, or read
    # again, if a later build needs it — pieces that outputs copy from their previous file,
    # file texts that only the parse reads. ``joined_once``: a piece that one output alone
    # joins, let go as soon as that output is written.
    held: bool = True
    joined_once: bool = False

    @property
    def read_kind(self) -> str:
        return self.reads or self.name


@dataclass(frozen=True, slots=True)
class IndexKind:
    """An index: items emitted by nodes below ``level``, read by nodes above it."""

    name: str
    level: int


@dataclass(frozen=True, slots=True)
class Record:
    """What a node was made from and what it made: kept between runs."""

    fp: str
    deps: tuple[Key, ...] = ()  # what it read (when that changes, it is made again)
    emits: tuple[tuple[Key, tuple[Item, ...]], ...] = ()
    diags: tuple[Diagnostic, ...] = ()
    valid_until: float | None = None  # the value may change at this time (the clock)
    extra: Any = None  # kept for the caller (an output's layout)


@dataclass(frozen=True, slots=True)
class Part:
    """Where one piece is: its node, which part of it (``""``: all), and its fingerprint."""

    key: Key
    part: str
    fp: str


class Backing(Protocol):
    """Where the engine's state lives between runs (``store.EngineStore``); every method
    reads lazily, one key at a time."""

    def record(self, key: Key) -> Record | None: ...

    def value(self, key: Key) -> tuple[bool, Any]: ...

    def readers(self, key: Key) -> set[Key]: ...

    def contributions(self, index: Key) -> dict[Key, tuple[Item, ...]]: ...

    def memberships(self, member: str) -> set[Key]: ...

    def roots(self) -> set[Key]: ...

    def due(self, now: float) -> list[Key]: ...

    def inputs(self, kind: str) -> set[Key]: ...

    def diagnostics(self) -> dict[Key, tuple[Diagnostic, ...]]: ...

    def earliest_expiry(self) -> float | None: ...

    def fingerprints(self, kind: str) -> dict[Key, str]: ...

    def fingerprints_of(self, keys: list[Key]) -> dict[Key, str]: ...


class EmptyBacking:
    """No earlier state: a first build, or the preview's first one."""

    def record(self, key: Key) -> Record | None:
        return None

    def value(self, key: Key) -> tuple[bool, Any]:
        return False, None

    def readers(self, key: Key) -> set[Key]:
        return set()

    def contributions(self, index: Key) -> dict[Key, tuple[Item, ...]]:
        return {}

    def memberships(self, member: str) -> set[Key]:
        return set()

    def roots(self) -> set[Key]:
        return set()

    def due(self, now: float) -> list[Key]:
        return []

    def inputs(self, kind: str) -> set[Key]:
        return set()

    def diagnostics(self) -> dict[Key, tuple[Diagnostic, ...]]:
        return {}

    def earliest_expiry(self) -> float | None:
        return None

    def fingerprints(self, kind: str) -> dict[Key, str]:
        return {}

    def fingerprints_of(self, keys: list[Key]) -> dict[Key, str]:
        return {}


class EngineError(Exception):
    """A bug in a kind's code, not a content problem (a read against the level order)."""


class Cancelled(Exception):
    """Raised by ``Reader.check_cancelled`` when the update that runs a node was told to give
    way (a newer change waits in the preview): the node is left queued, as it was, and
    made by the next update (as Salsa unwinds a query when a new revision is pending)."""


_MISSING = object()
MISSING_INPUT = "missing"  # the fingerprint of an input that is gone


@dataclass(slots=True)
class Changes:
    """What one run changed, for the store to write back (``EngineStore.commit``)."""

    records: dict[Key, Record | None] = field(default_factory=dict)  # None: dropped
    # For each node of ``records`` that had a record before the run: what it read then (the
    # store turns the difference into rows of its reverse index).
    before: dict[Key, tuple[Key, ...]] = field(default_factory=dict)
    values: dict[Key, Any] = field(default_factory=dict)
    contributions: dict[tuple[Key, Key], tuple[Item, ...] | None] = field(default_factory=dict)
    members_added: set[tuple[str, Key]] = field(default_factory=set)  # (member's head, index)
    members_removed: set[tuple[str, Key]] = field(default_factory=set)
    roots: set[Key] | None = None

    def empty(self) -> bool:
        return not (self.records or self.values or self.contributions or self.members_added
                    or self.members_removed or self.roots is not None)


class Reader:
    """Handed to a node's function: every value it reads goes through here and is recorded
    (what it read, with the fingerprint it had), as are its emissions and diagnostics."""

    __slots__ = ("_engine", "_key", "_level", "deps", "diags", "emits", "valid_until")

    def __init__(self, engine: Engine, key: Key, level: int) -> None:
        self._engine, self._key, self._level = engine, key, level
        self.deps: dict[Key, str] = {}
        self.emits: dict[Key, list[Item]] = {}
        self.diags: list[Diagnostic] = []
        self.valid_until: float | None = None

    def get(self, key: Key) -> Any:
        """The value of another node (an input, or a node of a lower level)."""
        value, fp = self._engine.demand(key, self._level)
        if self._engine.records_read(key):
            self.deps[key] = fp
        return value

    def fingerprint(self, key: Key) -> str:
        """Only the fingerprint of a node (its value is not needed, not even loaded)."""
        fp = self._engine.fingerprint_of(key, self._level)
        if self._engine.records_read(key):
            self.deps[key] = fp
        return fp

    def index(self, name: str, *rest: str) -> tuple[Item, ...]:
        """Every item emitted into an index key, in sort-key order (none: a failed
        look-up, recorded like any other)."""
        key = ("idx", name, *rest)
        items = self._engine.index_value(key, self._level)
        if self._engine.records_read(key):
            self.deps[key] = ""
        return items

    def each(self, piece: str, name: str, *rest: str) -> list[tuple[Item, Any]]:
        """For every item of an index that names a member, the ``piece`` node of that
        member (``(piece, *member)``): one dependency for the index and all its pieces."""
        items = self.index(name, *rest)
        self._watch(piece, ("idx", name, *rest))
        return [(item, self.piece(piece, item)) for item in items if item[1] is not None]

    def each_fingerprint(self, piece: str, name: str, *rest: str) -> list[tuple[Item, Part]]:
        """As ``each``, with where each piece is and its fingerprint instead of its value
        (read at once, and no piece is loaded)."""
        items = [item for item in self.index(name, *rest) if item[1] is not None]
        self._watch(piece, ("idx", name, *rest))
        return list(zip(items, self.places(piece, items), strict=True))

    def places(self, piece: str, items: list[Item]) -> list[Part]:
        """Where the ``piece`` of each item's member is, with its fingerprint: for items
        of an index that is watched (``watch``), the pieces themselves not recorded."""
        engine = self._engine
        places = [engine.place(piece, item[1]) for item in items]
        fps = engine.fingerprints_of(list(dict.fromkeys(key for key, _ in places)), self._level)
        if not engine.kinds[piece].parts:
            return [Part(key, "", fps[key]) for key, _ in places]
        split: dict[Key, dict[str, str]] = {}
        found = []
        for key, part in places:
            parts = split.get(key)
            if parts is None:
                parts = split[key] = part_fingerprints(fps[key])
            found.append(Part(key, part, parts.get(part, "")))
        return found

    def fingerprints_of(self, keys: list[Key]) -> dict[Key, str]:
        """The fingerprints of pieces read as part of a ``watch`` (not recorded on their own)."""
        return self._engine.fingerprints_of(keys, self._level)

    def piece(self, piece: str, item: Item) -> Any:
        """The piece of one item's member, read as part of an ``each`` (not recorded on
        its own: the pattern dependency covers it)."""
        return self._engine.piece_value(piece, item[1], self._level)

    def watch(self, piece: str, name: str, *rest: str) -> None:
        """Depend on the ``piece`` of every member of an index, read later by ``piece``."""
        self._watch(piece, ("idx", name, *rest))

    def _watch(self, piece: str, index: Key) -> None:
        if self._engine.records_read((piece,)):
            self.deps[("each", piece, *index)] = ""

    def emit(self, name: str, *rest_and_item: Any) -> None:
        """Emit ``item`` (the last argument) into the index key ``name, *rest``."""
        *rest, item = rest_and_item
        self.emits.setdefault(("idx", name, *rest), []).append(item)

    def check_cancelled(self) -> None:
        """Called now and then by a node that takes long: stop (``Cancelled``) if the
        update running it was cancelled meanwhile. Outside such an update, nothing."""
        cancel = self._engine.cancel
        if cancel is not None and cancel():
            raise Cancelled(self._key)

    def diagnostic(self, diag: Diagnostic) -> None:
        self.diags.append(diag)

    def diagnostics(self, diags: Iterable[Diagnostic]) -> None:
        self.diags.extend(diags)

    @property
    def now(self) -> float:
        """The build's clock. Whatever a node decides from it must be bounded with
        ``expires``: the clock is not a dependency, or everything would change each run."""
        return self._engine.now

    def expires(self, at: float) -> None:
        """The value depends on the clock and may change at ``at`` (a scheduled briefing)."""
        self.valid_until = at if self.valid_until is None else min(self.valid_until, at)

    def record(self, fp: str, extra: Any = None) -> Record:
        emits = tuple((key, tuple(sorted(items, key=_item_order)))
                      for key, items in sorted(self.emits.items()))
        return Record(fp, self._engine.canonical(self.deps), emits, tuple(self.diags),
                      self.valid_until, extra)


def _item_order(item: Item) -> tuple[Any, ...]:
    return (item[0], item[1] or ())


@dataclass(slots=True)
class Update:
    """The result of ``Engine.update``: the outputs to make (again)."""

    outputs: set[Key] = field(default_factory=set)
    recomputed: int = 0
    cancelled: bool = False  # stopped before the end: see ``Engine.update``


class Engine:
    """The nodes of one site in one variant (flags, base URL): their records, values,
    readers and indexes, read lazily from ``backing`` and changed in memory."""

    def __init__(self, kinds: Iterable[Kind], indexes: Iterable[IndexKind],
                 backing: Backing | None = None,
                 ignored_reads: frozenset[str] = frozenset()) -> None:
        self.kinds = {kind.name: kind for kind in kinds}
        self.index_kinds = {index.name: index for index in indexes}
        self.backing: Backing = backing or EmptyBacking()
        # A test switches off the recording of one kind of read at a time, to show that
        # the equality tests notice a missing dependency.
        self.ignored_reads = ignored_reads
        self._records: dict[Key, Record | None] = {}
        # Of the records set in memory: those with diagnostics, those the clock may change
        # (so that reporting and the clock's check do not go through every record).
        self._diagnosed: dict[Key, tuple[Diagnostic, ...]] = {}
        self._expiring: dict[Key, float] = {}
        self._set_here: set[Key] = set()  # records set in this process (the store's are older)
        self._values: dict[Key, Any] = {}
        # Kinds whose values are not held between builds (``let_go``), and the keys of such
        # values kept since it last ran: dropping them costs what the build made, not what
        # the engine holds (the preview holds a value per document, ~100,000 at 5,000).
        self._loose = frozenset(name for name, kind in self.kinds.items() if not kind.held
                                and (kind.compute is not None or kind.load is not None))
        self._loose_kept: list[Key] = []
        self._keys: dict[Key, Key] = {}  # see ``canonical``
        self._keys_read = 0  # how many there were when they were last read off the records
        self._readers: dict[Key, set[Key]] = {}
        self._contrib: dict[Key, dict[Key, tuple[Item, ...]]] = {}
        self._index_cache: dict[Key, tuple[Item, ...]] = {}
        self._members: dict[str, set[Key]] = {}  # a member's head → the indexes it is in
        self._inputs: dict[Key, str] = {}  # input key -> fingerprint set for this run
        self._preloaded: set[str] = set()  # input kinds whose records were read at once
        self._kept_kinds: frozenset[str] = frozenset()  # input kinds kept as the last run's
        self._roots: set[Key] | None = None
        self.changes = Changes()
        self._heap: list[tuple[int, Key]] = []
        self._queued: set[Key] = set()
        self._update: Update | None = None
        # While an update that may be cancelled runs: says when it should stop.
        self.cancel: Callable[[], bool] | None = None
        self._orphans: set[Key] = set()  # nodes that lost their last reader in this run
        # Nodes made in this process, in order: a worker process hands back the ones it made
        # while making outputs (see ``made_since`` and ``adopt``).
        self.fresh: list[Key] = []
        self._due_outputs: set[Key] = set()
        # Why outputs are due in this run: a read of their own changed (or the clock, or an
        # earlier run left them due), or only pieces they join changed (which pieces).
        self._due_directly: set[Key] = set()
        self._due_through: dict[Key, set[Key]] = {}
        self.now = 0.0  # the build's clock (seconds since the epoch), set by the caller

    # ----------------------------------------------------------------- levels

    def level(self, key: Key) -> int:
        head = key[0]
        if head == "idx":
            return self.index_kinds[key[1]].level
        if head == "each":
            return max(self.kinds[key[1]].level, self.index_kinds[key[3]].level)
        return self.kinds[head].level

    def records_read(self, key: Key) -> bool:
        if not self.ignored_reads:
            return True
        head = key[0]
        if head == "idx":
            labels = {f"idx:{key[1]}"}
        elif head == "each":  # a piece of every member of an index: both are read
            labels = {self.kinds[key[1]].read_kind, f"idx:{key[3]}", head}
        else:
            labels = {self.kinds[head].read_kind}
        return not labels & self.ignored_reads

    # ----------------------------------------------------------------- records

    def record(self, key: Key) -> Record | None:
        if key in self._records:
            return self._records[key]
        record = self._records[key] = self.backing.record(key)
        return record

    def _set_record(self, key: Key, new: Record | None) -> None:
        old = self.record(key)
        if old is not None and key not in self.changes.records:
            self.changes.before[key] = old.deps
        old_deps = set(old.deps) if old else set()
        new_deps = set(new.deps) if new else set()
        for dep in old_deps - new_deps:
            readers = self._readers_of(dep)
            readers.discard(key)
            if not readers:
                self._orphans.add(dep)
        for dep in new_deps - old_deps:
            self._readers_of(dep).add(key)
        self._records[key] = new
        self.changes.records[key] = new
        self._set_here.add(key)
        if new is not None and new.diags:
            self._diagnosed[key] = new.diags
        else:
            self._diagnosed.pop(key, None)
        if new is not None and new.valid_until is not None:
            self._expiring[key] = new.valid_until
        else:
            self._expiring.pop(key, None)

    def _readers_of(self, key: Key) -> set[Key]:
        found = self._readers.get(key)
        if found is None:
            found = self._readers[key] = self.backing.readers(key)
        return found

    def readers(self, key: Key) -> set[Key]:
        return set(self._readers_of(key))

    # ----------------------------------------------------------------- inputs

    def set_input(self, key: Key, fp: str, value: Any = _MISSING) -> bool:
        """Give an input its fingerprint (and value, if known) for this run; True if it
        differs from the last run's. Inputs not set keep their recorded fingerprint."""
        self._inputs[key] = fp
        old = self.record(key)
        if value is not _MISSING:
            self._hold(key, value)
        elif old is None or old.fp != fp:
            self._values.pop(key, None)  # read again when needed
        if old is not None and old.fp == fp:
            return False
        self._set_record(key, Record(fp))
        self._changed(key)
        return True

    def begin_run(self, now: float, input_kinds: Iterable[str] = (),
                  same_inputs: bool = False, kept_kinds: Iterable[str] = ()) -> None:
        """Start a run at time ``now``: inputs are set anew (see ``retire_inputs``), or,
        with ``same_inputs``, those of the last run stay set and only the changed ones are
        set again. The recorded fingerprints of ``input_kinds`` are read at once, not one
        by one. The inputs of ``kept_kinds`` are those of the last run, as recorded: only
        the changed ones are set, and none is retired."""
        self.now = now
        self._due_directly, self._due_through = set(self._due_outputs), {}
        if not same_inputs:
            self._inputs = {}
        self._kept_kinds = frozenset(kept_kinds)
        self._preloaded = set(input_kinds)
        for kind in input_kinds:
            for key, fp in self.backing.fingerprints(kind).items():
                if key not in self._records:
                    self._records[key] = Record(fp)

    def retire_inputs(self, kind: str, missing: Any) -> None:
        """The inputs of ``kind`` known before but not set in this run are gone (deleted
        files, templates, assets): they take the value ``missing``, which the nodes that
        read them handle, and are forgotten once nothing reads them."""
        if kind in self._kept_kinds:
            return  # the caller knows that none is gone
        known = {key for key, record in self._records.items()
                 if record is not None and key[0] == kind}
        if kind not in self._preloaded:
            known |= self.backing.inputs(kind)
        for key in known - {k for k in self._inputs if k[0] == kind}:
            if self._readers_of(key):
                self.set_input(key, MISSING_INPUT, missing)
            else:
                self._set_record(key, None)
                self._values.pop(key, None)

    # ----------------------------------------------------------------- values

    def fingerprint_of(self, key: Key, reader_level: int) -> str:
        self._check_level(key, reader_level)
        if key[0] == "idx":
            self.index_value(key, reader_level)
            return ""  # an index tells its readers when it changes; it has no fingerprint
        record = self.record(key)
        if record is None or key in self._queued:
            self.demand(key, reader_level)
            record = self.record(key)
        assert record is not None
        return record.fp

    def demand(self, key: Key, reader_level: int) -> tuple[Any, str]:
        """The value of ``key`` and its fingerprint, computed now if need be."""
        self._check_level(key, reader_level)
        kind = self.kinds[key[0]]
        record = self.record(key)
        if kind.compute is None:  # an input
            if record is None:
                raise EngineError(f"input {key} was not set")
            value = self._values.get(key, _MISSING)
            if value is _MISSING:
                assert kind.load is not None, key
                value = self._hold(key, kind.load(*key[1:]))
            return value, record.fp
        if record is None or key in self._queued:
            return self._compute(key)
        value = self._values.get(key, _MISSING)
        if value is _MISSING and kind.persist:
            found, stored = self.backing.value(key)
            if found:
                value = self._hold(key, stored)
        if value is _MISSING:
            # Not kept between runs: made again from unchanged inputs.
            return self._compute(key)
        return value, record.fp

    def _check_level(self, key: Key, reader_level: int) -> None:
        if self.level(key) >= reader_level:
            raise EngineError(f"a node of level {reader_level} read {key}, which is not below it")

    def _compute(self, key: Key) -> tuple[Any, str]:
        value, record = self.compute_detached(key)
        self.accept(key, value, record)
        return value, record.fp

    def compute_detached(self, key: Key) -> tuple[Any, Record]:
        """Run a node's function and return its value and record, storing nothing (a worker
        process may call this; the caller hands both to ``accept``)."""
        kind = self.kinds[key[0]]
        assert kind.compute is not None and not kind.output, key
        reader = Reader(self, key, kind.level)
        value = kind.compute(reader, *key[1:])
        return value, reader.record(kind.fingerprint(value))

    def accept(self, key: Key, value: Any, new: Record) -> None:
        """Keep a node's new value and record; tell its readers if it changed."""
        self.fresh.append(key)
        kind = self.kinds[key[0]]
        self._queued.discard(key)
        self._hold(key, value)
        if kind.persist:
            self.changes.values[key] = value
        old = self.record(key)
        if old != new:
            self._set_record(key, new)
            self._apply_emits(key, old.emits if old else (), new.emits)
            if old is None or old.fp != new.fp:
                self._changed(key)
        if self._update is not None:
            self._update.recomputed += 1

    def make_output(self, key: Key) -> tuple[Any, Reader]:
        """Run an output's function: its value (what to write) and the reader that
        recorded what it read. Nothing is stored: a worker process may call this; the
        caller hands the record to ``set_output``."""
        kind = self.kinds[key[0]]
        assert kind.compute is not None and kind.output, key
        reader = Reader(self, key, kind.level)
        return kind.compute(reader, *key[1:]), reader

    def made_since(self, mark: int) -> list[tuple[Key, Any, Record]]:
        """The nodes made in this process since ``len(self.fresh)`` was ``mark``: their
        records, and their values for kinds kept between runs."""
        found = []
        for key in dict.fromkeys(self.fresh[mark:]):
            record = self.record(key)
            if record is not None:
                value = self._values.get(key) if self.kinds[key[0]].persist else None
                found.append((key, value, record))
        return found

    def adopt(self, key: Key, value: Any, record: Record) -> None:
        """Keep a node that a worker made while making outputs. It is new, or the same as
        here (everything stale was made again before the outputs), so nothing is told."""
        if self.record(key) == record:
            return
        self._set_record(key, record)
        self._apply_emits(key, (), record.emits)
        kind = self.kinds[key[0]]
        if kind.persist:
            self._hold(key, value)
            self.changes.values[key] = value
        self._queued.discard(key)

    def set_output(self, key: Key, record: Record) -> None:
        """What an output was made from, once it is written."""
        self._due_outputs.discard(key)
        self._due_directly.discard(key)
        self._due_through.pop(key, None)
        if self.record(key) != record:
            self._set_record(key, record)

    def changed_pieces(self, key: Key) -> set[Key] | None:
        """The piece nodes whose change alone made the output ``key`` due in this run
        (nothing else it read changed), or None when anything else did."""
        if key in self._due_directly:
            return None
        return self._due_through.get(key)

    def place(self, piece: str, member: Key) -> tuple[Key, str]:
        """The node that holds the ``piece`` of ``member``, and which part of it."""
        if self.kinds[piece].parts:
            return (piece, member[0]), part_of(member)
        return (piece, *member), ""

    def piece_value(self, piece: str, member: Key, reader_level: int = 1 << 30) -> Any:
        key, part = self.place(piece, member)
        value, _ = self.demand(key, reader_level)
        if not self.kinds[piece].parts:
            return value
        for name, found in value:
            if name == part:
                return found
        return None

    def value(self, key: Key) -> Any:
        """The value of any node, from outside a node's function (made if need be)."""
        return self.demand(key, 1 << 30)[0]

    def canonical(self, keys: Iterable[Key]) -> tuple[Key, ...]:
        """``keys`` as the engine's own key objects: the readers of a node build its key
        anew at every read, and a record per reader would otherwise hold a copy."""
        own = self._keys
        return tuple(own.setdefault(key, key) for key in keys)

    def at_hand(self, key: Key) -> bool:
        """Whether ``key``'s value can be had without making it: not due to be made again,
        and held here or kept in the store (a kind whose ``persist`` is set)."""
        if key in self._queued:
            return False
        if key in self._values:
            return True
        return self.kinds[key[0]].persist and self.record(key) is not None

    def forget(self, key: Key) -> None:
        """Drop a value from memory (it is made again or reloaded when next needed)."""
        self._values.pop(key, None)

    def _hold(self, key: Key, value: Any) -> Any:
        self._values[key] = value
        if key[0] in self._loose:
            self._loose_kept.append(key)
        return value

    def let_go(self) -> int:
        """Between the builds of a long-lived engine (the preview): drop the values of the
        kinds not held between builds, and the keys no record reads; how many values went."""
        kept, self._loose_kept = self._loose_kept, []
        values = self._values
        dropped = sum(values.pop(key, _MISSING) is not _MISSING for key in kept)
        if len(self._keys) > self._keys_read + self._keys_read // 4 + 1024:
            # Keys that no record reads any more (a renamed document's) go, once they are a
            # fifth of all: read off the records again, which hold the same objects.
            self._keys = {key: key for record in self._records.values()
                          if record is not None for key in record.deps}
            self._keys_read = len(self._keys)
        return dropped

    # ----------------------------------------------------------------- indexes

    def _contributions(self, index: Key) -> dict[Key, tuple[Item, ...]]:
        found = self._contrib.get(index)
        if found is None:
            found = self._contrib[index] = self.backing.contributions(index)
        return found

    def index_value(self, key: Key, reader_level: int) -> tuple[Item, ...]:
        self._check_level(key, reader_level)
        cached = self._index_cache.get(key)
        if cached is None:
            contributions = self._contributions(key)
            cached = self._index_cache[key] = tuple(sorted(
                (item for items in contributions.values() for item in items), key=_item_order))
        return cached

    def _apply_emits(self, emitter: Key, old: tuple[tuple[Key, tuple[Item, ...]], ...],
                     new: tuple[tuple[Key, tuple[Item, ...]], ...]) -> None:
        before, after = dict(old), dict(new)
        for index in before.keys() | after.keys():
            if before.get(index) == after.get(index):
                continue
            contributions = self._contributions(index)
            items = after.get(index)
            if items is None:
                contributions.pop(emitter, None)
            else:
                contributions[emitter] = items
            self.changes.contributions[(index, emitter)] = items
            # Memberships are kept by a member's head (a briefing's id for its entries): the
            # node of pieces with parts is keyed by it.
            old_members = {i[1][0] for i in before.get(index, ()) if i[1]}
            new_members = {i[1][0] for i in (items or ()) if i[1]}
            for member in old_members - new_members:
                if not any(i[1] and i[1][0] == member
                           for part in contributions.values() for i in part):
                    self._memberships(member).discard(index)
                    self.changes.members_removed.add((member, index))
            for member in new_members - old_members:
                self._memberships(member).add(index)
                self.changes.members_removed.discard((member, index))
                self.changes.members_added.add((member, index))
            self._index_cache.pop(index, None)
            self._changed(index)

    def _memberships(self, member: str) -> set[Key]:
        found = self._members.get(member)
        if found is None:
            found = self._members[member] = self.backing.memberships(member)
        return found

    # ----------------------------------------------------------------- propagation

    def _changed(self, key: Key) -> None:
        """``key`` has a new fingerprint: its readers must be made again."""
        self._push_readers(key)
        if key[0] != "idx" and len(key) > 1 and key[0] in self.kinds:
            for index in self._memberships(key[1]):
                for reader in self._readers_of(("each", key[0], *index)):
                    self.push(reader, piece=key)

    def _push_readers(self, key: Key) -> None:
        for reader in self._readers_of(key):
            self.push(reader)

    def push(self, key: Key, piece: Key | None = None) -> None:
        """Make ``key`` again in this run (or, for an output, have it made: outputs stay
        due until the caller says they are made, see ``set_output``); ``piece``: only
        because that piece, which it joins, changed."""
        if self.kinds[key[0]].output:
            self._due_outputs.add(key)
            if piece is None:
                self._due_directly.add(key)
            else:
                self._due_through.setdefault(key, set()).add(piece)
            return
        if key not in self._queued:
            self._queued.add(key)
            heapq.heappush(self._heap, (self.level(key), key))

    def update(self, now: float | None = None, below: int | None = None,
               defer: frozenset[str] = frozenset(),
               cancel: Callable[[], bool] | None = None) -> Update:
        """Bring every node up to date with the inputs set for this run; return the
        outputs to make. Call after the ``set_input``s of the run. With ``below``, only
        the nodes of lower levels (the caller makes the next level elsewhere, see
        ``queued``, then updates again). Nodes of the kinds ``defer`` stay queued for a
        later update (and what reads them is not told yet). ``cancel``: asked between
        nodes and by nodes that take long (``Reader.check_cancelled``); once it says yes,
        the update stops and says so (``Update.cancelled``): the nodes not made yet stay
        queued for the next one, and so do the outputs due."""
        self.cancel = cancel
        try:
            return self._run_update(now, below, defer)
        finally:
            self.cancel = None
            self._update = None

    def _run_update(self, now: float | None, below: int | None,
                    defer: frozenset[str]) -> Update:
        update = self._update = Update()
        if now is not None:
            for key in self.backing.due(now):
                if key not in self._set_here:  # else its record here says (below)
                    self.push(key)
            for key, until in list(self._expiring.items()):
                if until <= now:
                    self.push(key)
        deferred: list[tuple[int, Key]] = []
        while self._heap and (below is None or self._heap[0][0] < below):
            level, key = heapq.heappop(self._heap)
            if key not in self._queued:
                continue
            if key[0] in defer:
                deferred.append((level, key))
                continue
            if self.record(key) is None and key not in self.roots():
                self._queued.discard(key)  # dropped meanwhile
                continue
            try:
                if self.cancel is not None and self.cancel():
                    raise Cancelled(key)
                self._compute(key)
            except Cancelled:
                heapq.heappush(self._heap, (level, key))  # still queued, for the next update
                update.cancelled = True
                break
        for entry in deferred:
            heapq.heappush(self._heap, entry)
        if below is None and not update.cancelled:
            self._drop_orphans()
        update.outputs = set(self._due_outputs)
        return update

    def _drop_orphans(self) -> None:
        """Drop the nodes that nothing reads any more (and that are not roots)."""
        while self._orphans:
            key = self._orphans.pop()
            if key[0] in ("idx", "each") or key in self.roots() or self._readers_of(key):
                continue
            kind = self.kinds[key[0]]
            if kind.compute is None:
                if self._inputs.get(key) == MISSING_INPUT \
                        or (key not in self._inputs and key[0] not in self._kept_kinds):
                    self._set_record(key, None)
                    self._values.pop(key, None)
                continue
            self._drop(key)

    # ----------------------------------------------------------------- roots

    def roots(self) -> set[Key]:
        if self._roots is None:
            self._roots = self.backing.roots()
        return self._roots

    def set_roots(self, roots: set[Key]) -> tuple[set[Key], set[Key]]:
        """The nodes that must exist (outputs and checks); the rest is dropped once no
        root reads it. Returns (added, removed)."""
        old = self.roots()
        added, removed = roots - old, old - roots
        self._roots = set(roots)
        if added or removed:
            self.changes.roots = self._roots
        # A former root that something still reads stays, until nothing does.
        self._orphans.update(removed)
        self._drop_orphans()
        for key in added:
            if not self.kinds[key[0]].output and self.record(key) is None:
                self.push(key)
        return added, removed

    def _drop(self, key: Key) -> None:
        """Remove a node nobody needs any more; so, in turn, its inputs' orphans."""
        record = self.record(key)
        self._queued.discard(key)
        self._due_outputs.discard(key)
        self._due_directly.discard(key)
        self._due_through.pop(key, None)
        self._values.pop(key, None)
        if record is None:
            return
        self._set_record(key, None)  # its deps that lose their last reader become orphans
        self._apply_emits(key, record.emits, ())

    # ----------------------------------------------------------------- reporting

    def diagnostics(self, keys: Iterable[Key]) -> Iterator[Diagnostic]:
        for key in keys:
            record = self.record(key)
            if record is not None:
                yield from record.diags

    def live(self) -> Iterator[Key]:
        """Every node known in memory (for the preview and tests)."""
        return (key for key, record in self._records.items() if record is not None)

    def fingerprints_of(self, keys: list[Key], reader_level: int) -> dict[Key, str]:
        """The fingerprints of many nodes, those the store knows read at once."""
        found: dict[Key, str] = {}
        unknown = []
        for key in keys:
            self._check_level(key, reader_level)
            if key in self._records and key not in self._queued:
                record = self._records[key]
                if record is not None:
                    found[key] = record.fp
                    continue
            unknown.append(key)
        stored = self.backing.fingerprints_of([k for k in unknown if k not in self._records])
        for key in unknown:
            if key in stored and key not in self._queued:
                found[key] = stored[key]
            else:
                in_memory = key in self._values
                found[key] = self.demand(key, reader_level)[1]
                if not in_memory and self.kinds[key[0]].joined_once:
                    # Only its fingerprint is wanted here: the one output that joins it
                    # makes it again as it writes it (or copies it from its last file),
                    # rather than every piece of an export being held until then.
                    self._values.pop(key, None)
        return found

    def fingerprints(self, kinds: Iterable[str]) -> dict[Key, str]:
        """The fingerprint of every known node of ``kinds`` (read at once from the store)."""
        kinds = set(kinds)
        found: dict[Key, str] = {}
        for kind in kinds:
            found.update(self.backing.fingerprints(kind))
        for key, record in self._records.items():
            if key[0] in kinds:
                if record is None:
                    found.pop(key, None)
                else:
                    found[key] = record.fp
        return found

    def pending(self, besides: frozenset[str] = frozenset()) -> bool:
        """Nodes queued (other than of the kinds ``besides``)."""
        return any(key[0] not in besides for key in self._queued)

    def quiet(self) -> bool:
        """Nothing to make again: no node queued, no output due."""
        return not self._queued and not self._due_outputs

    def queued(self, kind: str) -> list[Key]:
        """The nodes of ``kind`` waiting to be made in this update, in key order."""
        return sorted(key for key in self._queued if key[0] == kind)

    def all_diagnostics(self) -> list[Diagnostic]:
        """The diagnostics of every live node."""
        found = {key: diags for key, diags in self.backing.diagnostics().items()
                 if key not in self._set_here}
        found.update(self._diagnosed)
        return [d for diags in found.values() for d in diags]

    def valid_until(self) -> float | None:
        """The earliest time at which a node may change by the clock alone (the store's
        earliest may be of a record changed since: too early is only a needless check)."""
        times = list(self._expiring.values())
        stored = self.backing.earliest_expiry()
        if stored is not None:
            times.append(stored)
        return min(times, default=None)

    def value_of_index(self, key: Key) -> tuple[Item, ...]:
        return self.index_value(key, 1 << 30)

    def take_changes(self) -> Changes:
        changes, self.changes = self.changes, Changes()
        return changes
