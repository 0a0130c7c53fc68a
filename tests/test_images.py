"""Images: what a file is (``images.probe``), its copies for the web (resized, upright, with no
metadata), and how a built site shows and publishes them."""

from __future__ import annotations

import io
import json
import re
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

import briefgen.build
from briefgen import images
from briefgen.build import BuildOptions, BuildResult, build
from briefgen.cache import cache_folder
from briefgen.output import MANIFEST
from briefgen.preview import Preview
from briefgen.web.make import MANY_PIECES
from tests.conftest import write

GPS_IFD = 0x8825
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>Washington</rdf:RDF></x:xmpmeta>'


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "ExampleCam"  # Make
    exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "N", 2: (38.0, 53.0, 51.0), 3: "W", 4: (77.0, 2.0, 53.0)}
    return exif


def photo(size: tuple[int, int] = (1600, 900), fmt: str = "JPEG", orientation: int = 1,
          **extra: object) -> bytes:
    """A picture with a camera's metadata: EXIF with a GPS position, XMP, a colour profile."""
    image = Image.new("RGB", size, (200, 120, 40))
    image.paste((20, 40, 200), (0, 0, size[0] // 4, size[1]))  # a band to tell left from right
    buffer = io.BytesIO()
    options: dict[str, object] = {"exif": camera_exif(orientation).tobytes(), **extra}
    if fmt in ("JPEG", "WEBP"):
        options["xmp"] = XMP
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims a size in its header and holds no pixels (a decompression bomb's
    header costs nothing to write)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                               0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


def private_data(data: bytes) -> list[str]:
    """What of a camera's metadata a file still carries."""
    found = []
    image = Image.open(io.BytesIO(data))
    if image.getexif():
        found.append("EXIF")
    for marker in (b"Exif\x00", b"ExampleCam", b"xmpmeta", b"Washington", b"A. Editor"):
        if marker in data:
            found.append(marker.decode("latin-1"))
    return found


# ------------------------------------------------------------------------ facts and copies


def test_a_photo_turned_on_its_side_is_measured_upright():
    facts = images.probe_bytes(photo((1600, 900), orientation=6))
    assert (facts.format, facts.width, facts.height) == ("JPEG", 900, 1600)
    assert facts.resizable and not facts.clean  # EXIF to strip, a side to turn
    assert facts.widths() == (480, 800)  # narrower than the photo itself


def test_copies_carry_no_metadata_and_stand_upright():
    for fmt in ("JPEG", "PNG", "WEBP"):
        data = photo((1600, 900), fmt, orientation=6)
        assert private_data(data), f"the {fmt} source has metadata to remove"
        facts = images.probe_bytes(data)
        copies = images.make_copies(data, facts, [480, facts.main_width])
        for width, copy in copies.items():
            assert private_data(copy) == [], (fmt, width)
            shown = Image.open(io.BytesIO(copy))
            assert shown.format == fmt
            assert shown.size == (width, facts.height_at(width))
            # Turned upright: the blue band, on the left of the stored picture, is on top.
            top, bottom = shown.getpixel((width // 2, 5)), shown.getpixel((width // 2, shown.height - 5))
            assert top[2] > 150 and bottom[2] < 100, (fmt, top, bottom)


def test_png_text_chunks_are_not_published():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "A. Editor")
    buffer = io.BytesIO()
    Image.new("RGB", (900, 300), "white").save(buffer, "PNG", pnginfo=info)
    facts = images.probe_bytes(buffer.getvalue())
    assert not facts.clean
    copy = images.make_copies(buffer.getvalue(), facts, [900])[900]
    assert private_data(copy) == []


def test_the_colour_profile_is_kept():
    profile = b"\x00\x00\x02\x0cprofile-bytes" * 4
    data = photo((900, 600), icc_profile=profile)
    copy = images.make_copies(data, images.probe_bytes(data), [480])[480]
    assert Image.open(io.BytesIO(copy)).info.get("icc_profile") == profile


def test_a_clean_upright_picture_needs_no_copy_of_its_own():
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 500), "teal").save(buffer, "PNG")
    facts = images.probe_bytes(buffer.getvalue())
    assert facts.clean and facts.resizable


@pytest.mark.parametrize("data,problem", [
    (png_header(40_000, 40_000), "has 1,600,000,000 pixels, more than briefgen decodes"),
    (png_header(10_000, 10_000), "has 100,000,000 pixels, more than briefgen decodes"),
    (b"GIF89a, or so it says", "is not an image briefgen can read"),
    (photo((800, 600))[:3000], "cannot be decoded: "),
])
def test_bombs_and_broken_files_are_problems_not_crashes(data, problem):
    facts = images.probe_bytes(data)
    assert facts.problem is not None and facts.problem.startswith(problem), facts.problem


@pytest.mark.parametrize("svg,size", [
    ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40px">', (120, 40)),
    ('<?xml version="1.0"?>\n<svg viewBox="0 0 300 150" xmlns="http://www.w3.org/2000/svg">',
     (300, 150)),
    ('<svg width="600" viewBox="0 0 300 150">', (600, 300)),
    ('<svg width="100%" height="100%">', (0, 0)),
    # Sizes no number holds: taken as not given (a float of 400 digits is infinite); huge
    # ones scaled down, their ratio kept.
    (f'<svg width="{"9" * 400}" height="10">', (0, 0)),
    (f'<svg viewBox="0 0 {"9" * 400} 10">', (0, 0)),
    ('<svg viewBox="0 0 250000 180000">', (250000, 180000)),
    ('<svg width="4000000" height="1000">', (1000000, 250)),
])
def test_svg_is_measured_from_its_root_tag(svg, size):
    facts = images.probe_bytes((svg + "<rect/></svg>").encode())
    assert (facts.format, facts.width, facts.height, facts.resizable) == ("SVG", *size, False)


def test_an_animated_image_with_metadata_is_refused():
    frames = [Image.new("RGB", (60, 40), c) for c in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "WEBP", save_all=True, append_images=frames[1:],
                   exif=camera_exif().tobytes())
    facts = images.probe_bytes(buffer.getvalue())
    assert facts.problem is not None and "EXIF, XMP or IPTC" in facts.problem


def test_a_gif_with_a_comment_is_refused_as_metadata():
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "red").save(buffer, "GIF", comment=b"Ivan Petrov, 12 Lenin St")
    facts = images.probe_bytes(buffer.getvalue())
    assert facts.problem is not None and "or a comment" in facts.problem
    plain = io.BytesIO()
    Image.new("RGB", (60, 40), "red").save(plain, "GIF")
    assert images.probe_bytes(plain.getvalue()).problem is None


@pytest.mark.parametrize("inside,found", [
    ('<rect onload="alert(1)"/>', "onload="), ("<script>fetch('/x')</script>", "<script"),
    ('<image href="https://tracker.example/p.png"/>', 'href="https://'),
    ("<image xlink:href='//cdn.example/a.png'/>", "xlink:href='//"),
    ("<style>@import url(https://fonts.example/f.css);</style>", "@import"),
    ('<a href="javascript:alert(1)"><rect/></a>', "javascript:"),
    ("<foreignObject><div/></foreignObject>", "<foreignObject"),
])
def test_an_svg_that_can_run_a_script_or_load_from_elsewhere_is_refused(inside, found):
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           f'width="40" height="20">{inside}</svg>').encode()
    facts = images.probe_bytes(svg)
    assert facts.problem is not None and facts.problem.startswith("is an SVG with ")
    assert found in facts.problem.split(" in it:")[0], facts.problem


def test_an_svg_with_links_inside_itself_is_a_picture():
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           b'width="40" height="20"><defs><rect id="r"/></defs><use href="#r"/>'
           b'<use xlink:href="#r"/><rect fill="url(#g)"/></svg>')
    assert images.probe_bytes(svg).problem is None


# ------------------------------------------------------------------------ a built site


SITE = {
    "site.yaml": "title: Pictures\nbase_url: https://example.org/briefs/\n",
    "content/actors/ana.yaml": "name: Ana\nkind: person\n"
                               "image: {src: /images/ana.jpg, alt: \"\", credit: Desk}\n",
    "content/sources/wire.yaml": "title: Wire\npublisher: Wire\ndate: 2021\n",
    "content/briefings/talks.md": (
        "---\ntitle: Talks\ndate: 2022-02-01\nimage:\n  src: /images/lead.jpg\n"
        "  alt: Envoys at a table\n  caption: The talks opened on Monday.\n  credit: \"Photo: Desk\"\n"
        "---\n\nLead with [[ana]].\n\n## 2022-01-10 Envoys meet\n\nThey met [@wire].\n\n"
        "![A map of the route](/images/map.svg \"The route\")\n"),
    "content/briefings/plans.md": (
        "---\ntitle: Plans\ndate: 2022-02-02\nstatus: draft\n---\n\n"
        "## 2022-01-11 Later\n\nSoon [@wire] with [[ana]].\n\n![Draft only](/images/draft.jpg)\n"),
    "content/static/images/map.svg": '<svg xmlns="http://www.w3.org/2000/svg" '
                                     'viewBox="0 0 200 100"><rect width="200" height="100"/></svg>',
}


def make_site(root: Path) -> Path:
    site = write(root / "site", SITE)
    folder = site / "content/static/images"
    (folder / "lead.jpg").write_bytes(photo((2400, 1350)))
    (folder / "ana.jpg").write_bytes(photo((600, 800), orientation=1))
    (folder / "draft.jpg").write_bytes(photo((900, 600)))
    return site


def run(site: Path, out: Path, **options: object) -> BuildResult:
    result = build(site, BuildOptions(out=out, **{"jobs": 1, **options}))  # type: ignore[arg-type]
    assert result.ok, [d.headline() for d in result.diagnostics]
    return result


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != MANIFEST}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path)


def test_a_lead_image_is_a_figure_with_every_copy_published(site, tmp_path):
    out = tmp_path / "out"
    result = run(site, out)
    assert result.images is not None and (result.images.resized, result.images.reused) == (2, 0)
    page = (out / "briefings/talks/index.html").read_text()
    img = re.search(r'<figure class="bg-figure bg-lead-figure">\s*<img ([^>]*)>', page)
    assert img is not None
    attrs = dict(re.findall(r'([a-z]+)="([^"]*)"', img.group(1)))
    assert (attrs["width"], attrs["height"], attrs["alt"]) == ("1920", "1080", "Envoys at a table")
    listed = [item.rsplit(" ", 1) for item in attrs["srcset"].split(", ")]
    assert [w for _, w in listed] == ["480w", "800w", "1280w", "1920w"]
    for url, width in listed:
        path = url.split("?")[0]
        assert path.startswith("/briefs/images/lead"), "links carry base_url's path"
        copy = (out / path.removeprefix("/briefs/")).read_bytes()
        assert Image.open(io.BytesIO(copy)).width == int(width[:-1])
        assert private_data(copy) == []
    assert attrs["src"] == listed[-1][0]  # the largest, at the file's own path
    assert "<figcaption>The talks opened on Monday. <span class=\"bg-credit\">Photo: Desk</span>" \
        in page
    # Link previews and search engines see the lead image.
    assert re.search(r'<meta property="og:image" content="https://example.org/briefs/images/'
                     r'lead\.jpg\?v=[0-9a-f]{10}">', page)
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    ld = json.loads(re.search(r'application/ld\+json">(.*?)</script>', page).group(1))
    assert ld["image"]["url"].startswith("https://example.org/briefs/images/lead.jpg")
    assert (ld["image"]["width"], ld["image"]["creditText"]) == (1920, "Photo: Desk")


def test_svg_passes_through_and_a_draft_publishes_no_copy(site, tmp_path):
    out = tmp_path / "out"
    run(site, out)
    page = (out / "briefings/talks/index.html").read_text()
    assert ('<figure class="bg-figure"><img src="/briefs/images/map.svg?v=') in page
    assert 'width="200" height="100" loading="lazy"' in page
    assert "<figcaption>The route</figcaption>" in page
    assert (out / "images/map.svg").read_bytes() == (site / "content/static/images/map.svg"
                                                      ).read_bytes()
    # Shown only by a draft: not resized, and copied as any other static file.
    assert not (out / "images/draft.480w.jpg").exists()
    assert (out / "images/draft.jpg").read_bytes() == (site / "content/static/images/draft.jpg"
                                                        ).read_bytes()
    portrait = (out / "actors/ana/index.html").read_text()
    assert 'class="bg-figure bg-portrait"' in portrait and 'alt=""' in portrait
    assert private_data((out / "images/ana.jpg").read_bytes()) == []


def test_an_unchanged_image_is_never_resized_again(site, tmp_path):
    out = tmp_path / "out"
    run(site, out)
    again = run(site, tmp_path / "elsewhere")  # a new output folder: copies from the cache
    assert again.images is not None and (again.images.resized, again.images.reused) == (0, 2)
    assert files(tmp_path / "elsewhere") == files(out)
    (site / "content/static/images/lead.jpg").write_bytes(photo((2000, 1000)))
    changed = run(site, out)
    assert changed.images is not None and (changed.images.resized, changed.images.reused) == (1, 1)
    assert 'width="1920" height="960"' in (out / "briefings/talks/index.html").read_text()


def test_deleting_the_cache_is_safe(site, tmp_path):
    out = tmp_path / "out"
    run(site, out)
    before = files(out)
    shutil.rmtree(cache_folder(site) / "images")
    (site / "content/briefings/talks.md").write_text(
        (site / "content/briefings/talks.md").read_text() + "\nMore.\n")
    run(site, out)  # the copies are kept in the output; nothing asks for them
    shutil.rmtree(cache_folder(site))
    shutil.rmtree(out)
    run(site, out)
    after = files(out)
    assert {k: v for k, v in after.items() if "images/" in k} == \
        {k: v for k, v in before.items() if "images/" in k}


@pytest.mark.parametrize("damage", [lambda data: b"", lambda data: data[:len(data) // 2],
                                    lambda data: b"\xab" * len(data)])
def test_a_damaged_copy_in_the_cache_is_made_again_not_published(site, tmp_path, damage):
    out = tmp_path / "out"
    run(site, out)
    before = {k: v for k, v in files(out).items() if "images/" in k}
    kept = [p for p in (cache_folder(site) / "images").iterdir() if not p.name.startswith(".")]
    assert kept
    for path in kept:
        path.write_bytes(damage(path.read_bytes()))
    elsewhere = tmp_path / "elsewhere"
    again = run(site, elsewhere)
    assert again.images is not None and again.images.resized > 0
    assert {k: v for k, v in files(elsewhere).items() if "images/" in k} == before
    assert all(images.is_whole(path.read_bytes(), "JPEG") for path in kept if path.suffix == ".jpg")


def test_a_copy_damaged_in_its_middle_is_made_again_not_published(site, tmp_path):
    """Its first and last bytes as they were (what a look at a file's ends tells): the
    digest kept beside it does not match."""
    out = tmp_path / "out"
    run(site, out)
    before = {k: v for k, v in files(out).items() if "images/" in k}
    kept = [p for p in (cache_folder(site) / "images").iterdir() if p.suffix == ".jpg"]
    assert kept and all((p.parent / (p.name + ".digest")).is_file() for p in kept)
    for path in kept:
        data = path.read_bytes()
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes(16) + data[middle + 16:])
        assert images.is_whole(path.read_bytes(), "JPEG")
    elsewhere = tmp_path / "elsewhere"
    run(site, elsewhere)
    assert {k: v for k, v in files(elsewhere).items() if "images/" in k} == before


def test_check_resizes_nothing(site, tmp_path):
    result = build(site, BuildOptions(write=False, jobs=1))
    assert result.ok and result.images is None
    assert not (cache_folder(site) / "images").exists()


def test_a_static_file_in_the_place_of_a_copy_is_an_error(site, tmp_path):
    (site / "content/static/images/lead.480w.jpg").write_bytes(photo((480, 270)))
    result = build(site, BuildOptions(out=tmp_path / "out", jobs=1))
    assert [d.headline() for d in result.diagnostics] == [
        "content/static/images/lead.480w.jpg:1:1: error: static file 'images/lead.480w.jpg' "
        "collides with a generated file of the same path; rename or move it"]


def test_a_copy_is_the_same_file_whatever_else_is_made_with_it():
    data = photo((1400, 2600), orientation=6)  # shown 2600 wide
    facts = images.probe_bytes(data)
    every = images.make_copies(data, facts, [*facts.widths(), facts.main_width])
    assert sorted(every) == [480, 800, 1280, 1920]
    for width in every:
        assert images.make_copies(data, facts, [width]) == {width: every[width]}


# ------------------------------------------------------------------------ edits


def page_size(page: Path) -> str:
    found = re.search(r'<figure class="bg-figure bg-lead-figure">\s*<img [^>]*(width="\d+" '
                      r'height="\d+")', page.read_text())
    assert found is not None
    return found.group(1)


def test_a_photo_replaced_in_the_preview_remakes_the_pages_that_show_it(site, tmp_path,
                                                                         monkeypatch):
    preview = Preview(site, tmp_path / "served", BuildOptions(jobs=1))
    assert preview.rebuild().ok
    page = preview.out / "briefings/talks/index.html"
    assert page_size(page) == 'width="1920" height="1080"'
    (site / "content/static/images/lead.jpg").write_bytes(photo((1000, 800)))

    def walk(*args: object) -> None:
        raise AssertionError("the whole content was scanned for one changed file")

    # The watcher names the file: it alone is looked at again (no walk of the content).
    monkeypatch.setattr(briefgen.build, "scan_content", walk)
    result = preview.rebuild(frozenset({"content/static/images/lead.jpg"}))
    assert result.ok and result.stats is not None
    assert {"briefings/talks/index.html", "images/lead.jpg", "images/lead.480w.jpg",
            "images/lead.800w.jpg"} <= set(result.stats.changed)
    assert "images/lead.1280w.jpg" not in set(files(preview.out))  # narrower than that now
    assert page_size(page) == 'width="1000" height="800"'
    monkeypatch.undo()
    clean = run(site, tmp_path / "clean", use_cache=False, versioned_assets=False)
    assert clean.ok and files(preview.out) == files(tmp_path / "clean")


def test_documents_filled_in_workers_still_follow_their_images(tmp_path):
    """A first build with many documents fills them in worker processes: the images they
    read there are known to the build, which remakes their pages when a photo changes."""
    many = {f"content/briefings/b{i}.md": (
        f"---\ntitle: B {i}\ndate: 2022-01-01\nimage: {{src: /images/lead.jpg, alt: Lead}}\n"
        f"---\n\nLead.\n\n## 2022-01-0{1 + i % 9} Entry\n\nText.\n") for i in range(MANY_PIECES)}
    site = write(tmp_path / "site", {"site.yaml": SITE["site.yaml"], **many})
    (site / "content/static/images").mkdir(parents=True)
    (site / "content/static/images/lead.jpg").write_bytes(photo((900, 600)))
    out = tmp_path / "out"
    run(site, out, jobs=2)
    assert page_size(out / "briefings/b7/index.html") == 'width="900" height="600"'
    (site / "content/static/images/lead.jpg").write_bytes(photo((600, 600)))
    run(site, out, jobs=2)
    assert page_size(out / "briefings/b7/index.html") == 'width="600" height="600"'


def test_a_path_written_with_base_urls_path_names_the_same_file(site, tmp_path):
    """Written as links are (with base_url's path), an image path still names its file under
    content/static/; a mistake in it is suggested back in the same form."""
    talks = site / "content/briefings/talks.md"
    talks.write_text(talks.read_text() + "\n![The lead again](/briefs/images/lead.jpg)\n")
    out = tmp_path / "out"
    run(site, out)
    page = (out / "briefings/talks/index.html").read_text()
    assert page.count('src="/briefs/images/lead.jpg?v=') == 2
    talks.write_text(talks.read_text() + "\n![A typo](/briefs/images/led.jpg)\n")
    result = build(site, BuildOptions(write=False, jobs=1))
    assert [d.message for d in result.diagnostics] == [
        "image '/briefs/images/led.jpg' not found: there is no file content/static/images/led.jpg;"
        " did you mean '/briefs/images/lead.jpg'?"]
