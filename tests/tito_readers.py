"""How TinyTorch's `tito` reads each of its files: the same key paths, written for the tests.

Each function loads a file the way the named tito release does (json.load, then the same
indexing: `[...]` where tito indexes, `.get()` where tito calls it) and returns what tito
would show. If one of our commands left a file tito cannot read, these raise exactly as
tito would (KeyError, AttributeError, TypeError). Sources, in MLSysBook/TinyTorch:
tito/commands/community.py (97e05636, 3e0e22a3), benchmark.py (97e05636, d186e5ba),
milestone.py and module/workflow.py (02364f80), core/submission.py (02364f80).
"""

from __future__ import annotations

import json
from pathlib import Path


def _load(path: Path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def nested_profile_shown(path: Path) -> list:
    """tito community profile and stats (97e05636): what the table prints."""
    profile = _load(path)
    progress = profile.get("progress", {})
    return [
        profile.get("anonymous_id", "N/A"),
        profile.get("joined_at"),
        profile["location"].get("country", "Not specified"),
        profile["institution"].get("name", "Not specified"),
        profile["context"].get("course_type", "Not specified"),
        profile["context"].get("experience_level", "Not specified"),
        profile["context"].get("cohort", "Not specified"),
        progress.get("setup_verified"),
        str(progress.get("milestones_passed", 0)),
        str(progress.get("modules_completed", 0)),
        progress.get("capstone_score"),
    ]


def nested_profile_updated(path: Path) -> dict:
    """tito community update (97e05636), in memory: the assignments it makes."""
    profile = _load(path)
    profile["location"]["country"] = "Kenya"
    profile["institution"]["name"] = "University of Nairobi"
    profile["context"]["course_type"] = "university"
    profile["context"]["experience_level"] = "beginner"
    current = profile["location"].get("country", "")
    current = profile["institution"].get("name", "") or current
    profile["progress"]["milestones_passed"] = 0
    profile["progress"]["modules_completed"] = 0
    profile["progress"]["capstone_score"] = None
    return profile


def github_profile_shown(path: Path) -> list:
    """tito community join when already joined (3e0e22a3): the lines it prints."""
    profile = _load(path)
    return [profile.get("github_username"), profile.get("profile_url", "https://tinytorch.ai")]


def home_profile_shown(path: Path) -> dict:
    """tito benchmark's community data (d186e5ba and later): the whole document."""
    profile = _load(path)
    assert isinstance(profile, dict)
    return profile


def root_progress_shown(path: Path) -> list:
    """tito module workflow (02364f80): started/completed lists and last module."""
    progress = _load(path)
    return [
        progress.get("started_modules", []),
        progress.get("completed_modules", []),
        progress.get("last_worked"),
        progress.get("last_completed"),
        progress.get("last_updated"),
        progress.get("streak", 0),
    ]


def tito_progress_shown(path: Path) -> list:
    """tito milestone list and reset (02364f80): completed_modules and completion_dates."""
    progress = _load(path)
    completed = progress.get("completed_modules", [])
    dates = progress.get("completion_dates", {})
    return [completed, {str(key): value for key, value in dates.items()}]


def milestones_shown(path: Path) -> list:
    """tito milestone status and unlock (02364f80), and its progress sync."""
    data = _load(path)
    unlocked = data["unlocked_milestones"]
    dates = data["unlock_dates"]
    return [
        data.get("completed_milestones", []),
        data.get("completion_dates", {}),
        unlocked,
        dates,
        data.get("total_unlocked", 0),
        data.get("achievements", []),
    ]


def tito_config_shown(path: Path) -> str | None:
    return _load(path).get("logo_theme")


def tinytorch_config_shown(path: Path) -> list:
    """tito community/benchmark _get_config: merged over defaults, then read with .get()."""
    config = {"website": {}, "local": {}}
    config.update(_load(path))
    website = config.get("website", {})
    return [
        website.get("enabled", False),
        website.get("community_map_url"),
        website.get("api_url"),
        config.get("local", {}).get("auto_sync"),
    ]


def baseline_shown(path: Path) -> list:
    """tito benchmark baseline's result, as its submission prompt reads it."""
    results = _load(path)
    return [results["timestamp"], results["metrics"], results.get("system_info", {})]


def capstone_shown(path: Path) -> list:
    """tito benchmark capstone's result table (97e05636)."""
    results = _load(path)
    metrics = results.get("metrics", {})
    shown = [results.get("overall_score", 0)]
    if "speed" in metrics:
        shown += [metrics["speed"]["latency_ms"], metrics["speed"]["score"]]
    if "compression" in metrics:
        shown += [metrics["compression"]["model_size_mb"], metrics["compression"]["score"]]
    return shown


def submission_shown(path: Path) -> list:
    submission = _load(path)
    return [submission.get("benchmark_type"), submission.get("metrics", {})]
