"""Moderation: list a board's entries with who added them (from its git history).

Removing entries is publish/remove.py's job.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

from tinytorch_board.gitrun import git

_NOREPLY = re.compile(r"^(?:\d+\+)?([A-Za-z0-9-]+)@users\.noreply\.github\.com$", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One submission on the board, with the commit that added it (when git knows)."""

    submission_id: str
    path: str
    participant_id: str
    created_at: str
    kind: str
    backend: str
    score: float
    added_by: str | None  # GitHub login (or git author name) of the adding commit
    added_at: str | None  # that commit's author date
    added_in: str | None  # that commit's SHA

    def as_dict(self) -> dict:
        return asdict(self)


def _login(name: str, email: str) -> str:
    match = _NOREPLY.match(email)
    return match.group(1) if match else name


def added_by(board_dir: Path) -> dict[str, tuple[str, str, str]]:
    """path -> (login or author name, author date, commit) of the last commit adding it."""
    if not (Path(board_dir) / ".git").exists():
        return {}
    out = git(
        board_dir,
        "log",
        "--diff-filter=A",
        "--no-renames",
        "--name-only",
        "--format=%x00%H%x1f%an%x1f%ae%x1f%aI",
        "--",
        "submissions/",
    )
    found: dict[str, tuple[str, str, str]] = {}
    for record in out.split("\0")[1:]:
        header, _, names = record.partition("\n")
        commit, name, email, when = header.split("\x1f")
        for path in names.split():
            found.setdefault(path, (_login(name, email), when, commit))
    return found


def list_entries(board_dir: Path) -> list[Entry]:
    """Every valid submission on the board, oldest first."""
    from tinytorch_board.board.load import load_board

    board_dir = Path(board_dir)
    loaded = load_board(board_dir, workers=1)
    history = added_by(board_dir)
    entries = []
    for doc in loaded.documents:
        sid = doc["submission_id"]
        path = f"submissions/{sid[:2]}/{sid}.json"
        who, when, commit = history.get(path, (None, None, None))
        entries.append(
            Entry(
                submission_id=sid,
                path=path,
                participant_id=doc["participant_id"],
                created_at=doc["created_at"],
                kind=doc["benchmark"]["kind"],
                backend=doc["benchmark"]["backend"],
                score=float(doc["benchmark"]["score"]),
                added_by=who,
                added_at=when,
                added_in=commit,
            )
        )
    entries.sort(key=lambda e: (e.created_at, e.submission_id))
    return entries


def filter_entries(
    entries: list[Entry],
    *,
    participant: str | None = None,
    author: str | None = None,
    since: date | None = None,
    min_score: float | None = None,
    max_score: float | None = None,
) -> list[Entry]:
    """Entries matching every given condition (dates compare the submission's created_at)."""

    def keep(e: Entry) -> bool:
        if participant and e.participant_id != participant:
            return False
        if author and (e.added_by or "").lower() != author.lower():
            return False
        if since and datetime.fromisoformat(e.created_at.replace("Z", "+00:00")).date() < since:
            return False
        if min_score is not None and e.score < min_score:
            return False
        return max_score is None or e.score <= max_score

    return [e for e in entries if keep(e)]
