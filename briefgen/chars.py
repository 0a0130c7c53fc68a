"""Characters: the ones XML and HTML forbid in content, and a visible form of any text for one
line of a terminal."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Everything outside XML 1.0's Char production: C0 controls other than tab, line feed and
# carriage return, surrogates (only a YAML escape or a file name can make one), U+FFFE, U+FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Shown as escapes in a diagnostic: what would break the line, move the cursor, recolour the
# terminal, reorder the text (bidirectional controls) or cannot be encoded.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                        "\u2066-\u2069\ud800-\udfff\ufeff\ufffe\uffff]")

_C0_NAMES = {0x00: "null", 0x07: "bell", 0x08: "backspace", 0x09: "tab", 0x0A: "line feed",
             0x0B: "vertical tab", 0x0C: "form feed", 0x0D: "carriage return", 0x1B: "escape"}


def forbidden(text: str) -> Iterator[tuple[int, str]]:
    """Each index and character of ``text`` that XML and HTML forbid."""
    for match in _FORBIDDEN.finditer(text):
        yield match.start(), match.group()


def has_forbidden(text: str) -> bool:
    return _FORBIDDEN.search(text) is not None


def count_forbidden(text: str) -> int:
    return _FORBIDDEN.subn("", text)[1]


def replace_forbidden(text: str) -> str:
    """``text`` with each forbidden character replaced by U+FFFD (the replacement character)."""
    return _FORBIDDEN.sub("\ufffd", text)


def describe(char: str) -> str:
    """``U+000B (vertical tab)``: a name an editor can search for."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        what = "a lone surrogate"
    elif code in (0xFFFE, 0xFFFF):
        what = "a noncharacter"
    elif code < 0x20:
        what = _C0_NAMES.get(code, "a control character")
    else:
        what = unicodedata.name(char, "").lower() or "a control character"
    return f"U+{code:04X} ({what})"


def unshowable(name: str) -> str | None:
    """What in a file name no web address should hold (a control character, a line break, a
    byte that is not UTF-8), described; None when there is nothing."""
    match = _INVISIBLE.search(name)
    if match is None:
        return None
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"the byte \\x{code - 0xDC00:02x}, which is not UTF-8"
    return describe(match.group())


def visible(text: str) -> str:
    """``text`` with every control, line break, bidirectional control, surrogate and
    noncharacter written as an escape (``\\x1b``, ``\\u2028``), so that it prints as one line
    that looks like what it is. A byte that was not UTF-8 in a file name (kept by Python as
    U+DC80 to U+DCFF) is shown as that byte, ``\\xff``."""
    return _INVISIBLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x09:
        return "\\t"
    if code == 0x0A:
        return "\\n"
    if code == 0x0D:
        return "\\r"
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def shortened(text: str, limit: int = 60, quoted: bool = True) -> str:
    """``text`` (quoted, as ``repr`` does) cut to its first ``limit`` characters when longer,
    saying how long it was: a 5,000-character value must not fill the screen."""
    short = text if len(text) <= limit else text[:limit]
    shown = repr(short) if quoted else short
    return shown if short is text else f"{shown}… ({len(text)} characters)"
