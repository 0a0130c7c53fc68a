"""Images as the site shows them: each path an editor writes checked against the static
files, the file's facts (``image_file`` nodes), and what a page needs to show it (``src``,
``srcset``, its size), read through the reader of the document that shows it.

Levels: the static files (inputs) → ``image_file`` (the facts of one file, kept between runs)
→ ``image`` (the file a path names, or the names it may have meant). A visible document that
shows an image emits it into the ``images`` index, from which the plan publishes its copies
(``image_copy`` outputs); a draft's images are checked but not published.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from markdown_it.common.utils import escapeHtml

from briefgen.engine.deps import Key, Reader
from briefgen.errors import Diagnostics
from briefgen.fragmenttypes import Ref
from briefgen.images import MAX_WIDTH, CopyCache, ImageFacts, probe
from briefgen.model import ImageSpec
from briefgen.site.settings import Flags
from briefgen.suggest import closest
from briefgen.urls import Urls

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".svg")
STATIC = "content/static/"
# How wide a Markdown image is shown: the text column (40rem) or the screen less its margins.
PROSE_SIZES = "(min-width: 42.5rem) 40rem, calc(100vw - 2.5rem)"


# ------------------------------------------------------------------------ nodes


def image_file(r: Reader, rel: str) -> ImageFacts:
    """The node ``("image_file", rel)``: what the static file ``rel`` is, as an image."""
    path: Path | None = r.get(("static", rel))
    if path is None:
        return ImageFacts("", "", 0, 0, False, False, "is gone")
    return probe(path)


@dataclass(frozen=True, slots=True)
class FoundImage:
    """The static file a path names: its facts, or (none found) the paths meant perhaps."""

    rel: str
    path: str  # where the file is, or would be, relative to the site
    facts: ImageFacts | None
    suggestions: tuple[str, ...] = ()


def image(r: Reader, rel: str) -> FoundImage:
    """The node ``("image", rel)``: the file under content/static/ at ``rel``, if any."""
    listing: tuple[tuple[str, str], ...] = r.get(("listing", "static"))
    folder = STATIC
    for item_rel, item_path in listing:
        if item_rel == rel:
            return FoundImage(rel, item_path, r.get(("image_file", rel)))
        folder = item_path[:len(item_path) - len(item_rel)]
    rels = {item_rel for item_rel, _ in listing}
    meant = rel.rpartition("static/")[2]  # the path written from the site folder
    if meant != rel and meant in rels:
        return FoundImage(rel, folder + rel, None, (meant,))
    images = [x for x in rels if x.lower().endswith(IMAGE_SUFFIXES)]
    return FoundImage(rel, folder + rel, None, tuple(closest(rel, images, 1)))


# ------------------------------------------------------------------------ paths


def static_rel(src: str) -> tuple[str, str | None]:
    """The static file a path names (relative to content/static/), or why it names none."""
    shown = src if len(src) <= 60 else src[:57] + "…"
    parts = urlsplit(src)
    if parts.scheme.lower() == "data":
        return "", (f"image '{shown}' is embedded in the text; save it as a file under "
                    f"{STATIC} and write its path (/images/name.png)")
    if parts.scheme or src.startswith("//"):
        name = PurePosixPath(unquote(parts.path)).name or "picture.jpg"
        return "", (f"image '{shown}' is on another host: briefgen publishes only images it can "
                    f"check, and the site loads nothing from other hosts; save the file under "
                    f"{STATIC} (as {STATIC}images/{name}) and write /images/{name}")
    if parts.query or parts.fragment:
        return "", f"image '{shown}' has a '?' or '#' part; write the file's path alone"
    rel = unquote(parts.path).lstrip("/")
    if not rel or any(part in ("", ".", "..") for part in rel.split("/")):
        return "", f"image '{shown}' is not the path of a file under {STATIC}"
    return rel, None


def copy_rel(rel: str, width: str) -> str:
    """Where the copy of ``rel`` at ``width`` is published: the largest (width "") at the
    file's own path, the others beside it (``images/x.jpg`` → ``images/x.480w.jpg``)."""
    if not width:
        return rel
    folder, _, name = rel.rpartition("/")
    stem, dot, suffix = name.rpartition(".")
    named = f"{stem}.{width}w.{suffix}" if dot and stem else f"{name}.{width}w"
    return f"{folder}/{named}" if folder else named


# ------------------------------------------------------------------------ showing


@dataclass(frozen=True, slots=True)
class Figure:
    """An image as a template shows it (docs/theming.md): ``src`` and ``srcset`` are links
    under ``base_url``'s path; ``width``/``height`` are 0 when unknown (an SVG without size)."""

    src: str
    srcset: str  # "480w" copies and the largest; "" for GIF and SVG, shown as they are
    width: int
    height: int
    alt: str  # "" for a decorative image
    caption: str
    credit: str
    url: str  # absolute, for og:image and JSON-LD
    mime: str


class Media:
    """The images of one document, resolved through its node's reader: each path checked
    (a located error when it names no usable file) and, for a visible document, emitted
    into the ``images`` index so that the plan publishes its copies."""

    def __init__(self, r: Reader, urls: Urls, visible: bool) -> None:
        self.r, self.urls, self.visible = r, urls, visible

    def attrs(self, ref: Ref, diags: Diagnostics) -> str:
        """The attributes of a Markdown image's ``<img>`` but its ``alt``."""
        src = ref.image or ""
        shown = self.figure(ImageSpec(src, "", None, None, ref.loc, ref.span), diags)
        if shown is None:
            return f'src="{escapeHtml(src)}"'
        parts = [f'src="{escapeHtml(shown.src)}"']
        if shown.srcset:
            parts += [f'srcset="{escapeHtml(shown.srcset)}"', f'sizes="{PROSE_SIZES}"']
        if shown.width:
            parts.append(f'width="{shown.width}" height="{shown.height}"')
        return " ".join([*parts, 'loading="lazy" decoding="async"'])

    def figure(self, spec: ImageSpec | None, diags: Diagnostics) -> Figure | None:
        """A front-matter image (or a Markdown one's file) as pages show it; None if there
        is none or it cannot be shown (reported)."""
        if spec is None:
            return None
        rel, problem = static_rel(spec.src)
        if problem is not None:
            diags.error(spec.loc, problem, span=spec.span)
            return None
        rel, found, lead = self._find(rel, spec.src)
        facts = found.facts
        if facts is None:
            hint = f"; did you mean '{lead}{found.suggestions[0]}'?" if found.suggestions else ""
            diags.error(spec.loc, f"image '{spec.src}' not found: there is no file "
                                  f"{found.path}{hint}", span=spec.span)
            return None
        if facts.problem is not None:
            diags.error(spec.loc, f"image '{spec.src}' ({found.path}) {facts.problem}",
                        span=spec.span)
            return None
        if self.visible:
            self.r.emit("images", ((rel,), None, rel))
        return self._figure(rel, facts, spec)

    def _find(self, rel: str, src: str) -> tuple[str, FoundImage, str]:
        """The file a path names, and how its suggestions start. A root-relative path that
        starts with base_url's path (written as links are) names the file without it, when
        content/static/ has none at the path as written."""
        found: FoundImage = self.r.get(("image", rel))
        folder = unquote(self.urls.prefix).lstrip("/")  # "" at the root of the host
        if found.facts is not None or not folder or not src.startswith("/") \
                or not rel.startswith(folder) or rel == folder:
            return rel, found, "/" if src.startswith("/") else ""
        inner = rel[len(folder):]
        return inner, self.r.get(("image", inner)), "/" + folder

    def _figure(self, rel: str, facts: ImageFacts, spec: ImageSpec) -> Figure:
        flags: Flags = self.r.get(("settings", "flags"))
        version = f"?v={facts.digest[:10]}" if flags.versioned_assets else ""
        widths = facts.widths()
        srcset = ", ".join(f"{self.urls.link(copy_rel(rel, str(w)))}{version} {w}w"
                           for w in widths)
        width = facts.main_width if facts.resizable else facts.width
        if srcset:
            srcset += f", {self.urls.link(rel)}{version} {width}w"
        height = facts.height_at(width) if facts.resizable else facts.height
        return Figure(self.urls.link(rel) + version, srcset, width, height, spec.alt,
                      spec.caption or "", spec.credit or "", self.urls.absolute(rel) + version,
                      facts.mime)


# ------------------------------------------------------------------------ publishing


def planned_copies(r: Reader) -> list[Key]:
    """The copies to publish of every image a visible document shows: for a resizable
    image, its smaller copies and the largest, at its own path (``image_copy`` outputs)."""
    keys: list[Key] = []
    for rel in sorted({item[2] for item in r.index("images")}):
        facts: ImageFacts = r.get(("image_file", rel))
        if facts.problem is None and facts.resizable:
            keys += [("image_copy", rel, str(w)) for w in facts.widths()]
            keys.append(("image_copy", rel, ""))
    return keys


@dataclass(frozen=True, slots=True)
class CopyPlan:
    """What the output ``("image_copy", rel, width)`` is made from: ``width`` None means the
    file itself, published as it is (already upright, small enough, without metadata)."""

    source: Path
    facts: ImageFacts
    width: int | None
    cache: CopyCache | None


def copy_plan(r: Reader, rel: str, width: str) -> CopyPlan:
    """The plan of the output ``("image_copy", rel, width)``, read through its reader."""
    return plan_copy(r.get(("image_file", rel)), r.get(("static", rel)),
                     r.get(("service", "images")), width)


def plan_copy(facts: ImageFacts, source: Path, cache: CopyCache | None, width: str) -> CopyPlan:
    if not width and facts.clean and facts.width <= MAX_WIDTH:
        return CopyPlan(source, facts, None, cache)
    return CopyPlan(source, facts, int(width) if width else facts.main_width, cache)
