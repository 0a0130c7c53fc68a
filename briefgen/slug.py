"""Slugs for ids, tags and headings: accents folded to ASCII, lower case, hyphens."""

from __future__ import annotations

import re
import unicodedata

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")

# Letters that Unicode decomposition does not reduce to ASCII.
_EXTRA_FOLDS = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
     "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH",
     "ı": "i"}
)


def fold_ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA_FOLDS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slugify(text: str) -> str:
    """``"Dragoș Tudorache!"`` becomes ``"dragos-tudorache"``."""
    folded = fold_ascii(text).lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def name_key(text: str) -> str:
    """How names, aliases and ids are compared: Unicode-equal and case-insensitive."""
    return unicodedata.normalize("NFC", text).casefold()


def is_valid_id(text: str) -> bool:
    return ID_PATTERN.fullmatch(text) is not None
