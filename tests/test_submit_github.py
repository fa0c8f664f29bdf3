"""`submit` to a GitHub board through the CLI: preview, confirmation, outbox, retry, tokens."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner
from github_fake import github_fake_fixture, github_server_fixture  # noqa: F401  (fixtures)
from submit_helpers import (
    STUDENT_IDENTITY,
    TOKEN,
    confirmed_api,
    fast_env,
    make_board,
    make_project,
    outbox_records,
    write_result,
)

from tinytorch_board.cli import cli

BOARD = "board-org/board"


def run(project, *args, env=None, input=None):
    runner = CliRunner()
    return runner.invoke(
        cli,
        ["--project-dir", str(project), *confirmed_api(project, args)],
        env=env or fast_env(TINYTORCH_BOARD_TOKEN=TOKEN),
        input=input,
        catch_exceptions=False,
    )


@pytest.fixture
def project(tmp_path, github_fake):
    return make_project(tmp_path, repo=BOARD, api_url=github_fake.base_url)


def test_submit_opens_a_pull_request_after_showing_everything(project, github_fake):
    result = run(project, "submit", "--yes")
    assert result.exit_code == 0, result.output
    (record,) = outbox_records(project)
    sid = record["submission_id"]
    out = result.output
    assert f"a pull request to {BOARD} (main), from your fork adalace7/board" in out
    assert (
        "The file carries no identity, but your GitHub account @adalace7 will be visible as "
        "the author of the pull request." in out
    )
    assert f"Pull request title: Submission {sid[:8]}" in out
    assert "Privacy checklist" in out
    # The exact file shown is the file sent, byte for byte.
    sent = github_fake.file_on(
        "adalace7/board", f"submission/{sid}", f"submissions/{sid[:2]}/{sid}.json"
    )
    assert sent in out
    assert json.loads(sent) == record["submission"]
    assert record["status"] == "sent"
    assert record["destination"]["url"] == f"{github_fake.base_url}/{BOARD}/pull/1"
    assert record["target"] == {"type": "github", "repo": BOARD, "api_url": github_fake.base_url}
    assert f"Opened: {github_fake.base_url}/{BOARD}/pull/1 (open)" in out


def test_no_terminal_and_no_yes_refuses_and_sends_nothing(project, github_fake):
    result = run(project, "submit")
    assert result.exit_code == 1
    assert "cannot ask for confirmation without a terminal; re-run with --yes" in result.output
    assert github_fake.calls("POST") == github_fake.calls("PUT") == []
    # Kept before the first network call, then back to a preview: --retry sends nothing.
    assert [r["target"] for r in outbox_records(project)] == [None]


def test_a_person_can_say_no(project, github_fake, monkeypatch):
    monkeypatch.setattr("tinytorch_board.cli._util.is_interactive", lambda: True)
    result = run(project, "submit", input="n\n")
    assert result.exit_code == 0
    assert "Open this pull request on board-org/board? [y/N]" in result.output
    assert "Nothing was sent." in result.output
    assert github_fake.calls("POST") == []


def test_dry_run_shows_it_all_and_touches_no_network(project, github_fake):
    result = run(project, "submit", "--dry-run")
    assert result.exit_code == 0, result.output
    assert github_fake.log == []
    assert "Pull request body:" in result.output
    assert "your GitHub account (the account that owns your token) will be visible" in result.output
    assert "Dry run: nothing was sent." in result.output
    # The preview is kept (no destination): the next submit sends exactly these bytes.
    (record,) = outbox_records(project)
    assert record["status"] == "prepared" and record["target"] is None


def test_dry_run_json(project, github_fake):
    result = run(project, "submit", "--dry-run", "--json")
    data = json.loads(result.output)
    assert data["dry_run"] is True and data["target"]["repo"] == BOARD
    assert data["pull_request"]["branch"] == f"submission/{data['submission']['submission_id']}"
    assert github_fake.log == []


def test_repo_option_overrides_config_and_to_keeps_the_local_path(tmp_path, github_fake):
    project = make_project(tmp_path, repo="someone/else", api_url=github_fake.base_url)
    result = run(project, "submit", "--repo", BOARD, "--yes", "--json")
    assert json.loads(result.output)["sent"]["repo"] == BOARD
    board = make_board(tmp_path)
    write_result(project, speedup=3.0, stamp="20261123_103000")  # one result, one submission
    result = run(project, "submit", "--to", str(board), "--yes")
    assert result.exit_code == 0, result.output
    assert len(list((board / "submissions").rglob("*.json"))) == 1
    assert outbox_records(project)[-1]["target"]["type"] in ("local", "github")
    assert {r["target"]["type"] for r in outbox_records(project)} == {"local", "github"}


def test_without_a_repo_or_board_the_old_message_stays(tmp_path):
    project = make_project(tmp_path)
    result = run(project, "submit", "--yes")
    assert result.exit_code == 1
    assert "no board to submit to; pass --to BOARD_DIR" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--repo", "not a repo"], "is not a GitHub repository; use OWNER/NAME"),
        (["--to", "x", "--repo", BOARD], "--to writes to a local board"),
        (["--api-url", "ftp://x"], "must be an https:// URL"),
    ],
)
def test_bad_destinations_are_one_line(project, args, message):
    result = run(project, "submit", "--yes", *args)
    assert result.exit_code == 1 and message in result.output


def test_failure_is_kept_in_the_outbox_and_retry_finishes_the_job(project, github_fake):
    github_fake.fail("POST", r"/pulls$", 502, "Bad Gateway", times=2)
    result = run(project, "submit", "--yes")
    assert result.exit_code == 1
    assert "server errors while opening the pull request" in result.output
    assert "tinytorch-board submit --retry" in result.output
    (record,) = outbox_records(project)
    assert record["status"] == "failed"
    assert (
        "server errors" in record["reason"] and record["failed_step"] == "opening the pull request"
    )

    result = run(project, "submit", "--retry")
    assert result.exit_code == 0, result.output
    (record,) = outbox_records(project)
    assert record["status"] == "sent" and "reason" not in record
    assert [h["status"] for h in record["history"]] == ["prepared", "failed", "sent"]
    assert len(github_fake.pulls[BOARD]) == 1
    assert len(github_fake.calls("PUT")) == 1  # the file was committed once
    assert f"{record['submission_id']}: sent: {record['destination']['url']}" in result.output

    again = run(project, "submit", "--retry")
    assert "Nothing to resend" in again.output


def test_retry_reports_what_still_fails(project, github_fake):
    github_fake.fail("POST", r"/pulls$", 502, "Bad Gateway", times=2)
    run(project, "submit", "--yes")
    result = run(project, "submit", "--retry", env=fast_env(TINYTORCH_BOARD_TOKEN="WRONG"))
    assert result.exit_code == 1
    assert "rejected the token (401 Bad credentials)" in result.output
    assert "1 of 1 still failed" in result.output
    assert outbox_records(project)[0]["status"] == "failed"


def test_an_interrupted_send_is_resent(project, github_fake):
    from tinytorch_board.local.project import Project
    from tinytorch_board.publish.outbox import save_prepared
    from tinytorch_board.publish.prepare import prepare_from_project

    prepared, result_path, _ = prepare_from_project(Project(project))
    target = {"type": "github", "repo": BOARD, "api_url": github_fake.base_url}
    save_prepared(Project(project).outbox_dir, prepared, str(result_path), target)
    result = run(project, "submit", "--retry", "--json")
    (item,) = json.loads(result.output)["retried"]
    assert item["status"] == "sent" and item["submission_id"] == prepared.submission_id


def test_no_token_says_how_to_get_one_or_use_web(project, github_fake):
    result = run(project, "submit", "--yes", env=fast_env())
    assert result.exit_code == 1
    assert "no GitHub token: set TINYTORCH_BOARD_TOKEN" in result.output
    assert "--web" in result.output
    assert github_fake.log == []


def test_token_from_gh_when_installed(project, github_fake, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(f"#!/bin/sh\n[ \"$1 $2\" = 'auth token' ] && echo {TOKEN}\n")
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    result = run(project, "submit", "--yes", env=fast_env(PATH=f"{bin_dir}{os.pathsep}/bin"))
    assert result.exit_code == 0, result.output
    assert outbox_records(project)[0]["status"] == "sent"


def test_token_option_warns_and_the_token_is_never_stored(project, github_fake):
    result = run(project, "submit", "--yes", "--token", TOKEN, env=fast_env())
    assert result.exit_code == 0, result.output
    assert "--token puts your token in your shell history" in result.output
    for path in project.rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text(errors="replace")


def test_the_outbox_and_pr_never_hold_the_students_identity(project, github_fake):
    run(project, "submit", "--yes")
    pull = github_fake.pulls[BOARD][0]
    (record,) = outbox_records(project)
    for needle in (*STUDENT_IDENTITY, str(project)):
        assert needle not in pull["title"] + pull["body"]
        assert needle not in json.dumps(record["submission"])


def test_cli_help_imports_no_github():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from tinytorch_board.cli import cli\n"
        "for name in ('submit', 'withdraw'):\n"
        "    assert CliRunner().invoke(cli, [name, '--help']).exit_code == 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('github', 'requests')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "extra", [["--repo", BOARD], ["--web"], ["--dry-run"], ["--public", "--name", "A"]]
)
def test_retry_takes_no_new_destination_or_content(project, extra):
    result = run(project, "submit", "--retry", *extra)
    assert result.exit_code == 1
    assert "--retry resends the outbox as it was prepared; drop" in result.output


def test_the_landing_hook_is_shown_before_asking(project, github_fake, monkeypatch):
    line = "You would land around the middle of Linux x86 systems."
    monkeypatch.setattr(
        "tinytorch_board.cli.submit.where_you_would_land",
        lambda project, document, target=None: line,
    )
    result = run(project, "submit", "--yes")
    assert result.output.index(line) < result.output.index("Opened:")
