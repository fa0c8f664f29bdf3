"""The submission and withdrawal workflows, run step by step against real git repositories.

`gh` is the only fake (the network edge); git fetches the pull request's objects from a
real local "origin" into a real shallow base checkout, and our CLI decides.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from ci_helpers import BoardRepo, submission_path
from workflow_sim import JobRun, StepFailed, evaluate, gh_calls, gh_requests

from tinytorch_board.jsonio import dumps
from tinytorch_board.submission.builder import withdraw_key_hash

ROOT = Path(__file__).resolve().parents[1]
REPO = "octo/board"
# The workflows' scripts use jq (preinstalled on GitHub's runners).
pytestmark = pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
NUMBER = 7


def workflow(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))


class Scenario:
    """An origin with a pull request branch, a shallow base checkout, and gh's answers."""

    def __init__(
        self,
        tmp: Path,
        change,
        body: str = "",
        comments: list | None = None,
        prepare=None,
        author: str = "student-1",
        head_message: str = "pull request",
        shallow: bool = False,
        association: str = "CONTRIBUTOR",
        recent_prs: int = 1,
    ) -> None:
        self.tmp = tmp
        self.origin = BoardRepo(tmp / "origin")
        if prepare is not None:  # more history on main before the pull request branches
            prepare(self.origin)
            self.origin.main = self.origin.commit("prepare")
        self.origin.git("config", "uploadpack.allowAnySHA1InWant", "true")
        self.origin.branch("pr")
        change(self.origin)
        self.head = self.origin.commit(head_message)
        self.origin.back_to_main()
        self.checkout = tmp / "checkout"
        subprocess.run(
            [
                "git",
                "clone",
                "-q",
                *(["--depth", "1"] if shallow else ["--single-branch"]),
                "--branch",
                "main",
                f"file://{self.origin.path}",
                str(self.checkout),
            ],
            check=True,
            capture_output=True,
        )
        # The base branch's copy of the workflow helper script (untracked here).
        shutil.copytree(ROOT / ".github" / "scripts", self.checkout / ".github" / "scripts")
        files = self.api_files()
        self.answers = {
            f"GET repos/{REPO}/pulls/{NUMBER}": {
                "number": NUMBER,
                "state": "open",
                "head": {"sha": self.head},
                "base": {"sha": self.origin.main, "ref": "main"},
                "user": {"login": author},
                "author_association": association,
                "body": body,
            },
            "GET search/issues": {"total_count": recent_prs},
            f"GET repos/{REPO}/compare/{self.origin.main}...{self.head}": {
                "merge_base_commit": {"sha": self.origin.main}
            },
            f"GET repos/{REPO}/pulls/{NUMBER}/files": files,
            f"GET repos/{REPO}/issues/{NUMBER}/comments": comments or [],
            f"POST repos/{REPO}/issues/{NUMBER}/comments": {"id": 99},
            f"PATCH repos/{REPO}/issues/comments/5": {"id": 5},
            f"PUT repos/{REPO}/pulls/{NUMBER}/merge": {"merged": True},
        }
        gh_dir = tmp / "gh"
        gh_dir.mkdir()
        (gh_dir / "answers.json").write_text(json.dumps(self.answers))
        self.context = {
            "github": {
                "token": "ghs_faketoken",
                "repository": REPO,
                "event": {
                    "pull_request": {"number": NUMBER},
                    "repository": {"default_branch": "main"},
                },
            },
            "inputs": {},
        }

    def api_files(self) -> list[dict]:
        raw = self.origin.git("diff", "--raw", "--no-renames", "--no-abbrev", "main", self.head)
        out = []
        for line in raw.splitlines():
            meta, path = line.split("\t", 1)
            letter = meta.split()[4]
            status = {"A": "added", "M": "modified", "D": "removed", "T": "changed"}[letter]
            out.append({"filename": path, "status": status, "sha": meta.split()[3]})
        return out

    def run_workflow(self, name: str, first_job: str) -> tuple[JobRun, JobRun | None]:
        wf = workflow(name)
        check = JobRun(wf, first_job, self.context, self.checkout, self.tmp)
        try:
            outputs = check.run()
        except StepFailed as failed:
            check.failed = failed
            return check, None
        check.failed = None
        merge_context = {**self.context, "needs": {first_job: {"outputs": outputs}}}
        if not evaluate(wf["jobs"]["merge"]["if"], merge_context):
            return check, None
        merge = JobRun(wf, "merge", merge_context, self.tmp, self.tmp)
        merge.run(skip_uses=False)
        return check, merge

    def posted_comments(self) -> list[str]:
        return [
            r["fields"]["body"]
            for r in gh_requests(self.tmp)
            if r["method"] in ("POST", "PATCH") and "comments" in r["endpoint"]
        ]


def add_valid(r: BoardRepo) -> None:
    r.add_doc(r.new_doc())


def add_symlink(r: BoardRepo) -> None:
    import os

    doc = r.new_doc()
    target = r.path / submission_path(doc)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.symlink("../../board.yaml", target)


def test_valid_submission_is_commented_merged_at_the_checked_sha_and_deployed(
    tmp_path: Path,
) -> None:
    scenario = Scenario(tmp_path, add_valid)
    check, merge = scenario.run_workflow("validate-submission.yml", "check")
    assert check.failed is None
    assert merge is not None
    (comment,) = scenario.posted_comments()
    assert comment.startswith("<!-- tinytorch-board:validate -->\n### ✅ Valid submission")
    assert scenario.head[:12] in comment
    (merged,) = [r for r in gh_requests(tmp_path) if r["method"] == "PUT"]
    assert merged["endpoint"] == f"repos/{REPO}/pulls/{NUMBER}/merge"
    assert merged["fields"]["sha"] == scenario.head  # a later push cannot slip through
    assert merged["fields"]["merge_method"] == "squash"
    assert ["workflow", "run", "pages.yml", "--repo", REPO, "--ref", "main"] in gh_calls(tmp_path)
    # The pull request's objects were fetched; its files were never checked out.
    assert not any((scenario.checkout / "submissions").rglob(f"*{scenario.head[:6]}*"))
    status = subprocess.run(
        ["git", "-C", str(scenario.checkout), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status == ""
    head_of_checkout = subprocess.run(
        ["git", "-C", str(scenario.checkout), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert head_of_checkout == scenario.origin.main


def test_the_merge_records_the_submitter(tmp_path: Path) -> None:
    scenario = Scenario(tmp_path, add_valid)
    scenario.run_workflow("validate-submission.yml", "check")
    (merged,) = [r for r in gh_requests(tmp_path) if r["method"] == "PUT"]
    assert merged["fields"]["commit_message"] == "Submitted-by: student-1"


def test_a_withdrawn_file_copied_back_is_refused_by_the_workflow(tmp_path: Path) -> None:
    def withdrawn_on_main(r: BoardRepo) -> None:
        r.commit("before")
        r.git("rm", "-q", submission_path(r.existing[0]))
        r.commit("Withdraw a submission (#6)")

    scenario = Scenario(tmp_path, lambda r: r.add_doc(r.existing[0]), prepare=withdrawn_on_main)
    check, merge = scenario.run_workflow("validate-submission.yml", "check")
    assert merge is None and check.failed.name == "Fail when the submission is refused"
    (comment,) = scenario.posted_comments()
    assert "a withdrawn submission never comes back" in comment
    assert not [r for r in gh_requests(tmp_path) if r["method"] == "PUT"]


@pytest.mark.parametrize(("submitter", "merged"), [("student-2", True), ("someone", False)])
def test_an_intake_pull_request_is_judged_as_its_submitter(
    tmp_path: Path, submitter: str, merged: bool
) -> None:
    """The bot opens intake pull requests; the submitter is the issue author its commit
    names, so a public github name must be theirs."""

    def public_file(r: BoardRepo) -> None:
        doc = r.new_doc()
        r.add_doc({**doc, "visibility": "public", "public": {"github": "student-2"}})

    scenario = Scenario(
        tmp_path,
        public_file,
        author="github-actions[bot]",
        head_message=f"Add submission (from #3)\n\nSubmitted-by: {submitter}",
    )
    check, merge = scenario.run_workflow("validate-submission.yml", "check")
    if merged:
        assert check.failed is None and merge is not None
        (put,) = [r for r in gh_requests(tmp_path) if r["method"] == "PUT"]
        assert put["fields"]["commit_message"] == "Submitted-by: student-2"
    else:
        assert merge is None
        assert "it was submitted by 'someone'" in scenario.posted_comments()[0]


def test_a_shallow_checkout_cannot_accept_a_submission(tmp_path: Path) -> None:
    scenario = Scenario(tmp_path, add_valid, shallow=True)
    check, merge = scenario.run_workflow("validate-submission.yml", "check")
    assert merge is None and check.failed.name == "Check it with the base branch's validator"
    assert "is shallow" in check.failed.stderr


def test_a_pull_request_into_another_branch_is_not_checked(tmp_path: Path) -> None:
    scenario = Scenario(tmp_path, add_valid)
    scenario.answers[f"GET repos/{REPO}/pulls/{NUMBER}"]["base"]["ref"] = "submission/" + "a" * 32
    (tmp_path / "gh" / "answers.json").write_text(json.dumps(scenario.answers))
    check, merge = scenario.run_workflow("validate-submission.yml", "check")
    assert merge is None
    assert check.failed.name.startswith("Read the pull request")
    assert "not 'main'; not checked" in check.failed.stderr
    assert scenario.posted_comments() == []


def test_refused_submission_is_commented_fails_and_is_not_merged(tmp_path: Path) -> None:
    scenario = Scenario(tmp_path, add_symlink)
    check, merge = scenario.run_workflow("validate-submission.yml", "check")
    assert merge is None
    assert check.failed is not None and check.failed.name == "Fail when the submission is refused"
    (comment,) = scenario.posted_comments()
    assert "### ❌ This pull request cannot be merged yet" in comment
    assert "is a symbolic link" in comment
    assert not [r for r in gh_requests(tmp_path) if r["method"] == "PUT"]


def test_the_comment_is_updated_not_repeated(tmp_path: Path) -> None:
    earlier = [
        {
            "id": 5,
            "user": {"login": "github-actions[bot]"},
            "body": "<!-- tinytorch-board:validate -->\nold",
        }
    ]
    scenario = Scenario(tmp_path, add_valid, comments=earlier)
    scenario.run_workflow("validate-submission.yml", "check")
    methods = [
        (r["method"], r["endpoint"]) for r in gh_requests(tmp_path) if "comments" in r["endpoint"]
    ]
    assert ("PATCH", f"repos/{REPO}/issues/comments/5") in methods
    assert ("POST", f"repos/{REPO}/issues/{NUMBER}/comments") not in methods


def test_a_withdrawal_passes_quietly_through_the_submission_check(tmp_path: Path) -> None:
    scenario = Scenario(tmp_path, lambda r: (r.path / submission_path(r.existing[0])).unlink())
    check, merge = scenario.run_workflow("validate-submission.yml", "check")
    assert check.failed is None and merge is None
    assert scenario.posted_comments() == []


@pytest.mark.parametrize(("right", "merged"), [(True, True), (False, False)])
def test_withdrawal_workflow(tmp_path: Path, right: bool, merged: bool) -> None:
    secret = "5e" * 32

    def known_key(r: BoardRepo) -> None:
        doc = dict(r.existing[0])
        doc["withdraw_key_sha256"] = withdraw_key_hash(secret)
        r.add_doc(doc)

    def withdraw(r: BoardRepo) -> None:
        (r.path / submission_path(r.existing[0])).unlink()

    body = "Remove it please.\r\n\r\nwithdraw-key: " + (secret if right else "77" * 32)
    # withdraw.yml checks out with actions/checkout's default depth of 1.
    scenario = Scenario(tmp_path, withdraw, body=body, prepare=known_key, shallow=True)
    check, merge = scenario.run_workflow("withdraw.yml", "verify")
    (comment,) = scenario.posted_comments()
    if merged:
        assert check.failed is None and merge is not None
        assert "### ✅ Withdrawal verified" in comment
        (put,) = [r for r in gh_requests(tmp_path) if r["method"] == "PUT"]
        assert put["fields"]["sha"] == scenario.head
        assert ["workflow", "run", "pages.yml", "--repo", REPO, "--ref", "main"] in gh_calls(
            tmp_path
        )
    else:
        assert merge is None and check.failed.name == "Fail when the withdrawal is refused"
        assert "does not match this submission" in comment
        assert not [r for r in gh_requests(tmp_path) if r["method"] == "PUT"]


def test_a_submission_passes_quietly_through_the_withdrawal_check(tmp_path: Path) -> None:
    scenario = Scenario(tmp_path, add_valid, body="withdraw-key: " + "11" * 32)
    check, merge = scenario.run_workflow("withdraw.yml", "verify")
    assert check.failed is None and merge is None
    assert scenario.posted_comments() == []


class IntakeRun:
    """The intake workflow on a real board checkout: the check job, then open-pr with gh's
    answers for the branch, the file on it and the pull request."""

    def __init__(self, tmp: Path, doc: dict | None = None, author: str = "student-1") -> None:
        self.tmp = tmp
        self.repo = BoardRepo(tmp / "board")
        self.doc = doc or self.repo.new_doc()
        self.path = submission_path(self.doc)
        self.branch = f"submission/{self.doc['submission_id']}"
        body = (
            "### Submission JSON\n\n```json\n"
            + json.dumps(self.doc)
            + "\n```\n\n### Privacy\n\n- [X] I understand\n"
        )
        self.wf = workflow("intake.yml")
        self.context = {
            "github": {
                "token": "ghs_faketoken",
                "repository": REPO,
                "event": {
                    "issue": {
                        "number": 3,
                        "state": "open",
                        "body": body,
                        "user": {"login": author},
                    },
                    "repository": {"default_branch": "main"},
                },
            }
        }
        (tmp / "gh").mkdir(exist_ok=True)
        (tmp / "gh" / "answers.json").write_text(
            json.dumps(
                {
                    f"GET repos/{REPO}/issues/3/comments": [],
                    f"POST repos/{REPO}/issues/3/comments": {"id": 1},
                }
            )
        )

    def check(self) -> dict:
        assert evaluate(self.wf["jobs"]["check"]["if"], self.context)
        return JobRun(self.wf, "check", self.context, self.repo.path, self.tmp).run()

    def open_pr(self, outputs: dict, answers: dict) -> JobRun:
        (self.tmp / "gh" / "answers.json").write_text(json.dumps(answers))
        context = {**self.context, "needs": {"check": {"outputs": outputs}}}
        assert evaluate(self.wf["jobs"]["open-pr"]["if"], context)
        job = JobRun(self.wf, "open-pr", context, self.tmp, self.tmp)
        try:
            job.run(skip_uses=False)
            job.failed = None
        except StepFailed as failed:
            job.failed = failed
        return job

    def answers(self, *, branch_exists: bool, on_branch: list, pulls: dict | None) -> dict:
        answers = {
            f"GET repos/{REPO}/git/ref/heads/main": {"object": {"sha": self.repo.main}},
            f"POST repos/{REPO}/git/refs": {"ref": f"refs/heads/{self.branch}"},
            f"DELETE repos/{REPO}/git/refs/heads/{self.branch}": {},
            f"GET repos/{REPO}/contents/{self.path}": {"__sequence__": on_branch},
            f"PUT repos/{REPO}/contents/{self.path}": {"content": {"path": self.path}},
            f"GET repos/{REPO}/pulls": [],
            f"POST repos/{REPO}/issues/3/comments": {"id": 1},
            f"PATCH repos/{REPO}/issues/3": {"state": "closed"},
        }
        if branch_exists:
            answers[f"GET repos/{REPO}/git/ref/heads/{self.branch}"] = {"object": {"sha": "1" * 40}}
        if pulls is not None:
            answers[f"POST repos/{REPO}/pulls"] = pulls
        return answers

    def requests(self) -> dict:
        return {(r["method"], r["endpoint"].split("?")[0]): r for r in gh_requests(self.tmp)}


def _blob(text: str) -> str:
    """The git blob id of a text, as GitHub's contents API reports it."""
    data = text.encode("utf-8")
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_intake_opens_a_pull_request_and_closes_the_issue(tmp_path: Path) -> None:
    run = IntakeRun(tmp_path)
    outputs = run.check()
    assert outputs["ok"] == "true"
    blob = _blob(dumps(run.doc))
    answers = run.answers(
        branch_exists=False, on_branch=[None, {"sha": blob}], pulls={"number": 12}
    )
    job = run.open_pr(outputs, answers)
    assert job.failed is None, job.failed

    requests = run.requests()
    created = requests[("POST", f"repos/{REPO}/git/refs")]["fields"]
    assert created == {"ref": f"refs/heads/{run.branch}", "sha": run.repo.main}
    commit = requests[("PUT", f"repos/{REPO}/contents/{run.path}")]["fields"]
    assert base64.b64decode(commit["content"]).decode() == dumps(run.doc)
    assert commit["branch"] == run.branch
    # The commit records the issue's author, the submitter (read back by the check).
    assert commit["message"].endswith("\n\nSubmitted-by: student-1")
    assert requests[("POST", f"repos/{REPO}/pulls")]["fields"]["head"] == run.branch
    assert [
        "workflow",
        "run",
        "validate-submission.yml",
        "--repo",
        REPO,
        "--ref",
        "main",
        "-f",
        "pr_number=12",
    ] in gh_calls(tmp_path)
    reply = requests[("POST", f"repos/{REPO}/issues/3/comments")]["fields"]["body"]
    assert reply.startswith("<!-- tinytorch-board:intake -->\n### ✅ Thank you!")
    assert f"https://github.com/{REPO}/pull/12" in reply and f"`{run.path}`" in reply
    assert requests[("PATCH", f"repos/{REPO}/issues/3")]["fields"]["state"] == "closed"
    assert ("DELETE", f"repos/{REPO}/git/refs/heads/{run.branch}") not in requests


def test_intake_commits_the_file_on_a_branch_left_empty_by_a_cancelled_run(
    tmp_path: Path,
) -> None:
    run = IntakeRun(tmp_path)
    outputs = run.check()
    blob = _blob(dumps(run.doc))
    answers = run.answers(branch_exists=True, on_branch=[None, {"sha": blob}], pulls={"number": 13})
    job = run.open_pr(outputs, answers)
    assert job.failed is None, job.failed
    requests = run.requests()
    assert ("POST", f"repos/{REPO}/git/refs") not in requests  # the branch was there
    assert ("PUT", f"repos/{REPO}/contents/{run.path}") in requests  # but not the file
    assert ("POST", f"repos/{REPO}/pulls") in requests
    assert ("DELETE", f"repos/{REPO}/git/refs/heads/{run.branch}") not in requests  # not ours


def test_intake_refuses_a_branch_holding_another_file_and_leaves_it(tmp_path: Path) -> None:
    run = IntakeRun(tmp_path)
    outputs = run.check()
    answers = run.answers(branch_exists=True, on_branch=[{"sha": "2" * 40}], pulls={"number": 14})
    job = run.open_pr(outputs, answers)
    assert job.failed is not None and "does not hold this submission's file" in job.failed.stderr
    requests = run.requests()
    assert ("PUT", f"repos/{REPO}/contents/{run.path}") not in requests
    assert ("POST", f"repos/{REPO}/pulls") not in requests
    assert ("PATCH", f"repos/{REPO}/issues/3") not in requests  # the issue stays open
    assert ("DELETE", f"repos/{REPO}/git/refs/heads/{run.branch}") not in requests


@pytest.mark.parametrize("failure", ["file-not-committed", "pull-request-refused"])
def test_intake_deletes_the_branch_it_created_when_it_cannot_finish(
    tmp_path: Path, failure: str
) -> None:
    run = IntakeRun(tmp_path)
    outputs = run.check()
    blob = _blob(dumps(run.doc))
    if failure == "file-not-committed":  # the commit did not land: still no file after PUT
        answers = run.answers(branch_exists=False, on_branch=[None], pulls={"number": 15})
    else:  # GET .../pulls finds none and POST .../pulls answers 404
        answers = run.answers(branch_exists=False, on_branch=[None, {"sha": blob}], pulls=None)
    job = run.open_pr(outputs, answers)
    assert job.failed is not None
    requests = run.requests()
    assert ("POST", f"repos/{REPO}/git/refs") in requests
    assert ("DELETE", f"repos/{REPO}/git/refs/heads/{run.branch}") in requests
    assert ("PATCH", f"repos/{REPO}/issues/3") not in requests


def test_intake_comments_the_errors_and_leaves_the_issue_open(tmp_path: Path) -> None:
    repo = BoardRepo(tmp_path / "board")
    body = '### Submission JSON\n\n```json\n{"schema_version": 1}\n```\n'
    wf = workflow("intake.yml")
    context = {
        "github": {
            "token": "t",
            "repository": REPO,
            "event": {"issue": {"number": 4, "state": "open", "body": body}},
        }
    }
    (tmp_path / "gh").mkdir()
    answers = {
        f"GET repos/{REPO}/issues/4/comments": [],
        f"POST repos/{REPO}/issues/4/comments": {"id": 1},
    }
    (tmp_path / "gh" / "answers.json").write_text(json.dumps(answers))
    outputs = JobRun(wf, "check", context, repo.path, tmp_path).run()
    assert outputs["ok"] == "false" and outputs["content"] == ""
    (posted,) = [r for r in gh_requests(tmp_path) if r["method"] == "POST"]
    assert "### ❌ This submission could not be accepted" in posted["fields"]["body"]
    assert "submission_id' is required" in posted["fields"]["body"]
    assert not evaluate(wf["jobs"]["open-pr"]["if"], {"needs": {"check": {"outputs": outputs}}})
