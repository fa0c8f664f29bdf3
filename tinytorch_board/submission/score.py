"""The score: a pure function of a result's metrics and its suite version.

Reference machine = 50 points; every doubling of speed (geometric mean over the
metrics of reference_ms / measured_ms) adds 10; clamped to 0..100 and rounded to one
decimal. The validator recomputes it, so this module is part of the public contract:
changing a reference time means a new suite_version.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

# Baseline suite 1 reference times (milliseconds per call, numpy backend), measured
# as the median of 10 runs of the numpy backend on the reference machine: a shared
# 2-core x86_64 Linux VM (24 GiB), Python 3.11, numpy 2.4, OpenBLAS pinned to 1 thread.
# `python benchmarks/bench_baseline.py --reference` re-measures them.
REFERENCE_MS: dict[int, dict[str, float]] = {
    1: {
        "tensor_ops": 0.00867,
        "matmul": 0.0227,
        "forward_pass": 0.0137,
    },
}

BASELINE_METRICS: tuple[str, ...] = ("tensor_ops", "matmul", "forward_pass")
SCORE_TOLERANCE = 0.051  # scores are stored with one decimal
POINTS_PER_DOUBLING = 10.0
REFERENCE_POINTS = 50.0


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
