"""Remove submissions as a maintainer: a git deletion (a local commit or pull requests).

Being a deletion in the board's history is what keeps a removed entry from coming back:
the board's checks refuse a later pull request that adds the same file again.
"""

from __future__ import annotations

import re
from pathlib import Path

from tinytorch_board.errors import BoardError
from tinytorch_board.gitrun import git
from tinytorch_board.publish.texts import removal_message

SUBMISSION_ID_RE = re.compile(r"[0-9a-f]{32}")


def resolve_ids(board_dir: Path, ids: tuple[str, ...]) -> list[str]:
    """Board paths of the given submission ids (full ids or unique prefixes of 8 or more)."""
    present = sorted(p for p in Path(board_dir).glob("submissions/*/*.json"))
    by_id = {p.stem: f"submissions/{p.parent.name}/{p.name}" for p in present}
    paths = []
    for raw in ids:
        wanted = raw.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{8,32}", wanted):
            raise BoardError(f"{raw!r} is not a submission id (8 to 32 hex characters)")
        matches = [path for sid, path in by_id.items() if sid.startswith(wanted)]
        if not matches:
            raise BoardError(f"no submission {wanted} on this board (see `board list`)")
        if len(matches) > 1:
            raise BoardError(f"{wanted} matches {len(matches)} submissions; give more of the id")
        if matches[0] not in paths:
            paths.append(matches[0])
    return paths


def remove_locally(board_dir: Path, paths: list[str], reason: str) -> str:
    """Delete the files in one commit of the board's git repository; its SHA."""
    board_dir = Path(board_dir)
    if not (board_dir / ".git").exists():
        raise BoardError(f"{board_dir} is not a git repository; a removal must be a commit")
    message = removal_message(paths, reason)
    staged = git(board_dir, "diff", "--cached", "--name-only").split()
    if staged:
        raise BoardError(f"{board_dir} has staged changes ({staged[0]}...); commit them first")
    git(board_dir, "rm", "--quiet", "--", *paths)
    git(board_dir, "commit", "--quiet", "-m", message, "--", *paths)
    return git(board_dir, "rev-parse", "HEAD").strip()
