"""How fast is the board build, against the floor of reading and parsing the files?

    python benchmarks/bench_build.py --count 100000 [--repeat 3] [--json]

Generates N submissions with `tinytorch-board demo-data` (cached under the system temp
dir and reused by later runs), then measures in one run, each phase in a fresh child
process so every peak RSS belongs to one phase:

  floor   list submissions/, read every file, json.loads it (nothing else; garbage
          collector paused, as the engine does, so the floor is not inflated)
  load    board.load.load_board: listing, reading, parsing, validating (verdicts
          remembered from an earlier load, as a later build has them: only files new
          since then are judged in full, the rest parsed and their time checked)
  load-cold  the same with nothing remembered: every file judged in full (schema,
          semantic pass, signature), as the first build on a fresh machine
  stats   load + compute_stats (columns, ranks, outliers, badges, histories, ...)
  build   what `build` does: load, stats and render (board.render.build_site) into a
          temp dir; removing that dir afterwards is not timed
  archive what `build --archive` does (the Pages workflow): the same, into one tar file

Times are medians over --repeat runs (imports included, freeing memory at exit not);
ratios are against the floor's median. PNG share cards: with --cards warm (the
default) the builds use a card cache filled by one unmeasured build first, as the
Pages workflow does from its second run on; with --cards cold every build starts from
an empty cache and draws every card.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# What the generated files depend on: when any of these changes (new reference times,
# a new generator), a cached board may no longer be valid, so it is made again.
GENERATOR_SOURCES = (
    "tinytorch_board/board/demo_data.py",
    "tinytorch_board/submission/score.py",
    "tinytorch_board/submission/schema_v1.json",
    "tinytorch_board/submission/signature.py",
)


def generator_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in GENERATOR_SOURCES:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:10]


def board_for(count: int, seed: int, cache: Path) -> Path:
    """A demo board with `count` submissions, generated once and reused while the
    generator, the score and the schema stay the same."""
    board = cache / f"demo-{count}-seed{seed}-{generator_fingerprint()}"
    marker = board / ".complete"
    if marker.exists():
        return board
    if board.exists():
        shutil.rmtree(board)
    print(f"generating {count} submissions in {board} (cached for later runs)...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tinytorch_board", "demo-data", "--count", str(count),
         "--out", str(board), "--seed", str(seed)],
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    marker.write_text("ok\n", encoding="utf-8")
    print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)
    return board


# --- phases (run inside a child process) -------------------------------------------


def phase_floor(board: Path) -> dict:
    import gc

    gc.disable()  # the engine pauses the collector too; the floor must not be inflated
    docs = []
    for directory, _dirs, files in os.walk(board / "submissions"):
        for name in files:
            if name.endswith(".json"):
                with open(os.path.join(directory, name), "rb") as handle:
                    docs.append(json.loads(handle.read()))
    return {"files": len(docs)}, docs


def phase_load(board: Path) -> dict:
    from tinytorch_board.board.load import load_board

    loaded = load_board(board)
    return {"valid": len(loaded.documents), "invalid": len(loaded.invalid)}, loaded


def phase_load_cold(board: Path) -> dict:
    """The load with nothing remembered: every file judged in full (a fresh machine, or
    the first build after a cache was lost)."""
    from tinytorch_board.board.load import load_board

    loaded = load_board(board, verdict_cache=None)
    return {"valid": len(loaded.documents), "invalid": len(loaded.invalid)}, loaded


def phase_stats(board: Path) -> dict:
    from tinytorch_board.board.config import load_config
    from tinytorch_board.board.load import load_board
    from tinytorch_board.board.stats import compute_stats

    marks = {}
    config = load_config(board)  # as `build` does: config first, then the files
    started = time.perf_counter()
    loaded = load_board(board)
    marks["load_s"] = time.perf_counter() - started
    stats = compute_stats(loaded, config)
    marks["compute_s"] = time.perf_counter() - started - marks["load_s"]
    marks["entries"] = len(stats.entries)
    marks["outliers"] = sum(1 for e in stats.entries if e.outlier)
    return marks, (loaded, stats)


def phase_build(board: Path, archive: bool = False, card_cache: Path | None = None) -> dict:
    """What `tinytorch-board build` does: config, load, stats and render, once each
    (archive=True: `build --archive`, what the Pages workflow runs).

    The site goes to a fresh temp dir that the parent removes after the timing: deleting
    hundreds of thousands of files is not part of a build.
    """
    from tinytorch_board.board.config import load_config
    from tinytorch_board.board.load import load_board
    from tinytorch_board.board.render import build_site

    config = load_config(board)
    loaded = load_board(board)
    out = tempfile.mkdtemp(prefix="bench-build-")
    target = Path(out) / ("site.tar" if archive else "site")
    report = build_site(loaded, config, target, archive=archive, card_cache=card_cache)
    result = {"pages": report.pages, "out": out, "cards": report.cards}
    # the site's size is the sum of its files (what Pages serves); the archive adds a
    # 512-byte header per member and pads each to 512 bytes
    result.update(cards_drawn=report.cards_drawn, site_bytes=report.bytes, files=report.files)
    if archive:
        result["archive_bytes"] = target.stat().st_size
    return result, (loaded, report)


PHASES = {
    "floor": phase_floor,
    "load": phase_load,
    "load-cold": phase_load_cold,
    "stats": phase_stats,
    "build": lambda board, cards=None: phase_build(board, card_cache=cards),
    "archive": lambda board, cards=None: phase_build(board, archive=True, card_cache=cards),
}


def child(phase: str, board: Path, cards: Path | None) -> None:
    import resource

    started = time.perf_counter()
    if phase in ("build", "archive"):
        result, keep = PHASES[phase](board, cards)
    else:
        result, keep = PHASES[phase](board)
    result["seconds"] = time.perf_counter() - started  # before anything is freed
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result), flush=True)
    os._exit(0)  # a build process ends here too: freeing `keep` is not part of any phase


def run_child(phase: str, board: Path, cards: Path | None = None) -> dict:
    extra = ["--card-cache", str(cards)] if cards else []
    done = subprocess.run(
        [sys.executable, __file__, "--child", phase, "--board", str(board), *extra],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if "out" in result:
        shutil.rmtree(result.pop("out"), ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="submissions to generate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per phase (median)")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "tinytorch-board-bench",
        help="where generated boards are kept",
    )
    parser.add_argument("--phases", default="floor,load,stats,build,archive")
    parser.add_argument(
        "--cards",
        choices=("warm", "cold"),
        default="warm",
        help="PNG card cache: filled before timing (warm) or empty for every build (cold)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--board", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--card-cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.board, args.card_cache)
        return

    board = board_for(args.count, args.seed, args.cache)
    phases = [p for p in args.phases.split(",") if p]
    runs: dict[str, list[dict]] = {p: [] for p in phases}
    # Verdicts are remembered per file name and content (board/load.py); the bench keeps
    # its own cache, filled once here like the page cache: `load` is a later build's load,
    # `load-cold` the first one's.
    os.environ.setdefault("TINYTORCH_BOARD_CACHE_DIR", str(args.cache / f"verdicts-{board.name}"))
    run_child("floor", board)  # warm the page cache once, not measured
    if any(p in phases for p in ("load", "stats", "build", "archive")):
        run_child("load", board)  # fill the verdict cache once, not measured
    warm_cards = args.cache / f"cards-{board.name}"
    if args.cards == "warm" and {"build", "archive"} & set(phases):
        run_child("archive", board, warm_cards)  # fills the card cache, not measured
    for round_number in range(args.repeat):
        for phase in phases:  # interleaved, so drift hits every phase alike
            if args.cards == "warm":
                runs[phase].append(run_child(phase, board, warm_cards))
                continue
            cold = Path(tempfile.mkdtemp(prefix="bench-cards-"))
            try:
                runs[phase].append(run_child(phase, board, cold))
            finally:
                shutil.rmtree(cold, ignore_errors=True)
        print(f"round {round_number + 1}/{args.repeat} done", file=sys.stderr, flush=True)

    floor = statistics.median(r["seconds"] for r in runs["floor"]) if "floor" in runs else None
    figures = {"count": args.count, "repeat": args.repeat, "cards": args.cards, "phases": {}}
    for phase, results in runs.items():
        seconds = statistics.median(r["seconds"] for r in results)
        entry = {
            "median_s": round(seconds, 3),
            "per_file_us": round(1e6 * seconds / args.count, 1),
            "ratio_to_floor": round(seconds / floor, 2) if floor else None,
            "peak_rss_mib": round(max(r["peak_rss_mib"] for r in results), 1),
            "runs_s": [round(r["seconds"], 3) for r in results],
        }
        if "site_bytes" in results[0]:
            entry["site_mb"] = round(results[0]["site_bytes"] / 1e6, 1)
            if "archive_bytes" in results[0]:
                entry["archive_mb"] = round(results[0]["archive_bytes"] / 1e6, 1)
            entry["files"] = results[0]["files"]
            entry["cards"] = results[0]["cards"]
            entry["cards_drawn"] = statistics.median(r["cards_drawn"] for r in results)
        if phase == "stats":
            entry["load_s"] = round(statistics.median(r["load_s"] for r in results), 3)
            entry["compute_s"] = round(statistics.median(r["compute_s"] for r in results), 3)
            entry["outliers"] = results[0]["outliers"]
        figures["phases"][phase] = entry
    if args.json:
        print(json.dumps(figures, indent=2, sort_keys=True))
        return
    print(
        f"N = {args.count} submissions, median of {args.repeat} run(s) per phase, "
        f"{args.cards} card cache"
    )
    print(
        f"{'phase':<8}{'median s':>10}{'us/file':>10}{'x floor':>9}{'peak RSS MiB':>14}  runs (s)"
    )
    for phase, e in figures["phases"].items():
        ratio = f"{e['ratio_to_floor']:.2f}" if e["ratio_to_floor"] is not None else "-"
        runs = " ".join(f"{r:.2f}" for r in e["runs_s"])
        print(
            f"{phase:<8}{e['median_s']:>10.3f}{e['per_file_us']:>10.1f}{ratio:>9}"
            f"{e['peak_rss_mib']:>14.1f}  {runs}"
        )
    for phase, e in figures["phases"].items():
        if "site_mb" in e:
            archive = f" (archive {e['archive_mb']:.1f} MB)" if "archive_mb" in e else ""
            print(
                f"{phase}: site {e['site_mb']:.1f} MB of files in {e['files']:,} files{archive}, "
                f"{e['cards']:,} PNG cards ({e['cards_drawn']:.0f} drawn per build)"
            )
    if "stats" in figures["phases"]:
        e = figures["phases"]["stats"]
        print(f"stats = load {e['load_s']:.3f} s + compute_stats {e['compute_s']:.3f} s")


if __name__ == "__main__":
    main()
