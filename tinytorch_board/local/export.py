"""The combined progress document TinyTorch describes for syncing to a dashboard.

Built from the merged progress files (see local/progress.py) and the profile's anonymous
id. Statistics are computed from completion dates only: TinyTorch does not record study
time, so none is reported. A "day" is the calendar date of a timestamp as TinyTorch wrote
it (its times are the student's local time). Nothing here sends anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone

from tinytorch_board import __version__
from tinytorch_board.clock import iso_utc
from tinytorch_board.curriculum import MILESTONES, MODULE_COUNT, MODULES
from tinytorch_board.local.progress import ProgressSummary, parse_when

EXPORT_FORMAT_VERSION = "1.0"  # the version TinyTorch's combined format carries
HALFWAY = MODULE_COUNT // 2


def _order_key(moment: datetime) -> datetime:
    """Comparable instants: aware times in UTC, naive ones taken as they are."""
    if moment.tzinfo is not None:
        return moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def activity_days(timestamps: Iterable[str]) -> list[date]:
    """Distinct calendar days (ascending) on which something was completed."""
    days = {moment.date() for moment in map(parse_when, timestamps) if moment is not None}
    return sorted(days)


def longest_streak(days: list[date]) -> int:
    """Most consecutive calendar days in an ascending list of distinct days."""
    best = run = 0
    previous = None
    for day in days:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    return best


def current_streak(days: list[date], today: date) -> int:
    """Consecutive days ending today or yesterday (a streak survives until a day is missed)."""
    if not days or (today - days[-1]).days > 1:
        return 0
    run = 1
    for index in range(len(days) - 1, 0, -1):
        if days[index] - days[index - 1] != timedelta(days=1):
            break
        run += 1
    return run


def nth_completion(dates: dict[str, str], n: int) -> str | None:
    """The timestamp of the n-th completion in time order (1-based), or None."""
    ordered = sorted(dates.values(), key=lambda text: _order_key(parse_when(text)))
    return ordered[n - 1] if len(ordered) >= n else None


def statistics(summary: ProgressSummary, today: date) -> dict:
    module_days = activity_days(summary.module_dates.values())
    all_days = activity_days([*summary.module_dates.values(), *summary.milestone_dates.values()])
    modules_per_day = None
    if module_days:
        span = (module_days[-1] - module_days[0]).days + 1
        modules_per_day = round(len(summary.module_dates) / span, 2)
    return {
        "modules_per_day": modules_per_day,
        "current_streak_days": current_streak(all_days, today),
        "longest_streak_days": longest_streak(all_days),
        "active_days": len(all_days),
        "first_activity": all_days[0].isoformat() if all_days else None,
        "last_activity": all_days[-1].isoformat() if all_days else None,
        "modules_without_dates": len(summary.modules_completed) - len(summary.module_dates),
    }


def achievements(summary: ProgressSummary) -> dict:
    """When each landmark was reached (null while not reached or not dated)."""
    all_modules = len(summary.modules_completed) == MODULE_COUNT
    all_milestones = len(summary.milestones_completed) == len(MILESTONES)
    return {
        "first_module": nth_completion(summary.module_dates, 1),
        "first_milestone": nth_completion(summary.milestone_dates, 1),
        "halfway_point": nth_completion(summary.module_dates, HALFWAY),
        "all_modules": nth_completion(summary.module_dates, MODULE_COUNT) if all_modules else None,
        "all_milestones": (
            nth_completion(summary.milestone_dates, len(MILESTONES)) if all_milestones else None
        ),
    }


def _latest_module(summary: ProgressSummary) -> str | None:
    if not summary.module_dates:
        return None
    return max(summary.module_dates, key=lambda k: _order_key(parse_when(summary.module_dates[k])))


def module_progress(summary: ProgressSummary) -> dict:
    completed = sorted(int(module_id) for module_id in summary.modules_completed)
    return {
        "total_modules": MODULE_COUNT,
        "completed_count": len(completed),
        "completed_modules": completed,
        "completion_dates": {
            str(int(module_id)): when for module_id, when in sorted(summary.module_dates.items())
        },
        "last_worked": summary.last_worked,
        "last_completed": summary.last_completed or _latest_module(summary),
        "completion_percentage": round(100 * len(completed) / MODULE_COUNT),
        "module_names": {
            str(m.number): m.title for m in MODULES if m.id in summary.modules_completed
        },
    }


def milestone_name(milestone) -> str:
    return f"{milestone.year}: {milestone.name}"


def milestone_progress(summary: ProgressSummary) -> dict:
    unlocked, locked = [], []
    for milestone in MILESTONES:
        if milestone.id in summary.milestones_unlocked:
            done = milestone.id in summary.milestones_completed
            unlocked.append(
                {
                    "id": milestone.id,
                    "name": milestone_name(milestone),
                    "unlocked_at": summary.milestone_unlock_dates.get(milestone.id),
                    "completed": done,
                    "completed_at": summary.milestone_dates.get(milestone.id) if done else None,
                }
            )
        else:
            locked.append({"id": milestone.id, "name": milestone_name(milestone)})
    return {
        "total_milestones": len(MILESTONES),
        "unlocked_count": len(unlocked),
        "completed_count": len(summary.milestones_completed),
        "unlocked_milestones": unlocked,
        "locked_milestones": locked,
    }


def build_export(
    summary: ProgressSummary, user_id: str | None, now: datetime, today: date | None = None
) -> dict:
    """The combined document: user_id, module/milestone progress, statistics, achievements.

    `today` (for the current streak) defaults to the local date at `now`, since TinyTorch
    writes local times.
    """
    local_today = today or now.astimezone().date()
    return {
        "version": EXPORT_FORMAT_VERSION,
        "generator": f"tinytorch-board {__version__}",
        "user_id": user_id,
        "timestamp": iso_utc(now),
        "module_progress": module_progress(summary),
        "milestone_progress": milestone_progress(summary),
        "statistics": statistics(summary, local_today),
        "achievements": achievements(summary),
    }


def export_project(project, now: datetime) -> tuple[dict, list[str]]:
    """The combined document for a project, and warnings about files that were skipped."""
    from tinytorch_board.errors import DataFileError
    from tinytorch_board.local.profile import ensure_ids, load_profile
    from tinytorch_board.local.progress import read_progress

    summary = read_progress(project)
    warnings = list(summary.warnings)
    user_id = None
    try:
        loaded = load_profile(project)
        if loaded is not None:
            loaded = ensure_ids(project, loaded)  # a tito profile may have no anonymous id
            warnings += loaded.warnings
    except DataFileError as exc:
        warnings.append(f"profile ignored, user_id left null: {exc}")
    else:
        if loaded is None:
            warnings.append(
                "no community profile, so user_id is null "
                "(`tinytorch-board community join` creates an anonymous id)"
            )
        else:
            user_id = loaded.anonymous_id
    return build_export(summary, user_id, now), warnings
