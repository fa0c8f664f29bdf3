"""Submit to a board directory on this machine (the offline default)."""

from __future__ import annotations

from pathlib import Path

from tinytorch_board.errors import BoardError
from tinytorch_board.jsonio import dumps, write_text_atomic


def is_board_dir(path: Path) -> bool:
    return (path / "board.yaml").is_file() or (path / "submissions").is_dir()


def write_to_board(board_dir: Path, relative_path: str, document: dict) -> Path:
    """Write the exact previewed text to board_dir/relative_path; never replace a file."""
    board_dir = Path(board_dir)
    if not is_board_dir(board_dir):
        raise BoardError(
            f"{board_dir} is not a board (no board.yaml or submissions/); "
            "pass --to with a board directory"
        )
    target = board_dir / relative_path
    if target.exists():
        raise BoardError(f"{target} already exists; submissions are never overwritten")
    write_text_atomic(target, dumps(document))
    return target
