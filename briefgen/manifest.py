"""What an output folder holds: the manifest of the files briefgen wrote, the foreign files
beside them (a ``.git`` folder, a ``CNAME``), and removing only briefgen's own.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from briefgen.fileops import FileOps

MANIFEST = ".briefgen-manifest.json"
# The suffix of a file's new link while it is put in place in the container's tree.
LINKING = ".briefgen-link"


class OutputRefused(Exception):
    """The output folder is not one briefgen may write to; the message says why."""


@dataclass(frozen=True, slots=True)
class Manifest:
    # relative path → what its bytes were made from (a digest of their inputs, not of the
    # bytes themselves: two builds that make the same bytes by other ways may differ here)
    files: dict[str, str]
    build: str  # the token of the build that wrote it ("" before tokens existed)
    # Written by a briefgen that never leaves a second link of a file beside it (``LINKING``):
    # a tree without this mark may hold some, and is looked through for them once.
    tidy: bool = False


def safe_rel(rel: str) -> bool:
    """A manifest entry names a file inside the output folder: relative, no ``..``."""
    # No empty, "." or ".." part: looked for in "/rel/" (string searches, not a loop: the
    # manifest of a big site has tens of thousands of entries)
    wrapped = f"/{rel}/"
    return bool(rel) and "\\" not in rel and "\x00" not in rel and "//" not in wrapped \
        and "/./" not in wrapped and "/../" not in wrapped


def load_manifest(folder: Path) -> Manifest | None:
    """The manifest of ``folder``. Entries that would point outside it are dropped: a
    tampered manifest must never make briefgen delete anything else."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = {str(k): str(v) for k, v in data["files"].items() if safe_rel(str(k))}
        build = data.get("build", "")
        return Manifest(files, build if isinstance(build, str) else "", data.get("tidy") is True)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def read_manifest(folder: Path) -> dict[str, str] | None:
    manifest = load_manifest(folder)
    return manifest.files if manifest is not None else None


def manifest_bytes(files: Mapping[str, str], version: str, build: str) -> bytes:
    # One file a line, and no ``indent``: given one, ``json`` encodes in Python (~50 ms at
    # every build of a site of 17,000 files, against ~15 ms).
    return json.dumps({"generator": f"briefgen {version}", "build": build, "tidy": True,
                       "files": dict(sorted(files.items()))},
                      separators=(",\n", ": ")).encode("utf-8")


def folders_of(rels: Iterable[str]) -> set[str]:
    """Every folder (relative, POSIX) that holds one of the files ``rels``, at any depth."""
    folders: set[str] = set()
    for rel in rels:
        folder = rel.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


# A folder changed this close to the moment it was looked at may change again without its
# time changing: file systems keep times in steps, of up to 2 s where the times are whole
# seconds (FAT, ext3), else of at most 10 ms (the kernel's coarse clock, exFAT). Such a
# folder is listed again.
_RACY_WHOLE_SECONDS_NS = 2_000_000_000
_RACY_NS = 100_000_000


def _racy(then: int, looked: int) -> bool:
    window = _RACY_WHOLE_SECONDS_NS if then % 1_000_000_000 == 0 else _RACY_NS
    return looked - then < window


@dataclass(frozen=True, slots=True)
class FolderTimes:
    """When each folder of a tree was last changed, as ``foreign_paths`` listed it."""

    looked: int  # when the look began (ns since the epoch)
    times: dict[str, int]  # by folder ("" for the tree, else its path and "/"): mtime_ns


def foreign_paths(folder: Path, owned: Mapping[str, str], times: dict[str, int] | None = None
                  ) -> list[str]:
    """Top-most paths in ``folder`` that briefgen did not write (``.git``, ``CNAME`` …).
    ``times``: filled with each folder's modification time, taken before it is listed
    (see ``foreign_paths_since``)."""
    owned_dirs = folders_of(owned)
    found: list[str] = []

    def walk(path: str, rel: str) -> None:
        if times is not None:
            times[rel] = os.stat(path).st_mtime_ns
        for child_rel, child in _unowned(path, rel, owned):
            if child_rel in owned_dirs and child.is_dir(follow_symlinks=False):
                walk(child.path, child_rel + "/")
            else:
                found.append(child_rel)

    if folder.is_dir():
        walk(str(folder), "")
    return found


def foreign_paths_since(folder: Path, owned: Mapping[str, str], listed: FolderTimes
                        ) -> list[str]:
    """``foreign_paths`` of a folder that was listed before (``listed``), holding the same
    files of briefgen's: only the folders changed since (a file added or moved out changes
    its folder's time), or too soon before that look to tell, are listed again; a folder
    new since then is walked through. A ``stat`` per folder instead of a listing."""
    owned_dirs = folders_of(owned)
    found: list[str] = []
    times = listed.times

    def walk(path: str, rel: str) -> None:
        for child_rel, child in _unowned(path, rel, owned):
            if child_rel in owned_dirs and child.is_dir(follow_symlinks=False):
                if child_rel + "/" not in times:
                    walk(child.path, child_rel + "/")
            else:
                found.append(child_rel)

    for rel, then in times.items():
        path = os.path.join(folder, rel) if rel else str(folder)
        try:
            now = os.stat(path).st_mtime_ns
        except OSError:
            continue  # gone with the files briefgen removed
        if now != then or _racy(then, listed.looked):
            walk(path, rel)
    return sorted(found)


def _unowned(path: str, rel: str, owned: Mapping[str, str]) -> list[tuple[str, os.DirEntry[str]]]:
    """The entries of the folder ``path`` (``rel`` in the tree) that are not briefgen's
    files, by name."""
    with os.scandir(path) as children:
        entries = sorted(children, key=lambda child: child.name)
    found = []
    for child in entries:
        child_rel = f"{rel}{child.name}"
        if child_rel == MANIFEST or child_rel in owned:
            continue
        if child_rel.endswith(LINKING) and child_rel[:-len(LINKING)] in owned:
            continue  # a link of one of its files that an older briefgen left: ours
        found.append((child_rel, child))
    return found


def remove_owned(folder: Path, owned: Iterable[str], ops: FileOps,
                 keep_manifest: bool = False) -> None:
    """Delete the files ``owned`` lists, then the manifest, then the folders they leave
    empty; anything else stays. Never follows a symbolic link out of ``folder``."""
    direct: dict[str, bool] = {"": True}  # folder (relative) → no symbolic link on the way

    def reached_directly(rel_dir: str) -> bool:
        known = direct.get(rel_dir)
        if known is None:
            known = direct[rel_dir] = reached_directly(rel_dir.rpartition("/")[0]) \
                and not os.path.islink(os.path.join(folder, rel_dir))
        return known

    for rel in owned:
        if safe_rel(rel) and reached_directly(rel.rpartition("/")[0]):
            with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError):
                ops.unlink(os.path.join(folder, rel))
    if not keep_manifest:
        with contextlib.suppress(FileNotFoundError):
            ops.unlink(str(folder / MANIFEST))
    # Deepest first; a folder that still holds something stays.
    for rel_dir in sorted((d for d, ok in direct.items() if ok and d),
                          key=lambda d: -d.count("/")):
        with contextlib.suppress(OSError):
            ops.rmdir(os.path.join(folder, rel_dir))


def remove_empty_folders(folder: Path, ops: FileOps) -> None:
    """Remove every empty folder below ``folder`` (deepest first), not following links."""
    for dirpath, _, _ in sorted(os.walk(folder), key=lambda item: -item[0].count(os.sep)):
        if dirpath != str(folder):
            with contextlib.suppress(OSError):
                ops.rmdir(dirpath)
