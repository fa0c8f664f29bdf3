"""`community stats`: local figures always; the community's figures when a board is reachable."""

from __future__ import annotations

import socket
from datetime import datetime, timezone
from pathlib import Path

import pytest
from community_helpers import (
    add_result,
    distribution_from_demo,
    invoke,
    new_project,
    put,
    run_json,
    sample_progress,
    write_site,
)

from tinytorch_board.board.demo_data import generate
from tinytorch_board.cli import _util
from tinytorch_board.local.profile import cohort_for
from tinytorch_board.local.project import Project
from tinytorch_board.publish.outbox import save_prepared, update_status
from tinytorch_board.publish.prepare import prepare_from_project


@pytest.fixture
def tt_project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setattr(_util, "is_interactive", lambda: False)
    return new_project(tmp_path)


@pytest.fixture(scope="module")
def distribution() -> dict:
    return distribution_from_demo()


def my_cohort() -> str:
    return cohort_for(datetime.now(timezone.utc))


def demo_share_below(score: float, backend: str = "numpy") -> float:
    """Share (0..100) of the demo scores below `score`, computed from the raw scores."""
    group = [
        d["benchmark"]["score"]
        for d in generate(300, seed=3)
        if d["benchmark"]["backend"] == backend and d["benchmark"]["kind"] == "baseline"
    ]
    return 100 * sum(1 for s in group if s < score) / len(group)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_offline_without_a_board_still_shows_local_figures(tt_project):
    sample_progress(tt_project)
    add_result(tt_project, speedup=1.0)
    result = invoke(tt_project, "community", "stats")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "offline: no board yet: pass --board DIR once, or set one with" in out
    assert "Benchmarks run:  1 (1 baseline)" in out
    assert "Latest score:    50.0 (baseline, numpy, 2026-11-20)" in out
    assert "Modules:         3/20" in out
    assert "Milestones:      1/6 (2 unlocked)" in out
    assert "not joined" in out


def test_local_figures_count_results_and_submissions(tt_project):
    invoke(tt_project, "community", "join", "--yes")
    add_result(tt_project, speedup=2.0, moment=datetime(2026, 11, 18, tzinfo=timezone.utc))
    add_result(tt_project, speedup=1.5, moment=datetime(2026, 11, 19, tzinfo=timezone.utc))
    newest = add_result(tt_project, speedup=1.0, moment=datetime(2026, 11, 20, tzinfo=timezone.utc))
    project = Project(tt_project)
    outbox = project.outbox_dir
    for status in ("sent", "sent", "failed", None):
        prepared, _, _ = prepare_from_project(project, newest)
        save_prepared(outbox, prepared, str(newest))
        if status:
            update_status(outbox, prepared.submission_id, status)
    local = run_json(tt_project, "community", "stats")["local"]
    assert local["benchmarks"]["runs"] == 3
    assert local["benchmarks"]["latest"]["score"] == 50.0
    assert local["benchmarks"]["best"]["score"] == 60.0
    assert local["benchmarks"]["best"]["created_at"] == "2026-11-18T00:00:00Z"
    # A faster run of another backend is not a better run of this one.
    add_result(
        tt_project,
        speedup=8.0,
        backend="tinytorch",
        moment=datetime(2026, 11, 17, tzinfo=timezone.utc),
    )
    local = run_json(tt_project, "community", "stats")["local"]
    assert local["benchmarks"]["best"]["score"] == 60.0
    assert local["benchmarks"]["best"]["backend"] == "numpy"
    assert local["submissions"] == {"prepared": 1, "sent": 2, "failed": 1, "withdrawn": 0}
    assert local["profile"]["joined"] is True
    assert local["profile"]["cohort"] == my_cohort()
    assert local["profile"]["days_since_join"] == 0


def test_a_local_board_gives_community_figures_and_your_percentile(
    tt_project, tmp_path, distribution
):
    invoke(tt_project, "community", "join", "--yes")
    distribution = {**distribution, "cohorts": {my_cohort(): 52, "Other": 3}}
    board = tmp_path / "board"
    write_site(board / "site", distribution)
    add_result(tt_project, speedup=3.0, moment=datetime(2026, 11, 18, tzinfo=timezone.utc))
    add_result(tt_project, speedup=0.8, moment=datetime(2026, 11, 20, tzinfo=timezone.utc))

    figures = run_json(tt_project, "community", "stats", "--board", str(board))
    community = figures["community"]
    assert community["status"] == "online"
    assert community["source"] == str(board / "site" / "api" / "distribution.json")
    assert community["totals"] == distribution["totals"]
    assert community["cohort"] == {"name": my_cohort(), "size": 52, "note": None}
    latest, best = community["placement"]["latest"], community["placement"]["best"]
    assert latest["score"] < best["score"]
    for placed in (latest, best):
        assert placed["placed"] is True
        assert placed["group"] == "baseline/2/numpy"
        assert placed["group_count"] == 200
        # Within 1.5 points of the share computed from the raw scores themselves.
        assert abs(placed["percentile"] - demo_share_below(placed["score"])) < 1.5
    assert latest["percentile"] < best["percentile"]

    text = invoke(tt_project, "community", "stats", "--board", str(board)).output
    assert "Submissions:     300 from 154 participants (63 public)" in text
    assert f"Your cohort:     {my_cohort()}: 52" in text
    assert f"percentile {latest['percentile']:.1f}" in text
    assert "of 200 baseline · suite 2 · numpy results" in text


def test_a_small_cohort_is_reported_as_such(tt_project, tmp_path, distribution):
    invoke(tt_project, "community", "join", "--yes")
    write_site(tmp_path / "site", {**distribution, "cohorts": {"Spring 2020": 9, "Other": 4}})
    figures = run_json(tt_project, "community", "stats", "--board", str(tmp_path / "site"))
    cohort = figures["community"]["cohort"]
    assert cohort["size"] is None
    assert "fewer than 5 people" in cohort["note"]


def test_a_result_in_an_unpublished_group(tt_project, tmp_path, distribution):
    add_result(tt_project, backend="jax")
    write_site(tmp_path / "site", distribution)
    figures = run_json(tt_project, "community", "stats", "--board", str(tmp_path / "site"))
    latest = figures["community"]["placement"]["latest"]
    assert latest == {
        "score": 50.0,
        "group": "baseline/2/jax",
        "file": latest["file"],
        "placed": False,
        "note": "no published results in this group yet",
    }


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "no api/distribution.json in"),
        ('{"distribution_version": 1, "gro', "not valid JSON"),
        ({"distribution_version": 99, "groups": {}}, "distribution_version 99 is not supported"),
        (
            {"distribution_version": 1, "groups": {"baseline/1/numpy": {"quantiles": [1, 2]}}},
            "has no valid quantiles",
        ),
        ([1, 2, 3], "expected a JSON object"),
    ],
    ids=["missing", "truncated", "too-new", "bad-quantiles", "list"],
)
def test_an_unusable_board_means_offline_with_the_reason(tt_project, tmp_path, content, reason):
    add_result(tt_project)
    site = tmp_path / "site"
    site.mkdir()
    if content is not None:
        put(site / "api" / "distribution.json", content)
    result = invoke(tt_project, "community", "stats", "--board", str(site))
    assert result.exit_code == 0, result.output
    assert "offline: " in result.output and reason in result.output
    assert "Latest score:    50.0" in result.output
    figures = run_json(tt_project, "community", "stats", "--board", str(site))
    assert figures["community"]["status"] == "offline"
    assert reason in figures["community"]["reason"]


def test_pages_url_online_then_cached_then_offline(tt_project, httpserver, distribution):
    add_result(tt_project, speedup=2.0)
    httpserver.expect_oneshot_request("/board/api/distribution.json").respond_with_json(
        distribution
    )
    url = httpserver.url_for("/board/")
    assert invoke(tt_project, "config", "set", "board.pages_url", url).exit_code == 0

    online = run_json(tt_project, "community", "stats")["community"]
    assert online["status"] == "online"
    assert online["source"] == url.rstrip("/") + "/api/distribution.json"
    assert online["placement"]["latest"]["placed"] is True

    # The server now answers 500: the copy cached by the first call is used, and said so.
    httpserver.expect_request("/board/api/distribution.json").respond_with_data("", status=500)
    cached = run_json(tt_project, "community", "stats")["community"]
    assert cached["status"] == "cached"
    assert "HTTP 500" in cached["reason"]
    assert cached["cached"] == "just now"
    assert cached["placement"] == online["placement"]
    text = invoke(tt_project, "community", "stats").output
    assert "offline, using the copy saved just now" in text

    # Nobody listening and nothing cached for that address: offline, with the reason.
    port = free_port()
    invoke(tt_project, "config", "set", "board.pages_url", f"http://127.0.0.1:{port}")
    for path in (tt_project / ".tinytorch" / "cache").iterdir():
        path.unlink()
    offline = run_json(tt_project, "community", "stats")["community"]
    assert offline["status"] == "offline"
    assert "cannot reach" in offline["reason"]


def test_stats_downloads_only(tt_project, httpserver, distribution):
    httpserver.expect_request("/api/distribution.json").respond_with_json(distribution)
    invoke(tt_project, "config", "set", "board.pages_url", httpserver.url_for("/"))
    invoke(tt_project, "community", "join", "--country", "DE", "--institution", "Secret U")
    assert invoke(tt_project, "community", "stats").exit_code == 0
    methods = {request.method for request, _ in httpserver.log}
    assert methods == {"GET"}
    for request, _ in httpserver.log:
        assert request.get_data() == b""
        assert "Secret" not in request.url and request.query_string == b""


def test_broken_inputs_are_warnings_not_failures(tt_project, tmp_path, distribution):
    add_result(tt_project)
    benchmarks = tt_project / ".tito" / "benchmarks"
    put(benchmarks / "baseline_20261121_000000.json", '{"result_version": 1, "kind": "base')
    put(tt_project / ".tinytorch" / "config.json", {"board": {"pages_url": 42}})
    put(tt_project / ".tinytorch" / "community" / "profile.json", "[]")
    put(tt_project / ".tinytorch" / "submissions" / "x.json", "{")
    result = invoke(tt_project, "community", "stats")
    assert result.exit_code == 0, result.output
    stderr = result.stderr
    assert "baseline_20261121_000000.json: not valid JSON" in stderr
    assert "config ignored" in stderr and "'board.pages_url' must be an http(s) URL" in stderr
    assert "profile ignored" in stderr
    assert "x.json" in stderr
    assert "Benchmarks run:  1" in result.stdout
    assert "offline: the config cannot be read" in result.stdout
    # --board still works when the config does not.
    write_site(tmp_path / "site", distribution)
    figures = run_json(tt_project, "community", "stats", "--board", str(tmp_path / "site"))
    assert figures["community"]["status"] == "online"
    assert len(figures["warnings"]) == 3  # result, profile, outbox (config not needed now)
