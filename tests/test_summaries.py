"""A briefing without a ``summary`` is summed up by the start of its lead: whole words,
and '…' where it is cut, on its page, in its feeds and in the JSON exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefgen.build import BuildOptions, build
from briefgen.site.fill import SUMMARY_LENGTH, excerpt
from tests.conftest import write


@pytest.mark.parametrize("text,expected", [
    ("Short lead.", "Short lead."),
    ("  Spaces   and\nlines  ", "Spaces and lines"),
    ("a" * 300, "a" * 300),
    ("word " * 100, ("word " * 60).strip() + "…"),  # ends on a word: no cut inside it
    ("x" * 299 + " yz", "x" * 299 + "…"),
    ("x" * 298 + ", y", "x" * 298 + "…"),  # no comma before the ellipsis
    ("z" * 400, "z" * 300 + "…"),  # one word longer than the limit: cut inside it
    # No space near the limit (Chinese, Japanese): cut at it, not back to an early space.
    ("NATO " + "首脳会議" * 100, ("NATO " + "首脳会議" * 100)[:300] + "…"),
])
def test_excerpt(text: str, expected: str) -> None:
    assert excerpt(text) == expected


def test_the_start_of_a_word_is_never_published_as_the_word(tmp_path: Path) -> None:
    lead = ("The ministry said on Monday that the plan would be published in full, and the "
            "minister told reporters that she would not raise taxes before the election, "
            "whatever the committee decided. " * 3)
    at = lead.index("not raise")
    filler = "x" * (SUMMARY_LENGTH - at - 2)  # the limit falls after the "n" of "not"
    site = write(tmp_path / "site", {
        "site.yaml": "title: T\nbase_url: https://example.org/\n",
        "content/sources/memo.yaml": "title: Memo\npublisher: Wire\ndate: 2021\n",
        "content/briefings/b.md": f"---\ntitle: B\ndate: 2022-01-12\n---\n\n{filler} {lead}\n\n"
                                  "## 2022-01-10 Talks\n\nText [@memo].\n",
    })
    out = tmp_path / "out"
    assert build(site, BuildOptions(out=out, jobs=1)).ok
    shown = json.loads((out / "api/briefings.json").read_text())
    summary = next(b["summary"] for b in (shown["briefings"] if isinstance(shown, dict) else shown)
                   if b["id"] == "b")
    assert summary.endswith("she would…"), summary
    page = (out / "briefings/b/index.html").read_text()
    assert f'<meta name="description" content="{summary}">' in page
    assert "she would…" in (out / "feed.xml").read_text()
