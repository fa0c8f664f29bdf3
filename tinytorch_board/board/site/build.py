"""Write the whole static site for a BoardStats into a directory.

The site is rendered into a fresh staging folder next to the output and swapped in at
the end, so a failed build never leaves half a site and withdrawn submissions leave no
stale pages behind. A folder is only ever replaced if an earlier build left the marker
file in it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from tinytorch_board.board.config import BoardConfig
from tinytorch_board.board.model import BadgeDef, BoardStats, Entry
from tinytorch_board.board.site import api, pack, svg
from tinytorch_board.curriculum import MILESTONE_COUNT, MILESTONES, MODULE_COUNT
from tinytorch_board.errors import BoardError
from tinytorch_board.local.store import dumps

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


class _Writer:
    """Plain writes into the staging folder (atomicity comes from the final swap).

    Writing on several threads was measured and made no difference here: creating
    hundreds of thousands of small files is bound by the file system.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.made: set[str] = set()
        self.files = 0
        self.bytes = 0

    def text(self, relative: str, content: str, shared: bool = False) -> None:
        """Write one file; shared=True: another worker may write the same content."""
        folder, _, _ = relative.rpartition("/")
        if folder not in self.made:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            self.made.add(folder)
        data = content.encode("utf-8")
        flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if shared else os.O_TRUNC)
        try:
            fd = os.open(os.path.join(self.root, relative), flags, 0o644)
        except FileExistsError:  # the same content, written by another worker
            return
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        self.files += 1
        self.bytes += len(data)

    def json(self, relative: str, document: object) -> None:
        self.text(relative, dumps(document))

    def compact_json(self, relative: str, document: object) -> None:
        """Browser-only data files: no indent, because every byte is downloaded."""
        self.text(relative, json.dumps(document, separators=(",", ":"), ensure_ascii=False))


def _environment():
    from tinytorch_board.board.render import environment

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
    """Icons for sight, names for screen readers: built once per distinct badge set."""
    cell = cache.get(badges)
    if cell is None:
        earned = [defs[b] for b in badges if b in defs]
        names = ", ".join(b.name for b in earned)
        cell = Markup("")
        if earned:
            cell = Markup(
                '<span class="bi" title="{0}" aria-hidden="true">{1}</span>'
                '<span class="vh">{0}</span>'
            ).format(names, "".join(b.icon for b in earned))
        cache[badges] = cell
    return cell


def _row(entry: Entry, defs: dict[str, BadgeDef], cache: dict) -> dict:
    return {
        "badge_cell": _badge_cell(entry.badges, defs, cache),
        "id": entry.submission_id,
        "date": entry.created_at[:10],
        "name": api.display_name(entry),
        "kind": entry.kind,
        "backend": entry.backend,
        "system": entry.system_type,
        "milestones": len(entry.milestones_completed),
        "modules": entry.modules_completed,
        "score": f"{entry.score:.1f}",
        "top": None if entry.outlier else entry.top_percent,
        "rank": entry.rank,
        "size": entry.group_size,
        "cohort": entry.cohort,
        "badges": entry.badges,
    }


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
) -> SiteReport:
    """Render every page and data file for stats into out_dir."""
    out_dir = Path(out_dir)
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


def _render_into(
    stats: BoardStats,
    config: BoardConfig,
    root: Path,
    report: SiteReport,
    say: Callable[[str], None],
) -> None:
    write = _Writer(root)
    _render_all(stats, config, write, report, say)
    report.files = write.files
    report.bytes = write.bytes


def _render_all(
    stats: BoardStats,
    config: BoardConfig,
    write: _Writer,
    report: SiteReport,
    say: Callable[[str], None],
) -> None:
    from tinytorch_board.board.render import templates_dir

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

    # Leaderboard: the packed data for the script, then the no-script pages.
    say(f"leaderboard pages for {len(entries)} entries")
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

    index = env.get_template("index.html")
    badge_cells: dict[tuple[str, ...], Markup] = {}
    pages = max(1, math.ceil(len(entries) / PAGE_SIZE))
    page_common = {
        **common,
        "page_kind": "index",
        "meta": meta,
        "count": len(entries),
        "participants": stats.community.participants or len(stats.histories),
        "milestone_all": sum(1 for e in entries if len(e.milestones_completed) >= MILESTONE_COUNT),
        "systems": len({e.system_type for e in entries}),
        "kinds": sorted({e.kind for e in entries}),
        "backends": sorted({e.backend for e in entries}),
        "columns": COLUMNS,
        "sorts": SORTS,
        "pages": pages,
    }
    for page in range(1, pages + 1):
        chunk = entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        html = index.render(
            **page_common,
            root="" if page == 1 else "../",
            page=page,
            rows=[_row(e, defs, badge_cells) for e in chunk],
            first=(page - 1) * PAGE_SIZE + 1 if chunk else 0,
            last=(page - 1) * PAGE_SIZE + len(chunk),
        )
        write.text("index.html" if page == 1 else f"page/{page}.html", html)
    report.pages += pages
    report.seconds["leaderboard"] = time.perf_counter() - clock

    clock = time.perf_counter()
    say("submission pages, share cards and badges")
    files, size = _submission_pages_parallel(env, entries, stats, config, common, write.root, url)
    write.files += files
    write.bytes += size
    report.pages += len(entries)
    report.seconds["submissions"] = time.perf_counter() - clock

    clock = time.perf_counter()
    say("community and about pages")
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

    say("static API, CSV and feed")
    write.json("api/leaderboard.json", api.leaderboard(stats, "score"))
    for metric in api.METRICS:
        write.json(f"api/leaderboard/{metric}.json", api.leaderboard(stats, metric))
    write.json("api/distribution.json", stats.distribution)
    for pid, document in api.progress_documents(stats):
        write.json(f"api/progress/{pid}.json", document)
    write.text("data/submissions.csv", api.submissions_csv(entries))
    write.text("feed.xml", api.atom_feed(stats, config.title, url))
    report.seconds["api"] = time.perf_counter() - clock


def _history_line(stats: BoardStats, entry: Entry) -> str:
    history = stats.histories.get(entry.participant_id)
    if history is None or len(history.submission_ids) < 2:
        return ""
    n = len(history.submission_ids)
    line = f"This student shared {n} results: first {history.first_score:.1f}, best "
    line += f"{history.best_score:.1f}"
    if history.improvement > 0:
        line += f" (+{history.improvement:.1f} since the first)"
    return line + "."


# What forked workers inherit: set just before the pool starts, cleared after.
_JOB: tuple | None = None
PARALLEL_FROM = 5_000  # below this, starting processes costs more than it saves


def _submission_pages_parallel(env, entries, stats, config, common, root, url) -> tuple[int, int]:
    """Submission pages on every core (forked workers share the rendered-so-far state)."""
    import multiprocessing

    workers = min(4, os.cpu_count() or 1)
    if (
        workers < 2
        or len(entries) < PARALLEL_FROM
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return _submission_slice(env, entries, stats, config, common, root, url)
    global _JOB
    _JOB = (env, entries, stats, config, common, root, url)
    try:
        step = -(-len(entries) // workers)
        bounds = [(i, min(i + step, len(entries))) for i in range(0, len(entries), step)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_submission_worker, bounds)
    finally:
        _JOB = None
    return sum(f for f, _ in results), sum(b for _, b in results)


def _submission_worker(bounds: tuple[int, int]) -> tuple[int, int]:
    env, entries, stats, config, common, root, url = _JOB
    start, stop = bounds
    return _submission_slice(env, entries[start:stop], stats, config, common, root, url)


def _submission_slice(env, entries, stats, config, common, root, url) -> tuple[int, int]:
    """Write s/<id>.html, cards and badges for entries; returns (files, bytes)."""
    write = _Writer(root)
    template = env.get_template("submission.html")
    defs: dict[str, BadgeDef] = common["badge_defs"]
    cards: set[str] = set()
    for e in entries:
        sid = e.submission_id
        name = api.display_name(e)
        github = e.github if name and e.github and api.GITHUB_NAME.match(e.github) else None
        earned = [defs[b] for b in e.badges if b in defs]
        done = set(e.milestones_completed)
        score = f"{e.score:.1f}"
        line = api.result_line(e)
        pid_ok = api.PARTICIPANT_ID.match(e.participant_id) is not None
        if e.outlier or e.top_percent is None:
            headline = f"{e.kind} · {e.backend}: unverified, listed not ranked"
        else:
            headline = f"Top {e.top_percent}% of {e.kind} · {e.backend} results"
        # Cards hold no id, name or group size, so equal results share one file.
        card = svg.share_card(
            config.title,
            e.score,
            headline,
            "I built my own ML framework with TinyTorch",
            e.modules_completed,
            MODULE_COUNT,
            len(done),
            MILESTONE_COUNT,
            [f"{b.icon} {b.name}" for b in earned],
        )
        card_name = hashlib.sha256(card.encode("utf-8")).hexdigest()[:20]
        if card_name not in cards:
            cards.add(card_name)
            write.text(f"cards/{card_name}.svg", card, shared=True)
        html = template.render(
            **common,
            root="../",
            page_kind="submission",
            id=sid,
            name=name,
            headline_name=name or "A TinyTorch student",
            github=github,
            date=e.created_at[:10],
            kind=e.kind,
            backend=e.backend,
            system=e.system_type,
            cohort=e.cohort,
            score=score,
            outlier=e.outlier or e.top_percent is None,
            top=e.top_percent,
            size=e.group_size,
            rank=e.rank,
            percentile=f"{e.percentile:.0f}" if e.percentile is not None else "",
            similar_top=e.similar_top_percent,
            similar_size=e.similar_size,
            modules=e.modules_completed,
            milestone_count_done=len(done),
            milestones=[{"label": m.label, "done": m.id in done} for m in MILESTONES],
            history=_history_line(stats, e),
            badges=earned,
            summary=line,
            badge_text=api.badge_message(e),
            card=card_name,
            card_url=url(f"cards/{card_name}.svg"),
            page_url=url(f"s/{sid}.html"),
            embed=f"[![TinyTorch {score}]({url(f'badges/{sid}.svg')})]({url(f's/{sid}.html')})",
            progress_api=f"api/progress/{e.participant_id}.json" if pid_ok else None,
        )
        write.text(f"s/{sid}.html", html)
        write.text(f"badges/{sid}.svg", svg.badge("TinyTorch", api.badge_message(e)))
        write.text(f"badges/{sid}.json", api.shields_endpoint_text(e))
    return write.files, write.bytes


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
        title = f"Scores: {group.replace('/', ' · suite ', 1).replace('/', ' · ')}"
        charts.append(
            _figure(
                f"scores-{i}",
                title,
                "Reference machine = 50; every doubling of speed adds 10.",
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
