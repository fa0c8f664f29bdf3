"""Fake student tinytorch packages written to temp dirs, for the benchmark tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

TENSOR = """
import numpy as np


class Tensor:
    def __init__(self, data, requires_grad=False):
        self.data = np.array(data, dtype=np.float32)
        self.requires_grad = requires_grad

    @property
    def shape(self):
        return self.data.shape

    def _wrap(self, other):
        return other.data if isinstance(other, Tensor) else other

    def __add__(self, other):
        {slow}return Tensor(self.data + self._wrap(other))

    def __mul__(self, other):
        {slow}return Tensor(self.data * self._wrap(other))

    def sum(self):
        {slow}return Tensor(self.data.sum())

    def matmul(self, other):
        {slow}return Tensor({matmul})
"""

LAYERS = """
import numpy as np

from tinytorch.core.tensor import Tensor


class Linear:
    def __init__(self, in_features, out_features):
        self.weight = Tensor(np.random.randn(in_features, out_features))
        self.bias = Tensor(np.zeros(out_features))

    def forward(self, x):
        return x.matmul(self.weight) + self.bias

    def __call__(self, x):
        return self.forward(x)
"""

ACTIVATIONS = """
import numpy as np

from tinytorch.core.tensor import Tensor


class ReLU:
    def forward(self, x):
        return Tensor(np.maximum(x.data, 0))

    def __call__(self, x):
        return self.forward(x)
"""

INIT = """
print("Welcome to TinyTorch!")  # students' packages print banners; --json must survive it
from tinytorch.core.tensor import Tensor
try:
    from tinytorch.core.layers import Linear
except ImportError:
    Linear = None
try:
    from tinytorch.core.activations import ReLU
except ImportError:
    ReLU = None
"""

# A PyTorch-flavoured variant: weights stored (out, in), only `@`, layers not callable.
TORCHLIKE = """
import numpy as np


class Tensor:
    def __init__(self, data):
        self._values = np.asarray(data, dtype=np.float64)

    @property
    def data(self):
        return self._values

    def __add__(self, other):
        return Tensor(self._values + (other.data if isinstance(other, Tensor) else other))

    def __mul__(self, other):
        return Tensor(self._values * (other.data if isinstance(other, Tensor) else other))

    def __matmul__(self, other):
        return Tensor(self._values @ other.data)

    def sum(self):
        return float(self._values.sum())


class Linear:
    def __init__(self, in_features, out_features):
        self.weight = Tensor(np.zeros((out_features, in_features)))
        self.bias = Tensor(np.zeros(out_features))

    def forward(self, x):
        return Tensor(x.data @ self.weight.data.T + self.bias.data)


class ReLU:
    def forward(self, x):
        return Tensor(np.maximum(x.data, 0))
"""


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def write_student(root: Path, variant: str = "complete") -> Path:
    """Write a tinytorch package of the given variant under root; return root."""
    package = root / "tinytorch"
    if variant == "torchlike":
        _write(package / "__init__.py", TORCHLIKE)
        return root
    if variant == "broken":
        _write(package / "__init__.py", "import numpy\nfrom .core.tensro import Tensor\n")
        return root
    if variant == "exits":
        _write(package / "__init__.py", "import sys\nsys.exit('bye')\n")
        return root
    if variant == "crash":
        _write(package / "__init__.py", "import os\nos._exit(3)\n")
        return root
    if variant == "hang":
        _write(package / "__init__.py", "while True:\n    pass\n")
        return root
    slow = "import time; time.sleep(0.0005); " if variant == "slow" else ""
    matmul = "self.data * other.data" if variant == "wrong" else "self.data @ other.data"
    _write(package / "__init__.py", INIT)
    _write(package / "core" / "__init__.py", "")
    _write(package / "core" / "tensor.py", TENSOR.format(slow=slow, matmul=matmul))
    if variant != "partial":
        _write(package / "core" / "layers.py", LAYERS)
        _write(package / "core" / "activations.py", ACTIVATIONS)
    else:
        _write(package / "core" / "layers.py", "raise ImportError('Linear: TODO')\n")
    (root / ".tito").mkdir(parents=True, exist_ok=True)
    return root


REFERENCE_FIXTURE = Path(__file__).parent / "fixtures" / "tinytorch_reference"
VECTORIZED_MATMUL = """        return Tensor(np.matmul(a, b))
"""


def reference_package(
    root: Path,
    *,
    vectorized_matmul: bool = False,
    missing: str | None = None,
    noop_optimizer: bool = False,
) -> Path:
    """Copy the reference-like fixture package to root/tinytorch and vary it.

    vectorized_matmul: the looped 2-D matmul becomes one numpy call (what the
    acceleration module teaches). missing: a module path under tinytorch/ to delete
    ("core/activations.py"), so the package fails at import. noop_optimizer: SGD and
    Adam's step() do nothing.
    """
    import shutil

    target = Path(root) / "tinytorch"
    shutil.copytree(REFERENCE_FIXTURE / "tinytorch", target)
    if vectorized_matmul:
        tensor = target / "core" / "tensor.py"
        text = tensor.read_text()
        begin, end = text.index("        # MATMUL-BEGIN"), text.index("        # MATMUL-END")
        tensor.write_text(text[:begin] + VECTORIZED_MATMUL + text[end:])
    if missing:
        (target / missing).unlink()
    if noop_optimizer:
        optimizers = target / "core" / "optimizers.py"
        text = optimizers.read_text().replace(
            "    def step(self):\n", "    def step(self):\n        return None\n"
        )
        optimizers.write_text(text)
    return Path(root)
