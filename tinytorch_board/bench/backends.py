"""Backends: who performs the baseline operations (numpy reference or the student's code).

A backend turns the suite's numpy inputs into zero-argument callables, one per metric.
The harness times those callables; the backend never sees the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# How the learner-facing lines name each metric ("your matmul is 3.1x slower than numpy").
OPERATION_NAMES = {
    "tensor_ops": "tensor ops",
    "matmul": "matmul",
    "forward_pass": "forward pass (Linear + ReLU)",
}


@dataclass
class BaselineInputs:
    """Deterministic float32 inputs shared by every backend."""

    a: object  # (100, 100)
    b: object  # (100, 100)
    x: object  # (1, 784)
    w1: object  # (784, 128)
    b1: object  # (128,)
    w2: object  # (128, 10)
    b2: object  # (10,)

    @classmethod
    def make(cls, seed: int = 0) -> BaselineInputs:
        import numpy as np

        rng = np.random.default_rng(seed)

        def f32(*shape: int) -> np.ndarray:
            return rng.standard_normal(shape).astype(np.float32)

        return cls(
            a=f32(100, 100),
            b=f32(100, 100),
            x=f32(1, 784),
            w1=f32(784, 128) * np.float32(0.05),
            b1=f32(128) * np.float32(0.1),
            w2=f32(128, 10) * np.float32(0.1),
            b2=f32(10) * np.float32(0.1),
        )


@dataclass
class PreparedBaseline:
    """What a backend offers for the baseline: a callable per metric, plus notes.

    `failures` holds, per metric the backend cannot run correctly, the reason why
    (missing piece, exception, wrong answer); those metrics are not timed or scored.
    """

    backend: str
    operations: dict[str, Callable[[], object]]
    notes: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)


def numpy_baseline(inputs: BaselineInputs) -> PreparedBaseline:
    """The reference implementation every score is measured against."""
    import numpy as np

    a, b, x = inputs.a, inputs.b, inputs.x
    w1, b1, w2, b2 = inputs.w1, inputs.b1, inputs.w2, inputs.b2

    def tensor_ops() -> object:
        return ((a + b) * b).sum()

    def matmul() -> object:
        return a @ b

    def forward_pass() -> object:
        return np.maximum(x @ w1 + b1, 0) @ w2 + b2

    return PreparedBaseline(
        "numpy", {"tensor_ops": tensor_ops, "matmul": matmul, "forward_pass": forward_pass}
    )
