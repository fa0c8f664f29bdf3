"""The student's own tinytorch: find it, import it safely, adapt it, check its answers.

Students' packages are works in progress: a module may be missing, set to None by a
guarded import, fail to import, print banners, loop forever, or give wrong answers.
Everything here turns those into a one-line reason per piece instead of a crash.

Importing and calling untrusted-to-work code happens twice: first in a child process
with a timeout (`probe`), so an infinite loop or a hard crash (os._exit, segfault) in the
student's package cannot take the command down, then in this process for the timing.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.machinery
import importlib.util
import io
import json
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tinytorch_board.bench.backends import (
    OPERATION_NAMES,
    BaselineInputs,
    PreparedBaseline,
    numpy_baseline,
)

PACKAGE = "tinytorch"
# Where each piece may live, in the order we look. A value of None counts as missing.
PIECE_LOCATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "Tensor": (("tinytorch", "Tensor"), ("tinytorch.core.tensor", "Tensor")),
    "Linear": (
        ("tinytorch", "Linear"),
        ("tinytorch.core.layers", "Linear"),
        ("tinytorch.core.layers", "Dense"),
    ),
    "ReLU": (("tinytorch", "ReLU"), ("tinytorch.core.activations", "ReLU")),
}
PROBE_MARKER = "TINYTORCH_BOARD_PROBE "
PROBE_TIMEOUT_S = 30.0
MAX_CALL_S = 5.0  # one call slower than this is reported instead of timed
RTOL = 1e-3  # float32 answers computed in a different order (or in float64) still pass
ATOL_SCALE = 1e-4


class StudentCodeError(Exception):
    """The student's code raised, returned something unusable, or gave a wrong answer."""


@dataclass
class StudentPackage:
    """What importing the student's tinytorch gave us."""

    origin: str | None  # where the package was found, or None when absent
    pieces: dict[str, object] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # piece -> why it is unusable
    import_error: str | None = None

    @property
    def found(self) -> bool:
        return self.origin is not None

    def missing_summary(self) -> str:
        if self.import_error:
            return self.import_error
        return "; ".join(f"{name}: {why}" for name, why in self.problems.items())


def describe_exception(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text if len(text) <= 160 else text[:157] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def find_package(root: Path | None) -> str | None:
    """Where `import tinytorch` would come from (project root first), without running it."""
    try:
        if root is not None:
            spec = importlib.machinery.PathFinder.find_spec(PACKAGE, [str(root)])
            if spec is not None:
                return spec.origin or str(Path(root) / PACKAGE)
        spec = importlib.machinery.PathFinder.find_spec(PACKAGE, sys.path)
        if spec is not None:
            return spec.origin or PACKAGE
    except (ImportError, ValueError, OSError):
        return None
    return None


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Swallow the student's prints and warnings so --json output stays clean."""
    import numpy as np

    sink = io.StringIO()
    with (
        contextlib.redirect_stdout(sink),
        contextlib.redirect_stderr(sink),
        warnings.catch_warnings(),
        np.errstate(all="ignore"),
    ):
        warnings.simplefilter("ignore")
        yield


class GuestTimeout(Exception):
    """The student's code ran past its time limit (raised inside it, then caught)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the student's code after `seconds` (SIGALRM, main thread, POSIX only).

    Elsewhere the limit cannot be enforced from inside the process; callers also size
    the work from measured speed, so the limit is a guard, not the plan.
    """
    import signal
    import threading

    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def expire(_signum, _frame):
        raise GuestTimeout(f"your code ran longer than its {seconds:.0f} s limit")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def guest(seconds: float) -> Iterator[None]:
    """Call the student's code: prints and warnings captured, and a time limit."""
    with quiet(), time_limit(seconds):
        yield


def find_attribute(names: tuple[str, ...], modules: tuple[str, ...]) -> tuple[object, str] | None:
    """The first of `names` found in any of `modules` (imported quietly), with where.

    Module layouts differ by release (tinytorch.core.optimizers, tinytorch.optimization.
    quantization, tinytorch.perf.quantization, ...), so callers list candidates.
    """
    for module_name in modules:
        try:
            with quiet():
                module = importlib.import_module(module_name)
        except (Exception, SystemExit):
            continue
        for name in names:
            value = getattr(module, name, None)
            if callable(value):
                return value, f"{module_name}.{name}"
    return None


@contextlib.contextmanager
def project_on_path(root: Path | None) -> Iterator[None]:
    """Put the project root first on sys.path while the student's code is in use."""
    if root is None:
        yield
        return
    entry = str(root)
    sys.path.insert(0, entry)
    importlib.invalidate_caches()
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(entry)


def _forget_package() -> None:
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def load_package(root: Path | None) -> StudentPackage:
    """Import the student's tinytorch (root must already be on sys.path) and find its pieces.

    Never raises: every failure becomes a reason in the returned StudentPackage.
    """
    origin = find_package(root)
    package = StudentPackage(origin)
    if origin is None:
        where = f" in {root}" if root is not None else ""
        package.import_error = f"no tinytorch package found{where} or on the Python path"
        return package
    _forget_package()
    try:
        with quiet():
            importlib.import_module(PACKAGE)
    except (Exception, SystemExit) as exc:
        package.import_error = f"`import tinytorch` failed ({describe_exception(exc)})"
        return package
    for piece, locations in PIECE_LOCATIONS.items():
        reasons = []
        for module_name, attribute in locations:
            try:
                with quiet():
                    module = importlib.import_module(module_name)
            except (Exception, SystemExit) as exc:
                reasons.append(f"{module_name} failed to import ({describe_exception(exc)})")
                continue
            value = getattr(module, attribute, None)
            if value is None:
                reasons.append(f"{module_name}.{attribute} is missing")
                continue
            if not callable(value):
                reasons.append(f"{module_name}.{attribute} is not a class")
                continue
            package.pieces[piece] = value
            break
        else:
            package.problems[piece] = _first_useful(reasons)
    return package


# Names in a package path that are not the curriculum module's slug.
_MODULE_ALIASES = {
    "loader": "dataloader",
    "data": "dataloader",
    "profiler": "profiling",
    "benchmark": "benchmarking",
    "olympics": "capstone",
    "competition": "capstone",
    "submit": "capstone",
    "optimizer": "optimizers",
    "trainer": "training",
    "dense": "layers",
}
_PIECE_MODULES = {"Tensor": "tensor", "Linear": "layers", "ReLU": "activations"}


def module_for(text: str) -> dict | None:
    """The curriculum module behind a failure text ('No module named tinytorch.core.x').

    Returns {"package": "tinytorch.core.activations", "module": "02", "title":
    "Activations"} or None when the text names no tinytorch module or piece.
    """
    import re

    from tinytorch_board.curriculum import MODULES

    by_slug = {m.slug: m for m in MODULES}
    for dotted in re.findall(r"tinytorch(?:\.[A-Za-z_][A-Za-z0-9_]*)+", text or ""):
        parts = dotted.split(".")
        for index in range(len(parts) - 1, 0, -1):
            slug = _MODULE_ALIASES.get(parts[index], parts[index])
            if slug in by_slug:
                m = by_slug[slug]
                return {"package": ".".join(parts[: index + 1]), "module": m.id, "title": m.title}
    for piece, slug in _PIECE_MODULES.items():
        if re.search(rf"\b{piece}\b", text or ""):
            m = by_slug[slug]
            return {"package": piece, "module": m.id, "title": m.title}
    return None


def with_module_hint(text: str) -> str:
    """`text`, plus which TinyTorch module adds the missing piece when one is named."""
    found = module_for(text)
    if found is None:
        return text
    return f"{text} (module {found['module']}, {found['title']}, adds {found['package']})"


def _first_useful(reasons: list[str]) -> str:
    """An import failure explains more than 'missing', so it is the one we report."""
    for reason in reasons:
        if "failed to import" in reason:
            return reason
    return reasons[0] if reasons else "not found"


# --- adapting the student's API ------------------------------------------------------


def to_array(value: object):
    """The numpy array behind a student's Tensor (or an array, or a number)."""
    import numpy as np

    seen = 0
    while not isinstance(value, np.ndarray) and hasattr(value, "data") and seen < 4:
        value = value.data
        seen += 1
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise StudentCodeError(
            f"returned a {type(value).__name__}, not a tensor or array ({exc})"
        ) from None


def _call_layer(layer: object, x: object) -> object:
    if callable(layer):
        return layer(x)
    forward = getattr(layer, "forward", None)
    if callable(forward):
        return forward(x)
    raise StudentCodeError(f"{type(layer).__name__} is neither callable nor has .forward")


def matmul_of(tensor_type: type) -> Callable[[object, object], object]:
    """`a.matmul(b)` when the Tensor has it, else `a @ b`."""
    if callable(getattr(tensor_type, "matmul", None)):
        return lambda a, b: a.matmul(b)
    if callable(getattr(tensor_type, "__matmul__", None)):
        return lambda a, b: a @ b
    raise StudentCodeError("Tensor has neither .matmul nor the @ operator")


def _set_parameter(layer: object, names: tuple[str, ...], value, tensor_type: type) -> None:
    """Replace a layer's weight or bias with our deterministic values, in its own layout."""
    import numpy as np

    for name in names:
        if not hasattr(layer, name):
            continue
        current = getattr(layer, name)
        target = value
        if current is not None:
            try:
                shape = tuple(to_array(current).shape)
            except StudentCodeError:
                shape = None
            if shape == tuple(value.T.shape) and shape != tuple(value.shape):
                target = np.ascontiguousarray(value.T)  # stored (out, in), PyTorch style
        setattr(layer, name, tensor_type(target))
        return
    raise StudentCodeError(f"{type(layer).__name__} has no attribute {' or '.join(names)}")


def make_linear(linear_type: type, tensor_type: type, weight, bias) -> object:
    """A student Linear of the right size holding our weights."""
    in_features, out_features = weight.shape
    layer = linear_type(in_features, out_features)
    _set_parameter(layer, ("weight", "weights", "W"), weight, tensor_type)
    _set_parameter(layer, ("bias", "b"), bias, tensor_type)
    return layer


def build_operations(
    package: StudentPackage, inputs
) -> tuple[dict[str, Callable[[], object]], dict[str, str]]:
    """Zero-argument callables for the baseline metrics, and why others cannot run."""
    ops: dict[str, Callable[[], object]] = {}
    failures: dict[str, str] = {}
    tensor = package.pieces.get("Tensor")
    if tensor is None:
        why = package.import_error or f"Tensor: {package.problems.get('Tensor', 'not found')}"
        return {}, {name: why for name in ("tensor_ops", "matmul", "forward_pass")}

    def attempt(name: str, build: Callable[[], Callable[[], object]]) -> None:
        try:
            with quiet():
                ops[name] = build()
        except (Exception, SystemExit) as exc:
            failures[name] = f"setting up failed ({_reason(exc)})"

    def build_tensor_ops():
        a, b = tensor(inputs.a), tensor(inputs.b)
        return lambda: ((a + b) * b).sum()

    def build_matmul():
        mm = matmul_of(tensor)
        a, b = tensor(inputs.a), tensor(inputs.b)
        return lambda: mm(a, b)

    def build_forward():
        l1 = make_linear(package.pieces["Linear"], tensor, inputs.w1, inputs.b1)
        l2 = make_linear(package.pieces["Linear"], tensor, inputs.w2, inputs.b2)
        relu = package.pieces["ReLU"]()
        x = tensor(inputs.x)
        return lambda: _call_layer(l2, _call_layer(relu, _call_layer(l1, x)))

    attempt("tensor_ops", build_tensor_ops)
    attempt("matmul", build_matmul)
    missing = [p for p in ("Linear", "ReLU") if p not in package.pieces]
    if missing:
        failures["forward_pass"] = "; ".join(f"{p}: {package.problems[p]}" for p in missing)
    else:
        attempt("forward_pass", build_forward)
    return ops, failures


def _reason(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, StudentCodeError) else describe_exception(exc)


def compare(label: str, expected, actual) -> str | None:
    """None when the student's answer matches numpy's, else what is wrong, in one line."""
    import numpy as np

    expected = np.asarray(expected, dtype=np.float64)
    if expected.size == 1 and actual.size == 1:
        actual = actual.reshape(expected.shape)
    if actual.shape != expected.shape:
        return f"your {label} returned shape {actual.shape}; numpy gives {expected.shape}"
    if not np.all(np.isfinite(actual)):
        return f"your {label} returned NaN or infinite values"
    scale = float(np.max(np.abs(expected))) if expected.size else 1.0
    allowed = ATOL_SCALE * max(1.0, scale) + RTOL * np.abs(expected)
    diff = np.abs(actual - expected)
    if np.all(diff <= allowed):
        return None
    return (
        f"your {label} differs from numpy by {float(np.max(diff)):.3g} "
        f"(largest difference; about {float(np.max(allowed)):.2g} is allowed)"
    )


def check_operation(label: str, op: Callable[[], object], expected) -> tuple[str | None, float]:
    """Run op once: (problem or None, seconds the call took)."""
    start = time.perf_counter()
    try:
        with quiet():
            out = op()
    except (Exception, SystemExit) as exc:
        return f"your {label} raised {describe_exception(exc)}", time.perf_counter() - start
    elapsed = time.perf_counter() - start
    try:
        actual = to_array(out)
    except StudentCodeError as exc:
        return f"your {label} {exc}", elapsed
    return compare(label, expected, actual), elapsed


# --- the child-process probe ---------------------------------------------------------


@dataclass(frozen=True)
class ProbeReport:
    """What the child process saw: import problems and, per metric, a reason or None."""

    ok: bool  # the child finished and reported
    message: str  # why not, when not ok
    import_error: str | None = None
    problems: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, str | None] = field(default_factory=dict)
    call_seconds: dict[str, float] = field(default_factory=dict)


def probe(root: Path | None, timeout_s: float = PROBE_TIMEOUT_S) -> ProbeReport:
    """Import and check the student's package in a child process with a time limit."""
    import tinytorch_board

    here = str(Path(tinytorch_board.__file__).resolve().parent.parent)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from tinytorch_board.bench.student import probe_main; probe_main(sys.argv[2])"
    )
    argv = [sys.executable, "-c", code, here, str(root) if root is not None else ""]
    # One BLAS thread, as in the timed run; idle BLAS threads would also spin on our cores.
    threads = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", **threads)
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            cwd=str(root) if root is not None else None,
            env=env,
            stdin=subprocess.DEVNULL,
            errors="replace",
        )
    except subprocess.TimeoutExpired:
        return ProbeReport(
            False,
            f"importing and checking tinytorch took longer than {timeout_s:.0f} s "
            "(an endless loop at import or in an operation?)",
        )
    except OSError as exc:
        return ProbeReport(False, f"could not start a checker process ({exc.strerror})")
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(PROBE_MARKER):
            try:
                data = json.loads(line[len(PROBE_MARKER) :])
            except ValueError:
                break
            return ProbeReport(
                True,
                "",
                data.get("import_error"),
                dict(data.get("problems", {})),
                dict(data.get("metrics", {})),
                {k: float(v) for k, v in data.get("call_seconds", {}).items()},
            )
    return ProbeReport(
        False,
        f"importing or running tinytorch crashed the Python process (exit code {done.returncode})",
    )


def probe_main(root_text: str) -> None:
    """Child-process side of `probe`: print one marked JSON line."""
    real_stdout = sys.stdout
    root = Path(root_text) if root_text else None
    with project_on_path(root):
        package = load_package(root)
        report: dict = {
            "import_error": package.import_error,
            "problems": package.problems,
            "metrics": {},
            "call_seconds": {},
        }
        if package.import_error is None:
            inputs = BaselineInputs.make()
            reference = numpy_baseline(inputs).operations
            ops, failures = build_operations(package, inputs)
            report["metrics"].update(failures)
            for name, op in ops.items():
                problem, seconds = check_operation(OPERATION_NAMES[name], op, reference[name]())
                report["metrics"][name] = problem
                report["call_seconds"][name] = seconds
    real_stdout.write(PROBE_MARKER + json.dumps(report) + "\n")
    real_stdout.flush()


def student_baseline(inputs: BaselineInputs, package, probe_report=None) -> PreparedBaseline:
    """The student's tinytorch for the baseline, each metric checked against numpy first.

    A metric whose student code is missing, raises, is too slow to time, or disagrees
    with numpy lands in `failures` (with the reason) instead of `operations`.
    """
    reference = numpy_baseline(inputs).operations
    ops, failures = build_operations(package, inputs)
    if probe_report is not None:
        for name, seconds in probe_report.call_seconds.items():
            if seconds > MAX_CALL_S and name not in failures:
                failures[name] = (
                    f"one call of your {OPERATION_NAMES[name]} took {seconds:.1f} s; "
                    f"too slow to time (limit {MAX_CALL_S:.0f} s)"
                )
    for name, op in list(ops.items()):
        if name in failures:
            continue
        problem, _ = check_operation(OPERATION_NAMES[name], op, reference[name]())
        if problem:
            failures[name] = problem
    ops = {name: op for name, op in ops.items() if name not in failures}
    return PreparedBaseline("tinytorch", ops, [], failures)
