"""No cascades, near misses and unlinked mentions: what `check` says of one document depends
on the others, and stays exact when they change (an incremental check says what a check from
nothing says), and `check --mentions` lists names written without a link."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from briefgen.build import BuildOptions, BuildResult, build
from briefgen.preview import Preview
from briefgen.suggest import within_one_edit
from tests.conftest import write

BASE_URL = "http://127.0.0.1:8000/"
SITE = {
    "site.yaml": f"title: T\nbase_url: {BASE_URL}\n",
    "content/actors/ana.yaml": "name: Ana Lima\nkind: person\naliases: [AL]\n",
    "content/actors/bo.yaml": "name: Bo Chen\nkind: person\n",
    "content/sources/memo.yaml": "title: Memo\npublisher: Wire\ndate: 2021\n",
    "content/briefings/b.md": "---\ntitle: B\ndate: 2022-02-01\n---\n\n"
                              "## 2022-01-10 First\n\n[[ana]] said it [@memo].\n",
    "content/pages/about.md": "---\ntitle: About\n---\n\nWith [[bo]].\n",
}
Edit = Callable[[Path], None]


def append(rel: str, text: str) -> Edit:
    def edit(site: Path) -> None:
        path = site / rel
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return edit


def put(rel: str, text: str) -> Edit:
    def edit(site: Path) -> None:
        write(site, {rel: text})
    return edit


def report(result: BuildResult) -> list[str]:
    return sorted({d.headline() for d in result.diagnostics}) + \
        [m.headline() for m in result.mentions]


def incremental_and_clean(tmp_path: Path, edits: list[Edit],
                          ignored: frozenset[str] = frozenset()) -> list[tuple[list[str], ...]]:
    """After each edit, what the preview's incremental rebuild reports, and what a check from
    nothing reports; ``ignored``: reads the engine does not record (to show that the
    scenario depends on them)."""
    site = write(tmp_path / "site", SITE)
    preview = Preview(site, tmp_path / "served", BuildOptions(
        base_url=BASE_URL, jobs=1, mentions=True, ignored_reads=ignored))
    preview.rebuild()
    found = []
    for edit in edits:
        edit(site)
        incremental = report(preview.rebuild())
        clean = report(build(site, BuildOptions(write=False, base_url=BASE_URL, jobs=1,
                                                use_cache=False, mentions=True)))
        found.append((incremental, clean))
    return found


# Each scenario changes what another document is checked against; the read named with it
# is the one that carries the change (without it, the incremental check goes stale).
SCENARIOS: dict[str, tuple[str, list[Edit]]] = {
    "a publisher one edit from an actor id that comes and goes": ("idx:actor_spellings", [
        put("content/sources/memo.yaml", "title: Memo\npublisher: extr\ndate: 2021\n"),
        put("content/actors/extra.yaml", "name: Extra\nkind: group\n"),
        lambda site: (site / "content/actors/extra.yaml").unlink(),
    ]),
    "a link to a path that a page, a static file and a briefing then publish": ("idx:published", [
        # (an image is checked as a file under content/static/, a link as a path of the site)
        append("content/briefings/b.md", "\n[notes](/notes/) [map](/map.png) [c](/briefings/c/)\n"),
        put("content/pages/notes.md", "---\ntitle: Notes\n---\nText.\n"),
        put("content/static/map.png", "png"),
        put("content/briefings/c.md", "---\ntitle: C\ndate: 2022-02-01\nstatus: draft\n---\n"),
        put("content/briefings/c.md", "---\ntitle: C\ndate: 2022-02-01\n---\n"),
        lambda site: (site / "content/static/map.png").unlink(),
    ]),
    "bracketed text that comes to name a source": ("idx:docs", [
        append("content/briefings/b.md", "\nSee [wire] and [AL].\n"),
        put("content/sources/wire.yaml", "title: Wire\npublisher: Wire\ndate: 2021\n"),
    ]),
    "a link by name while the actor's file cannot be read": ("idx:unreadable", [
        append("content/pages/about.md", "\n[[Ana Lima]] again.\n"),
        put("content/actors/ana.yaml", "name: Ana Lima\nkind: person\naliases: [AL\n"),
        put("content/actors/ana.yaml", "name: Ana Silva\nkind: person\n"),
    ]),
    "warnings about the whole site held while a briefing cannot be read": ("idx:held", [
        put("content/sources/extra.yaml", "title: Extra\npublisher: Wire\ndate: 2021\n"),
        put("content/briefings/b.md", "---\ntitle: [B\n---\n"),
        put("content/briefings/b.md", SITE["content/briefings/b.md"] + "\nMore [@extra].\n"),
    ]),
    "a page whose title comes to read like another's in the menu": ("idx:pages", [
        put("content/pages/contact.md", "---\ntitle: Contact\n---\nText.\n"),
        put("content/pages/about.md", "---\ntitle: contact\n---\nText.\n"),
        put("content/pages/about.md", "---\ntitle: About us\n---\nText.\n"),
    ]),
    "a name mentioned without a link, then renamed": ("idx:name_list", [
        append("content/briefings/b.md", "\nAna Lima, AL and Bo Chen agreed.\n"),
        put("content/actors/bo.yaml", "name: Bo Li\nkind: person\naliases: [Lima]\n"),
    ]),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_incremental_checks_equal_checks_from_nothing(tmp_path, name):
    _, edits = SCENARIOS[name]
    for number, (incremental, clean) in enumerate(incremental_and_clean(tmp_path, edits)):
        assert incremental == clean, f"after edit {number + 1}"


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_each_scenario_depends_on_its_read(tmp_path, name):
    """The scenarios above are not vacuous: without the read they exercise, the incremental
    check differs from the check from nothing."""
    read, edits = SCENARIOS[name]
    results = incremental_and_clean(tmp_path, edits, frozenset({read}))
    assert any(incremental != clean for incremental, clean in results)


def test_check_mentions_lists_names_written_without_a_link(tmp_path, cli):
    site = write(tmp_path / "site", {
        **SITE,
        "content/actors/ec.yaml": "name: European Commission\nkind: organization\n"
                                  "aliases: [EC, U.S. Mission]\n",
        "content/briefings/b.md":
            "---\ntitle: B\ndate: 2022-02-01\n---\n\nAna Lima in the lead is not an entry.\n\n"
            "## 2022-01-10 Ana Lima meets the EC\n\n[[ana]] said it [@memo]; the ECB and us did"
            " not. The European Commission replied [@memo].\n\n"
            "## 2022-01-11 Second\n\n[[European Commission]] and the U.S. Mission met Ana Lima, "
            "Ana Lima again [@memo].\n",
        "content/briefings/y.yaml":
            "title: Y\ndate: 2022-02-01\nentries:\n  - date: 2022-01-12\n    title: Third\n"
            "    body: |\n      Said [[ana]] to the\n      European Commission [@memo].\n",
    })
    result = cli("--site", str(site), "check", "--mentions")
    mentions = [line for line in result.out.splitlines() if ": mention: " in line]
    assert mentions == [
        "content/briefings/b.md:8:34: mention: 'EC' (actor 'ec') is not linked in entry "
        "'2022-01-10-ana-lima-meets-the-ec'; link it as [[EC]] to list the entry on the "
        "actor's page",
        "content/briefings/b.md:14:50: mention: 'Ana Lima' (actor 'ana') is not linked in entry "
        "'2022-01-11-second'; link it as [[Ana Lima]] to list the entry on the actor's page",
        "content/briefings/y.yaml:8:7: mention: 'European Commission' (actor 'ec') is not "
        "linked in entry '2022-01-12-third'; link it as [[European Commission]] to list the "
        "entry on the actor's page",
    ]
    assert "      European Commission [@memo]." in result.out  # the line, with a caret under it
    assert result.code == 0, result.err  # never an error, not even with --strict
    assert cli("--site", str(site), "check", "--mentions", "--strict").code == 0
    assert result.err.strip().endswith("; 3 unlinked mentions")
    assert ": mention: " not in cli("--site", str(site), "check").out  # off by default


def test_one_edit():
    assert within_one_edit("european-comission", "european-commission")
    assert within_one_edit("extr", "extra") and within_one_edit("cleo", "clea")
    assert within_one_edit("ana", "ana")
    assert not within_one_edit("ab", "ba") and not within_one_edit("ana", "anaxx")


def test_bracketed_words_in_citations_are_kept_as_text(tmp_path):
    """A bracket in a citation's words is text, not a near miss: the page and the plain text
    (search, JSON) keep it."""
    site = write(tmp_path / "site", {
        **SITE,
        "content/briefings/b.md": "---\ntitle: B\ndate: 2022-02-01\n---\n\n## 2022-01-10 First"
                                  "\n\n[[ana]] said it @memo [p. 4 [memo]] [see @memo, ch. [memo] 2].\n",
    })
    out = tmp_path / "out"
    result = build(site, BuildOptions(out=out, base_url=BASE_URL, jobs=1, use_cache=False))
    assert result.ok and not [d for d in result.diagnostics if "[memo]" in d.message]
    assert "p. 4 [memo]" in (out / "api/entries.json").read_text()
    page = (out / "briefings/b/index.html").read_text()
    assert "p. 4 [memo]]" in page and "ch. [memo] 2]" in page


def test_near_misses_in_link_text_and_alt_text_are_placed_where_written(tmp_path):
    """A link or image is placed by its opening, so that what its text holds is found after
    it on the line (here behind a blockquote's marker, which the parsed text does not have)."""
    site = write(tmp_path / "site", {
        **SITE,
        "content/briefings/b.md": "---\ntitle: B\ndate: 2022-02-01\n---\n\n## 2022-01-10 First"
                                  "\n\n> [[ana]] [@memo] ![a [memo] map](/map.png) and"
                                  " [the [memo] page](/briefings/b/).\n",
    })
    (site / "content/static").mkdir()
    Image.new("RGB", (8, 4)).save(site / "content/static/map.png")
    result = build(site, BuildOptions(write=False, base_url=BASE_URL, jobs=1, use_cache=False))
    assert [(d.loc.line, d.loc.col) for d in result.diagnostics if "[memo]" in d.message] == \
        [(8, 23), (8, 54)]


def test_a_tab_or_no_break_space_after_an_entry_date_still_opens_the_entry(tmp_path):
    site = write(tmp_path / "s", {**SITE, "content/briefings/b.md":
                                  "---\ntitle: B\ndate: 2022-02-01\n---\n\n"
                                  "## 2022-01-10\tFirst talks\n\n[[ana]] said it [@memo].\n\n"
                                  "## 2022-01-11\u00a0Second talks\n\n[[ana]] said it [@memo].\n"})
    out = tmp_path / "out"
    result = build(site, BuildOptions(out=out, base_url=BASE_URL, jobs=1, use_cache=False))
    assert report(result) == []
    entries = json.loads((out / "api/entries.json").read_text(encoding="utf-8"))
    assert sorted((e["date"]["start"], e["title"]) for e in entries) == [
        ("2022-01-10", "First talks"), ("2022-01-11", "Second talks")]


@pytest.mark.parametrize("heading", ["## 2022-01-10T10:00+03:00 UTC First",
                                     "## 2022-01-10 EST First", "## 2022-01-10T10:00 Est First"])
def test_a_zone_word_is_reported_only_after_a_time_without_offset(tmp_path, heading):
    site = write(tmp_path / "s", {**SITE, "content/briefings/b.md":
                                  f"---\ntitle: B\ndate: 2022-02-01\n---\n\n{heading}\n\n"
                                  "[[ana]] said it [@memo].\n"})
    result = build(site, BuildOptions(write=False, base_url=BASE_URL, jobs=1, use_cache=False))
    assert report(result) == []


def test_heading_classes_and_attributes_left_inside_a_heading_are_reported(tmp_path):
    site = write(tmp_path / "s", {**SITE, "content/briefings/b.md":
                                  "---\ntitle: B\ndate: 2022-02-01\n---\n\n"
                                  "## 2022-01-10 First {#first}.\n\n[[ana]] said it [@memo].\n\n"
                                  "## 2022 in review {.sectoin}\n\n"
                                  "## 2022-01-11 Second {.planned .plannd}\n\n[[ana]] said [@memo].\n"
                                  "\n## Kept {#kept .section}\n"})
    result = build(site, BuildOptions(write=False, base_url=BASE_URL, jobs=1, use_cache=False))
    assert report(result) == [
        "content/briefings/b.md:10:20: error: unknown heading class '.sectoin'; did you mean "
        "'.section'?",
        "content/briefings/b.md:10:4: warning: entry '2022-in-review' cites no source; add a "
        "citation such as [@source-id]",
        "content/briefings/b.md:12:32: error: unknown heading class '.plannd'; did you mean "
        "'.planned'?",
        "content/briefings/b.md:6:21: warning: '{#first}' is read as text of the heading, "
        "because more text follows it; put it at the very end of the heading line"]


def test_a_source_dated_after_today_is_a_warning_until_its_date_comes(tmp_path):
    from datetime import datetime

    memo = "title: Memo\npublisher: Wire\ndate: 2026-12-20\n"
    site = write(tmp_path / "site", {**SITE, "content/sources/memo.yaml": memo})
    out = tmp_path / "out"
    before = build(site, BuildOptions(out=out, jobs=1, base_url=BASE_URL,
                                      now=datetime.fromisoformat("2026-12-07T12:00+00:00")))
    assert before.ok and report(before) == [
        "content/sources/memo.yaml:3:7: warning: source dated 20 December 2026, in the future: "
        "correct the date (a source is cited once it is out)"]
    assert before.valid_until == datetime.fromisoformat("2026-12-20T00:00+00:00").timestamp()
    after = build(site, BuildOptions(out=out, jobs=1, base_url=BASE_URL,
                                     now=datetime.fromisoformat("2026-12-20T00:30+00:00")))
    assert after.ok and report(after) == []


def test_a_page_titled_like_another_or_like_a_section_is_a_warning(tmp_path):
    """The menu links each published page by its title, after the site's sections."""
    site = write(tmp_path / "site", {
        **SITE,
        "content/pages/contact.md": "---\ntitle: ABOUT\n---\nText.\n",
        "content/pages/draft.md": "---\ntitle: About\nstatus: draft\n---\nText.\n",
        "content/pages/sourcing.md": "---\ntitle: Sources\n---\nText.\n",
        "content/pages/policy.md": "---\ntitle: Our sources\n---\nText.\n",
    })
    result = build(site, BuildOptions(write=False, base_url=BASE_URL, jobs=1))
    assert result.ok and report(result) == [
        "content/pages/contact.md:2:8: warning: page title 'ABOUT' is also the title of "
        "content/pages/about.md: the menu would show two links that read alike; give the page "
        "another title",
        "content/pages/sourcing.md:2:8: warning: page title 'Sources' is also the menu's link "
        "to /sources/: the menu would show two links that read alike; give the page another "
        "title"]


@pytest.mark.parametrize(("typed", "name", "slip"), [
    ("europen commission", "european commission", True),
    ("us-state-departmen", "us-state-department", True),
    ("iaea", "iea", False),  # an acronym one letter longer than a short name
    ("usda", "usa", False),
    ("cop27", "cop26", False),  # another number
    ("channel 5", "channel 4", False),
    ("channel4", "channel 4", True),
    ("reuters", "reuter", False),  # a plural, a possessive
    ("reuter's", "reuter", False),
    ("reutr", "reuter", True),
    ("reuter", "reuter", False),  # a name that does not resolve (another actor has it too)
])
def test_a_publisher_is_a_slip_of_a_name_only_when_nothing_else_explains_it(typed, name,
                                                                           slip):
    from briefgen.site.nearmiss import _slip_of

    assert _slip_of(typed, name) is slip


def test_the_menu_check_reads_titles_as_a_reader_does(tmp_path):
    site = write(tmp_path / "site", {
        **SITE,
        "content/pages/search-help.md": "---\ntitle: Search\n---\nText.\n",
        "content/pages/themes.md": "---\ntitle: \"The\u0300mes\"\n---\nText.\n",
        "content/pages/topics.md": "---\ntitle: Thèmes\n---\nText.\n",
        "content/pages/us.md": "---\ntitle: About  us\n---\nText.\n",
        "content/pages/about-us.md": "---\ntitle: About us\n---\nText.\n",
    })
    result = build(site, BuildOptions(write=False, base_url=BASE_URL, jobs=1))
    assert [line.split(": warning: ")[0] for line in report(result)] == [
        "content/pages/search-help.md:2:8", "content/pages/topics.md:2:8",
        "content/pages/us.md:2:8"]


@given(st.text(min_size=2, max_size=12), st.integers(min_value=0), st.characters(),
       st.sampled_from(["insert", "delete", "replace"]))
def test_a_text_one_edit_away_is_filed_under_a_key_its_slip_looks_up(text, at, char, edit):
    """The publisher check reads only the keys of its own length and ends: whatever the one
    edit, the name it is a slip of is among them."""
    from briefgen.suggest import slip_keys, slip_lookups

    at %= len(text)
    typed = {"insert": text[:at] + char + text[at:], "delete": text[:at] + text[at + 1:],
             "replace": text[:at] + char + text[at + 1:]}[edit]
    assert set(slip_keys(text)) & set(slip_lookups(typed))
