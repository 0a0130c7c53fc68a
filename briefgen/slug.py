"""Text turned into keys: NFC text, name keys, slugs of tags and headings, and file ids."""

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
_HYPHENS = re.compile(r"-{2,}")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def nfc(text: str) -> str:
    """The one normal form of text that names something (SPEC §12): ``é`` typed as ``e`` and
    a combining accent equals ``é`` typed as one character."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def name_key(text: str) -> str:
    """What names and aliases are compared by: canonical caseless matching (Unicode §3.13).
    Case folding can undo NFC (``İ`` folds to ``i`` and a combining dot), hence NFC after."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).casefold())


def fold_ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA_FOLDS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _slug_piece(ch: str, after_kept_letter: bool) -> tuple[str, bool]:
    """What one character of NFC text becomes in a slug, and whether it is a letter of a
    script other than Latin (whose combining marks are then kept with it)."""
    if ch.isascii():
        return (ch.lower() if ch.isalnum() else "-"), False
    folded = fold_ascii(ch)
    if folded and folded.isascii():  # a Latin letter with an accent, a ligature, a full-width letter
        return _NOT_ALNUM.sub("-", folded.lower()), False
    category = unicodedata.category(ch)
    if category[0] in "LN":
        return ch.lower(), True
    if category[0] == "M":  # vowel signs, harakat: part of the letter they follow
        return (ch if after_kept_letter else ""), after_kept_letter
    if category == "Cf":  # zero-width joiners and other invisible format characters
        return "", after_kept_letter
    return "-", False


def slugify(text: str) -> str:
    """The slug of a tag or a heading (SPEC §12): NFC, lower case, accents folded to ASCII on
    Latin letters, letters and digits of other scripts kept, every run of anything else one
    ``-``. ``"Dragoș Tudorache!"`` → ``"dragos-tudorache"``, ``"Дипломатия"`` → ``"дипломатия"``.
    """
    if text.isascii():  # the common case, and the same result as the loop below
        return _NOT_ALNUM.sub("-", text.lower()).strip("-")
    pieces = []
    kept = False
    for ch in nfc(text):
        piece, kept = _slug_piece(ch, kept)
        pieces.append(piece)
    return _HYPHENS.sub("-", "".join(pieces)).strip("-")


def id_slug(text: str) -> str:
    """An id made of ASCII only (SPEC §1: file names and explicit ``{#id}``s), as proposed
    when one is written wrongly: ``"Bad_Id"`` → ``"bad-id"``."""
    return _NOT_ALNUM.sub("-", fold_ascii(text).lower()).strip("-")


def is_valid_id(text: str) -> bool:
    return ID_PATTERN.fullmatch(text) is not None
