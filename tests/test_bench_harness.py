"""The timing harness on synthetic timers: convergence, budgets, calibration, gc."""

from __future__ import annotations

import gc
import itertools
import os
import subprocess
import sys

import pytest

from tinytorch_board.bench.harness import (
    HarnessSettings,
    quartiles,
    round_sig,
    time_callable,
    time_interleaved,
)


class FakeTime:
    """A clock that only moves when the timed function 'runs' (costs in ms)."""

    def __init__(self, costs_ms):
        self.now_ns = 0
        self.costs = itertools.cycle(costs_ms)
        self.calls = 0

    def clock(self) -> int:
        return self.now_ns

    def func(self) -> None:
        self.calls += 1
        self.now_ns += int(next(self.costs) * 1e6)


def test_constant_cost_converges_at_min_runs_with_exact_median():
    fake = FakeTime([0.01])
    settings = HarnessSettings(min_runs=15, min_time_ms=0)
    timing = time_callable(fake.func, settings, clock=fake.clock)
    assert timing.converged
    assert timing.runs == 15
    assert timing.median_ms == pytest.approx(0.01)
    assert timing.iqr_ms == pytest.approx(0.0, abs=1e-12)


def test_sampling_lasts_at_least_min_time_even_when_converged():
    fake = FakeTime([0.01])  # 200 calls per 2 ms sample
    settings = HarnessSettings(min_runs=15, min_time_ms=200.0)
    timing = time_callable(fake.func, settings, clock=fake.clock)
    assert timing.converged
    assert timing.runs == 100  # 100 samples x 2 ms = the 200 ms minimum


def test_calibration_batches_fast_calls_into_samples_of_the_target_length():
    fake = FakeTime([0.001])
    timing = time_callable(fake.func, HarnessSettings(target_sample_ms=2.0), clock=fake.clock)
    assert timing.calls_per_run == 2000
    assert timing.median_ms == pytest.approx(0.001)


def test_noisy_operation_stops_at_the_budget_and_says_it_did_not_converge():
    # Per-call cost swings between 1 and 3 ms, so the IQR never gets tight.
    fake = FakeTime([1.0, 3.0, 1.0, 1.0, 3.0, 3.0, 1.0])
    settings = HarnessSettings(budget_ms=100.0, target_sample_ms=0.5, max_runs=500)
    timing = time_callable(fake.func, settings, clock=fake.clock)
    assert not timing.converged
    assert settings.min_runs <= timing.runs < 500
    assert timing.iqr_ms > 0


@pytest.mark.parametrize("cost_ms, expected_runs", [(200.0, 5), (1000.0, 5), (50.0, 10)])
def test_slow_operation_gets_floor_runs_then_stops_at_the_budget(cost_ms, expected_runs):
    fake = FakeTime([cost_ms, cost_ms * 1.5])  # noisy so it never converges early
    settings = HarnessSettings(budget_ms=600.0, floor_runs=5, min_runs=15)
    timing = time_callable(fake.func, settings, clock=fake.clock)
    assert timing.runs == expected_runs
    assert timing.calls_per_run == 1


def test_max_runs_caps_sampling():
    fake = FakeTime([3.0, 5.0])  # one call per sample, never converges
    settings = HarnessSettings(max_runs=20, budget_ms=1e9)
    assert time_callable(fake.func, settings, clock=fake.clock).runs == 20


@pytest.mark.parametrize("enabled_before", [True, False])
def test_gc_is_off_while_timing_and_restored_after(enabled_before):
    seen = []
    fake = FakeTime([0.05])

    def func():
        seen.append(gc.isenabled())
        fake.func()

    (gc.enable if enabled_before else gc.disable)()
    try:
        time_callable(func, HarnessSettings(), clock=fake.clock)
        assert gc.isenabled() is enabled_before
    finally:
        gc.enable()
    assert seen and not any(seen)


def test_gc_is_restored_when_the_function_raises():
    def boom():
        raise RuntimeError("student bug")

    gc.enable()
    with pytest.raises(RuntimeError):
        time_callable(boom)
    assert gc.isenabled()


def test_real_clock_measures_a_real_function():
    timing = time_callable(lambda: sum(range(200)), HarnessSettings(budget_ms=50, warmup_ms=5))
    assert timing.median_ms > 0
    assert timing.runs >= 5
    metric = timing.as_metric()
    assert set(metric) == {"median_ms", "iqr_ms", "runs", "converged"}


@pytest.mark.parametrize(
    "samples, expected",
    [([4.0], (4.0, 4.0, 4.0)), ([1.0, 2.0, 3.0, 4.0, 5.0], (2.0, 3.0, 4.0))],
)
def test_quartiles(samples, expected):
    assert quartiles(samples) == pytest.approx(expected)


@pytest.mark.parametrize(
    "value, expected", [(0.0, 0.0), (0.0123456, 0.01235), (123456.0, 123500.0)]
)
def test_round_sig(value, expected):
    assert round_sig(value) == expected


def test_blas_threads_pins_blas_even_when_numpy_is_not_loaded_yet():
    code = (
        "import sys; assert 'numpy' not in sys.modules\n"
        "from threadpoolctl import threadpool_info\n"
        "from tinytorch_board.bench.baseline import blas_threads\n"
        "with blas_threads(1):\n"
        "    blas = [p for p in threadpool_info() if p['user_api'] == 'blas']\n"
        "    assert blas and all(p['num_threads'] == 1 for p in blas), blas\n"
    )
    env = dict(os.environ, OPENBLAS_NUM_THREADS="2", OMP_NUM_THREADS="2")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_interleaved_timing_alternates_and_shares_one_budget():
    now = {"ns": 0}
    order = []

    def op(name, cost_ms):
        def run():
            order.append(name)
            now["ns"] += int(cost_ms * 1e6)

        return run

    slow, fast = op("slow", 10.0), op("fast", 0.02)
    settings = HarnessSettings(min_runs=5, min_time_ms=0, budget_ms=200, floor_runs=3)
    mine, numpy = time_interleaved([slow, fast], settings, clock=lambda: now["ns"])
    assert mine.median_ms == pytest.approx(10.0) and numpy.median_ms == pytest.approx(0.02)
    assert mine.runs == numpy.runs >= 3
    # After calibration, samples alternate: one batch of each per round.
    timed = order[order.index("slow", order.index("fast")) :]
    assert timed[0] == "slow" and "fast" in timed[1 : 1 + numpy.calls_per_run + 1]
    # A constant cost converges at min_runs; the shared budget is not doubled.
    assert mine.runs == 5


def test_interleaved_timing_stops_at_the_shared_budget():
    now = {"ns": 0}
    costs = itertools.cycle([10.0, 30.0])  # never converges

    def slow():
        now["ns"] += int(next(costs) * 1e6)

    def fast():
        now["ns"] += int(0.01 * 1e6)

    settings = HarnessSettings(min_runs=5, min_time_ms=0, budget_ms=300, floor_runs=3)
    mine, _ = time_interleaved([slow, fast], settings, clock=lambda: now["ns"])
    assert not mine.converged
    assert mine.runs * 20 <= 300 + 3 * 30  # about the budget, not twice it
