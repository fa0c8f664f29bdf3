"""Capstone data and training: the synthetic problem, the MLP, numpy training.

A deterministic 10-class problem made of Gaussian clusters, four per class (a linear
model gets about 73%, the MLP about 91%), and a 64-256-256-10 ReLU MLP trained with
Adam in numpy: the reference the student's own training is checked against and falls
back to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tinytorch_board.bench.harness import HarnessSettings


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
    # Seconds the student's own training may take (its steps are sized from a measured
    # step); the rest of the capstone keeps the whole run within a minute on looped code.
    student_train_budget_s: float = 15.0
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
    max_steps: int | None = None,
) -> Params:
    """Mini-batch Adam on softmax cross-entropy; deterministic for a seed.

    `masks` (one 0/1 array per weight matrix) keeps pruned weights at zero; `max_steps`
    stops early (a fallback for the student's training gets no more steps than their
    code's speed would have allowed).
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
            if max_steps is not None and step >= max_steps:
                break
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
