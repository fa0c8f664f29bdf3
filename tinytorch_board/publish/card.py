"""The share card a public submission leaves on the student's machine (SVG and PNG)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from tinytorch_board.cards import card_png, student_card
from tinytorch_board.errors import WriteError
from tinytorch_board.jsonio import write_text_atomic


def write_share_card(folder: Path, document: dict, title: str) -> tuple[Path, Path]:
    """Draw the submission's card into folder as <id>.svg and <id>.png; (svg, png) paths.

    The card holds what stays true of this result (score, kind, backend, modules,
    milestones, the board's name), never a rank that the next submission changes.
    """
    bench, progress = document["benchmark"], document["progress"]
    svg = student_card(
        title,
        float(bench["score"]),
        bench["kind"],
        bench["backend"],
        int(progress.get("modules_completed") or 0),
        len(progress.get("milestones_completed") or ()),
    )
    folder = Path(folder).resolve()
    stem = document["submission_id"]
    svg_path, png_path = folder / f"{stem}.svg", folder / f"{stem}.png"
    write_text_atomic(svg_path, svg)
    _write_bytes_atomic(png_path, card_png(svg))
    return svg_path, png_path


def _write_bytes_atomic(path: Path, data: bytes) -> None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError, UnboundLocalError):
            os.unlink(tmp)
        raise WriteError(path, exc) from None
