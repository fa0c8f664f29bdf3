"""Start-up time of `tinytorch-board --help` (interpreter start to exit).

Prints the median and quartiles over N runs, next to a bare `python -c pass` for scale.
Usage: python benchmarks/bench_startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def measure(argv: list[str], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return samples


def describe(label: str, samples: list[float]) -> str:
    q1, median, q3 = statistics.quantiles(samples, n=4)
    return f"{label:<34} median {median * 1000:7.1f} ms   IQR {q1 * 1000:6.1f}-{q3 * 1000:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    bare = measure([sys.executable, "-c", "pass"], args.runs)
    help_ = measure([sys.executable, "-m", "tinytorch_board", "--help"], args.runs)
    print(describe("python -c pass", bare))
    print(describe("tinytorch-board --help", help_))
    print(f"target: median under 300 ms -> {'met' if statistics.median(help_) < 0.3 else 'MISSED'}")


if __name__ == "__main__":
    main()
