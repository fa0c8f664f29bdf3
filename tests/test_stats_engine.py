"""compute_stats and its pieces on hand-built data: ties, groups of one, k, outliers."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest
from board_helpers import config, loaded, make_doc

from tinytorch_board.board.demo_data import generate
from tinytorch_board.board.model import OTHER
from tinytorch_board.board.stats import compute_stats, outlier_mask, ranks_and_percentiles
from tinytorch_board.curriculum import MODULE_COUNT
from tinytorch_board.submission.distribution import check_distribution, place

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("scores", "ranks", "tops", "percentiles"),
    [
        ([90, 80, 80, 70], [1, 2, 2, 4], [25, 50, 50, 100], [75.0, 25.0, 25.0, 0.0]),
        ([42.0], [1], [100], [0.0]),
        ([5, 5, 5], [1, 1, 1], [34, 34, 34], [0.0, 0.0, 0.0]),
        ([10, 20, 30], [3, 2, 1], [100, 67, 34], [0.0, 33.3, 66.7]),
    ],
)
def test_ranks_ties_and_groups_of_one(scores, ranks, tops, percentiles):
    rank, top, pct = ranks_and_percentiles(np.array(scores, float))
    assert rank.tolist() == ranks
    assert top.tolist() == tops
    assert pct.tolist() == percentiles


def test_best_of_forty_reads_top_three_percent():
    rank, top, _ = ranks_and_percentiles(np.arange(40, dtype=float))
    assert rank[-1] == 1 and top[-1] == 3
    assert top[0] == 100


def test_outlier_mask_flags_far_scores_only_in_large_enough_sets():
    scores = np.array([50, 51, 49, 50, 52, 48, 50, 51, 49, 50, 99, 10, 99], float)
    sets = np.array([0] * 12 + [1])
    flagged = outlier_mask(scores, sets, mads=5, min_group=10)
    assert flagged.tolist() == [False] * 10 + [True, True, False]
    # same data, threshold 100 MADs: nothing flagged
    assert not outlier_mask(scores, sets, mads=100, min_group=10).any()
    # identical scores: the MAD floor keeps a 0.1 difference from being an outlier
    same = np.array([50.0] * 11 + [50.1])
    assert not outlier_mask(same, np.zeros(12, int), mads=5, min_group=10).any()


def test_empty_board():
    stats = compute_stats(loaded([]), config(), NOW)
    assert stats.entries == [] and stats.groups == {} and stats.histories == {}
    assert stats.community.submissions == 0 and stats.community.participants == 0
    assert stats.community.modules_histogram == [0] * (MODULE_COUNT + 1)
    assert set(stats.community.milestone_reached.values()) == {0}
    assert stats.distribution["groups"] == {}
    assert stats.generated_at == "2026-11-22T12:00:00Z"
    check_distribution(stats.distribution, "test")


def test_groups_ranks_similar_systems_and_newest_first():
    docs = [
        make_doc(70, created_at="2026-03-01T00:00:00Z", system_type="Linux x86"),
        make_doc(60, created_at="2026-03-02T00:00:00Z", system_type="Linux x86"),
        make_doc(80, created_at="2026-03-03T00:00:00Z", system_type="macOS Apple Silicon"),
        make_doc(60, created_at="2026-03-04T00:00:00Z", system_type="macOS Apple Silicon"),
        make_doc(20, created_at="2026-03-05T00:00:00Z", backend="tinytorch"),
    ]
    stats = compute_stats(loaded(docs), config(k_anonymity=1), NOW)
    by_id = {e.submission_id: e for e in stats.entries}
    assert [e.created_at[:10] for e in stats.entries] == [
        "2026-03-05",
        "2026-03-04",
        "2026-03-03",
        "2026-03-02",
        "2026-03-01",
    ]
    e70, e60, e80, e60m, e20 = (by_id[d["submission_id"]] for d in docs)
    assert (e80.rank, e70.rank, e60.rank, e60m.rank) == (1, 2, 3, 3)
    assert e60.group_size == 4 and e60.top_percent == 75 and e60.percentile == 0.0
    assert e70.percentile == 50.0
    assert (e70.similar_rank, e60.similar_rank, e70.similar_size) == (1, 2, 2)
    assert (e80.similar_rank, e60m.similar_rank) == (1, 2)
    assert e20.group == "baseline/1/tinytorch"
    assert (e20.rank, e20.group_size, e20.top_percent) == (1, 1, 100)
    assert stats.groups["baseline/1/numpy"].count == 4
    assert stats.groups["baseline/1/numpy"].median_score == 65.0


def test_k_anonymity_merges_small_groups_everywhere():
    docs = [make_doc(50, system_type="Linux x86", cohort="Fall 2026") for _ in range(5)]
    docs += [make_doc(50, system_type="macOS Intel", cohort="Spring 2026") for _ in range(2)]
    # one person, six submissions: still one member
    docs += [
        make_doc(50, participant="solo", system_type="Windows ARM", cohort="Summer 2025")
        for _ in range(6)
    ]
    docs += [
        make_doc(50, public={"display_name": "A", "country": "FR", "institution": "Uni"})
        for _ in range(2)
    ]
    stats = compute_stats(loaded(docs), config(k_anonymity=5), NOW)
    systems = {e.system_type for e in stats.entries}
    assert systems == {"Linux x86", OTHER}
    assert stats.community.systems == {"Linux x86": 7, OTHER: 8}
    assert stats.community.cohorts == {"Fall 2026": 7, OTHER: 3}
    assert {e.country for e in stats.entries if e.visibility == "public"} == {OTHER}
    assert {e.institution for e in stats.entries if e.visibility == "public"} == {OTHER}
    assert stats.community.countries == {OTHER: 2}
    assert {e.cohort for e in stats.entries} == {"Fall 2026", OTHER}
    assert {e.display_name for e in stats.entries} == {None, "A"}  # names are not groups
    published = stats.distribution
    assert published["cohorts"] == {"Fall 2026": 7, OTHER: 3}
    assert set(published["groups"]["baseline/1/numpy"]["systems"]) == {"Linux x86", OTHER}
    text = repr(stats)
    for secret in ("macOS Intel", "Windows ARM", "Spring 2026", "Summer 2025", "'FR'", "Uni'"):
        assert secret not in text
    # with k = 1 every value is shown by name
    open_stats = compute_stats(loaded(docs), config(k_anonymity=1), NOW)
    assert "macOS Intel" in open_stats.community.systems


def test_outliers_are_listed_not_ranked():
    docs = [make_doc(50 + (i % 5) - 2) for i in range(12)] + [make_doc(99.0)]
    stats = compute_stats(loaded(docs), config(k_anonymity=1), NOW)
    flagged = [e for e in stats.entries if e.outlier]
    assert [e.score for e in flagged] == [99.0]
    odd = flagged[0]
    assert odd.rank is None and odd.top_percent is None and odd.percentile is None
    assert odd.similar_rank is None
    assert len(stats.entries) == 13
    assert {e.group_size for e in stats.entries} == {12}
    assert min(e.rank for e in stats.entries if not e.outlier) == 1
    group = stats.groups["baseline/1/numpy"]
    assert (group.count, group.outliers) == (12, 1)
    assert stats.distribution["groups"]["baseline/1/numpy"]["count"] == 12
    assert max(stats.distribution["groups"]["baseline/1/numpy"]["quantiles"]) == 52.0
    # a looser threshold ranks it
    loose = compute_stats(loaded(docs), config(k_anonymity=1, outlier_mads=100.0), NOW)
    assert not any(e.outlier for e in loose.entries)


def test_histories_and_community_figures():
    docs = [
        make_doc(
            40, participant="a", created_at="2026-01-05T00:00:00Z", modules=3, milestones=("01",)
        ),
        make_doc(
            55,
            participant="a",
            created_at="2026-04-05T00:00:00Z",
            modules=9,
            milestones=("01", "02", "03", "04"),
        ),
        make_doc(
            45,
            participant="a",
            created_at="2026-03-05T00:00:00Z",
            modules=7,
            milestones=("01", "02", "03"),
        ),
        make_doc(
            30,
            participant="b",
            created_at="2026-01-20T00:00:00Z",
            modules=20,
            milestones=("01", "02", "03", "04", "05", "06"),
            public={"display_name": "B"},
        ),
    ]
    stats = compute_stats(loaded(docs), config(k_anonymity=1), NOW)
    a = stats.histories["a"]
    assert a.scores == (40, 45, 55)
    assert a.submission_ids == tuple(docs[i]["submission_id"] for i in (0, 2, 1))
    assert (a.first_score, a.best_score, a.latest_score, a.improvement) == (40, 55, 55, 15)
    assert stats.histories["b"].improvement == 0
    community = stats.community
    assert (community.submissions, community.participants, community.public_entries) == (4, 2, 1)
    assert community.milestone_reached == {"01": 2, "02": 2, "03": 2, "04": 2, "05": 1, "06": 1}
    histogram = community.modules_histogram
    assert len(histogram) == MODULE_COUNT + 1 and histogram[9] == 1 and histogram[20] == 1
    assert sum(histogram) == 2
    assert community.submissions_per_month == {
        "2026-01": 2,
        "2026-02": 0,
        "2026-03": 1,
        "2026-04": 1,
    }
    assert community.course_types == {"university": 2}
    assert sum(community.score_histogram["baseline/1/numpy"]) == 4
    assert community.score_histogram["baseline/1/numpy"][8] == 1  # 40 -> bin 40..45


def test_distribution_document_places_a_score():
    docs = [make_doc(float(s), system_type="Linux x86") for s in range(30, 70)]
    stats = compute_stats(loaded(docs), config(k_anonymity=5), NOW)
    doc = check_distribution(stats.distribution, "test")
    assert doc["totals"] == {"submissions": 40, "participants": 40, "public_entries": 0}
    group = doc["groups"]["baseline/1/numpy"]
    assert group["count"] == 40 and group["systems"]["Linux x86"]["count"] == 40
    placement = place(doc, "baseline", 1, "numpy", 69.0, "Linux x86")
    assert placement.top_percent == 1 and placement.system_count == 40
    middle = place(doc, "baseline", 1, "numpy", 50.0, None)
    assert abs(middle.percentile - 51.3) <= 1.0  # 20 of 39 gaps below


def test_every_entry_carries_its_documents_fields():
    docs = generate(300, seed=8)
    stats = compute_stats(loaded(docs), config(k_anonymity=1), NOW)
    by_id = {d["submission_id"]: d for d in docs}
    assert len(stats.entries) == len(docs)
    for e in stats.entries:
        d = by_id[e.submission_id]
        bench, system, progress = d["benchmark"], d["system"], d["progress"]
        community, shown = d["community"] or {}, d["public"] or {}
        assert (e.participant_id, e.created_at) == (d["participant_id"], d["created_at"])
        assert (e.kind, e.suite_version, e.backend) == (
            bench["kind"],
            bench["suite_version"],
            bench["backend"],
        )
        assert e.group == f"{e.kind}/{e.suite_version}/{e.backend}"
        assert e.score == bench["score"] and e.metrics is bench["metrics"] and e.tracks is None
        assert (e.system_type, e.cpu_cores, e.memory_gb) == (
            system["system_type"],
            system["cpu_cores"],
            system["memory_gb"],
        )
        assert e.modules_completed == progress["modules_completed"]
        assert e.milestones_completed == tuple(progress["milestones_completed"])
        assert e.days_since_join == progress["days_since_join"]
        assert (e.cohort, e.course_type, e.experience_level) == (
            community.get("cohort"),
            community.get("course_type"),
            community.get("experience_level"),
        )
        assert e.visibility == d["visibility"]
        assert (e.display_name, e.github, e.country, e.institution) == (
            shown.get("display_name"),
            shown.get("github"),
            shown.get("country"),
            shown.get("institution"),
        )
        assert "community-member" in e.badges


def test_capstone_entries_form_their_own_group_and_keep_their_tracks():
    tracks = {
        "speed": {"metrics": {"tokens_per_s": 120.0}, "score": 60.0},
        "compression": None,
        "accuracy": {"metrics": {"top1": 0.91}, "score": 70.0},
        "efficiency": None,
    }
    capstone = make_doc(65.0, kind="capstone")
    capstone["benchmark"]["tracks"] = tracks
    capstone["benchmark"]["metrics"] = {}
    docs = [capstone, make_doc(50.0), make_doc(40.0)]
    stats = compute_stats(loaded(docs), config(k_anonymity=1), NOW)
    entry = next(e for e in stats.entries if e.kind == "capstone")
    assert entry.group == "capstone/1/numpy" and entry.tracks is tracks
    assert (entry.rank, entry.group_size, entry.top_percent) == (1, 1, 100)
    assert "first-steps" not in entry.badges  # First Steps is for a baseline
    assert set(stats.groups) == {"baseline/1/numpy", "capstone/1/numpy"}
    assert stats.distribution["groups"]["capstone/1/numpy"]["count"] == 1
