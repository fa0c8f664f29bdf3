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


# --- the board engine: columns in, BoardStats out -------------------------------------

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
SCORE_BINS = 20
MAD_FLOOR = 0.5
"""Smallest MAD used (score points): scores have one decimal, so a set of identical
scores does not turn every slightly different one into an outlier."""


def ranks_and_percentiles(scores):
    """Competition ranks, "Top N%" and percentiles of one set of scores (numpy arrays).

    rank = 1 + number of strictly higher scores (ties share the best rank);
    top = ceil(100 * rank / n), at least 1; percentile = 100 * strictly lower / n.
    """
    import numpy as np

    scores = np.asarray(scores, dtype=np.float64)
    n = len(scores)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)
    ascending = np.sort(scores)
    lower = np.searchsorted(ascending, scores, side="left")
    higher = n - np.searchsorted(ascending, scores, side="right")
    rank = higher + 1
    top = np.maximum(1, (100 * rank + n - 1) // n)
    percentile = np.round(100.0 * lower / n, 1)
    return rank, top, percentile


def outlier_mask(scores, sets, mads: float, min_group: int):
    """True where a score is more than `mads` MADs from the median of its set.

    sets: an integer label per score (here: comparable group x system type). Sets with
    fewer than `min_group` members are not judged. The MAD is at least MAD_FLOOR.
    """
    import numpy as np

    scores = np.asarray(scores, dtype=np.float64)
    sets = np.asarray(sets)
    flagged = np.zeros(len(scores), np.bool_)
    if len(scores) == 0:
        return flagged
    order = np.argsort(sets, kind="stable")
    labels, starts, counts = np.unique(sets[order], return_index=True, return_counts=True)
    for start, count in zip(starts.tolist(), counts.tolist(), strict=True):
        if count < min_group:
            continue
        rows = order[start : start + count]
        values = scores[rows]
        median = np.median(values)
        mad = max(float(np.median(np.abs(values - median))), MAD_FLOOR)
        flagged[rows] = np.abs(values - median) > mads * mad
    return flagged


def _anonymize(codes, names: list[str], participant_code, k: int):
    """Names with fewer than k distinct participants become OTHER; returns (labels, per-row)."""
    import numpy as np

    from tinytorch_board.board.model import OTHER

    if not names:
        return [], np.full(len(codes), -1, np.int32)
    present = codes >= 0
    pairs = np.unique(participant_code[present].astype(np.int64) * len(names) + codes[present])
    members = np.bincount(pairs % len(names), minlength=len(names))
    shown = [name if members[i] >= k else OTHER for i, name in enumerate(names)]
    labels = sorted(set(shown))
    index = {label: j for j, label in enumerate(labels)}
    remap = np.array([index[s] for s in shown], np.int32)
    per_row = np.where(present, remap[np.maximum(codes, 0)], -1).astype(np.int32)
    return labels, per_row


def _count_people(codes, labels: list[str], participant_code) -> dict[str, int]:
    """Distinct participants per label (rows with code -1 are not counted)."""
    import numpy as np

    present = codes >= 0
    if not labels or not present.any():
        return {}
    pairs = np.unique(participant_code[present].astype(np.int64) * len(labels) + codes[present])
    counts = np.bincount(pairs % len(labels), minlength=len(labels))
    return {label: int(counts[j]) for j, label in enumerate(labels) if counts[j]}


def _months(created_at: list[str]) -> dict[str, int]:
    """Submissions per "YYYY-MM", every month from the first to the last (zeros included)."""
    from collections import Counter

    counts = Counter(text[:7] for text in created_at)
    if not counts:
        return {}
    first, last = min(counts), max(counts)
    year, month = int(first[:4]), int(first[5:7])
    out = {}
    while f"{year:04d}-{month:02d}" <= last:
        key = f"{year:04d}-{month:02d}"
        out[key] = counts.get(key, 0)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def compute_stats(loaded, config, now=None):
    """Everything the site, the API and `compare` publish, from a loaded board.

    loaded: board.load.LoadedBoard; config: board.config.BoardConfig. Pure: reads only
    the documents and their column arrays. See board.model for every definition.
    """
    from datetime import datetime, timezone

    import numpy as np

    from tinytorch_board.board import badges as badge_rules
    from tinytorch_board.board.distribution import (
        DISTRIBUTION_VERSION,
        quantiles,
    )
    from tinytorch_board.board.model import (
        BoardStats,
        CommunityFigures,
        Entry,
        GroupSummary,
        ParticipantHistory,
    )
    from tinytorch_board.curriculum import MILESTONE_IDS, MODULE_COUNT

    now = now or datetime.now(timezone.utc)
    generated_at = now.astimezone(timezone.utc).strftime(TIME_FORMAT)
    k = config.k_anonymity
    c = loaded.columns
    docs = loaded.documents
    n = c.n
    pc = c.participant_code

    # time order: created_at, then submission_id (fixed-width text sorts as time)
    chron = np.array(
        sorted(range(n), key=lambda i: (c.created_at[i], c.submission_id[i])), dtype=np.int64
    )
    time_rank = np.empty(n, np.int64)
    time_rank[chron] = np.arange(n)

    # k-anonymized labels
    system_labels, system_anon = _anonymize(c.system_code, c.system_names, pc, k)
    cohort_labels, cohort_anon = _anonymize(c.cohort_code, c.cohort_names, pc, k)
    course_labels, course_anon = _anonymize(c.course_code, c.course_names, pc, k)
    country_labels, country_anon = _anonymize(c.country_code, c.country_names, pc, k)
    inst_labels, inst_anon = _anonymize(c.institution_code, c.institution_names, pc, k)

    # outliers: judged within (comparable group, system type as submitted)
    n_systems = max(1, len(c.system_names))
    outlier = outlier_mask(
        c.score,
        c.group_code.astype(np.int64) * n_systems + c.system_code,
        config.outlier_mads,
        config.outlier_min_group,
    )
    ranked = ~outlier

    rank = np.zeros(n, np.int64)
    top = np.zeros(n, np.int64)
    pct = np.zeros(n, np.float64)
    group_size = np.zeros(n, np.int64)
    s_rank = np.zeros(n, np.int64)
    s_top = np.zeros(n, np.int64)
    s_size = np.zeros(n, np.int64)
    groups: dict[str, GroupSummary] = {}
    dist_groups: dict[str, dict] = {}
    score_histogram: dict[str, list[int]] = {}
    n_sys_labels = max(1, len(system_labels))
    for g, key in sorted(enumerate(c.group_names), key=lambda item: item[1]):
        in_group = c.group_code == g
        rows = np.flatnonzero(in_group & ranked)
        kind, suite, backend = key.split("/")
        scores = c.score[rows]
        r, t, p = ranks_and_percentiles(scores)
        rank[rows], top[rows], pct[rows] = r, t, p
        group_size[in_group] = len(rows)
        groups[key] = GroupSummary(
            key=key,
            kind=kind,
            suite_version=int(suite),
            backend=backend,
            count=len(rows),
            outliers=int(np.count_nonzero(in_group & outlier)),
            median_score=round(float(np.median(scores)), 2) if len(rows) else None,
        )
        bins = np.minimum((scores // (100 / SCORE_BINS)).astype(np.int64), SCORE_BINS - 1)
        score_histogram[key] = np.bincount(bins, minlength=SCORE_BINS).tolist()
        systems_doc = {}
        for s in range(n_sys_labels):
            if not system_labels:
                break
            srows = rows[system_anon[rows] == s]
            sr, st, _ = ranks_and_percentiles(c.score[srows])
            s_rank[srows], s_top[srows] = sr, st
            s_size[in_group & (system_anon == s)] = len(srows)
            if len(srows) >= k:
                systems_doc[system_labels[s]] = {
                    "count": len(srows),
                    "quantiles": quantiles(np.sort(c.score[srows]).tolist()),
                }
        if len(rows):
            dist_groups[key] = {
                "kind": kind,
                "suite_version": int(suite),
                "backend": backend,
                "count": len(rows),
                "quantiles": quantiles(np.sort(scores).tolist()),
                "systems": systems_doc,
            }

    # badges, held so far
    earned = badge_rules.evaluate(config.badges, c, outlier, time_rank)
    badge_ids = [b.id for b in config.badges]
    held = badge_rules.badge_tuples(earned, badge_ids)

    # entries, newest first
    milestone_tuples: dict[int, tuple[str, ...]] = {}
    entries = []
    outlier_list = outlier.tolist()
    rank_l, top_l, pct_l, size_l = rank.tolist(), top.tolist(), pct.tolist(), group_size.tolist()
    srank_l, stop_l, ssize_l = s_rank.tolist(), s_top.tolist(), s_size.tolist()
    sys_l, coh_l, course_l = system_anon.tolist(), cohort_anon.tolist(), course_anon.tolist()
    country_l, inst_l = country_anon.tolist(), inst_anon.tolist()
    group_names = c.group_names
    for i in chron[::-1].tolist():
        doc = docs[i]
        bench = doc["benchmark"]
        system = doc["system"]
        progress = doc["progress"]
        community = doc["community"] or {}
        shown = doc["public"] or {}
        done = progress["milestones_completed"]
        mkey = int(c.milestone_mask[i])
        milestones = milestone_tuples.get(mkey)
        if milestones is None:
            milestones = milestone_tuples[mkey] = tuple(done)
        is_out = outlier_list[i]
        entries.append(
            Entry(
                submission_id=c.submission_id[i],
                participant_id=c.participant_id[i],
                created_at=c.created_at[i],
                kind=bench["kind"],
                suite_version=bench["suite_version"],
                backend=bench["backend"],
                score=bench["score"],
                metrics=bench["metrics"],
                tracks=bench.get("tracks"),
                system_type=system_labels[sys_l[i]],
                cpu_cores=system["cpu_cores"],
                memory_gb=system["memory_gb"],
                modules_completed=progress["modules_completed"],
                milestones_completed=milestones,
                days_since_join=progress["days_since_join"],
                cohort=cohort_labels[coh_l[i]] if coh_l[i] >= 0 else None,
                course_type=course_labels[course_l[i]] if course_l[i] >= 0 else None,
                experience_level=community.get("experience_level"),
                visibility=doc["visibility"],
                display_name=shown.get("display_name"),
                github=shown.get("github"),
                country=country_labels[country_l[i]] if country_l[i] >= 0 else None,
                institution=inst_labels[inst_l[i]] if inst_l[i] >= 0 else None,
                group=group_names[c.group_code[i]],
                outlier=is_out,
                rank=None if is_out else rank_l[i],
                group_size=size_l[i],
                top_percent=None if is_out else top_l[i],
                percentile=None if is_out else pct_l[i],
                similar_rank=None if is_out else srank_l[i],
                similar_size=ssize_l[i],
                similar_top_percent=None if is_out else stop_l[i],
                badges=held[i],
            )
        )

    # per-participant histories (oldest first)
    histories: dict[str, ParticipantHistory] = {}
    by_person = np.lexsort((time_rank, pc))
    if n:
        person_sorted = pc[by_person]
        cuts = np.flatnonzero(person_sorted[1:] != person_sorted[:-1]) + 1
        score_l = c.score.tolist()
        for rows in np.split(by_person, cuts):
            rows_l = rows.tolist()
            scores_t = tuple(score_l[i] for i in rows_l)
            pid = c.participant_id[rows_l[0]]
            histories[pid] = ParticipantHistory(
                participant_id=pid,
                submission_ids=tuple(c.submission_id[i] for i in rows_l),
                first_score=scores_t[0],
                best_score=max(scores_t),
                latest_score=scores_t[-1],
                improvement=round(max(scores_t) - scores_t[0], 1),
                created_at=tuple(c.created_at[i] for i in rows_l),
                scores=scores_t,
                groups=tuple(group_names[c.group_code[i]] for i in rows_l),
            )

    # community figures (people = distinct participants)
    per_person_mask = np.zeros(c.participants, np.int64)
    per_person_modules = np.zeros(c.participants, np.int64)
    if n:
        np.bitwise_or.at(per_person_mask, pc, c.milestone_mask.astype(np.int64))
        np.maximum.at(per_person_modules, pc, c.modules.astype(np.int64))
    community = CommunityFigures(
        submissions=n,
        participants=c.participants,
        public_entries=int(np.count_nonzero(c.public)),
        systems={
            label: int(count)
            for label, count in zip(
                system_labels, np.bincount(system_anon, minlength=len(system_labels)), strict=True
            )
            if count
        }
        if n
        else {},
        milestone_reached={
            mid: int(np.count_nonzero(per_person_mask & (1 << j)))
            for j, mid in enumerate(MILESTONE_IDS)
        },
        modules_histogram=np.bincount(per_person_modules, minlength=MODULE_COUNT + 1).tolist()
        if c.participants
        else [0] * (MODULE_COUNT + 1),
        cohorts=_count_people(cohort_anon, cohort_labels, pc),
        course_types=_count_people(course_anon, course_labels, pc),
        countries=_count_people(country_anon, country_labels, pc),
        submissions_per_month=_months(c.created_at),
        score_histogram=score_histogram,
    )

    distribution = {
        "distribution_version": DISTRIBUTION_VERSION,
        "generated_at": generated_at,
        "k": k,
        "totals": {
            "submissions": n,
            "participants": c.participants,
            "public_entries": community.public_entries,
        },
        "cohorts": dict(community.cohorts),
        "groups": dist_groups,
    }
    return BoardStats(
        entries=entries,
        groups=groups,
        histories=histories,
        community=community,
        badges=badge_rules.badge_defs(config.badges),
        distribution=distribution,
        generated_at=generated_at,
        k=k,
    )
