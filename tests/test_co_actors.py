"""An actor's page lists the actors it most often shares an entry with: counted by entries
(an actor linked twice in one entry counts once), most frequent first, itself never."""

from __future__ import annotations

import re
from pathlib import Path

from briefgen.cli import main
from tests.conftest import write

SITE = {
    "site.yaml": "title: T\nbase_url: https://example.org/\n",
    "content/actors/ana.yaml": "name: Ana\nkind: person\n",
    "content/actors/ben.yaml": "name: Ben\nkind: person\n",
    "content/actors/cy.yaml": "name: Cy\nkind: person\n",
    "content/briefings/b.md": (
        "---\ntitle: B\ndate: 2022-06-01\n---\n\n"
        "## 2022-02-01 One {#one}\n\n[[ana]] met [[cy]], and [[ana]] again, and [[cy]].\n\n"
        "## 2022-03-01 Two {#two}\n\n[[ana]] met [[ben]].\n\n"
        "## 2022-04-01 Three {#three}\n\n[[ben]] met [[ana]].\n\n"
        "## 2022-05-01 Four {#four}\n\n[[ben]] alone.\n"),
}


def test_co_actors_are_counted_by_shared_entries(tmp_path: Path) -> None:
    site = write(tmp_path / "site", SITE)
    assert main(["--site", str(site), "build", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    page = (tmp_path / "out" / "actors" / "ana" / "index.html").read_text(encoding="utf-8")
    section = page.split('id="bg-co-title"', 1)[1].split("</section>", 1)[0]
    rows = [re.sub(r"<[^>]+>", "", row).split() for row in re.findall(r"<li>(.*?)</li>", section)]
    assert rows == [["Ben", "2", "entries"], ["Cy", "1", "entry"]]
