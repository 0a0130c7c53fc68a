"""The Jinja2 environment: site templates over the theme's, autoescape on, a few helpers."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from jinja2 import (
    BytecodeCache,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    meta,
    select_autoescape,
)
from jinja2.bccache import Bucket
from markupsafe import Markup

from briefgen.cache import Store
from briefgen.dates import DateValue
from briefgen.urls import Urls

PACKAGED_THEMES = Path(__file__).resolve().parent
DEFAULT_THEME = "default"


class ThemeError(Exception):
    """The theme cannot be found or a template cannot be rendered."""


def theme_folder(site_root: Path, name: str) -> Path:
    """A site's ``themes/<name>/``, else the packaged default theme."""
    local = site_root / "themes" / name
    if local.is_dir():
        return local
    if name == DEFAULT_THEME:
        return PACKAGED_THEMES / "theme"
    raise ThemeError(f"theme '{name}' not found: no folder themes/{name}/ in the site")


@functools.lru_cache(maxsize=4096)
def _time_html(value: DateValue) -> Markup:
    points = [value.start] if value.end is None else [value.start, value.end]
    # iso() and human() are built from numbers and month names: nothing to escape.
    return Markup(" – ".join(f'<time datetime="{p.iso()}">{p.human()}</time>' for p in points))


def time_html(value: DateValue | None) -> Markup:
    """``<time datetime="2022-02-01">1 February 2022</time>``; one element per range end."""
    return _time_html(value) if value is not None else Markup("")


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


class _CompiledTemplates(BytecodeCache):
    """Templates compiled by earlier builds, kept in the build cache (Jinja checks each
    against its template's source and its own format before using it)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.store.get(bucket.key)
        if isinstance(code, bytes):
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store.put(bucket.key, bucket.bytecode_to_string())


def make_environment(site_root: Path, theme: Path, urls: Urls, asset_digests: dict[str, str],
                     memo: Store | None = None, compiled: Store | None = None) -> Environment:
    """The environment of one build. ``memo`` keeps rendered entry list items between
    builds, keyed by the entry's fingerprint and the item template's; ``compiled`` keeps
    the compiled templates."""
    loaders = [FileSystemLoader(str(site_root / "templates")), FileSystemLoader(str(theme / "templates"))]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        bytecode_cache=_CompiledTemplates(compiled) if compiled is not None else None,
    )

    def asset(name: str) -> str:
        digest = asset_digests.get(name)
        return urls.link(f"assets/{name}") + (f"?v={digest}" if digest else "")

    items = RenderedOnce(env, asset_digests, ENTRY_ITEM, "e", memo)
    helpers: dict[str, Callable[..., Any]] = {
        "entry_item": items,
        "entry_list": items.joined,
        "actor_chip_html": RenderedOnce(env, asset_digests, ACTOR_CHIP, "a"),
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
    env.filters["time"] = time_html
    env.filters["safe_html"] = Markup
    env.filters["fragment"] = Urls.fragment
    env.filters["plural"] = lambda n, one, many: one if n == 1 else many
    return env


class RenderedOnce:
    """A global that renders a small partial template for an item once per build, however
    many pages show the item: ``entry_item(e)`` (an entry appears on the timeline, its year,
    and every actor and source page it names) and ``actor_chip_html(a)``. With a ``memo``,
    the HTML is also kept between builds, keyed by the item's fingerprint and the partial's."""

    def __init__(self, env: Environment, asset_digests: dict[str, str], template: str,
                 variable: str, memo: Store | None = None) -> None:
        self.env, self.asset_digests, self.memo = env, asset_digests, memo
        self.template, self.variable = template, variable
        self.known: dict[str, Markup] = {}
        self._template_key: str | None = None  # made on first use: templates load lazily

    def __call__(self, item: Any) -> Markup:
        key = item.fingerprint or str(id(item))
        html = self.known.get(key)
        if html is None:
            html = self.known[key] = Markup(self._remembered(item) or self.render([item])[0])
            if self.memo is not None and item.fingerprint:
                self.memo.put(self._memo_key(item), str(html))
        return html

    def joined(self, items: Iterable[Any]) -> Markup:
        """``entry_list(entries)``: the HTML of many items, one after the other (one call
        from a template instead of one per item: the timeline lists every entry)."""
        return Markup("".join([self(item) for item in items]))

    def missing(self, items: Iterable[Any]) -> list[Any]:
        """The items whose HTML is neither known in this build nor remembered."""
        found = []
        for item in items:
            if item.fingerprint and item.fingerprint not in self.known:
                html = self._remembered(item)
                if html is None:
                    found.append(item)
                else:
                    self.known[item.fingerprint] = Markup(html)
        return found

    def render(self, items: Sequence[Any]) -> list[str]:
        """Render without remembering (a worker process may call this)."""
        template = self.env.get_template(self.template)
        return [template.render({self.variable: item}) for item in items]

    def add(self, items: Sequence[Any], htmls: Sequence[str]) -> None:
        for item, html in zip(items, htmls, strict=True):
            self.known[item.fingerprint] = Markup(html)
            if self.memo is not None:
                self.memo.put(self._memo_key(item), html)

    def _remembered(self, item: Any) -> str | None:
        if self.memo is None or not item.fingerprint:
            return None
        html: str | None = self.memo.get(self._memo_key(item))
        return html

    def _memo_key(self, item: Any) -> tuple[str, str]:
        if self._template_key is None:
            self._template_key = TemplateFingerprints(self.env, self.asset_digests)(
                self.template)
        return item.fingerprint, self._template_key


def entry_items(env: Environment) -> RenderedOnce:
    """The ``entry_item`` global of an environment that ``make_environment`` made."""
    items = env.globals["entry_item"]
    assert isinstance(items, RenderedOnce)
    return items


ENTRY_ITEM = "partials/entry_item.html"
ACTOR_CHIP = "partials/actor_chip.html"
# Templates that globals such as entry_item() render: every page may depend on them.
PARTIALS_OF_GLOBALS = (ENTRY_ITEM, ACTOR_CHIP)


@functools.lru_cache(maxsize=256)
def _references(source: str) -> tuple[str | None, ...]:
    """The templates a template source extends, includes or imports (None: computed)."""
    return tuple(meta.find_referenced_templates(Environment().parse(source)))


class TemplateFingerprints:
    """For each template, a digest of its source and of every template it extends,
    includes or imports, so that a page is rendered again when any of them changes."""

    def __init__(self, env: Environment, asset_digests: dict[str, str]) -> None:
        self.env = env
        self.assets = repr(sorted(asset_digests.items()))  # asset() URLs carry digests
        self.known: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        if name not in self.known:
            sources: dict[str, str] = {}
            self._collect(name, sources)
            for partial in PARTIALS_OF_GLOBALS:  # rendered by globals, unseen in the source
                self._collect(partial, sources)
            text = self.assets + "".join(f"\x00{n}\x00{s}" for n, s in sorted(sources.items()))
            self.known[name] = hashlib.sha256(text.encode()).hexdigest()[:16]
        return self.known[name]

    def _collect(self, name: str, sources: dict[str, str]) -> None:
        if name in sources:
            return
        try:
            source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            references = _references(source)
        except (TemplateError, UnicodeDecodeError):
            sources[name] = "(unreadable)"  # rendering will report it
            return
        sources[name] = source
        if None in references:  # a computed template name: depend on every template
            for other in self.env.list_templates():
                self._collect(other, sources)
        for reference in references:
            if reference is not None:
                self._collect(reference, sources)


def context_vars(*contexts: object) -> dict[str, Any]:
    """Flatten context dataclasses into template variables (one level deep)."""
    values: dict[str, Any] = {}
    for ctx in contexts:
        for f in fields(ctx):  # type: ignore[arg-type]
            values[f.name] = getattr(ctx, f.name)
    return values


def load_templates(env: Environment, names: Iterable[str]) -> None:
    """Compile (or take from the cache) every template that will be rendered, once, in this
    process: worker processes then inherit them. A template with an error is left to
    ``render_template`` to report."""
    for name in sorted({*names, *PARTIALS_OF_GLOBALS}):
        with contextlib.suppress(TemplateError, UnicodeDecodeError):
            env.get_template(name)


def render_template(env: Environment, name: str, variables: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(variables)
    except TemplateNotFound as exc:
        raise ThemeError(f"template '{exc.name}' not found in the site's templates/ or the "
                         "theme's templates/") from exc
    except TemplateSyntaxError as exc:
        raise ThemeError(f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: "
                         f"{exc.message}") from exc
    except TemplateError as exc:
        raise ThemeError(f"{_template_frame(exc, name)}: error while rendering {name}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ThemeError(f"a template used by {name} is not UTF-8 text (byte {exc.start}); "
                         "save it as UTF-8") from exc


def _template_frame(exc: BaseException, fallback: str) -> str:
    """``file:line`` of the innermost template line in a rendering error's traceback
    (Jinja maps its frames back to template files)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.endswith((".html", ".xml", ".txt", ".j2"))]
    if not frames:
        return f"{fallback}:1"
    return f"{frames[-1].filename}:{frames[-1].lineno}"
