"""Incremental rebuilds (the preview's, and `build` into the same folder with its cache)
equal a clean build, byte for byte, after any sequence of edits (hypothesis draws the
sequences): adding, changing, renaming and deleting briefings, actors and sources, breaking
and fixing files, editing templates."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from briefgen.build import BuildOptions, build
from briefgen.output import MANIFEST
from briefgen.preview import Preview

ACTORS = ["ana", "ben", "cleo"]
LABELLED_ONLY = "dora"  # linked only with a label of its own: its name shows in no link text
SOURCES = ["memo", "wire", "report"]
BASE_URL = "http://127.0.0.1:8000/"


def briefing(n: int, actors: list[str], sources: list[str], extra: int = 0) -> str:
    entries = "".join(
        f"\n## 2022-0{1 + i % 9}-1{i % 9} Entry {i} about [[{actors[i % len(actors)]}]]\n\n"
        f"Text {extra} with [[{actors[(i + 1) % len(actors)]}]] [@{sources[i % len(sources)]}]"
        f" and [[{LABELLED_ONLY}|someone]].\n"
        for i in range(2 + n % 2))
    # The summary's citations show on cards as publishers; in-text ones always do.
    summary = f"Summary {n} [@{sources[n % len(sources)]}], as @{sources[(n + 1) % len(sources)]} says"
    return (f"---\ntitle: Briefing {n}\ndate: 2022-03-0{1 + n % 9}\ntags: [T{n % 2}]\n"
            f"summary: \"{summary}\"\n---\n\n"
            f"Lead {n}.\n{entries}")


def image(path: Path, n: int) -> None:
    """A photo-like JPEG whose size and colour depend on ``n`` (wide enough for copies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (500 + 150 * (n % 3), 300), (40 * n % 256, 90, 160)).save(path, "JPEG")


def initial_site(root: Path) -> None:
    image(root / "content/static/img/m.jpg", 0)
    files = {"site.yaml": f"title: Equality\nbase_url: {BASE_URL}\n"}
    for a in [*ACTORS, LABELLED_ONLY]:
        files[f"content/actors/{a}.yaml"] = f"name: {a.title()}\nkind: person\n"
    for s in SOURCES:
        files[f"content/sources/{s}.yaml"] = f"title: {s.title()}\npublisher: Wire\ndate: 2021\n"
    for n in range(2):
        files[f"content/briefings/b{n}.md"] = briefing(n, ACTORS, SOURCES)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


operations = st.lists(st.tuples(
    st.sampled_from(["add", "change", "delete", "rename-actor", "cite", "break", "fix",
                     "template", "untemplate", "add-source", "delete-source", "cite-in-text",
                     "publisher", "image", "lead-image", "portrait", "delete-image"]),
    st.integers(min_value=0, max_value=5)), min_size=1, max_size=6)


def apply(site: Path, operation: str, n: int, broken: dict[Path, str]) -> None:
    briefings = sorted((site / "content/briefings").glob("*.md"))
    if operation == "add":
        (site / f"content/briefings/new{n}.md").write_text(briefing(n, ACTORS, SOURCES, n))
    elif operation == "change" and briefings:
        path = briefings[n % len(briefings)]
        path.write_text(path.read_text() + f"\nMore text {n} with [[{ACTORS[n % 3]}]].\n")
    elif operation == "delete" and len(briefings) > 1:
        briefings[n % len(briefings)].unlink()
    elif operation == "rename-actor":
        (site / f"content/actors/{[*ACTORS, LABELLED_ONLY][n % 4]}.yaml").write_text(
            f"name: Renamed {n}\nkind: person\n")
    elif operation == "cite" and briefings:
        path = briefings[n % len(briefings)]
        path.write_text(path.read_text() + f"\nCited [@{SOURCES[n % 3]}, p. {n}].\n")
    elif operation == "break":
        path = [*briefings, site / "site.yaml"][n % (len(briefings) + 1)]
        broken.setdefault(path, path.read_text())
        if path.suffix == ".md":
            path.write_text("---\ntitle: [unclosed\n---\n")
        elif n % 2:  # settings with errors: the content is checked with their defaults
            path.write_text(f"base_url: {BASE_URL}\ntimezone: Mars/Olympus\nfeeds:\n  limit: 0\n")
        else:
            path.write_text("title: [x\n")
    elif operation == "fix":
        for path, text in broken.items():
            path.write_text(text)
        broken.clear()
    elif operation == "template":
        (site / "templates").mkdir(exist_ok=True)
        (site / "templates/tag.html").write_text(
            '{% extends "base.html" %}{% block main %}<h1>' + str(n) + " {{ tag.name }}</h1>"
            "{% endblock %}")
    elif operation == "untemplate":
        shutil.rmtree(site / "templates", ignore_errors=True)
    elif operation == "add-source":
        (site / f"content/sources/extra{n}.yaml").write_text(
            f"title: Extra {n}\npublisher: Wire\ndate: 2020\n")
    elif operation == "cite-in-text" and briefings:
        # "@extraN" is text until a source has that id; the map's citation is in alt text.
        path = briefings[n % len(briefings)]
        path.write_text(path.read_text() + f"\n@extra{n} [p. {n}] and @{SOURCES[n % 3]} say so"
                                           f" ![map [@{SOURCES[(n + 1) % 3]}]](/img/m.jpg).\n")
    elif operation == "publisher":  # in-text citations and cards show the publisher
        publisher = [*ACTORS, "Wire"][n % 4]
        (site / f"content/sources/{SOURCES[n % 3]}.yaml").write_text(
            f"title: {SOURCES[n % 3].title()}\npublisher: {publisher}\ndate: 2021\n")
    elif operation == "delete-source":
        for path in (site / "content/sources").glob("extra*.yaml"):
            path.unlink()
    elif operation == "image":  # pages show its size, its copies are made again (or it is back)
        image(site / f"content/static/img/{['m', 'p'][n % 2]}.jpg", n)
    elif operation == "lead-image" and briefings:  # a figure of its own, and a lead image
        path = briefings[n % len(briefings)]
        text = path.read_text().replace("---\n", f"---\nimage: {{src: /img/m.jpg, alt: Lead {n}}}\n", 1)
        path.write_text(text + f"\n![Figure {n}](img/p.jpg \"Caption {n}\")\n")
    elif operation == "portrait":
        (site / f"content/actors/{ACTORS[n % 3]}.yaml").write_text(
            f"name: {ACTORS[n % 3].title()}\nkind: person\n"
            f"image: {{src: /img/{['m', 'p'][n % 2]}.jpg, alt: \"\", credit: Desk {n}}}\n")
    elif operation == "delete-image":  # shown somewhere: an error until it is back
        (site / f"content/static/img/{['m', 'p'][n % 2]}.jpg").unlink(missing_ok=True)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_incremental_rebuilds_equal_clean_builds(steps):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        site = root / "site"
        initial_site(site)
        preview = Preview(site, root / "served", BuildOptions(base_url=BASE_URL, jobs=1))
        assert preview.rebuild().ok
        last_good = snapshot(preview.out)
        broken: dict[Path, str] = {}
        for number, (operation, n) in enumerate(steps):
            apply(site, operation, n, broken)
            result = preview.rebuild()
            if not result.ok:
                assert snapshot(preview.out) == last_good, "a broken edit changed the preview"
                continue
            clean = root / f"clean{number}"
            fresh = build(site, BuildOptions(out=clean, base_url=BASE_URL, jobs=1,
                                             use_cache=False, versioned_assets=False))
            assert fresh.ok
            last_good = snapshot(preview.out)
            assert last_good == snapshot(clean), f"after {steps[:number + 1]}"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_incremental_builds_equal_clean_builds(steps):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        site, out = root / "site", root / "public"
        initial_site(site)
        options = BuildOptions(out=out, base_url=BASE_URL, jobs=1)
        assert build(site, options).ok
        last_good = snapshot(out)
        broken: dict[Path, str] = {}
        for number, (operation, n) in enumerate(steps):
            apply(site, operation, n, broken)
            result = build(site, options)
            if not result.ok:
                assert snapshot(out) == last_good, "a failed build changed the output"
                continue
            clean = root / f"clean{number}"
            assert build(site, BuildOptions(out=clean, base_url=BASE_URL, jobs=1,
                                            use_cache=False)).ok
            last_good = snapshot(out)
            assert last_good == snapshot(clean), f"after {steps[:number + 1]}"
