"""Markdown: markdown-it-py with tables, strikethrough, footnotes, wikilinks and citations.

Parsing is pure and needs no knowledge of the site: ``[[target|label]]``, ``[see @id, p. 4]``
and in-text ``@id [p. 4]`` become ``wikilink`` and ``citation`` tokens that remember where they
stand (a bracket that begins like a citation but does not parse becomes a ``citation_error``).
An in-text ``@word`` is a citation only if a source has that id, which the parse cannot know:
its token keeps the text as written for the fill to show otherwise. Rendering asks an
``InlineRenderer`` found in ``env["briefgen"]`` how to show them, so this module never needs
the site's index.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from html import escape
from typing import Any, Protocol

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, normalizeReference
from markdown_it.helpers import parseLinkLabel
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline import link as link_rule
from markdown_it.rules_inline.balance_pairs import processDelimiters
from markdown_it.token import Token

from briefgen.citerules import (
    BRACKETED,
    CITATION,
    CITE_ERROR,
    PUSHED_KEY,
    citation_rule,
    image_rule,
    intext_rule,
    tell_pushed,
)
from briefgen.dates import looks_like_date
from briefgen.footnotes import footnotes_plugin
from briefgen.rawhtml import rawhtml_plugin, without_notes
from briefgen.slug import nfc
from briefgen.typography import VERBATIM, Typesetter, shown_before
from briefgen.unshown import unshown_plugin

ENV_KEY = "briefgen"
# env key of an ``InlineSettler``: the parse hands it each inline token as soon as its
# children are parsed.
SETTLE_KEY = "briefgen_settle"
RENDERED = "briefgen_rendered"  # an inline token's children, rendered ahead (see fragments)
# Set in the environment of a parse whose top-level level-2 headings may open entries.
ENTRY_HEADINGS = "briefgenEntryHeadings"

# Only text that renders as itself: no markup, entity, escape or nested bracket inside.
_BRACKETED = re.compile(r"\[([^\[\]\n*_`<>\\&~!@^|{}()]+)\]")
# A target or label may be wrapped onto the next line, as prose is (the break is a space).
_WIKILINK = re.compile(r"\[\[([^\[\]|]+?)(?:\|([^\[\]]+?))?\]\]")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
# How far a ``[[`` that is not a link is looked at for its ``]]`` (an error when found).
_MALFORMED_REACH = 300
# Any {#id .class} is read, so that an id in another script is reported, not left in the title.
_HEADING_ATTRS = re.compile(r"\s*\{\s*((?:[#.][^\s{}]+\s*)+)\}\s*$")
# Editors' notes at the end of a heading, removed before its {#id} is looked for.
_TRAILING_NOTES = re.compile(r"(?:\s*<!--(?:>|->|(?:(?!-->).)*-->))+\s*$")


class InlineRenderer(Protocol):
    """What rendering needs from the site: HTML for a link and for a citation."""

    def wikilink(self, token: Token) -> str: ...

    def citation(self, token: Token) -> str: ...

    def cite_error(self, token: Token) -> str:
        """A bracket that begins like a citation but does not parse (reported)."""
        ...

    def alt(self, children: Sequence[Token]) -> str:
        """An image's alt text, its links and citations as plain text."""
        ...

    def image(self, token: Token) -> str:
        """An image (a figure, when ``token.meta["figure"]``)."""
        ...

    def rendered(self, token: Token) -> str: ...


class InlineSettler(Protocol):
    """Told of each inline token once its children are parsed (or of each run of them, for
    a long one: see ``Runs``); returns them rendered ahead, as one ``RENDERED`` token.
    ``heading``: it is a heading's text."""

    def __call__(self, inline: Token, children: list[Token], heading: bool) -> Token: ...


# The children of an inline token with more source text than this are settled in runs of at
# least this many tokens, wherever that cannot change how they render.
LONG_INLINE = 1 << 16
RUN_TOKENS = 4096


@dataclass(slots=True)
class Runs:
    """Cuts the children of one long inline token into runs while they are parsed, and
    settles each run at once: a paragraph of 300,000 citations need not have all its
    tokens at once. A run ends only after a link or a citation, with nothing left open
    that a later token could close: no emphasis or strikethrough marker without its pair,
    no quotation mark to pair, no raw HTML element (``Typesetter.closed``). While one is
    open, the tokens are kept until it closes (to the paragraph's end, if it never does)."""

    inline: Token
    core: StateCore
    settle: InlineSettler
    typesetter: Typesetter | None
    size: int = RUN_TOKENS  # tokens in a run, at least
    settled: list[Token] = field(default_factory=list)
    start: int = 0  # where the source of the current run starts
    before: Token | None = None  # what the current run follows (for quotation marks)
    next_try: int = 0

    def __post_init__(self) -> None:
        self.next_try = self.size

    def cut(self, state: StateInline) -> None:
        """Called after a link or a citation was pushed: settle what is parsed, if it can
        be settled alone."""
        tokens = state.tokens
        if tokens is not self.inline.children or len(tokens) < self.next_try or \
                tokens[-1].type not in _CUT_AFTER or state.level:
            return  # (an image's alt text is parsed apart, into tokens of its own)
        if not shown_before(tokens[-1]).content:  # ``[[ ]]``: quotes are paired past it
            return
        if _left_open(state):  # tried again once there are twice as many tokens
            self.next_try = 2 * len(tokens)
            return
        # markdown-it's post-processing of the tokens so far, done now and only once: their
        # markers are paired (links are whole, so are the markers in their text), their
        # text joined. Later markers pair among themselves.
        for rule in state.md.inline.ruler2.getRules(""):
            rule(state)
        del state.delimiters[:]
        state.tokens_meta[:] = [None] * len(tokens)
        parsed = tokens[:]
        run = parsed if self.typesetter is None else self.typesetter.closed(
            parsed, state.src[self.start:state.pos], self.core, self.before)
        if run is None:
            self.next_try = 2 * len(tokens)
            return
        self.before = shown_before(run[-1])  # as typeset (a link's label may change)
        del tokens[:]
        del state.tokens_meta[:]
        self.start, self.next_try = state.pos, self.size
        self.settled.append(self.settle(self.inline, run, False))


def _left_open(state: StateInline) -> bool:
    """Whether an emphasis or strikethrough marker parsed so far may still be closed by one
    still to come: paired as markdown-it pairs them, on copies, one opens and is not closed."""
    if not state.delimiters:
        return False
    trial = [replace(delimiter) for delimiter in state.delimiters]
    processDelimiters(state, trial)
    return any(delimiter.open and delimiter.end < 0 for delimiter in trial)


_CUT_AFTER = frozenset({"wikilink", CITATION, CITE_ERROR})  # tokens with text of their own


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    match = _WIKILINK.match(state.src, state.pos)
    if match is None or not match.group(1).strip() or (
            match.group(2) is not None and not match.group(2).strip()):
        return _malformed_wikilink(state, silent)
    if not silent:
        token = state.push("wikilink", "", 0)
        token.content = match.group(0)
        # Targets and labels in NFC, as names are read from YAML (SPEC §12); interned: a
        # link-dense document names the same few targets over and over.
        label = nfc(without_notes(_unwrapped(match.group(2) or "")).strip())
        token.meta = {
            "target": sys.intern(nfc(_unwrapped(match.group(1)).strip())),
            "label": sys.intern(label) if label else None,
            "pos": state.pos,
        }
    state.pos = match.end()
    if not silent:
        tell_pushed(state)
    return True


def _unwrapped(text: str) -> str:
    """A target or label wrapped onto the next line, on one line."""
    return _LINE_BREAK.sub(" ", text) if "\n" in text else text


def _malformed_wikilink(state: StateInline, silent: bool) -> bool:
    """``[[`` and its ``]]`` around what is shaped like a link but is not one (an empty
    target or label, brackets in the label): an error at the place, the text shown as
    written. Other double brackets, and a ``[[`` without a ``]]`` near, are text."""
    start = state.pos
    reach = min(state.posMax, start + _MALFORMED_REACH)
    end = state.src.find("]]", start + 2, reach)
    following = state.src.find("[[", start + 2, reach)
    if end < 0 or 0 <= following < end - 1:  # [[ left open before another link: text
        return False
    while state.src.startswith("]", end + 2) and end + 3 <= state.posMax:
        end += 1  # [[a|[x]]]: the last of the closing brackets
    target, bar, label = state.src[start + 2:end].partition("|")
    if target.strip() and not (bar and (not label.strip() or "[" in label or "]" in label)):
        return False  # not shaped like a link ([[1, 2], [3, 4]]): text, as written
    if not silent:
        literal = state.src[start:end + 2]
        token = state.push(CITE_ERROR, "", 0)
        token.content = literal
        token.meta = {"pos": start, "shown": literal, "problem":
                      f"'{_LINE_BREAK.sub(' ', literal)}' is not a link: write [[target]] or "
                      "[[target|label]], with no brackets inside and neither part empty (or "
                      "\\[[ for brackets as text)"}
    state.pos = end + 2
    if not silent:
        tell_pushed(state)
    return True


def _bracketed_rule(state: StateInline, silent: bool) -> bool:
    """``[plain text]`` that is neither a link nor a link's label. Scans made in silent mode
    (a link's label being measured) pass it over, so that links parse as they always did."""
    if silent or not state.src.startswith("[", state.pos):
        return False
    match = _BRACKETED.match(state.src, state.pos)
    if match is None or state.src.startswith(("(", "["), match.end()) \
            or _after_escaped_bracket(state.src, state.pos):
        return False
    references = state.env.get("references") or {}
    if normalizeReference(match.group(1)) in references:
        return False  # a shortcut reference link: the link rule makes it
    token = state.push(BRACKETED, "", 0)
    token.content = match.group(0)
    token.meta = {"pos": state.pos, "text": match.group(1)}
    state.pos = match.end()
    return True


def _after_escaped_bracket(src: str, pos: int) -> bool:
    """Whether ``pos`` follows ``\\[``: the inside of ``\\[[text]]``, which is how a link's
    brackets are kept as text (an odd run of backslashes escapes the bracket)."""
    if pos < 2 or src[pos - 1] != "[":
        return False
    start = pos - 2
    while start >= 0 and src[start] == "\\":
        start -= 1
    return (pos - 2 - start) % 2 == 1


def _located(rule: Any) -> Any:
    """markdown-it's link (or image) rule, its token told where its literal starts, so that
    a link to a path of the site that does not exist can be reported there."""

    def located(state: StateInline, silent: bool) -> bool:
        start, first = state.pos, len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent:
            for token in state.tokens[first:]:
                if token.type in ("link_open", "image"):
                    token.meta["pos"] = start
                    token.meta["literal"] = state.src[start:state.pos]
                    break
        return True

    return located


def _link_or_nested(rule: Any) -> Any:
    """markdown-it's link rule; a link whose text holds another link (a ``[[link]]``, a
    bracketed citation, a Markdown link) is not a link in CommonMark, so its brackets would
    be published as they are, silently: an error at its first bracket."""

    def link(state: StateInline, silent: bool) -> bool:
        if rule(state, silent):
            return True
        start = state.pos
        if silent or not state.src.startswith("[", start):
            return False
        if parseLinkLabel(state, start, True) >= 0:
            return False  # not a link for another reason (its address): as markdown-it says
        end = parseLinkLabel(state, start, False)
        if end < 0 or not state.src.startswith("(", end + 1):
            return False
        token = state.push(CITE_ERROR, "", 0)
        token.content = "["
        token.meta = {"pos": start, "shown": "[", "problem":
                      "a link's text holds another link (a Markdown link, a [[link]] or a "
                      "citation), which a link cannot hold; put it after the link, as in "
                      "[the statement](https://…) [@source]"}
        state.pos = start + 1
        tell_pushed(state)
        return True

    return link


def _heading_attrs_rule(state: StateCore) -> None:
    """Read ``{#id .class}`` at the end of every heading; in a Markdown briefing's body
    (``env[ENTRY_HEADINGS]``) also the leading date of top-level level-2 headings, which
    open entries (SPEC §3, §12). Every other heading keeps its text as written."""
    entries = bool(state.env.get(ENTRY_HEADINGS))
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
        meta["text"] = content
        if entries and token.tag == "h2" and token.level == 0 \
                and "section" not in meta["classes"]:
            # Any space ends the date: a tab or a no-break space typed after it too.
            first, *rest = content.split(None, 1)
            if looks_like_date(first):
                meta["date_text"] = first
                content = rest[0].strip() if rest else ""
        meta["title_source"] = content
        inline.content = content
        token.meta = meta


def _inline_rule_with(typesetter: Typesetter | None, long_inline: int,
                      run_tokens: int) -> Callable[[StateCore], None]:
    def rule(state: StateCore) -> None:
        _inline_rule(state, typesetter, long_inline, run_tokens)

    return rule


def _inline_rule(state: StateCore, typesetter: Typesetter | None, long_inline: int,
                 run_tokens: int) -> None:
    """markdown-it's inline stage, handing each inline token to ``env[SETTLE_KEY]`` as soon
    as it is parsed (and typeset), so that a document's inline tokens need not all exist at
    once; a long one in runs (see ``Runs``). Tokens of footnote definitions are not handed
    over: they move to the end of the document."""
    settle: InlineSettler | None = state.env.get(SETTLE_KEY)
    if typesetter is not None and state.env.get(VERBATIM):
        typesetter = None
    in_note = False
    previous: Token | None = None
    for index, token in enumerate(state.tokens):
        if token.type == "inline":
            if token.children is None:
                token.children = []
            heading = previous is not None and previous.type == "heading_open"
            runs = None
            if len(token.content) <= long_inline or settle is None or in_note or heading:
                state.md.inline.parse(token.content, state.md, state.env, token.children)
            else:
                runs = Runs(token, state, settle, typesetter, run_tokens)
                state.env[PUSHED_KEY] = runs.cut
                try:
                    state.md.inline.parse(token.content, state.md, state.env, token.children)
                finally:
                    del state.env[PUSHED_KEY]
            if typesetter is not None:
                typesetter.apply(token, state, runs.before if runs else None)
            if previous is not None and previous.type == "paragraph_open" and \
                    not (runs and runs.settled):
                _figure(state.tokens, index)
            if settle is not None and not in_note:
                rest = settle(token, token.children, heading)
                token.children = [*runs.settled, rest] if runs else [rest]
        elif token.type == "footnote_reference_open":
            in_note = True
        elif token.type == "footnote_reference_close":
            in_note = False
        previous = token


def _figure(tokens: Sequence[Token], index: int) -> None:
    """An image alone in its paragraph is a figure: the paragraph becomes ``<figure>``
    (shown even in a tight list, which hides its paragraphs' tags)."""
    children = tokens[index].children or []
    if len(children) != 1 or children[0].type != "image" or index + 1 >= len(tokens):
        return
    children[0].meta["figure"] = True
    opening, closing = tokens[index - 1], tokens[index + 1]
    opening.tag = closing.tag = "figure"
    opening.hidden = closing.hidden = False
    opening.attrSet("class", "bg-figure")


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


def _render_bracketed(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                      env: dict[str, Any]) -> str:
    """As the text it is (the parse of a document makes these text again once located)."""
    return escapeHtml(tokens[idx].content)


def _render_cite_error(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                       env: dict[str, Any]) -> str:
    renderer: InlineRenderer | None = env.get(ENV_KEY)
    token = tokens[idx]
    return renderer.cite_error(token) if renderer is not None else escape(token.meta["shown"])


def _render_image(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                  env: dict[str, Any]) -> str:
    renderer: InlineRenderer | None = env.get(ENV_KEY)
    token = tokens[idx]
    if renderer is not None:
        return renderer.image(token)
    token.attrSet("alt", alt_text(token.children or []))
    return str(self.renderToken(tokens, idx, options, env))


def _render_rendered(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                     env: dict[str, Any]) -> str:
    renderer: InlineRenderer = env[ENV_KEY]  # only a renderer makes these tokens
    return renderer.rendered(tokens[idx])


def make_markdown(unsafe_html: bool = False, language: str | None = None,
                  long_inline: int = LONG_INLINE, run_tokens: int = RUN_TOKENS) -> MarkdownIt:
    """The one Markdown configuration of briefgen; build it once and reuse it. With a
    ``language``, prose gets that language's quotation marks and typographic dashes.
    ``long_inline`` and ``run_tokens``: see ``Runs`` (smaller in tests)."""
    # Raw HTML is always recognised, so that the document has one structure whatever
    # unsafe_html says; rawhtml_plugin decides how it is shown.
    typesetter = Typesetter.for_language(language) if language is not None else None
    md = MarkdownIt("commonmark", {"html": True, "typographer": typesetter is not None})
    if typesetter is not None:  # read by markdown-it's pairing of quotes, which takes a
        # sequence of four marks (French ones are two characters: a mark and a space)
        md.options["quotes"] = typesetter.quotes
    md.enable(["table", "strikethrough"])
    md.use(footnotes_plugin)
    md.use(rawhtml_plugin, unsafe_html)
    md.use(unshown_plugin)
    md.inline.ruler.before("link", "briefgen_wikilink", _wikilink_rule)
    md.inline.ruler.before("link", "briefgen_citation", citation_rule)
    md.inline.ruler.before("link", "briefgen_intext_citation", intext_rule)
    md.inline.ruler.before("link", "briefgen_bracketed", _bracketed_rule)
    md.inline.ruler.at("link", _link_or_nested(_located(link_rule)))
    md.inline.ruler.at("image", _located(image_rule))
    md.core.ruler.after("block", "briefgen_heading_attrs", _heading_attrs_rule)
    md.core.ruler.at("inline", _inline_rule_with(typesetter, long_inline, run_tokens))
    md.add_render_rule("wikilink", _render_wikilink)
    md.add_render_rule(CITATION, _render_citation)
    md.add_render_rule(CITE_ERROR, _render_cite_error)
    md.add_render_rule("image", _render_image)
    md.add_render_rule(RENDERED, _render_rendered)
    md.add_render_rule(BRACKETED, _render_bracketed)
    return md


MARKDOWN_CONFIG_VERSION = "4"


def token_text(token: Token) -> str:
    """The text a reader sees of one inline token (markup removed, link labels kept)."""
    if token.type in ("text", "code_inline", BRACKETED):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return " "
    if token.type == "wikilink":
        return str(token.meta["label"] or token.meta["target"])
    if token.type == CITATION:  # an in-text one reads as written until the fill knows better
        return token.content if token.meta["intext"] is not None else ""
    if token.type == "image":
        return plain_text(token.children)
    if token.type == RENDERED:
        return str(token.meta["plain"])
    return ""


def plain_text(children: Sequence[Token] | None) -> str:
    return "".join(token_text(child) for child in children or ()).strip()



def alt_text(children: Sequence[Token],
             ref: Callable[[Token], str] | None = None) -> str:
    """The alt text of an image: its text without markup, each link and citation as ``ref``
    gives it (else as written), so that none of its words is lost."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline", "html_inline", BRACKETED):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(alt_text(child.children or [], ref))
        elif child.type in ("wikilink", CITATION, CITE_ERROR):
            parts.append(ref(child) if ref is not None else
                         token_text(child) if child.type == "wikilink" else child.content)
    return "".join(parts)
