"""A deadline burst lands: 300 submission pull requests drained by scheduled passes against
the fake GitHub with GitHub's request budgets and secondary-rate-limit 403s; a classroom
batch of 30 files merged once."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone

import pytest
from board_helpers import with_class
from github_fake import (  # noqa: F401  (fixtures)
    RestLimits,
    github_fake_fixture,
    github_server_fixture,
)

from tinytorch_board.board.ci.changes import ChangedFile
from tinytorch_board.board.ci.comment import MARKERS, pr_comment
from tinytorch_board.board.ci.decide import BoardFacts, check_pr
from tinytorch_board.board.ci.sweep import RATE_LIMITED_LABEL, Sweeper, requests_sender
from tinytorch_board.board.config import AutomationConfig
from tinytorch_board.board.demo_data import generate
from tinytorch_board.jsonio import dumps
from tinytorch_board.submission.classes import ClassInfo

BOARD = "board-org/board"
SCHEDULE = 600  # the sweep workflow's cron: every 10 minutes
NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


class SimClock:
    """Simulated seconds: the fake's rate windows and the sweeper's pacing share it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


def path_of(doc: dict) -> str:
    sid = doc["submission_id"]
    return f"submissions/{sid[:2]}/{sid}.json"


def decider(fake, automation: AutomationConfig, classes: tuple[str, ...] = ()):
    """The real decision (check_pr) over the pull request's git objects in the fake."""
    known = {c: ClassInfo(c, "A class", ("prof-ada",), "2026-09-01", None) for c in classes}
    board = BoardFacts(withdrawn=frozenset(), owners=lambda pid: [], classes=known)

    def decide(pull: dict) -> dict:
        record = next(p for p in fake.pulls[BOARD] if p["number"] == pull["number"])
        head = fake.commits[pull["head"]["sha"]].tree
        base = fake.commits[record["base_sha"]].tree
        files = [
            ChangedFile(path, "added", blob=blob, mode="100644", size=len(fake.blobs[blob]))
            for path, blob in sorted(head.items())
            if base.get(path) != blob
        ]
        author = pull["user"]["login"]
        check = check_pr(
            files, lambda sha, limit: fake.blobs[sha][:limit], automation, author, NOW, board
        )
        return check.as_dict(author=author, auto_merge=automation.auto_merge and check.ok)

    return decide


def drain(
    fake,
    token: str,
    automation: AutomationConfig,
    clock: SimClock,
    max_runs: int = 60,
    classes: tuple[str, ...] = (),
):
    """Scheduled passes until nothing is open; (reports, minutes until the last merge)."""
    send = requests_sender(fake.base_url, token)

    def timed(method, path, body=None):
        clock.sleep(0.2)  # each request takes a moment
        return send(method, path, body)

    reports, last_merge = [], 0.0
    for run in range(max_runs):
        clock.now = max(clock.now, run * SCHEDULE)
        sweeper = Sweeper(
            timed,
            BOARD,
            decider(fake, automation, classes),
            lambda report: pr_comment(report, None, bool(report.get("auto_merge"))),
            sleep=clock.sleep,
            clock=clock,
        )
        report = sweeper.run()
        reports.append(report)
        if report.merged:
            last_merge = clock.now
        if not any(p["state"] == "open" for p in fake.pulls[BOARD]):
            break
    return reports, last_merge / 60


@pytest.fixture
def board(github_fake):
    import logging

    # Hundreds of requests: werkzeug's access log would only slow the capture down.
    log = logging.getLogger("werkzeug")
    level = log.level
    log.setLevel(logging.WARNING)
    github_fake.add_user("github-actions", "WORKFLOW-TOKEN", "bot", "bot@example.invalid")
    github_fake.repos[BOARD].pushers.add("github-actions")
    yield github_fake
    log.setLevel(level)


def test_a_burst_of_300_pull_requests_is_all_merged_within_the_limits(board, capsys) -> None:
    docs = generate(300, seed=5)
    for i, doc in enumerate(docs):
        board.add_pull(BOARD, f"student-{i}", {path_of(doc): dumps(doc)})
    clock = SimClock()
    board.clock = clock
    board.limits = RestLimits()
    # Beyond the documented budgets, GitHub may answer a secondary limit at any time.
    for method, path in (("PUT", r"/merge$"), ("POST", r"/comments$"), ("GET", r"/comments")):
        board.fail(method, path, 403, "You have exceeded a secondary rate limit.",
                   headers={"Retry-After": "90"}, times=2)  # fmt: skip

    reports, minutes = drain(board, "WORKFLOW-TOKEN", AutomationConfig(), clock)

    pulls = board.pulls[BOARD]
    assert all(p["state"] == "closed" and p["merged_at"] for p in pulls)  # none lost
    # Each merged exactly the head it validated, once, with its submitter recorded.
    merges = [c for c in board.calls("PUT") if c[1].endswith("/merge")]
    merged_ok = {int(c[1].split("/")[-2]) for c in merges}
    assert merged_ok == {p["number"] for p in pulls}
    assert all(p["merged_sha"] == board.commits[p["merged_sha"]].sha for p in pulls)
    main_tree = board.commits[board.repos[BOARD].branches["main"]].tree
    assert all(path_of(doc) in main_tree for doc in docs)
    # One comment per pull request, never a second one.
    per_pull: dict = {}
    for comment in board.comments.values():
        if comment["body"].startswith(MARKERS["validate"]):
            per_pull[comment["issue"][1]] = per_pull.get(comment["issue"][1], 0) + 1
    assert per_pull == {p["number"]: 1 for p in pulls}
    # Rate limits were met (and survived), and some pull request was labelled for later.
    assert board.limits.refused > 0 and any(r.stopped == "rate limited" for r in reports)
    assert any(RATE_LIMITED_LABEL in p.get("labels", []) for p in pulls)

    requests = sum(r.requests for r in reports)
    writes = sum(r.writes for r in reports)
    per_submission = requests / len(pulls)
    assert per_submission <= 3.3  # 3 each, plus list pages and requests GitHub refused
    with capsys.disabled():
        print(
            f"\nburst of {len(pulls)}: {requests} REST requests ({per_submission:.2f} per "
            f"submission, {writes / len(pulls):.2f} content-creating), {len(reports)} "
            f"scheduled passes, drained in {minutes:.0f} simulated minutes; "
            f"{board.limits.refused} answers were 403 rate limits"
        )
    # 2 content-creating requests each, at most 500 an hour: just over an hour.
    assert minutes <= 60 * math.ceil(2 * len(pulls) / 500) + 15


def test_a_refused_pull_request_is_commented_once_and_not_re_decided(board) -> None:
    doc = generate(1, seed=9)[0]
    doc["benchmark"]["score"] = 99.0  # the validator recomputes it: refused
    board.add_pull(BOARD, "student-x", {path_of(doc): dumps(doc)})
    clock = SimClock()
    reports, _ = drain(board, "WORKFLOW-TOKEN", AutomationConfig(), clock, max_runs=3)
    assert reports[0].refused == [1] and reports[1].unchanged == [1]
    (comment,) = board.comments.values()
    assert "cannot be merged" in comment["body"]
    assert not [c for c in board.calls("PUT") if c[1].endswith("/merge")]


def test_the_sweep_leaves_other_pull_requests_alone(board) -> None:
    board.add_pull(BOARD, "maintainer", {"README.md": "# a better board\n"})
    reports, _ = drain(board, "WORKFLOW-TOKEN", AutomationConfig(), SimClock(), max_runs=1)
    assert reports[0].skipped == [1] and reports[0].requests == 1  # the list only
    assert board.comments == {} and board.pulls[BOARD][0]["state"] == "open"


def test_a_batch_of_30_files_from_an_instructor_is_merged_once(board) -> None:
    docs = generate(30, seed=7)
    automation = AutomationConfig(max_files_per_pr_batch=30, batch_authors=("prof-ada",))
    board.add_pull(BOARD, "prof-ada", {path_of(d): dumps(d) for d in docs})
    board.add_pull(BOARD, "not-listed", {path_of(d): dumps(d) for d in generate(2, seed=8)})
    reports, _ = drain(board, "WORKFLOW-TOKEN", automation, SimClock(), max_runs=2)
    assert reports[0].merged == [1] and reports[0].refused == [2]
    merges = [c for c in board.calls("PUT") if c[1].endswith("/merge")]
    assert [c[1] for c in merges] == [f"/repos/{BOARD}/pulls/1/merge"]
    tree = board.commits[board.repos[BOARD].branches["main"]].tree
    assert all(path_of(d) in tree for d in docs)
    assert json.loads(board.blobs[tree[path_of(docs[0])]]) == docs[0]


def test_the_sweep_decides_from_git_objects_fetched_for_the_pull_request(tmp_path) -> None:
    import subprocess

    from ci_helpers import GIT_ENV, BoardRepo

    from tinytorch_board.board.ci.run import git_fetcher, sweep_decider

    origin = BoardRepo(tmp_path / "origin")
    origin.branch("student")
    origin.add_doc(origin.new_doc())
    head = origin.commit("a submission")
    origin.back_to_main()
    origin.git("update-ref", "refs/pull/7/head", head)
    origin.git("branch", "-D", "student")
    checkout = tmp_path / "checkout"
    env = {**GIT_ENV, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    subprocess.run(["git", "clone", "-q", str(origin.path), str(checkout)], env=env, check=True)

    decide = sweep_decider(checkout, git_fetcher(checkout, None))
    report = decide({"number": 7, "head": {"sha": head}, "user": {"login": "student"}})
    assert report["ok"] and report["head"] == head and report["auto_merge"]


def test_class_collect_opens_one_batch_pull_request_that_lands_once(board, tmp_path) -> None:
    from click.testing import CliRunner
    from submit_helpers import TOKEN, fast_env

    from tinytorch_board.cli import cli

    class_id = "0123456789abcdef"
    files = []
    for i, doc in enumerate(generate(30, seed=12)):
        doc = with_class(doc, class_id)
        path = tmp_path / f"handed-in-{i}.json"
        path.write_text(dumps(doc), encoding="utf-8")
        files.append(str(path))
    result = CliRunner().invoke(
        cli,
        ["class", "collect", class_id, *files, "--repo", BOARD,
         "--api-url", board.base_url, "--yes", "--json"],
        env=fast_env(TINYTORCH_BOARD_TOKEN=TOKEN),
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["files"] == 30
    (pull,) = board.pulls[BOARD]
    assert pull["user"] == "adalace7"

    automation = AutomationConfig(max_files_per_pr_batch=30, batch_authors=("adalace7",))
    reports, _ = drain(board, "WORKFLOW-TOKEN", automation, SimClock(), 2, (class_id,))
    assert reports[0].merged == [1]
    merges = [c for c in board.calls("PUT") if c[1].endswith("/merge")]
    assert len(merges) == 1
    tree = board.commits[board.repos[BOARD].branches["main"]].tree
    assert sum(1 for p in tree if p.startswith("submissions/") and p.endswith(".json")) == 30


def test_class_collect_refuses_a_file_without_the_class(tmp_path) -> None:
    from click.testing import CliRunner

    from tinytorch_board.cli import cli

    doc = generate(1, seed=13)[0]
    path = tmp_path / "x.json"
    path.write_text(dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["class", "collect", "0123456789abcdef", str(path), "--repo", BOARD, "--yes"]
    )
    assert result.exit_code == 1 and "does not declare class" in result.output


def test_class_create_opens_the_class_file_pull_request(board) -> None:
    from click.testing import CliRunner
    from submit_helpers import TOKEN, fast_env

    from tinytorch_board.cli import cli
    from tinytorch_board.submission.classes import parse_class

    result = CliRunner().invoke(
        cli,
        ["class", "create", "Fall ML Systems", "--instructor", "adalace7", "--repo", BOARD,
         "--api-url", board.base_url, "--yes", "--json"],
        env=fast_env(TINYTORCH_BOARD_TOKEN=TOKEN),
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    class_id = out["class_id"]
    (pull,) = board.pulls[BOARD]
    assert pull["head_ref"] == f"class/{class_id}" and pull["user"] == "adalace7"
    text = board.file_on(pull["head_repo"], pull["head_ref"], f"classes/{class_id}.yaml")
    info = parse_class(text.encode(), "class", class_id)
    assert info.instructors == ("adalace7",) and info.name == "Fall ML Systems"
