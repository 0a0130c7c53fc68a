"""A long paragraph is settled in runs of its tokens while it is parsed (issue 8, item 7:
a 10 MB paragraph of citations held every token at once). Cutting must never change what
a document becomes: the same HTML, text, refs, places and diagnostics as a parse in one
piece, whatever is left open at a cut (emphasis, quotation marks, raw HTML, links)."""

from __future__ import annotations

import tracemalloc
from datetime import UTC

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from briefgen.docparser import DocumentParser
from briefgen.markup import RENDERED, make_markdown
from briefgen.model import Collection
from briefgen.parse import Parsed, parse_document

WHOLE = 1 << 40  # never cut
PATH = "content/briefings/runs.md"

# Pieces of prose that meet at a cut: links and citations (after which a run may end),
# what stays open across them, and what typography changes.
PIECES = [
    "word", "two words", " ", "\n", "[[alpha]]", "[[beta|Beta's office]]", "[[gamma|\"G\"]]",
    "[@wire]", "[@wire, p. 4]", "[see @wire; @post]", "@wire", "@wire [p. 9]", "[@nope",
    '"', "'", "it's", "'90s", '"quoted"', "*", "**", "_", "~~", "*em*", "`code`", "<b>",
    "</b>", "<code>", "</code>", "<!-- note -->", "--", "...", "---", "\\\"", "&quot;",
    "https://example.org/a\"b", "[text](/briefings/)", "![alt](/img.png \"Caption\")",
    "[plain]", "[^1]", "(", ")", ":", "!", "?", ";", "«", "»",
    "![a [[alpha]] \"b\" [@wire] *c*](/img.png)", "[see [[alpha]] and [@wire]](/briefings/)",
    "[[ ]]", "[[ ]]'s", "word[[ ]]'s end", "x 'a'[[ ]]b end", "x \"a\"[[ ]]b end",
]


def parse(text: str, language: str, long_inline: int, run_tokens: int = 2) -> Parsed:
    md = make_markdown(False, language, long_inline=long_inline, run_tokens=run_tokens)
    return parse_document(Collection.BRIEFINGS, PATH, text, md, UTC, language)


def briefing(paragraphs: list[str]) -> str:
    body = "\n\n".join(paragraphs)
    return (f"---\ntitle: Runs\ndate: 2022-01-01\n---\n\n## 2022-01-01 First\n\n{body}\n\n"
            "[^1]: A note with [[alpha]] and [@wire].\n")


@settings(deadline=None, database=None, max_examples=300,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.lists(st.sampled_from(PIECES), min_size=1, max_size=60),
                min_size=1, max_size=3),
       st.sampled_from(["en", "fr", "de"]), st.integers(1, 6))
def test_cut_paragraphs_parse_as_whole_ones(paragraphs: list[list[str]], language: str,
                                           run_tokens: int) -> None:
    text = briefing([" ".join(pieces) for pieces in paragraphs])
    whole = parse(text, language, WHOLE)
    cut = parse(text, language, 0, run_tokens)
    assert cut.document == whole.document
    assert cut.diagnostics == whole.diagnostics


def settled_children(text: str, long_inline: int, run_tokens: int) -> list[list[Token]]:
    """The children of each inline token of ``text``, as the parse leaves them."""
    md = make_markdown(False, "en", long_inline=long_inline, run_tokens=run_tokens)
    tokens = DocumentParser(PATH, text, md, UTC, "en").tokens(text, 1)
    return [token.children or [] for token in tokens if token.type == "inline"]


def citations(count: int) -> str:
    return " ".join(f"claim {n} [@wire, p. {n}] and [[alpha]]" for n in range(count))


def test_a_long_paragraph_is_settled_in_runs() -> None:
    [children] = settled_children(citations(300), long_inline=100, run_tokens=50)
    assert len(children) > 5
    assert all(child.type == RENDERED for child in children)
    # Short paragraphs are settled whole.
    [children] = settled_children(citations(300), long_inline=WHOLE, run_tokens=50)
    assert len(children) == 1


def test_nothing_is_cut_while_something_is_open() -> None:
    """An emphasis marker, a quotation mark or a raw HTML element left open at the start
    keeps the whole paragraph in one run: a later token could close it."""
    for opening in ("*open ", '"open ', "<b>open "):
        [children] = settled_children(opening + citations(300), long_inline=100,
                                      run_tokens=50)
        assert len(children) == 1, opening
    # Closed at once, they leave the rest free to be cut.
    for closed in ("*shut* ", '"shut" ', "<b>shut</b> ", "it's "):
        [children] = settled_children(closed + citations(300), long_inline=100,
                                      run_tokens=50)
        assert len(children) > 5, closed


def test_a_long_paragraph_of_citations_peaks_at_a_fraction_of_its_tokens() -> None:
    text = briefing([citations(6000)])
    peaks = []
    for long_inline in (WHOLE, 1 << 16):
        tracemalloc.start()
        parse(text, "en", long_inline, 4096)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    whole, cut = peaks
    assert cut < whole * 0.6, (whole, cut)
