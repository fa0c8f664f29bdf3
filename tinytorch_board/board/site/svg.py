"""Server-side SVG: community charts and README badges (share cards: `tinytorch_board.cards`).

Everything here returns SVG text built from numbers and from labels that pass through
`esc` (XML escaping), so no value can close a tag or start a script. Badges take only
numbers and allowlisted words (kind, backend, badge names from the board's own config),
never a display name.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from tinytorch_board.cards import INK, esc, num

FONT = "system-ui,-apple-system,Segoe UI,Roboto,sans-serif"
# A warm palette that reads well for common colour-vision deficiencies.
PALETTE = ("#e8590c", "#1c7ed6", "#2b8a3e", "#ae3ec9", "#f08c00", "#0c8599", "#c2255c")
MUTED = "#52606d"
GRID = "#eadfd3"


# Phones get a narrow drawing (shown by site.css below 44rem), about as wide as the
# screen, so its text stays at least 11 CSS px instead of shrinking with the picture.
NARROW_WIDTH = 320


def _open(width: int, height: int, chart_id: str, title: str, desc: str, narrow=False) -> list[str]:
    variant = "chart narrow" if narrow else "chart wide"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{variant}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d" font-family="{FONT}">',
        f'<title id="{chart_id}-t">{esc(title)}</title>',
        f'<desc id="{chart_id}-d">{esc(desc)}</desc>',
    ]


def bar_chart(
    chart_id: str,
    title: str,
    items: Sequence[tuple[str, int]],
    unit: str = "",
    color: str = PALETTE[0],
    narrow: bool = False,
) -> str:
    """Horizontal bars, one labelled row per item, value at the end of each bar (narrow:
    the phone drawing, each label on its own line above its bar)."""
    items = list(items)
    if narrow:
        label_w, bar_w, row_h, size = 0, NARROW_WIDTH - 60, 44, 13
    else:
        label_w, bar_w, row_h, size = 190, 330, 30, 14
    height = max(1, len(items)) * row_h + 10
    width = label_w + bar_w + (60 if narrow else 90)
    top = max((v for _, v in items), default=0) or 1
    desc = "; ".join(f"{label}: {value}{unit}" for label, value in items) or "no data yet"
    cid = chart_id + ("-n" if narrow else "")
    out = _open(width, height, cid, title, desc, narrow)
    for i, (label, value) in enumerate(items):
        y = 5 + i * row_h
        w = bar_w * value / top
        if narrow:  # label above, bar and value below
            out.append(f'<text x="0" y="{y + 13}" font-size="{size}" fill="{INK}">{esc(label)}</text>')
            y += 16
        else:
            out.append(
                f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" font-size="{size}" '
                f'fill="{INK}">{esc(label)}</text>'
            )
        out.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{num(max(w, 2))}" height="{20 if narrow else row_h - 8}" '
            f'rx="5" fill="{color}"/>'
            f'<text x="{num(label_w + max(w, 2) + 6)}" y="{y + 19}" font-size="{size}" '
            f'fill="{MUTED}">{value}{esc(unit)}</text>'
        )
    if not items:
        out.append(f'<text x="10" y="25" font-size="{size}" fill="{MUTED}">No data yet</text>')
    out.append("</svg>")
    return "".join(out)


def column_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[int],
    color: str = PALETTE[1],
    every: int = 1,
    narrow: bool = False,
) -> str:
    """Vertical columns with a label under every `every`-th column (narrow: the phone
    drawing, with half as many labels)."""
    n = max(1, len(values))
    if narrow:
        width, height, left, bottom, top_pad, size = NARROW_WIDTH, 200, 36, 30, 14, 12
        every *= 2
    else:
        width, height, left, bottom, top_pad, size = 640, 240, 40, 36, 16, 13
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    top = max(values, default=0) or 1
    step = plot_w / n
    desc = "; ".join(f"{label}: {value}" for label, value in zip(labels, values, strict=True))
    cid = chart_id + ("-n" if narrow else "")
    out = _open(width, height, cid, title, desc or "no data yet", narrow)
    base = height - bottom
    for frac in (0.5, 1.0):
        y = base - plot_h * frac
        out.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{num(y)}" y2="{num(y)}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{num(y + 4)}" text-anchor="end" font-size="{size}" '
            f'fill="{MUTED}">{math.ceil(top * frac)}</text>'
        )
    for i, value in enumerate(values):
        h = plot_h * value / top
        x = left + i * step
        out.append(
            f'<rect x="{num(x + step * 0.12)}" y="{num(base - h)}" width="{num(step * 0.76)}" '
            f'height="{num(h)}" rx="3" fill="{color}"/>'
        )
        if i % every == 0:
            out.append(
                f'<text x="{num(x + step / 2)}" y="{base + 16}" text-anchor="middle" '
                f'font-size="{size}" fill="{MUTED}">{esc(labels[i])}</text>'
            )
    out.append(f'<line x1="{left}" x2="{width - 10}" y1="{base}" y2="{base}" stroke="{MUTED}"/>')
    out.append("</svg>")
    return "".join(out)


def _text_width(text: str) -> int:
    """Rough width in px of 11px Verdana-like text (digits and latin letters)."""
    return int(sum(4 if ch in " .,:;il|!" else 7 for ch in text)) + 10


def badge(label: str, message: str, color: str = "#e8590c") -> str:
    """A shields-style flat badge, e.g. "TinyTorch | 61.4 · top 12%" (compact markup:
    one file per submission)."""
    lw, mw = _text_width(label), _text_width(message)
    w = lw + mw
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" fill="#fff" '
        f'font-family="Verdana,sans-serif" font-size="11" text-anchor="middle">'
        f'<rect width="{w}" height="20" rx="3" fill="{color}"/>'
        f'<rect width="{lw}" height="20" rx="3" fill="#555"/>'
        f'<text x="{num(lw / 2)}" y="14">{esc(label)}</text>'
        f'<text x="{num(lw + mw / 2)}" y="14">{esc(message)}</text></svg>'
    )
