"""Footnotes (mdit-py-plugins) whose ids are the theme's, so no editor's ``{#id}`` can clash.

The plugin names a note ``fn1`` and its reference ``fnref1``; an entry or heading may be
given those very ids. Here they are ``bg-fn-1`` and ``bg-fnref-1`` (``bg-fn-e2-1`` for the
notes of one entry's body in a YAML briefing, whose parts are parsed one by one), in the
``bg-`` namespace that editors' ids may not use.

The plugin publishes two mistakes silently, which are marked here for the document parser to
report: a reference to a label no definition has (``[^members]`` with ``[^member]: …``) is
shown as typed, and a definition that nothing refers to is dropped with all its text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.footnote.index import footnote_inline, footnote_ref

# A reference whose label no definition has; shown as typed, reported where it stands.
MISSING_NOTE = "footnote_missing"
# env key: the definitions no reference uses (``Unused``), which the plugin drops.
UNUSED_NOTES = "briefgen_unused_notes"
# The plugin's label rule for a reference: up to the first ']', no space or line break.
_REFERENCE = re.compile(r"\[\^([^ \n\]]+)\]")


class Unused(NamedTuple):
    """A footnote definition nothing refers to: its label and the lines of the Markdown
    text it takes (0-based, ``end`` excluded; the lines folded into it included)."""

    label: str
    start: int
    end: int


def defined_labels(refs: Iterable[str]) -> list[str]:
    """The labels of the footnotes defined, from the keys of the plugin's ``refs``."""
    return [key[1:] for key in refs]


def _name(tokens: Sequence[Token], idx: int, env: dict[str, Any]) -> str:
    """``1``, or ``e2-1`` when the text was parsed with a ``docId`` (the tokens carry it:
    they are rendered with the renderer's own env, see ``fragments``)."""
    token = tokens[idx]
    number = str(token.meta["id"] + 1)
    doc_id = token.meta.get(DOC_ID, env.get("docId"))
    return f"{doc_id}-{number}" if isinstance(doc_id, str) else number


DOC_ID = "briefgen_doc_id"  # meta of the footnote tokens: the ``docId`` of their text
_STAMPED = ("footnote_ref", "footnote_open", "footnote_anchor")


def _stamping(rule: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    """One of the plugin's reference rules, its tokens stamped with their text's ``docId``."""
    def stamped(state: StateInline, silent: bool) -> bool:
        count = len(state.tokens)
        found = rule(state, silent)
        if found and not silent and "docId" in state.env:
            for token in state.tokens[count:]:
                if token.type in _STAMPED:
                    token.meta[DOC_ID] = state.env["docId"]
        return found

    return stamped


def _stamp_notes(state: StateCore) -> None:
    """The notes' tokens, which ``footnote_tail`` makes, stamped as the references are."""
    if "docId" in state.env:
        for token in state.tokens:
            if token.type in _STAMPED:
                token.meta[DOC_ID] = state.env["docId"]


def _sub(tokens: Sequence[Token], idx: int) -> str:
    """``:2`` for the second reference to one note."""
    sub_id = tokens[idx].meta.get("subId", -1)
    return f":{sub_id}" if sub_id > 0 else ""


def _ref(self: Any, tokens: Sequence[Token], idx: int, options: Any,
         env: dict[str, Any]) -> str:
    name = _name(tokens, idx, env)
    caption = self.rules["footnote_caption"](tokens, idx, options, env)
    return (f'<sup class="footnote-ref"><a href="#bg-fn-{name}" '
            f'id="bg-fnref-{name}{_sub(tokens, idx)}">{caption}</a></sup>')


def _open(self: Any, tokens: Sequence[Token], idx: int, options: Any,
          env: dict[str, Any]) -> str:
    return f'<li id="bg-fn-{_name(tokens, idx, env)}" class="footnote-item">'


def _anchor(self: Any, tokens: Sequence[Token], idx: int, options: Any,
            env: dict[str, Any]) -> str:
    # U+21A9 and a text-style selector, so that phones do not show an emoji.
    return (f' <a href="#bg-fnref-{_name(tokens, idx, env)}{_sub(tokens, idx)}" '
            'class="footnote-backref">\u21a9\ufe0e</a>')


def _missing_reference(state: StateInline, silent: bool) -> bool:
    """``[^label]`` that the plugin's rule left alone: no definition has its label. In a
    silent scan (a link's text being measured) it is left to be brackets, as it always was,
    so that a link around it stays a link."""
    if silent or not state.src.startswith("[^", state.pos):
        return False
    match = _REFERENCE.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    token = state.push(MISSING_NOTE, "", 0)
    token.content = match.group(0)
    # The plugin's table of the labels defined (shared, not copied: it is complete, as every
    # definition is read before any inline text).
    token.meta = {"pos": state.pos, "label": match.group(1),
                  "defined": state.env.get("footnotes", {}).get("refs", {})}
    state.pos = match.end()
    return True


def _render_missing(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                    env: dict[str, Any]) -> str:
    return escapeHtml(tokens[idx].content)


def _unused_definitions(state: StateCore) -> None:
    """Note the definitions no reference uses before the plugin drops them (``footnote_tail``
    removes the tokens that say where they stand)."""
    refs: dict[str, int] = state.env.get("footnotes", {}).get("refs", {})
    if not refs or all(number >= 0 for number in refs.values()):
        return
    unused: list[Unused] = []
    opened: list[tuple[Token, int]] = []  # definitions open, each with its last line so far
    for token in state.tokens:
        if token.type == "footnote_reference_open":
            start = (token.map or [0])[0]
            opened.append((token, start + 1))
        elif token.type == "footnote_reference_close" and opened:
            definition, end = opened.pop()
            if refs.get(":" + definition.meta["label"], -1) < 0:
                unused.append(Unused(definition.meta["label"], (definition.map or [0])[0], end))
            if opened:  # a definition inside another one ends within it
                opened[-1] = (opened[-1][0], max(opened[-1][1], end))
        elif opened and token.map:
            # The block tokens' lines, not the definition's own map, which runs on over the
            # blank lines after it.
            opened[-1] = (opened[-1][0], max(opened[-1][1], token.map[1]))
    state.env[UNUSED_NOTES] = unused


def footnotes_plugin(md: MarkdownIt) -> None:
    md.use(footnote_plugin)
    # Two entries of a YAML briefing, each with its [^1], must not share the note's ids.
    md.inline.ruler.at("footnote_ref", _stamping(partial(footnote_ref, always_match=False)))
    md.inline.ruler.at("footnote_inline", _stamping(footnote_inline))
    md.core.ruler.after("footnote_tail", "briefgen_stamp_notes", _stamp_notes)
    md.inline.ruler.after("footnote_ref", "briefgen_footnote_missing", _missing_reference)
    md.core.ruler.before("footnote_tail", "briefgen_unused_footnotes", _unused_definitions)
    md.add_render_rule(MISSING_NOTE, _render_missing)
    md.add_render_rule("footnote_ref", _ref)
    md.add_render_rule("footnote_open", _open)
    md.add_render_rule("footnote_anchor", _anchor)
