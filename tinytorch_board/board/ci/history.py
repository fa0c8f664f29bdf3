"""What the board's git history says: which submission ids were ever deleted, and which
GitHub account added the files that carry a participant_id.

History is read from the base branch's checkout (`--board`), never from a pull request.
It must be complete: a shallow clone hides old deletions, so it is refused rather than
trusted (the workflows check out with `fetch-depth: 0`).

Who added a file is the `Submitted-by: <login>` trailer of the commit that added it. Only
the board's own workflows write that trailer (the squash merge of a checked pull request,
the intake's commit); a file added any other way (a maintainer's push, the web editor, a
board older than the trailer) has no recorded author.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from tinytorch_board.board.ci.changes import SHA_RE, GitRepo
from tinytorch_board.errors import BoardError
from tinytorch_board.submission import MAX_FILE_BYTES

SUBMISSIONS = "submissions/"
AUTHOR_TRAILER = "Submitted-by"
LOGIN_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:\[bot\])?")
ID_RE = re.compile(r"[0-9a-f]{32}")
PARTICIPANT_RE = r'"participant_id"[[:space:]]*:[[:space:]]*"[0-9a-f-]{36}"'
WITHDRAWN_LIST = "withdrawn.txt"
"""Optional, committed at the board's root: ids to refuse beyond what history shows (e.g.
after a history rewrite purged a file). It adds to history; it never replaces it."""


def author_trailer(login: str) -> str:
    """The commit-message trailer that records who submitted a file."""
    return f"{AUTHOR_TRAILER}: {login}"


@dataclass
class BoardHistory:
    """Answers about the base branch's history, each computed once."""

    git: GitRepo
    tip: str
    _withdrawn: frozenset[str] | None = field(default=None, repr=False)
    _participants: dict[str, list[str]] | None = field(default=None, repr=False)

    @classmethod
    def open(cls, board_dir: Path) -> BoardHistory:
        board_dir = Path(board_dir)
        if not (board_dir / ".git").exists():
            raise BoardError(
                f"{board_dir} is not a git checkout; the board's history decides which "
                "submissions were withdrawn (pass --board with a full clone of the base branch)"
            )
        git = GitRepo(board_dir)
        tip = git.commit("HEAD")
        history = cls(git=git, tip=tip)
        history._require_complete()
        return history

    def _require_complete(self) -> None:
        """Refuse a history cut short by a shallow clone anywhere behind the tip."""
        shallow_file = self.git.run("rev-parse", "--git-path", "shallow").decode().strip()
        path = Path(shallow_file)
        if not path.is_absolute():
            path = self.git.path / path
        if not path.is_file():
            return
        for sha in path.read_text(encoding="ascii", errors="replace").split():
            if not SHA_RE.fullmatch(sha):
                continue
            if self._is_ancestor(sha):
                raise BoardError(
                    f"the history of {self.git.path} is shallow; withdrawn submissions "
                    "cannot be ruled out. Clone it in full (git fetch --unshallow, or "
                    "actions/checkout with fetch-depth: 0)"
                )

    def _is_ancestor(self, sha: str) -> bool:
        return self.git.succeeds("merge-base", "--is-ancestor", sha, self.tip)

    @property
    def withdrawn(self) -> frozenset[str]:
        """Every submission id whose file was ever deleted from history (plus the list)."""
        if self._withdrawn is None:
            self._withdrawn = frozenset(self._deleted_ids() | self._listed_ids())
        return self._withdrawn

    def _deleted_ids(self) -> set[str]:
        # -m: a merge that drops a file counts as well; --no-renames: a move is a deletion.
        raw = self.git.run(
            "log",
            "-m",
            "--no-renames",
            "--diff-filter=D",
            "--raw",
            "--no-abbrev",
            "-z",
            "--format=",
            self.tip,
            "--",
            SUBMISSIONS,
        )
        ids: set[str] = set()
        blobs: set[str] = set()
        tokens = raw.split(b"\0")
        i = 0
        while i < len(tokens):
            meta = tokens[i].decode("ascii", "replace").strip()
            if not meta.startswith(":"):
                i += 1
                continue
            parts = meta[1:].split()
            path = tokens[i + 1].decode("utf-8", "replace") if i + 1 < len(tokens) else ""
            i += 2
            stem = path.rsplit("/", 1)[-1].removesuffix(".json")
            if ID_RE.fullmatch(stem):
                ids.add(stem)
            if len(parts) >= 3 and SHA_RE.fullmatch(parts[2]):
                blobs.add(parts[2])
        # The deleted file's own id, wherever it lived and whatever it was called.
        return ids | self._ids_in_blobs(sorted(blobs))

    def _ids_in_blobs(self, blobs: list[str]) -> set[str]:
        sizes = self.git.sizes(blobs)
        small = [b for b in blobs if sizes.get(b, MAX_FILE_BYTES + 1) <= MAX_FILE_BYTES]
        ids = set()
        for content in self._read_blobs(small):
            try:
                doc = json.loads(content)
            except (ValueError, RecursionError):
                continue
            sid = doc.get("submission_id") if isinstance(doc, dict) else None
            if isinstance(sid, str) and ID_RE.fullmatch(sid):
                ids.add(sid)
        return ids

    def _read_blobs(self, blobs: list[str]) -> list[bytes]:
        """Blob contents in one `git cat-file --batch` (callers pass only small blobs)."""
        if not blobs:
            return []
        out = self.git.run("cat-file", "--batch", stdin="".join(f"{b}\n" for b in blobs).encode())
        contents = []
        index = 0
        while index < len(out):
            end = out.index(b"\n", index)
            header = out[index:end].split()
            index = end + 1
            if len(header) != 3 or header[1] != b"blob":
                continue
            size = int(header[2])
            contents.append(out[index : index + size])
            index += size + 1  # the content's trailing newline
        return contents

    def _listed_ids(self) -> set[str]:
        out = self.git.run("cat-file", "blob", f"{self.tip}:{WITHDRAWN_LIST}", check=False)
        ids = set()
        for line in out.decode("utf-8", "replace").splitlines():
            word = line.split("#", 1)[0].strip().lower()
            if ID_RE.fullmatch(word):
                ids.add(word)
        return ids

    def participant_files(self, participant_id: str) -> list[str]:
        """Paths of the board's current files whose participant_id is this one."""
        if self._participants is None:
            self._participants = self._participant_index()
        paths = []
        for path in self._participants.get(participant_id, []):
            raw = self.git.run("cat-file", "blob", f"{self.tip}:{path}", check=False)
            if len(raw) > MAX_FILE_BYTES:
                continue
            try:
                doc = json.loads(raw)
            except (ValueError, RecursionError):
                continue
            # The grep finds candidates; the parsed file decides.
            if isinstance(doc, dict) and doc.get("participant_id") == participant_id:
                paths.append(path)
        return paths

    def _participant_index(self) -> dict[str, list[str]]:
        """participant_id -> paths, from one pass over the tip's files (not one per id)."""
        out = self.git.run(
            "grep",
            "-o",
            "-E",
            PARTICIPANT_RE,
            self.tip,
            "--",
            SUBMISSIONS,
            check=False,
        )
        index: dict[str, list[str]] = {}
        prefix = f"{self.tip}:"
        for line in out.decode("utf-8", "replace").splitlines():
            if not line.startswith(prefix):
                continue
            path, _, match = line[len(prefix) :].partition(":")
            participant = match.rstrip('"').rsplit('"', 1)[-1]
            index.setdefault(participant, []).append(path)
        return index

    def adders(self, paths: list[str]) -> dict[str, str | None]:
        """For each path, the login that submitted it (its adding commit's trailer) or None."""
        if not paths:
            return {}
        raw = self.git.run(
            "log",
            "--no-renames",
            "--diff-filter=A",
            "--name-only",
            "-z",
            f"--format=%x01%(trailers:key={AUTHOR_TRAILER},valueonly,separator=%x2C)%x02",
            self.tip,
            "--",
            *paths,
        )
        found: dict[str, str | None] = {}
        for record in raw.decode("utf-8", "replace").split("\x01")[1:]:
            trailer, _, names = record.partition("\x02")
            logins = {v.strip() for v in trailer.split(",") if v.strip()}
            login = logins.pop() if len(logins) == 1 else None
            if login is not None and not LOGIN_RE.fullmatch(login):
                login = None
            for name in names.strip("\n\0").split("\0"):
                name = name.strip("\n")
                if name in paths and name not in found:  # newest adding commit first
                    found[name] = login
        return {path: found.get(path) for path in paths}
