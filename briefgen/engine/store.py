"""The build cache: the engine's state between runs of the command line, in one SQLite
database per site and variant (flags and base URL), read lazily, one key at a time.

SQLite because a one-file edit must read only the few records it touches, not load the
whole state (what pickled tables cost before), and because it writes atomically: a build
that dies leaves the last committed state. Values are JSON (``codec``), never pickles. The
store is only an accelerator: a file that cannot be read, or that another user could have
written, is set aside and the build starts afresh; deleting the folder is always safe.

The tables, with the keys they are read by:

- ``keys``: every node key, as text, once (ids make the other tables small);
- ``nodes``: by node, its record (fingerprint, what it read, what it emitted, its
  diagnostics, when the clock may change it) and, for kinds that keep it, its value;
- ``readers``: by node, the nodes that read it (the walk from a change to what it touches);
- ``contribs``: by index key, what each node emitted into it; ``members``: by a member's
  head (the first part of its key), the index keys it is an item of (the readers of its
  pieces);
- ``roots``: the nodes that must exist; ``diags``: the nodes that have diagnostics;
- ``files``: by content file, the state it had (inode, size, times) and its digest;
- ``outputs``: by output folder and file, the state of the file the last build wrote.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import glob
import json
import os
import shutil
import signal
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Concatenate, NamedTuple, ParamSpec, TypeVar

from briefgen.buildlock import file_lock
from briefgen.engine import codec
from briefgen.engine.deps import Changes, Item, Key, Record
from briefgen.leftovers import alive

FORMAT = 7
_SEP = "\x1f"

_CONTRIBS = """CREATE TABLE contribs(idx INTEGER, emitter INTEGER, items BLOB NOT NULL,
    PRIMARY KEY(idx, emitter)) WITHOUT ROWID"""
_TABLES = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE keys(id INTEGER PRIMARY KEY, key BLOB NOT NULL);
CREATE TABLE nodes(id INTEGER PRIMARY KEY, fp TEXT NOT NULL, deps BLOB NOT NULL,
    emits BLOB NOT NULL, valid_until REAL, extra BLOB, value BLOB);
CREATE TABLE diags(id INTEGER PRIMARY KEY, items BLOB NOT NULL);
CREATE TABLE readers(dep INTEGER, reader INTEGER, PRIMARY KEY(dep, reader)) WITHOUT ROWID;
{_CONTRIBS};
CREATE TABLE members(member BLOB, idx INTEGER, PRIMARY KEY(member, idx)) WITHOUT ROWID;
CREATE TABLE roots(id INTEGER PRIMARY KEY);
CREATE TABLE files(rel BLOB PRIMARY KEY, ino INTEGER, size INTEGER,
    mtime INTEGER, ctime INTEGER, digest TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE outputs(folder BLOB, rel BLOB, fp TEXT NOT NULL, ino INTEGER,
    size INTEGER, mtime INTEGER, ctime INTEGER, PRIMARY KEY(folder, rel)) WITHOUT ROWID;
"""
# Made after a first build's rows are in: building an index once is cheaper than keeping it
# sorted through hundreds of thousands of inserts.
_INDEXES = """
CREATE UNIQUE INDEX keys_key ON keys(key);
CREATE INDEX nodes_expiry ON nodes(valid_until) WHERE valid_until IS NOT NULL;
CREATE INDEX contribs_emitter ON contribs(emitter);
"""


def _b(text: str) -> bytes:
    """Text as stored: UTF-8, file names that are not UTF-8 included (surrogate escapes)."""
    return text.encode("utf-8", "surrogatepass")


def _t(blob: bytes) -> str:
    return blob.decode("utf-8", "surrogatepass")


def key_text(key: Key) -> bytes:
    return _b(_SEP.join(key))


def text_key(blob: bytes) -> Key:
    return tuple(_t(blob).split(_SEP))


def _enc(value: Any) -> bytes:
    return _b(codec.encode(value))


def _dec(blob: bytes) -> Any:
    return codec.decode(_t(blob))


def _enc_value(value: Any) -> bytes:
    """A node's value: text as it is (list items, JSON pieces: most of what is kept), the
    rest through the codec."""
    if type(value) is str:
        return b"s" + _b(value)
    return b"j" + _enc(value)


def _dec_value(blob: bytes) -> Any:
    return _t(blob[1:]) if blob[:1] == b"s" else _dec(blob[1:])


def _enc_deps(ids: list[int]) -> bytes:
    """What a node read, as the ids of the keys: a JSON array, which SQLite can unfold into
    the rows of the reverse index itself (a first build has hundreds of thousands)."""
    return _b(json.dumps(ids, separators=(",", ":"))) if ids else b""


class FileState(NamedTuple):
    """What ``stat`` says of a file: enough to tell that it is not the one recorded. A named
    tuple: builds make and compare one per content and output file (tens of thousands)."""

    ino: int
    size: int
    mtime: int
    ctime: int

    @classmethod
    def of(cls, result: os.stat_result) -> FileState:
        return cls(result.st_ino, result.st_size, result.st_mtime_ns, result.st_ctime_ns)


# An output file as stored: its path, the fingerprint it was made from, its state.
OutputRow = tuple[bytes, str, int, int, int, int]


def output_states_of(rows: Iterable[OutputRow]) -> dict[str, tuple[str, FileState]]:
    """Stored output rows, decoded: by file, its fingerprint and its recorded state."""
    return {_t(rel): (fp, FileState(ino, size, mtime, ctime))
            for rel, fp, ino, size, mtime, ctime in rows}


class StoreError(Exception):
    """The store cannot be opened; the build goes on without it."""


P = ParamSpec("P")
R = TypeVar("R")


class StoreDamaged(StoreError):
    """The store's file turned out damaged while a build read or wrote it (a bad page, a
    value that does not decode): the build starts again without it (``afresh``)."""


def _damage_is_an_error(method: Callable[Concatenate[EngineStore, P], R]
                        ) -> Callable[Concatenate[EngineStore, P], R]:
    """What SQLite or the decoding of a row raises on a damaged file, as ``StoreDamaged``;
    anything else (a full disk, an I/O error, a lock) as it was."""
    def checked(self: EngineStore, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.DatabaseError, codec.CodecError, json.JSONDecodeError,
                UnicodeDecodeError) as exc:
            if isinstance(exc, sqlite3.DatabaseError) and not _is_corruption(exc):
                raise
            raise StoreDamaged(f"the build cache {self.path} is damaged ({exc}); it is ignored "
                               "and made afresh") from exc

    checked.__name__, checked.__doc__ = method.__name__, method.__doc__
    return checked


def _disk_full(exc: BaseException) -> bool:
    """No room to write (SQLite's own error, or the system's): nothing is wrong with the
    store's file."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return getattr(exc, "sqlite_errorname", None) == "SQLITE_FULL" or \
        "database or disk is full" in str(exc)


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    """A damaged file, not a full disk, an I/O error or a lock (an error raised by SQLite
    itself names its kind; one without a name is taken by its class)."""
    name = getattr(exc, "sqlite_errorname", None)
    if name is None:
        return not isinstance(exc, sqlite3.OperationalError)
    return name in ("SQLITE_CORRUPT", "SQLITE_NOTADB")


class EngineStore:
    """Implements ``engine.deps.Backing`` over one SQLite file.

    A store with no usable state (none yet, another version's, an unreadable one) is
    *fresh*: it has nothing to read, and its first commit writes a new file in bulk, without
    a journal, and puts it in place with one rename, so that a crash leaves the old file or
    none, never half of one."""

    def __init__(self, path: Path, context: str, readonly: bool = False,
                 on_wait: Callable[[int | None], None] = lambda pid: None,
                 helper: bool = False, afresh: bool = False) -> None:
        self.path, self.readonly, self.context = path, readonly, context
        self.afresh = afresh  # the file is damaged (``StoreDamaged``): not read, replaced
        self.helper = helper  # a first commit may fork a child (``_contributions_apart``)
        self.notes: list[str] = []
        self.fresh = False
        self._writing: Path | None = None  # the new file a fresh store's commit writes
        self._last_folder: str | None = None  # read with the meta (``_usable``)
        self._held = contextlib.ExitStack()
        try:
            if not readonly:
                # One writer at a time for the whole build: a run's changes are made against
                # the state it read, and a fresh file replaces the old one.
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                self._held.enter_context(file_lock(path.with_name(path.name + ".lock"),
                                                   on_wait))
            self.db = self._open()
        except (sqlite3.Error, codec.CodecError, OSError) as exc:
            self._held.close()
            if _disk_full(exc):
                raise StoreError(f"the build cache {path} is not used this time: the disk is "
                                 f"full ({exc}); it is kept as it is") from exc
            raise StoreError(f"the build cache {path} could not be read ({exc}); "
                             "it is ignored and made afresh") from exc
        self._ids: dict[Key, int] = {}
        self._names: dict[int, Key] = {}
        # The rows of files and outputs as read from the store (``commit`` writes the changes)
        self._files_read: dict[str, tuple[FileState | None, str]] | None = None
        self._outputs_read: dict[str, dict[str, tuple[str, FileState]]] = {}
        self._output_rows: dict[str, list[OutputRow]] = {}

    def _meta(self, db: sqlite3.Connection) -> dict[str, str | bytes]:
        try:
            return dict(db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            if "no such table" not in str(exc):
                raise
            return {}

    def _usable(self, db: sqlite3.Connection) -> bool:
        """This version's store, of this site and variant (then its meta is kept)."""
        meta = self._meta(db)
        if meta.get("format") != str(FORMAT) or meta.get("context") != self.context:
            return False
        folder = meta.get("outputs")  # (bytes: stored as such, a name that is not UTF-8 too)
        self._last_folder = _t(folder) if isinstance(folder, bytes) else folder
        return True

    def last_output_folder(self) -> str | None:
        """The output folder of the last run that wrote one (its records are that run's)."""
        return self._last_folder

    def _open(self) -> sqlite3.Connection:
        if self.readonly:
            if not self.path.exists():
                raise FileNotFoundError(self.path)
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None,
                                 check_same_thread=False)
            _tune(db)
            if not self._usable(db):
                raise FileNotFoundError(self.path)  # another version: nothing to use
            return db
        _remove_abandoned(self.path)
        if self.path.exists() and not self.afresh:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                _tune(db)
                if self._usable(db):
                    return db
            except sqlite3.DatabaseError as exc:
                if _disk_full(exc):  # the file is as it was: kept for the next build
                    db.close()
                    raise
                self.notes.append(f"the build cache {self.path} could not be read ({exc}); it "
                                  "is ignored and made afresh")
            db.close()
        # Nothing to read: the first commit writes a new file, renamed over this one.
        self.fresh = True
        self._writing = self.path.with_name(f"{self.path.name}.new-{os.getpid()}")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._writing)
        db = sqlite3.connect(self._writing, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=OFF")  # a crash leaves a file nobody uses
        db.execute("PRAGMA synchronous=OFF")  # made durable once, before the rename
        _tune(db)
        db.executescript(_TABLES)
        db.executemany("INSERT INTO meta VALUES (?, ?)",
                       [("format", str(FORMAT)), ("context", self.context)])
        return db

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()
        if self._writing is not None:  # never committed: the old file stays as it was
            with contextlib.suppress(OSError):
                os.unlink(self._writing)
        self._held.close()

    # ----------------------------------------------------------------- ids

    def _id(self, key: Key) -> int | None:
        found = self._ids.get(key)
        if found is None:
            row = self.db.execute("SELECT id FROM keys WHERE key = ?", (key_text(key),)).fetchone()
            if row is None:
                return None
            found = self._ids[key] = row[0]
        return found

    def _keys(self, ids: Iterable[int]) -> set[Key]:
        return set(self._named(list(ids)).values())

    def _named(self, ids: list[int]) -> dict[int, Key]:
        """The keys of ``ids`` (remembered: the deps of the nodes an edit touches overlap)."""
        missing = [node for node in ids if node not in self._names]
        for chunk in _chunks(missing):
            marks = ",".join("?" * len(chunk))
            for node, text in self.db.execute(f"SELECT id, key FROM keys WHERE id IN ({marks})",
                                              chunk):
                key = self._names[node] = text_key(text)
                self._ids[key] = node
        return {node: self._names[node] for node in ids if node in self._names}

    def _dec_deps(self, blob: bytes) -> tuple[Key, ...]:
        if not blob:
            return ()
        ids = json.loads(blob)
        named = self._named(ids)
        if len(named) != len(set(ids)):
            raise codec.CodecError("a dependency names a key the store does not have")
        return tuple(named[node] for node in ids)

    # ----------------------------------------------------------------- Backing

    @_damage_is_an_error
    def record(self, key: Key) -> Record | None:
        node = self._id(key)
        if node is None:
            return None
        row = self.db.execute("SELECT fp, deps, emits, valid_until, extra FROM nodes WHERE id = ?",
                              (node,)).fetchone()
        if row is None:
            return None
        fp, deps, emits, valid_until, extra = row
        diags = self.db.execute("SELECT items FROM diags WHERE id = ?", (node,)).fetchone()
        return Record(fp, self._dec_deps(deps), self._emits(node) if emits else (),
                      _dec(diags[0]) if diags else (), valid_until,
                      _dec(extra) if extra is not None else None)

    def _emits(self, node: int) -> tuple[tuple[Key, tuple[Item, ...]], ...]:
        """What a node emitted: kept once, in ``contribs``, where the indexes are read."""
        rows = self.db.execute("SELECT k.key, c.items FROM contribs c JOIN keys k ON k.id = c.idx"
                               " WHERE c.emitter = ?", (node,)).fetchall()
        return tuple(sorted((text_key(text), _dec(items)) for text, items in rows))

    @_damage_is_an_error
    def value(self, key: Key) -> tuple[bool, Any]:
        node = self._id(key)
        if node is None:
            return False, None
        row = self.db.execute("SELECT value FROM nodes WHERE id = ?", (node,)).fetchone()
        if row is None or row[0] is None:
            return False, None
        return True, _dec_value(row[0])

    @_damage_is_an_error
    def readers(self, key: Key) -> set[Key]:
        node = self._id(key)
        if node is None:
            return set()
        rows = self.db.execute("SELECT reader FROM readers WHERE dep = ?", (node,)).fetchall()
        return self._keys(r[0] for r in rows)

    @_damage_is_an_error
    def contributions(self, index: Key) -> dict[Key, tuple[Item, ...]]:
        node = self._id(index)
        if node is None:
            return {}
        rows = self.db.execute("SELECT k.key, c.items FROM contribs c JOIN keys k "
                               "ON k.id = c.emitter WHERE c.idx = ?", (node,)).fetchall()
        return {text_key(text): _dec(items) for text, items in rows}

    @_damage_is_an_error
    def memberships(self, member: str) -> set[Key]:
        rows = self.db.execute("SELECT idx FROM members WHERE member = ?",
                               (_b(member),)).fetchall()
        return self._keys(r[0] for r in rows)

    @_damage_is_an_error
    def roots(self) -> set[Key]:
        rows = self.db.execute("SELECT k.key FROM roots r JOIN keys k ON k.id = r.id").fetchall()
        return {text_key(r[0]) for r in rows}

    @_damage_is_an_error
    def due(self, now: float) -> list[Key]:
        rows = self.db.execute("SELECT k.key FROM nodes n JOIN keys k ON k.id = n.id "
                               "WHERE n.valid_until <= ?", (now,)).fetchall()
        return [text_key(r[0]) for r in rows]

    def inputs(self, kind: str) -> set[Key]:
        rows = self.db.execute("SELECT k.key FROM keys k JOIN nodes n ON n.id = k.id "
                               "WHERE k.key = ? OR (k.key >= ? AND k.key < ?)",
                               (_b(kind), _b(kind + _SEP), _b(kind + chr(0x20)))).fetchall()
        return {text_key(r[0]) for r in rows}

    @_damage_is_an_error
    def fingerprints(self, kind: str) -> dict[Key, str]:
        """The recorded fingerprints of every node of one kind (the inputs, in one read)."""
        rows = self.db.execute("SELECT k.key, n.fp FROM keys k JOIN nodes n ON n.id = k.id "
                               "WHERE k.key = ? OR (k.key >= ? AND k.key < ?)",
                               (_b(kind), _b(kind + _SEP), _b(kind + chr(0x20)))).fetchall()
        return {text_key(text): fp for text, fp in rows}

    @_damage_is_an_error
    def fingerprints_of(self, keys: list[Key]) -> dict[Key, str]:
        found: dict[Key, str] = {}
        for start in range(0, len(keys), 500):
            part = keys[start:start + 500]
            marks = ",".join("?" * len(part))
            rows = self.db.execute(f"SELECT k.key, n.fp FROM keys k JOIN nodes n ON n.id = k.id "
                                   f"WHERE k.key IN ({marks})", [key_text(k) for k in part])
            found.update((text_key(text), fp) for text, fp in rows)
        return found

    def diagnostics(self) -> dict[Key, tuple[Any, ...]]:
        rows = self.db.execute("SELECT k.key, d.items FROM diags d JOIN keys k "
                               "ON k.id = d.id").fetchall()
        return {text_key(text): _dec(items) for text, items in rows}

    def earliest_expiry(self) -> float | None:
        # The condition lets SQLite read the minimum off the partial index (one look-up, not
        # a scan of every node).
        row = self.db.execute("SELECT MIN(valid_until) FROM nodes "
                              "WHERE valid_until IS NOT NULL").fetchone()
        return float(row[0]) if row and row[0] is not None else None

    # ----------------------------------------------------------------- files and outputs

    @_damage_is_an_error
    def file_states(self) -> dict[str, tuple[FileState | None, str]]:
        """The content files of the last run: their states (None: it could not be read) and
        the digests of their texts."""
        rows = self.db.execute("SELECT rel, ino, size, mtime, ctime, digest FROM files")
        found = {_t(rel): (FileState(ino, size, mtime, ctime) if ino is not None else None,
                           digest)
                 for rel, ino, size, mtime, ctime, digest in rows}
        self._files_read = found
        return found

    @_damage_is_an_error
    def output_rows(self, folder: str) -> list[OutputRow]:
        """The output files of ``folder`` as recorded, as stored: one read, nothing decoded
        (what a build with nothing to do hands to the process that looks at the folder,
        which decodes them itself: ``output_states_of``)."""
        rows = self._output_rows.get(folder)
        if rows is None:
            rows = self.db.execute("SELECT rel, fp, ino, size, mtime, ctime FROM outputs "
                                   "WHERE folder = ?", (_b(folder),)).fetchall()
            self._output_rows[folder] = rows
        return rows

    def output_states(self, folder: str) -> dict[str, tuple[str, FileState]]:
        """The output files of ``folder`` as recorded (read once per run; not to be changed
        by the caller)."""
        found = self._outputs_read.get(folder)
        if found is None:
            found = self._outputs_read[folder] = output_states_of(self.output_rows(folder))
        return found

    # ----------------------------------------------------------------- writing

    @_damage_is_an_error
    def commit(self, changes: Changes,
               files: dict[str, tuple[FileState | None, str]] | None = None,
               outputs: tuple[str, dict[str, tuple[str, FileState]]] | None = None) -> None:
        """Write one run's changes in one transaction. The rows of files and outputs that
        this store read are rewritten only where they differ (an edit changes a few of
        tens of thousands)."""
        if self.readonly:
            return
        db = self.db
        apart: _Apart | None = None
        db.execute("BEGIN IMMEDIATE")
        try:
            self._prepare_ids(changes)
            apart = self._contributions_apart(changes)
            self._write_nodes(changes)
            self._write_links(changes, contributions=apart is None)
            if files is not None:
                gone, new = _difference(self._files_read, files)
                if gone is None:
                    db.execute("DELETE FROM files")
                db.executemany("DELETE FROM files WHERE rel = ?",
                               [(_b(rel),) for rel in gone or ()])
                db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
                               [(_b(rel), *(s or (None, None, None, None)), digest)
                                for rel, (s, digest) in new.items()])
            if outputs is not None:
                folder, states = outputs
                gone_outputs, new_outputs = _difference(self._outputs_read.get(folder), states)
                if gone_outputs is None:
                    db.execute("DELETE FROM outputs WHERE folder = ?", (_b(folder),))
                db.executemany("DELETE FROM outputs WHERE folder = ? AND rel = ?",
                               [(_b(folder), _b(rel)) for rel in gone_outputs or ()])
                db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?)",
                               [(_b(folder), _b(rel), fp, s.ino, s.size, s.mtime, s.ctime)
                                for rel, (fp, s) in new_outputs.items()])
                db.execute("INSERT OR REPLACE INTO meta VALUES ('outputs', ?)", (_b(folder),))
            db.execute("COMMIT")
            if self._writing is not None:  # not in place yet: no transaction needed
                if apart is not None:
                    self._join_apart(apart, changes)
                for statement in filter(str.strip, _INDEXES.split(";")):
                    db.execute(statement)
        except BaseException:
            if self._writing is None:
                db.execute("ROLLBACK")
            raise
        finally:
            if apart is not None:
                apart.close()
        if files is not None:
            self._files_read = files
        if outputs is not None:
            self._last_folder = outputs[0]
            self._outputs_read[outputs[0]] = outputs[1]
            self._output_rows.pop(outputs[0], None)
        if self._writing is not None:
            self._put_in_place()

    def _put_in_place(self) -> None:
        """A fresh store's file, complete: made durable, then renamed over the old one."""
        assert self._writing is not None
        self.db.close()
        with open(self._writing, "rb+") as handle:
            os.fsync(handle.fileno())
        for suffix in ("-wal", "-shm"):  # the old file's: they would be read as the new one's
            _remove(Path(f"{self.path}{suffix}"))
        os.replace(self._writing, self.path)
        self._writing = None
        self.fresh = False
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        _tune(self.db)

    def _prepare_ids(self, changes: Changes) -> None:
        """Give every key this commit names an id, in bulk: a first build names thousands."""
        keys: set[Key] = set(changes.records)
        keys.update(changes.values)
        for record in changes.records.values():
            if record is not None:
                keys.update(record.deps)
        for deps in changes.before.values():
            keys.update(deps)
        for index, emitter in changes.contributions:
            keys.add(index)
            keys.add(emitter)
        for pair in (changes.members_added, changes.members_removed):
            keys.update(index for _, index in pair)
        keys |= changes.roots or set()
        missing = [k for k in keys if k not in self._ids]
        if self.fresh:
            missing.sort()  # ids in key order: the keys' index is built from sorted rows
        for chunk in range(0, len(missing) if not self.fresh else 0, 500):
            part = missing[chunk:chunk + 500]
            marks = ",".join("?" * len(part))
            for node, text in self.db.execute(f"SELECT id, key FROM keys WHERE key IN ({marks})",
                                              [key_text(k) for k in part]):
                self._ids[text_key(text)] = node
        new = [k for k in missing if k not in self._ids]
        if new:
            row = self.db.execute("SELECT MAX(id) FROM keys").fetchone()
            start = (row[0] or 0) + 1
            self.db.executemany("INSERT INTO keys VALUES (?, ?)",
                                [(start + i, key_text(k)) for i, k in enumerate(new)])
            self._ids.update({k: start + i for i, k in enumerate(new)})

    def _write_nodes(self, changes: Changes) -> None:
        db, ids = self.db, self._ids
        gone, rows, diag_rows = [], [], []
        for key, record in changes.records.items():
            node = ids[key]
            if record is None:
                gone.append((node,))
                continue
            value = changes.values.get(key, _NONE)
            # The emissions themselves are in ``contribs``: this says only whether there are any.
            rows.append((node, record.fp, _enc_deps([ids[dep] for dep in record.deps]),
                         b"1" if record.emits else b"", record.valid_until,
                         _enc(record.extra) if record.extra is not None else None,
                         _enc_value(value) if value is not _NONE else None))
            diag_rows.append((node, _enc(record.diags) if record.diags else None))
        if not self.fresh:
            db.executemany("DELETE FROM nodes WHERE id = ?", gone)
            db.executemany("DELETE FROM diags WHERE id = ?", gone)
            db.executemany("DELETE FROM diags WHERE id = ?",
                           [(n,) for n, d in diag_rows if d is None])
        rows.sort(key=_first)  # in id order, a table grows at its end
        db.executemany("INSERT OR REPLACE INTO nodes VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT OR REPLACE INTO diags VALUES (?, ?)",
                       [(n, d) for n, d in diag_rows if d is not None])
        # A value kept without a new record (made again after eviction): same record.
        db.executemany("UPDATE nodes SET value = ? WHERE id = ?",
                       [(_enc_value(v), ids[k]) for k, v in changes.values.items()
                        if k not in changes.records])

    def _write_links(self, changes: Changes, contributions: bool = True) -> None:
        db, ids = self.db, self._ids.__getitem__
        self._write_readers(changes)
        if contributions:
            self._write_contributions(db, changes)
        db.executemany("DELETE FROM members WHERE member = ? AND idx = ?",
                       [(_b(m), ids(i)) for m, i in changes.members_removed])
        db.executemany("INSERT OR IGNORE INTO members VALUES (?, ?)",
                       sorted((_b(m), ids(i)) for m, i in changes.members_added))
        if changes.roots is not None:
            db.execute("DELETE FROM roots")
            db.executemany("INSERT INTO roots VALUES (?)", [(ids(k),) for k in changes.roots])

    def _write_contributions(self, db: sqlite3.Connection, changes: Changes) -> None:
        ids = self._ids.__getitem__
        gone, kept = [], []
        for (index, emitter), items in changes.contributions.items():
            if items is None:
                gone.append((ids(index), ids(emitter)))
            else:
                kept.append((ids(index), ids(emitter), _enc(items)))
        db.executemany("DELETE FROM contribs WHERE idx = ? AND emitter = ?", gone)
        kept.sort(key=_first_two)
        db.executemany("INSERT OR REPLACE INTO contribs VALUES (?, ?, ?)", kept)

    def _contributions_apart(self, changes: Changes) -> _Apart | None:
        """A fresh store's contributions, written meanwhile by a forked child into a file of
        their own, joined in at the end (``_join_apart``): encoding them is a third of a
        first build's commit (69 MB at 5,000 briefings), on one core while the other has
        nothing left to do. Only in a process that runs no other thread: one inside SQLite
        at the fork could leave the child a lock that nobody releases."""
        if self._writing is None or not self.helper or len(changes.contributions) < _APART_FROM \
                or not hasattr(os, "fork") or threading.active_count() != 1:
            return None
        from briefgen.parallel import die_with_parent  # imported before the fork

        path = self._writing.with_name(f"{self.path.name}.new-contribs-{os.getpid()}")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        try:
            child = os.fork()
        except OSError:  # no process to spare (a limit, no memory): written here
            return None
        if child == 0:  # the child: its own connection and file; leaves without any cleanup
            code = 1
            try:
                gc.disable()  # its new objects must not have it walk (and copy) the parent's
                die_with_parent()
                db = sqlite3.connect(path, isolation_level=None)
                db.execute("PRAGMA journal_mode=OFF")
                db.execute("PRAGMA synchronous=OFF")
                db.execute(_CONTRIBS)
                db.execute("BEGIN")
                self._write_contributions(db, changes)
                db.execute("COMMIT")
                db.close()
                code = 0
            finally:
                os._exit(code)
        return _Apart(child, path)

    def _join_apart(self, apart: _Apart, changes: Changes) -> None:
        """The child's contributions into this store (SQLite copies the rows as they are),
        or, if the child failed or its file cannot be read, written here. A copy that fails
        otherwise (a full disk, an I/O error) is raised: the new file has no journal, so
        what it wrote of the copy is neither undone nor safe to read on; the commit fails
        and ``close`` removes the file."""
        if apart.wait():
            try:
                self.db.execute("ATTACH DATABASE ? AS apart", (str(apart.path),))
            except sqlite3.Error:
                pass  # its file cannot be opened: written here
            else:
                try:
                    self.db.execute("INSERT INTO contribs SELECT * FROM apart.contribs")
                    return
                except sqlite3.DatabaseError as exc:
                    if not _is_corruption(exc):
                        raise
                    # its file is damaged: written here (rows copied in are replaced)
                finally:
                    with contextlib.suppress(sqlite3.Error):
                        self.db.execute("DETACH DATABASE apart")
        self.db.execute("BEGIN")
        self._write_contributions(self.db, changes)
        self.db.execute("COMMIT")

    def _write_readers(self, changes: Changes) -> None:
        """The reverse index follows what each changed node read, before and now."""
        if self.fresh:
            # Everything is new: SQLite unfolds the nodes' dependency arrays itself.
            self.db.execute("INSERT INTO readers SELECT j.value, n.id FROM nodes n, "
                            "json_each(n.deps) j WHERE n.deps != x'' ORDER BY 1, 2")
            return
        ids = self._ids
        removed: list[tuple[int, int]] = []
        added: list[tuple[int, int]] = []
        for key, record in changes.records.items():
            before = set(changes.before.get(key, ()))
            now = set(record.deps) if record is not None else set()
            node = ids[key]
            removed.extend((ids[dep], node) for dep in before - now)
            added.extend((ids[dep], node) for dep in now - before)
        self.db.executemany("DELETE FROM readers WHERE dep = ? AND reader = ?", removed)
        self.db.executemany("INSERT OR IGNORE INTO readers VALUES (?, ?)", sorted(added))


_NONE = object()

# From this many contributions, a fresh store's are written apart (``_contributions_apart``).
_APART_FROM = 20_000


class _Apart:
    """A child process writing a fresh store's contributions into ``path``."""

    def __init__(self, pid: int, path: Path) -> None:
        self.pid, self.path = pid, path
        self._status: int | None = None

    def wait(self) -> bool:
        """Whether the child wrote them all."""
        if self._status is None:
            self._status = os.waitpid(self.pid, 0)[1]
        return self._status == 0

    def close(self) -> None:
        """Never leave the child behind, nor its file: a child not waited for yet (the commit
        failed or was interrupted before the join) is stopped, not waited for."""
        if self._status is None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                self.wait()
        with contextlib.suppress(OSError):
            os.unlink(self.path)

Row = TypeVar("Row")


def _difference(read: dict[str, Row] | None, now: dict[str, Row]
                ) -> tuple[list[str] | None, dict[str, Row]]:
    """The rows gone and the rows new or changed since ``read`` (None: all are written
    anew, the old ones deleted first)."""
    if read is None:
        return None, now
    return [rel for rel in read if rel not in now], \
        {rel: row for rel, row in now.items() if read.get(rel) != row}


def _first(row: tuple[Any, ...]) -> Any:
    return row[0]


def _first_two(row: tuple[Any, ...]) -> Any:
    return row[0], row[1]


def _tune(db: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):
        # No memory map (whatever SQLite was built with): with one, SQLite grows a file with
        # ftruncate before writing its pages, and reading a page whose write failed on a full
        # tmpfs kills the process with SIGBUS, where read() gives an error. It saves no time.
        db.execute("PRAGMA mmap_size=0")
        # A first build writes the whole state in one transaction: keep its pages in memory.
        db.execute("PRAGMA cache_size=-131072")
        db.execute("PRAGMA temp_store=MEMORY")


def _remove(path: Path) -> None:
    """Remove a file of the store, or whatever took its name in the cache folder."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(path, ignore_errors=True)


def _remove_abandoned(path: Path) -> None:
    """The new files of fresh stores whose builds died before putting them in place."""
    for other in path.parent.glob(f"{glob.escape(path.name)}.new-*"):
        pid = other.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not alive(int(pid)):
            with contextlib.suppress(OSError):
                os.unlink(other)


def _chunks(items: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
