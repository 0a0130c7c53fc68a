"""Starter files for ``briefgen new`` and a starter site for ``briefgen init``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from briefgen.parse import MARKDOWN_SUFFIXES, YAML_SUFFIXES

KINDS = ("briefing", "actor", "source")


def _title(doc_id: str) -> str:
    return " ".join(word.capitalize() for word in doc_id.split("-"))


def starter(kind: str, doc_id: str, today: date) -> tuple[str, str]:
    """(file suffix, text) of a new file that validates as it is."""
    title = _title(doc_id)
    if kind == "briefing":
        return ".md", f"""---
title: "{title}"
date: {today.isoformat()}
summary: One sentence that says what this briefing follows.
tags: []
# Drafts are validated but left out of the site; remove this line to publish.
status: draft
---

A short lead: why this story matters and what the reader will find below.
Link actors with `[[actor-id]]` and cite sources with `[@source-id]`.

## {today.isoformat()} What happened first

Describe the event in your own words, then cite where the facts come from.
"""
    if kind == "actor":
        return ".yaml", f"""name: "{title}"
# person, organization, country or group
kind: person
summary: One line on who this is.
aliases: []
# roles:
#   - title: Minister of Foreign Affairs
#     of: some-country-id
#     from: 2004-03-09
"""
    return ".yaml", f"""title: "{title}"
publisher: The publisher's name, or an actor id
date: {today.isoformat()}
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
