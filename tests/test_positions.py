"""Where links and citations are reported: exact line and column on dense and YAML input."""

from __future__ import annotations

from datetime import UTC

from briefgen.markup import make_markdown
from briefgen.model import Collection
from briefgen.parse import parse_document
from tests.conftest import write

FRONT = "---\ntitle: T\ndate: 2022-01-01\n---\n"  # four lines: a body starts on line 5


def places(path: str, text: str) -> list[tuple[int, int, str]]:
    """(line, column, what it names) of every link and citation of one file, in file order."""
    collection = Collection(path.split("/")[1])
    parsed = parse_document(collection, path, text, make_markdown(), UTC)
    assert parsed.document is not None, parsed.diagnostics
    return sorted((ref.loc.line, ref.loc.col, ref.target or ref.items[0].source_id)
                  for ref in parsed.document.refs)


def expected_places(lines: list[str], first_line: int, literals: dict[str, str]
                    ) -> list[tuple[int, int, str]]:
    """Every occurrence of each literal in ``lines`` (the first at ``first_line``), found by
    walking each line, independently of the code under test."""
    found = []
    for number, line in enumerate(lines, first_line):
        col = 0
        while col < len(line):
            hit = next(((literal, name) for literal, name in literals.items()
                        if line.startswith(literal, col)), None)
            if hit is None:
                col += 1
                continue
            found.append((number, col + 1, hit[1]))
            col += len(hit[0])
    return sorted(found)


LITERALS = {"[[alice]]": "alice", "[[bob|Bob]]": "bob", "[@report]": "report",
            "[@memo, p. 4]": "memo"}


def test_many_links_on_one_line():
    line = " ".join(["[[alice]] and [@report]", "[[bob|Bob]] [@memo, p. 4];"] * 400)
    got = places("content/briefings/x.md", f"{FRONT}\n## 2022-01-01 Dense\n\n{line}\n")
    assert len(got) == 1600
    assert got == expected_places([line], 8, LITERALS)
    assert got[:3] == [(8, 1, "alice"), (8, 15, "report"), (8, 25, "bob")]


def test_links_over_many_lines_of_one_paragraph():
    lines = [f"line {n} {'x' * (n % 7)} [[alice]] [@report] then [[bob|Bob]]" for n in range(1500)]
    got = places("content/briefings/x.md", FRONT + "\n".join(lines) + "\n")
    assert len(got) == 4500
    assert got == expected_places(lines, 5, LITERALS)
    assert got[-1] == (1504, len(lines[-1]) - len("[[bob|Bob]]") + 1, "bob")


def test_same_literal_repeated_on_a_line_takes_each_place_once():
    line = "[@report][@report] [@report]" + " [@report]" * 50
    text = f"{FRONT}Before [@report].\n\n{line}\n\n> quoted [@report] [@report]\n"
    got = places("content/briefings/x.md", text)
    cols_on_7 = [col for line_no, col, _ in got if line_no == 7]
    assert cols_on_7 == [1, 10, 20, *range(30, 30 + 10 * 50, 10)]
    assert [(n, c) for n, c, _ in got if n != 7] == [(5, 8), (9, 10), (9, 20)]


def test_footnote_links_are_located_where_they_are_written():
    text = (f"{FRONT}First [^n] and [[alice]].\n\n[^n]: A note on [[bob|Bob]] [@report].\n\n"
            "Last [[alice]] [@report].\n")
    assert places("content/briefings/x.md", text) == [
        (5, 16, "alice"), (7, 17, "bob"), (7, 29, "report"), (9, 6, "alice"), (9, 16, "report")]


def yaml_briefing(body: str) -> str:
    return f"title: T\ndate: 2022-01-01\nentries:\n  - date: 2022-01-01\n    title: E\n    body: {body}"


def test_folded_yaml_body_with_dense_links():
    lines = [f"{'w ' * (n % 5)}[[alice]] [@report] [[bob|Bob]] [@memo, p. 4]" for n in range(800)]
    body = ">\n" + "".join(f"      {line}\n" if n % 40 else f"\n      {line}\n"
                           for n, line in enumerate(lines))
    text = yaml_briefing(body)
    got = places("content/briefings/x.yaml", text)
    assert len(got) == 3200
    assert got == expected_places(text.splitlines(), 1, LITERALS)


def test_yaml_block_scalars_and_quoted_strings():
    text = (
        "title: T\n"                                    # 1
        "date: 2022-01-01\n"                            # 2
        "summary: >-\n"                                 # 3
        "  A summary [[alice]]\n"                       # 4
        "  and [[alice]] again\n"                       # 5
        "entries:\n"                                    # 6
        "  - date: 2022-01-01\n"                        # 7
        "    title: Literal\n"                          # 8
        "    body: |\n"                                 # 9
        "      One [[alice]] [@report]\n"               # 10
        "      two [@report] [[bob|Bob]]\n"             # 11
        "  - date: 2022-01-02\n"                        # 12
        "    title: Folded\n"                           # 13
        "    body: >\n"                                 # 14
        "      Folded [[bob|Bob]]\n"                    # 15
        "      over [[bob|Bob]] lines [@report]\n"      # 16
        "\n"                                            # 17
        "      New paragraph [@memo, p. 4]\n"           # 18
        "  - date: 2022-01-03\n"                        # 19
        "    title: Plain\n"                            # 20
        "    body:\n"                                   # 21
        "      Plain text [[alice]]\n"                  # 22
        "      on two lines [[alice]]\n"                # 23
        "  - date: 2022-01-04\n"                        # 24
        "    title: Quoted\n"                           # 25
        '    body: "Escaped [@report]\\n\\nnewlines [[alice]]\n'  # 26
        '      and a folded line [[bob|Bob]]"\n'        # 27
        "  - date: 2022-01-05\n"                        # 28
        "    title: Single quoted\n"                    # 29
        "    body: 'It''s [[alice]]\n"                  # 30
        "      and [@report]'\n"                        # 31
    )
    assert places("content/briefings/x.yaml", text) == [
        (4, 13, "alice"), (5, 7, "alice"),
        (10, 11, "alice"), (10, 21, "report"), (11, 11, "report"), (11, 21, "bob"),
        (15, 14, "bob"), (16, 12, "bob"), (16, 30, "report"), (18, 21, "memo"),
        (22, 18, "alice"), (23, 20, "alice"),
        (26, 20, "report"), (26, 42, "alice"), (27, 25, "bob"),
        (30, 18, "alice"), (31, 11, "report"),
    ]


def test_a_literal_changed_by_an_escape_keeps_its_place_in_the_text():
    # "\x41" is "A" and "\x62" is "b": the literal [[bob]] is nowhere in the file as written,
    # and the escapes put the text's columns 18 to the left of the file's.
    text = yaml_briefing('"' + "\\x41" * 6 + ' [[alice]] [[alice]] [[\\x62ob]] [[alice]]"\n')
    got = places("content/briefings/x.yaml", text)
    # Each [[alice]] takes its own place: the one after [[bob]] does not fall back onto the
    # first, although [[bob]]'s place in the text lies before the second.
    assert got == [(6, 28, "bob"), (6, 37, "alice"), (6, 47, "alice"), (6, 68, "alice")]


def test_a_long_line_with_many_problems_is_echoed_around_each_one(tmp_path, cli):
    words = [f"word [@ghost-{n}]" for n in range(300)]
    line = " ".join(words)
    write(tmp_path, {"site.yaml": "title: T\n",
                     "content/briefings/x.md": f"{FRONT}\n## 2022-01-01 E\n\n{line}\n"})
    run = cli("--site", str(tmp_path), "check")
    assert run.code == 1
    lines = run.err.splitlines()
    for number in (0, 150, 299):
        literal = f"[@ghost-{number}]"
        col = line.index(literal) + 1
        at = lines.index(f"content/briefings/x.md:8:{col}: error: unknown source "
                         f"'ghost-{number}' in citation; cite a source by its file name in sources/")
        echoed, caret = lines[at + 1], lines[at + 2]
        assert len(echoed) < 220 < len(line)  # a window of the line, not all of it
        start = caret.index("^")
        assert echoed[start:start + len(literal)] == literal
        assert caret[start:] == "^" + "~" * (len(literal) - 1)
