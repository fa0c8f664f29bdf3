"""Time a callable: warm-up, calibrated batches, adaptive repeats, median and IQR.

Each sample times a batch of calls sized so one sample lasts about `target_sample_ms`,
which keeps timer resolution and loop overhead out of microsecond-scale operations.
Sampling stops when the IQR is a small fraction of the median (converged) or when the
time budget is spent. A slow operation (a student's pure-Python matmul, say) still gets
at least `floor_runs` samples, but no more than the budget allows beyond that, so a slow
backend makes the command slower, never endless. Garbage collection is off inside timed
regions.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Timing:
    """Per-call timing of one metric."""

    median_ms: float
    iqr_ms: float
    runs: int
    converged: bool
    calls_per_run: int

    def as_metric(self) -> dict:
        return {
            "median_ms": round_sig(self.median_ms),
            "iqr_ms": round_sig(self.iqr_ms),
            "runs": self.runs,
            "converged": self.converged,
        }

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class HarnessSettings:
    """How long and how often to sample one operation."""

    warmup_ms: float = 30.0  # run the operation this long before timing it
    target_sample_ms: float = 2.0  # each sample times a batch of calls lasting about this long
    min_runs: int = 15  # samples needed before convergence is judged
    # Sampling lasts at least this long, so one short burst of load from another
    # process cannot move the whole median (runs on a shared machine agree better).
    min_time_ms: float = 200.0
    floor_runs: int = 5  # samples always taken, even when the budget is spent
    max_runs: int = 200
    budget_ms: float = 600.0  # sampling time per operation (after warm-up)
    rel_iqr_target: float = 0.05  # converged when IQR / median is at most this


def round_sig(value: float, digits: int = 4) -> float:
    """Round to significant digits so result files stay readable and stable."""
    if value == 0:
        return 0.0
    return float(f"{value:.{digits}g}")


def quartiles(samples: list[float]) -> tuple[float, float, float]:
    """(q1, median, q3) with linear interpolation; needs at least one sample."""
    if len(samples) == 1:
        only = samples[0]
        return only, only, only
    q1, median, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    return q1, median, q3


def time_callable(
    func: Callable[[], object],
    settings: HarnessSettings | None = None,
    clock: Callable[[], int] = time.perf_counter_ns,
) -> Timing:
    """Measure func's per-call time in milliseconds."""
    settings = settings or HarnessSettings()
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        calls = _calibrate(func, settings, clock)
        samples: list[float] = []
        start = clock()
        converged = False
        while len(samples) < settings.max_runs:
            t0 = clock()
            for _ in range(calls):
                func()
            t1 = clock()
            samples.append((t1 - t0) / 1e6 / calls)
            long_enough = (clock() - start) / 1e6 >= settings.min_time_ms
            if len(samples) >= settings.min_runs and long_enough:
                q1, median, q3 = quartiles(samples)
                if median > 0 and (q3 - q1) / median <= settings.rel_iqr_target:
                    converged = True
                    break
            spent_ms = (clock() - start) / 1e6
            if spent_ms >= settings.budget_ms and len(samples) >= settings.floor_runs:
                break
    finally:
        if gc_was_enabled:
            gc.enable()
    q1, median, q3 = quartiles(samples)
    return Timing(median, q3 - q1, len(samples), converged, calls)


def time_interleaved(
    funcs: list[Callable[[], object]],
    settings: HarnessSettings | None = None,
    clock: Callable[[], int] = time.perf_counter_ns,
) -> list[Timing]:
    """Measure several callables in alternating rounds (one sample of each per round).

    Used for a ratio (the student's op against numpy's): both medians then come from
    the same stretch of time, so load from other processes falls on both sides alike
    instead of on whichever ran during the burst. Sampling stops when every IQR is
    within target, or when the shared budget (one op's, split among them) is spent; a
    slow op gets `floor_runs` samples at least.
    """
    settings = settings or HarnessSettings()
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        calls = [_calibrate(func, settings, clock) for func in funcs]
        samples: list[list[float]] = [[] for _ in funcs]
        converged = [False] * len(funcs)
        # Interleaving shares one op's time among the ops, it does not add to it: the
        # baseline's whole process must stay within a few seconds with three pairs.
        budget_ms = settings.budget_ms
        min_time_ms = settings.min_time_ms
        start = clock()
        while len(samples[0]) < settings.max_runs:
            for index, func in enumerate(funcs):
                n = calls[index]
                t0 = clock()
                for _ in range(n):
                    func()
                samples[index].append((clock() - t0) / 1e6 / n)
            spent_ms = (clock() - start) / 1e6
            if len(samples[0]) >= settings.min_runs and spent_ms >= min_time_ms:
                for index, taken in enumerate(samples):
                    q1, median, q3 = quartiles(taken)
                    converged[index] = median > 0 and (q3 - q1) / median <= settings.rel_iqr_target
                if all(converged):
                    break
            if spent_ms >= budget_ms and len(samples[0]) >= settings.floor_runs:
                break
    finally:
        if gc_was_enabled:
            gc.enable()
    timings = []
    for index, taken in enumerate(samples):
        q1, median, q3 = quartiles(taken)
        timings.append(Timing(median, q3 - q1, len(taken), converged[index], calls[index]))
    return timings


def _calibrate(func: Callable[[], object], settings: HarnessSettings, clock) -> int:
    """Warm up, then pick how many calls one sample needs to last target_sample_ms."""
    calls = 1
    warm_start = clock()
    per_call_ms = None
    while True:
        t0 = clock()
        for _ in range(calls):
            func()
        elapsed_ms = (clock() - t0) / 1e6
        per_call_ms = elapsed_ms / calls
        if (clock() - warm_start) / 1e6 >= settings.warmup_ms or calls >= 1 << 20:
            break
        calls = min(calls * 2, 1 << 20)
    if per_call_ms <= 0:
        return 1 << 10
    return max(1, min(1 << 20, round(settings.target_sample_ms / per_call_ms)))
