"""Incremental rebuilds (the preview's, and `build` into the same folder with its cache)
equal a clean build, byte for byte and diagnostic for diagnostic, after any sequence of edits
(hypothesis draws the sequences): adding, changing, renaming and deleting briefings, actors,
sources and static files, breaking and fixing files, editing templates, and writing what
other documents are checked against (bracketed ids and names, publishers one edit from an
actor id, links to paths of the site, names mentioned without a link)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.build import BuildOptions, BuildResult, build
from briefgen.output import MANIFEST
from briefgen.preview import Preview

ACTORS = ["ana", "ben", "cleo"]
LABELLED_ONLY = "dora"  # linked only with a label of its own: its name shows in no link text
SOURCES = ["memo", "wire", "report"]
BASE_URL = "http://127.0.0.1:8000/"


PATH_LINKS = "Paths:"  # starts the lines of Markdown links to paths of the site


def briefing(n: int, actors: list[str], sources: list[str], extra: int = 0) -> str:
    entries = "".join(
        f"\n## 2022-0{1 + i % 9}-1{i % 9} Entry {i} about [[{actors[i % len(actors)]}]]\n\n"
        f"Text {extra} with [[{actors[(i + 1) % len(actors)]}]] [@{sources[i % len(sources)]}]"
        f" and [[{LABELLED_ONLY}|someone]], while {actors[(i + 2) % len(actors)].title()} "
        "watched.\n"
        for i in range(2 + n % 2))
    return (f"---\ntitle: Briefing {n}\ndate: 2022-03-0{1 + n % 9}\ntags: [T{n % 2}]\n---\n\n"
            f"Lead {n}.\n{entries}")


def initial_site(root: Path) -> None:
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
                     "template", "untemplate", "add-source", "delete-source", "bracket",
                     "publisher", "add-actor", "delete-actor", "link-path", "unlink-paths",
                     "add-static", "delete-static", "add-page", "delete-page"]),
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
        actors = sorted((site / "content/actors").glob("*.yaml"))
        choices = [*briefings, site / "site.yaml", *actors[:1]]
        path = choices[n % len(choices)]
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
    elif operation == "delete-source":
        for path in (site / "content/sources").glob("extra*.yaml"):
            path.unlink()
    else:
        apply_checked(site, operation, n, briefings)


def apply_checked(site: Path, operation: str, n: int, briefings: list[Path]) -> None:
    """Edits to what documents are checked against: source ids and actor names in brackets,
    actor ids near a publisher, the paths links point to."""
    if operation == "bracket" and briefings:
        path = briefings[n % len(briefings)]
        path.write_text(path.read_text() + f"\nSee [{SOURCES[n % 3]}] and "
                                           f"[{[*ACTORS, 'extra'][n % 4].title()}].\n")
    elif operation == "publisher":
        source = site / f"content/sources/{SOURCES[n % 3]}.yaml"
        near = ["anax", "cleo", "bn", "extr"][n % 4]  # one edit from ana, -, ben, extra
        source.write_text(f"title: {SOURCES[n % 3].title()}\npublisher: {near}\ndate: 2021\n")
    elif operation == "add-actor":
        (site / "content/actors/extra.yaml").write_text("name: Extra\nkind: group\n")
        (site / "content/actors/cleo.yaml").write_text("name: Cleo\nkind: person\n")
    elif operation == "delete-actor":
        (site / "content/actors/extra.yaml").unlink(missing_ok=True)
        (site / "content/actors/cleo.yaml").unlink(missing_ok=True)
    elif operation == "link-path" and briefings:
        path = briefings[n % len(briefings)]
        target = ["/briefings/b0/", f"/briefings/new{n}/", f"/s{n}.txt", f"/p{n}/",
                  "/timeline/2022/", "/actors/cleo/"][n]
        path.write_text(path.read_text() + f"\n{PATH_LINKS} [there]({target})\n")
    elif operation == "unlink-paths":
        for path in briefings:
            lines = path.read_text().splitlines(keepends=True)
            path.write_text("".join(line for line in lines if not line.startswith(PATH_LINKS)))
    elif operation == "add-static":
        (site / f"content/static/s{n}.txt").parent.mkdir(exist_ok=True)
        (site / f"content/static/s{n}.txt").write_text(f"static {n}\n")
    elif operation == "delete-static":
        shutil.rmtree(site / "content/static", ignore_errors=True)
    elif operation == "add-page":
        (site / f"content/pages/p{n}.md").parent.mkdir(exist_ok=True)
        (site / f"content/pages/p{n}.md").write_text(
            f"---\ntitle: Page {n}\n" + ("status: draft\n" if n % 2 else "") + "---\n\nText.\n")
    elif operation == "delete-page":
        shutil.rmtree(site / "content/pages", ignore_errors=True)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST}


def headlines(result: BuildResult) -> list[str]:
    return sorted({d.headline() for d in result.diagnostics})


def clean_check(site: Path, mentions: bool = False) -> BuildResult:
    """What a check of the site from nothing reports."""
    return build(site, BuildOptions(write=False, base_url=BASE_URL, jobs=1, use_cache=False,
                                    mentions=mentions))


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
                assert headlines(result) == headlines(clean_check(site)), \
                    f"after {steps[:number + 1]}"
                continue
            clean = root / f"clean{number}"
            fresh = build(site, BuildOptions(out=clean, base_url=BASE_URL, jobs=1,
                                             use_cache=False, versioned_assets=False))
            assert fresh.ok
            assert headlines(result) == headlines(fresh), f"after {steps[:number + 1]}"
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
                assert headlines(result) == headlines(clean_check(site)), \
                    f"after {steps[:number + 1]}"
                continue
            clean = root / f"clean{number}"
            fresh = build(site, BuildOptions(out=clean, base_url=BASE_URL, jobs=1,
                                             use_cache=False))
            assert fresh.ok
            assert headlines(result) == headlines(fresh), f"after {steps[:number + 1]}"
            last_good = snapshot(out)
            assert last_good == snapshot(clean), f"after {steps[:number + 1]}"
        # `check --mentions` from the build cache lists what a check from nothing lists.
        cached = build(site, BuildOptions(write=False, base_url=BASE_URL, jobs=1, mentions=True))
        assert cached.mentions == clean_check(site, mentions=True).mentions, f"after {steps}"
