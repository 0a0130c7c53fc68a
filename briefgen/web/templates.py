"""The Jinja2 environment: site templates over the theme's, autoescape on, a few helpers.
(Which templates there are and their fingerprints: ``web.themes``.)"""

from __future__ import annotations

import collections
import contextlib
import functools
import hashlib
import io
import itertools
import marshal
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import fields
from datetime import UTC
from pathlib import Path
from types import CodeType
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateRuntimeError,
    TemplateSyntaxError,
    pass_context,
    select_autoescape,
)
from jinja2.bccache import Bucket
from jinja2.runtime import Context
from markupsafe import Markup, escape

from briefgen.cache import untrusted
from briefgen.dates import DateValue
from briefgen.datetext import PLAIN, DateStyle, date_parts, date_text
from briefgen.engine.deps import Cancelled, EngineError, Reader
from briefgen.engine.store import StoreError
from briefgen.errors import WorkerDied
from briefgen.fileops import replace_file
from briefgen.site.roles import RoleSpan, role_on
from briefgen.suggest import did_you_mean
from briefgen.urls import Urls
from briefgen.web.joined import Joined, Piece
from briefgen.web.templatefaults import culprit, suggestion
from briefgen.web.themes import PACKAGED_THEMES, ThemeError, template_folders
from briefgen.wording import Words, english, fill, language_tag


class CompiledTemplates(FileSystemBytecodeCache):
    """Templates compiled by an earlier run, kept in the build cache: compiling the theme's
    takes about 0.1 s, a share of every build that renders a page. Jinja names each file
    by the template's name. The file is briefgen's own format, not Jinja's (which unpickles
    part of it): the Python that compiled it, a digest of the rest, the digest of the
    template's source, the code. A file that does not match all of them (damaged, cut
    short, of another template's source or Python) is compiled again, never run; one that
    cannot be read or written is passed over, as without the cache."""

    @classmethod
    def at(cls, folder: Path) -> CompiledTemplates | None:
        """The cache in ``folder`` (made private), or None when it cannot be used: what it
        holds is code, so a folder another user can write is not loaded."""
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            return None
        return cls(str(folder)) if untrusted(folder) is None else None

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            with open(self._get_cache_filename(bucket), "rb") as kept:
                data = kept.read(_LARGEST_COMPILED + 1)
        except OSError:
            return
        code = _compiled_code(data, bucket.checksum)
        if code is None:
            bucket.reset()
        else:
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is None:
            return
        payload = bucket.checksum.encode("ascii") + b"\n" + marshal.dumps(bucket.code)
        name = self._get_cache_filename(bucket)
        with contextlib.suppress(OSError):
            replace_file(name, _COMPILED_MAGIC + _compiled_digest(payload) + payload,
                         f"{name}.{os.getpid()}.tmp")


# A compiled template's file: this magic (the Python that compiled it), a digest of the
# rest, the template source's checksum, a line break, the code as ``marshal`` writes it.
_COMPILED_MAGIC = f"briefgen-template-1 {sys.implementation.cache_tag}\n".encode("ascii")
_LARGEST_COMPILED = 16 << 20


def _compiled_digest(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=32).digest()


def _compiled_code(data: bytes, checksum: str) -> CodeType | None:
    """The code a compiled template's file holds, if it is whole and of this source."""
    start = len(_COMPILED_MAGIC) + 32
    if not data.startswith(_COMPILED_MAGIC) or len(data) > _LARGEST_COMPILED:
        return None
    payload = data[start:]
    if _compiled_digest(payload) != data[len(_COMPILED_MAGIC):start]:
        return None
    written, _, marshalled = payload.partition(b"\n")
    if written != checksum.encode("ascii", "replace"):
        return None
    try:
        code = marshal.loads(marshalled)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def time_html(value: DateValue | None, style: DateStyle = PLAIN) -> Markup:
    """``<time datetime="2022-02-01">1 February 2022</time>``; one element per range end
    ("<time>13</time>–<time>14 July 2023</time>")."""
    if value is None:
        return Markup("")
    # Month names and patterns may come from site.yaml's words: escaped.
    return Markup("".join(f'<time datetime="{part.iso}">{escape(part.text)}</time>'
                          if part.iso else escape(part.text) for part in date_parts(value, style)))


def lang_attribute(value: str | None, site: str) -> Markup:
    """`` lang="ru"`` for text in another language than the site's (a language tag only:
    free text such as "Russian" marks nothing), else nothing."""
    tag = language_tag(value)
    if tag is None or tag.lower() == site.lower():
        return Markup("")
    return Markup(f' lang="{escape(tag)}"')


def counted(items: Sized, one: str, many: str) -> str:
    """``"2 actors"``, ``"1 source"``; ``""`` for none."""
    n = len(items)
    return f"{n} {one if n == 1 else many}" if n else ""


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


READER = "_briefgen_reader"  # the context variable that holds the page's reader
MEMO = "_briefgen_memo"  # actors' roles that one rendering has read already
JOINS = "_briefgen_joins"  # the lists of pieces a page's entry_list() calls stand for
_JOIN_MARK = re.compile("\x00J([0-9]+)\x00")  # NUL never reaches a template's output otherwise
_BATCH = 512  # Jinja's pieces of a page joined and encoded at a time


def _reader(context: Context) -> Reader:
    reader = context.get(READER)
    if not isinstance(reader, Reader):
        raise ThemeError("a briefgen global was called outside a page (in a macro imported "
                         "without context?); import macros 'with context'")
    return reader


def _roles(context: Context, reader: Reader, actor_id: str) -> tuple[RoleSpan, ...]:
    """An actor's roles, read once per rendering (and so recorded once)."""
    memo = context.get(MEMO)
    if not isinstance(memo, dict):
        return reader.get(("roles", actor_id))  # type: ignore[no-any-return]
    found = memo.get(actor_id)
    if found is None:
        found = memo[actor_id] = reader.get(("roles", actor_id))
    return found  # type: ignore[no-any-return]


def make_environment(site_root: Path, theme: Path, urls: Urls, asset_digests: dict[str, str],
                     dates: DateStyle = PLAIN, words: Words | None = None,
                     compiled: Path | None = None) -> Environment:
    """The environment of one build: site templates over the theme's, the globals and
    filters of docs/theming.md. Globals that read the site (``asset``, ``actor_chip_html``,
    ``entry_item``) read through the reader of the page being rendered, so what they read
    is recorded for that page. ``dates``: how dates are shown (part of the fingerprint of
    the templates service, see site/inputs.py); ``words``: the texts ``t`` shows (English
    when None); ``compiled``: a folder of the build cache that keeps compiled templates."""
    texts = words if words is not None else english()
    loaders = [_TemplateFolder(folder) for folder in template_folders(site_root, theme)]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        bytecode_cache=CompiledTemplates.at(compiled) if compiled is not None else None,
    )

    @pass_context
    def asset(context: Context, name: str) -> str:
        digest = asset_digests.get(name)
        if digest:
            _reader(context).fingerprint(("asset", name))
        return urls.link(f"assets/{name}") + (f"?v={digest}" if digest else "")

    zone = dates.zone or UTC

    @pass_context
    def actor_chip_html(context: Context, actor: Any, on: DateValue | None = None) -> Markup:
        """The actor's chip; ``on`` a date: with the role the actor held then, if any."""
        reader = _reader(context)
        if on is not None:
            spans = _roles(context, reader, actor.id)
            index = role_on(spans, on, zone) if spans else None
            if index is not None:
                return Markup(reader.get(("chip", actor.id, str(index))))
        return Markup(reader.get(("chip", actor.id)))

    @pass_context
    def actor_role(context: Context, actor: Any, on: DateValue) -> str:
        """The title of the role the actor held on a date ("" if none)."""
        spans = _roles(context, _reader(context), actor.id)
        index = role_on(spans, on, zone) if spans else None
        return spans[index].title if index is not None else ""

    @pass_context
    def entry_item(context: Context, entry: Any) -> Markup:
        return entry_list(context, [entry])

    @pass_context
    def entry_list(context: Context, entries: Iterable[Any]) -> Markup:
        """The list items of ``entries``: a mark that the page's output replaces with the
        items themselves, copied from the previous file where unchanged (``joined``)."""
        joins = context.get(JOINS)
        if not isinstance(joins, list):  # a partial rendered on its own: the items' text
            reader = _reader(context)
            return Markup("".join([e.item_html(reader) for e in entries]))
        joins.append([e.place for e in entries])
        return Markup(f"\x00J{len(joins) - 1}\x00")

    @functools.lru_cache(maxsize=8192)  # dates repeat: one entry's on many pages
    def time(value: DateValue | None) -> Markup:
        return time_html(value, dates)

    def date_plain(value: DateValue | None) -> str:
        return date_text(value, dates) if value is not None else ""

    def known(key: str) -> str:
        if key not in texts.texts:  # a template's own key: reported at its line
            raise TemplateRuntimeError(f"t('{key}'): the site's words have no such text (the "
                                       "keys are those of briefgen/words/en.yaml)"
                                       + did_you_mean(key, texts.texts))
        return key

    def t(key: str, n: int | None = None, **parts: Any) -> Markup:
        """A text of the site's words (docs/theming.md), escaped; parts that are markup
        (a link made in the template) are put in as they are."""
        known(key)
        filled = {name: escape(value) for name, value in parts.items()}  # Markup stays
        if n is not None:
            filled["n"] = Markup(n)
        return Markup(fill(str(escape(texts.pattern(key, n))), filled))

    helpers: dict[str, Callable[..., Any]] = {
        "t": t,
        "words_of": lambda *keys: {k: texts.forms(known(k)) for k in keys},
        "entry_item": entry_item,
        "entry_list": entry_list,
        "card_list": entry_list,  # the same joining, for the cards of a list of briefings
        "actor_chip_html": actor_chip_html,
        "actor_role": actor_role,
        "url": urls.link,
        "abs_url": urls.absolute,
        "asset": asset,
        "briefing_rel": Urls.briefing,
        "actor_rel": Urls.actor,
        "source_rel": Urls.source,
        "tag_rel": Urls.tag,
        "year_rel": Urls.year,
    }
    env.globals.update(helpers)
    env.filters["time"] = time
    env.filters["date_text"] = date_plain
    env.filters["safe_html"] = Markup
    env.filters["html_pieces"] = html_pieces
    env.filters["plural"] = lambda n, one, many: one if n == 1 else many
    env.filters["counted"] = counted
    env.filters["fragment"] = Urls.fragment
    env.filters["lang"] = functools.partial(lang_attribute, site=texts.language)
    return env


def html_pieces(html: str) -> Iterator[Markup]:
    """Safe HTML in slices of at most ``_PIECE`` characters, for a template to write one
    after the other (``{% for p in body|html_pieces %}{{ p }}{% endfor %}``): Jinja copies
    each value it writes, twice, and the body of an entry with 100,000 citations is tens of
    megabytes."""
    for start in range(0, len(html), _PIECE):
        yield Markup(html[start:start + _PIECE])


_PIECE = 1 << 16


class Templates:
    """The templates of one build, as a service that nodes read: rendering records the
    template (and everything it extends, includes or imports) as read."""

    def __init__(self, env: Environment, kept: bool = True) -> None:
        self.env = env
        # False for `check`: a page is rendered, so that a template's errors surface, and
        # dropped as it renders (its value is empty: it is written nowhere).
        self.kept = kept

    def render(self, r: Reader, name: str, variables: dict[str, Any]) -> str:
        r.fingerprint(("template", name))
        return render_template(self.env, name, {**variables, READER: r, MEMO: {}})

    def render_joined(self, r: Reader, name: str, variables: dict[str, Any]) -> Joined | bytes:
        """Render a page as UTF-8; one whose entry lists become pieces as a ``Joined`` output.
        The page is encoded as it renders, a few hundred of Jinja's pieces at a time: the
        page of a link-dense briefing is never held whole as text, nor as those pieces."""
        r.fingerprint(("template", name))
        joins: list[list[Piece]] = []
        chunks = render_chunks(self.env, name, {**variables, READER: r, MEMO: {}, JOINS: joins})
        if not self.kept:
            collections.deque(chunks, maxlen=0)
            return b""
        parts: list[bytes | list[Piece]] = []
        segment = io.BytesIO()
        while batch := list(itertools.islice(chunks, _BATCH)):
            text = "".join(batch)
            if "\x00" in text:
                last = 0
                for mark in _JOIN_MARK.finditer(text):
                    segment.write(text[last:mark.start()].encode("utf-8"))
                    parts += (segment.getvalue(), joins[int(mark.group(1))])
                    segment = io.BytesIO()
                    last = mark.end()
                text = text[last:]
            segment.write(text.encode("utf-8"))
        if not joins:
            return segment.getvalue()
        parts.append(segment.getvalue())
        joined: list[str | Piece] = []
        for part in parts:
            if isinstance(part, bytes):
                if part:
                    joined.append(part.decode("utf-8"))
            else:
                joined.extend(part)
        return Joined(tuple(joined))

    def names(self) -> list[str]:
        return self.env.list_templates()




def context_vars(*contexts: object) -> dict[str, Any]:
    """Flatten context dataclasses into template variables (one level deep)."""
    values: dict[str, Any] = {}
    for ctx in contexts:
        for f in fields(ctx):  # type: ignore[arg-type]
            values[f.name] = getattr(ctx, f.name)
    return values


def render_template(env: Environment, name: str, variables: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(variables)
    except (TemplateError, UnicodeDecodeError) as exc:
        raise _pointed(_theme_error(exc, name), env, variables) from exc
    except Exception as exc:
        raise _pointed(_raised_by_template(exc, name), env, variables) from exc


class _TemplateFolder(FileSystemLoader):
    """Jinja's loader of a folder of templates; one that is not UTF-8 is told at its file
    and line, whichever template included it."""

    def get_source(self, environment: Environment, template: str
                   ) -> tuple[str, str, Callable[[], bool]]:
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            path = os.path.join(str(self.searchpath[0]), *template.split("/"))
            line = exc.object[:exc.start].count(b"\n") + 1
            raise ThemeError(f"template '{template}' is not UTF-8 text (byte {exc.start}); "
                             "save it as UTF-8", path, line) from exc


def render_chunks(env: Environment, name: str, variables: dict[str, Any]) -> Iterator[str]:
    """As ``render_template``, the output in Jinja's pieces, as they are made."""
    try:
        yield from env.get_template(name).generate(variables)
    except (TemplateError, UnicodeDecodeError) as exc:
        raise _pointed(_theme_error(exc, name), env, variables) from exc
    except Exception as exc:
        raise _pointed(_raised_by_template(exc, name), env, variables) from exc


def _pointed(exc: Exception, env: Environment, variables: dict[str, Any]) -> Exception:
    """A template's error with its culprit found on its line, and a did-you-mean."""
    if not isinstance(exc, ThemeError) or exc.path is None or exc.line < 1 or exc.column:
        return exc
    try:
        with open(exc.path, encoding="utf-8") as source:
            line = next(itertools.islice(source, exc.line - 1, None), "")
    except (OSError, UnicodeDecodeError):
        line = ""
    hint = suggestion(exc.message, (*variables, *env.globals), env.filters, env.tests)
    message = exc.message
    # (An error raised by a template that another renders passes here twice: said once.)
    if hint and hint not in message:  # before the "(while rendering …)" at the end
        head, rendering, tail = message.rpartition(" (while rendering ")
        if not rendering:
            head = message
        message = f"{head.rstrip('.')}{hint}{rendering}{tail}"
    found = culprit(exc.message, line.rstrip("\n"))
    return type(exc)(message, exc.path, exc.line, found.column, found.width)


def _raised_by_template(exc: Exception, name: str) -> Exception:
    """An error raised at a line of the site's own templates (``{{ 1 // 0 }}``, ``{{ "a" +
    1 }}``, a helper called wrongly), reported there as the build reports template errors.
    Anything else as it was: the engine's and the build's own signals (``Cancelled``, a
    damaged store, a worker gone), and errors at a line of the theme briefgen ships, which
    are briefgen's bugs, not the site's."""
    frames = _template_frames(exc)
    if not frames or isinstance(exc, (Cancelled, EngineError, ThemeError, StoreError,
                                      WorkerDied, MemoryError)) \
            or Path(frames[-1].filename).resolve().is_relative_to(PACKAGED_THEMES):
        return exc
    return ThemeError(f"{type(exc).__name__}: {exc} (while rendering {name})",
                      *_template_line(exc, name))


def _theme_error(exc: TemplateError | UnicodeDecodeError, name: str) -> ThemeError:
    """What is wrong with the templates, as the build reports it."""
    if isinstance(exc, TemplateNotFound):
        frames = _template_frames(exc)  # the line that includes or extends it, if any
        return ThemeError(f"template '{exc.name}' not found in the site's templates/ or the "
                          "theme's templates/",
                          *((frames[-1].filename, frames[-1].lineno or 1) if frames else ()))
    if isinstance(exc, TemplateSyntaxError):
        return ThemeError(f"template syntax error: {exc.message}", exc.filename or exc.name,
                          exc.lineno)
    if isinstance(exc, UnicodeDecodeError):
        return ThemeError(f"a template used by {name} is not UTF-8 text (byte {exc.start}); "
                          "save it as UTF-8")
    return ThemeError(f"{exc} (while rendering {name})", *_template_line(exc, name))


def _template_line(exc: BaseException, fallback: str) -> tuple[str, int]:
    """The file and line of the innermost template line in a rendering error's traceback."""
    frames = _template_frames(exc)
    return (frames[-1].filename, frames[-1].lineno or 1) if frames else (fallback, 1)


def _template_frames(exc: BaseException) -> list[traceback.FrameSummary]:
    """The template lines in a rendering error's traceback (Jinja maps its frames back to
    template files), outermost first."""
    return [f for f in traceback.extract_tb(exc.__traceback__)
            if f.filename.endswith((".html", ".xml", ".txt", ".j2"))]
