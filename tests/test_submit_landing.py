"""`submit` shows where the result would land, computed locally from the distribution."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tinytorch_board.cli import cli
from tinytorch_board.submission.distribution import quantiles


def _distribution(scores: list[float]) -> dict:
    return {
        "distribution_version": 1,
        "generated_at": "2026-11-20T00:00:00Z",
        "k": 5,
        "totals": {"submissions": len(scores), "participants": len(scores), "public_entries": 0},
        "cohorts": {},
        "groups": {
            "baseline/1/numpy": {
                "kind": "baseline",
                "suite_version": 1,
                "backend": "numpy",
                "count": len(scores),
                "quantiles": quantiles(sorted(scores)),
                "systems": {},
            }
        },
    }


def test_submit_prints_the_published_standing_before_asking(project, board, httpserver):
    runner = CliRunner()
    assert (
        runner.invoke(
            cli, ["--project-dir", str(project), "benchmark", "baseline", "--json", "--no-prompt"]
        ).exit_code
        == 0
    )
    httpserver.expect_request("/b/api/distribution.json").respond_with_json(
        _distribution([0.0] * 50 + [1.0] * 50)
    )
    (project / ".tinytorch").mkdir(exist_ok=True)
    (project / ".tinytorch" / "config.json").write_text(
        json.dumps({"board": {"pages_url": httpserver.url_for("/b")}})
    )
    result = runner.invoke(
        cli, ["--project-dir", str(project), "submit", "--dry-run"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "top 1% of 101 comparable results (baseline · numpy backend · suite 1)" in (
        result.output
    )


def test_a_board_folder_places_the_result_with_its_own_engine(project, board):
    """No built site needed: the board's submissions/ and badge rules decide."""
    runner = CliRunner()
    runner.invoke(
        cli, ["--project-dir", str(project), "benchmark", "baseline", "--json", "--no-prompt"]
    )
    result = runner.invoke(
        cli,
        ["--project-dir", str(project), "submit", "--to", str(board), "--dry-run"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "the first comparable result on this board (baseline · numpy backend" in result.output
    assert "Badges earned: First Steps, Community Member." in result.output


def test_without_a_distribution_submit_still_works(project, board):
    runner = CliRunner()
    runner.invoke(
        cli, ["--project-dir", str(project), "benchmark", "baseline", "--json", "--no-prompt"]
    )
    (project / ".tinytorch").mkdir(exist_ok=True)
    (project / ".tinytorch" / "config.json").write_text(
        json.dumps({"board": {"pages_url": "http://127.0.0.1:9/"}})
    )
    result = runner.invoke(
        cli,
        ["--project-dir", str(project), "submit", "--to", str(board), "--dry-run"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "would land" not in result.output
