"""The keys each kind of content file accepts (SPEC §3–5, §12)."""

from __future__ import annotations

from briefgen.imagefield import ImageOf
from briefgen.model import ACTOR_KINDS, SOURCE_KINDS, STATUSES, UPDATE_KINDS
from briefgen.schema import (
    Boolean,
    Choice,
    Date,
    Field,
    ListOf,
    LocatedText,
    Markdown,
    RecordOf,
    Text,
    Url,
)

UPDATE: dict[str, Field] = {
    "date": Field(Date(), required=True),
    "note": Field(Text(), required=True),
    "kind": Field(Choice(UPDATE_KINDS)),
    "entry": Field(Text()),  # the id of the entry it concerns, in the same briefing
}

BRIEFING: dict[str, Field] = {
    "title": Field(Text(literal=True), required=True),
    "date": Field(Date(), required=True),
    "summary": Field(Text()),
    "updated": Field(Date()),
    "updates": Field(ListOf(RecordOf(UPDATE, "an update"))),
    "authors": Field(ListOf(Text(literal=True))),
    "tags": Field(ListOf(LocatedText())),
    "status": Field(Choice(STATUSES)),
    "image": Field(ImageOf()),  # the lead image
}

ENTRY: dict[str, Field] = {
    "date": Field(Date(), required=True),
    "title": Field(Text(), required=True),
    "id": Field(Text()),
    "body": Field(Markdown()),
    "planned": Field(Boolean()),  # announces a planned event: may be dated far ahead
}

BRIEFING_YAML: dict[str, Field] = {
    **BRIEFING,
    "lead": Field(Markdown()),
    "entries": Field(ListOf(RecordOf(ENTRY, "an entry"))),
}

ROLE: dict[str, Field] = {
    "title": Field(Text(literal=True), required=True),
    "of": Field(Text(literal=True)),
    "from": Field(Date()),
    "to": Field(Date()),
}

ACTOR: dict[str, Field] = {
    "name": Field(LocatedText(), required=True),
    "short_name": Field(Text(literal=True)),  # for chips: "Lavrov", "AMPTP"
    "kind": Field(Choice(ACTOR_KINDS), required=True),
    "aliases": Field(ListOf(LocatedText())),
    "summary": Field(Text()),
    "roles": Field(ListOf(RecordOf(ROLE, "a role"))),
    "wikidata": Field(Text(r"Q[0-9]+", " (a Wikidata id looks like Q8880)")),
    "links": Field(ListOf(Url())),
    "image": Field(ImageOf()),  # a portrait or emblem
}

SOURCE: dict[str, Field] = {
    "title": Field(Text(literal=True), required=True),
    "publisher": Field(LocatedText(), required=True),
    "date": Field(Date(), required=True),
    "url": Field(Url()),
    "authors": Field(ListOf(Text(literal=True))),
    "accessed": Field(Date()),
    "archive_url": Field(Url()),
    "kind": Field(Choice(SOURCE_KINDS)),
    "language": Field(Text()),
}

PAGE: dict[str, Field] = {
    "title": Field(Text(literal=True), required=True),
    "summary": Field(Text()),
    "status": Field(Choice(STATUSES)),
}


# The text ``briefgen new`` writes where the editor has to write their own, by field: still
# there at a build, it would be published as it is (a warning says so).
STARTER_TEXT = {"publisher": "The publisher's name, or an actor id",
                "summary": "One line on who this is."}
