"""Reading a site folder: find the content files, parse each, check ids across files."""

from __future__ import annotations

import functools
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

from markdown_it import MarkdownIt

from briefgen.cache import Store, cache_folder, content_key
from briefgen.chars import unshowable
from briefgen.config import SiteConfig
from briefgen.contenttree import ContentTree, Entry
from briefgen.errors import FILE_START, Diagnostic, Diagnostics, Progress, Severity, no_progress
from briefgen.filesystem import FileProblem, read_regular
from briefgen.fingerprint import digest
from briefgen.markup import make_markdown
from briefgen.model import Actor, Briefing, Collection, Content, Page, Source, StaticFile
from briefgen.parse import MARKDOWN_SUFFIXES, YAML_SUFFIXES, Parsed, parse_document

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


@dataclass(frozen=True, slots=True)
class SourceFile:
    collection: Collection
    path: Path  # as found, below the content folder
    rel: str  # relative to the site folder
    real: Path  # the file itself, any link resolved: what is read


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
            elif entry.path.suffix.lower() not in _SUFFIXES[collection]:
                notes.append(_ignored(entry.rel, f"'{entry.rel}' is ignored: {collection.value} "
                                                 f"are {kinds} files"))
            else:
                yield SourceFile(collection, entry.path, entry.rel, entry.real)


def static_files(tree: ContentTree, folders: dict[str, Entry],
                 notes: list[Diagnostic]) -> list[StaticFile]:
    """The files to publish as they are; one whose name no web address should hold is an
    error (it would be published under that name)."""
    folder = folders.get(STATIC_DIR)
    if folder is None:
        return []
    found = []
    for entry in tree.files(folder, is_editor_junk):
        rel = entry.path.relative_to(folder.path).as_posix()
        problem = unshowable(rel)
        if problem:
            d = Diagnostics(entry.rel)
            d.error(FILE_START, f"the name of static file '{rel}' holds {problem}; rename it")
            notes.extend(d.items)
        else:
            found.append(StaticFile(rel, entry.rel))
    return found


def _rel(config: SiteConfig, path: Path) -> str:
    real, root = os.path.realpath(path), os.path.realpath(config.root)
    if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
        return Path(real).relative_to(root).as_posix()
    return path.as_posix()


def read_text(path: Path, rel: str, diags: list[Diagnostic]) -> str | None:
    d = Diagnostics(rel)
    try:
        return read_regular(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        d.error(FILE_START, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")
    except FileProblem as exc:
        d.error(FILE_START, f"the file {exc}")
    diags.extend(d.items)
    return None


# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 48


@functools.lru_cache(maxsize=2)
def _markdown(unsafe_html: bool) -> MarkdownIt:
    """One parser per process and configuration, built on first use."""
    return make_markdown(unsafe_html)


def _parse_task(task: tuple[Collection, str, str, bool, str]) -> Parsed:
    collection, rel, text, unsafe_html, zone_name = task
    return parse_document(collection, rel, text, _markdown(unsafe_html), ZoneInfo(zone_name)
                          if zone_name != "UTC" else UTC)


def _parse_all(tasks: list[tuple[Collection, str, str, bool, str]], jobs: int,
               progress: Progress) -> list[Parsed]:
    """Parse in worker processes when there is enough work for them."""
    if jobs <= 1 or len(tasks) < PARALLEL_MIN_FILES:
        results = []
        for number, task in enumerate(tasks, start=1):
            results.append(_parse_task(task))
            if number % 100 == 0:
                progress("Parsing", number, len(tasks))
        return results
    context = multiprocessing.get_context("fork" if "fork" in
                                          multiprocessing.get_all_start_methods() else "spawn")
    chunk = max(8, min(64, len(tasks) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        results = []
        for number, parsed in enumerate(pool.map(_parse_task, tasks, chunksize=chunk), start=1):
            results.append(parsed)
            if number % 100 == 0:
                progress("Parsing", number, len(tasks))
        return results


@dataclass(frozen=True, slots=True)
class Scan:
    """Every content file with its text and content key, read once per build."""

    sources: list[SourceFile]
    texts: dict[int, str]  # by position in ``sources``; unreadable files are missing
    keys: dict[int, tuple[Collection, str, str]]
    static: list[StaticFile]
    diagnostics: list[Diagnostic]  # ignored files, unreadable files
    root: Path

    def fingerprint(self) -> str:
        """Changes whenever any content or static file does."""
        static = [(item.path, *file_state(self.root / item.path)) for item in self.static]
        return digest(sorted(self.keys.values()), static, self.diagnostics)


def file_state(path: Path) -> tuple[int, int]:
    """Size and modification time: enough to notice a changed static or template file."""
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_size, stat.st_mtime_ns)


def scan(config: SiteConfig) -> Scan:
    diagnostics: list[Diagnostic] = []
    tree = content_tree(config)
    folders = content_folders(config, tree, diagnostics)
    sources = list(content_files(tree, folders, diagnostics))
    texts: dict[int, str] = {}
    keys: dict[int, tuple[Collection, str, str]] = {}
    for number, source in enumerate(sources):
        text = read_text(source.real, source.rel, diagnostics)
        if text is not None:
            texts[number] = text
            keys[number] = (source.collection, source.rel, content_key(text))
    static = static_files(tree, folders, diagnostics)
    diagnostics.extend(tree.notes)
    return Scan(sources, texts, keys, static, diagnostics, config.root)


def load_content(config: SiteConfig, scanned: Scan, progress: Progress = no_progress,
                 cache: Store | None = None, jobs: int = 1) -> tuple[Content, list[Diagnostic]]:
    """Parse every content file (from the cache when its content is known); report
    problems of single files and id clashes."""
    diagnostics: list[Diagnostic] = list(scanned.diagnostics)
    sources, keys = scanned.sources, scanned.keys
    broken = {(s.collection, s.path.stem) for n, s in enumerate(sources) if n not in keys}
    store = cache or Store(None, "")
    found: dict[int, Parsed] = {}
    tasks: list[tuple[Collection, str, str, bool, str]] = []
    waiting: list[int] = []
    for number, source in enumerate(sources):
        if number not in keys:
            continue
        text = scanned.texts[number]
        cached = store.get(keys[number])
        if cached is not None:
            found[number] = cached
        else:
            tasks.append((source.collection, source.rel, text, config.unsafe_html,
                          config.timezone_name))
            waiting.append(number)
    for number, parsed in zip(waiting, _parse_all(tasks, jobs, progress), strict=True):
        if parsed.document is not None:
            fingerprint = digest(*keys[number])
            parsed = replace(parsed, document=replace(parsed.document, fingerprint=fingerprint))
        found[number] = parsed
        store.put(keys[number], parsed)
    results: list[tuple[SourceFile, Parsed]] = []
    for number, source in enumerate(sources):
        if number in found:
            diagnostics.extend(found[number].diagnostics)
            results.append((source, found[number]))
    # Files with valid names claim their ids first: 'Brief.md' (an error already) must not
    # take the id of a valid 'brief.md'.
    claims = sorted(results, key=lambda r: r[0].path.stem != r[1].id)
    owner: dict[tuple[Collection, str], str] = {}
    for source, result in claims:
        key = (source.collection, result.id)
        if key not in owner:
            owner[key] = source.rel
        elif source.path.stem == result.id:
            d = Diagnostics(source.rel)
            d.error(FILE_START, f"duplicate {source.collection.value[:-1]} id '{result.id}': "
                                f"{owner[key]} and {source.rel} both define it; rename one")
            diagnostics.extend(d.items)
    kept: dict[Collection, list[Parsed]] = {c: [] for c in Collection}
    for source, result in results:
        key = (source.collection, result.id)
        if owner[key] != source.rel:
            continue
        if result.document is None:
            broken.add(key)
        else:
            kept[source.collection].append(result)

    def docs(collection: Collection) -> list[object]:
        return [p.document for p in kept[collection]]

    content = Content(
        briefings=tuple(d for d in docs(Collection.BRIEFINGS) if isinstance(d, Briefing)),
        actors=tuple(d for d in docs(Collection.ACTORS) if isinstance(d, Actor)),
        sources=tuple(d for d in docs(Collection.SOURCES) if isinstance(d, Source)),
        pages=tuple(d for d in docs(Collection.PAGES) if isinstance(d, Page)),
        static=tuple(scanned.static),
        broken_ids=frozenset(broken),
    )
    return content, diagnostics
