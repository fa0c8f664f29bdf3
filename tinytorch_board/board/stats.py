"""Ranks and percentiles within comparable groups: pure functions of arrays, no I/O.

Comparable group = same kind, suite_version and backend. Rank 1 is the best score;
tied scores share the best rank among them ("competition" ranking). "Top N%" is
rank / group size, rounded up, so the single best of 40 is "Top 3%" and everyone in
a group of one is "Top 100%".
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass


def group_key(document: dict) -> tuple[str, int, str]:
    bench = document["benchmark"]
    return (bench["kind"], bench["suite_version"], bench["backend"])


def competition_ranks(scores: Sequence[float]) -> list[int]:
    """1 + the number of strictly better scores, for each score."""
    ordered = sorted(scores, reverse=True)
    first_position: dict[float, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return [first_position[value] for value in scores]


def top_percent(rank: int, size: int) -> int:
    """The "Top N%" a student reads: ceil(100 * rank / size), at least 1."""
    return max(1, math.ceil(100 * rank / size))


@dataclass(frozen=True)
class Standing:
    rank: int
    group_size: int

    @property
    def top_percent(self) -> int:
        return top_percent(self.rank, self.group_size)


def standings(documents: Sequence[dict]) -> list[Standing]:
    """Each document's standing within its comparable group, in input order."""
    by_group: dict[tuple, list[int]] = defaultdict(list)
    for index, doc in enumerate(documents):
        by_group[group_key(doc)].append(index)
    result: list[Standing | None] = [None] * len(documents)
    for indices in by_group.values():
        ranks = competition_ranks([documents[i]["benchmark"]["score"] for i in indices])
        for i, rank in zip(indices, ranks, strict=True):
            result[i] = Standing(rank, len(indices))
    return result  # type: ignore[return-value]
