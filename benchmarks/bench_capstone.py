"""Figures for the capstone benchmark (prints numbers; not a test).

    python benchmarks/bench_capstone.py              # `benchmark capstone` wall time and scores
    python benchmarks/bench_capstone.py --reference  # re-measure CAPSTONE_REFERENCE (numpy)

Target (issue 3): the whole `--track all` run finishes within 60 s on the 2-core machine.
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


def reference(runs: int) -> None:
    from tinytorch_board.bench.capstone import run_capstone

    p50s, throughputs = [], []
    for _ in range(runs):
        speed = run_capstone(("speed",), backend="numpy")["tracks"]["speed"]["metrics"]
        p50s.append(speed["latency_p50_ms"])
        throughputs.append(speed["throughput_sps"])
    print(f"CAPSTONE_REFERENCE candidate (median of {runs} numpy speed-track runs):")
    print(
        f'    "latency_p50_ms": {statistics.median(p50s):.3g},   # {min(p50s):.3g}..{max(p50s):.3g}'
    )
    print(
        f'    "throughput_sps": {statistics.median(throughputs):.4g},   '
        f"# {min(throughputs):.4g}..{max(throughputs):.4g}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="command runs (default 3)")
    parser.add_argument("--reference", action="store_true", help="re-measure the speed reference")
    parser.add_argument("--project", type=Path, help="project dir (default: temp, no tinytorch)")
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
        reference(max(args.runs, 5))
        return
    walls, results = [], []
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
        argv = [sys.executable, "-m", "tinytorch_board", "--project-dir", str(project)]
        argv += ["benchmark", "capstone", "--track", "all", "--backend", args.backend]
        argv += ["--json", "--no-prompt"]
        for _ in range(args.runs):
            start = time.perf_counter()
            done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, check=True)
            walls.append(time.perf_counter() - start)
            results.append(json.loads(done.stdout))
    print(f"benchmark capstone --track all --backend {args.backend}, {args.runs} runs:")
    print(
        f"  wall time: median {statistics.median(walls):.1f} s, max {max(walls):.1f} s"
        "   (target <= 60 s)"
    )
    for name in ("accuracy", "speed", "compression", "efficiency"):
        scores = [r["tracks"][name]["score"] for r in results if r["tracks"][name]]
        if scores:
            print(
                f"  {name:<12} score median {statistics.median(scores):5.1f}"
                f"  ({min(scores)}..{max(scores)})"
            )
    overall = [r["score"] for r in results]
    print(
        f"  overall      score median {statistics.median(overall):5.1f}"
        f"  ({min(overall)}..{max(overall)})"
    )
    for name, entry in results[-1]["details"].get("implementation", {}).items():
        print(f"  {name}: {entry['implementation']} ({entry['reason']})")
    last = results[-1]["tracks"]
    for name, track in last.items():
        if track:
            shown = ", ".join(f"{k}={v}" for k, v in track["metrics"].items())
            print(f"  last {name}: {shown}")


if __name__ == "__main__":
    main()
