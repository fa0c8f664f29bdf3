"""Figures for a deadline burst drained by the scheduled sweep (prints numbers; not a test).

    python benchmarks/bench_burst.py                 # 300 pull requests, GitHub's budgets
    python benchmarks/bench_burst.py --count 500     # a bigger class
    python benchmarks/bench_burst.py --spikes 6      # plus 6 extra secondary-limit 403s

Runs the real sweep (tinytorch_board.board.ci.sweep) and the real decision (check_pr)
against the fake GitHub of tests/github_fake.py, which enforces 1,000 requests an hour and
80 content-creating requests a minute / 500 an hour on a simulated clock. Prints the REST
requests per submission and the simulated minutes until the last merge.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--spikes", type=int, default=0, help="extra 403s (Retry-After 90 s)")
    args = parser.parse_args()

    from github_fake import GithubFake, RestLimits
    from pytest_httpserver import HTTPServer
    from test_burst import BOARD, SimClock, drain, path_of

    from tinytorch_board.board.config import AutomationConfig
    from tinytorch_board.board.demo_data import generate
    from tinytorch_board.jsonio import dumps

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        fake = GithubFake(server)
        fake.add_repo(BOARD, {"README.md": "# board\n"})
        fake.add_user("github-actions", "WORKFLOW-TOKEN", "bot", "bot@example.invalid")
        fake.repos[BOARD].pushers.add("github-actions")
        for i, doc in enumerate(generate(args.count, seed=5)):
            fake.add_pull(BOARD, f"student-{i}", {path_of(doc): dumps(doc)})
        clock = SimClock()
        fake.clock, fake.limits = clock, RestLimits()
        if args.spikes:
            fake.fail("PUT", r"/merge$", 403, "You have exceeded a secondary rate limit.",
                      headers={"Retry-After": "90"}, times=args.spikes)  # fmt: skip
        reports, minutes = drain(fake, "WORKFLOW-TOKEN", AutomationConfig(), clock, 100)
    finally:
        server.stop()
    merged = sum(len(r.merged) for r in reports)
    requests = sum(r.requests for r in reports)
    writes = sum(r.writes for r in reports)
    print(f"pull requests       {args.count} ({merged} merged)")
    print(f"REST requests       {requests} ({requests / args.count:.2f} per submission)")
    print(f"content-creating    {writes} ({writes / args.count:.2f} per submission)")
    print(f"scheduled passes    {len(reports)} (every 10 minutes)")
    print(f"403 rate limits     {fake.limits.refused} from the budgets, {args.spikes} injected")
    print(f"drained in          {minutes:.0f} simulated minutes")


if __name__ == "__main__":
    main()
