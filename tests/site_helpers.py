"""Hand-built BoardStats for site tests: the renderer's input without the board engine.

`make_entry(**changes)` gives one valid Entry; `stats_for(entries)` wraps entries in a
BoardStats with plain, obviously-correct ranks, histories and community figures, so
site tests do not depend on how the engine computes them.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import replace

from tinytorch_board.board.model import (
    BoardStats,
    CommunityFigures,
    Entry,
    GroupSummary,
    ParticipantHistory,
)
from tinytorch_board.submission.badges import BadgeDef

BADGES = [
    BadgeDef("first-steps", "First Steps", "Shared a baseline result.", "👣"),
    BadgeDef("milestone-master", "Milestone Master", "Reached all 6 milestones.", "🏆"),
    BadgeDef("community-member", "Community Member", "Shared a result.", "🤝"),
]

_counter = iter(range(1, 10**9))


def make_entry(**changes) -> Entry:
    n = next(_counter)
    base = Entry(
        submission_id=f"{n:032x}",
        participant_id=f"00000000-0000-4000-8000-{n:012x}",
        created_at=f"2026-10-{(n % 28) + 1:02d}T12:00:00Z",
        kind="baseline",
        suite_version=1,
        backend="numpy",
        score=50.0 + (n % 40),
        metrics={"matmul": {"median_ms": 2.0, "iqr_ms": 0.1, "runs": 40}},
        tracks=None,
        system_type="Linux x86",
        cpu_cores=8,
        memory_gb=16,
        modules_completed=7,
        milestones_completed=("01", "02", "03"),
        days_since_join=3,
        cohort="Fall 2026",
        course_type="university",
        experience_level="beginner",
        visibility="anonymous",
        display_name=None,
        github=None,
        country=None,
        institution=None,
        group="baseline/1/numpy",
        outlier=False,
        rank=None,
        group_size=0,
        top_percent=None,
        percentile=None,
        similar_rank=None,
        similar_size=0,
        similar_top_percent=None,
        badges=("first-steps", "community-member"),
    )
    return replace(base, **changes)


def _ranked(entries: list[Entry]) -> list[Entry]:
    """Competition ranks within group and within group + system type."""
    out = []
    by_group = defaultdict(list)
    for e in entries:
        if not e.outlier:
            by_group[e.group].append(e)
    for e in entries:
        if e.outlier:
            out.append(replace(e, rank=None, top_percent=None, percentile=None))
            continue
        peers = by_group[e.group]
        similar = [p for p in peers if p.system_type == e.system_type]
        rank = 1 + sum(p.score > e.score for p in peers)
        srank = 1 + sum(p.score > e.score for p in similar)
        out.append(
            replace(
                e,
                rank=rank,
                group_size=len(peers),
                top_percent=max(1, math.ceil(100 * rank / len(peers))),
                percentile=100 * sum(p.score < e.score for p in peers) / len(peers),
                similar_rank=srank,
                similar_size=len(similar),
                similar_top_percent=max(1, math.ceil(100 * srank / len(similar))),
            )
        )
    return out


def stats_for(entries: list[Entry], k: int = 5) -> BoardStats:
    entries = sorted(_ranked(list(entries)), key=lambda e: e.created_at, reverse=True)
    groups = {}
    for key in sorted({e.group for e in entries}):
        members = [e for e in entries if e.group == key]
        ranked = sorted(e.score for e in members if not e.outlier)
        kind, suite, backend = key.split("/")
        groups[key] = GroupSummary(
            key,
            kind,
            int(suite),
            backend,
            len(ranked),
            len(members) - len(ranked),
            ranked[len(ranked) // 2] if ranked else None,
        )
    histories = {}
    by_participant = defaultdict(list)
    for e in sorted(entries, key=lambda e: e.created_at):
        by_participant[e.participant_id].append(e)
    for pid, subs in by_participant.items():
        scores = [s.score for s in subs]
        histories[pid] = ParticipantHistory(
            pid,
            tuple(s.submission_id for s in subs),
            scores[0],
            max(scores),
            scores[-1],
            max(scores) - scores[0],
        )
    modules = [0] * 21
    for e in entries:
        modules[e.modules_completed] += 1
    reached = Counter()
    for e in entries:
        for m in e.milestones_completed:
            reached[m] += 1
    histogram = defaultdict(lambda: [0] * 20)
    for e in entries:
        histogram[e.group][min(19, int(e.score // 5))] += 1
    community = CommunityFigures(
        submissions=len(entries),
        participants=len(histories),
        public_entries=sum(e.visibility == "public" for e in entries),
        systems=dict(Counter(e.system_type for e in entries)),
        milestone_reached=dict(reached),
        modules_histogram=modules,
        cohorts=dict(Counter(e.cohort for e in entries if e.cohort)),
        course_types=dict(Counter(e.course_type for e in entries if e.course_type)),
        countries=dict(Counter(e.country for e in entries if e.country)),
        submissions_per_month=dict(Counter(e.created_at[:7] for e in entries)),
        score_histogram=dict(histogram),
    )
    distribution = {
        "distribution_version": 1,
        "generated_at": "2026-11-22T10:00:00Z",
        "k": k,
        "totals": {"submissions": len(entries)},
        "groups": {},
    }
    return BoardStats(
        entries=entries,
        groups=groups,
        histories=histories,
        community=community,
        badges=list(BADGES),
        distribution=distribution,
        generated_at="2026-11-22T10:00:00Z",
        k=k,
    )


def entries_from_documents(documents: list[dict]) -> list[Entry]:
    """Demo-data documents as Entries (no k-anonymity: demo data has big groups)."""
    out = []
    for doc in documents:
        bench, progress = doc["benchmark"], doc["progress"]
        community = doc.get("community") or {}
        public = doc.get("public") or {}
        milestones = tuple(progress["milestones_completed"])
        badges = ["first-steps", "community-member"]
        if len(milestones) == 6:
            badges.append("milestone-master")
        out.append(
            make_entry(
                submission_id=doc["submission_id"],
                participant_id=doc["participant_id"],
                created_at=doc["created_at"],
                kind=bench["kind"],
                suite_version=bench["suite_version"],
                backend=bench["backend"],
                score=bench["score"],
                metrics=bench["metrics"],
                system_type=doc["system"]["system_type"],
                cpu_cores=doc["system"]["cpu_cores"],
                memory_gb=doc["system"]["memory_gb"],
                modules_completed=progress["modules_completed"],
                milestones_completed=milestones,
                days_since_join=progress["days_since_join"],
                cohort=community.get("cohort"),
                course_type=community.get("course_type"),
                experience_level=community.get("experience_level"),
                visibility=doc["visibility"],
                display_name=public.get("display_name"),
                github=public.get("github"),
                country=public.get("country"),
                institution=public.get("institution"),
                group=f"{bench['kind']}/{bench['suite_version']}/{bench['backend']}",
                badges=tuple(badges),
            )
        )
    return out


def demo_stats(count: int, seed: int = 0) -> BoardStats:
    from tinytorch_board.board.demo_data import generate

    return stats_for(entries_from_documents(generate(count, seed)))
