"""Measure the leaderboard site at scale and print the figures (not a test).

    python benchmarks/bench_site.py --count 100000            # generate, build, measure
    python benchmarks/bench_site.py --board DIR --count N     # reuse a demo board

Prints: the floor (just reading and json-parsing every submission file, median of
three runs in the same process), build phases (load, stats, render and its parts) of
`build --archive` and of the folder build, each with its ratio to that floor, site size
on disk (apparent and allocated), file count and bytes per kind of file, submission page
sizes, the first load of index.html in Chromium (every byte transferred until the
network is idle, no interaction), the data fetched to filter everything, and how long
filters and sorts over all entries take (median and worst of several runs, from the
user's action to the table being replaced).
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tinytorch_board.board.config import load_config  # noqa: E402
from tinytorch_board.board.demo_data import write_demo_board  # noqa: E402
from tinytorch_board.board.load import load_board  # noqa: E402
from tinytorch_board.board.serve import make_server  # noqa: E402
from tinytorch_board.board.site import render_site  # noqa: E402
from tinytorch_board.board.stats import compute_stats  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# (label, how to do it in the page) — each one answers over all entries.
ACTIONS = [
    ("sort by score", "#f-sort", "score"),
    ("sort by milestones", "#f-sort", "milestones"),
    ("sort by standing", "#f-sort", "top"),
    ("sort by name", "#f-sort", "name"),
    ("filter system", "#f-system", "1"),
    ("filter milestones 3+", "#f-milestones", "3"),
    ("filter cohort", "#f-cohort", "2"),
    ("filter backend", "#f-backend", "numpy"),
    ("sort oldest", "#f-sort", "oldest"),
    ("sort modules", "#f-sort", "modules"),
]


def mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def kb(n: float) -> str:
    return f"{n / 1e3:.1f} KB"


def disk_usage(root: Path) -> tuple[int, int, int, int]:
    """(apparent bytes of every path, allocated bytes, files, apparent bytes counting each
    inode once). The first is what a Pages artifact holds (tar --hard-dereference);
    the last is what the build folder takes, hard-linked badges counted once."""
    apparent = allocated = files = unique = 0
    seen: set[int] = set()
    for path in root.rglob("*"):
        if path.is_file():
            st = path.stat()
            apparent += st.st_size
            files += 1
            if st.st_ino not in seen:
                seen.add(st.st_ino)
                unique += st.st_size
                allocated += st.st_blocks * 512
    return apparent, allocated, files, unique


def floor_seconds(board: Path) -> float:
    """List submissions/, read every file, json.loads it; nothing else (collector paused,
    as the loader does, so the floor is not inflated)."""
    gc.disable()
    try:
        clock = time.perf_counter()
        docs = []
        for directory, _dirs, files in os.walk(board / "submissions"):
            for name in files:
                if name.endswith(".json"):
                    with open(os.path.join(directory, name), "rb") as handle:
                        docs.append(json.loads(handle.read()))
        seconds = time.perf_counter() - clock
    finally:
        gc.enable()
    del docs
    return seconds


def site_breakdown(root: Path) -> dict[str, tuple[int, int]]:
    """(files, apparent bytes) per top-level folder (or file) of the site."""
    kinds: dict[str, list[int]] = {}
    for directory, _dirs, files in os.walk(root):
        rel = os.path.relpath(directory, root)
        for name in files:
            key = rel.split(os.sep)[0] if rel != "." else name
            if key in ("badges", "api") and rel != ".":
                key = f"{rel}/*{os.path.splitext(name)[1]}"
            size = os.stat(os.path.join(directory, name)).st_size
            files_bytes = kinds.setdefault(key, [0, 0])
            files_bytes[0] += 1
            files_bytes[1] += size
    return {k: (v[0], v[1]) for k, v in kinds.items()}


def build(board: Path, out: Path, archive: bool = False) -> dict[str, float]:
    """Load, stats and render into out (a folder, or with archive=True one tar file)."""
    seconds = {}
    clock = time.perf_counter()
    config = load_config(board)
    loaded = load_board(board)
    seconds["load"] = time.perf_counter() - clock
    clock = time.perf_counter()
    stats = compute_stats(loaded, config)
    seconds["stats"] = time.perf_counter() - clock
    clock = time.perf_counter()
    report = render_site(stats, config, out, archive=archive)
    seconds["render"] = time.perf_counter() - clock
    for phase, value in report.seconds.items():  # these parts overlap in time
        seconds[f"  {phase}"] = value
    return seconds


def settled(page, action) -> None:
    """Do an action and wait until the table it causes is on screen."""
    before = page.get_attribute("body", "data-ready") or "0"
    action()
    page.wait_for_function(
        "(b) => +(document.body.getAttribute('data-ready') || 0) > +b "
        "&& document.getElementById('board').getAttribute('aria-busy') === 'false'",
        arg=before,
    )


def browser_figures(site: Path, repeats: int) -> None:
    from playwright.sync_api import sync_playwright

    server = make_server(site, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    transferred: list[tuple[str, int, int]] = []
    prefix = url.rsplit("/", 1)[0] + "/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        def on_response(response):
            # Sizes come from the served files: the local server sends them uncompressed.
            local = site / response.url[len(prefix) :].split("?")[0]
            if response.url.startswith(prefix) and local.is_file():
                body = local.read_bytes()
                transferred.append((response.url, len(body), len(gzip.compress(body, 6))))

        page.on("response", on_response)
        page.goto(url, wait_until="networkidle")
        first = list(transferred)
        raw = sum(n for _, n, _ in first)
        packed = sum(g for _, _, g in first)
        print(
            f"first load of index.html: {kb(raw)} in {len(first)} requests "
            f"({kb(packed)} gzip-compressed); budget 150 KB"
        )
        for u, n, _ in first:
            print(f"    {kb(n):>10}  {u.rsplit('/', 2)[-2:]}")

        transferred.clear()
        clock = time.perf_counter()
        page.focus("#f-sort")
        page.evaluate("() => window.tinytorchBoard.load()")
        loaded_in = time.perf_counter() - clock
        data = sum(n for _, n, _ in transferred)
        data_gz = sum(g for _, _, g in transferred)
        print(
            f"data to filter everything: {mb(data)} in {len(transferred)} requests "
            f"({mb(data_gz)} gzip-compressed), loaded and decoded in {loaded_in:.2f} s; "
            "budget 3 MB"
        )

        timings: dict[str, list[float]] = {label: [] for label, _, _ in ACTIONS}
        ids_bytes = []
        for _ in range(repeats):
            for label, selector, value in ACTIONS:
                settled(page, lambda: page.click("button[type=reset]"))
                transferred.clear()
                settled(page, lambda: page.select_option(selector, value))  # noqa: B023
                timings[label].append(float(page.get_attribute("#board", "data-ms")))
                ids_bytes.append(sum(n for u, n, _ in transferred if "/data/ids/" in u))
        every = [t for values in timings.values() for t in values]
        print(
            f"filter/sort over all entries ({repeats} runs each, in-page ms from the "
            "action to the new table, including fetching row ids): budget 300 ms"
        )
        for label, values in timings.items():
            print(
                f"    {label:<22} median {statistics.median(values):6.0f} ms   "
                f"worst {max(values):6.0f} ms"
            )
        print(
            f"    all actions           median {statistics.median(every):6.0f} ms   "
            f"worst {max(every):6.0f} ms"
        )
        print(
            f"row ids fetched per new view: median {kb(statistics.median(ids_bytes))}, "
            f"worst {kb(max(ids_bytes))}"
        )
        browser.close()
    server.shutdown()
    server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="Submissions to generate.")
    parser.add_argument("--board", type=Path, help="Existing demo board (skips generation).")
    parser.add_argument("--out", type=Path, help="Where to build (default: a temp folder).")
    parser.add_argument("--repeats", type=int, default=5, help="Runs of each filter/sort.")
    parser.add_argument("--no-browser", action="store_true", help="Skip the Chromium figures.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-site-"))  # removed at the end, always
    try:
        board = args.board
        if board is None:
            board = work / "board"
            clock = time.perf_counter()
            write_demo_board(board, args.count, seed=1)
            print(f"generated {args.count} demo submissions in {time.perf_counter() - clock:.1f} s")
        out = args.out or work / "site"
        floor_seconds(board)  # warm the page cache once, not measured
        floors = [floor_seconds(board)]
        seconds = build(board, out)
        floors += [floor_seconds(board)]
        archived = build(board, work / "site.tar", archive=True)
        (work / "site.tar").unlink()
        floors += [floor_seconds(board)]
        floor = statistics.median(floors)
        print(
            f"floor (read + json.loads every submission file): median {floor:.2f} s "
            f"of {len(floors)} runs ({', '.join(f'{f:.2f}' for f in floors)})"
        )
        for label, phases in (
            ("build --archive (what the Pages workflow runs)", archived),
            ("build --out (a folder: bound by creating files)", seconds),
        ):
            total = phases["load"] + phases["stats"] + phases["render"]
            print(
                f"{label}, {args.count} submissions: {total:.1f} s = "
                f"{total / floor:.1f}x the floor (budget 4x)"
            )
            for phase, value in phases.items():
                print(f"    {phase:<42} {value:7.2f} s   {value / floor:5.2f}x floor")
        apparent, allocated, files, unique = disk_usage(out)
        print(
            f"site size: {mb(apparent)} apparent over all {files} files (as deployed); "
            f"budget 300 MB"
        )
        print(
            f"    on disk, hard links counted once: {mb(unique)} apparent, "
            f"{mb(allocated)} allocated in blocks"
        )
        for kind, (n, size) in sorted(site_breakdown(out).items(), key=lambda kv: -kv[1][1]):
            print(f"    {kind:<24} {n:>8} files {mb(size):>10}   mean {size // max(n, 1)} B")
        pages = sorted(p.stat().st_size for p in (out / "s").glob("*.html"))
        cards = sorted(p.stat().st_size for p in (out / "cards").glob("*.svg"))
        if pages:
            print(
                f"submission page: median {pages[len(pages) // 2]} B, largest {pages[-1]} B; "
                f"share card median {cards[len(cards) // 2]} B, {len(cards)} distinct cards"
            )
        if not args.no_browser:
            browser_figures(out, args.repeats)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
