"""Markdown that CommonMark reads otherwise than its editor meant, published without a word.

- A footnote definition that nothing refers to is dropped, with every line folded into it.
- A line such as ``[Update]: CBS`` is a link reference definition: it is not shown, and if no
  link uses it, it was most likely meant as text.
- Text indented by four spaces (or a tab) is a code block, where ``[[links]]`` and
  ``[@citations]`` are shown as typed and do nothing; a fenced code block is deliberate.
- A line of HTML (``<br>``, ``<div>``) starts an HTML block that runs to the next blank line:
  the ``[[links]]`` and ``[@citations]`` of the lines under it do nothing.
- In a table row, the ``|`` of ``[[target|label]]`` ends the cell: the link is shown in
  pieces and the row's cells shift (an error: written ``\\|``, it stays in the link).
- A paragraph that starts with a year and a full stop (``2023. That was the year…``) is a
  numbered list that counts from that year: a later ``1989.`` item is shown as ``2024.``.
- A line right after a quotation (``> …``) that does not start with ``>`` is taken into the
  quote ("lazy continuation"): the editor's own sentence is shown as the quoted person's.

Each is reported where it is written: a warning, but for the broken link, an error. A missing
footnote definition is an inline problem, reported with the others by the document parser
(see ``footnotes``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from briefgen.errors import Diagnostics, Loc, split_lines
from briefgen.footnotes import UNUSED_NOTES, Unused
from briefgen.rawhtml import HTML_BLOCK
from briefgen.schema import LINK_SYNTAX

# A 0-based line of a Markdown text and a literal written on it (or starting it) -> where
# the literal stands in the file.
Place = Callable[[int, str], Loc]

_SHOWN = 60  # of a reference definition quoted in a message, at most this many characters


class _UsedReferences(dict[str, Any]):
    """``env["references"]`` that notes the labels links look up: markdown-it's link and
    image rules read a definition with ``get`` (membership tests are not uses)."""

    def __init__(self, references: dict[str, Any]) -> None:
        super().__init__(references)
        self.used: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.used.add(key)
        return super().get(key, default)


def _track_references(state: StateCore) -> None:
    """After the block stage (which collects the definitions), before any link is read."""
    references = state.env.get("references")
    if isinstance(references, dict) and not isinstance(references, _UsedReferences):
        state.env["references"] = _UsedReferences(references)


def unshown_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("block", "briefgen_track_references", _track_references)


def report_unshown(tokens: Sequence[Token], env: dict[str, Any], text: str, place: Place,
                   diags: Diagnostics) -> None:
    """Warn of what the parse of one Markdown text (``text``, with ``env``) left unshown."""
    notes: list[Unused] = env.get(UNUSED_NOTES, [])
    references = env.get("references")
    unused: list[list[int]] = []
    if isinstance(references, _UsedReferences):
        unused = [value["map"] for label, value in references.items()
                  if label not in references.used]
        # A second definition of a label is never used: the first one wins.
        unused += [value["map"] for value in env.get("duplicate_refs", ())]
    lines: list[str] | None = None  # split once, if a check needs them

    def text_lines() -> list[str]:
        nonlocal lines
        if lines is None:
            lines = split_lines(text)
        return lines

    for note in notes:
        _unused_note(note, text_lines(), place, diags)
    for taken in sorted(unused):
        _unused_reference(taken, text_lines(), place, diags)
    for index, token in enumerate(tokens):
        if token.type == "fence" and token.map:
            _unclosed_fence(token, text_lines(), place, diags)
        elif token.type == "code_block" and token.map:
            _code_with_links(token, token.map[0], place, diags)
        elif token.type == "blockquote_open" and token.map:
            _lazy_quote_line(token.map, text_lines(), place, diags)
        elif (token.type == "html_block" or token.meta.get(HTML_BLOCK)) and token.map:
            _html_with_links(token, token.map[0], place, diags)
        elif token.type == "ordered_list_open" and token.map:
            _year_list(tokens, index, place, diags)
        elif token.type == "table_open" and token.map:
            _links_split_by_cells(token.map, text_lines(), place, diags)
        elif token.type == "inline" and token.map and "](" in token.content:
            _spaced_address(token, place, diags)


def _line(lines: Sequence[str], number: int) -> str:
    return lines[number] if 0 <= number < len(lines) else ""


def _unused_note(note: Unused, lines: Sequence[str], place: Place, diags: Diagnostics) -> None:
    literal = f"[^{note.label}]"
    taken = sum(1 for number in range(note.start, note.end) if _line(lines, number).strip())
    raw = _line(lines, note.start)
    diags.warning(place(note.start, raw[max(raw.find(literal), 0):]),
                  f"footnote {literal} is never referred to, so its text "
                  f"({taken} line{'s' if taken != 1 else ''}) is not shown; refer to it with "
                  f"{literal} or remove it", span=len(literal) + 1)


def _unused_reference(taken: list[int], lines: Sequence[str], place: Place,
                      diags: Diagnostics) -> None:
    first = _line(lines, taken[0])
    first = first[max(first.find("["), 0):].rstrip()
    # The definition as one line of text, as it would read once escaped.
    text = " ".join(_line(lines, number).strip() for number in range(taken[0] + 1, taken[1]))
    text = f"{first} {text}".strip()
    if len(text) > _SHOWN:
        text = text[:_SHOWN - 1].rstrip() + "…"
    diags.warning(place(taken[0], first),
                  f"'{text}' is a link reference definition, which is not shown, and no link "
                  f"uses it; to show it as text, escape the bracket: \\{text}",
                  span=len(first.partition("]")[0]) + 1)


def _first_link(lines: Iterable[tuple[int, str]]) -> tuple[int, str] | None:
    """The first ``[[link]]`` or ``[@citation]`` of numbered lines: its line and text."""
    for number, line in lines:
        match = LINK_SYNTAX.search(line)
        if match is not None:
            return number, match.group()
    return None


_CONTAINER_MARKS = re.compile(r"^[ \t>]*")  # of a quote's lines, and a list item's indent


def _unclosed_fence(token: Token, lines: Sequence[str], place: Place,
                    diags: Diagnostics) -> None:
    """At the opening of a fenced code block that is never closed: Markdown shows the rest
    of the text (of its quote or list item) as code, entry headings included."""
    assert token.map is not None
    start, end = token.map
    last = _CONTAINER_MARKS.sub("", _line(lines, end - 1)).rstrip()
    fence = token.markup
    if end - 1 > start and last.startswith(fence) and not last.strip(fence[0]):
        return  # closed by a line of the fence's characters, at least as many
    opening = _line(lines, start)
    taken = end - start - 1
    diags.warning(place(start, opening[opening.find(fence):]),
                  f"this code block is never closed: the {taken} line"
                  f"{'s' if taken != 1 else ''} after it, to the end of the text, are shown "
                  f"as code (headings, [[links]] and [@citations] included); close it with a "
                  f"line of {fence}", span=len(fence))


def _code_with_links(token: Token, first: int, place: Place, diags: Diagnostics) -> None:
    """At the first ``[[link]]`` or ``[@citation]`` of an indented code block, if any (its
    lines are the text's, from ``first`` on, without the indentation)."""
    found = _first_link(enumerate(token.content.split("\n"), start=first))
    if found is not None:
        line, link = found
        diags.warning(place(line, link),
                      "this text is indented by 4 spaces (or a tab), so Markdown shows it as "
                      "code and its [[links]] and [@citations] do nothing; remove the "
                      "indentation", span=len(link))


_TAG = re.compile(r"<[^>\n]{0,40}>?")


def _html_with_links(token: Token, first: int, place: Place, diags: Diagnostics) -> None:
    """At the first ``[[link]]`` or ``[@citation]`` on the lines an HTML block takes under
    its first one, if any (on the HTML's own line, a link is deliberately inside it)."""
    lines = token.content.split("\n")
    # A line of HTML (<summary>…) is HTML on purpose; text under the HTML is what it takes.
    found = _first_link((first + offset, line) for offset, line in enumerate(lines)
                        if offset and not line.lstrip().startswith("<"))
    if found is not None:
        line, link = found
        tag = _TAG.search(lines[0])
        opening = tag.group() if tag else lines[0].strip()[:40]
        diags.warning(place(line, link),
                      f"this line is part of the HTML block that '{opening}' starts (up to the "
                      "next blank line), so its [[links]] and [@citations] do nothing; leave a "
                      "blank line between the HTML and the text", span=len(link))


_YEARS = range(1000, 3000)  # a list that starts at one of these is most likely a year


def _year_list(tokens: Sequence[Token], index: int, place: Place, diags: Diagnostics) -> None:
    """A list that starts at a year and shows one of its items with another number than
    the one written (``1989.`` after ``2023.`` is shown as 2024)."""
    token = tokens[index]
    start = int(str(token.attrs.get("start", 1)))
    if start not in _YEARS or not token.map:
        return
    shown, level = start, token.level
    renumbered = False
    for item in tokens[index + 1:]:
        if item.type == "ordered_list_close" and item.level == level:
            break
        if item.type == "list_item_open" and item.level == level + 1:
            renumbered = renumbered or (item.info.isdigit() and int(item.info) != shown)
            shown += 1
    if renumbered:
        written = f"{start}{token.markup}"
        diags.warning(place(token.map[0], written),
                      f"'{written}' at the start of a line begins a numbered list, whose items "
                      f"are shown as {start}, {start + 1}, … whatever numbers they have; to start "
                      f"a sentence with the year, write '{start}\\{token.markup}'",
                      span=len(written))


# A link whose label follows an unescaped '|' (markdown-it splits table rows at those).
_LINK_WITH_BAR = re.compile(r"\[\[[^\]\n]*?(?<!\\)\|")


def _links_split_by_cells(taken: list[int], lines: Sequence[str], place: Place,
                          diags: Diagnostics) -> None:
    for number in range(taken[0], taken[1]):
        for match in _LINK_WITH_BAR.finditer(_line(lines, number)):
            link = match.group()
            diags.error(place(number, link),
                        f"in a table, the '|' of '{link}…]]' ends the cell, so the link is "
                        f"broken and the cells after it shift; write "
                        f"'{link[:-1]}\\|…]]' in a table", span=len(link))


# A link or image whose address holds a space and no title in quotes: not a link for
# Markdown, which shows it as typed (``![Map](/images/my map.jpg)``).
_SPACED_ADDRESS = re.compile(r"!?\[[^\]\n]*\]\((?P<address>[^\s()<>\"']+(?:[ \t]+[^\s()<>\"']+)+)\)")


_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)


def _spaced_address(token: Token, place: Place, diags: Diagnostics) -> None:
    """At each link or image of a paragraph whose address holds a space (not in code)."""
    content = _CODE_SPAN.sub(lambda m: " " * len(m.group()), token.content)
    for match in _SPACED_ADDRESS.finditer(content):
        what = "image" if match.group().startswith("!") else "link"
        line = (token.map or [0])[0] + content.count("\n", 0, match.start())
        written = match.group().split("\n")[0]
        diags.warning(place(line, written),
                      f"this {what}'s address has a space, so Markdown shows the {what} as text; "
                      f"write the address as <{match.group('address')}>, or with %20 for each "
                      "space", span=len(written))


def _lazy_quote_line(taken: list[int], lines: Sequence[str], place: Place,
                     diags: Diagnostics) -> None:
    """At the first line of a quotation (lines ``taken``) that does not start with ``>``:
    Markdown joins it to the quote's paragraph."""
    for number in range(taken[0] + 1, taken[1]):
        text = _line(lines, number).strip()
        if text and not text.startswith(">"):
            diags.warning(place(number, text),
                          "this line has no '>' but continues the quotation above, so it is "
                          "shown as part of the quote; start it with '>' if it belongs to the "
                          "quote, or leave a blank line before it to end the quote",
                          span=len(text.split()[0]))
            return
