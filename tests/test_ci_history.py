"""What the board's history decides, on real git repositories: a withdrawn submission never
comes back, a public `github` name is the submitter's own, and a participant_id stays with
the account that submitted it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from ci_helpers import BoardRepo, submission_path
from click.testing import CliRunner

from tinytorch_board.board.ci.comment import HINTS
from tinytorch_board.board.ci.history import WITHDRAWN_LIST, author_trailer
from tinytorch_board.cli import cli
from tinytorch_board.jsonio import dumps


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def check_pr(repo: BoardRepo, head: str, *extra: str) -> tuple[int, dict]:
    result = run(
        "ci",
        "check-pr",
        "--repo",
        str(repo.path),
        "--base",
        "main",
        "--head",
        head,
        "--board",
        str(repo.path),
        "--json",
        *extra,
    )
    return result.exit_code, json.loads(result.stdout)


def intake(repo: BoardRepo, doc: dict, *extra: str) -> tuple[int, dict]:
    body = "### Submission JSON\n\n```json\n" + dumps(doc) + "\n```\n"
    result = run(
        "ci", "intake", "--body-file", "-", "--board", str(repo.path), "--json", *extra, stdin=body
    )
    return result.exit_code, json.loads(result.stdout)


def codes(report: dict) -> set[str]:
    return {f["code"] for f in report["findings"]}


def open_pr(repo: BoardRepo, change, name: str = "pr") -> str:
    repo.branch(name)
    change(repo)
    head = repo.commit("pull request")
    repo.back_to_main()
    return head


def readd(doc: dict):
    """A pull request that puts the file back exactly as it was published."""
    return lambda r: r.add_doc(doc)


@pytest.fixture
def repo(tmp_path: Path) -> BoardRepo:
    return BoardRepo(tmp_path / "board")


# --- withdrawn means gone for good ---------------------------------------------------------


def withdraw_by_merged_pull_request(repo: BoardRepo, doc: dict) -> None:
    """The bot's way: a branch deleting the file, squash-merged into main."""
    repo.branch("withdrawal")
    repo.git("rm", "-q", submission_path(doc))
    repo.commit("withdraw")
    repo.back_to_main()
    repo.git("merge", "-q", "--squash", "withdrawal")
    repo.commit("Withdraw a submission (#9)")


def withdraw_by_merge_commit(repo: BoardRepo, doc: dict) -> None:
    """A maintainer's moderation pull request merged with a merge commit."""
    repo.branch("moderation")
    repo.git("rm", "-q", submission_path(doc))
    repo.commit("remove spam")
    repo.back_to_main()
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #10", "moderation")


def withdraw_by_git_rm(repo: BoardRepo, doc: dict) -> None:
    """A plain `git rm` pushed to main (the web editor's delete is the same commit)."""
    repo.git("rm", "-q", submission_path(doc))
    repo.commit("Delete " + submission_path(doc))


def withdraw_inside_a_merge(repo: BoardRepo, doc: dict) -> None:
    """A merge commit whose result drops the file, though neither side deleted it."""
    repo.branch("side")
    repo.write("README.md", "# side\n")
    repo.commit("side work")
    repo.back_to_main()
    repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
    repo.git("rm", "-q", submission_path(doc))
    repo.git("commit", "-q", "-m", "Merge side")


WITHDRAWALS = [
    withdraw_by_merged_pull_request,
    withdraw_by_merge_commit,
    withdraw_by_git_rm,
    withdraw_inside_a_merge,
]


@pytest.mark.parametrize("withdraw", WITHDRAWALS, ids=lambda f: f.__name__)
def test_a_withdrawn_submission_cannot_come_back_by_pull_request(repo: BoardRepo, withdraw) -> None:
    doc = repo.existing[0]
    withdraw(repo, doc)
    assert not (repo.path / submission_path(doc)).exists()
    head = open_pr(repo, readd(doc))  # the file copied back from public history
    status, report = check_pr(repo, head, "--author", "someone")
    assert status == 1 and report["auto_merge"] is False
    assert codes(report) == {"withdrawn"}
    (finding,) = report["findings"]
    assert finding["path"] == submission_path(doc)
    assert "never comes back" in finding["message"]


@pytest.mark.parametrize("withdraw", WITHDRAWALS, ids=lambda f: f.__name__)
def test_a_withdrawn_submission_cannot_come_back_by_intake(repo: BoardRepo, withdraw) -> None:
    doc = repo.existing[0]
    withdraw(repo, doc)
    status, report = intake(repo, doc, "--author", "someone")
    assert status == 1 and report["ok"] is False
    assert codes(report) == {"withdrawn"}


def test_a_pull_request_branched_before_the_withdrawal_cannot_bring_it_back(
    repo: BoardRepo,
) -> None:
    doc = repo.new_doc()
    old = repo.main
    repo.add_doc(doc)
    repo.commit("a submission")
    withdraw_by_git_rm(repo, doc)
    # Branched from before the file ever existed: to git, the pull request only adds it.
    repo.branch("late", start=old)
    repo.add_doc(doc)
    head = repo.commit("re-add")
    repo.back_to_main()
    status, report = check_pr(repo, head, "--author", "someone")
    assert status == 1 and codes(report) == {"withdrawn"}


def test_the_id_inside_a_deleted_file_counts_wherever_it_lived(repo: BoardRepo) -> None:
    doc = repo.new_doc()
    repo.write("submissions/misc/my-result.json", dumps(doc))  # a maintainer's odd path
    repo.commit("add by hand")
    repo.git("rm", "-q", "submissions/misc/my-result.json")
    repo.commit("remove it")
    head = open_pr(repo, readd(doc))
    status, report = check_pr(repo, head, "--author", "someone")
    assert status == 1 and codes(report) == {"withdrawn"}


def test_an_unrelated_new_submission_is_still_accepted_after_withdrawals(
    repo: BoardRepo,
) -> None:
    withdraw_by_git_rm(repo, repo.existing[0])
    head = open_pr(repo, lambda r: r.add_doc(r.new_doc()))
    status, report = check_pr(repo, head, "--author", "someone")
    assert status == 0, report["findings"]


def test_the_committed_list_adds_ids_history_no_longer_shows(repo: BoardRepo) -> None:
    doc = repo.new_doc()  # e.g. purged from history with git filter-repo
    repo.write(WITHDRAWN_LIST, f"# purged 2026-11-30\n{doc['submission_id']}\n")
    repo.commit("record a purged id")
    head = open_pr(repo, readd(doc))
    status, report = check_pr(repo, head, "--author", "someone")
    assert status == 1 and codes(report) == {"withdrawn"}


def test_the_list_never_replaces_history(repo: BoardRepo) -> None:
    doc = repo.new_doc()
    repo.add_doc(doc)
    repo.commit("a submission")
    withdraw_by_git_rm(repo, doc)
    repo.write(WITHDRAWN_LIST, "")  # an empty list does not forgive the deletion
    repo.commit("empty list")
    head = open_pr(repo, readd(doc))
    assert codes(check_pr(repo, head, "--author", "someone")[1]) == {"withdrawn"}


def test_a_shallow_board_is_refused_not_trusted(repo: BoardRepo, tmp_path: Path) -> None:
    doc = repo.existing[0]
    withdraw_by_git_rm(repo, doc)
    repo.commit("one more commit")
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(shallow)],
        check=True,
        capture_output=True,
    )
    body = "### Submission JSON\n\n```json\n" + dumps(doc) + "\n```\n"
    result = run("ci", "intake", "--body-file", "-", "--board", str(shallow), stdin=body)
    assert result.exit_code == 1
    assert "is shallow" in result.output and "fetch-depth: 0" in result.output
    assert "Traceback" not in result.output


def test_a_board_that_is_not_a_git_checkout_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "board.yaml").write_text("version: 1\n")
    result = run("ci", "intake", "--body-file", "-", "--board", str(tmp_path), stdin="x")
    assert result.exit_code == 1 and "is not a git checkout" in result.output


# --- a public github name is the submitter's own -------------------------------------------


def public(doc: dict, github: str) -> dict:
    return {**doc, "visibility": "public", "public": {"github": github}}


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("attacker", {"github-mismatch"}),
        (None, {"github-unverified"}),
        ("Torvalds", set()),  # logins are case-insensitive
    ],
)
def test_a_public_github_name_must_be_the_pull_request_author(
    repo: BoardRepo, author: str | None, expected: set[str]
) -> None:
    doc = public(repo.new_doc(), "torvalds")
    head = open_pr(repo, readd(doc))
    status, report = check_pr(repo, head, *(["--author", author] if author else []))
    assert codes(report) == expected
    assert status == (1 if expected else 0)


@pytest.mark.parametrize(("author", "ok"), [("attacker", False), ("torvalds", True)])
def test_a_public_github_name_must_be_the_issue_author(
    repo: BoardRepo, author: str, ok: bool
) -> None:
    status, report = intake(repo, public(repo.new_doc(), "torvalds"), "--author", author)
    assert report["ok"] is ok and status == (0 if ok else 1)
    assert codes(report) == (set() if ok else {"github-mismatch"})
    assert report["author"] == author


# --- a participant_id stays with the account that submitted it ------------------------------


def victim_board(tmp_path: Path, trailer: bool = True) -> tuple[BoardRepo, dict]:
    """A board where `victim` submitted a result through the bot (which records them)."""
    repo = BoardRepo(tmp_path / "board")
    doc = repo.new_doc()
    repo.add_doc(doc)
    message = "Add submission (#4)"
    repo.main = repo.commit(message + (f"\n\n{author_trailer('victim')}" if trailer else ""))
    return repo, doc


def reuse(victim: dict, other: dict) -> dict:
    return {**other, "participant_id": victim["participant_id"]}


def test_a_borrowed_participant_id_is_refused(tmp_path: Path) -> None:
    repo, victim = victim_board(tmp_path)
    head = open_pr(repo, readd(reuse(victim, repo.new_doc())))
    status, report = check_pr(repo, head, "--author", "attacker")
    assert status == 1 and report["auto_merge"] is False
    assert codes(report) == {"participant-taken"}
    # The comment never names the other account (it would tie a login to a history).
    assert "victim" not in json.dumps(report["findings"])


def test_the_owner_may_add_more_results_under_their_participant_id(tmp_path: Path) -> None:
    repo, victim = victim_board(tmp_path)
    head = open_pr(repo, readd(reuse(victim, repo.new_doc())))
    status, report = check_pr(repo, head, "--author", "Victim")
    assert status == 0, report["findings"]


def test_a_borrowed_participant_id_is_refused_by_intake(tmp_path: Path) -> None:
    repo, victim = victim_board(tmp_path)
    status, report = intake(repo, reuse(victim, repo.new_doc()), "--author", "attacker")
    assert status == 1 and codes(report) == {"participant-taken"}
    status, report = intake(repo, reuse(victim, repo.new_doc()), "--author", "victim")
    assert status == 0, report["findings"]


def test_a_participant_id_without_a_recorded_submitter_needs_a_maintainer(
    tmp_path: Path,
) -> None:
    repo, victim = victim_board(tmp_path, trailer=False)  # e.g. pushed by hand
    head = open_pr(repo, readd(reuse(victim, repo.new_doc())))
    status, report = check_pr(repo, head, "--author", "victim")
    assert status == 1 and codes(report) == {"participant-unverified"}


def test_without_an_author_a_known_participant_id_is_unverified(tmp_path: Path) -> None:
    repo, victim = victim_board(tmp_path)
    head = open_pr(repo, readd(reuse(victim, repo.new_doc())))
    status, report = check_pr(repo, head)
    assert status == 1 and codes(report) == {"participant-unverified"}


def test_a_withdrawn_result_no_longer_holds_its_participant_id(tmp_path: Path) -> None:
    repo, victim = victim_board(tmp_path)
    withdraw_by_git_rm(repo, victim)
    head = open_pr(repo, readd(reuse(victim, repo.new_doc())))
    status, report = check_pr(repo, head, "--author", "someone-else")
    assert status == 0, report["findings"]


def test_the_last_adding_commit_decides(tmp_path: Path) -> None:
    """Once the victim's file is withdrawn, the id belongs to whoever holds it now."""
    repo, victim = victim_board(tmp_path)
    withdraw_by_git_rm(repo, victim)
    mine = reuse(victim, repo.new_doc())
    repo.add_doc(mine)
    repo.commit(f"Add submission (#5)\n\n{author_trailer('newcomer')}")
    head = open_pr(repo, readd(reuse(victim, repo.new_doc())))
    assert check_pr(repo, head, "--author", "newcomer")[0] == 0
    assert codes(check_pr(repo, head, "--author", "victim")[1]) == {"participant-taken"}


def test_every_new_refusal_tells_the_contributor_what_to_do() -> None:
    for code in (
        "withdrawn",
        "github-mismatch",
        "github-unverified",
        "participant-taken",
        "participant-unverified",
    ):
        assert code in HINTS


def test_a_hand_merged_board_is_told_how_to_record_the_submitter(tmp_path: Path) -> None:
    repo = BoardRepo(
        tmp_path / "board", board_yaml="version: 1\nautomation:\n  auto_merge: false\n"
    )
    head = open_pr(repo, lambda r: r.add_doc(r.new_doc()))
    status, report = check_pr(repo, head, "--author", "student-9")
    assert status == 0 and report["auto_merge"] is False
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    comment = run("ci", "comment", "--report", str(path)).stdout
    assert "`Submitted-by: student-9` as the last line" in comment


def test_a_commit_naming_two_submitters_names_none(tmp_path: Path) -> None:
    """A hand-made squash message can carry the contributor's own forged trailer."""
    repo = BoardRepo(tmp_path / "board")
    victim = repo.new_doc()
    repo.add_doc(victim)
    repo.commit(
        "Add submission (#4)\n\n* forged\n\n"
        f"{author_trailer('attacker')}\n{author_trailer('victim')}"
    )
    head = open_pr(repo, readd(reuse(victim, repo.new_doc())))
    assert codes(check_pr(repo, head, "--author", "attacker")[1]) == {"participant-unverified"}
