"""Baseline suite 1: tensor ops, 100x100 matmul, a (1,784)->128->ReLU->10 forward pass."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime, timezone

from tinytorch_board import __version__
from tinytorch_board.bench import sysinfo
from tinytorch_board.bench.backends import BaselineInputs, PreparedBaseline, numpy_baseline
from tinytorch_board.bench.harness import HarnessSettings, time_callable
from tinytorch_board.submission.score import BASELINE_METRICS, baseline_score

SUITE_VERSION = 1
RESULT_VERSION = 1

METRIC_LABELS = {
    "tensor_ops": "Tensor ops (add, mul, sum; 100x100)",
    "matmul": "Matmul (100x100 @ 100x100)",
    "forward_pass": "Forward pass (784->128->ReLU->10)",
}


@contextlib.contextmanager
def blas_threads(limit: int = 1):
    """Pin BLAS to `limit` threads so runs are comparable; yields the count in force."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        yield None
        return
    with threadpool_limits(limits=limit, user_api="blas"):
        yield limit


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_baseline(
    prepare: Callable[[BaselineInputs], PreparedBaseline] = numpy_baseline,
    settings: HarnessSettings | None = None,
    on_metric: Callable[[str], None] | None = None,
    now: Callable[[], datetime] = utc_now,
) -> dict:
    """Run the suite on one backend and return the result document (not yet saved)."""
    settings = settings or HarnessSettings()
    inputs = BaselineInputs.make()
    prepared = prepare(inputs)
    metrics: dict[str, dict] = {}
    with blas_threads(1) as threads:
        for name in BASELINE_METRICS:
            if on_metric:
                on_metric(name)
            metrics[name] = time_callable(prepared.operations[name], settings).as_metric()
    score = baseline_score({k: v["median_ms"] for k, v in metrics.items()}, SUITE_VERSION)
    return {
        "result_version": RESULT_VERSION,
        "kind": "baseline",
        "suite_version": SUITE_VERSION,
        "backend": prepared.backend,
        "created_at": iso_utc(now()),
        "client_version": __version__,
        "metrics": metrics,
        "score": score,
        "system": sysinfo.collect(),
        "details": {"blas_threads": threads, "notes": prepared.notes},
    }
