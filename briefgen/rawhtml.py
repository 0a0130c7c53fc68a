"""Raw HTML in Markdown: comments are editors' notes, other HTML is shown as text unless trusted.

markdown-it always recognises raw HTML here, whatever ``markdown.unsafe_html`` says, so that
a document has one structure in both modes: ``[[…]]`` and ``[@…]`` inside a tag or an HTML
block are never links or citations, and the option only decides whether that HTML is copied
into the page or shown as text.

``<!-- … -->`` is removed before anything is derived from the Markdown: it makes no token,
so it is in no HTML, no plain text, and its links and citations count nowhere. Code spans and
code blocks are matched first, so a comment inside code stays code. A ``<!--`` without its
``-->`` becomes a ``comment_unclosed`` token, which the document parser reports.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.ruler import RuleOptionsType
from markdown_it.rules_block import StateBlock, html_block
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from briefgen.typography import RAW_HTML

OPEN, CLOSE = "<!--", "-->"
UNCLOSED = "comment_unclosed"


def _comment_end(state: StateBlock, start_line: int, end_line: int) -> tuple[int, int] | None:
    """The line and offset where the comment opened on ``start_line`` closes, if it does."""
    search_from = state.bMarks[start_line] + state.tShift[start_line] + 2  # "<!-->" closes
    for line in range(start_line, end_line):
        if line > start_line:
            search_from = state.bMarks[line]
        found = state.src.find(CLOSE, search_from, state.eMarks[line])
        if found >= 0:
            return line, found + len(CLOSE)
    return None


def _comment_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A comment that starts a line and ends a line (of its own or a later one)."""
    start = state.bMarks[start_line] + state.tShift[start_line]
    if state.is_code_block(start_line) or not state.src.startswith(OPEN, start):
        return False
    end = _comment_end(state, start_line, end_line)
    if end is not None and state.src[end[1]:state.eMarks[end[0]]].strip():
        return False  # text follows on its last line: a paragraph, where the inline rule acts
    if silent:
        return True
    if end is None:
        token = state.push(UNCLOSED, "", 0)
        token.map = [start_line, start_line + 1]
        token.content = OPEN
        state.line = start_line + 1
    else:
        state.line = end[0] + 1
    return True


def _comment_inline(state: StateInline, silent: bool) -> bool:
    """A comment inside a paragraph, which may span its lines but not a blank line."""
    if not state.src.startswith(OPEN, state.pos):
        return False
    found = state.src.find(CLOSE, state.pos + 2)
    if found < 0:
        if not silent:
            token = state.push(UNCLOSED, "", 0)
            token.content = OPEN
            token.meta = {"pos": state.pos}
        state.pos += len(OPEN)
        return True
    line_start = state.pos == 0 or state.src[state.pos - 1] == "\n"
    state.pos = found + len(CLOSE)
    if silent:
        return True
    # The note goes with the spaces that set it apart: "a <!-- note --> b" reads "a b".
    if state.pos == state.posMax or state.src[state.pos] == "\n":
        state.pending = state.pending.rstrip(" ")
    elif line_start or state.pending.endswith(" "):
        while state.src.startswith(" ", state.pos):
            state.pos += 1
    return True


def _html_block_but_comments(state: StateBlock, start_line: int, end_line: int,
                             silent: bool) -> bool:
    """markdown-it's HTML blocks, less those that start with a comment: a comment followed
    by text on its last line is left to the paragraph, where the note alone is removed."""
    start = state.bMarks[start_line] + state.tShift[start_line]
    if state.src.startswith(OPEN, start):
        return False
    return bool(html_block(state, start_line, end_line, silent))


def _without_comments(html: str) -> tuple[str, int | None]:
    """``html`` without its comments, and the offset of a ``<!--`` never closed, if any."""
    kept = []
    pos = 0
    while (start := html.find(OPEN, pos)) >= 0:
        kept.append(html[pos:start])
        end = html.find(CLOSE, start + 2)
        if end < 0:
            return "".join(kept), start
        pos = end + len(CLOSE)
    kept.append(html[pos:])
    return "".join(kept), None


def without_notes(text: str) -> str:
    """A piece of text that the inline rule does not see (a link's label) without its
    editor's notes, the spaces around each one made one."""
    if OPEN not in text:
        return text
    kept, unclosed = _without_comments(text)
    return text if unclosed is not None else " ".join(kept.split())


def _notes_in_html_blocks(state: StateCore) -> None:
    """Comments inside an HTML block (``<div>… <!-- note --> …</div>``) are notes too."""
    tokens: list[Token] = []
    for token in state.tokens:
        if token.type != "html_block" or OPEN not in token.content:
            tokens.append(token)
            continue
        original = token.content
        token.content, unclosed = _without_comments(original)
        if token.content.strip():
            tokens.append(token)
        if unclosed is not None and token.map:
            line = token.map[0] + original.count("\n", 0, unclosed)
            tokens.append(Token(UNCLOSED, "", 0, map=[line, line + 1], content=OPEN,
                                level=token.level, block=True))
    state.tokens = tokens


HTML_BLOCK = "briefgen_html_block"  # meta of the paragraph that an HTML block's text becomes


def _html_blocks_as_text(state: StateCore) -> None:
    """Without ``unsafe_html``, raw HTML is text: escaped like any text, and plain text too.
    An HTML block becomes a paragraph of its text, whose links and citations are text."""
    tokens: list[Token] = []
    for token in state.tokens:
        if token.type == "html_block":
            tokens.extend(_paragraph(token))
        else:
            tokens.append(token)
    state.tokens = tokens


def _html_inline_as_text(state: StateInline) -> None:
    """The same for raw HTML within a paragraph, as soon as the paragraph is parsed (before
    it is rendered ahead, see ``markup``). It becomes ``text_special``, which typography
    leaves as typed and which is joined into the text around it afterwards."""
    for token in state.tokens:
        if token.type == "html_inline":
            token.type = "text_special"
            token.meta[RAW_HTML] = True


def _paragraph(block: Token) -> list[Token]:
    opening = Token("paragraph_open", "p", 1, map=block.map, level=block.level, block=True)
    inline = Token("inline", "", 0, map=block.map, level=block.level + 1, block=True,
                   content=block.content.rstrip("\n"))
    inline.children = [Token("text", "", 0, content=inline.content)]
    inline.meta[HTML_BLOCK] = True
    closing = Token("paragraph_close", "p", -1, level=block.level, block=True)
    return [opening, inline, closing]


def _render_nothing(self: object, tokens: object, idx: int, options: object, env: object) -> str:
    return ""


def rawhtml_plugin(md: MarkdownIt, unsafe_html: bool) -> None:
    """Comments removed in either mode; other raw HTML passed through only if ``unsafe_html``.
    ``md`` must have been made with the ``html`` option on."""
    alt: RuleOptionsType = {"alt": ["paragraph", "reference", "blockquote"]}
    md.block.ruler.before("html_block", "briefgen_comment", _comment_block, alt)
    md.block.ruler.at("html_block", _html_block_but_comments, alt)
    md.inline.ruler.before("autolink", "briefgen_comment", _comment_inline)
    md.core.ruler.after("block", "briefgen_notes_in_html", _notes_in_html_blocks)
    if not unsafe_html:
        md.core.ruler.after("inline", "briefgen_html_as_text", _html_blocks_as_text)
        md.inline.ruler2.push("briefgen_html_as_text", _html_inline_as_text)
    md.add_render_rule(UNCLOSED, _render_nothing)
