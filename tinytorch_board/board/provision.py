"""A board is data plus a pinned tool: `board init` writes one, `board upgrade` moves it.

The board repository holds board.yaml, submissions/, a short README and, under .github/,
files this release manages: the workflows (this repository's own, installing the board's
lock with --require-hashes instead of a source tree), the pull request helper script, the
issue and pull request templates, Dependabot's config, the lock and a manifest recording
what was written. `upgrade` rewrites the managed files for the installed release and
refuses to overwrite one the maintainer edited (its hash differs from the manifest's)
unless forced. board.yaml, README.md and submissions/ are the maintainer's: never touched.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from tinytorch_board import __version__
from tinytorch_board.board.config import (
    _REPOSITORY,
    check_site_url,
    default_board_yaml,
    read_config_file,
)
from tinytorch_board.errors import BoardError, ConfigError
from tinytorch_board.release import PACKAGE, lock_changes, parse_lock, release_of
from tinytorch_board.submission import SCHEMA_VERSION
from tinytorch_board.submission.score import CAPSTONE_SUITE_VERSION

MANIFEST_VERSION = 1
LOCK_PATH = ".github/tinytorch-board/requirements.txt"
MANIFEST_PATH = ".github/tinytorch-board/manifest.json"
# How this repository's workflows install (its source tree, after the hash-pinned
# dependencies of .github/requirements/ci.txt) and how a board's do (the release lock
# `board init` writes: tinytorch-board's sdist and every dependency, by hash).
SOURCE_INSTALL = (
    "python -m pip install --quiet --require-hashes --no-deps -r .github/requirements/ci.txt\n"
    "python -m pip install --quiet --no-deps --no-build-isolation ."
)
BOARD_INSTALL = f"python -m pip install --quiet --require-hashes --no-deps -r {LOCK_PATH}"
# The whole install step of this repository's workflows (name, comments, the two lines).
_SOURCE_STEP = re.compile(
    r"^(?P<indent> +)- name: Install tinytorch-board[^\n]*\n"
    r"(?:(?P=indent)  #[^\n]*\n)*"
    r"(?P=indent)  run: \|\n"
    + "".join(rf"(?P=indent)    {re.escape(line)}\n" for line in SOURCE_INSTALL.split("\n")),
    re.MULTILINE,
)
# board path -> path under this repository's .github (or the wheel's copy of it).
FROM_GITHUB = {
    ".github/workflows/validate-submission.yml": "workflows/validate-submission.yml",
    ".github/workflows/withdraw.yml": "workflows/withdraw.yml",
    ".github/workflows/intake.yml": "workflows/intake.yml",
    ".github/workflows/pages.yml": "workflows/pages.yml",
    ".github/workflows/board-config.yml": "workflows/board-config.yml",
    ".github/scripts/read-pull-request.sh": "scripts/read-pull-request.sh",
    ".github/ISSUE_TEMPLATE/submission.yml": "ISSUE_TEMPLATE/submission.yml",
    ".github/ISSUE_TEMPLATE/config.yml": "ISSUE_TEMPLATE/config.yml",
    ".github/PULL_REQUEST_TEMPLATE.md": "PULL_REQUEST_TEMPLATE.md",
}
FROM_SCAFFOLD = {".github/dependabot.yml": "dependabot.yml"}


def _scaffold(name: str) -> str:
    return (
        resources.files("tinytorch_board.board.scaffold").joinpath(name).read_text(encoding="utf-8")
    )


def _github_file(relative: str) -> str:
    """A file of this repository's .github (a source checkout) or the wheel's copy."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / ".github" / relative).is_file():
        return (checkout / ".github" / relative).read_text(encoding="utf-8")
    packaged = resources.files("tinytorch_board").joinpath(f"_board_github/{relative}")
    if not packaged.is_file():
        raise BoardError(f"this installation lacks {relative}; reinstall tinytorch-board")
    return packaged.read_text(encoding="utf-8")


def _board_step(match: re.Match) -> str:
    indent = match["indent"]
    return (
        f"{indent}- name: Install tinytorch-board from the board's release lock (hash-checked)\n"
        f"{indent}  run: {BOARD_INSTALL}\n"
    )


def managed_files(lock_text: str) -> dict[str, str]:
    """Every file this release manages in a board, by path, as it writes them."""
    files: dict[str, str] = {}
    for target, source in FROM_GITHUB.items():
        text = _github_file(source)
        if target.startswith(".github/workflows/"):
            text, steps = _SOURCE_STEP.subn(_board_step, text)
            if not steps:
                raise BoardError(f"{source} has no install step to point at the lock")
        files[target] = text
    for target, source in FROM_SCAFFOLD.items():
        files[target] = _scaffold(source)
    files[LOCK_PATH] = lock_text
    return files


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _manifest(files: dict[str, str], lock_text: str) -> dict:
    return {
        "manifest_version": MANIFEST_VERSION,
        "release": release_of(parse_lock(lock_text, LOCK_PATH)),
        "written_by": __version__,
        "schema_version": SCHEMA_VERSION,
        "capstone_suite_version": CAPSTONE_SUITE_VERSION,
        "files": {path: _sha(text) for path, text in sorted(files.items())},
    }


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _board_yaml(repo: str | None, site_url: str | None) -> str:
    text = default_board_yaml()
    if site_url:
        path = urlsplit(site_url).path or "/"
        base = path if path.endswith("/") else path + "/"
        text = text.replace('  url: ""\n', f"  url: {json.dumps(site_url)}\n", 1)
        text = text.replace('base_path: ""\n', f"base_path: {json.dumps(base)}\n", 1)
    if repo:
        text = text.replace('  repository: ""\n', f"  repository: {json.dumps(repo)}\n", 1)
    return text


def _readme(repo: str | None, site_url: str | None) -> str:
    text = _scaffold("README.md")
    return text.replace("OWNER/NAME", repo or "OWNER/NAME").replace(
        "https://OWNER.github.io/NAME/", site_url or "https://OWNER.github.io/NAME/"
    )


@dataclass
class InitResult:
    board_dir: Path
    release: str | None
    written: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"board_dir": str(self.board_dir), "release": self.release, "written": self.written}


def init_board(
    board_dir: Path, lock_text: str, repo: str | None = None, site_url: str | None = None
) -> InitResult:
    """Write a new data-only board into board_dir (empty or absent); offline."""
    board_dir = Path(board_dir)
    if repo is not None and not _REPOSITORY.fullmatch(repo):
        raise BoardError(f"--repo {repo!r} must be OWNER/NAME")
    if site_url:
        try:
            check_site_url(site_url, "--site-url")
        except ConfigError as exc:
            raise BoardError(str(exc)) from None
    if board_dir.exists() and any(p.name != ".git" for p in board_dir.iterdir()):
        raise BoardError(f"{board_dir} is not empty; `board init` starts a new board")
    files = managed_files(lock_text)
    own = {
        "board.yaml": _board_yaml(repo, site_url),
        "README.md": _readme(repo, site_url),
        "submissions/.gitkeep": "",
        ".gitignore": "/site/\n",
    }
    for relative, text in {**own, **files}.items():
        _write(board_dir, relative, text)
    _write(board_dir, MANIFEST_PATH, json.dumps(_manifest(files, lock_text), indent=2) + "\n")
    read_config_file(board_dir / "board.yaml")  # what we wrote passes our own check
    return InitResult(
        board_dir,
        release_of(parse_lock(lock_text, LOCK_PATH)),
        sorted([*own, *files, MANIFEST_PATH]),
    )


@dataclass
class Upgrade:
    """What `board upgrade` changed, or would change."""

    from_release: str | None
    to_release: str | None
    requirements: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)  # by the maintainer; kept unless forced
    overwritten: list[str] = field(default_factory=list)  # edited, replaced by --force
    notes: list[str] = field(default_factory=list)
    applied: bool = False

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    def summary(self) -> list[str]:
        lines = [f"{PACKAGE} {self.from_release or 'unknown'} -> {self.to_release}"]
        if self.requirements:
            lines.append("requirements: " + "; ".join(self.requirements))
        for label, paths in (
            ("updated", self.updated),
            ("added", self.added),
            ("overwritten (edited by you; --force)", self.overwritten),
            ("edited by you (refused; rerun with --force to replace)", self.edited),
        ):
            if paths:
                lines.append(f"{label}: {', '.join(paths)}")
        lines.append(f"unchanged: {len(self.unchanged)} file(s)")
        return lines + self.notes


def upgrade_board(board_dir: Path, lock_text: str, force: bool = False) -> Upgrade:
    """Move a board to this release's lock and managed files (see the module docstring)."""
    board_dir = Path(board_dir)
    manifest_path = board_dir / MANIFEST_PATH
    if not manifest_path.is_file():
        raise BoardError(
            f"{board_dir} has no {MANIFEST_PATH}: not a board made by `board init` "
            "(docs/maintainers.md, 'Upgrading', explains moving a template copy)"
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        recorded = dict(manifest["files"])
    except (ValueError, KeyError, TypeError):
        raise BoardError(f"{manifest_path} is not a manifest written by `board init`") from None
    if manifest.get("manifest_version") != MANIFEST_VERSION:
        raise BoardError(f"{manifest_path}: manifest version not supported by this release")
    old_lock_path = board_dir / LOCK_PATH
    old_lock = (
        parse_lock(old_lock_path.read_text(encoding="utf-8"), str(old_lock_path))
        if (old_lock_path.is_file())
        else {}
    )
    new_lock = parse_lock(lock_text, "the release lock")
    result = Upgrade(release_of(old_lock), release_of(new_lock))
    result.requirements = lock_changes(old_lock, new_lock)
    files = managed_files(lock_text)
    planned: dict[str, str] = {}
    for relative, text in files.items():
        path = board_dir / relative
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            result.unchanged.append(relative)
            continue
        edited = (
            current is not None
            and relative != LOCK_PATH
            and recorded.get(relative) != _sha(current)
        )
        if edited and not force:
            result.edited.append(relative)
            continue
        (
            result.overwritten if edited else result.added if current is None else result.updated
        ).append(relative)
        planned[relative] = text
    for key, label in (
        ("schema_version", SCHEMA_VERSION),
        ("capstone_suite_version", CAPSTONE_SUITE_VERSION),
    ):
        if manifest.get(key) not in (None, label):
            result.notes.append(f"{key}: {manifest.get(key)} -> {label}")
    if result.edited:
        # All or nothing: a board never runs a new lock with some old workflows.
        result.notes.append("nothing was written: review the edited files, then use --force")
        return result
    for relative, text in planned.items():
        _write(board_dir, relative, text)
    _write(board_dir, MANIFEST_PATH, json.dumps(_manifest(files, lock_text), indent=2) + "\n")
    result.applied = True
    try:
        read_config_file(board_dir / "board.yaml")
    except ConfigError as exc:
        result.notes.append(f"board.yaml needs a change for this release: {exc}")
    return result
