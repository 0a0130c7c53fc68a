"""Units grouped into blocks, and each block's share of the index.

Each collection's units, in order (briefings oldest first, the others in file order), are cut
into blocks where a unit's id hashes to a multiple of ``BLOCK`` (or after ``4 * BLOCK`` units
without one). The cut depends on the ids alone, so adding or removing a unit changes its own
block only, and adding a newer briefing puts it at the end of the last one: the other blocks,
and the files of their documents, stay as they are. A block is named after its first unit.

A block node tokenises its units (read from the build cache, see ``units``) and emits, for
each shard of terms, its lines (``codes``) into the index ``search_shard``, and for each page
of the vocabulary its words into ``search_vocab``: editing one briefing makes its block again,
and only the shards and pages whose lines changed are written again.

Every unit has a block node, keyed like the unit; a unit that does not start a block finds no
members under its name and emits nothing.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

from briefgen.engine.deps import Reader
from briefgen.search import codes, terms
from briefgen.search.units import COLLECTIONS, SearchDoc, decode
from briefgen.site.settings import ParseSettings

# Units per block, on average. An edit makes its unit's block again (~1.3 ms a unit at
# 5,000 briefings; a random edit's block has ~56 units). 16 halved that, but the preview
# holds each block's share of every shard: at 10,000 briefings its peak grew by 65 MiB,
# past its 1.5 GiB bound, and the index by 5%.
BLOCK = 32


@dataclass(frozen=True, slots=True)
class Layout:
    """How the index is cut: shards of words (and filter values), shards of pairs of words,
    pages of the vocabulary, and the stemmer."""

    shards: int
    pairs: int
    pages: int
    algorithm: str | None


def _power_of_two(value: float, low: int, high: int) -> int:
    found = low
    while found < value and found < high:
        found *= 2
    return found


def layout(r: Reader) -> Layout:
    """The node ``("search_layout",)``: a shard of words holds about 128 units' share of
    the words, a shard of pairs 64 units' share of the pairs (there are twice as many), so
    that a query's files stay small at any size; it changes only when the site doubles."""
    blocks: tuple[tuple[str, str, int], ...] = r.get(("search_blocks",))
    units = sum(count for _, _, count in blocks)
    settings: ParseSettings = r.get(("settings", "parse"))
    return Layout(_power_of_two(units / 128, 8, 4096), _power_of_two(units / 64, 8, 4096),
                  _power_of_two(units / 512, 4, 256), terms.algorithm_for(settings.language))


def _ordered(r: Reader, collection: str) -> list[str]:
    items = r.index(collection)
    if collection == "briefings":  # the index is newest first
        return [item[1][0] for item in reversed(items)]
    if collection == "actors":  # the index is by name: file order does not move on a rename
        return [item[1][0] for item in sorted(items, key=lambda item: item[0][1])]
    return [item[1][0] for item in items]


def cut(ids: list[str]) -> list[list[str]]:
    """The blocks of one collection's ids, in order."""
    found: list[list[str]] = []
    for unit_id in ids:
        if not found or len(found[-1]) >= 4 * BLOCK or \
                zlib.crc32(unit_id.encode("utf-8")) % BLOCK == 0:
            found.append([])
        found[-1].append(unit_id)
    return found


def blocks(r: Reader) -> tuple[tuple[str, str, int], ...]:
    """The node ``("search_blocks",)``: every block as (collection, first unit, size), in the
    order of the index; each block's units are emitted into ``search_members``."""
    found: list[tuple[str, str, int]] = []
    for collection, _ in COLLECTIONS:
        for members in cut(_ordered(r, collection)):
            for place, unit_id in enumerate(members):
                r.emit("search_members", collection, members[0], (place, None, unit_id))
            found.append((collection, members[0], len(members)))
    return tuple(found)


def members(r: Reader, collection: str, head: str) -> list[str]:
    return [item[2] for item in r.index("search_members", collection, head)]


class _Inverted:
    """The terms of a block's units, inverted: which units (and which of their documents,
    in which fields) hold each."""

    def __init__(self, algorithm: str | None) -> None:
        self.stem = terms.stemmer(algorithm)
        # word → [(unit, which fields of its documents hold it: ``_fields``)]
        self.words: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.hashes: dict[str, int] = {}
        self.pairs: dict[int, list[int]] = defaultdict(list)
        self.facets: dict[int, dict[int, int]] = defaultdict(dict)
        # names → their distinct words and pairs (names repeat from entry to entry)
        self.seen: dict[str, tuple[set[str], set[int]]] = {}
        # a document's actors, topics and year → their filter values (alike in a briefing)
        self.filters: dict[tuple[tuple[str, ...], tuple[str, ...], int | None], list[int]] = {}

    def _terms(self, text: str) -> tuple[set[str], set[int]]:
        """The distinct words of a text, and the hashes of its pairs of consecutive words."""
        found = terms.words(terms.fold(text))
        distinct = set(found)
        hashes = self.hashes
        hashes.update({word: terms.term_hash(word) for word in distinct.difference(hashes)})
        if len(found) < 2:
            return distinct, set()
        return distinct, {(a * _MIX + b) & 0xFFFFFFFF
                          for a, b in pairwise(map(hashes.__getitem__, found))}

    def _known_terms(self, text: str) -> tuple[set[str], set[int]]:
        found = self.seen.get(text)
        if found is None:
            found = self.seen[text] = self._terms(text)
        return found

    def _facets(self, doc: SearchDoc) -> list[int]:
        key = (doc.actors, doc.tags, doc.year)
        found = self.filters.get(key)
        if found is None:
            found = self.filters[key] = _facets(doc)
        return found

    def add(self, place: int, docs: list[SearchDoc]) -> None:
        pairs: set[int] = set()
        # word → the masks of the three fields packed in one number, ``shift`` bits apart
        packed: dict[str, int] = {}
        shift = len(docs)
        for number, doc in enumerate(docs):
            for field, text in enumerate((doc.title, doc.body, doc.names)):
                if not text:
                    continue
                distinct, text_pairs = self._known_terms(text) if field == 2 \
                    else self._terms(text)
                bit = 1 << (number + field * shift)
                get = packed.get
                packed.update({word: get(word, 0) | bit for word in distinct})
                pairs.update(text_pairs)
            bit = 1 << number
            for facet in self._facets(doc):
                masked = self.facets[facet]
                masked[place] = masked.get(place, 0) | bit
        fields = {masks: _fields(masks, shift) for masks in set(packed.values())}
        words = self.words
        for word, masks in packed.items():
            words[word].append((place, fields[masks]))
        for pair in pairs:
            self.pairs[pair].append(place)

    def shards(self, count: int, pair_count: int) -> dict[str, list[str]]:
        """Each shard's lines (``codes``), by the shard's name: its number, ``p`` and its
        number for the shards of pairs."""
        lines: dict[str, list[str]] = defaultdict(list)
        num, hash6, hashes = codes.num, codes.hash6, self.hashes
        names = [str(n) for n in range(count)]
        pair_names = [f"p{n}" for n in range(pair_count)]
        # In the order of the words and hashes, not the sets' they came through (which
        # string hashing shuffles from process to process, and an edited unit reorders):
        # the same units give the same lines in every build, and an edit changes only the
        # lines of the terms it touches.
        for word, units in sorted(self.words.items()):
            stem = self.stem(word)
            stem_hash = hashes[word] if stem == word else terms.term_hash(stem)
            lines[names[stem_hash % count]].append(
                f"w{hash6(hashes[word])}{hash6(stem_hash)}{_word_postings(units)}")
        for h, places in sorted(self.pairs.items()):
            postings = _ALONE[places[0]] if len(places) == 1 else _unit_postings(places)
            lines[pair_names[h % pair_count]].append(f"p{hash6(h)}{postings}")
        for h, masks in sorted(self.facets.items()):
            lines[names[h % count]].append(f"f{hash6(h)}{num(len(masks))}{_masked(masks)}")
        return lines

    def vocabulary(self, count: int) -> dict[int, list[str]]:
        """Each vocabulary page's lines: a word, a tab, and its stem if it differs."""
        pages: dict[int, list[str]] = defaultdict(list)
        for word in sorted(self.words):  # in order, as in ``shards``
            stem = self.stem(word)
            pages[terms.term_hash(page_key(word)) % count].append(
                f"{word}\t{stem if stem != word else ''}")
        return pages


_MIX = 0x9E3779B1  # terms.pair_hash, inlined: a block makes hundreds of thousands of pairs
_ALONE = tuple(f"1{codes.num(place)}" for place in range(4 * BLOCK))  # one unit, at a place


def page_key(word: str) -> str:
    """What puts a word on its vocabulary page: its first two characters (one, for scripts
    without spaces), so that every word a typed prefix can complete is on one page."""
    return word[:1] if terms.no_space(word[:1]) else word[:2]


def _facets(doc: SearchDoc) -> list[int]:
    found = [terms.facet_hash("a", actor) for actor in doc.actors]
    found += [terms.facet_hash("t", tag) for tag in doc.tags]
    if doc.year is not None:
        found.append(terms.facet_hash("y", str(doc.year)))
    return found


def _fields(masks: int, shift: int) -> str:
    """Which fields of a unit's documents hold a word (``masks``: the masks of the title,
    body and names fields, packed ``shift`` bits apart), as its postings give them."""
    full = (1 << shift) - 1
    title, body, names = masks & full, masks >> shift & full, masks >> 2 * shift
    num = codes.num
    if not title and not names:  # the usual case: the body alone
        return f"2{num(body)}"
    return num((title > 0) | (body > 0) << 1 | (names > 0) << 2) \
        + "".join(num(mask) for mask in (title, body, names) if mask)


def _word_postings(units: list[tuple[int, str]]) -> str:
    num = codes.num
    parts, last = [num(len(units))], 0
    for place, fields in units:  # in ascending order: units are added in order
        parts.append(num(place - last) + fields)
        last = place
    return "".join(parts)


def _unit_postings(places: list[int]) -> str:
    num = codes.num
    parts, last = [num(len(places))], 0
    for place in places:  # in ascending order: units are added in order
        parts.append(num(place - last))
        last = place
    return "".join(parts)


def _masked(units: dict[int, int]) -> str:
    num = codes.num
    parts, last = [], 0
    for place in sorted(units):
        parts.append(num(place - last) + num(units[place]))
        last = place
    return "".join(parts)


def block(r: Reader, collection: str, head: str) -> int:
    """The node ``("search_block", collection, unit)``: if the unit starts a block, the
    block's lines are emitted into each shard and vocabulary page; its value is its size."""
    units = members(r, collection, head)
    if not units:
        return 0
    shape: Layout = r.get(("search_layout",))
    inverted = _Inverted(shape.algorithm)
    for place, unit_id in enumerate(units):
        if place % 8 == 0:
            r.check_cancelled()  # a block takes ~1 ms a unit: the preview may have a newer edit
        inverted.add(place, decode(r.get(("search_unit", collection, unit_id))))
    r.check_cancelled()
    name = (collection, head)
    for shard, lines in inverted.shards(shape.shards, shape.pairs).items():
        r.emit("search_shard", shard, (name, None, "\n".join(lines)))
    for page, words in inverted.vocabulary(shape.pages).items():
        r.emit("search_vocab", str(page), (name, None, "\n".join(words)))
    return len(units)
