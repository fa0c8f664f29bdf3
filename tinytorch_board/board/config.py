"""board.yaml: the maintainer's settings, checked strictly (unknown keys are errors)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path

from tinytorch_board.errors import ConfigError

CONFIG_VERSION = 1


@dataclass(frozen=True)
class BoardConfig:
    """Settings of one board."""

    version: int = CONFIG_VERSION
    title: str = "TinyTorch Community Board"
    """Title shown on every page."""
    base_path: str = ""
    """Path the site is served under ("" for relative links)."""
    k_anonymity: int = 5
    """Smallest group shown by its own name; smaller groups become "Other"."""
    automation: AutomationConfig = field(default_factory=lambda: AutomationConfig())
    """What the repository's workflows may do on their own (see parse_automation)."""


def _known_keys() -> set[str]:
    return {f.name for f in fields(BoardConfig)}


def parse_config(data: object, source: str) -> BoardConfig:
    if data is None:
        return BoardConfig()
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    unknown = sorted(set(map(str, data)) - _known_keys())
    if unknown:
        raise ConfigError(f"{source}: unknown key(s): {', '.join(unknown)}")
    version = data.get("version", CONFIG_VERSION)
    if version != CONFIG_VERSION:
        raise ConfigError(
            f"{source}: version {version!r} is not supported (expected {CONFIG_VERSION})"
        )
    k = data.get("k_anonymity", 5)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ConfigError(f"{source}: k_anonymity must be a whole number >= 1")
    title = data.get("title", BoardConfig.title)
    base_path = data.get("base_path", "") or ""
    if not isinstance(title, str) or not isinstance(base_path, str):
        raise ConfigError(f"{source}: title and base_path must be text")
    return BoardConfig(
        version=version,
        title=title,
        base_path=base_path,
        k_anonymity=k,
        automation=parse_automation(data.get("automation"), source),
    )


def load_config(board_dir: Path) -> BoardConfig:
    """Read board_dir/board.yaml (defaults when absent)."""
    import yaml

    path = Path(board_dir) / "board.yaml"
    if not path.exists():
        return BoardConfig()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    return parse_config(data, str(path))


def default_board_yaml() -> str:
    """The board.yaml shipped with the package (for new boards and demos)."""
    repo_copy = Path(__file__).resolve().parents[2] / "board.yaml"
    if repo_copy.is_file():
        return repo_copy.read_text(encoding="utf-8")
    return resources.files("tinytorch_board").joinpath("_board.yaml").read_text(encoding="utf-8")


@dataclass(frozen=True)
class AutomationConfig:
    """The `automation:` section: what the board's workflows decide without a maintainer."""

    auto_merge: bool = True
    """Merge a submission pull request as soon as it validates."""
    auto_merge_withdrawals: bool = True
    """Merge a withdrawal pull request as soon as its secret verifies."""
    max_files_per_pr: int = 1
    """Submission files one pull request may add."""
    max_files_per_pr_batch: int = 1
    """Files a pull request from one of `batch_authors` may add (a classroom batch)."""
    batch_authors: tuple[str, ...] = ()
    """GitHub logins (e.g. instructors) allowed to open batch pull requests."""

    def max_files_for(self, author: str | None) -> int:
        """How many files a pull request by `author` may add."""
        batch = author is not None and author.lower() in {a.lower() for a in self.batch_authors}
        return max(self.max_files_per_pr, self.max_files_per_pr_batch if batch else 0)


def parse_automation(data: object, source: str) -> AutomationConfig:
    """Check the `automation:` section strictly; defaults when absent."""
    if data is None:
        return AutomationConfig()
    where = f"{source}: automation"
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping")
    known = {f.name for f in fields(AutomationConfig)}
    unknown = sorted(set(map(str, data)) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s): {', '.join(unknown)}")
    values: dict = {}
    for name in ("auto_merge", "auto_merge_withdrawals"):
        if name in data:
            if not isinstance(data[name], bool):
                raise ConfigError(f"{where}.{name} must be true or false")
            values[name] = data[name]
    for name in ("max_files_per_pr", "max_files_per_pr_batch"):
        if name in data:
            value = data[name]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
                raise ConfigError(f"{where}.{name} must be a whole number from 1 to 1000")
            values[name] = value
    if "batch_authors" in data:
        authors = data["batch_authors"] or []
        if not isinstance(authors, list) or not all(
            isinstance(a, str) and _GITHUB_LOGIN.fullmatch(a) for a in authors
        ):
            raise ConfigError(f"{where}.batch_authors must be a list of GitHub logins")
        values["batch_authors"] = tuple(authors)
    return AutomationConfig(**values)


_GITHUB_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
