"""What a class's public page may show: k-anonymous aggregates of its submissions.

Pure functions of the class's submission rows (board/classroom.class_rows) and the
community's figures. A class with fewer than k participants shows counts only; a larger
one shows its milestone funnel, module progress, score distribution and submissions per
week. No row names a student, except public entries, which their authors chose to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tinytorch_board.curriculum import MILESTONES, MODULE_COUNT
from tinytorch_board.submission.classes import ClassInfo

SCORE_BINS = 20  # the same bins as the community's score histogram


@dataclass
class ClassView:
    info: ClassInfo
    k: int
    participants: int
    submissions: int
    aggregates: bool  # False: fewer than k participants, counts only
    milestone_funnel: list[tuple[str, int]] = field(default_factory=list)
    modules_histogram: list[int] = field(default_factory=list)
    scores: dict[str, tuple[list[int], list[int]]] = field(default_factory=dict)
    per_week: list[tuple[str, int]] = field(default_factory=list)
    public_entries: list[dict] = field(default_factory=list)


def _person(row: dict) -> str:
    """Who a row is: its participant, or the file itself when it is unsigned and unlinked."""
    return row["participant_id"] or f"unlinked {row['submission_id']}"


def score_bin(score: float, bins: int = SCORE_BINS) -> int:
    return min(bins - 1, max(0, int(score // (100 / bins))))


def week_of(day: str) -> str:
    """The ISO week a YYYY-MM-DD day falls in, as "2026-W36"."""
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def class_view(
    info: ClassInfo,
    rows: list[dict],
    k: int,
    community_bins: dict[str, list[int]],
    public_names: dict[str, str],
) -> ClassView:
    """The class page's figures. rows: the class's submissions (oldest first);
    public_names: submission_id -> the name a public entry chose to show."""
    people = {_person(r) for r in rows}
    view = ClassView(
        info=info,
        k=k,
        participants=len(people),
        submissions=len(rows),
        aggregates=len(people) >= k,
    )
    if not view.aggregates:
        return view
    highest_modules: dict[str, int] = {}
    milestones: dict[str, set[str]] = {}
    for r in rows:
        pid = _person(r)
        highest_modules[pid] = max(highest_modules.get(pid, 0), r["modules_completed"])
        milestones.setdefault(pid, set()).update(r["milestones_completed"])
    view.milestone_funnel = [
        (m.label, sum(1 for done in milestones.values() if m.id in done)) for m in MILESTONES
    ]
    histogram = [0] * (MODULE_COUNT + 1)
    for value in highest_modules.values():
        histogram[min(MODULE_COUNT, value)] += 1
    view.modules_histogram = histogram
    for r in rows:
        group = f"{r['kind']}/{r['suite_version']}/{r['backend']}"
        ours, _ = view.scores.setdefault(
            group, ([0] * SCORE_BINS, list(community_bins.get(group, [0] * SCORE_BINS)))
        )
        ours[score_bin(r["score"])] += 1
    weeks: dict[str, int] = {}
    for r in rows:
        week = week_of(r["created_at"][:10])
        weeks[week] = weeks.get(week, 0) + 1
    view.per_week = sorted(weeks.items())
    view.public_entries = [
        {
            "submission_id": r["submission_id"],
            "name": public_names[r["submission_id"]],
            "score": r["score"],
            "group": f"{r['kind']}/{r['suite_version']}/{r['backend']}",
        }
        for r in rows
        if r["visibility"] == "public" and r["submission_id"] in public_names
    ]
    return view


@dataclass(frozen=True)
class ClassStanding:
    """Where a score lands among the class's results of the same group (k-anonymous)."""

    class_id: str
    participants: int  # class members with a result in this group
    results: int
    top_percent: float | None  # None: fewer than k participants, not shown
    k: int

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    def sentence(self) -> str:
        if self.top_percent is None:
            return (
                f"Your class: fewer than {self.k} classmates have a result in this group, "
                "so none is shown."
            )
        return (
            f"Your class: top {self.top_percent:g}% of {self.results} results from "
            f"{self.participants} classmates."
        )


def class_standing(
    class_id: str, rows: list[dict], group: str, score: float, k: int
) -> ClassStanding:
    """The share of the class's results (same kind/suite/backend) at or above `score`."""
    same = [r for r in rows if f"{r['kind']}/{r['suite_version']}/{r['backend']}" == group]
    people = len({_person(r) for r in same})
    if people < k or not same:
        return ClassStanding(class_id, people, len(same), None, k)
    at_or_above = sum(1 for r in same if r["score"] >= score)
    top = max(1.0, round(100 * max(1, at_or_above) / len(same), 1))
    return ClassStanding(class_id, people, len(same), top, k)
