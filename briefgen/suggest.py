"""Did-you-mean suggestions for unknown keys, ids and names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    pool = sorted(set(candidates))
    return difflib.get_close_matches(word, pool, n=limit, cutoff=0.6)


def did_you_mean(word: str, candidates: Iterable[str], limit: int = 3) -> str:
    """A suffix such as "; did you mean 'title'?" or an empty string."""
    found = closest(word, candidates, limit)
    if not found:
        return ""
    quoted = " or ".join(f"'{c}'" for c in found)
    return f"; did you mean {quoted}?"


def within_one_edit(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with at most one character added, removed or replaced."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    start = 0
    while start < len(a) and a[start] == b[start]:
        start += 1
    if len(a) == len(b):
        return a[start + 1:] == b[start + 1:]
    return a[start:] == b[start + 1:]


def slip_keys(text: str) -> tuple[str, str]:
    """Where ``text`` is filed so that a word one edit from it finds it (``slip_lookups``):
    by its length and first character, and by its length and last character. One edit
    leaves one of the two ends as it was (an edit at the start leaves the end)."""
    return f"{len(text)}<{text[:1]}", f"{len(text)}>{text[-1:]}"


def slip_lookups(typed: str) -> list[str]:
    """The keys under which every text one edit from ``typed`` is filed (``slip_keys``)."""
    return [f"{length}{end}" for length in (len(typed) - 1, len(typed), len(typed) + 1)
            for end in (f"<{typed[:1]}", f">{typed[-1:]}")]


def one_edit_apart(word: str, other: str) -> bool:
    """Whether one letter added, dropped or changed, or two neighbours swapped, turns
    ``word`` into ``other`` (``reprot`` → ``report``)."""
    if word == other or abs(len(word) - len(other)) > 1:
        return False
    if len(word) == len(other):
        differ = [i for i, (a, b) in enumerate(zip(word, other, strict=True)) if a != b]
        return len(differ) == 1 or (
            len(differ) == 2 and differ[1] == differ[0] + 1
            and word[differ[0]] == other[differ[1]] and word[differ[1]] == other[differ[0]])
    short, long = sorted((word, other), key=len)
    same = 0
    while same < len(short) and short[same] == long[same]:
        same += 1
    return short[same:] == long[same + 1:]
