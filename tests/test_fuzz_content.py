"""The content fuzzer at a small budget: fuzzed sites are checked and built in this process,
and nothing may raise, hang, print a malformed diagnostic or touch an earlier output on failure.

Raise the budget with ``BRIEFGEN_FUZZ_EXAMPLES=10000``, or run ``bench/fuzz.py`` for figures.
"""

from __future__ import annotations

import tempfile
from datetime import UTC
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.dates import DateError, parse_date
from briefgen.errors import split_lines
from briefgen.markup import make_markdown
from briefgen.model import Collection
from briefgen.parse import parse_document
from tests.fuzzing import (
    FORBIDDEN,
    Harness,
    dates,
    file_bytes,
    fuzz_examples,
    sites,
    time_limit,
)


def budget(examples: int) -> settings:
    """No hypothesis deadline (a shared machine is slow at times): ``time_limit`` guards
    against hangs instead."""
    return settings(deadline=None, database=None, max_examples=fuzz_examples(examples),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])


@pytest.fixture(scope="module")
def harness() -> Harness:
    with tempfile.TemporaryDirectory(prefix="briefgen-fuzz-") as folder:
        yield Harness(Path(folder))


def test_fuzzed_sites_check_and_build_cleanly(harness: Harness) -> None:
    @budget(150)
    @given(sites())
    def run(files: dict[str, bytes]) -> None:
        outcome = harness.run(files)
        assert not outcome.problems, "\n".join(outcome.problems)

    run()


_MD = make_markdown(False)


@budget(1000)
@given(st.sampled_from(list(Collection)), st.sampled_from(["a.md", "a.yaml"]), file_bytes)
def test_parsing_any_file_reports_located_problems(collection: Collection, name: str,
                                                   data: bytes) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return  # never parsed: the loader reports it
    with time_limit(20):
        parsed = parse_document(collection, f"content/{collection.value}/{name}", text, _MD, UTC)
    lines = split_lines(text)
    for diag in parsed.diagnostics:
        assert 1 <= diag.loc.line <= max(1, len(lines)), diag
        width = len(lines[diag.loc.line - 1]) if lines else 0
        assert 1 <= diag.loc.col <= width + 1, diag
        assert "\n" not in diag.headline() and "\x1b" not in diag.headline()


@budget(300)
@given(dates)
def test_dates_parse_or_fail_with_a_reason(text: str) -> None:
    try:
        parse_date(text, UTC)
    except DateError as exc:
        assert str(exc)


@pytest.mark.parametrize("char", FORBIDDEN, ids=[f"U+{ord(c):04X}" for c in FORBIDDEN])
def test_every_forbidden_character_is_a_located_error(char: str) -> None:
    code = f"U+{ord(char):04X}"
    body = parse_document(Collection.PAGES, "content/pages/p.md",
                          f"---\ntitle: T\n---\nSome{char} text\n", _MD, UTC)
    front = parse_document(Collection.PAGES, "content/pages/p.md",
                           f"---\ntitle: T{char}\n---\ntext\n", _MD, UTC)
    escaped = parse_document(Collection.ACTORS, "content/actors/a.yaml",
                             f'name: "A\\u{ord(char):04x}"\nkind: person\n', _MD, UTC)
    assert [(d.loc, code in d.message) for d in body.diagnostics] == [((4, 5), True)]
    assert [(d.loc, code in d.message) for d in front.diagnostics] == [((2, 9), True)]
    assert [(d.loc, code in d.message) for d in escaped.diagnostics] == [((1, 7), True)]


def test_a_lone_surrogate_from_a_yaml_escape_is_a_located_error(monkeypatch) -> None:
    """libyaml refuses the escape itself; PyYAML's own reader (used where libyaml is missing)
    makes the character, which must then be reported at the value."""
    import yaml

    from briefgen import yamlsource

    text = 'name: "A\\ud800"\nkind: person\n'
    monkeypatch.setattr(yamlsource, "_Loader", yaml.SafeLoader)
    parsed = parse_document(Collection.ACTORS, "content/actors/a.yaml", text, _MD, UTC)
    assert [(d.loc, d.message) for d in parsed.diagnostics] == [
        ((1, 7), "this value holds U+D800 (a lone surrogate), written as an escape: XML and HTML "
                 "forbid that character; remove it")]
    if hasattr(yaml, "CSafeLoader"):
        monkeypatch.setattr(yamlsource, "_Loader", yaml.CSafeLoader)
        parsed = parse_document(Collection.ACTORS, "content/actors/a.yaml", text, _MD, UTC)
        assert [(d.loc, d.message) for d in parsed.diagnostics] == [
            ((1, 11), "invalid YAML: found invalid Unicode character escape code (while parsing a "
                      "quoted scalar)")]
