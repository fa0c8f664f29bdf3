"""A real board repository in a temp dir, with real commits, for the `ci` tests."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

from tinytorch_board.board.demo_data import generate
from tinytorch_board.jsonio import dumps

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def submission_path(doc: dict) -> str:
    sid = doc["submission_id"]
    return f"submissions/{sid[:2]}/{sid}.json"


class BoardRepo:
    """A git repository shaped like a board: board.yaml, submissions/, a main branch."""

    def __init__(self, path: Path, existing: int = 3, board_yaml: str | None = None) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.docs = generate(existing + 20, seed=11)
        self.fresh = iter(self.docs[existing:])  # documents not yet on the board
        self.existing = self.docs[:existing]
        self.write("board.yaml", board_yaml or "version: 1\ntitle: Test board\n")
        self.write("README.md", "# a board\n")
        for doc in self.existing:
            self.write(submission_path(doc), dumps(doc))
        self.main = self.commit("board with a few submissions")

    def git(self, *args: str) -> str:
        env = {**os.environ, **GIT_ENV, "HOME": str(self.path.parent)}
        done = subprocess.run(
            ["git", "-C", str(self.path), *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def write(self, relative: str, content: str | bytes) -> Path:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target

    def new_doc(self) -> dict:
        """A valid document not on the board yet, from a participant new to the board."""
        doc = next(self.fresh)
        doc["participant_id"] = str(uuid.uuid4())
        return doc

    def add_doc(self, doc: dict, relative: str | None = None) -> str:
        relative = relative or submission_path(doc)
        self.write(relative, dumps(doc))
        return relative

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def branch(self, name: str = "pr", start: str = "main") -> None:
        self.git("checkout", "-q", "-b", name, start)

    def back_to_main(self) -> None:
        self.git("checkout", "-q", "main")
