"""A site's theme and templates as files: which folder, which templates there are, and the
fingerprint of each. Jinja is not needed for any of it: a build that renders nothing (nothing
changed) never imports it. The environment that renders is ``web.templates``.

Templates are found as Jinja's loaders of ``web.templates.make_environment`` find them: the
site's ``templates/`` over the theme's, names with ``/`` at any depth.
"""

from __future__ import annotations

import functools
import hashlib
import os
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefgen.engine.deps import Reader
    from briefgen.web.joined import Joined
    from briefgen.web.templates import Templates

PACKAGED_THEMES = Path(__file__).resolve().parent.parent
DEFAULT_THEME = "default"


class ThemeError(Exception):
    """The theme cannot be found or a template cannot be rendered; ``path`` and ``line``:
    the template line at fault, when known (the build reports the error there); ``column``
    and ``width``: the culprit on that line, when found (0: not)."""

    def __init__(self, message: str, path: str | None = None, line: int = 0,
                 column: int = 0, width: int = 0) -> None:
        # All of them: it crosses from worker processes, made again from its arguments.
        super().__init__(message, path, line, column, width)
        self.message, self.path, self.line = message, path, line
        self.column, self.width = column, width

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.path else self.message


def theme_folder(site_root: Path, name: str) -> Path:
    """A site's ``themes/<name>/``, else the packaged default theme."""
    local = site_root / "themes" / name
    try:
        if local.is_dir():
            return local
    except (OSError, ValueError) as exc:  # a name over the system's limit, say
        raise ThemeError(f"theme '{name[:60]}' cannot be used: {exc}") from exc
    if name == DEFAULT_THEME:
        return PACKAGED_THEMES / "theme"
    raise ThemeError(f"theme '{name}' not found: no folder themes/{name}/ in the site")


def template_folders(site_root: Path, theme: Path) -> tuple[str, ...]:
    """Where templates are looked for, first match wins."""
    return (str(site_root / "templates"), str(theme / "templates"))


@functools.cache  # the package does not change while a process runs
def default_templates() -> tuple[str, ...]:
    """The names of the default theme's templates: those briefgen renders are among them."""
    return tuple(TemplateFolders((str(PACKAGED_THEMES / "theme" / "templates"),)).names())


class TemplateFolders:
    """The templates of some folders, the first folder's over the others'."""

    def __init__(self, folders: tuple[str, ...]) -> None:
        self.folders = folders

    def names(self) -> list[str]:
        """Every template's name, sorted (the names Jinja's ``list_templates`` gives)."""
        found: set[str] = set()
        for folder in self.folders:
            for where, _, files in os.walk(folder):
                for name in files:
                    template = os.path.join(where, name)[len(folder):].strip(os.sep)
                    template = template.replace(os.sep, "/")
                    found.add(template[2:] if template[:2] == "./" else template)
        return sorted(found)

    def source(self, name: str) -> str | None:
        """A template's text; None when there is no such template (raises
        ``UnicodeDecodeError`` when it is not UTF-8)."""
        pieces = []
        for piece in name.split("/"):
            if os.sep in piece or (os.altsep and os.altsep in piece) or piece == os.pardir:
                return None
            if piece and piece != ".":
                pieces.append(piece)
        for folder in self.folders:
            path = posixpath.join(folder, *pieces)
            if os.path.isfile(path):
                with open(path, encoding="utf-8") as handle:
                    return handle.read()
        return None


# A tag that names another template: {% extends/include/import/from <what> ... %}.
_REFERENCE = re.compile(r"\{%[-+]?\s*(?:extends|include|import|from)\s+(.*?)\s*[-+]?%\}", re.S)
_LITERAL = re.compile(r"""(["'])((?:(?!\1).)*)\1""")
_TAIL = re.compile(r"(?:\s+(?:import\b.*|as\s+\w+.*|ignore\s+missing.*|with(?:out)?\s+context.*))?",
                   re.S)


@functools.lru_cache(maxsize=256)
def _references(source: str) -> tuple[str | None, ...]:
    """The templates a template source extends, includes or imports (None: a name computed
    while rendering, or a tag this reading cannot tell: then every template counts). Read
    with a pattern rather than Jinja's parser: a build reads every template's references,
    and parsing them all costs more than the rest of a build that changes nothing."""
    found: list[str | None] = []
    for match in _REFERENCE.finditer(source):
        what = match.group(1)
        names = []
        rest = what
        if rest.startswith("["):  # include ['a.html', 'b.html']
            inner, bracket, rest = rest[1:].partition("]")
            names = [m.group(2) for m in _LITERAL.finditer(inner)]
            if not bracket or not names:
                return (None,)
        else:
            literal = _LITERAL.match(rest)
            if literal is None:
                return (None,)
            names, rest = [literal.group(2)], rest[literal.end():]
        if _TAIL.fullmatch(rest) is None:
            return (None,)
        found.extend(names)
    return tuple(found)


class TemplateFingerprints:
    """For each template, a digest of its source and of every template it extends,
    includes or imports (the fingerprint of the input ``("template", name)``)."""

    def __init__(self, templates: TemplateFolders) -> None:
        self.templates = templates
        self.known: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        if name not in self.known:
            sources: dict[str, str] = {}
            self._collect(name, sources)
            text = "".join(f"\x00{n}\x00{s}" for n, s in sorted(sources.items()))
            self.known[name] = hashlib.sha256(text.encode()).hexdigest()[:16]
        return self.known[name]

    def _collect(self, name: str, sources: dict[str, str]) -> None:
        if name in sources:
            return
        try:
            source = self.templates.source(name)
        except UnicodeDecodeError:
            source = None
        if source is None:
            sources[name] = "(unreadable)"  # rendering will report it
            return
        references = _references(source)
        sources[name] = source
        if None in references:  # a computed template name: depend on every template
            for other in self.templates.names():
                self._collect(other, sources)
        for reference in references:
            if reference is not None:
                self._collect(reference, sources)


class TemplateService:
    """The templates of one build as the service that nodes read (``web.templates.Templates``),
    made when a node first renders."""

    def __init__(self, make: Callable[[], Templates]) -> None:
        self._make = make
        self._made: Templates | None = None

    def templates(self) -> Templates:
        if self._made is None:
            self._made = self._make()
        return self._made

    def render(self, r: Reader, name: str, variables: dict[str, Any]) -> str:
        return self.templates().render(r, name, variables)

    def render_joined(self, r: Reader, name: str, variables: dict[str, Any]) -> Joined | bytes:
        return self.templates().render_joined(r, name, variables)
