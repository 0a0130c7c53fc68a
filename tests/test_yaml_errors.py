"""YAML syntax errors in plain words: the mistakes editors make, each told as what to do at
the place to fix it, with libyaml and with PyYAML's own parser alike."""

from __future__ import annotations

from datetime import UTC

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen import fields as F
from briefgen import yamlsource
from briefgen.errors import Diagnostics, split_lines
from briefgen.schema import Field, ReadContext, read_record
from briefgen.yamlsource import compose

LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


@pytest.fixture(params=LOADERS, ids=lambda loader: loader.__name__)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> type:
    monkeypatch.setattr(yamlsource, "_Loader", request.param)
    return request.param


MISTAKES = [
    # a tab in the indentation
    ("name: A\n\tkind: person\n", "2:1",
     "line 2 is indented with a tab; YAML needs spaces: indent it with spaces only"),
    ("lead: |\n  Text\n\tmore\n", "3:1",
     "line 3 is indented with a tab; YAML needs spaces: indent it with spaces only"),
    ("aliases:\n  -\tOne\n", "2:4",
     "a tab stands here, where YAML needs a space: replace it with a space"),
    # ': ' in an unquoted value
    ("title: Russia: the reply\ndate: 2022\n", "1:14",
     "the value of 'title' contains ': ', which YAML reads as the start of a key; quote the "
     "value: title: \"Russia: the reply\""),
    ('image:\n  alt: He said "no": twice\n', "2:20",
     "the value of 'alt' contains ': ', which YAML reads as the start of a key; quote the "
     "value: alt: 'He said \"no\": twice'"),
    ("summary: a long\n  text that says\n  this: and more\n", "3:7",
     "line 3 goes on with the value of 'summary' (line 1) and holds ': ', which YAML reads as a "
     "key; quote the whole value of 'summary', or line 'this' up with 'summary' if it is a key "
     "of its own"),
    # key:value without a space
    ("name: A\nkind:person\n", "2:5", "'kind:' needs a space after the colon: write kind: person"),
    ("name:A\nkind: person\n", "1:5", "'name:' needs a space after the colon: write name: A"),
    # wrong indentation in nested mappings and lists
    ("name: A\n kind: person\n", "2:2",
     "'kind' is indented to column 2, more than 'name' above it (line 1, column 1), so YAML "
     "reads it as part of the value of 'name'; line it up with 'name'"),
    ("image:\n    src: a.png\n  alt: b\n", "3:3",
     "wrong indentation: line 3 starts at column 3, between 'src' (line 2, column 5) and "
     "'image' (line 1, column 1); line it up with the one it belongs to"),
    ("aliases:\n  - a\n - b\n", "3:2",
     "wrong indentation: line 3 starts at column 2, between the list item (line 2, column 3) "
     "and 'aliases' (line 1, column 1); line it up with the one it belongs to"),
    ("roles:\n  - title: X\n   of: y\n", "3:4",
     "wrong indentation: line 3 starts at column 4, between 'title' (line 2, column 5) and the "
     "list item (line 2, column 3); line it up with the one it belongs to"),
    ("roles:\n  - title: X\n     of: y\n", "3:6",
     "'of' is indented to column 6, more than 'title' above it (line 2, column 5), so YAML "
     "reads it as part of the value of 'title'; line it up with 'title'"),
    # a '-' item at the wrong place, a key among items
    ("name: A\n- b\n", "2:1",
     "this list item stands at the column of the key 'name' (line 1), among the keys of a "
     "mapping; a list goes under a key of its own, with its items indented below it"),
    ("roles:\n  - title: X\n  of: y\n", "3:3",
     "'of' stands at the column of the list items (line 2); indent it to column 5 to put it in "
     "the item above, or start a new item with '- '"),
    ("aliases: - a\n", "1:10",
     "a value that starts with '- ' is read as a list item, which cannot stand on the line of "
     "its key; quote the value: aliases: \"- a\"; for a list, put each '- item' on a line of "
     "its own, indented under the key"),
    # unclosed quotes, quotes closed too early
    ('title: "A report\npublisher: Daily\n', "1:8",
     'the " that opens this value is never closed: the file ends on line 2 without it; add the '
     'closing " where the value ends'),
    ("name: x\ntitle: 'A report\n", "2:8",
     "the ' that opens this value is never closed: the file ends on line 2 without it; add the "
     "closing ' where the value ends"),
    ('title: "A report\npublisher: "Daily News"\n', "1:8",
     'the " that opens this value is not closed on line 1, so YAML reads on to the " on line 2, '
     'column 12; close the quote on line 1'),
    ("title: 'It's here'\n", "1:8",
     "text follows the ' that closes this value in column 11 (inside '…', an apostrophe is "
     "written ''); quote the whole value: title: \"It's here\""),
    ('title: "A" report\n', "1:8",
     "text follows the \" that closes this value in column 10; quote the whole value: "
     "title: '\"A\" report'"),
    # unclosed brackets, a value that starts with one
    ("name: U\naliases: [Un, Closed\n", "2:10",
     "the '[' that opens this list is never closed: the file ends on line 2 without it; add ']' "
     "after the last item"),
    ("title: [About\nsummary: x\n", "1:8",
     "the '[' that opens this list is not closed on its line, so YAML reads on to line 2, "
     "column 8; add ']' after the last item; if the value is text, quote it: title: \"[About\""),
    ("image: {src: a\nkind: person\n", "1:8",
     "the '{' that opens this mapping is not closed on its line, so YAML reads on to line 2, "
     "column 5; add '}' after the last item"),
    ("title: [Draft] plan\n", "1:8",
     "the value of 'title' starts with '[', so YAML reads a list that ends at column 14; quote "
     "the value: title: \"[Draft] plan\""),
    ("aliases: [a, b]]\n", "1:16", "this ']' closes nothing: remove it"),
    # a second document
    ("---\n---\nname: A\n", "2:1",
     "'---' here starts a second YAML document, but a file holds one: remove this line (a .yaml "
     "file needs no '---' lines around its keys)"),
    ("name: A\n---\nname: B\n", "2:1",
     "'---' here starts a second YAML document, but a file holds one: remove this line"),
    # a line that is not key: value; a block that is not indented
    ("name: A\njust text\n", "2:1",
     "line 2 has no ':' after a key; if it goes on with the value of 'name' (line 1), indent it "
     "further than 'name'; otherwise write it as key: value"),
    ("name A\nkind: person\n", "1:1",
     "line 1 has no ':' after a key, so YAML reads it and line 2 as one text; write it as key: "
     "value"),
    ("lead: |\nnot indented\nkind: x\n", "2:1",
     "the text of 'lead' (the block that '|' opens on line 1) must be indented further than "
     "'lead': indent line 2 and the lines after it"),
    # characters YAML keeps for itself at the start of a value
    ("title: @handle\n", "1:8", "a value cannot start with '@' in YAML; quote the value: "
                                "title: \"@handle\""),
    ("title: *bold* move\n", "1:8",
     "a value that starts with '*' is read as a reference to an anchor ('&name'); quote the "
     "value: title: \"*bold* move\""),
    ("title: | x\n", "1:8", "a value that starts with '|' opens a block of text on the lines "
                            "below; quote the value: title: \"| x\""),
    ('title: "a\\qb"\n', "1:10", "'\\q' is not an escape YAML knows in double quotes: write "
                                 "'\\\\' for a backslash, or put the value in single quotes"),
]


@pytest.mark.parametrize("text, where, message", MISTAKES,
                         ids=[f"{n}-{m[2][:30]}" for n, m in enumerate(MISTAKES)])
def test_each_mistake_is_told_in_plain_words(loader: type, text: str, where: str,
                                             message: str) -> None:
    _, problem = compose(text)
    assert problem is not None
    assert (f"{problem.loc.line}:{problem.loc.col}", problem.message) == (where, message)


def test_front_matter_counts_lines_in_the_file_and_names_its_end(loader: type) -> None:
    # The front matter of a Markdown file starts on line 2, after its '---'.
    _, problem = compose('title: "Open\ndate: 2022-02-01\n', 1, front_matter=True)
    assert problem is not None
    assert (problem.loc, problem.message) == (
        (2, 8), 'the " that opens this value is never closed: the front matter ends on line 4 '
                'without it; add the closing " where the value ends')
    _, problem = compose("title: A\n kind: b\n", 1, front_matter=True)
    assert problem is not None and problem.loc == (3, 2)
    assert "(line 2, column 1)" in problem.message


def test_lines_that_only_yaml_breaks_are_counted_as_the_file_counts_them(loader: type) -> None:
    _, problem = compose("a: 1\n\u2028b: x: y\n")
    assert problem is not None
    assert problem.loc == (2, 6)
    assert problem.message.startswith("the value of 'b' contains ': '")


def test_other_errors_keep_the_parsers_words(loader: type) -> None:
    _, problem = compose("%YAML 1.1\nname: a\n")
    assert problem is not None
    assert problem.message.startswith("invalid YAML: ")


_PIECES = ["title: A report", "date: 2022-01-01", "aliases: [a, b]", "roles:", "  - title: X",
           "    of: y", "image:", "  src: a.png", "lead: |", "  text", "- a", "  - c", "",
           "summary: Note: this", "\tkind: x", "x: 'It's'", 'y: "open', "---", "key:value",
           "z: {a: b", "w: *a", "# note", "k: \"\\q\"", "| x"]


@st.composite
def broken_yaml(draw: st.DrawFn) -> str:
    text = "\n".join(draw(st.lists(st.sampled_from(_PIECES), max_size=8)))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(list(" \t:-'\"[]{}#|>*@,\n\u2028"))) + text[at:]
    return text


@pytest.mark.parametrize("yaml_loader", LOADERS, ids=lambda loader: loader.__name__)
def test_any_broken_yaml_gets_a_located_one_line_message(yaml_loader: type,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsource, "_Loader", yaml_loader)

    @settings(deadline=None, database=None, max_examples=400,
              suppress_health_check=[HealthCheck.too_slow])
    @given(broken_yaml(), st.integers(0, 3))
    def run(text: str, offset: int) -> None:
        _, problem = compose(text, offset, front_matter=offset > 0)
        if problem is None:
            return
        lines = split_lines(text) or [""]
        assert offset + 1 <= problem.loc.line <= offset + len(lines)
        assert 1 <= problem.loc.col <= len(lines[problem.loc.line - offset - 1]) + 1
        assert problem.message and "\n" not in problem.message

    run()


def read_fields(text: str, fields: dict[str, Field]) -> Diagnostics:
    """The diagnostics of reading ``text`` (YAML that parses) as a record of ``fields``."""
    node, problem = compose(text)
    assert problem is None
    diags = Diagnostics("f.yaml")
    read_record(node, fields, ReadContext(diags, UTC, 0, split_lines(text)), "x")
    return diags


@pytest.mark.parametrize("text,fields,where,kept", [
    ("title: Resolution #2231 passes\ndate: 2022\n", "SOURCE", "1:19", "Resolution"),
    ("name: A\nkind: person\nsummary: Leads #team   \n", "ACTOR", "3:16", "Leads"),
    ("title: a\n  b #c\npublisher: P\n", "SOURCE", "2:5", "a b"),
])
def test_an_unquoted_text_cut_by_a_comment_is_a_warning(loader: type, text: str, fields: str,
                                                        where: str, kept: str) -> None:
    diags = read_fields(text, getattr(F, fields))
    warnings = [d for d in diags.items if "YAML comment" in d.message]
    assert [f"{d.loc.line}:{d.loc.col}" for d in warnings] == [where]
    assert f"so {kept!r} is all that is kept" in warnings[0].message


@pytest.mark.parametrize("text", [
    'title: "Resolution #2231"\n', "title: Resolution#2231\n", "title: Resolution\n# a note\n",
    "title: T\nkind: person  # or organisation\n", "title: T\nwikidata: Q1 #the id\n",
    "name: A\nsummary: Leads the team # checked on 3 May\n",
])
def test_quoted_texts_comments_of_their_own_and_codes_give_no_warning(loader: type,
                                                                      text: str) -> None:
    diags = read_fields(text, F.ACTOR)
    assert not [d for d in diags.items if "YAML comment" in d.message]


@pytest.mark.parametrize("text,fields,where,written", [
    ('title: "[[Russia]]\'s reply"\ndate: 2022\n', "BRIEFING", "1:9", "[[Russia]]"),
    ("title: Reply [@cbs, p. 2]\npublisher: P\n", "SOURCE", "1:14", "[@cbs, p. 2]"),
    ("name: A\nkind: person\nroles:\n  - title: Envoy\n    of: '[[un]]'\n", "ACTOR", "5:10",
     "[[un]]"),
])
def test_link_syntax_in_a_field_shown_as_written_is_a_warning(loader: type, text: str,
                                                              fields: str, where: str,
                                                              written: str) -> None:
    diags = read_fields(text, getattr(F, fields))
    found = [d for d in diags.items if "shown as written" in d.message]
    assert [f"{d.loc.line}:{d.loc.col}" for d in found] == [where]
    assert repr(written) in found[0].message


def test_link_syntax_in_markdown_fields_is_not_a_warning(loader: type) -> None:
    text = "title: T\ndate: 2022\nsummary: With [[ana]] [@memo]\n"
    diags = read_fields(text, F.BRIEFING)
    assert diags.items == []


@pytest.mark.parametrize("url,problem", [
    ("https://www,state.gov/news", "has ',' in its host name 'www,state.gov'; did you mean '.'?"),
    ("https://a..b.org/", "has an empty part in its host name 'a..b.org'"),
    ("https://exa(mple).org/", "has '(' in its host name"),
])
def test_a_url_whose_host_cannot_be_one_is_an_error(loader: type, url: str, problem: str) -> None:
    text = f"title: T\npublisher: P\ndate: 2022\nurl: {url}\n"
    diags = read_fields(text, F.SOURCE)
    assert [(d.loc.line, d.loc.col) for d in diags.items] == [(4, 6)]
    assert problem in diags.items[0].message


@pytest.mark.parametrize("url", ["https://www.state.gov/news", "http://[::1]:8000/",
                                 "https://bücher.example/", "http://localhost:8000/"])
def test_urls_with_real_hosts_are_accepted(loader: type, url: str) -> None:
    text = f"title: T\npublisher: P\ndate: 2022\nurl: '{url}'\n"
    diags = read_fields(text, F.SOURCE)
    assert diags.items == []


BRIEFING = "title: B\ndate: 2022-02-01\n---\n\n## 2022-01-31 Said\n\nText.\n"
MISPLACED = "front matter must start on the first line"


@pytest.mark.parametrize("data, expected", [
    (f"\n---\n{BRIEFING}".encode(),
     f"2:1: error: {MISPLACED}; remove the blank line above '---'"),
    # a byte order mark and Windows line ends: the blank lines are still two
    (b"\xef\xbb\xbf" + f" \n\n---\n{BRIEFING}".replace("\n", "\r\n").encode(),
     f"3:1: error: {MISPLACED}; remove the 2 blank lines above '---'"),
    (f"<!-- to check -->\n---\n# written by the desk\n{BRIEFING}".encode(),
     f"2:1: error: {MISPLACED}; move the text above '---' below the front matter (after the "
     "closing '---'), or remove it"),
    (f"  ---\n{BRIEFING}".encode(),
     "1:3: error: front matter must start at the beginning of the first line; remove the "
     "spaces before '---'"),
    (b"\xef\xbb\xbf\xef\xbb\xbf---\n" + BRIEFING.encode(),
     "1:2: error: front matter must start at the beginning of the first line; remove the "
     "byte order mark (U+FEFF) before '---'"),
], ids=["a-blank-line", "bom-and-crlf", "text-above", "spaces-before", "a-second-bom"])
def test_front_matter_below_the_first_line_is_one_error_at_its_dashes(tmp_path, cli, data,
                                                                       expected) -> None:
    site = tmp_path / "site"
    (site / "content/briefings").mkdir(parents=True)
    (site / "site.yaml").write_text("title: T\nbase_url: https://example.org/\n")
    (site / "content/briefings/b.md").write_bytes(data)
    result = cli("--site", str(site), "check")
    assert result.code == 1
    assert result.headlines == [f"content/briefings/b.md:{expected}"], result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("text", [
    "\nNo front matter at all.\n",
    "\n---\n\nA thematic break, then text.\n\n---\n",
    "\n---\ntitle: B\ndate: 2022-02-01\n",  # never closed: read as Markdown
], ids=["no-dashes", "no-keys", "not-closed"])
def test_a_file_without_front_matter_still_misses_its_keys(tmp_path, cli, text) -> None:
    site = tmp_path / "site"
    (site / "content/briefings").mkdir(parents=True)
    (site / "site.yaml").write_text("title: T\nbase_url: https://example.org/\n")
    (site / "content/briefings/b.md").write_text(text)
    result = cli("--site", str(site), "check")
    assert result.code == 1
    assert [h for h in result.headlines if "error" in h] == [
        "content/briefings/b.md:1:1: error: missing required key 'date' in a briefing",
        "content/briefings/b.md:1:1: error: missing required key 'title' in a briefing"]
