"""Images as files: what one is (format, size, whether it carries metadata), and its copies
for the web, resized and stripped of every metadata block but the colour profile.

Nothing here knows the site. Decoding is guarded: an image whose header claims more pixels
than Pillow's decompression-bomb limit is refused before it is decoded, and a file that does
not decode to the end (truncated, not an image) is a problem reported to the editor, never a
traceback. The copies are a pure function of the source bytes and the width, so that a copy
made once is kept in the build cache under the source's digest and never made again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import math
import os
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.fileops import replace_file

if TYPE_CHECKING:  # Pillow is imported when an image is first looked at: most builds have none
    from PIL import Image

# Formats that browsers show and that briefgen resizes; GIF and SVG are published as they are.
RESIZED = ("JPEG", "PNG", "WEBP")
AS_IS = ("GIF", "SVG")
FORMAT_NAMES = "JPEG, PNG, WebP, GIF or SVG"
# Widths of the copies offered in ``srcset``; the largest copy is never wider than MAX_WIDTH
# (the text column is 40rem: these cover it at one, two and three device pixels per CSS pixel).
WIDTHS = (480, 800, 1280)
MAX_WIDTH = 1920
JPEG_QUALITY = 82
WEBP_QUALITY = 80


@functools.cache
def recipe() -> str:
    """Changes whenever the copies would come out different: part of every cached copy's name."""
    from PIL import __version__ as pillow

    return hashlib.sha256(repr((1, WIDTHS, MAX_WIDTH, JPEG_QUALITY, WEBP_QUALITY,
                                pillow)).encode()).hexdigest()[:8]

# What a file may carry and still be published as it is: how to decode and show it, nothing
# about where, when or by whom it was made.
_HARMLESS_INFO = frozenset({
    "jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "adobe", "adobe_transform",
    "progressive", "progression", "icc_profile", "gamma", "srgb", "chromaticity", "transparency",
    "interlace", "aspect", "background", "loop", "duration", "version", "lossless",
    "compression", "extension", "default_image", "disposal", "blend", "timestamp",
})
# Metadata that can hold a place, a time, a device or a name.
# A comment may hold a name or a place too (a GIF's, published as it is, would carry it).
_PRIVATE_INFO = ("exif", "xmp", "XML:com.adobe.xmp", "photoshop", "iptc", "comment")
_ORIENTATION = 0x0112


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """What a file under ``content/static/`` is, as an image. ``problem`` says why it cannot
    be published as one (the other fields are then zero)."""

    digest: str  # of the file's bytes
    format: str  # JPEG, PNG, WEBP, GIF or SVG
    width: int  # as displayed (EXIF orientation applied); 0 if unknown (an SVG without size)
    height: int
    resizable: bool  # a still JPEG, PNG or WebP: published as resized copies
    clean: bool  # nothing to strip and upright: the largest copy may be the file itself
    problem: str | None = None

    @property
    def main_width(self) -> int:
        """The width of the copy published at the file's own path."""
        return min(self.width, MAX_WIDTH)

    def widths(self) -> tuple[int, ...]:
        """The widths of the smaller copies, narrowest first (none for files kept as they are)."""
        if not self.resizable or self.problem:
            return ()
        return tuple(w for w in WIDTHS if w < self.main_width)

    def height_at(self, width: int) -> int:
        return max(1, round(self.height * width / self.width)) if self.width else 0

    @property
    def mime(self) -> str:
        return {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp",
                "GIF": "image/gif", "SVG": "image/svg+xml"}.get(self.format, "")


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def _failed(digest: str, problem: str) -> ImageFacts:
    return ImageFacts(digest, "", 0, 0, False, False, problem)


def probe(path: Path) -> ImageFacts:
    """The facts of the image in ``path``: its header read, then decoded to the end (at a
    reduced scale where the format allows) so that a broken file is found now, not later."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _failed("", f"cannot be read ({exc.strerror or exc})")
    return probe_bytes(data, path.suffix.lower() == ".svg")


def probe_bytes(data: bytes, svg: bool = False) -> ImageFacts:
    from PIL import Image, UnidentifiedImageError

    digest = digest_of(data)
    if svg or _looks_like_svg(data):
        active = _SVG_ACTIVE.search(data)
        if active is not None:
            what = active.group().decode("utf-8", "replace").strip()[:40]
            return _failed(digest, f"is an SVG with {what!r} in it: published on the site, "
                                   "it could run a script on the site's pages or load from "
                                   "other hosts; save it again without scripts, event "
                                   "attributes and outside links (an editor's 'plain SVG')")
        width, height = svg_size(data)
        return ImageFacts(digest, "SVG", width, height, False, True)
    try:
        with _guarded(), Image.open(io.BytesIO(data)) as image:
            return _raster_facts(image, digest)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        found = re.search(r"\(([0-9]+) pixels\)", str(exc))
        size = f"{int(found.group(1)):,} pixels" if found else "too many pixels"
        return _failed(digest, f"has {size}, more than briefgen decodes "
                               f"({Image.MAX_IMAGE_PIXELS:,}): a file that large may be a "
                               "decompression bomb; make it smaller")
    except UnidentifiedImageError:
        return _failed(digest, f"is not an image briefgen can read ({FORMAT_NAMES})")
    except (OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError) as exc:
        return _failed(digest, f"cannot be decoded: {_reason(exc)}; save it again from an "
                               "image editor")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:120]


@contextlib.contextmanager
def _guarded() -> Iterator[None]:
    """Pillow's decompression-bomb warning raised as an error, for this call only."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def _raster_facts(image: Image.Image, digest: str) -> ImageFacts:
    fmt = image.format or ""
    if fmt == "MPO":  # a camera's JPEG with a second picture inside: shown as a JPEG
        fmt = "JPEG"
    if fmt not in RESIZED and fmt not in AS_IS:
        return _failed(digest, f"is a {fmt or 'file'} image, which browsers do not all show; "
                               f"save it as {FORMAT_NAMES}")
    animated = getattr(image, "n_frames", 1) > 1
    exif = image.getexif()
    orientation = exif.get(_ORIENTATION, 1)
    private = bool(exif) or any(image.info.get(key) for key in _PRIVATE_INFO)
    texts = [key for key in image.info if key not in _HARMLESS_INFO and key not in _PRIVATE_INFO]
    width, height = image.size
    if fmt == "JPEG":
        image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
    image.load()  # decodes to the end: a truncated file fails here
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    resizable = fmt in RESIZED and not animated
    if not resizable and private:
        return _failed(digest, "carries EXIF, XMP or IPTC metadata or a comment (it can tell "
                               "where, when, by whom and with what it was made), which briefgen "
                               "removes only from still JPEG, PNG and WebP images; remove it "
                               "with an image editor")
    clean = resizable and not private and not texts and orientation in (1, None)
    return ImageFacts(digest, fmt, width, height, resizable, clean)


def _looks_like_svg(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:4096])


_SVG_TAG = re.compile(rb"<svg\b([^>]*)>", re.IGNORECASE)
# What makes an SVG more than a picture: a script, an event attribute, a link to a script or
# to another host (an image or a font loaded from elsewhere), an embedded document.
_SVG_ACTIVE = re.compile(rb"<script\b|<foreignObject\b|\son[a-z]+\s*=|javascript:"
                         rb"|(?:xlink:)?href\s*=\s*[\"']?\s*(?:https?:)?//"
                         rb"|url\(\s*[\"']?\s*(?:https?:)?//|@import", re.IGNORECASE)
_LENGTH = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(px)?\s*$")


def svg_size(data: bytes) -> tuple[int, int]:
    """The size an SVG asks for (``width``/``height`` in pixels, else its ``viewBox``);
    (0, 0) when it says neither. Read from the root tag only: the file is not parsed."""
    match = _SVG_TAG.search(data[:8192])
    if match is None:
        return 0, 0
    attrs = dict((name.lower(), value) for name, value in re.findall(
        r'([A-Za-z:-]+)\s*=\s*["\']([^"\']*)["\']', match.group(1).decode("utf-8", "replace")))
    width, height = _length(attrs.get("width")), _length(attrs.get("height"))
    box = [float(n) for n in re.findall(r"-?[0-9]+(?:\.[0-9]+)?", attrs.get("viewbox", ""))]
    if len(box) == 4 and box[2] > 0 and box[3] > 0:
        if width and not height:
            height = width * box[3] / box[2]
        elif height and not width:
            width = height * box[2] / box[3]
        elif not width and not height:
            width, height = box[2], box[3]
    if not width or not height or not math.isfinite(width) or not math.isfinite(height):
        return 0, 0  # a size no number holds (400 digits, say) is no size
    scale = min(1.0, MAX_SVG_SIDE / max(width, height))  # a map's huge box, kept in shape
    return max(1, round(width * scale)), max(1, round(height * scale))


MAX_SVG_SIDE = 1_000_000  # pixels: larger sizes are scaled down to it, their ratio kept


def _length(text: str | None) -> float:
    match = _LENGTH.match(text or "")
    return float(match.group(1)) if match else 0.0


# ------------------------------------------------------------------------ copies


def make_copies(data: bytes, facts: ImageFacts, widths: Sequence[int]) -> dict[int, bytes]:
    """The copies of a resizable image at each of ``widths`` (among ``facts.main_width``
    and ``facts.widths()``): decoded once, turned upright, resized, and saved with its colour
    profile only. Each copy is made from the next wider one, widest first: a third less work
    than each from the whole picture, and as sharp to the eye. A copy is made the same way
    whatever else is asked for, so that it is the same file wherever it was made."""
    from PIL import Image, ImageOps

    wanted = set(widths)
    chain = [w for w in (facts.main_width, *reversed(facts.widths())) if w >= min(wanted)]
    with _guarded(), Image.open(io.BytesIO(data)) as opened:
        _draft(opened, facts, facts.main_width)
        upright = ImageOps.exif_transpose(opened) or opened
        image = _web_mode(upright, facts.format)
        icc = upright.info.get("icc_profile") if image.mode == upright.mode else None
        copies = {}
        for width in chain:
            height = facts.height_at(width)
            if image.size != (width, height):
                image = image.resize((width, height), Image.Resampling.LANCZOS)
            if width in wanted:
                copies[width] = _encode(image, facts.format, icc)
        return copies


def _draft(image: Image.Image, facts: ImageFacts, width: int) -> None:
    """Let a JPEG decode at a smaller scale that is still at least ``width`` wide."""
    if facts.format != "JPEG" or not facts.width:
        return
    scale = width / facts.width
    raw_w, raw_h = image.size
    image.draft(image.mode, (math.ceil(raw_w * scale), math.ceil(raw_h * scale)))


def _web_mode(image: Image.Image, fmt: str) -> Image.Image:
    """A mode the target format stores and that resizes smoothly (no palette)."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if fmt == "JPEG":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    return image.convert("RGBA" if has_alpha else "RGB")


def _encode(image: Image.Image, fmt: str, icc: bytes | None) -> bytes:
    image.info = {}  # nothing of the source's metadata may ride along
    extra = {"icc_profile": icc} if icc else {}
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True,
                   **extra)
    elif fmt == "PNG":
        image.save(buffer, "PNG", optimize=True, **extra)
    else:
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4, **extra)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class CopyCache:
    """Copies kept between builds, named by the source's digest, the width and the recipe:
    a copy found here is exactly what would be made. Deleting the folder is always safe."""

    folder: Path

    def path(self, facts: ImageFacts, width: int) -> Path:
        suffix = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[facts.format]
        return self.folder / f"{facts.digest}-{width}-{recipe()}{suffix}"

    def missing(self, facts: ImageFacts, widths: Sequence[int]) -> list[int]:
        """The copies not kept here whole, with their digest (a damaged one is made again;
        one damaged in its middle is found as it is published, ``kept``)."""
        return [w for w in widths if not _file_is_whole(self.path(facts, w), facts.format)
                or not _digest_path(self.path(facts, w)).is_file()]

    def store(self, facts: ImageFacts, copies: dict[int, bytes]) -> None:
        """Keep ``copies``, each written whole before it takes its name, with the digest of
        its bytes beside it (``kept``)."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for width, data in copies.items():
            path = self.path(facts, width)
            for target, content in ((path, data),
                                    (_digest_path(path), digest_of(data).encode("ascii"))):
                replace_file(str(target), content,
                             str(self.folder / f".tmp-{os.getpid()}-{target.name}"))

    def kept(self, facts: ImageFacts, width: int) -> bytes | None:
        """A copy kept here, if its bytes are the ones stored (a copy damaged in the cache
        folder, even in its middle, is made again, never published)."""
        path = self.path(facts, width)
        try:
            data = path.read_bytes()
            digest = _digest_path(path).read_bytes()
        except OSError:
            return None
        if not is_whole(data, facts.format) or digest_of(data).encode("ascii") != digest:
            return None
        return data


DIGEST_SUFFIX = ".digest"


def _digest_path(copy: Path) -> Path:
    return copy.with_name(copy.name + DIGEST_SUFFIX)


def copy_bytes(source: Path, facts: ImageFacts, width: int, cache: CopyCache | None) -> bytes:
    """The copy of ``source`` at ``width``: from the cache if it is there whole, else made
    (and kept there)."""
    if cache is not None:
        kept = cache.kept(facts, width)
        if kept is not None:
            return kept
    data = source.read_bytes()
    copies = make_copies(data, facts, [width])
    # A file changed since it was probed is not kept under the digest it no longer has.
    if cache is not None and digest_of(data) == facts.digest:
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            cache.store(facts, copies)
    return copies[width]


_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


def is_whole(data: bytes, image_format: str) -> bool:
    """The bytes of a whole file of ``image_format`` as this module writes them, from its
    first marker to its last: a cached copy cut short, emptied or overwritten is not
    published (it is made again)."""
    return _ends_are_whole(data[:12], data[-12:], len(data), image_format)


def _ends_are_whole(head: bytes, tail: bytes, size: int, image_format: str) -> bool:
    if image_format == "JPEG":
        return head[:3] == b"\xff\xd8\xff" and tail[-2:] == b"\xff\xd9"
    if image_format == "PNG":
        return head[:8] == b"\x89PNG\r\n\x1a\n" and tail[-12:] == _PNG_END
    if image_format == "WEBP":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP" \
            and int.from_bytes(head[4:8], "little") + 8 == size
    return False


def _file_is_whole(path: Path, image_format: str) -> bool:
    """``is_whole`` for a file, reading only its ends."""
    try:
        with path.open("rb") as handle:
            head = handle.read(12)
            size = os.fstat(handle.fileno()).st_size
            handle.seek(max(0, size - 12))
            return _ends_are_whole(head, handle.read(12), size, image_format)
    except OSError:
        return False
