"""``site.yaml``: the site's configuration, read once into a frozen ``SiteConfig``."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import ipaddress
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml

from briefgen.charcheck import clean_text, clean_yaml
from briefgen.chars import shortened
from briefgen.errors import (
    FILE_START,
    Diagnostic,
    Diagnostics,
    Loc,
    Severity,
    not_utf8,
    split_lines,
)
from briefgen.filesystem import FileProblem, os_problem, pseudo_filesystem, read_regular
from briefgen.schema import (
    Boolean,
    Choice,
    Field,
    Integer,
    ReadContext,
    Record,
    RecordOf,
    Text,
    Url,
    read_record,
)
from briefgen.wording import LANGUAGE_TAG, has_words, languages_with_words, read_words
from briefgen.yamlsource import compose

CONFIG_FILE = "site.yaml"

FIELDS = {
    "title": Field(Text(), required=True),
    "base_url": Field(Url()),
    "description": Field(Text()),
    "language": Field(Text(LANGUAGE_TAG.pattern, " (use a code such as en or pt-BR)")),
    "timezone": Field(Text()),
    "theme": Field(Text(r"[A-Za-z0-9][A-Za-z0-9_.-]*", " (a folder name under themes/)")),
    "content_dir": Field(Text()),
    "output_dir": Field(Text()),
    "markdown": Field(RecordOf({"unsafe_html": Field(Boolean())}, "markdown")),
    "citations": Field(RecordOf({"style": Field(Choice(("numeric", "author-date")))},
                                "citations")),
    "feeds": Field(RecordOf({"limit": Field(Integer(minimum=1))}, "feeds")),
}


@dataclass(frozen=True, slots=True)
class SiteConfig:
    root: Path
    title: str
    base_url: str = "http://localhost:8000/"
    description: str = ""
    language: str = "en"
    timezone_name: str = "UTC"
    theme: str = "default"
    content_dir: str = "content"
    output_dir: str = "public"
    unsafe_html: bool = False
    citation_style: str = "numeric"
    feed_limit: int = 50
    # ``words:`` — the site's own texts over its language's catalogue (see ``wording``).
    words: tuple[tuple[str, Any], ...] = ()
    # Where site.yaml writes base_url's value (None: not written), for the warning of `build`.
    base_url_loc: Loc | None = field(default=None, compare=False)

    @property
    def zone(self) -> tzinfo:
        try:
            return ZoneInfo(self.timezone_name)
        except (ZoneInfoNotFoundError, ValueError):
            return UTC

    @property
    def content_path(self) -> Path:
        return Path(os.path.realpath(self.root / self.content_dir))

    @property
    def output_path(self) -> Path:
        return Path(os.path.realpath(self.root / self.output_dir))

    def fingerprint(self) -> str:
        """Changes whenever any setting that affects output changes."""
        text = repr(sorted((k, str(getattr(self, k))) for k in self.__dataclass_fields__))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _sub(record: Record, key: str, inner: str) -> object:
    value = record.get(key)
    return value.get(inner) if isinstance(value, Record) else None


# Stands in for a missing title while the content is checked; the build fails on the error.
PLACEHOLDER_TITLE = "Untitled site"


def parse_config(root: Path, text: str) -> tuple[SiteConfig | None, Diagnostics]:
    """Pure: the text of site.yaml in, a configuration and its diagnostics out.

    A setting with an error is reported and replaced by its default (a missing title by a
    placeholder), so that the content is still checked in the same run; the build then
    fails on the errors and writes nothing. The configuration is None only when there is
    nothing to check the content with: site.yaml is not YAML, not a mapping, or its
    content folder cannot be used."""
    diags = Diagnostics(CONFIG_FILE)
    text = clean_text(text, diags)
    node, problem = compose(text)
    clean_yaml(node, diags)
    if problem:
        diags.error(problem.loc, problem.message, span=problem.span)
        return None, diags
    ctx = ReadContext(diags, UTC, 0, split_lines(text))
    record = read_record(node, FIELDS, ctx, "site.yaml", frozenset({"words"}))
    if not isinstance(record, Record):
        return None, diags
    words = read_words(record.get("words"), ctx)
    language = record.get("language", "en")
    if not words and not has_words(language):
        known = ", ".join(languages_with_words())
        diags.warning(record.where("language"),
                      f"briefgen has no texts of its own in '{language}' (it has {known}): the "
                      "pages' labels and dates would be English in pages marked as "
                      f"'{language}'; give the site's texts under 'words:', or check the code",
                      span=len(language))
    base_url, zone_name = _base_url(record, diags), _zone_name(record, diags)
    content_dir = _content_dir(root, record, _written_keys(node), diags)
    output_dir, theme = _output_dir(root, record, diags), _theme(root, record, diags)
    if content_dir is None:
        return None, diags
    config = SiteConfig(
        root=root,
        title=record.get("title", PLACEHOLDER_TITLE),
        base_url=base_url,
        description=record.get("description", ""),
        language=record.get("language", "en"),
        timezone_name=zone_name,
        theme=theme,
        content_dir=content_dir,
        output_dir=output_dir,
        unsafe_html=bool(_sub(record, "markdown", "unsafe_html") or False),
        citation_style=str(_sub(record, "citations", "style") or "numeric"),
        feed_limit=int(_sub(record, "feeds", "limit") or 50),  # type: ignore[call-overload]
        words=words,
        base_url_loc=record.locs.get("base_url"),
    )
    return config, diags


def _written_keys(node: yaml.Node | None) -> set[str]:
    """The top-level keys written in site.yaml, whether or not their values are valid."""
    if not isinstance(node, yaml.MappingNode):
        return set()
    return {str(key.value) for key, _ in node.value if isinstance(key, yaml.ScalarNode)}


def _zone_name(record: Record, diags: Diagnostics) -> str:
    name: str = record.get("timezone", "UTC")
    problem = zone_problem(name)
    if problem:
        diags.error(record.where("timezone"), problem, span=len(name))
        return "UTC"
    inverted = re.fullmatch(r"Etc/GMT([+-])([1-9]\d?)", name)
    if inverted:  # POSIX's sign: Etc/GMT+3 is three hours *behind* UTC
        sign, hours = inverted.groups()
        meant = f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
        diags.warning(record.where("timezone"),
                      f"{name} is UTC{'−' if sign == '+' else '+'}{hours}: the sign of the Etc/ "
                      f"zones is the reverse of the usual one; for UTC{sign}{hours} write {meant}, "
                      "or better, the zone of a city (Europe/Moscow, America/Sao_Paulo)",
                      span=len(name))
    return name


def _base_url(record: Record, diags: Diagnostics) -> str:
    base_url: str = record.get("base_url", "http://localhost:8000/")
    problem = base_url_problem(base_url)
    if problem:
        diags.error(record.where("base_url"), f"'base_url' {problem}")
        base_url = urlsplit(base_url)._replace(query="", fragment="").geturl()
    return site_address(base_url)


def site_address(url: str) -> str:
    """A base URL as every link, feed and the sitemap writes it: its path percent-encoded
    (``/nüws/`` is ``/n%C3%BCws/``, as the site's own paths are; what is encoded already
    stays as it is), its host in the form every client sends (``Bücher.example`` is
    ``xn--bcher-kva.example``), without the scheme's own port (``:443`` for https), ending
    with ``/``: a feed reader or a search engine compares these addresses as text."""
    parts = urlsplit(url)
    path = quote(parts.path, safe="/%!$&'()*+,;=:@-._~")
    url = parts._replace(scheme=parts.scheme.lower(), netloc=_host_address(parts),
                         path=path).geturl()
    return url if url.endswith("/") else url + "/"


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _ascii_host(host: str) -> str:
    """A host in Unicode in the ASCII form clients send, where that form names the same
    host: Python's IDNA (2003) maps ``faß.de`` to ``fass.de``, where browsers now go to
    ``xn--fa-hia.de``, another domain; such a name stays as written (a link still shows
    it), as does one IDNA cannot write."""
    with contextlib.suppress(UnicodeError):
        ascii_form = host.encode("idna").decode("ascii")
        if ascii_form.encode("ascii").decode("idna") == host:
            return ascii_form
    return host


def _host_address(parts: SplitResult) -> str:
    """The ``host[:port]`` part of an address, the host in lower case and in ASCII."""
    host = parts.hostname
    if not host:
        return parts.netloc
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    elif not host.isascii():
        host = _ascii_host(host)
    try:
        port = parts.port
    except ValueError:  # not a number: as it was
        return parts.netloc
    user = parts.netloc.rpartition("@")[0]
    shown = host if port is None or _DEFAULT_PORTS.get(parts.scheme.lower()) == port \
        else f"{host}:{port}"
    return f"{user}@{shown}" if user else shown


def base_url_problem(url: str) -> str | None:
    """What a URL has that a site's address cannot: a query or fragment (every page's links
    would drop it), a user name or password (every page would publish it), a file name or an
    empty part in its path (every link would lead nowhere)."""
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        return f"must not have a query or fragment, not {url!r}"
    if "@" in parts.netloc:
        host = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        return ("must not hold a user name or password: every page, feed and the sitemap "
                f"would publish it; write {host!r} and give the password to the browser, not "
                "the site")
    last = parts.path.rsplit("/", 1)[-1]
    if _FILE_NAME.search(last):
        folder = parts._replace(path=parts.path[:len(parts.path) - len(last)]).geturl()
        return f"must be a folder, not a file ({last!r}): write {folder!r}"
    if "//" in parts.path:
        single = parts._replace(path=re.sub("/{2,}", "/", parts.path)).geturl()
        return f"has an empty part ('//') in its path: write {single!r}"
    return None


_FILE_NAME = re.compile(r"\.(?:html?|php|aspx?|jsp|xml|json|txt)$", re.IGNORECASE)


def is_local_address(url: str) -> bool:
    """Whether a URL's host is this computer (localhost, a loopback or unspecified address)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def local_base_url_warning(config: SiteConfig) -> Diagnostic | None:
    """`build` without --base-url for a site whose base_url is still an address of this
    computer: its feeds, sitemap and canonical links would lead nowhere once published."""
    if not is_local_address(config.base_url):
        return None
    where = "feeds, the sitemap and canonical links would point at this computer"
    if config.base_url_loc is None:
        return Diagnostic(CONFIG_FILE, Loc(1, 1), Severity.WARNING,
                          f"base_url is not set, so {config.base_url} is used: {where}; add "
                          "'base_url: https://…' with the site's public address, or build with "
                          "--base-url URL")
    return Diagnostic(CONFIG_FILE, config.base_url_loc, Severity.WARNING,
                      f"base_url {config.base_url} is a local address: {where}; set it to the "
                      "site's public address, or build with --base-url URL",
                      len(config.base_url.rstrip("/")))


def _content_dir(root: Path, record: Record, written: set[str], diags: Diagnostics) -> str | None:
    """The content folder, or None when the one site.yaml names cannot be read: checking
    another folder's content instead would report problems the editor does not have. One
    that does not exist is kept (it holds nothing to check; ``new`` creates it)."""
    if "content_dir" in written and "content_dir" not in record.values:
        return None  # written with a value of the wrong type, already reported
    content_dir: str = record.get("content_dir", "content")
    if "content_dir" not in record.values:
        if folder_problem(root / content_dir, must_exist=True) == "does not exist":
            # A site run from the wrong folder, or whose content moved, would publish an
            # empty site over its pages without a word.
            diags.warning(FILE_START, "there is no content/ folder next to site.yaml, so the "
                                      "site has no briefings, actors or sources; create one "
                                      "('briefgen new briefing ID' does) or set 'content_dir'")
    else:
        unexpanded = _unexpanded(content_dir)
        unusable = f"holds {unexpanded}, which briefgen does not expand; write the folder's " \
                   "full path, or one relative to the site" if unexpanded else \
            folder_problem(root / content_dir, must_exist=True)
        if unusable:
            diags.error(record.where("content_dir"),
                        f"'content_dir' folder {shortened(content_dir)} {unusable}")
        if unusable and unusable != "does not exist":
            return None
    return content_dir


def _unexpanded(path: str) -> str | None:
    """'~' or '$NAME' in a folder's path: no shell reads site.yaml, so they are kept as
    written (a folder named '~' in the site; deleting it with 'rm -rf ~' deletes one's home)."""
    if path.startswith("~"):
        return "'~'"
    found = re.search(r"\$(?:\{[A-Za-z_]\w*\}|[A-Za-z_]\w*)", path)
    return f"'{found.group()}'" if found else None


def _output_dir(root: Path, record: Record, diags: Diagnostics) -> str:
    output_dir: str = record.get("output_dir", "public")
    if "output_dir" in record.values:
        unexpanded = _unexpanded(output_dir)
        if unexpanded:
            diags.error(record.where("output_dir"),
                        f"'output_dir' holds {unexpanded}, which briefgen does not expand (no "
                        "shell reads site.yaml): it would make a folder of that name; write the "
                        "folder's full path, or one relative to the site")
            return "public"
        unusable = folder_problem(root / output_dir, must_exist=False)
        if unusable:
            diags.error(record.where("output_dir"),
                        f"'output_dir' folder {shortened(output_dir)} {unusable}")
            return "public"  # nothing is written in a run with errors
    return output_dir


def _theme(root: Path, record: Record, diags: Diagnostics) -> str:
    theme: str = record.get("theme", "default")
    if theme == "default":
        return theme
    unusable = folder_problem(root / "themes" / theme, must_exist=True)
    if unusable == "does not exist":
        diags.error(record.where("theme"), f"theme {theme!r} not found: no folder "
                                           f"themes/{theme}/ in the site")
    elif unusable:
        diags.error(record.where("theme"), f"theme {shortened(theme)}: its folder {unusable}")
    return "default" if unusable else theme


def folder_problem(path: Path, must_exist: bool) -> str | None:
    """Why a folder named in site.yaml cannot be used, or None."""
    pseudo = pseudo_filesystem(path)
    if pseudo:
        return f"is on the kernel file system {pseudo}, which holds no site; choose a folder of yours"
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return "does not exist" if must_exist else None
        return f"cannot be used: {os_problem(exc)}"
    except ValueError:  # a NUL in the name
        return "cannot be used: a file name cannot hold a NUL character"
    if must_exist and not stat.S_ISDIR(mode):
        return "is not a folder"
    return None


def zone_problem(name: str) -> str | None:
    try:
        ZoneInfo(name)
        return None
    except (ZoneInfoNotFoundError, ValueError):
        pass
    known = {z.casefold(): z for z in available_timezones()}
    if name.casefold() in known:
        return f"unknown time zone {name!r}; did you mean {known[name.casefold()]!r}?"
    return f"unknown time zone {name!r}; use an IANA name such as Europe/Paris"


def load_config(root: Path) -> tuple[SiteConfig | None, Diagnostics]:
    path = root / CONFIG_FILE
    diags = Diagnostics(CONFIG_FILE)
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            diags.error(Loc(1, 1), f"no {CONFIG_FILE} in {shortened(str(root), quoted=False)}; "
                                   "create one with 'briefgen init DIR' or point --site at a site folder")
        else:
            diags.error(Loc(1, 1), f"cannot read {shortened(str(path), quoted=False)}: {os_problem(exc)}")
        return None, diags
    except ValueError:  # a NUL in the path
        diags.error(Loc(1, 1), "the site folder's name cannot hold a NUL character")
        return None, diags
    if stat.S_ISDIR(mode):
        diags.error(Loc(1, 1), f"{path} is a folder; site.yaml must be a file")
        return None, diags
    try:
        data = read_regular(path)
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        diags.error(*not_utf8(data))
        return None, diags
    except FileProblem as exc:
        diags.error(Loc(1, 1), f"the file {exc}")
        return None, diags
    return parse_config(root, text)
