"""Bot messages say what the pull request changed, why it was refused and what to do."""

from __future__ import annotations

import json
from pathlib import Path

from ci_helpers import BoardRepo
from test_ci import check_pr, codes, open_pr, render, run, verify, write_distribution


def test_a_broken_board_yaml_on_main_is_reported_not_a_silent_red_cross(tmp_path: Path) -> None:
    repo = BoardRepo(tmp_path / "board", board_yaml="version: 1\nk_anonymity: -1\n")
    head = open_pr(repo, lambda r: r.add_doc(r.new_doc()))
    status, report = check_pr(repo, head, "--exit-zero")
    assert status == 0 and report["ok"] is False and report["kind"] == "submission"
    assert "board-config" in codes(report) and report["auto_merge"] is False
    comment = render(tmp_path, report)
    assert "k_anonymity must be a whole number" in comment
    assert "This is not your fault" in comment and "board check" in comment


def test_editing_board_yaml_is_not_called_editing_a_submission(tmp_path: Path) -> None:
    repo = BoardRepo(tmp_path / "board")

    def change(r: BoardRepo) -> None:
        r.add_doc(r.new_doc())
        r.write("board.yaml", "version: 1\ntitle: Mine now\n")

    head = open_pr(repo, change)
    status, report = check_pr(repo, head)
    assert status == 1 and codes(report) == {"settings"}
    comment = render(tmp_path, report)
    assert "edits a published submission" not in comment and "withdraw" not in comment
    assert "board.yaml: changes the board's settings" in comment
    # The comment names every file the pull request changed.
    assert "**What this pull request changes**" in comment and "modified board.yaml" in comment


def test_verify_withdrawal_says_why_it_refused(tmp_path: Path) -> None:
    repo = BoardRepo(tmp_path / "board")
    head = open_pr(repo, lambda r: r.add_doc(r.new_doc()))
    result = run(
        "ci", "verify-withdrawal", "--repo", str(repo.path), "--base", "main",
        "--head", head, "--board", str(repo.path), "--body-file", "-", stdin="",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "not a withdrawal: a withdrawal only deletes one submission file" in result.output
    assert "added submissions/" in result.output
    status, report = verify(repo, head, "")
    assert report["applies"] is False and codes(report) == {"not-withdrawal"}


def test_a_multi_file_success_comment_names_each_file(tmp_path: Path) -> None:
    repo = BoardRepo(tmp_path / "board", board_yaml="automation: {max_files_per_pr: 2}\n")
    paths: list[str] = []
    head = open_pr(repo, lambda r: paths.extend([r.add_doc(r.new_doc()), r.add_doc(r.new_doc())]))
    status, report = check_pr(repo, head)
    assert status == 0
    site = write_distribution(tmp_path, repo.existing)
    comment = render(tmp_path, report, "--distribution", str(site))
    for path in paths:
        assert f"| `{path}` |" in comment  # its row in the table
        assert f"- `{path}`: " in comment  # and its placement line


def test_report_json_is_written_for_a_broken_config(tmp_path: Path) -> None:
    repo = BoardRepo(tmp_path / "board", board_yaml="title: a\ntitle: b\n")
    head = open_pr(repo, lambda r: r.add_doc(r.new_doc()))
    out = tmp_path / "report.json"
    check_pr(repo, head, "--exit-zero", "--out", str(out))
    assert "duplicate key" in json.loads(out.read_text())["findings"][0]["message"]
