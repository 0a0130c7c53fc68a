"""Finding the content files of a run and telling which changed: a file whose ``stat`` is
what the last run recorded is not read again (its digest is known); the others are read
and hashed, and only those whose text changed are new to the engine."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import NamedTuple

from briefgen.config import SiteConfig
from briefgen.contentfiles import StaticFile
from briefgen.engine.store import FileState
from briefgen.errors import Diagnostic
from briefgen.load import (
    SourceFile,
    content_files,
    content_folders,
    content_tree,
    read_text,
    static_files,
)
from briefgen.site.filetext import FileText


class ScannedFile(NamedTuple):
    """(A tuple: one is made for every content file of every build.)"""

    source: SourceFile
    state: FileState | None  # None: it could not be read
    digest: str  # of its text ("unreadable:…" when it could not be read)
    text: FileText | None  # read in this run (else the engine reads it when it must)


@dataclass(slots=True)
class ContentScan:
    files: list[ScannedFile] = field(default_factory=list)
    static: list[StaticFile] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)  # ignored files
    read: int = 0  # files read in this run


def content_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def scan_content(config: SiteConfig, known: dict[str, tuple[FileState | None, str]]
                 ) -> ContentScan:
    scan = ContentScan()
    tree = content_tree(config)
    folders = content_folders(config, tree, scan.diagnostics)
    for source in content_files(tree, folders, scan.diagnostics):
        scan.files.append(_scan_file(source, known.get(source.rel), scan))
    scan.static = static_files(tree, folders, scan.diagnostics)
    scan.diagnostics.extend(tree.notes)
    return scan


def rescan(previous: ContentScan, rels: set[str]) -> ContentScan | None:
    """The last scan with the files ``rels`` looked at again, when they are all content
    or static files it found (a change that adds, removes or renames a file needs a whole
    scan: None). Static files are not read: the engine knows them by their size and times."""
    found = {f.source.rel for f in previous.files} | {item.path for item in previous.static}
    if not rels <= found:
        return None
    scan = ContentScan(static=previous.static, diagnostics=previous.diagnostics)
    for file in previous.files:
        if file.source.rel in rels:
            known = (file.state, file.digest) if file.state is not None else None
            scan.files.append(_scan_file(file.source, known, scan))
        else:
            scan.files.append(file)
    return scan


def _scan_file(source: SourceFile, recorded: tuple[FileState | None, str] | None,
               scan: ContentScan) -> ScannedFile:
    try:
        state: FileState | None = FileState.of(os.stat(source.real))
    except OSError:
        state = None
    if state is not None and recorded is not None and recorded[0] == state:
        return ScannedFile(source, state, recorded[1], None)
    problems: list[Diagnostic] = []
    text = read_text(source.real, source.rel, problems)
    scan.read += 1
    if text is None:
        digest = "unreadable:" + hashlib.sha256(repr(problems).encode()).hexdigest()
        return ScannedFile(source, None, digest, FileText(None, tuple(problems)))
    return ScannedFile(source, state, content_digest(text), FileText(text))


def file_states(scan: ContentScan) -> dict[str, tuple[FileState | None, str]]:
    """What to record of this run's files, for the next run (those that could not be read
    too, without a state: they are read again)."""
    return {f.source.rel: (f.state, f.digest) for f in scan.files}
