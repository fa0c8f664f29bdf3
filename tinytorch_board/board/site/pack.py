"""The compact data the leaderboard's script filters and sorts: fixed-width rows.

Every entry becomes a few characters of a 64-letter alphabet (6 bits each), one field
after another, so 100,000 entries fit in about 2 MB of plain JSON strings and decode in
milliseconds. Field widths are chosen from the data and published in the meta document
the page embeds, so the script never guesses. Names (public entries only) and
submission ids live in separate files: names for search, ids fetched in small chunks
only for the rows on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tinytorch_board.board.model import Entry

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
EPOCH = date(2020, 1, 1)
ROWS_PER_CHUNK = 25_000
IDS_PER_CHUNK = 100
DATA_VERSION = 1

# (field, what it holds) in row order; widths come from the data.
FIELDS = (
    ("day", "days since 2020-01-01 of created_at"),
    ("score", "score x 10, rounded"),
    ("rank", "rank within the comparable group; 0 = not ranked (unverified outlier)"),
    ("group", "index into groups"),
    ("system", "index into systems"),
    ("cohort", "index into cohorts; 0 = none"),
    ("milestones", "milestones completed"),
    ("modules", "modules completed"),
    ("badges", "bit i set = badge i earned"),
    ("public", "1 = public entry with a display name"),
)


def width_for(max_value: int) -> int:
    """Characters needed for values 0..max_value."""
    width = 1
    while max_value >= 64**width:
        width += 1
    return width


def encode(value: int, width: int) -> str:
    if value < 0 or value >= 64**width:
        raise ValueError(f"{value} does not fit in {width} characters")
    chars = []
    for _ in range(width):
        chars.append(ALPHABET[value & 63])
        value >>= 6
    return "".join(reversed(chars))


def _encoded(values: Sequence[int], width: int) -> list[str]:
    """encode(v, width) for every value: through a table of every code up to the largest
    value when the width is small (3 characters: at most 262,144 entries)."""
    if width > 3 or not values:
        return [encode(v, width) for v in values]
    table = list(ALPHABET)
    for _ in range(width - 1):
        table = [head + tail for head in ALPHABET for tail in table]
    for value in (min(values), max(values)):
        if value < 0 or value >= len(table):
            raise ValueError(f"{value} does not fit in {width} characters")
    return list(map(table.__getitem__, values))


def decode(text: str) -> int:
    value = 0
    for ch in text:
        value = value * 64 + _VALUE[ch]
    return value


def day_number(created_at: str) -> int:
    day = date(int(created_at[0:4]), int(created_at[5:7]), int(created_at[8:10]))
    return max(0, (day - EPOCH).days)


@dataclass
class Packed:
    meta: dict  # embedded in index.html
    chunks: list[str]  # data/rows-<i>.json bodies: one string each
    names: dict  # data/names.json: {"index": [...], "name": [...]}
    id_chunks: list[list[str]]  # data/ids/<i>.json


def pack(entries: Sequence[Entry], badge_ids: Sequence[str], group_keys: Sequence[str]) -> Packed:
    """Pack entries (in board order, newest first) into rows plus lookup tables."""
    groups = list(group_keys)
    group_index = {key: i for i, key in enumerate(groups)}
    for entry in entries:
        if entry.group not in group_index:
            group_index[entry.group] = len(groups)
            groups.append(entry.group)
    systems = sorted({e.system_type for e in entries})
    cohorts = [""] + sorted({e.cohort for e in entries if e.cohort}, key=cohort_order)
    system_index = {s: i for i, s in enumerate(systems)}
    cohort_index = {c: i for i, c in enumerate(cohorts)}
    badge_bit = {b: 1 << i for i, b in enumerate(badge_ids)}

    days: dict[str, int] = {}  # "YYYY-MM-DD" -> day number, computed once per day
    masks: dict[tuple[str, ...], int] = {}  # badge tuple -> bits, once per tuple
    columns: list[tuple[int, ...]] = []
    names_index: list[int] = []
    names: list[str] = []
    for i, e in enumerate(entries):
        public = int(e.visibility == "public" and bool(e.display_name))
        if public:
            names_index.append(i)
            names.append(e.display_name)
        day = days.get(e.created_at[:10])
        if day is None:
            day = days[e.created_at[:10]] = day_number(e.created_at)
        mask = masks.get(e.badges)
        if mask is None:
            mask = masks[e.badges] = sum(badge_bit.get(b, 0) for b in set(e.badges))
        columns.append(
            (
                day,
                max(0, round(e.score * 10)),
                0 if e.outlier or e.rank is None else e.rank,
                group_index[e.group],
                system_index[e.system_type],
                cohort_index[e.cohort] if e.cohort else 0,
                len(e.milestones_completed),
                e.modules_completed,
                mask,
                public,
            )
        )
    fields = list(zip(*columns, strict=True)) if columns else [() for _ in FIELDS]
    widths = [width_for(max(values, default=0)) for values in fields]
    encoded = [_encoded(values, width) for values, width in zip(fields, widths, strict=True)]
    rows = list(map("".join, zip(*encoded, strict=True)))
    chunks = [
        "".join(rows[start : start + ROWS_PER_CHUNK])
        for start in range(0, len(rows), ROWS_PER_CHUNK)
    ]
    ids = [e.submission_id for e in entries]
    meta = {
        "data_version": DATA_VERSION,
        "count": len(entries),
        "epoch": EPOCH.isoformat(),
        "alphabet": ALPHABET,
        "fields": [[name, w] for (name, _), w in zip(FIELDS, widths, strict=True)],
        "row_width": sum(widths),
        "rows_per_chunk": ROWS_PER_CHUNK,
        "chunks": len(chunks),
        "ids_per_chunk": IDS_PER_CHUNK,
        "groups": groups,
        "systems": systems,
        "cohorts": cohorts,
        "badges": list(badge_ids),
    }
    return Packed(
        meta=meta,
        chunks=chunks,
        names={"index": names_index, "name": names},
        id_chunks=[ids[s : s + IDS_PER_CHUNK] for s in range(0, len(ids), IDS_PER_CHUNK)],
    )


def unpack_rows(meta: dict, chunks: Sequence[str]) -> list[dict]:
    """The inverse of pack's rows (what the browser script does), for tests and tools."""
    text = "".join(chunks)
    width = meta["row_width"]
    out = []
    for start in range(0, len(text), width):
        row, pos = {}, start
        for name, w in meta["fields"]:
            row[name] = decode(text[pos : pos + w])
            pos += w
        out.append(row)
    return out


_TERMS = {"Spring": 0, "Summer": 1, "Fall": 2}


def cohort_order(cohort: str) -> tuple:
    term, _, year = cohort.partition(" ")
    if year.isdigit() and term in _TERMS:
        return (0, int(year), _TERMS[term], cohort)
    return (1, 0, 0, cohort)
