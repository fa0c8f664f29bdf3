"""Write the whole static site for a BoardStats into a directory.

The site is rendered into a fresh staging folder next to the output and swapped in at
the end, so a failed build never leaves half a site and withdrawn submissions leave no
stale pages behind. A folder is only ever replaced if an earlier build left the marker
file in it.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from markupsafe import Markup, escape

from tinytorch_board.board.config import BoardConfig
from tinytorch_board.board.model import BoardStats, Entry
from tinytorch_board.board.site import api, pack, svg
from tinytorch_board.board.site.sink import ArchiveWriter, Assembler, Writer, is_our_archive
from tinytorch_board.curriculum import MILESTONE_COUNT, MILESTONES, MODULE_COUNT
from tinytorch_board.errors import BoardError
from tinytorch_board.jsonio import dumps
from tinytorch_board.submission.badges import BadgeDef
from tinytorch_board.submission.score import group_label, scale_sentence

MARKER = ".tinytorch-site"
PAGE_SIZE = 100
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'"
)
COLUMNS = (
    ("newest", "Date"),
    ("name", "Name"),
    ("", "Benchmark"),
    ("system", "System"),
    ("milestones", "Milestones"),
    ("modules", "Modules"),
    ("score", "Score"),
    ("top", "Standing"),
    ("cohort", "Cohort"),
    ("", "Badges"),
)
SORTS = (
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("milestones", "Most milestones"),
    ("modules", "Most modules"),
    ("score", "Highest score"),
    ("top", "Best standing (top %)"),
    ("system", "System"),
    ("cohort", "Cohort"),
    ("name", "Name"),
)


@dataclass
class SiteReport:
    out_dir: Path
    listed: int
    pages: int = 0
    files: int = 0
    bytes: int = 0
    skipped: list[str] = field(default_factory=list)  # entries not rendered, with reasons
    seconds: dict[str, float] = field(default_factory=dict)


def site_url(base_path: str, path: str) -> str:
    """Absolute (or root-relative) URL of a site file, for links that leave the page."""
    base = base_path or "/"
    if not base.endswith("/"):
        base += "/"
    return base + path


def _environment():
    from tinytorch_board.board.templating import environment

    env = environment()
    env.filters["extract_name"] = lambda badge_id, defs: defs[badge_id].name
    env.globals.update(
        module_count=MODULE_COUNT,
        milestone_count=MILESTONE_COUNT,
        csp=Markup(CSP),  # a constant of ours; escaping would only add bytes
        page_href=lambda n: "index.html" if n == 1 else f"page/{n}.html",
    )
    return env


def _badge_cell(badges: tuple[str, ...], defs: dict[str, BadgeDef], cache: dict) -> Markup:
    """Icons for sight, their names for screen readers: built once per badge set."""
    cell = cache.get(badges)
    if cell is None:
        earned = [defs[b] for b in badges if b in defs]
        cell = Markup("")
        if earned:
            n = len(earned)
            cell = Markup('<span class=bi role=img aria-label="{} badge{}">{}</span>').format(
                n, "" if n == 1 else "s", "".join(b.icon for b in earned)
            )
        cache[badges] = cell
    return cell


# markupsafe.escape's replacements, for the hot paths that join plain strings: the same
# output without building a Markup object per value (a test compares the two).
_HTML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


def html_text(value: object) -> str:
    """str(markupsafe.escape(value)): Markup passes as it is, anything else is escaped.

    Most texts hold none of the five characters; looking for them is cheaper than
    rebuilding the string."""
    if type(value) is str:
        if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
            return value.translate(_HTML_TEXT)
        return value
    if hasattr(value, "__html__"):
        return value.__html__()
    return html_text(str(value))


_ANONYMOUS = "<i class=anon>anonymous</i>"
_UNVERIFIED = "<span class=flag>unverified</span>"


def _group(e: Entry) -> str:
    """The comparable group of an entry in words (kind, suite version, backend)."""
    return group_label(e.kind, e.suite_version, e.backend)


def _rows_html(entries: list[Entry], root: str, defs: dict[str, BadgeDef], cache: dict) -> Markup:
    """The no-script table rows, lean: numeric columns are styled by position, and cell
    end tags (optional in HTML) are left out. Every text that is not a number goes
    is escaped as markupsafe.escape does; the one unquoted attribute holds only `root` ("" or
    "../") and a 32-hex submission id (see _safe_entries)."""
    out = []
    milestones, modules = f"/{MILESTONE_COUNT}<td>", f"/{MODULE_COUNT}<td>"
    href = f"<a href={html_text(root)}s/"
    for e in entries:
        name = api.display_name(e)
        if e.outlier or e.top_percent is None:
            standing = _UNVERIFIED
        else:
            standing = f"Top {int(e.top_percent)}%"  # rank and group size: on its own page
        out.append(
            f"<tr><td>{html_text(e.created_at[:10])}<td>{href}{html_text(e.submission_id)}.html>"
            f"{f'<bdi>{html_text(name)}</bdi>' if name else _ANONYMOUS}</a>"
            f"<td>{html_text(_group(e))}<td>{html_text(e.system_type)}"
            f"<td>{len(e.milestones_completed)}{milestones}{int(e.modules_completed)}{modules}"
            f"{e.score:.1f}<td>{standing}<td>{html_text(e.cohort or '—')}"
            f"<td>{_badge_cell(e.badges, defs, cache)}</tr>\n"
        )
    return Markup("".join(out))


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
) -> SiteReport:
    """Render every page and data file for stats into out_dir (a folder), or with
    archive=True into one tar file at out_dir (what GitHub Pages deploys)."""
    out_dir = Path(out_dir)
    if archive:
        return _render_archive(stats, config, out_dir, progress)
    _check_output(out_dir)
    say = progress or (lambda message: None)
    report = SiteReport(out_dir=out_dir, listed=0)
    staging = out_dir.parent / f".{out_dir.name}.building-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        _render_into(stats, config, staging, report, say)
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
        _render_into(stats, config, staging, report, say, archive=(mtime, joined))
        clock = time.perf_counter()
        joined.finish()
        report.files -= joined.skipped  # a shared card two workers wrote is kept once
        report.bytes -= joined.skipped_bytes
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
        report.files, report.bytes = _render_all(stats, config, write, report, say, joined)


def _render_all(
    stats: BoardStats,
    config: BoardConfig,
    write: Writer,
    report: SiteReport,
    say: Callable[[str], None],
    joined: Assembler | None = None,
) -> tuple[int, int]:
    """Everything into write (and the workers' writers); returns (files, bytes).
    With joined, write is the archive's first fragment: the marker, static files and
    folders, handed over before the workers start; the main pages follow last."""
    from tinytorch_board.board.templating import templates_dir

    clock = time.perf_counter()
    env = _environment()
    entries = _safe_entries(stats, report)
    report.listed = len(entries)
    defs = {b.id: b for b in stats.badges}
    common = {
        "title": config.title,
        "generated_at": stats.generated_at.replace("T", " ").replace("Z", " UTC"),
        "badge_defs": defs,
        "badge_list": stats.badges,
        "k": stats.k,
    }
    url = lambda path: site_url(config.base_path, path)  # noqa: E731

    write.text(MARKER, "Built by tinytorch-board; `build` replaces this folder.\n")
    static = templates_dir() / "static"
    for path in sorted(static.rglob("*")):
        if path.is_file():
            write.text(f"static/{path.relative_to(static).as_posix()}", path.read_text("utf-8"))

    for folder in ("s", "badges", "cards", "page", "data/ids", "api/leaderboard", "api/progress"):
        write.folder(folder)

    # The many-file work first, on forked workers, while this process does the rest.
    started = time.perf_counter()
    say("submission pages, share cards, badges, leaderboard pages and progress files")
    job = _Job(
        env=env,
        entries=entries,
        stats=stats,
        config=config,
        common=common,
        root=write.root,
        url=url,
        index=_index_context(stats, entries, common),
        participants=api.progress_ids(stats),
        archive_mtime=getattr(write, "mtime", None),
        folders=frozenset(write.made),
    )
    files, size = write.files, write.bytes
    main = write
    if joined is not None:
        write.close()
        joined.add(write.path, write.shared)
        main = ArchiveWriter(Path(write.root) / "main.tar", job.archive_mtime, job.folders)
    parallel = _parallel(len(entries))
    tasks = _plan(job, parallel)
    waiter = _start(job, tasks, parallel)
    try:
        _render_main(stats, config, main, report, say, job)
    except BaseException:
        getattr(waiter, "cancel", lambda: None)()
        raise
    main.close()
    clock = time.perf_counter()
    results = waiter()
    try:
        for done_files, done_bytes, fragment, shared in results:  # in task order
            files += done_files
            size += done_bytes
            if joined is not None:
                joined.add(fragment, shared)  # while later tasks still run
    finally:
        results.close()  # on an error here too: the workers stop now, not at exit
    if joined is not None:
        joined.add(main.path, main.shared)
    if main is not write:
        files += main.files
        size += main.bytes
    report.pages += len(entries) + sum(
        stop - start for kind, start, stop in tasks if kind == "pages"
    )
    report.seconds["main: wait for the workers"] = time.perf_counter() - clock
    report.seconds["workers (alongside)"] = time.perf_counter() - started
    return files, size


def _index_context(stats: BoardStats, entries: list[Entry], common: dict) -> dict:
    """What every leaderboard page shows (the first adds the packed data's meta)."""
    return {
        **common,
        "page_kind": "index",
        "count": len(entries),
        "participants": stats.community.participants or len(stats.histories),
        "milestone_all": sum(1 for e in entries if len(e.milestones_completed) >= MILESTONE_COUNT),
        "systems": len({e.system_type for e in entries}),
        "kinds": sorted({e.kind for e in entries}),
        "backends": sorted({e.backend for e in entries}),
        "columns": COLUMNS,
        "sorts": SORTS,
        "pages": max(1, math.ceil(len(entries) / PAGE_SIZE)),
    }


def _index_pages(write: Writer, job: _Job, numbers: range, meta: dict | None = None) -> None:
    """Leaderboard pages by number: 1 is index.html (with the script's data), N is
    page/N.html (the lean no-script list)."""
    index = job.env.get_template("index.html")
    defs = job.common["badge_defs"]
    badge_cells: dict[tuple[str, ...], Markup] = {}
    for page in numbers:
        chunk = job.entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        root = "" if page == 1 else "../"
        html = index.render(
            **job.index,
            meta=meta,
            root=root,
            page=page,
            rows=_rows_html(chunk, root, defs, badge_cells),
            first=(page - 1) * PAGE_SIZE + 1 if chunk else 0,
            last=(page - 1) * PAGE_SIZE + len(chunk),
        )
        write.text("index.html" if page == 1 else f"page/{page}.html", html)


def _render_main(stats, config, write, report, say, job: _Job) -> None:
    """Everything the workers do not do (while they work)."""
    clock = time.perf_counter()
    entries = job.entries

    # Leaderboard: the packed data for the script and the first page.
    say(f"leaderboard data for {len(entries)} entries")
    packed = pack.pack(entries, [b.id for b in stats.badges], sorted(stats.groups))
    meta = dict(packed.meta)
    meta["group_sizes"] = [
        stats.groups[g].count if g in stats.groups else 0 for g in packed.meta["groups"]
    ]
    meta["badge_defs"] = [[b.id, b.name, b.icon] for b in stats.badges]
    meta["milestone_count"] = MILESTONE_COUNT
    meta["module_count"] = MODULE_COUNT
    meta["page_size"] = 50
    for i, chunk in enumerate(packed.chunks):
        write.compact_json(f"data/rows-{i}.json", chunk)
    write.compact_json("data/names.json", packed.names)
    for i, ids in enumerate(packed.id_chunks):
        write.compact_json(f"data/ids/{i}.json", ids)

    _index_pages(write, job, range(1, 2), meta)
    report.pages += 1
    report.seconds["main: leaderboard data, first page"] = time.perf_counter() - clock

    clock = time.perf_counter()
    say("community and about pages")
    env, common = job.env, job.common
    write.text(
        "community.html",
        env.get_template("community.html").render(
            **common,
            root="",
            page_kind="community",
            figures=stats.community,
            charts=community_charts(stats),
        ),
    )
    write.text(
        "about.html", env.get_template("about.html").render(**common, root="", page_kind="about")
    )
    report.pages += 2

    report.seconds["main: community, about"] = time.perf_counter() - clock


def _static_api(write: Writer, job: _Job) -> None:
    """The leaderboard API files, the distribution and the feed."""
    stats = job.stats
    by_score = dumps(api.leaderboard(stats, "score"))
    write.text("api/leaderboard.json", by_score)  # the same as leaderboard/score.json
    for metric in api.METRICS:
        text = by_score if metric == "score" else dumps(api.leaderboard(stats, metric))
        write.text(f"api/leaderboard/{metric}.json", text)
    write.json("api/distribution.json", stats.distribution)
    write.text("feed.xml", api.atom_feed(stats, job.config.title, job.url))


def _history_line(stats: BoardStats, entry: Entry) -> str:
    history = stats.histories.get(entry.participant_id)
    if history is None or len(history.submission_ids) < 2:
        return ""
    n = len(history.submission_ids)
    line = f"{n} results: first {history.first_score:.1f}, best "
    line += f"{history.best_score:.1f}"
    if history.improvement > 0:
        line += f" (+{history.improvement:.1f})"
    return line + "."


@dataclass
class _Job:
    """What every task needs; forked workers inherit it (set just before the pool starts,
    cleared after), so nothing is pickled but the task bounds and the counts."""

    env: object
    entries: list[Entry]
    stats: BoardStats
    config: BoardConfig
    common: dict
    root: str
    url: Callable[[str], str]
    index: dict
    participants: list[str]
    archive_mtime: int | None = None  # set: tasks write tar fragments, not files
    folders: frozenset[str] = frozenset()  # folders the first fragment holds

    def writer(self, task: tuple[str, int, int]) -> Writer:
        if self.archive_mtime is None:
            return Writer(self.root)
        kind, start, _ = task
        path = Path(self.root) / f"{kind}-{start:08d}.tar"
        return ArchiveWriter(path, self.archive_mtime, self.folders)


_JOB: _Job | None = None
PARALLEL_FROM = 5_000  # below this, starting processes costs more than it saves
PROGRESS_PER_TASK = 5_000
PAGES_PER_TASK = 200


def _plan(job: _Job, parallel: bool) -> list[tuple[str, int, int]]:
    """The tasks, (kind, start, stop), biggest first so the workers end together: the
    CSV and the API files, submission pages in a few slices per worker, then the
    no-script leaderboard pages (2..N) and the progress files (one per participant) in
    small slices. Run serially, each kind is one task (one writer, so equal badges share
    one file throughout)."""
    n, pages, count = len(job.entries), job.index["pages"], len(job.participants)
    # the two one-file tasks first: each is a long run alone
    tasks = [("csv", 0, 1), ("api", 0, 1)]
    if not parallel:
        tasks += [("submissions", 0, n), ("pages", 2, pages + 1), ("progress", 0, count)]
        return [task for task in tasks if task[2] > task[1]]
    step = max(1, -(-n // (4 * _worker_count())))
    tasks += [("submissions", i, min(i + step, n)) for i in range(0, n, step)]
    tasks += [
        ("pages", i, min(i + PAGES_PER_TASK, pages + 1))
        for i in range(2, pages + 1, PAGES_PER_TASK)
    ]
    tasks += [
        ("progress", i, min(i + PROGRESS_PER_TASK, count))
        for i in range(0, count, PROGRESS_PER_TASK)
    ]
    return tasks


def _worker_count() -> int:
    return min(4, os.cpu_count() or 1)


def _parallel(entries: int) -> bool:
    """Forked workers from PARALLEL_FROM entries, where fork exists and 2+ CPUs do."""
    import multiprocessing

    return (
        _worker_count() >= 2
        and entries >= PARALLEL_FROM
        and "fork" in multiprocessing.get_all_start_methods()
    )


def _start(
    job: _Job, tasks: list[tuple[str, int, int]], parallel: bool
) -> Callable[[], Iterator[tuple]]:
    """Start the tasks; returns what waits for them, giving each task's `_run` result in
    task order as soon as it (and every task before it) is done.

    In parallel they run on forked workers (which share the state computed so far)
    while the calling process goes on with the other pages; otherwise (below
    PARALLEL_FROM entries starting processes costs more than it saves) they run on wait.
    """
    import multiprocessing

    global _JOB
    workers = _worker_count()
    if not parallel:

        def serial() -> Iterator[tuple]:
            global _JOB
            _JOB = job
            try:
                for task in tasks:
                    yield _run(task)
            finally:
                _JOB = None

        return serial
    _JOB = job
    pool = multiprocessing.get_context("fork").Pool(workers)
    pending = pool.imap(_run, tasks, chunksize=1)

    def wait() -> Iterator[tuple]:
        global _JOB
        try:
            yield from pending
            pool.close()
            pool.join()
        finally:
            pool.terminate()
            _JOB = None

    wait.cancel = pool.terminate  # type: ignore[attr-defined]
    return wait


def _run(task: tuple[str, int, int]) -> tuple[int, int, str | None, list]:
    """One task, in a worker (or in this process when the build runs serially):
    (files, bytes, tar fragment or None, the fragment's shared members)."""
    job = _JOB
    kind, start, stop = task
    write = job.writer(task)
    try:
        _task(job, write, kind, start, stop)
    finally:
        write.close()
    return write.files, write.bytes, write.path, write.shared


def _task(job: _Job, write: Writer, kind: str, start: int, stop: int) -> None:
    if kind == "submissions":
        _submission_slice(job, job.entries[start:stop], write)
    elif kind == "pages":
        _index_pages(write, job, range(start, stop))
    elif kind == "csv":
        write.text("data/submissions.csv", api.submissions_csv(job.entries))
    elif kind == "api":
        _static_api(write, job)
    else:
        for pid, document in api.progress_documents(job.stats, job.participants[start:stop]):
            write.compact_json(f"api/progress/{pid}.json", document)


class FillIn:
    """A template rendered once, with a marker in every field slot, into a fill-in pattern.

    Rendering Jinja per page costs more than writing the page; this keeps the template
    as the one source of the markup while `fill` only joins strings. Autoescape
    semantics hold: every value is escaped as markupsafe.escape does (plain text is
    escaped, Markup fragments - built with Markup.format, which escapes its arguments -
    pass).
    """

    def __init__(self, env, name: str, fields: tuple[str, ...], **constants) -> None:
        marks = {f: Markup(f"\x00{f}\x00") for f in fields}
        text = env.get_template(name).render(**constants, **marks)
        parts = text.split("\x00")
        if len(parts) % 2 == 0 or any(f not in fields for f in parts[1::2]):
            raise BoardError(f"{name}: a value holds a NUL character; remove it from board.yaml")
        self._literals = [Markup(x) for x in parts[0::2]]
        self._fields = parts[1::2]

    def fill(self, values: dict) -> str:
        out = [self._literals[0]]
        for name, literal in zip(self._fields, self._literals[1:], strict=True):
            out.append(html_text(values[name]))
            out.append(literal)
        return "".join(out)


SUBMISSION_FIELDS = (
    "who", "score", "card_url", "name", "when", "placement", "modules",
    "milestones", "progress", "badges", "card", "embed",
)  # fmt: skip
# A submission page runs no script and fetches nothing but its style sheet and card.
SUBMISSION_CSP = "default-src 'none';style-src 'self';img-src 'self' data:;base-uri 'none'"


def _milestone_list(done: frozenset, cache: dict) -> Markup:
    """Reached milestones as chips: built once per set."""
    cell = cache.get(done)
    if cell is None:
        reached = "".join(f"<li>{escape(m.label)}" for m in MILESTONES if m.id in done)
        cell = cache[done] = Markup(f"<ul class=milestones>{reached}</ul>" if reached else "")
    return cell


def _badge_list(earned: list[BadgeDef], key: tuple, cache: dict) -> Markup:
    cell = cache.get(key)
    if cell is None:
        if earned:
            names = ", ".join(f"{escape(b.icon)} {escape(b.name)}" for b in earned)
            cell = Markup(f"<p>Badges: {names}</p>")
        else:
            cell = Markup("<p>No badges yet: every next run can earn one.</p>")
        cache[key] = cell
    return cell


def _placement(e: Entry) -> Markup:
    """Numbers and escaped labels only."""
    system = html_text(e.system_type)
    if e.outlier or e.top_percent is None:
        return Markup(
            f"<strong>Unverified outlier.</strong> This result is far from other {system} "
            "results, so it is listed but not ranked."
        )
    plural = "" if e.group_size == 1 else "s"
    text = (
        f"<strong>Top {int(e.top_percent)}%</strong> of {int(e.group_size)} "
        f"{html_text(_group(e))} result{plural} (rank {int(e.rank)})."
    )
    if e.similar_top_percent is not None:
        text += (
            f" Among similar systems: <strong>top {int(e.similar_top_percent)}%"
            f"</strong> of {int(e.similar_size)}."
        )
    return Markup(text)


def _submission_slice(job: _Job, entries: list[Entry], write: Writer) -> None:
    """Write s/<id>.html, cards and badges for entries."""
    env, stats, config, common, url = job.env, job.stats, job.config, job.common, job.url
    page = FillIn(
        env, "submission.html", SUBMISSION_FIELDS, title="TinyTorch", csp=Markup(SUBMISSION_CSP)
    )
    defs: dict[str, BadgeDef] = common["badge_defs"]
    cards: dict[tuple, str] = {}
    milestone_cache: dict = {}
    badge_cache: dict = {}
    badge_texts: dict[str, tuple[str, str]] = {}  # badge message -> (SVG, shields JSON)
    card_url = url("cards/")
    page_url = url("s/")
    badge_url = url("badges/")
    anonymous = Markup("<i class=anon>anonymous</i>")
    for e in entries:
        sid = e.submission_id
        name = api.display_name(e)
        github = e.github if name and e.github and api.GITHUB_NAME.match(e.github) else None
        earned = [defs[b] for b in e.badges if b in defs]
        done = frozenset(e.milestones_completed)
        score = f"{e.score:.1f}"
        message = api.badge_message(e)
        if e.outlier or e.top_percent is None:
            headline = f"{_group(e)}: unverified, listed not ranked"
        else:
            headline = f"Top {e.top_percent}% of {_group(e)} results"
        # Cards hold no id, name, group size or badges (those are on the page), so equal
        # results share one file: at 100,000 entries, 16,000 cards instead of 35,000.
        card_key = (score, headline, e.modules_completed, len(done))
        card_name = cards.get(card_key)
        if card_name is None:
            card = svg.share_card(
                config.title,
                e.score,
                headline,
                "I built my own ML framework with TinyTorch",
                e.modules_completed,
                MODULE_COUNT,
                len(done),
                MILESTONE_COUNT,
            )
            card_name = cards[card_key] = hashlib.sha256(card.encode("utf-8")).hexdigest()[:20]
            write.text(f"cards/{card_name}.svg", card, shared=True)
        if name:
            title = f"<bdi>{escape(name)}</bdi>"
            if github:
                gh = escape(github)
                link = f'href="https://github.com/{gh}" rel="nofollow noopener"'
                title += f' <a class="gh" {link}>@{gh}</a>'
            title = Markup(title)
        else:
            title = anonymous
        when = f"{e.created_at[:10]} · {e.kind} benchmark · suite {e.suite_version} · "
        when += f"{e.backend} · "
        when += e.system_type + (f" · {e.cohort}" if e.cohort else "")
        history = _history_line(stats, e)
        progress = _milestone_list(done, milestone_cache)
        if history:
            progress = Markup(f"{progress}<p>{escape(history)}")  # </p> is optional here
        html = page.fill(
            {
                "who": name or "A TinyTorch student",
                "score": score,
                "card_url": f"{card_url}{card_name}.svg",
                "name": title,
                "when": when,
                "placement": _placement(e),
                "modules": f"{e.modules_completed}/{MODULE_COUNT}",
                "milestones": f"{len(done)}/{MILESTONE_COUNT}",
                "progress": progress,
                "badges": _badge_list(earned, e.badges, badge_cache),
                "card": card_name,
                "embed": f"[![TinyTorch {score}]({badge_url}{sid}.svg)]({page_url}{sid}.html)",
            }
        )
        write.text(f"s/{sid}.html", html)
        texts = badge_texts.get(message)
        if texts is None:  # a few thousand distinct messages among 100,000 entries
            texts = badge_texts[message] = (
                svg.badge("TinyTorch", message),
                api.shields_text(message),
            )
        write.linked(f"badges/{sid}.svg", texts[0])
        write.linked(f"badges/{sid}.json", texts[1])


def _figure(fid, title, lede, svg_text, items, label_heading, value_heading="People") -> dict:
    return {
        "id": fid,
        "title": title,
        "lede": lede,
        "svg": Markup(svg_text),  # built by svg.py, which escapes every label
        "rows": items,
        "label_heading": label_heading,
        "value_heading": value_heading,
    }


def community_charts(stats: BoardStats) -> list[dict]:
    """The community page's pictures, each with the table it was drawn from."""
    c = stats.community
    charts = []
    funnel = [(m.label, c.milestone_reached.get(m.id, 0)) for m in MILESTONES]
    charts.append(
        _figure(
            "milestones",
            "Milestones reached",
            "From the 1957 Perceptron to MLPerf: how many of us got there.",
            svg.bar_chart("c-milestones", "Milestones reached", funnel, color=svg.PALETTE[2]),
            funnel,
            "Milestone",
        )
    )
    modules = list(c.modules_histogram) or [0] * (MODULE_COUNT + 1)
    charts.append(
        _figure(
            "modules",
            "Modules completed",
            "How far along the 20 modules people were when they shared a result.",
            svg.column_chart(
                "c-modules",
                "Modules completed",
                [str(i) for i in range(len(modules))],
                modules,
                color=svg.PALETTE[3],
                every=2,
            ),
            [(str(i), v) for i, v in enumerate(modules)],
            "Modules",
            "Results",
        )
    )
    systems = sorted(c.systems.items(), key=lambda kv: (-kv[1], kv[0]))
    charts.append(
        _figure(
            "systems",
            "Kinds of computer",
            "Laptops, desktops, old and new: every machine is welcome.",
            svg.bar_chart("c-systems", "Kinds of computer", systems, color=svg.PALETTE[1]),
            systems,
            "System",
            "Results",
        )
    )
    for i, (group, bins) in enumerate(sorted(c.score_histogram.items())):
        width = 100 / max(1, len(bins))
        labels = [f"{round(j * width)}" for j in range(len(bins))]
        kind, suite, backend = group.split("/")
        title = f"Scores: {group_label(kind, int(suite), backend)}"
        charts.append(
            _figure(
                f"scores-{i}",
                title,
                scale_sentence(kind, int(suite), backend),
                svg.column_chart(f"c-scores-{i}", title, labels, list(bins), every=2),
                [(f"{round(j * width)}–{round((j + 1) * width)}", v) for j, v in enumerate(bins)],
                "Score",
                "Results",
            )
        )
    months = sorted(c.submissions_per_month.items())
    charts.append(
        _figure(
            "months",
            "Results shared each month",
            "The community growing, month by month.",
            svg.column_chart(
                "c-months",
                "Results shared each month",
                [m for m, _ in months],
                [v for _, v in months],
                color=svg.PALETTE[4],
                every=max(1, len(months) // 6),
            ),
            months,
            "Month",
            "Results",
        )
    )
    for fid, title, lede, data in (
        ("cohorts", "Cohorts", "Which term people joined in.", c.cohorts),
        (
            "courses",
            "How people take the course",
            "University, bootcamp or self-paced.",
            c.course_types,
        ),
        ("countries", "Countries", "Where public entries come from.", c.countries),
    ):
        items = sorted(data.items(), key=lambda kv: (-kv[1], kv[0]))
        if fid == "cohorts":
            items = sorted(data.items(), key=lambda kv: pack._cohort_order(kv[0]))
        if items:
            charts.append(
                _figure(
                    fid,
                    title,
                    lede,
                    svg.bar_chart(f"c-{fid}", title, items, color=svg.PALETTE[5]),
                    items,
                    title,
                )
            )
    return charts
