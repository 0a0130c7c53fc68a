"""Near misses: text that almost links or cites, reported as warnings with the fix.

``[report]`` that names a source is a citation without its ``@``; ``[Sergei Lavrov]`` that
names an actor is a link without its second bracket (or an editor's insertion in a
quotation, which is why it is only a warning); a ``publisher`` one edit away from an actor's
id, name or alias is probably that actor misspelt. Every look-up goes through the reader, so
a source or actor added later makes the document's check run again.
"""

from __future__ import annotations

from briefgen.engine.deps import Reader
from briefgen.errors import Diagnostic, Loc, Severity
from briefgen.model import Document, Source
from briefgen.site.lookup import Lookups
from briefgen.slug import is_valid_id, name_key
from briefgen.suggest import slip_lookups, within_one_edit

# Publishers shorter than this are left alone: any two short codes are one edit apart; and
# so are actor names and ids, which acronyms one letter longer are often not a slip of.
SHORTEST_PUBLISHER = 4
SHORTEST_NAME = 5


def near_misses(r: Reader, document: Document) -> list[Diagnostic]:
    lookups = Lookups(r)
    found: list[Diagnostic] = []
    problems: dict[str, str | None] = {}
    for bracketed in document.brackets:
        text = bracketed.text
        if text not in problems:
            problems[text] = _bracket_problem(lookups, text)
        problem = problems[text]
        if problem:
            found.append(Diagnostic(document.path, Loc(bracketed.line, bracketed.col),
                                    Severity.WARNING, problem, bracketed.span))
    if isinstance(document, Source):
        publisher = _publisher_problem(r, lookups, document)
        if publisher is not None:
            found.append(publisher)
    return found


def _bracket_problem(lookups: Lookups, text: str) -> str | None:
    source_id = text.split(",", 1)[0].strip()
    if is_valid_id(source_id) and lookups.exists("sources", source_id):
        return (f"'[{text}]' names the source '{source_id}' but is not a citation; did you "
                f"mean '[@{text}]'?")
    actor = lookups.actor_for_name(text.strip())
    if actor is not None:
        return (f"'[{text}]' names the actor '{actor.id}' but is not a link; did you mean "
                f"'[[{text}]]'? (write '\\[{text}]' to keep the brackets)")
    return None


def _publisher_problem(r: Reader, lookups: Lookups, source: Source) -> Diagnostic | None:
    """A publisher that names no actor but is one edit away from an actor's id, name or
    alias."""
    written = source.publisher.value.strip()
    typed = name_key(written)
    if len(typed) < SHORTEST_PUBLISHER or r.get(("publisher", source.id)) is not None:
        return None
    near = sorted({item[3] for key in slip_lookups(typed)
                   for item in r.index("actor_spellings", key) if _slip_of(typed, item[2])})
    if not near:
        return None
    shown = " or ".join(f"'{actor_id}' ({_name(lookups, actor_id)})" for actor_id in near)
    return Diagnostic(source.path, source.publisher.loc, Severity.WARNING,
                      f"publisher '{written}' is not an actor; did you mean {shown}? (a "
                      "publisher that is no actor is shown as written)",
                      len(source.publisher.value))


def _slip_of(typed: str, name: str) -> bool:
    """Whether ``typed`` is ``name`` with one slip, and not another name that differs by as
    little: an acronym from a shorter one (``IAEA``, ``IEA``), another number (``COP27``,
    ``Channel 5``), a plural or a possessive (``Reuters``, ``Reuter``)."""
    if len(name) < SHORTEST_NAME or typed == name or not within_one_edit(typed, name):
        return False  # (the same: a name that does not resolve, told elsewhere)
    longer, shorter = (typed, name) if len(typed) > len(name) else (name, typed)
    at = next((i for i, (a, b) in enumerate(zip(shorter, longer, strict=False)) if a != b),
              len(shorter))
    if len(longer) > len(shorter):
        differ = longer[at]
        if at == len(shorter) and differ in "s'’":
            return False  # a plural or a possessive
    else:
        differ = typed[at] + name[at]
    return not any(ch.isdigit() for ch in differ)


def _name(lookups: Lookups, actor_id: str) -> str:
    found = lookups.ident("actors", actor_id)
    return getattr(found, "name", actor_id)
