"""Badges: their rules and definitions, evaluated over column arrays, no I/O.

A rule (BadgeRule; board.config reads them from board.yaml) is a set of conditions on
ONE submission. A participant earns the badge with the first of their submissions (in
time order) that meets all of them, and keeps it: each submission carries the badges
its participant held once it was made ("so far"), so an old submission page never shows
a badge earned later. The student's machine and the board engine share these rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from tinytorch_board.submission import BACKENDS, KINDS

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class BadgeRule:
    """Conditions one submission must meet (all of them) to earn a badge.

    A participant holds a badge from the first of their submissions that meets its
    rule. Every key is optional; an empty rule is met by any submission.
    """

    kind: str | None = None
    """The submission's kind ("baseline" or "capstone")."""
    backend: str | None = None
    """The submission's backend ("numpy" or "tinytorch")."""
    visibility: str | None = None
    """"public" or "anonymous"."""
    first_of_kind: bool = False
    """Only the participant's first submission of its kind counts."""
    max_days_since_join: int | None = None
    """progress.days_since_join is known and at most this many days."""
    min_milestones: int | None = None
    """At least this many milestones completed."""
    min_modules: int | None = None
    """At least this many modules completed."""
    min_score: float | None = None
    """Score at least this (a flagged outlier never meets a score condition)."""
    improved: bool = False
    """Score strictly above the participant's previous submission in the same
    comparable group (kind/suite_version/backend); never for a flagged outlier."""
    min_submissions: int | None = None
    """The participant has made at least this many submissions so far (this one included)."""


@dataclass(frozen=True)
class BadgeConfig:
    id: str
    name: str
    description: str
    icon: str
    rule: BadgeRule


DEFAULT_BADGES: tuple[BadgeConfig, ...] = (
    BadgeConfig(
        "first-steps",
        "First Steps",
        "Submitted a baseline benchmark.",
        "👣",
        BadgeRule(kind="baseline"),
    ),
    BadgeConfig(
        "fast-setup",
        "Fast Setup",
        "First baseline submitted within a day of joining.",
        "⚡",
        BadgeRule(kind="baseline", first_of_kind=True, max_days_since_join=1),
    ),
    BadgeConfig(
        "milestone-master",
        "Milestone Master",
        "Completed all 6 historical milestones.",
        "🏆",
        BadgeRule(min_milestones=6),
    ),
    BadgeConfig(
        "community-member",
        "Community Member",
        "Shared a result with the community.",
        "🤝",
        BadgeRule(),
    ),
    BadgeConfig(
        "progress-maker",
        "Progress Maker",
        "Beat their own earlier score.",
        "📈",
        BadgeRule(improved=True),
    ),
    BadgeConfig(
        "module-master",
        "Module Master",
        "Completed all 20 modules.",
        "🎓",
        BadgeRule(min_modules=20),
    ),
)


@dataclass(frozen=True, slots=True)
class BadgeDef:
    """A badge as pages show it (its rule left behind)."""

    id: str
    name: str
    description: str
    icon: str  # one emoji, for text and alt labels


class RuleColumns(Protocol):
    """The column arrays a rule reads, one row per submission in time order.

    Codes index KINDS and BACKENDS; participant_code and group_code are any integer
    labels (equal values mean the same participant / comparable group).
    """

    n: int
    participant_code: np.ndarray
    kind_code: np.ndarray
    backend_code: np.ndarray
    group_code: np.ndarray
    public: np.ndarray
    days_since_join: np.ndarray
    milestone_count: np.ndarray
    modules: np.ndarray
    score: np.ndarray


def badge_defs(badges: Sequence[BadgeConfig]) -> list[BadgeDef]:
    return [BadgeDef(b.id, b.name, b.description, b.icon) for b in badges]


def _segment_starts(keys_sorted: Sequence[np.ndarray]) -> np.ndarray:
    """For rows sorted by `keys_sorted`, the position where each row's run of equal keys starts."""
    import numpy as np

    n = len(keys_sorted[0])
    if n == 0:
        return np.zeros(0, np.int64)
    new = np.zeros(n, np.bool_)
    new[0] = True
    for key in keys_sorted:
        new[1:] |= key[1:] != key[:-1]
    positions = np.arange(n)
    return np.maximum.accumulate(np.where(new, positions, 0))


def _order(*keys: np.ndarray) -> np.ndarray:
    """Row order sorted by keys (first key most significant), stable."""
    import numpy as np

    return np.lexsort(tuple(reversed(keys)))


def evaluate(
    badges: Sequence[BadgeConfig], c: RuleColumns, outlier: np.ndarray, time_rank: np.ndarray
) -> np.ndarray:
    """Bool matrix [n, len(badges)]: badge b held by row i's participant once i was made.

    time_rank: each row's position in time order (created_at, then submission_id).
    """
    import numpy as np

    n = c.n
    earned = np.zeros((n, len(badges)), np.bool_)
    if n == 0 or not badges:
        return earned
    positions = np.arange(n)
    pc = c.participant_code

    by_person = _order(pc, time_rank)
    person_start = _segment_starts([pc[by_person]])
    ordinal = np.empty(n, np.int64)  # 1 = the participant's first submission
    ordinal[by_person] = positions - person_start + 1

    by_kind = _order(pc, c.kind_code, time_rank)
    first_of_kind = np.zeros(n, np.bool_)
    starts = _segment_starts([pc[by_kind], c.kind_code[by_kind]])
    first_of_kind[by_kind] = starts == positions

    # improved: above the previous ranked submission of the same participant and group
    improved = np.zeros(n, np.bool_)
    ranked = np.flatnonzero(~outlier)
    if len(ranked):
        sub = ranked[_order(pc[ranked], c.group_code[ranked], time_rank[ranked])]
        starts = _segment_starts([pc[sub], c.group_code[sub]])
        later = starts[1:] < np.arange(1, len(sub))  # has a previous row in its run
        better = c.score[sub[1:]] > c.score[sub[:-1]]
        improved[sub[1:]] = later & better

    for b, badge in enumerate(badges):
        rule = badge.rule
        met = np.ones(n, np.bool_)
        if rule.kind is not None:
            met &= c.kind_code == KINDS.index(rule.kind)
        if rule.backend is not None:
            met &= c.backend_code == BACKENDS.index(rule.backend)
        if rule.visibility is not None:
            met &= c.public == (rule.visibility == "public")
        if rule.first_of_kind:
            met &= first_of_kind
        if rule.max_days_since_join is not None:
            met &= (c.days_since_join >= 0) & (c.days_since_join <= rule.max_days_since_join)
        if rule.min_milestones is not None:
            met &= c.milestone_count >= rule.min_milestones
        if rule.min_modules is not None:
            met &= c.modules >= rule.min_modules
        if rule.min_score is not None:
            met &= (c.score >= rule.min_score) & ~outlier
        if rule.improved:
            met &= improved
        if rule.min_submissions is not None:
            met &= ordinal >= rule.min_submissions
        # held so far: some row of the same participant at or before this one met the rule
        met_sorted = met[by_person]
        last_met = np.maximum.accumulate(np.where(met_sorted, positions, -1))
        earned[by_person, b] = last_met >= person_start
    return earned


def badge_tuples(earned: np.ndarray, ids: Sequence[str]) -> list[tuple[str, ...]]:
    """Per row, the tuple of badge ids held (in board.yaml order); tuples are shared."""
    import numpy as np

    n, count = earned.shape
    if count == 0:
        return [()] * n
    weights = (1 << np.arange(count, dtype=np.int64)) if count < 63 else None
    if weights is None:
        return [tuple(i for i, e in zip(ids, row, strict=True) if e) for row in earned]
    masks = earned.astype(np.int64) @ weights
    cache: dict[int, tuple[str, ...]] = {}
    out = []
    for mask in masks.tolist():
        found = cache.get(mask)
        if found is None:
            found = cache[mask] = tuple(ids[j] for j in range(count) if mask >> j & 1)
        out.append(found)
    return out
