"""board.yaml: the maintainer's settings, checked strictly (unknown keys are errors).

`parse_config` checks the top-level keys, then hands each section to its own small
parser in SECTION_PARSERS (key -> function(value, source) -> {field name: value}).
A new section is one parser function, one entry in SECTION_PARSERS and its fields on
BoardConfig.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from tinytorch_board.errors import ConfigError
from tinytorch_board.submission import BACKENDS, KINDS
from tinytorch_board.submission.badges import DEFAULT_BADGES, BadgeConfig, BadgeRule

CONFIG_VERSION = 1


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
    outlier_mads: float = 5.0
    """A score more than this many MADs from its system type's median is an outlier."""
    outlier_min_group: int = 10
    """Outliers are only judged in (group, system type) sets with at least this many entries."""
    badges: tuple[BadgeConfig, ...] = field(default=DEFAULT_BADGES)
    """Badge definitions, in display order."""
    automation: AutomationConfig = field(default_factory=AutomationConfig)
    """What the repository's workflows may do on their own (see parse_automation)."""


Parser = Callable[[Any, str], dict[str, Any]]


def _whole(value: object, name: str, source: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{source}: {name} must be a whole number >= {minimum}")
    return value


def _number(value: object, name: str, source: str, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > minimum:
        raise ConfigError(f"{source}: {name} must be a number > {minimum:g}")
    return float(value)


def _text(value: object, name: str, source: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{source}: {name} must be text")
    return value


def _mapping(value: object, name: str, source: str, known: set[str]) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: {name} must be a mapping")
    unknown = sorted(set(map(str, value)) - known)
    if unknown:
        raise ConfigError(
            f"{source}: {name}: unknown key(s): {', '.join(unknown)} "
            f"(known: {', '.join(sorted(known))})"
        )
    return value


def _parse_version(value: object, source: str) -> dict[str, Any]:
    if value != CONFIG_VERSION:
        raise ConfigError(
            f"{source}: version {value!r} is not supported (expected {CONFIG_VERSION})"
        )
    return {"version": value}


def _parse_title(value: object, source: str) -> dict[str, Any]:
    return {"title": _text(value, "title", source)}


def _parse_base_path(value: object, source: str) -> dict[str, Any]:
    return {"base_path": _text(value or "", "base_path", source)}


def _parse_k(value: object, source: str) -> dict[str, Any]:
    return {"k_anonymity": _whole(value, "k_anonymity", source, minimum=1)}


def _parse_outliers(value: object, source: str) -> dict[str, Any]:
    data = _mapping(value, "outliers", source, {"mads", "min_group"})
    out: dict[str, Any] = {}
    if "mads" in data:
        out["outlier_mads"] = _number(data["mads"], "outliers.mads", source)
    if "min_group" in data:
        out["outlier_min_group"] = _whole(data["min_group"], "outliers.min_group", source, 3)
    return out


_RULE_CHOICES = {
    "kind": KINDS,
    "backend": BACKENDS,
    "visibility": ("anonymous", "public"),
}


def parse_badge_rule(value: object, where: str) -> BadgeRule:
    known = {f.name for f in fields(BadgeRule)}
    data = _mapping({} if value is None else value, f"{where}.rule", "", known)
    args: dict[str, Any] = {}
    for key, raw in data.items():
        name = f"{where}.rule.{key}"
        if key in _RULE_CHOICES:
            if raw not in _RULE_CHOICES[key]:
                raise ConfigError(f"{name} must be one of: {', '.join(_RULE_CHOICES[key])}")
            args[key] = raw
        elif key in ("first_of_kind", "improved"):
            if not isinstance(raw, bool):
                raise ConfigError(f"{name} must be true or false")
            args[key] = raw
        elif key == "min_score":
            if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 <= raw <= 100:
                raise ConfigError(f"{name} must be a number from 0 to 100")
            args[key] = float(raw)
        else:
            args[key] = _whole(raw, name, "", 0 if key == "max_days_since_join" else 1)
    return BadgeRule(**args)


def _parse_badges(value: object, source: str) -> dict[str, Any]:
    if not isinstance(value, list):
        raise ConfigError(f"{source}: badges must be a list of badge definitions")
    badges = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        where = f"badges[{index}]"
        try:
            data = _mapping(item, where, "", {"id", "name", "description", "icon", "rule"})
            missing = sorted({"id", "name", "description", "icon"} - set(data))
            if missing:
                raise ConfigError(f"{where}: missing key(s): {', '.join(missing)}")
            badge_id = _text(data["id"], f"{where}.id", "")
            if not badge_id or not all(c.islower() or c.isdigit() or c == "-" for c in badge_id):
                raise ConfigError(f"{where}.id must be lower-case letters, digits and '-'")
            if badge_id in seen:
                raise ConfigError(f"{where}.id {badge_id!r} is used twice")
            seen.add(badge_id)
            badges.append(
                BadgeConfig(
                    id=badge_id,
                    name=_text(data["name"], f"{where}.name", ""),
                    description=_text(data["description"], f"{where}.description", ""),
                    icon=_text(data["icon"], f"{where}.icon", ""),
                    rule=parse_badge_rule(data.get("rule"), where),
                )
            )
        except ConfigError as exc:
            raise ConfigError(f"{source}: {str(exc).removeprefix(': ')}") from None
    return {"badges": tuple(badges)}


# top-level key -> parser returning BoardConfig field values
SECTION_PARSERS: dict[str, Parser] = {
    "version": _parse_version,
    "title": _parse_title,
    "base_path": _parse_base_path,
    "k_anonymity": _parse_k,
    "outliers": _parse_outliers,
    "badges": _parse_badges,
    "automation": lambda value, source: {"automation": parse_automation(value, source)},
}


def parse_config(data: object, source: str) -> BoardConfig:
    if data is None:
        return BoardConfig()
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    unknown = sorted(set(map(str, data)) - set(SECTION_PARSERS))
    if unknown:
        raise ConfigError(
            f"{source}: unknown key(s): {', '.join(unknown)} "
            f"(known: {', '.join(sorted(SECTION_PARSERS))})"
        )
    values: dict[str, Any] = {}
    for key, value in data.items():
        values.update(SECTION_PARSERS[key](value, source))
    return BoardConfig(**values)


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
    return resources.files("tinytorch_board").joinpath("board.yaml").read_text(encoding="utf-8")
