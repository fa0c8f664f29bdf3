""".tinytorch/config.json: TinyTorch's website/local settings plus our `board` section.

Unknown sections and keys written by TinyTorch are kept as they are on every write.
"""

from __future__ import annotations

import copy
from typing import Any

from tinytorch_board.errors import ConfigError, DataFileError
from tinytorch_board.local.project import Project
from tinytorch_board.local.store import read_json, write_json

DEFAULTS: dict[str, dict[str, Any]] = {
    "website": {
        "base_url": "https://mlsysbook.ai/tinytorch",
        "community_map_url": "https://mlsysbook.ai/tinytorch/community",
        "api_url": None,
        "enabled": False,
    },
    "local": {"enabled": True, "auto_sync": False},
    "board": {"repo": None, "pages_url": None, "api_url": "https://api.github.com"},
}


def load_config(project: Project) -> dict:
    """The project's config merged over the defaults (the file is not required)."""
    merged = copy.deepcopy(DEFAULTS)
    path = project.config_path
    if not path.exists():
        return merged
    data = read_json(path)
    for section, values in data.items():
        if section in merged and not isinstance(values, dict):
            raise DataFileError(path, f"'{section}' must be an object")
        if isinstance(values, dict) and section in merged:
            merged[section].update(values)
        else:
            merged[section] = values
    return merged


def get_value(config: dict, key: str) -> Any:
    """Value of a dotted key such as "board.repo"; ConfigError if unknown."""
    section, _, name = key.partition(".")
    if (
        section not in config
        or not isinstance(config[section], dict)
        or name not in config[section]
    ):
        raise ConfigError(f"unknown config key {key!r}")
    return config[section][name]


def set_value(project: Project, key: str, value: Any) -> dict:
    """Set a dotted key in the project's config.json (atomically) and return the file's data."""
    section, _, name = key.partition(".")
    if section not in DEFAULTS or name not in DEFAULTS[section]:
        known = ", ".join(f"{s}.{n}" for s in DEFAULTS for n in DEFAULTS[s])
        raise ConfigError(f"unknown config key {key!r} (known: {known})")
    path = project.config_path
    data = read_json(path) if path.exists() else {}
    current = data.get(section, {})
    if not isinstance(current, dict):
        raise DataFileError(path, f"'{section}' must be an object")
    current[name] = value
    data[section] = current
    write_json(path, data)
    return data
