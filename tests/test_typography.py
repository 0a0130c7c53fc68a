"""Typography in Markdown prose: the quotation marks of the site's language, dashes and the
ellipsis; and everything that keeps the characters typed (code, raw HTML, URLs, citations,
YAML text fields), in a fragment and across a built site."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from briefgen.markup import make_markdown
from briefgen.typography import NBSP, NNBSP, quotes_for
from tests.conftest import TESTS, write
from tests.test_markup import DOCS, fill_page

FIXTURES = TESTS / "fixtures" / "typography.md"


@pytest.mark.parametrize("line,title,text,expected", read_fixture_file(FIXTURES),
                         ids=[f[1] for f in read_fixture_file(FIXTURES)])
def test_fixture(line, title, text, expected):
    rendered, problems = fill_page(DOCS, text)
    assert problems == []
    assert rendered == expected, f"{FIXTURES.name}:{line}: {title}"


@pytest.mark.parametrize("language,shown", [
    ("en", "“a ‘b’ c” don’t"),
    ("en-GB", "“a ‘b’ c” don’t"),
    ("de", "„a ‚b‘ c“ don’t"),
    ("de-AT", "„a ‚b‘ c“ don’t"),
    ("de-CH", "«a ‹b› c» don’t"),
    ("fr", f"«{NBSP}a “b” c{NBSP}» don’t"),
    ("pt", "«a “b” c» don’t"),
    ("pt-BR", "“a ‘b’ c” don’t"),
    ("pl", "„a «b» c” don’t"),
    ("ru", "«a „b“ c» don’t"),
    ("ja", "「a 『b』 c」 don’t"),
    ("zh-Hant-TW", "「a 『b』 c」 don’t"),
    ("zh-Hans", "“a ‘b’ c” don’t"),
    ("xx", "“a ‘b’ c” don’t"),  # a language without a table entry: English marks
])
def test_quotes_follow_the_language(language, shown):
    md = make_markdown(False, language)
    assert md.render("\"a 'b' c\" don't") == f"<p>{shown}</p>\n"


def test_language_tags_fall_back_to_their_language():
    assert quotes_for("DE_at") == quotes_for("de")
    assert quotes_for("zh-Hant-HK") == quotes_for("zh-Hant")
    assert quotes_for("de-CH") != quotes_for("de")


def test_french_high_punctuation_takes_a_no_break_space():
    md = make_markdown(False, "fr")
    assert md.render("Quoi ? Non ! Voici : la liste ; fin. https://x.fr/a?b:c") == (
        f"<p>Quoi{NNBSP}? Non{NNBSP}! Voici{NBSP}: la liste{NNBSP}; fin. https://x.fr/a?b:c</p>\n")
    # English leaves the spaces alone
    assert make_markdown(False, "en").render("Quoi ? Non !") == "<p>Quoi ? Non !</p>\n"


def test_without_a_language_nothing_changes():
    assert make_markdown().render("\"a\" -- 'b'...") == "<p>&quot;a&quot; -- 'b'...</p>\n"


def test_code_inside_trusted_html_keeps_what_was_typed():
    text = "\"a\" <code>\"x\" -- 'y'</code> <script>var s='x--y'</script> <span>\"b\"</span>\n"
    rendered, problems = fill_page(DOCS, text, unsafe_html=True)
    assert problems == []
    assert rendered == ("<p>“a” <code>&quot;x&quot; -- 'y'</code> <script>var s='x--y'</script> "
                        "<span>“b”</span></p>\n")


def test_a_void_element_leaves_the_text_after_it_as_prose():
    rendered, _ = fill_page(DOCS, 'a <br> "b"\n')
    assert rendered == "<p>a &lt;br&gt; “b”</p>\n"


# ------------------------------------------------------------------------ a whole site

TYPED_TITLE = "\"Red lines\" -- Moscow's 'last' word..."
TYPED_NAME = "Ta'ir \"Tee\" O'Neil"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = write(tmp_path_factory.mktemp("typography"), {
        "site.yaml": "title: T\nbase_url: https://example.org/\nlanguage: de\n",
        "content/actors/oneil.yaml": f"name: {json.dumps(TYPED_NAME)}\nkind: person\n",
        "content/sources/wire.yaml": "title: \"Wire's 'story'\"\npublisher: Wire\ndate: 2022\n",
        "content/briefings/talks.md": (
            f"---\ntitle: {json.dumps(TYPED_TITLE)}\ndate: 2022-01-10\n"
            "summary: \"The 'summary' -- in prose\"\ntags: [\"Moscow's talks\"]\n---\n\n"
            "Lead \"quoted\" -- [[oneil]] said `\"code\"` [@wire].\n\n"
            "## 2022-01-10 A \"heading\"\n\n[[oneil]]'s \"words\" [@wire].\n"),
    })
    out = site / "public"
    from briefgen.cli import main
    assert main(["--site", str(site), "build", "--out", str(out), "--quiet"]) == 0
    return out


def _text(path: Path) -> str:
    return html.unescape(path.read_text(encoding="utf-8"))


def test_yaml_text_fields_keep_what_was_typed(built: Path):
    page = _text(built / "briefings" / "talks" / "index.html")
    assert f"<title>{TYPED_TITLE} · T</title>" in page
    assert re.search(r"<h1[^>]*>" + re.escape(TYPED_TITLE) + "</h1>", page)
    assert f">{TYPED_NAME}</a>" in page  # a link's default text is the name as written
    assert "Moscow's talks" in page and "Wire's 'story'" in page
    feed = _text(built / "feed.xml")
    assert f"<title>{TYPED_TITLE}</title>" in feed
    briefings = json.loads((built / "api" / "briefings.json").read_text())
    assert briefings[0]["title"] == TYPED_TITLE
    actors = json.loads((built / "api" / "actors.json").read_text())
    assert actors[0]["name"] == TYPED_NAME


def test_prose_gets_the_language_marks_everywhere_it_is_shown(built: Path):
    page = _text(built / "briefings" / "talks" / "index.html")
    assert "Lead „quoted“ – " in page
    assert '<code>"code"</code>' in page
    assert "’s „words“" in page
    assert "A „heading“" in page
    entries = json.loads((built / "api" / "entries.json").read_text())
    assert entries[0]["title"] == "A „heading“"
    assert "„words“" in entries[0]["text"]
    briefings = json.loads((built / "api" / "briefings.json").read_text())
    assert briefings[0]["summary"] == "The ‚summary‘ – in prose"
