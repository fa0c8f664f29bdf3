"""A board mixing every kind, suite version and backend: no list ranks them together.

Built by the real engine (load -> stats -> render) from valid files of six comparable
groups: baseline suite 1 and 2, numpy and tinytorch, and capstone numpy and tinytorch.
Every list the board publishes is checked: leaderboard API (by score and per metric),
CSV ranks and standings, share pages and cards, badges, feed, charts, the distribution
`compare` downloads, and the "similar systems" figures.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from board_helpers import write_submission
from click.testing import CliRunner

from tinytorch_board.board.demo_data import generate, generate_capstone
from tinytorch_board.cards import card_name, student_card
from tinytorch_board.cli import cli
from tinytorch_board.submission.distribution import landing_line
from tinytorch_board.submission.score import baseline_score, group_label
from tinytorch_board.submission.validator import check_document

GROUPS = {
    "baseline/1/numpy",
    "baseline/1/tinytorch",
    "baseline/2/numpy",
    "baseline/2/tinytorch",
    "capstone/1/numpy",
    "capstone/1/tinytorch",
}


def _as_suite_1(doc: dict, n: int) -> dict:
    """A suite 1 file from a suite 2 one: one score, no same-run numpy figures."""
    doc = copy.deepcopy(doc)
    bench = doc["benchmark"]
    bench["suite_version"] = 1
    bench.pop("machine_score")
    for metric in bench["metrics"].values():
        for key in ("numpy_median_ms", "numpy_iqr_ms", "numpy_runs"):
            metric.pop(key, None)
    bench["score"] = baseline_score({k: v["median_ms"] for k, v in bench["metrics"].items()}, 1)
    doc["submission_id"] = f"{n:032x}"
    doc["created_at"] = "2025-06-01T10:00:00Z"  # older: suite 1 came first
    return doc


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    board = tmp_path_factory.mktemp("mixed")
    docs = generate(160, seed=5) + generate_capstone(40, seed=5)
    old = [d for d in generate(80, seed=6, signed=False) if d["benchmark"]["kind"] == "baseline"]
    docs += [_as_suite_1(d, 0xABC000 + i) for i, d in enumerate(old)]
    for doc in docs:
        assert check_document(doc, "t") == []
        write_submission(board, doc)
    (board / "board.yaml").write_text("title: Mixed board\n")
    out = board / "site"
    result = CliRunner().invoke(
        cli, ["build", "--board", str(board), "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    found = Counter("{kind}/{suite_version}/{backend}".format(**d["benchmark"]) for d in docs)
    assert set(found) == GROUPS and min(found.values()) >= 5, found
    return out, docs


def _csv(out: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((out / "data/submissions.csv").read_text())))


def _key(row: dict) -> str:
    return f"{row['kind']}/{row['suite_version']}/{row['backend']}"


def test_csv_ranks_and_standings_are_within_each_group(site):
    out, _ = site
    rows = _csv(out)
    by_group = defaultdict(list)
    for row in rows:
        if row["rank"]:
            by_group[_key(row)].append(float(row["score"]))
    assert set(by_group) == GROUPS
    for row in rows:
        if not row["rank"]:
            continue
        mates = by_group[_key(row)]
        assert int(row["rank"]) == 1 + sum(s > float(row["score"]) for s in mates)
        assert int(row["group_size"]) == len(mates)
    # One #1 per group, never one for the whole board.
    firsts = Counter(_key(r) for r in rows if r["rank"] == "1")
    assert set(firsts) == GROUPS


def test_leaderboard_api_lists_each_group_apart(site):
    out, _ = site
    files = [out / "api/leaderboard.json", *sorted((out / "api/leaderboard").glob("*.json"))]
    assert len(files) > 1
    ids = {r["submission_id"]: _key(r) for r in _csv(out)}
    for path in files:
        doc = json.loads(path.read_text())
        assert set(doc["entries"]) <= GROUPS and set(doc["groups"]) == GROUPS
        for key, entries in doc["entries"].items():
            assert entries
            assert all(ids[e["submission_id"]] == key for e in entries), path
            if doc["metric"] == "score":
                scores = [e["score"] for e in entries]
                assert scores == sorted(scores, reverse=True)


def test_distribution_for_compare_keeps_groups_apart(site):
    out, docs = site
    dist = json.loads((out / "api/distribution.json").read_text())
    assert set(dist["groups"]) == GROUPS
    ranked = Counter(_key(r) for r in _csv(out) if r["rank"])
    for key, group in dist["groups"].items():
        assert group["count"] == ranked[key]
        assert sum(s["count"] for s in group["systems"].values()) <= group["count"]
    for doc in docs[:: max(1, len(docs) // 12)]:
        bench = doc["benchmark"]
        label = group_label(bench["kind"], bench["suite_version"], bench["backend"])
        line = landing_line(doc, dist)
        assert line is not None and f" {label} results" in line, line
        for other in GROUPS - {"{kind}/{suite_version}/{backend}".format(**bench)}:
            assert f" {group_label_of(other)} results" not in line


def group_label_of(key: str) -> str:
    kind, suite, backend = key.split("/")
    return group_label(kind, int(suite), backend)


def test_pages_cards_badges_and_feed_name_the_group_of_their_standing(site):
    out, _ = site
    rows = _csv(out)
    words = {"numpy": "machine", "tinytorch": "framework"}
    for row in rows:
        sid, label = row["submission_id"], group_label_of(_key(row))
        page = (out / f"s/{sid}.html").read_text()
        badge = json.loads((out / f"badges/{sid}.json").read_text())["message"]
        if row["kind"] == "capstone":
            assert badge.startswith("capstone ")
        elif row["suite_version"] == "1" and row["backend"] == "tinytorch":
            assert badge.startswith("baseline ")  # suite 1: one numpy-relative number
        else:
            assert badge.startswith(words[row["backend"]] + " ")
        if not row["rank"]:
            continue
        assert f"of {row['group_size']} {label} result" in page
        # The card is a PNG named by its SVG's content: the SVG drawn with this group's
        # label (and no standing) is the one the page links.
        card = re.search(r"cards/([0-9a-f]+)\.png", page).group(1)
        drawn = student_card(
            "Mixed board",
            float(row["score"]),
            label,
            int(row["modules_completed"]),
            len(set(row["milestones_completed"].split())),
        )
        assert card == card_name(drawn) and (out / f"cards/{card}.png").is_file()
    feed = (out / "feed.xml").read_text()
    summaries = re.findall(r"<summary>(.*?)</summary>", feed)
    assert summaries and all(any(f"{group_label_of(g)}" in s for g in GROUPS) for s in summaries)


def test_similar_systems_stay_inside_the_group(site):
    out, _ = site
    for path in sorted((out / "api/leaderboard").glob("*.json"))[:1] + [
        out / "api/leaderboard.json"
    ]:
        doc = json.loads(path.read_text())
        sizes = doc["groups"]
        for key, entries in doc["entries"].items():
            for e in entries:
                if e.get("similar_size") is not None:
                    assert e["similar_size"] <= sizes[key]["count"]


def test_charts_show_one_score_histogram_per_group(site):
    out, _ = site
    page = (out / "community.html").read_text()
    for key in GROUPS:
        assert f"Scores: {group_label_of(key)}" in page
    assert "100 = as fast as numpy timed in the same run" in page  # suite 2 tinytorch lede
