"""Markdown: markdown-it-py with tables, strikethrough, footnotes, wikilinks and citations.

Parsing is pure and needs no knowledge of the site: ``[[target|label]]`` and ``[@id, locator]``
become ``wikilink`` and ``citation`` tokens that remember where they stand. Rendering asks an
``InlineRenderer`` found in ``env["briefgen"]`` how to show them, so this module never needs
the site's index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any, NamedTuple, Protocol

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from briefgen.dates import looks_like_date
from briefgen.footnotes import footnotes_plugin
from briefgen.rawhtml import UNCLOSED, rawhtml_plugin
from briefgen.slug import nfc

ENV_KEY = "briefgen"

_WIKILINK = re.compile(r"\[\[([^\[\]\n|]+?)(?:\|([^\[\]\n]+?))?\]\]")
_CITATION = re.compile(r"\[(\s*@[^\[\]\n]*?)\]")
_CITE_ITEM = re.compile(r"\s*@(?P<id>[\w][\w:.#$%&+?<>~/-]*?)(?P<tail>[,\s].*)?\s*", re.S)
# Any {#id .class} is read, so that an id in another script is reported, not left in the title.
_HEADING_ATTRS = re.compile(r"\s*\{\s*((?:[#.][^\s{}]+\s*)+)\}\s*$")
# Editors' notes at the end of a heading, removed before its {#id} is looked for.
_TRAILING_NOTES = re.compile(r"(?:\s*<!--(?:>|->|(?:(?!-->).)*-->))+\s*$")


class CiteItem(NamedTuple):
    source_id: str
    locator: str


class InlineRenderer(Protocol):
    """What rendering needs from the site: HTML for a link and for a citation."""

    def wikilink(self, token: Token) -> str: ...

    def citation(self, token: Token) -> str: ...


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    match = _WIKILINK.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.content = match.group(0)
        # Targets and labels in NFC, as names are read from YAML (SPEC §12).
        token.meta = {
            "target": nfc(match.group(1).strip()),
            "label": nfc((match.group(2) or "").strip()) or None,
            "pos": state.pos,
        }
    state.pos = match.end()
    return True


def parse_cite_items(inner: str) -> list[CiteItem] | None:
    """``@a; @b, p. 4`` → items; None when it is not a citation at all."""
    items = []
    for part in inner.split(";"):
        match = _CITE_ITEM.fullmatch(part)
        if match is None:
            return None
        source_id = match.group("id").rstrip(".:,")
        tail = (match.group("tail") or "").strip()
        items.append(CiteItem(source_id, tail.lstrip(",").strip()))
    return items


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[", state.pos):
        return False
    match = _CITATION.match(state.src, state.pos)
    if match is None:
        return False
    items = parse_cite_items(match.group(1))
    if not items:
        return False
    # "[@id](url)" is an ordinary link whose text starts with @.
    if state.src.startswith("(", match.end()):
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.content = match.group(0)
        token.meta = {"items": items, "pos": state.pos}
    state.pos = match.end()
    return True


def _heading_attrs_rule(state: StateCore) -> None:
    """Read ``{#id .class}`` at the end of headings and a leading date on level-2 ones."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        inline = tokens[index + 1]
        content = _TRAILING_NOTES.sub("", inline.content)
        meta: dict[str, Any] = {"explicit_id": None, "classes": [], "date_text": None}
        match = _HEADING_ATTRS.search(content)
        if match:
            for attr in match.group(1).split():
                if attr.startswith("#"):
                    meta["explicit_id"] = attr[1:]
                else:
                    meta["classes"].append(attr[1:])
            content = _TRAILING_NOTES.sub("", content[: match.start()]).rstrip()
        if token.tag == "h2" and "section" not in meta["classes"]:
            first, _, rest = content.partition(" ")
            if looks_like_date(first):
                meta["date_text"] = first
                content = rest.strip()
        meta["title_source"] = content
        inline.content = content
        token.meta = meta


def _render_wikilink(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                     env: dict[str, Any]) -> str:
    renderer: InlineRenderer | None = env.get(ENV_KEY)
    token = tokens[idx]
    if renderer is None:
        return escape(token.meta["label"] or token.meta["target"])
    return renderer.wikilink(token)


def _render_citation(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                     env: dict[str, Any]) -> str:
    renderer: InlineRenderer | None = env.get(ENV_KEY)
    if renderer is None:
        return escape(tokens[idx].content)
    return renderer.citation(tokens[idx])


def make_markdown(unsafe_html: bool = False) -> MarkdownIt:
    """The one Markdown configuration of briefgen; build it once and reuse it."""
    # Raw HTML is always recognised, so that the document has one structure whatever
    # unsafe_html says; rawhtml_plugin decides how it is shown.
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnotes_plugin)
    md.use(rawhtml_plugin, unsafe_html)
    md.inline.ruler.before("link", "briefgen_wikilink", _wikilink_rule)
    md.inline.ruler.before("link", "briefgen_citation", _citation_rule)
    md.core.ruler.after("block", "briefgen_heading_attrs", _heading_attrs_rule)
    md.add_render_rule("wikilink", _render_wikilink)
    md.add_render_rule("citation", _render_citation)
    return md


MARKDOWN_CONFIG_VERSION = "2"


def token_text(token: Token) -> str:
    """The text a reader sees of one inline token (markup removed, link labels kept)."""
    if token.type in ("text", "code_inline"):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return " "
    if token.type == "wikilink":
        return str(token.meta["label"] or token.meta["target"])
    if token.type == "image":
        return plain_text(token.children)
    return ""


def plain_text(children: Sequence[Token] | None) -> str:
    return "".join(token_text(child) for child in children or ()).strip()


def iter_inline(tokens: Sequence[Token]) -> list[tuple[Token, Token]]:
    """Every (parent inline token, child) pair, in document order."""
    pairs = []
    for token in tokens:
        if token.type == "inline":
            for child in token.children or ():
                pairs.append((token, child))
    return pairs


LOCATED = ("wikilink", "citation", UNCLOSED)  # inline tokens that diagnostics point at


def locate(tokens: Sequence[Token], lines: Sequence[str], first_line: int,
           inline_line: int | None = None) -> None:
    """Give every wikilink, citation and unclosed comment token its file ``line`` and
    ``col`` (1-based).

    ``first_line`` is the file line of the Markdown text's first line; block tokens know
    their line within the text (``map``), and the newlines before a token inside its block
    give the rest. The column is where its literal text stands on that file line: at or
    after its column within the block's text, since container markers (``> ``, list
    indents) and YAML indentation only add to the left, and a removed comment may hold the
    same literal earlier on the line.
    """
    searched_from: dict[int, int] = {}
    for parent, child in iter_inline(tokens):
        if child.type not in LOCATED:
            continue
        block_line = parent.map[0] if parent.map else 0
        newline = parent.content.rfind("\n", 0, child.meta["pos"])
        in_block = child.meta["pos"] - newline - 1
        if inline_line is not None and not parent.map:
            line = inline_line
        else:
            line = first_line + block_line + parent.content.count("\n", 0, child.meta["pos"])
        # YAML folding and escapes can move text off the computed line: then look for the
        # literal from the start of the text on.
        candidates = (line, *range(min(line, inline_line or first_line), len(lines) + 1))
        for number, candidate in enumerate(candidates):
            raw = lines[candidate - 1] if 0 < candidate <= len(lines) else ""
            lowest = searched_from.get(candidate, 0)
            start = raw.find(child.content, max(lowest, in_block) if number == 0 else lowest)
            if start >= 0:
                line = candidate
                break
        else:
            start = in_block
        searched_from[line] = start + len(child.content)
        child.meta["line"] = line
        child.meta["col"] = start + 1
    for token in tokens:
        if token.type == UNCLOSED and token.map:
            line = first_line + token.map[0]
            raw = lines[line - 1] if 0 < line <= len(lines) else ""
            token.meta = {"line": line, "col": raw.find(token.content) + 1 or 1}
