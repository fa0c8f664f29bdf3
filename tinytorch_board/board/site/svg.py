"""Server-side SVG: community charts, share cards and README badges.

Everything here returns SVG text built from numbers and from labels that pass through
`esc` (XML escaping), so no value can close a tag or start a script. Share cards and
badges take only numbers and allowlisted words (kind, backend, badge names from the
board's own config), never a display name.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape as _xml_escape

FONT = "system-ui,-apple-system,Segoe UI,Roboto,sans-serif"
# A warm palette that reads well for common colour-vision deficiencies.
PALETTE = ("#e8590c", "#1c7ed6", "#2b8a3e", "#ae3ec9", "#f08c00", "#0c8599", "#c2255c")
INK = "#1f2933"
MUTED = "#52606d"
GRID = "#eadfd3"


def esc(text: object) -> str:
    """XML-escape text for element content and double-quoted attributes."""
    return _xml_escape(str(text), {'"': "&quot;", "'": "&#39;"})


def num(value: float) -> str:
    """A compact coordinate: at most one decimal."""
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def _open(width: int, height: int, chart_id: str, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
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
) -> str:
    """Horizontal bars, one labelled row per item, value at the end of each bar."""
    items = list(items)
    label_w, bar_w, row_h = 190, 330, 30
    height = max(1, len(items)) * row_h + 10
    width = label_w + bar_w + 90
    top = max((v for _, v in items), default=0) or 1
    desc = "; ".join(f"{label}: {value}{unit}" for label, value in items) or "no data yet"
    out = _open(width, height, chart_id, title, desc)
    for i, (label, value) in enumerate(items):
        y = 5 + i * row_h
        w = bar_w * value / top
        out.append(
            f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" font-size="14" '
            f'fill="{INK}">{esc(label)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{num(max(w, 2))}" height="{row_h - 8}" '
            f'rx="5" fill="{color}"/>'
            f'<text x="{num(label_w + max(w, 2) + 6)}" y="{y + 19}" font-size="14" '
            f'fill="{MUTED}">{value}{esc(unit)}</text>'
        )
    if not items:
        out.append(f'<text x="10" y="25" font-size="14" fill="{MUTED}">No data yet</text>')
    out.append("</svg>")
    return "".join(out)


def column_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[int],
    color: str = PALETTE[1],
    every: int = 1,
) -> str:
    """Vertical columns with a label under every `every`-th column."""
    n = max(1, len(values))
    width, height, left, bottom, top_pad = 640, 240, 40, 36, 16
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    top = max(values, default=0) or 1
    step = plot_w / n
    desc = "; ".join(f"{label}: {value}" for label, value in zip(labels, values, strict=True))
    out = _open(width, height, chart_id, title, desc or "no data yet")
    base = height - bottom
    for frac in (0.5, 1.0):
        y = base - plot_h * frac
        out.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{num(y)}" y2="{num(y)}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{num(y + 4)}" text-anchor="end" font-size="11" '
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
                f'font-size="11" fill="{MUTED}">{esc(labels[i])}</text>'
            )
    out.append(f'<line x1="{left}" x2="{width - 10}" y1="{base}" y2="{base}" stroke="{MUTED}"/>')
    out.append("</svg>")
    return "".join(out)


def share_card(
    title: str,
    score: float,
    headline: str,
    detail: str,
    modules: int,
    module_count: int,
    milestones: int,
    milestone_count: int,
) -> str:
    """The 1200x630 picture linked by Open Graph tags: numbers and allowlisted words only."""
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
        f"<title>Score {score:.1f}</title>"
        "<style>circle{fill:#2b8a3e}.o{fill:#e9ecef}</style>"
        '<rect width="1200" height="630" fill="#fff4e6"/>'
        '<rect x="40" y="40" width="1120" height="550" rx="36" fill="#fff" stroke="#ffc078" '
        'stroke-width="4"/>'
        f'<text x="90" y="125" font-size="38" font-weight="700" fill="#d9480f">{esc(title)}</text>'
        f'<text x="90" y="320" font-size="170" font-weight="800">{score:.1f}</text>'
        f'<text x="720" y="200">Modules {modules}/{module_count}</text>'
        '<rect x="720" y="220" width="400" height="26" rx="13" fill="#ffe8cc"/>'
        f'<rect x="720" y="220" width="{num(bar)}" height="26" rx="13" fill="#e8590c"/>'
        f'<text x="720" y="290">Milestones {milestones}/{milestone_count}</text>{dots}'
        f'<text x="90" y="420" font-size="40">{esc(headline)}</text>'
        f'<text x="90" y="500" font-size="30" fill="#2b8a3e">{esc(detail)}</text>'
        "</svg>"
    )


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
