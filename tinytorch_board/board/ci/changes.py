"""A pull request's changed files, read with git itself or from the REST API's JSON.

Git gives the whole truth (status, mode, blob and size of every path); the API's
"list pull request files" answer gives paths and statuses only. Both become the same
`ChangedFile` records, so one set of rules judges either.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from tinytorch_board.errors import BoardError, DataFileError

REGULAR_FILE = "100644"
EXECUTABLE_FILE = "100755"
SYMLINK = "120000"
SUBMODULE = "160000"
NO_FILE = "000000"
ZERO_SHA = "0" * 40
SHA_RE = re.compile(r"[0-9a-f]{40}")
SUBMISSION_PATH_RE = re.compile(r"submissions/([0-9a-f]{2})/([0-9a-f]{32})\.json")

# git diff --raw status letters -> the REST API's words for them.
GIT_STATUS = {
    "A": "added",
    "M": "modified",
    "D": "removed",
    "R": "renamed",
    "C": "copied",
    "T": "changed",
    "U": "unmerged",
    "X": "unknown",
}
API_STATUSES = frozenset(
    {"added", "removed", "modified", "renamed", "copied", "changed", "unchanged"}
)

BlobReader = Callable[[str, int], bytes]
"""read(blob_sha, limit) -> at most `limit` bytes of the blob."""


@dataclass(frozen=True)
class ChangedFile:
    """One path a pull request touches; mode/blob/size are None where the source lacks them."""

    path: str
    status: str
    old_path: str | None = None
    mode: str | None = None
    old_mode: str | None = None
    blob: str | None = None
    old_blob: str | None = None
    size: int | None = None

    def touched(self) -> set[str]:
        return {self.path} | ({self.old_path} if self.old_path else set())

    def as_dict(self) -> dict:
        return asdict(self)


class GitRepo:
    """Read-only questions to a local git repository (objects only; nothing is checked out)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise BoardError(f"{self.path} is not a directory; pass --repo with a git checkout")

    def _git(self, *args: str, stdin: bytes | None = None, check: bool = True) -> bytes:
        command = ["git", "-C", str(self.path), "-c", "core.quotePath=false", *args]
        try:
            done = subprocess.run(command, input=stdin, capture_output=True, timeout=120)
        except FileNotFoundError:
            raise BoardError("git is not installed; install git and run again") from None
        except subprocess.TimeoutExpired:
            raise BoardError(f"git {args[0]} took more than 120 s in {self.path}") from None
        if check and done.returncode != 0:
            reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise BoardError(
                f"git {args[0]} failed in {self.path}: {reason[0] if reason else 'no output'}"
            )
        return done.stdout

    def run(self, *args: str, stdin: bytes | None = None, check: bool = True) -> bytes:
        """A git command's standard output (BoardError on failure unless check=False)."""
        return self._git(*args, stdin=stdin, check=check)

    def succeeds(self, *args: str) -> bool:
        """Whether a git command exits 0 (for yes/no questions such as --is-ancestor)."""
        command = ["git", "-C", str(self.path), *args]
        try:
            return subprocess.run(command, capture_output=True, timeout=120).returncode == 0
        except (FileNotFoundError, subprocess.TimeoutExpired):
            raise BoardError(f"git {args[0]} could not run in {self.path}") from None

    def commit(self, revision: str) -> str:
        """The full SHA of a commit; BoardError naming the revision when it is unknown."""
        if revision.startswith("-"):
            raise BoardError(f"{revision!r} is not a commit")
        out = self._git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", check=False)
        sha = out.decode("ascii", "replace").strip()
        if not SHA_RE.fullmatch(sha):
            raise BoardError(
                f"commit {revision!r} is not in {self.path}; fetch it first "
                "(git fetch origin <sha>)"
            )
        return sha

    def merge_base(self, base: str, head: str) -> str:
        """Where head branched from base; base itself when history is too shallow to tell."""
        out = self._git("merge-base", base, head, check=False).decode("ascii", "replace")
        sha = out.strip().splitlines()[0] if out.strip() else ""
        return sha if SHA_RE.fullmatch(sha) else base

    def changes(self, base: str, head: str) -> list[ChangedFile]:
        """Every path that differs between two commits, with modes, blobs and sizes."""
        raw = self._git(
            "diff",
            "--raw",
            "-z",
            "--no-renames",
            "--no-abbrev",
            "--no-ext-diff",
            "--no-textconv",
            base,
            head,
            "--",
        )
        files = _parse_raw_diff(raw)
        sizes = self.sizes([f.blob for f in files if f.blob])
        return [
            ChangedFile(**{**f.as_dict(), "size": sizes.get(f.blob)}) if f.blob else f
            for f in files
        ]

    def sizes(self, blobs: list[str]) -> dict[str, int]:
        if not blobs:
            return {}
        out = self._git(
            "cat-file", "--batch-check", stdin="".join(f"{b}\n" for b in blobs).encode()
        )
        sizes = {}
        for line in out.decode("ascii", "replace").splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[2].isdigit():
                sizes[parts[0]] = int(parts[2])
        return sizes

    def read_blob(self, blob: str, limit: int) -> bytes:
        """At most `limit` bytes of a blob (callers check the size first)."""
        if not SHA_RE.fullmatch(blob):
            raise BoardError(f"{blob!r} is not a blob id")
        return self._git("cat-file", "blob", blob)[:limit]


def _parse_raw_diff(raw: bytes) -> list[ChangedFile]:
    """Parse `git diff --raw -z`: ':old new oldsha newsha S' NUL path NUL [path NUL]."""
    tokens = raw.split(b"\0")
    files = []
    i = 0
    while i < len(tokens) and tokens[i]:
        meta = tokens[i].decode("ascii", "replace")
        if not meta.startswith(":"):
            raise BoardError(f"unexpected git diff output: {meta[:80]!r}")
        old_mode, new_mode, old_sha, new_sha, status = meta[1:].split(" ", 4)
        letter = status[:1]
        paths = 2 if letter in ("R", "C") else 1
        names = [_decode_path(t) for t in tokens[i + 1 : i + 1 + paths]]
        i += 1 + paths
        path = names[-1]
        files.append(
            ChangedFile(
                path=path,
                status=GIT_STATUS.get(letter, "unknown"),
                old_path=names[0] if paths == 2 else None,
                mode=None if new_mode == NO_FILE else new_mode,
                old_mode=None if old_mode == NO_FILE else old_mode,
                blob=None if new_sha == ZERO_SHA else new_sha,
                old_blob=None if old_sha == ZERO_SHA else old_sha,
            )
        )
    return files


def _decode_path(raw: bytes) -> str:
    # A path that is not UTF-8 keeps its bytes visible as escapes; it never matches a rule.
    return raw.decode("utf-8", "backslashreplace")


def json_values(text: str, source: str) -> list:
    """One or more JSON values back to back (what `gh api --paginate` prints), in order."""
    decoder = json.JSONDecoder()
    values = []
    index = 0
    text = text.strip()
    while index < len(text):
        try:
            value, end = decoder.raw_decode(text, index)
        except json.JSONDecodeError as exc:
            raise DataFileError(
                source, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
        values.append(value)
        index = end
        while index < len(text) and text[index].isspace():
            index += 1
    return values


def api_files(text: str, source: str) -> list[ChangedFile]:
    """The REST API's "list pull request files" answer (one array, pages, or JSON lines)."""
    items: list = []
    for value in json_values(text, source):
        items.extend(value if isinstance(value, list) else [value])
    files = []
    for number, item in enumerate(items):
        where = f"item {number}"
        if not isinstance(item, dict):
            raise DataFileError(source, f"{where}: expected an object with filename and status")
        path, status = item.get("filename"), item.get("status")
        if not isinstance(path, str) or not path:
            raise DataFileError(source, f"{where}: 'filename' must be text")
        if status not in API_STATUSES:
            raise DataFileError(source, f"{where}: unknown status {status!r}")
        sha = item.get("sha")
        previous = item.get("previous_filename")
        files.append(
            ChangedFile(
                path=path,
                status=status,
                old_path=previous if isinstance(previous, str) else None,
                blob=sha if isinstance(sha, str) and SHA_RE.fullmatch(sha) else None,
            )
        )
    return files


def blob_dir_reader(directory: Path) -> BlobReader:
    """Blobs saved as files named by their SHA (e.g. from the API's raw blob endpoint)."""
    directory = Path(directory)

    def read(blob: str, limit: int) -> bytes:
        if not SHA_RE.fullmatch(blob):
            raise BoardError(f"{blob!r} is not a blob id")
        path = directory / blob
        if not path.is_file():
            raise BoardError(f"blob {blob} is not in {directory}; download it first")
        with path.open("rb") as handle:
            return handle.read(limit)

    return read


def blob_dir_sizes(directory: Path, files: list[ChangedFile]) -> list[ChangedFile]:
    """Fill in sizes for API records whose blobs were downloaded."""
    out = []
    for f in files:
        path = Path(directory) / f.blob if f.blob else None
        size = path.stat().st_size if path is not None and path.is_file() else None
        out.append(ChangedFile(**{**f.as_dict(), "size": size}) if size is not None else f)
    return out
