"""What the preview's engine keeps in memory between builds: it lives for hours, so the
values that a later build can copy or make again are let go, rendering's garbage does not
pile up, and a key read by many nodes is held once."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import jinja2.runtime
import pytest

from briefgen import collector
from briefgen.build import BuildOptions, Session, build
from briefgen.engine.deps import Engine, IndexKind, Kind, Reader, digest_text
from briefgen.site.kinds import site_kinds


def _preview_build(site: Path, out: Path, session: Session) -> None:
    options = BuildOptions(out=out, session=session, versioned_assets=False, in_place=True,
                           base_url="http://127.0.0.1:8000/")
    assert build(site, options).ok


def test_a_value_let_go_is_made_again_the_same_and_tells_no_reader() -> None:
    made: list[str] = []

    def twice(r: Reader, name: str) -> str:
        made.append(name)
        return str(r.get(("text", name))) * 2

    def shout(r: Reader, name: str) -> str:
        return str(r.get(("twice", name))).upper()

    engine = Engine([Kind("text", 0, load=lambda name: f"<{name}>", held=False),
                     Kind("twice", 1, twice, held=False), Kind("shout", 2, shout)],
                    [IndexKind("none", 1)])
    engine.begin_run(0.0)
    engine.set_input(("text", "a"), digest_text("<a>"))
    assert engine.value(("shout", "a")) == "<A><A>"
    records = {key: engine.record(key) for key in (("twice", "a"), ("shout", "a"))}
    engine.take_changes()

    assert engine.let_go() == 2  # the loaded text and the doubled one; "shout" is held
    assert engine.value(("twice", "a")) == "<a><a>"
    assert made == ["a", "a"]
    assert {key: engine.record(key) for key in records} == records
    assert not engine.take_changes().records  # the same record: no reader is told


def test_the_preview_lets_go_what_the_next_build_copies(example_site: Path,
                                                         tmp_path: Path) -> None:
    session = Session()
    _preview_build(example_site, tmp_path / "out", session)
    engine = session.engine
    assert engine is not None
    loose = {kind.name for kind in site_kinds(lambda rel: None) if not kind.held}
    assert {"file", "item", "entry_json", "timeline_event"} <= loose
    assert not [key for key in engine._values if key[0] in loose]
    # An edit afterwards still makes what a clean build makes (the equality tests go
    # through every kind of edit; this is the plain one).
    briefing = next((example_site / "content/briefings").glob("*.md"))
    briefing.write_text(briefing.read_text(encoding="utf-8") + "\nOne more line.\n",
                        encoding="utf-8")
    _preview_build(example_site, tmp_path / "out", session)
    _preview_build(example_site, tmp_path / "clean", Session())
    assert _tree(tmp_path / "out") == _tree(tmp_path / "clean")


def test_keys_read_by_many_nodes_are_held_once(example_site: Path, tmp_path: Path) -> None:
    session = Session()
    _preview_build(example_site, tmp_path / "out", session)
    engine = session.engine
    assert engine is not None
    by_value: dict[Any, set[int]] = {}
    for record in engine._records.values():
        for key in record.deps if record is not None else ():
            by_value.setdefault(key, set()).add(id(key))
    assert sum(len(ids) for ids in by_value.values()) == len(by_value)


def test_rendering_leaves_no_pile_of_template_contexts(example_site: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A template with macros leaves its context in a reference cycle after each render;
    the build collects those as it goes although the collector is off (here as often as a
    large site's build would: the example makes too few objects to reach the threshold)."""
    monkeypatch.setattr(collector, "YOUNG", 500)
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()  # as in a one-shot command: nothing collects but the build itself
    try:
        session = Session()
        _preview_build(example_site, tmp_path / "out", session)
        pages = sum(1 for path in (tmp_path / "out").rglob("*.html"))
        contexts = sum(isinstance(o, jinja2.runtime.Context) for o in gc.get_objects())
    finally:
        if was_enabled:
            gc.enable()
    assert pages > 30
    assert contexts < pages // 4, (contexts, pages)


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".briefgen-manifest.json"}  # it names its build


def test_keys_no_record_reads_are_dropped_once_they_are_many() -> None:
    def echo(r: Reader, name: str) -> str:
        return str(r.get(("text", name)))

    engine = Engine([Kind("text", 0, load=lambda name: name), Kind("echo", 1, echo)],
                    [IndexKind("none", 1)])
    engine.begin_run(0.0)

    def read(names: range) -> None:
        for number in names:
            engine.set_input(("text", f"t{number}"), digest_text(f"t{number}"))
            assert engine.value(("echo", f"t{number}")) == f"t{number}"

    read(range(3000))
    engine.let_go()
    for number in range(2000):  # documents renamed or deleted: nothing reads their keys
        engine._set_record(("echo", f"t{number}"), None)
    read(range(3000, 5000))
    engine.let_go()
    assert set(engine._keys) == {("text", f"t{n}") for n in range(2000, 5000)}
    # The keys kept are still the records' own objects.
    record = engine.record(("echo", "t4000"))
    assert record is not None and engine._keys[("text", "t4000")] is record.deps[0]
