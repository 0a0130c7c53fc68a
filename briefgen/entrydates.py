"""Entry dates that are probably typos: far after the briefing, or out of the briefing's order.

Both are warnings (a briefing may announce a planned event; an editor may order entries as
they like), reported at the entry's date with the fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, tzinfo

from briefgen.dates import DateValue
from briefgen.errors import Diagnostics
from briefgen.model import DatedEntry


def check_entry_dates(diags: Diagnostics, entries: Sequence[DatedEntry],
                      reference: tuple[str, DateValue] | None, zone: tzinfo,
                      in_yaml: bool) -> list[DatedEntry]:
    """``reference`` is the briefing's ``updated`` (else ``date``) key and value, when valid.
    Returns the entries still to be checked against the build's clock (``after_today``):
    those not planned, and not reported here as far ahead."""
    far = _far_ahead(diags, entries, reference, zone, in_yaml) if reference is not None else set()
    _out_of_order(diags, entries, zone)
    return [e for e in entries if not e.planned and e.id not in far]


def after_today(entries: Sequence[DatedEntry], now: float, zone: tzinfo, in_yaml: bool
                ) -> tuple[list[tuple[DatedEntry, str]], float | None]:
    """The entries dated after ``now`` (their start), each with its warning, and the time at
    which the first of them comes (when what is said here changes), if any."""
    found: list[tuple[DatedEntry, str]] = []
    comes: float | None = None
    for entry in entries:
        starts = entry.date.sort_instant(zone).timestamp()
        if starts <= now:
            continue
        found.append((entry, f"entry '{entry.id}' is dated {entry.date.written()}, in the future; "
                             "correct the date if it is a typo; if the entry announces a planned "
                             f"event, {_opt_out(in_yaml)}"))
        comes = starts if comes is None else min(comes, starts)
    return found, comes


def _opt_out(in_yaml: bool) -> str:
    return "add planned: true to it" if in_yaml else "end its heading with {.planned}"


def a_year_after(day: date) -> date:
    """The same calendar day a year later (29 February gives 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def _far_ahead(diags: Diagnostics, entries: Sequence[DatedEntry],
               reference: tuple[str, DateValue], zone: tzinfo, in_yaml: bool) -> set[str]:
    """Report the entries dated more than a year after ``reference``; their ids."""
    key, value = reference
    if value.year >= 9999:  # no year after it
        return set()
    limit = a_year_after(date.fromordinal(value.end_key(zone).day)).toordinal()
    opt_out = _opt_out(in_yaml)
    reported = set()
    for entry in entries:
        if entry.planned or entry.date.sort_key(zone).day <= limit:
            continue
        reported.add(entry.id)
        diags.warning(entry.loc, f"entry '{entry.id}' is dated {entry.date.written()}, more than "
                                 f"a year after the briefing's '{key}' ({value.written()}); "
                                 "correct the year if it is a typo; if the entry announces a "
                                 f"planned event, {opt_out}", span=entry.span)
    return reported


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
