"""The no-token route: `submit --web` prints a prefilled GitHub "new file" link, or falls back."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from click.testing import CliRunner
from submit_helpers import fast_env, make_project, outbox_records

from tinytorch_board.cli import cli
from tinytorch_board.publish.weblink import (
    MAX_URL_CHARS,
    delete_file_url,
    issue_form_url,
    submission_route,
    web_root,
)

BOARD = "board-org/board"


def run(project, *args):
    return CliRunner().invoke(
        cli, ["--project-dir", str(project), *args], env=fast_env(), catch_exceptions=False
    )


@pytest.mark.parametrize(
    ("api_url", "root"),
    [
        ("https://api.github.com", "https://github.com"),
        ("https://api.github.com/", "https://github.com"),
        ("https://ghe.example.com/api/v3", "https://ghe.example.com"),
        ("https://api.acme.ghe.com", "https://acme.ghe.com"),
        ("http://localhost:8080", "http://localhost:8080"),
    ],
)
def test_web_root_follows_the_api_url(api_url, root):
    assert web_root(api_url) == root


def test_the_link_carries_the_exact_file_text():
    text = '{\n  "a": "x & y = 50% #1?",\n  "b": "Zoë 東京 +"\n}\n'
    route = submission_route(BOARD, "submissions/ab/abcd.json", text, "https://api.github.com")
    parts = urlsplit(route.url)
    assert (parts.scheme, parts.netloc) == ("https", "github.com")
    assert unquote(parts.path) == "/board-org/board/new/main/submissions/ab"
    query = parse_qs(parts.query, strict_parsing=True)
    assert query == {"filename": ["abcd.json"], "value": [text]}
    assert " " not in route.url and "\n" not in route.url
    assert route.url_chars == len(route.url) and not route.too_long


def test_too_long_a_link_falls_back_to_the_issue_form():
    route = submission_route(
        BOARD, "submissions/ab/abcd.json", "x" * 9000, "https://api.github.com"
    )
    assert route.too_long and route.url is None and route.url_chars > MAX_URL_CHARS
    assert (
        route.fallback_url
        == "https://github.com/board-org/board/issues/new?template=submission.yml"
    )
    short = submission_route(BOARD, "submissions/ab/abcd.json", "{}", "https://api.github.com", 50)
    assert short.too_long  # the limit is a parameter; the default is about 8 KB


def test_delete_and_issue_links():
    assert (
        delete_file_url(BOARD, "submissions/ab/abcd.json", "https://ghe.example.com/api/v3")
        == "https://ghe.example.com/board-org/board/delete/main/submissions/ab/abcd.json"
    )
    assert issue_form_url("o/n", "https://api.github.com").endswith(
        "/o/n/issues/new?template=submission.yml"
    )


def test_submit_web_prints_the_link_and_keeps_the_secret(tmp_path):
    project = make_project(tmp_path, repo=BOARD)
    result = run(project, "submit", "--web")
    assert result.exit_code == 0, result.output
    (record,) = outbox_records(project)
    assert record["status"] == "prepared" and record["target"]["type"] == "web"
    assert len(record["withdraw_secret"]) == 64
    (url,) = [line for line in result.output.splitlines() if line.startswith("https://github.com/")]
    value = parse_qs(urlsplit(url).query)["value"][0]
    assert json.loads(value) == record["submission"]
    assert "your account will be visible as the author of the pull request" in result.output
    assert f"tinytorch-board withdraw {record['submission_id']} --web" in result.output


def test_submit_web_is_never_resent_by_retry(tmp_path):
    project = make_project(tmp_path, repo=BOARD)
    run(project, "submit", "--web")
    result = run(project, "submit", "--retry")
    assert "Nothing to resend" in result.output


def test_submit_web_dry_run_keeps_the_file_it_showed(tmp_path):
    project = make_project(tmp_path, repo=BOARD)
    data = json.loads(run(project, "submit", "--web", "--dry-run", "--json").output)
    assert data["web"]["url"].startswith("https://github.com/board-org/board/new/main/")
    assert data["web"]["too_long"] is False
    # The preview is the file (issue 17): kept without a destination, then reused.
    (record,) = outbox_records(project)
    assert record["target"] is None and record["submission"] == data["submission"]
    again = json.loads(run(project, "submit", "--web", "--json").output)
    assert again["submission"] == data["submission"]


def test_web_needs_a_repository(tmp_path):
    result = run(make_project(tmp_path), "submit", "--web")
    assert result.exit_code == 1
    assert "--web needs a board repository: pass --repo OWNER/NAME" in result.output


def test_submit_web_says_when_the_link_is_too_long_and_falls_back(tmp_path, monkeypatch):
    monkeypatch.setattr("tinytorch_board.publish.weblink.MAX_URL_CHARS", 500)
    project = make_project(tmp_path, repo=BOARD)
    result = run(project, "submit", "--web")
    assert result.exit_code == 0, result.output
    assert "more than the 500 browsers and GitHub accept" in result.output
    assert (
        "open https://github.com/board-org/board/issues/new?template=submission.yml"
        in result.output
    )
    assert "/new/main/" not in result.output
    assert outbox_records(project)[0]["target"]["type"] == "web"
