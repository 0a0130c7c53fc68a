"""Citations in markdown-it: where a bracketed or in-text citation starts and ends, its
prefixes and suffixes rendered as Markdown, and the positions of what stands in an image's
alt text (SPEC §6).

The grammar is in citations.py. A bracket that begins like a citation but does not parse
becomes a ``citation_error`` token, which the document parser reports where it stands.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Sequence
from html import escape

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline, image
from markdown_it.token import Token

from briefgen.citations import (
    NO_PHRASE,
    SIMPLE_KEY,
    CiteItem,
    CiteProblem,
    Phrase,
    begins_like_citation,
    locator,
    opens_intext,
    parse_bracket,
    read_key,
)
from briefgen.rawhtml import UNCLOSED
from briefgen.typography import VERBATIM

CITATION = "citation"
CITE_ERROR = "citation_error"
# env key of a callable told of the parse state as soon as a link or a citation has been
# read (it may settle the tokens so far: see ``markup.Runs``).
PUSHED_KEY = "briefgen_pushed"


def tell_pushed(state: StateInline) -> None:
    told = state.env.get(PUSHED_KEY)
    if told is not None:
        told(state)
# A token that the parse of a document turns back into text once it is located: a bracketed
# plain text such as "[report]" or "[Sergei Lavrov]", which may be a citation or a link
# written without its "@" or second bracket (``markup``, ``docparser``).
BRACKETED = "briefgen_bracketed"
# What a citation's prefix or suffix cannot hold: it would need a ref of its own.
_NESTED = frozenset({"wikilink", CITATION, CITE_ERROR, "footnote_ref", UNCLOSED})
_INNER_MARK = re.compile(r"[\[`\\<]")  # what only markdown-it can step over in a bracket
_NOT_CLOSED = "citation is not closed; end it with ']' (or write \\[ for a literal bracket)"


@functools.lru_cache(maxsize=4096)
def phrase(md: MarkdownIt, source: str, separator: str = "") -> Phrase | None:
    """``source`` as inline Markdown after ``separator``; None if it holds a link, a
    citation or a footnote. Remembered: locators repeat."""
    if not source:
        return NO_PHRASE
    if "[^" in source:  # a note's reference: it needs the notes of the whole document
        return None
    # A citation's prefix and locator keep what was typed: "--" after a key tells that a
    # key was cut short (see fill), and a locator is a reference, not prose.
    tokens = md.parseInline(source, {VERBATIM: True})
    children = (tokens[0].children or []) if tokens else []
    if _holds_nested(children):
        return None
    _bracketed_as_text(children)
    renderer = md.renderer
    assert isinstance(renderer, RendererHTML)
    html = renderer.renderInline(children, md.options, {})
    text = " ".join(renderer.renderInlineAsText(children, md.options, {}).split())
    return Phrase(separator + html, separator + text)


def _holds_nested(children: Sequence[Token]) -> bool:
    return any(child.type in _NESTED or (child.type == "image" and
                                          _holds_nested(child.children or []))
               for child in children)


def _bracketed_as_text(children: Sequence[Token]) -> None:
    """Bracketed texts in a citation's words are text: none is checked there, and text is
    what its plain form keeps."""
    for child in children:
        if child.type == BRACKETED:
            child.type = "text"
        elif child.type == "image":
            _bracketed_as_text(child.children or [])


# The usual citation, ``@id`` or ``@id, p. 4``: a simple key and a locator of words without
# a character Markdown or HTML would treat apart. Read at once, to the same items.
_PLAIN = re.compile(r"\s*@(" + SIMPLE_KEY.pattern + r")(?:(\s*,\s*|[ \t]+)"
                    r"([^\s\[\]{};@`\\*_<>&!~|\"][^\n\[\]{};@`\\*_<>&!~|\"]*?))?\s*")


@functools.lru_cache(maxsize=4096)
def _items(md: MarkdownIt, inner: str) -> tuple[CiteItem, ...] | CiteProblem:
    """The items of ``[inner]`` with their words rendered. Remembered, so that the
    citations of a document that cite the same way share their items."""
    plain = _PLAIN.fullmatch(inner)
    if plain is None:
        return parsed_items(md, inner)
    key, gap, words = plain.groups()
    separator = (", " if "," in gap else " ") if words else ""
    suffix = Phrase(separator + (words or ""), separator + " ".join((words or "").split()))
    return (CiteItem(sys.intern(key), NO_PHRASE, suffix),)


def parsed_items(md: MarkdownIt, inner: str) -> tuple[CiteItem, ...] | CiteProblem:
    """The items of ``[inner]`` by the whole grammar."""
    parsed = parse_bracket(inner)
    if isinstance(parsed, CiteProblem):
        return parsed
    items = []
    for item in parsed:
        prefix = phrase(md, item.prefix)
        suffix = phrase(md, item.suffix, item.separator)
        if prefix is None or suffix is None:
            return CiteProblem(f"citation item '@{item.key}' has a [[link]], a citation or a "
                               "footnote in its words; put it outside the brackets")
        items.append(CiteItem(sys.intern(item.key), prefix, suffix, item.suppress_author))
    return tuple(items)


def citation_rule(state: StateInline, silent: bool) -> bool:
    """``[see @a, p. 4; @b]``: a citation, or a ``citation_error`` if it does not parse."""
    src, start = state.src, state.pos
    if src[start] != "[" or not begins_like_citation(src, start, state.posMax):
        return False
    end = _closing_bracket(state, start)
    if end >= 0 and src.startswith("(", end + 1):
        return False  # "[@handle](url)" is an ordinary link whose text starts with @
    if end < 0:
        line_end = src.find("\n", start, state.posMax)
        literal = src[start:line_end if line_end >= 0 else state.posMax]
        found: tuple[CiteItem, ...] | CiteProblem = CiteProblem(_NOT_CLOSED)
        stop = start + 1
    else:
        literal = src[start:end + 1]
        found = _items(state.md, src[start + 1:end])
        stop = end + 1
    if not silent:
        if isinstance(found, CiteProblem):
            token = state.push(CITE_ERROR, "", 0)
            token.content = literal
            token.meta = {"pos": start, "problem": found.message, "shown": src[start:stop]}
        else:
            token = state.push(CITATION, "", 0)
            token.content = literal
            token.meta = {"items": found, "pos": start, "intext": None}
    state.pos = stop
    if not silent:
        tell_pushed(state)
    return True


def _closing_bracket(state: StateInline, start: int) -> int:
    """Where the bracket at ``start`` closes, or -1: as markdown-it finds a link's text, so
    that inner brackets, code and HTML are passed over; most citations have none of these
    and are read at once."""
    src = state.src
    close = src.find("]", start, state.posMax)
    if close >= 0 and _INNER_MARK.search(src, start + 1, close) is None:
        return close
    return int(state.md.helpers.parseLinkLabel(state, start, False))


def intext_rule(state: StateInline, silent: bool) -> bool:
    """``@a`` or ``@a [p. 33]`` outside brackets: a citation if a source has the id, which
    the fill decides; the token keeps its text as written for when none has."""
    src, start = state.src, state.pos
    if src[start] != "@" or state.linkLevel > 0 or not opens_intext(src, start):
        return False
    key = read_key(src, start + 1, state.posMax)
    if key is None:
        return False
    stop = key[1]
    written = Phrase(escape(src[start:stop]), src[start:stop])
    suffix = NO_PHRASE
    bracket = _locator_bracket(state, stop)
    if bracket is not None:
        stop, suffix, shown = bracket
        written = Phrase(written.html + shown.html, written.text + shown.text)
    if not silent:
        token = state.push(CITATION, "", 0)
        token.content = src[start:stop]
        token.meta = {"items": (CiteItem(sys.intern(key[0]), NO_PHRASE, suffix),),
                      "pos": start, "intext": written}
    state.pos = stop
    if not silent:
        tell_pushed(state)
    return True


def _locator_bracket(state: StateInline, at: int) -> tuple[int, Phrase, Phrase] | None:
    """The ``[p. 33]`` after an in-text key, on its line or the next: where it ends, the
    locator, and the bracket as written. A bracket that is a citation of its own, a link or
    a footnote is left alone."""
    src, end = state.src, state.posMax
    index = at
    while index < end and src[index] in " \t":
        index += 1
    if index < end and src[index] == "\n":
        index += 1
        while index < end and src[index] in " \t":
            index += 1
    if index >= end or src[index] != "[" or src.startswith("[^", index) \
            or begins_like_citation(src, index, end):
        return None
    close = _closing_bracket(state, index)
    if close < 0 or src.startswith(("(", "["), close + 1) or not src[index + 1:close].strip():
        return None
    content = src[index + 1:close]
    found = phrase(state.md, locator(content), ", ")
    shown = phrase(state.md, content)
    if found is None or shown is None:
        return None
    gap = "\n" if "\n" in src[at:index] else " "
    return close + 1, found, Phrase(f"{gap}[{shown.html}]", f" [{shown.text}]")


def image_rule(state: StateInline, silent: bool) -> bool:
    """markdown-it's image, with the links and citations of its alt text placed in the
    whole text (they were parsed from the alt text alone)."""
    start = state.pos
    if not image(state, silent):
        return False
    if not silent:
        token = state.tokens[-1]
        _shift(token.children, start + 2)  # after "!["
        # Where the image stands, and its literal's length on its first line (diagnostics).
        token.meta["pos"] = start
        token.meta["span"] = len(state.src[start:state.pos].partition("\n")[0])
    return True


def _shift(children: Sequence[Token] | None, offset: int) -> None:
    for child in children or ():
        if "pos" in child.meta:
            child.meta["pos"] += offset
        if child.type == "image":
            _shift(child.children, offset)
