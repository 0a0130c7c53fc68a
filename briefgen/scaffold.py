"""Starter files for ``briefgen new`` and a starter site for ``briefgen init``."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from briefgen.dates import DateError, parse_date
from briefgen.fields import STARTER_TEXT
from briefgen.filenames import MARKDOWN_SUFFIXES, YAML_SUFFIXES

KINDS = ("briefing", "actor", "source", "page")

# A source is often named after what it is and the day it appeared: cbs-reply-2022-01-31.
_DATE_AT_END = re.compile(r"(?:^|-)(\d{4}-\d{2}(?:-\d{2})?)$")

_DRAFT = "# Drafts are validated but left out of the site; remove this line to publish.\nstatus: draft"


def date_in_id(doc_id: str) -> str | None:
    """The day or month an id ends with (``…-2024-03-01``, ``…-2024-03``); DateError when
    it ends with one that does not exist (``…-2024-02-30``)."""
    match = _DATE_AT_END.search(doc_id)
    if match is None:
        return None
    parse_date(match[1])
    return match[1]


def _source_date(doc_id: str, today: date) -> str:
    try:
        return date_in_id(doc_id) or today.isoformat()
    except DateError:
        return today.isoformat()


def _title(doc_id: str) -> str:
    match = _DATE_AT_END.search(doc_id)
    words = doc_id[:match.start() if match else len(doc_id)].split("-")
    return " ".join(word.capitalize() for word in words if word) or doc_id


def starter(kind: str, doc_id: str, today: date, yaml_form: bool = False) -> tuple[str, str]:
    """(file suffix, text) of a new file that validates as it is; ``yaml_form`` writes a
    briefing in its YAML form (actors and sources are always YAML, pages always Markdown)."""
    title = _title(doc_id)
    if kind == "briefing":
        return (".yaml", _yaml_briefing(title, today)) if yaml_form else \
            (".md", _markdown_briefing(title, today))
    if kind == "page":
        return ".md", _page(title)
    if kind == "actor":
        return ".yaml", _actor(title)
    return ".yaml", _source(title, _source_date(doc_id, today))


def _markdown_briefing(title: str, today: date) -> str:
    return f"""---
title: "{title}"
date: {today.isoformat()}
summary: One sentence that says what this briefing follows.
tags: []
{_DRAFT}
---

A short lead: why this story matters and what the reader will find below.
Link actors with `[[actor-id]]` and cite sources with `[@source-id]`.

## {today.isoformat()} What happened first

Describe the event in your own words, then cite where the facts come from.
"""


def _yaml_briefing(title: str, today: date) -> str:
    return f"""title: "{title}"
date: {today.isoformat()}
summary: One sentence that says what this briefing follows.
tags: []
{_DRAFT}
lead: |
  A short lead: why this story matters and what the reader will find below.
  Link actors with `[[actor-id]]` and cite sources with `[@source-id]`.
entries:
  - date: {today.isoformat()}
    title: What happened first
    body: |
      Describe the event in your own words, then cite where the facts come from.
"""


def _page(title: str) -> str:
    return f"""---
title: "{title}"
summary: One line on what this page is for.
{_DRAFT}
---

Write the page in Markdown. Link actors with `[[actor-id]]` and briefings with
`[[briefings/briefing-id]]`, and cite sources with `[@source-id]`.
"""


def _actor(title: str) -> str:
    return f"""name: "{title}"
# person, organization, country or group
kind: person
summary: {STARTER_TEXT['summary']}
aliases: []
# roles:
#   - title: Minister of Foreign Affairs
#     of: some-country-id
#     from: 2004-03-09
"""


def _source(title: str, day: str) -> str:
    return f"""title: "{title}"
publisher: {STARTER_TEXT['publisher']}
date: {day}
# url: https://example.org/the-article
# kind: article, statement, transcript, report, dataset, social or other
kind: article
"""


def existing_files(folder: Path, doc_id: str) -> list[Path]:
    return [folder / f"{doc_id}{s}" for s in MARKDOWN_SUFFIXES + YAML_SUFFIXES
            if (folder / f"{doc_id}{s}").exists()]


SITE_FILES = {
    "site.yaml": """title: My Briefings
base_url: http://localhost:8000/
description: Sourced briefings on the stories we follow.
# The language of the pages' words and dates (en, fr, de, es, it, pt, nl, or any other
# with words: of your own; see the documentation of site.yaml).
language: en
timezone: UTC
""",
    ".gitignore": "public/\n",
    "content/briefings/first-briefing.md": """---
title: A first briefing
date: 2024-01-15
summary: What a briefing looks like, with dated entries, actors and sources.
tags: [Examples]
---

The lead comes before the first dated heading. It introduces the story.

## 2024-01-10 The Example Ministry announces a plan

The [[example-ministry]] published its plan, presented by [[Jane Doe]] [@example-statement].

## 2024-01-15 The plan is debated {#debate}

Critics questioned the timetable [@example-statement, p. 2].
""",
    "content/actors/jane-doe.yaml": """name: Jane Doe
kind: person
summary: Minister in charge of examples.
roles:
  - title: Minister
    of: example-ministry
    from: 2023-06
""",
    "content/actors/example-ministry.yaml": """name: Example Ministry
kind: organization
aliases: [the Ministry]
""",
    "content/sources/example-statement.yaml": """title: The Ministry presents its plan
publisher: example-ministry
date: 2024-01-10
kind: statement
url: https://example.org/statement
""",
    "content/pages/about.md": """---
title: About
---

This site publishes sourced briefings. Start with [[briefings/first-briefing]].
""",
}


def init_site(target: Path) -> list[Path]:
    written = []
    for rel, text in SITE_FILES.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
