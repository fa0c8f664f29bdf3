"""Score formula properties and the timing harness on a synthetic clock."""

from __future__ import annotations

import itertools

import pytest

from tinytorch_board.bench.harness import HarnessSettings, quartiles, time_callable
from tinytorch_board.bench.sysinfo import normalize_arch, round_memory_gb, system_type
from tinytorch_board.submission.score import REFERENCE_MS, baseline_score

REF = REFERENCE_MS[1]


def scaled(factor: float) -> dict:
    return {name: ms * factor for name, ms in REF.items()}


def test_reference_machine_scores_50_and_each_doubling_adds_10():
    assert baseline_score(REF) == 50.0
    assert baseline_score(scaled(0.5)) == 60.0
    assert baseline_score(scaled(2.0)) == 40.0
    assert baseline_score(scaled(1 / 8)) == 80.0


def test_score_is_clamped():
    assert baseline_score(scaled(1e-9)) == 100.0
    assert baseline_score(scaled(1e9)) == 0.0


def test_score_uses_the_geometric_mean():
    mixed = dict(REF)
    mixed["matmul"] = REF["matmul"] / 8  # 8x faster on one of three metrics
    assert baseline_score(mixed) == 60.0


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_score_refuses_impossible_times(bad):
    times = dict(REF, matmul=bad)
    with pytest.raises(ValueError):
        baseline_score(times)


def test_unknown_suite_and_missing_metrics():
    with pytest.raises(ValueError, match="unknown suite_version 9"):
        baseline_score(REF, 9)
    with pytest.raises(ValueError, match="missing metrics: matmul"):
        baseline_score({k: v for k, v in REF.items() if k != "matmul"})


def fake_clock(step_ns: int):
    """A clock that advances step_ns on every reading."""
    counter = itertools.count(0, step_ns)
    return lambda: next(counter)


def test_harness_converges_on_a_steady_operation():
    timing = time_callable(
        lambda: None, HarnessSettings(warmup_ms=1, min_runs=5, min_time_ms=0), fake_clock(1000)
    )
    assert timing.converged
    assert timing.runs == 5
    assert timing.median_ms > 0 and timing.iqr_ms == 0


def test_harness_stops_at_the_budget_when_noisy():
    noise = itertools.cycle([1, 50, 3, 400, 7])
    state = {"t": 0}

    def clock():
        state["t"] += next(noise) * 1000
        return state["t"]

    settings = HarnessSettings(
        warmup_ms=0.5, min_runs=5, max_runs=40, budget_ms=5, rel_iqr_target=0.01
    )
    timing = time_callable(lambda: None, settings, clock)
    assert not timing.converged
    assert 5 <= timing.runs <= 40


def test_quartiles():
    assert quartiles([4.0]) == (4.0, 4.0, 4.0)
    assert quartiles([1.0, 2.0, 3.0, 4.0, 5.0]) == (2.0, 3.0, 4.0)


@pytest.mark.parametrize(
    ("os_label", "arch", "expected"),
    [
        ("Linux", "x86_64", "Linux x86"),
        ("Linux", "arm64", "Linux ARM"),
        ("macOS", "arm64", "macOS Apple Silicon"),
        ("macOS", "x86_64", "macOS Intel"),
        ("Windows", "x86_64", "Windows x86"),
        ("Other", "x86_64", "Other"),
        ("Linux", "riscv64", "Other"),
    ],
)
def test_system_type(os_label, arch, expected):
    assert system_type(os_label, arch) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("AMD64", "x86_64"), ("aarch64", "arm64"), ("", "unknown"), ("x86-64!", "x8664")],
)
def test_normalize_arch(raw, expected):
    assert normalize_arch(raw) == expected


@pytest.mark.parametrize(
    ("gib", "expected"), [(0.5, 1), (7.6, 8), (15.5, 16), (23.4, 32), (12, 16), (11, 8)]
)
def test_memory_rounds_to_a_power_of_two(gib, expected):
    assert round_memory_gb(int(gib * 2**30)) == expected
    assert round_memory_gb(None) is None
