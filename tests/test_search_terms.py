"""How text becomes search terms, and how a block's terms become index lines."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefgen.search import blocks, codes, terms
from briefgen.search.units import SearchDoc, decode, encode


def words(text: str) -> list[str]:
    return terms.words(terms.fold(text))


def test_folding_joins_cases_accents_and_compatibility_forms():
    assert terms.fold("Élysée") == terms.fold("ELYSEE") == "elysee"
    assert terms.fold("ﬁnance ＡＢＣ ²") == "finance abc 2"
    assert terms.fold("Переговоры") == "переговоры"  # Cyrillic stays Cyrillic
    assert terms.fold("Ἀθῆναι") == "αθηναι"


def test_words_are_runs_of_letters_digits_and_marks():
    assert words("Russia’s reply, l'accord; U.N. envoy (2022)") == \
        ["russia", "s", "reply", "l", "accord", "u", "n", "envoy", "2022"]
    # Vowel signs are combining marks: the word is not cut at them.
    assert len(words("किताब पढ़ना")) == 2 and words("किताब")[0] == "किताब"
    assert words("a_b") == ["a", "b"]


# Letters, digits and separators of ASCII, typographic separators, accented and other
# scripts' letters, combining marks, scripts without spaces, other symbols and spaces.
TEXT = st.text(alphabet=st.sampled_from(
    "aZ09_ -.,;'\"\t\n\x00\x1f’‘“”–—·«»„•…éÉßŁøΩπжЖ\u0301\u093f\u0e31外交会談かナ한€°½\u00a0\u2009"),
    max_size=40)


@given(TEXT)
def test_plain_text_is_split_as_the_patterns_split_it(text):
    folded = terms.fold(text)
    assert terms.words(folded) == terms._pattern_words(folded)
    if text.isascii():
        assert folded == terms.fold("\u00e9" + text)[1:]  # as Unicode folding has it


def test_scripts_without_spaces_become_bigrams():
    assert words("外交会談") == ["外交", "交会", "会談"]
    assert words("東京2022年") == ["東京", "2022", "年"]
    assert words("x 外 y") == ["x", "外", "y"]
    assert words("การประชุม") == terms.bigrams("การประชุม")
    assert words("한국 외교부") == ["한국", "외교부"]  # Hangul is written with spaces


@pytest.mark.parametrize(("language", "algorithm"), [
    ("en", "english"), ("en-GB", "english"), ("fr", "french"), ("pt_BR", "portuguese"),
    ("zh", None), ("ja", None), ("xx", None),
])
def test_the_stemmer_follows_the_site_language(language, algorithm):
    assert terms.algorithm_for(language) == algorithm


def test_stems_join_the_forms_of_a_word():
    stem = terms.stemmer("english")
    assert stem("strikes") == stem("strike") == stem("striking")
    assert stem("ambassadors") == stem("ambassador")
    assert stem("2022s") == "2022s"  # words with digits stay as they are
    assert stem("外交") == "外交"
    assert terms.stemmer(None)("strikes") == "strikes"
    assert terms.stemmer("french")("négociations") == terms.stemmer("french")("négociation")


def test_numbers_and_hashes_have_a_compact_text_form():
    numbers = [0, 1, 31, 32, 1023, 4096, 123456789, (1 << 200) + 5]
    assert codes.read_nums("".join(codes.num(n) for n in numbers)) == numbers
    assert len(codes.num(31)) == 1 and len(codes.num(32)) == 2
    assert len({codes.hash6(h) for h in (0, 1, 2**31, 2**32 - 1)}) == 4
    assert all(len(codes.hash6(h)) == 6 for h in (0, 2**32 - 1))


def test_pairs_are_ordered():
    a, b = terms.term_hash("written"), terms.term_hash("reply")
    assert terms.pair_hash(a, b) != terms.pair_hash(b, a)


def doc(title: str, body: str, names: str = "", actors: tuple[str, ...] = (),
        year: int | None = 2022) -> SearchDoc:
    return SearchDoc("Entry", title, "/x/", "", year, body, names, actors, ("talks",),
                     "published")


def lines_of(inverted: blocks._Inverted) -> dict[str, str]:
    found = {}
    for lines in inverted.shards(1, 1).values():
        for line in lines:
            found[line[:codes.key_length(line)]] = line[codes.key_length(line):]
    return found


def word_key(word: str, stem: str | None = None) -> str:
    return (f"w{codes.hash6(terms.term_hash(word))}"
            f"{codes.hash6(terms.term_hash(stem or word))}")


def test_a_block_inverts_its_units_per_field_and_document():
    inverted = blocks._Inverted("english")
    inverted.add(0, [doc("Talks", "nothing"), doc("Strike talks", "a written reply",
                                                  "Sergey Lavrov · Sergei Lavrov",
                                                  actors=("lavrov",))])
    inverted.add(1, [doc("Other", "strikes continue")])
    found = lines_of(inverted)
    # "strike": unit 0 in the title of document 1 (mask 2); one unit.
    assert codes.read_nums(found[word_key("strike")]) == [1, 0, 1, 2]
    # "strikes" (stem strike): unit 1, body of document 0.
    assert codes.read_nums(found[word_key("strikes", "strike")]) == [1, 1, 2, 1]
    # "sergei" is only in the names field (4) of unit 0's document 1.
    assert codes.read_nums(found[word_key("sergei")]) == [1, 0, 4, 2]
    pair = terms.pair_hash(terms.term_hash("written"), terms.term_hash("reply"))
    assert codes.read_nums(found[f"p{codes.hash6(pair)}"]) == [1, 0]
    actor = terms.facet_hash("a", "lavrov")
    assert codes.read_nums(found[f"f{codes.hash6(actor)}"]) == [1, 0, 2]
    topic = terms.facet_hash("t", "talks")
    assert codes.read_nums(found[f"f{codes.hash6(topic)}"]) == [2, 0, 3, 1, 1]


def test_shards_merge_blocks_in_order_with_block_numbers_as_differences():
    first, second = blocks._Inverted(None), blocks._Inverted(None)
    first.add(3, [doc("word", "")])
    second.add(0, [doc("word", ""), doc("word", "")])
    key = word_key("word")
    merged = codes.merge_shard([(2, "\n".join(first.shards(1, 1)["0"])),
                                (5, "\n".join(second.shards(1, 1)["0"]))])
    line = next(line for line in merged.splitlines() if line.startswith(key))
    # block 2: one unit at place 3, title mask 1; block 5 (2 + 3): one unit at 0, mask 3
    assert codes.read_nums(line[len(key):]) == [2, 1, 3, 1, 1, 3, 1, 0, 1, 3]


def test_vocabulary_pages_hold_words_by_their_first_two_characters():
    inverted = blocks._Inverted("english")
    inverted.add(0, [doc("Strikes and strike", "外交会談")])
    pages = inverted.vocabulary(1)[0]
    assert "strikes\tstrike" in pages and "strike\t" in pages and "外交\t" in pages
    assert blocks.page_key("strikes") == blocks.page_key("strike") == "st"
    assert blocks.page_key("外交") == "外"


def test_blocks_are_cut_by_the_ids_alone():
    ids = [f"b{n:05d}" for n in range(2000)]
    cut = blocks.cut(ids)
    assert [i for block in cut for i in block] == ids
    assert max(len(block) for block in cut) <= 4 * blocks.BLOCK
    assert 20 < len(cut) < 200
    # A unit added in the middle changes its own block only.
    with_new = blocks.cut([*ids[:1000], "inserted", *ids[1000:]])
    changed = [block for block in with_new if block not in cut]
    assert len(changed) <= 2 and any("inserted" in block for block in changed)


BLOCK_LINES = """
import json
from briefgen.search import blocks
from briefgen.search.units import SearchDoc
inverted = blocks._Inverted("english")
for place in range(3):
    body = " ".join(f"word{place}x{n} pair{n % 7} strike{n % 5}s" for n in range(200))
    inverted.add(place, [SearchDoc("Entry", f"Title {place}", "/x/", "", 2022, body,
                                   "Sergey Lavrov", ("lavrov", f"actor{place}"), ("talks",),
                                   "published")])
print(json.dumps([inverted.shards(4, 4), inverted.vocabulary(2)]))
"""


def test_a_blocks_lines_are_the_same_in_every_process():
    # The lines a block emits are compared with the stored ones of the last build: lines
    # in another order make every shard of the block again after a one-word edit. String
    # hashing (and so the order of sets of words) differs from process to process.
    found = [subprocess.run([sys.executable, "-c", BLOCK_LINES], capture_output=True,
                            text=True, check=True,
                            env={**os.environ, "PYTHONHASHSEED": seed}).stdout
             for seed in ("1", "2", "3")]
    assert json.loads(found[0])[0], "the block has lines"
    assert found[0] == found[1] == found[2]


def test_units_survive_the_build_cache():
    docs = [doc("T", "body", "names", ("a",)), doc("U", "外交", year=None)]
    assert decode(encode(docs)) == docs
    assert decode("") == []


def test_compressed_files_are_the_same_bytes_for_the_same_text():
    assert codes.compress("abc") == codes.compress("abc")
    assert gzip.decompress(codes.compress("été")) == "été".encode()
