"""Finding a site's content files: the collections' files, the static files, and reading
one of them safely (regular files only, never blocking, capped in size)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from briefgen.cache import cache_folder
from briefgen.chars import unshowable
from briefgen.config import SiteConfig
from briefgen.contentfiles import Collection, StaticFile
from briefgen.contenttree import ContentTree, Entry, below
from briefgen.errors import FILE_START, Diagnostic, Diagnostics, Severity, not_utf8
from briefgen.filenames import MARKDOWN_SUFFIXES, YAML_SUFFIXES
from briefgen.filesystem import FileProblem, read_regular

STATIC_DIR = "static"
_SUFFIXES = {
    Collection.BRIEFINGS: MARKDOWN_SUFFIXES + YAML_SUFFIXES,
    Collection.ACTORS: MARKDOWN_SUFFIXES + YAML_SUFFIXES,
    Collection.SOURCES: MARKDOWN_SUFFIXES + YAML_SUFFIXES,
    Collection.PAGES: MARKDOWN_SUFFIXES,
}
_JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


def is_editor_junk(name: str) -> bool:
    """Editors' swap, backup and lock files, which are never content."""
    return (name in _JUNK_NAMES or name.endswith(("~", ".swp", ".swo", ".swx", ".tmp", ".bak"))
            or name.startswith((".#", "#", "~$")) or name.endswith("#"))


class SourceFile(NamedTuple):
    """(A tuple: one is made for every content file of every build.)"""

    collection: Collection
    path: str  # as found, below the content folder
    rel: str  # relative to the site folder
    real: str  # the file itself, any link resolved: what is read


def _ignored(rel: str, message: str) -> Diagnostic:
    return Diagnostic(rel, FILE_START, Severity.WARNING, message)


def _unread(name: str) -> bool:
    """Names of a content folder that briefgen passes over without a word."""
    return name.startswith(".") or is_editor_junk(name)


def content_tree(config: SiteConfig) -> ContentTree:
    off_limits = (("the output folder", config.output_path),
                  ("the build cache", Path(os.path.realpath(cache_folder(config.root).parent))))
    return ContentTree(config.content_path, _rel(config, config.content_path), off_limits)


def content_folders(config: SiteConfig, tree: ContentTree,
                    notes: list[Diagnostic]) -> dict[str, Entry]:
    """The known folders of the content folder (briefings, …, static) by name; anything
    else there gets a warning."""
    if not os.path.isdir(config.content_path):
        return {}
    known = {c.value for c in Collection} | {STATIC_DIR}
    folders: dict[str, Entry] = {}
    for child in tree.children(tree.top(), _unread):
        if not child.is_dir:
            notes.append(_ignored(child.rel, f"'{child.rel}' is ignored: content files belong in "
                                             f"one of {', '.join(sorted(known - {STATIC_DIR}))}/"))
        elif child.name not in known:
            notes.append(_ignored(child.rel, f"folder '{child.rel}' is ignored; known folders are "
                                             f"{', '.join(sorted(known))}"))
        else:
            folders[child.name] = child
    return folders


def content_files(tree: ContentTree, folders: dict[str, Entry],
                  notes: list[Diagnostic]) -> Iterator[SourceFile]:
    """Every content file, collection by collection, in code-point order of file names."""
    for collection in Collection:
        if collection.value not in folders:
            continue
        folder = folders[collection.value]
        kinds = " or ".join(_SUFFIXES[collection])
        for entry in tree.children(folder, _unread):
            if entry.is_dir:
                notes.append(_ignored(entry.rel, f"folder '{entry.rel}' is ignored: "
                                                 f"{collection.value} are {kinds} files directly "
                                                 f"in {folder.rel}/"))
            elif _suffix(entry.name).lower() not in _SUFFIXES[collection]:
                notes.append(_ignored(entry.rel, f"'{entry.rel}' is ignored: {collection.value} "
                                                 f"are {kinds} files"))
            else:
                yield SourceFile(collection, entry.path, entry.rel, entry.real)


def _suffix(name: str) -> str:
    """``Path(name).suffix``, without making a path (this runs for every file of a build)."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def static_files(tree: ContentTree, folders: dict[str, Entry],
                 notes: list[Diagnostic]) -> list[StaticFile]:
    """The files to publish as they are; one whose name no web address should hold is an
    error (it would be published under that name)."""
    folder = folders.get(STATIC_DIR)
    if folder is None:
        return []
    found = []
    reported: set[str] = set()  # each repository once, not each of its files
    for entry in tree.files(folder, is_editor_junk):
        rel = below(folder.path, entry.path)
        private = _private(rel)
        if private is not None:
            where, what = private
            if where not in reported:
                reported.add(where)
                d = Diagnostics(f"{entry.rel[:len(entry.rel) - len(rel)]}{where}")
                d.error(FILE_START, f"'{where}' is {what}, which would be published with the "
                                    "site; move it out of the static folder")
                notes.extend(d.items)
            continue
        problem = unshowable(rel)
        if problem:
            d = Diagnostics(entry.rel)
            d.error(FILE_START, f"the name of static file '{rel}' holds {problem}; rename it")
            notes.extend(d.items)
        else:
            found.append(StaticFile(rel, entry.rel, entry.real))
    return found


_REPOSITORIES = {".git": "a Git repository", ".hg": "a Mercurial repository",
                 ".svn": "a Subversion working copy"}
_SECRETS = {".env", ".htpasswd", ".netrc", ".npmrc", ".pypirc",
            ".git-credentials", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}


def _private(rel: str) -> tuple[str, str] | None:
    """A file of the static folder that is never meant for readers: inside a repository
    (its history, and often a token in its config), or one that holds passwords or keys.
    (The static folder's path of it, what it is.)"""
    parts = rel.split("/")
    for depth, part in enumerate(parts[:-1]):
        if part in _REPOSITORIES:
            return "/".join(parts[:depth + 1]), _REPOSITORIES[part]
    name = parts[-1]
    if name in _SECRETS or name.startswith(".env."):
        return rel, "a file of passwords or keys"
    return None


def _rel(config: SiteConfig, path: Path) -> str:
    real, root = os.path.realpath(path), os.path.realpath(config.root)
    if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
        return Path(real).relative_to(root).as_posix()
    return path.as_posix()


def read_text(path: str | Path, rel: str, diags: list[Diagnostic]) -> str | None:
    d = Diagnostics(rel)
    try:
        data = read_regular(path)
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        d.error(*not_utf8(data))
    except FileProblem as exc:
        d.error(FILE_START, f"the file {exc}")
    diags.extend(d.items)
    return None


def file_state(path: Path) -> tuple[int, int, int]:
    """Size, modification and change times: enough to notice a changed static file without
    reading it. Not size and modification time alone: a copy that keeps them (``cp -p``,
    ``rsync -a``, ``tar``) or a save within a coarse clock's tick would go unseen; the change
    time moves with every write (and a rename) and cannot be set back. Not the inode, which
    some network and FUSE file systems change at will."""
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1, -1)
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
