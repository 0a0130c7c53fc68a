"""Adversarial content: hypothesis strategies for every kind of file briefgen reads, and a
harness that checks and builds a site made of them and lists what went wrong.

Used by ``tests/test_fuzz_content.py`` (a small budget, in every test run) and by
``bench/fuzz.py`` (a large one, by hand).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import signal
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from xml.etree import ElementTree

from hypothesis import strategies as st

from briefgen.cli import main
from briefgen.errors import split_lines
from tests.conftest import leftovers

# Every character XML and HTML forbid; a lone surrogate can only come from a YAML escape.
FORBIDDEN = [chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)] + ["\ufffe", "\uffff"]
FORBIDDEN_ESCAPES = ["\\0", "\\a", "\\b", "\\v", "\\f", "\\e", "\\x0b", "\\x1b", "\\u0000",
                     "\\ud800", "\\udfff", "\\U0000d800", "\\uFFFE", "\\uffff", "\\x7f", "\\x85",
                     "\\u2028", "\\u2029", "\\N", "\\_", "\\L", "\\P"]

IDS = ["alpha", "beta", "src-a", "brief-a", "about", "timeline", "Bad_Name", "x" * 120,
       "new\nline", "esc\x1b[31m", "bad\udcff", "sp ace", "ÉTÉ", "-lead", "a.b", "nul\x7f"]
KEYS = ["title", "date", "summary", "updated", "updates", "authors", "tags", "status", "lead",
        "entries", "body", "id", "name", "kind", "aliases", "roles", "wikidata", "links",
        "publisher", "url", "accessed", "archive_url", "language", "of", "from", "to", "note",
        "tittle", "<<", "", "? x"]

BASE_SITE = {
    "site.yaml": "title: Fuzzed\nbase_url: https://example.org/\ntimezone: Europe/Paris\n",
    "content/actors/alpha.yaml": "name: Alpha Person\nkind: person\naliases: [Al]\n",
    "content/sources/src-a.yaml": "title: A source\npublisher: Alpha Person\ndate: 2022-01-02\n"
                                  "url: https://example.org/a\n",
    "content/briefings/brief-a.md": "---\ntitle: A briefing\ndate: 2022-02-01\ntags: [One]\n---\n"
                                    "Lead with [[alpha]] [@src-a].\n\n## 2022-01-31 Something {#e1}\n\n"
                                    "Text [[Al]] and [@src-a, p. 2].\n",
    "content/pages/about.md": "---\ntitle: About\n---\nSee [[briefings/brief-a#e1]].\n",
}

# --- strategies -----------------------------------------------------------------------------

any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
words = st.text(st.sampled_from("abcxyz ÀéßЖ中😀-_.,:;'\"#&*!|>%@`[]{}()\\/"), max_size=25)
forbidden_char = st.sampled_from(FORBIDDEN)


def _mixed(base: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Text with a forbidden character or an odd line break slipped in now and then."""
    extra = st.sampled_from([*FORBIDDEN, "\u2028", "\u2029", "\x85", "\r", "\t", "\ufeff",
                             "\u202e", "\x7f", "\ufffd"])
    return st.one_of(base, st.builds(lambda a, c, b: a + c + b, base, extra, base))


dates = st.one_of(
    st.sampled_from([
        "2022-02-01", "2022-02-30", "2022-13-01", "0000-01-01", "9999-12-31", "99999-01-01",
        "2022", "2022-02", "2022-02-01T10:30", "2022-02-01T25:00", "2022-02-01T10:00:00Z",
        "2022-02-01T10:00+25:00", "2022-02-01T10:00-03:30", "2022-02-01..2022-02-03",
        "2022-02-03..2022-02-01", "2022-02-01..", "..2022", "2022-W05", "c. 2022", "1e3",
        "2022-02-01 10:00", "2022-02-01T10:00:00.123456789+01:00", "-2022-01-01",
        "2022-02-01T10:00 Europe/Paris", "20220201", "2022/02/01", "Feb 1, 2022", "",
    ]),
    st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(0, 10000),
              st.integers(0, 14), st.integers(0, 33)),
    _mixed(words),
)

numbers = st.sampled_from([
    "0", "-0", "1_000", "0x1F", "0o17", "0b101", "1:20", "1e999", "-1e999", ".inf", "-.Inf",
    ".nan", "1.10", "9" * 5000, "0x" + "f" * 3000, "1" + "0" * 400, "+12", "012",
])
keywords = st.sampled_from(["yes", "No", "ON", "off", "y", "n", "~", "null", "Null", "true",
                            "FALSE", "<<", "=", "-", "?", ":", "---", "...", "'", '"', "&", "*"])


def _double_quoted(parts: list[str]) -> str:
    return '"' + "".join(parts) + '"'


double_quoted = st.builds(_double_quoted, st.lists(st.one_of(
    words.map(lambda w: w.replace("\\", "\\\\").replace('"', '\\"')),
    st.sampled_from(FORBIDDEN_ESCAPES), st.sampled_from(["\\", "\\q", "\\x4", "\\u12", '\\"'])),
    max_size=6))
single_quoted = _mixed(words).map(lambda w: "'" + w.replace("'", "''") + "'")
tags = st.sampled_from(["!!str ", "!!int ", "!!binary ", "!!python/object:os.system ",
                        "!custom ", "!!set ", "!!omap ", "!<tag:yaml.org,2002:str> ",
                        "!!timestamp ", "!!float ", "!!null ", "! "])
scalar = st.one_of(
    _mixed(words), dates, numbers, keywords, double_quoted, single_quoted,
    st.builds(lambda t, s: t + s, tags, st.one_of(words, dates, numbers)),
    st.sampled_from(["*a", "*undefined", "&a value", "&a", "https://example.org/x",
                     "javascript:alert(1)", "[[alpha]] [@src-a]", "Q42", "person"]),
)


def _flow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(children, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(st.sampled_from(KEYS), children), max_size=3)
          .map(lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"),
    )


flow = st.recursive(scalar, _flow, max_leaves=12)
deep_nesting = st.integers(1, 3000).map(lambda n: "[" * n + "]" * n)


def _billion_laughs(levels: int) -> str:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]")
    return "\n".join(lines)


def _block_scalar(header: str, lines: list[str], indent: int) -> str:
    pad = " " * indent
    return header + "\n" + "\n".join(pad + line for line in lines)


markdown_line = st.one_of(
    _mixed(words), any_text,
    st.sampled_from([
        "[[alpha]]", "[[Al]]", "[[alpha|the label]]", "[[briefings/brief-a]]",
        "[[briefings/brief-a#e1]]", "[[briefings/brief-a#nope]]", "[[missing]]", "[[]]",
        "[[|]]", "[[a|b|c]]", "[[sources/src-a]]", "[[pages/about]]", "[[ alpha ]]",
        "[@src-a]", "[@src-a, p. 4]", "[@src-a; @src-b]", "[@missing]", "[@]", "[@src-a, ]",
        "@src-a", "\\[[alpha]]", "\\[@src-a]", "`[[alpha]]`", "[[alpha]", "[[[[alpha]]]]",
        "[x](javascript:alert(1))", "[x](https://example.org)", "<script>alert(1)</script>",
        "<b>bold", "***x***", "_" * 50, "*" * 200, "[" * 300, "]" * 300, "[[" * 200,
        "[@" * 200, "| a | b |\n|---|---|\n| 1 | 2 |", "> quote [[alpha]]", "- item [@src-a]",
        "1. item", "[^1]\n\n[^1]: note", "[ref]: https://example.org", "```\n[[alpha]]\n```",
        "    indented [[alpha]]", "<!-- comment [[alpha]] -->", "&amp; &#0; &#x110000; &bogus;",
        "$x$", "{#id}", "{.section}", "---", "***", "===",
    ]),
)
heading = st.builds(
    lambda level, date, title, suffix: f"{'#' * level} {date} {title}{suffix}",
    st.integers(1, 7), dates, _mixed(words),
    st.sampled_from(["", " {#e2}", " {#E-2}", " {#bg-x}", " {.section}", " {#e1}", " {#}",
                     " {#e2 .section}", " {", " }"]),
)
markdown_body = st.lists(st.one_of(markdown_line, heading), max_size=12).map("\n\n".join)


def _value(indent: int) -> st.SearchStrategy[str]:
    """What follows ``key:`` in a block mapping."""
    pad = " " * (indent + 2)
    item_map = st.lists(st.tuples(st.sampled_from(KEYS), st.one_of(scalar, flow)), min_size=1,
                        max_size=3).map(lambda kv: "\n".join(
                            (f"{pad}- " if n == 0 else f"{pad}  ") + f"{k}: {v}"
                            for n, (k, v) in enumerate(kv)))
    return st.one_of(
        scalar.map(lambda s: " " + s),
        flow.map(lambda s: " " + s),
        st.builds(_block_scalar,
                  st.sampled_from([" |", " >", " |-", " >+", " |2", " |+", " >-", " |0"]),
                  st.lists(st.one_of(markdown_line, heading), max_size=5),
                  st.integers(0, indent + 4)),
        st.lists(st.one_of(scalar, flow), min_size=1, max_size=4)
          .map(lambda xs: "\n" + "\n".join(f"{pad}- {x}" for x in xs)),
        st.lists(item_map, min_size=1, max_size=3).map(lambda xs: "\n" + "\n".join(xs)),
        deep_nesting.map(lambda s: " " + s),
    )


yaml_mapping = st.lists(st.tuples(st.sampled_from(KEYS), _value(0)), max_size=8).map(
    lambda kv: "\n".join(f"{k}:{v}" for k, v in kv))
yaml_document = st.one_of(
    yaml_mapping,
    yaml_mapping.map(lambda m: "%YAML 1.1\n---\n" + m),
    yaml_mapping.map(lambda m: "%TAG ! tag:example.org,2000:\n---\n" + m),
    st.tuples(yaml_mapping, yaml_mapping).map(lambda ab: ab[0] + "\n---\n" + ab[1]),
    yaml_mapping.map(lambda m: "base: &a {title: T, name: N}\n<<: *a\n" + m),
    st.integers(2, 9).map(_billion_laughs),
    st.one_of(scalar, flow, deep_nesting),
    st.just(""),
)


def _markdown_file(front: str | None, body: str, closing: str) -> str:
    return body if front is None else f"---\n{front}\n{closing}\n{body}"


markdown_file = st.builds(_markdown_file, st.one_of(st.none(), yaml_document), markdown_body,
                          st.sampled_from(["---", "...", "", "--- ", "----"]))


def _encode(text: str, newline: str, bom: bool) -> bytes:
    data = text.replace("\n", newline).encode("utf-8", "surrogatepass")
    return (b"\xef\xbb\xbf" if bom else b"") + data


# Files that are valid but for their fuzzed text, so that odd text reaches pages, feeds,
# the sitemap and the JSON exports.
# Any printable text (unassigned, private-use, bidirectional, emoji…), written as a JSON string,
# which is a YAML double-quoted scalar.
good_text = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=40) \
    .filter(str.strip).map(lambda t: json.dumps(t, ensure_ascii=False))
good_markdown = st.lists(st.one_of(
    good_text.map(lambda t: t[1:-1].replace("\\", "")), words,
    st.sampled_from(["[[alpha]]", "[[Al|x]]", "[[briefings/brief-a#e1]]", "[@src-a, p. 3]",
                     "<script>alert(1)</script>", "[x](javascript:alert(1))", "`<b>`",
                     "&amp; &#0; &#x110000; &bogus; &lt;b&gt;", "Vector<T> & <b>bold</b>"]),
    st.builds(lambda d, t: f"## {d} {t}", st.sampled_from(["2022-02-01", "2021-12-31T23:30",
                                                           "2022-01-05..2022-01-09"]),
              good_text.map(lambda t: t[1:-1])),
), max_size=8).map("\n\n".join)
valid_dates = st.sampled_from(["2022-02-01", "2021-12-31T23:30", "2022-01-05..2022-01-09",
                               "2022-02", "2021", "2022-03-01T08:00+05:00"])
valid_briefing = st.builds(
    lambda title, date, summary, tag, body: (
        f"---\ntitle: {title}\ndate: {date}\nsummary: {summary}\ntags: [{tag}]\n---\n{body}"),
    good_text, valid_dates, good_text, good_text, good_markdown)
valid_actor = st.builds(lambda name, alias, summary: f"name: {name}\nkind: organization\n"
                                                     f"aliases: [{alias}]\nsummary: {summary}\n",
                        good_text, good_text, good_text)
valid_source = st.builds(lambda title, author: f"title: {title}\npublisher: Alpha Person\n"
                                                f"date: 2022-01-01\nauthors: [{author}]\n",
                         good_text, good_text)
valid_page = st.builds(lambda title, body: f"---\ntitle: {title}\n---\n{body}", good_text,
                       good_markdown)

text_file = st.builds(_encode, st.one_of(markdown_file, yaml_document),
                      st.sampled_from(["\n", "\r\n", "\r", "\u2028", "\x85", "\n"]),
                      st.booleans())
file_bytes = st.one_of(
    text_file, text_file, text_file, text_file,
    st.binary(max_size=300),
    st.builds(lambda a, b: a + b, text_file, st.binary(max_size=20)),
    st.builds(lambda t, c: t.replace(b"\n", c.encode("utf-8", "surrogatepass"), 1), text_file,
              forbidden_char),
)
content_path = st.one_of(
    st.builds(lambda folder, name, suffix: f"content/{folder}/{name}{suffix}",
              st.sampled_from(["briefings", "actors", "sources", "pages"]), st.sampled_from(IDS),
              st.sampled_from([".md", ".yaml", ".yml", ".markdown", ".md", ".yaml", ".txt"])),
    st.builds(lambda folder, name: f"content/{folder}/{name}".replace("//", "/"),
              st.sampled_from(["static", "static/sub", "static/.well-known", "", "briefings/sub",
                               "notes"]),
              st.sampled_from([*IDS, "feed.xml", "index.html", "robots.txt", "CNAME"])),
)
site_yaml_values = st.lists(st.tuples(
    st.sampled_from(["title", "base_url", "description", "language", "timezone", "theme",
                     "content_dir", "output_dir", "markdown", "citations", "feeds", "unknown"]),
    _value(0)), max_size=5).map(lambda kv: "\n".join(f"{k}:{v}" for k, v in kv))
site_yaml = st.one_of(
    st.just(BASE_SITE["site.yaml"]),
    st.just(BASE_SITE["site.yaml"]),
    site_yaml_values.map(lambda extra: "title: Fuzzed\n" + extra),
    yaml_document,
).map(lambda text: text.encode("utf-8", "surrogatepass"))


_NEARLY_VALID = {
    "briefings": (valid_briefing, ".md"), "actors": (valid_actor, ".yaml"),
    "sources": (valid_source, ".yaml"), "pages": (valid_page, ".md"),
}


@st.composite
def nearly_valid(draw: st.DrawFn) -> tuple[str, bytes]:
    folder = draw(st.sampled_from(sorted(_NEARLY_VALID)))
    strategy, suffix = _NEARLY_VALID[folder]
    name = draw(st.sampled_from(["fuzz-a", "fuzz-b", "fuzz-c"]))
    return f"content/{folder}/{name}{suffix}", draw(strategy).encode("utf-8", "surrogatepass")


@st.composite
def sites(draw: st.DrawFn) -> dict[str, bytes]:
    """A small valid site with one to three of its files replaced or added by fuzzed ones."""
    files = {path: text.encode() for path, text in BASE_SITE.items()}
    if draw(st.integers(0, 9)) == 0:
        files["site.yaml"] = draw(site_yaml)
    mostly_valid = draw(st.booleans())
    for _ in range(draw(st.integers(1, 3))):
        if mostly_valid or draw(st.booleans()):
            path, data = draw(nearly_valid())
            files[path] = data
        else:
            files[draw(content_path)] = draw(file_bytes)
    return files


# --- the harness ------------------------------------------------------------------------------

class Hang(Exception):
    """A check or build ran over its time."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise Hang in this (the main) thread once ``seconds`` have passed."""
    def expire(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Outcome:
    problems: list[str] = field(default_factory=list)
    tracebacks: int = 0
    hangs: int = 0
    seconds: float = 0.0
    built: bool = False  # the build succeeded
    diagnostics: int = 0  # headlines that `check` printed


_HEADLINE = re.compile(r"(?P<path>[^\n]+?):(?P<line>\d+):(?P<col>\d+): (?:error|warning): \S.*")
_OTHER_LINES = re.compile(
    r"  \d+ \| .*|  +\| .*|briefgen: note: .*|Check (?:passed|failed): .*"
    r"|Build failed: .*|Built .*|  .+: \d+ files? \(.*\)|Wrote .*")
_RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _run(args: list[str], limit: float, outcome: Outcome) -> tuple[int, str]:
    err = io.StringIO()
    try:
        with time_limit(limit), contextlib.redirect_stderr(err), \
                contextlib.redirect_stdout(io.StringIO()):
            code = main(args)
    except Hang as exc:
        outcome.hangs += 1
        outcome.problems.append(f"hang: briefgen {' '.join(args[2:3])} {exc}")
        return -1, err.getvalue()
    except BaseException:
        outcome.tracebacks += 1
        outcome.problems.append(f"traceback: briefgen {' '.join(args[2:3])}\n"
                                + traceback.format_exc())
        return -1, err.getvalue()
    return code, err.getvalue()


def _diagnostic_problems(err: str, site: Path, files: dict[str, bytes]) -> list[str]:
    """Every line of standard error must be a well-formed headline (located inside its file)
    or one of the known context and summary lines; none may carry a raw control character."""
    problems = []
    if _RAW_CONTROL.search(err):
        problems.append(f"raw control character in the output: {err!r:.300}")
    shown = {_visible_path(path): path for path in files}
    for line in err.splitlines():
        match = _HEADLINE.fullmatch(line)
        if match is None:
            if not _OTHER_LINES.fullmatch(line):
                problems.append(f"malformed line: {line!r:.300}")
            continue
        path = shown.get(match["path"])
        if path is None:
            if not (site / match["path"]).exists() and not match["path"].startswith("content/"):
                problems.append(f"diagnostic names no file of the site: {line!r:.300}")
            continue
        where = _outside(files[path], int(match["line"]), int(match["col"]),
                         "not UTF-8 text" in line)
        if where:
            problems.append(f"{where}: {line!r:.300}")
    return problems


def _visible_path(path: str) -> str:
    from briefgen.chars import visible

    return visible(path)


def _outside(data: bytes, line: int, col: int, not_utf8: bool = False) -> str | None:
    """Why ``line:col`` is not a place in a file of these bytes, or None when it is; one
    that is not UTF-8 is told at its first such byte (``not_utf8``), and anything else about
    such a file (a static file's) at its start."""
    try:
        lines = split_lines(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        place = _first_bad_byte(data) if not_utf8 else (1, 1)
        return None if (line, col) == place else \
            f"a file that is not UTF-8 located at {line}:{col}, not at {place}"
    if not 1 <= line <= max(1, len(lines)):
        return f"line {line} outside the file's {len(lines)} lines"
    width = len(lines[line - 1]) if lines else 0
    if not 1 <= col <= width + 1:
        return f"column {col} outside line {line} of {width} characters"
    return None


def _first_bad_byte(data: bytes) -> tuple[int, int]:
    """Line and column of the first byte that is not UTF-8, worked out here on its own: the
    bytes fed one at a time to a decoder, the text before the one it refuses."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    text = []
    for index in range(len(body)):
        try:
            text.append(decoder.decode(body[index:index + 1]))
        except UnicodeDecodeError:
            break
    # (Cut short at the end, the bad byte is the first of the unfinished character's: the
    # text before it is the same.)
    lines = split_lines("".join(text) + "x")
    return (len(lines), len(lines[-1]))


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode("utf-8", "surrogateescape"))
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _output_problems(out: Path, copied: set[str]) -> list[str]:
    """A built site must have its manifest, and every XML and JSON file that briefgen made
    must parse (``copied``: the editor's static files, published as they are)."""
    if not (out / ".briefgen-manifest.json").is_file():
        return ["a successful build left no manifest"]
    problems = []
    for path in sorted(out.rglob("*")):
        if path.relative_to(out).as_posix() in copied:
            continue
        try:
            if path.suffix == ".xml":
                ElementTree.parse(path)
            elif path.suffix == ".json":
                json.loads(path.read_bytes())
        except (ElementTree.ParseError, ValueError) as exc:
            problems.append(f"{path.relative_to(out)} does not parse: {exc}")
    return problems


@dataclass
class Harness:
    """Checks and builds fuzzed sites in one work folder, against one good earlier output."""

    workdir: Path
    limit: float = 20.0  # seconds for one check or build
    good: Path = field(init=False)
    good_digest: str = field(init=False)

    def __post_init__(self) -> None:
        self.good = self.workdir / "good-output"
        site = self.write({path: text.encode() for path, text in BASE_SITE.items()})
        shutil.rmtree(self.good, ignore_errors=True)
        code = main(["--site", str(site), "build", "--quiet", "--out", str(self.good)])
        assert code == 0, "the base site of the fuzzer does not build"
        self.good_digest = _tree_digest(self.good)

    def write(self, files: dict[str, bytes]) -> Path:
        site = self.workdir / "site"
        shutil.rmtree(site, ignore_errors=True)
        for rel, data in files.items():
            path = site / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return site

    def run(self, files: dict[str, bytes]) -> Outcome:
        """``check`` then ``build`` the site of ``files``; what went wrong, if anything."""
        outcome = Outcome()
        started = time.perf_counter()
        site = self.write(files)
        before = _tree_digest(site)
        code, err = _run(["--site", str(site), "check"], self.limit, outcome)
        if code not in (0, 1, -1):
            outcome.problems.append(f"check exited with {code}")
        if _tree_digest(site) != before:
            outcome.problems.append("check changed the site folder")
        outcome.problems += _diagnostic_problems(err, site, files)
        outcome.diagnostics = sum(1 for line in err.splitlines() if _HEADLINE.fullmatch(line))
        out = self.workdir / "out"
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(self.good, out, symlinks=True)
        code, err = _run(["--site", str(site), "build", "--out", str(out)], self.limit, outcome)
        outcome.problems += _diagnostic_problems(err, site, files)
        if code == 1 and _tree_digest(out) != self.good_digest:
            outcome.problems.append("a failed build changed the previous output")
        elif code == 0:
            outcome.built = True
            copied = {rel.removeprefix("content/static/") for rel in files
                      if rel.startswith("content/static/")}
            outcome.problems += _output_problems(out, copied)
        elif code not in (0, 1, -1):
            outcome.problems.append(f"build exited with {code}")
        beside = [p for p in self.workdir.iterdir()
                  if p.name not in ("good-output", "out", "site")]
        if beside and leftovers(out) != []:
            outcome.problems.append(f"the build left folders behind: {os.listdir(self.workdir)}")
        outcome.seconds = time.perf_counter() - started
        return outcome


def fuzz_examples(default: int) -> int:
    """How many examples to try: ``BRIEFGEN_FUZZ_EXAMPLES`` when set, else ``default``."""
    return int(os.environ.get("BRIEFGEN_FUZZ_EXAMPLES") or default)
