"""Reading a site folder: find the content files, parse each, check ids across files."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

from markdown_it import MarkdownIt

from briefgen.cache import Store, content_key
from briefgen.config import SiteConfig
from briefgen.errors import FILE_START, Diagnostic, Diagnostics, Progress, Severity, no_progress
from briefgen.fingerprint import digest
from briefgen.markup import make_markdown
from briefgen.model import Actor, Briefing, Collection, Content, Page, Source, StaticFile
from briefgen.parallel import can_fork, process_pool
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
    path: Path
    rel: str  # relative to the site folder


def _ignored(rel: str, message: str) -> Diagnostic:
    return Diagnostic(rel, FILE_START, Severity.WARNING, message)


def content_files(config: SiteConfig, notes: list[Diagnostic]) -> Iterator[SourceFile]:
    """Every content file, collection by collection, in code-point order of file names."""
    content = config.content_path
    if not content.is_dir():
        return
    known = {c.value for c in Collection} | {STATIC_DIR}
    base = _rel(config, content)  # resolved once: every file's path is relative to it
    for child in sorted(content.iterdir(), key=lambda p: p.name):
        if child.name.startswith(".") or is_editor_junk(child.name):
            continue
        rel = f"{base}/{child.name}"
        if not child.is_dir():
            notes.append(_ignored(rel, f"'{rel}' is ignored: content files belong in one of "
                                       f"{', '.join(sorted(known - {STATIC_DIR}))}/"))
        elif child.name not in known:
            notes.append(_ignored(rel, f"folder '{rel}' is ignored; known folders are "
                                       f"{', '.join(sorted(known))}"))
    for collection in Collection:
        folder = content / collection.value
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir(), key=lambda p: p.name):
            if path.name.startswith(".") or is_editor_junk(path.name) or not path.is_file():
                continue
            rel = f"{base}/{collection.value}/{path.name}"
            if path.suffix.lower() not in _SUFFIXES[collection]:
                kinds = " or ".join(_SUFFIXES[collection])
                notes.append(_ignored(rel, f"'{rel}' is ignored: {collection.value} are {kinds} files"))
                continue
            yield SourceFile(collection, path, rel)


def static_files(config: SiteConfig) -> list[StaticFile]:
    folder = config.content_path / STATIC_DIR
    if not folder.is_dir():
        return []
    found = []
    base = _rel(config, folder)
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not is_editor_junk(path.name):
            rel = path.relative_to(folder).as_posix()
            found.append(StaticFile(rel, f"{base}/{rel}"))
    return found


def _rel(config: SiteConfig, path: Path) -> str:
    try:
        return path.resolve().relative_to(config.root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_text(path: Path, rel: str, diags: list[Diagnostic]) -> str | None:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        d = Diagnostics(rel)
        d.error(FILE_START, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")
        diags.extend(d.items)
    except OSError as exc:
        d = Diagnostics(rel)
        d.error(FILE_START, f"cannot read the file: {exc.strerror}")
        diags.extend(d.items)
    return None


# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 48


@functools.lru_cache(maxsize=2)
def _markdown(unsafe_html: bool) -> MarkdownIt:
    """One parser per process and configuration, built on first use."""
    return make_markdown(unsafe_html)


ParseTask = tuple[Collection, str, str, bool, str, str]


def _parse_task(task: ParseTask) -> Parsed:
    collection, rel, text, unsafe_html, zone_name, language = task
    return parse_document(collection, rel, text, _markdown(unsafe_html), ZoneInfo(zone_name)
                          if zone_name != "UTC" else UTC, language)


def _parse_all(tasks: list[ParseTask], jobs: int,
               progress: Progress) -> list[Parsed]:
    """Parse in worker processes when there is enough work for them."""
    if jobs <= 1 or len(tasks) < PARALLEL_MIN_FILES or not can_fork():
        results = []
        for number, task in enumerate(tasks, start=1):
            results.append(_parse_task(task))
            if number % 100 == 0:
                progress("Parsing", number, len(tasks))
        return results
    chunk = max(8, min(64, len(tasks) // (jobs * 8)))
    with process_pool(jobs) as pool:
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
    sources = list(content_files(config, diagnostics))
    texts: dict[int, str] = {}
    keys: dict[int, tuple[Collection, str, str]] = {}
    for number, source in enumerate(sources):
        text = read_text(source.path, source.rel, diagnostics)
        if text is not None:
            texts[number] = text
            keys[number] = (source.collection, source.rel, content_key(text))
    return Scan(sources, texts, keys, static_files(config), diagnostics, config.root)


def load_content(config: SiteConfig, scanned: Scan, progress: Progress = no_progress,
                 cache: Store | None = None, jobs: int = 1) -> tuple[Content, list[Diagnostic]]:
    """Parse every content file (from the cache when its content is known); report
    problems of single files and id clashes."""
    diagnostics: list[Diagnostic] = list(scanned.diagnostics)
    sources, keys = scanned.sources, scanned.keys
    broken = {(s.collection, s.path.stem) for n, s in enumerate(sources) if n not in keys}
    store = cache or Store(None, "")
    found: dict[int, Parsed] = {}
    tasks: list[ParseTask] = []
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
                          config.timezone_name, config.language))
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
