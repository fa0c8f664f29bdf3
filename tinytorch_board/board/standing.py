"""Where a result stands: find the published distribution, fetch it, place a score.

One rule chooses the source for `compare`, `submit`, `community stats` and the
baseline's closing lines: an explicit source (--from URL|DIR, --board DIR) alone when
one is given; otherwise the board the command already knows about (the local board
`submit --to` writes to), the board folder `submit --to` last wrote to (board.local_dir),
the configured board.pages_url (unset: the GitHub Pages address of board.repo), then
the community board named by the package's own
board.yaml. Only api/distribution.json is downloaded; nothing is sent.

A board folder (board.yaml or submissions/) needs no built site: its distribution, and
the exact rank and badges a new submission would take there, are computed from its
submissions/ with the board's own engine and badge rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from tinytorch_board.errors import BoardError
from tinytorch_board.fetch import DEFAULT_TIMEOUT, Fetched, Offline, describe_age, fetch_json
from tinytorch_board.local.community import ResultInfo
from tinytorch_board.local.config import board_pages_url, load_config
from tinytorch_board.local.project import Project
from tinytorch_board.submission.distribution import (
    check_distribution,
    comparable,
    landing_line,
    place_comparable,
)

DISTRIBUTION_FILE = "api/distribution.json"
NO_BOARD = (
    "no board yet: pass {option} once, or set one with "
    "`tinytorch-board config set board.pages_url URL`"
)
LANDING_TIMEOUT = 3.0  # submit's line is a courtesy: never wait long for it
STATS_TIMEOUT = 5.0
T = TypeVar("T")


@dataclass(frozen=True)
class Sources:
    """Where the published distribution may be, in the order to try them."""

    candidates: tuple[str, ...]
    reason: str | None = None  # why there is none, when candidates is empty
    warnings: tuple[str, ...] = ()


def find_sources(
    project: Project,
    explicit: str | Path | None = None,
    nearby: Sequence[str | Path] = (),
    option: str = "--from URL|DIR",
    strict: bool = False,
    remembered: bool = True,
) -> Sources:
    """The sources to try: `explicit` alone, else `nearby` then board.pages_url (or
    board.repo's GitHub Pages address).

    An unreadable config is an error when `strict` (compare cannot go on without it),
    otherwise a warning and a reason (stats and submit carry on with local figures).
    `remembered=False` leaves out the board folder `submit --to` last used (a GitHub
    submission is placed among the published results, not on a folder of this machine).
    """
    if explicit is not None:
        return Sources((str(explicit),))
    candidates = [str(source) for source in nearby]
    warnings: tuple[str, ...] = ()
    try:
        section = load_config(project)["board"]
    except BoardError as exc:
        if strict:
            raise
        section, warnings = {}, (f"config ignored: {exc}",)
    local_dir = section.get("local_dir") if remembered else None
    for source in (local_dir, board_pages_url(section), community_pages_url()):
        if source and str(source) not in candidates:
            candidates.append(str(source))
    if not candidates:
        reason = "the config cannot be read" if warnings else NO_BOARD.format(option=option)
        return Sources((), reason, warnings)
    return Sources(tuple(candidates), None, warnings)


def community_pages_url() -> str | None:
    """The community board's site named by the package's own board.yaml, if any."""
    from tinytorch_board.board.config import package_board_config

    config = package_board_config()
    return (config.site.url or None) if config else None


def community_repo() -> str | None:
    """The community board's repository named by the package's own board.yaml, if any."""
    from tinytorch_board.board.config import package_board_config

    config = package_board_config()
    return (config.site.repository or None) if config else None


def is_board_folder(source: str | Path) -> bool:
    """A board repository on this machine (board.yaml or submissions/), not a built site."""
    text = str(source)
    if text.startswith(("http://", "https://")):
        return False
    folder = Path(text)
    return folder.is_dir() and (
        (folder / "board.yaml").is_file() or (folder / "submissions").is_dir()
    )


@dataclass(frozen=True)
class BoardPlace:
    """Where one submission stands in a board folder, by the board's own engine."""

    title: str
    entry: object  # board.model.Entry of the submission
    new_badges: tuple[str, ...]  # names of the badges this submission earns
    distribution: dict


def board_stats(board_dir: Path, extra: dict | None = None):
    """(BoardStats, BoardConfig) of a board folder, with `extra` counted as if it were there."""
    from tinytorch_board.board.config import load_config as load_board_config
    from tinytorch_board.board.load import LoadedBoard, load_board
    from tinytorch_board.board.stats import compute_stats

    config = load_board_config(board_dir)
    loaded = load_board(board_dir)
    if extra is not None and all(
        d.get("submission_id") != extra.get("submission_id") for d in loaded.documents
    ):
        loaded = LoadedBoard(loaded.root, [*loaded.documents, extra])
    return compute_stats(loaded, config), config


def place_in_board(document: dict, board_dir: Path) -> BoardPlace:
    """The rank, group size and badges `document` takes (or took) in a board folder."""
    stats, config = board_stats(Path(board_dir), document)
    sid = document["submission_id"]
    entry = next(e for e in stats.entries if e.submission_id == sid)
    earlier = [  # an unlinked file (participant_id None) has no history of its own
        e
        for e in stats.entries
        if entry.participant_id is not None
        and e.participant_id == entry.participant_id
        and e.created_at < entry.created_at
    ]
    before = set(max(earlier, key=lambda e: e.created_at).badges) if earlier else set()
    names = {badge.id: badge.name for badge in stats.badges}
    new = tuple(names.get(b, b) for b in entry.badges if b not in before)
    return BoardPlace(config.title, entry, new, stats.distribution)


@dataclass(frozen=True)
class Published:
    """A fetched and checked distribution, and how it was fetched (online or cached)."""

    doc: dict
    fetched: Fetched

    @property
    def cached_for(self) -> str | None:
        """How old the cached copy is ("3 hours ago"), or None when fetched online."""
        if not self.fetched.from_cache:
            return None
        return describe_age(self.fetched.age_seconds or 0.0)


def fetch_distribution(
    source: str, cache_dir: Path | None, timeout: float = DEFAULT_TIMEOUT
) -> Published:
    """The distribution published at `source`; BoardError when it is unreachable or bad.

    The download is fetch's bounded one (deadline, size cap, same-origin redirects), and
    the shape is checked before the copy is cached or used, so a bad one is never kept.
    """
    if is_board_folder(source):
        stats, _ = board_stats(Path(source))
        origin = str(Path(source).resolve())
        doc = check_distribution(stats.distribution, origin)
        return Published(doc, Fetched(doc, origin, False, None))
    fetched = fetch_json(
        source, DISTRIBUTION_FILE, cache_dir, timeout=timeout, check=check_distribution
    )
    return Published(fetched.data, fetched)


def offline_reason(exc: BoardError) -> str:
    """Why a source could not be used, in one line (without "offline and nothing cached")."""
    return exc.reason if isinstance(exc, Offline) else " ".join(str(exc).split())


def landing(
    document: dict,
    sources: Sources,
    cache_dir: Path | None,
    timeout: float = LANDING_TIMEOUT,
    offline: Callable[[str], None] = lambda reason: None,
) -> str | None:
    """The "where you would land" sentence from the first source that can place it.

    A source that is unreachable, slow, oversized or malformed is reported through
    `offline(reason)` (one line) and skipped, as is one with no results in the document's
    group: the line is a courtesy shown before confirmation, never a reason to fail.
    Computed on this machine; nothing is uploaded.
    """
    return _first_placed(
        sources, cache_dir, timeout, offline, lambda doc: landing_line(document, doc)
    )


def where_you_stand(
    data: dict,
    sources: Sources,
    cache_dir: Path | None,
    timeout: float = LANDING_TIMEOUT,
    offline: Callable[[str], None] = lambda reason: None,
) -> str | None:
    """ "Where you stand: top N% of M comparable results (...)" for a result file or a
    submission, from the first source that has its group; None when none has."""
    mine = comparable(data)

    def sentence(distribution: dict) -> str | None:
        placement = place_comparable(distribution, mine)
        if placement is None:
            return None
        line = (
            f"Where you stand: top {placement.top_percent}% of the {placement.group_count} "
            f"comparable results ({_group_words(mine.kind, mine.backend, mine.suite_version)})"
        )
        if placement.system_percentile is not None:
            line += (
                f"; top {placement.system_top_percent}% of the {placement.system_count} "
                f"on {placement.system_type}"
            )
        return line + ". Computed here; nothing uploaded."

    return _first_placed(sources, cache_dir, timeout, offline, sentence)


def _first_placed(
    sources: Sources,
    cache_dir: Path | None,
    timeout: float,
    offline: Callable[[str], None],
    from_distribution: Callable[[dict], T | None],
    from_board: Callable[[Path], T | None] | None = None,
) -> T | None:
    """The first source's answer: `from_board` for a board folder (when given; its
    answer is final), else `from_distribution` on its published distribution (None:
    no results in the group there, try the next). A source that cannot be read is
    reported through `offline(reason)` and skipped."""
    for source in sources.candidates:
        try:
            if from_board is not None and is_board_folder(source):
                return from_board(Path(source))
            published = fetch_distribution(source, cache_dir, timeout)
        except BoardError as exc:
            offline(offline_reason(exc))
            continue
        found = from_distribution(published.doc)
        if found is not None:
            return found
    return None


def placement_figures(doc: dict, result: ResultInfo | None) -> dict | None:
    """Score, group and placement of one local result for `community stats`."""
    if result is None:
        return None
    placement = place_comparable(doc, result)
    base = {"score": result.score, "group": result.group, "file": result.path.name}
    if placement is None:
        return {**base, "placed": False, "note": "no published results in this group yet"}
    return {**base, "placed": True, **placement.as_dict(), "sentence": placement.sentence()}


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def community_figures(
    sources: Sources,
    cohort: str | None,
    results: dict[str, ResultInfo | None],
    cache_dir: Path | None,
    timeout: float = STATS_TIMEOUT,
) -> dict:
    """The community part of stats: "online"/"cached" with figures, or "offline" and why.

    results: label ("latest", "best") -> that local result, or None; each is placed.
    """
    if not sources.candidates:
        return {"status": "offline", "reason": sources.reason, "source": None}
    source = sources.candidates[0]
    try:
        published = fetch_distribution(source, cache_dir, timeout)
    except BoardError as exc:
        return {"status": "offline", "reason": offline_reason(exc), "source": source}
    doc, fetched = published.doc, published.fetched
    totals = doc.get("totals") if isinstance(doc.get("totals"), dict) else {}
    cohorts = doc.get("cohorts") if isinstance(doc.get("cohorts"), dict) else {}
    k = _count(doc.get("k"))
    cohort_figures = None
    if cohort:
        size = _count(cohorts.get(cohort))
        note = None
        if size is None:
            note = f"fewer than {k or 'k'} people, shown as Other to keep them anonymous"
        cohort_figures = {"name": cohort, "size": size, "note": note}
    community = {
        "status": "cached" if fetched.from_cache else "online",
        "source": fetched.origin,
        "reason": fetched.offline_reason,
        "generated_at": doc.get("generated_at"),
        "totals": {
            key: _count(totals.get(key))
            for key in ("submissions", "participants", "public_entries")
        },
        "cohort": cohort_figures,
        "placement": {label: placement_figures(doc, result) for label, result in results.items()},
    }
    if fetched.from_cache and fetched.age_seconds is not None:
        community["cached"] = describe_age(fetched.age_seconds)
    return community


# -- the payoff of a submission ---------------------------------------------------------


@dataclass(frozen=True)
class Payoff:
    """Where a submission stands (or will stand): figures for submit's closing lines.

    `exact`: computed by the board's own engine over its submissions/ (a board folder);
    otherwise placed in a published distribution, where a rank is an estimate.
    """

    score: float
    group: str  # "baseline · numpy backend · suite 1"
    exact: bool
    count: int  # comparable (ranked) results, this one included when exact
    top_percent: int | None  # None: an unverified outlier, listed not ranked
    rank: int | None
    system_type: str | None = None
    similar_count: int | None = None
    similar_top_percent: int | None = None
    badges: tuple[str, ...] = ()  # names of the badges this submission earns
    title: str | None = None  # the board's title (board folders only)
    score_name: str = "Score"  # what the score measures: "Your machine", "Your TinyTorch"


def _score_name(kind: str, suite: int, backend: str) -> str:
    from tinytorch_board.submission.score import score_name

    return score_name(kind, suite, backend)


def _group_words(kind: str, backend: str, suite: int) -> str:
    from tinytorch_board.submission.score import group_label

    return group_label(kind, suite, backend)


def payoff_in_board(document: dict, board_dir: Path) -> Payoff:
    """Exact standing of `document` in a board folder, as if (or since) it is there."""
    from tinytorch_board.board.model import OTHER

    place = place_in_board(document, board_dir)
    entry = place.entry
    similar = entry.similar_top_percent is not None and entry.system_type != OTHER
    return Payoff(
        score=entry.score,
        group=_group_words(entry.kind, entry.backend, entry.suite_version),
        exact=True,
        count=entry.group_size,
        top_percent=entry.top_percent,
        rank=entry.rank,
        system_type=entry.system_type if similar else None,
        similar_count=entry.similar_size if similar else None,
        similar_top_percent=entry.similar_top_percent if similar else None,
        badges=place.new_badges,
        title=place.title,
        score_name=_score_name(entry.kind, entry.suite_version, entry.backend),
    )


def payoff_from_distribution(document: dict, distribution: dict) -> Payoff | None:
    """Standing of `document` among the published results of its group (None: no group yet)."""
    mine = comparable(document)
    placement = place_comparable(distribution, mine)
    if placement is None:
        return None
    higher = round(placement.group_count * (100 - placement.percentile) / 100)
    return Payoff(
        score=mine.score,
        group=_group_words(mine.kind, mine.backend, mine.suite_version),
        exact=False,
        count=placement.group_count + 1,
        top_percent=placement.top_percent,
        rank=higher + 1,
        system_type=placement.system_type,
        similar_count=placement.system_count,
        similar_top_percent=placement.system_top_percent,
        score_name=_score_name(mine.kind, mine.suite_version, mine.backend),
    )


def find_payoff(
    document: dict,
    sources: Sources,
    cache_dir: Path | None,
    timeout: float = LANDING_TIMEOUT,
    offline: Callable[[str], None] = lambda reason: None,
) -> Payoff | None:
    """The payoff from the first source that can place the document (board folders exactly)."""
    return _first_placed(
        sources,
        cache_dir,
        timeout,
        offline,
        lambda distribution: payoff_from_distribution(document, distribution),
        lambda board: payoff_in_board(document, board),
    )


def standing_lines(payoff: Payoff, public: bool) -> list[str]:
    """What a submission earns, in words: percentile and similar systems, or rank and badges."""
    about = "" if payoff.exact else "about "
    mine = f"{payoff.score_name} {payoff.score:.1f}"
    if payoff.top_percent is None:
        lines = [
            f"{mine} ({payoff.group}): far from similar systems' results, "
            "so it is listed as an unverified outlier, not ranked."
        ]
    elif payoff.count == 1:
        lines = [f"{mine}: the first comparable result on this board ({payoff.group})."]
    elif public:
        lines = [
            f"{mine}: rank {about}#{payoff.rank} of {payoff.count} "
            f"comparable results ({payoff.group}), top {payoff.top_percent}%."
        ]
    else:
        lines = [
            f"{mine}: top {payoff.top_percent}% of {payoff.count} comparable "
            f"results ({payoff.group})."
        ]
    if payoff.similar_top_percent is not None:
        lines.append(
            f"Similar systems: top {payoff.similar_top_percent}% of the {payoff.similar_count} "
            f"comparable results measured on {payoff.system_type} machines."
        )
    if payoff.badges:
        lines.append("Badges earned: " + ", ".join(payoff.badges) + ".")
    return lines
