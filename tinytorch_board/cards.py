"""Share cards: the 1200x630 SVG picture of one result, the same on the board and on a
student's machine.

A card holds numbers and allowlisted words only (the board's title, kind, backend),
never a name, an id or a group size, so equal results draw equal cards and a site
stores each distinct card once. Every text passes through `esc` (XML escaping).
Imports the curriculum and the standard library only (resvg and Pillow for PNGs,
inside `card_png`): both the site build and the student's tools draw cards with it.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

from tinytorch_board.curriculum import MILESTONE_COUNT, MODULE_COUNT

INK = "#1f2933"
DETAIL = "I built my own ML framework with TinyTorch"


_XML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})


def esc(text: object) -> str:
    """XML-escape text for element content and double-quoted attributes."""
    text = str(text)
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return text.translate(_XML)
    return text


def num(value: float) -> str:
    """A compact coordinate: at most one decimal."""
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def share_card(
    title: str,
    score: float | str,
    headline: str,
    detail: str = DETAIL,
    modules: int = 0,
    module_count: int = MODULE_COUNT,
    milestones: int = 0,
    milestone_count: int = MILESTONE_COUNT,
) -> str:
    """The 1200x630 picture linked by Open Graph tags: numbers and allowlisted words only
    (score: a number, drawn with one decimal, or the text to draw)."""
    score = score if isinstance(score, str) else f"{score:.1f}"
    bar = 400 * modules / module_count if module_count else 0
    ahead = ' class="o"'
    dots = "".join(
        f'<circle cx="{742 + i * 64}" cy="330" r="22"{"" if i < milestones else ahead}/>'
        for i in range(milestone_count)
    )
    # Compact: shared attributes on the root and the group, one card per distinct result.
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" '
        f'viewBox="0 0 1200 630" font-family="system-ui,sans-serif" font-size="32" '
        f'fill="{INK}">'
        f"<title>Score {esc(score)}</title>"
        "<style>circle{fill:#2b8a3e}.o{fill:#e9ecef}</style>"
        '<rect width="1200" height="630" fill="#fff4e6"/>'
        '<rect x="40" y="40" width="1120" height="550" rx="36" fill="#fff" stroke="#ffc078" '
        'stroke-width="4"/>'
        f'<text x="90" y="125" font-size="38" font-weight="700" fill="#d9480f">{esc(title)}</text>'
        f'<text x="90" y="320" font-size="170" font-weight="800">{esc(score)}</text>'
        f'<text x="720" y="200">Modules {modules}/{module_count}</text>'
        '<rect x="720" y="220" width="400" height="26" rx="13" fill="#ffe8cc"/>'
        f'<rect x="720" y="220" width="{num(bar)}" height="26" rx="13" fill="#e8590c"/>'
        f'<text x="720" y="290">Milestones {milestones}/{milestone_count}</text>{dots}'
        f'<text x="90" y="420" font-size="40">{esc(headline)}</text>'
        f'<text x="90" y="500" font-size="30" fill="#2b8a3e">{esc(detail)}</text>'
        "</svg>"
    )


def card_score(score: float) -> str:
    """A score in whole points as a card draws it, halves rounded up (61.5 -> "62")."""
    return str(math.floor(float(score) + 0.5))


def card_name(card: str) -> str:
    """A card's file name stem: its content's hash, so equal cards share one file."""
    return hashlib.sha256(card.encode("utf-8")).hexdigest()[:20]


FONTS = Path(__file__).resolve().parent / "fonts"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")  # licence: fonts/LICENSE-DejaVu.txt
CARD_SIZE = (1200, 630)


PNG_COLOURS = 64  # a card's flat colours and their anti-aliased edges
# Changes whenever the same SVG would give a different PNG (palette, fonts, renderer):
# caches of drawn cards are kept per format.
PNG_FORMAT = "png-p64-dejavu-1"


def card_png(card: str) -> bytes:
    """The card as a 1200x630 palette PNG, its text set in the bundled DejaVu Sans.

    System fonts are never consulted, so a machine without fonts (a CI runner, a
    minimal container) draws the same picture with its text. The card's few flat
    colours fit a 64-colour palette: about 16 KB instead of about 38 KB in RGBA, which
    matters when a site holds thousands of cards.
    """
    import io

    import resvg_py
    from PIL import Image

    width, height = CARD_SIZE
    rgba = bytes(
        resvg_py.svg_to_bytes(
            svg_string=card,
            width=width,
            height=height,
            skip_system_fonts=True,
            font_files=[str(FONTS / name) for name in FONT_FILES],
            font_family="DejaVu Sans",
            sans_serif_family="DejaVu Sans",
        )
    )
    with Image.open(io.BytesIO(rgba)) as image:
        palette = image.quantize(colors=PNG_COLOURS, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    palette.save(out, "PNG")  # optimize=True: twice the time, the same size here
    return out.getvalue()


def student_card(
    title: str,
    score: float,
    group: str,
    modules: int,
    milestones: int,
) -> str:
    """The card of one result, on the board and on the student's machine: only what
    stays true (never a rank or a percentile). The score is drawn in whole points, so
    at 100,000 results the board holds a few thousand distinct cards, not 17,000.

    group: the result's comparable group in words ("baseline · suite 2 · numpy")."""
    return share_card(
        title,
        card_score(score),
        group,
        modules=modules,
        milestones=milestones,
    )
