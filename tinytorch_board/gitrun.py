"""Run git in a board's checkout, for the maintainers' commands (list, remove)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tinytorch_board.errors import BoardError


def git(repo_dir: Path, *args: str) -> str:
    """git's output for args run in repo_dir (paths unquoted); a failure, or git
    missing, is one BoardError line."""
    try:
        done = subprocess.run(
            ["git", "-C", str(repo_dir), "-c", "core.quotePath=false", *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except FileNotFoundError:
        raise BoardError("git is not installed; install git and run again") from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no output"])[0]
        raise BoardError(f"git {args[0]} failed in {repo_dir}: {reason}")
    return done.stdout
