"""The compact text the index files are made of (then gzip-compressed), and its merges.

Numbers are written in base 32, most significant digit first: the last digit of a number
from ``FINAL``, the others from ``MORE``, so numbers need no separator (most take one
character). Hashes take six characters of the 64 of both alphabets, most significant first.

A shard is one line per term, sorted:

- ``w`` + hash of the word + hash of its stem + postings with fields (a word);
- ``p`` + hash of the pair + postings of units (two consecutive words: quoted phrases);
- ``f`` + hash of the filter value + postings with one mask (an actor, topic or year).

Postings run over the blocks that hold the term: the block's number (the difference from
the previous one), how many of its units hold the term, then for each unit its place in the
block (the difference from the previous one) and, for words, which fields hold it (title 1,
body 2, names 4) and for each such field the mask of the unit's documents that do (bit 0
the briefing itself, bit ``i`` its ``i``-th entry); for filter values one such mask.

A block emits, for each shard, the same lines holding only its own units (no block number);
the shard's file is their merge in block order.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable

FINAL = "0123456789ABCDEFGHIJKLMNOPQRSTUV"
MORE = "WXYZabcdefghijklmnopqrstuvwxyz-_"
_DIGITS = FINAL + MORE
WORD, PAIR, FACET = "w", "p", "f"
TITLE, BODY, NAMES = 1, 2, 4
FIELDS = (TITLE, BODY, NAMES)


def _num(n: int) -> str:
    text = FINAL[n & 31]
    n >>= 5
    while n:
        text = MORE[n & 31] + text
        n >>= 5
    return text


_SMALL = tuple(_num(n) for n in range(4096))


def num(n: int) -> str:
    """A number ≥ 0."""
    return _SMALL[n] if n < 4096 else _num(n)


def read_nums(text: str) -> list[int]:
    """Every number of ``text`` (the inverse of joining ``num``s)."""
    found, value = [], 0
    for char in text:
        digit = FINAL.find(char)
        if digit < 0:
            value = value * 32 + MORE.index(char)
        else:
            found.append(value * 32 + digit)
            value = 0
    return found


_PAIRS = tuple(_DIGITS[n >> 6] + _DIGITS[n & 63] for n in range(4096))


def hash6(h: int) -> str:
    """A 32-bit hash in six digits of 64."""
    return _PAIRS[h >> 24] + _PAIRS[(h >> 12) & 4095] + _PAIRS[h & 4095]


def key_length(line: str) -> int:
    """How long a line's term key is (its type and hashes)."""
    return 13 if line[0] == WORD else 7


def merge_shard(blocks: Iterable[tuple[int, str]]) -> str:
    """The lines of a shard from each block's lines, given with the block's number, in
    ascending order."""
    postings: dict[str, list[str]] = {}
    last: dict[str, int] = {}
    for number, lines in blocks:
        if not lines:
            continue
        for line in lines.split("\n"):
            size = 13 if line[0] == WORD else 7  # ``key_length``, inlined: a shard has 10^4 lines
            key = line[:size]
            found = postings.get(key)
            if found is None:
                postings[key] = [num(number), line[size:]]
            else:
                found += (num(number - last[key]), line[size:])
            last[key] = number
    return "".join([f"{key}{''.join(postings[key])}\n" for key in sorted(postings)])


def merge_vocabulary(parts: Iterable[str]) -> str:
    """The lines (``word``, tab, its stem or nothing when the same) of every block, once
    each, sorted."""
    found: set[str] = set()
    for part in parts:
        if part:
            found.update(part.split("\n"))
    return "".join(f"{line}\n" for line in sorted(found))


def compress(text: str, level: int = 5) -> bytes:
    """gzip without a time stamp: the same text always gives the same bytes. Level 5: half
    the time of level 6 for files about 1% larger (an edit remakes the shards it touches)."""
    return gzip.compress(text.encode("utf-8"), compresslevel=level, mtime=0)
