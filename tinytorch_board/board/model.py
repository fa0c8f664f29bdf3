"""What the board engine hands to the renderer: the contract between stats and site.

`board.stats.compute_stats(loaded, config, now)` returns a BoardStats; the site, the
static API and `compare` read only these types. Group values (system type, cohort,
country, institution, course type) are already k-anonymized here: anything with fewer
than k members reads OTHER, so a renderer cannot publish a small group by mistake.
"Members" are distinct participants (one person submitting five times is one member).

Definitions (see board.stats for the code):
- rank: competition ranking among the ranked (non-outlier) entries of the comparable
  group: 1 + the number of strictly higher scores, so ties share the best rank.
- top_percent: ceil(100 * rank / group_size), at least 1: the best of 40 is "Top 3%",
  anyone in a group of one is "Top 100%", tied entries read the same figure.
- percentile: 100 * (ranked entries scoring strictly lower) / group_size.
- outlier: more than board.yaml `outliers.mads` median absolute deviations from the
  median score of its (comparable group, submitted system type); only judged when that
  set has at least `outliers.min_group` entries. Outliers are listed, never ranked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tinytorch_board.submission.badges import BadgeDef

OTHER = "Other"


@dataclass(frozen=True, slots=True)
class Entry:
    """One valid submission as the board publishes it."""

    submission_id: str
    participant_id: str | None  # None: unlinked (version 1, or unsigned)
    created_at: str  # "YYYY-MM-DDTHH:MM:SSZ"
    kind: str  # "baseline" | "capstone"
    suite_version: int
    backend: str  # "numpy" | "tinytorch"
    score: float
    metrics: dict  # metric name -> {"median_ms", "iqr_ms", "runs", ...} as in the file
    tracks: dict | None  # capstone tracks as in the file, else None
    system_type: str  # k-anonymized
    cpu_cores: int
    memory_gb: int | None
    modules_completed: int
    milestones_completed: tuple[str, ...]
    days_since_join: int | None
    cohort: str | None  # k-anonymized; None when the file has none
    course_type: str | None  # k-anonymized
    experience_level: str | None
    visibility: str  # "anonymous" | "public"
    display_name: str | None  # only for public entries, exactly as typed
    github: str | None
    country: str | None  # k-anonymized
    institution: str | None  # k-anonymized
    # Derived by the board engine:
    group: str  # comparable group key, "kind/suite_version/backend", e.g. "baseline/1/numpy"
    outlier: bool  # "unverified outlier": listed, not ranked
    rank: int | None  # competition rank within the group (1 = best); None for outliers
    group_size: int  # ranked entries in the group
    top_percent: int | None  # ceil(100 * rank / group_size): "Top 3%"
    percentile: float | None  # share of the ranked group scoring strictly lower, 0..100
    similar_rank: int | None  # the same within group + system_type
    similar_size: int
    similar_top_percent: int | None
    badges: tuple[str, ...]  # badge ids earned by this submission's participant so far


@dataclass(frozen=True, slots=True)
class ParticipantHistory:
    participant_id: str
    submission_ids: tuple[str, ...]  # oldest first
    first_score: float
    best_score: float
    latest_score: float
    improvement: float  # best - first
    # Added by the board engine (defaults keep older constructors working); aligned with
    # submission_ids, oldest first, so a page can plot improvement over time per group.
    created_at: tuple[str, ...] = ()
    scores: tuple[float, ...] = ()
    groups: tuple[str, ...] = ()  # comparable group key of each submission


@dataclass(frozen=True, slots=True)
class GroupSummary:
    key: str  # "baseline/1/numpy"
    kind: str
    suite_version: int
    backend: str
    count: int  # ranked entries
    outliers: int
    median_score: float | None


@dataclass
class CommunityFigures:
    """The community's "success metrics", already k-anonymized."""

    submissions: int = 0
    participants: int = 0
    public_entries: int = 0
    systems: dict[str, int] = field(default_factory=dict)  # system type -> submissions
    milestone_reached: dict[str, int] = field(default_factory=dict)  # milestone id -> people
    all_milestones: int = 0  # people who reached every milestone (across their results)
    # index = modules completed (0..20); value = people, each counted at their highest
    modules_histogram: list[int] = field(default_factory=list)  # index = modules completed
    cohorts: dict[str, int] = field(default_factory=dict)  # -> people (none: not counted)
    course_types: dict[str, int] = field(default_factory=dict)  # -> people
    countries: dict[str, int] = field(default_factory=dict)  # -> people (public entries only)
    submissions_per_month: dict[str, int] = field(default_factory=dict)  # "YYYY-MM" -> n
    # group -> 20 bins of ranked scores: [0, 5), [5, 10), ..., [95, 100]
    score_histogram: dict[str, list[int]] = field(default_factory=dict)  # group -> 20 bins


@dataclass
class BoardStats:
    entries: list[Entry]  # every valid submission, newest first
    groups: dict[str, GroupSummary]
    histories: dict[str, ParticipantHistory]
    community: CommunityFigures
    badges: list[BadgeDef]
    distribution: dict  # the api/distribution.json document
    generated_at: str
    k: int
    # The board's classes (board/class_stats.ClassView) and each class's submission rows
    # (board/classroom.class_rows), by class_id; set by the build when classes/ exists.
    classes: list = field(default_factory=list)
    class_rows: dict = field(default_factory=dict)
