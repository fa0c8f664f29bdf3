"""board.yaml: the maintainer's settings, checked strictly (unknown keys are errors)."""

from __future__ import annotations

from dataclasses import dataclass, fields
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
    return BoardConfig(version=version, title=title, base_path=base_path, k_anonymity=k)


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
