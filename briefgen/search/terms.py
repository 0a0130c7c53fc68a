"""How text becomes search terms, the same way in Python and in the search page's script.

- **Folding**: lower case, compatibility forms unified (NFKD: full-width letters, ligatures,
  superscripts), the accents of Latin, Greek and Cyrillic letters removed (U+0300–U+036F),
  then NFC again. "Élysée" and "elysee" are one word.
- **Words**: runs of letters, digits and combining marks. Everything else separates words,
  apostrophes included ("l'accord" → "l", "accord"; "Russia's" → "russia", "s").
- **Scripts written without spaces** (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar):
  a run of such characters becomes its overlapping character bigrams ("外交会談" → 外交,
  交会, 会談), one character alone stays a word. A query in those scripts is split the same
  way and its bigrams must follow one another (a phrase).
- **Stems**: the Snowball algorithm of the site's ``language`` (its primary subtag: ``en-GB``
  → english), applied to folded words; a language Snowball has no algorithm for is not
  stemmed. Bigrams and words with digits are not stemmed.
- **Hashes**: a term is named by the CRC-32 of its UTF-8 bytes (the index stores hashes, not
  strings; the vocabulary files hold the strings).
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zlib
from collections.abc import Callable

_ACCENTS = re.compile("[\u0300-\u036f]")
_FAST_WORD = re.compile(r"[^\W_]+")
# Characters of scripts written without spaces between words.
_NO_SPACE = ("\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u309f\u30a0-\u30ff"
             "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f")
_NO_SPACE_RUN = re.compile(f"[{_NO_SPACE}]+")
_HAS_NO_SPACE = re.compile(f"[{_NO_SPACE}]")
_DIGIT = re.compile(r"\d")

# The primary language subtag → the Snowball algorithm (those PyStemmer has).
_ALGORITHMS = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech",
    "da": "danish", "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian",
    "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi",
    "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian", "lt": "lithuanian",
    "ne": "nepali", "no": "norwegian", "nb": "norwegian", "nn": "norwegian", "fa": "persian",
    "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "st": "sesotho", "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish",
    "yi": "yiddish",
}


def fold(text: str) -> str:
    """Text as the index compares it (see the module's docstring)."""
    if text.isascii():  # nothing to decompose or remove
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return unicodedata.normalize("NFC", _ACCENTS.sub("", decomposed))


@functools.cache
def _marks() -> re.Pattern[str]:
    """Combining marks beyond those folding removes (vowel signs of Indic scripts, Thai, Hebrew
    and Arabic points…), which belong inside words. Made once per process, when first needed."""
    ranges: list[str] = []
    start = -1
    for code in range(0x370, 0x10000):
        mark = unicodedata.category(chr(code)).startswith("M")
        if mark and start < 0:
            start = code
        elif not mark and start >= 0:
            ranges.append(f"{chr(start)}-{chr(code - 1)}")
            start = -1
    return re.compile(f"[{''.join(ranges)}]")


@functools.cache
def _marked_word() -> re.Pattern[str]:
    return re.compile(rf"(?:[^\W_]|{_marks().pattern})+")


# Every ASCII character that is not a letter or a digit: a separator.
_ASCII_SEPARATORS = str.maketrans(dict.fromkeys(
    (chr(code) for code in range(128) if not chr(code).isalnum()), " "))
# The separators most text in a Latin script holds besides ASCII ones: typographic quotes and
# dashes, and the middle dot between the names of a document's actors.
_TYPOGRAPHIC = "\u2019\u2018\u201c\u201d\u2013\u2014\u00b7\u00ab\u00bb\u201e\u2022"


def words(folded: str) -> list[str]:
    """The words of folded text, in order, runs of scripts without spaces as bigrams."""
    plain = _plain(folded)
    if plain is not None:  # most text: the words the patterns find, split without them
        return plain.translate(_ASCII_SEPARATORS).split()
    return _pattern_words(folded)


def _plain(folded: str) -> str | None:
    """The text in ASCII, its typographic separators replaced by spaces; None if it holds
    other characters beyond ASCII."""
    if folded.isascii():
        return folded
    for mark in _TYPOGRAPHIC:
        if mark in folded:
            folded = folded.replace(mark, " ")
    return folded if folded.isascii() else None


def _pattern_words(folded: str) -> list[str]:
    found = (_marked_word() if _marks().search(folded) else _FAST_WORD).findall(folded)
    if not _HAS_NO_SPACE.search(folded):
        return found
    split: list[str] = []
    for word in found:
        if _HAS_NO_SPACE.search(word):
            split.extend(_split_no_space(word))
        else:
            split.append(word)
    return split


def _split_no_space(word: str) -> list[str]:
    """A word with characters of scripts without spaces: other runs as words, those runs as
    bigrams."""
    found: list[str] = []
    at = 0
    for run in _NO_SPACE_RUN.finditer(word):
        if run.start() > at:
            found.append(word[at:run.start()])
        found.extend(bigrams(run.group()))
        at = run.end()
    if at < len(word):
        found.append(word[at:])
    return found


def bigrams(run: str) -> list[str]:
    if len(run) < 2:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def no_space(text: str) -> bool:
    """Whether text has characters of a script written without spaces."""
    return _HAS_NO_SPACE.search(text) is not None


def stemmable(word: str) -> bool:
    return not _DIGIT.search(word) and not _HAS_NO_SPACE.search(word)


def algorithm_for(language: str) -> str | None:
    """The Snowball algorithm of a site language (``en-GB`` → english), None if none."""
    import Stemmer

    name = _ALGORITHMS.get(language.split("-")[0].split("_")[0].lower())
    return name if name in Stemmer.algorithms() else None


def stemmer(algorithm: str | None) -> Callable[[str], str]:
    """A function word → stem."""
    if algorithm is None:
        return lambda word: word
    return functools.partial(_stem, algorithm)


@functools.lru_cache(maxsize=1 << 17)
def _stem(algorithm: str, word: str) -> str:
    """Remembered: a site has tens of thousands of words, met again in every block."""
    return _snowball(algorithm)(word) if stemmable(word) else word


@functools.cache
def _snowball(algorithm: str) -> Callable[[str], str]:
    import Stemmer  # PyStemmer: Snowball's own C code (the pure-Python port was 30x slower)

    stem: Callable[[str], str] = Stemmer.Stemmer(algorithm).stemWord
    return stem


def term_hash(term: str) -> int:
    return zlib.crc32(term.encode("utf-8"))


def pair_hash(first: int, second: int) -> int:
    """A pair of consecutive words, from their hashes (quoted phrases are pairs that all
    follow one another)."""
    return (first * 0x9E3779B1 + second) & 0xFFFFFFFF


def facet_hash(kind: str, value: str) -> int:
    """A filter value: ``a`` an actor id, ``t`` a topic's slug, ``y`` a year."""
    return zlib.crc32(f"\x01{kind}:{value}".encode())
