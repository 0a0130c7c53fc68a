"""Refusing, where a file is loaded, the characters XML and HTML forbid (``chars.forbidden``):
once in a value they would make an Atom feed, the sitemap or a page invalid.

Each is reported where it stands and replaced by U+FFFD, so that the rest of the file is
still checked and nothing later ever meets one."""

from __future__ import annotations

import bisect
import itertools
import re

import yaml

from briefgen.chars import count_forbidden, describe, forbidden, has_forbidden, replace_forbidden
from briefgen.errors import Diagnostics, Loc
from briefgen.yamlsource import node_loc

# A file full of them (binary junk) gets this many errors, the last saying how many more.
MAX_REPORTED = 10

_LINE_START = re.compile("\r\n|\r|\n")


def clean_text(text: str, diags: Diagnostics) -> str:
    """``text`` with each forbidden character reported at its line and column, then replaced."""
    if not has_forbidden(text):
        return text
    more = count_forbidden(text) - MAX_REPORTED
    starts = [0] + [m.end() for m in _LINE_START.finditer(text)]
    for number, (index, char) in enumerate(itertools.islice(forbidden(text), MAX_REPORTED), 1):
        line = bisect.bisect_right(starts, index)
        tail = f" ({more} more such characters in this file)" if number == MAX_REPORTED and more > 0 else ""
        diags.error(Loc(line, index - starts[line - 1] + 1),
                    f"character {describe(char)} is not allowed: XML and HTML forbid it; "
                    f"remove it{tail}")
    return replace_forbidden(text)


def clean_yaml(root: yaml.Node | None, diags: Diagnostics, line_offset: int = 0) -> None:
    """Report each key or value in which a YAML escape (``"\\v"``, ``"\\x0b"``, ``"\\ud800"``)
    made a forbidden character, at the value, and replace the character there."""
    reported = 0
    seen: set[int] = set()  # aliases share nodes: visit each once
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if isinstance(node.value, str) and has_forbidden(node.value):
                if reported < MAX_REPORTED:
                    char = next(forbidden(node.value))[1]
                    diags.error(node_loc(node, line_offset),
                                f"this value holds {describe(char)}, written as an escape: "
                                "XML and HTML forbid that character; remove it")
                reported += 1
                node.value = replace_forbidden(node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack.extend((value, key))
