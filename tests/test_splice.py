"""A joined output whose pieces alone changed is the previous file with those pieces
replaced: the literal text around them and the unchanged pieces are copied as they were."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from briefgen.web.joined import (
    Joined,
    Packed,
    Piece,
    decode_layout,
    join,
    splice_joined,
    write_joined,
)

TEXTS = {("p", "a"): '{"a":1}', ("p", "b"): '{"b":2}', ("p", "c"): '{"c":3}'}


def piece(name: str, fp: str = "1") -> Piece:
    return Piece(("p", name), "", fp)


def joined(*pieces: Piece) -> Joined:
    return Joined(('{"items":[', *join(pieces, ","), "]}\n"))


def test_a_changed_piece_is_replaced_and_the_rest_copied(tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    layout_text, made = write_joined(str(first), joined(piece("a"), piece("b"), piece("c")),
                                     None, {}, lambda p: TEXTS[p.key].encode())
    assert made == 3
    packed = Packed.of(layout_text)
    assert packed is not None
    [(row, old_b, lead)] = packed.find([("p", "b")])
    assert old_b == piece("b")
    new_b = piece("b", "2")
    second = tmp_path / "second.json"
    new_layout = splice_joined(str(second), str(first), packed,
                               {row: (new_b, lead, (lead + '{"b":"two"}').encode())})
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
                                  lambda p: TEXTS[p.key].encode())
    packed = Packed.of(layout_text)
    assert packed is not None
    second = tmp_path / "second.json"
    assert splice_joined(str(second), str(first), packed, {}) == layout_text
    assert second.read_bytes() == first.read_bytes()


@given(st.lists(st.integers(0, 12), min_size=1, max_size=30), st.data())
def test_splices_in_a_row_equal_a_file_written_anew(tmp_path_factory, lengths, data) -> None:
    """Pieces of any lengths, some replaced (shorter, longer, empty), then others: the file
    is the one written from scratch, and its layout the one a fresh write makes."""
    folder = tmp_path_factory.mktemp("splice")
    texts = {("p", str(n)): "x" * length for n, length in enumerate(lengths)}
    pieces = [Piece(key, "", "0") for key in texts]
    path = folder / "0.json"
    layout, _ = write_joined(str(path), joined(*pieces), None, {}, lambda p: texts[p.key].encode())
    for round_ in range(1, 3):
        chosen = data.draw(st.sets(st.sampled_from(sorted(texts))), label="replaced")
        packed = Packed.of(layout)
        assert packed is not None
        replaced = {}
        for row, old, lead in packed.find(chosen):
            texts[old.key] = "y" * data.draw(st.integers(0, 12), label="length")
            new = Piece(old.key, "", str(round_))
            replaced[row] = (new, lead, (lead + texts[old.key]).encode())
            pieces[row] = new
        spliced = folder / f"{round_}.json"
        layout = splice_joined(str(spliced), str(path), packed, replaced)
        fresh = folder / f"{round_}-fresh.json"
        fresh_layout, _ = write_joined(str(fresh), joined(*pieces), None, {},
                                       lambda p: texts[p.key].encode())
        assert spliced.read_bytes() == fresh.read_bytes()
        assert decode_layout(layout) == decode_layout(fresh_layout)
        path = spliced


def test_a_file_written_anew_is_written_as_it_goes_not_held_whole(tmp_path: Path,
                                                                   monkeypatch) -> None:
    # A first build's api/entries.json is 50 MB at 5,000 briefings: gathered whole before
    # the one write, it was the preview's peak of memory.
    from briefgen.web import joined as module

    writes: list[int] = []
    real_write = module._write_all

    def counting(fd: int, data: bytes | bytearray) -> int:
        writes.append(len(data))
        return real_write(fd, data)

    monkeypatch.setattr(module, "_write_all", counting)
    monkeypatch.setattr(module, "WRITE_AT", 1000)
    texts = {("p", str(n)): f'{{"n":{n},"text":"{"x" * 90}"}}' for n in range(200)}
    pieces = [Piece(key, "", "1") for key in texts]
    path = tmp_path / "out.json"
    write_joined(str(path), joined(*pieces), None, {}, lambda p: texts[p.key].encode())
    expected = '{"items":[' + ",".join(texts.values()) + "]}\n"
    assert path.read_text() == expected
    assert len(writes) > 10 and max(writes) < 1000 + 200
