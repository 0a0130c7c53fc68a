"""Citations in Pandoc's grammar (SPEC §6, §12): what a bracket holds, how each style shows it,
what does not parse, and citations where there is no Sources list (cards, feeds) or no HTML
(alt text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from briefgen import citerules
from briefgen.citations import CiteProblem, ItemSyntax, parse_bracket, read_key, split_suffix
from briefgen.markup import make_markdown
from briefgen.model import Collection
from briefgen.suggest import one_edit_apart
from tests.conftest import write
from tests.test_markup import DOCS, render


@pytest.mark.parametrize("inner,items", [
    ("@a", [ItemSyntax("a", False, "", "", "")]),
    ("see @a, pp. 33-35 and *passim*; also @b, chap. 1",
     [ItemSyntax("a", False, "see", ", ", "pp. 33-35 and *passim*"),
      ItemSyntax("b", False, "also", ", ", "chap. 1")]),
    ("-@a p. 44", [ItemSyntax("a", True, "", " ", "p. 44")]),
    ("@a{ii, A, D-Z}, with a suffix", [ItemSyntax("a", False, "", ", ", "ii, A, D-Z, with a suffix")]),
    ("@a, {pp. 1; 2}", [ItemSyntax("a", False, "", ", ", "pp. 1; 2")]),
    ("@a{}, 99 years later", [ItemSyntax("a", False, "", ", ", "99 years later")]),
    ("@{my key}", [ItemSyntax("my key", False, "", "", "")]),
    ("@Foo_bar.baz.", [ItemSyntax("Foo_bar.baz", False, "", "", ".")]),
    ("@a--b", [ItemSyntax("a", False, "", "", "--b")]),
    ("mail desk@example.org or @a", [ItemSyntax("a", False, "mail desk@example.org or", "", "")]),
    ("@a, `x; @y`", [ItemSyntax("a", False, "", ", ", "`x; @y`")]),
    ("see\n@a,\np. 4", [ItemSyntax("a", False, "see", ", ", "p. 4")]),
])
def test_brackets_read_as_pandoc_reads_them(inner, items):
    assert parse_bracket(inner) == tuple(items)


@pytest.mark.parametrize("inner", ["@a; ", "; @a", "@", "see @ a", "@a; b", "@a see also @b",
                                   "-@", "@{}"])
def test_brackets_that_do_not_parse(inner):
    assert isinstance(parse_bracket(inner), CiteProblem)


@pytest.mark.parametrize("inner", [
    "@a", " @a ", "@a, p. 4", "@a,p. 4", "@a p. 4", "@a,\n  para.  6 ", "@a-b.c, 12:30 (video)",
    "@a, p. 'x' #3 $4 %5 ^6 = (7)", "@a, \"quoted\"", "@a, p. 4 & 5", "@a, *p*", "@a, {x}",
    "@a.", "@a--b", "-@a", "@a; @b", "see @a", "@a, p.\n4",
])
def test_the_quick_reading_of_usual_citations_agrees_with_the_grammar(inner):
    md = make_markdown()
    assert citerules._items(md, inner) == citerules.parsed_items(md, inner)


def test_keys_end_before_final_or_doubled_punctuation():
    assert read_key("report. Then", 0) == ("report", 6)
    assert read_key("a--b", 0) == ("a", 1)
    assert read_key("{a--b}.", 0) == ("a--b", 6)
    assert read_key(" a", 0) is None
    assert split_suffix(" p. 4") == (" ", "p. 4")
    assert split_suffix("") == ("", "")


def test_one_edit_apart():
    assert one_edit_apart("reprot", "report")  # two neighbours swapped
    assert one_edit_apart("reports", "report") and one_edit_apart("repor", "report")
    assert one_edit_apart("Report", "report")
    assert not one_edit_apart("report", "report")
    assert not one_edit_apart("rpoert", "report") and not one_edit_apart("news", "report")


def test_author_date_style_reads_the_same_grammar():
    text = ("[see @report, pp. 33-35; also @statement, chap. 1] [-@report, p. 4] "
            "@report [p. 33] says, @statement says. ![map [@report]](m.png)")
    html, problems = render(DOCS, text, "author-date")
    assert problems == []
    # Each link has an id of its own (bg-cite-<source>-<n>), for the Sources list to link
    # back to; alt text has no links, so none.
    def link(n: int) -> str:
        return f'<a id="bg-cite-report-{n}" href="#bg-source-report" title="Talks &amp; tea">'

    statement = '<a id="bg-cite-statement-{}" href="#bg-source-statement" title="Statement">'
    assert html == (
        f'<p><span class="bg-cite">(see {link(1)}Wire 2022</a>, pp. 33-35; also '
        f'{statement.format(1)}Russia 2022</a>, chap. 1)</span> '
        f'<span class="bg-cite">({link(2)}2022</a>, p. 4)</span> '
        f'<span class="bg-cite bg-cite-intext">Wire ({link(3)}2022</a>, p. 33)</span> says, '
        f'<span class="bg-cite bg-cite-intext">Russia ({statement.format(2)}'
        '2022</a>)</span> says. <img src="/m.png" width="64" height="32" '
        'loading="lazy" decoding="async" alt="map (Wire 2022)" /></p>\n')


def test_brackets_that_do_not_parse_are_errors_where_they_stand():
    text = ("Intro [@report; ] and [@].\n\n"
            "> Quoted [see @ report] then [@report see also\n> @statement] and [@report; lavrov].\n\n"
            "![a map [@]](map.png) and [see [@report]] and [see @report, pp. 3 [[russia]]].\n\n"
            "Unclosed [see @report, p. 4\n")
    _, lines = render(DOCS, text)
    assert lines == [
        "content/pages/x.md:4:7: error: citation has an empty item after a ';'; remove the ';' "
        "or cite a source there with @source-id",
        "content/pages/x.md:4:23: error: '@' in citation item '@' is not followed by a source id; "
        "write @source-id (or \\@ for a literal @)",
        "content/pages/x.md:6:10: error: '@' in citation item 'see @ report' is not followed by "
        "a source id; write @source-id (or \\@ for a literal @)",
        "content/pages/x.md:6:30: error: citation item '@report see also @statement' names two "
        "sources; separate them with ';', as in [@a; @b]",
        "content/pages/x.md:7:19: error: citation item 'lavrov' names no source; write "
        "@source-id in each item (items are separated by ';')",
        "content/pages/x.md:9:9: error: '@' in citation item '@' is not followed by a source id; "
        "write @source-id (or \\@ for a literal @)",
        "content/pages/x.md:9:47: error: citation item '@report' has a [[link]], a citation or "
        "a footnote in its words; put it outside the brackets",
        "content/pages/x.md:11:10: error: citation is not closed; end it with ']' (or write \\[ "
        "for a literal bracket)",
    ]


def test_unknown_sources_in_brackets_are_errors_and_in_text_words_only_warn_when_close():
    docs = {**DOCS, (Collection.SOURCES, "content/sources/a--b.yaml"):
            "title: Dashes\npublisher: Wire\ndate: 2021\n"}
    html, lines = render(docs, "[see @reprot] [@a--b] @reprot said, @newsdesk said, "
                               "desk@reprot.org\n[@{a--b}]")
    assert lines == [
        "content/pages/x.md:4:1: error: unknown source 'reprot' in citation; did you mean "
        "'report'?",
        "content/pages/x.md:4:15: error: unknown source 'a' in citation; a source id with "
        "doubled or final punctuation is written in braces: @{a--b}",
        "content/pages/x.md:4:23: warning: '@reprot' names no source and stays text; did you "
        "mean '@report'? (write \\@reprot to keep it as text)",
    ]
    assert "@reprot said, @newsdesk said, desk@reprot.org" in html
    assert '<a id="bg-cite-a--b-1" href="#bg-source-a--b" title="Dashes">1</a>' in html


def test_a_source_added_later_turns_an_in_text_word_into_a_citation():
    without, _ = render(DOCS, "@memo says")
    docs = {**DOCS, (Collection.SOURCES, "content/sources/memo.yaml"):
            "title: Memo\npublisher: lavrov\ndate: 2021\n"}
    with_memo, _ = render(docs, "@memo says")
    assert without == "<p>@memo says</p>\n"
    assert with_memo == ('<p><span class="bg-cite bg-cite-intext">Sergei Lavrov [<a '
                         'id="bg-cite-memo-1" href="#bg-source-memo" title="Memo">1</a>]</span> '
                         'says</p>\n')


# ------------------------------------------------------------------- a built site


SITE = {
    "site.yaml": "title: T\nbase_url: https://example.org/\n",
    "content/actors/russia.yaml": "name: Russia\nkind: country\n",
    "content/sources/report.yaml": "title: A report\npublisher: Daily News\ndate: 2022-01-01\n",
    "content/sources/map.yaml": "title: A map\npublisher: russia\ndate: 2021-05-01\n",
    "content/sources/quote.yaml": "title: A quote\npublisher: Wire\ndate: 2021-05-01\n",
    "content/briefings/talks.md": (
        "---\ntitle: Talks\ndate: 2022-02-01\ntags: [Diplomacy]\n"
        'summary: "Talks resumed [@report, p. 4], @quote says."\n---\n\n'
        "Lead about [[russia]].\n\n## 2022-01-10 Envoys meet\n\n"
        "They met ![the route, see [[russia]] [@map]](/images/route.png).\n"),
}


@pytest.fixture
def built(tmp_path: Path, cli) -> tuple[Path, str]:
    site = write(tmp_path / "site", SITE)
    (site / "content/static/images").mkdir(parents=True)
    Image.new("RGB", (300, 200), "navy").save(site / "content/static/images/route.png")
    out = tmp_path / "out"
    result = cli("--site", str(site), "build", "--out", str(out))
    assert result.code == 0, result.err
    return out, result.err


def test_alt_text_keeps_its_words_and_its_citation_counts(built):
    out, err = built
    page = (out / "briefings/talks/index.html").read_text()
    assert ('<img src="/images/route.png?v=' in page
            and 'alt="the route, see Russia [1]" />' in page)
    # The map is cited only in the alt text: it is in the Sources list, its page lists the
    # briefing, and it is not "never cited".
    assert 'id="bg-source-map"' in page
    assert "briefings/talks/" in (out / "sources/map/index.html").read_text()
    assert "never cited" not in err and "cites no source" not in err


def test_summaries_on_lists_name_the_publisher_and_on_their_page_link(built):
    out, _ = built
    for listing in ("index.html", "briefings/index.html", "tags/diplomacy/index.html"):
        card = re.search(r'<p dir="auto" class="bg-card-summary">(.*?)</p>', (out / listing).read_text())
        assert card is not None, listing
        assert card.group(1) == ('Talks resumed <span class="bg-cite">(Daily News, p. 4)</span>, '
                                 '<span class="bg-cite bg-cite-intext">Wire</span> says.')
    page = (out / "briefings/talks/index.html").read_text()
    assert ('<p dir="auto" class="bg-lede">Talks resumed <span class="bg-cite">[<a id="bg-cite-report-1" '
            'href="#bg-source-report" title="A report">2</a>, p. 4]</span>') in page
    assert '<meta name="description" content="Talks resumed (Daily News, p. 4), Wire says.">' \
        in page
    assert "<summary>Talks resumed (Daily News, p. 4), Wire says.</summary>" in \
        (out / "feed.xml").read_text()
    assert 'id="bg-source-quote"' in page  # the in-text citation counts for the Sources list


@pytest.mark.parametrize("author,family", [
    ("Martin Luther King Jr.", "King"), ("Martin Luther King, Jr.", "King"),
    ("King, Martin Luther", "King"), ("Henry Ford II", "Ford"), ("J. D. Vance", "Vance"),
    ("Ludwig van Beethoven", "van Beethoven"), ("Juan de la Cruz", "de la Cruz"),
    ("Vance", "Vance"), ("Pamela Falk", "Falk"),
])
def test_the_author_date_style_names_an_author_by_the_family_name(author, family):
    from briefgen.site.lookup import family_name

    assert family_name(author) == family


def test_sources_cited_alike_in_the_author_date_style_get_a_letter_after_the_year(tmp_path):
    import re

    from briefgen.build import BuildOptions, build

    site = write(tmp_path / "site", {
        "site.yaml": "title: T\nbase_url: https://example.org/\ncitations:\n  style: author-date\n",
        "content/sources/k1.yaml": "title: Beta speech\npublisher: Wire\ndate: 2024-03-01\n"
                                   "authors: [Martin Luther King Jr.]\n",
        "content/sources/k2.yaml": "title: Alpha letter\npublisher: Wire\ndate: 2024-05-01\n"
                                   "authors: [Coretta King]\n",
        "content/sources/k3.yaml": "title: Other\npublisher: Wire\ndate: 2023\n"
                                   "authors: [Coretta King]\n",
        "content/briefings/b.md": "---\ntitle: B\ndate: 2024-06-01\n---\n\n## 2024-05-02 Talks\n\n"
                                  "Said [@k1, p. 2; @k2] and [@k3]; @k1 [p. 4] agreed.\n",
    })
    out = tmp_path / "out"
    assert build(site, BuildOptions(out=out, jobs=1)).ok
    page = (out / "briefings/b/index.html").read_text()
    shown = [re.sub(r"<[^>]+>", "", m) for m in re.findall(r"\((?:<a[^)]*)\)", page)]
    # In the order of their titles: "Alpha letter" is 2024a, "Beta speech" 2024b.
    assert shown == ["(King 2024b, p. 2; King 2024a)", "(King 2023)", "(2024b, p. 4)"]


def test_the_sources_list_names_each_source_as_author_date_citations_do(tmp_path):
    import re

    from briefgen.build import BuildOptions, build

    site = write(tmp_path / "site", {
        "site.yaml": "title: T\nbase_url: https://example.org/\ncitations:\n  style: author-date\n",
        "content/sources/k1.yaml": "title: Beta\npublisher: Wire\ndate: 2024-03-01\n"
                                   "authors: [Martin Luther King Jr.]\n",
        "content/sources/k2.yaml": "title: Alpha\npublisher: Wire\ndate: 2024-05-01\n"
                                   "authors: [Coretta King]\n",
        "content/sources/w.yaml": "title: Wired\npublisher: Wire\ndate: 2022\n",
        "content/briefings/b.md": "---\ntitle: B\ndate: 2024-06-01\n---\n\n## 2024-05-02 Talks\n\n"
                                  "Said [@k1; @k2] and [@w].\n",
    })
    out = tmp_path / "out"
    assert build(site, BuildOptions(out=out, jobs=1)).ok
    page = (out / "briefings/b/index.html").read_text()
    assert re.findall(r'<span class="bg-source-label" dir="auto">([^<]*)</span>', page) == \
        ["King 2024b.", "King 2024a.", "Wire 2022."]


def test_a_footnote_s_actors_and_sources_count_for_the_entries_that_refer_to_it(tmp_path):
    import json

    from briefgen.build import BuildOptions, build

    site = write(tmp_path / "site", {
        "site.yaml": "title: T\nbase_url: https://example.org/\n",
        "content/actors/jane.yaml": "name: Jane Doe\nkind: person\n",
        "content/actors/bo.yaml": "name: Bo Chen\nkind: person\n",
        "content/sources/memo.yaml": "title: Memo\npublisher: Wire\ndate: 2021\n",
        "content/sources/note.yaml": "title: Note\npublisher: Wire\ndate: 2021\n",
        "content/briefings/b.md": "---\ntitle: B\ndate: 2024-01-15\n---\n\nLead [[bo]] [@memo].\n\n"
                                  "## 2024-01-10 Debate\n\nDefended[^a].\n\n"
                                  "## 2024-01-11 Vote\n\nVoted [[bo]] [@memo], as noted[^a].\n\n"
                                  "## 2024-01-12 After\n\nNo note here [@memo].\n\n"
                                  "[^a]: According to [[jane]] [@note].\n",
    })
    out = tmp_path / "out"
    result = build(site, BuildOptions(out=out, jobs=1))
    assert result.ok and not [d for d in result.diagnostics if "cites no source" in d.message]
    data = json.loads((out / "api/entries.json").read_text())
    entries = data["entries"] if isinstance(data, dict) else data
    credited = {e["id"]: ([a["id"] for a in e["actors"]], [s["id"] for s in e["sources"]])
                for e in entries}
    assert credited == {"2024-01-10-debate": (["jane"], ["note"]),
                        "2024-01-11-vote": (["bo", "jane"], ["memo", "note"]),
                        "2024-01-12-after": ([], ["memo"])}
    assert "Debate" in (out / "actors/jane/index.html").read_text()
