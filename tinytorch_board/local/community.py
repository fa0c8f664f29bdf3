"""Community profile actions and local figures: join, update, leave, view, local stats.

Everything here reads and writes files in the student's project only; the community
part of `community stats` (the published distribution) is board.standing's.
"""

from __future__ import annotations

import uuid
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
    ensure_ids,
    home_profile,
    load_profile,
    new_profile,
    save_profile,
    tito_progress,
)
from tinytorch_board.local.progress import ProgressSummary, read_progress
from tinytorch_board.local.project import MARKERS_TEXT, Project
from tinytorch_board.local.results import TITO_NOTE, load_result, result_files, tito_result_kind

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
        """The best result comparable with the latest (same kind, suite version and
        backend): a capstone or a numpy run never counts as a better tinytorch run."""
        latest = self.latest
        if latest is None:
            return None
        # Ties go to the later run.
        return max(
            (r for r in reversed(self.results) if r.group == latest.group),
            key=lambda r: r.score,
        )

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
    tito = []
    for path in result_files(project.benchmarks_dir):
        if tito_result_kind(path) is not None:
            tito.append(path.name)
            continue
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
    if tito:
        summary.warnings.append(
            f"{len(tito)} result(s) in {project.benchmarks_dir} ignored ({tito[0]}"
            f"{', ...' if len(tito) > 1 else ''}): {TITO_NOTE}"
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
    progress: dict = field(default_factory=dict)  # our progress block, as saved


def _not_a_file_advice(path: Path) -> str | None:
    """Advice for a profile path that is a directory or special file (not ours to delete)."""
    if path.is_symlink() or not path.exists() or path.is_file():
        return None
    kind = "a directory" if path.is_dir() else "not a regular file"
    return (
        f"{path} is {kind}, not a profile; it was not made by tinytorch-board, so it is "
        f"left alone: move it away (mv '{path}' '{path}.moved') and join again"
    )


def _existing(project: Project) -> LoadedProfile | None:
    """The profile, or None; a BoardError naming it (kept, with a copy) if unreadable."""
    advice = _not_a_file_advice(project.profile_path)
    if advice:
        raise BoardError(advice)
    return load_profile(project)


def _refreshed(project: Project, now: datetime) -> tuple[dict, list[str]]:
    progress = read_progress(project)
    results = scan_results(project)
    return progress_block(progress, results, now), progress.warnings + results.warnings


def ensure_not_joined(project: Project) -> None:
    """BoardError if there already is a profile (saying how to update) or no project."""
    if not project.found:
        raise BoardError(
            f"not inside a TinyTorch project (no {MARKERS_TEXT} in {project.root} or above); "
            "run this in your TinyTorch checkout, or pass --project-dir DIR"
        )
    existing = _existing(project)
    if existing is not None:
        joined = (existing.joined_at or "an unknown date")[:10]
        raise BoardError(
            f"you already joined on {joined} "
            f"(cohort {existing.cohort or 'unknown'}); change your answers with "
            "`tinytorch-board community update`"
        )


def join(project: Project, answers: dict[str, str | None], now: datetime) -> Outcome:
    """Write a new profile; refuse if there already is one."""
    ensure_not_joined(project)
    progress, warnings = _refreshed(project, now)
    profile = new_profile(answers, now, progress)
    side = {"public_id": str(uuid.uuid4()), "joined_here": True, "progress": progress}
    path = save_profile(project, None, profile, side)
    return Outcome(profile, path, warnings, progress=progress)


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
    loaded = ensure_ids(project, require_profile(project))
    profile, side_context, changed = apply_answers(loaded, changes)
    progress, warnings = _refreshed(project, now)
    if isinstance(profile.get("progress"), dict):
        # tito's own four fields, refreshed as tito's `community update` does
        profile["progress"] = {**profile["progress"], **tito_progress(progress)}
    side = {"progress": progress}
    if side_context:
        side["context"] = side_context
    path = save_profile(project, loaded, profile, side)
    return Outcome(
        profile, path, loaded.warnings + warnings, changed, loaded.from_tinytorch, progress
    )


@dataclass(frozen=True)
class LeaveOutcome:
    removed: Path | None  # None: there was no profile
    results_kept: int
    submissions_kept: int


def leave(project: Project) -> LeaveOutcome:
    """Remove the profile file and our ids beside it, and only them (a corrupt one too)."""
    path = project.profile_path
    results = len(result_files(project.benchmarks_dir))
    outbox = project.outbox_dir
    submissions = len(list(outbox.glob("*.json"))) if outbox.is_dir() else 0
    advice = _not_a_file_advice(path)
    if advice:
        raise BoardError(advice)  # before anything is removed
    side = project.board_profile_path
    if side.exists() or side.is_symlink():
        side.unlink()
    if not path.exists() and not path.is_symlink():
        return LeaveOutcome(None, results, submissions)
    path.unlink()
    return LeaveOutcome(path, results, submissions)


# --- profile view --------------------------------------------------------------------


@dataclass
class ProfileView:
    loaded: LoadedProfile
    current: dict  # the progress block as TinyTorch's files say now
    days_since_join: int | None
    warnings: list[str]

    @property
    def from_tinytorch(self) -> bool:
        return self.loaded.from_tinytorch

    def as_dict(self) -> dict:
        loaded = self.loaded
        return {
            "profile": loaded.data,
            "shape": loaded.shape,
            "written_by_tinytorch": loaded.from_tinytorch,
            "anonymous_id": loaded.anonymous_id,
            "public_id": loaded.public_id,
            "facts": loaded.facts(),
            "days_since_join": self.days_since_join,
            "saved_progress": loaded.saved_progress,
            "current_progress": self.current,
            "tito_home_profile": home_profile().as_dict(),
        }


def view_profile(project: Project, now: datetime) -> ProfileView:
    """The profile and the progress as it stands now; only our ids are saved, once."""
    loaded = ensure_ids(project, require_profile(project))
    current, warnings = _refreshed(project, now)
    return ProfileView(
        loaded=loaded,
        current=current,
        days_since_join=days_since(loaded.joined_at, now),
        warnings=loaded.warnings + warnings,
    )


# --- stats: the local part ----------------------------------------------------------


def local_stats(
    project: Project, now: datetime, submissions: dict[str, int]
) -> tuple[dict, list[str], ResultsSummary]:
    """Figures from this machine only: (figures, warnings, the results they count).

    submissions: the outbox's record count per status (the outbox belongs to publish/).
    """
    warnings: list[str] = []
    loaded = None
    try:
        loaded = load_profile(project)
    except DataFileError as exc:
        warnings.append(f"profile ignored: {exc}")
    progress = read_progress(project)
    results = scan_results(project)
    warnings += progress.warnings + results.warnings
    figures = {
        "profile": {
            "joined": loaded is not None,
            "shape": loaded.shape if loaded else None,
            "cohort": loaded.cohort if loaded else None,
            "days_since_join": days_since(loaded.joined_at, now) if loaded else None,
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
    if loaded is not None:
        warnings += loaded.warnings
    return figures, warnings, results
