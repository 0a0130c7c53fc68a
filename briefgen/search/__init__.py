"""Full-text search: the words of every document as term-sharded index files that the search
page loads a few at a time (see ``docs/theming.md``, "Search").

- ``terms``: text → folded words, CJK bigrams, stems, and the hashes that name them;
- ``codes``: the compact text encoding of numbers, hashes and postings;
- ``units``: what each briefing, actor, source or page gives to search (a persisted piece);
- ``blocks``: units grouped into blocks, each block's postings per shard (emitted);
- ``files``: the index files (manifest, shards, vocabulary, documents, filters).

The browser's script (``themes/default/static/search.js``) splits, folds, stems and hashes
queries exactly as ``terms`` does: a change to one is a change to the other.
"""
