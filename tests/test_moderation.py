"""Moderation: `board list` filters, `board remove` (a local commit or pull requests), and the
checks' daily limit, first-time hold and maintainer removals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ci_helpers import GIT_ENV, BoardRepo, submission_path
from click.testing import CliRunner
from github_fake import github_fake_fixture, github_server_fixture  # noqa: F401  (fixtures)
from submit_helpers import fast_env
from test_ci import check_pr, codes, open_pr, render, verify

from tinytorch_board.board.demo_data import generate
from tinytorch_board.cli import cli
from tinytorch_board.errors import BoardError
from tinytorch_board.jsonio import dumps
from tinytorch_board.release import check_tag, parse_lock


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> BoardRepo:
    # `board remove --to` commits in this process: a maintainer's git identity (HOME is a
    # fresh folder with no git config).
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    return BoardRepo(tmp_path / "board", existing=4)


def listed(repo: BoardRepo, *args: str) -> list[dict]:
    result = run("board", "list", str(repo.path), "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["entries"]


def test_list_filters_by_participant_date_and_score(repo: BoardRepo) -> None:
    everyone = listed(repo)
    assert len(everyone) == 4 and everyone == sorted(everyone, key=lambda e: e["created_at"])
    one = everyone[0]
    assert [e["submission_id"] for e in listed(repo, "--participant", one["participant_id"])] == [
        d["submission_id"] for d in repo.existing if d["participant_id"] == one["participant_id"]
    ]
    day = everyone[-1]["created_at"][:10]
    assert all(e["created_at"][:10] >= day for e in listed(repo, "--since", day))
    low = min(e["score"] for e in everyone)
    assert [e["score"] for e in listed(repo, "--max-score", str(low))] == [low]
    assert all(e["score"] > low for e in listed(repo, "--min-score", str(low + 0.01)))


def test_list_author_comes_from_git_history(repo: BoardRepo) -> None:
    doc = repo.new_doc()
    repo.add_doc(doc)
    repo.git("add", "-A")
    repo.git(
        "-c", "user.name=Someone", "-c", "user.email=12345+spammer@users.noreply.github.com",
        "commit", "-q", "-m", "Add submission (#9)", "--author",
        "Someone <12345+spammer@users.noreply.github.com>",
    )  # fmt: skip
    (entry,) = listed(repo, "--author", "SPAMMER")
    assert entry["submission_id"] == doc["submission_id"] and entry["added_by"] == "spammer"
    text = run("board", "list", str(repo.path), "--author", "spammer").output
    assert doc["submission_id"] in text and "spammer" in text


def test_remove_locally_is_one_deletion_commit_with_the_reason(repo: BoardRepo) -> None:
    ids = [d["submission_id"][:10] for d in repo.existing[:2]]
    result = run("board", "remove", *ids, "--reason", "spam", "--to", str(repo.path), "--yes")
    assert result.exit_code == 0, result.output
    message = repo.git("log", "-1", "--format=%B")
    assert message.startswith("Remove 2 submissions") and "moderation: spam" in message
    status = repo.git("show", "--name-status", "--format=", "HEAD").splitlines()
    assert sorted(status) == sorted(f"D\t{submission_path(d)}" for d in repo.existing[:2])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ffffffffffff"], "no submission ffffffffffff on this board"),
        (["xyz"], "is not a submission id"),
    ],
)
def test_remove_refuses_unknown_ids_in_one_line(repo: BoardRepo, args, message) -> None:
    result = run("board", "remove", *args, "--reason", "spam", "--to", str(repo.path), "--yes")
    assert result.exit_code == 1 and message in result.output
    assert len(result.output.strip().splitlines()) == 1 + result.output.count("Removing")


def test_remove_needs_a_reason_and_one_target(repo: BoardRepo) -> None:
    sid = repo.existing[0]["submission_id"]
    blank = run("board", "remove", sid, "--reason", "  ", "--to", str(repo.path), "--yes")
    assert blank.exit_code == 1 and "--reason must say why" in blank.output
    both = run("board", "remove", sid, "--reason", "x", "--to", str(repo.path), "--repo", "a/b")
    assert both.exit_code == 2 and "choose --to DIR or --repo" in both.output


def test_remove_on_github_opens_a_moderation_pull_request(github_fake) -> None:
    board = "board-org/board"
    doc = generate(1, seed=3)[0]
    path = submission_path(doc)
    github_fake.add_repo(board, {"README.md": "# board\n", path: dumps(doc)})
    github_fake.repos[board].pushers.add("maintainer")
    env = fast_env(TINYTORCH_BOARD_TOKEN="MAINTAINER-TOKEN")
    result = CliRunner().invoke(
        cli,
        ["board", "remove", doc["submission_id"], "--reason", "abuse", "--repo", board,
         "--api-url", github_fake.base_url, "--yes", "--json"],
        env=env, catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (pull,) = github_fake.pulls[board]
    assert pull["head_ref"] == f"moderation/{doc['submission_id']}"
    assert "moderation: abuse" in pull["body"].splitlines()
    assert github_fake.file_on(board, pull["head_ref"], path) is None


# --- the checks --------------------------------------------------------------------------


def test_the_daily_limit_refuses_the_extra_pull_request(tmp_path: Path) -> None:
    repo = BoardRepo(tmp_path / "b", board_yaml="automation: {max_prs_per_author_per_day: 2}\n")
    head = open_pr(repo, lambda r: r.add_doc(r.new_doc()))
    assert check_pr(repo, head, "--author", "s", "--recent-prs", "2")[0] == 0
    status, report = check_pr(repo, head, "--author", "s", "--recent-prs", "3")
    assert status == 1 and codes(report) == {"daily-limit"}
    assert "accepts 2 a day" in render(tmp_path, report)
    batch = BoardRepo(
        tmp_path / "c",
        board_yaml="automation: {max_prs_per_author_per_day: 2, batch_authors: [teacher]}\n",
    )
    head = open_pr(batch, lambda r: r.add_doc(r.new_doc()))
    assert check_pr(batch, head, "--author", "teacher", "--recent-prs", "9")[0] == 0


@pytest.mark.parametrize(
    ("hold", "association", "auto_merge"),
    [
        (False, "FIRST_TIME_CONTRIBUTOR", True),
        (True, "FIRST_TIME_CONTRIBUTOR", False),
        (True, "CONTRIBUTOR", True),
    ],
)
def test_first_time_contributors_can_be_held(tmp_path: Path, hold, association, auto_merge):
    yaml = f"automation: {{hold_first_time_contributors: {str(hold).lower()}}}\n"
    repo = BoardRepo(tmp_path / "b", board_yaml=yaml)
    head = open_pr(repo, lambda r: r.add_doc(r.new_doc()))
    status, report = check_pr(repo, head, "--author-association", association)
    assert status == 0 and report["auto_merge"] is auto_merge
    if not auto_merge:
        assert "first contribution to this board" in render(tmp_path, report)


def test_removal_without_a_key_by_a_student_is_still_a_refused_withdrawal(
    repo: BoardRepo,
) -> None:
    head = open_pr(repo, lambda r: (r.path / submission_path(r.existing[0])).unlink())
    status, report = verify(repo, head, "moderation: I say so", "--author-association", "NONE")
    assert status == 1 and not report["moderation"] and codes(report) == {"no-key"}
    status, report = verify(repo, head, "moderation: spam", "--author-association", "MEMBER")
    assert status == 0 and report["moderation"] and report["reason"] == "spam"
    assert report["ok"] is False and report["auto_merge"] is False


# --- the release lock --------------------------------------------------------------------


def test_a_lock_line_without_a_hash_is_refused() -> None:
    with pytest.raises(BoardError, match="requirement 1 is not"):
        parse_lock("numpy==2.0\n")
    pins = parse_lock("numpy==2.0 \\\n    --hash=sha256:" + "a" * 64 + "\n")
    assert pins["numpy"].version == "2.0"


def test_a_release_tag_must_match_the_version() -> None:
    check_tag("v1.2.3", "1.2.3")
    with pytest.raises(BoardError, match="does not match"):
        check_tag("1.2.3", "1.2.3")
