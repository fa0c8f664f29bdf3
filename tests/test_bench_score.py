"""Score formulas: properties of the baseline score and the capstone track scores."""

from __future__ import annotations

import math

import pytest

from tinytorch_board.submission.score import (
    ACCURACY_DROP_ALLOWED_PCT,
    CAPSTONE_REFERENCE,
    REFERENCE_MS,
    baseline_score,
    capstone_overall,
    capstone_track_score,
    speedup_score,
)

REF = REFERENCE_MS[1]
SPEED_REF = CAPSTONE_REFERENCE[1]


def scaled(factor: float) -> dict:
    return {name: ms * factor for name, ms in REF.items()}


def test_the_reference_machine_scores_50():
    assert baseline_score(REF) == 50.0


@pytest.mark.parametrize("doublings", [-3, -1, 1, 2, 4])
def test_every_doubling_of_speed_is_ten_points(doublings):
    assert baseline_score(scaled(2.0**-doublings)) == pytest.approx(50 + 10 * doublings)


@pytest.mark.parametrize("factor, expected", [(1e-9, 100.0), (1e9, 0.0)])
def test_scores_are_clamped(factor, expected):
    assert baseline_score(scaled(factor)) == expected


def test_geometric_mean_balances_faster_and_slower_metrics():
    medians = dict(REF)
    medians["tensor_ops"] *= 2
    medians["matmul"] /= 2
    assert baseline_score(medians) == 50.0


def test_faster_is_never_worse():
    scores = [baseline_score(scaled(f)) for f in (4, 2, 1.5, 1, 0.7, 0.5, 0.25)]
    assert scores == sorted(scores)


@pytest.mark.parametrize(
    "medians, message",
    [
        ({"tensor_ops": 1.0, "matmul": 1.0}, "missing metrics: forward_pass"),
        ({**REF, "matmul": 0.0}, "positive finite"),
        ({**REF, "matmul": math.inf}, "positive finite"),
    ],
)
def test_baseline_score_refuses_bad_input(medians, message):
    with pytest.raises(ValueError, match=message):
        baseline_score(medians)


def test_unknown_suite_version():
    with pytest.raises(ValueError, match="unknown suite_version 99"):
        baseline_score(REF, 99)
    with pytest.raises(ValueError, match="unknown capstone suite_version 99"):
        capstone_track_score("accuracy", {"accuracy_pct": 50}, 99)


@pytest.mark.parametrize("speedup, expected", [(1.0, 50.0), (2.0, 60.0), (0.0, 0.0)])
def test_speedup_score(speedup, expected):
    assert speedup_score(speedup) == expected


@pytest.mark.parametrize(
    "accuracy, expected", [(10.0, 0.0), (55.0, 50.0), (100.0, 100.0), (5.0, 0.0)]
)
def test_accuracy_track_maps_chance_to_zero_and_perfect_to_100(accuracy, expected):
    assert capstone_track_score("accuracy", {"accuracy_pct": accuracy}, 1) == expected


@pytest.mark.parametrize("factor, expected", [(1.0, 50.0), (2.0, 60.0), (0.5, 40.0)])
def test_speed_track_reference_is_50_and_doubling_is_10(factor, expected):
    metrics = {
        "latency_p50_ms": SPEED_REF["latency_p50_ms"] / factor,
        "throughput_sps": SPEED_REF["throughput_sps"] * factor,
    }
    assert capstone_track_score("speed", metrics, 1) == pytest.approx(expected, abs=0.05)


@pytest.mark.parametrize(
    "ratio, drop, expected",
    [
        (4.0, 0.0, 50.0),
        (8.0, 0.0, 75.0),
        (8.0, ACCURACY_DROP_ALLOWED_PCT, 75.0),  # within the allowance: free
        (8.0, ACCURACY_DROP_ALLOWED_PCT + 1.5, 60.0),  # 10 points per point beyond it
        (1.0, 0.0, 0.0),
        (1e6, 0.0, 100.0),
    ],
)
def test_compression_track(ratio, drop, expected):
    metrics = {"size_ratio": ratio, "accuracy_drop_pct": drop}
    assert capstone_track_score("compression", metrics, 1) == pytest.approx(expected)


@pytest.mark.parametrize(
    "speedup, ratio, drop, expected",
    [(1.0, 4.0, 0.0, 30.0), (2.0, 8.0, 0.0, 60.0), (2.0, 8.0, ACCURACY_DROP_ALLOWED_PCT + 3, 30.0)],
)
def test_efficiency_track_is_speedup_times_compression_minus_lost_accuracy(
    speedup, ratio, drop, expected
):
    metrics = {"speedup": speedup, "size_ratio": ratio, "accuracy_drop_pct": drop}
    assert capstone_track_score("efficiency", metrics, 1) == pytest.approx(expected)


@pytest.mark.parametrize(
    "track, metrics, message",
    [
        ("accuracy", {}, "missing metric 'accuracy_pct'"),
        ("accuracy", {"accuracy_pct": 120.0}, "between 0 and 100"),
        ("accuracy", {"accuracy_pct": True}, "finite number"),
        ("speed", {"latency_p50_ms": 0.0, "throughput_sps": 1.0}, "positive"),
        ("compression", {"size_ratio": 2.0, "accuracy_drop_pct": math.nan}, "finite number"),
        ("juggling", {}, "unknown capstone track 'juggling'"),
    ],
)
def test_capstone_scores_refuse_metrics_that_do_not_allow_one(track, metrics, message):
    with pytest.raises(ValueError, match=message):
        capstone_track_score(track, metrics, 1)


def test_overall_is_the_mean_of_the_tracks_that_ran():
    assert capstone_overall({"speed": 50.0, "accuracy": 81.3}) == 65.7
    with pytest.raises(ValueError):
        capstone_overall({})
