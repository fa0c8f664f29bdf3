"""Ranks, percentiles, outliers and the whole BoardStats: numpy arrays in, numbers out.

Comparable group = same kind, suite_version and backend. Rank 1 is the best score;
tied scores share the best rank among them ("competition" ranking: 1 + the number of
strictly higher scores). "Top N%" is ceil(100 * rank / group size), at least 1, so
the single best of 40 is "Top 3%", tied entries read the same figure, and everyone in
a group of one is "Top 100%". The percentile is the share of the group scoring
strictly lower. Outliers (see outlier_mask) are listed but never ranked.

`compute_stats(loaded, config, now)` is the engine the site, the API and the
published distribution use.
"""

from __future__ import annotations

from functools import lru_cache

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


def _own_improvements_kept(flagged, scores, groups, participants):
    """Unflag a result that improves on the same participant's earlier, unflagged result
    in its comparable group: a student's own progress is never an outlier. Rows are in
    time order (oldest first); only flagged rows are looked at."""
    import numpy as np

    rows = np.flatnonzero(flagged)
    if len(rows) == 0:
        return flagged
    wanted = set(participants[rows].tolist())
    earliest: dict[tuple[int, int], float] = {}  # (participant, group) -> lowest score so far
    kept = flagged.copy()
    flagged_at = set(rows.tolist())
    # one pass in time order over the rows of participants that have a flagged result
    candidates = np.flatnonzero(np.isin(participants, list(wanted)))
    for i in candidates.tolist():
        key = (int(participants[i]), int(groups[i]))
        if i in flagged_at:
            lowest = earliest.get(key)
            if lowest is not None and scores[i] > lowest:
                kept[i] = False
        else:
            lowest = earliest.get(key)
            if lowest is None or scores[i] < lowest:
                earliest[key] = float(scores[i])
    return kept


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


@lru_cache(maxsize=8)
def fast_constructor(cls):
    """A function building a frozen, slotted dataclass about twice as fast as cls(...).

    Same object, same fields, same positional order: it sets each slot through its
    descriptor instead of the frozen __setattr__ guard (no __post_init__ is involved).
    """
    from dataclasses import fields

    names = [f.name for f in fields(cls)]
    namespace = {"_new": object.__new__, "_cls": cls}
    lines = [f"def make({', '.join(names)}):", "    self = _new(_cls)"]
    for name in names:
        namespace[f"_set_{name}"] = getattr(cls, name).__set__
        lines.append(f"    _set_{name}(self, {name})")
    lines.append("    return self")
    exec("\n".join(lines), namespace)  # noqa: S102 - generated from field names only
    return namespace["make"]


def _standings(c, system_anon, system_labels, ranked, k):
    """Ranks within groups and within group x system type; group summaries; quantiles."""
    import numpy as np

    from tinytorch_board.board.model import GroupSummary
    from tinytorch_board.submission.distribution import quantiles

    n = c.n
    out = {
        name: np.zeros(n, dtype)
        for name, dtype in (
            ("rank", np.int64),
            ("top", np.int64),
            ("pct", np.float64),
            ("size", np.int64),
            ("s_rank", np.int64),
            ("s_top", np.int64),
            ("s_size", np.int64),
        )
    }
    groups, dist_groups, histogram = {}, {}, {}
    for g, key in sorted(enumerate(c.group_names), key=lambda item: item[1]):
        in_group = c.group_code == g
        rows = np.flatnonzero(in_group & ranked)
        kind, suite, backend = key.split("/")
        scores = c.score[rows]
        r, t, p = ranks_and_percentiles(scores)
        out["rank"][rows], out["top"][rows], out["pct"][rows] = r, t, p
        out["size"][in_group] = len(rows)
        groups[key] = GroupSummary(
            key=key,
            kind=kind,
            suite_version=int(suite),
            backend=backend,
            count=len(rows),
            outliers=int(np.count_nonzero(in_group & ~ranked)),
            median_score=round(float(np.median(scores)), 2) if len(rows) else None,
        )
        bins = np.minimum((scores // (100 / SCORE_BINS)).astype(np.int64), SCORE_BINS - 1)
        histogram[key] = np.bincount(bins, minlength=SCORE_BINS).tolist()
        systems = {}
        for s, label in enumerate(system_labels):
            srows = rows[system_anon[rows] == s]
            sr, st, _ = ranks_and_percentiles(c.score[srows])
            out["s_rank"][srows], out["s_top"][srows] = sr, st
            out["s_size"][in_group & (system_anon == s)] = len(srows)
            if len(srows) >= k:
                systems[label] = {
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
                "systems": systems,
            }
    return out, groups, dist_groups, histogram


def _label_list(labels: list[str], codes) -> list:
    """Per row: the label for each code, None for -1."""
    table = [*labels, None]  # index -1 -> None
    return [table[code] for code in codes.tolist()]


def compute_stats(loaded, config, now=None):
    """Everything the site, the API and `compare` publish, from a loaded board.

    loaded: board.load.LoadedBoard; config: board.config.BoardConfig. Pure: reads only
    the documents and their column arrays. See board.model for every definition.
    """
    from tinytorch_board.board.load import gc_paused

    with gc_paused():
        return _compute_stats(loaded, config, now)


def _compute_stats(loaded, config, now):
    from datetime import datetime, timezone

    import numpy as np

    from tinytorch_board.board.model import (
        BoardStats,
        CommunityFigures,
        Entry,
        ParticipantHistory,
    )
    from tinytorch_board.curriculum import MILESTONE_IDS, MODULE_COUNT
    from tinytorch_board.submission import badges as badge_rules
    from tinytorch_board.submission.distribution import DISTRIBUTION_VERSION

    now = now or datetime.now(timezone.utc)
    generated_at = now.astimezone(timezone.utc).strftime(TIME_FORMAT)
    k = config.k_anonymity
    c = loaded.columns
    n = c.n
    pc = c.participant_code

    # columns are in time order (oldest first): row number = time rank
    time_rank = np.arange(n, dtype=np.int64)

    # k-anonymized labels: fewer than k distinct participants -> OTHER
    system_labels, system_anon = _anonymize(c.system_code, c.system_names, pc, k)
    cohort_labels, cohort_anon = _anonymize(c.cohort_code, c.cohort_names, pc, k)
    course_labels, course_anon = _anonymize(c.course_code, c.course_names, pc, k)
    country_labels, country_anon = _anonymize(c.country_code, c.country_names, pc, k)
    inst_labels, inst_anon = _anonymize(c.institution_code, c.institution_names, pc, k)

    # outliers: judged within (comparable group, system type as submitted)
    outlier = outlier_mask(
        c.score,
        c.group_code.astype(np.int64) * max(1, len(c.system_names)) + c.system_code,
        config.outlier_mads,
        config.outlier_min_group,
    )
    outlier = _own_improvements_kept(outlier, c.score, c.group_code, pc)
    ranked = ~outlier
    standing, groups, dist_groups, score_histogram = _standings(
        c, system_anon, system_labels, ranked, k
    )

    earned = badge_rules.evaluate(config.badges, c, outlier, time_rank)
    held = badge_rules.badge_tuples(earned, [b.id for b in config.badges])
    group_l = _label_list(c.group_names, c.group_code)

    # entries, newest first: every field gathered in that order, then one C-level map
    def pick(seq) -> tuple:
        return tuple(seq)[::-1]

    def unranked_none(array) -> list:
        values = array.tolist()
        for i in outlier_rows:
            values[i] = None
        return pick(values)

    outlier_rows = np.flatnonzero(outlier).tolist()
    v = c.values
    milestones = pick(_label_list(c.milestone_sets, c.milestone_code))
    entries = list(
        map(
            fast_constructor(Entry),
            pick(c.submission_id),
            pick(c.participant_id),
            pick(c.created_at),
            pick(v["kind"]),
            pick(v["suite_version"]),
            pick(v["backend"]),
            pick(v["score"]),
            pick(v["metrics"]),
            pick(v["tracks"]),
            pick(_label_list(system_labels, system_anon)),
            pick(v["cpu_cores"]),
            pick(v["memory_gb"]),
            pick(v["modules_completed"]),
            milestones,
            pick(v["days_since_join"]),
            pick(_label_list(cohort_labels, cohort_anon)),
            pick(_label_list(course_labels, course_anon)),
            pick(v["experience_level"]),
            pick(v["visibility"]),
            pick(v["display_name"]),
            pick(v["github"]),
            pick(_label_list(country_labels, country_anon)),
            pick(_label_list(inst_labels, inst_anon)),
            pick(group_l),
            pick(outlier.tolist()),
            unranked_none(standing["rank"]),
            pick(standing["size"].tolist()),
            unranked_none(standing["top"]),
            unranked_none(standing["pct"]),
            unranked_none(standing["s_rank"]),
            pick(standing["s_size"].tolist()),
            unranked_none(standing["s_top"]),
            pick(held),
        )
    )

    histories = _histories(c, time_rank, group_l, fast_constructor(ParticipantHistory))

    # community figures (people = distinct participants)
    per_person_mask = np.zeros(c.participants, np.int64)
    per_person_modules = np.zeros(c.participants, np.int64)
    if n:
        np.bitwise_or.at(per_person_mask, pc, c.milestone_mask.astype(np.int64))
        np.maximum.at(per_person_modules, pc, c.modules.astype(np.int64))
    system_counts = np.bincount(system_anon[system_anon >= 0], minlength=len(system_labels))
    community = CommunityFigures(
        submissions=n,
        participants=c.participants,
        public_entries=int(np.count_nonzero(c.public)),
        systems={
            label: int(count)
            for label, count in zip(system_labels, system_counts.tolist(), strict=True)
            if count
        },
        milestone_reached={
            mid: int(np.count_nonzero(per_person_mask & (1 << j)))
            for j, mid in enumerate(MILESTONE_IDS)
        },
        all_milestones=int(np.count_nonzero(per_person_mask == (1 << len(MILESTONE_IDS)) - 1)),
        modules_histogram=np.bincount(per_person_modules, minlength=MODULE_COUNT + 1).tolist(),
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


def _histories(c, time_rank, group_l, make_history):
    """participant_id -> ParticipantHistory, submissions oldest first."""
    import numpy as np

    if c.n == 0:
        return {}
    order = np.lexsort((time_rank, c.participant_code))
    person = c.participant_code[order]
    cuts = [0, *(np.flatnonzero(person[1:] != person[:-1]) + 1).tolist(), c.n]
    order_l = order.tolist()
    sids = [c.submission_id[i] for i in order_l]
    created = [c.created_at[i] for i in order_l]
    scores = c.score[order].tolist()
    group_names = [group_l[i] for i in order_l]
    pids = c.participant_id
    out = {}
    for start, end in zip(cuts, cuts[1:]):  # noqa: B905 - cuts[1:] is one shorter
        own = scores[start:end]
        best = max(own)
        pid = pids[order_l[start]]
        if pid is None:  # an unlinked file (v1, or unsigned): no history
            continue
        out[pid] = make_history(
            pid,
            tuple(sids[start:end]),
            own[0],
            best,
            own[-1],
            round(best - own[0], 1),
            tuple(created[start:end]),
            tuple(own),
            tuple(group_names[start:end]),
        )
    return out
