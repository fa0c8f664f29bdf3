"""The student's signing keys and the other private files: modes, .gitignore, moving them.

Two Ed25519 keys, one for anonymous and one for public results, so naming yourself on
one result never reveals your anonymous history. They live in
`.tinytorch/community/keys.json` (mode 0600); the outbox (`.tinytorch/submissions/`,
which holds the withdrawal secrets) is private too. TinyTorch's own repository commits
`.tinytorch/`, so a `.gitignore` is written beside each private file.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tinytorch_board.errors import BoardError, DataFileError
from tinytorch_board.jsonio import check_version, dumps, read_json, write_text_atomic
from tinytorch_board.local.project import Project

KEYS_VERSION = 1
EXPORT_VERSION = 1
KINDS = ("anonymous", "public")
PRIVATE_MODE = 0o600
_SEED = re.compile(r"^[0-9a-f]{64}$")
_SUBMISSION_ID = re.compile(r"^[0-9a-f]{32}$")
# What each private directory's .gitignore keeps out of git.
GITIGNORES = {"community": "keys.json\n*.keys-export.json\n", "submissions": "*\n"}


@dataclass(frozen=True)
class Keys:
    """The two 32-byte Ed25519 private key seeds."""

    anonymous: bytes
    public: bytes

    def for_visibility(self, visibility: str) -> bytes:
        return self.public if visibility == "public" else self.anonymous

    def as_json(self) -> dict:
        return {"anonymous": self.anonymous.hex(), "public": self.public.hex()}


def keys_path(project: Project) -> Path:
    return project.tinytorch_dir / "community" / "keys.json"


def write_private(path: Path, text: str) -> None:
    """Write a private file atomically, mode 0600, with its directory's .gitignore."""
    path = Path(path)
    write_text_atomic(path, text)
    os.chmod(path, PRIVATE_MODE)
    write_gitignore(path.parent)


def write_gitignore(directory: Path) -> None:
    """Keep a private directory's files out of git (written once, never replaced)."""
    content = GITIGNORES.get(Path(directory).name, "*\n")
    path = Path(directory) / ".gitignore"
    if not path.exists():
        write_text_atomic(path, content)


def _seed(data: dict, kind: str, path: Path) -> bytes:
    value = data.get(kind)
    if not isinstance(value, str) or not _SEED.match(value):
        raise DataFileError(path, f"'{kind}' is not a 64-hex key")
    return bytes.fromhex(value)


def _keys_from(data: dict, path: Path) -> Keys:
    check_version(path, data, "keys_version", KEYS_VERSION)
    keys = Keys(_seed(data, "anonymous", path), _seed(data, "public", path))
    if keys.anonymous == keys.public:
        raise DataFileError(path, "the anonymous and public keys must differ")
    return keys


def load_keys(project: Project) -> Keys | None:
    """The stored keys, or None when there are none yet."""
    path = keys_path(project)
    if not path.exists() and not path.is_symlink():
        return None
    return _keys_from(read_json(path), path)


def load_or_create_keys(project: Project) -> Keys:
    """The stored keys; the first call creates two fresh ones (an Ed25519 private key is
    32 random bytes)."""
    keys = load_keys(project)
    if keys is None:
        keys = Keys(secrets.token_bytes(32), secrets.token_bytes(32))
        save_keys(project, keys)
    return keys


def save_keys(project: Project, keys: Keys) -> Path:
    path = keys_path(project)
    write_private(path, dumps({"keys_version": KEYS_VERSION, **keys.as_json()}))
    return path


def protect_outbox(project: Project) -> None:
    """The outbox's .gitignore and 0600 records (withdrawal secrets live there)."""
    outbox = project.outbox_dir
    if not outbox.is_dir():
        return
    write_gitignore(outbox)
    for record in outbox.glob("*.json"):
        if record.is_file() and not record.is_symlink():
            os.chmod(record, PRIVATE_MODE)


def private_files(project: Project) -> list[Path]:
    """Every private file that exists: the keys and the outbox records."""
    found = [keys_path(project)] if keys_path(project).is_file() else []
    if project.outbox_dir.is_dir():
        found += sorted(p for p in project.outbox_dir.glob("*.json") if p.is_file())
    return found


def tracked_private_files(project: Project) -> list[str]:
    """Private files git tracks in the project (relative paths); [] outside a git work tree."""
    files = private_files(project)
    if not files:
        return []
    relative = [str(p.relative_to(project.root)) for p in files]
    try:
        done = subprocess.run(
            ["git", "-C", str(project.root), "ls-files", "-z", "--", *relative],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if done.returncode != 0:
        return []
    return sorted(name for name in done.stdout.decode("utf-8", "replace").split("\0") if name)


def export_keys(project: Project, destination: Path) -> Path:
    """Write the keys and the outbox (withdrawal secrets) to one new 0600 file."""
    destination = Path(destination)
    if destination.exists() or destination.is_symlink():
        raise BoardError(f"{destination} already exists; choose a new file name")
    keys = load_keys(project)
    if keys is None:
        raise BoardError("there are no keys to export yet (they are made by the first submit)")
    outbox = {}
    for path in private_files(project)[1:]:
        try:
            outbox[path.stem] = read_json(path)
        except DataFileError:
            continue  # an unreadable record stays where it is
    document = {"export_version": EXPORT_VERSION, "keys": keys.as_json(), "outbox": outbox}
    fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(dumps(document))
    os.chmod(destination, PRIVATE_MODE)
    return destination


@dataclass(frozen=True)
class Imported:
    keys_replaced: bool
    records_added: int
    records_kept: int


def import_keys(project: Project, source: Path, force: bool = False) -> Imported:
    """Take keys and outbox records from an export; different keys need `force`."""
    source = Path(source)
    data = read_json(source)
    check_version(source, data, "export_version", EXPORT_VERSION)
    if not isinstance(data.get("keys"), dict) or not isinstance(data.get("outbox"), dict):
        raise DataFileError(source, "is not a key export (no 'keys' and 'outbox')")
    incoming = _keys_from({"keys_version": KEYS_VERSION, **data["keys"]}, source)
    current = load_keys(project)
    replaced = current is not None and current != incoming
    if replaced and not force:
        raise BoardError(
            f"this project already has different keys ({keys_path(project)}); importing would "
            "unlink its future results from its past ones. Use --force to replace them"
        )
    if current != incoming:
        save_keys(project, incoming)
    added = kept = 0
    for sid, record in sorted(data["outbox"].items()):
        if not _SUBMISSION_ID.match(sid) or not isinstance(record, dict):
            raise DataFileError(source, f"outbox entry {sid[:40]!r} is not a submission record")
        target = project.outbox_dir / f"{sid}.json"
        if target.exists():
            kept += 1
            continue
        write_private(target, dumps(record))
        added += 1
    protect_outbox(project)
    return Imported(replaced, added, kept)
