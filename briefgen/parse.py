"""Pure parsers: a file's path and text in, a document and its diagnostics out.

No I/O and no knowledge of other files: cross-references are checked later, against the
complete index. The results are cached by the file's content and can be computed in
parallel (see ``load``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from pathlib import PurePosixPath

import yaml
from markdown_it import MarkdownIt

from briefgen import fields as F
from briefgen.briefings import NO_DATE, located_list, parse_briefing, read
from briefgen.charcheck import clean_text, clean_yaml
from briefgen.dates import DateValue
from briefgen.docparser import DocumentParser
from briefgen.errors import FILE_START, Diagnostic, Diagnostics
from briefgen.filenames import YAML_SUFFIXES, document_id
from briefgen.fragmenttypes import Fragment
from briefgen.frontmatter import split_front_matter
from briefgen.model import Actor, Collection, Document, Located, Page, Role, Source
from briefgen.schema import Record, SourceText
from briefgen.wording import language_tag
from briefgen.yamlsource import compose


@dataclass(frozen=True)
class Parsed:
    document: Document | None
    diagnostics: list[Diagnostic]
    # The id under which a failed file is known, so links to it are not reported twice.
    id: str
    fingerprint: str = ""  # of the file's content and the parse settings


def parse_document(collection: Collection, path: str, text: str, md: MarkdownIt,
                   zone: tzinfo, language: str = "en") -> Parsed:
    """Parse one content file of ``collection``; ``path`` is relative to the site folder;
    ``language`` is the site's (month names in headings are read in it and in English)."""
    refused = Diagnostics(path)
    text = clean_text(text, refused)  # no character XML forbids goes any further
    parser = DocumentParser(path, text, md, zone, language)
    parser.diags.items.extend(refused.items)
    name = PurePosixPath(path)
    doc_id = document_id(path)
    if doc_id != name.stem:
        parser.diags.error(FILE_START, f"'{name.name}' is not a valid file name: ids use lower-case"
                                       f" letters, digits and hyphens; rename it to "
                                       f"'{doc_id}{name.suffix}'")
    is_yaml = name.suffix.lower() in YAML_SUFFIXES
    if is_yaml:
        node, problem = compose(text)
        clean_yaml(node, parser.diags)
        body: SourceText | None = None
    else:
        split = split_front_matter(text)
        if split.problem:
            parser.diags.error(*split.problem)
            return Parsed(None, parser.diags.items, doc_id)
        node, problem = (compose(split.yaml_text, split.yaml_first_line - 1, front_matter=True)
                         if split.yaml_text is not None else (None, None))
        clean_yaml(node, parser.diags, split.yaml_first_line - 1)
        body = SourceText(split.body, split.body_first_line)
    if problem:
        parser.diags.error(problem.loc, problem.message, span=problem.span)
        return Parsed(None, parser.diags.items, doc_id)
    line_offset = 0 if is_yaml else 1
    # A document with errors of its own is still returned when it could be built, so that
    # its links and citations are checked in the same run; the build fails on the errors.
    builder = parse_briefing if collection is Collection.BRIEFINGS else _BUILDERS[collection]
    document = builder(parser, doc_id, node, body, line_offset)
    return Parsed(document, parser.diags.items, doc_id)


def _body(parser: DocumentParser, body: SourceText | None) -> Fragment | None:
    return parser.markdown(body.text, body.first_line) if body and body.text.strip() else None


def _actor(parser: DocumentParser, doc_id: str, node: yaml.Node | None, body: SourceText | None,
           line_offset: int) -> Actor | None:
    record = read(parser, node, F.ACTOR, "an actor", line_offset)
    if record is None:
        return None
    roles = []
    for role in record.get("roles", []):
        if not isinstance(role, Record) or "title" not in role.values:
            continue
        start, end = role.get("from"), role.get("to")
        if start and end and end.end is None and start.sort_instant(parser.zone) > \
                end.start.last_instant(parser.zone):
            parser.diags.error(role.where("to"), "a role cannot end ('to') before it starts ('from')")
        of = Located(role.get("of"), role.where("of")) if role.get("of") else None
        roles.append(Role(role.get("title"), of, start, end))
    rendered = _body(parser, body)  # before the summary: citations are numbered by first use
    _starter_text(parser, record, "summary", "a line on who this is, or remove the line")
    summary = parser.inline_field(record, "summary")
    return Actor(
        id=doc_id, path=parser.path, name=parser.located(record, "name", doc_id),
        kind=record.get("kind", "person"), aliases=located_list(record.get("aliases", [])),
        summary=summary, roles=tuple(roles), wikidata=record.get("wikidata"),
        links=tuple(record.get("links", [])), body=rendered, refs=parser.refs,
        short_name=(record.get("short_name") or "").strip() or None,
        image=record.get("image"),
        brackets=tuple(parser.brackets), site_links=tuple(parser.site_links),
    )


def _source(parser: DocumentParser, doc_id: str, node: yaml.Node | None, body: SourceText | None,
            line_offset: int) -> Source | None:
    record = read(parser, node, F.SOURCE, "a source", line_offset)
    if record is None:
        return None
    rendered = _body(parser, body)
    language = record.get("language")
    if language and language_tag(language) is None:
        parser.diags.warning(record.where("language"),
                             f"language '{language}' is not a language code such as ru or pt-BR: "
                             "it is shown as written, but browsers and screen readers are not "
                             "told the language of the source's title")
    _accessed_before(parser, record)
    _archive_is_the_original(parser, record)
    _starter_text(parser, record, "publisher", "the publisher's name, or an actor's id")
    return Source(
        id=doc_id, path=parser.path, title=record.get("title", doc_id),
        publisher=parser.located(record, "publisher", ""), date=record.get("date", NO_DATE),
        url=record.get("url"), authors=tuple(record.get("authors", [])),
        accessed=record.get("accessed"), archive_url=record.get("archive_url"),
        kind=record.get("kind", "article"), language=record.get("language"),
        date_loc=record.where("date") if "date" in record.values else FILE_START,
        body=rendered, refs=parser.refs, brackets=tuple(parser.brackets),
        site_links=tuple(parser.site_links),
    )


def _starter_text(parser: DocumentParser, record: Record, field: str, what: str) -> None:
    """A field that still holds the text ``briefgen new`` put there for the editor to
    replace: it would be published as it is."""
    written = record.get(field)
    written = written.value if isinstance(written, Located) else written  # a name's field
    if isinstance(written, str) and written.strip() == F.STARTER_TEXT[field]:
        parser.diags.warning(record.where(field),
                             f"'{field}' is still the text 'briefgen new' wrote, which would "
                             f"be published as it is; write {what}",
                             span=len(written.strip()))


def _archive_is_the_original(parser: DocumentParser, record: Record) -> None:
    """``archive_url`` that is ``url`` again: the page's "archived copy" leads to the original,
    which is what an archive is there to outlive."""
    url, archive = record.get("url"), record.get("archive_url")
    if isinstance(url, str) and isinstance(archive, str) and \
            url.rstrip("/") == archive.rstrip("/"):
        parser.diags.warning(record.where("archive_url"),
                             "archive_url is the same as url, so the archived copy the page "
                             "offers is the original; give the address of the archived copy "
                             "(such as https://web.archive.org/web/…) or remove archive_url",
                             span=len(archive))


def _accessed_before(parser: DocumentParser, record: Record) -> None:
    """``accessed`` wholly before the source's ``date``: no one read it before it came out."""
    accessed, published = record.get("accessed"), record.get("date")
    if isinstance(accessed, DateValue) and isinstance(published, DateValue) and \
            accessed.end_key(parser.zone) < published.sort_key(parser.zone):
        parser.diags.warning(record.where("accessed"),
                             f"accessed {accessed.human()}, before the source's date "
                             f"({published.human()}); check the year",
                             span=len(accessed.written()))


def _page(parser: DocumentParser, doc_id: str, node: yaml.Node | None, body: SourceText | None,
          line_offset: int) -> Page | None:
    record = read(parser, node, F.PAGE, "a page", line_offset)
    if record is None:
        return None
    text = body or SourceText("", 1)
    rendered = parser.markdown(text.text, text.first_line)
    summary = parser.inline_field(record, "summary")
    return Page(id=doc_id, path=parser.path, title=record.get("title", doc_id), body=rendered,
                summary=summary, draft=record.get("status") == "draft", refs=parser.refs,
                brackets=tuple(parser.brackets), site_links=tuple(parser.site_links),
                title_loc=record.where("title"))


_BUILDERS = {
    Collection.ACTORS: _actor,
    Collection.SOURCES: _source,
    Collection.PAGES: _page,
}
