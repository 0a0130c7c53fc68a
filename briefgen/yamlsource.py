"""YAML text to a node tree with positions, using libyaml's composer when it is present.

Values are never constructed by PyYAML: the schema layer reads each scalar's raw text and
resolved tag, so ``NO`` in a text field is reported instead of becoming ``False``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import yaml

from briefgen.errors import Loc
from briefgen.yamlerrors import explain
from briefgen.yamltext import Place, Source

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"


@dataclass(frozen=True, slots=True)
class YamlProblem:
    loc: Loc
    message: str
    span: int = 1  # how many characters the caret underlines


def node_loc(node: yaml.Node, line_offset: int = 0) -> Loc:
    mark = node.start_mark
    return Loc(mark.line + 1 + line_offset, mark.column + 1)


def compose(text: str, line_offset: int = 0, front_matter: bool = False
            ) -> tuple[yaml.Node | None, YamlProblem | None]:
    """Compose one YAML document; a syntax error comes back as a located problem, in plain
    words for the mistakes editors make (see ``yamlerrors``)."""
    lines = _FileLines(text) if _YAML_ONLY_BREAK.search(text) else None
    try:
        node = yaml.compose(text, Loader=_Loader)
        if lines is not None and node is not None:
            lines.relocate(node)
        return node, None
    except yaml.MarkedYAMLError as exc:
        return None, _syntax_problem(exc, text, _placer(text, lines, line_offset), front_matter)
    except yaml.reader.ReaderError as exc:
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        index = _char_index(text, exc.position, code)
        breaks = [m.end() for m in _LINE_BREAK.finditer(text, 0, index)]
        loc = Loc(len(breaks) + 1 + line_offset, index - (breaks[-1] if breaks else 0) + 1)
        return None, YamlProblem(loc, f"invalid YAML: unacceptable character #x{code:04x}: "
                                      f"{exc.reason}")
    except yaml.YAMLError as exc:
        return None, YamlProblem(Loc(1 + line_offset, 1), f"invalid YAML: {exc}")
    except RecursionError:  # PyYAML's own composer, without libyaml's limit on nesting
        return None, YamlProblem(Loc(1 + line_offset, 1), "invalid YAML: nested too deeply")


def _placer(text: str, lines: _FileLines | None, line_offset: int) -> Place:
    """Where a 0-based line and column that libyaml reports stand in the file."""
    def place(line: int, column: int) -> Loc:
        if lines is not None:
            line, column = lines.position(line, column)
        line, column = _in_text(text, line, column)
        return Loc(line + 1 + line_offset, column + 1)

    return place


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, place: Place,
                    front_matter: bool) -> YamlProblem:
    plain = explain(exc, Source(text, place, front_matter, _Loader))
    if plain is not None:
        return YamlProblem(plain.loc, plain.message, plain.span)
    mark = exc.problem_mark or exc.context_mark
    # An unclosed quote or bracket is noticed far from where it opened; point at it.
    if exc.context_mark and (exc.context or "").startswith(
            ("while parsing a flow", "while scanning a quoted")):
        mark = exc.context_mark
    loc = place(mark.line, mark.column) if mark else place(0, 0)
    what = exc.problem or exc.context or "invalid YAML"
    context = f" ({exc.context})" if exc.context and exc.problem else ""
    return YamlProblem(loc, f"invalid YAML: {what}{context}")


# libyaml also ends a line at U+0085, U+2028 and U+2029; a file's lines (and markdown-it's)
# end only at a line feed or carriage return.
_YAML_ONLY_BREAK = re.compile("[\x85\u2028\u2029]")


class _FileLines:
    """Turns libyaml's lines and columns into the file's, for a text that holds a line break
    only YAML counts."""

    def __init__(self, text: str) -> None:
        self._yaml = [0] + [m.end() for m in re.finditer("\r\n|[\r\n\x85\u2028\u2029]", text)]
        self._file = [0] + [m.end() for m in re.finditer("\r\n|\r|\n", text)]

    def position(self, line: int, column: int) -> tuple[int, int]:
        if not 0 <= line < len(self._yaml):
            return line, column
        index = self._yaml[line] + column
        file_line = bisect.bisect_right(self._file, index) - 1
        return file_line, index - self._file[file_line]

    def mark(self, mark: yaml.Mark) -> yaml.Mark:
        if not 0 <= mark.line < len(self._yaml):
            return mark
        line, column = self.position(mark.line, mark.column)
        return yaml.Mark(mark.name, self._file[line] + column, line, column, None, 0)

    def relocate(self, root: yaml.Node) -> None:
        seen: set[int] = set()  # aliases share nodes
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            node.start_mark, node.end_mark = self.mark(node.start_mark), self.mark(node.end_mark)
            if isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)
            elif isinstance(node, yaml.MappingNode):
                stack.extend(child for pair in node.value for child in pair)


_LINE_BREAK = re.compile("\r\n|\r|\n")


def _in_text(text: str, line: int, column: int) -> tuple[int, int]:
    """A 0-based place that libyaml reports, kept inside ``text``: at the end of a text that
    does not end with a line break, libyaml counts one more line."""
    lines = _LINE_BREAK.split(text)
    if text and not lines[-1]:
        lines.pop()  # the text ends with a line break: nothing stands after it
    if line < len(lines):
        return line, column
    return (len(lines) - 1, len(lines[-1])) if lines else (0, 0)


def _char_index(text: str, position: int, code: int) -> int:
    """The index in ``text`` of the character a reader error is about: libyaml counts the
    bytes of the UTF-8 text, PyYAML's own reader counts characters."""
    if 0 <= position < len(text) and ord(text[position]) == code:
        return position
    return len(text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore"))


def describe(node: yaml.Node) -> str:
    """A name for what the editor wrote, for messages ("a number", "a list")."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return {
        BOOL: "a yes/no value",
        INT: "a number",
        FLOAT: "a number",
        NULL: "nothing",
        TIMESTAMP: "a date",
    }.get(node.tag, "text")
