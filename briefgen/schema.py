"""Typed reading of YAML nodes: every value checked, every problem located.

A schema is a mapping of key names to ``Field``s. ``read_record`` turns a YAML mapping node
into a ``Record`` (values plus the location of each value) and reports unknown keys (with a
suggestion), missing keys and wrong types to a ``Diagnostics`` collector.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, Protocol
from urllib.parse import urlsplit

import yaml

from briefgen.dates import DateError, DateValue, parse_date
from briefgen.errors import Diagnostics, Loc
from briefgen.slug import nfc
from briefgen.suggest import closest, did_you_mean
from briefgen.yamlsource import BOOL, INT, NULL, STR, TIMESTAMP, describe, node_loc


@dataclass(frozen=True, slots=True)
class ReadContext:
    diags: Diagnostics
    zone: tzinfo
    line_offset: int = 0
    lines: Sequence[str] = ()  # the file's lines, where a value's surroundings matter

    def cut_by_comment(self, node: yaml.ScalarNode, key: str) -> None:
        """Warn when an unquoted text ends where ``#`` starts a YAML comment on its line:
        ``title: Resolution #2231`` is the title "Resolution", and nothing says so."""
        if node.style not in (None, "") or node.tag != STR:  # plain: "" from libyaml
            return
        index = node.end_mark.line + self.line_offset
        raw = self.lines[index] if 0 <= index < len(self.lines) else ""
        rest = raw[node.end_mark.column:]
        comment = rest.lstrip(" \t")
        # "# note" is a comment written as one; "#2231" or "#hashtag" is text cut off.
        if not comment.startswith("#") or comment == rest or comment[1:2] in ("", " ", "\t"):
            return
        name = key.removesuffix(ITEM)
        meant = f"{node.value}{rest}".rstrip().replace("\\", "\\\\").replace('"', '\\"')
        fix = f'quote it: "{meant}"' if key.endswith(ITEM) else f'quote the value: {name}: "{meant}"'
        self.diags.warning(Loc(index + 1, len(raw) - len(comment) + 1),
                           f"'{name}' ends before ' #', which starts a YAML comment, so "
                           f"{node.value!r} is all that is kept; to keep the rest, {fix}",
                           span=len(comment.rstrip()))

    def item_folded_in(self, node: yaml.ScalarNode, key: str) -> None:
        """Warn when a line that reads as a list item is indented under the text above it
        (``- Examples`` over ``  - Budget``): YAML reads it as more of that text, so the
        tag is "Examples - Budget" and there is no tag "Budget"."""
        if node.style not in (None, "") or not key.endswith(ITEM):  # an item of a list
            return
        first = node.start_mark.line + self.line_offset
        last = node.end_mark.line + self.line_offset
        for index in range(first + 1, min(last + 1, len(self.lines))):
            raw = self.lines[index]
            if raw.strip().startswith("- "):
                shown = node.value if len(node.value) <= 40 else node.value[:39] + "…"
                self.diags.warning(Loc(index + 1, _indent(raw) + 1),
                                   f"this '- ' line is indented under the text above, so YAML "
                                   f"reads it as more of that text ('{shown}'), not as an item "
                                   "of its own; line it up with the '- ' above",
                                   span=1)
                return

    def folded_markdown(self, node: yaml.ScalarNode, key: str) -> None:
        """Warn when YAML joins the lines of a Markdown text that has block structure (a
        list, a heading, a quote, a table): a folded (``>``), plain or quoted value turns a
        line break between two lines of text into a space, so ``- a budget`` and ``- a
        timetable`` become one paragraph reading "a budget - a timetable". (Lines indented
        more than the text's first keep their breaks in a folded value.)"""
        first = node.start_mark.line + self.line_offset + 1
        last = node.end_mark.line + self.line_offset - (node.end_mark.column == 0)
        content = [i for i in range(first, min(last + 1, len(self.lines)))
                   if self.lines[i].strip()]
        if not content:
            return
        indent = min(_indent(self.lines[i]) for i in content)
        for place, index in enumerate(content):
            raw, above = self.lines[index], self.lines[index - 1]
            after = self.lines[content[place + 1]] if place + 1 < len(content) else ""
            if _indent(raw) == indent and above.strip() and _lost_block(raw, after):
                name, word = key.removesuffix(ITEM), raw.split()[0]
                how = "folded ('>')" if node.style == ">" else "not a block ('|')"
                self.diags.warning(Loc(index + 1, _indent(raw) + 1),
                                   f"'{name}' is {how}, so YAML joins this line to the one "
                                   f"above and its Markdown ('{word}') is lost; write "
                                   f"'{name}: |' with the text indented under it",
                                   span=len(word))
                return

    def loc(self, node: yaml.Node) -> Loc:
        return node_loc(node, self.line_offset)

    def error(self, node: yaml.Node, message: str) -> None:
        span = len(node.value) if isinstance(node, yaml.ScalarNode) else 1
        self.diags.error(self.loc(node), message, span=max(1, span))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


# What starts a Markdown block: a heading, a quote, a table row; a list item, when the next
# line is one too (a dash or a year at the start of one line may well be prose).
_BLOCK_START = re.compile(r"#{1,6}\s|>|\|")
_ITEM_START = re.compile(r"(?P<bullet>[-*+])\s+\S|\d{1,9}(?P<delimiter>[.)])\s+\S")


def _lost_block(line: str, after: str) -> bool:
    """Whether ``line`` starts a Markdown block: a heading, a quote, a table row, or the
    first of two list items with the same marker (``- a`` then ``- b``)."""
    text = line.strip()
    if _BLOCK_START.match(text):
        return True
    item, following = _ITEM_START.match(text), _ITEM_START.match(after.strip())
    return bool(item and following and item.group("bullet", "delimiter") ==
                following.group("bullet", "delimiter"))


class Invalid:
    """Marks a value that was reported as an error and must not be used."""


INVALID = Invalid()


class Spec(Protocol):
    def read(self, node: yaml.Node, ctx: ReadContext, key: str) -> Any: ...


@dataclass(frozen=True, slots=True)
class SourceText:
    """Markdown taken from a file, with the file line its first line stands on."""

    text: str
    first_line: int


@dataclass(frozen=True, slots=True)
class Record:
    values: dict[str, Any]
    locs: dict[str, Loc]
    loc: Loc

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def where(self, key: str) -> Loc:
        return self.locs.get(key, self.loc)


ITEM = "[]"  # appended to a key by ListOf, so that messages speak of a list item


def _label(key: str) -> str:
    name = key.removesuffix(ITEM)
    return f"an item of '{name}'" if key.endswith(ITEM) else f"'{name}'"


def _scalar_text(node: yaml.Node, ctx: ReadContext, key: str, expected: str) -> str | None:
    """The raw text of a scalar that YAML resolved as a string, else a located error."""
    if isinstance(node, yaml.ScalarNode) and node.tag == STR:
        return str(node.value)
    name, item = key.removesuffix(ITEM), key.endswith(ITEM)
    what = f"an item of '{name}'" if item else f"'{name}'"
    if isinstance(node, yaml.ScalarNode) and node.tag in (BOOL, INT, "tag:yaml.org,2002:float",
                                                         TIMESTAMP, NULL):
        raw = node.value
        fix = f'quote it: "{raw}"' if item else f'quote the value: {name}: "{raw}"'
        ctx.error(node, f"{what} expects {expected} but YAML reads {raw!r} as {describe(node)}; {fix}")
        return None
    if isinstance(node, yaml.ScalarNode) and not node.tag.startswith("tag:yaml.org,2002:"):
        ctx.error(node, f"{what} has the YAML tag '{node.tag}', which briefgen does not read; "
                        "remove the tag")
        return None
    ctx.error(node, f"{what} expects {expected}, not {describe(node)}")
    return None


# Link and citation syntax (``[[target]]``, ``[@source]``), which works in Markdown text only.
LINK_SYNTAX = re.compile(r"\[\[[^\[\]\n]+\]\]|\[-?@[^\[\]\n]+\]")


@dataclass(frozen=True, slots=True)
class Text:
    pattern: str | None = None
    hint: str = ""
    # Shown as written (a title, a name, a caption), not read as Markdown.
    literal: bool = False

    def read(self, node: yaml.Node, ctx: ReadContext, key: str) -> Any:
        text = _scalar_text(node, ctx, key, "text")
        if text is None:
            return INVALID
        if key.endswith(ITEM) and not text.strip():  # an author " " would be published
            ctx.error(node, f"an item of '{key.removesuffix(ITEM)}' is empty; remove it")
            return INVALID
        if self.pattern is None:  # words, not an id or a code
            assert isinstance(node, yaml.ScalarNode)
            ctx.cut_by_comment(node, key)
            ctx.item_folded_in(node, key)
        markup = LINK_SYNTAX.search(text) if self.literal else None
        if markup is not None:
            assert isinstance(node, yaml.ScalarNode)
            loc = ctx.loc(node)
            raw = ctx.lines[loc.line - 1] if 0 < loc.line <= len(ctx.lines) else ""
            found = raw.find(markup.group(0), loc.col - 1)
            if found >= 0:  # where it stands on the value's first line
                loc = Loc(loc.line, found + 1)
            ctx.diags.warning(loc, f"{_label(key)} is shown as written, so {markup.group(0)!r} "
                                   "would appear as typed: links and citations work in Markdown "
                                   "text (the body, a summary, a note); write the words alone",
                              span=len(markup.group(0)))
        if self.pattern and re.fullmatch(self.pattern, text) is None:
            ctx.error(node, f"{_label(key)} value {text!r} is not valid{self.hint}")
            return INVALID
        return text


@dataclass(frozen=True, slots=True)
class Markdown:
    """A Markdown body held in YAML (a briefing's ``lead``, an entry's ``body``)."""

    def read(self, node: yaml.Node, ctx: ReadContext, key: str) -> Any:
        text = _scalar_text(node, ctx, key, "Markdown text")
        if text is None:
            return INVALID
        assert isinstance(node, yaml.ScalarNode)
        ctx.cut_by_comment(node, key)
        first = node.start_mark.line + 1 + ctx.line_offset
        if node.style in ("|", ">"):
            first += 1
        if node.style != "|":
            ctx.folded_markdown(node, key)
        return SourceText(text, first)


@dataclass(frozen=True, slots=True)
class Date:
    def read(self, node: yaml.Node, ctx: ReadContext, key: str) -> Any:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (STR, INT, TIMESTAMP):
            ctx.error(node, f"{_label(key)} expects a date such as 2022-02-01, not {describe(node)}")
            return INVALID
        try:
            value: DateValue = parse_date(str(node.value), ctx.zone)
        except DateError as exc:
            ctx.error(node, f"invalid date for {_label(key)}: {exc}")
            return INVALID
        return value


@dataclass(frozen=True, slots=True)
class Url:
    def read(self, node: yaml.Node, ctx: ReadContext, key: str) -> Any:
        text = _scalar_text(node, ctx, key, "a URL")
        if text is None:
            return INVALID
        problem = url_problem(text.strip())
        if problem:
            ctx.error(node, f"'{key.removesuffix(ITEM)}' {problem}")
            return INVALID
        return text.strip()


def url_problem(text: str) -> str | None:
    """Why ``text`` is not an http(s) URL with a host, or None when it is one."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return f"URL {text!r} is not a valid URL"
    if parts.scheme.lower() not in ("http", "https"):
        return f"must be an http or https URL, not {text!r}"
    if not parts.hostname:
        return f"URL {text!r} has no host"
    # A host name holds letters, digits, '-' and '.' (an IPv6 address, ':' too); a typo such
    # as 'www,state.gov' would otherwise publish a link that goes nowhere.
    odd = next((c for c in parts.hostname if not (c.isalnum() or c in "-._:")), None)
    if odd is not None:
        fix = "; did you mean '.'?" if odd in ",;" else ""
        return f"URL {text!r} has {odd!r} in its host name {parts.hostname!r}{fix}"
    if ".." in parts.hostname or parts.hostname.startswith("."):
        return f"URL {text!r} has an empty part in its host name {parts.hostname!r}"
    if any(c.isspace() for c in text):
        return f"URL {text!r} is not a valid URL"
    return None


@dataclass(frozen=True, slots=True)
class Choice:
    choices: tuple[str, ...]

    def read(self, node: yaml.Node, ctx: ReadContext, key: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            ctx.error(node, f"{_label(key)} must be one of {', '.join(self.choices)}, not {describe(node)}")
            return INVALID
        text = str(node.value)
        if text not in self.choices or node.tag != STR:
            ctx.error(node, f"{_label(key)} must be one of {', '.join(self.choices)}, not {text!r}"
                            + did_you_mean(text, self.choices))
            return INVALID
        return text


@dataclass(frozen=True, slots=True)
class Boolean:
    def read(self, node: yaml.Node, ctx: ReadContext, key: str) -> Any:
        if isinstance(node, yaml.ScalarNode) and node.tag == BOOL:
            return str(node.value).lower() in ("yes", "true", "on", "y")
        ctx.error(node, f"{_label(key)} expects true or false, not {describe(node)}")
        return INVALID


@dataclass(frozen=True, slots=True)
class Integer:
    minimum: int = 0

    def read(self, node: yaml.Node, ctx: ReadContext, key: str) -> Any:
        if isinstance(node, yaml.ScalarNode) and node.tag == INT:
            try:
                value = int(str(node.value).replace("_", ""), 0)
            except ValueError:
                value = None
            if value is not None and value >= self.minimum:
                return value
        ctx.error(node, f"{_label(key)} expects a whole number of at least {self.minimum}")
        return INVALID


@dataclass(frozen=True, slots=True)
class ListOf:
    item: Spec

    def read(self, node: yaml.Node, ctx: ReadContext, key: str) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            example = node.value if isinstance(node, yaml.ScalarNode) else "..."
            if isinstance(node, yaml.ScalarNode) and node.tag != STR:
                example = f'"{example}"'  # a bare yes, 12 or 2022 would not be text
            ctx.error(node, f"'{key}' expects a list, not {describe(node)}; "
                            f"write {key}: [{example}]")
            return INVALID
        values = [self.item.read(child, ctx, key + ITEM) for child in node.value]
        return [v for v in values if v is not INVALID]


@dataclass(frozen=True, slots=True)
class Field:
    spec: Spec
    required: bool = False


@dataclass(frozen=True, slots=True)
class RecordOf:
    fields: Mapping[str, Field]
    what: str = "this record"
    extra_keys: frozenset[str] = field(default_factory=frozenset)

    def read(self, node: yaml.Node, ctx: ReadContext, key: str) -> Any:
        return read_record(node, self.fields, ctx, self.what, self.extra_keys)


def read_record(node: yaml.Node | None, fields: Mapping[str, Field], ctx: ReadContext,
                what: str, ignore: frozenset[str] = frozenset(),
                at: Loc | None = None) -> Record | Invalid:
    """Read a mapping against ``fields``; keys in ``ignore`` are left for the caller."""
    empty = node is None or (isinstance(node, yaml.ScalarNode) and node.tag == NULL)
    where = at or (Loc(1, 1) if node is None or empty else ctx.loc(node))
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == NULL):
        node_items: list[tuple[yaml.Node, yaml.Node]] = []
    elif not isinstance(node, yaml.MappingNode):
        ctx.error(node, f"{what} must be a mapping of keys to values, not {describe(node)}")
        return INVALID
    else:
        node_items = list(node.value)
    values: dict[str, Any] = {}
    locs: dict[str, Loc] = {}
    seen: set[str] = set()
    misspelt: set[str] = set()  # required keys already suggested for an unknown key
    known = set(fields) | set(ignore)
    for key_node, value_node in node_items:
        if not isinstance(key_node, yaml.ScalarNode):
            ctx.error(key_node, f"keys in {what} must be plain names")
            continue
        name = str(key_node.value)
        if name in seen:
            ctx.error(key_node, f"key '{name}' appears twice in {what}")
            continue
        seen.add(name)
        if name not in known:
            ctx.error(key_node, f"unknown key '{name}' in {what}" + did_you_mean(name, known))
            misspelt.update(closest(name, known, 1))
            continue
        if name in ignore:
            locs[name] = ctx.loc(value_node)
            values[name] = value_node
            continue
        if isinstance(value_node, yaml.ScalarNode) and value_node.tag == NULL:
            if fields[name].required:
                ctx.error(key_node, f"'{name}' is empty; it is required in {what}")
            continue
        value = fields[name].spec.read(value_node, ctx, name)
        if fields[name].required and _blank(value):
            ctx.error(key_node, f"'{name}' is empty; it is required in {what}")
            value = INVALID
        if value is not INVALID:
            values[name] = value
            locs[name] = ctx.loc(value_node)
        else:
            values[name] = INVALID
    for name, spec in fields.items():
        if spec.required and name not in seen and name not in misspelt:
            ctx.diags.error(where, f"missing required key '{name}' in {what}")
    clean = {k: v for k, v in values.items() if v is not INVALID}
    return Record(clean, locs, where)


def _blank(value: Any) -> bool:
    text = getattr(value, "value", value)
    return isinstance(text, str) and not text.strip()


@dataclass(frozen=True, slots=True)
class LocatedText:
    """Text that names something and whose position matters later (a name, an alias, a
    tag, a publisher). It is read in NFC, so that spellings that differ only in how their
    accents are encoded are one name; display text elsewhere is left as written."""

    pattern: str | None = None
    hint: str = ""
    literal: bool = True  # names are shown as written

    def read(self, node: yaml.Node, ctx: ReadContext, key: str) -> Any:
        from briefgen.model import Located

        value = Text(self.pattern, self.hint, self.literal).read(node, ctx, key)
        if value is INVALID:
            return INVALID
        # Spaces at either end are no part of a name: "J. Doe " is "J. Doe", and clashes
        # with another actor's "j. doe".
        return Located(nfc(value).strip(), ctx.loc(node))
