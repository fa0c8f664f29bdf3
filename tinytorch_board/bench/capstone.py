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
from tinytorch_board.bench import sysinfo
from tinytorch_board.bench.baseline import blas_threads, plan_backend
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


@dataclass(frozen=True)
class CapstoneSettings:
    """Sizes of the capstone; the defaults are suite 1 (tests shrink them)."""

    features: int = 64
    classes: int = 10
    hidden: tuple[int, ...] = (256, 256)
    clusters_per_class: int = 4
    separation: float = 5.0
    n_train: int = 10000
    n_test: int = 2000
    epochs: int = 10
    batch_size: int = 64
    learning_rate: float = 2e-3
    finetune_epochs: int = 1
    latency_calls: int = 300
    throughput_batch: int = 256
    sparsities: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9)
    keep_fractions: tuple[float, ...] = (0.75, 0.5, 0.375, 0.25)
    harness: HarnessSettings = field(default_factory=lambda: HarnessSettings(budget_ms=800.0))
    seed: int = 2026


DEFAULT_SETTINGS = CapstoneSettings()


# --- data and model (numpy) ----------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    x_train: object
    y_train: object
    x_test: object
    y_test: object


def make_dataset(settings: CapstoneSettings) -> Dataset:
    """Gaussian clusters, several per class (so no straight line separates the classes).

    `clusters_per_class` centres per class at distance ~`separation` in `features`
    dimensions, unit noise around them, and 3% of labels flipped at random.
    """
    import numpy as np

    rng = np.random.default_rng(settings.seed)
    total = settings.n_train + settings.n_test
    n_centres = settings.classes * settings.clusters_per_class
    centres = rng.standard_normal((n_centres, settings.features))
    centres *= settings.separation / np.sqrt(settings.features)
    component = rng.integers(0, n_centres, total)
    x = (centres[component] + rng.standard_normal((total, settings.features))).astype(np.float32)
    y = component % settings.classes
    flip = rng.random(total) < 0.03
    y[flip] = rng.integers(0, settings.classes, int(flip.sum()))
    n = settings.n_train
    return Dataset(x[:n], y[:n].astype(np.int64), x[n:], y[n:].astype(np.int64))


Params = list  # [(W, b), ...] float32 numpy arrays, W shaped (in, out)


def init_params(settings: CapstoneSettings, seed: int | None = None) -> Params:
    import numpy as np

    rng = np.random.default_rng(settings.seed + 1 if seed is None else seed)
    sizes = (settings.features, *settings.hidden, settings.classes)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        w = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
        params.append((w.astype(np.float32), np.zeros(fan_out, dtype=np.float32)))
    return params


def forward_numpy(params: Params, x):
    import numpy as np

    for index, (w, b) in enumerate(params):
        x = x @ w + b
        if index < len(params) - 1:
            x = np.maximum(x, 0)
    return x


def accuracy_of(logits, labels) -> float:
    import numpy as np

    return float(np.mean(np.argmax(logits, axis=1) == labels))


def train(
    params: Params,
    data: Dataset,
    epochs: int,
    settings: CapstoneSettings,
    learning_rate: float | None = None,
    on_epoch: Callable[[int], None] | None = None,
    masks: list | None = None,
) -> Params:
    """Mini-batch Adam on softmax cross-entropy; deterministic for a seed.

    `masks` (one 0/1 array per weight matrix) keeps pruned weights at zero.
    """
    import numpy as np

    lr = settings.learning_rate if learning_rate is None else learning_rate
    rng = np.random.default_rng(settings.seed + 2)
    params = [(w.copy(), b.copy()) for w, b in params]
    moments = [[np.zeros_like(p) for p in layer] for layer in params]
    squares = [[np.zeros_like(p) for p in layer] for layer in params]
    beta1, beta2, eps, step = 0.9, 0.999, 1e-8, 0
    n = len(data.y_train)
    for epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, settings.batch_size):
            batch = order[start : start + settings.batch_size]
            x, y = data.x_train[batch], data.y_train[batch]
            grads = _gradients(params, x, y)
            step += 1
            for i, layer_grads in enumerate(grads):
                updated = []
                for j, grad in enumerate(layer_grads):
                    moments[i][j] = beta1 * moments[i][j] + (1 - beta1) * grad
                    squares[i][j] = beta2 * squares[i][j] + (1 - beta2) * grad * grad
                    m_hat = moments[i][j] / (1 - beta1**step)
                    v_hat = squares[i][j] / (1 - beta2**step)
                    value = params[i][j] - lr * m_hat / (np.sqrt(v_hat) + eps)
                    updated.append(value.astype(np.float32))
                if masks is not None:
                    updated[0] = updated[0] * masks[i]
                params[i] = tuple(updated)
        if on_epoch:
            on_epoch(epoch + 1)
    return params


def _gradients(params: Params, x, y) -> list[tuple]:
    import numpy as np

    inputs, pre = [], []
    h = x
    for index, (w, b) in enumerate(params):
        inputs.append(h)
        z = h @ w + b
        pre.append(z)
        h = np.maximum(z, 0) if index < len(params) - 1 else z
    logits = h - h.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    probs[np.arange(len(y)), y] -= 1.0
    grad = probs / len(y)
    grads = []
    for index in range(len(params) - 1, -1, -1):
        w, _ = params[index]
        grads.append((inputs[index].T @ grad, grad.sum(axis=0)))
        if index:
            grad = (grad @ w.T) * (pre[index - 1] > 0)
    return grads[::-1]


# --- compression (numpy) -------------------------------------------------------------


def quantize_int8(w):
    """Symmetric per-output-channel int8 weights, returned dequantized (what inference uses)."""
    import numpy as np

    scale = np.max(np.abs(w), axis=0) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(w / scale), -127, 127)
    return (q * scale).astype(np.float32)


def magnitude_prune(params: Params, sparsity: float) -> Params:
    """Zero the smallest-magnitude fraction of each weight matrix (biases kept)."""
    import numpy as np

    pruned = []
    for w, b in params:
        k = int(round(sparsity * w.size))
        if k <= 0:
            pruned.append((w.copy(), b))
            continue
        threshold = np.partition(np.abs(w).ravel(), k - 1)[k - 1]
        pruned.append((np.where(np.abs(w) > threshold, w, 0).astype(np.float32), b))
    return pruned


def fp32_bytes(params: Params) -> int:
    return sum(4 * (w.size + b.size) for w, b in params)


def int8_bytes(params: Params, sparse: bool) -> int:
    """Storage of int8 weights (+ a 1-bit mask when sparse), fp32 per-channel scales and biases."""
    import numpy as np

    total = 0
    for w, b in params:
        if sparse:
            total += int(np.count_nonzero(w)) + (w.size + 7) // 8
        else:
            total += w.size
        total += 4 * w.shape[1] + 4 * b.size
    return total


def structured_prune(params: Params, keep: float) -> Params:
    """Remove the least important hidden units (|in| x |out| weight norms), keeping `keep`."""
    import numpy as np

    params = [(w.copy(), b.copy()) for w, b in params]
    for layer in range(len(params) - 1):
        w, b = params[layer]
        w_next, b_next = params[layer + 1]
        importance = np.linalg.norm(w, axis=0) * np.linalg.norm(w_next, axis=1)
        kept = int(max(1, round(keep * w.shape[1])))
        index = np.sort(np.argsort(importance)[::-1][:kept])
        params[layer] = (np.ascontiguousarray(w[:, index]), b[index].copy())
        params[layer + 1] = (np.ascontiguousarray(w_next[index, :]), b_next)
    return params


# --- inference backends --------------------------------------------------------------


@dataclass
class Runner:
    """Runs a model's forward pass on one backend; inputs are converted outside timing."""

    backend: str
    prepare_input: Callable[[object], object]
    forward: Callable[[object], object]
    to_numpy: Callable[[object], object]


def numpy_runner(params: Params) -> Runner:
    return Runner("numpy", lambda x: x, lambda x: forward_numpy(params, x), lambda out: out)


def student_runner(package, params: Params) -> Runner:
    from tinytorch_board.bench import student

    tensor, linear, relu_type = (package.pieces[p] for p in ("Tensor", "Linear", "ReLU"))
    layers = [student.make_linear(linear, tensor, w, b) for w, b in params]
    relu = relu_type()

    def forward(x):
        for index, layer in enumerate(layers):
            x = student._call_layer(layer, x)
            if index < len(layers) - 1:
                x = student._call_layer(relu, x)
        return x

    return Runner("tinytorch", tensor, forward, student.to_array)


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
    trained: Params | None = None
    base_accuracy: float | None = None
    train_seconds: float | None = None

    def trained_model(self) -> Params:
        if self.trained is None:
            import numpy as np

            start = time.perf_counter()
            epochs = self.settings.epochs
            self.trained = train(
                init_params(self.settings),
                self.data,
                epochs,
                self.settings,
                on_epoch=lambda e: self.progress(
                    f"Training the reference MLP (epoch {e}/{epochs})"
                ),
            )
            self.train_seconds = time.perf_counter() - start
            if not all(np.all(np.isfinite(w)) for w, _ in self.trained):
                raise TrackSkipped("training diverged (non-finite weights)")
            self.base_accuracy = self.evaluate(self.trained)
        return self.trained

    def evaluate(self, params: Params) -> float:
        runner = self.make_runner(params)
        out = runner.forward(runner.prepare_input(self.data.x_test))
        return accuracy_of(runner.to_numpy(out), self.data.y_test)


def _accuracy_track(ctx: _Context) -> dict:
    ctx.trained_model()
    return {
        "accuracy_pct": 100 * ctx.base_accuracy,
        "epochs": ctx.settings.epochs,
        "train_samples": ctx.settings.n_train,
        "test_samples": ctx.settings.n_test,
        "train_seconds": ctx.train_seconds,
    }


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
    chosen = (0.0, [(quantize_int8(w), b) for w, b in params])
    chosen_accuracy = ctx.evaluate(chosen[1])
    for sparsity in ctx.settings.sparsities:
        ctx.progress(f"Compressing: int8 + {sparsity:.0%} pruning, fine-tuning")
        pruned = magnitude_prune(current, sparsity)
        masks = [(w != 0).astype(w.dtype) for w, _ in pruned]
        tuned = train(
            pruned,
            ctx.data,
            ctx.settings.finetune_epochs,
            ctx.settings,
            learning_rate=ctx.settings.learning_rate / 2,
            masks=masks,
        )
        compressed = [(quantize_int8(w), b) for w, b in tuned]
        accuracy = ctx.evaluate(compressed)
        if 100 * (base - accuracy) > ACCURACY_DROP_ALLOWED_PCT:
            break
        current, chosen, chosen_accuracy = tuned, (sparsity, compressed), accuracy
    sparsity, compressed = chosen
    original = fp32_bytes(params)
    stored = int8_bytes(compressed, sparse=sparsity > 0)
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
        small = [(quantize_int8(w), b) for w, b in small]
        accuracy = ctx.evaluate(small)
        if chosen is None or 100 * (base - accuracy) <= ACCURACY_DROP_ALLOWED_PCT:
            chosen = (keep, small, accuracy)
        else:
            break
    keep, small, accuracy = chosen
    ctx.progress("Efficiency: timing the original and the compressed model")
    batch = ctx.data.x_test[: ctx.settings.throughput_batch]
    dense_ms = batch_ms(ctx.make_runner(params), batch, ctx.settings.harness)
    small_ms = batch_ms(ctx.make_runner(small), batch, ctx.settings.harness)
    return {
        "speedup": dense_ms / small_ms,
        "size_ratio": fp32_bytes(params) / int8_bytes(small, sparse=False),
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


def _choose_runner(backend: str, root: Path | None, settings: CapstoneSettings, data: Dataset):
    """(make_runner, backend used, notes): the student's forward pass when it agrees with numpy."""
    from tinytorch_board.bench import student

    if backend == "numpy":
        return numpy_runner, "numpy", []
    plan = plan_backend("auto" if backend == "auto" else "tinytorch", root)
    if plan.backend != "tinytorch":
        return numpy_runner, "numpy", plan.notes
    probe = plan.probe
    problem = probe.metrics.get("forward_pass") if probe is not None else None
    if problem or (probe is not None and "forward_pass" not in probe.metrics):
        why = problem or "; ".join(f"{k}: {v}" for k, v in probe.problems.items())
        return numpy_runner, "numpy", [f"your forward pass was not used ({why}); numpy ran it"]
    package = student.load_package(root)
    if package.import_error:
        return numpy_runner, "numpy", [f"your tinytorch was not used: {package.import_error}"]
    params = init_params(settings)
    try:
        with student.quiet():
            runner = student_runner(package, params)
            out = runner.to_numpy(runner.forward(runner.prepare_input(data.x_test[:64])))
        problem = student.compare("forward pass", forward_numpy(params, data.x_test[:64]), out)
    except (Exception, SystemExit) as exc:
        problem = f"your forward pass raised {student.describe_exception(exc)}"
    if problem:
        return numpy_runner, "numpy", [f"{problem}; numpy ran the capstone model instead"]
    return (lambda p: student_runner(package, p)), "tinytorch", []


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
    from tinytorch_board.bench import student

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
        make_runner, used, notes = _choose_runner(backend, project_root, settings, data)
        ctx = _Context(settings, data, make_runner, progress)
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
            "inference_backend": {name: used for name in ran},
            "training_backend": "numpy",
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
