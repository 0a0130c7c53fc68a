"""The roles an actor held, and the one held on a given date: shown beside the actor where
an entry names it ("Sergey Lavrov, Minister of Foreign Affairs").

The role shown for an entry is the one whose ``from``–``to`` span contains the entry's
start, each comparison made at the coarser precision of the two dates (a role from
2021-01-26 contains an entry dated 2021-01); of several, the one with the latest ``from``
(the first listed of equals); of none, nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

from briefgen.dates import DatePoint, DateValue, Precision
from briefgen.engine.deps import Reader
from briefgen.model import Actor
from briefgen.site.documents import Doc

_CALENDAR = {Precision.YEAR: 1, Precision.MONTH: 2, Precision.DAY: 3}


@dataclass(frozen=True, slots=True)
class RoleSpan:
    """One role: its title and the span it covers (None: open on that side)."""

    title: str
    start: DatePoint | None  # the first point of ``from``
    end: DatePoint | None  # the last point of ``to`` (the end of a range)


def roles(r: Reader, actor_id: str) -> tuple[RoleSpan, ...]:
    """An actor's roles, in the order written (a node of its own: a role's dates change
    the chips of the entries that name the actor, and nothing that shows only its name)."""
    found: Doc | None = r.get(("doc", "actors", actor_id))
    actor = found.document if found is not None else None
    if not isinstance(actor, Actor):
        return ()
    return tuple(RoleSpan(role.title, role.start.start if role.start else None,
                          _last(role.end)) for role in actor.roles)


def _last(value: DateValue | None) -> DatePoint | None:
    if value is None:
        return None
    return value.end or value.start


def compare(a: DatePoint, b: DatePoint, zone: tzinfo) -> int:
    """-1, 0 or 1 as ``a`` is before, at or after ``b`` at the coarser precision of the
    two: calendar fields as written down to the day; instants (to the minute, or the
    second) when both have a time."""
    precision = min(a.precision, b.precision)
    if precision in _CALENDAR:
        n = _CALENDAR[precision]
        x: tuple[float, ...] = (a.year, a.month or 0, a.day or 0)[:n]
        y: tuple[float, ...] = (b.year, b.month or 0, b.day or 0)[:n]
    else:
        unit = 60 if precision == Precision.MINUTE else 1
        x = (a.first_instant(zone).timestamp() // unit,)
        y = (b.first_instant(zone).timestamp() // unit,)
    return (x > y) - (x < y)


def holds(span: RoleSpan, point: DatePoint, zone: tzinfo) -> bool:
    return (span.start is None or compare(span.start, point, zone) <= 0) and \
        (span.end is None or compare(point, span.end, zone) <= 0)


def role_on(spans: Sequence[RoleSpan], when: DateValue, zone: tzinfo) -> int | None:
    """The index of the role held at the start of ``when``, or None."""
    best: int | None = None
    for index, span in enumerate(spans):
        if not holds(span, when.start, zone):
            continue
        if best is None or _later_start(span, spans[best], zone):
            best = index
    return best


def _later_start(span: RoleSpan, other: RoleSpan, zone: tzinfo) -> bool:
    if span.start is None:
        return False
    if other.start is None:
        return True
    return span.start.first_instant(zone) > other.start.first_instant(zone)
