"""Baseline suite 2: tensor ops, 100x100 matmul, a (1,784)->128->ReLU->10 forward pass.

With the student's tinytorch, numpy runs the same operations in the same run, each
metric timed right after the student's, so both scores come from one file: *your
TinyTorch* (student vs numpy, fair across hardware) and *your machine* (numpy vs the
reference machine). Suite 1 files (numpy-relative score of whatever ran) stay valid.
"""

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
from tinytorch_board.bench.harness import HarnessSettings, time_callable, time_interleaved
from tinytorch_board.clock import iso_utc, utc_now
from tinytorch_board.errors import BoardError
from tinytorch_board.local.results import RESULT_VERSION
from tinytorch_board.submission.score import (
    BASELINE_METRICS,
    CURRENT_BASELINE_SUITE,
    NUMPY_SIBLINGS,
    framework_score,
    machine_score,
)

SUITE_VERSION = CURRENT_BASELINE_SUITE
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
        unusable = student.with_module_hint(unusable)
        if choice == "tinytorch":
            raise BoardError(f"cannot use your tinytorch: {unusable}; fix it, or {fallback}")
        return BackendPlan("numpy", [f"your tinytorch was not used: {unusable}"], report)
    if report.problems and choice == "auto":
        missing = student.with_module_hint(
            "; ".join(f"{name}: {why}" for name, why in report.problems.items())
        )
        return BackendPlan(
            "numpy",
            [f"your tinytorch is incomplete ({missing}), so numpy was measured"],
            report,
        )
    return BackendPlan("tinytorch", [], report)


def _time_all(
    prepared: PreparedBaseline,
    reference: PreparedBaseline | None,
    settings: HarnessSettings,
    on_progress: Callable[[str], None] | None,
) -> tuple[dict[str, dict], dict[str, dict], dict[str, str]]:
    """Time every runnable metric; with a reference, numpy interleaved with the student's op.

    Interleaved rounds (one sample of each per round) put both medians in the same
    stretch of time, so a burst of load from another process falls on both sides of
    the ratio instead of on one.
    """
    from tinytorch_board.bench.student import describe_exception, quiet

    metrics: dict[str, dict] = {}
    numpy_metrics: dict[str, dict] = {}
    failures = dict(prepared.failures)
    for name in BASELINE_METRICS:
        op = prepared.operations.get(name)
        ref = reference.operations[name] if reference is not None else None
        if op is None:
            failures.setdefault(name, f"no {OPERATION_NAMES[name]} to measure")
            if ref is None:
                continue
        if on_progress:
            against = " against numpy" if ref is not None and op is not None else ""
            on_progress(f"Measuring {METRIC_LABELS[name]}{against}")
        funcs = [f for f in (op, ref) if f is not None]
        try:
            with quiet():
                timings = time_interleaved(funcs, settings)
        except (Exception, SystemExit) as exc:
            failures[name] = f"your {OPERATION_NAMES[name]} raised {describe_exception(exc)}"
            if ref is not None and op is not None:  # numpy alone, for the machine score
                with quiet():
                    numpy_metrics[name] = time_callable(ref, settings).as_metric()
            continue
        if op is not None:
            metrics[name] = timings[0].as_metric()
        if ref is not None:
            numpy_metrics[name] = timings[-1].as_metric()
    return metrics, numpy_metrics, failures


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
    missing_module: dict | None = None
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
            missing_module = _missing_module(plan)
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
        reference = numpy_baseline(inputs) if prepared.backend != "numpy" else None
        metrics, numpy_metrics, failures = _time_all(prepared, reference, settings, on_metric)
    return _document(
        prepared.backend, metrics, numpy_metrics, failures, notes, threads, missing_module, now
    )


def _missing_module(plan: BackendPlan) -> dict | None:
    """The TinyTorch module that would add what the student's package is missing."""
    from tinytorch_board.bench.student import module_for

    probe = plan.probe
    texts = list(plan.notes)
    if probe is not None:
        texts += [probe.import_error or "", *probe.problems.values()]
    for text in texts:
        found = module_for(text)
        if found is not None:
            return found
    return None


def _document(backend, metrics, numpy_metrics, failures, notes, threads, missing, now) -> dict:
    """The result document: headline score, machine score, per-op slowdowns."""
    medians = {name: metric["median_ms"] for name, metric in metrics.items()}
    numpy_side = metrics if backend == "numpy" else numpy_metrics
    numpy_medians = {name: metric["median_ms"] for name, metric in numpy_side.items()}
    complete = set(numpy_medians) == set(BASELINE_METRICS)
    machine = machine_score(numpy_medians, SUITE_VERSION) if complete else None
    details: dict = {"blas_threads": threads, "notes": notes, "failed": failures}
    if missing is not None:
        details["missing_module"] = missing
    if backend == "numpy":
        score = machine if not failures else None
    else:
        for name, metric in metrics.items():
            ref = numpy_metrics.get(name)
            if ref is None:
                failures.setdefault(name, "numpy's own timing of this operation failed")
                continue
            for key, sibling in NUMPY_SIBLINGS.items():
                metric[sibling] = ref[key]
        metrics = {name: metric for name, metric in metrics.items() if name not in failures}
        medians = {name: metric["median_ms"] for name, metric in metrics.items()}
        score = (
            framework_score(medians, numpy_medians)
            if not failures and set(medians) == set(BASELINE_METRICS)
            else None
        )
        details["numpy_metrics"] = numpy_metrics
        details["vs_numpy"] = {
            name: round(medians[name] / numpy_medians[name], 3)
            for name in medians
            if name in numpy_medians
        }
    return {
        "result_version": RESULT_VERSION,
        "kind": "baseline",
        "suite_version": SUITE_VERSION,
        "backend": backend,
        "created_at": iso_utc(now()),
        "client_version": __version__,
        "metrics": metrics,
        "score": score,
        "machine_score": machine,
        "system": sysinfo.collect(),
        "details": details,
    }


# Where the course closes a large gap (shown beside a slowdown of 10x or more).
CLOSES_THE_GAP = "the acceleration module (18) is where this closes"


def ratio_line(name: str, ratio: float) -> str:
    """The learner-facing comparison: 'Your matmul is 480x slower than numpy'."""
    what = OPERATION_NAMES.get(name, name)
    verb = "are" if what.endswith("ops") else "is"
    if ratio >= 10:
        return f"Your {what} {verb} {ratio:.0f}x slower than numpy: {CLOSES_THE_GAP}"
    if ratio >= 1.05:
        return f"Your {what} {verb} {ratio:.1f}x slower than numpy"
    if ratio <= 1 / 1.05:
        return f"Your {what} {verb} {1 / ratio:.1f}x faster than numpy"
    return f"Your {what} {verb} as fast as numpy (within 5%)"
