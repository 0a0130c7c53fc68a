"""What keeps a link-dense document small in memory (issue 8, item 7): its refs kept by
field, a filled briefing that leaves a worker without its parsed document, a filled
document's fingerprint digested in batches, and `check` pages dropped as they render."""

from __future__ import annotations

import pickle
import tracemalloc
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment
from markupsafe import Markup

import briefgen
from briefgen.build import BuildOptions, build
from briefgen.engine.deps import digest_text
from briefgen.fragmenttypes import RefTable
from briefgen.markup import make_markdown
from briefgen.model import Collection
from briefgen.output import MANIFEST
from briefgen.parse import parse_document
from briefgen.site import fill, filled
from briefgen.site.lookup import TargetKind
from briefgen.site.pagerefs import BODY, NOTES, backlinks
from briefgen.web.contexts import Backlinks, Labelled
from briefgen.web.templates import html_pieces
from tests.conftest import write

ACTORS = 280  # with the briefing, more documents than are filled in this process


def dense_site(root: Path) -> Path:
    """Many actors, and a briefing with sections, a change log and links to every actor."""
    files = {"site.yaml": "title: Dense\nbase_url: https://example.org/\n",
             "content/sources/wire.yaml": "title: Wire report\npublisher: Wire\ndate: 2022-01-01\n"}
    for number in range(ACTORS):
        files[f"content/actors/a{number}.yaml"] = f"name: Actor {number}\nkind: person\n"
    lines = [f"[[a{n}]] met [[a{(n * 7) % ACTORS}|someone]] [@wire, p. {n + 1}]."
             for n in range(ACTORS)]
    body = "\n\n".join("\n".join(lines[i:i + 10]) for i in range(0, ACTORS, 10))
    files["content/briefings/dense.md"] = (
        "---\ntitle: Dense\ndate: 2022-03-01\nupdates:\n"
        "  - date: 2022-03-02\n    note: \"Added [[a1]] [@wire].\"\n    entry: first\n"
        "  - date: 2022-03-03\n    kind: correction\n    note: Fixed a date.\n---\n\n"
        "Lead with [[a2]] [@wire].\n\n"
        f"## 2022-01-01 First {{#first}}\n\n{body}\n\n"
        "## Background {.section}\n\nSome [[a3]] background [@wire].\n\n"
        f"## 2022-01-02 Second {{#second}}\n\n{body}\n")
    return write(root, files)


def parsed_refs(text: str) -> Any:
    parsed = parse_document(Collection.BRIEFINGS, "content/briefings/d.md", text,
                            make_markdown(), UTC)
    assert parsed.document is not None, parsed.diagnostics
    return parsed.document.refs


def test_a_ref_table_reads_as_the_refs_it_was_made_of() -> None:
    text = ("---\ntitle: T\ndate: 2022-01-01\n---\n\n## 2022-01-01 E {#e}\n\n"
            + "\n".join(f"[[x{n % 7}|label]] and [@s{n % 5}; see @t, p. {n}] ![alt [[y]]](p.png) "
                        f"[[x{n}]] [@s{n % 3}]" for n in range(400)) + "\n")
    table = parsed_refs(text)
    assert isinstance(table, RefTable)
    refs = list(table)
    assert len(table) == len(refs) == 2400
    assert [table[i] for i in range(len(refs))] == refs
    assert table[-1] == refs[-1] and list(table[3:7]) == refs[3:7]
    assert table == RefTable(refs) and table == tuple(refs) and table != tuple(refs[1:])
    assert {r.target for r in refs} >= {"x0", "x6", "x399", "y"}
    assert refs[1].items[0].source_id == "s0" and refs[1].line == 8
    copy = pickle.loads(pickle.dumps(table))
    assert copy == table and list(copy) == refs


def test_a_link_dense_documents_refs_take_less_than_half_the_memory() -> None:
    text = ("---\ntitle: T\ndate: 2022-01-01\n---\n\n## 2022-01-01 E {#e}\n\n"
            + "\n".join(f"[[x{n % 7}]] met [[y{n % 3}|the one]] on [@s{n % 5}]."
                        for n in range(1000)) + "\n")
    table = parsed_refs(text)
    # As a worker hands them back: by field, or one tuple each.
    assert loaded_size(pickle.dumps(table)) < 0.5 * loaded_size(pickle.dumps(tuple(table)))


def loaded_size(data: bytes) -> int:
    """The memory that what ``data`` holds takes once unpickled."""
    tracemalloc.start()
    try:
        value = pickle.loads(data)
        size = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del value
    return size


def test_an_empty_ref_table() -> None:
    table = RefTable()
    assert len(table) == 0 and list(table) == [] and table == ()
    assert pickle.loads(pickle.dumps(table)) == table


@pytest.mark.parametrize("count", [0, 1, 4095, 4096, 4097, 9000])
def test_the_fingerprint_digested_in_batches_is_the_digest_of_the_whole_text(count: int) -> None:
    record = fill.LinkRecord(TargetKind.ACTOR, "a", None, "b")
    values = ("doc\ud800", [f"<a href='{n}'>\"{n}\"</a>" for n in range(count)], [record] * count,
              [], None, (1, "é"), True)
    assert fill.digest_repr(values) == digest_text(repr(values))
    assert fill.digest_repr((values[1],)) == digest_text(repr((values[1],)))


def test_backlinks_in_page_order() -> None:
    # Refs 0..5; ref 1 is in the notes (last on the page), the others in the body.
    sources, refs = ["s", "s", "t", "s", "t", "s"], [0, 1, 2, 3, 4, 4]
    assert backlinks(sources, refs, {}) == (("s", (1, 2, 3, 4)), ("t", (1, 2)))
    assert backlinks(sources, refs, {1: NOTES}) == (("s", (1, 3, 4, 2)), ("t", (1, 2)))
    assert backlinks(sources, refs, {2: BODY}) == (("s", (1, 2, 3, 4)), ("t", (1, 2)))


def test_a_filled_briefing_travels_without_its_parsed_document(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    made: list[Any] = []
    original = fill.filled

    def keep(r: Any, collection: str, doc_id: str) -> Any:
        value = original(r, collection, doc_id)
        if doc_id == "dense":
            made.append(value)
        return value

    monkeypatch.setattr(fill, "filled", keep)
    site = dense_site(tmp_path / "site")
    assert build(site, BuildOptions(write=False, jobs=1, use_cache=False)).ok
    [value] = made
    assert isinstance(value, filled.RenderedBriefing) and value.change_log and value.entries
    detached = filled.detach(value)
    whole, travelling = pickle.dumps(value), pickle.dumps(detached)
    assert b"briefgen.model" in whole and b"briefgen.model" not in travelling
    back = filled.attach(pickle.loads(travelling), value.briefing)
    assert back == value and back.briefing is value.briefing
    assert all(a.entry is b.entry for a, b in zip(back.entries, value.entries, strict=True))
    other = parse_document(Collection.BRIEFINGS, "content/briefings/dense.md",
                           (site / "content/briefings/dense.md").read_text() + "\nMore.\n",
                           make_markdown(), UTC).document
    with pytest.raises(ValueError):
        filled.attach(pickle.loads(travelling), other)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != MANIFEST}


def test_documents_filled_in_workers_build_the_same_site(tmp_path: Path) -> None:
    site = dense_site(tmp_path / "site")
    one = build(site, BuildOptions(out=tmp_path / "one", jobs=1, use_cache=False))
    many = build(site, BuildOptions(out=tmp_path / "many", jobs=2, use_cache=False))
    assert one.ok and many.ok, (one.diagnostics, many.diagnostics)
    assert files(tmp_path / "one") == files(tmp_path / "many")
    page = (tmp_path / "one" / "briefings/dense/index.html").read_text()
    assert page.count('class="bg-link bg-link-actor"') >= 2 * 2 * ACTORS


def test_check_reports_an_error_in_the_middle_of_a_page(example_site: Path, cli: Any) -> None:
    theme = Path(briefgen.__file__).resolve().parent / "theme" / "templates"
    sources = ('{% with items=sources, heading=none %}{% include "partials/sources_list.html" %}'
               '{% endwith %}')
    original = (theme / "briefing.html").read_text()
    assert sources in original
    template = original.replace(sources, sources + "\n{{ briefing.nope.deeper }}")
    write(example_site, {"templates/briefing.html": template})
    line = template.splitlines().index("{{ briefing.nope.deeper }}") + 1
    result = cli("--site", str(example_site), "check")
    assert result.code == 1 and "Traceback" not in result.err
    assert f"templates/briefing.html:{line}:13: error: 'briefgen.site.filled.RenderedBriefing " \
           "object' has no attribute 'nope' (while rendering briefing.html)" in result.err


def test_a_sources_list_item_makes_its_backlinks_when_read() -> None:
    links = Backlinks("wire", (1, 2, 3, 27, 28))
    expected = ("bg-cite-wire-1", "bg-cite-wire-2", "bg-cite-wire-3", "bg-cite-wire-27",
                "bg-cite-wire-28")
    assert tuple(links) == expected and links == expected and len(links) == 5
    assert links[0] == expected[0] and links[-1] == expected[-1] and links[1:3] == expected[1:3]
    labelled = Labelled(links)
    assert list(labelled) == [(a, label) for a, label in zip(expected, "abcde", strict=True)]
    assert len(labelled) == 5 and labelled[-1] == (expected[-1], "e")
    assert Labelled(Backlinks("w", range(1, 29)))[27] == ("bg-cite-w-28", "ab")


def test_a_long_body_is_written_in_pieces_not_copied_whole() -> None:
    body = "<p>" + "word [<a href=\"#s\">1</a>] " * 400_000 + "</p>"  # about 10 MB
    pieces = list(html_pieces(body))
    assert "".join(pieces) == body and all(isinstance(p, Markup) for p in pieces)
    assert len(pieces) > 100 and max(map(len, pieces)) <= 1 << 16
    env = Environment(autoescape=True)
    env.filters["html_pieces"] = html_pieces
    env.filters["safe_html"] = Markup
    peaks = []
    for source in ("<div>{{ body|safe_html }}</div>",
                   "<div>{% for p in body|html_pieces %}{{ p }}{% endfor %}</div>"):
        template = env.from_string(source)
        tracemalloc.start()
        written = sum(len(chunk) for chunk in template.generate(body=body))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert written == len(body) + len("<div></div>")
    whole, in_pieces = peaks
    assert whole > 1.5 * len(body) and in_pieces < 0.1 * len(body), peaks
