"""The student's share card: a 1200x630 PNG with its text, drawn without system fonts."""

import struct
import zlib

from tinytorch_board.cards import card_png, student_card


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def inked_rows(data: bytes) -> int:
    """How many distinct rows the PNG holds (text draws many different rows)."""
    chunks, offset = [], 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if kind == b"IDAT":
            chunks.append(data[offset + 8 : offset + 8 + length])
        offset += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    width, height = png_size(data)
    stride = len(raw) // height
    return len({raw[y * stride + 1 : (y + 1) * stride] for y in range(height)})


def test_card_png_is_1200x630_and_draws_its_text():
    card = student_card("TinyTorch Community Board", 61.4, "baseline · suite 2 · numpy", 3, 1)
    blank = student_card("", 61.4, "baseline · suite 2 · numpy", 3, 1).replace(">61<", "><")
    with_text, without = card_png(card), card_png(blank)
    assert png_size(with_text) == (1200, 630)
    # The title and score are real glyphs: removing them changes many rows.
    assert inked_rows(with_text) > inked_rows(without) + 50


def test_student_card_holds_no_rank_or_percentile():
    card = student_card("Board", 50.0, "baseline · suite 2 · numpy", 3, 1)
    assert "Top" not in card and "%" not in card and " of " not in card
    assert "Modules 3/20" in card and "Milestones 1/6" in card
