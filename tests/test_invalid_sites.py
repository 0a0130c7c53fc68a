"""Invalid sites: each case folder holds a site and the exact diagnostics it must produce.

    tests/sites_invalid/<case>/site/      site.yaml, content/ …
    tests/sites_invalid/<case>/expected.txt
        one line per diagnostic, exactly as briefgen prints its headline:
        path:line:col: error|warning: message

A build of each case must exit with status 1, print exactly these lines (in this order),
print no traceback and write nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TESTS

CASES = sorted(p for p in (TESTS / "sites_invalid").iterdir() if (p / "expected.txt").is_file())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_site_reports_exact_diagnostics(case: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "out"
    result = cli("--site", str(case / "site"), "build", "--out", str(out))
    expected = [line for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines()
                if line.strip()]
    assert result.headlines == expected, result.err
    assert result.code == 1
    assert "Traceback" not in result.err
    assert not out.exists(), "a failed build wrote output"
