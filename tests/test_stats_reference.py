"""compute_stats against a slow, obvious re-implementation on random data with ties."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import fields
from datetime import datetime, timezone

import pytest
from board_helpers import config, loaded, make_doc

from tinytorch_board.board.model import OTHER, Entry, ParticipantHistory
from tinytorch_board.board.stats import compute_stats, fast_constructor

NOW = datetime(2026, 11, 22, tzinfo=timezone.utc)
SYSTEMS = ("Linux x86", "macOS Apple Silicon", "Windows x86", "Linux ARM")


def random_docs(seed: int, count: int) -> list[dict]:
    rng = random.Random(seed)
    people = [f"person-{i}" for i in range(count // 3)]
    docs = []
    for _ in range(count):
        docs.append(
            make_doc(
                float(rng.choice(range(30, 60, 3))),  # few distinct values: many ties
                participant=rng.choice(people),
                created_at=f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}T"
                f"{rng.randint(0, 23):02d}:00:00Z",
                backend=rng.choice(("numpy", "numpy", "tinytorch")),
                system_type=rng.choice(SYSTEMS[: rng.choice((1, 4))]),
                modules=rng.randint(0, 20),
                milestones=tuple(f"{m:02d}" for m in range(1, rng.randint(1, 7))),
                days_since_join=rng.choice((None, 0, 1, 2, 30)),
                cohort=rng.choice(("Fall 2026", "Spring 2026", "Summer 2024")),
            )
        )
    return docs


def reference_standings(entries: list[Entry]) -> dict[str, tuple]:
    """submission_id -> (rank, size, top, percentile, similar_rank, similar_size)."""
    groups = defaultdict(list)
    for e in entries:
        groups[e.group].append(e)
    out = {}
    for members in groups.values():
        ranked = [e for e in members if not e.outlier]
        for e in members:
            similar = [o for o in ranked if o.system_type == e.system_type]
            if e.outlier:
                out[e.submission_id] = (None, len(ranked), None, None, None, len(similar))
                continue
            rank = 1 + sum(o.score > e.score for o in ranked)
            lower = sum(o.score < e.score for o in ranked)
            s_rank = 1 + sum(o.score > e.score for o in similar)
            out[e.submission_id] = (
                rank,
                len(ranked),
                max(1, math.ceil(100 * rank / len(ranked))),
                round(100 * lower / len(ranked), 1),
                s_rank,
                len(similar),
            )
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_standings_match_the_obvious_definition(seed):
    docs = random_docs(seed, 240)
    stats = compute_stats(loaded(docs), config(k_anonymity=3), NOW)
    expected = reference_standings(stats.entries)
    for e in stats.entries:
        got = (e.rank, e.group_size, e.top_percent, e.percentile, e.similar_rank, e.similar_size)
        assert got == expected[e.submission_id]
    times = [(e.created_at, e.submission_id) for e in stats.entries]
    assert times == sorted(times, reverse=True)


@pytest.mark.parametrize("seed", [4, 5])
def test_badges_and_histories_match_the_obvious_definition(seed):
    docs = random_docs(seed, 200)
    stats = compute_stats(loaded(docs), config(k_anonymity=1), NOW)
    by_person = defaultdict(list)
    for e in sorted(stats.entries, key=lambda e: (e.created_at, e.submission_id)):
        by_person[e.participant_id].append(e)
    for pid, own in by_person.items():
        history = stats.histories[pid]
        assert history.submission_ids == tuple(e.submission_id for e in own)
        assert history.best_score == max(e.score for e in own)
        held: set[str] = set()
        first_baseline_seen = False
        previous_in_group: dict[str, float] = {}
        for e in own:
            held.add("community-member")
            if e.kind == "baseline":
                held.add("first-steps")
                if not first_baseline_seen:
                    first_baseline_seen = True
                    if e.days_since_join is not None and e.days_since_join <= 1:
                        held.add("fast-setup")
            if len(e.milestones_completed) >= 6:
                held.add("milestone-master")
            if e.modules_completed >= 20:
                held.add("module-master")
            if not e.outlier:
                before = previous_in_group.get(e.group)
                if before is not None and e.score > before:
                    held.add("progress-maker")
                previous_in_group[e.group] = e.score
            order = [b.id for b in stats.badges]
            assert e.badges == tuple(b for b in order if b in held), (pid, e.submission_id)


def test_k_anonymity_counts_people_not_submissions():
    docs = random_docs(6, 150)
    stats = compute_stats(loaded(docs), config(k_anonymity=8), NOW)
    people = defaultdict(set)
    for d in docs:
        people[d["system"]["system_type"]].add(d["participant_id"])
    for e, d in zip(
        sorted(stats.entries, key=lambda e: e.submission_id),
        sorted(docs, key=lambda d: d["submission_id"]),
        strict=True,
    ):
        raw = d["system"]["system_type"]
        assert e.system_type == (raw if len(people[raw]) >= 8 else OTHER)


@pytest.mark.parametrize("cls", [Entry, ParticipantHistory])
def test_fast_constructor_builds_the_same_object(cls):
    values = {f.name: (i if f.name != "badges" else ("x",)) for i, f in enumerate(fields(cls))}
    fast = fast_constructor(cls)(**values)
    assert fast == cls(**values) and hash(fast) == hash(cls(**values))
    with pytest.raises(AttributeError):
        fast.participant_id = "changed"
