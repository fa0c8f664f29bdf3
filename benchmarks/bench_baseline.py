"""Figures for the baseline benchmark (prints numbers; not a test).

    python benchmarks/bench_baseline.py              # command wall time, score CV, 2x-slower gap
    python benchmarks/bench_baseline.py --runs 5     # fewer repetitions
    python benchmarks/bench_baseline.py --reference  # re-measure REFERENCE_MS (numpy, median)

Targets (issue 3): whole command median <= 5 s; score coefficient of variation <= 2 %
over 10 consecutive runs on the numpy backend; a backend 2x slower scores about 10 lower.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def command_runs(
    runs: int, backend: str, project: Path, machine: list | None = None
) -> tuple[list[float], list[float]]:
    """Wall time (interpreter start to exit) and score of `benchmark baseline` runs
    (and the machine scores, appended to `machine` when given)."""
    walls, scores = [], []
    argv = [sys.executable, "-m", "tinytorch_board", "--project-dir", str(project)]
    argv += ["benchmark", "baseline", "--backend", backend, "--json", "--no-prompt"]
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, check=True)
        walls.append(time.perf_counter() - start)
        result = json.loads(done.stdout)
        scores.append(result["score"])
        if machine is not None:
            machine.append(result.get("machine_score"))
    return walls, scores


def twice_slower_gap(pairs: int) -> list[float]:
    """Score(numpy) - score(every op run twice per call), measured in alternating pairs."""
    from tinytorch_board.bench.backends import PreparedBaseline, numpy_baseline
    from tinytorch_board.bench.baseline import run_baseline

    def doubled(inputs):
        ops = numpy_baseline(inputs).operations

        def twice(op):
            def run():
                op()
                return op()

            return run

        return PreparedBaseline("numpy", {name: twice(op) for name, op in ops.items()})

    gaps = []
    for _ in range(pairs):
        normal = run_baseline(backend="numpy")["score"]
        slower = run_baseline(doubled)["score"]
        gaps.append(normal - slower)
    return gaps


def reference(runs: int) -> None:
    from tinytorch_board.bench.baseline import run_baseline

    per_metric: dict[str, list[float]] = {}
    for _ in range(runs):
        for name, metric in run_baseline(backend="numpy")["metrics"].items():
            per_metric.setdefault(name, []).append(metric["median_ms"])
    print(f"REFERENCE_MS candidate (median of {runs} numpy runs, ms per call):")
    for name, values in per_metric.items():
        print(
            f'    "{name}": {statistics.median(values):.3g},'
            f"   # spread {min(values):.3g}..{max(values):.3g}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="command runs (default 10)")
    parser.add_argument("--pairs", type=int, default=5, help="2x-slower pairs (default 5)")
    parser.add_argument("--reference", action="store_true", help="re-measure REFERENCE_MS")
    parser.add_argument(
        "--project", type=Path, help="project dir (default: a temp dir with no tinytorch)"
    )
    parser.add_argument("--backend", default="numpy", choices=["auto", "numpy", "tinytorch"])
    parser.add_argument(
        "--fixture",
        choices=["looped", "vectorized", "noop-optimizer"],
        help="use a copy of the test fixture package built like TinyTorch's reference "
        "solution as the project (implies --backend tinytorch)",
    )
    args = parser.parse_args()
    if args.fixture:
        args.backend = "tinytorch"
    if args.reference:
        reference(args.runs)
        return
    with tempfile.TemporaryDirectory() as tmp:
        project = args.project or Path(tmp)
        if args.fixture:
            sys.path.insert(0, str(ROOT / "tests"))
            from bench_helpers import reference_package

            project = reference_package(
                Path(tmp) / "fixture",
                vectorized_matmul=args.fixture == "vectorized",
                noop_optimizer=args.fixture == "noop-optimizer",
            )
        (project / ".tito").mkdir(exist_ok=True)
        machine: list = []
        walls, scores = command_runs(args.runs, args.backend, project, machine)
    mean = statistics.fmean(scores)
    cv = statistics.stdev(scores) / mean * 100 if len(scores) > 1 and mean else 0.0
    what = f" (fixture: {args.fixture})" if args.fixture else ""
    print(f"benchmark baseline --backend {args.backend}{what}, {args.runs} consecutive runs:")
    print(
        f"  wall time (interpreter start to exit): median {statistics.median(walls):.2f} s, "
        f"min {min(walls):.2f} s, max {max(walls):.2f} s   (target <= 5 s)"
    )
    print(
        f"  score: median {statistics.median(scores):.1f}, "
        f"range {min(scores):.1f}..{max(scores):.1f}, "
        f"coefficient of variation {cv:.2f} %   (target <= 2 %)"
    )
    print(f"  headline scores in run order: {scores}")
    machines = [m for m in machine if m is not None]
    if machines:
        print(
            f"  machine score: median {statistics.median(machines):.1f}, "
            f"range {min(machines):.1f}..{max(machines):.1f}"
        )
    if args.pairs <= 0:
        return
    gaps = twice_slower_gap(args.pairs)
    print(
        f"  2x slower backend (each op run twice per call), {args.pairs} pairs: score lower by "
        f"median {statistics.median(gaps):.1f} "
        f"(range {min(gaps):.1f}..{max(gaps):.1f}; target about 10)"
    )


if __name__ == "__main__":
    main()
