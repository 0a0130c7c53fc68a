"""The files and folders of a content folder, under the rules that keep a build inside it.

- A symbolic link is followed only when what it points to lies inside the content folder (not
  in a hidden folder of it, nor in the output or the cache): anything else is an error at the
  link, so that no file from elsewhere can be published. A link that loops is an error too.
- Only regular files and folders are used. A FIFO, socket or device is ignored with a
  warning and never opened (opening one can block for ever).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from briefgen.errors import FILE_START, Diagnostic, Severity
from briefgen.filesystem import kind, os_problem

# Links that lead to one folder many times over (each folder linking twice to the next) make
# a walk exponential; beyond this many files and folders reached through links, it stops.
MAX_LINKED_ENTRIES = 100_000


class Entry(NamedTuple):
    """(A tuple: one is made for every file of every build.)"""

    name: str
    path: str  # as reached (through any link), below the content folder
    rel: str  # the same, relative to the site folder: for messages
    real: str  # the file or folder itself, every link resolved: what is read
    is_dir: bool
    linked: bool  # reached through a link of its own


@dataclass(slots=True)
class ContentTree:
    content: Path  # the content folder, resolved
    base: str  # its path relative to the site folder, for messages
    # Resolved folders that are never content even inside it, by name: the output, the cache.
    off_limits: tuple[tuple[str, Path], ...] = ()
    notes: list[Diagnostic] = field(default_factory=list)
    _linked_entries: int = 0

    def top(self) -> Entry:
        """The content folder itself."""
        content = str(self.content)
        return Entry(self.content.name, content, self.base, content, True, False)

    def children(self, folder: Entry, skip: Callable[[str], bool]) -> list[Entry]:
        """The files and folders directly in ``folder`` that may be used, in code-point order
        of names; ``skip`` names what to pass over without a word (hidden files, editors'
        files)."""
        try:
            with os.scandir(folder.real) as found:
                # By name (names are unique: the modes are never compared).
                listed = sorted([(e.name, _mode(e)) for e in found if not skip(e.name)])
        except OSError as exc:
            self._note(folder.rel, Severity.ERROR, f"'{folder.rel}' cannot be read: {os_problem(exc)}")
            return []
        entries = []
        for name, mode in listed:
            entry = self._entry(folder, name, mode)
            if entry is not None:
                entries.append(entry)
        return entries

    def files(self, top: Entry, skip: Callable[[str], bool]) -> list[Entry]:
        """Every file under the folder ``top``, at any depth, in code-point order of paths."""
        found: list[Entry] = []
        stack: list[tuple[Entry, bool]] = [(top, False)]  # and whether below a link of its own
        while stack:
            current, below_link = stack.pop()
            folders = []
            for child in self.children(current, skip):
                if child.is_dir and child.linked and _holds(child.real, current.real):
                    self._note(child.rel, Severity.ERROR,
                               f"'{child.rel}' is a symbolic link to '{_link_text(child.path)}', "
                               "a folder that holds the link itself: following it would loop "
                               "for ever; remove it")
                    continue
                self._linked_entries += below_link or child.linked
                if child.is_dir:
                    folders.append((child, below_link or child.linked))
                else:
                    found.append(child)
            if self._linked_entries > MAX_LINKED_ENTRIES:
                self._note(top.rel, Severity.ERROR,
                           f"the symbolic links under '{top.rel}' lead to more than "
                           f"{MAX_LINKED_ENTRIES} files and folders (links that lead to the "
                           "same folders again and again); remove some of them")
                return []  # none of them is used: the build stops at the error anyway
            stack.extend(reversed(folders))
        return sorted(found, key=lambda e: below(top.path, e.path).split("/"))

    def _entry(self, folder: Entry, name: str, mode: int | None) -> Entry | None:
        rel = name if folder.rel == "." else f"{folder.rel}/{name}"
        # Paths as text, not ``Path`` objects: this runs for every file of every build.
        path = f"{folder.path}/{name}"
        real = path if folder.real is folder.path else f"{folder.real}/{name}"
        try:
            mode = os.lstat(real).st_mode if mode is None else mode
        except OSError as exc:
            self._note(rel, Severity.ERROR, f"'{rel}' cannot be read: {os_problem(exc)}")
            return None
        linked = stat.S_ISLNK(mode)
        if linked:
            followed = self._follow(real, rel)
            if followed is None:
                return None
            real, mode = followed
        if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
            return Entry(name, path, rel, real, stat.S_ISDIR(mode), linked)
        self._note(rel, Severity.WARNING,
                   f"'{rel}' is ignored: it is {kind(mode)}, not a regular file or folder")
        return None

    def _follow(self, path: str, rel: str) -> tuple[str, int] | None:
        """Where a link leads and what is there, when it may be followed."""
        target = _link_text(path)
        try:
            real = os.path.realpath(path, strict=True)
            mode = os.stat(real).st_mode
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                why = "which leads back to itself (a loop of links); remove it"
            elif exc.errno == errno.ENOENT:
                why = "which does not exist; remove the link or create what it points to"
            else:
                why = f"which cannot be followed: {os_problem(exc)}"
            self._note(rel, Severity.ERROR, f"'{rel}' is a symbolic link to '{target}', {why}")
            return None
        where = self._not_content(real)
        if where is not None:
            self._note(rel, Severity.ERROR,
                       f"'{rel}' is a symbolic link to '{target}', {where}: briefgen follows "
                       f"links only to files and folders inside the content folder; move or copy "
                       f"what it points to into {self.base}/ instead")
            return None
        return real, mode

    def _not_content(self, real: str) -> str | None:
        """Why ``real`` is not content, or None when it is."""
        for name, folder in self.off_limits:
            if _holds(str(folder), real):
                return f"which is in {name}"
        content = str(self.content)
        if not _holds(content, real):
            return f"which is outside the content folder {self.base}/"
        inner = below(content, real).split("/")
        if inner[0].startswith("."):  # .git, and hidden folders briefgen never reads
            return f"which is in the hidden folder {self.base}/{inner[0]}/"
        return None

    def _note(self, rel: str, severity: Severity, message: str) -> None:
        self.notes.append(Diagnostic(rel, FILE_START, severity, message))


def _link_text(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def _mode(entry: os.DirEntry[str]) -> int | None:
    """The kind of a listed file where the listing tells it (no system call), else None."""
    try:
        if entry.is_file(follow_symlinks=False):
            return stat.S_IFREG
        if entry.is_dir(follow_symlinks=False):
            return stat.S_IFDIR
    except OSError:
        pass
    return None  # a link, a special file, or a file system that does not say: look closer


def below(folder: str, path: str) -> str:
    """``path`` relative to ``folder``, which holds it (both as made here: absolute, without
    a trailing slash, joined with ``/``)."""
    return "" if path == folder else path[len(folder.rstrip("/")) + 1:]


def _holds(folder: str, path: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def links_leaving(folder: Path, base: str, inside: tuple[Path, ...],
                  off_limits: tuple[tuple[str, Path], ...] = ()) -> list[Diagnostic]:
    """The symbolic links under a folder of templates or assets (``base``: its path from the
    site folder, for messages) that lead out of it and out of the folders ``inside`` (the
    site's, the theme's), into a hidden folder of one of them, into ``off_limits``, or
    nowhere: what they lead to would be rendered or published, or a file of the editor's
    silently left out. The folder itself may be a link (a theme shared by several sites)."""
    try:
        top = os.path.realpath(folder, strict=True)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return [_link_error(base, f"'{base}' is a symbolic link that leads back to itself "
                                      "(a loop of links); remove it")]
        return []  # no such folder: nothing to render from it
    if not os.path.isdir(top):
        return []
    roots = [top, *(os.path.realpath(root) for root in inside)]
    limits = [(name, os.path.realpath(limit)) for name, limit in off_limits]

    def why_not(real: str) -> str | None:
        for name, limit in limits:
            if _holds(limit, real):
                return f"which is in {name}"
        for root in roots:  # the folder's own first: a theme may lie in a hidden folder
            if _holds(root, real):
                inner = below(root, real).split("/")[0]
                return f"which is in the hidden folder {inner}/" if inner.startswith(".") \
                    else None
        return "which is outside the site folder"

    found: list[Diagnostic] = []
    seen = {top}
    reported: set[str] = set()  # links met again through a link to a folder above them
    stack = [(top, base)]
    while stack:
        current, rel_folder = stack.pop()
        try:
            with os.scandir(current) as listed:
                children = sorted((e.name, e.is_symlink(), e.is_dir()) for e in listed)
        except OSError:
            continue  # the build reports what it cannot read where it reads it
        for name, linked, is_dir in children:
            rel, path = f"{rel_folder}/{name}", f"{current}/{name}"
            if not linked:  # (hidden ones too: a theme's static/.well-known/ is published)
                if is_dir:
                    stack.append((path, rel))
                continue
            target = _link_text(path)
            try:
                real = os.path.realpath(path, strict=True)
            except OSError as exc:
                why: str | None = "which leads back to itself (a loop of links)" \
                    if exc.errno == errno.ELOOP else "which does not exist"
                fix = "remove the link or correct it"
            else:
                why = why_not(real)
                fix = f"briefgen follows links in templates and themes only to files inside " \
                      f"the site folder; copy what it points to into {base}/ instead"
            if why is not None:
                if path not in reported:
                    reported.add(path)
                    found.append(_link_error(rel, f"'{rel}' is a symbolic link to '{target}', "
                                                  f"{why}: {fix}"))
            elif os.path.isdir(real) and real not in seen:
                seen.add(real)
                stack.append((real, rel))
    return sorted(found, key=lambda d: d.path)


def _link_error(rel: str, message: str) -> Diagnostic:
    return Diagnostic(rel, FILE_START, Severity.ERROR, message)
