"""Pure parsers: a file's path and text in, a document and its diagnostics out.

No I/O and no knowledge of other files: cross-references are checked later, against the
complete index. The results can be cached by the file's fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import tzinfo
from pathlib import PurePosixPath
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from briefgen import fields as F
from briefgen.dates import DateError, DatePoint, DateValue, parse_date
from briefgen.errors import FILE_START, Diagnostic, Diagnostics, Loc
from briefgen.frontmatter import split_front_matter
from briefgen.markup import locate, plain_text
from briefgen.model import (
    Actor,
    Briefing,
    Collection,
    Document,
    Entry,
    InlineMarkdown,
    Located,
    Markdown,
    Page,
    Role,
    Section,
    Source,
    Update,
)
from briefgen.schema import Field, ReadContext, Record, SourceText, read_record
from briefgen.slug import is_valid_id, slugify
from briefgen.yamlsource import compose

MARKDOWN_SUFFIXES = (".md", ".markdown")
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Parsed:
    document: Document | None
    diagnostics: list[Diagnostic]
    # The id under which a failed file is known, so links to it are not reported twice.
    id: str


class _Parser:
    """The state of parsing one file: its lines, diagnostics and Markdown configuration."""

    def __init__(self, path: str, text: str, md: MarkdownIt, zone: tzinfo) -> None:
        self.path = path
        self.text = text
        self.lines = text.splitlines()
        self.md = md
        self.zone = zone
        self.diags = Diagnostics(path)

    def context(self, line_offset: int) -> ReadContext:
        return ReadContext(self.diags, self.zone, line_offset)

    def markdown(self, text: str, first_line: int, doc_id: str | None = None) -> Markdown:
        env: dict[str, Any] = {} if doc_id is None else {"docId": doc_id}
        tokens = self.md.parse(text, env)
        locate(tokens, self.lines, first_line)
        self.heading_ids(tokens, first_line)
        return Markdown(tokens, first_line)

    def heading_ids(self, tokens: list[Token], first_line: int) -> None:
        """Check ``{#id}`` on headings and give the heading that id."""
        for token in tokens:
            explicit = token.meta.get("explicit_id") if token.type == "heading_open" else None
            if explicit is None:
                continue
            line = first_line + (token.map or [0])[0]
            raw = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
            loc = Loc(line, raw.rfind("{#") + 1 if "{#" in raw else 1)
            if _id_problem(explicit, loc, self.diags):
                token.meta["explicit_id"] = None
            else:
                token.attrSet("id", explicit)

    def inline(self, text: str, loc: Loc) -> InlineMarkdown:
        tokens = self.md.parseInline(text, {})
        locate(tokens, self.lines, loc.line, inline_line=loc.line)
        return InlineMarkdown(text, tokens, loc)

    def inline_field(self, record: Record, key: str) -> InlineMarkdown | None:
        value = record.get(key)
        return self.inline(value, record.where(key)) if isinstance(value, str) else None

    @staticmethod
    def located(record: Record, key: str, default: str) -> Located:
        value = record.get(key)
        return value if isinstance(value, Located) else Located(default, FILE_START)


def _located_list(values: list[Any]) -> tuple[Located, ...]:
    return tuple(v for v in values if isinstance(v, Located))


def parse_document(collection: Collection, path: str, text: str, md: MarkdownIt,
                   zone: tzinfo) -> Parsed:
    """Parse one content file of ``collection``; ``path`` is relative to the site folder."""
    parser = _Parser(path, text, md, zone)
    name = PurePosixPath(path)
    doc_id = name.stem
    if not is_valid_id(doc_id):
        fixed = slugify(doc_id) or "untitled"
        parser.diags.error(FILE_START, f"'{name.name}' is not a valid file name: ids use lower-case"
                                       f" letters, digits and hyphens; rename it to "
                                       f"'{fixed}{name.suffix}'")
        doc_id = fixed
    is_yaml = name.suffix.lower() in YAML_SUFFIXES
    if is_yaml:
        node, problem = compose(text)
        body: SourceText | None = None
    else:
        split = split_front_matter(text)
        if split.problem:
            parser.diags.error(*split.problem)
            return Parsed(None, parser.diags.items, doc_id)
        node, problem = (compose(split.yaml_text, split.yaml_first_line - 1)
                         if split.yaml_text is not None else (None, None))
        body = SourceText(split.body, split.body_first_line)
    if problem:
        parser.diags.error(problem.loc, problem.message)
        return Parsed(None, parser.diags.items, doc_id)
    line_offset = 0 if is_yaml else 1
    # A document with errors of its own is still returned when it could be built, so that
    # its links and citations are checked in the same run; the build fails on the errors.
    document = _BUILDERS[collection](parser, doc_id, node, body, line_offset)
    return Parsed(document, parser.diags.items, doc_id)


# Stand-ins for required values that were reported as missing or invalid: the document is
# still built, so that its links are checked in the same run, but the build fails anyway.
_NO_DATE = DateValue(DatePoint(1))


def _read(parser: _Parser, node: yaml.Node | None, fields: dict[str, Field], what: str,
          line_offset: int) -> Record | None:
    record = read_record(node, fields, parser.context(line_offset), what)
    return record if isinstance(record, Record) else None


# ------------------------------------------------------------------ actors, sources, pages

def _actor(parser: _Parser, doc_id: str, node: yaml.Node | None, body: SourceText | None,
           line_offset: int) -> Actor | None:
    record = _read(parser, node, F.ACTOR, "an actor", line_offset)
    if record is None:
        return None
    roles = []
    for role in record.get("roles", []):
        if not isinstance(role, Record) or "title" not in role.values:
            continue
        start, end = role.get("from"), role.get("to")
        if start and end and end.end is None and start.sort_instant(parser.zone) > \
                end.start.last_instant(parser.zone):
            parser.diags.error(role.where("to"), "a role cannot end ('to') before it starts ('from')")
        of = Located(role.get("of"), role.where("of")) if role.get("of") else None
        roles.append(Role(role.get("title"), of, start, end))
    return Actor(
        id=doc_id, path=parser.path, name=parser.located(record, "name", doc_id),
        kind=record.get("kind", "person"), aliases=_located_list(record.get("aliases", [])),
        summary=parser.inline_field(record, "summary"), roles=tuple(roles),
        wikidata=record.get("wikidata"), links=tuple(record.get("links", [])),
        body=parser.markdown(body.text, body.first_line) if body and body.text.strip() else None,
    )


def _source(parser: _Parser, doc_id: str, node: yaml.Node | None, body: SourceText | None,
            line_offset: int) -> Source | None:
    record = _read(parser, node, F.SOURCE, "a source", line_offset)
    if record is None:
        return None
    return Source(
        id=doc_id, path=parser.path, title=record.get("title", doc_id),
        publisher=parser.located(record, "publisher", ""), date=record.get("date", _NO_DATE),
        url=record.get("url"), authors=tuple(record.get("authors", [])),
        accessed=record.get("accessed"), archive_url=record.get("archive_url"),
        kind=record.get("kind", "article"), language=record.get("language"),
        body=parser.markdown(body.text, body.first_line) if body and body.text.strip() else None,
    )


def _page(parser: _Parser, doc_id: str, node: yaml.Node | None, body: SourceText | None,
          line_offset: int) -> Page | None:
    record = _read(parser, node, F.PAGE, "a page", line_offset)
    if record is None:
        return None
    text = body or SourceText("", 1)
    return Page(id=doc_id, path=parser.path, title=record.get("title", doc_id),
                body=parser.markdown(text.text, text.first_line),
                summary=parser.inline_field(record, "summary"),
                draft=record.get("status") == "draft")


# ------------------------------------------------------------------ briefings

def _briefing(parser: _Parser, doc_id: str, node: yaml.Node | None, body: SourceText | None,
              line_offset: int) -> Briefing | None:
    fields = F.BRIEFING if body is not None else F.BRIEFING_YAML
    record = _read(parser, node, fields, "a briefing", line_offset)
    if record is None:
        return None
    if body is not None:
        tokens = parser.markdown(body.text, body.first_line).tokens
        lead, blocks, notes = _split_body(parser, tokens, body.first_line)
    else:
        lead_text = record.get("lead")
        lead = parser.markdown(lead_text.text, lead_text.first_line, "lead").tokens \
            if isinstance(lead_text, SourceText) else []
        blocks, notes = _yaml_entries(parser, record.get("entries", [])), []
    _check_entry_ids(parser, blocks, in_yaml=body is None)
    updates = tuple(Update(u.get("date"), parser.inline(u.get("note"), u.where("note")))
                    for u in record.get("updates", [])
                    if isinstance(u, Record) and "date" in u.values and "note" in u.values)
    return Briefing(
        id=doc_id, path=parser.path, title=record.get("title", doc_id),
        date=record.get("date", _NO_DATE),
        lead=lead, blocks=tuple(_with_section_ids(blocks)), notes=notes,
        summary=parser.inline_field(record, "summary"), updated=record.get("updated"),
        updates=updates, authors=tuple(record.get("authors", [])),
        tags=_located_list(record.get("tags", [])), draft=record.get("status") == "draft",
    )


def _split_body(parser: _Parser, tokens: list[Token], first_line: int
                ) -> tuple[list[Token], list[Entry | Section], list[Token]]:
    """Lead, then one block per level-2 heading; the footnotes come last."""
    lead: list[Token] = []
    notes: list[Token] = []
    blocks: list[Entry | Section] = []
    current: list[Token] = lead
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "footnote_block_open":
            notes = tokens[index:]
            break
        if token.type == "heading_open" and token.tag == "h2" and token.level == 0:
            inline, line = tokens[index + 1], first_line + (token.map or [0])[0]
            block = _heading_block(parser, token, inline, line)
            blocks.append(block)
            current = block.body
            index += 3  # heading_open, inline, heading_close
            continue
        current.append(token)
        index += 1
    return lead, blocks, notes


def _heading_block(parser: _Parser, heading: Token, inline: Token, line: int) -> Entry | Section:
    meta = heading.meta
    title = inline.children or []
    title_text = plain_text(title)
    raw = parser.lines[line - 1] if 0 < line <= len(parser.lines) else ""
    date_text = meta.get("date_text")
    if date_text is None:
        return Section(meta.get("explicit_id") or "", title, title_text, [])
    col = max(1, raw.find(date_text) + 1)
    loc = Loc(line, col)
    try:
        date = parse_date(date_text, parser.zone)
    except DateError as exc:
        parser.diags.error(loc, f"entry heading starts with an invalid date: {exc}; to make it an"
                                " ordinary section, end the heading with {.section}",
                           span=len(date_text))
        return Section("", title, title_text, [], meant_as_entry=True)
    if not title_text:
        parser.diags.error(loc, f"entry heading has a date ({date_text}) but no title after it")
    explicit = meta.get("explicit_id")
    id_loc = Loc(line, raw.rfind("{#") + 1) if explicit and "{#" in raw else None
    entry = _entry(parser, date, explicit, title, title_text, [], loc)
    return replace(entry, id_loc=id_loc)


def _entry(parser: _Parser, date: DateValue, explicit: str | None, title: list[Token],
           title_text: str, body: list[Token], loc: Loc, id_loc: Loc | None = None) -> Entry:
    if explicit is not None and not (id_loc and _id_problem(explicit, id_loc, parser.diags)):
        entry_id = explicit
    else:
        slug = slugify(title_text)
        entry_id = f"{date.start.date_iso()}-{slug}" if slug else date.start.date_iso()
    return Entry(entry_id, date, title, title_text, body, loc)


def _id_problem(explicit: str, loc: Loc, diags: Diagnostics) -> bool:
    """Report an explicit id that breaks the id rule (SPEC §1, §12); True if it does."""
    if is_valid_id(explicit) and not explicit.startswith("bg-"):
        return False
    reason = "starts with bg-, which is reserved for the theme" if explicit.startswith("bg-") \
        else "must use lower-case letters, digits and hyphens"
    diags.error(loc, f"id '{explicit}' {reason}; try '{slugify(explicit.removeprefix('bg-')) or 'entry'}'",
                span=len(explicit) + 3)
    return True


def _yaml_entries(parser: _Parser, items: list[Any]) -> list[Entry | Section]:
    blocks: list[Entry | Section] = []
    for number, item in enumerate(items):
        if not isinstance(item, Record) or "date" not in item.values:
            continue
        title = parser.inline(item.get("title", ""), item.where("title"))
        text = item.get("body")
        body = parser.markdown(text.text, text.first_line, f"e{number + 1}").tokens \
            if isinstance(text, SourceText) else []
        children = (title.tokens[0].children or []) if title.tokens else []
        entry = _entry(parser, item.get("date"), item.get("id"), children, plain_text(children),
                       body, item.loc, item.where("id"))
        blocks.append(replace(entry, id_loc=item.where("id")) if item.get("id") else entry)
    return blocks


def _check_entry_ids(parser: _Parser, blocks: list[Entry | Section], in_yaml: bool) -> None:
    seen: dict[str, Entry] = {}
    fix = "give one of them another id" if in_yaml else "give one of them an id with {#another-id}"
    for block in blocks:
        if not isinstance(block, Entry):
            continue
        if block.id in seen:
            parser.diags.error(block.id_loc or block.loc,
                               f"entry id '{block.id}' is already used by the entry on line "
                               f"{seen[block.id].loc.line}; {fix}", span=len(block.id))
        else:
            seen[block.id] = block


def _with_section_ids(blocks: list[Entry | Section]) -> list[Entry | Section]:
    """Sections get unique slugs that cannot clash with entry ids."""
    used = {b.id for b in blocks if isinstance(b, Entry)}
    result: list[Entry | Section] = []
    for block in blocks:
        if isinstance(block, Section):
            base = block.id or slugify(block.title_text) or "section"
            candidate, n = base, 2
            while candidate in used or candidate.startswith("bg-"):
                candidate, n = f"{base}-{n}", n + 1
            used.add(candidate)
            block = replace(block, id=candidate)
        result.append(block)
    return result


_BUILDERS = {
    Collection.BRIEFINGS: _briefing,
    Collection.ACTORS: _actor,
    Collection.SOURCES: _source,
    Collection.PAGES: _page,
}
