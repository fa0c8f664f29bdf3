"""The site's HTML pages: each page's context (a TypedDict) and how it is rendered.

Leaderboard pages (index.html, page/N.html), one page per submission (s/<id>.html),
the community and about pages. Markup lives in templates/; the pieces repeated on
thousands of pages are macros of `_fragments.html`, rendered once per distinct value
or once per shape into fill-in patterns (markup.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypedDict

from markupsafe import Markup

from tinytorch_board.board.config import BoardConfig
from tinytorch_board.board.model import BoardStats, Entry
from tinytorch_board.board.site import api
from tinytorch_board.board.site.charts import Figure, community_charts
from tinytorch_board.board.site.markup import FillIn
from tinytorch_board.board.site.sink import Writer
from tinytorch_board import __version__
from tinytorch_board.cards import CARD_SIZE, card_name, card_score, student_card
from tinytorch_board.local.config import pages_address
from tinytorch_board.curriculum import MILESTONE_COUNT, MILESTONES, MODULE_COUNT
from tinytorch_board.submission.badges import BadgeDef
from tinytorch_board.submission.score import group_label

PAGE_SIZE = 50  # rows a leaderboard page shows, with and without the script
TINYTORCH_URL = "https://github.com/MLSysBook/TinyTorch"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'"
)
# A submission page runs one script (its copy buttons) and fetches nothing but its style
# sheet, that script and its card.
SUBMISSION_CSP = (
    "default-src 'none';script-src 'self';style-src 'self';img-src 'self' data:;base-uri 'none'"
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


class TakePart(TypedDict):
    """The "Take part" block on every page: literal commands and the two links."""

    commands: list[str]
    tinytorch_url: str
    repository_url: str  # "" when board.yaml names no repository


class Common(TypedDict):
    """What every page of base.html shows."""

    title: str
    take_part: TakePart
    generated_at: str  # "2026-11-22 10:30:00 UTC"
    badge_defs: dict[str, BadgeDef]
    badge_list: list[BadgeDef]
    k: int  # the k of k-anonymity


class Leaderboard(Common):
    """What every leaderboard page shows."""

    page_kind: str  # "index"
    count: int
    participants: int
    milestone_all: int  # people who reached every milestone (the community page's figure)
    systems: int
    kinds: list[str]
    backends: list[str]
    columns: tuple[tuple[str, str], ...]
    sorts: tuple[tuple[str, str], ...]
    pages: int


class LeaderboardPage(Leaderboard):
    """index.html: one leaderboard page."""

    meta: dict | None  # the packed data's meta: the first page only (its script reads it)
    root: str  # "" or "../"
    page: int
    rows: Markup  # the no-script table's rows
    first: int
    last: int


class CommunityPage(Common):
    """community.html."""

    root: str
    page_kind: str  # "community"
    figures: object  # the board's CommunityStats
    charts: list[Figure]


class AboutPage(Common):
    """about.html."""

    root: str
    page_kind: str  # "about"
    score_meanings: dict[str, str]


class ComparePage(Common):
    """compare.html: two results side by side, read from api/results/ by its script."""

    root: str
    page_kind: str  # "compare"


# submission.html's slots, filled per page (see submission_pages)
SUBMISSION_FIELDS = (
    "who", "score", "card_url", "outlier", "name", "when", "placement", "modules",
    "milestones", "progress", "badges", "compare", "card", "permalink", "embed",
)  # fmt: skip


def site_url(config: BoardConfig, path: str) -> str:
    """The URL of a site file for links that leave the site (README badge, card, feed,
    API links): absolute from site.url when it is set, else root-relative."""
    root = config.public_root
    if root:
        return root + path
    base = config.served_path or "/"
    if not base.endswith("/"):
        base += "/"
    return base + path


def take_part(config: BoardConfig) -> TakePart:
    """The literal commands a visitor runs to join this board, and where to read more."""
    repository = config.site.repository
    commands = [f"pip install tinytorch-board=={__version__}"]
    if repository:
        commands.append(f"tinytorch-board config set board.repo {repository}")
    # the client finds the site of board.repo at its GitHub Pages address by itself
    if config.site.url and (not repository or pages_address(repository) != config.public_root):
        commands.append(f"tinytorch-board config set board.pages_url {config.public_root}")
    commands += ["tinytorch-board benchmark baseline", "tinytorch-board submit"]
    return TakePart(
        commands=commands,
        tinytorch_url=TINYTORCH_URL,
        repository_url=f"https://github.com/{repository}" if repository else "",
    )


def environment():
    """The Jinja environment with the site's globals."""
    from tinytorch_board.board.templating import environment

    env = environment()
    env.globals.update(
        module_count=MODULE_COUNT,
        milestone_count=MILESTONE_COUNT,
        csp=Markup(CSP),  # a constant of ours; escaping would only add bytes
        page_href=lambda n: "index.html" if n == 1 else f"page/{n}.html",
    )
    return env


@dataclass
class Site:
    """What the pages of one build are made from (forked workers inherit it)."""

    env: object
    stats: BoardStats
    config: BoardConfig
    entries: list[Entry]  # the listed entries, newest first
    card_files: list[str]  # each entry's share card (file name stem), in entry order
    common: Common
    leaderboard: Leaderboard

    def url(self, path: str) -> str:
        return site_url(self.config, path)


def site_for(stats: BoardStats, config: BoardConfig, entries: list[Entry]) -> tuple[Site, dict]:
    """The Site, and the distinct share cards it links (file name stem -> SVG)."""
    common = Common(
        title=config.title,
        take_part=take_part(config),
        generated_at=stats.generated_at.replace("T", " ").replace("Z", " UTC"),
        badge_defs={b.id: b for b in stats.badges},
        badge_list=stats.badges,
        k=stats.k,
    )
    leaderboard = Leaderboard(
        **common,
        page_kind="index",
        count=len(entries),
        participants=stats.community.participants or len(stats.histories),
        milestone_all=stats.community.all_milestones,
        systems=len({e.system_type for e in entries}),
        kinds=sorted({e.kind for e in entries}),
        backends=sorted({e.backend for e in entries}),
        columns=COLUMNS,
        sorts=SORTS,
        pages=max(1, math.ceil(len(entries) / PAGE_SIZE)),
    )
    cards, card_files = share_cards(entries, config.title)
    site = Site(environment(), stats, config, entries, card_files, common, leaderboard)
    return site, cards


def share_cards(entries: list[Entry], title: str) -> tuple[dict[str, str], list[str]]:
    """The distinct cards (file name stem -> SVG) and each entry's card, in entry order.

    A card shows what stays true of a result (score, kind, suite, backend, modules,
    milestones, the board's name), never a rank or a percentile, so it never changes
    as the board grows and equal results share one card."""
    cards: dict[str, str] = {}
    by_key: dict[tuple, str] = {}
    names = []
    for e in entries:
        done = len(frozenset(e.milestones_completed))
        group = group_label(e.kind, e.suite_version, e.backend)
        key = (card_score(e.score), group, e.modules_completed, done)
        name = by_key.get(key)
        if name is None:
            card = student_card(title, e.score, group, e.modules_completed, done)
            name = by_key[key] = card_name(card)
            cards[name] = card
        names.append(name)
    return cards, names


# --- leaderboard -----------------------------------------------------------------------

ROW_FIELDS = (
    "root", "date", "id", "name", "group", "system", "milestones", "modules",
    "score", "top", "cohort", "badges",
)  # fmt: skip
ROW_RAW = ("root", "milestones", "modules", "score", "top", "badges")  # ours: numbers, markup


class _Rows:
    """The no-script table rows: `row` per shape, `badge_cell` per badge set."""

    def __init__(self, site: Site) -> None:
        self._macros = site.env.get_template("_fragments.html").module
        self._defs = site.common["badge_defs"]
        self._patterns: dict[tuple[bool, bool], FillIn] = {}
        self._cells: dict[tuple[str, ...], Markup] = {}

    def _pattern(self, named: bool, ranked: bool) -> FillIn:
        pattern = self._patterns.get((named, ranked))
        if pattern is None:
            pattern = FillIn.macro(
                self._macros, "row", ROW_FIELDS, ROW_RAW, named=named, ranked=ranked
            )
            self._patterns[named, ranked] = pattern
        return pattern

    def _badge_cell(self, badges: tuple[str, ...]) -> Markup:
        """Icons for sight, their names for screen readers."""
        cell = self._cells.get(badges)
        if cell is None:
            earned = [self._defs[b] for b in badges if b in self._defs]
            cell = self._cells[badges] = self._macros.badge_cell(earned)
        return cell

    def html(self, entries: list[Entry], root: str) -> Markup:
        out = []
        for e in entries:
            name = api.display_name(e)
            ranked = not e.outlier and e.top_percent is not None
            out.append(
                self._pattern(bool(name), ranked).fill(
                    root,
                    e.created_at[:10],
                    e.submission_id,
                    name,
                    group_label(e.kind, e.suite_version, e.backend),
                    e.system_type,
                    len(e.milestones_completed),
                    int(e.modules_completed),
                    f"{e.score:.1f}",
                    int(e.top_percent) if ranked else "",  # rank, group size: on its own page
                    e.cohort or "—",
                    self._badge_cell(e.badges),
                )
            )
            out.append("\n")
        return Markup("".join(out))


def leaderboard_pages(site: Site, write: Writer, numbers: range, meta: dict | None = None) -> None:
    """Leaderboard pages by number: 1 is index.html (with the script's data, meta), N is
    page/N.html (the lean no-script list)."""
    index = site.env.get_template("index.html")
    rows = _Rows(site)
    for page in numbers:
        chunk = site.entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        root = "" if page == 1 else "../"
        context = LeaderboardPage(
            **site.leaderboard,
            meta=meta,
            root=root,
            page=page,
            rows=rows.html(chunk, root),
            first=(page - 1) * PAGE_SIZE + 1 if chunk else 0,
            last=(page - 1) * PAGE_SIZE + len(chunk),
        )
        write.text("index.html" if page == 1 else f"page/{page}.html", index.render(context))


# --- community and about -----------------------------------------------------------------


def community_page(site: Site) -> str:
    context = CommunityPage(
        **site.common,
        root="",
        page_kind="community",
        figures=site.stats.community,
        charts=community_charts(site.stats),
    )
    return site.env.get_template("community.html").render(context)


def about_page(site: Site) -> str:
    from tinytorch_board.board.site.charts import score_meanings

    context = AboutPage(
        **site.common, root="", page_kind="about", score_meanings=score_meanings()
    )
    return site.env.get_template("about.html").render(context)


def compare_page(site: Site) -> str:
    context = ComparePage(**site.common, root="", page_kind="compare")
    return site.env.get_template("compare.html").render(context)


# --- one page per submission -------------------------------------------------------------


WHO_FIELDS = ("name", "github")
PLACEMENT_FIELDS = (
    "system", "group", "top", "size", "rank", "similar_top", "similar_size",
)  # fmt: skip
PLACEMENT_RAW = PLACEMENT_FIELDS[2:]  # numbers
# numbers, the card's 20-hex name and markup built from escaped parts
PAGE_RAW = (
    "score", "outlier", "name", "placement", "modules", "milestones", "progress", "badges",
    "compare", "card",
)  # fmt: skip


class _SubmissionParts:
    """The submission page's fragments, from macros per shape or per distinct value.
    Each returns markup built from escaped parts (a `raw` field of the page)."""

    def __init__(self, site: Site) -> None:
        self._macros = site.env.get_template("_fragments.html").module
        self._defs = site.common["badge_defs"]
        self._who: dict[tuple[bool, bool], FillIn] = {}
        self._placement: dict[tuple[bool, bool, bool], FillIn] = {}
        self._progress: FillIn | None = None
        self._milestones: dict[frozenset, Markup] = {}
        self._badges: dict[tuple[str, ...], Markup] = {}
        self._compare: dict[int, FillIn] = {}

    def who(self, name: str | None, github: str | None) -> str:
        shape = (bool(name), bool(github))
        pattern = self._who.get(shape)
        if pattern is None:
            pattern = self._who[shape] = FillIn.macro(
                self._macros, "who", WHO_FIELDS, named=shape[0], linked=shape[1]
            )
        return pattern.fill(name, github)

    def placement(self, e: Entry) -> str:
        """Numbers and escaped labels only."""
        ranked = not e.outlier and e.top_percent is not None
        similar = ranked and e.similar_top_percent is not None
        shape = (ranked, e.group_size != 1, similar)
        pattern = self._placement.get(shape)
        if pattern is None:
            pattern = self._placement[shape] = FillIn.macro(
                self._macros,
                "placement",
                PLACEMENT_FIELDS,
                PLACEMENT_RAW,
                ranked=ranked,
                plural=shape[1],
                similar=similar,
            )
        if not ranked:
            return pattern.fill(e.system_type, "", "", "", "", "", "")
        return pattern.fill(
            e.system_type,
            group_label(e.kind, e.suite_version, e.backend),
            int(e.top_percent),
            int(e.group_size),
            int(e.rank),
            int(e.similar_top_percent) if similar else "",
            int(e.similar_size) if similar else "",
        )

    def progress(self, done: frozenset, history: str) -> str:
        """Reached milestones as chips (built once per set), then the history line."""
        milestones = self._milestones.get(done)
        if milestones is None:
            labels = [m.label for m in MILESTONES if m.id in done]
            milestones = self._milestones[done] = self._macros.milestone_list(labels)
        if not history:
            return milestones
        if self._progress is None:
            self._progress = FillIn.macro(
                self._macros,
                "progress",
                ("milestones", "history"),
                ("milestones",),
                with_history=True,
            )
        return self._progress.fill(milestones, history)

    def compare(self, self_id: str, earlier: list[tuple[str, str]]) -> str:
        """Links to compare.html?a=<earlier>&b=<this> for the participant's own
        earlier results (ids are 32 hex, dates digits and dashes)."""
        if not earlier:
            return ""
        pattern = self._compare.get(len(earlier))
        if pattern is None:
            fields = ("this",) + tuple(
                f"{k}{i}" for i in range(len(earlier)) for k in ("id", "label")
            )
            pattern = self._compare[len(earlier)] = FillIn.macro(
                self._macros, "compare_links", fields, count=len(earlier)
            )
        return pattern.fill(self_id, *(v for pair in earlier for v in pair))

    def badges(self, badges: tuple[str, ...]) -> Markup:
        cell = self._badges.get(badges)
        if cell is None:
            earned = [self._defs[b] for b in badges if b in self._defs]
            cell = self._badges[badges] = self._macros.badge_list(earned)
        return cell


def submission_pages(site: Site, write: Writer, start: int, stop: int) -> None:
    """Write s/<id>.html and the README badges (SVG, shields JSON) of entries start..stop."""
    from tinytorch_board.board.site import svg

    page = FillIn.template(
        site.env,
        "submission.html",
        SUBMISSION_FIELDS,
        PAGE_RAW,
        title="TinyTorch",
        csp=Markup(SUBMISSION_CSP),
        card_size=CARD_SIZE,
        take_part=site.common["take_part"],
    )
    parts = _SubmissionParts(site)
    badge_texts: dict[str, tuple[str, str]] = {}  # badge message -> (SVG, shields JSON)
    card_url = site.url("cards/")
    page_url = site.url("s/")
    badge_url = site.url("badges/")
    stats = site.stats
    for e, card_file in zip(site.entries[start:stop], site.card_files[start:stop], strict=True):
        sid = e.submission_id
        name = api.display_name(e)
        github = e.github if name and e.github and api.GITHUB_NAME.match(e.github) else None
        done = frozenset(e.milestones_completed)
        score = f"{e.score:.1f}"
        when = f"{e.created_at[:10]} · {e.kind} benchmark · suite {e.suite_version} · "
        when += f"{e.backend} · "
        when += e.system_type + (f" · {e.cohort}" if e.cohort else "")
        html = page.fill(
            name or "A TinyTorch student",  # who
            score,
            f"{card_url}{card_file}.png",
            " data-outlier=true" if e.outlier else "",  # the maintainers' mark
            parts.who(name, github),
            when,
            parts.placement(e),
            f"{e.modules_completed}/{MODULE_COUNT}",
            f"{len(done)}/{MILESTONE_COUNT}",
            parts.progress(done, history_line(stats, e)),
            parts.badges(e.badges),
            parts.compare(sid, earlier_results(stats, e)),
            card_file,
            f"{page_url}{sid}.html",  # permalink
            f"[![TinyTorch {score}]({badge_url}{sid}.svg)]({page_url}{sid}.html)",  # embed
        )
        write.text(f"s/{sid}.html", html)
        message = api.badge_message(e)
        texts = badge_texts.get(message)
        if texts is None:  # a few thousand distinct messages among 100,000 entries
            texts = badge_texts[message] = (
                svg.badge("TinyTorch", message),
                api.shields_text(message),
            )
        write.linked(f"badges/{sid}.svg", texts[0])
        write.linked(f"badges/{sid}.json", texts[1])


COMPARE_WITH = 3  # earlier results a result page links to "compare with"


def earlier_results(stats: BoardStats, entry: Entry) -> list[tuple[str, str]]:
    """(submission id, date) of the participant's results before this one, latest
    first, at most COMPARE_WITH."""
    history = stats.histories.get(entry.participant_id)
    if history is None or len(history.submission_ids) < 2:
        return []
    ids = history.submission_ids
    try:
        here = ids.index(entry.submission_id)
    except ValueError:
        return []
    dates = history.created_at
    return [
        (ids[j], dates[j][:10] if j < len(dates) else ids[j][:8])
        for j in range(here - 1, max(-1, here - 1 - COMPARE_WITH), -1)
    ]


def history_line(stats: BoardStats, entry: Entry) -> str:
    history = stats.histories.get(entry.participant_id)
    if history is None or len(history.submission_ids) < 2:
        return ""
    n = len(history.submission_ids)
    line = f"{n} results: first {history.first_score:.1f}, best "
    line += f"{history.best_score:.1f}"
    if history.improvement > 0:
        line += f" (+{history.improvement:.1f})"
    return line + "."
