"""Entry dates that are probably typos: far after the briefing, or out of the briefing's order.

Both are warnings (a briefing may announce a planned event; an editor may order entries as
they like), reported at the entry's date with the fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, tzinfo

from briefgen.dates import DateValue
from briefgen.errors import Diagnostics, Loc


@dataclass(frozen=True)
class DatedEntry:
    id: str
    date: DateValue
    loc: Loc  # where its date is written
    span: int
    planned: bool = False  # announces a planned event: may lie far ahead


def check_entry_dates(diags: Diagnostics, entries: Sequence[DatedEntry],
                      reference: tuple[str, DateValue] | None, zone: tzinfo,
                      in_yaml: bool) -> None:
    """``reference`` is the briefing's ``updated`` (else ``date``) key and value, when valid."""
    if reference is not None:
        _far_ahead(diags, entries, reference, zone, in_yaml)
    _out_of_order(diags, entries, zone)


def a_year_after(day: date) -> date:
    """The same calendar day a year later (29 February gives 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def _far_ahead(diags: Diagnostics, entries: Sequence[DatedEntry],
               reference: tuple[str, DateValue], zone: tzinfo, in_yaml: bool) -> None:
    key, value = reference
    if value.year >= 9999:  # no year after it
        return
    limit = a_year_after(date.fromordinal(value.end_key(zone).day)).toordinal()
    opt_out = "add planned: true to it" if in_yaml else "end its heading with {.planned}"
    for entry in entries:
        if entry.planned or entry.date.sort_key(zone).day <= limit:
            continue
        diags.warning(entry.loc, f"entry '{entry.id}' is dated {entry.date.written()}, more than "
                                 f"a year after the briefing's '{key}' ({value.written()}); "
                                 "correct the year if it is a typo; if the entry announces a "
                                 f"planned event, {opt_out}", span=entry.span)


def _out_of_order(diags: Diagnostics, entries: Sequence[DatedEntry], zone: tzinfo) -> None:
    """Report the first entry against the order most of the briefing's entries follow
    (ascending or descending). An entry whose date overlaps the other's (``2022-01`` after
    ``2022-01-20``) is in either order. ``frontier`` is the latest entry so far (the
    earliest when descending): an entry dated wholly before it (after it) is out of place."""
    starts = [e.date.sort_key(zone) for e in entries]
    ends = [e.date.end_key(zone) for e in entries]
    pairs = range(1, len(entries))
    up = sum(1 for i in pairs if starts[i] > ends[i - 1])
    down = sum(1 for i in pairs if ends[i] < starts[i - 1])
    # Most steps decide; a tie (one typo among three entries) goes by first and last entry.
    ascending = up > down or (up == down and not (len(entries) > 1 and ends[-1] < starts[0]))
    frontier = 0
    for i in pairs:
        broken = ends[i] < starts[frontier] if ascending else starts[i] > ends[frontier]
        if broken:
            other = entries[frontier]
            entry = entries[i]
            relation, order = ("before", "oldest") if ascending else ("after", "newest")
            diags.warning(entry.loc, f"entry '{entry.id}' ({entry.date.written()}) is dated "
                                     f"{relation} the entry '{other.id}' on line {other.loc.line} "
                                     f"({other.date.written()}), but this briefing's entries run "
                                     f"{order} first; move it up or correct its date",
                          span=entry.span)
            return
        if (starts[i] > starts[frontier]) if ascending else (ends[i] < ends[frontier]):
            frontier = i
