"""Golden test: a small site built into a temporary folder and compared with expected files.

The site overrides the theme's briefing.html, so the expected HTML does not change when the
default theme does. Regenerate after an intended change with

    BRIEFGEN_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

and review the diff of tests/sites/*/expected/ before committing it.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import TESTS

SITES = sorted(p for p in (TESTS / "sites").iterdir() if (p / "site").is_dir())
# Outputs compared byte for byte; every other file is checked for presence (files.txt).
COMPARED = ("api/briefings.json", "api/entries.json", "api/actors.json", "api/sources.json",
            "api/timelinejs.json", "feed.xml", "actors/russia/feed.xml",
            "tags/diplomacy/feed.xml", "briefings/talks/feed.xml", "sitemap.xml", "robots.txt",
            "search/manifest.bin", "search/filters.bin",
            "briefings/talks/index.html", "briefings/background/index.html", "CNAME")


def readable(rel: str, data: bytes) -> bytes:
    """JSON is stored pretty-printed so that a change reads well in a diff (the search
    index's JSON files are compressed)."""
    if rel.endswith(".bin"):
        data = gzip.decompress(data)
    if rel.endswith((".json", ".bin")):
        return (json.dumps(json.loads(data), indent=1, ensure_ascii=False) + "\n").encode()
    return data


@pytest.mark.parametrize("case", SITES, ids=[s.name for s in SITES])
def test_site_matches_expected_files(case: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "out"
    result = cli("--site", str(case / "site"), "build", "--out", str(out))
    assert result.code == 0, result.err
    listing = "\n".join(sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                               if p.is_file())) + "\n"
    actual = {"files.txt": listing.encode()}
    actual |= {rel: readable(rel, (out / rel).read_bytes()) for rel in COMPARED
               if (out / rel).is_file()}
    expected_dir = case / "expected"
    if os.environ.get("BRIEFGEN_UPDATE_GOLDEN"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for rel, data in actual.items():
            (expected_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / rel).write_bytes(data)
    expected = {p.relative_to(expected_dir).as_posix(): p.read_bytes()
                for p in expected_dir.rglob("*") if p.is_file()}
    assert sorted(actual) == sorted(expected), "a compared output is missing"
    for rel, data in expected.items():
        assert actual[rel].decode() == data.decode(), f"{rel} differs from the expected file"
