"""Pandoc's citation grammar (SPEC §6), as text: what a bracket or an in-text ``@key`` holds.

``[see @a, pp. 33-35; also @b, chap. 1]`` is a list of items separated by ``;``; each item is a
prefix, ``@key`` (``-@key`` suppresses the author) and a suffix. A key is a word with single
inner punctuation (``@report-2022``; ``@report.`` ends before the full stop) or anything in
braces (``@{my key}``). A suffix that starts with braces has them removed, so that a locator
may hold commas or brackets (``[@a, {pp. 1, 2}]``). Only the grammar lives here; markup.py
turns the prefixes and suffixes into HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

SIMPLE_KEY = re.compile(r"\w(?:\w|[:.#$%&+?<>~/-](?=\w))*")
# What may stand right before an in-text @key: the start, a space or an opening mark.
_OPENS_INTEXT = frozenset("(\"'“‘«*_")
_SEPARATOR = re.compile(r"[\s,]*")


class Phrase(NamedTuple):
    """A bit of inline Markdown rendered: its HTML and its plain text."""

    html: str
    text: str


NO_PHRASE = Phrase("", "")


class CiteItem(NamedTuple):
    """One item of a citation, ready to fill: the source and the words around it."""

    source_id: str
    prefix: Phrase = NO_PHRASE
    suffix: Phrase = NO_PHRASE  # with its separator: ", pp. 33-35", " p. 4" or ""
    suppress_author: bool = False


class ItemSyntax(NamedTuple):
    """One item of a citation as written: Markdown prefix and suffix, not yet rendered."""

    key: str
    suppress_author: bool
    prefix: str
    separator: str  # what joins the key and the suffix: ", ", " " or ""
    suffix: str


class CiteProblem(NamedTuple):
    message: str


def read_key(text: str, at: int, end: int | None = None) -> tuple[str, int] | None:
    """The key that starts at ``text[at]`` (just after ``@``) and where it ends, or None."""
    end = len(text) if end is None else end
    if at < end and text[at] == "{":
        close = _closing_brace(text, at, end)
        key = text[at + 1:close].strip() if close > 0 else ""
        return (key, close + 1) if key and "\n" not in key else None
    match = SIMPLE_KEY.match(text, at, end)
    return (match.group(), match.end()) if match else None


def _closing_brace(text: str, at: int, end: int) -> int:
    depth = 0
    for index in range(at, end):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    return -1


def opens_intext(text: str, at: int) -> bool:
    """Whether an ``@`` at ``text[at]`` may start an in-text citation: not inside a word (an
    e-mail address) nor right after a bracket (``\\[@a]`` is literal)."""
    return at == 0 or text[at - 1].isspace() or text[at - 1] in _OPENS_INTEXT


def _cites_at(text: str, at: int) -> bool:
    """Whether the ``@`` at ``text[at]`` inside a bracket starts a citation item: at the
    start of the item or after a space, optionally after ``-``."""
    before = at - 1 if at and text[at - 1] == "-" else at
    return before == 0 or text[before - 1].isspace() or text[before - 1] in "[;"


_NEXT_MARK = re.compile(r"[\[\]@`\\]")


def begins_like_citation(src: str, start: int, end: int) -> bool:
    """Whether the bracket at ``src[start]`` reads as a citation: an ``@`` where an item may
    start, before any inner bracket or code. Looks no further than the next bracket, so that
    checking every bracket of a text is linear in its length."""
    if src.startswith("[^", start):
        return False
    at = start + 1
    while True:
        found = _NEXT_MARK.search(src, at, end)
        if found is None:
            return False
        mark = found.group()
        if mark == "@" and _cites_at(src, found.start()):
            return True
        if mark != "@" and mark != "\\":
            return False
        at = found.end() + (mark == "\\")


_MARKS = re.compile(r"[\\`\[\]{};@]")


def _top_level(text: str) -> Iterator[int]:
    """Offsets of ``;`` and ``@`` outside code spans, inner brackets and braces."""
    at, depth, braces = 0, 0, 0
    while (found := _MARKS.search(text, at)) is not None:
        index, char = found.start(), found.group()
        at = index + 1
        if char == "\\":
            at += 1
        elif char == "`":
            run = _ticks(text, index)
            close = _closing_ticks(text, index + run, run)
            at = close if close > 0 else index + run
        elif char in "[]":
            depth = depth + 1 if char == "[" else max(0, depth - 1)
        elif char in "{}":
            braces = braces + 1 if char == "{" else max(0, braces - 1)
        elif depth == 0 and braces == 0:
            yield index


def _ticks(text: str, at: int) -> int:
    """The length of the run of backticks at ``text[at]``."""
    end = at
    while end < len(text) and text[end] == "`":
        end += 1
    return end - at


def _closing_ticks(text: str, at: int, run: int) -> int:
    """The end of the run of exactly ``run`` backticks that closes a code span, or -1."""
    while (found := text.find("`", at)) >= 0:
        length = _ticks(text, found)
        if length == run:
            return found + run
        at = found + length
    return -1


def parse_bracket(inner: str) -> tuple[ItemSyntax, ...] | CiteProblem:
    """The items of ``[inner]``, or why it does not parse."""
    marks = list(_top_level(inner))
    starts = [0] + [at + 1 for at in marks if inner[at] == ";"]
    ends = [at for at in marks if inner[at] == ";"] + [len(inner)]
    items = []
    for number, (start, end) in enumerate(zip(starts, ends, strict=True)):
        ats = [at for at in marks if start <= at < end and inner[at] == "@"
               and _cites_at(inner, at)]
        item = _item(inner, start, end, ats, number)
        if isinstance(item, CiteProblem):
            return item
        items.append(item)
    return tuple(items)


def _item(inner: str, start: int, end: int, ats: list[int],
          number: int) -> ItemSyntax | CiteProblem:
    written = " ".join(inner[start:end].split())
    if not written:
        where = "before the first ';'" if number == 0 else "after a ';'"
        return CiteProblem(f"citation has an empty item {where}; remove the ';' or cite a "
                           "source there with @source-id")
    if not ats:
        return CiteProblem(f"citation item '{written}' names no source; write @source-id in "
                           "each item (items are separated by ';')")
    at = ats[0]
    key = read_key(inner, at + 1, end)
    if key is None:
        return CiteProblem(f"'@' in citation item '{written}' is not followed by a source id; "
                           "write @source-id (or \\@ for a literal @)")
    if len(ats) > 1:
        return CiteProblem(f"citation item '{written}' names two sources; separate them with "
                           "';', as in [@a; @b]")
    suppress = at > start and inner[at - 1] == "-"
    prefix = inner[start:at - suppress].strip()
    separator, suffix = split_suffix(inner[key[1]:end])
    return ItemSyntax(key[0], suppress, prefix, separator, suffix)


def split_suffix(written: str) -> tuple[str, str]:
    """A suffix as written → (separator, suffix): a comma becomes ", ", spaces one space; a
    locator in braces loses them (``{pp. 1, 2}``), and directly after the key it is joined
    with a comma, as Pandoc does (``@a{ii}``)."""
    lead = _SEPARATOR.match(written)
    assert lead is not None  # the pattern matches the empty string
    gap, rest = lead.group(), written[lead.end():].strip()
    separator = ", " if "," in gap else " " if gap else ""
    close = _closing_brace(rest, 0, len(rest)) if rest.startswith("{") else -1
    if close > 0:
        braced = rest[1:close].strip()
        if not braced:  # "{}": what follows is a suffix, not a locator
            return split_suffix(rest[close + 1:])
        return (separator or ", "), (braced + rest[close + 1:]).strip()
    if not gap and rest[:1].isalnum():
        separator = " "
    return (separator if rest else ""), rest


def locator(written: str) -> str:
    """The bracket after an in-text citation (``@a [p. 33]``) as a suffix: its braces
    removed like a bracketed locator's."""
    return split_suffix(" " + written)[1]
