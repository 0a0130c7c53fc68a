"""Markdown extensions, fixture by fixture (markdown-it's fixture format: title, input, HTML)."""

from __future__ import annotations

import unicodedata
from datetime import UTC
from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from briefgen.index import SiteIndex, build_index
from briefgen.markup import make_markdown
from briefgen.model import Collection, Content
from briefgen.parse import parse_document
from briefgen.render import RefResolver
from briefgen.rendered import DocumentRendering
from briefgen.urls import Urls

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


@pytest.fixture(scope="module")
def index() -> SiteIndex:
    md = make_markdown()
    parsed = {key: parse_document(key[0], key[1], text, md, UTC) for key, text in DOCS.items()}
    assert all(p.document is not None for p in parsed.values())

    def docs(c: Collection) -> tuple:
        return tuple(p.document for (col, _), p in parsed.items() if col is c)

    content = Content(docs(Collection.BRIEFINGS), docs(Collection.ACTORS),
                      docs(Collection.SOURCES), docs(Collection.PAGES), ())
    idx, problems = build_index(content, {"talks"}, {"about"})
    assert problems == []
    return idx


def render(index: SiteIndex, text: str, style: str = "numeric",
           unsafe_html: bool = False) -> tuple[str, list[str]]:
    """Parse ``text`` as the body of a page, then fill it against ``index``."""
    parsed = parse_document(Collection.PAGES, "content/pages/x.md", f"---\ntitle: X\n---\n{text}",
                            make_markdown(unsafe_html), UTC)
    assert parsed.document is not None and parsed.diagnostics == []
    rendering = DocumentRendering(RefResolver(index, Urls("https://example.org/"), style))
    doc, diags = rendering.simple(parsed.document)
    return doc.body_html, [d.headline() for d in diags]


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
        "content/pages/x.md:6:13: error: unknown link target 'lavorv'; did you mean 'lavrov'?",
        "content/pages/x.md:8:9: error: unknown source 'reprot' in citation; did you mean 'report'?",
    ]


def test_author_date_style(index):
    html, _ = render(index, "Said so [@statement, p. 2; @report].", "author-date")
    assert ">Russia 2022</a>, p. 2; " in html
    assert ">Wire 2022</a>)" in html
    assert "(<a" in html


def test_names_typed_in_decomposed_form_resolve(index):
    decomposed = unicodedata.normalize("NFD", "José Müller")
    assert decomposed != "José Müller"
    html, problems = render(index, f"[[{decomposed}]], [[{decomposed.upper()}]] and "
                                   f"[[muller|{decomposed}]]")
    assert problems == []
    link = '<a class="bg-link bg-link-actor" href="/actors/muller/">José Müller</a>'
    assert html == f"<p>{link}, {link} and {link}</p>\n"


def test_trusted_html_passes_but_comments_and_links_inside_it_do_not(index):
    text = ('<span title="[[russia]]">x</span> <!-- note [[nobody]] --> [[russia]]\n\n'
            "<div>\n[[russia]] <!-- a note\nover lines -->\n</div>\n")
    html, problems = render(index, text, unsafe_html=True)
    assert problems == []
    assert html == ('<p><span title="[[russia]]">x</span> <a class="bg-link bg-link-actor" '
                    'href="/actors/russia/">Russia</a></p>\n<div>\n[[russia]] \n</div>\n')


@pytest.mark.parametrize("unsafe_html", [False, True])
def test_an_error_after_a_comment_points_at_its_own_line_and_column(index, unsafe_html):
    text = ("Intro <!-- a [[nobody]]\nlong note -->, then [[nobody]].\n\n"
            "<!--\n[[nobody]]\n\n-->\n> quoted <!-- [[nobody]] --> [[nobody]]\n")
    _, lines = render(index, text, unsafe_html=unsafe_html)
    assert [line.split(": error:")[0] for line in lines] == [
        "content/pages/x.md:5:21", "content/pages/x.md:11:30"]
