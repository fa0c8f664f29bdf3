"""`tinytorch-board withdraw`: a pull request that deletes one file and carries the secret."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner
from github_fake import github_fake_fixture, github_server_fixture  # noqa: F401  (fixtures)
from submit_helpers import TOKEN, confirmed_api, fast_env, make_board, make_project, outbox_records

from tinytorch_board.cli import cli

BOARD = "board-org/board"


def run(project, *args, env=None):
    return CliRunner().invoke(
        cli,
        ["--project-dir", str(project), *confirmed_api(project, args)],
        env=env or fast_env(TINYTORCH_BOARD_TOKEN=TOKEN),
        catch_exceptions=False,
    )


@pytest.fixture
def merged(tmp_path, github_fake):
    """A project whose submission was sent as a pull request and merged."""
    project = make_project(tmp_path, repo=BOARD, api_url=github_fake.base_url)
    assert run(project, "submit", "--yes").exit_code == 0
    github_fake.merge(BOARD, 1)
    (record,) = outbox_records(project)
    return project, record


def test_withdraw_opens_a_pull_request_deleting_only_that_file(merged, github_fake):
    project, record = merged
    sid = record["submission_id"]
    path = f"submissions/{sid[:2]}/{sid}.json"
    result = run(project, "withdraw", sid, "--yes")
    assert result.exit_code == 0, result.output
    assert "Git history keeps the (anonymous) file" in result.output
    assert "@adalace7 will be visible as the author" in result.output
    pull = github_fake.pulls[BOARD][1]
    assert pull["head_ref"] == f"withdraw/{sid}"
    lines = pull["body"].splitlines()
    assert f"withdraw-key: {record['withdraw_secret']}" in lines
    digest = hashlib.sha256(record["withdraw_secret"].encode("ascii")).hexdigest()
    assert digest == record["submission"]["withdraw_key_sha256"]
    head = github_fake.commits[github_fake.repos["adalace7/board"].branches[f"withdraw/{sid}"]]
    base = github_fake.commits[github_fake.repos[BOARD].branches["main"]]
    assert set(base.tree) - set(head.tree) == {path} and set(head.tree) <= set(base.tree)
    (after,) = outbox_records(project)
    assert after["status"] == "withdrawn"
    assert after["withdrawal"]["url"].endswith("/pull/2")


def test_withdraw_accepts_a_prefix_and_is_idempotent(merged, github_fake):
    project, record = merged
    first = run(project, "withdraw", record["submission_id"][:8], "--yes", "--json")
    second = run(project, "withdraw", record["submission_id"][:8], "--yes", "--json")
    assert json.loads(first.output)["sent"]["reused"] is False
    assert json.loads(second.output)["sent"]["reused"] is True
    assert len(github_fake.pulls[BOARD]) == 2


def test_withdraw_dry_run_sends_nothing(merged, github_fake):
    project, record = merged
    before = len(github_fake.log)
    result = run(project, "withdraw", record["submission_id"], "--dry-run")
    assert "withdraw-key: " in result.output and "Dry run: nothing was sent." in result.output
    assert len(github_fake.log) == before


def test_withdraw_refuses_without_a_terminal(merged, github_fake):
    project, record = merged
    result = run(project, "withdraw", record["submission_id"])
    assert result.exit_code == 1 and "re-run with --yes to withdraw" in result.output
    assert len(github_fake.pulls[BOARD]) == 1


def test_withdraw_web_prints_the_browser_route(merged, github_fake):
    project, record = merged
    sid = record["submission_id"]
    result = run(project, "withdraw", sid, "--web", env=fast_env())
    assert result.exit_code == 0, result.output
    assert (
        f"{github_fake.base_url}/{BOARD}/delete/main/submissions/{sid[:2]}/{sid}.json"
        in result.output
    )
    assert f"withdraw-key: {record['withdraw_secret']}" in result.output
    assert "Git history keeps the (anonymous) file" in result.output


def test_withdrawing_what_is_not_on_the_board_says_so(tmp_path, github_fake):
    project = make_project(tmp_path, repo=BOARD, api_url=github_fake.base_url)
    run(project, "submit", "--yes")  # opened, not merged
    (record,) = outbox_records(project)
    result = run(project, "withdraw", record["submission_id"], "--yes")
    assert result.exit_code == 1
    assert "is not on board-org/board (not merged yet, or already removed)" in result.output


@pytest.mark.parametrize(
    ("sid", "message"),
    [
        ("zz", "is not a submission id"),
        ("abcdef12", "no submission abcdef12 in"),
    ],
)
def test_unknown_ids_are_one_line(tmp_path, sid, message):
    result = run(make_project(tmp_path), "withdraw", sid, "--yes")
    assert result.exit_code == 1 and message in result.output


def test_a_tampered_secret_is_refused(merged):
    project, record = merged
    path = project / ".tinytorch" / "submissions" / f"{record['submission_id']}.json"
    data = json.loads(path.read_text())
    data["withdraw_secret"] = "0" * 64
    path.write_text(json.dumps(data))
    result = run(project, "withdraw", record["submission_id"], "--yes")
    assert result.exit_code == 1 and "does not match the file's withdraw key" in result.output


def test_withdraw_from_a_local_board(tmp_path):
    project = make_project(tmp_path)
    board = make_board(tmp_path)
    assert run(project, "submit", "--to", str(board), "--yes").exit_code == 0
    (record,) = outbox_records(project)
    sid = record["submission_id"]
    result = run(project, "withdraw", sid, "--yes")
    assert result.exit_code == 0, result.output
    assert not (board / "submissions" / sid[:2] / f"{sid}.json").exists()
    assert outbox_records(project)[0]["status"] == "withdrawn"


def test_a_local_board_given_as_a_relative_path_is_found_again(tmp_path, monkeypatch):
    project = make_project(tmp_path)
    make_board(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert run(project, "submit", "--to", "board", "--yes").exit_code == 0
    (record,) = outbox_records(project)
    assert record["target"]["board_dir"] == str((tmp_path / "board").resolve())
    monkeypatch.chdir(project)
    assert run(project, "withdraw", record["submission_id"], "--yes").exit_code == 0
