"""What a content file's name says: its kind of text and its document's id. Apart from the
parser, so that finding a site's files imports none of it."""

from __future__ import annotations

from briefgen.slug import id_slug, is_valid_id

MARKDOWN_SUFFIXES = (".md", ".markdown")
YAML_SUFFIXES = (".yaml", ".yml")


def document_id(path: str) -> str:
    """The id of the document in file ``path``: its name without the extension, or, for a
    name that breaks the id rule, the fixed name that the error proposes."""
    stem = file_stem(path)
    return stem if is_valid_id(stem) else (id_slug(stem) or "untitled")


def file_stem(path: str) -> str:
    """The file name without its suffix, as ``PurePosixPath(path).stem`` (string operations:
    this runs for every file of every build)."""
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name
