"""board.yaml: the maintainer's settings, checked strictly (unknown keys are errors).

`parse_config` checks the top-level keys, then hands each section to its own small
parser in SECTION_PARSERS (key -> function(value, source) -> {field name: value}).
A new section is one parser function, one entry in SECTION_PARSERS and its fields on
BoardConfig.
"""

from __future__ import annotations

import math
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


def setting(
    default: Any,
    kind: type,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    odd: Callable[[Any], str | None] | None = None,
    key: str | None = None,
    shown: str | None = None,
) -> Any:
    """A checked scalar setting: its type, range and odd-value warning live here, once.

    `check_scalar` enforces them and docs/maintainers.md's key reference is generated
    from them (with the field's docstring), so the checks and the docs cannot drift.
    """
    meta = {"kind": kind, "minimum": minimum, "maximum": maximum, "above": above}
    meta.update(odd=odd, key=key, shown=shown)
    return field(default=default, metadata=meta)


def listing(default: Any, shown: str, key: str | None = None) -> Any:
    """A setting checked by its section's own parser (lists, URLs); `shown` is its type."""
    return field(default=default, metadata={"kind": None, "shown": shown, "key": key})


@dataclass(frozen=True)
class AutomationConfig:
    """The `automation:` section: what the board's workflows decide without a maintainer."""

    auto_merge: bool = setting(True, bool)
    """Merge a submission pull request as soon as it validates (false: a maintainer merges)."""
    auto_merge_withdrawals: bool = setting(True, bool)
    """Merge a withdrawal pull request as soon as its withdraw-key verifies."""
    max_files_per_pr: int = setting(1, int, minimum=1, maximum=1000)
    """Submission files one pull request may add."""
    max_files_per_pr_batch: int = setting(1, int, minimum=1, maximum=1000)
    """Files a pull request from one of `batch_authors` may add (a classroom batch)."""
    batch_authors: tuple[str, ...] = listing((), "list of GitHub logins")
    """GitHub logins (e.g. instructors) allowed to open batch pull requests."""
    max_prs_per_author_per_day: int = setting(
        10,
        int,
        minimum=0,
        maximum=1000,
        odd=lambda v: "0 turns the daily limit off" if v == 0 else None,
    )
    """Submission pull requests one GitHub account may open in 24 hours; later ones are
    refused with a comment saying when to try again (batch authors are exempt; 0: no limit)."""
    merge_on_schedule: bool = setting(False, bool)
    """Leave checking, commenting and merging to the scheduled sweep (`sweep.yml`, every 10
    minutes): a submission pull request's own run then stops before its first API request,
    so a class's deadline burst stays within GitHub's rate limits (docs/classroom.md)."""
    hold_first_time_contributors: bool = setting(False, bool)
    """Leave a valid pull request from an account with no earlier merged submission for a
    maintainer to merge instead of merging it automatically."""

    def max_files_for(self, author: str | None) -> int:
        """How many files a pull request by `author` may add."""
        batch = self.is_batch_author(author)
        return max(self.max_files_per_pr, self.max_files_per_pr_batch if batch else 0)

    def is_batch_author(self, author: str | None) -> bool:
        return author is not None and author.lower() in {a.lower() for a in self.batch_authors}


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
    values = check_scalars(AutomationConfig, data, f"{source}: automation.")
    if "batch_authors" in data:
        authors = data["batch_authors"] or []
        if not isinstance(authors, list) or not all(
            isinstance(a, str) and _GITHUB_LOGIN.fullmatch(a) for a in authors
        ):
            raise ConfigError(f"{where}.batch_authors must be a list of GitHub logins")
        values["batch_authors"] = tuple(authors)
    return AutomationConfig(**values)


_GITHUB_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")


_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
_PATH_CHARS = re.compile(r"[A-Za-z0-9._~/-]*")


@dataclass(frozen=True)
class SiteConfig:
    """The `site:` section: where the board is published (both keys optional)."""

    url: str = listing("", "https URL", key="site.url")
    """The site's address, e.g. `https://ORG.github.io/REPO/` (http only on 127.0.0.1 or
    localhost); its path must agree with `base_path` when both are set."""
    repository: str = listing("", "OWNER/NAME", key="site.repository")
    """The board's GitHub repository, e.g. `my-course/tinytorch-board`."""


@dataclass(frozen=True)
class BoardConfig:
    """Settings of one board."""

    version: int = setting(CONFIG_VERSION, int, minimum=CONFIG_VERSION, maximum=CONFIG_VERSION)
    """Format of this file; must be 1."""
    title: str = setting("TinyTorch Community Board", str, minimum=1, maximum=200)
    """Title shown on every page (1 to 200 characters)."""
    base_path: str = listing("", "path", key="base_path")
    """Path the site is served under, starting and ending with `/` (e.g. `/tinytorch-board/`
    for `https://ORG.github.io/tinytorch-board/`); empty: every link is relative."""
    k_anonymity: int = setting(
        5,
        int,
        minimum=1,
        odd=lambda v: (
            "1 shows every group by name, however small (no k-anonymity)"
            if v == 1
            else f"{v} is more than 1000: almost every group will show as 'Other'"
            if v > 1000
            else None
        ),
    )
    """Smallest group (system type, cohort, country, institution, course type) shown by its
    own name; smaller groups are shown as "Other"."""
    outlier_mads: float = setting(
        5.0,
        float,
        above=0,
        maximum=1000,
        key="outliers.mads",
        odd=lambda v: f"{v:g} MADs flags ordinary scores as outliers" if v < 2 else None,
    )
    """A score more than this many median absolute deviations from the median of its
    comparable group (kind/suite_version/backend) and system type is listed as an
    "unverified outlier" and not ranked."""
    outlier_min_group: int = setting(10, int, minimum=3, key="outliers.min_group")
    """Outliers are only judged in (group, system type) sets with at least this many entries."""
    badges: tuple[BadgeConfig, ...] = listing(DEFAULT_BADGES, "list of badges")
    """Badge definitions, in display order: each has `id` (lower-case letters, digits, `-`),
    `name`, `description`, `icon` and a `rule` (keys below; all must hold)."""
    automation: AutomationConfig = field(default_factory=AutomationConfig)
    """What the repository's workflows may do on their own (see parse_automation)."""
    site: SiteConfig = field(default_factory=SiteConfig)
    """Where the board is published."""

    @property
    def served_path(self) -> str:
        """The path the site is served under: base_path, else site.url's path ("" when
        neither is set: every link relative)."""
        if self.base_path or not self.site.url:
            return self.base_path
        return _url_path(self.site.url)

    @property
    def public_root(self) -> str:
        """The site's absolute address ending in "/" (site.url), or "" when not set."""
        url = self.site.url
        return url if not url or url.endswith("/") else url + "/"


Parser = Callable[[Any, str], dict[str, Any]]


def _key_of(f: Any) -> str:
    return f.metadata.get("key") or f.name


def check_scalar(value: object, meta: Any, name: str) -> Any:
    """Check one scalar setting against its `setting(...)` metadata; the value to store."""
    kind, low, high, above = meta["kind"], meta["minimum"], meta["maximum"], meta["above"]
    got = f" (got text {_shown(value)}{_number_hint(value)})" if isinstance(value, str) else ""
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{name} must be true or false{got}")
        return value
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"{name} must be text")
        if not (low or 0) <= len(value) <= (high or len(value)):
            raise ConfigError(f"{name} must be {low} to {high} characters long")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{name} must be a whole number{_range(low, high)}{got}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ConfigError(f"{name} must be a whole number{_range(low, high)}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{name} must be a number > {above:g}{_upto(high)}{got}")
    if value <= above or (high is not None and value > high):
        raise ConfigError(f"{name} must be a number > {above:g}{_upto(high)}")
    return float(value)


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f" from {low} to {high}" if low != high else f" equal to {low}"
    return f" >= {low}" if low is not None else ""


def _upto(high: float | None) -> str:
    return f" and at most {high:g}" if high is not None else ""


def _shown(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _number_hint(text: str) -> str:
    if re.fullmatch(r"\s*[-+]?[0-9][0-9_,^*. eE+-]*\s*", text):
        return "; write plain digits such as 1000, or 1.5e3 for a number"
    if text.lower() in {"yes", "no", "on", "off", "y", "n"}:
        return "; YAML 1.2 booleans are true and false"
    return ""


def check_scalars(owner: type, data: dict, prefix: str) -> dict[str, Any]:
    """Check every scalar `setting` of dataclass `owner` present in `data` (by its key)."""
    values: dict[str, Any] = {}
    for f in fields(owner):
        meta = f.metadata
        name = _key_of(f).rsplit(".", 1)[-1]
        if meta.get("kind") is not None and name in data:
            values[f.name] = check_scalar(data[name], meta, f"{prefix}{_key_of(f)}")
    return values


def _whole(value: object, name: str, source: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{source}: {name} must be a whole number >= {minimum}")
    return value


def _text(value: object, name: str, source: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{source}: {name} must be text")
    return value


def _parse_version(value: object, source: str) -> dict[str, Any]:
    if value != CONFIG_VERSION:
        raise ConfigError(
            f"{source}: version {_shown(value)} is not supported (expected {CONFIG_VERSION})"
        )
    return {"version": value}


def _parse_title(value: object, source: str) -> dict[str, Any]:
    title = check_scalar(value, _meta("title"), f"{source}: title")
    if not title.strip():
        raise ConfigError(f"{source}: title must not be blank")
    return {"title": title}


def _meta(name: str) -> Any:
    return next(f.metadata for f in fields(BoardConfig) if f.name == name)


def check_base_path(value: object, where: str) -> str:
    """A path starting and ending with "/" (or "" for relative links); never a URL."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be text: a path such as /tinytorch-board/")
    if (
        not value.startswith("/")
        or not value.endswith("/")
        or value.startswith("//")
        or not _PATH_CHARS.fullmatch(value)
        or any(part in (".", "..") for part in value.split("/"))
    ):
        raise ConfigError(
            f"{where} {_shown(value)} must be a path starting and ending with '/' "
            '(letters, digits, . _ ~ -), such as /tinytorch-board/, or "" for relative links'
        )
    return value


def _parse_base_path(value: object, source: str) -> dict[str, Any]:
    return {"base_path": check_base_path(value, f"{source}: base_path")}


def check_site_url(value: object, where: str) -> str:
    """An https URL (http only on a loopback address), no query or fragment."""
    from urllib.parse import urlsplit

    if value is None or value == "":
        return ""
    bad = f"{where} must be an https:// address such as https://ORG.github.io/REPO/"
    if not isinstance(value, str) or len(value) > 500:
        raise ConfigError(bad)
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        raise ConfigError(bad) from None
    loopback = parts.scheme == "http" and host in _LOOPBACK
    if not (parts.scheme == "https" or loopback) or not host or parts.username is not None:
        raise ConfigError(f"{bad} (http only on 127.0.0.1 or localhost)")
    if parts.query or parts.fragment or "\\" in value or any(c.isspace() for c in value):
        raise ConfigError(f"{bad}, without ?query or #fragment")
    check_base_path(parts.path if parts.path.endswith("/") else parts.path + "/", where)
    return value


def _parse_site(value: object, source: str) -> dict[str, Any]:
    data = _mapping({} if value is None else value, "site", source, {"url", "repository"})
    url = check_site_url(data.get("url"), f"{source}: site.url")
    repository = data.get("repository") or ""
    if repository and not (isinstance(repository, str) and _REPOSITORY.fullmatch(repository)):
        raise ConfigError(f"{source}: site.repository must be OWNER/NAME, e.g. my-course/board")
    return {"site": SiteConfig(url=url, repository=repository)}


def _parse_k(value: object, source: str) -> dict[str, Any]:
    return {"k_anonymity": check_scalar(value, _meta("k_anonymity"), f"{source}: k_anonymity")}


def _parse_outliers(value: object, source: str) -> dict[str, Any]:
    data = _mapping(value, "outliers", source, {"mads", "min_group"})
    return {
        f.name: check_scalar(data[_key_of(f).split(".")[1]], f.metadata, f"{source}: {_key_of(f)}")
        for f in fields(BoardConfig)
        if _key_of(f).startswith("outliers.") and _key_of(f).split(".")[1] in data
    }


def _mapping(value: object, name: str, source: str, known: set[str]) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: {name} must be a mapping")
    unknown = sorted(set(map(str, value)) - known)
    if unknown:
        raise ConfigError(
            f"{source}: {name}: unknown key(s): {', '.join(_clip(u) for u in unknown[:5])} "
            f"(known: {', '.join(sorted(known))})"
        )
    return value


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
    "site": _parse_site,
    "k_anonymity": _parse_k,
    "outliers": _parse_outliers,
    "badges": _parse_badges,
    "automation": lambda value, source: {"automation": parse_automation(value, source)},
}


def package_board_config() -> BoardConfig | None:
    """The package's own board.yaml, whose `site` (url, repository), when filled in,
    names the community's board: students' default for compare and submit."""
    try:
        text = default_board_yaml()
    except OSError:
        return None
    import yaml

    try:
        return parse_config(yaml.safe_load(text), "the package's board.yaml")
    except (ConfigError, yaml.YAMLError):
        return None


def parse_config(data: object, source: str) -> BoardConfig:
    if data is None:
        return BoardConfig()
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    unknown = sorted(set(map(str, data)) - set(SECTION_PARSERS))
    if unknown:
        raise ConfigError(
            f"{source}: unknown key(s): {', '.join(_clip(u) for u in unknown[:5])} "
            f"(known: {', '.join(sorted(SECTION_PARSERS))})"
        )
    values: dict[str, Any] = {}
    for key, value in data.items():
        values.update(SECTION_PARSERS[key](value, source))
    config = BoardConfig(**values)
    _check_site_agrees(config, source)
    return config


def _url_path(url: str) -> str:
    from urllib.parse import urlsplit

    path = urlsplit(url).path or "/"
    return path if path.endswith("/") else path + "/"


def _check_site_agrees(config: BoardConfig, source: str) -> None:
    if not (config.site.url and config.base_path):
        return
    path = _url_path(config.site.url)
    if path != config.base_path:
        raise ConfigError(
            f"{source}: base_path {config.base_path!r} disagrees with site.url "
            f"(whose path is {path!r}); make them the same or leave base_path empty"
        )


def config_warnings(config: BoardConfig) -> list[str]:
    """Odd but allowed values, one line each (from each setting's `odd` rule)."""
    warnings = []
    for owner, prefix in ((config, ""), (config.automation, "automation.")):
        for f in fields(owner):
            odd = f.metadata.get("odd")
            message = odd(getattr(owner, f.name)) if odd else None
            if message:
                warnings.append(f"{prefix}{_key_of(f)}: {message}")
    if config.automation.hold_first_time_contributors and not config.automation.auto_merge:
        warnings.append(
            "automation.hold_first_time_contributors has no effect while auto_merge is false"
        )
    return warnings


def read_config_file(path: Path) -> BoardConfig:
    """Parse one board.yaml strictly (YAML 1.2 scalars, no duplicate keys, size limits)."""
    from tinytorch_board.board.strict_yaml import MAX_BYTES, load_strict

    path = Path(path)
    if path.is_symlink() or not path.is_file():
        raise ConfigError(f"{path}: not a regular file")
    with path.open("rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    return parse_config(load_strict(raw, str(path)), str(path))


def load_config(board_dir: Path) -> BoardConfig:
    """Read board_dir/board.yaml (defaults when absent)."""
    path = Path(board_dir) / "board.yaml"
    if not path.exists() and not path.is_symlink():
        return BoardConfig()
    return read_config_file(path)


def default_board_yaml() -> str:
    """The documented board.yaml of a new board (the package's own copy, with defaults).

    Never this repository's board.yaml: the canonical board's settings are its own, and
    nothing (demos, tests, `board init`) may depend on them.
    """
    return (
        resources.files("tinytorch_board.board.scaffold")
        .joinpath("board.yaml")
        .read_text(encoding="utf-8")
    )
