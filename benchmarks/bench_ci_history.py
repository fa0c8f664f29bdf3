"""Figures for the history checks of `ci check-pr` / `ci intake` (prints numbers; not a test).

    python benchmarks/bench_ci_history.py                 # 100,000 submissions, 1 in 50 withdrawn
    python benchmarks/bench_ci_history.py --files 20000   # a smaller board

Builds a board repository with one commit per submission (as the bot's squash merges make
it; every 50th commit deletes an earlier file), with `git fast-import`, then times what a
check adds on top of the validator: opening the history (completeness check), reading every
withdrawn id, and the participant lookup (one pass over the tip's files, then the adding
commits of one participant's files). Medians of --runs repetitions.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tinytorch_board.board.ci.history import BoardHistory  # noqa: E402
from tinytorch_board.board.demo_data import generate  # noqa: E402
from tinytorch_board.jsonio import dumps  # noqa: E402


def build_board(path: Path, files: int, seed: int) -> tuple[str, int]:
    """A repository of `files` submission commits; (a participant_id with files, withdrawn)."""
    rng = random.Random(seed)
    templates = generate(200, seed=seed)
    participants = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(files // 3)]
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    stream = []
    live: list[str] = []
    withdrawn = 0
    when = 1_700_000_000
    for number in range(files):
        doc = dict(templates[number % len(templates)])
        sid = f"{rng.getrandbits(128):032x}"
        doc["submission_id"] = sid
        doc["participant_id"] = rng.choice(participants)
        data = dumps(doc).encode()
        file_path = f"submissions/{sid[:2]}/{sid}.json"
        message = f"Add submission (#{number})\n\nSubmitted-by: student-{number % 997}\n".encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"committer Bot <bot@example.invalid> {when + number} +0000\n".encode())
        stream.append(b"data %d\n%s\n" % (len(message), message))
        stream.append(b"M 100644 inline %s\ndata %d\n%s\n" % (file_path.encode(), len(data), data))
        if number % 50 == 49 and live:  # a withdrawal
            gone = live.pop(rng.randrange(len(live)))
            stream.append(f"D {gone}\n".encode())
            withdrawn += 1
        live.append(file_path)
        stream.append(b"\n")
    subprocess.run(
        ["git", "-C", str(path), "fast-import", "--quiet"], input=b"".join(stream), check=True
    )
    subprocess.run(["git", "-C", str(path), "checkout", "-q", "main"], check=True)
    return doc["participant_id"], withdrawn


def timed(function, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        board = Path(tmp) / "board"
        start = time.perf_counter()
        participant, withdrawn = build_board(board, args.files, args.seed)
        print(
            f"board: {args.files} commits, {withdrawn} withdrawn, built in "
            f"{time.perf_counter() - start:.1f} s"
        )
        open_s, history = timed(lambda: BoardHistory.open(board), args.runs)
        ids_s, ids = timed(lambda: BoardHistory.open(board).withdrawn, args.runs)
        assert len(ids) == withdrawn, (len(ids), withdrawn)

        def lookup():
            fresh = BoardHistory.open(board)
            return fresh.adders(fresh.participant_files(participant))

        owners_s, owners = timed(lookup, args.runs)
        print(
            json.dumps(
                {
                    "files": args.files,
                    "runs": args.runs,
                    "open_s_median": round(open_s, 3),
                    "open_and_withdrawn_ids_s_median": round(ids_s, 3),
                    "open_and_participant_owners_s_median": round(owners_s, 3),
                    "participant_files": len(owners),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
