"""Tokens stay home: a host named by a file gets the token only after the student confirms it.

The fake GitHub stands in for "another host" named by a cloned project's
.tinytorch/config.json (or an outbox record). Before and without confirmation it must
receive no request at all, so in particular no Authorization header.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from github_fake import github_fake_fixture, github_server_fixture  # noqa: F401  (fixtures)
from submit_helpers import TOKEN, fast_env, make_project, outbox_records

from tinytorch_board.cli import cli
from tinytorch_board.errors import BoardError
from tinytorch_board.publish.deliver import FROM_CONFIG, check_api_url, choose_target

BOARD = "board-org/board"


def run(project, *args, input=None):
    return CliRunner().invoke(
        cli,
        ["--project-dir", str(project), *args],
        env=fast_env(TINYTORCH_BOARD_TOKEN=TOKEN),
        input=input,
        catch_exceptions=False,
    )


@pytest.fixture
def project(tmp_path, github_fake):
    """A project whose config (as a cloned folder could carry) names the fake's host."""
    return make_project(tmp_path, repo=BOARD, api_url=github_fake.base_url)


def host_of(github_fake) -> str:
    return urlsplit(github_fake.base_url).netloc


def test_a_host_from_the_config_gets_nothing_with_yes(project, github_fake):
    result = run(project, "submit", "--yes")
    assert result.exit_code == 1
    assert f"board.api_url in .tinytorch/config.json names {host_of(github_fake)}" in result.output
    assert f"re-run with --api-url {github_fake.base_url}" in result.output
    assert github_fake.log == [] and github_fake.authorization_seen == []
    assert outbox_records(project) == []


def test_the_question_names_the_host_before_anything_is_sent(project, github_fake, monkeypatch):
    monkeypatch.setattr("tinytorch_board.cli._util.is_interactive", lambda: True)
    monkeypatch.setattr("tinytorch_board.cli.submit.is_interactive", lambda: True)
    result = run(project, "submit", input="github.com\n")
    assert result.exit_code == 1
    host = host_of(github_fake)
    assert f"Your GitHub token would be sent to {host}" in result.output
    assert f"{host} was not confirmed; your token was not sent anywhere" in result.output
    assert github_fake.log == [] and github_fake.authorization_seen == []


def test_typing_the_host_confirms_it_and_the_preview_names_it(project, github_fake, monkeypatch):
    monkeypatch.setattr("tinytorch_board.cli._util.is_interactive", lambda: True)
    monkeypatch.setattr("tinytorch_board.cli.submit.is_interactive", lambda: True)
    host = host_of(github_fake)
    result = run(project, "submit", input=f"{host}\ny\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index(f"Type {host}") < out.index(f"Your GitHub token is sent only to {host}.")
    assert github_fake.authorization_seen  # sent, once confirmed
    assert outbox_records(project)[0]["status"] == "sent"


def test_api_url_on_the_command_line_confirms_the_host(project, github_fake):
    result = run(project, "submit", "--yes", "--api-url", github_fake.base_url)
    assert result.exit_code == 0, result.output
    assert f"Your GitHub token is sent only to {host_of(github_fake)}." in result.output


def test_the_dry_run_preview_says_which_host_receives_the_token(tmp_path):
    project = make_project(tmp_path, repo=BOARD)
    result = run(project, "submit", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Your GitHub token is sent only to api.github.com." in result.output


def test_an_outbox_record_naming_a_host_is_not_retried_without_confirmation(tmp_path, github_fake):
    from tinytorch_board.local.project import Project
    from tinytorch_board.publish.outbox import save_prepared
    from tinytorch_board.publish.prepare import prepare_from_project

    project = make_project(tmp_path, repo=BOARD)
    prepared, result_path, _ = prepare_from_project(Project(project))
    target = {"type": "github", "repo": BOARD, "api_url": github_fake.base_url}
    save_prepared(Project(project).outbox_dir, prepared, str(result_path), target)
    result = run(project, "submit", "--retry")
    assert result.exit_code == 1
    assert "the outbox record in .tinytorch/outbox names" in result.output
    assert github_fake.log == []
    confirmed = run(project, "submit", "--retry", "--api-url", github_fake.base_url)
    assert confirmed.exit_code == 0, confirmed.output
    assert outbox_records(project)[0]["status"] == "sent"


def test_withdraw_asks_for_the_host_of_its_record_too(project, github_fake):
    assert run(project, "submit", "--yes", "--api-url", github_fake.base_url).exit_code == 0
    github_fake.merge(BOARD, 1)
    before = len(github_fake.log)
    (record,) = outbox_records(project)
    result = run(project, "withdraw", record["submission_id"], "--yes")
    assert result.exit_code == 1
    assert "names" in result.output and "--api-url" in result.output
    assert len(github_fake.log) == before


@pytest.mark.parametrize(
    ("api_url", "message"),
    [
        ("http://github.example.edu/api/v3", "uses plain http, which would expose your token"),
        ("ftp://127.0.0.1/api", "must be an https:// URL"),
        ("https://user:pw@github.example.edu/api/v3", "must not carry a user name or password"),
        ("https:///api", "must be an https:// URL"),
    ],
)
def test_unsafe_api_urls_are_refused(api_url, message):
    with pytest.raises(BoardError, match=message):
        check_api_url(api_url, "--api-url")


@pytest.mark.parametrize(
    "api_url",
    [
        "https://github.example.edu/api/v3",
        "http://127.0.0.1:8080",
        "http://localhost:1",
        "http://[::1]:9",
    ],
)
def test_https_and_loopback_http_are_accepted(api_url):
    assert check_api_url(api_url, "--api-url") == api_url


def test_a_config_host_is_marked_for_confirmation_and_plain_http_refused():
    config = {"board": {"repo": BOARD, "api_url": "https://evil.example/api"}}
    target = choose_target(config)
    assert target.api_url_from == FROM_CONFIG and target.host_needs_confirmation
    assert not choose_target(config, api_url="https://evil.example/api").host_needs_confirmation
    default = choose_target({"board": {"repo": BOARD}})
    assert not default.host_needs_confirmation and default.token_host == "api.github.com"
    with pytest.raises(BoardError, match="plain http"):
        choose_target({"board": {"repo": BOARD, "api_url": "http://evil.example/api"}})


def test_the_token_never_reaches_a_config_host_in_json_mode(project, github_fake):
    result = run(project, "submit", "--yes", "--json")
    assert result.exit_code == 1
    assert github_fake.authorization_seen == []
    assert json.dumps(TOKEN) not in result.output
