"""The equality tests can see a missing dependency: with the recording of one kind of read
switched off (as if the code that reads it forgot to say so), a named sequence of edits
leaves the preview different from a clean build, and the test says so.

Each kind of read is a label of ``site/kinds.py`` (``reads=``), or ``idx:<name>`` for the
look-ups in one index. Outputs and per-file checks are read by nothing, so switching off
their recording cannot matter; every other kind must be caught."""

from __future__ import annotations

import pytest

from briefgen.site.kinds import INDEXES, site_kinds
from tests.editing import CLOCKS
from tests.test_preview_equality import check_builds, check_preview

# One sequence that makes many kinds of document feed another, the clock pass a scheduled
# briefing's date, files appear and go, and a template and the settings change.
EVERY_WAY = [(operation, n, CLOCKS[0]) for operation, n in [
    ("change", 0), ("retitle", 1), ("rename-actor", 0), ("alias", 1), ("publisher-alias", 1),
    ("role", 1), ("kind", 1), ("wikidata", 1), ("source-title", 1), ("source-authors", 1),
    ("publisher", 1), ("tags", 2), ("redate", 2), ("cite", 0), ("cite-in-text", 1),
    ("add-source", 1), ("delete-source", 1), ("page", 1), ("static", 1), ("template", 1),
    ("setting", 1), ("add", 2), ("draft", 0), ("delete", 1), ("untemplate", 0),
]] + [("schedule", 0, CLOCKS[0]), ("change", 1, CLOCKS[1])]


def steps(*operations: tuple[str, int]) -> list[tuple[str, int, str]]:
    return [(operation, n, CLOCKS[0]) for operation, n in operations]


# The reads that the long sequence does not need to show, each with one of its own.
NAMED = {
    "asset": steps(("theme", 0), ("theme", 1)),
    "idx:docs": steps(("duplicate", 0), ("unduplicate", 0)),
    # An in-text "@extra1" that a new source "extra0" makes one edit from an id (a link's
    # unknown target is told the nearest actors from idx:name_list, which holds their ids).
    "idx:ids": steps(("cite-in-text", 1), ("add-source", 0)),
    # An actor whose name another takes as an alias: the error shows at both.
    "idx:names": steps(("alias-name", 0), ("unalias", 0)),
    "idx:name_list": steps(("add-actor", 2), ("link-alias", 0), ("alias", 4)),
    "idx:actors": steps(("add-actor", 1)),
    "idx:years": steps(("redate", 2)),
    "idx:actor_briefings": steps(("add-actor", 0), ("lead-link", 3)),
    "idx:source_briefings": steps(("add-source", 1), ("lead-cite", 0)),
    "idx:linked": steps(("add-actor", 0), ("lead-link", 3)),
    "idx:cited": steps(("add-source", 1), ("cite-in-text", 1)),
    "idx:tag": steps(("tags", 10)),
    # A role's dates move: the chips of the entries within them change, nothing else.
    "roles": steps(("role", 1), ("role-dates", 1), ("role-dates", 2)),
    # A photo replaced: the pages that show it give its new size, its copies are made again.
    "image": steps(("image", 1), ("lead-image", 0), ("image", 2)),
    # A static image that a briefing starts to show is published as resized copies.
    "idx:images": steps(("image", 1), ("lead-image", 0)),
    # What documents are checked against: a name written without a link that a new actor
    # has, a publisher one edit from a new actor's id, the warnings about the whole site held
    # while an actor file cannot be read, a link to a path that a new page publishes.
    "mentions": steps(("mention", 4), ("add-actor", 1)),
    "idx:actor_spellings": steps(("publisher-typo", 4), ("add-actor", 1)),
    "idx:unreadable": steps(("add-source", 1), ("break-actor", 0), ("fix", 0)),
    "idx:published": steps(("link-path", 3), ("page", 1)),
    # A link to an entry of another briefing, whose ids then change with its year.
    "anchors": steps(("link-entry", 0), ("redate", 3)),
}

# Reads that only `build` with --drafts or --future can show (the preview shows neither):
# (operation, n, clock, --drafts, --future, other base_url) for each run.
NAMED_BUILDS = {
    # A draft shown and then published: the pages that showed it are no longer marked.
    "idx:unpublished": [("draft", 0, CLOCKS[0], True, False, False),
                        ("draft", 0, CLOCKS[0], True, False, False)],
}

UNREAD = {"output", "check"}  # read by no node: nothing can depend on them


def read_kinds() -> list[str]:
    labels = {kind.read_kind for kind in site_kinds(lambda rel: None)} - UNREAD
    return sorted(labels) + [f"idx:{index.name}" for index in INDEXES]


def test_the_sequence_passes_with_every_read_recorded():
    check_preview(EVERY_WAY)


def test_the_named_sequences_pass_with_every_read_recorded():
    for sequence in NAMED.values():
        check_preview(sequence)
    for runs in NAMED_BUILDS.values():
        check_builds(runs)


@pytest.mark.parametrize("label", read_kinds())
def test_a_read_not_recorded_is_caught(label):
    ignored = frozenset({label})
    with pytest.raises(AssertionError):
        if label in NAMED_BUILDS:
            check_builds(NAMED_BUILDS[label], ignored_reads=ignored)
        else:
            check_preview(NAMED.get(label, EVERY_WAY), ignored_reads=ignored)
