"""Making the outputs the engine names, and writing them into the next state of the output
folder (``output.OutputUpdate``). Many outputs are made in forked worker processes, which
inherit the engine and write their files themselves; what each read comes back to be kept.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from briefgen import __version__, collector
from briefgen.engine.deps import Engine, Key, Record, digest_text, part_fingerprints
from briefgen.errors import Progress
from briefgen.filenames import document_id
from briefgen.output import OutputUpdate, SwapLock, Written
from briefgen.parallel import stream_all
from briefgen.site.documents import collection_of
from briefgen.site.kinds import import_code
from briefgen.web.joined import (
    EMPTY_PIECE,
    Joined,
    Packed,
    Piece,
    decode_layout,
    splice_joined,
    write_joined,
)
from briefgen.web.plan import StaticFile, output_path

if TYPE_CHECKING:
    from briefgen.survey import Survey

# From this many outputs to make, worker processes pay for themselves.
MANY_OUTPUTS = 64
# From this many pieces missing, they are made in workers before the pages that join them
# (else each worker would make them again for itself).
MANY_PIECES = 256
# From this many search blocks (each 40-100 ms after an edit at 5,000 briefings), they are
# made in workers.
MANY_BLOCKS = 4
# Nodes handed to a worker at a time (pieces are quicker to make: more of them).
NODES_PER_JOB = 32
PIECES_PER_JOB = 200
# The pieces that pages and exports join, per index, lowest level first.
SHARED_PIECES: tuple[tuple[str, str], ...] = (
    ("card", "briefings"), ("chip", "actors"), ("feed_entry", "timeline"),
    ("item", "timeline"), ("entry_json", "timeline"), ("timeline_event", "timeline"),
    ("briefing_json", "briefings"), ("actor_json", "actors"), ("source_json", "sources"),
)


@dataclass(slots=True)
class MadeOutputs:
    update: OutputUpdate | None  # None for `check`, or a build with errors
    records: dict[Key, Record] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)
    unmade: list[str] = field(default_factory=list)  # left to the next build (interrupted)
    # Files made from nodes left for later (``Later``) that an interrupted build did not
    # even make: whether they change is known only in the next build.
    unsettled: list[str] = field(default_factory=list)


def _workers(cores: int) -> int:
    return cores if cores > 1 else 0


@dataclass(frozen=True, slots=True)
class FirstPages:
    """The preview: the output files that tabs show are made and put in place before the
    others, ``made`` is told which of them changed; meanwhile ``pending`` holds every file
    being remade, so that a request for one waits for it."""

    wanted: frozenset[str]
    made: Callable[[list[str]], None]  # told of each open page as soon as it is in place
    pending: Pending | None = None
    swap_lock: SwapLock | None = None
    # Asked between the other outputs: True when a newer change waits, and the rest is better
    # left to the build that follows (what is made so far is committed; the rest stays due).
    interrupted: Callable[[], bool] = lambda: False
    # Called after each open page is in place and told, before the next one and the rest
    # are made (the preview waits there for the tabs told to reload, so that nothing
    # competes with them).
    shown: Callable[[], None] = lambda: None


@dataclass(frozen=True, slots=True)
class Later:
    """Nodes the preview makes only after the pages that tabs show: ``settle(cancel)`` makes
    them and returns the outputs due then (None when ``cancel`` said to give way to a newer
    change); requests for ``paths`` wait until it has."""

    settle: Callable[[Callable[[], bool] | None], set[Key] | None]
    paths: frozenset[str]


class Pending(Protocol):
    def add(self, rels: Iterable[str]) -> None: ...

    def done(self, rels: Iterable[str]) -> None: ...

    def clear(self) -> None: ...


def make_outputs(engine: Engine, planned: Sequence[Key], stale: set[Key],
                 known: dict[Key, str], out: Path | None, jobs: int, progress: Progress,
                 in_place: bool = False, fork: bool = True,
                 untrusted: frozenset[Key] = frozenset(),
                 paths: dict[Key, str] | None = None,
                 first: FirstPages | None = None,
                 own: dict[str, str] | None = None,
                 later: Later | None = None,
                 present: frozenset[str] = frozenset(),
                 surveyed: Survey | None = None) -> MadeOutputs:
    """Make the ``stale`` outputs, and those the output folder lacks; with ``out``, stage
    them all (the others are kept from the previous build) for the caller to commit.
    ``own``: the files of a folder only this process writes (see ``OutputUpdate``);
    ``present``: files just found in the output as the last build left them; ``surveyed``:
    the output folder as a look taken during this build found it (see ``survey``)."""
    collector.set_apart_old()  # what pages are made from stays: not walked again
    if paths is None:
        paths = {key: output_path(key) for key in planned}
    if out is None:
        if later is not None:
            due = later.settle(None)  # without a cancel, it never gives way
            assert due is not None
            stale = stale | due
        todo = [key for key in planned if key in stale]
        _prefetch(engine, len(todo), len(planned), jobs, fork)
        workers = _workers(jobs) if fork else 0
        for nodes in stream_all([functools.partial(_render_only, engine, key, workers > 0)
                                 for key in todo], workers, MANY_OUTPUTS):
            for node, value, record in nodes:
                engine.adopt(node, value, record)
        return MadeOutputs(None, rendered=[paths[k] for k in todo])
    update = OutputUpdate(out, list(paths.values()), __version__, in_place=in_place, own=own,
                          surveyed=surveyed)
    update.distrust(paths[key] for key in untrusted)
    update.present(present)
    if not update.in_place:
        first = None  # the first build of the preview: its folder appears at once
    pending = first.pending if first is not None else None
    try:
        result = MadeOutputs(update)

        def to_make(key: Key) -> bool:
            return key in stale or not _kept(update, known.get(key), paths[key])

        if first is not None:
            if pending is not None:  # the outputs due (a file found missing is added below)
                pending.add(paths[key] for key in stale if key in paths)
                # and the files this build removes: a page that goes is not served meanwhile
                pending.add(update.old.keys() - update.paths)
                if later is not None:
                    pending.add(later.paths)
            # One at a time, the smallest first: each tab reloads as soon as its own page is
            # in place, and has the machine to itself until it has (a big actor page
            # reloading beside it doubled the time a briefing took to show). Nothing is
            # looked at for the other outputs before.
            shown = [key for key, rel in paths.items() if rel in first.wanted and to_make(key)]
            for key in _smallest_first(shown, paths, out):
                _make_these(engine, [key], paths, update, result, 0, untrusted)
                moved = update.move_now([paths[key]], first.swap_lock)
                if pending is not None:
                    pending.done([paths[key]])
                first.made(moved)
                first.shown()
        todo = [key for key in planned if key not in result.records and to_make(key)]
        if pending is not None:
            pending.add(paths[key] for key in todo if key not in stale)
        if later is not None:
            # Only a build that puts files in place as it goes (the preview's) gives way to
            # a newer change: another must make every file of its plan.
            cancel = first.interrupted if first is not None else None
            due = None if cancel is not None and cancel() else later.settle(cancel)
            if due is None:
                # A newer change waits (it came before the nodes left for later were made, or
                # while they were): its build makes them, with its own.
                result.unsettled = sorted(later.paths - {paths[key] for key in todo})
            else:
                have = {*todo, *result.records}
                todo += [key for key in planned if key in due and key not in have]
                if pending is not None:
                    pending.done(later.paths - {paths[key] for key in todo})
        progress("Rendering pages", 0, len(todo))
        if fork and len(todo) >= MANY_OUTPUTS:
            _prefetch(engine, len(todo), len(planned), jobs, fork)
            linked = {paths[k] for k in planned} - {paths[k] for k in todo}
            update.prepare(sorted(linked))
        workers = _workers(jobs) if fork else 0
        _make_these(engine, todo, paths, update, result, workers, untrusted, progress,
                    first.interrupted if first is not None else None)
        made = {paths[key] for key in result.records}
        result.unmade = [paths[key] for key in todo if paths[key] not in made]
        update.leave_out(rel for rel in (*result.unmade, *result.unsettled)
                         if rel not in update.old)
        update.keep_the_rest()
        progress("Rendering pages", len(todo), len(todo))
        return result
    except BaseException:
        update.abort()
        if pending is not None:
            pending.clear()
        raise


def _smallest_first(keys: list[Key], paths: dict[Key, str], out: Path) -> list[Key]:
    """``keys`` by the size of the file each left in ``out`` (a new one first): a page's
    making, and its reload in the browser, take about as long as it is big."""
    def size(key: Key) -> int:
        try:
            return (out / paths[key]).stat().st_size
        except OSError:
            return 0

    return sorted(keys, key=size)


def _make_these(engine: Engine, keys: list[Key], paths: dict[Key, str], update: OutputUpdate,
                result: MadeOutputs, workers: int, untrusted: frozenset[Key],
                progress: Progress | None = None,
                interrupted: Callable[[], bool] | None = None) -> None:
    """Make ``keys``; with ``interrupted`` (in this process only), stop when it says so."""
    made = stream_all([functools.partial(_make_one, engine, key, paths[key], update,
                                         workers > 0, key not in untrusted)
                       for key in keys], workers, MANY_OUTPUTS)
    for done, key in enumerate(keys):
        if interrupted is not None and workers == 0 and interrupted():
            break
        written, record, nodes = next(made)
        if progress is not None and done % 256 == 0:
            progress("Rendering pages", done, len(keys))
        update.record(written)
        result.records[key] = record
        result.rendered.append(paths[key])
        for node, value, node_record in nodes:
            engine.adopt(node, value, node_record)


def _kept(update: OutputUpdate, fingerprint: str | None, rel: str) -> bool:
    """The previous build's file is what the engine's record says this output is."""
    return fingerprint is not None and update.old.get(rel) == fingerprint \
        and update.reusable(rel)


def _render_only(engine: Engine, key: Key, in_worker: bool) -> list[tuple[Key, Any, Record]]:
    """For ``check``: make an output and drop it, so that its templates' errors surface; the
    nodes a worker made on the way go back to the parent (their diagnostics are reported)."""
    collector.collect_young()
    mark = len(engine.fresh)
    engine.make_output(key)
    return engine.made_since(mark) if in_worker else []


def _make_one(engine: Engine, key: Key, rel: str, update: OutputUpdate, in_worker: bool,
              trusted: bool) -> tuple[Written, Record, list[tuple[Key, Any, Record]]]:
    spliced = _splice(engine, key, rel, update, trusted)
    if spliced is not None:
        return (*spliced, [])
    collector.collect_young()  # the cycles that rendering the last pages left
    mark = len(engine.fresh)
    value, reader = engine.make_output(key)
    if isinstance(value, Joined):
        written, layout = _put_joined(engine, key, rel, update, value, trusted)
        record = reader.record(written.digest, layout)
    else:
        data = value.read() if isinstance(value, StaticFile) else value
        written = update.put(rel, data)
        record = reader.record(written.digest)
    # Pieces a worker made on the way are lost with it unless they go back to the parent.
    made = engine.made_since(mark) if in_worker else []
    return written, record, made


def _splice(engine: Engine, key: Key, rel: str, update: OutputUpdate, trusted: bool
            ) -> tuple[Written, Record] | None:
    """An output that only joins pieces, due only because some of them changed: the previous
    file with those pieces replaced, without making the output again (its indexes did not
    change, so neither did the order of its pieces). None when that cannot be done."""
    kind = engine.kinds[key[0]]
    if len(key) < 2 or not (kind.spliced_all or key[1] in kind.spliced):
        return None
    changed, old = engine.changed_pieces(key), engine.record(key)
    if not changed or old is None or not trusted or update.old.get(rel) != old.fp \
            or not update.reusable(rel):
        return None
    packed = Packed.of(old.extra)
    if packed is None:
        return None
    found = packed.find(changed)
    shown: dict[Key, set[str]] = {}  # the parts of each changed node that the file shows
    for _, piece, _ in found:
        shown.setdefault(piece.key, set()).add(piece.part)
    now: dict[Key, dict[str, str]] = {}  # their fingerprints now, by part
    for node in changed:
        record = engine.record(node)
        if record is None:
            return None
        parts = part_fingerprints(record.fp) if engine.kinds[node[0]].parts else {"": record.fp}
        # A piece that appears or goes (empty before or now) changes the layout: made anew.
        if {part for part, fp in parts.items() if fp not in EMPTY_PIECE} != shown.get(node, set()):
            return None
        now[node] = parts
    replaced: dict[int, tuple[Piece, str, bytes]] = {}
    pieces = _PieceData(engine, (piece for _, piece, _ in found))
    for index, piece, lead in found:
        fp = now[piece.key][piece.part]
        if fp != piece.fp:
            new = Piece(piece.key, piece.part, fp)
            replaced[index] = (new, lead, lead.encode("utf-8") + pieces(new))
    digest = "j" + digest_text(old.fp + "".join(f"{p.key}{p.part}{p.fp}"
                                                for p, _, _ in replaced.values()))

    def write(target: str, previous: str | None) -> str:
        assert previous is not None
        return splice_joined(target, previous, packed, replaced)

    written, new_layout = update.put_joined(rel, digest if replaced else old.fp, write)
    pieces.done()
    return written, replace(old, fp=written.digest, extra=new_layout or old.extra)


class _PieceData:
    """The bytes of the pieces of one joined output as it is written. A node that this
    output alone joins (``Kind.joined_once``) is let go as soon as it is read, its parts
    kept here, as bytes, only until each is written: an export's pieces are never all held
    at once (the entries of one briefing lie far apart in a file in date order, so holding
    each node until its last part is written would hold most of them)."""

    def __init__(self, engine: Engine, pieces: Iterable[Piece]) -> None:
        self.engine = engine
        self.left = Counter((piece.key, piece.part) for piece in pieces
                            if engine.kinds[piece.key[0]].joined_once)
        self.parts_of: dict[Key, list[str]] = {}
        for key, part in self.left:
            self.parts_of.setdefault(key, []).append(part)
        self.open: dict[Key, dict[str, bytes]] = {}  # node -> its parts still to write

    def __call__(self, piece: Piece) -> bytes:
        wanted = (piece.key, piece.part)
        left = self.left.get(wanted)
        if left is None:  # a piece that the engine keeps
            return _data(_part(self.engine.value(piece.key), piece.part))
        parts = self.open.get(piece.key)
        if parts is None:
            value = self.engine.value(piece.key)
            self.engine.forget(piece.key)
            found = dict(value) if self.engine.kinds[piece.key[0]].parts else {"": value}
            parts = self.open[piece.key] = {part: _data(found.get(part, ""))
                                            for part in self.parts_of.pop(piece.key)}
        if left > 1:
            self.left[wanted] = left - 1
            return parts[piece.part]
        del self.left[wanted]
        data = parts.pop(piece.part)
        if not parts:
            del self.open[piece.key]
        return data

    def done(self) -> None:
        """The output is written: the nodes of pieces it copied go too (if made)."""
        for key in self.parts_of:
            self.engine.forget(key)
        self.left.clear()
        self.parts_of.clear()
        self.open.clear()


def _part(value: Any, part: str) -> Any:
    return dict(value).get(part, "") if part else value


def _data(value: Any) -> bytes:
    """Text kept as UTF-8 (list items: see ``pieces.entry_item``) is written as it is."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _put_joined(engine: Engine, key: Key, rel: str, update: OutputUpdate, value: Joined,
                trusted: bool) -> tuple[Written, str | None]:
    """Stage a joined output, copying the pieces the previous file holds unchanged (only if
    that file is the one the previous record describes)."""
    old = engine.record(key)
    layout = decode_layout(old.extra) if trusted and old is not None \
        and update.old.get(rel) == old.fp else {}

    pieces = _PieceData(engine, (part for part in value.parts if isinstance(part, Piece)))

    def write(target: str, previous: str | None) -> str:
        return write_joined(target, value, previous, layout, pieces)[0]

    written, new_layout = update.put_joined(rel, value.fingerprint, write)
    pieces.done()
    if new_layout is not None:
        return written, new_layout
    # The file is kept: its layout is the one recorded with it, if the record is of this
    # very file (the folder may hold a file of a build with other flags: no layout, then).
    return written, old.extra if old is not None and old.fp == value.fingerprint else None


def _prefetch(engine: Engine, outputs: int, planned: int, jobs: int, fork: bool) -> None:
    """Make in workers, before the ``outputs`` due of the ``planned``, the values that many
    of them read and that are not at hand, so that the workers that make the outputs find
    them made (else each would make them again for itself, one at a time): the shared
    pieces never made (a cold build); and when most of the site is made again from a build
    cache, which keeps no values for these (the output folder was removed, say), every
    file's parse and every document's fill first, then every shared piece not at hand,
    level by level as a cold build makes them."""
    if not fork or outputs < MANY_OUTPUTS or _workers(jobs) == 0:
        return
    most = 2 * outputs >= planned
    if most:
        fills = [key for key in sorted(engine.roots())
                 if key[0] == "fill" and not engine.at_hand(key)]
        compute_in_workers(engine, parses_to_join(engine, fills, jobs), jobs)
        compute_in_workers(engine, fills, jobs)
    by_level: dict[int, dict[Key, None]] = {}
    for piece, index in SHARED_PIECES:
        keys = by_level.setdefault(engine.kinds[piece].level, {})
        for item in engine.value_of_index(("idx", index)):
            if item[1] is not None:
                key = engine.place(piece, item[1])[0]
                if key not in keys and (not engine.at_hand(key) if most
                                        else engine.record(key) is None):
                    keys[key] = None
    for level in sorted(by_level):  # one pool of workers per level: each reads the one below
        compute_in_workers(engine, list(by_level[level]), jobs, PIECES_PER_JOB)


def parses_to_join(engine: Engine, fills: Sequence[Key], jobs: int) -> list[Key]:
    """The parses to make before ``fills`` in workers: of the documents that this process
    does not hold. A fill made in a worker comes back without its document, which this
    process joins back (``attach``); from a build cache, which keeps no documents, it would
    otherwise parse each of them itself, one at a time, while the workers wait."""
    if _workers(jobs) == 0 or len(fills) < MANY_PIECES:
        return []  # the fills are made here, with their documents (an edit)
    wanted = {key[1:] for key in fills if not engine.at_hand(("doc", *key[1:]))}
    if not wanted:
        return []
    return [key for key in sorted(engine.roots()) if key[0] == "parse"
            and (collection_of(key[1]).value, document_id(key[1])) in wanted
            and not engine.at_hand(key)]


Made = list[tuple[Key, Any, Record]]


def _compute_chunk(engine: Engine, keys: list[Key]) -> tuple[Made, Made]:
    mark = len(engine.fresh)
    computed = []
    for key in keys:
        value, record = engine.compute_detached(key)
        detach = engine.kinds[key[0]].detach
        computed.append((key, value if detach is None else detach(value), record))
    # Lower nodes made on the way (the image a document shows) go back too: else the
    # parent would not know who read them, and would not tell those readers of a change.
    return computed, engine.made_since(mark)


def compute_in_workers(engine: Engine, keys: Sequence[Key], jobs: int,
                       chunk: int | None = None, many: int | None = None) -> None:
    """Make the nodes ``keys`` (of one level, not yet made) in worker processes when there
    are many (``MANY_PIECES``, or ``many``), ``chunk`` to a job, and keep them as if made
    here."""
    if _workers(jobs) == 0 or len(keys) < (MANY_PIECES if many is None else many):
        return
    for kind in {key[0] for key in keys}:  # imported once here, not again in every worker
        import_code(engine.kinds[kind])
    # At least eight jobs, so that the workers share few heavy nodes evenly.
    chunk = min(NODES_PER_JOB if chunk is None else chunk, max(1, len(keys) // 8))
    chunks = [list(keys[i:i + chunk]) for i in range(0, len(keys), chunk)]
    for results in stream_all([functools.partial(_compute_chunk, engine, c) for c in chunks],
                              _workers(jobs), minimum=2, batch=1):
        computed, made = results
        for node, value, record in made:
            engine.adopt(node, value, record)
        for key, value, record in computed:
            attach = engine.kinds[key[0]].attach
            engine.accept(key, value if attach is None else attach(value, key, engine.value),
                          record)
