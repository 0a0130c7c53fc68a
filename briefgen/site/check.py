"""One check per content file: the warnings that need the whole site (SPEC §8)."""

from __future__ import annotations

from briefgen.engine.deps import Reader
from briefgen.errors import FILE_START, Diagnostic, Severity
from briefgen.model import Actor, Source
from briefgen.parse import Parsed
from briefgen.site.documents import Doc, collection_of
from briefgen.site.held import hold
from briefgen.site.nearmiss import near_misses


def check(r: Reader, rel: str) -> None:
    parsed: Parsed = r.get(("parse", rel))
    collection = collection_of(rel).value
    found: Doc | None = r.get(("doc", collection, parsed.id))
    if found is None or found.rel != rel or found.document is None:
        return
    document = found.document
    if isinstance(document, Source) and not r.index("cited", document.id):
        hold(r, Diagnostic(document.path, FILE_START, Severity.WARNING,
                           f"source '{document.id}' is never cited"))
    if isinstance(document, Actor) and not r.index("linked", document.id):
        hold(r, Diagnostic(document.path, document.name.loc, Severity.WARNING,
                           f"actor '{document.id}' is never linked; link it with "
                           f"[[{document.id}]] or remove the file"))
    r.diagnostics(near_misses(r, document))
