"""The scores: pure functions of a result's metrics and its suite version.

Two numbers, each honest about what it measures:

- *Your machine* (`machine_score`): numpy's times against the reference machine.
  Reference machine = 50 points; every doubling of speed (geometric mean over the
  metrics of reference_ms / measured_ms) adds 10; clamped to 0..100, one decimal.
- *Your TinyTorch* (`framework_score`, suite 2 on): the student's own ops against numpy
  timed in the same run on the same machine, so the hardware cancels out. 100 = as fast
  as numpy; every doubling slower (geometric mean of student_ms / numpy_ms) costs 10;
  clamped to 0..100. About 1000x slower than numpy (ten doublings) is 0.

A baseline file's `score` is its headline: the framework score for backend tinytorch,
the machine score for backend numpy. The validator recomputes both, so this module is
part of the public contract: changing a reference time or a constant means a new
suite_version.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

# Baseline suite 1 reference times (milliseconds per call, numpy backend), measured
# as the median of 10 runs of the numpy backend on the reference machine, idle: a shared
# 2-core x86_64 Linux VM (24 GiB), Python 3.11, numpy 2.4, OpenBLAS pinned to 1 thread.
# `python benchmarks/bench_baseline.py --reference` re-measures them.
_SUITE_1_REFERENCE = {
    "tensor_ops": 0.00592,
    "matmul": 0.0196,
    "forward_pass": 0.00929,
}
# Suite 2 times the same operations on the same inputs, so its machine score keeps
# suite 1's reference; what changed is the file (same-run numpy medians beside the
# student's) and the headline of a tinytorch result (the framework score).
REFERENCE_MS: dict[int, dict[str, float]] = {1: _SUITE_1_REFERENCE, 2: _SUITE_1_REFERENCE}
# Suites whose tinytorch results carry same-run numpy medians and a framework score.
FRAMEWORK_SUITES = frozenset({2})
CURRENT_BASELINE_SUITE = 2
# Sibling keys of a metric holding the same run's numpy figures (suite 2, tinytorch).
NUMPY_SIBLINGS = {"median_ms": "numpy_median_ms", "iqr_ms": "numpy_iqr_ms", "runs": "numpy_runs"}

BASELINE_METRICS: tuple[str, ...] = ("tensor_ops", "matmul", "forward_pass")
SCORE_TOLERANCE = 0.051  # scores are stored with one decimal
POINTS_PER_DOUBLING = 10.0
REFERENCE_POINTS = 50.0
FRAMEWORK_TOP_POINTS = 100.0  # as fast as numpy
FRAMEWORK_POINTS_PER_DOUBLING = 10.0  # lost per doubling slower than numpy


def clamp_score(value: float) -> float:
    return round(min(100.0, max(0.0, value)), 1)


def speedup_score(speedup: float) -> float:
    """Score for a geometric-mean speedup over the reference (1.0 -> 50)."""
    if not speedup > 0:
        return 0.0
    return clamp_score(REFERENCE_POINTS + POINTS_PER_DOUBLING * math.log2(speedup))


def baseline_score(medians_ms: Mapping[str, float], suite_version: int = 1) -> float:
    """Score for a baseline run from its per-metric medians (ms per call)."""
    reference = REFERENCE_MS.get(suite_version)
    if reference is None:
        raise ValueError(f"unknown suite_version {suite_version}")
    missing = [name for name in reference if name not in medians_ms]
    if missing:
        raise ValueError(f"missing metrics: {', '.join(missing)}")
    logs = []
    for name, ref_ms in reference.items():
        measured = medians_ms[name]
        if not (measured > 0 and math.isfinite(measured)):
            raise ValueError(f"metric {name} must be a positive finite time")
        logs.append(math.log2(ref_ms / measured))
    return clamp_score(REFERENCE_POINTS + POINTS_PER_DOUBLING * sum(logs) / len(logs))


def machine_score(numpy_medians_ms: Mapping[str, float], suite_version: int) -> float:
    """*Your machine*: numpy's medians against the reference machine (= 50)."""
    return baseline_score(numpy_medians_ms, suite_version)


def slowdowns(
    student_medians_ms: Mapping[str, float], numpy_medians_ms: Mapping[str, float]
) -> dict[str, float]:
    """Per metric, how many times slower the student's op was than numpy's (same run)."""
    out = {}
    for name in BASELINE_METRICS:
        if name not in student_medians_ms or name not in numpy_medians_ms:
            raise ValueError(f"missing metric: {name}")
        mine, ref = student_medians_ms[name], numpy_medians_ms[name]
        for value in (mine, ref):
            if not (value > 0 and math.isfinite(value)):
                raise ValueError(f"metric {name} must be a positive finite time")
        out[name] = mine / ref
    return out


def framework_score(
    student_medians_ms: Mapping[str, float], numpy_medians_ms: Mapping[str, float]
) -> float:
    """*Your TinyTorch*: 100 at numpy's speed, -10 per doubling slower (geometric mean)."""
    ratios = slowdowns(student_medians_ms, numpy_medians_ms)
    mean_log = sum(math.log2(r) for r in ratios.values()) / len(ratios)
    return clamp_score(FRAMEWORK_TOP_POINTS - FRAMEWORK_POINTS_PER_DOUBLING * mean_log)


def baseline_scores(bench: Mapping) -> tuple[float, float | None]:
    """(headline score, machine score or None) recomputed from a baseline block.

    Suite 1: the headline is the machine-style score of whatever ran, no machine score.
    Suites with a framework score: backend numpy -> both are the machine score; backend
    tinytorch -> the framework score and the machine score of the same run's numpy.
    Raises ValueError (or KeyError) when the block does not allow a score.
    """
    suite = bench["suite_version"]
    metrics = bench["metrics"]
    medians = {name: metrics[name]["median_ms"] for name in metrics}
    if suite not in FRAMEWORK_SUITES:
        return baseline_score(medians, suite), None
    if bench["backend"] == "numpy":
        machine = machine_score(medians, suite)
        return machine, machine
    numpy_medians = {name: metrics[name]["numpy_median_ms"] for name in metrics}
    return framework_score(medians, numpy_medians), machine_score(numpy_medians, suite)


# --- capstone ------------------------------------------------------------------------
#
# Capstone suite 1 (bench/capstone.py): a 64-256-256-10 ReLU MLP trained in numpy on a
# deterministic synthetic 10-class problem; inference through the student's tinytorch
# when it has the pieces. Each track's score is a pure function of its metrics, 0..100,
# one decimal; the overall score is the mean of the tracks that ran.
#
#   accuracy:    100 * (accuracy_pct - 10) / 90           (chance = 0, perfect = 100)
#   speed:       50 + 10 * mean(log2(ref_p50 / latency_p50_ms),
#                               log2(throughput_sps / ref_throughput))
#                (reference machine = 50, every 2x faster = +10, like the baseline)
#   compression: 25 * log2(size_ratio) - 10 * excess_drop  (int8 alone = 4x = 50)
#   efficiency:  15 * log2(speedup * size_ratio) - 10 * excess_drop
#   excess_drop = max(0, accuracy_drop_pct - ACCURACY_DROP_ALLOWED_PCT): every
#   percentage point of accuracy lost beyond the allowance costs 10 points.

CAPSTONE_SUITE_VERSION = 1
CAPSTONE_TRACKS: tuple[str, ...] = ("accuracy", "speed", "compression", "efficiency")
ACCURACY_DROP_ALLOWED_PCT = 2.0
ACCURACY_PENALTY_PER_PCT = 10.0

# Speed references for capstone suite 1, measured on the same reference machine as
# REFERENCE_MS with the numpy backend and BLAS pinned to 1 thread: the median of four
# batches of 9 speed-track runs (`python benchmarks/bench_capstone.py --reference`),
# taken while the machine was shared (load average about 3 on 2 cores).
# latency_p50_ms: single-sample latency p50; throughput_sps: batch-256 samples/s.
CAPSTONE_REFERENCE: dict[int, dict[str, float]] = {
    1: {"latency_p50_ms": 0.0191, "throughput_sps": 391300.0},
}

CAPSTONE_REQUIRED: dict[str, tuple[str, ...]] = {
    "accuracy": ("accuracy_pct",),
    "speed": ("latency_p50_ms", "throughput_sps"),
    "compression": ("size_ratio", "accuracy_drop_pct"),
    "efficiency": ("speedup", "size_ratio", "accuracy_drop_pct"),
}


def _metric(metrics: Mapping[str, float], name: str, positive: bool = False) -> float:
    if name not in metrics:
        raise ValueError(f"missing metric '{name}'")
    value = metrics[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"metric '{name}' must be a finite number")
    if positive and not value > 0:
        raise ValueError(f"metric '{name}' must be positive")
    return float(value)


def _drop_penalty(metrics: Mapping[str, float]) -> float:
    drop = _metric(metrics, "accuracy_drop_pct")
    return ACCURACY_PENALTY_PER_PCT * max(0.0, drop - ACCURACY_DROP_ALLOWED_PCT)


def capstone_track_score(
    track_name: str, metrics: Mapping[str, float], suite_version: int
) -> float:
    """Score of one capstone track from its metrics (ValueError when they do not allow one)."""
    reference = CAPSTONE_REFERENCE.get(suite_version)
    if reference is None:
        raise ValueError(f"unknown capstone suite_version {suite_version}")
    if track_name == "accuracy":
        accuracy = _metric(metrics, "accuracy_pct")
        if not 0 <= accuracy <= 100:
            raise ValueError("metric 'accuracy_pct' must be between 0 and 100")
        return clamp_score(100.0 * (accuracy - 10.0) / 90.0)
    if track_name == "speed":
        latency = _metric(metrics, "latency_p50_ms", positive=True)
        throughput = _metric(metrics, "throughput_sps", positive=True)
        logs = (
            math.log2(reference["latency_p50_ms"] / latency),
            math.log2(throughput / reference["throughput_sps"]),
        )
        return clamp_score(REFERENCE_POINTS + POINTS_PER_DOUBLING * sum(logs) / len(logs))
    if track_name == "compression":
        ratio = _metric(metrics, "size_ratio", positive=True)
        return clamp_score(25.0 * math.log2(ratio) - _drop_penalty(metrics))
    if track_name == "efficiency":
        speedup = _metric(metrics, "speedup", positive=True)
        ratio = _metric(metrics, "size_ratio", positive=True)
        return clamp_score(15.0 * math.log2(speedup * ratio) - _drop_penalty(metrics))
    raise ValueError(f"unknown capstone track '{track_name}'")


def capstone_overall(track_scores: Mapping[str, float]) -> float:
    """Overall capstone score: the mean of the scores of the tracks that ran."""
    if not track_scores:
        raise ValueError("no track ran")
    # fsum is exact, so the result does not depend on the order the tracks come in
    # (a JSON file stores them sorted); plain sum could flip a .x5 rounding.
    return round(math.fsum(track_scores.values()) / len(track_scores), 1)


# --- what a score means, by comparable group -------------------------------------------


def score_name(kind: str, suite_version: int, backend: str) -> str:
    """What a result's headline score measures, in a few words."""
    if kind == "capstone":
        return "Capstone"
    if backend == "numpy":
        return "Your machine"
    if suite_version in FRAMEWORK_SUITES:
        return "Your TinyTorch"
    return "Score"  # suite 1: a tinytorch result timed against the reference machine


def group_label(kind: str, suite_version: int, backend: str) -> str:
    """A comparable group in words: 'baseline · suite 2 · tinytorch'."""
    return f"{kind} · suite {suite_version} · {backend}"


def group_label_of_key(key: str) -> str:
    """group_label for a 'kind/suite/backend' key (other text comes back as it is)."""
    parts = key.split("/")
    if len(parts) != 3 or not parts[1].isdigit():
        return key
    return group_label(parts[0], int(parts[1]), parts[2])


def scale_sentence(kind: str, suite_version: int, backend: str) -> str:
    """How to read the score of a group, in one sentence."""
    if kind == "capstone":
        return "The mean of the track scores (accuracy, speed, compression, efficiency)."
    if backend == "tinytorch" and suite_version in FRAMEWORK_SUITES:
        return "100 = as fast as numpy timed in the same run; every 2x slower costs 10."
    return "Reference machine = 50; every doubling of speed adds 10."
