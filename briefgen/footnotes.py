"""Footnotes (mdit-py-plugins) whose ids are the theme's, so no editor's ``{#id}`` can clash.

The plugin names a note ``fn1`` and its reference ``fnref1``; an entry or heading may be
given those very ids. Here they are ``bg-fn-1`` and ``bg-fnref-1`` (``bg-fn-e2-1`` for the
notes of one entry's body in a YAML briefing, whose parts are parsed one by one), in the
``bg-`` namespace that editors' ids may not use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin


def _name(tokens: Sequence[Token], idx: int, env: dict[str, Any]) -> str:
    """``1``, or ``e2-1`` when the text was parsed with a ``docId``."""
    number = str(tokens[idx].meta["id"] + 1)
    doc_id = env.get("docId")
    return f"{doc_id}-{number}" if isinstance(doc_id, str) else number


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


def footnotes_plugin(md: MarkdownIt) -> None:
    md.use(footnote_plugin)
    md.add_render_rule("footnote_ref", _ref)
    md.add_render_rule("footnote_open", _open)
    md.add_render_rule("footnote_anchor", _anchor)
