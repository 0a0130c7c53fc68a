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
    files: dict[str, str]  # relative path → digest of its bytes
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
    return json.dumps({"generator": f"briefgen {version}", "build": build, "tidy": True,
                       "files": dict(sorted(files.items()))}, indent=0).encode("utf-8")


def folders_of(rels: Iterable[str]) -> set[str]:
    """Every folder (relative, POSIX) that holds one of the files ``rels``, at any depth."""
    folders: set[str] = set()
    for rel in rels:
        folder = rel.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def foreign_paths(folder: Path, owned: Mapping[str, str]) -> list[str]:
    """Top-most paths in ``folder`` that briefgen did not write (``.git``, ``CNAME`` …)."""
    owned_dirs = folders_of(owned)
    found: list[str] = []

    def walk(path: str, rel: str) -> None:
        with os.scandir(path) as children:
            entries = sorted(children, key=lambda child: child.name)
        for child in entries:
            child_rel = f"{rel}{child.name}"
            if child_rel == MANIFEST or child_rel in owned:
                continue
            if child_rel.endswith(LINKING) and child_rel[:-len(LINKING)] in owned:
                continue  # a link of one of its files that an older briefgen left: ours
            if child_rel in owned_dirs and child.is_dir(follow_symlinks=False):
                walk(child.path, child_rel + "/")
            else:
                found.append(child_rel)

    if folder.is_dir():
        walk(str(folder), "")
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
