"""Warnings about the whole site, held back while a content file cannot be read.

"Never cited", "never linked" and "cites no source" may each be false while one file is
unreadable: it may be the one that cites, links or holds the actor. The nodes that find
them emit them into the ``held`` index rather than reporting them, and one node reports
them all once every file can be read. So a file going bad and coming back costs that node
alone, not a check of every document.
"""

from __future__ import annotations

from briefgen.engine.deps import Reader
from briefgen.errors import Diagnostic


def hold(r: Reader, diagnostic: Diagnostic) -> None:
    r.emit("held", (diagnostic.sort_key(), None, diagnostic))


def held_warnings(r: Reader) -> None:
    """The node ``("held_warnings",)``."""
    if r.index("unreadable"):
        return
    r.diagnostics(item[2] for item in r.index("held"))
