"""Edits for the equality tests: a small site held as a model, and operations that change it
the ways one document can feed another (a name, an alias, a role, a publisher, a title, a
date, a tag, a status, a page, a static file, a template, a setting), each saying which files
it wrote, as the preview's watcher would, and whether it added or removed one.

Every new way one document shows another's data adds its operation here.
"""

from __future__ import annotations

import functools
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st
from PIL import Image

from briefgen.output import MANIFEST
from briefgen.web.themes import PACKAGED_THEMES

_THEME = {p.relative_to(PACKAGED_THEMES / "theme").as_posix(): p.read_text()
          for p in sorted((PACKAGED_THEMES / "theme").rglob("*")) if p.is_file()}

BASE_URL = "http://127.0.0.1:8000/"
OTHER_BASE_URL = "https://example.org/news/"
ACTORS = ["ana", "ben", "cleo"]
LABELLED_ONLY = "dora"  # linked only with a label of its own: its name shows in no link text
SOURCES = ["memo", "wire", "report"]
YEARS = [2019, 2022, 2023]
SCHEDULED = "2030-01-01"  # a briefing with this date is left out until the clock passes it
CLOCKS = ["2029-12-31", "2030-01-02"]
PATH_LINKS = "Paths:"  # starts the lines of Markdown links to paths of the site


@dataclass(slots=True)
class Actor:
    name: str
    kind: str = "person"
    aliases: list[str] = field(default_factory=list)
    role_of: str | None = None  # the actor whose role it holds ("Minister of …")
    wikidata: str | None = None
    # When the role is held (chips show it on entries dated within) and the chips' name.
    role_from: str = "2018"
    role_to: str | None = None
    short_name: str | None = None
    image: str | None = None  # a portrait: its front-matter value
    summary: str | None = None  # may link another actor: the list of actors shows its name

    def text(self) -> str:
        lines = [f"name: {self.name}", f"kind: {self.kind}"]
        if self.summary:
            lines.append(f'summary: "{self.summary}"')
        if self.short_name:
            lines.append(f"short_name: {self.short_name}")
        if self.image:
            lines.append(f"image: {self.image}")
        if self.aliases:
            lines.append(f"aliases: [{', '.join(self.aliases)}]")
        if self.wikidata:
            lines.append(f"wikidata: {self.wikidata}")
        if self.role_of:
            lines += ["roles:", "  - title: Minister", f"    of: {self.role_of}",
                      f"    from: {self.role_from}"]
            if self.role_to:
                lines.append(f"    to: {self.role_to}")
        return "\n".join(lines) + "\n"


@dataclass(slots=True)
class Source:
    title: str
    publisher: str = "Wire"
    authors: list[str] = field(default_factory=list)
    language: str | None = None  # pages mark its title with it when not the site's

    def text(self) -> str:
        authors = f"authors: [{', '.join(self.authors)}]\n" if self.authors else ""
        language = f"language: {self.language}\n" if self.language else ""
        return (f"title: {self.title}\npublisher: {self.publisher}\ndate: 2021\n{authors}"
                f"{language}")


@dataclass(slots=True)
class Update:
    """An item of a briefing's change log; ``entry`` is the index of the entry it names
    (its id follows the briefing's year), -1 for an id no entry has (an error)."""

    day: int
    correction: bool = False
    entry: int | None = None
    note: str = "Changed."


def _change_log(b: Briefing) -> list[str]:
    lines = [f"updated: {b.updated}"] if b.updated else []
    if b.updates:
        lines.append("updates:")
    for u in b.updates:
        lines.append(f"  - date: {b.year}-03-{u.day:02d}")
        if u.correction:
            lines.append("    kind: correction")
        if u.entry is not None:
            lines.append(f"    entry: {b.entry_id(u.entry) if u.entry >= 0 else 'entry-typo'}")
        lines.append(f'    note: "{u.note}"')
    return lines


@dataclass(slots=True)
class Briefing:
    n: int
    title: str
    year: int = 2022
    tags: list[str] = field(default_factory=list)
    status: str = ""  # "" (published), "draft"
    date: str = ""  # the briefing's own date; "" for its first entry's
    extra: list[str] = field(default_factory=list)  # lines appended by edits
    lead: list[str] = field(default_factory=list)  # lines added to the lead (in no entry)
    image: str | None = None  # the lead image: its front-matter value
    updates: list[Update] = field(default_factory=list)
    updated: str = ""  # written `updated:` ("" for the latest update's date)

    def entry_id(self, i: int) -> str:
        return f"{self.year}-0{1 + i % 9}-1{i % 9}-entry-{i}-about-{ACTORS[(self.n + i) % 3]}"

    def text(self) -> str:
        n = self.n
        entries = "".join(
            f"\n## {self.year}-0{1 + i % 9}-1{i % 9} Entry {i} about [[{ACTORS[(n + i) % 3]}]]\n\n"
            f"Text with [[{ACTORS[(n + i + 1) % 3]}]] [@{SOURCES[(n + i) % 3]}]"
            f" and [[{LABELLED_ONLY}|someone]].\n"
            for i in range(2 + n % 2))
        # The summary's citations show on cards as publishers; in-text ones always do.
        summary = f"Summary {n} [@{SOURCES[n % 3]}], as @{SOURCES[(n + 1) % 3]} says"
        front = [f"title: {self.title}", f"date: {self.date or f'{self.year}-01-10'}",
                 f"tags: [{', '.join(self.tags)}]", f'summary: "{summary}"']
        if self.status:
            front.append(f"status: {self.status}")
        if self.image:
            front.append(f"image: {self.image}")
        front += _change_log(self)
        lead = "".join(f"\n{line}\n" for line in self.lead)
        return "---\n" + "\n".join(front) + f"\n---\n\nLead {n}.\n{lead}{entries}" + "".join(
            f"\n{line}\n" for line in self.extra)


@dataclass(slots=True)
class Site:
    """The content of the test site; ``write`` puts it on disk and says what it touched."""

    actors: dict[str, Actor] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    briefings: dict[str, Briefing] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    static: dict[str, str] = field(default_factory=dict)
    images: dict[str, int] = field(default_factory=dict)  # static image → the n it was made with
    templates: dict[str, str] = field(default_factory=dict)
    duplicates: set[str] = field(default_factory=set)  # actors with a second file (an error)
    theme_css: str | None = None  # the site's own copy of the theme, with this stylesheet
    title: str = "Equality"
    feed_limit: int = 20
    language: str = "en"  # search stems words by it, pages show its words
    words: str = ""  # site.yaml's words: the site's own texts over its language's
    broken: dict[str, str] = field(default_factory=dict)  # path → text written instead

    def files(self) -> dict[str, str | bytes]:
        found: dict[str, str | bytes] = {"site.yaml": f"title: {self.title}\nbase_url: {BASE_URL}\n"
                                                      f"feeds:\n  limit: {self.feed_limit}\n"
                                                      + (f"language: {self.language}\n"
                                                         if self.language != "en" else "")
                                                      + self.words}
        found.update({f"content/actors/{k}.yaml": a.text() for k, a in self.actors.items()})
        found.update({f"content/sources/{k}.yaml": s.text() for k, s in self.sources.items()})
        found.update({f"content/briefings/{k}.md": b.text() for k, b in self.briefings.items()})
        found.update({f"content/pages/{k}.md": t for k, t in self.pages.items()})
        found.update({f"content/static/{k}": t for k, t in self.static.items()})
        found.update({f"content/static/{k}": photo(n) for k, n in self.images.items()})
        found.update({f"templates/{k}": t for k, t in self.templates.items()})
        found.update({f"content/actors/{k}.md": f"---\nname: Twin of {k}\nkind: person\n---\n"
                      for k in self.duplicates})
        if self.theme_css is not None:
            found.update({f"themes/default/{rel}": text for rel, text in _THEME.items()})
            found["themes/default/static/style.css"] = _THEME["static/style.css"] + self.theme_css
        found.update(self.broken)
        return found


def initial_site() -> Site:
    site = Site()
    for a in [*ACTORS, LABELLED_ONLY]:
        site.actors[a] = Actor(a.title())
    for s in SOURCES:
        site.sources[s] = Source(s.title())
    for n in range(2):
        site.briefings[f"b{n}"] = Briefing(n, f"Briefing {n}", tags=[f"T{n % 2}"])
    site.pages["about"] = "---\ntitle: About\n---\n\nAbout [[ana]].\n"
    site.images["img/m.jpg"] = 0
    return site


@functools.cache
def photo(n: int) -> bytes:
    """A photo-like JPEG whose size and colour depend on ``n`` (wide enough for copies)."""
    data = io.BytesIO()
    Image.new("RGB", (500 + 150 * (n % 3), 300), (40 * n % 256, 90, 160)).save(data, "JPEG")
    return data.getvalue()


@dataclass(slots=True)
class Written:
    """What an edit did on disk: the files written (site-relative), and whether any file
    appeared or went (then the preview's watcher cannot name the files)."""

    files: frozenset[str]
    structural: bool

    @property
    def changed(self) -> frozenset[str] | None:
        return None if self.structural else self.files


def write(root: Path, before: dict[str, str | bytes], site: Site) -> Written:
    """Make the folder ``root`` hold ``site``'s files, touching only those that differ from
    ``before`` (what it held)."""
    after = site.files()
    touched = {rel for rel in after if before.get(rel) != after[rel]}
    gone = set(before) - set(after)
    for rel in touched:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        content = after[rel]
        if isinstance(content, bytes):
            (root / rel).write_bytes(content)
        else:
            (root / rel).write_text(content)
    for rel in gone:
        (root / rel).unlink()
    for folder in ("templates", "themes"):
        if not any(rel.startswith(f"{folder}/") for rel in after):
            shutil.rmtree(root / folder, ignore_errors=True)
    return Written(frozenset(touched | gone), bool(gone or set(after) - set(before)))


OPERATIONS = [
    "add", "change", "delete", "retitle", "redate", "tags", "draft", "schedule",
    "rename-actor", "alias", "unalias", "alias-name", "link-alias", "role", "kind", "wikidata",
    "cite", "cite-in-text", "add-source", "delete-source", "source-title", "source-authors",
    "publisher", "publisher-alias", "page", "unpage", "static", "unstatic", "template",
    "untemplate", "setting", "break", "fix", "add-actor", "delete-actor", "typo-link",
    "lead-link", "lead-cite", "duplicate", "unduplicate", "theme", "untheme",
    "role-dates", "short-name", "actor-summary",
    "image", "lead-image", "portrait", "delete-image",
    "update", "update-typo", "unupdate", "updated", "language", "words", "source-language",
]
# What documents are checked against: bracketed ids and names, a publisher one edit from an
# actor id, an actor file that cannot be read, links to paths of the site, unlinked names.
OPERATIONS += [
    "bracket", "publisher-typo", "break-actor", "link-path", "unlink-paths", "mention",
    "link-entry",
]
NEW_ACTORS = ["anb", "eve", "zed"]
# Role spans (from, to) against entries dated 2022-01-10, 2022-02-11 and 2022-03-12 (and the
# same days of 2019 and 2023): compared at the coarser precision of the two dates.
ROLE_SPANS = [("2018", None), ("2022-02", None), ("2019", "2022-01-10"), ("2022-01-11", "2023"),
              ("2022", "2022")]

operations = st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(min_value=0, max_value=5)),
                      min_size=1, max_size=6)


def apply(site: Site, operation: str, n: int) -> None:
    """Change ``site`` as ``operation`` says (``n`` picks what and how)."""
    names = sorted(site.briefings)
    pick = site.briefings[names[n % len(names)]] if names else None
    actor = site.actors[[*ACTORS, LABELLED_ONLY][n % 4]]
    source = site.sources[SOURCES[n % 3]]
    if operation == "add":
        site.briefings[f"new{n}"] = Briefing(10 + n, f"New {n}", year=YEARS[n % 3])
    elif operation == "delete" and len(names) > 1:
        del site.briefings[names[n % len(names)]]
    elif pick is not None and operation == "lead-cite":
        _lead_cite(pick, n, sorted(site.sources))
    elif pick is not None and operation in _BRIEFING_EDITS:
        _BRIEFING_EDITS[operation](pick, n)
    elif operation == "rename-actor":
        actor.name = f"Renamed {n}"
    elif operation == "alias":  # a link to the alias (see link-alias) starts resolving
        site.actors[sorted(site.actors)[n % len(site.actors)]].aliases = [f"Nick {n % 3}"]
    elif operation == "unalias":  # … and stops
        actor.aliases = []
    elif operation == "alias-name":  # an alias that is another actor's name: an error at both
        actor.aliases = [site.actors[[*ACTORS, LABELLED_ONLY][(n + 1) % 4]].name]
    elif operation == "role":  # an actor's page shows the role and whose it is
        actor.role_of = [*ACTORS, LABELLED_ONLY][(n + 1) % 4] if n % 3 else None
    elif operation == "role-dates":  # entries' chips show the role only within its dates
        actor.role_of = actor.role_of or [*ACTORS, LABELLED_ONLY][(n + 1) % 4]
        actor.role_from, actor.role_to = ROLE_SPANS[n % len(ROLE_SPANS)]
    elif operation == "actor-summary":  # /actors/ shows it as text: another actor's name
        other = [*ACTORS, LABELLED_ONLY][(n + 1) % 4]
        actor.summary = f"Works with [[{other}]], **often**" if n % 3 else None
    elif operation == "short-name":  # chips show it; link texts and pages keep the name
        actor.short_name = f"Short {n}" if n % 3 else None
    elif operation == "kind":
        actor.kind = ["person", "organization", "country"][n % 3]
    elif operation == "wikidata":
        actor.wikidata = f"Q{100 + n}" if n % 3 else None
    elif operation == "add-source":
        site.sources[f"extra{n}"] = Source(f"Extra {n}")
    elif operation == "delete-source":
        for key in [k for k in site.sources if k.startswith("extra")]:
            del site.sources[key]
    elif operation == "source-title":
        source.title = f"{SOURCES[n % 3].title()} {n}"
    elif operation == "source-authors":
        source.authors = [f"Author {n}"] if n % 2 else []
    elif operation == "source-language":  # the title is marked with it where it is listed
        source.language = [None, "ru", "en", "fr"][n % 4]
    elif operation == "publisher":  # in-text citations and cards show the publisher
        source.publisher = [*ACTORS, "Wire"][n % 4]
    elif operation == "publisher-alias":  # a look-up that fails until an actor has the alias
        source.publisher = f"Nick {n % 3}"
    elif operation == "page":
        site.pages[f"page{n % 2}"] = (f"---\ntitle: Page {n}\n" + ("status: draft\n" if n == 3
                                      else "") + f"---\n\nAbout [[{ACTORS[n % 3]}]].\n")
    elif operation == "unpage":
        site.pages.pop(f"page{n % 2}", None)
    elif operation == "static":
        site.static[f"file{n % 2}.txt"] = f"static {n}\n"
    elif operation == "unstatic":
        site.static.pop(f"file{n % 2}.txt", None)
    elif operation == "template":
        site.templates["tag.html"] = ('{% extends "base.html" %}{% block main %}<h1>' + str(n)
                                      + " {{ tag.name }}</h1>{% endblock %}")
    elif operation == "untemplate":
        site.templates.clear()
    elif operation == "setting":
        if n % 2:
            site.title = f"Equality {n}"
        else:
            site.feed_limit = 1 + n
    elif operation == "break":
        targets = [f"content/briefings/{k}.md" for k in names] + ["site.yaml"]
        target = targets[n % len(targets)]
        if target.endswith(".md"):
            site.broken[target] = "---\ntitle: [unclosed\n---\n"
        elif n % 2:  # settings with errors: the content is checked with their defaults
            site.broken[target] = (f"base_url: {BASE_URL}\ntimezone: Mars/Olympus\n"
                                   "feeds:\n  limit: 0\n")
        else:
            site.broken[target] = "title: [x\n"
    elif operation == "add-actor":  # never linked, until link-new
        site.actors[NEW_ACTORS[n % 3]] = Actor(f"{NEW_ACTORS[n % 3].title()} Newman")
    elif operation == "delete-actor":
        for key in NEW_ACTORS:
            site.actors.pop(key, None)
    elif operation == "duplicate":  # two files for one actor id: an error at both
        site.duplicates.add(ACTORS[n % 3])
    elif operation == "unduplicate":
        site.duplicates.clear()
    elif operation == "language":  # search stems by it (French, or no stemmer at all)
        site.language = ["en", "fr", "zz"][n % 3]
    elif operation == "words":  # every page, feed, export and search result shows them
        site.words = ["", f"words:\n  sources: Refs {n}\n  result_entry: Item {n}\n"
                      f"  in_briefing: 'within {{briefing}} {n}'\n",
                      "words:\n  dates:\n    months: [" + ", ".join(f"M{i}x{n}" for i in range(12))
                      + "]\n  entries_count: {one: 'an entry', other: '{n} items'}\n"][n % 3]
    elif operation == "theme":  # the site's own theme: its stylesheet is an asset
        site.theme_css = f"\n/* {n} */\n"
    elif operation == "untheme":
        site.theme_css = None
    elif operation in ("image", "portrait", "delete-image"):
        _image_edit(site, operation, n)
    elif operation in _CHECKED_EDITS:
        _CHECKED_EDITS[operation](site, n)
    elif operation == "fix":
        site.broken.clear()
        for b in site.briefings.values():
            b.updates = [u for u in b.updates if u.entry != -1]
            b.extra = [line for line in b.extra if not line.startswith("Seen with")]
            b.lead = [line for line in b.lead if "[[" not in line or
                      any(f"[[{k}]]" in line for k in site.actors)]


def _change(b: Briefing, n: int) -> None:
    b.extra.append(f"More text {n} with [[{ACTORS[n % 3]}]].")


def _retitle(b: Briefing, n: int) -> None:
    b.title = f"Briefing {b.n} retitled {n}"


def _redate(b: Briefing, n: int) -> None:  # a year page appears or goes
    b.year = YEARS[n % 3]


def _tags(b: Briefing, n: int) -> None:
    b.tags = [f"T{n % 3}"] if n % 4 else []


def _draft(b: Briefing, n: int) -> None:
    b.status = "" if b.status else "draft"


def _schedule(b: Briefing, n: int) -> None:
    b.date = "" if b.date else SCHEDULED


def _cite(b: Briefing, n: int) -> None:
    b.extra.append(f"Cited [@{SOURCES[n % 3]}, p. {n}].")


def _cite_in_text(b: Briefing, n: int) -> None:
    # "@extraN" is text until a source has that id; the map's citation is in alt text.
    b.extra.append(f"@extra{n} [p. {n}] and @{SOURCES[n % 3]} say so"
                   f" ![map [@{SOURCES[(n + 1) % 3]}]](/img/m.jpg).")


def _link_alias(b: Briefing, n: int) -> None:  # an error until an actor has the alias
    b.extra.append(f"Seen with [[Nick {n % 3}]].")


def _typo_link(b: Briefing, n: int) -> None:  # an error: its suggestions come from the ids
    b.extra.append("Seen with [[anx]].")


def _lead_link(b: Briefing, n: int) -> None:  # the briefing names an actor, no entry does
    b.lead.append(f"About [[{[*ACTORS, *NEW_ACTORS][n % 6]}]].")


def _lead_cite(b: Briefing, n: int, sources: list[str]) -> None:
    # The briefing cites a source (maybe one just added) that no entry cites.
    b.lead.append(f"As reported [@{sources[n % len(sources)]}].")


def _lead_image(b: Briefing, n: int) -> None:  # a figure of its own, and a lead image
    b.image = f"{{src: /img/m.jpg, alt: Lead {n}}}"
    b.extra.append(f'![Figure {n}](img/p.jpg "Caption {n}")')


def _image_edit(site: Site, operation: str, n: int) -> None:
    rel = f"img/{['m', 'p'][n % 2]}.jpg"
    if operation == "image":  # pages show its size, its copies are made again (or it is back)
        site.images[rel] = n
    elif operation == "portrait":
        site.actors[ACTORS[n % 3]].image = f'{{src: /{rel}, alt: "", credit: Desk {n}}}'
    else:  # delete-image: shown somewhere, an error until it is back
        site.images.pop(rel, None)


def _update(b: Briefing, n: int) -> None:
    # An update or a correction, naming one of the entries or none; its note names an actor
    # and cites a source (the page shows it three times, the briefing's feed once).
    b.updates.append(Update(1 + n, correction=n % 2 == 1, entry=None if n % 3 == 0 else n % 2,
                            note=f"Changed [[{ACTORS[n % 3]}]] [@{SOURCES[n % 3]}]."))


def _update_typo(b: Briefing, n: int) -> None:  # an error until fixed
    b.updates.append(Update(20 + n % 5, entry=-1))


def _unupdate(b: Briefing, n: int) -> None:
    b.updates = b.updates[: n % 2]


def _updated(b: Briefing, n: int) -> None:  # agrees with the updates, or not (a warning)
    b.updated = "" if b.updated else f"{b.year}-0{3 + n % 2}"


_BRIEFING_EDITS = {
    "change": _change, "retitle": _retitle, "redate": _redate, "tags": _tags, "draft": _draft,
    "schedule": _schedule, "cite": _cite, "cite-in-text": _cite_in_text,
    "link-alias": _link_alias, "typo-link": _typo_link, "lead-link": _lead_link,
    "lead-image": _lead_image,
    "update": _update, "update-typo": _update_typo, "unupdate": _unupdate, "updated": _updated,
}


def _bracket(site: Site, n: int) -> None:
    # A near miss while the source or actor exists: "[memo]" for [@memo], "[Ana]" for [[Ana]].
    _briefing(site, n).extra.append(f"See [{[*SOURCES, f'extra{n}'][n % 4]}] and [{_name(n)}].")


def _publisher_typo(site: Site, n: int) -> None:
    # One edit from an actor's name (from a new actor's until add-actor adds it): a warning.
    actor_id = [*ACTORS, *NEW_ACTORS][n % 6]
    actor = site.actors.get(actor_id)
    name = actor.name if actor is not None else f"{actor_id.title()} Newman"
    site.sources[SOURCES[n % 3]].publisher = name[:-1]


def _break_actor(site: Site, n: int) -> None:
    # While an actor file cannot be read, the warnings about the whole site are held back.
    site.broken[f"content/actors/{ACTORS[n % 3]}.yaml"] = "name: [unclosed\n"


def _link_path(site: Site, n: int) -> None:
    # A path that a briefing, a static file, a page, a year or an actor publishes, or not yet.
    target = [f"[there](/briefings/b{n % 2}/)", f"[there](/briefings/new{n}/)",
              f"[file](/file{n % 2}.txt)", f"[there](/page{n % 2}/)",
              f"[there](/timeline/{YEARS[n % 3]}/)", f"[there](/actors/{NEW_ACTORS[n % 3]}/)"]
    _briefing(site, n).extra.append(f"{PATH_LINKS} {target[n % 6]}")


def _link_entry(site: Site, n: int) -> None:
    # A link to an entry by its id as it is now, in another briefing or (n % 3 == 2) in its
    # own: a redate (ids start with the year) later makes it miss, which is a warning.
    names = sorted(site.briefings)
    linking = site.briefings[names[n % len(names)]]
    if n % 3 == 2:
        link = f"[entry](#{linking.entry_id(1)})"
    else:
        target = names[(n + 1) % len(names)]
        link = f"[entry](/briefings/{target}/#{site.briefings[target].entry_id(0)})"
    linking.extra.append(f"{PATH_LINKS} {link}")


def _unlink_paths(site: Site, n: int) -> None:
    for b in site.briefings.values():
        b.extra = [line for line in b.extra if not line.startswith(PATH_LINKS)]


def _mention(site: Site, n: int) -> None:
    # A name without a link: listed by `check --mentions` while an actor has it.
    _briefing(site, n).extra.append(f"Also there: {_name(n)}.")


def _name(n: int) -> str:
    """An actor's name as first written, an alias that alias gives, or a new actor's name."""
    names = [*(a.title() for a in ACTORS), f"Nick {n % 3}", f"{NEW_ACTORS[n % 3].title()} Newman"]
    return names[n % len(names)]


def _briefing(site: Site, n: int) -> Briefing:
    names = sorted(site.briefings)
    return site.briefings[names[n % len(names)]]


_CHECKED_EDITS = {
    "bracket": _bracket, "publisher-typo": _publisher_typo, "break-actor": _break_actor,
    "link-path": _link_path, "unlink-paths": _unlink_paths, "mention": _mention,
    "link-entry": _link_entry,
}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST}
