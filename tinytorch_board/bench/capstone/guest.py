"""The student's own code in the capstone: forward pass, training, quantizer.

Each piece is discovered (module layouts differ by release), checked against the numpy
reference on a small case first, and used only when it agrees; otherwise the reference
runs and the reason is recorded. Every call into the student's code goes through
`student.guest` (prints captured, a time limit), and the work is sized from the
student's measured speed so looped code still finishes within the capstone's budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tinytorch_board.bench import student
from tinytorch_board.bench.capstone.model import (
    CapstoneSettings,
    Dataset,
    Params,
    _gradients,
    forward_numpy,
)

# Where a finished package keeps each piece, by release (discover, never assume one).
CORE = ("tinytorch", "tinytorch.core.losses", "tinytorch.core.optimizers", "tinytorch.core.optim")
QUANTIZATION = (
    "tinytorch",
    "tinytorch.optimization.quantization",
    "tinytorch.perf.quantization",
    "tinytorch.core.quantization",
    "tinytorch.quantization",
)
PRUNING = (
    "tinytorch",
    "tinytorch.optimization.compression",
    "tinytorch.perf.compression",
    "tinytorch.core.compression",
    "tinytorch.compression",
)
LAYERS = ("tinytorch", "tinytorch.core.layers", "tinytorch.nn")
CHECK_BATCH = 16
GRAD_RTOL = 1e-2  # float32 autograd against float64-free numpy: loose but telling
CALL_LIMIT_S = 20.0


@dataclass
class Implementation:
    """Which implementation ran a track, and why (recorded in the result)."""

    implementation: str  # "tinytorch" or "reference"
    reason: str

    def as_dict(self) -> dict:
        return {"implementation": self.implementation, "reason": self.reason}


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
    tensor, linear, relu_type = (package.pieces[p] for p in ("Tensor", "Linear", "ReLU"))
    layers = [student.make_linear(linear, tensor, w, b) for w, b in params]
    relu = relu_type()

    def forward(x):
        with student.quiet():
            for index, layer in enumerate(layers):
                x = student._call_layer(layer, x)
                if index < len(layers) - 1:
                    x = student._call_layer(relu, x)
            return x

    return Runner("tinytorch", tensor, forward, student.to_array)


# --- training --------------------------------------------------------------------------


@dataclass
class StudentTrainer:
    """The student's Linear + ReLU + loss + autograd + optimizer, ready to train."""

    package: object
    loss_type: type
    optimizer_type: type
    optimizer_name: str
    where: dict[str, str] = field(default_factory=dict)

    def build(self, params: Params, learning_rate: float):
        tensor, linear = self.package.pieces["Tensor"], self.package.pieces["Linear"]
        layers = [student.make_linear(linear, tensor, w, b) for w, b in params]
        tensors = [t for layer in layers for t in layer_tensors(layer)]
        for value in tensors:
            value.requires_grad = True  # one release leaves it off until training
        kwargs = {"lr": learning_rate}
        optimizer = self.optimizer_type(tensors, **kwargs)
        return layers, tensors, optimizer, self.loss_type()

    def step(self, layers, optimizer, loss_fn, x, y) -> float:
        optimizer.zero_grad()
        loss = self.backward(layers, loss_fn, x, y)
        optimizer.step()
        return float(student.to_array(loss).reshape(-1)[0])

    def backward(self, layers, loss_fn, x, y):
        """Forward through the student's layers (ReLU between them), the loss, and its
        backward pass; the loss Tensor. No optimizer step."""
        tensor, relu = self.package.pieces["Tensor"], self.package.pieces["ReLU"]()
        out = tensor(x)
        for index, layer in enumerate(layers):
            out = student._call_layer(layer, out)
            if index < len(layers) - 1:
                out = student._call_layer(relu, out)
        try:
            loss = loss_fn(out, tensor(y))
        except (TypeError, ValueError, IndexError):
            loss = loss_fn(out, y)
        loss.backward()
        return loss


def layer_tensors(layer) -> list:
    """A student Linear's weight and bias Tensors (names vary: weight/weights/W, bias/b)."""
    out = []
    for names in (("weight", "weights", "W"), ("bias", "b")):
        value = next((getattr(layer, n) for n in names if hasattr(layer, n)), None)
        if value is None:
            raise student.StudentCodeError(f"{type(layer).__name__} has no {names[0]}")
        out.append(value)
    return out


def weights_of(tensors: list, params: Params) -> Params:
    """Read the trained weights back, in our (in, out) layout."""
    import numpy as np

    out = []
    for index, (w, b) in enumerate(params):
        weight = student.to_array(tensors[2 * index]).astype(np.float32)
        if weight.shape != w.shape and weight.T.shape == w.shape:
            weight = np.ascontiguousarray(weight.T)
        bias = student.to_array(tensors[2 * index + 1]).astype(np.float32).reshape(b.shape)
        out.append((weight, bias))
    return out


def find_trainer(package) -> tuple[StudentTrainer | None, str]:
    """The student's training pieces, or None and what is missing."""
    missing = [p for p in ("Tensor", "Linear", "ReLU") if p not in package.pieces]
    if missing:
        return None, "; ".join(f"{p}: {package.problems.get(p, 'not found')}" for p in missing)
    loss = student.find_attribute(("CrossEntropyLoss",), CORE)
    if loss is None:
        return None, "no CrossEntropyLoss found (module 04, Losses, adds it)"
    optimizer = student.find_attribute(("Adam",), CORE) or student.find_attribute(("SGD",), CORE)
    if optimizer is None:
        return None, "no Adam or SGD optimizer found (module 06, Optimizers, adds it)"
    name = optimizer[1].rsplit(".", 1)[-1]
    trainer = StudentTrainer(package, loss[0], optimizer[0], name)
    trainer.where = {"loss": loss[1], "optimizer": optimizer[1]}
    return trainer, ""


def check_trainer(
    trainer: StudentTrainer, params: Params, data: Dataset, settings: CapstoneSettings
) -> tuple[str | None, float]:
    """One training step on a small batch, against numpy: (problem or None, step seconds).

    The loss's gradients (autograd) must match numpy's, and the optimizer's step must
    move the weights the way its rule says (SGD: -lr*g; Adam's first step: about
    -lr*sign(g)).
    """
    import numpy as np

    x, y = data.x_train[:CHECK_BATCH], data.y_train[:CHECK_BATCH]
    lr = settings.learning_rate
    expected = _gradients(params, x, y)
    start = time.perf_counter()
    try:
        with student.guest(CALL_LIMIT_S):
            layers, tensors, optimizer, loss_fn = trainer.build(params, lr)
            before = [student.to_array(t).copy() for t in tensors]
            # Gradients first (backward without the step), then the step on its own.
            optimizer.zero_grad()
            trainer.backward(layers, loss_fn, x, y)
            grads = [t.grad for t in tensors]
            optimizer.step()
            after = [student.to_array(t) for t in tensors]
    except (Exception, SystemExit) as exc:
        return f"a training step raised {student.describe_exception(exc)}", 0.0
    seconds = time.perf_counter() - start
    flat = [g for layer in expected for g in layer]
    for index, (want, got) in enumerate(zip(flat, grads, strict=True)):
        label = f"layer {index // 2 + 1} {'weight' if index % 2 == 0 else 'bias'}"
        if got is None:
            return f"after loss.backward() your {label} has no .grad (autograd)", seconds
        got = student.to_array(got)
        if got.shape != want.shape and got.T.shape == want.shape:
            got = got.T
        problem = student.compare(f"gradient of the {label}", want, got)
        if problem:
            return f"{problem} (autograd)", seconds
    moved = [not np.allclose(a, b) for a, b in zip(after, before, strict=True)]
    if not any(moved):
        return f"your {trainer.optimizer_name}.step() left the weights unchanged", seconds
    for index, (old, new) in enumerate(zip(before, after, strict=True)):
        grad = student.to_array(grads[index])
        if grad.shape != old.shape:
            grad = grad.T
        step = new - old
        if trainer.optimizer_name == "SGD":
            ok = np.allclose(step, -lr * grad, rtol=1e-2, atol=lr * 1e-3 + 1e-7)
        else:  # Adam's first step: -lr * g / (|g| + eps), so -lr * sign(g) where |g| >> eps
            clear = np.abs(grad) > 1e-4
            ok = np.allclose(step[clear], -lr * np.sign(grad[clear]), rtol=1e-2, atol=lr * 0.02)
            ok = ok and bool(np.all(np.abs(step) <= lr * 1.02 + 1e-7))
        if not ok:
            want = -lr * (grad if trainer.optimizer_name == "SGD" else np.sign(grad))
            return (
                f"your {trainer.optimizer_name}.step() moved the weights differently from "
                f"its rule (largest difference {float(np.max(np.abs(step - want))):.3g})"
            ), seconds
    return None, seconds


def train_with_student(
    trainer: StudentTrainer,
    params: Params,
    data: Dataset,
    settings: CapstoneSettings,
    budget_s: float,
    step_seconds: float,
    on_progress: Callable[[str], None],
) -> tuple[Params, dict]:
    """Mini-batch training by the student's code, as many steps as fit in `budget_s`.

    Returns the trained weights and what ran (steps, epochs, samples, seconds).
    """
    import numpy as np

    batch = settings.batch_size
    per_epoch = -(-settings.n_train // batch)
    planned = settings.epochs * per_epoch
    # The check timed one small step; the loop re-measures as it goes and stops when
    # one more step would pass the budget (or when the suite's epochs are done).
    del step_seconds
    rng = np.random.default_rng(settings.seed + 2)
    started = time.perf_counter()
    done = 0

    def out_of_time() -> bool:
        spent = time.perf_counter() - started
        return done >= planned or (done and spent + spent / done > budget_s)

    with student.guest(budget_s * 2 + CALL_LIMIT_S):
        layers, tensors, optimizer, loss_fn = trainer.build(params, settings.learning_rate)
        while not out_of_time():
            order = rng.permutation(settings.n_train)
            for start in range(0, settings.n_train, batch):
                if out_of_time():
                    break
                index = order[start : start + batch]
                trainer.step(layers, optimizer, loss_fn, data.x_train[index], data.y_train[index])
                done += 1
                if done % 10 == 0:
                    on_progress(f"Training with your tinytorch (step {done})")
        trained = weights_of(tensors, params)
    return trained, {
        "train_steps": done,
        "epochs": round(done / per_epoch, 3),
        "train_samples": min(settings.n_train, done * batch),
        "train_seconds": time.perf_counter() - started,
    }


# --- quantization ----------------------------------------------------------------------


@dataclass
class StudentQuantizer:
    """The student's quantize_int8 (and dequantize_int8), adapted to numpy weights."""

    quantize: Callable
    dequantize: Callable | None
    where: str

    def __call__(self, tensor_type, w) -> tuple[object, int, int]:
        """(dequantized float32 weights, bytes per stored value, bytes of scale and zero
        point), all measured from what the student's code returned."""
        import numpy as np

        with student.guest(CALL_LIMIT_S):
            out = self.quantize(tensor_type(w))
            q, scale, zero_point = out if isinstance(out, tuple) else (out, None, None)
            stored = raw_array(q)
            if self.dequantize is not None:
                back = self.dequantize(q, scale, zero_point)
            else:
                back = (stored.astype(np.float64) - float(np.asarray(zero_point or 0))) * float(
                    np.asarray(student.to_array(scale)).reshape(-1)[0]
                )
        values = student.to_array(back).astype(np.float32).reshape(w.shape)
        extra = sum(raw_array(v).nbytes for v in (scale, zero_point) if v is not None)
        return values, int(stored.dtype.itemsize), int(extra)


def raw_array(value):
    """The numpy array behind a Tensor without converting its dtype (bytes are measured)."""
    import numpy as np

    seen = 0
    while not isinstance(value, np.ndarray) and hasattr(value, "data") and seen < 4:
        value = value.data
        seen += 1
    return np.asarray(value)


def find_quantizer(package) -> tuple[StudentQuantizer | None, str]:
    found = student.find_attribute(("quantize_int8",), QUANTIZATION)
    if found is None:
        return None, "no quantize_int8 found (module 15, Quantization, adds it)"
    back = student.find_attribute(("dequantize_int8",), QUANTIZATION)
    return StudentQuantizer(found[0], back[0] if back else None, found[1]), ""


def check_quantizer(quantizer: StudentQuantizer, package, params: Params) -> str | None:
    """Quantize one weight matrix: the dequantized values must be within one step of it."""
    import numpy as np

    w = params[-1][0]
    try:
        values, _, _ = quantizer(package.pieces["Tensor"], w)
    except (Exception, SystemExit) as exc:
        return f"your quantize_int8 raised {student.describe_exception(exc)}"
    step = 2 * float(np.max(np.abs(w))) / 255
    error = float(np.max(np.abs(values - w)))
    if not np.all(np.isfinite(values)) or error > step * 1.01 + 1e-6:
        return f"your quantize_int8 round trip is off by {error:.3g} (one int8 step is {step:.3g})"
    return None


# --- pruning ---------------------------------------------------------------------------


@dataclass
class StudentPruner:
    """The student's magnitude_prune(model, sparsity), run on a Sequential of their Linears."""

    prune: Callable
    sequential: type
    where: str

    def __call__(self, package, params: Params, sparsity: float) -> Params:
        tensor, linear = package.pieces["Tensor"], package.pieces["Linear"]
        layers = [student.make_linear(linear, tensor, w, b) for w, b in params]
        with student.guest(CALL_LIMIT_S):
            self.prune(self.sequential(*layers), sparsity)
        return weights_of([t for layer in layers for t in layer_tensors(layer)], params)


def find_pruner(package) -> tuple[StudentPruner | None, str]:
    found = student.find_attribute(("magnitude_prune",), PRUNING)
    if found is None:
        return None, "no magnitude_prune found (module 16, Compression, adds it)"
    sequential = student.find_attribute(("Sequential",), LAYERS)
    if sequential is None:
        return None, "no Sequential to hand your magnitude_prune a model (module 03, Layers)"
    return StudentPruner(found[0], sequential[0], found[1]), ""


def check_pruner(pruner: StudentPruner, package, params: Params, sparsity: float = 0.5):
    """Prune once: about the asked share of weights zeroed, the smallest ones (per layer or
    over the whole model), the kept ones unchanged. None when it is right."""
    import numpy as np

    try:
        pruned = pruner(package, params, sparsity)
    except (Exception, SystemExit) as exc:
        return f"your magnitude_prune raised {student.describe_exception(exc)}"
    total = sum(w.size for w, _ in params)
    zeros = sum(int(np.sum(p == 0)) for p, _ in pruned)
    if abs(zeros / total - sparsity) > 0.05:
        return (
            f"your magnitude_prune(model, {sparsity}) zeroed {100 * zeros / total:.0f}% "
            f"of the weights, not about {100 * sparsity:.0f}%"
        )
    dropped, kept = [], []
    for (w, _), (p, _) in zip(params, pruned, strict=True):
        if not np.allclose(p[p != 0], w[p != 0], rtol=1e-5, atol=1e-7):
            return "your magnitude_prune changed weights it kept"
        dropped.append(np.abs(w[p == 0]))
        kept.append(np.abs(w[p != 0]))
    per_layer = all(
        d.size == 0 or k.size == 0 or d.max() <= k.min() for d, k in zip(dropped, kept, strict=True)
    )
    everything_d, everything_k = np.concatenate(dropped), np.concatenate(kept)
    overall = (
        everything_d.size == 0 or everything_k.size == 0 or everything_d.max() <= everything_k.min()
    )
    if not (per_layer or overall):
        return "your magnitude_prune zeroed weights larger than some it kept"
    return None
