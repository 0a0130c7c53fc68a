"""The collections of a content folder and its static files: what finding a site's files
needs of the model (``model``), apart from the documents, which it does not need."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Collection(StrEnum):
    BRIEFINGS = "briefings"
    ACTORS = "actors"
    SOURCES = "sources"
    PAGES = "pages"


@dataclass(frozen=True)
class StaticFile:
    """A file under ``content/static/``, copied to the output root as it is."""

    rel: str
    path: str
    # The file itself, every link resolved: a link pointed at another file is another file,
    # even of the same size and times (``cp -p`` makes such twins).
    real: str
