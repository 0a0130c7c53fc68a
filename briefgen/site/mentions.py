"""Unlinked mentions: actor names and aliases that an entry's text holds without a link
(``check --mentions``), so that an editor can put every entry on the pages of the actors
it is about. A report, never a diagnostic: nothing here fails a check.

Names are matched as written (case and all, after NFC), as whole words: "EC" is not found
in "ECB", and the pronoun "us" is not the alias "US". An actor counts as linked in an entry
when the entry links it anywhere, so each (entry, actor) is listed once, at its first
mention.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from briefgen.chars import visible
from briefgen.engine.deps import Reader
from briefgen.errors import Loc, split_lines
from briefgen.fragments import PLACEHOLDER
from briefgen.site.filetext import FileText
from briefgen.site.filled import RenderedBriefing, RenderedEntry
from briefgen.slug import nfc

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Mention:
    path: str
    loc: Loc
    text: str  # the name or alias, as the actor's file writes it
    actor_id: str
    entry_id: str

    def headline(self) -> str:
        """One line, as a diagnostic's (``Diagnostic.headline``)."""
        return visible(f"{self.path}:{self.loc.line}:{self.loc.col}: mention: '{self.text}' "
                       f"(actor '{self.actor_id}') is not linked in entry '{self.entry_id}'; "
                       f"link it as [[{self.text}]] to list the entry on the actor's page")


# The words of a name, the name between its first and last word (what is looked for: "U.S"
# for "U.S."), its actor, and the name as written.
Candidate = tuple[tuple[str, ...], str, str, str]


def mention_names(r: Reader) -> dict[str, tuple[Candidate, ...]]:
    """The node ``("mention_names",)``: every actor name and alias by its first word,
    longest first (ids are not names: they are not looked for in the text)."""
    table: dict[str, list[Candidate]] = {}
    for _, _, _, actor_id, what, text in r.index("name_list"):
        words = list(_WORD.finditer(text))
        if what == "id" or not words:
            continue
        core = text[words[0].start():words[-1].end()]
        table.setdefault(words[0].group(), []).append(
            (tuple(w.group() for w in words), core, actor_id, text))
    return {first: tuple(sorted(found, key=lambda c: (-len(c[0]), c[1], c[2])))
            for first, found in table.items()}


def mentions(r: Reader, briefing_id: str) -> tuple[Mention, ...]:
    """The node ``("mentions", briefing_id)``."""
    rb: RenderedBriefing | None = r.get(("fill", "briefings", briefing_id))
    if rb is None:
        return ()
    table: dict[str, tuple[Candidate, ...]] = r.get(("mention_names",))
    file: FileText = r.get(("file", rb.briefing.path))
    lines = split_lines(file.text or "")
    entries = rb.entries
    found: list[Mention] = []
    for number, entry in enumerate(entries):
        last = entries[number + 1].entry.loc.line if number + 1 < len(entries) else len(lines) + 1
        named: dict[str, tuple[str, str]] = {}
        for actor_id, core, text in _names_in(_entry_text(entry), table):
            if actor_id not in entry.actors:
                named.setdefault(actor_id, (core, text))
        for actor_id, (core, text) in named.items():
            loc = _locate(core, lines, entry.entry.loc, last)
            found.append(Mention(rb.briefing.path, loc, text, actor_id, entry.id))
    return tuple(found)


def _entry_text(entry: RenderedEntry) -> str:
    """The title and text of an entry as a reader sees them, links and citations cut out."""
    return nfc(PLACEHOLDER.sub("\x00", f"{entry.entry.title.text}\n{entry.entry.body.text}"))


def _names_in(text: str,
              table: dict[str, tuple[Candidate, ...]]) -> Iterator[tuple[str, str, str]]:
    """(actor id, what was found, the name as written) for every name in ``text``, the
    longest first where names overlap."""
    words = list(_WORD.finditer(text))
    at = 0
    while at < len(words):
        step = 1
        for name_words, core, actor_id, written in table.get(words[at].group(), ()):
            end = at + len(name_words)
            if end <= len(words) and all(words[at + i].group() == word
                                         for i, word in enumerate(name_words)) \
                    and text[words[at].start():words[end - 1].end()] == core:
                yield actor_id, core, written
                step = len(name_words)
                break
        at += step


def _locate(text: str, lines: list[str], start: Loc, end_line: int) -> Loc:
    """The first place of ``text`` as a whole word from the entry's heading on, else the
    heading."""
    pattern = re.compile(rf"(?<!\w){re.escape(text)}(?!\w)")
    for number in range(start.line, min(end_line, len(lines) + 1)):
        match = pattern.search(nfc(lines[number - 1]))
        if match:
            return Loc(number, match.start() + 1)
    return start
