"""TinyTorch's own progress files, read only: which modules and milestones are done, and when.

Four files, all optional, all written by TinyTorch (never by us):

- `progress.json` (project root): `completed_modules` / `started_modules` as strings
  ("01"), `last_worked`, `last_completed`, sometimes `completion_dates`;
- `.tito/progress.json`: `completed_modules` as integers and `completion_dates`
  keyed by module number;
- `.tito/milestones.json`: `completed_milestones`, `unlocked_milestones` and their
  `completion_dates` / `unlock_dates`;
- `.tito/config.json`: TinyTorch's preferences (only shape-checked here).

Merge rules: a module is complete if either progress file says so; a completion date
comes from `.tito/progress.json` first, then from `progress.json`; ids may be written
"01", 1 or "01_tensor". A slug is read by its name, never its number: earlier releases
listed "01_setup, 02_tensor, 03_activations, 04_layers" (setup is no module today).
Every corrupt or wrong-shaped file, key or entry becomes a one-line warning naming the
file, and everything else still counts. Nothing is ever modified or deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tinytorch_board.curriculum import is_retired_slug, milestone_by_id, module_by_id
from tinytorch_board.errors import DataFileError
from tinytorch_board.jsonio import read_json
from tinytorch_board.local.project import Project

MODULE_LIST_KEYS = ("completed_modules", "modules_completed", "completed")
MILESTONE_LIST_KEYS = ("completed_milestones", "milestones_completed", "completed")

Lookup = Callable[[object], object]


@dataclass
class ProgressSummary:
    """The merged view of TinyTorch's progress files; ids are two-digit strings."""

    modules_completed: set[str] = field(default_factory=set)  # module ids "01".."20"
    milestones_completed: set[str] = field(default_factory=set)  # milestone ids "01".."06"
    module_dates: dict[str, str] = field(default_factory=dict)  # id -> ISO 8601 as written
    milestone_dates: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    modules_started: set[str] = field(default_factory=set)
    milestones_unlocked: set[str] = field(default_factory=set)  # always includes completed
    milestone_unlock_dates: dict[str, str] = field(default_factory=dict)
    last_worked: str | None = None  # module id
    last_completed: str | None = None  # module id
    sources: list[str] = field(default_factory=list)  # files that were read
    tito_config: dict = field(default_factory=dict)


def parse_when(value: object) -> datetime | None:
    """A TinyTorch timestamp ("2025-11-16T10:00:00", "...Z", "2026-09-02") or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


class _File:
    """One file being read: collects warnings that name it."""

    def __init__(self, path: Path, summary: ProgressSummary, root: Path) -> None:
        self.path = path
        self.summary = summary
        self.root = root  # links pointing out of the project are not followed

    def warn(self, message: str) -> None:
        line = f"{self.path}: {message}"
        if line not in self.summary.warnings:  # a slug in a list and its date: one line
            self.summary.warnings.append(line)

    def load(self) -> dict | None:
        if not self.path.exists() and not self.path.is_symlink():
            return None
        try:
            data = read_json(self.path, within=self.root)
        except DataFileError as exc:
            self.summary.warnings.append(f"{exc} (file skipped)")
            return None
        self.summary.sources.append(str(self.path))
        return data

    def ids(self, data: dict, keys: tuple[str, ...], lookup: Lookup, kind: str) -> set[str]:
        """Canonical ids listed under the first of `keys` present in data."""
        key = next((k for k in keys if k in data), None)
        if key is None:
            return set()
        value = data[key]
        if isinstance(value, dict):  # {"01": true, "02": false}: truthy marks done
            entries = [k for k, done in value.items() if done]
        elif isinstance(value, list):
            entries = value
        else:
            self.warn(f"'{key}' should be a list of {kind} ids, found {_kind(value)}; ignored")
            return set()
        found = set()
        for entry in entries:
            canonical = self.one_id(entry, lookup, kind, key)
            if canonical:
                found.add(canonical)
        return found

    def one_id(self, entry: object, lookup: Lookup, kind: str, key: str) -> str | None:
        if isinstance(entry, bool) or not isinstance(entry, (str, int)):
            self.warn(f"'{key}' holds {_show(entry)}, which is not a {kind} id; ignored")
            return None
        item = lookup(entry)
        if item is None:
            if kind == "module" and is_retired_slug(entry):
                self.warn(
                    f"{_show(entry)} is a module of an earlier TinyTorch release with no "
                    "module in today's curriculum; ignored"
                )
            else:
                self.warn(f"unknown {kind} id {_show(entry)} in '{key}' ignored")
            return None
        return item.id  # type: ignore[attr-defined]

    def dates(self, data: dict, key: str, lookup: Lookup, kind: str) -> dict[str, str]:
        """id -> timestamp from an object such as {"1": "2025-11-16T10:00:00"}."""
        if key not in data:
            return {}
        value = data[key]
        if not isinstance(value, dict):
            self.warn(f"'{key}' should be an object of {kind} id -> date, found {_kind(value)}")
            return {}
        found = {}
        for raw, when in value.items():
            canonical = self.one_id(raw, lookup, kind, key)
            if canonical is None:
                continue
            if parse_when(when) is None:
                self.warn(f"'{key}' for {kind} {canonical} is not an ISO 8601 date: {_show(when)}")
                continue
            found[canonical] = when.strip()
        return found

    def single_id(self, data: dict, key: str, lookup: Lookup, kind: str) -> str | None:
        value = data.get(key)
        if value is None or value == "":
            return None
        return self.one_id(value, lookup, kind, key)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "a list", dict: "an object"}.get(type(value), "null")


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def read_progress(project: Project) -> ProgressSummary:
    """Merge TinyTorch's progress files; never raises for bad data, never writes."""
    summary = ProgressSummary()
    module_dates: list[dict[str, str]] = []  # most trusted first
    for path in (project.tito_progress_path, project.progress_path):
        source = _File(path, summary, project.root)
        data = source.load()
        if data is None:
            continue
        summary.modules_completed |= source.ids(data, MODULE_LIST_KEYS, module_by_id, "module")
        summary.modules_started |= source.ids(data, ("started_modules",), module_by_id, "module")
        module_dates.append(source.dates(data, "completion_dates", module_by_id, "module"))
        for key in ("last_worked", "last_completed"):
            if getattr(summary, key) is None:
                setattr(summary, key, source.single_id(data, key, module_by_id, "module"))
    for dates in module_dates:
        for module_id, when in dates.items():
            if module_id in summary.modules_completed:
                summary.module_dates.setdefault(module_id, when)

    source = _File(project.tito_milestones_path, summary, project.root)
    data = source.load()
    if data is not None:
        done = source.ids(data, MILESTONE_LIST_KEYS, milestone_by_id, "milestone")
        unlocked = source.ids(data, ("unlocked_milestones",), milestone_by_id, "milestone")
        summary.milestones_completed = done
        summary.milestones_unlocked = unlocked | done
        for milestone_id, when in source.dates(
            data, "completion_dates", milestone_by_id, "milestone"
        ).items():
            if milestone_id in done:
                summary.milestone_dates[milestone_id] = when
        for milestone_id, when in source.dates(
            data, "unlock_dates", milestone_by_id, "milestone"
        ).items():
            if milestone_id in summary.milestones_unlocked:
                summary.milestone_unlock_dates[milestone_id] = when

    source = _File(project.tito_config_path, summary, project.root)
    config = source.load()
    if config is not None:
        summary.tito_config = config
    return summary
