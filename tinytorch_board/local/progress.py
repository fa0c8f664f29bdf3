"""TinyTorch's own progress files, read only: which modules and milestones are done.

Corrupt or wrong-shaped files become warnings naming the file; the rest still counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tinytorch_board.curriculum import milestone_by_id, module_by_id
from tinytorch_board.errors import DataFileError
from tinytorch_board.local.project import Project
from tinytorch_board.local.store import read_json


@dataclass
class ProgressSummary:
    modules_completed: set[str] = field(default_factory=set)  # module ids "01".."20"
    milestones_completed: set[str] = field(default_factory=set)  # milestone ids "01".."06"
    module_dates: dict[str, str] = field(default_factory=dict)
    milestone_dates: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _ids_from(value: object) -> list[object]:
    """Module/milestone ids from a list, or from an object whose truthy values mark done."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [key for key, done in value.items() if done]
    return []


def read_progress(project: Project) -> ProgressSummary:
    summary = ProgressSummary()
    sources = (
        (project.progress_path, ("completed_modules", "modules_completed", "completed")),
        (project.tito_progress_path, ("completed_modules", "modules_completed", "completed")),
    )
    for path, keys in sources:
        if not path.exists():
            continue
        try:
            data = read_json(path)
        except DataFileError as exc:
            summary.warnings.append(f"skipped {exc}")
            continue
        for key in keys:
            if key in data:
                for raw in _ids_from(data[key]):
                    module = module_by_id(raw)
                    if module is None:
                        summary.warnings.append(f"{path}: unknown module id {raw!r} ignored")
                    else:
                        summary.modules_completed.add(module.id)
                break
        dates = data.get("completion_dates")
        if isinstance(dates, dict):
            for raw, when in dates.items():
                module = module_by_id(raw)
                if module and isinstance(when, str):
                    summary.module_dates.setdefault(module.id, when)
    path = project.tito_milestones_path
    if path.exists():
        try:
            data = read_json(path)
        except DataFileError as exc:
            summary.warnings.append(f"skipped {exc}")
        else:
            for raw in _ids_from(data.get("completed_milestones", data.get("completed", []))):
                milestone = milestone_by_id(raw)
                if milestone is None:
                    summary.warnings.append(f"{path}: unknown milestone id {raw!r} ignored")
                else:
                    summary.milestones_completed.add(milestone.id)
    return summary
