"""Reading a site folder: find the content files, parse each, check ids across files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

from briefgen.config import SiteConfig
from briefgen.errors import FILE_START, Diagnostic, Diagnostics, Progress, Severity, no_progress
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
    for child in sorted(content.iterdir(), key=lambda p: p.name):
        if child.name.startswith(".") or is_editor_junk(child.name):
            continue
        rel = _rel(config, child)
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
            rel = _rel(config, path)
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
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not is_editor_junk(path.name):
            found.append(StaticFile(path.relative_to(folder).as_posix(), _rel(config, path)))
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


def load_content(config: SiteConfig, md: MarkdownIt,
                 progress: Progress = no_progress) -> tuple[Content, list[Diagnostic]]:
    """Parse every content file; report problems of single files and id clashes."""
    diagnostics: list[Diagnostic] = []
    broken: set[tuple[Collection, str]] = set()
    sources = list(content_files(config, diagnostics))
    results: list[tuple[SourceFile, Parsed]] = []
    for number, source in enumerate(sources, start=1):
        if number % 100 == 0 or number == len(sources):
            progress("Reading content", number, len(sources))
        text = read_text(source.path, source.rel, diagnostics)
        if text is None:
            broken.add((source.collection, source.path.stem))
            continue
        result = parse_document(source.collection, source.rel, text, md, config.zone)
        diagnostics.extend(result.diagnostics)
        results.append((source, result))
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
    parsed: dict[Collection, list[Parsed]] = {c: [] for c in Collection}
    for source, result in results:
        key = (source.collection, result.id)
        if owner[key] != source.rel:
            continue
        if result.document is None:
            broken.add(key)
        else:
            parsed[source.collection].append(result)

    def docs(collection: Collection) -> list[object]:
        return [p.document for p in parsed[collection]]

    content = Content(
        briefings=tuple(d for d in docs(Collection.BRIEFINGS) if isinstance(d, Briefing)),
        actors=tuple(d for d in docs(Collection.ACTORS) if isinstance(d, Actor)),
        sources=tuple(d for d in docs(Collection.SOURCES) if isinstance(d, Source)),
        pages=tuple(d for d in docs(Collection.PAGES) if isinstance(d, Page)),
        static=tuple(static_files(config)),
        broken_ids=frozenset(broken),
    )
    return content, diagnostics
