"""Parsing a briefing: front matter, then a lead, dated entries and sections (SPEC §3, §12)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from markdown_it.token import Token

from briefgen import fields as F
from briefgen.changelog import read_updates, updated_date
from briefgen.datehints import Misdated, misdated, zone_offsets
from briefgen.dates import DateError, DatePoint, DateValue, looks_like_date, parse_date
from briefgen.docparser import NOTES_REFERRED, DocumentParser, id_problem
from briefgen.entrydates import check_entry_dates
from briefgen.errors import FILE_START, Loc
from briefgen.filenames import YAML_SUFFIXES
from briefgen.fragmenttypes import EMPTY, Fragment
from briefgen.markup import plain_text
from briefgen.model import Briefing, DatedEntry, Entry, Located, Section
from briefgen.schema import Field, Record, SourceText, read_record
from briefgen.slug import slugify

# Stand-in for a required date that was reported as missing or invalid: the document is
# still built, so that its links are checked in the same run, but the build fails anyway.
NO_DATE = DateValue(DatePoint(1))


@dataclass(slots=True)
class _Block:
    """An entry or section before rendering: its ids must be settled first."""

    id: str
    title: list[Token]
    body: list[Token] = field(default_factory=list)
    date: DateValue | None = None  # None for a section
    loc: Loc = FILE_START
    id_loc: Loc | None = None
    meant_as_entry: bool = False
    date_loc: Loc | None = None  # where the date is written, when not at ``loc`` (YAML)
    date_span: int = 1  # how much of its line the date takes
    planned: bool = False  # announces a planned event (``{.planned}``, ``planned: true``)
    explicit: bool = False  # the id was written by the editor, not generated
    notes: list[int] = field(default_factory=list)  # the footnotes it refers to


def read(parser: DocumentParser, node: yaml.Node | None, fields: dict[str, Field], what: str,
         line_offset: int) -> Record | None:
    record = read_record(node, fields, parser.context(line_offset), what)
    return record if isinstance(record, Record) else None


def located_list(values: list[Any]) -> tuple[Located, ...]:
    return tuple(v for v in values if isinstance(v, Located))


def parse_briefing(parser: DocumentParser, doc_id: str, node: yaml.Node | None,
                   body: SourceText | None, line_offset: int) -> Briefing | None:
    fields = F.BRIEFING if body is not None else F.BRIEFING_YAML
    record = read(parser, node, fields, "a briefing", line_offset)
    if record is None:
        return None
    if body is not None:
        tokens = parser.tokens(body.text, body.first_line, entries=True)
        _heading_slips(parser, tokens, body.first_line)
        lead, blocks, notes = _split_body(parser, tokens, body.first_line)
    else:
        lead_text = record.get("lead")
        lead = parser.tokens(lead_text.text, lead_text.first_line, "lead") \
            if isinstance(lead_text, SourceText) else []
        blocks, notes = _yaml_entries(parser, record.get("entries", [])), []
    _settle_ids(parser, blocks)
    unplanned = check_entry_dates(parser.diags, [DatedEntry(b.id, b.date, b.date_loc or b.loc, b.date_span,
                                                b.planned)
                                     for b in blocks if b.date is not None],
                      _reference_date(record), parser.zone, in_yaml=body is None)
    # Rendered in document order, so that citations are numbered by first use.
    lead_fragment = parser.blocks(lead)
    rendered: list[Entry | Section] = []
    for block in blocks:
        title = parser.fragments.inline(block.title, block.id)
        content = parser.blocks(block.body, block.id)
        if block.date is not None:
            rendered.append(Entry(block.id, block.date, title, content, block.loc, block.id_loc))
        else:
            rendered.append(Section(block.id, title, content, block.meant_as_entry))
    notes_fragment = _notes(parser, notes)
    updates = read_updates(parser, record.get("updates", []),
                           [b.id for b in blocks if b.date is not None],
                           [b.id for b in blocks if b.date is None],
                           _date_or_none(record))
    return Briefing(
        id=doc_id, path=parser.path, title=record.get("title", doc_id),
        date=record.get("date", NO_DATE), lead=lead_fragment, blocks=tuple(rendered),
        notes=notes_fragment, summary=parser.inline_field(record, "summary"),
        updated=updated_date(parser.diags, record, parser.zone), updates=updates,
        authors=tuple(record.get("authors", [])),
        tags=_tags(parser, located_list(record.get("tags", []))),
        draft=record.get("status") == "draft",
        refs=parser.refs, brackets=tuple(parser.brackets), site_links=tuple(parser.site_links),
        date_loc=record.where("date") if "date" in record.values else FILE_START,
        updated_loc=record.where("updated") if isinstance(record.get("updated"), DateValue)
        else None,
        image=record.get("image"),
        unplanned=tuple(unplanned),
        explicit_ids=tuple(parser.ids),
        note_entries=_note_entries(blocks),
    )


def note_block(number: int) -> str:
    """The block of the refs of a Markdown briefing's footnote (from 0): ``bg-`` ids are the
    theme's, so no entry has it."""
    return f"bg-fn-{number + 1}"


def _notes(parser: DocumentParser, tokens: list[Token]) -> Fragment:
    """A Markdown briefing's footnotes, each note's refs with a block of its own, so that the
    actors and sources of a note count for the entries that refer to it."""
    if not tokens:
        return EMPTY
    parts: list[Fragment] = []
    start = 0
    for index, token in enumerate(tokens):
        if token.type == "footnote_open":
            parts.append(parser.blocks(tokens[start:index]))
            start = index
        elif token.type == "footnote_close":
            parts.append(parser.blocks(tokens[start:index + 1],
                                       note_block(tokens[start].meta["id"])))
            start = index + 1
    parts.append(parser.blocks(tokens[start:]))
    return Fragment("".join(part.html for part in parts),
                    " ".join(part.text for part in parts if part.text))


def _note_entries(blocks: list[_Block]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each footnote's block → the entries that refer to it."""
    found: dict[str, list[str]] = {}
    for block in blocks:
        if block.date is not None:
            for number in dict.fromkeys(block.notes):
                found.setdefault(note_block(number), []).append(block.id)
    return tuple((note, tuple(entries)) for note, entries in found.items())


def _date_or_none(record: Record) -> DateValue | None:
    value = record.get("date")
    return value if isinstance(value, DateValue) else None


def _reference_date(record: Record) -> tuple[str, DateValue] | None:
    """The date entries are compared with: the last update, else the publication."""
    for key in ("updated", "date"):
        value = record.get(key)
        if isinstance(value, DateValue):
            return key, value
    return None


def _tags(parser: DocumentParser, tags: tuple[Located, ...]) -> tuple[Located, ...]:
    """Tags that have a URL: a tag without a letter or digit would have an empty slug."""
    kept = []
    for tag in tags:
        if slugify(tag.value):
            kept.append(tag)
        else:
            parser.diags.error(tag.loc, f"tag '{tag.value}' has no letter or digit, so it can have "
                                        "no page; write it in words", span=len(tag.value))
    return tuple(kept)



# A line of a paragraph that starts like a heading but lacks the space after its ``#``s.
_UNSPACED_HEADING = re.compile(r" {0,3}(#{2,6})(?=[^\s#])(\S*)")


def _heading_slips(parser: DocumentParser, tokens: list[Token], first_line: int) -> None:
    """Headings that are not what they look like in a briefing's body: ``##2023-09-20 Talks``
    is text, not a heading (the entry it was meant to open would be missing, and its text
    would belong to the entry before it); a paragraph over ``---`` is one (``_underlined``)."""
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.markup == "-" and token.level == 0 \
                and token.map:
            _underlined(parser, first_line + token.map[1] - 1)
        elif token.type == "heading_open" and token.tag != "h2" and token.level == 0 \
                and token.map:
            _other_level(parser, token, tokens[index + 1], first_line + token.map[0],
                         first_line + token.map[1] - 1)
        if token.type != "paragraph_open" or token.level != 0 or not token.map:
            continue
        for line in range(first_line + token.map[0], first_line + token.map[1]):
            raw = parser.lines[line - 1] if 0 < line <= len(parser.lines) else ""
            match = _UNSPACED_HEADING.match(raw)
            if match is None:
                continue
            hashes, word = match.groups()
            fixed = f"{hashes} {raw[match.end(1):].strip()}"
            if len(hashes) == 2 and (looks_like_date(word) or misdated(
                    raw[match.end(1):], parser.months) is not None):
                parser.diags.error(Loc(line, match.start(1) + 1),
                                   "this line is not an entry heading: a heading needs a space "
                                   f"after '{hashes}', so it is text of the entry above; write "
                                   f"{fixed}", span=len(hashes) + len(word))
            else:
                parser.diags.warning(Loc(line, match.start(1) + 1),
                                     f"this line is not a heading: a heading needs a space after "
                                     f"'{hashes}'; write {fixed}, or escape the first '#' (\\#) "
                                     "to keep it as text", span=len(hashes) + len(word))


def _other_level(parser: DocumentParser, heading: Token, inline: Token, line: int,
                 last: int) -> None:
    """A level-1 heading (a second title on the page: ``# of votes`` meant as text, or a
    paragraph over ``===``), or a dated heading of a level under 2, which is not an entry
    (unless it has an id or a class of its own: then it is one on purpose).
    ``line`` and ``last``: the heading's first and last lines in the file."""
    raw = parser.lines[line - 1] if 0 < line <= len(parser.lines) else ""
    text = str(heading.meta.get("text", inline.content))
    first = text.split(None, 1)[0] if text.strip() else ""
    loc = Loc(line, len(raw) - len(raw.lstrip()) + 1)
    if heading.tag == "h1" and heading.markup == "=":
        underline = parser.lines[last - 1] if 0 < last <= len(parser.lines) else ""
        parser.diags.warning(Loc(last, len(underline) - len(underline.lstrip()) + 1),
                             "this '===' right under a paragraph makes the paragraph a level-1 "
                             "heading, a second title of the page; leave a blank line above it, "
                             "or write '## Title' for a heading", span=len(underline.strip()) or 1)
    elif heading.tag == "h1":
        parser.diags.warning(loc, "a line that starts with '# ' is a level-1 heading, a second "
                                  "title of the page; write '## …' for an entry or a section, "
                                  "or escape the '#' (\\#) if it is text", span=1)
    elif _a_day_or_month(first, parser) and not heading.meta.get("classes") \
            and not heading.meta.get("explicit_id"):  # braces: shaped on purpose
        marks = heading.markup
        parser.diags.warning(loc, f"'{marks} {first}' is a sub-heading, not an entry: only '## ' "
                                  f"headings open entries, so what follows belongs to the entry "
                                  f"or section above; write '## {first} …' to make it an entry, "
                                  "or end the heading with {.section} to keep it",
                         span=len(marks) + 1 + len(first))


def _a_day_or_month(word: str, parser: DocumentParser) -> bool:
    """A date of a month or a day (``2024-01-11``), as an entry would start with; a year
    alone (``### 2024 budget``) is a sub-heading's ordinary word."""
    if "-" not in word.lstrip("~") or not looks_like_date(word):
        return False
    try:
        parse_date(word, parser.zone)
    except DateError:
        return False
    return True


def _underlined(parser: DocumentParser, line: int) -> None:
    """A paragraph with ``---`` on the next line is a level-2 heading in Markdown: in a
    briefing it ends the entry above and starts a section, where a rule was meant (a
    longer underline is taken as meant)."""
    raw = parser.lines[line - 1] if 0 < line <= len(parser.lines) else ""
    if len(raw.strip()) > 3:
        return  # an underline as long as a title is drawn on purpose; a rule is '---'
    parser.diags.warning(Loc(line, len(raw) - len(raw.lstrip()) + 1),
                         "this '---' right under a paragraph makes the paragraph a heading, "
                         "which ends the entry above and starts a section; to draw a rule, "
                         "leave a blank line above '---' (or write '## Title' for a heading)",
                         span=len(raw.strip()) or 1)


def _split_body(parser: DocumentParser, tokens: list[Token], first_line: int
                ) -> tuple[list[Token], list[_Block], list[Token]]:
    """Lead, then one block per level-2 heading; the footnotes come last."""
    lead: list[Token] = []
    notes: list[Token] = []
    blocks: list[_Block] = []
    current = lead
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "footnote_block_open":
            notes = tokens[index:]
            break
        if token.type == "heading_open" and token.tag == "h2" and token.level == 0:
            line = first_line + (token.map or [0])[0]
            block = _heading_block(parser, token, tokens[index + 1], line)
            block.notes.extend(tokens[index + 1].meta.get(NOTES_REFERRED, ()))
            blocks.append(block)
            current = block.body
            index += 3  # heading_open, inline, heading_close
            continue
        current.append(token)
        if blocks and token.type == "inline":
            blocks[-1].notes.extend(token.meta.get(NOTES_REFERRED, ()))
        index += 1
    return lead, blocks, notes


def _heading_block(parser: DocumentParser, heading: Token, inline: Token, line: int) -> _Block:
    meta = heading.meta
    title = inline.children or []
    raw = parser.lines[line - 1] if 0 < line <= len(parser.lines) else ""
    date_text = meta.get("date_text")
    explicit = meta.get("explicit_id")
    if "section" not in meta["classes"]:
        hint = misdated(meta["text"], parser.months)
        if hint is not None:
            _report_misdated(parser, hint, meta["text"], Loc(line, _column(raw, hint.text)))
            if not hint.month_only:
                return _Block("", title, meant_as_entry=True)
    if date_text is None:  # a section, located at its title
        title_text = raw.lstrip(" ").lstrip("#").lstrip(" \t")
        return _Block(explicit or "", title, loc=Loc(line, len(raw) - len(title_text) + 1),
                      explicit=explicit is not None)
    loc = Loc(line, _column(raw, date_text))
    try:
        date = parse_date(date_text, parser.zone)
    except DateError as exc:
        parser.diags.error(loc, f"entry heading starts with an invalid date: {exc}; to make it an"
                                " ordinary section, end the heading with {.section}",
                           span=len(date_text))
        return _Block("", title, meant_as_entry=True)
    if not plain_text(title):
        parser.diags.error(loc, f"entry heading has a date ({date_text}) but no title after it")
    _check_title_start(parser, date, date_text, meta["title_source"], raw, line)
    id_loc = Loc(line, raw.rfind("{#") + 1) if explicit and "{#" in raw else None
    return _Block(explicit or _default_id(date, title), title, date=date, loc=loc, id_loc=id_loc,
                  date_span=len(date_text), planned="planned" in meta["classes"],
                  explicit=explicit is not None)


def _check_title_start(parser: DocumentParser, date: DateValue, date_text: str, title: str,
                       raw: str, line: int) -> None:
    """What follows an entry's date but belongs to it: a time zone written as a word (the
    time would be read in the site's zone, and the word would start the title), or a dash
    or bar between date and title (kept in the title, the contents and the feeds)."""
    first = title.split(None, 1)[0] if title.strip() else ""
    if not first:
        return
    after = raw.find(date_text) + len(date_text)
    loc = Loc(line, max(1, raw.find(first, after) + 1))
    last = date.end or date.start
    offsets = zone_offsets(first) if last.hour is not None and last.offset_minutes is None \
        else None
    if offsets:
        forms = " or ".join(f"{date_text}{offset}" for offset in offsets)
        parser.diags.error(loc, f"'{first}' after the time is not read as its time zone: the "
                                f"time is taken in the site's zone and '{first}' starts the "
                                f"title; write the offset in the date: {forms}",
                           span=len(first))
    elif first in ("-", "–", "—", "|", ":"):
        parser.diags.warning(loc, f"the entry's title starts with '{first}'; a space alone "
                                  f"separates the date from the title: ## {date_text} "
                                  f"{title[len(first):].strip() or '…'}")
    elif date.end is None and date.start.month is None:
        _month_day_in_title(parser, date_text, title, loc)


# A month name and a day number that start a title (``January 12: Talks``), not a name
# with an ordinal (``May 4th Movement``).
_MONTH_DAY = re.compile(r"(?P<month>[^\W\d_]{3,})\.?\s+(?P<day>\d{1,2})(?![\w])[:,.]?")


# The month and day of a date typed with spaces (``2024 01 12``), after its year.
_NUMERIC_MONTH_DAY = re.compile(r"(?P<month>\d{1,2})\s+(?P<day>\d{1,2})(?!\S)")


def _month_day_in_title(parser: DocumentParser, year: str, title: str, loc: Loc) -> None:
    """``## 2024 January 12: Talks`` (or ``## 2024 01 12 Talks``) is an entry dated 2024,
    the year alone, whose title starts with the day meant."""
    match = _MONTH_DAY.match(title)
    month = parser.months.get(match["month"].casefold()) if match else None
    if match is None:
        match = _NUMERIC_MONTH_DAY.match(title)
        month = int(match["month"]) if match and 1 <= int(match["month"]) <= 12 else None
    if match is None or month is None or not 1 <= int(match["day"]) <= 31:
        return
    day = f"{year.lstrip('~')}-{month:02d}-{int(match['day']):02d}"
    rest = title[match.end():].strip() or "…"
    parser.diags.warning(loc, f"the entry is dated {year} (the year alone), and its title starts "
                              f"with '{match.group(0)}'; to date it that day, write ## {day} "
                              f"{rest}", span=len(match.group(0)))


def _column(raw: str, text: str) -> int:
    return max(1, raw.find(text) + 1)


def _report_misdated(parser: DocumentParser, hint: Misdated, text: str, loc: Loc) -> None:
    """A heading that starts with a date briefgen does not read: say what to write."""
    section = "end the heading with {.section}"
    if hint.month_only:
        reading = hint.readings[0]
        rest = text[len(hint.text):].strip() or "…"
        parser.diags.warning(loc, f"heading starts with a month written as '{hint.text}'; to make "
                                  f"it an entry dated {parse_date(reading).human()}, write "
                                  f"## {reading} {rest}; to keep it an ordinary section, {section}",
                             span=len(hint.text))
        return
    if not hint.readings:
        parser.diags.error(loc, f"heading starts with {hint.what} written as '{hint.text}' "
                                f"({hint.problem}); correct it and write it in ISO form "
                                f"(YYYY-MM-DD) to make this an entry, or {section}",
                           span=len(hint.text))
        return
    forms = hint.readings[0] if len(hint.readings) == 1 else " or ".join(
        f"{r} ({parse_date(r).human()})" for r in hint.readings)
    parser.diags.error(loc, f"heading starts with {hint.what} written as '{hint.text}'; write "
                            f"{forms} to make this an entry, or {section}", span=len(hint.text))


def _default_id(date: DateValue, title: list[Token]) -> str:
    """``<date>-<slug>`` (SPEC §12): the start's ISO date and the title's plain text."""
    slug = slugify(plain_text(title))
    return f"{date.start.date_iso()}-{slug}" if slug else date.start.date_iso()


def _yaml_entries(parser: DocumentParser, items: list[Any]) -> list[_Block]:
    blocks: list[_Block] = []
    for number, item in enumerate(items):
        if not isinstance(item, Record) or "date" not in item.values:
            continue
        explicit, id_loc = item.get("id"), item.where("id")
        if explicit is not None and id_problem(explicit, id_loc, parser.diags):
            explicit = None
        if explicit is not None:
            parser.claim_id(explicit, id_loc, len(explicit))
        title = parser.inline_tokens(item.get("title", ""), item.where("title"))
        text = item.get("body")
        body = parser.tokens(text.text, text.first_line, f"e{number + 1}") \
            if isinstance(text, SourceText) else []
        entry_id = explicit or _default_id(item.get("date"), title)
        date_loc = item.where("date")
        blocks.append(_Block(entry_id, title, body, item.get("date"), item.loc,
                             id_loc if explicit else None, date_loc=date_loc,
                             date_span=_value_span(parser, date_loc),
                             planned=item.get("planned") is True, explicit=explicit is not None))
    return blocks


def _value_span(parser: DocumentParser, loc: Loc) -> int:
    """The length of the YAML value written at ``loc``, for the caret under it."""
    raw = parser.lines[loc.line - 1] if 0 < loc.line <= len(parser.lines) else ""
    words = raw[loc.col - 1:].split()
    return len(words[0]) if words else 1


def _settle_ids(parser: DocumentParser, blocks: list[_Block]) -> None:
    """Generated ids (entries' ``<date>-<slug>``, sections' slugs) give way to the ids the
    editor wrote anywhere on the page and to each other, in document order: ``-2``, ``-3``.
    One that gives way to an id written for another heading is a warning: links written for
    it lead there."""
    used = set(parser.ids)
    generated: set[str] = set()  # the ids they would have without the editor's
    in_yaml = parser.path.lower().endswith(YAML_SUFFIXES)
    for block in blocks:
        if block.explicit:
            continue
        base = block.id or slugify(plain_text(block.title)) or "section"
        natural = unique_id(base, generated)
        block.id = unique_id(base, used)
        written = parser.ids.get(natural)
        if written is not None and block.id != natural:
            what = "entry" if block.date is not None else "section"
            where = f"line {written.line} gives to another entry with 'id: {natural}'" \
                if in_yaml else \
                f"line {written.line} gives to another heading with {{#{natural}}}"
            fix = "'id:'" if in_yaml else "{#…}"
            parser.diags.warning(block.loc, f"this {what}'s id would be '{natural}', which "
                                 f"{where}, so it is '{block.id}' and links to #{natural} lead "
                                 f"there; give one of them another id with {fix}")


def unique_id(base: str, used: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``…, whichever is free; never a theme id (``bg-``)."""
    while base.startswith("bg-"):
        base = base.removeprefix("bg-") or "section"
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate
