"""The static API as files: leaderboard JSON, progress, distribution, CSV, Atom feed, badges.

Pure functions from BoardStats to text; the builder decides where each text goes.
Every JSON document carries `api_version` and is written with sorted keys, indent 2.
"""

from __future__ import annotations

import csv
import heapq
import io
import json
import operator
import re
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape as xml_escape

from tinytorch_board.board.model import BoardStats, Entry
from tinytorch_board.curriculum import MILESTONE_COUNT, MODULE_COUNT
from tinytorch_board.submission.score import group_label, score_name

API_VERSION = 1
TOP_PER_GROUP = 100
METRICS = ("score", "modules_completed", "milestones_completed")
FEED_SIZE = 50

SUBMISSION_ID = re.compile(r"^[0-9a-f]{32}$")
PARTICIPANT_ID = re.compile(r"^[0-9A-Za-z-]{1,64}$")
GITHUB_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")


def display_name(entry: Entry) -> str | None:
    """The name a public entry chose; None for anonymous ones."""
    if entry.visibility == "public" and entry.display_name:
        return entry.display_name
    return None


def entry_links(entry: Entry, url) -> dict:
    """Where a result lives on the site: url(path) gives absolute URLs when the board's
    site.url is set (see pages.site_url)."""
    sid = entry.submission_id
    return {
        "page": url(f"s/{sid}.html"),
        "badge": url(f"badges/{sid}.svg"),
        "shields_endpoint": url(f"badges/{sid}.json"),
    }


def public_entry(entry: Entry, url=None) -> dict:
    """One entry as the API publishes it (what the submission file already made public),
    with its `links` when url(path) is given."""
    public = entry.visibility == "public"
    github = entry.github if public and entry.github and GITHUB_NAME.match(entry.github) else None
    return {
        "submission_id": entry.submission_id,
        "participant_id": entry.participant_id,
        "created_at": entry.created_at,
        "kind": entry.kind,
        "suite_version": entry.suite_version,
        "backend": entry.backend,
        "group": entry.group,
        "score": entry.score,
        "rank": entry.rank,
        "group_size": entry.group_size,
        "top_percent": entry.top_percent,
        "percentile": entry.percentile,
        "similar_rank": entry.similar_rank,
        "similar_size": entry.similar_size,
        "similar_top_percent": entry.similar_top_percent,
        "outlier": entry.outlier,
        "system_type": entry.system_type,
        "modules_completed": entry.modules_completed,
        "milestones_completed": list(entry.milestones_completed),
        "cohort": entry.cohort,
        "course_type": entry.course_type,
        "badges": list(entry.badges),
        "visibility": entry.visibility,
        "display_name": display_name(entry),
        "github": github,
        "country": entry.country if public else None,
        "institution": entry.institution if public else None,
        **({"links": entry_links(entry, url)} if url else {}),
    }


def leaderboard(stats: BoardStats, metric: str = "score", url=None) -> dict:
    """The best TOP_PER_GROUP ranked entries of every comparable group by one metric."""
    by_group: dict[str, list[Entry]] = {}
    for entry in stats.entries:
        if not entry.outlier:
            by_group.setdefault(entry.group, []).append(entry)
    if metric == "milestones_completed":
        value = lambda e: len(e.milestones_completed)  # noqa: E731
    else:
        value = operator.attrgetter(metric)
    groups = {}
    for key in sorted(by_group):
        # keys are unique (the id is last), so the best N are the sorted list's first N
        best = heapq.nsmallest(
            TOP_PER_GROUP,
            by_group[key],
            key=lambda e: (-value(e), -e.score, e.created_at, e.submission_id),
        )
        groups[key] = [public_entry(e, url) for e in best]
    return {
        "api_version": API_VERSION,
        "generated_at": stats.generated_at,
        "metric": metric,
        "metrics": list(METRICS),
        "limit_per_group": TOP_PER_GROUP,
        "total_entries": len(stats.entries),
        "everyone": "data/submissions.csv",
        "groups": {
            key: {
                "count": summary.count,
                "outliers": summary.outliers,
                "median_score": summary.median_score,
            }
            for key, summary in sorted(stats.groups.items())
        },
        "entries": groups,
    }


def progress_ids(stats: BoardStats) -> list[str]:
    """Participants with a safe id (one that can name a file), in history order."""
    return [pid for pid in stats.histories if PARTICIPANT_ID.match(pid)]


# api/progress/<participant_id>.json, version 2: one row per result in PROGRESS_FIELDS
# order (version 1 repeated every key in every result, and the participant id that
# names the file; a file per participant, 55,000 at 100,000 results)
PROGRESS_API_VERSION = 2
PROGRESS_FIELDS = (
    "submission_id", "created_at", "group", "score", "rank", "top_percent",
    "modules_completed", "milestones_completed",
)  # fmt: skip


def progress_documents(
    stats: BoardStats, participants: Iterable[str] | None = None
) -> Iterable[tuple[str, dict]]:
    """(participant_id, api/progress document) for participants (default: every one
    with a safe id). The participant id is the file's name, not repeated inside."""
    by_id = {e.submission_id: e for e in stats.entries}
    fields = list(PROGRESS_FIELDS)
    for pid in progress_ids(stats) if participants is None else participants:
        history = stats.histories[pid]
        subs = [by_id[s] for s in history.submission_ids if s in by_id]
        yield (
            pid,
            {
                "api_version": PROGRESS_API_VERSION,
                "first_score": history.first_score,
                "best_score": history.best_score,
                "latest_score": history.latest_score,
                "improvement": history.improvement,
                "fields": fields,
                "submissions": [
                    [
                        e.submission_id,
                        e.created_at,
                        e.group,
                        e.score,
                        e.rank,
                        e.top_percent,
                        e.modules_completed,
                        list(e.milestones_completed),
                    ]
                    for e in subs
                ],
            },
        )


CSV_COLUMNS = (
    "submission_id",
    "created_at",
    "kind",
    "suite_version",
    "backend",
    "score",
    "rank",
    "group_size",
    "top_percent",
    "outlier",
    "system_type",
    "cpu_cores",
    "memory_gb",
    "modules_completed",
    "milestones_completed",
    "cohort",
    "course_type",
    "experience_level",
    "visibility",
    "display_name",
    "github",
    "country",
    "institution",
    "badges",
)


def _cell(value: object) -> str:
    """Text a spreadsheet will not run: a leading = + - @ becomes a quoted literal."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def submissions_csv(entries: Sequence[Entry]) -> str:
    """Every listed entry, one row each. Text a person typed (names, institution,
    cohort, country) and badge ids from board.yaml go through _cell; the other columns
    are numbers, fixed words and ids the validator checked, written as they are."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows = []
    for e in entries:
        public = e.visibility == "public"
        rows.append(
            (
                e.submission_id,
                e.created_at,
                e.kind,
                e.suite_version,
                e.backend,
                e.score,
                "" if e.rank is None else e.rank,
                "" if e.group_size is None else e.group_size,
                "" if e.top_percent is None else e.top_percent,
                "true" if e.outlier else "false",
                e.system_type,
                e.cpu_cores,
                "" if e.memory_gb is None else e.memory_gb,
                e.modules_completed,
                " ".join(e.milestones_completed),
                _cell(e.cohort),
                "" if e.course_type is None else e.course_type,
                "" if e.experience_level is None else e.experience_level,
                e.visibility,
                _cell(display_name(e)),
                _cell(e.github if public and e.github and GITHUB_NAME.match(e.github) else None),
                _cell(e.country if public else None),
                _cell(e.institution if public else None),
                _cell(" ".join(e.badges)),  # ids from board.yaml
            )
        )
    writer.writerows(rows)
    return buffer.getvalue()


def result_line(entry: Entry) -> str:
    """A one-line, name-free summary: "Your TinyTorch 61.4 · top 12% of 812 baseline ·
    suite 2 · tinytorch results · 3/6 milestones" (the group says what was compared)."""
    e = entry
    parts = [f"{score_name(e.kind, e.suite_version, e.backend)} {entry.score:.1f}"]
    group = group_label(e.kind, e.suite_version, e.backend)
    if entry.outlier or entry.top_percent is None:
        parts.append(f"unverified outlier ({group})")
    else:
        parts.append(f"top {entry.top_percent}% of {entry.group_size} {group} results")
    parts.append(f"{len(entry.milestones_completed)}/{MILESTONE_COUNT} milestones")
    parts.append(f"{entry.modules_completed}/{MODULE_COUNT} modules")
    return " · ".join(parts)


def atom_feed(stats: BoardStats, title: str, url: callable) -> str:
    """Atom 1.0: the newest FEED_SIZE submissions (entries are newest first)."""
    x = xml_escape
    newest = [e for e in stats.entries if SUBMISSION_ID.match(e.submission_id)][:FEED_SIZE]
    updated = newest[0].created_at if newest else stats.generated_at
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{x(title)}: new results</title>",
        f'<link rel="alternate" type="text/html" href="{x(url("index.html"))}"/>',
        f'<link rel="self" type="application/atom+xml" href="{x(url("feed.xml"))}"/>',
        "<id>urn:tinytorch-board:feed</id>",
        f"<updated>{x(updated)}</updated>",
        f"<author><name>{x(title)}</name></author>",
    ]
    for e in newest:
        link = x(url(f"s/{e.submission_id}.html"))
        who = display_name(e) or "A TinyTorch student"
        lines += [
            "<entry>",
            f"<title>{x(who)} shared a {x(e.kind)} result "
            f"({x(e.backend)}, suite {int(e.suite_version)})</title>",
            f'<link rel="alternate" type="text/html" href="{link}"/>',
            f"<id>urn:tinytorch-board:submission:{e.submission_id}</id>",
            f"<updated>{x(e.created_at)}</updated>",
            f"<summary>{x(result_line(e))}</summary>",
            "</entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def shields_endpoint_text(entry: Entry) -> str:
    """shields_endpoint as compact JSON with sorted keys (one file per submission, so
    no indent), without going through the encoder for the fixed part."""
    return shields_text(badge_message(entry))


def shields_text(badge_message: str) -> str:
    """The shields endpoint JSON for a badge message."""
    message = json.dumps(badge_message, ensure_ascii=False)
    return (
        '{"cacheSeconds":3600,"color":"e8590c","label":"TinyTorch",'
        f'"message":{message},"schemaVersion":1}}'
    )


def shields_endpoint(entry: Entry) -> dict:
    """shields.io endpoint JSON (its own format: schemaVersion 1)."""
    return {
        "schemaVersion": 1,
        "label": "TinyTorch",
        "message": badge_message(entry),
        "color": "e8590c",
        "cacheSeconds": 3600,
    }


BADGE_SCORE_WORDS = {
    "Your TinyTorch": "framework",
    "Your machine": "machine",
    "Capstone": "capstone",
    "Score": "baseline",
}


def badge_message(entry: Entry) -> str:
    """Numbers and fixed words only; the first word says which score (and so which
    group the "top %" is of)."""
    e = entry
    what = BADGE_SCORE_WORDS[score_name(e.kind, e.suite_version, e.backend)]
    if entry.outlier or entry.top_percent is None:
        return f"{what} {entry.score:.1f} · {entry.modules_completed}/{MODULE_COUNT} modules"
    return f"{what} {entry.score:.1f} · top {entry.top_percent}%"


RESULT_FIELDS = (
    "created_at", "kind", "suite_version", "backend", "score", "metrics_ms", "tracks",
    "system_type", "cpu_cores", "memory_gb", "modules_completed", "milestones_completed",
    "display_name",
)  # fmt: skip


def result_record(entry: Entry) -> list:
    """One result for compare.html, in RESULT_FIELDS order: per-metric median times (ms),
    capstone track scores, the system as submitted (k-anonymized type) and progress."""
    metrics = {
        name: value.get("median_ms")
        for name, value in sorted((entry.metrics or {}).items())
        if isinstance(value, dict) and value.get("median_ms") is not None
    }
    tracks = (
        {
            name: track.get("score") if isinstance(track, dict) else None
            for name, track in sorted(entry.tracks.items())
        }
        if isinstance(entry.tracks, dict)
        else None
    )
    return [
        entry.created_at,
        entry.kind,
        entry.suite_version,
        entry.backend,
        entry.score,
        metrics,
        tracks,
        entry.system_type,
        entry.cpu_cores,
        entry.memory_gb,
        entry.modules_completed,
        list(entry.milestones_completed),
        display_name(entry),
    ]


def result_files(entries: Iterable[Entry]) -> Iterable[tuple[str, dict]]:
    """(two-hex prefix, api/results/<prefix>.json document): every listed result by its
    id's first two characters, as submissions/ stores the files, so compare.html fetches
    one small file per result."""
    buckets: dict[str, dict[str, list]] = {}
    for entry in entries:
        sid = entry.submission_id
        buckets.setdefault(sid[:2], {})[sid] = result_record(entry)
    for prefix in sorted(buckets):
        yield prefix, {
            "api_version": API_VERSION,
            "fields": list(RESULT_FIELDS),
            "results": buckets[prefix],
        }
