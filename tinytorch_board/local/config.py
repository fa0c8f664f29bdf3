""".tinytorch/config.json: TinyTorch's website/local settings plus our `board` section.

The file is shared with TinyTorch (which writes `website` and `local` without a version).
We add `config_version: 1` when we write it, refuse a newer one, and keep unknown
sections and keys exactly as they are on every write.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from tinytorch_board.errors import BoardError, ConfigError, DataFileError
from tinytorch_board.jsonio import read_json, write_json
from tinytorch_board.local.project import Project

CONFIG_VERSION = 1
GITHUB_API_DEFAULT = "https://api.github.com"

DEFAULTS: dict[str, dict[str, Any]] = {
    "website": {
        "base_url": "https://mlsysbook.ai/tinytorch",
        "community_map_url": "https://mlsysbook.ai/tinytorch/community",
        "api_url": None,
        "enabled": False,
    },
    "local": {"enabled": True, "auto_sync": False},
    "board": {
        "repo": None,
        "pages_url": None,
        "api_url": GITHUB_API_DEFAULT,
        "local_dir": None,
    },
}

# What each known key holds, and what it is for (shown by `config get`).
KEYS: dict[str, tuple[str, str]] = {
    "website.base_url": ("url", "TinyTorch's website"),
    "website.community_map_url": ("url", "TinyTorch's community map page"),
    "website.api_url": ("url?", "TinyTorch's website API (null: none)"),
    "website.enabled": ("bool", "TinyTorch website integration on/off"),
    "local.enabled": ("bool", "keep progress locally (TinyTorch)"),
    "local.auto_sync": ("bool", "sync automatically (TinyTorch; nothing here syncs)"),
    "board.repo": ("repo?", "the board's GitHub repository, owner/name"),
    "board.pages_url": (
        "url?",
        "the published board site, used by `compare`, `submit` and `community stats` "
        "(null: the GitHub Pages address of board.repo)",
    ),
    "board.api_url": ("url", "GitHub API base URL"),
    "board.local_dir": ("path?", "the board folder `submit --to` last wrote to (compare uses it)"),
}

_REPO = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_NULL = {"null", "none", ""}


def _problem(kind: str, value: Any) -> str | None:
    """Why value does not fit kind, or None if it does."""
    if kind.endswith("?"):
        if value is None:
            return None
        kind = kind[:-1]
    if kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if kind == "url":
        ok = isinstance(value, str) and re.match(r"^https?://[^\s/]+", value) is not None
        return None if ok else "must be an http(s) URL"
    if kind == "repo":
        ok = isinstance(value, str) and _REPO.match(value) is not None
        return None if ok else "must be owner/name (a GitHub repository)"
    if kind == "path":
        ok = isinstance(value, str) and Path(value).is_absolute()
        return None if ok else "must be an absolute folder path"
    raise ValueError(kind)


def check_value(key: str, value: Any) -> str | None:
    kind = KEYS[key][0]
    problem = _problem(kind, value)
    if problem and kind.endswith("?"):
        problem += " or null"
    return problem


def load_config(project: Project) -> dict:
    """The project's config merged over the defaults (the file is not required)."""
    merged = copy.deepcopy(DEFAULTS)
    path = project.config_path
    if not path.exists():
        return merged
    data = read_json(path, within=project.root)
    _check_version(path, data)
    for section, values in data.items():
        if section in merged and not isinstance(values, dict):
            raise DataFileError(path, f"'{section}' must be an object")
        if isinstance(values, dict) and section in merged:
            merged[section].update(values)
        else:
            merged[section] = values
    for key in KEYS:
        section, name = key.split(".")
        problem = check_value(key, merged[section][name])
        if problem:
            raise DataFileError(
                path,
                f"'{key}' {problem}; fix it with `tinytorch-board config set {key} VALUE`",
            )
    return merged


def _check_version(path, data: dict) -> None:
    """TinyTorch writes no version; ours is 1; anything else is not ours to read or change."""
    version = data.get("config_version")
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, int) or version != CONFIG_VERSION
    ):
        raise DataFileError(
            path,
            f"config_version {version!r} is not one this tinytorch-board understands "
            f"({CONFIG_VERSION}); upgrade with: pip install -U tinytorch-board",
        )


def pages_address(repo: str) -> str:
    """The GitHub Pages address of a repository owner/name: https://owner.github.io/name/
    (https://owner.github.io/ for the repository named owner.github.io)."""
    owner, _, name = repo.partition("/")
    host = f"{owner.lower()}.github.io"
    return f"https://{host}/" if name.lower() == host else f"https://{host}/{name}/"


def board_pages_url(section: dict) -> str | None:
    """The board's published site from a config's `board` section: board.pages_url,
    else the GitHub Pages address of board.repo on github.com, else None."""
    if section.get("pages_url"):
        return str(section["pages_url"])
    repo = section.get("repo")
    if repo and (section.get("api_url") or GITHUB_API_DEFAULT) == GITHUB_API_DEFAULT:
        return pages_address(str(repo))
    return None


def get_value(config: dict, key: str) -> Any:
    """Value of a dotted key such as "board.repo"; ConfigError if unknown."""
    section, _, name = key.partition(".")
    if (
        section not in config
        or not isinstance(config[section], dict)
        or name not in config[section]
    ):
        raise ConfigError(f"unknown config key {key!r} (known: {', '.join(KEYS)})")
    return config[section][name]


def parse_value(key: str, text: str) -> Any:
    """Turn what was typed on the command line into the key's type; ConfigError if it won't."""
    if key not in KEYS:
        raise ConfigError(f"unknown config key {key!r} (known: {', '.join(KEYS)})")
    kind = KEYS[key][0]
    lowered = text.strip().lower()
    if kind.endswith("?") and lowered in _NULL:
        return None
    if kind == "bool":
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ConfigError(f"{key} takes true or false, not {text!r}")
    value = text.strip()
    if kind.rstrip("?") == "path":
        value = str(Path(value).expanduser().resolve())
    if kind.rstrip("?") == "url":
        value = value.rstrip("/")
    problem = check_value(key, value)
    if problem:
        raise ConfigError(f"{key} {problem}, not {text!r}")
    return value


def set_value(project: Project, key: str, value: Any) -> dict:
    """Set a dotted key in the project's config.json (atomically) and return the file's data.

    Only that key changes, so this is also how a wrong value elsewhere gets fixed.
    """
    section, _, name = key.partition(".")
    if key not in KEYS:
        raise ConfigError(f"unknown config key {key!r} (known: {', '.join(KEYS)})")
    problem = check_value(key, value)
    if problem:
        raise ConfigError(f"{key} {problem}")
    path = project.config_path
    data = read_json(path) if path.exists() else {}
    _check_version(path, data)
    current = data.get(section, {})
    if not isinstance(current, dict):
        raise DataFileError(path, f"'{section}' must be an object; not changed")
    current[name] = value
    data[section] = current
    data["config_version"] = CONFIG_VERSION
    write_json(path, data)
    return data


def remember_board_dir(project: Project, board_dir: Path) -> bool:
    """Keep the board folder `submit --to` wrote to, so `compare` finds it next time.

    True when the config changed. A config that cannot be written costs nothing else.
    """
    folder = str(Path(board_dir).resolve())
    try:
        if load_config(project)["board"].get("local_dir") == folder:
            return False
        set_value(project, "board.local_dir", folder)
    except (BoardError, OSError):
        return False
    return True
