"""Capstone suite 1: train a small MLP, then measure accuracy, speed, compression, efficiency.

Everything is generated here, deterministically: a synthetic 10-class problem made of
Gaussian clusters, four per class (a linear model gets about 73%, the MLP about 91%),
and a 64-256-256-10 ReLU MLP trained with Adam for a fixed number of epochs in numpy.
Inference goes through the student's tinytorch (Tensor, Linear, ReLU) when it has them
and agrees with numpy, else through numpy; the result says which, per track.

Track scores are pure functions of the track's metrics (see submission/score.py).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from tinytorch_board import __version__
from tinytorch_board.bench import student, sysinfo
from tinytorch_board.bench.baseline import blas_threads, plan_backend
from tinytorch_board.bench.capstone.compression import (
    fp32_bytes,
    int8_bytes,
    magnitude_prune,
    quantize_int8,
    structured_prune,
)
from tinytorch_board.bench.capstone.guest import (
    CALL_LIMIT_S,
    CHECK_BATCH,
    Implementation,
    Runner,
    StudentPruner,
    StudentQuantizer,
    StudentTrainer,
    check_pruner,
    check_quantizer,
    check_trainer,
    find_pruner,
    find_quantizer,
    find_trainer,
    numpy_runner,
    student_runner,
    train_with_student,
)
from tinytorch_board.bench.capstone.model import (
    DEFAULT_SETTINGS,
    CapstoneSettings,
    Dataset,
    Params,
    accuracy_of,
    forward_numpy,
    init_params,
    make_dataset,
    train,
)
from tinytorch_board.bench.harness import HarnessSettings, round_sig, time_callable
from tinytorch_board.clock import iso_utc, utc_now
from tinytorch_board.local.results import RESULT_VERSION
from tinytorch_board.submission.score import (
    ACCURACY_DROP_ALLOWED_PCT,
    CAPSTONE_SUITE_VERSION,
    CAPSTONE_TRACKS,
    capstone_overall,
    capstone_track_score,
)

TRACK_LABELS = {
    "accuracy": "Accuracy (held-out)",
    "speed": "Speed (latency, throughput)",
    "compression": "Compression (int8 + pruning)",
    "efficiency": "Efficiency (speedup x compression)",
}


# --- timing -------------------------------------------------------------------------


def latency_percentiles(runner: Runner, x_one, calls: int) -> dict[str, float]:
    """Single-sample latency p50/p90/p99 in ms, each call timed on its own (gc off)."""
    import numpy as np

    native = runner.prepare_input(x_one)
    for _ in range(max(10, calls // 10)):
        runner.forward(native)
    samples = []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(calls):
            t0 = time.perf_counter_ns()
            runner.forward(native)
            samples.append((time.perf_counter_ns() - t0) / 1e6)
    finally:
        if gc_was_enabled:
            gc.enable()
    p50, p90, p99 = np.percentile(samples, [50, 90, 99])
    return {
        "latency_p50_ms": float(p50),
        "latency_p90_ms": float(p90),
        "latency_p99_ms": float(p99),
    }


def batch_ms(runner: Runner, x_batch, harness: HarnessSettings) -> float:
    native = runner.prepare_input(x_batch)
    return time_callable(lambda: runner.forward(native), harness).median_ms


# --- the suite -----------------------------------------------------------------------


class TrackSkipped(Exception):
    """A track cannot run; the message says why (it becomes the track's reason)."""


@dataclass
class _Context:
    settings: CapstoneSettings
    data: Dataset
    make_runner: Callable[[Params], Runner]
    progress: Callable[[str], None]
    guest: GuestPieces
    trained: Params | None = None
    base_accuracy: float | None = None
    training: dict = field(default_factory=dict)  # what ran: steps, epochs, seconds, by whom
    implementations: dict[str, Implementation] = field(default_factory=dict)

    def trained_model(self) -> Params:
        if self.trained is None:
            import numpy as np

            params = init_params(self.settings)
            if self.guest.trainer is not None:
                self.progress("Training with your tinytorch")
                try:
                    self.trained, self.training = train_with_student(
                        self.guest.trainer,
                        params,
                        self.data,
                        self.settings,
                        self.settings.student_train_budget_s,
                        self.guest.step_seconds,
                        self.progress,
                    )
                    self.training["by"] = "tinytorch"
                except (Exception, SystemExit) as exc:
                    why = f"your training raised {student.describe_exception(exc)}"
                    self.guest.training_reason = f"{why}; the reference trained the model"
                    self.guest.trainer = None
                    self.trained = None
            if self.trained is None:
                start = time.perf_counter()
                epochs = self.settings.epochs
                cap = self.guest.fallback_steps(self.settings)
                self.trained = train(
                    params,
                    self.data,
                    epochs,
                    self.settings,
                    on_epoch=lambda e: self.progress(
                        f"Training the reference MLP (epoch {e}/{epochs})"
                    ),
                    max_steps=cap,
                )
                per_epoch = -(-self.settings.n_train // self.settings.batch_size)
                steps = min(cap, epochs * per_epoch) if cap is not None else epochs * per_epoch
                self.training = {
                    "by": "reference",
                    "epochs": round(steps / per_epoch, 3),
                    "train_samples": min(self.settings.n_train, steps * self.settings.batch_size),
                    "train_seconds": time.perf_counter() - start,
                }
                if cap is not None:
                    self.training["train_steps"] = steps
                    self.guest.training_reason += (
                        f" for {steps} steps, no more than your code's measured speed allows "
                        f"in {self.settings.student_train_budget_s:.0f} s"
                    )
            if not all(np.all(np.isfinite(w)) for w, _ in self.trained):
                raise TrackSkipped("training diverged (non-finite weights)")
            self.base_accuracy = self.evaluate(self.trained)
        return self.trained

    def evaluate(self, params: Params) -> float:
        """Held-out accuracy of these weights (computed in numpy: it is the measurement,
        not the student's work; the student's forward pass is timed in speed/efficiency)."""
        return accuracy_of(forward_numpy(params, self.data.x_test), self.data.y_test)

    def prune(self, params: Params, sparsity: float) -> Params:
        """Magnitude pruning by the student's magnitude_prune when it passed its check."""
        if self.guest.pruner is None:
            return magnitude_prune(params, sparsity)
        return self.guest.pruner(self.guest.package, params, sparsity)

    def quantize(self, params: Params, sparse: bool) -> tuple[Params, int]:
        """int8 weights by the student's quantizer when it passed, else the reference,
        and their storage in bytes, measured from what the quantizer returned (a
        "quantizer" that keeps float32 values saves nothing, and is counted so)."""
        import numpy as np

        quantizer = self.guest.quantizer
        if quantizer is None:
            out = [(quantize_int8(w), b) for w, b in params]
            return out, int8_bytes(out, sparse)
        tensor = self.guest.package.pieces["Tensor"]
        out, total = [], 0
        for w, b in params:
            values, itemsize, extra = quantizer(tensor, w)
            values = np.where(w == 0, 0, values).astype(np.float32)  # pruned stays pruned
            out.append((values, b))
            count = int(np.count_nonzero(w)) if sparse else w.size
            total += itemsize * count + ((w.size + 7) // 8 if sparse else 0) + extra + 4 * b.size
        return out, total


def _accuracy_track(ctx: _Context) -> dict:
    ctx.trained_model()
    t = ctx.training
    metrics = {
        "accuracy_pct": 100 * ctx.base_accuracy,
        "epochs": t["epochs"],
        "train_samples": t["train_samples"],
        "test_samples": ctx.settings.n_test,
        "train_seconds": t["train_seconds"],
    }
    if "train_steps" in t:
        metrics["train_steps"] = t["train_steps"]
    return metrics


def _speed_track(ctx: _Context) -> dict:
    # Latency does not depend on the weights' values, so speed alone needs no training.
    params = ctx.trained if ctx.trained is not None else init_params(ctx.settings)
    runner = ctx.make_runner(params)
    ctx.progress("Timing single-sample latency")
    metrics = latency_percentiles(runner, ctx.data.x_test[:1], ctx.settings.latency_calls)
    ctx.progress("Timing batch throughput")
    batch = ctx.data.x_test[: ctx.settings.throughput_batch]
    median = batch_ms(runner, batch, ctx.settings.harness)
    metrics["throughput_sps"] = len(batch) / (median / 1000.0)
    metrics["batch_size"] = len(batch)
    return metrics


def _compression_track(ctx: _Context) -> dict:
    """Gradual magnitude pruning (prune, fine-tune with the mask) and int8 weights.

    Sparsity rises step by step while the int8 model stays within the allowed accuracy
    drop; the last step that did is the result.
    """
    params = ctx.trained_model()
    base = ctx.base_accuracy
    current = params
    first, first_bytes = ctx.quantize(params, sparse=False)
    chosen = (0.0, first, first_bytes)
    chosen_accuracy = ctx.evaluate(first)
    for sparsity in ctx.settings.sparsities:
        ctx.progress(f"Compressing: int8 + {sparsity:.0%} pruning, fine-tuning")
        pruned = ctx.prune(current, sparsity)
        masks = [(w != 0).astype(w.dtype) for w, _ in pruned]
        tuned = train(
            pruned,
            ctx.data,
            ctx.settings.finetune_epochs,
            ctx.settings,
            learning_rate=ctx.settings.learning_rate / 2,
            masks=masks,
        )
        compressed, stored = ctx.quantize(tuned, sparse=True)
        accuracy = ctx.evaluate(compressed)
        if 100 * (base - accuracy) > ACCURACY_DROP_ALLOWED_PCT:
            break
        current, chosen, chosen_accuracy = tuned, (sparsity, compressed, stored), accuracy
    sparsity, compressed, stored = chosen
    original = fp32_bytes(params)
    return {
        "size_ratio": original / stored,
        "sparsity_pct": 100 * sparsity,
        "accuracy_pct": 100 * chosen_accuracy,
        "baseline_accuracy_pct": 100 * base,
        "accuracy_drop_pct": 100 * (base - chosen_accuracy),
        "original_kb": original / 1024,
        "compressed_kb": stored / 1024,
    }


def _efficiency_track(ctx: _Context) -> dict:
    params = ctx.trained_model()
    base = ctx.base_accuracy
    chosen = None
    for keep in ctx.settings.keep_fractions:
        ctx.progress(f"Efficiency: keeping {keep:.0%} of hidden units, fine-tuning")
        small = train(
            structured_prune(params, keep),
            ctx.data,
            ctx.settings.finetune_epochs,
            ctx.settings,
            learning_rate=ctx.settings.learning_rate / 2,
        )
        small, stored = ctx.quantize(small, sparse=False)
        accuracy = ctx.evaluate(small)
        if chosen is None or 100 * (base - accuracy) <= ACCURACY_DROP_ALLOWED_PCT:
            chosen = (keep, small, accuracy, stored)
        else:
            break
    keep, small, accuracy, stored = chosen
    ctx.progress("Efficiency: timing the original and the compressed model")
    batch = ctx.data.x_test[: ctx.settings.throughput_batch]
    dense_ms = batch_ms(ctx.make_runner(params), batch, ctx.settings.harness)
    small_ms = batch_ms(ctx.make_runner(small), batch, ctx.settings.harness)
    return {
        "speedup": dense_ms / small_ms,
        "size_ratio": fp32_bytes(params) / stored,
        "hidden_kept_pct": 100 * keep,
        "accuracy_pct": 100 * accuracy,
        "accuracy_drop_pct": 100 * (base - accuracy),
    }


TRACK_RUNNERS = {
    "accuracy": _accuracy_track,
    "speed": _speed_track,
    "compression": _compression_track,
    "efficiency": _efficiency_track,
}


@dataclass
class GuestPieces:
    """What of the student's package the capstone uses, and why not the rest."""

    package: object | None = None
    forward_reason: str = "numpy was asked for (--backend numpy)"
    trainer: StudentTrainer | None = None
    training_reason: str = "numpy was asked for (--backend numpy)"
    step_seconds: float = 0.0  # one checked training step of the student's code, if run
    quantizer: StudentQuantizer | None = None
    quantizer_reason: str = "numpy was asked for (--backend numpy)"
    pruner: StudentPruner | None = None
    pruner_reason: str = "numpy was asked for (--backend numpy)"

    def fallback_steps(self, settings: CapstoneSettings) -> int | None:
        """Steps a reference fallback may train for: when the student's training step ran
        (and failed its check), no more than their code's speed allows in the budget, so
        broken code never earns more training than working code; else no limit."""
        if self.trainer is not None or self.step_seconds <= 0:
            return None
        per_step = self.step_seconds * settings.batch_size / CHECK_BATCH
        return max(1, int(settings.student_train_budget_s / per_step))


def _discover(backend: str, root: Path | None, settings: CapstoneSettings, data: Dataset):
    """(make_runner, backend used, notes, guest pieces): each of the student's pieces is
    checked against numpy first and used only when it agrees."""
    guest = GuestPieces()
    if backend == "numpy":
        return numpy_runner, "numpy", [], guest
    plan = plan_backend("auto" if backend == "auto" else "tinytorch", root)
    if plan.backend != "tinytorch":
        why = "; ".join(plan.notes) or "your tinytorch could not be used"
        guest.forward_reason = guest.training_reason = guest.quantizer_reason = why
        guest.pruner_reason = why
        return numpy_runner, "numpy", plan.notes, guest
    package = student.load_package(root)
    if package.import_error:
        why = f"your tinytorch was not used: {package.import_error}"
        guest.forward_reason = guest.training_reason = guest.quantizer_reason = why
        guest.pruner_reason = why
        return numpy_runner, "numpy", [why], guest
    guest.package = package
    params = init_params(settings)
    notes: list[str] = []

    trainer, why = find_trainer(package)
    if trainer is None:
        guest.training_reason = f"{why}; the reference trained the model"
    else:
        problem, seconds = check_trainer(trainer, params, data, settings)
        guest.step_seconds = seconds
        if problem:
            guest.training_reason = f"{problem}; the reference trained the model"
        else:
            guest.trainer = trainer

    quantizer, why = find_quantizer(package)
    if quantizer is None:
        guest.quantizer_reason = f"{why}; the reference quantized the weights"
    else:
        problem = check_quantizer(quantizer, package, params)
        if problem:
            guest.quantizer_reason = f"{problem}; the reference quantized the weights"
        else:
            guest.quantizer = quantizer

    pruner, why = find_pruner(package)
    if pruner is None:
        guest.pruner_reason = why
    else:
        problem = check_pruner(pruner, package, params)
        if problem:
            guest.pruner_reason = problem
        else:
            guest.pruner = pruner

    probe = plan.probe
    problem = probe.metrics.get("forward_pass") if probe is not None else None
    if problem or (probe is not None and "forward_pass" not in probe.metrics):
        why = problem or "; ".join(f"{k}: {v}" for k, v in probe.problems.items())
        guest.forward_reason = f"your forward pass was not used ({why}); numpy ran it"
        return numpy_runner, "numpy", [guest.forward_reason], guest
    try:
        with student.guest(CALL_LIMIT_S):
            runner = student_runner(package, params)
            out = runner.to_numpy(runner.forward(runner.prepare_input(data.x_test[:64])))
        problem = student.compare("forward pass", forward_numpy(params, data.x_test[:64]), out)
    except (Exception, SystemExit) as exc:
        problem = f"your forward pass raised {student.describe_exception(exc)}"
    if problem:
        guest.forward_reason = f"{problem}; numpy ran the capstone model instead"
        return numpy_runner, "numpy", [guest.forward_reason], guest
    return (lambda p: student_runner(package, p)), "tinytorch", notes, guest


def _implementations(ctx: _Context, used: str) -> dict[str, Implementation]:
    """Per track: whose code did the work the track measures, and why, in words."""
    guest, t = ctx.guest, ctx.training
    out = {}
    if t.get("by") == "tinytorch":
        where = ", ".join(guest.trainer.where.values()) if guest.trainer else "your code"
        out["accuracy"] = Implementation(
            "tinytorch",
            f"trained by your Linear, ReLU, autograd (backward) and {where}: "
            f"{t['train_steps']} steps ({t['epochs']:g} epochs) in {t['train_seconds']:.1f} s, "
            f"as many steps as fit in its {ctx.settings.student_train_budget_s:.0f} s budget",
        )
    else:
        out["accuracy"] = Implementation("reference", guest.training_reason)
    if used == "tinytorch":
        out["speed"] = Implementation(
            "tinytorch", "timed your Tensor, Linear and ReLU forward pass"
        )
    else:
        out["speed"] = Implementation("reference", guest.forward_reason)
    if guest.quantizer is not None or guest.pruner is not None:
        int8 = (
            f"int8 weights by your {guest.quantizer.where} (bytes measured from what it returned)"
            if guest.quantizer
            else f"int8 by the reference ({guest.quantizer_reason})"
        )
        pruning = (
            f"magnitude pruning by your {guest.pruner.where}"
            if guest.pruner
            else f"magnitude pruning by the reference ({guest.pruner_reason})"
        )
        out["compression"] = Implementation(
            "tinytorch", f"{int8}; {pruning}; fine-tuning by the reference"
        )
    else:
        out["compression"] = Implementation(
            "reference", f"{guest.quantizer_reason}; {guest.pruner_reason}"
        )
    if used == "tinytorch":
        by = f"your {guest.quantizer.where}" if guest.quantizer else "the reference"
        out["efficiency"] = Implementation(
            "tinytorch",
            f"timed your forward pass on the original and the smaller model; int8 by {by}, "
            "structured pruning by the reference",
        )
    else:
        out["efficiency"] = Implementation("reference", guest.forward_reason)
    return out


def run_capstone(
    tracks: tuple[str, ...] = CAPSTONE_TRACKS,
    settings: CapstoneSettings | None = None,
    on_progress: Callable[[str], None] | None = None,
    now: Callable[[], datetime] = utc_now,
    *,
    backend: str = "auto",
    project_root: Path | None = None,
) -> dict:
    """Run the requested tracks and return the capstone result document (not yet saved)."""
    settings = settings or DEFAULT_SETTINGS
    progress = on_progress or (lambda _text: None)
    unknown = [t for t in tracks if t not in CAPSTONE_TRACKS]
    if unknown:
        raise ValueError(f"unknown track(s): {', '.join(unknown)}")
    results: dict[str, dict | None] = {name: None for name in CAPSTONE_TRACKS}
    reasons = {name: "not requested" for name in CAPSTONE_TRACKS if name not in tracks}
    uses_student = backend != "numpy"
    started = time.perf_counter()
    with (
        blas_threads(1) as threads,
        student.project_on_path(project_root if uses_student else None),
    ):
        progress("Generating the dataset")
        data = make_dataset(settings)
        progress("Checking your tinytorch against numpy")
        make_runner, used, notes, guest = _discover(backend, project_root, settings, data)
        ctx = _Context(settings, data, make_runner, progress, guest)
        # Accuracy first: the other tracks reuse its trained model.
        for name in sorted(tracks, key=CAPSTONE_TRACKS.index):
            try:
                with student.quiet():
                    raw = TRACK_RUNNERS[name](ctx)
            except TrackSkipped as exc:
                reasons[name] = str(exc)
                continue
            except (Exception, SystemExit) as exc:
                reasons[name] = f"failed: {student.describe_exception(exc)}"
                continue
            metrics = {key: round_sig(float(value)) for key, value in raw.items()}
            results[name] = {
                "metrics": metrics,
                "score": capstone_track_score(name, metrics, CAPSTONE_SUITE_VERSION),
            }
    ran = {name: track for name, track in results.items() if track is not None}
    implementations = _implementations(ctx, used)
    return {
        "result_version": RESULT_VERSION,
        "kind": "capstone",
        "suite_version": CAPSTONE_SUITE_VERSION,
        "backend": used,
        "created_at": iso_utc(now()),
        "client_version": __version__,
        "metrics": {},
        "tracks": results,
        "score": capstone_overall({n: t["score"] for n, t in ran.items()}) if ran else None,
        "system": sysinfo.collect(),
        "details": {
            "blas_threads": threads,
            "notes": notes,
            "not_run": reasons,
            "implementation": {name: implementations[name].as_dict() for name in ran},
            "inference_backend": {name: used for name in ran},
            "training_backend": ctx.training.get("by", "reference"),
            "training": {k: v for k, v in ctx.training.items() if k != "by"},
            "seconds": round(time.perf_counter() - started, 2),
            "settings": {
                "hidden": list(settings.hidden),
                "n_train": settings.n_train,
                "n_test": settings.n_test,
                "epochs": settings.epochs,
            },
        },
    }


def tiny_settings() -> CapstoneSettings:
    """A seconds-fast configuration for tests (not suite 1's figures)."""
    return replace(
        CapstoneSettings(),
        hidden=(32, 32),
        clusters_per_class=1,
        separation=8.0,
        n_train=600,
        n_test=200,
        epochs=4,
        finetune_epochs=1,
        latency_calls=30,
        throughput_batch=32,
        sparsities=(0.5, 0.8),
        keep_fractions=(0.5,),
        harness=HarnessSettings(warmup_ms=2, budget_ms=20, min_runs=5, floor_runs=3),
    )


def describe_metrics(track: str, metrics: dict) -> str:
    """One human line per track, from the stored metrics."""
    m = metrics
    if track == "accuracy":
        return (
            f"{m['accuracy_pct']:.1f}% held-out accuracy "
            f"({m['epochs']:.0f} epochs in {m['train_seconds']:.1f} s)"
        )
    if track == "speed":
        return (
            f"latency p50 {_us(m['latency_p50_ms'])}, p90 {_us(m['latency_p90_ms'])}, "
            f"p99 {_us(m['latency_p99_ms'])}; {m['throughput_sps']:,.0f} samples/s"
        )
    if track == "compression":
        return (
            f"{m['size_ratio']:.1f}x smaller ({m['sparsity_pct']:.0f}% pruned + int8), "
            f"{m['accuracy_drop_pct']:.1f} pts accuracy lost"
        )
    if track == "efficiency":
        return (
            f"{m['speedup']:.1f}x faster x {m['size_ratio']:.1f}x smaller "
            f"({m['hidden_kept_pct']:.0f}% of hidden units), "
            f"{m['accuracy_drop_pct']:.1f} pts accuracy lost"
        )
    return ", ".join(f"{k}={v}" for k, v in metrics.items())


def _us(ms: float) -> str:
    return f"{ms * 1000:.0f} µs" if ms < 1 else f"{ms:.2f} ms"
