"""`compare`: online (local HTTP server), cached, offline, local directories, --json."""

from __future__ import annotations

import json
import socket
from datetime import datetime, timezone
from pathlib import Path

import pytest
from board_helpers import config, loaded
from click.testing import CliRunner

from tinytorch_board.board.demo_data import generate
from tinytorch_board.board.stats import compute_stats
from tinytorch_board.cli import cli
from tinytorch_board.submission.distribution import landing_line

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def docs() -> list[dict]:
    return generate(400, seed=21)


@pytest.fixture(scope="module")
def distribution(docs) -> dict:
    return compute_stats(loaded(docs), config(k_anonymity=5), NOW).distribution


def _result_from(doc: dict) -> dict:
    bench = doc["benchmark"]
    return {
        "result_version": 1,
        "kind": bench["kind"],
        "suite_version": bench["suite_version"],
        "backend": bench["backend"],
        "created_at": doc["created_at"],
        "client_version": doc["client_version"],
        "metrics": bench["metrics"],
        "score": bench["score"],
        "system": doc["system"],
        "details": {},
    }


@pytest.fixture
def project(tmp_path: Path, docs) -> Path:
    root = tmp_path / "project"
    results = root / ".tito" / "benchmarks"
    results.mkdir(parents=True)
    numpy_doc = next(d for d in docs if d["benchmark"]["backend"] == "numpy")
    (results / "baseline_20261101_100000.json").write_text(json.dumps(_result_from(numpy_doc)))
    return root


def run(project: Path, *args: str):
    return CliRunner().invoke(
        cli, ["--project-dir", str(project), "compare", *args], catch_exceptions=False
    )


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_online_then_cached_when_offline(project, httpserver, distribution, docs):
    httpserver.expect_request("/board/api/distribution.json").respond_with_json(distribution)
    url = httpserver.url_for("/board/")
    online = run(project, "--from", url)
    assert online.exit_code == 0, online.output
    assert "Compared with http://" in online.output
    assert "would land in the top" in online.output
    assert "Nothing was uploaded" in online.output
    assert (project / ".tinytorch" / "cache").is_dir()
    # nothing about the student left the machine: one plain GET, no body, no query
    (request, _response), *_ = httpserver.log
    assert request.method == "GET" and request.get_data() == b"" and not request.query_string

    offline = run(project, "--from", _closed_port_url())
    assert offline.exit_code == 0, offline.output
    assert "Offline (cannot reach" in offline.output
    assert "using the copy cached just now" in offline.output
    assert "would land in the top" in offline.output

    httpserver.clear()  # the server now answers 500
    failing = run(project, "--from", url, "--json")
    report = json.loads(failing.output)
    assert report["from_cache"] is True and "HTTP 500" in report["offline_reason"]
    assert report["uploaded"] is False


def test_offline_without_cache_is_a_clear_message(project):
    outcome = CliRunner().invoke(
        cli, ["--project-dir", str(project), "compare", "--from", _closed_port_url()]
    )
    assert outcome.exit_code == 1
    assert "offline and nothing cached" in outcome.output
    assert "Traceback" not in outcome.output


def test_json_percentile_matches_the_board(project, httpserver, distribution, docs):
    httpserver.expect_request("/api/distribution.json").respond_with_json(distribution)
    outcome = run(project, "--from", httpserver.url_for("/"), "--json")
    report = json.loads(outcome.output)
    mine = report["score"]
    placement = report["placement"]
    stats = compute_stats(loaded(docs), config(k_anonymity=5), NOW)
    group = [e.score for e in stats.entries if e.group == "baseline/2/numpy" and not e.outlier]
    exact = 100 * sum(s < mine for s in group) / len(group)
    ties = 100 * sum(s == mine for s in group) / len(group)
    assert exact - 1 <= placement["percentile"] <= exact + ties + 1
    assert placement["group_count"] == len(group)
    assert placement["system_type"] == report["system_type"]
    assert report["group"] == "baseline/2/numpy" and report["from_cache"] is False


def test_local_site_or_board_directory(project, tmp_path, distribution):
    board = tmp_path / "board"
    (board / "site" / "api").mkdir(parents=True)
    (board / "site" / "api" / "distribution.json").write_text(json.dumps(distribution))
    for source in (board, board / "site"):
        outcome = run(project, "--from", str(source))
        assert outcome.exit_code == 0, outcome.output
        assert "would land in the top" in outcome.output
    missing = CliRunner().invoke(
        cli, ["--project-dir", str(project), "compare", "--from", str(tmp_path)]
    )
    assert missing.exit_code == 1 and "build the board first" in missing.output


def test_default_source_is_the_configured_pages_url(project, httpserver, distribution):
    no_source = CliRunner().invoke(cli, ["--project-dir", str(project), "compare"])
    assert no_source.exit_code == 1 and "board.pages_url" in no_source.output
    httpserver.expect_request("/api/distribution.json").respond_with_json(distribution)
    (project / ".tinytorch").mkdir(exist_ok=True)
    (project / ".tinytorch" / "config.json").write_text(
        json.dumps({"board": {"pages_url": httpserver.url_for("/")}})
    )
    outcome = run(project)
    assert outcome.exit_code == 0 and "would land in the top" in outcome.output


def test_group_without_results_and_submission_files(project, tmp_path, docs, distribution):
    site = tmp_path / "site" / "api"
    site.mkdir(parents=True)
    numpy_only = {**distribution, "groups": {"baseline/2/numpy": distribution["groups"][
        "baseline/2/numpy"]}}  # fmt: skip
    (site / "distribution.json").write_text(json.dumps(numpy_only))
    tiny = next(d for d in docs if d["benchmark"]["backend"] == "tinytorch")
    result = tmp_path / "tiny.json"
    result.write_text(json.dumps(_result_from(tiny)))
    outcome = run(project, str(result), "--from", str(tmp_path))
    assert outcome.exit_code == 0
    assert "No published baseline/2/tinytorch results yet" in outcome.output
    submission = tmp_path / "submission.json"
    numpy_doc = next(d for d in docs if d["benchmark"]["backend"] == "numpy")
    submission.write_text(json.dumps(numpy_doc))
    outcome = run(project, str(submission), "--from", str(tmp_path), "--json")
    assert json.loads(outcome.output)["placement"]["group_count"] > 0


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"distribution_version": 9, "groups": {}}, "distribution_version 9 is not supported"),
        ([1, 2], "expected a JSON object"),
        ({"distribution_version": 1, "groups": {"x": {"quantiles": [1]}}}, "no valid quantiles"),
    ],
)
def test_bad_distribution_is_one_line(project, httpserver, payload, message):
    httpserver.expect_request("/api/distribution.json").respond_with_json(payload)
    outcome = CliRunner().invoke(
        cli, ["--project-dir", str(project), "compare", "--from", httpserver.url_for("/")]
    )
    assert outcome.exit_code == 1 and message in outcome.output
    assert "Traceback" not in outcome.output


def test_landing_line_for_submit(docs, distribution):
    doc = next(d for d in docs if d["benchmark"]["backend"] == "numpy")
    line = landing_line(doc, distribution)
    assert line.startswith("Your score would land in the top ")
    assert "baseline · suite 2 · numpy results" in line
    assert landing_line(doc, {"distribution_version": 1, "groups": {}}) is None
    assert landing_line(doc, {"nonsense": True}) is None
    unscored = {**doc, "benchmark": {**doc["benchmark"], "score": None}}
    assert landing_line(unscored, distribution) is None
