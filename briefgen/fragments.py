"""Markdown rendered once, independently of the rest of the site.

A document's Markdown becomes HTML and plain text at parse time. Every ``[[link]]`` and
``[@citation]`` in it is left as a numbered placeholder (``\\x00N\\x00``) and recorded as a
``Ref``; filling the placeholders against the site's index (``render``) is a cheap string
substitution. So the expensive part is a pure function of the file, safe to cache by its
content and to run in parallel. NUL cannot occur in rendered content: markdown-it replaces
it with U+FFFD, so placeholders cannot be forged by editors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core.state_core import StateCore
from markdown_it.rules_core.text_join import text_join
from markdown_it.token import Token

from briefgen.fragmenttypes import Fragment, Ref
from briefgen.markup import ENV_KEY, RENDERED, alt_text, plain_text, token_text

PLACEHOLDER = re.compile("\x00([0-9]+)\x00")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])")


def tidy_text(text: str) -> str:
    """One space between words, none before punctuation left behind by a removed citation."""
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(text.split()))


@dataclass(slots=True)
class FragmentRenderer:
    """Renders the Markdown of one document; implements ``markup.InlineRenderer``."""

    md: MarkdownIt
    refs: list[Ref] = field(default_factory=list)
    block: str | None = None
    linked: bool = True
    # While an inline token is rendered ahead (``settle``): its refs, numbered from 0.
    ahead: list[Ref] | None = None

    def _placeholder(self, token: Token, alt: bool = False) -> str:
        refs = self.refs if self.ahead is None else self.ahead
        number = len(refs)
        meta = token.meta
        literal = token.content.partition("\n")[0]
        if token.type == "wikilink":
            ref = Ref(meta["target"], meta["label"], (), meta.get("line", 1), meta.get("col", 1),
                      len(literal), self.block, self.linked, alt)
        elif "problem" in meta:  # a citation that does not parse: no items, its text as written
            ref = Ref(None, meta["shown"], (), meta.get("line", 1), meta.get("col", 1),
                      len(literal), self.block, self.linked, alt)
        else:
            ref = Ref(None, None, meta["items"], meta.get("line", 1), meta.get("col", 1),
                      len(literal), self.block, self.linked, alt, meta["intext"])
        refs.append(ref)
        meta["ref"] = number
        return f"\x00{number}\x00"

    def wikilink(self, token: Token) -> str:
        return self._placeholder(token)

    def citation(self, token: Token) -> str:
        return self._placeholder(token)

    def cite_error(self, token: Token) -> str:
        return self._placeholder(token)

    def alt(self, children: Sequence[Token]) -> str:
        return alt_text(children, lambda token: self._placeholder(token, alt=True))

    def image(self, token: Token) -> str:
        """``<img>`` with a placeholder for its ``src``, ``srcset`` and size (the site's
        static files say what they are); alone in its paragraph (a ``<figure>``, see
        ``markup``), its title is its caption."""
        alt = escapeHtml(self.alt(token.children or []))
        refs = self.refs if self.ahead is None else self.ahead
        meta = token.meta
        refs.append(Ref(None, None, (), meta.get("line", 1), meta.get("col", 1),
                        meta.get("span", 1), self.block, self.linked,
                        image=str(token.attrGet("src") or "")))
        close = " />" if self.md.options.get("xhtmlOut") else ">"
        img = f'<img \x00{len(refs) - 1}\x00 alt="{alt}"'
        title = str(token.attrGet("title") or "")
        if not meta.get("figure"):
            return img + (f' title="{escapeHtml(title)}"' if title else "") + close
        return img + close + (f"<figcaption>{escapeHtml(title)}</figcaption>" if title else "")

    def _env(self) -> dict[str, Any]:
        return {ENV_KEY: self}

    def settle(self, inline: Token, children: list[Token], heading: bool) -> Token:
        """Render the children of one inline token (or a run of them) ahead, as soon as
        they are parsed, into one ``RENDERED`` token that stands for them, so that a
        document's inline tokens need not all exist at once. Their refs are numbered from 0
        here and for good when the document is rendered (``rendered``), which keeps them in
        the order of rendering."""
        holder = inline if children is inline.children else \
            Token("inline", "", 0, children=children)  # a run of the inline token's children
        text_join(_only(holder, self.md))  # what markdown-it does once every token is parsed
        children = holder.children or []
        renderer = self.md.renderer
        assert isinstance(renderer, RendererHTML)
        self.ahead = []
        try:
            html = renderer.renderInline(children, self.md.options, self._env())
            refs = tuple(self.ahead)
        finally:
            self.ahead = None
        ahead = Token(RENDERED, "", 0)
        ahead.meta = {"html": html, "text": _inline_text(children, True), "refs": refs,
                      "plain": plain_text(children) if heading else "", "first": 0}
        return ahead

    def rendered(self, token: Token) -> str:
        """The HTML of an inline token rendered ahead, its refs numbered as this document's."""
        first = token.meta["first"] = len(self.refs)
        block, linked = self.block, self.linked
        # Taken, not copied: the token lives as long as the document's tokens do, and its
        # refs, most of them made again here with their block, would be held twice.
        for ref in token.meta.pop("refs"):
            self.refs.append(ref if ref.block == block and ref.linked == linked else
                             ref._replace(block=block, linked=linked))
        return renumbered(token.meta["html"], first)

    def blocks(self, tokens: Sequence[Token], block: str | None = None) -> Fragment:
        self.block = block
        html = self.md.renderer.render(tokens, self.md.options, self._env())
        parts = []
        for token in tokens:
            if token.type == "inline":
                parts.append(_inline_text(token.children or [], True))
            elif token.type in ("code_block", "fence"):
                parts.append(token.content.strip())
        return Fragment(str(html), tidy_text(" ".join(p for p in parts if p)))

    def inline(self, children: Sequence[Token], block: str | None = None, source: str = "",
               linked: bool = True) -> Fragment:
        self.block, self.linked = block, linked
        renderer = self.md.renderer
        assert isinstance(renderer, RendererHTML)
        html = renderer.renderInline(children, self.md.options, self._env())
        self.linked = True
        return Fragment(html, tidy_text(_inline_text(children, linked)), source)


def is_rendered_ahead(inline: Token) -> bool:
    children = inline.children or []
    return bool(children) and children[0].type == RENDERED


def _only(inline: Token, md: MarkdownIt) -> StateCore:
    state = StateCore("", md, {})
    state.tokens = [inline]
    return state


def renumbered(text: str, first: int) -> str:
    """``text`` with placeholder N made N + ``first``."""
    if not first or "\x00" not in text:
        return text
    return PLACEHOLDER.sub(lambda m: f"\x00{int(m.group(1)) + first}\x00", text)


def _inline_text(children: Sequence[Token], linked: bool) -> str:
    """Plain text with a placeholder for each link; for a citation only where it has words
    of its own: in-text (``@id``), or where there is no Sources list to point at (``linked``
    false: a summary), so that search text and excerpts have no bracketed numbers."""
    words = []
    for child in children:
        if child.type == "wikilink" or (child.type == "citation" and (
                child.meta["intext"] is not None or not linked)):
            words.append(f"\x00{child.meta['ref']}\x00")
        elif child.type == RENDERED:
            words.append(renumbered(child.meta["text"], child.meta["first"]))
        elif child.type == "image":
            words.append(_inline_text(child.children or [], linked))
        elif child.type != "citation":
            words.append(token_text(child))
    return "".join(words)


def fill(text: str, replacements: Sequence[str]) -> str:
    """Put each ref's rendering in place of its placeholder."""
    if "\x00" not in text:
        return text
    return PLACEHOLDER.sub(lambda m: replacements[int(m.group(1))], text)


def fill_each(text: str, replacement: Callable[[int], str]) -> str:
    """Put ``replacement(n)`` in place of placeholder n."""
    if "\x00" not in text:
        return text
    return PLACEHOLDER.sub(lambda m: replacement(int(m.group(1))), text)
