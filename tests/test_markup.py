"""Markdown extensions, fixture by fixture (markdown-it's fixture format: title, input, HTML)."""

from __future__ import annotations

import re
import tempfile
import unicodedata
from datetime import UTC
from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file
from PIL import Image

from briefgen.engine.deps import Engine, digest_text
from briefgen.markup import make_markdown
from briefgen.model import Collection
from briefgen.parse import parse_document
from briefgen.site.filetext import FileText
from briefgen.site.kinds import INDEXES, site_kinds
from briefgen.site.settings import Flags, ParseSettings, SiteSettings
from tests.conftest import write

FIXTURES = Path(__file__).parent / "fixtures" / "markup.md"

DOCS = {
    (Collection.ACTORS, "content/actors/lavrov.yaml"):
        "name: Sergei Lavrov\nkind: person\naliases: [Sergey Lavrov]\n",
    (Collection.ACTORS, "content/actors/russia.yaml"): "name: Russia\nkind: country\n",
    (Collection.SOURCES, "content/sources/report.yaml"):
        "title: Talks & tea\npublisher: Wire\ndate: 2022-01-10\n",
    (Collection.SOURCES, "content/sources/statement.yaml"):
        "title: Statement\npublisher: russia\ndate: 2022\n",
    (Collection.BRIEFINGS, "content/briefings/talks.md"):
        "---\ntitle: Talks in Geneva\ndate: 2022-01-12\n---\n\n"
        "## 2022-01-10 Envoys meet in Geneva {#geneva}\n",
    (Collection.PAGES, "content/pages/about.md"): "---\ntitle: About us\n---\n",
    (Collection.ACTORS, "content/actors/muller.yaml"): "name: José Müller\nkind: person\n",
}


# The site's static images: name → (width, height) of a PNG made for the test.
IMAGES = {"map.png": (120, 60), "x.png": (40, 40), "m.png": (64, 32), "wide.png": (1000, 500)}


def fill_page(docs: dict[tuple[Collection, str], str], text: str, style: str = "numeric",
              unsafe_html: bool = False) -> tuple[str, list[str]]:
    """Fill ``text``, the body of a free page, against a site made of ``docs``."""
    files = {rel: body for (_, rel), body in docs.items()}
    files["content/pages/x.md"] = f"---\ntitle: X\n---\n{text}"
    engine = Engine(site_kinds(lambda rel: FileText(files.get(rel))), INDEXES)
    engine.begin_run(4e9)  # 2096: nothing is in the future
    for rel, body in files.items():
        engine.set_input(("file", rel), digest_text(body), FileText(body))
    inputs = {"parse": ParseSettings(unsafe_html, "UTC"), "flags": Flags(False, False, False),
              "site": SiteSettings("T", "", "en", "https://example.org/", "UTC", style, 50)}
    for name, value in inputs.items():
        engine.set_input(("settings", name), digest_text(repr(value)), value)
    with tempfile.TemporaryDirectory() as folder:
        for name, size in IMAGES.items():
            Image.new("RGB", size, "teal").save(Path(folder) / name)
            engine.set_input(("static", name), name, Path(folder) / name)
        engine.set_input(("listing", "static"), "images",
                         tuple((name, f"content/static/{name}") for name in IMAGES))
        engine.set_roots({("parse", rel) for rel in files})
        engine.update(4e9)
        filled = engine.value(("fill", "pages", "x"))
    parsed, record = engine.record(("parse", "content/pages/x.md")), engine.record(("fill", "pages", "x"))
    assert filled is not None and parsed is not None and record is not None
    return filled.body_html, [d.headline() for d in (*parsed.diags, *record.diags)]


@pytest.fixture(scope="module")
def index() -> dict[tuple[Collection, str], str]:
    return DOCS


def render(docs: dict[tuple[Collection, str], str], text: str, style: str = "numeric",
           unsafe_html: bool = False) -> tuple[str, list[str]]:
    return fill_page(docs, text, style, unsafe_html)


@pytest.mark.parametrize("line,title,text,expected", read_fixture_file(FIXTURES),
                         ids=[f[1] for f in read_fixture_file(FIXTURES)])
def test_fixture(index, line, title, text, expected):
    html, problems = render(index, text)
    assert html == expected, f"{FIXTURES.name}:{line}: {title}"
    unresolved = "unresolved" in title
    assert bool(problems) is unresolved, problems


def test_unknown_targets_are_reported_with_suggestions(index):
    text = "Intro.\n\n- item with [[lavorv]]\n\n> quote [@reprot, p. 2]\n"
    _, lines = render(index, text)
    assert lines == [
        "content/pages/x.md:6:13: error: unknown link target 'lavorv'; did you mean 'lavrov' "
        "(Sergei Lavrov)?",
        "content/pages/x.md:8:9: error: unknown source 'reprot' in citation; did you mean 'report'?",
    ]


def test_a_link_wrapped_onto_the_next_line_is_a_link(index):
    html, problems = render(index, "As [[russia|the Russian\nFederation]] and [[José\n  Müller]] said.\n")
    assert problems == []
    assert '<a class="bg-link bg-link-actor" href="/actors/russia/">the Russian Federation</a>' \
        in html
    assert 'href="/actors/muller/" dir="auto">José Müller</a> said' in html


def test_double_brackets_around_what_is_not_a_link_are_errors_where_they_stand(index):
    text = ("An [[russia|]] and [[|x]]\nand [[russia|[x]]] but [[ left open, then [[russia]]; "
            "[[1, 2], [3, 4]] is text.\n")
    html, lines = render(index, text)
    how = ("is not a link: write [[target]] or [[target|label]], with no brackets inside and "
           "neither part empty (or \\[[ for brackets as text)")
    assert lines == [f"content/pages/x.md:4:4: error: '[[russia|]]' {how}",
                     f"content/pages/x.md:4:20: error: '[[|x]]' {how}",
                     f"content/pages/x.md:5:5: error: '[[russia|[x]]]' {how}"]
    assert "[[russia|]]" in html and "[[ left open, then <a" in html
    assert "[[1, 2], [3, 4]] is text" in html


@pytest.mark.parametrize("inside", ["[@report]", "[[russia]]", "[a link](https://example.org/a)"])
def test_a_link_whose_text_holds_a_link_or_a_citation_is_an_error_at_its_bracket(index, inside):
    # CommonMark: a link cannot hold a link, so it would be published as its brackets.
    _, lines = render(index, f"See [the {inside} statement](https://example.org/x).\n")
    assert lines == ["content/pages/x.md:4:5: error: a link's text holds another link (a "
                     "Markdown link, a [[link]] or a citation), which a link cannot hold; put it "
                     "after the link, as in [the statement](https://…) [@source]"]
    html, lines = render(index, "See [the statement](https://example.org/x) [@report], "
                                "[plain [words]](https://example.org/y).\n")
    assert lines == [] and '<a href="https://example.org/y">plain [words]</a>' in html


def test_author_date_style(index):
    html, _ = render(index, "Said so [@statement, p. 2; @report].", "author-date")
    assert ">Russia 2022</a>, p. 2; " in html
    assert ">Wire 2022</a>)" in html
    assert "(<a" in html


def test_citations_are_numbered_in_reading_order_with_footnotes_last(index):
    # The footnote is defined before the second paragraph but shown after it.
    html, problems = render(index, "A note[^n] here.\n\n[^n]: Said [@statement].\n\n"
                                   "Then [@report] and [[lavrov]].\n")
    assert problems == []
    report_at, statement_at = html.index('title="Talks &amp; tea">'), html.index('title="Statement">')
    assert report_at < statement_at
    assert html[report_at:].startswith('title="Talks &amp; tea">1</a>')
    assert html[statement_at:].startswith('title="Statement">2</a>')


def test_headings_outside_briefing_entries_keep_their_dates(index):
    # A free page (actors and sources are parsed the same way): no entries, no date rule.
    html, problems = render(index, "## 2024 in review\n\n## 2024-13-01 x\n\n> ## 2022-01-01 Quoted\n")
    assert html == "<h2>2024 in review</h2>\n<h2>2024-13-01 x</h2>\n" \
                   "<blockquote>\n<h2>2022-01-01 Quoted</h2>\n</blockquote>\n"
    assert problems == []


def parse_briefing_text(text: str):
    parsed = parse_document(Collection.BRIEFINGS, "content/briefings/b.md",
                            f"---\ntitle: B\ndate: 2022-02-01\n---\n{text}", make_markdown(), UTC)
    assert parsed.document is not None
    return parsed.document, [d.headline() for d in parsed.diagnostics]


def test_only_top_level_level_2_headings_of_a_briefing_open_entries():
    briefing, problems = parse_briefing_text(
        "## 2022-01-01 Talks {#talks}\n\n> ## 2022-01-02 Quoted\n\n- ## 2022-01-03 Listed\n\n"
        "### 2022-01-04 Deeper {#deeper}\n\n## 2024 in review {.section}\n")
    assert problems == []
    assert [e.id for e in briefing.entries] == ["talks"]
    body = briefing.entries[0].body.html
    assert "<h2>2022-01-02 Quoted</h2>" in body
    assert "<h2>2022-01-03 Listed</h2>" in body
    # {#id} gives any other heading its id; the text stays as written.
    assert '<h3 id="deeper">2022-01-04 Deeper</h3>' in body
    assert briefing.blocks[1].title.html == "2024 in review"


def test_yaml_briefing_lead_and_bodies_keep_their_headings():
    text = ("title: Y\ndate: 2022-02-01\nlead: |\n  ## 2022 in review\nentries:\n"
            "  - date: 2022-01-01\n    title: Talks\n    body: |\n      ## 2021-13-01 Looking back\n")
    parsed = parse_document(Collection.BRIEFINGS, "content/briefings/y.yaml", text,
                            make_markdown(), UTC)
    assert parsed.document is not None and parsed.diagnostics == []
    assert parsed.document.lead.html == "<h2>2022 in review</h2>\n"
    assert parsed.document.entries[0].body.html == "<h2>2021-13-01 Looking back</h2>\n"


def test_names_typed_in_decomposed_form_resolve(index):
    decomposed = unicodedata.normalize("NFD", "José Müller")
    assert decomposed != "José Müller"
    html, problems = render(index, f"[[{decomposed}]], [[{decomposed.upper()}]] and "
                                   f"[[muller|{decomposed}]]")
    assert problems == []
    # The name is set apart from the sentence (dir="auto"); the editor's label is not.
    named = '<a class="bg-link bg-link-actor" href="/actors/muller/" dir="auto">José Müller</a>'
    labelled = '<a class="bg-link bg-link-actor" href="/actors/muller/">José Müller</a>'
    assert html == f"<p>{named}, {named} and {labelled}</p>\n"


def test_trusted_html_passes_but_comments_and_links_inside_it_do_not(index):
    text = ('<span title="[[russia]]">x</span> <!-- note [[nobody]] --> [[russia]]\n\n'
            "<div>\n[[russia]] <!-- a note\nover lines -->\n</div>\n")
    html, problems = render(index, text, unsafe_html=True)
    # On the HTML's own line a link is meant to be HTML; on the lines the block takes, not.
    assert problems == ["content/pages/x.md:7:1: warning: this line is part of the HTML block "
                        "that '<div>' starts (up to the next blank line), so its [[links]] and "
                        "[@citations] do nothing; leave a blank line between the HTML and the "
                        "text"]
    assert html == ('<p><span title="[[russia]]">x</span> <a class="bg-link bg-link-actor" '
                    'href="/actors/russia/" dir="auto">Russia</a></p>\n<div>\n[[russia]] \n</div>\n')


def test_an_editor_s_note_in_a_link_label_is_not_shown(index):
    html, lines = render(index, "[[russia|Moscow <!-- or Kremlin? -->]] and "
                                "[[russia|<!-- first -->the\nRussian <!-- x --> side]] spoke.\n")
    assert lines == []
    assert ">Moscow</a>" in html and ">the Russian side</a>" in html
    assert "Kremlin" not in html and "first" not in html and "&lt;!--" not in html


@pytest.mark.parametrize("unsafe_html", [False, True])
def test_an_error_after_a_comment_points_at_its_own_line_and_column(index, unsafe_html):
    text = ("Intro <!-- a [[nobody]]\nlong note -->, then [[nobody]].\n\n"
            "<!--\n[[nobody]]\n\n-->\n> quoted <!-- [[nobody]] --> [[nobody]]\n")
    _, lines = render(index, text, unsafe_html=unsafe_html)
    assert [line.split(": error:")[0] for line in lines] == [
        "content/pages/x.md:5:21", "content/pages/x.md:11:30"]


# Markdown that CommonMark publishes otherwise than the editor meant, without a word: each is
# a warning where it is written.
NO_NOTE = "content/pages/x.md:{}: warning: footnote [^{}] has no definition"
UNUSED_NOTE = ("content/pages/x.md:{}: warning: footnote [^{}] is never referred to, so its text "
               "({}) is not shown; refer to it with [^{}] or remove it")


def test_a_footnote_reference_without_its_definition_is_a_warning_with_the_labels_defined(index):
    html, lines = render(index, "The council met the same day.[^members] It said so.[^said]\n\n"
                                "[^member]: The five permanent members.\n\n[^said]: In a note.\n")
    assert lines == [NO_NOTE.format("4:30", "members") + "; did you mean [^member]?",
                     UNUSED_NOTE.format("6:1", "member", "1 line", "member")]
    assert "same day.[^members] It said" in html  # shown as typed, as before
    html, lines = render(index, "Alone[^1], and in [a [^2] link](https://example.org/).\n")
    assert lines == [NO_NOTE.format(where, label) + f", so it is shown as typed; add one on a "
                     f"line of its own, as in [^{label}]: The text of the note (or write "
                     f"\\[^{label}] to show the brackets)"
                     for where, label in (("4:6", "1"), ("4:22", "2"))]
    assert '<a href="https://example.org/">a [^2] link</a>' in html  # the link stays a link


def test_a_footnote_nothing_refers_to_is_a_warning_that_counts_the_lines_it_hides(index):
    # Written under a paragraph line, the definition takes the lines after it as its own.
    html, lines = render(index, "Members met.\n[^member]: The five permanent members\n"
                                "and ten elected ones.\nThey agreed.\n\nLater.\n")
    assert lines == [UNUSED_NOTE.format("5:1", "member", "3 lines", "member")]
    assert "They agreed" not in html and "<p>Members met.</p>" in html


def test_unshown_markdown_in_a_yaml_briefing_is_reported_at_its_place_in_the_file():
    # Block (|) and folded (>) scalars: folded, a line of the Markdown text may start on a
    # later line of the file (the first two blank lines are one line break), and hold more.
    text = ("title: Y\ndate: 2022-02-01\nlead: |\n  Met.[^memebrs]\n\n  [^members]: Five.\n"
            "entries:\n  - date: 2022-01-01\n    title: Talks\n    body: >\n      The talks\n"
            "      went on.[^x]\n\n\n      [Update]:\n      CBS\n\n\n"
            "          Code [[russia]].\n")
    parsed = parse_document(Collection.BRIEFINGS, "content/briefings/y.yaml", text,
                            make_markdown(), UTC)
    assert [d.headline() for d in parsed.diagnostics] == [
        "content/briefings/y.yaml:4:7: warning: footnote [^memebrs] has no definition; "
        "did you mean [^members]?",
        "content/briefings/y.yaml:6:3: warning: footnote [^members] is never referred to, so "
        "its text (1 line) is not shown; refer to it with [^members] or remove it",
        "content/briefings/y.yaml:12:15: warning: footnote [^x] has no definition, so it is "
        "shown as typed; add one on a line of its own, as in [^x]: The text of the note (or "
        "write \\[^x] to show the brackets)",
        "content/briefings/y.yaml:15:7: warning: '[Update]: CBS' is a link reference "
        "definition, which is not shown, and no link uses it; to show it as text, escape the "
        "bracket: \\[Update]: CBS",
        "content/briefings/y.yaml:19:16: warning: this text is indented by 4 spaces (or a "
        "tab), so Markdown shows it as code and its [[links]] and [@citations] do nothing; "
        "remove the indentation"]


REFERENCE = ("content/pages/x.md:{}: warning: '{}' is a link reference definition, which is not "
             "shown, and no link uses it; to show it as text, escape the bracket: \\{}")


def test_a_link_reference_definition_no_link_uses_is_a_warning(index):
    html, lines = render(index, "[Update]: CBS\nThe talks went on.\n\n> [Note]: unconfirmed\n\n"
                                "Said [so][ref], [Ref] and [again][].\n\n"
                                "[ref]: https://example.org/\n[again]: https://example.org/a\n"
                                "[Ref]: https://example.org/b\n")
    assert lines == [REFERENCE.format("4:1", "[Update]: CBS", "[Update]: CBS"),
                     REFERENCE.format("7:3", "[Note]: unconfirmed", "[Note]: unconfirmed"),
                     # the second definition of a label: the first one is used
                     REFERENCE.format("13:1", "[Ref]: https://example.org/b",
                                      "[Ref]: https://example.org/b")]
    assert "Update" not in html and "unconfirmed" not in html
    assert html.count('href="https://example.org/"') == 2 and 'href="https://example.org/a"' in html


def test_links_in_text_indented_into_a_code_block_are_a_warning_unlike_fenced_code(index):
    indented = ("this text is indented by 4 spaces (or a tab), so Markdown shows it as code and "
                "its [[links]] and [@citations] do nothing; remove the indentation")
    html, lines = render(index, "Text.\n\n    Plain code.\n    Then [[russia]] and [@report].\n\n"
                                "Text.\n\n\tTabbed [@report].\n\n```\n[[russia]] [@report]\n```\n"
                                "\n    No links.\n")
    assert lines == [f"content/pages/x.md:7:10: warning: {indented}",
                     f"content/pages/x.md:11:9: warning: {indented}"]
    assert "<pre><code>Plain code.\nThen [[russia]] and [@report].\n</code></pre>" in html


def test_a_code_fence_never_closed_is_a_warning(index):
    """An unclosed fence shows the rest of the text as code, entry headings included: said at
    its opening. Fences closed, in a quote, in a list item or by a longer fence are fine."""
    html, lines = render(index, "```\nclosed\n```\n\n> ~~~\n> quoted\n> ~~~\n\n- ```\n  listed\n"
                                "  ```\n\n````\nlonger\n`````\n\nText [@report].\n\n```python\n"
                                "print()\n\n## 2022-01-31 Swallowed\n\n[[russia]] met.\n")
    assert lines == ["content/pages/x.md:22:1: warning: this code block is never closed: the 5 "
                     "lines after it, to the end of the text, are shown as code (headings, "
                     "[[links]] and [@citations] included); close it with a line of ```"]
    assert "## 2022-01-31 Swallowed" in html


def test_a_line_without_its_quote_sign_after_a_quote_is_a_warning(index):
    lazy = ("this line has no '>' but continues the quotation above, so it is shown as part of "
            "the quote; start it with '>' if it belongs to the quote, or leave a blank line "
            "before it to end the quote")
    html, lines = render(index, '> "We will not respond," she said.\nThe ministry denied it.\n\n'
                                "> A quote\n> on two lines.\n\n- > quoted in a list\n"
                                "  > and continued\n\n> Ended by a blank line.\n\nText.\n")
    assert lines == [f"content/pages/x.md:5:1: warning: {lazy}"]
    assert "she said.\nThe ministry denied it.</p>\n</blockquote>" in html


def test_a_labelled_link_in_a_table_row_needs_its_bar_escaped(index):
    html, lines = render(index, "| Who | Position |\n|---|---|\n| [[russia|Moscow]] | against "
                                "[@report] |\n| [[russia\\|Moscow]] | for |\n\n[[russia|Moscow]] "
                                "outside a table.\n")
    assert lines == ["content/pages/x.md:6:3: error: in a table, the '|' of '[[russia|…]]' ends "
                     "the cell, so the link is broken and the cells after it shift; write "
                     "'[[russia\\|…]]' in a table"]
    assert html.count(">Moscow</a>") == 2  # escaped in the table, and outside it


def test_a_paragraph_that_starts_with_a_year_and_a_full_stop_is_a_warning(index):
    html, lines = render(index, "2023. That was the year.\n\n1989. The wall fell.\n\n"
                                "1. A list\n2. Its second item\n\n2019) Or so.\n\n"
                                "2020\\. Escaped.\n\n---\n\n2019. One\n2020. Two, in order\n\n"
                                "---\n\n1999) A\n1999) B\n")
    year = ("'{0}' at the start of a line begins a numbered list, whose items are shown as "
            "{1}, {2}, … whatever numbers they have; to start a sentence with the year, write "
            "'{3}'")
    # Only lists that show a number other than the one written: 1989 shown as 2024.
    assert lines == [
        "content/pages/x.md:4:1: warning: " + year.format("2023.", 2023, 2024, "2023\\."),
        "content/pages/x.md:22:1: warning: " + year.format("1999)", 1999, 2000, "1999\\)")]
    assert '<ol start="2023">' in html and "<p>2020. Escaped.</p>" in html


@pytest.mark.parametrize("unsafe_html", [False, True])
def test_links_in_the_lines_an_html_block_takes_are_a_warning(index, unsafe_html):
    html, lines = render(index, "Text.\n\n<br>\nThen [[russia]] said it [@report].\n\n"
                                "<div>\n\n[[russia]] after a blank line.\n\n</div>\n\n"
                                "<details>\n<summary>On [[russia]]</summary>\n</details>\n",
                         unsafe_html=unsafe_html)
    assert lines == [
        "content/pages/x.md:7:6: warning: this line is part of the HTML block that '<br>' starts "
        "(up to the next blank line), so its [[links]] and [@citations] do nothing; leave a "
        "blank line between the HTML and the text"]
    assert "Then [[russia]] said it [@report]." in html
    assert html.count(">Russia</a>") == 1  # the link after a blank line works


def test_a_link_or_image_whose_address_has_a_space_is_a_warning(index):
    html, lines = render(index, "A [report](/files/annual report.pdf) and `[code](a b)`, but "
                                "[titled](/about/ \"About us\") and [wrapped](</a b/>) are "
                                "links.\n")
    assert lines == ["content/pages/x.md:4:3: warning: this link's address has a space, so "
                     "Markdown shows the link as text; write the address as "
                     "</files/annual report.pdf>, or with %20 for each space"]
    assert "[report](/files/annual report.pdf)" in html and 'href="/a%20b/"' in html


def test_check_prints_these_warnings_and_strict_fails_on_them(tmp_path, cli):
    site = write(tmp_path / "site", {
        "site.yaml": "title: T\nbase_url: https://example.org/\n",
        "content/pages/about.md": "---\ntitle: About\n---\nMet.[^memebrs]\n\n[^members]: Five.\n",
    })
    check = cli("--site", str(site), "check")
    assert check.code == 0 and check.headlines == [
        "content/pages/about.md:4:5: warning: footnote [^memebrs] has no definition; "
        "did you mean [^members]?",
        "content/pages/about.md:6:1: warning: footnote [^members] is never referred to, so "
        "its text (1 line) is not shown; refer to it with [^members] or remove it"]
    assert cli("--site", str(site), "check", "--strict").code == 1


def test_the_notes_of_a_yaml_briefing_s_parts_have_ids_of_their_own(tmp_path):
    from briefgen.build import BuildOptions, build

    briefing = ("title: Y\ndate: 2024-01-15\nlead: |\n  The plan[^1] [@memo].\n\n  [^1]: Lead.\n"
                "entries:\n  - date: 2024-01-10\n    title: Announced\n    body: |\n"
                "      Presented[^1] [@memo].\n\n      [^1]: At a press conference.\n"
                "  - date: 2024-01-11\n    title: Debate\n    body: |\n"
                "      Defended[^1] [@memo], and ^[inline] too.\n\n"
                "      [^1]: In a written statement.\n")
    site = write(tmp_path / "site", {
        "site.yaml": "title: T\nbase_url: https://example.org/\n",
        "content/sources/memo.yaml": "title: Memo\npublisher: Wire\ndate: 2021\n",
        "content/briefings/y.yaml": briefing})
    out = tmp_path / "out"
    assert build(site, BuildOptions(out=out, jobs=1)).ok
    page = (out / "briefings/y/index.html").read_text()
    ids = re.findall(r' id="(bg-fn[^"]*)"', page)
    assert len(ids) == len(set(ids)) == 8, ids  # 4 notes, each with its reference
    for found in ids:  # every note links to its reference and back
        other = found.replace("bg-fnref-", "bg-fn-") if "fnref" in found else \
            found.replace("bg-fn-", "bg-fnref-")
        assert f'href="#{other}"' in page, found
