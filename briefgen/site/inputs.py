"""The inputs of a build, given to the engine: content files, settings, templates, theme
assets and static files. Whatever is unchanged since the last run keeps its fingerprint,
and so everything made from it stays as it is."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.config import SiteConfig
from briefgen.contentfiles import StaticFile
from briefgen.engine.deps import Engine, digest_text
from briefgen.errors import Diagnostic
from briefgen.images import CopyCache
from briefgen.load import file_state
from briefgen.site.filetext import FileText
from briefgen.site.scanning import ContentScan, ScannedFile
from briefgen.site.settings import Flags, parse_settings, site_settings
from briefgen.urls import Urls
from briefgen.web.themes import (
    TemplateFingerprints,
    TemplateFolders,
    TemplateService,
    default_templates,
    template_folders,
)

if TYPE_CHECKING:
    from briefgen.datetext import DateStyle
    from briefgen.web.templates import Templates
    from briefgen.wording import Words


@dataclass(frozen=True, slots=True)
class Synced:
    """What the inputs of this run are, for the roots and the report."""

    content: tuple[str, ...]  # every content file (relative to the site), in scan order
    diagnostics: tuple[Diagnostic, ...]  # ignored and unreadable files
    asset_digests: dict[str, str]


def sync_files(engine: Engine, files: Iterable[ScannedFile]) -> None:
    """Set the inputs of content files (only those that changed are new to the engine)."""
    for file in files:
        if file.text is not None:
            engine.set_input(("file", file.source.rel), file.digest, file.text)
        else:
            engine.set_input(("file", file.source.rel), file.digest)


def sync_inputs(engine: Engine, config: SiteConfig, theme: Path, flags: Flags,
                scanned: ContentScan, cache: Path | None = None, written: bool = True,
                changed: Collection[str] | None = None) -> Synced:
    """Set every input of this run; those gone since the last one become missing.
    ``cache``: the site's build cache folder, which keeps resized images and compiled
    templates (None: none is kept);
    ``written``: False for `check`, whose pages are rendered (for their errors) but not kept;
    ``changed``: when the content files are the last run's, those that changed (the engine
    keeps the others' inputs, see ``Engine.begin_run``)."""
    content = [file.source.rel for file in scanned.files]
    if changed is None:
        sync_files(engine, scanned.files)
    else:
        sync_files(engine, (file for file in scanned.files if file.source.rel in changed))
    engine.set_input(("settings", "parse"), _fp(parse_settings(config)), parse_settings(config))
    settings = site_settings(config)
    engine.set_input(("settings", "site"), _fp(settings), settings)
    engine.set_input(("settings", "flags"), _fp(flags), flags)
    digests = _assets(engine, theme, flags)
    dates = settings.dates  # the environment's filters show dates so
    texts = settings.words  # and its ``t`` shows the site's words so
    # Made (and Jinja imported) when a node first renders: a run that renders nothing
    # needs only the templates' fingerprints, which are read without Jinja.
    compiled = cache / "templates" if cache is not None and written else None
    made = functools.partial(_templates, config.root, theme, Urls(config.base_url),
                             digests if flags.versioned_assets else {}, dates, texts, written,
                             compiled)
    engine.set_input(("service", "templates"),
                     _fp((config.base_url, str(theme), flags.versioned_assets, dates, texts)),
                     TemplateService(made))
    templates = TemplateFolders(template_folders(config.root, theme))
    fingerprints = TemplateFingerprints(templates)
    # Every template of the default theme is one briefgen may render: a theme without it
    # has it as missing (an error when a page needs it), never as a read of nothing.
    for name in sorted(set(templates.names()) | set(default_templates())):
        engine.set_input(("template", name), fingerprints(name), name)
    _static(engine, config, scanned)
    # Where copies are kept changes no copy: the fingerprint is the same with or without.
    engine.set_input(("service", "images"), "copies",
                     CopyCache(cache / "images") if cache is not None else None)
    engine.retire_inputs("file", FileText(None, (), missing=True))
    engine.retire_inputs("template", None)
    engine.retire_inputs("asset", None)
    engine.retire_inputs("static", None)
    return Synced(tuple(content), tuple(scanned.diagnostics), digests)


def _templates(root: Path, theme: Path, urls: Urls, digests: dict[str, str],
               dates: DateStyle, texts: Words, kept: bool, compiled: Path | None) -> Templates:
    from briefgen.web.templates import Templates, make_environment

    return Templates(make_environment(root, theme, urls, digests, dates, texts, compiled),
                     kept=kept)


def _fp(value: object) -> str:
    return digest_text(repr(value))


def _assets(engine: Engine, theme: Path, flags: Flags) -> dict[str, str]:
    static = theme / "static"
    digests: dict[str, str] = {}
    if static.is_dir():
        for path in sorted(static.rglob("*")):
            if path.is_file():
                rel = path.relative_to(static).as_posix()
                digests[rel] = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
                engine.set_input(("asset", rel), digests[rel], path)
    engine.set_input(("listing", "assets"), _fp(sorted(digests)), tuple(sorted(digests)))
    return digests


def sync_static(engine: Engine, root: Path, items: Iterable[StaticFile]) -> None:
    """Set the inputs of static files (known by where they are, their size and times, never
    read here)."""
    for item in items:
        path = root / item.path
        engine.set_input(("static", item.rel), _fp((item.path, item.real, *file_state(path))),
                         path)


def _static(engine: Engine, config: SiteConfig, scanned: ContentScan) -> None:
    sync_static(engine, config.root, scanned.static)
    listing = [(item.rel, item.path) for item in scanned.static]
    engine.set_input(("listing", "static"), _fp(listing), tuple(listing))
