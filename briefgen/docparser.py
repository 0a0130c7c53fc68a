"""The state of parsing one content file: its lines, diagnostics and rendered fragments."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from briefgen.citerules import BRACKETED, CITE_ERROR
from briefgen.datehints import month_table
from briefgen.errors import FILE_START, Diagnostics, Loc, split_lines
from briefgen.footnotes import MISSING_NOTE, defined_labels
from briefgen.fragments import FragmentRenderer, is_rendered_ahead
from briefgen.fragmenttypes import Fragment, RefTable
from briefgen.markup import ENTRY_HEADINGS, SETTLE_KEY, alt_text
from briefgen.model import Bracketed, Located, SiteLink
from briefgen.positions import Locator
from briefgen.rawhtml import OPEN, UNCLOSED
from briefgen.schema import LINK_SYNTAX, ReadContext, Record
from briefgen.slug import id_slug, is_valid_id
from briefgen.suggest import closest, within_one_edit
from briefgen.unshown import report_unshown

# A link that starts with a host name but no scheme (``www.state.gov/…``, ``cbsnews.com/x``):
# a relative path for browsers. A bare ``report.pdf`` is a file name, not a host.
_HOST_FIRST = re.compile(r"www\.[^\s/]+\.[^\s/]+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|"
                         r"gov|edu|int|info|news|io|co|uk|de|fr|ru|ua|eu|us|ca|au|in|cn|jp|br)"
                         r"(?:/|$)", re.IGNORECASE)


class DocumentParser:
    """One file's parse: Markdown is tokenised, located, then rendered to fragments whose
    links and citations are numbered in document order (``refs``)."""

    def __init__(self, path: str, text: str, md: MarkdownIt, zone: tzinfo,
                 language: str = "en") -> None:
        self.path = path
        self.lines = split_lines(text)
        self.locator = Locator(self.lines)
        self.md = md
        self.zone = zone
        self.months = month_table(language)  # for dates written with month names
        self.diags = Diagnostics(path)
        self.fragments = FragmentRenderer(md)
        # Explicit ids of the document's page (headings' {#id}, entries' id:) → where written.
        self.ids: dict[str, Loc] = {}
        # What is checked against the rest of the site later (``site.check``, ``site.paths``).
        self.brackets: list[Bracketed] = []
        self.site_links: list[SiteLink] = []

    @property
    def refs(self) -> RefTable:
        return RefTable(self.fragments.refs)

    def context(self, line_offset: int) -> ReadContext:
        return ReadContext(self.diags, self.zone, line_offset, self.lines)

    def tokens(self, text: str, first_line: int, doc_id: str | None = None,
               entries: bool = False) -> list[Token]:
        """The block tokens of ``text``, each inline token already located and rendered
        ahead (see ``FragmentRenderer.settle``), except those of footnotes. With
        ``entries``, top-level level-2 headings that start with a date carry it apart (a
        Markdown briefing's body)."""
        search = self.locator.text(first_line)

        def settle(inline: Token, children: list[Token], heading: bool) -> Token:
            notes = [child.meta["id"] for child in children if child.type == "footnote_ref"]
            if notes:  # which entry refers to which note (``briefings``): read before rendering
                inline.meta.setdefault(NOTES_REFERRED, []).extend(notes)
            search.add(inline, children)
            self._note_links(inline, children)
            self._inline_problems(children)
            return self.fragments.settle(inline, children, heading)

        env: dict[str, Any] = {SETTLE_KEY: settle}
        if doc_id is not None:
            env["docId"] = doc_id
        if entries:
            env[ENTRY_HEADINGS] = True
        tokens = self.md.parse(text, env)
        for token in tokens:  # footnotes, not settled: they come last, as they are rendered
            if token.type == "inline" and not is_rendered_ahead(token):
                search.add(token)
                self._note_links(token)
                self._inline_problems(token.children or ())
        self._unclosed_blocks(tokens, first_line)
        self._heading_ids(tokens, first_line)
        report_unshown(tokens, env, text,
                       lambda line, literal: self._place(first_line, line, literal), self.diags)
        return tokens

    def _place(self, first_line: int, line: int, literal: str) -> Loc:
        """Where ``literal`` stands in the file: it starts (or stands in) line ``line`` of a
        Markdown text whose first line is file line ``first_line``. In a Markdown file or a
        YAML block scalar (``|``) that is file line ``first_line + line``. YAML folds a
        ``>`` scalar into fewer lines, so there it stands on a later line, which may hold only
        its first words; a quoted one may also write line breaks as ``\\n``, so then it
        stands on an earlier line of the text."""
        start = max(first_line + line, 1)
        for number in (*range(start, len(self.lines) + 1), *range(first_line, start)):
            raw = self.lines[number - 1] if number > 0 else ""
            col = raw.find(literal)
            if col >= 0:
                return Loc(number, col + 1)
            words = raw.strip()
            if words and literal.startswith(words) and literal[len(words):][:1] in ("", " "):
                return Loc(number, raw.find(words) + 1)
        return Loc(min(start, max(len(self.lines), 1)), 1)

    def blocks(self, tokens: Sequence[Token], block: str | None = None) -> Fragment:
        return self.fragments.blocks(tokens, block)

    def markdown(self, text: str, first_line: int) -> Fragment:
        return self.blocks(self.tokens(text, first_line))

    def inline_tokens(self, text: str, loc: Loc) -> list[Token]:
        tokens = self.md.parseInline(text, {})
        self.locator.locate(tokens, loc.line, inline_line=loc.line)
        for token in tokens:
            self._note_links(token)
            self._inline_problems(token.children or ())
        return (tokens[0].children or []) if tokens else []

    def inline(self, text: str, loc: Loc, block: str | None = None,
               linked: bool = True) -> Fragment:
        return self.fragments.inline(self.inline_tokens(text, loc), block, text, linked)

    def inline_field(self, record: Record, key: str) -> Fragment | None:
        """A one-line field such as ``summary``, shown on lists too (see ``Ref.linked``)."""
        value = record.get(key)
        if not isinstance(value, str):
            return None
        return self.inline(value, record.where(key), linked=False)

    @staticmethod
    def located(record: Record, key: str, default: str) -> Located:
        value = record.get(key)
        return value if isinstance(value, Located) else Located(default, FILE_START)

    def _note_links(self, inline: Token, children: Sequence[Token] | None = None) -> None:
        """Keep the located bracketed texts and root-relative links of an inline token (of
        ``children``, a run of its children), and make its bracketed texts text again, so
        that they render as they always did."""
        if "[" in inline.content:
            self._note_children(inline.children or () if children is None else children)

    def _note_children(self, children: Sequence[Token]) -> None:
        for token in children:
            kind = token.type
            if kind == BRACKETED:
                token.type = "text"
                if "line" in token.meta:
                    self.brackets.append(Bracketed(token.meta["text"], token.meta["line"],
                                                   token.meta["col"], len(token.content)))
            elif kind == "link_open" or kind == "image":
                url = str(token.attrs.get("href" if kind == "link_open" else "src") or "")
                # Root-relative paths, and fragments of this page (``#entry-id``).
                site_path = url.startswith("/") and not url.startswith("//")
                fragment = url.startswith("#") and kind == "link_open"
                if "line" in token.meta and kind == "link_open" and _HOST_FIRST.match(url):
                    self.diags.error(Loc(token.meta["line"], token.meta["col"]),
                                     f"link to '{url}' has no 'https://', so browsers take it "
                                     f"for a path of this site; write 'https://{url}'",
                                     span=len(token.meta["literal"].partition("\n")[0]))
                if "line" in token.meta and (site_path or fragment):
                    self.site_links.append(SiteLink(url, token.meta["line"], token.meta["col"],
                                                    len(token.meta["literal"].partition("\n")[0]),
                                                    kind == "image"))
                if kind == "image" and "line" in token.meta:
                    self._note_caption(token)
                if token.children:  # an image's alt text
                    self._note_children(token.children)


    def _note_caption(self, image: Token) -> None:
        """An image's title is its caption, shown as written: a link or citation in it
        would appear as typed."""
        title = str(image.attrs.get("title") or "")
        markup = LINK_SYNTAX.search(title)
        if markup is None:
            return
        line, col = image.meta["line"], image.meta["col"]
        raw = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        # In the title, after the alt text and the path (the alt text may hold the same
        # words, where a link is fine).
        path = raw.find("](", col - 1)
        start = raw.find(title, path) if path >= 0 else -1
        found = raw.find(markup.group(0), start if start >= 0 else path) if path >= 0 else -1
        self.diags.warning(Loc(line, found + 1 if found >= 0 else col),
                           f"an image's title (its caption) is shown as written, so "
                           f"{markup.group(0)!r} would appear as typed: links and citations "
                           "work in the text around it; write the words alone",
                           span=len(markup.group(0)))

    def _inline_problems(self, children: Sequence[Token]) -> None:
        """A ``<!--`` without its ``-->`` is an error, not a note that hides the rest of the
        paragraph; so is a bracket that begins like a citation but does not parse (the
        children of an inline token, already located)."""
        for token in children:
            if token.type == CITE_ERROR:
                self.diags.error(Loc(token.meta["line"], token.meta["col"]),
                                 token.meta["problem"],
                                 span=len(token.content.partition("\n")[0]))
            elif token.type == "image":
                if not alt_text(token.children or []).strip():
                    src = token.attrGet("src")
                    self.diags.warning(Loc(token.meta["line"], token.meta["col"]),
                                       f"image '{src}' has no alt text; describe what it shows "
                                       f"for readers who cannot see it: ![What it shows]({src})",
                                       span=token.meta.get("span", 1))
                self._inline_problems(token.children or ())
            elif token.type == MISSING_NOTE:
                self._missing_note(token)
            elif token.type == UNCLOSED:
                self.diags.error(Loc(token.meta["line"], token.meta["col"]),
                                 "HTML comment is not closed in its paragraph; add '-->' where "
                                 "the note ends (a note that spans blank lines must start its "
                                 "own line)", span=len(OPEN))

    def _missing_note(self, token: Token) -> None:
        """A footnote reference whose label no definition has, shown as typed: it is text."""
        token.type = "text"
        literal, label = token.content, token.meta["label"]
        found = closest(label, defined_labels(token.meta.pop("defined")))
        if found:
            fix = "; did you mean " + " or ".join(f"[^{other}]" for other in found) + "?"
        else:
            fix = (f", so it is shown as typed; add one on a line of its own, as in {literal}: "
                   f"The text of the note (or write \\{literal} to show the brackets)")
        self.diags.warning(Loc(token.meta["line"], token.meta["col"]),
                           f"footnote {literal} has no definition{fix}", span=len(literal))

    def _unclosed_blocks(self, tokens: Sequence[Token], first_line: int) -> None:
        """The same for a comment that starts a block: it would hide the rest of the text."""
        for token in tokens:
            if token.type == UNCLOSED and token.map:
                line = first_line + token.map[0]
                raw = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
                self.diags.error(Loc(line, raw.find(token.content) + 1 or 1),
                                 "HTML comment is not closed; add '-->' where the note ends",
                                 span=len(OPEN))

    def claim_id(self, element_id: str, loc: Loc, span: int) -> bool:
        """Record an explicit id; one written twice on a page is an error at the second,
        naming the line of the first (SPEC §12). True if the id was free."""
        first = self.ids.get(element_id)
        if first is None:
            self.ids[element_id] = loc
            return True
        self.diags.error(loc, f"id '{element_id}' is already used on line {first.line}; ids are "
                              "unique on a page: give one of them another id", span=span)
        return False

    def _heading_ids(self, tokens: list[Token], first_line: int) -> None:
        """Check ``{#id}`` on headings of every level and give the heading that id; check
        their classes, and attributes left in the middle of their text."""
        for index, token in enumerate(tokens):
            if token.type != "heading_open" or "classes" not in token.meta:
                continue
            line = first_line + (token.map or [0])[0]
            raw = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
            self._heading_classes(token.meta["classes"], raw, line)
            if index + 1 < len(tokens):
                self._attributes_inside(tokens[index + 1].content, raw, line)
            explicit = token.meta.get("explicit_id")
            if explicit is None:
                continue
            loc = Loc(line, raw.rfind("{#") + 1 if "{#" in raw else 1)
            if id_problem(explicit, loc, self.diags):
                token.meta["explicit_id"] = None
                continue
            if self.claim_id(explicit, loc, len(explicit) + 3):
                token.attrSet("id", explicit)  # a second one has none, even in a failed build

    def _heading_classes(self, classes: list[str], raw: str, line: int) -> None:
        """Only ``{.section}`` and ``{.planned}`` mean something (other classes are dropped,
        as documented); a misspelt one would make a section an entry, or leave a planned
        event unmarked, without a word."""
        for name in classes:
            near = [c for c in HEADING_CLASSES if name != c and (
                within_one_edit(name.lower(), c) or closest(name.lower(), [c]))]
            if near:
                self.diags.error(Loc(line, raw.rfind("." + name) + 1 or 1),
                                 f"unknown heading class '.{name}'; did you mean '.{near[0]}'?",
                                 span=len(name) + 1)

    def _attributes_inside(self, content: str, raw: str, line: int) -> None:
        """``{#id}`` followed by more text is not read as the heading's id but kept in its
        title (and its generated id), and links to the id find nothing; so is ``{talks}``,
        an id without its ``#``."""
        match = _ATTRIBUTES_INSIDE.search(content)
        if match is None:
            bare = _BARE_ID.search(content)
            if bare is not None:
                found = bare.group(0)
                self.diags.warning(Loc(line, raw.rfind(found) + 1 or 1),
                                   f"'{found}' at the end of the heading is read as text of its "
                                   f"title; for an id, write '{{#{bare.group(1)}}}'",
                                   span=len(found))
            return
        found = match.group(0)
        self.diags.warning(Loc(line, raw.find(found) + 1 or 1),
                           f"'{found}' is read as text of the heading, because more text "
                           "follows it; put it at the very end of the heading line",
                           span=len(found))


# Meta of an inline token: the footnotes it refers to (their numbers, from 0).
NOTES_REFERRED = "briefgen_notes"
# Heading classes that mean something (SPEC §3).
HEADING_CLASSES = ("section", "planned")
# ``{#id}`` or ``{.class}`` left inside a heading's text (what ends a heading is read off).
_ATTRIBUTES_INSIDE = re.compile(r"\{\s*(?:[#.][\w-]+\s*)+\}")
# An id written without its '#' at the end of a heading (``## … {talks}``).
_BARE_ID = re.compile(r"\{\s*([a-z0-9][a-z0-9-]*)\s*\}\s*$")


def id_problem(explicit: str, loc: Loc, diags: Diagnostics) -> bool:
    """Report an explicit id that breaks the id rule (SPEC §1, §12); True if it does."""
    if is_valid_id(explicit) and not explicit.startswith("bg-"):
        return False
    reason = "starts with bg-, which is reserved for the theme" if explicit.startswith("bg-") \
        else "must use lower-case letters, digits and hyphens"
    fixed = id_slug(explicit.removeprefix("bg-"))
    fix = f"try '{fixed}'" if fixed else \
        "an explicit id is ASCII (without one, an entry's id keeps the script of its title)"
    diags.error(loc, f"id '{explicit}' {reason}; {fix}", span=len(explicit) + 3)
    return True
