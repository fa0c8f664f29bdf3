"""api/distribution.json: what the board publishes so `compare` can work locally.

Format (distribution_version 1):

    {
      "distribution_version": 1,
      "generated_at": "2026-11-22T10:30:00Z",
      "k": 5,
      "totals": {"submissions": 1234, "participants": 900, "public_entries": 210},
      "cohorts": {"Fall 2026": 400, "Other": 12},
      "groups": {
        "baseline/1/numpy": {
          "kind": "baseline", "suite_version": 1, "backend": "numpy",
          "count": 812,
          "quantiles": [101 scores: the 0th, 1st, ..., 100th percentile],
          "systems": {"Linux x86": {"count": 300, "quantiles": [101 scores]}}
        }
      }
    }

`systems` lists only system types with at least k ranked entries. With 101 quantiles a
percentile is exact to within one point. Only ranked entries (not outliers) count.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from tinytorch_board.errors import DataFileError
from tinytorch_board.submission.score import group_label_of_key

DISTRIBUTION_VERSION = 1
QUANTILE_POINTS = 101


def group_key(kind: str, suite_version: int, backend: str) -> str:
    return f"{kind}/{suite_version}/{backend}"


def quantiles(sorted_scores: Sequence[float]) -> list[float]:
    """The 0th..100th percentiles of ascending scores (linear interpolation)."""
    n = len(sorted_scores)
    if n == 0:
        return []
    out = []
    for i in range(QUANTILE_POINTS):
        position = (n - 1) * i / (QUANTILE_POINTS - 1)
        low = int(position)
        high = min(low + 1, n - 1)
        fraction = position - low
        value = sorted_scores[low] + (sorted_scores[high] - sorted_scores[low]) * fraction
        out.append(round(value, 2))
    return out


def percentile_from_quantiles(score: float, points: Sequence[float]) -> float:
    """Approximate share (0..100) of the group scoring below `score`."""
    if not points:
        raise ValueError("empty distribution")
    if score < points[0]:
        return 0.0
    if score >= points[-1]:
        return 100.0
    # Ties: place the score in the middle of the run of equal quantiles.
    left = bisect.bisect_left(points, score)
    right = bisect.bisect_right(points, score)
    if left != right:
        return round(100 * ((left + right - 1) / 2) / (len(points) - 1), 1)
    low = left - 1
    span = points[left] - points[low]
    fraction = (score - points[low]) / span if span else 0.0
    return round(100 * (low + fraction) / (len(points) - 1), 1)


@dataclass(frozen=True)
class Placement:
    """Where a score would land in a published distribution."""

    group: str
    group_count: int
    percentile: float  # share of the group scoring lower
    system_type: str | None
    system_count: int | None
    system_percentile: float | None

    def as_dict(self) -> dict:
        """The figures for --json output."""
        return {
            "group_count": self.group_count,
            "percentile": self.percentile,
            "top_percent": self.top_percent,
            "system_type": self.system_type,
            "system_count": self.system_count,
            "system_percentile": self.system_percentile,
        }

    @property
    def top_percent(self) -> int:
        return _top(self.percentile)

    @property
    def system_top_percent(self) -> int | None:
        """ "Top N%" among similar systems, or None when there are too few to say."""
        return None if self.system_percentile is None else _top(self.system_percentile)

    def sentence(self) -> str:
        line = (
            f"Your score would land in the top {self.top_percent}% of {self.group_count} "
            f"{group_label_of_key(self.group)} results"
        )
        if self.system_percentile is not None:
            line += (
                f"; similar systems ({self.system_type}, {self.system_count}): "
                f"top {self.system_top_percent}%"
            )
        return line + "."


def _top(percentile: float) -> int:
    """The share scoring at least as well, as a whole "top N%" between 1 and 100."""
    return max(1, min(100, round(100 - percentile)))


# Bounds of a sane distribution: scores are a few thousand at most, counts are people.
MAX_ABS_SCORE = 1e12
MAX_COUNT = 10**9
MAX_GROUPS = 10_000


def check_distribution(doc: object, source: str) -> dict:
    """Shape-check a downloaded distribution before any arithmetic; DataFileError naming it.

    Every number used later is checked here: counts are non-negative integers, quantiles
    101 finite, bounded, non-decreasing numbers, `systems` an object of such groups,
    `k`, `totals` and `cohorts` counts. A board never publishes anything else.
    """
    if not isinstance(doc, dict):
        raise DataFileError(source, "expected a JSON object")
    version = doc.get("distribution_version")
    if version != DISTRIBUTION_VERSION or isinstance(version, bool):
        raise DataFileError(
            source,
            f"distribution_version {_short(version)} is not supported (expected "
            f"{DISTRIBUTION_VERSION}); upgrade tinytorch-board",
        )
    groups = doc.get("groups")
    if not isinstance(groups, dict):
        raise DataFileError(source, "'groups' must be an object")
    if len(groups) > MAX_GROUPS:
        raise DataFileError(source, f"has {len(groups)} groups, more than {MAX_GROUPS}")
    for key, group in groups.items():
        _check_group(group, source, f"group {_short(key)}")
        systems = group.get("systems", {})
        if not isinstance(systems, dict):
            raise DataFileError(source, f"group {_short(key)}: 'systems' must be an object")
        for name, system in systems.items():
            _check_group(system, source, f"group {_short(key)} system {_short(name)}")
    if "k" in doc and not (_is_count(doc["k"]) and doc["k"] >= 1):
        raise DataFileError(source, f"'k' must be a positive integer, not {_short(doc['k'])}")
    for field in ("totals", "cohorts"):
        block = doc.get(field, {})
        if not isinstance(block, dict) or not all(_is_count(v) for v in block.values()):
            raise DataFileError(source, f"'{field}' must map names to non-negative counts")
    if "generated_at" in doc and not isinstance(doc["generated_at"], str):
        raise DataFileError(source, "'generated_at' must be a string")
    return doc


def _check_group(group: object, source: str, what: str) -> None:
    if not isinstance(group, dict):
        raise DataFileError(source, f"{what} must be an object")
    if not _is_quantiles(group.get("quantiles")):
        raise DataFileError(source, f"{what} has no valid quantiles")
    if not _is_count(group.get("count")):
        raise DataFileError(
            source,
            f"{what}: count must be a non-negative integer, not {_short(group.get('count'))}",
        )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT


def _is_quantiles(points: object) -> bool:
    return (
        isinstance(points, list)
        and len(points) == QUANTILE_POINTS
        and all(
            isinstance(p, (int, float))
            and not isinstance(p, bool)
            and abs(p) <= MAX_ABS_SCORE  # False for NaN and infinities; safe for huge ints
            for p in points
        )
        and all(a <= b for a, b in zip(points, points[1:], strict=False))
    )


def place(
    doc: dict, kind: str, suite_version: int, backend: str, score: float, system_type: str | None
) -> Placement | None:
    """Placement of a score in a checked distribution, or None if its group is absent."""
    key = group_key(kind, suite_version, backend)
    group = doc["groups"].get(key)
    if group is None:
        return None
    system = (group.get("systems") or {}).get(system_type) if system_type else None
    system_ok = isinstance(system, dict) and _is_quantiles(system.get("quantiles"))
    return Placement(
        group=key,
        group_count=int(group["count"]),
        percentile=percentile_from_quantiles(score, group["quantiles"]),
        system_type=system_type if system_ok else None,
        system_count=int(system.get("count", 0)) if system_ok else None,
        system_percentile=(
            percentile_from_quantiles(score, system["quantiles"]) if system_ok else None
        ),
    )


@dataclass(frozen=True)
class Comparable:
    """What `compare` needs from a result file or a submission document."""

    kind: str
    suite_version: int
    backend: str
    score: float
    system_type: str | None

    @property
    def group(self) -> str:
        return group_key(self.kind, self.suite_version, self.backend)


def comparable(data: dict, source: str = "result") -> Comparable:
    """Kind, suite, backend, score and system type of a submission document or result file.

    A submission keeps them under "benchmark"; a result file (.tito/benchmarks/) at the
    top level. DataFileError when something needed is missing.
    """
    block = data.get("benchmark") if isinstance(data.get("benchmark"), dict) else data
    system = data.get("system") if isinstance(data.get("system"), dict) else {}
    kind, suite, backend = block.get("kind"), block.get("suite_version"), block.get("backend")
    score = block.get("score")
    if not (isinstance(kind, str) and isinstance(backend, str)):
        raise DataFileError(source, "has no benchmark kind or backend")
    if isinstance(suite, bool) or not isinstance(suite, int):
        raise DataFileError(source, "has no suite_version")
    if isinstance(score, bool) or not isinstance(score, (int, float)):
        raise DataFileError(
            source, "has no score (a metric failed or was skipped); run the benchmark again"
        )
    system_type = system.get("system_type")
    return Comparable(
        kind, suite, backend, float(score), system_type if isinstance(system_type, str) else None
    )


def place_comparable(doc: dict, item: Comparable) -> Placement | None:
    """place() for a Comparable; doc must have passed check_distribution."""
    return place(doc, item.kind, item.suite_version, item.backend, item.score, item.system_type)


def landing_line(document: dict, distribution: dict) -> str | None:
    """The "where you would land" sentence for a submission (or result), else None.

    None when the distribution is malformed or has no results in the document's
    comparable group yet. Computed here, on this machine: nothing is uploaded.
    For `submit` to print before asking for confirmation.
    """
    try:
        checked = check_distribution(distribution, "distribution")
        placement = place_comparable(checked, comparable(document))
    except DataFileError:
        return None
    return placement.sentence() if placement else None
