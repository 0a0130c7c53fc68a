"""Where on its line a template's error is, and what its author may have meant.

Jinja tells the line of a rendering error, not the column; its message names the culprit (a
name that is undefined, an attribute an object lacks, an unknown filter or test), which is
looked for on that line, so that the caret points at it as it does for content. The names
the template could have used give a did-you-mean: the page's variables and briefgen's
globals for a name, the fields of one of briefgen's own objects for an attribute, the
filters and tests there are.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from briefgen.suggest import did_you_mean

_UNDEFINED = re.compile(r"'([A-Za-z_]\w*)' is undefined")
_NO_ATTRIBUTE = re.compile(r"'(?:([\w.]+) object|[^']*)' has no attribute '([A-Za-z_]\w*)'")
_NO_FILTER = re.compile(r"No filter named '([A-Za-z_][\w.]*)'")
_NO_TEST = re.compile(r"No test named '([A-Za-z_][\w.]*)'")


@dataclass(frozen=True, slots=True)
class Culprit:
    """Where the culprit is on its line (1-based, in characters; 0: not found) and how long."""

    column: int = 0
    width: int = 0


def culprit(message: str, line: str) -> Culprit:
    """The culprit a Jinja message names, found on the template line it was raised at; else
    the line's first tag (``{{`` or ``{%``), else nothing."""
    pattern: str | None = None
    if found := _UNDEFINED.search(message):
        pattern = rf"(?<![\w.'\"]){re.escape(found[1])}\b"
    elif found := _NO_ATTRIBUTE.search(message):
        name = re.escape(found[2])
        pattern = rf"(?<=\.){name}\b|(?<=\[)['\"]{name}['\"](?=\])"
    elif found := _NO_FILTER.search(message):
        pattern = rf"(?<=\|)\s*{re.escape(found[1])}\b"
    elif found := _NO_TEST.search(message):
        pattern = rf"(?<=\bis)\s+(?:not\s+)?{re.escape(found[1])}\b"
    if pattern is not None and (match := re.search(pattern, line)):
        text = match[0].lstrip()
        start = match.end() - len(text)
        if text.startswith("not"):  # a test's ``is not name``: the name
            start += len(text) - len(text[3:].lstrip())
            text = text[3:].lstrip()
        return Culprit(start + 1, len(text))
    tag = re.search(r"\{[{%]", line)
    return Culprit(tag.start() + 1, 2) if tag else Culprit()


def suggestion(message: str, names: Iterable[str], filters: Iterable[str],
               tests: Iterable[str]) -> str:
    """A did-you-mean for the culprit of a Jinja message: ``names``, the variables and
    globals a template sees; an attribute is looked for among the public names of the
    object's class when it is one of briefgen's own (its qualified name is in the message)."""
    if found := _UNDEFINED.search(message):
        return did_you_mean(found[1], names)
    if found := _NO_FILTER.search(message):
        return did_you_mean(found[1], filters)
    if found := _NO_TEST.search(message):
        return did_you_mean(found[1], tests)
    if (found := _NO_ATTRIBUTE.search(message)) and found[1]:
        module, _, name = found[1].rpartition(".")
        # Only a class of a module loaded already: nothing is imported because of a message.
        owner = getattr(sys.modules.get(module), name, None) if module.startswith("briefgen.") \
            else None
        if isinstance(owner, type):
            return did_you_mean(found[2], (n for n in dir(owner) if not n.startswith("_")))
    return ""
