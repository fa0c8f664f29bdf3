"""The submission and withdrawal workflows, run step by step against real git repositories.

`gh` is the only fake (the network edge); git fetches the pull request's objects from a
real local "origin" into a real shallow base checkout, and our CLI decides.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from ci_helpers import BoardRepo, submission_path
from workflow_sim import JobRun, StepFailed, evaluate, gh_calls, gh_requests

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
        self.head = self.origin.commit("pull request")
        self.origin.back_to_main()
        self.checkout = tmp / "checkout"
        subprocess.run(
            [
                "git",
                "clone",
                "-q",
                "--depth",
                "1",
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
                "base": {"sha": self.origin.main},
                "user": {"login": "student-1"},
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
        import json

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
    scenario = Scenario(tmp_path, withdraw, body=body, prepare=known_key)
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


def test_intake_opens_a_pull_request_and_closes_the_issue(tmp_path: Path) -> None:
    import json

    repo = BoardRepo(tmp_path / "board")
    doc = repo.new_doc()
    body = (
        "### Submission JSON\n\n```json\n"
        + json.dumps(doc)
        + "\n```\n\n### Privacy\n\n- [X] I understand\n"
    )
    wf = workflow("intake.yml")
    context = {
        "github": {
            "token": "ghs_faketoken",
            "repository": REPO,
            "event": {
                "issue": {"number": 3, "state": "open", "body": body},
                "repository": {"default_branch": "main"},
            },
        }
    }
    assert evaluate(wf["jobs"]["check"]["if"], context)
    check = JobRun(wf, "check", context, repo.path, tmp_path)
    outputs = check.run()
    assert outputs["ok"] == "true"
    path, branch = submission_path(doc), f"submission/{doc['submission_id']}"
    answers = {
        f"GET repos/{REPO}/git/ref/heads/main": {"object": {"sha": repo.main}},
        f"POST repos/{REPO}/git/refs": {"ref": f"refs/heads/{branch}"},
        f"PUT repos/{REPO}/contents/{path}": {"content": {"path": path}},
        f"GET repos/{REPO}/pulls": [],
        f"POST repos/{REPO}/pulls": {"number": 12},
        f"POST repos/{REPO}/issues/3/comments": {"id": 1},
        f"PATCH repos/{REPO}/issues/3": {"state": "closed"},
    }
    (tmp_path / "gh").mkdir(exist_ok=True)
    (tmp_path / "gh" / "answers.json").write_text(json.dumps(answers))
    open_context = {**context, "needs": {"check": {"outputs": outputs}}}
    assert evaluate(wf["jobs"]["open-pr"]["if"], open_context)
    JobRun(wf, "open-pr", open_context, tmp_path, tmp_path).run(skip_uses=False)

    requests = {(r["method"], r["endpoint"].split("?")[0]): r for r in gh_requests(tmp_path)}
    created = requests[("POST", f"repos/{REPO}/git/refs")]["fields"]
    assert created == {"ref": f"refs/heads/{branch}", "sha": repo.main}
    commit = requests[("PUT", f"repos/{REPO}/contents/{path}")]["fields"]
    import base64

    from tinytorch_board.jsonio import dumps

    assert base64.b64decode(commit["content"]).decode() == dumps(doc)
    assert commit["branch"] == branch
    assert requests[("POST", f"repos/{REPO}/pulls")]["fields"]["head"] == branch
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
    assert f"https://github.com/{REPO}/pull/12" in reply and f"`{path}`" in reply
    assert requests[("PATCH", f"repos/{REPO}/issues/3")]["fields"]["state"] == "closed"


def test_intake_comments_the_errors_and_leaves_the_issue_open(tmp_path: Path) -> None:
    import json

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
