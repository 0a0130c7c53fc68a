"""A briefing's change log (SPEC §3): its updates and corrections, the entries they name,
and the ``updated`` date they give the briefing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from briefgen.dates import DateValue
from briefgen.docparser import DocumentParser
from briefgen.errors import Diagnostics, Loc
from briefgen.model import Update
from briefgen.schema import Record
from briefgen.suggest import did_you_mean

LISTED = 5  # entry ids named in an error when none is close to what was written


def read_updates(parser: DocumentParser, items: Sequence[Any], entry_ids: Sequence[str],
                 section_ids: Sequence[str] = (), published: DateValue | None = None
                 ) -> tuple[Update, ...]:
    """The valid items of ``updates``; an ``entry`` that names no entry of the briefing is
    reported where it is written, and dropped. An update dated wholly before ``published``
    (the briefing's ``date``) is a warning: a typo in its year or month."""
    updates = []
    for item in items:
        if not isinstance(item, Record):
            continue
        date = item.get("date")
        if isinstance(date, DateValue) and published is not None:
            _before_publication(parser.diags, f"update dated {date.human()}", date,
                                item.where("date"), published, parser.zone)
        if "date" not in item.values or "note" not in item.values:
            continue
        entry = item.get("entry")
        if isinstance(entry, str) and entry not in entry_ids:
            _unknown_entry(parser.diags, entry, item.where("entry"), entry_ids,
                           entry in section_ids)
            entry = None
        note = parser.inline(item.get("note"), item.where("note"), linked=False)
        updates.append(Update(item.get("date"), note, item.get("kind", "update"),
                              entry if isinstance(entry, str) else None, item.where("date")))
    return tuple(updates)


def _unknown_entry(diags: Diagnostics, entry: str, loc: Loc, entry_ids: Sequence[str],
                   section: bool) -> None:
    what = "is an ordinary section of this briefing, not a dated entry" if section else \
        "names no entry of this briefing"
    hint = "" if section else did_you_mean(entry, entry_ids)
    if not entry_ids:
        hint = "; this briefing has no dated entries"
    elif not hint:
        listed = ", ".join(f"'{i}'" for i in entry_ids[:LISTED])
        hint = f"; its entries are {listed}" + (", …" if len(entry_ids) > LISTED else "")
    diags.error(loc, f"the update's entry '{entry}' {what}{hint}", span=len(entry))


def _before_publication(diags: Diagnostics, what: str, value: DateValue, loc: Loc,
                        published: DateValue, zone: tzinfo) -> None:
    """A date of the change log that lies wholly before the briefing's ``date``: the page
    would say the briefing changed before it was published. ``what`` names the date."""
    if value.end_key(zone) < published.sort_key(zone):
        diags.warning(loc, f"{what} is before the briefing's date "
                           f"({published.human()}); check the year or month",
                      span=len(value.written()))


def updated_date(diags: Diagnostics, record: Record, zone: tzinfo) -> DateValue | None:
    """``updated`` as written, else the date of the latest update; a warning when both are
    written and disagree (neither date contains the other), and when ``updated`` lies
    before the briefing's ``date``."""
    given = record.get("updated")
    latest = _latest_update(record.get("updates", []), zone)
    if not isinstance(given, DateValue):
        return latest[0] if latest else None
    published = record.get("date")
    if isinstance(published, DateValue):
        _before_publication(diags, f"'updated' ({given.human()})", given,
                            record.where("updated"), published, zone)
    if latest is not None and _apart(given, latest[0], zone):
        date, loc = latest
        diags.warning(record.where("updated"),
                      f"'updated' ({given.written()}) disagrees with the latest update "
                      f"({date.written()}, line {loc.line}); remove 'updated' to take the latest "
                      "update's date, or correct one of them", span=len(given.written()))
    return given


def _latest_update(items: Sequence[Any], zone: tzinfo) -> tuple[DateValue, Loc] | None:
    dated = [(item.get("date"), item.where("date")) for item in items
             if isinstance(item, Record) and isinstance(item.get("date"), DateValue)]
    if not dated:
        return None
    return max(dated, key=lambda pair: pair[0].sort_key(zone))


def _apart(a: DateValue, b: DateValue, zone: tzinfo) -> bool:
    """Whether one date lies wholly before the other (``2022-02`` contains ``2022-02-02``)."""
    return a.end_key(zone) < b.sort_key(zone) or b.end_key(zone) < a.sort_key(zone)


def numbered(updates: Sequence[Update], zone: tzinfo) -> list[int]:
    """Each update's number, from 1 for the oldest (ties in the order written): it names the
    update in the page (``bg-update-N``) and in the briefing's feed, and stays the same when
    later updates are added above or below it."""
    order = sorted(range(len(updates)), key=lambda i: (updates[i].date.sort_key(zone), i))
    numbers = [0] * len(updates)
    for number, index in enumerate(order, start=1):
        numbers[index] = number
    return numbers
