"""YAML syntax errors in plain words.

libyaml (and PyYAML) describe a syntax error in terms of their own parser: "mapping values
are not allowed in this context", "did not find expected key". Editors make a handful of
mistakes again and again; each is told here as what to do, at the place to fix it. The
mistakes, and what the parser says about each:

- a tab in the indentation: "found a tab character", "cannot start any token";
- ``title: Russia: the reply``: "mapping values are not allowed";
- ``kind:person``: "could not find expected ':'" or "mapping values are not allowed";
- a key indented further than the one above: "mapping values are not allowed";
- a key or ``-`` item between two columns: "did not find expected key" or "'-' indicator";
- a ``-`` item among the keys of a mapping, a key among the ``-`` items of a list: same;
- a line with no ``key:``, a ``|`` block not indented: "could not find expected ':'";
- an unclosed quote: "found unexpected end of stream" (or a ``---`` reached);
- a quote closed too early (``'It's'``), ``title: [Draft] plan``: "did not find expected key";
- an unclosed ``[`` or ``{``: "did not find expected ',' or ']'";
- a second ``---``: "but found another document";
- a value that starts with ``@``, a backquote, ``%``, ``*`` or ``|``: "cannot start any token",
  "alias", "block scalar";
- ``summary: - text``: "block sequence entries are not allowed";
- ``"\\q"`` in double quotes: "found unknown escape character".

Anything else keeps the parser's own words (see ``yamlsource.compose``). Only the text and
the places the parser reports are read here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import yaml

from briefgen.errors import Loc
from briefgen.yamltext import BLOCK_HEADER, Line, Source, quoted


@dataclass(frozen=True, slots=True)
class Explained:
    loc: Loc
    message: str
    span: int = 1


@dataclass(frozen=True, slots=True)
class Failure:
    """What libyaml said, with 0-based places (``at`` the problem, ``opened`` its context)."""

    problem: str
    context: str
    at: tuple[int, int]
    opened: tuple[int, int] | None


def explain(exc: yaml.MarkedYAMLError, source: Source) -> Explained | None:
    """Plain words for a syntax error, or None to keep the parser's own."""
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return None
    context = exc.context_mark
    failure = Failure(exc.problem or "", exc.context or "", (mark.line, mark.column),
                      (context.line, context.column) if context else None)
    for rule in RULES:
        found = rule(failure, source)
        if found is not None:
            return found
    return None


def _here(source: Source, place: tuple[int, int], message: str, span: int = 1) -> Explained:
    return Explained(source.place(*place), message, span)


# --- the rules, tried in order ---------------------------------------------------------------

def _tab(failure: Failure, source: Source) -> Explained | None:
    line, col = failure.at
    text = source.line(line).text
    indentation = text[:len(text) - len(text.lstrip(" \t"))]
    if source.char(line, col) != "\t":
        if "\t" not in indentation and ("tab" not in failure.problem or "\t" not in text):
            return None
        col = text.index("\t")
    number = source.number(line)
    if not text[:col].strip(" "):
        return _here(source, (line, col), f"line {number} is indented with a tab; YAML needs "
                                          "spaces: indent it with spaces only")
    return _here(source, (line, col), "a tab stands here, where YAML needs a space: replace it "
                                      "with a space")


def _unclosed_quote(failure: Failure, source: Source) -> Explained | None:
    if "quoted scalar" not in failure.context or failure.opened is None:
        return None
    if "end of stream" in failure.problem:
        ends = source.ends()
    elif "document indicator" in failure.problem:
        ends = f"YAML reaches the '---' on line {source.number(failure.at[0])}"
    else:
        return None
    quote = source.char(*failure.opened) or '"'
    return _here(source, failure.opened, f"the {quote} that opens this value is never closed: "
                                         f"{ends} without it; add the closing {quote} where the "
                                         "value ends")


def _flow(failure: Failure, source: Source) -> Explained | None:
    if failure.opened is None or not failure.context.startswith(
            ("while parsing a flow sequence", "while parsing a flow mapping")):
        return None
    bracket = source.char(*failure.opened)
    closer, what = ("]", "list") if bracket == "[" else ("}", "mapping")
    if bracket not in "[{" or not bracket:
        return None
    line, col = failure.at
    # '[About' may be text that starts with a bracket; '[a, b' is a list
    opener = source.line(failure.opened[0])
    text = "" if bracket != "[" or not opener.key or failure.opened[1] != opener.value_col \
        or "," in opener.value else \
        f"; if the value is text, quote it: {opener.key}: {quoted(opener.value)}"
    if "stream end" in failure.problem or line >= len(source.lines):
        return _here(source, failure.opened,
                     f"the '{bracket}' that opens this {what} is never closed: {source.ends()} "
                     f"without it; add '{closer}' after the last item{text}")
    if line > failure.opened[0]:
        return _here(source, failure.opened,
                     f"the '{bracket}' that opens this {what} is not closed on its line, so YAML "
                     f"reads on to line {source.number(line)}, column {col + 1}; add '{closer}' "
                     f"after the last item{text}")
    return _here(source, failure.at,
                 f"{source.char(line, col)!r} cannot stand here, in the {what} that '{bracket}' "
                 f"opens at column {failure.opened[1] + 1}: separate the items with ', ', quote "
                 f"an item that holds ': ', ',' or a bracket, and close the {what} with '{closer}'")


def _another_document(failure: Failure, source: Source) -> Explained | None:
    if "another document" not in failure.problem:
        return None
    line = source.line(failure.at[0])
    marker = line.text[:3] if line.text[:3] in ("---", "...") else None
    if marker is None:
        return None
    where = "the front matter" if source.front_matter else "a file"
    hint = " (a .yaml file needs no '---' lines around its keys)" if not source.front_matter \
        and source.line(0).text.rstrip() == "---" else ""
    return _here(source, failure.at, f"'{marker}' here starts a second YAML document, but "
                                     f"{where} holds one: remove this line{hint}", span=3)


def _quote_value(source: Source, line: int, col: int, why: str) -> str:
    """``why``, then how to quote the value that starts at ``col`` of ``line``."""
    info = source.line(line)
    value = info.text[col:].rstrip()
    fix = f"{info.key}: {quoted(value)}" if info.key and col == info.value_col else quoted(value)
    return f"{why}; quote the value: {fix}"


def _value_start(failure: Failure, source: Source) -> Explained | None:
    """A plain value that starts with a character YAML keeps for itself."""
    line, col = failure.at
    char = source.char(line, col)
    if "cannot start any token" in failure.problem and char and char != "\t":
        why = f"a value cannot start with '{char}' in YAML"
        return _here(source, failure.at, _quote_value(source, line, col, why))
    star = failure.opened if "scanning an alias" in failure.context else failure.at
    if ("alias" in failure.problem or "alias" in failure.context) and star is not None \
            and source.char(*star) == "*":
        why = "a value that starts with '*' is read as a reference to an anchor ('&name')"
        return _here(source, star, _quote_value(source, star[0], star[1], why))
    if "block scalar" in failure.context and "line break" in failure.problem \
            and failure.opened is not None:
        indicator = source.char(*failure.opened)
        why = f"a value that starts with '{indicator}' opens a block of text on the lines below"
        return _here(source, failure.opened,
                     _quote_value(source, failure.opened[0], failure.opened[1], why))
    return None


def _entry_after_key(failure: Failure, source: Source) -> Explained | None:
    if "sequence entries are not allowed" not in failure.problem:
        return None
    line, col = failure.at
    why = "a value that starts with '- ' is read as a list item, which cannot stand on the line " \
          "of its key"
    return _here(source, failure.at, _quote_value(source, line, col, why) +
                 "; for a list, put each '- item' on a line of its own, indented under the key")


def _escape(failure: Failure, source: Source) -> Explained | None:
    if "unknown escape character" not in failure.problem:
        return None
    line, col = failure.at
    if source.char(line, col) != "\\" and source.char(line, col - 1) == "\\":
        col -= 1
    escape = source.line(line).text[col:col + 2]
    return _here(source, (line, col),
                 f"'{escape}' is not an escape YAML knows in double quotes: write '\\\\' for a "
                 "backslash, or put the value in single quotes", span=2)


def _no_space_above(source: Source, line: int) -> Explained | None:
    """``key:value`` on ``line`` or the line above it that holds something."""
    for info in [source.line(line), next(source.above(line), None)]:
        match = info.no_space_key() if info is not None else None
        if info is not None and match is not None:
            return _here(source, (info.number, match.end("key")),
                         f"'{match['key']}:' needs a space after the colon: write "
                         f"{match['key']}: {match['rest'].rstrip()}")
    return None


def _owner(source: Source, line: int) -> tuple[Line | None, list[Line]]:
    """The nearest key or list item above ``line``, and the lines between them."""
    between: list[Line] = []
    for info in source.above(line):
        if info.structural:
            return info, between
        between.append(info)
    return None, between


def _colon_in_value(failure: Failure, source: Source) -> Explained | None:
    if "mapping values are not allowed" not in failure.problem:
        return None
    line, col = failure.at
    info = source.line(line)
    if info.key and col >= info.value_col:
        holds = "ends with ':'" if not info.text[col + 1:].strip() else "contains ': '"
        why = f"the value of '{info.key}' {holds}, which YAML reads as the start of a key"
        return _here(source, failure.at, _quote_value(source, line, info.value_col, why))
    found = _no_space_above(source, line)
    if found is not None:
        return found
    owner, between = _owner(source, line)
    if owner is None or not owner.value or owner.column >= info.indent:
        lost = between[-1] if between else None
        if lost is None:
            return None
        return _here(source, (lost.number, lost.indent),
                     f"line {source.number(lost.number)} has no ':' after a key, so YAML reads it "
                     f"and line {source.number(line)} as one text; write it as key: value")
    if between or not info.key:
        own = f", or line '{info.key}' up with {owner.name} if it is a key of its own" \
            if info.key and owner.key else ""
        return _here(source, failure.at,
                     f"line {source.number(line)} goes on with the value of {owner.name} "
                     f"(line {source.number(owner.number)}) and holds ': ', which YAML reads as a "
                     f"key; quote the whole value of {owner.name}{own}")
    subject = f"'{info.key}'" if info.dash is None else f"line {source.number(line)}"
    start = info.content if info.dash is None else info.indent
    return _here(source, (line, start),
                 f"{subject} is indented to column {start + 1}, more than {owner.name} "
                 f"above it (line {source.number(owner.number)}, column {owner.column + 1}), so "
                 f"YAML reads it as part of the value of {owner.name}; line it up with "
                 f"{owner.name}", span=len(info.key) if info.dash is None else 1)


def _no_key(failure: Failure, source: Source) -> Explained | None:
    if "could not find expected ':'" not in failure.problem or failure.opened is None:
        return None
    line = failure.opened[0]
    found = _no_space_above(source, line) if source.line(line).no_space_key() else None
    if found is not None:
        return found
    owner, _ = _owner(source, line)
    number = source.number(line)
    if owner is not None and owner.key and BLOCK_HEADER.fullmatch(owner.value) \
            and source.line(line).indent <= owner.indent:
        return _here(source, failure.opened,
                     f"the text of '{owner.key}' (the block that '{owner.value[0]}' opens on line "
                     f"{source.number(owner.number)}) must be indented further than "
                     f"'{owner.key}': indent line {number} and the lines after it")
    hint = f"if it goes on with the value of '{owner.key}' (line {source.number(owner.number)}), " \
           f"indent it further than '{owner.key}'; otherwise " if owner and owner.key \
        and owner.value else ""
    return _here(source, failure.opened,
                 f"line {number} has no ':' after a key; {hint}write it as key: value")


def _levels(source: Source, line: int) -> list[tuple[int, int, str]]:
    """The columns open above ``line`` (column, line, name), right to left: the nearest
    line's, then each line further up that starts left of all of them."""
    found: list[tuple[int, int, str]] = []
    for info in source.above(line):
        if not info.structural:
            continue
        for col, name in info.levels():
            if not found or col < found[-1][0]:
                found.append((col, info.number, name))
        if found and found[-1][0] == 0:
            break
    return found


def _after_closer(failure: Failure, source: Source) -> Explained | None:
    """Text after a value that ended too soon: a closing quote or bracket."""
    line, col = failure.at
    if source.line(line).text[:col].rstrip()[-1:] not in ('"', "'", "]", "}"):
        return None  # nothing closed just before: spare a second scan of the whole text
    tokens = source.tokens_before(line, col)
    last = tokens[-1] if tokens else None
    if isinstance(last, yaml.ScalarToken) and last.style in ('"', "'"):
        return _closed_quote(source, last)
    if isinstance(last, (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)) \
            and last.end_mark.line == line:
        char = source.char(line, col)
        if char in ("]", "}"):
            return _here(source, failure.at, f"this '{char}' closes nothing: remove it")
        info = source.line(line)
        opener = source.char(line, info.value_col) if info.key else ""
        if opener in ("[", "{"):
            what = "list" if opener == "[" else "mapping"
            why = (f"the value of '{info.key}' starts with '{opener}', so YAML reads a {what} "
                   f"that ends at column {last.end_mark.column}")
            return _here(source, (line, info.value_col),
                         _quote_value(source, line, info.value_col, why))
    return None


def _closed_quote(source: Source, token: yaml.ScalarToken) -> Explained:
    start, end = token.start_mark, token.end_mark
    quote = token.style
    opened = (start.line, start.column)
    if start.line < end.line:
        return _here(source, opened,
                     f"the {quote} that opens this value is not closed on line "
                     f"{source.number(start.line)}, so YAML reads on to the {quote} on line "
                     f"{source.number(end.line)}, column {end.column}; close the quote on line "
                     f"{source.number(start.line)}")
    info = source.line(start.line)
    raw = info.text[start.column:].rstrip()
    inner = raw[1:-1] if len(raw) > 1 and raw.endswith(quote) else raw
    fix = f"{info.key}: {quoted(inner)}" if info.key and start.column == info.value_col \
        else quoted(inner)
    # 'It's here': the quote closed at an apostrophe
    apostrophe = " (inside '…', an apostrophe is written '')" if quote == "'" \
        and source.char(end.line, end.column).isalnum() else ""
    return _here(source, opened,
                 f"text follows the {quote} that closes this value in column {end.column}"
                 f"{apostrophe}; quote the whole value: {fix}")


def _misplaced(failure: Failure, source: Source) -> Explained | None:
    """A list item among a mapping's keys, a key among a list's items, or a line whose
    column lines up with nothing above it."""
    if failure.context not in ("while parsing a block mapping", "while parsing a block collection",
                               "while parsing a block node") \
            and "expected <document start>" not in failure.problem:
        return None
    found = _after_closer(failure, source)
    if found is not None:
        return found
    line, col = failure.at
    info = source.line(line)
    if col != info.indent:
        return None
    levels = _levels(source, line)
    same = [level for level in levels if level[0] == col]
    if same and info.dash is not None and same[0][2] != "the list item":
        _, other, name = same[0]
        return _here(source, failure.at,
                     f"this list item stands at the column of the key {name} (line "
                     f"{source.number(other)}), among the keys of a mapping; a list goes under "
                     "a key of its own, with its items indented below it")
    if same and info.key and same[0][2] == "the list item":
        item = source.line(same[0][1])
        fix = f"indent it to column {item.content + 1} to put it in the item above, or start " \
              "a new item with '- '" if item.key else "start it with '- ' to make it an item"
        return _here(source, failure.at,
                     f"'{info.key}' stands at the column of the list items (line "
                     f"{source.number(item.number)}); {fix}", span=len(info.key))
    return None if same else _indentation(source, line, col, levels)


def _indentation(source: Source, line: int, col: int,
                 levels: list[tuple[int, int, str]]) -> Explained | None:
    if not levels:
        return None
    right = [level for level in levels if level[0] > col]
    left = [level for level in levels if level[0] < col]
    named = [f"{name} (line {source.number(at)}, column {c + 1})"
             for c, at, name in (right[-1:] + left[:1])]
    start = f"wrong indentation: line {source.number(line)} starts at column {col + 1}"
    if len(named) == 2:
        return _here(source, (line, col), f"{start}, between {named[0]} and {named[1]}; line it "
                                          "up with the one it belongs to")
    side = "right" if left else "left"
    return _here(source, (line, col), f"{start}, {side} of {named[0]}; line it up with it")


RULES: tuple[Callable[[Failure, Source], Explained | None], ...] = (
    _tab, _unclosed_quote, _flow, _another_document, _value_start, _entry_after_key, _escape,
    _colon_in_value, _no_key, _misplaced,
)
