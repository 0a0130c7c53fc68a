"""Generate a synthetic, deterministic corpus of briefings for benchmarking.

    python bench/gen_corpus.py --briefings 1000 --out /tmp/corpus [--seed 1]

writes the same content twice:

* ``OUT/briefgen/``: a briefgen site (site.yaml, content/briefings, actors, sources);
* ``OUT/hugo/``: an equivalent Hugo site, with wikilinks and citations rewritten to plain
  Markdown links, actors and tags as taxonomies, and minimal layouts.

Everything comes from ``random.Random(seed)`` and the word lists below: no network, no clock,
no external data. The same seed and size always produce byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from random import Random

# --------------------------------------------------------------------------- word lists

NOUNS = (
    "agreement", "ministry", "delegation", "parliament", "ceasefire", "pipeline", "tariff",
    "election", "coalition", "treaty", "summit", "negotiation", "sanction", "proposal",
    "resolution", "embassy", "border", "referendum", "budget", "statement", "commission",
    "investigation", "inquiry", "mandate", "framework", "corridor", "shipment", "reactor",
    "assembly", "council", "tribunal", "deadline", "protest", "strike", "blockade", "convoy",
    "settlement", "memorandum", "declaration", "consultation", "observer", "mission",
    "transition", "reform", "deficit", "subsidy", "harvest", "drought", "outbreak", "vaccine",
    "refinery", "terminal", "satellite", "airspace", "garrison", "militia", "amnesty",
    "election", "ballot", "candidate", "campaign", "verdict", "appeal", "indictment",
    "spokesperson", "correspondent", "minister", "ambassador", "envoy", "president",
    "negotiator", "regulator", "auditor", "prosecutor", "governor", "mediator", "analyst",
    "document", "letter", "report", "briefing", "transcript", "dataset", "estimate", "forecast",
    "currency", "reserve", "loan", "bond", "export", "import", "quota", "license", "contract",
    "infrastructure", "highway", "railway", "harbour", "bridge", "province", "capital",
    "district", "region", "neighbour", "partner", "alliance", "bloc", "community", "minority",
    "language", "constitution", "amendment", "procedure", "timetable", "roadmap", "guarantee",
)
ADJECTIVES = (
    "regional", "bilateral", "provisional", "contested", "cautious", "unexpected", "formal",
    "informal", "confidential", "public", "technical", "economic", "military", "diplomatic",
    "humanitarian", "judicial", "electoral", "constitutional", "northern", "southern",
    "eastern", "western", "coastal", "federal", "municipal", "national", "international",
    "temporary", "permanent", "lengthy", "brief", "detailed", "revised", "preliminary", "final",
    "disputed", "renewed", "delayed", "emergency", "independent", "multilateral", "strategic",
    "fragile", "significant", "modest", "substantial", "partial", "unanimous", "narrow",
    "broad", "senior", "junior", "former", "acting", "incoming", "outgoing", "neighbouring",
)
ADVERBS = (
    "Meanwhile", "However", "Later", "Separately", "Earlier", "Nevertheless", "Publicly",
    "Privately", "Officially", "Initially", "Eventually", "Notably", "Subsequently",
    "According to officials", "In a statement", "By the evening", "Within days", "At the time",
)
VERBS_PAST = (
    "announced", "rejected", "approved", "postponed", "criticised", "welcomed", "negotiated",
    "signed", "suspended", "extended", "proposed", "questioned", "confirmed", "denied",
    "reviewed", "published", "requested", "blocked", "endorsed", "outlined", "challenged",
    "delayed", "accepted", "discussed", "examined", "reported", "described", "defended",
    "revised", "reversed", "reaffirmed", "dismissed", "considered", "presented", "submitted",
)
VERBS_HEADLINE = (
    "approves", "rejects", "delays", "signs", "suspends", "extends", "proposes", "questions",
    "confirms", "denies", "reviews", "publishes", "requests", "blocks", "endorses", "outlines",
    "challenges", "accepts", "debates", "revises", "defends", "presents", "submits", "resumes",
)
PREPOSITIONS = ("on", "over", "after", "before", "during", "despite", "around", "against", "towards")
CLAUSES = (
    "which officials described as a necessary step",
    "although the details remained unclear",
    "after several weeks of quiet consultation",
    "in a move that surprised several observers",
    "while talks continued behind closed doors",
    "as pressure from neighbouring governments increased",
    "citing concerns about the timetable",
    "without giving a date for the next meeting",
    "following a request from the opposition",
    "amid growing criticism at home",
)
TAGS = (
    "Diplomacy", "Trade", "Sanctions", "Energy", "Elections", "Human rights", "Climate",
    "Migration", "Security", "Defence", "Public health", "Agriculture", "Finance", "Courts",
    "Corruption", "Media freedom", "Arms control", "Nuclear policy", "Cybersecurity",
    "Infrastructure", "Transport", "Labour", "Education", "Water", "Food security",
    "Border disputes", "Refugees", "Peace talks", "Treaties", "United Nations",
    "Regional bodies", "Protests", "Constitutional reform", "Budget", "Debt", "Mining",
    "Shipping", "Fisheries", "Space", "Telecommunications",
)
AUTHORS = (
    "Briefings Desk", "Amara Okafor", "Jonas Lindqvist", "Priya Raman", "Tomasz Wrobel",
    "Lucia Ferreira", "Hannah Becker", "Kenji Watanabe", "Sofia Marquez", "Daniel Osei",
    "Ingrid Halvorsen", "Mateo Ruiz",
)
SYLLABLES = (
    "ka", "ren", "vo", "li", "sta", "mir", "del", "an", "tor", "bel", "ni", "za", "ro", "gu",
    "ve", "sha", "lo", "dri", "mo", "tes", "ar", "quin", "el", "dor", "sa", "ky", "ma", "thi",
    "ber", "cal", "en", "fa", "gor", "hal", "is", "jun", "lar", "nes", "os", "pra", "rin",
    "sel", "tam", "ur", "val", "wen", "yor", "zel",
)
ORG_WORDS = ("Institute", "Agency", "Bank", "Council", "Commission", "Authority", "Foundation",
             "Union", "Company", "Trust", "Network", "Observatory")
GROUP_WORDS = ("Front", "Movement", "Alliance", "Coalition", "Brigade", "Party", "Circle")
ROLE_TITLES = ("Foreign Minister", "Spokesperson", "Ambassador", "Director", "Chair", "Envoy",
               "Adviser", "Prime Minister", "Secretary General", "Chief Negotiator", "Governor")
OUTLETS = ("Aldovian Gazette", "Northern Courier", "Meridian Wire", "The Harbour Times",
           "Capital Dispatch", "Eastern Review", "Continental Post", "Global Ledger",
           "Riverside Herald", "Atlas Press Agency", "The Plain Record", "Coastal Monitor")
SOURCE_KINDS = ("article", "article", "article", "statement", "transcript", "report", "dataset",
                "social", "other")

ENTRIES_PER_BRIEFING = (3, 6)
WORDS_PER_BRIEFING = (600, 900)
ACTORS_PER_BRIEFING = (2, 8)
CITATIONS_PER_ENTRY = (1, 4)
WRAP = 96
SENTENCE = 17  # average words per generated sentence


# --------------------------------------------------------------------------- model


@dataclass(slots=True)
class Actor:
    id: str
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    summary: str = ""
    roles: list[tuple[str, str, date]] = field(default_factory=list)  # (title, of, from)
    wikidata: str | None = None
    links: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Source:
    id: str
    title: str
    publisher: str
    date: date
    url: str
    kind: str
    authors: list[str] = field(default_factory=list)
    archive: bool = False


@dataclass(slots=True)
class Briefing:
    id: str
    title: str
    date: date
    summary: str
    tags: list[str]
    authors: list[str]
    body: str  # briefgen Markdown
    actors: list[str]  # ids linked in the body, in order of first link


# --------------------------------------------------------------------------- helpers


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def q_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(q(i) for i in items) + "]"


def wrap(tokens: Sequence[str], width: int = WRAP, prefix: str = "") -> str:
    """Join unbreakable tokens (words, links, citations) into lines of at most ``width``."""
    lines: list[str] = []
    line = ""
    for tok in tokens:
        if line and len(prefix) + len(line) + 1 + len(tok) > width:
            lines.append(prefix + line)
            line = tok
        else:
            line = f"{line} {tok}" if line else tok
    if line:
        lines.append(prefix + line)
    return "\n".join(lines)


def cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def proper_name(rng: Random, syllables: tuple[int, int] = (2, 3)) -> str:
    return cap("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(*syllables))))


# --------------------------------------------------------------------------- pools


def make_actors(rng: Random, count: int) -> list[Actor]:
    taken: set[str] = set()  # every id, name and alias, lower-cased
    actors: list[Actor] = []
    kinds = ("person", "person", "person", "organization", "organization", "country", "group")

    def free(*keys: str) -> bool:
        return all(k.lower() not in taken for k in keys) and len({k.lower() for k in keys}) == len(
            {k.lower() for k in keys})

    while len(actors) < count:
        kind = rng.choice(kinds)
        aliases: list[str] = []
        if kind == "person":
            first, last = proper_name(rng, (2, 2)), proper_name(rng, (2, 3))
            name = f"{first} {last}"
            if rng.random() < 0.4:
                aliases.append(last)
            if rng.random() < 0.2:
                aliases.append(f"{first[0]}. {last}")
        elif kind == "organization":
            base = proper_name(rng)
            name = f"{base} {rng.choice(ORG_WORDS)}"
            if rng.random() < 0.5:
                aliases.append("".join(w[0] for w in name.split()) + base[1:3].upper())
        elif kind == "country":
            base = proper_name(rng, (2, 3))
            name = base + rng.choice(("ia", "ova", "land", "stan", "ar", "ene"))
            if rng.random() < 0.5:
                aliases.append(f"Republic of {name}")
        else:
            name = f"{proper_name(rng)} {rng.choice(GROUP_WORDS)}"
        actor_id = slugify(name)
        if not free(actor_id, name):
            continue
        aliases = [a for a in aliases if free(a) and a.lower() not in {actor_id, name.lower()}]
        taken.update(k.lower() for k in (actor_id, name, *aliases))
        actors.append(Actor(actor_id, name, kind, aliases))
    non_persons = [a for a in actors if a.kind != "person"]
    for actor in actors:
        actor.summary = (f"A {rng.choice(ADJECTIVES)} {actor.kind} that appears in reporting on "
                         f"the {rng.choice(NOUNS)} and the {rng.choice(NOUNS)}.")
        if non_persons and actor.kind in ("person", "group") and rng.random() < 0.7:
            for _ in range(rng.randint(1, 2)):
                target = rng.choice(non_persons)
                start = date(rng.randint(2005, 2020), rng.randint(1, 12), rng.randint(1, 28))
                title = rng.choice(ROLE_TITLES)
                # A group holds no role in itself (an error); the draws stay as they were, so
                # that a corpus changes only by those roles.
                if target is not actor:
                    actor.roles.append((title, target.id, start))
        if rng.random() < 0.3:
            actor.wikidata = f"Q{rng.randint(100, 9_999_999)}"
        if rng.random() < 0.3:
            actor.links.append(f"https://www.example.org/actors/{actor.id}")
    return actors


def make_sources(rng: Random, count: int, actors: Sequence[Actor]) -> list[Source]:
    orgs = [a for a in actors if a.kind == "organization"]
    sources = []
    for i in range(1, count + 1):
        # Some publishers are actor ids, which briefgen links to the actor.
        publisher = rng.choice(orgs).id if orgs and rng.random() < 0.15 else rng.choice(OUTLETS)
        title = cap(f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {rng.choice(VERBS_PAST)} "
                    f"{rng.choice(PREPOSITIONS)} {rng.choice(NOUNS)} {rng.choice(NOUNS)}")
        words = title.split()
        sid = f"s{i:05d}-{slugify(' '.join(words[:3]))}"
        day = date(2015, 1, 1) + timedelta(days=rng.randrange(11 * 365))
        slug = slugify(title)
        url = f"https://news.example.com/{day.year}/{day.month:02d}/{slug}"
        authors = [f"{proper_name(rng, (2, 2))} {proper_name(rng)}"
                   for _ in range(rng.choice((0, 1, 1, 2)))]
        sources.append(Source(sid, title, publisher, day, url, rng.choice(SOURCE_KINDS),
                              authors, archive=rng.random() < 0.2))
    return sources


# --------------------------------------------------------------------------- prose


class Prose:
    """Sentences as token lists; actor links and citations come from callbacks."""

    def __init__(self, rng: Random, link: Callable[[], str]) -> None:
        self.rng = rng
        self.link = link

    def noun_phrase(self) -> list[str]:
        r = self.rng
        if r.random() < 0.5:
            return ["the", r.choice(ADJECTIVES), r.choice(NOUNS)]
        return ["the", r.choice(NOUNS), "of", "the", r.choice(ADJECTIVES), r.choice(NOUNS)]

    def subject(self, with_actor: bool) -> list[str]:
        if with_actor:
            return [self.link()]
        return self.noun_phrase()

    def sentence(self, with_actor: bool = False) -> list[str]:
        r = self.rng
        shape = r.randrange(4)
        words: list[str]
        if shape == 0:
            words = [*self.subject(with_actor), r.choice(VERBS_PAST), *self.noun_phrase(),
                     r.choice(PREPOSITIONS), *self.noun_phrase()]
        elif shape == 1:
            words = [r.choice(ADVERBS) + ",", *self.subject(with_actor), r.choice(VERBS_PAST),
                     *self.noun_phrase(), ",", *r.choice(CLAUSES).split()]
        elif shape == 2:
            words = [*self.subject(with_actor), "said", "that", *self.noun_phrase(), "had",
                     "been", r.choice(VERBS_PAST), r.choice(PREPOSITIONS), *self.noun_phrase()]
        else:
            words = [*self.noun_phrase(), "was", r.choice(VERBS_PAST), "by",
                     *self.subject(with_actor), *r.choice(CLAUSES).split()]
        words = _fix_commas(words)
        words[0] = cap(words[0])
        words[-1] += "."
        return words


def _fix_commas(words: list[str]) -> list[str]:
    out: list[str] = []
    for w in words:
        if w == "," and out:
            out[-1] += ","
        else:
            out.append(w)
    return out


def add_citation(sentence: list[str], cite: str) -> None:
    """Put ``cite`` before the sentence's final period."""
    last = sentence[-1]
    sentence[-1] = last[:-1]
    sentence.append(cite + ".")


def emphasise(rng: Random, sentence: list[str], marker: str) -> None:
    """Wrap one plain word (or two) of the sentence in ``marker``."""
    plain = [i for i, w in enumerate(sentence[1:-1], start=1) if w.isalpha() and len(w) > 3]
    if not plain:
        return
    i = rng.choice(plain)
    if marker == "**" and i + 1 < len(sentence) - 1 and sentence[i + 1].isalpha():
        sentence[i:i + 2] = [f"**{sentence[i]} {sentence[i + 1]}**"]
    else:
        sentence[i] = f"{marker}{sentence[i]}{marker}"


# --------------------------------------------------------------------------- briefings


def entry_dates(rng: Random, year: int, count: int) -> list[tuple[str, date]]:
    """``count`` entry-date strings in ascending order within ``year``; returns (text, last day)."""
    start = date(year, 1, 1)
    days = sorted(rng.sample(range(0, 330), count))
    out = []
    for d in days:
        day = start + timedelta(days=d)
        roll = rng.random()
        if roll < 0.08:
            out.append((f"{day.year}-{day.month:02d}", day))
        elif roll < 0.16:
            end = day + timedelta(days=rng.randint(1, 6))
            out.append((f"{day.isoformat()}..{end.isoformat()}", end))
        else:
            out.append((day.isoformat(), day))
    return out


class BriefingWriter:
    def __init__(self, rng: Random, actors: Sequence[Actor], sources: Sequence[Source]) -> None:
        self.rng = rng
        self.actors = actors
        self.sources = sources
        # Mildly skewed popularity, like real news: a few actors appear everywhere.
        self.actor_weights = [1.0 / (rank + 1) ** 0.7 for rank in range(len(actors))]
        self.source_weights = [1.0 / (rank + 1) ** 0.5 for rank in range(len(sources))]

    def pick(self, pool: Sequence[Actor] | Sequence[Source], weights: list[float], must: int,
             count: int) -> list[int]:
        chosen = [must]
        count = min(count, len(pool))
        while len(chosen) < count:
            i = self.rng.choices(range(len(pool)), weights)[0]
            if i not in chosen:
                chosen.append(i)
        self.rng.shuffle(chosen)
        return chosen

    def write(self, number: int) -> Briefing:
        r = self.rng
        year = r.randint(2015, 2025)
        n_entries = r.randint(*ENTRIES_PER_BRIEFING)
        dates = entry_dates(r, year, n_entries)
        pub = min(dates[-1][1] + timedelta(days=r.randint(1, 20)), date(2025, 12, 31))
        actor_idx = self.pick(self.actors, self.actor_weights, number % len(self.actors),
                              r.randint(*ACTORS_PER_BRIEFING))
        my_actors = [self.actors[i] for i in actor_idx]
        source_idx = self.pick(self.sources, self.source_weights, number % len(self.sources),
                               r.randint(2, 6))
        my_sources = [self.sources[i] for i in source_idx]
        pending = list(my_actors)  # every chosen actor gets linked at least once
        linked: list[str] = []

        def link() -> str:
            actor = pending.pop(0) if pending else r.choice(my_actors)
            if actor.id not in linked:
                linked.append(actor.id)
            roll = r.random()
            if roll < 0.15 and actor.aliases:
                return f"[[{actor.id}|{r.choice(actor.aliases)}]]"
            if roll < 0.25:
                return f"[[{actor.id}|the {actor.kind}]]"
            return f"[[{actor.id}]]"

        def cite() -> str:
            roll = r.random()
            a = r.choice(my_sources)
            if roll < 0.15 and len(my_sources) > 1:
                b = r.choice([s for s in my_sources if s is not a])
                return f"[@{a.id}; @{b.id}]"
            if roll < 0.35:
                return f"[@{a.id}, p. {r.randint(1, 40)}]"
            return f"[@{a.id}]"

        prose = Prose(r, link)
        must_source = self.sources[number % len(self.sources)]
        target_words = r.randint(*WORDS_PER_BRIEFING)
        title = cap(f"{r.choice(ADJECTIVES)} {r.choice(NOUNS)} {r.choice(VERBS_HEADLINE)} "
                    f"{r.choice(NOUNS)} {r.choice(PREPOSITIONS)} {r.choice(NOUNS)}")
        bid = f"b{number + 1:05d}-{slugify(' '.join(title.split()[:4]))}"

        blocks: list[str] = []
        # Lead: one paragraph, with a citation of the source this briefing must cite.
        lead = [prose.sentence(with_actor=True)] + [prose.sentence(r.random() < 0.3)
                                                     for _ in range(r.randint(2, 3))]
        add_citation(lead[-1], f"[@{must_source.id}]")
        blocks.append(wrap([w for s in lead for w in s]))
        words_left = target_words - sum(len(s) for s in lead)

        list_at, table_at, quote_at = (r.randrange(n_entries) for _ in range(3))
        emph_at, strong_at = r.randrange(n_entries), r.randrange(n_entries)
        titles: set[str] = set()
        weights = [r.uniform(0.7, 1.3) for _ in range(n_entries)]
        for e, (when, _) in enumerate(dates):
            while True:
                head = cap(f"{r.choice(ADJECTIVES)} {r.choice(NOUNS)} {r.choice(VERBS_HEADLINE)} "
                           f"{r.choice(NOUNS)}")
                if head not in titles:
                    titles.add(head)
                    break
            suffix = f" {{#{slugify(head)}}}" if r.random() < 0.08 else ""
            blocks.append(f"## {when} {head}{suffix}")
            budget = int(words_left * weights[e] / sum(weights[e:]))
            words_left -= budget
            extras: list[str] = []
            if e == list_at:
                items = [[r.choice(ADJECTIVES), r.choice(NOUNS), r.choice(PREPOSITIONS),
                          *prose.noun_phrase()] for _ in range(r.randint(3, 4))]
                items[r.randrange(len(items))].append(link())
                extras.append("\n".join("- " + " ".join([cap(i[0]), *i[1:]]) for i in items))
            if e == table_at:
                rows = ["| Item | Date | Status |", "|---|---|---|"]
                for _ in range(3):
                    day = date(year, r.randint(1, 12), r.randint(1, 28)).isoformat()
                    rows.append(f"| {cap(r.choice(NOUNS))} {r.choice(NOUNS)} | {day} | "
                                f"{cap(r.choice(ADJECTIVES))} |")
                extras.append("\n".join(rows))
            quote_cited = False
            if e == quote_at:
                quote = prose.sentence() + prose.sentence()
                add_citation(quote, cite())
                quote_cited = True
                extras.append(wrap(quote, prefix="> "))
            # The heading and the blocks count too; stop a sentence early (the last one overshoots).
            budget -= sum(len(x.split()) for x in extras) + len(head.split()) + 1 + SENTENCE
            sentences: list[list[str]] = [prose.sentence(with_actor=bool(pending) or r.random() < 0.4)]
            while sum(len(s) for s in sentences) < budget:
                sentences.append(prose.sentence(with_actor=bool(pending) or r.random() < 0.25))
            n_cites = r.randint(*CITATIONS_PER_ENTRY) - int(quote_cited)
            for i in sorted(r.sample(range(len(sentences)), min(max(n_cites, 0), len(sentences)))):
                add_citation(sentences[i], cite())
            if e == emph_at or r.random() < 0.3:
                emphasise(r, r.choice(sentences), "*")
            if e == strong_at or r.random() < 0.2:
                emphasise(r, r.choice(sentences), "**")
            paragraphs: list[list[list[str]]] = []
            while sentences:
                take = r.randint(3, 5)
                paragraphs.append(sentences[:take])
                sentences = sentences[take:]
            texts = [wrap([w for s in p for w in s]) for p in paragraphs]
            # Lists, tables and quotes go after the first paragraph.
            blocks.extend(texts[:1] + extras + texts[1:])
        # Any actor not linked yet (tiny budgets) goes into a closing sentence.
        while pending:
            blocks.append(wrap(prose.sentence(with_actor=True)))
        summary = " ".join(prose.sentence())
        tags = r.sample(TAGS, r.randint(1, 3))
        authors = r.sample(AUTHORS, r.choice((1, 1, 2)))
        return Briefing(bid, title, pub, summary, tags, authors, "\n\n".join(blocks) + "\n", linked)


# --------------------------------------------------------------------------- briefgen output


def briefgen_actor(a: Actor) -> str:
    lines = [f"name: {q(a.name)}", f"kind: {a.kind}"]
    if a.aliases:
        lines.append(f"aliases: {q_list(a.aliases)}")
    lines.append(f"summary: {q(a.summary)}")
    if a.roles:
        lines.append("roles:")
        for title, of, start in a.roles:
            lines += [f"  - title: {q(title)}", f"    of: {of}", f"    from: {start.isoformat()}"]
    if a.wikidata:
        lines.append(f"wikidata: {a.wikidata}")
    if a.links:
        lines.append("links:")
        lines += [f"  - {u}" for u in a.links]
    return "\n".join(lines) + "\n"


def briefgen_source(s: Source) -> str:
    lines = [f"title: {q(s.title)}", f"publisher: {q(s.publisher)}", f"date: {s.date.isoformat()}",
             f"url: {s.url}", f"kind: {s.kind}"]
    if s.authors:
        lines.append(f"authors: {q_list(s.authors)}")
    if s.archive:
        lines.append(f"archive_url: https://archive.example.net/{s.date.year}/{s.id}")
        lines.append(f"accessed: {(s.date + timedelta(days=3)).isoformat()}")
    return "\n".join(lines) + "\n"


def briefgen_briefing(b: Briefing, image: bool = False) -> str:
    lead = (f"image: {{src: /images/{b.id}.jpg, alt: {q('A scene from ' + b.title)}, "
            f"credit: {q('Photo: ' + b.authors[0])}}}\n") if image else ""
    return (f"---\ntitle: {q(b.title)}\ndate: {b.date.isoformat()}\nsummary: {q(b.summary)}\n"
            f"authors: {q_list(b.authors)}\ntags: {q_list(b.tags)}\n{lead}---\n\n{b.body}")


def lead_photo(rng: Random, path: Path) -> None:
    """A photo-sized JPEG (1600 × 1067) with shapes, grain and a camera's EXIF and GPS data,
    so that resizing and stripping cost what they cost on real photos."""
    from PIL import Image, ImageDraw  # only for --images: Pillow is briefgen's, not the bench's

    width, height = 1600, 1067
    sky = tuple(rng.randrange(40, 220) for _ in range(3))
    image = Image.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(image)
    for _ in range(24):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(60, 600), rng.randrange(60, 500)
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)([x, y, x + w, y + h], fill=colour)
    grain = Image.effect_noise((width, height), 24).convert("RGB")
    image = Image.blend(image, grain, 0.12)
    exif = Image.Exif()
    exif[0x010F] = "ExampleCam"
    exif[0x8825] = {1: "N", 2: (50.0, 27.0, 0.0), 3: "E", 4: (30.0, 31.0, 0.0)}
    image.save(path, "JPEG", quality=85, exif=exif.tobytes())


# --------------------------------------------------------------------------- Hugo output

_LINK_OR_CITE = re.compile(r"\[\[([a-z0-9-]+)(?:\|([^\]\n]+))?\]\]|\[(@[^\[\]\n]+)\]")

HUGO_LAYOUTS = Path(__file__).resolve().parent / "hugo_layouts"


def hugo_briefing(b: Briefing, actors: dict[str, Actor], sources: dict[str, Source]) -> str:
    numbers: dict[str, int] = {}

    def number(source_id: str) -> int:
        return numbers.setdefault(source_id, len(numbers) + 1)

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            actor = actors[match.group(1)]
            return f"[{match.group(2) or actor.name}](/actors/{actor.id}/)"
        parts = []
        for item in match.group(3).split(";"):
            sid, _, locator = item.strip().lstrip("@").partition(",")
            text = f"{number(sid)}, {locator.strip()}" if locator else str(number(sid))
            parts.append(f"[[{text}]](#src-{sid})")
        return "".join(parts)

    body = _LINK_OR_CITE.sub(replace, b.body)
    cited = [
        "  - {" + f"id: {sid}, n: {n}, title: {q(sources[sid].title)}, "
        f"publisher: {q(sources[sid].publisher)}, date: {q(sources[sid].date.isoformat())}, "
        f"url: {q(sources[sid].url)}" + "}"
        for sid, n in numbers.items()
    ]
    return (f"---\ntitle: {q(b.title)}\ndate: {b.date.isoformat()}\nsummary: {q(b.summary)}\n"
            f"authors: {q_list(b.authors)}\ntags: {q_list(b.tags)}\nactors: {q_list(b.actors)}\n"
            "sources:\n" + "\n".join(cited) + f"\n---\n\n{body}")


def hugo_config(title: str) -> str:
    return (f'baseURL = "http://localhost:8000/"\ntitle = {q(title)}\nlocale = "en"\n'
            'disableKinds = []\n\n[taxonomies]\n  actor = "actors"\n  tag = "tags"\n')


# --------------------------------------------------------------------------- main


def generate(n: int, out: Path, seed: int = 1, images: bool = False) -> dict[str, int]:
    rng = Random(seed)
    actors = make_actors(rng, max(10, round(n / 10)))
    sources = make_sources(rng, max(10, round(n / 4)), actors)
    writer = BriefingWriter(rng, actors, sources)
    briefings = [writer.write(i) for i in range(n)]
    title = f"Synthetic briefings ({n})"

    if out.exists():
        shutil.rmtree(out)
    bg, hugo = out / "briefgen", out / "hugo"
    for collection in ("briefings", "actors", "sources"):
        (bg / "content" / collection).mkdir(parents=True)
    (bg / "site.yaml").write_text(
        f"title: {q(title)}\nbase_url: http://localhost:8000/\ntimezone: UTC\n"
        f"description: {q('A synthetic corpus for benchmarking briefgen.')}\n", encoding="utf-8")
    for a in actors:
        (bg / "content/actors" / f"{a.id}.yaml").write_text(briefgen_actor(a), encoding="utf-8")
    for s in sources:
        (bg / "content/sources" / f"{s.id}.yaml").write_text(briefgen_source(s), encoding="utf-8")
    for b in briefings:
        (bg / "content/briefings" / f"{b.id}.md").write_text(briefgen_briefing(b, images),
                                                             encoding="utf-8")
    if images:  # drawn from a generator of their own: the text is the same with or without
        (bg / "content/static/images").mkdir(parents=True)
        pictures = Random(seed + 1)
        for b in briefings:
            lead_photo(pictures, bg / "content/static/images" / f"{b.id}.jpg")

    (hugo / "content/briefings").mkdir(parents=True)
    (hugo / "layouts").mkdir()
    (hugo / "hugo.toml").write_text(hugo_config(title), encoding="utf-8")
    (hugo / "content/briefings/_index.md").write_text('---\ntitle: "Briefings"\n---\n',
                                                      encoding="utf-8")
    for layout in sorted(HUGO_LAYOUTS.glob("*.html")):
        shutil.copyfile(layout, hugo / "layouts" / layout.name)
    by_actor = {a.id: a for a in actors}
    by_source = {s.id: s for s in sources}
    for a in actors:
        folder = hugo / "content/actors" / a.id
        folder.mkdir(parents=True)
        (folder / "_index.md").write_text(f"---\ntitle: {q(a.name)}\n---\n\n{a.summary}\n",
                                          encoding="utf-8")
    for b in briefings:
        (hugo / "content/briefings" / f"{b.id}.md").write_text(
            hugo_briefing(b, by_actor, by_source), encoding="utf-8")
    return {"briefings": len(briefings), "actors": len(actors), "sources": len(sources)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--briefings", type=int, required=True, metavar="N")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="output folder; replaced if it exists")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--images", action="store_true",
                        help="give every briefing a lead photo (briefgen's corpus only; needs Pillow)")
    args = parser.parse_args(argv)
    if args.briefings < 1:
        parser.error("--briefings must be at least 1")
    counts = generate(args.briefings, args.out, args.seed, args.images)
    print(f"Wrote {counts['briefings']} briefings, {counts['actors']} actors, "
          f"{counts['sources']} sources to {args.out}/briefgen and {args.out}/hugo")
    return 0


if __name__ == "__main__":
    sys.exit(main())
