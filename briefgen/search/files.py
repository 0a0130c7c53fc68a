"""The files of the search index, under ``search/``, each gzip-compressed (the page's script
inflates them; a server that compressed them again is not needed):

- ``manifest.bin`` (JSON): the layout (shards, vocabulary pages, stemmer) and every block
  (collection, first unit, size) in order: a block's number in postings is its place here;
- ``t/<n>.bin``: shard ``n`` of the words and filter values (``codes``), a term's shard
  being its hash (a word's: its stem's) modulo the number of shards; ``p/<n>.bin``: shard
  ``n`` of the pairs of consecutive words (for phrases), the same way;
- ``v/<n>.bin``: vocabulary page ``n``: the words whose first two characters hash there,
  with their stems (for prefixes, and for words of languages the script cannot stem);
- ``d/b/<block>/<place>.bin`` (JSON): the documents of one briefing and its entries, read
  only for the results shown, each an array of the fields of ``units.SearchDoc`` in order;
  ``d/<a|s|p>/<block>.bin``: an array of those of each unit of a block of actors, sources or
  pages;
- ``filters.bin`` (JSON): the actors, topics and years the filters offer.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from briefgen.engine.deps import Key, Reader
from briefgen.search import codes
from briefgen.search.blocks import Layout, members
from briefgen.search.units import SHORT, compressed
from briefgen.site.documents import ActorIdent
from briefgen.site.pieces import TagInfo
from briefgen.site.settings import SiteSettings

MANIFEST, FILTERS = "manifest.bin", "filters.bin"
_COLLECTION = {short: name for name, short in SHORT.items()}


def _json(data: Any) -> bytes:
    return codes.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def planned(r: Reader) -> list[Key]:
    """Every file of the index, as output keys (``("search_file", rel)``)."""
    shape: Layout = r.get(("search_layout",))
    found = [MANIFEST, FILTERS]
    found += [f"t/{n}.bin" for n in range(shape.shards)]
    found += [f"p/{n}.bin" for n in range(shape.pairs)]
    found += [f"v/{n}.bin" for n in range(shape.pages)]
    for collection, head, size in r.get(("search_blocks",)):
        short = SHORT[collection]
        if collection == "briefings":
            found += [f"d/b/{head}/{place}.bin" for place in range(size)]
        else:
            found.append(f"d/{short}/{head}.bin")
    return [("search_file", rel) for rel in found]


def make(r: Reader, rel: str) -> bytes:
    if rel == MANIFEST:
        return manifest(r)
    if rel == FILTERS:
        return filters(r)
    folder, _, rest = rel.partition("/")
    if folder == "t":
        return shard(r, rest.removesuffix(".bin"))
    if folder == "p":
        return shard(r, "p" + rest.removesuffix(".bin"))
    if folder == "v":
        return vocabulary(r, rest.removesuffix(".bin"))
    short, _, name = rest.partition("/")
    return documents(r, _COLLECTION[short], name.removesuffix(".bin"))


def manifest(r: Reader) -> bytes:
    shape: Layout = r.get(("search_layout",))
    settings: SiteSettings = r.get(("settings", "site"))
    return _json({"version": 1, "language": settings.language, "stemmer": shape.algorithm,
                  "shards": shape.shards, "pairs": shape.pairs, "pages": shape.pages,
                  "blocks": [[SHORT[c], head, size]
                             for c, head, size in r.get(("search_blocks",))]})


def shard(r: Reader, number: str) -> bytes:
    order = {(c, head): n for n, (c, head, _) in enumerate(r.get(("search_blocks",)))}
    parts = sorted((order[item[0]], item[2]) for item in r.index("search_shard", number)
                   if item[0] in order)
    return codes.compress(codes.merge_shard(parts))


def vocabulary(r: Reader, number: str) -> bytes:
    return codes.compress(codes.merge_vocabulary(item[2]
                                                 for item in r.index("search_vocab", number)))


def documents(r: Reader, collection: str, name: str) -> bytes:
    """A briefing's documents (``name`` is ``<block>/<place>``), or a block's units': the
    units' rows (``units.rows``), as kept in the build cache."""
    if collection == "briefings":
        head, _, place = name.partition("/")
        units = members(r, collection, head)
        unit_id = units[int(place)] if int(place) < len(units) else None
        return compressed(r.get(("search_unit", collection, unit_id)) if unit_id else None)
    parts = [gzip.decompress(compressed(r.get(("search_unit", collection, unit_id))))
             for unit_id in members(r, collection, name)]
    return codes.compress(f"[{','.join(part.decode('utf-8') for part in parts)}]")


def filters(r: Reader) -> bytes:
    actors = []
    for item in r.index("actors"):
        actor = r.get(("ident", "actors", item[1][0]))
        if isinstance(actor, ActorIdent):
            actors.append([actor.id, actor.name])
    tags: tuple[TagInfo, ...] = r.get(("tag_list",))
    years: tuple[int, ...] = r.get(("years",))
    return _json({"actors": actors, "topics": [[t.slug, t.name] for t in tags],
                  "years": list(years)})
