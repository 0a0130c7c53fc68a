"""An engine update that may be cancelled (the preview, when a newer edit waits) stops
between nodes or inside a node that checks, leaves what it did not make queued, and the next
update makes it: the values come out as if nothing had been cancelled."""

from __future__ import annotations

from briefgen.engine.deps import Engine, IndexKind, Kind, Reader, digest_text


def _engine(made: list[str], checks: list[str]) -> Engine:
    def long(r: Reader, name: str) -> str:
        parts = []
        for number in range(3):
            checks.append(name)
            r.check_cancelled()
            parts.append(f"{r.get(('text', name))}{number}")
        made.append(name)
        return "".join(parts)

    def total(r: Reader, name: str) -> str:
        return r.get(("long", name)).upper()

    return Engine([Kind("text", 0, load=lambda name: name), Kind("long", 1, long),
                   Kind("total", 2, total)], [IndexKind("none", 1)])


def _start(engine: Engine, text: str) -> None:
    engine.begin_run(0.0, same_inputs=True)
    engine.set_input(("text", "a"), digest_text(text), text)


def test_a_cancelled_update_leaves_the_node_queued_and_the_next_one_makes_it() -> None:
    made: list[str] = []
    checks: list[str] = []
    engine = _engine(made, checks)
    _start(engine, "x")
    assert engine.value(("total", "a")) == "X0X1X2"
    made.clear()

    _start(engine, "y")
    asked = iter([False, False, True])  # between nodes, then at the node's first two checks
    update = engine.update(cancel=lambda: next(asked))
    assert update.cancelled
    assert made == [], "the node went on after it was cancelled"
    assert engine.cancel is None, "the cancel outlived its update"
    assert engine.queued("long") == [("long", "a")]
    assert engine.queued("total") == []  # told only once "long" is made, and changed

    checks.clear()  # outside a cancellable update, a check never stops a node
    update = engine.update()
    assert not update.cancelled and made == ["a"] and len(checks) == 3
    assert engine.value(("total", "a")) == "Y0Y1Y2"
    assert not engine.pending()


def test_an_update_cancelled_between_nodes_makes_none_of_the_rest() -> None:
    made: list[str] = []
    engine = _engine(made, [])
    _start(engine, "x")
    engine.value(("total", "a"))
    made.clear()
    _start(engine, "z")
    update = engine.update(cancel=lambda: True)
    assert update.cancelled and made == []
    assert engine.pending()
    assert not engine.update(cancel=lambda: False).cancelled
    assert engine.value(("total", "a")) == "Z0Z1Z2" and made == ["a"]
