"""Baseline suite 1: tensor ops, 100x100 matmul, a (1,784)->128->ReLU->10 forward pass."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tinytorch_board import __version__
from tinytorch_board.bench import sysinfo
from tinytorch_board.bench.backends import (
    OPERATION_NAMES,
    BaselineInputs,
    PreparedBaseline,
    numpy_baseline,
)
from tinytorch_board.bench.harness import HarnessSettings, time_callable
from tinytorch_board.clock import iso_utc, utc_now
from tinytorch_board.errors import BoardError
from tinytorch_board.local.results import RESULT_VERSION
from tinytorch_board.submission.score import BASELINE_METRICS, baseline_score

SUITE_VERSION = 1
BACKEND_CHOICES = ("auto", "numpy", "tinytorch")
DEFAULT_SETTINGS = HarnessSettings()

METRIC_LABELS = {
    "tensor_ops": "Tensor ops (add, mul, sum; 100x100)",
    "matmul": "Matmul (100x100 @ 100x100)",
    "forward_pass": "Forward pass (784->128->ReLU->10)",
}


@contextlib.contextmanager
def blas_threads(limit: int = 1):
    """Pin BLAS to `limit` threads so runs are comparable; yields the count in force.

    numpy is imported first: threadpoolctl can only limit a BLAS that is already loaded.
    """
    import numpy  # noqa: F401

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        yield None
        return
    with threadpool_limits(limits=limit, user_api="blas"):
        yield limit


@dataclass
class BackendPlan:
    """Which backend will run, why, and what the child-process check found."""

    backend: str  # "numpy" or "tinytorch"
    notes: list[str] = field(default_factory=list)
    probe: object | None = None  # student.ProbeReport when the student's package was checked


def plan_backend(
    choice: str, root: Path | None, probe_timeout_s: float | None = None
) -> BackendPlan:
    """Decide between numpy and the student's tinytorch, checking the latter safely first.

    auto uses tinytorch only when it imports and has every piece; otherwise numpy, with
    a note naming what was missing. tinytorch insists: an unusable package is an error,
    an incomplete one runs the metrics it can.
    """
    from tinytorch_board.bench import student

    if choice not in BACKEND_CHOICES:
        raise BoardError(f"unknown backend {choice!r}; choose one of {', '.join(BACKEND_CHOICES)}")
    if choice == "numpy":
        return BackendPlan("numpy")
    fallback = "run with --backend numpy to measure the numpy reference"
    if student.find_package(root) is None:
        where = f" in {root}" if root is not None else ""
        if choice == "tinytorch":
            raise BoardError(
                f"no tinytorch package found{where}; run from your TinyTorch checkout "
                f"(or pass --project-dir), or {fallback}"
            )
        return BackendPlan("numpy", [f"no tinytorch package found{where}, so numpy was measured"])
    timeout = student.PROBE_TIMEOUT_S if probe_timeout_s is None else probe_timeout_s
    report = student.probe(root, timeout)
    unusable = report.message if not report.ok else report.import_error
    if unusable:
        if choice == "tinytorch":
            raise BoardError(f"cannot use your tinytorch: {unusable}; fix it, or {fallback}")
        return BackendPlan("numpy", [f"your tinytorch was not used: {unusable}"], report)
    if report.problems and choice == "auto":
        missing = "; ".join(f"{name}: {why}" for name, why in report.problems.items())
        return BackendPlan(
            "numpy",
            [f"your tinytorch is incomplete ({missing}), so numpy was measured"],
            report,
        )
    return BackendPlan("tinytorch", [], report)


def _time_all(
    prepared: PreparedBaseline,
    settings: HarnessSettings,
    on_progress: Callable[[str], None] | None,
    prefix: str,
) -> tuple[dict[str, dict], dict[str, str]]:
    """Time every runnable metric; an exception during timing becomes a failure."""
    from tinytorch_board.bench.student import describe_exception, quiet

    metrics: dict[str, dict] = {}
    failures = dict(prepared.failures)
    for name in BASELINE_METRICS:
        op = prepared.operations.get(name)
        if op is None:
            failures.setdefault(name, f"no {OPERATION_NAMES[name]} to measure")
            continue
        if on_progress:
            on_progress(f"{prefix}{METRIC_LABELS[name]}")
        try:
            with quiet():
                metrics[name] = time_callable(op, settings).as_metric()
        except (Exception, SystemExit) as exc:
            failures[name] = f"your {OPERATION_NAMES[name]} raised {describe_exception(exc)}"
    return metrics, failures


def run_baseline(
    prepare: Callable[[BaselineInputs], PreparedBaseline] | None = None,
    settings: HarnessSettings | None = None,
    on_metric: Callable[[str], None] | None = None,
    now: Callable[[], datetime] = utc_now,
    *,
    backend: str = "numpy",
    project_root: Path | None = None,
    probe_timeout_s: float | None = None,
) -> dict:
    """Run the suite and return the result document (not yet saved).

    `prepare` overrides the backend (benchmarks and tests wrap numpy with it);
    otherwise `backend` is auto, numpy or tinytorch (see plan_backend).
    `on_metric` receives a short progress text before each measurement.
    """
    from tinytorch_board.bench import student

    settings = settings or DEFAULT_SETTINGS
    inputs = BaselineInputs.make()
    notes: list[str] = []
    reference_metrics: dict[str, dict] | None = None
    uses_student = prepare is None and backend != "numpy"
    with (
        blas_threads(1) as threads,
        student.project_on_path(project_root if uses_student else None),
    ):
        if prepare is not None:
            prepared = prepare(inputs)
        else:
            plan = plan_backend(backend, project_root, probe_timeout_s)
            notes.extend(plan.notes)
            prepared = numpy_baseline(inputs)
            if plan.backend == "tinytorch":
                if on_metric:
                    on_metric("Checking your tinytorch against numpy")
                package = student.load_package(project_root)
                if package.import_error:  # the child process imported it; this one did not
                    if backend == "tinytorch":
                        raise BoardError(f"cannot use your tinytorch: {package.import_error}")
                    notes.append(f"your tinytorch was not used: {package.import_error}")
                else:
                    prepared = student.student_baseline(inputs, package, plan.probe)
        notes.extend(prepared.notes)
        metrics, failures = _time_all(prepared, settings, on_metric, "Measuring ")
        if prepared.backend != "numpy":
            reference_metrics, _ = _time_all(
                numpy_baseline(inputs), settings, on_metric, "Measuring numpy: "
            )
    medians = {name: metric["median_ms"] for name, metric in metrics.items()}
    score = baseline_score(medians, SUITE_VERSION) if not failures else None
    details: dict = {"blas_threads": threads, "notes": notes, "failed": failures}
    if reference_metrics is not None:
        details["numpy_metrics"] = reference_metrics
        details["vs_numpy"] = {
            name: round(metrics[name]["median_ms"] / reference_metrics[name]["median_ms"], 3)
            for name in metrics
            if name in reference_metrics
        }
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
        "details": details,
    }


def ratio_line(name: str, ratio: float) -> str:
    """The learner-facing comparison: 'Your matmul is 3.1x slower than numpy'."""
    what = OPERATION_NAMES.get(name, name)
    verb = "are" if what.endswith("ops") else "is"
    if ratio >= 1.05:
        return f"Your {what} {verb} {ratio:.1f}x slower than numpy"
    if ratio <= 1 / 1.05:
        return f"Your {what} {verb} {1 / ratio:.1f}x faster than numpy"
    return f"Your {what} {verb} as fast as numpy (within 5%)"
