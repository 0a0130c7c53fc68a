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
