"""Write the whole static site for a BoardStats into a directory, or into one tar.

The site is rendered into a fresh staging folder next to the output and swapped in at
the end, so a failed build never leaves half a site and withdrawn submissions leave no
stale pages behind. A folder is only ever replaced if an earlier build left the marker
file in it. The many-file work (submission pages, leaderboard pages, progress files)
runs as tasks on forked workers (workers.py) while this process writes the rest.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tinytorch_board.board.config import BoardConfig
from tinytorch_board.board.model import BoardStats, Entry
from tinytorch_board.board.site import api, pack, pages
from tinytorch_board.board.site.cardcache import CardCache
from tinytorch_board.board.site.sink import ArchiveWriter, Assembler, Writer, is_our_archive
from tinytorch_board.board.site.workers import WorkerPool, can_fork, worker_count
from tinytorch_board.curriculum import MILESTONE_COUNT, MODULE_COUNT
from tinytorch_board.errors import BoardError
from tinytorch_board.jsonio import dumps

MARKER = ".tinytorch-site"
PARALLEL_FROM = 5_000  # below this, starting processes costs more than it saves
PROGRESS_PER_TASK = 5_000
PAGES_PER_TASK = 200
FOLDERS = (
    "s", "badges", "cards", "page", "data/ids", "api/leaderboard", "api/progress", "api/results",
)  # fmt: skip
CARDS_PER_TASK = 40  # PNG cards a task draws (about 50 to 150 ms each)


@dataclass
class SiteReport:
    out_dir: Path
    listed: int
    pages: int = 0
    files: int = 0
    bytes: int = 0
    skipped: list[str] = field(default_factory=list)  # entries not rendered, with reasons
    seconds: dict[str, float] = field(default_factory=dict)
    cards: int = 0  # distinct PNG share cards in the site
    cards_drawn: int = 0  # of those, drawn by this build (the rest came from the cache)


def _safe_entries(stats: BoardStats, report: SiteReport) -> list[Entry]:
    """Entries whose ids can name files; anything else is reported, never written."""
    safe = []
    for entry in stats.entries:
        if api.SUBMISSION_ID.match(entry.submission_id):
            safe.append(entry)
        else:
            report.skipped.append(f"{entry.submission_id!r}: not a 32-hex submission id")
    return safe


def render_site(
    stats: BoardStats,
    config: BoardConfig,
    out_dir: Path,
    progress: Callable[[str], None] | None = None,
    archive: bool = False,
    card_cache: Path | None = None,
) -> SiteReport:
    """Render every page and data file for stats into out_dir (a folder), or with
    archive=True into one tar file at out_dir (what GitHub Pages deploys). PNG share
    cards are taken from (and added to) the card_cache folder when one is given."""
    out_dir = Path(out_dir)
    cache = CardCache(card_cache)
    if archive:
        return _render_archive(stats, config, out_dir, progress, cache)
    _check_output(out_dir)
    say = progress or (lambda message: None)
    report = SiteReport(out_dir=out_dir, listed=0)
    staging = out_dir.parent / f".{out_dir.name}.building-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        _render_into(stats, config, staging, report, say, cache)
        clock = time.perf_counter()
        _swap(staging, out_dir)
        report.seconds["swap"] = time.perf_counter() - clock
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def _check_output(out_dir: Path) -> None:
    if out_dir.exists():
        if not out_dir.is_dir():
            raise BoardError(f"{out_dir} is a file; choose a folder for --out")
        names = {p.name for p in out_dir.iterdir()}
        # A site from before the marker existed held just these two.
        earlier = names == {"index.html", "static"} and (out_dir / "static/site.css").is_file()
        if names and not earlier and not (out_dir / MARKER).exists():
            raise BoardError(
                f"{out_dir} is not empty and was not built by tinytorch-board; "
                "choose an empty or new folder for --out"
            )


def _swap(staging: Path, out_dir: Path) -> None:
    old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def _render_archive(
    stats: BoardStats,
    config: BoardConfig,
    path: Path,
    progress: Callable[[str], None] | None,
    cache: CardCache,
) -> SiteReport:
    """The site as one tar: fragments in a staging folder, joined and renamed at the end
    (path holds the old archive or the whole new one, never part of one)."""
    if path.is_dir():
        raise BoardError(f"{path} is a folder; give --archive a file name such as site.tar")
    if (path.exists() or path.is_symlink()) and not is_our_archive(path):
        raise BoardError(
            f"{path} exists and is not a site archive written by tinytorch-board; refusing "
            "to overwrite it: give --archive a new file name"
        )
    say = progress or (lambda message: None)
    report = SiteReport(out_dir=path, listed=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.parent / f".{path.name}.building-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    created = datetime.strptime(stats.generated_at, "%Y-%m-%dT%H:%M:%SZ")
    mtime = int(created.replace(tzinfo=timezone.utc).timestamp())
    joined = Assembler(path)
    try:
        _render_into(stats, config, staging, report, say, cache, archive=(mtime, joined))
        clock = time.perf_counter()
        joined.finish()
        report.seconds["finish the archive"] = time.perf_counter() - clock
    except BaseException:
        joined.abort()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def _render_into(
    stats: BoardStats,
    config: BoardConfig,
    root: Path,
    report: SiteReport,
    say: Callable[[str], None],
    cache: CardCache,
    archive: tuple[int, Assembler] | None = None,
) -> None:
    """Render into root (a staging folder); with archive (member time, assembler), as
    tar fragments there, each handed to the assembler as soon as it is complete."""
    from tinytorch_board.board.load import gc_paused

    if archive is None:
        write, joined = Writer(root), None
    else:
        write, joined = ArchiveWriter(root / "head.tar", archive[0]), archive[1]
    with gc_paused():  # hundreds of thousands of short-lived, acyclic strings
        report.files, report.bytes = _render_all(stats, config, write, report, say, cache, joined)


def _render_all(
    stats: BoardStats,
    config: BoardConfig,
    write: Writer,
    report: SiteReport,
    say: Callable[[str], None],
    cache: CardCache,
    joined: Assembler | None = None,
) -> tuple[int, int]:
    """Everything into write (and the workers' writers); returns (files, bytes).
    With joined, write is the archive's first fragment: the marker, static files and
    folders, handed over before the workers start; the main pages follow last."""
    from tinytorch_board.board.templating import templates_dir

    clock = time.perf_counter()
    entries = _safe_entries(stats, report)
    report.listed = len(entries)
    # Every distinct share card is named here, once; the cached PNGs are written by this
    # process, the missing ones drawn by tasks (in parallel when the build is).
    site, cards = pages.site_for(stats, config, entries)
    cached = {name: cache.get(name) for name in cards}
    missing = sorted(name for name, png in cached.items() if png is None)
    report.cards, report.cards_drawn = len(cards), len(missing)

    write.text(MARKER, "Built by tinytorch-board; `build` replaces this folder.\n")
    static = templates_dir() / "static"
    for path in sorted(static.rglob("*")):
        if path.is_file():
            write.text(f"static/{path.relative_to(static).as_posix()}", path.read_text("utf-8"))
    for folder in FOLDERS:
        write.folder(folder)
    report.seconds["main: prepare"] = time.perf_counter() - clock

    # The many-file work first, on forked workers, while this process does the rest.
    started = time.perf_counter()
    say("submission pages, share cards, badges, leaderboard pages and progress files")
    job = _Job(
        site=site,
        root=write.root,
        participants=api.progress_ids(stats),
        archive_mtime=getattr(write, "mtime", None),
        folders=frozenset(write.made),
        cards=cards,
        missing_cards=missing,
        cache=cache,
    )
    files, size = write.files, write.bytes
    main = write
    if joined is not None:
        write.close()
        joined.add(write.path)
        main = ArchiveWriter(Path(write.root) / "main.tar", job.archive_mtime, job.folders)
    parallel = _parallel(len(entries)) or (len(missing) >= CARDS_PER_TASK and can_fork())
    tasks = _plan(job, parallel)
    with WorkerPool(_run, job, tasks, parallel) as pool:
        _render_main(site, main, report, say)
        for name in sorted(cached):
            png = cached[name]
            if png is not None:
                main.binary(f"cards/{name}.png", png)
        main.close()
        clock = time.perf_counter()
        for done_files, done_bytes, fragment in pool.results():  # in task order
            files += done_files
            size += done_bytes
            if joined is not None:
                joined.add(fragment)  # while later tasks still run
    if joined is not None:
        joined.add(main.path)
    if main is not write:
        files += main.files
        size += main.bytes
    report.pages += len(entries) + sum(
        stop - start for kind, start, stop in tasks if kind == "pages"
    )
    report.seconds["main: wait for the workers"] = time.perf_counter() - clock
    report.seconds["workers (alongside)"] = time.perf_counter() - started
    cache.keep_only(set(cards))
    return files, size


def _render_main(site: pages.Site, write: Writer, report: SiteReport, say) -> None:
    """What the workers do not do (while they work): the leaderboard's packed data and
    first page, the community and about pages."""
    clock = time.perf_counter()
    stats, entries = site.stats, site.entries
    say(f"leaderboard data for {len(entries)} entries")
    filterable = [  # a class filter lists only classes with at least k students
        (v.info.class_id, v.info.name, frozenset(r["submission_id"] for r in stats.class_rows[v.info.class_id]))
        for v in stats.classes
        if v.aggregates
    ]
    packed = pack.pack(entries, [b.id for b in stats.badges], sorted(stats.groups), filterable)
    meta = dict(packed.meta)
    meta["group_sizes"] = [
        stats.groups[g].count if g in stats.groups else 0 for g in packed.meta["groups"]
    ]
    meta["badge_defs"] = [[b.id, b.name, b.icon] for b in stats.badges]
    meta["milestone_count"] = MILESTONE_COUNT
    meta["module_count"] = MODULE_COUNT
    meta["page_size"] = pages.PAGE_SIZE
    for i, chunk in enumerate(packed.chunks):
        write.compact_json(f"data/rows-{i}.json", chunk)
    write.compact_json("data/names.json", packed.names)
    for i, ids in enumerate(packed.id_chunks):
        write.compact_json(f"data/ids/{i}.json", ids)
    pages.leaderboard_pages(site, write, range(1, 2), meta)
    report.pages += 1
    report.seconds["main: leaderboard data, first page"] = time.perf_counter() - clock

    clock = time.perf_counter()
    say("community, about and compare pages")
    write.text("community.html", pages.community_page(site))
    write.text("about.html", pages.about_page(site))
    write.text("compare.html", pages.compare_page(site))
    report.pages += 3
    if site.stats.classes:
        from tinytorch_board.board.site.classpage import write_class_pages

        stats = site.stats
        report.pages += write_class_pages(
            stats.classes, stats.class_rows, write, site.env, dict(site.common)
        )
    report.seconds["main: community, about"] = time.perf_counter() - clock


@dataclass
class _Job:
    """What every task needs; forked workers inherit it, so nothing is pickled but the
    task bounds and the counts."""

    site: pages.Site
    root: str
    participants: list[str]  # who gets a progress file
    archive_mtime: int | None = None  # set: tasks write tar fragments, not files
    folders: frozenset[str] = frozenset()  # folders the first fragment holds
    cards: dict[str, str] = field(default_factory=dict)  # card name -> SVG
    missing_cards: list[str] = field(default_factory=list)  # not in the cache: drawn
    cache: CardCache | None = None

    def writer(self, task: tuple[str, int, int]) -> Writer:
        if self.archive_mtime is None:
            return Writer(self.root)
        kind, start, _ = task
        path = Path(self.root) / f"{kind}-{start:08d}.tar"
        return ArchiveWriter(path, self.archive_mtime, self.folders)


def _plan(job: _Job, parallel: bool) -> list[tuple[str, int, int]]:
    """The tasks, (kind, start, stop), biggest first so the workers end together: the
    CSV and the API files, submission pages in a few slices per worker, then the
    no-script leaderboard pages (2..N) and the progress files (one per participant) in
    small slices. Run serially, each kind is one task (one writer, so equal badges share
    one file throughout)."""
    n, count = len(job.site.entries), len(job.participants)
    pages_count = job.site.leaderboard["pages"]
    drawn = len(job.missing_cards)
    # the two one-file tasks first: each is a long run alone
    tasks = [("csv", 0, 1), ("api", 0, 1)]
    if not parallel:
        tasks += [("cards", 0, drawn), ("submissions", 0, n), ("pages", 2, pages_count + 1)]
        tasks.append(("progress", 0, count))
        return [task for task in tasks if task[2] > task[1]]
    # cards to draw (a cold cache) are the slowest work per item: first
    tasks = [("cards", i, min(i + CARDS_PER_TASK, drawn)) for i in range(0, drawn, CARDS_PER_TASK)]
    tasks += [("csv", 0, 1), ("api", 0, 1)]
    step = max(1, -(-n // (4 * worker_count())))
    tasks += [("submissions", i, min(i + step, n)) for i in range(0, n, step)]
    tasks += [
        ("pages", i, min(i + PAGES_PER_TASK, pages_count + 1))
        for i in range(2, pages_count + 1, PAGES_PER_TASK)
    ]
    tasks += [
        ("progress", i, min(i + PROGRESS_PER_TASK, count))
        for i in range(0, count, PROGRESS_PER_TASK)
    ]
    return tasks


def _parallel(entries: int) -> bool:
    """Forked workers from PARALLEL_FROM entries, where fork exists and 2+ CPUs do."""
    return entries >= PARALLEL_FROM and can_fork()


def _run(job: _Job, task: tuple[str, int, int]) -> tuple[int, int, str | None]:
    """One task, in a worker (or in this process when the build runs serially):
    (files, bytes, its tar fragment or None)."""
    kind, start, stop = task
    site = job.site
    write = job.writer(task)
    try:
        if kind == "submissions":
            pages.submission_pages(site, write, start, stop)
        elif kind == "pages":
            pages.leaderboard_pages(site, write, range(start, stop))
        elif kind == "cards":
            from tinytorch_board.cards import card_png

            for name in job.missing_cards[start:stop]:
                png = card_png(job.cards[name])
                job.cache.put(name, png)
                write.binary(f"cards/{name}.png", png)
        elif kind == "csv":
            write.text("data/submissions.csv", api.submissions_csv(site.entries))
        elif kind == "api":
            _static_api(site, write)
        else:
            for pid, document in api.progress_documents(site.stats, job.participants[start:stop]):
                write.compact_json(f"api/progress/{pid}.json", document)
    finally:
        write.close()
    return write.files, write.bytes, write.path


def _static_api(site: pages.Site, write: Writer) -> None:
    """The leaderboard API files, the distribution and the feed."""
    stats = site.stats
    by_score = dumps(api.leaderboard(stats, "score", site.url))
    write.text("api/leaderboard.json", by_score)  # the same as leaderboard/score.json
    for metric in api.METRICS:
        text = by_score if metric == "score" else dumps(api.leaderboard(stats, metric, site.url))
        write.text(f"api/leaderboard/{metric}.json", text)
    write.json("api/distribution.json", stats.distribution)
    for prefix, document in api.result_files(site.entries):
        write.compact_json(f"api/results/{prefix}.json", document)
    write.text("feed.xml", api.atom_feed(stats, site.config.title, site.url))
