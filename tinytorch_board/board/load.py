"""Load a board: every file under submissions/, validated by the shared validator."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tinytorch_board.errors import BoardError
from tinytorch_board.submission.validator import Checked, board_files, check_file


@dataclass
class LoadedBoard:
    root: Path
    documents: list[dict] = field(default_factory=list)
    invalid: list[Checked] = field(default_factory=list)


def load_board(board_dir: Path, now: datetime | None = None) -> LoadedBoard:
    """Valid documents plus every rejected file with its reasons; never raises on bad data."""
    board_dir = Path(board_dir)
    if not board_dir.is_dir():
        raise BoardError(f"board directory {board_dir} does not exist")
    now = now or datetime.now(timezone.utc)
    loaded = LoadedBoard(board_dir)
    for path in board_files(board_dir):
        checked = check_file(path, now=now, source=str(path.relative_to(board_dir)))
        if checked.ok:
            loaded.documents.append(checked.document)
        else:
            loaded.invalid.append(checked)
    return loaded
