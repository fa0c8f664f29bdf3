"""publish/github.py against the local GitHub fake: the pull-request flow and every error class."""

from __future__ import annotations

import base64
import hashlib
import socket
import time

import pytest
from github_fake import github_fake_fixture, github_server_fixture  # noqa: F401  (fixtures)

from tinytorch_board.errors import BoardError
from tinytorch_board.jsonio import dumps
from tinytorch_board.publish.github import GithubBoardError, Limits, connect, resolve_token
from tinytorch_board.publish.texts import (
    NEUTRAL_EMAIL,
    NEUTRAL_NAME,
    submission_change,
    withdrawal_change,
)
from tinytorch_board.submission.builder import build_submission, withdraw_key_hash

BOARD = "board-org/board"
TOKEN = "STUDENT-TOKEN"
FAST = Limits(timeout=2, retries=1, backoff_factor=0, seconds_between_writes=0, fork_wait=5)
IDENTITY = ("adalace7", "Ada Student", "ada.student@example.edu")


def _prepared():
    import json
    import tempfile
    from pathlib import Path

    from submit_helpers import write_result

    with tempfile.TemporaryDirectory() as folder:
        result = json.loads(write_result(Path(folder)).read_text())
    return build_submission(result, modules_completed=3, milestones_completed=["01"])


def _change(prepared):
    text = dumps(prepared.document)
    return submission_change(prepared.document, prepared.relative_path, text)


def _connect(fake, token="STUDENT-TOKEN", limits=FAST, **kwargs):
    return connect(BOARD, token, fake.base_url, limits, **kwargs)


def test_fork_branch_file_and_pull_request(github_fake):
    prepared = _prepared()
    change = _change(prepared)
    board = _connect(github_fake)
    assert (board.login, board.can_push, board.default_branch) == ("adalace7", False, "main")
    opened = board.open_pull_request(change)

    assert opened.via_fork and not opened.reused and opened.state == "open"
    assert opened.head == f"adalace7:submission/{prepared.submission_id}"
    assert opened.url == f"{github_fake.base_url}/{BOARD}/pull/1"
    branch = f"submission/{prepared.submission_id}"
    assert github_fake.file_on("adalace7/board", branch, change.path) == change.content
    pull = github_fake.pulls[BOARD][0]
    assert (pull["head_repo"], pull["head_ref"], pull["base_ref"]) == (
        "adalace7/board",
        branch,
        "main",
    )
    assert pull["title"] == change.title and pull["body"] == change.body
    assert pull["maintainer_can_modify"] is True
    commit = github_fake.branch_commits("adalace7/board", branch)[0]
    assert commit.author["name"] == commit.committer["name"] == NEUTRAL_NAME
    assert commit.author["email"] == commit.committer["email"] == NEUTRAL_EMAIL
    assert github_fake.unhandled == []


def test_no_commit_or_text_carries_the_students_identity(github_fake):
    change = _change(_prepared())
    _connect(github_fake).open_pull_request(change)
    (put,) = [body for method, _, body in github_fake.log if method == "PUT"]
    (pull_request,) = [
        body
        for method, path, body in github_fake.log
        if path.endswith("/pulls") and method == "POST"
    ]
    commits = github_fake.branch_commits("adalace7/board", change.branch)
    texts = [
        str(put),  # message, content, branch, author, committer
        base64.b64decode(put["content"]).decode(),  # the file as sent
        pull_request["title"],
        pull_request["body"],
        *(f"{c.author} {c.committer} {c.message}" for c in commits),
    ]
    for text in texts:
        for needle in IDENTITY:
            assert needle not in text
    # The login appears only where GitHub needs it: the head of the pull request.
    assert pull_request["head"] == f"adalace7:{change.branch}"


def test_push_access_branches_in_the_board_without_forking(github_fake):
    change = _change(_prepared())
    board = _connect(github_fake, token="MAINTAINER-TOKEN")
    assert board.can_push
    opened = board.open_pull_request(change)
    assert not opened.via_fork and opened.head == f"board-org:{change.branch}"
    assert not any(path.endswith("/forks") for _, path, _ in github_fake.log)
    assert github_fake.file_on(BOARD, change.branch, change.path) == change.content
    assert github_fake.pulls[BOARD][0]["maintainer_can_modify"] is False


def test_an_existing_fork_is_reused(github_fake):
    first, second = _change(_prepared()), _change(_prepared())
    _connect(github_fake).open_pull_request(first)
    opened = _connect(github_fake).open_pull_request(second)
    forks = [r for r in github_fake.repos.values() if r.fork_of]
    assert [f.full_name for f in forks] == ["adalace7/board"]
    assert opened.number == 2 and opened.head == f"adalace7:{second.branch}"


def test_rerun_reports_the_existing_pull_request_instead_of_duplicating(github_fake):
    change = _change(_prepared())
    first = _connect(github_fake).open_pull_request(change)
    writes_before = len(github_fake.calls("PUT")) + len(github_fake.calls("POST"))
    again = _connect(github_fake).open_pull_request(change)
    assert again.reused and again.url == first.url
    assert len(github_fake.pulls[BOARD]) == 1
    assert len(github_fake.calls("PUT")) + len(github_fake.calls("POST")) == writes_before


def test_a_branch_left_by_an_interrupted_attempt_is_reused(github_fake):
    change = _change(_prepared())
    github_fake.fail("POST", r"/pulls$", 502, "Server Error", times=2)
    with pytest.raises(GithubBoardError):
        _connect(github_fake).open_pull_request(change)
    assert github_fake.file_on("adalace7/board", change.branch, change.path) == change.content
    opened = _connect(github_fake).open_pull_request(change)
    assert opened.head == f"adalace7:{change.branch}" and not opened.reused
    assert len(github_fake.calls("PUT")) == 1  # the file was not committed twice
    branches = github_fake.repos["adalace7/board"].branches
    assert sorted(b for b in branches if b.startswith("submission/")) == [change.branch]


def test_a_foreign_branch_of_the_same_name_gets_a_suffix(github_fake):
    change = _change(_prepared())
    board = _connect(github_fake)
    fork = board.board.create_fork()
    fork.create_git_ref(f"refs/heads/{change.branch}", fork.get_branch("main").commit.sha)
    fork.create_file(change.path, "other", "something else\n", branch=change.branch)
    opened = board.open_pull_request(change)
    assert opened.head == f"adalace7:{change.branch}-2"
    assert (
        github_fake.file_on("adalace7/board", f"{change.branch}-2", change.path) == change.content
    )


def test_waits_for_a_fork_that_is_not_ready_yet(github_fake):
    github_fake.fork_delay_polls = 2
    pauses: list[float] = []
    steps: list[str] = []
    board = _connect(github_fake, sleep=pauses.append)
    opened = board.open_pull_request(_change(_prepared()), steps.append)
    assert opened.state == "open"
    assert pauses == [1.0, 2.0]
    assert sum("waiting" in s for s in steps) == 2


def test_gives_up_on_a_fork_that_never_becomes_ready(github_fake):
    github_fake.fork_delay_polls = 1000
    slept: list[float] = []
    limits = Limits(timeout=2, retries=0, seconds_between_writes=0, fork_wait=10)
    board = _connect(github_fake, limits=limits, sleep=slept.append)
    now = [0.0]
    board._clock = lambda: now[0] + sum(slept)
    with pytest.raises(GithubBoardError, match="not ready after 10 s.*submit --retry"):
        board.open_pull_request(_change(_prepared()))
    assert sum(slept) <= 10


RATE_RESET = str(int(time.time()) + 3600)


@pytest.mark.parametrize(
    ("token", "method", "path", "status", "message", "headers", "expected"),
    [
        ("WRONG", None, None, None, None, None, r"rejected the token \(401 Bad credentials\)"),
        (
            "STUDENT-TOKEN",
            "GET",
            r"^/repos/board-org/board$",
            403,
            "API rate limit exceeded for user ID 1001.",
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": RATE_RESET},
            r"rate limit reached while reading the board repository; it resets at \d\d:\d\d UTC",
        ),
        (
            "STUDENT-TOKEN",
            "POST",
            r"/pulls$",
            429,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you "
            "try again.",
            {"Retry-After": "60"},
            r"rate limit reached while opening the pull request; wait 60 s",
        ),
        (
            "STUDENT-TOKEN",
            "GET",
            r"^/repos/board-org/board$",
            404,
            "Not Found",
            None,
            r"board repository board-org/board not found",
        ),
        (
            "STUDENT-TOKEN",
            "POST",
            r"/git/refs$",
            403,
            "Resource not accessible by personal access token",
            None,
            r"refused creating the branch \(403: Resource not accessible.*public_repo scope",
        ),
        (
            "STUDENT-TOKEN",
            "POST",
            r"/pulls$",
            422,
            "Validation Failed",
            None,
            r"refused opening the pull request \(422: Validation Failed\)",
        ),
        (
            "STUDENT-TOKEN",
            "PUT",
            r"/contents/",
            503,
            "Service Unavailable",
            None,
            r"kept answering with server errors while adding the file \(gave up after 1 retries\)",
        ),
    ],
    ids=["401", "403-rate-limit", "429-secondary", "404-repo", "403-scope", "422", "5xx"],
)
def test_each_error_is_one_line_with_the_next_step(
    github_fake, token, method, path, status, message, headers, expected
):
    if method:
        github_fake.fail(method, path, status, message, headers=headers, times=10)
    started = time.monotonic()
    with pytest.raises(GithubBoardError, match=expected) as caught:
        _connect(github_fake, token=token).open_pull_request(_change(_prepared()))
    assert "\n" not in str(caught.value)
    assert time.monotonic() - started < 5  # bounded: no minute-long rate-limit sleeps


def test_validation_errors_carry_githubs_message(github_fake):
    github_fake.fail(
        "POST",
        r"/pulls$",
        422,
        body={
            "message": "Validation Failed",
            "errors": [{"resource": "PullRequest", "code": "custom", "message": "base is locked"}],
        },
    )
    with pytest.raises(GithubBoardError, match=r"422: Validation Failed; base is locked"):
        _connect(github_fake).open_pull_request(_change(_prepared()))


def test_a_server_error_that_passes_is_retried_by_pygithub(github_fake):
    github_fake.fail("PUT", r"/contents/", 502, "Bad Gateway", times=1)
    opened = _connect(github_fake).open_pull_request(_change(_prepared()))
    assert opened.state == "open"
    assert len(github_fake.calls("PUT")) == 2


def test_a_hanging_server_times_out_within_the_limit(github_fake):
    limits = Limits(timeout=1, retries=0, seconds_between_writes=0)
    board = _connect(github_fake, limits=limits)
    github_fake.hang("POST", r"/pulls$", seconds=4)
    started = time.monotonic()
    with pytest.raises(GithubBoardError, match=r"did not answer within 1 s while opening"):
        board.open_pull_request(_change(_prepared()))
    assert time.monotonic() - started < 3


def test_connection_refused_names_the_api_url():
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        port = sock.getsockname()[1]
    url = f"http://localhost:{port}"
    with pytest.raises(GithubBoardError, match=f"cannot reach {url}.*connection refused"):
        connect(BOARD, "T", url, Limits(timeout=1, retries=0))


def test_withdrawal_deletes_exactly_one_file_and_proves_the_key(github_fake):
    prepared = _prepared()
    change = _change(prepared)
    opened = _connect(github_fake).open_pull_request(change)
    github_fake.merge(BOARD, opened.number)
    assert github_fake.file_on(BOARD, "main", change.path) == change.content

    sid = prepared.submission_id
    withdrawal = withdrawal_change(sid, prepared.relative_path, prepared.withdraw_secret)
    pulled = _connect(github_fake).open_pull_request(withdrawal)
    pull = github_fake.pulls[BOARD][pulled.number - 1]
    head = github_fake.commits[github_fake.repos["adalace7/board"].branches[withdrawal.branch]]
    base = github_fake.commits[github_fake.repos[BOARD].branches["main"]]
    assert set(base.tree) - set(head.tree) == {change.path}
    assert {k: v for k, v in base.tree.items() if k != change.path} == head.tree
    key_lines = [line for line in pull["body"].splitlines() if line.startswith("withdraw-key: ")]
    assert len(key_lines) == 1
    secret = key_lines[0].removeprefix("withdraw-key: ")
    assert withdraw_key_hash(secret) == prepared.document["withdraw_key_sha256"]
    assert hashlib.sha256(secret.encode()).hexdigest() == prepared.document["withdraw_key_sha256"]
    assert head.author["name"] == NEUTRAL_NAME


def test_withdrawing_a_file_that_is_not_on_the_board_says_so(github_fake):
    prepared = _prepared()
    withdrawal = withdrawal_change(
        prepared.submission_id, prepared.relative_path, prepared.withdraw_secret
    )
    with pytest.raises(GithubBoardError, match="is not on board-org/board.*nothing to withdraw"):
        _connect(github_fake).open_pull_request(withdrawal)
    assert github_fake.pulls[BOARD] == []


@pytest.mark.parametrize(
    ("explicit", "environ", "expected"),
    [
        ("OPT", {"TINYTORCH_BOARD_TOKEN": "A", "GH_TOKEN": "B"}, ("OPT", "--token")),
        (None, {"TINYTORCH_BOARD_TOKEN": "A", "GH_TOKEN": "B"}, ("A", "TINYTORCH_BOARD_TOKEN")),
        (None, {"GH_TOKEN": "B", "GITHUB_TOKEN": "C"}, ("B", "GH_TOKEN")),
        (None, {"GITHUB_TOKEN": " C \n"}, ("C", "GITHUB_TOKEN")),
        (None, {"PATH": "/nonexistent"}, (None, "")),
    ],
)
def test_token_order(explicit, environ, expected):
    environ.setdefault("PATH", "/nonexistent")
    assert resolve_token(explicit, environ) == expected


def test_gh_gets_the_enterprise_host(tmp_path):
    gh = tmp_path / "gh"
    gh.write_text('#!/bin/sh\necho "tok-$*"\n')
    gh.chmod(0o755)
    token, source = resolve_token(None, {"PATH": str(tmp_path)}, "https://ghe.example.com/api/v3")
    assert (token, source) == ("tok-auth token --hostname ghe.example.com", "gh auth token")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"TINYTORCH_BOARD_TIMEOUT": "soon"}, "TINYTORCH_BOARD_TIMEOUT='soon' is not a number"),
        ({"TINYTORCH_BOARD_TIMEOUT": "0"}, "is out of range"),
        ({"TINYTORCH_BOARD_RETRIES": "-1"}, "is out of range"),
    ],
)
def test_limits_from_the_environment_are_checked(environ, message):
    with pytest.raises(BoardError, match=message):
        Limits.from_env(environ)


def test_limits_from_the_environment():
    limits = Limits.from_env({"TINYTORCH_BOARD_TIMEOUT": "3", "TINYTORCH_BOARD_FORK_WAIT": "9"})
    assert (limits.timeout, limits.fork_wait, limits.retries) == (3, 9.0, Limits().retries)


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", r"/git/refs$"), ("PUT", r"/contents/"), ("POST", r"/pulls$")],
    ids=["branch", "file", "pull-request"],
)
def test_an_answer_lost_after_github_did_the_work_is_not_duplicated(github_fake, method, path):
    limits = Limits(timeout=1, retries=1, backoff_factor=0, seconds_between_writes=0)
    change = _change(_prepared())
    github_fake.hang(method, path, seconds=1.5, process=True)
    opened = _connect(github_fake, limits=limits).open_pull_request(change)
    assert opened.head == f"adalace7:{change.branch}"
    assert len(github_fake.pulls[BOARD]) == 1
    fork = github_fake.repos["adalace7/board"]
    assert [b for b in fork.branches if b != "main"] == [change.branch]
    assert len(github_fake.branch_commits("adalace7/board", change.branch)) == 2  # root + file


def test_the_requests_of_a_first_submission_through_a_fork(github_fake):
    change = _change(_prepared())
    _connect(github_fake).open_pull_request(change)
    sid_path = change.path
    assert [(method, path) for method, path, _ in github_fake.log] == [
        ("GET", f"/repos/{BOARD}"),
        ("GET", "/user"),
        ("GET", f"/repos/{BOARD}/pulls"),  # an earlier attempt's pull request?
        ("POST", f"/repos/{BOARD}/forks"),  # returns the existing fork if there is one
        ("GET", "/repos/adalace7/board/branches/main"),  # is the fork ready?
        ("GET", f"/repos/{BOARD}/branches/main"),  # the commit to branch from
        ("POST", "/repos/adalace7/board/git/refs"),
        ("GET", f"/repos/adalace7/board/contents/{sid_path}"),  # committed already?
        ("PUT", f"/repos/adalace7/board/contents/{sid_path}"),
        ("POST", f"/repos/{BOARD}/pulls"),
    ]


def test_answers_pointing_at_another_host_are_one_line(github_fake):
    board = github_fake._repo_json(github_fake.repos[BOARD], github_fake.users_by_token[TOKEN])
    board["url"] = "http://elsewhere.invalid/repos/board-org/board"
    github_fake.fail("GET", rf"^/repos/{BOARD}$", 200, body=board)
    with pytest.raises(GithubBoardError, match=r"unexpected answer from .* check --api-url"):
        _connect(github_fake).open_pull_request(_change(_prepared()))


def test_a_stale_fork_that_cannot_see_the_boards_head_branches_from_its_own(github_fake):
    first = _change(_prepared())
    opened = _connect(github_fake, token="MAINTAINER-TOKEN").open_pull_request(first)
    _connect(github_fake).board.create_fork()  # the student's fork, before the merge
    github_fake.merge(BOARD, opened.number)  # the board moves on
    github_fake.forks_see_parent_commits = False
    second = _change(_prepared())
    result = _connect(github_fake).open_pull_request(second)
    assert result.state == "open" and result.head == f"adalace7:{second.branch}"
    assert github_fake.file_on("adalace7/board", second.branch, first.path) is None
