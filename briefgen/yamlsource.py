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


def node_loc(node: yaml.Node, line_offset: int = 0) -> Loc:
    mark = node.start_mark
    return Loc(mark.line + 1 + line_offset, mark.column + 1)


def compose(text: str, line_offset: int = 0) -> tuple[yaml.Node | None, YamlProblem | None]:
    """Compose one YAML document; a syntax error comes back as a located problem."""
    lines = _FileLines(text) if _YAML_ONLY_BREAK.search(text) else None
    try:
        node = yaml.compose(text, Loader=_Loader)
        if lines is not None and node is not None:
            lines.relocate(node)
        return node, None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # An unclosed quote or bracket is noticed far from where it opened; point at it.
        if exc.context_mark and (exc.context or "").startswith(
                ("while parsing a flow", "while scanning a quoted")):
            mark = exc.context_mark
        if mark and lines is not None:
            mark = lines.mark(mark)
        loc = Loc(mark.line + 1 + line_offset, mark.column + 1) if mark else Loc(1 + line_offset, 1)
        what = exc.problem or exc.context or "invalid YAML"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        return None, YamlProblem(loc, f"invalid YAML: {what}{context}")
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        loc = Loc(before.count("\n") + 1 + line_offset, exc.position - before.rfind("\n"))
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        return None, YamlProblem(loc, f"invalid YAML: unacceptable character #x{code:04x}: "
                                      f"{exc.reason}")
    except yaml.YAMLError as exc:
        return None, YamlProblem(Loc(1 + line_offset, 1), f"invalid YAML: {exc}")


# libyaml also ends a line at U+0085, U+2028 and U+2029; a file's lines (and markdown-it's)
# end only at a line feed or carriage return.
_YAML_ONLY_BREAK = re.compile("[\x85\u2028\u2029]")


class _FileLines:
    """Turns libyaml's lines and columns into the file's, for a text that holds a line break
    only YAML counts."""

    def __init__(self, text: str) -> None:
        self._yaml = [0] + [m.end() for m in re.finditer("\r\n|[\r\n\x85\u2028\u2029]", text)]
        self._file = [0] + [m.end() for m in re.finditer("\r\n|\r|\n", text)]

    def mark(self, mark: yaml.Mark) -> yaml.Mark:
        if not 0 <= mark.line < len(self._yaml):
            return mark
        index = self._yaml[mark.line] + mark.column
        line = bisect.bisect_right(self._file, index) - 1
        return yaml.Mark(mark.name, index, line, index - self._file[line], None, 0)

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
