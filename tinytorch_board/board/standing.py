"""Where a result stands: find the published distribution, fetch it, place a score.

One rule chooses the source for `compare`, `submit` and `community stats`: an explicit
source (--from URL|DIR, --board DIR) alone when one is given; otherwise the board the
command already knows about (the local board `submit --to` writes to), then the
configured board.pages_url. Only api/distribution.json is downloaded; nothing is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tinytorch_board.errors import BoardError
from tinytorch_board.fetch import DEFAULT_TIMEOUT, Fetched, Offline, describe_age, fetch_json
from tinytorch_board.local.community import ResultInfo
from tinytorch_board.local.config import load_config
from tinytorch_board.local.project import Project
from tinytorch_board.submission.distribution import (
    check_distribution,
    landing_line,
    place_comparable,
)

DISTRIBUTION_FILE = "api/distribution.json"
LANDING_TIMEOUT = 3.0  # submit's line is a courtesy: never wait long for it
STATS_TIMEOUT = 5.0


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
) -> Sources:
    """The sources to try: `explicit` alone, else `nearby` then board.pages_url.

    An unreadable config is an error when `strict` (compare cannot go on without it),
    otherwise a warning and a reason (stats and submit carry on with local figures).
    """
    if explicit is not None:
        return Sources((str(explicit),))
    candidates = [str(source) for source in nearby]
    try:
        pages_url = load_config(project)["board"].get("pages_url")
    except BoardError as exc:
        if strict:
            raise
        reason = None if candidates else "the config cannot be read"
        return Sources(tuple(candidates), reason, (f"config ignored: {exc}",))
    if pages_url:
        candidates.append(pages_url)
    if not candidates:
        missing = f"no board given: pass {option} or set board.pages_url in .tinytorch/config.json"
        return Sources((), missing)
    return Sources(tuple(candidates))


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
    for source in sources.candidates:
        try:
            published = fetch_distribution(source, cache_dir, timeout)
        except BoardError as exc:
            offline(offline_reason(exc))
            continue
        line = landing_line(document, published.doc)
        if line:
            return line
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
