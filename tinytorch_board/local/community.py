"""Community profile actions and local figures: join, update, leave, view, local stats.

Everything here reads and writes files in the student's project only; the community
part of `community stats` (the published distribution) is board.standing's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tinytorch_board.clock import iso_utc
from tinytorch_board.curriculum import MILESTONE_COUNT, MODULE_COUNT
from tinytorch_board.errors import BoardError, DataFileError
from tinytorch_board.jsonio import finite_number
from tinytorch_board.local.profile import (
    LoadedProfile,
    apply_answers,
    days_since,
    load_profile,
    new_profile,
    save_profile,
)
from tinytorch_board.local.progress import ProgressSummary, read_progress
from tinytorch_board.local.project import Project
from tinytorch_board.local.results import load_result, result_files

STATS_VERSION = 1


# --- local benchmark results ---------------------------------------------------------


@dataclass(frozen=True)
class ResultInfo:
    """The parts of one result file that stats and the profile need."""

    path: Path
    kind: str
    suite_version: int
    backend: str
    score: float
    created_at: str
    system_type: str | None

    @property
    def group(self) -> str:
        return f"{self.kind}/{self.suite_version}/{self.backend}"

    def as_dict(self) -> dict:
        return {
            "file": self.path.name,
            "kind": self.kind,
            "suite_version": self.suite_version,
            "backend": self.backend,
            "score": self.score,
            "created_at": self.created_at,
            "system_type": self.system_type,
        }


@dataclass
class ResultsSummary:
    results: list[ResultInfo] = field(default_factory=list)  # oldest first
    warnings: list[str] = field(default_factory=list)

    @property
    def latest(self) -> ResultInfo | None:
        return self.results[-1] if self.results else None

    @property
    def best(self) -> ResultInfo | None:
        # Ties go to the later run.
        return max(reversed(self.results), key=lambda r: r.score, default=None)

    def best_of(self, kind: str) -> ResultInfo | None:
        return max(
            (r for r in reversed(self.results) if r.kind == kind),
            key=lambda r: r.score,
            default=None,
        )

    def count_by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for result in self.results:
            counts[result.kind] = counts.get(result.kind, 0) + 1
        return counts


def scan_results(project: Project) -> ResultsSummary:
    """Every readable result in .tito/benchmarks/; a warning for each unreadable one."""
    summary = ResultsSummary()
    for path in result_files(project.benchmarks_dir):
        try:
            data = load_result(path)
            score, suite, backend = (
                data.get("score"),
                data.get("suite_version"),
                data.get("backend"),
            )
            if (
                not finite_number(score)
                or not isinstance(suite, int)
                or not isinstance(backend, str)
            ):
                raise DataFileError(path, "no valid score, suite_version or backend")
        except DataFileError as exc:
            summary.warnings.append(f"{exc} (result skipped)")
            continue
        system_type = data["system"].get("system_type")
        summary.results.append(
            ResultInfo(
                path=path,
                kind=data["kind"],
                suite_version=suite,
                backend=backend,
                score=float(score),
                created_at=data["created_at"],
                system_type=system_type if isinstance(system_type, str) else None,
            )
        )
    return summary


# --- the profile's progress block ----------------------------------------------------


def progress_block(progress: ProgressSummary, results: ResultsSummary, now: datetime) -> dict:
    """What the profile keeps of the student's progress (TinyTorch's four fields first)."""
    capstone = results.best_of("capstone")
    return {
        "setup_verified": any(r.kind == "baseline" for r in results.results),
        "milestones_passed": len(progress.milestones_completed),
        "modules_completed": len(progress.modules_completed),
        "capstone_score": capstone.score if capstone else None,
        "completed_modules": sorted(progress.modules_completed),
        "completed_milestones": sorted(progress.milestones_completed),
        "unlocked_milestones": sorted(progress.milestones_unlocked),
        "benchmark_runs": len(results.results),
        "refreshed_at": iso_utc(now),
    }


# --- join / update / leave -----------------------------------------------------------


@dataclass
class Outcome:
    profile: dict
    path: Path
    warnings: list[str]
    changed: list[str] = field(default_factory=list)
    from_tinytorch: bool = False


def _existing(project: Project) -> LoadedProfile | None:
    try:
        return load_profile(project)
    except DataFileError as exc:
        raise BoardError(
            f"{exc.path} exists but cannot be used ({exc.detail.split(';')[0]}); "
            "fix it, or remove it with `tinytorch-board community leave --force` and join again"
        ) from None


def _refreshed(project: Project, now: datetime) -> tuple[dict, list[str]]:
    progress = read_progress(project)
    results = scan_results(project)
    return progress_block(progress, results, now), progress.warnings + results.warnings


def ensure_not_joined(project: Project) -> None:
    """BoardError (saying how to update instead) if there already is a profile."""
    existing = _existing(project)
    if existing is not None:
        context = existing.data.get("context") or {}
        raise BoardError(
            f"you already joined on {existing.data['joined_at'][:10]} "
            f"(cohort {context.get('cohort') or 'unknown'}); change your answers with "
            "`tinytorch-board community update`"
        )


def join(project: Project, answers: dict[str, str | None], now: datetime) -> Outcome:
    """Write a new profile; refuse if there already is one."""
    ensure_not_joined(project)
    progress, warnings = _refreshed(project, now)
    profile = new_profile(answers, now, progress)
    path = save_profile(project, profile)
    return Outcome(profile, path, warnings)


def require_profile(project: Project) -> LoadedProfile:
    loaded = _existing(project)
    if loaded is None:
        raise BoardError(
            f"you have not joined yet (no {project.profile_path}); "
            "run `tinytorch-board community join` first"
        )
    return loaded


def update(project: Project, changes: dict[str, str | None], now: datetime) -> Outcome:
    """Change the given answers and refresh the progress block from TinyTorch's files."""
    loaded = require_profile(project)
    profile, changed = apply_answers(loaded.data, changes)
    profile["progress"], warnings = _refreshed(project, now)
    path = save_profile(project, profile)
    return Outcome(profile, path, warnings, changed, loaded.from_tinytorch)


@dataclass(frozen=True)
class LeaveOutcome:
    removed: Path | None  # None: there was no profile
    results_kept: int
    submissions_kept: int


def leave(project: Project) -> LeaveOutcome:
    """Remove the profile file, and only it (a corrupt one too)."""
    path = project.profile_path
    results = len(result_files(project.benchmarks_dir))
    outbox = project.outbox_dir
    submissions = len(list(outbox.glob("*.json"))) if outbox.is_dir() else 0
    if not path.exists():
        return LeaveOutcome(None, results, submissions)
    path.unlink()
    return LeaveOutcome(path, results, submissions)


# --- profile view --------------------------------------------------------------------


@dataclass
class ProfileView:
    profile: dict
    from_tinytorch: bool
    current: dict  # the progress block as TinyTorch's files say now
    days_since_join: int | None
    warnings: list[str]

    def as_dict(self) -> dict:
        return {
            "profile": self.profile,
            "written_by_tinytorch": self.from_tinytorch,
            "days_since_join": self.days_since_join,
            "current_progress": self.current,
        }


def view_profile(project: Project, now: datetime) -> ProfileView:
    """The saved profile and the progress as it stands now (nothing is written)."""
    loaded = require_profile(project)
    current, warnings = _refreshed(project, now)
    return ProfileView(
        profile=loaded.data,
        from_tinytorch=loaded.from_tinytorch,
        current=current,
        days_since_join=days_since(loaded.data.get("joined_at"), now),
        warnings=warnings,
    )


# --- stats: the local part ----------------------------------------------------------


def local_stats(
    project: Project, now: datetime, submissions: dict[str, int]
) -> tuple[dict, list[str], ResultsSummary]:
    """Figures from this machine only: (figures, warnings, the results they count).

    submissions: the outbox's record count per status (the outbox belongs to publish/).
    """
    warnings: list[str] = []
    profile = None
    try:
        loaded = load_profile(project)
        profile = loaded.data if loaded else None
    except DataFileError as exc:
        warnings.append(f"profile ignored: {exc}")
    progress = read_progress(project)
    results = scan_results(project)
    warnings += progress.warnings + results.warnings
    context = (profile or {}).get("context") or {}
    figures = {
        "profile": {
            "joined": profile is not None,
            "cohort": context.get("cohort"),
            "days_since_join": days_since(profile.get("joined_at"), now) if profile else None,
        },
        "benchmarks": {
            "runs": len(results.results),
            "by_kind": results.count_by_kind(),
            "latest": results.latest.as_dict() if results.latest else None,
            "best": results.best.as_dict() if results.best else None,
        },
        "submissions": submissions,
        "modules": {"completed": len(progress.modules_completed), "total": MODULE_COUNT},
        "milestones": {
            "completed": len(progress.milestones_completed),
            "unlocked": len(progress.milestones_unlocked),
            "total": MILESTONE_COUNT,
        },
    }
    return figures, warnings, results
