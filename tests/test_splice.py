"""A joined output whose pieces alone changed is the previous file with those pieces
replaced: the literal text around them and the unchanged pieces are copied as they were."""

from __future__ import annotations

from pathlib import Path

from briefgen.web.joined import Joined, Piece, decode_layout, join, splice_joined, write_joined

TEXTS = {("p", "a"): '{"a":1}', ("p", "b"): '{"b":2}', ("p", "c"): '{"c":3}'}


def piece(name: str, fp: str = "1") -> Piece:
    return Piece(("p", name), "", fp)


def joined(*pieces: Piece) -> Joined:
    return Joined(('{"items":[', *join(pieces, ","), "]}\n"))


def test_a_changed_piece_is_replaced_and_the_rest_copied(tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    layout_text, made = write_joined(str(first), joined(piece("a"), piece("b"), piece("c")),
                                     None, {}, lambda p: TEXTS[p.key])
    assert made == 3
    layout = decode_layout(layout_text)
    old_b, new_b = piece("b"), piece("b", "2")
    lead = next(lead for p, lead in layout if p == old_b)
    second = tmp_path / "second.json"
    new_layout = splice_joined(str(second), str(first), layout,
                               {(old_b, lead): (new_b, (lead + '{"b":"two"}').encode())})
    assert second.read_text() == '{"items":[{"a":1},{"b":"two"},{"c":3}]}\n'
    # The new layout says where each piece now is, the replaced one with its fingerprint.
    data = second.read_bytes()
    for (found, found_lead), (offset, length) in decode_layout(new_layout).items():
        text = '{"b":"two"}' if found == new_b else TEXTS[found.key]
        assert data[offset:offset + length] == (found_lead + text).encode()
    assert new_b in {p for p, _ in decode_layout(new_layout)}
    assert old_b not in {p for p, _ in decode_layout(new_layout)}


def test_nothing_replaced_is_the_same_file(tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    layout_text, _ = write_joined(str(first), joined(piece("a"), piece("c")), None, {},
                                  lambda p: TEXTS[p.key])
    second = tmp_path / "second.json"
    assert splice_joined(str(second), str(first), decode_layout(layout_text), {}) == layout_text
    assert second.read_bytes() == first.read_bytes()
