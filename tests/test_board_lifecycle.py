"""A board's life, from `board init` on: the generated workflows' own commands, run for real.

`board init` writes a board into a temporary folder; it becomes a git repository (the
"origin"); pull requests are branches of it, read by a shallow base checkout exactly as
the generated workflows do (workflow_sim runs their `run:` steps; `gh` is the only fake).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from workflow_sim import JobRun, StepFailed, gh_requests

from tinytorch_board.board.demo_data import generate
from tinytorch_board.board.provision import BOARD_INSTALL, LOCK_PATH
from tinytorch_board.cli import cli
from tinytorch_board.jsonio import dumps
from tinytorch_board.release import file_pin, parse_lock, render_lock
from tinytorch_board.submission.builder import withdraw_key_hash

ROOT = Path(__file__).resolve().parents[1]
REPO = "course/board"
SITE = "https://course.github.io/board/"
SECRET = "cd" * 32
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Maintainer",
    "GIT_AUTHOR_EMAIL": "maintainer@example.invalid",
    "GIT_COMMITTER_NAME": "Maintainer",
    "GIT_COMMITTER_EMAIL": "maintainer@example.invalid",
}
pytestmark = pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV, "HOME": str(repo.parent)}
    done = subprocess.run(
        ["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def cli_run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def local_wheel(folder: Path, version: str) -> Path:
    """A small, real wheel file of an older tinytorch-board (only its hash matters here)."""
    path = folder / f"tinytorch_board-{version}-py3-none-any.whl"
    dist = f"tinytorch_board-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            f"{dist}/METADATA",
            f"Metadata-Version: 2.1\nName: tinytorch-board\nVersion: {version}\n",
        )
        archive.writestr(
            f"{dist}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        archive.writestr(f"{dist}/RECORD", "")
    return path


def lock_for(wheel: Path, version: str) -> str:
    deps = parse_lock((ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8"))
    return render_lock(file_pin(wheel, version=version), deps)


class Board:
    """The origin repository made by `board init`, and pull requests against it."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.path = tmp / "origin"
        self.old_lock = tmp / "old.lock.txt"
        self.old_lock.write_text(lock_for(local_wheel(tmp, "0.0.9"), "0.0.9"))
        result = cli_run(
            "board", "init", str(self.path), "--repo", REPO, "--site-url", SITE,
            "--lock", str(self.old_lock),
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        git(self.path, "init", "-q", "-b", "main")
        git(self.path, "config", "uploadpack.allowAnySHA1InWant", "true")
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "-m", "New board")
        self.docs = iter(generate(20, seed=5))
        self.runs = 0

    def workflow(self, name: str) -> dict:
        return yaml.safe_load((self.path / ".github" / "workflows" / name).read_text())

    def pull_request(self, change, body: str = "", association: str = "CONTRIBUTOR") -> dict:
        """Branch from main, change, commit; the gh answers for this pull request."""
        base = git(self.path, "rev-parse", "main")
        git(self.path, "checkout", "-q", "-b", f"pr{self.runs}")
        change(self.path)
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "--allow-empty", "-m", "pull request")
        head = git(self.path, "rev-parse", "HEAD")
        git(self.path, "checkout", "-q", "main")
        raw = git(self.path, "diff", "--raw", "--no-renames", "--no-abbrev", base, head)
        files = []
        for line in raw.splitlines():
            meta, path = line.split("\t", 1)
            status = {"A": "added", "M": "modified", "D": "removed"}[meta.split()[4]]
            files.append({"filename": path, "status": status, "sha": meta.split()[3]})
        return {
            "head": head,
            "base": base,
            "answers": {
                f"GET repos/{REPO}/pulls/7": {
                    "number": 7, "state": "open", "head": {"sha": head},
                    "base": {"sha": base, "ref": "main"},
                    "user": {"login": "student-1"}, "author_association": association,
                    "body": body,
                },
                f"GET repos/{REPO}/compare/{base}...{head}": {"merge_base_commit": {"sha": base}},
                f"GET repos/{REPO}/pulls/7/files": files,
                f"GET repos/{REPO}/issues/7/comments": [],
                f"POST repos/{REPO}/issues/7/comments": {"id": 1},
                f"PUT repos/{REPO}/pulls/7/merge": {"merged": True},
                "GET search/issues": {"total_count": 1},
            },
        }  # fmt: skip

    def run(self, workflow: str, pr: dict) -> tuple[JobRun, dict, bool]:
        """The first job of a generated workflow on a fresh base checkout; merged or not."""
        self.runs += 1
        tmp = self.tmp / f"run{self.runs}"
        checkout = tmp / "checkout"
        wf = self.workflow(workflow)
        job = next(iter(wf["jobs"]))
        # actions/checkout as the job configures it: one commit unless `fetch-depth: 0`
        # (the whole history, where the board's deleted ids are read).
        checkout_step = next(
            s for s in wf["jobs"][job]["steps"] if s.get("uses", "").startswith("actions/checkout@")
        )
        full = checkout_step.get("with", {}).get("fetch-depth") == 0
        depth = [] if full else ["--depth", "1"]
        subprocess.run(
            ["git", "clone", "-q", *depth, "--branch", "main",
             f"file://{self.path}", str(checkout)],
            check=True, capture_output=True,
        )  # fmt: skip
        (tmp / "gh").mkdir(parents=True)
        (tmp / "gh" / "answers.json").write_text(json.dumps(pr["answers"]))
        context = {
            "github": {
                "token": "ghs_fake",
                "repository": REPO,
                "event": {"pull_request": {"number": 7}, "repository": {"default_branch": "main"}},
            },
            "inputs": {},
        }
        run = JobRun(wf, job, context, checkout, tmp)
        outputs = run.run()
        merged = any(r["method"] == "PUT" for r in gh_requests(tmp)) or (
            outputs.get("ok") == "true" and outputs.get("auto-merge") == "true"
        )
        run.comments = [
            r["fields"]["body"]
            for r in gh_requests(tmp)
            if r["method"] == "POST" and "comments" in r["endpoint"]
        ]
        return run, outputs, merged

    def merge(self, pr: dict) -> None:
        git(self.path, "merge", "-q", "--squash", pr["head"])
        git(self.path, "commit", "-q", "-m", "Merged pull request")

    def new_doc(self, secret: str | None = None) -> dict:
        doc = next(self.docs)
        if secret:
            doc["withdraw_key_sha256"] = withdraw_key_hash(secret)
        return doc


def path_of(doc: dict) -> str:
    sid = doc["submission_id"]
    return f"submissions/{sid[:2]}/{sid}.json"


def add(doc: dict):
    def change(repo: Path) -> None:
        target = repo / path_of(doc)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dumps(doc))

    return change


def delete(*docs: dict):
    def change(repo: Path) -> None:
        for doc in docs:
            (repo / path_of(doc)).unlink()

    return change


@pytest.fixture
def board(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Board:
    # `board remove --to` commits in this process: the maintainer's identity, as a
    # maintainer's git has one (HOME is a fresh folder with no git config).
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    return Board(tmp_path)


def test_init_writes_a_data_only_board_pinned_to_its_lock(board: Board) -> None:
    files = sorted(
        str(p.relative_to(board.path)) for p in board.path.rglob("*") if ".git/" not in str(p)
    )
    assert "board.yaml" in files and "submissions/.gitkeep" in files
    assert not any(f.startswith(("tinytorch_board", "tests")) for f in files)
    lock = parse_lock((board.path / LOCK_PATH).read_text())
    assert lock["tinytorch-board"].version == "0.0.9" and len(lock) > 10
    for name in ("validate-submission.yml", "withdraw.yml", "intake.yml", "pages.yml"):
        runs = [
            s.get("run", "") for s in next(iter(board.workflow(name)["jobs"].values()))["steps"]
        ]
        assert BOARD_INSTALL in runs, name  # the hashed lock, never `pip install .`
    config = cli_run("board", "check", str(board.path))
    assert config.exit_code == 0, config.output
    text = (board.path / "board.yaml").read_text()
    assert f'url: "{SITE}"' in text and f'repository: "{REPO}"' in text
    assert 'base_path: "/board/"' in text
    readme = (board.path / "README.md").read_text()
    assert f"config set board.repo {REPO}" in readme and f"board.pages_url {SITE}" in readme
    form = (board.path / ".github" / "ISSUE_TEMPLATE" / "submission.yml").read_text()
    assert "submit --web" in form and ".tinytorch/submissions/" in form


def test_submission_withdrawal_and_moderation_through_the_generated_workflows(
    board: Board,
) -> None:
    # A student's submission: checked, commented, merged at the checked commit.
    doc = board.new_doc(SECRET)
    pr = board.pull_request(add(doc))
    run, outputs, merged = board.run("validate-submission.yml", pr)
    assert outputs["ok"] == "true" and merged
    assert run.comments[0].startswith("<!-- tinytorch-board:validate -->\n### ✅")
    assert "by tinytorch-board 0.1.0" in run.comments[0]
    board.merge(pr)

    # Its withdrawal, proven by the secret.
    pr = board.pull_request(delete(doc), body=f"withdraw-key: {SECRET}")
    run, outputs, merged = board.run("withdraw.yml", pr)
    assert outputs["ok"] == "true" and merged
    board.merge(pr)
    assert not (board.path / path_of(doc)).exists()

    # Spam arrives; the maintainer lists it and removes it: a moderation pull request
    # opened by a maintainer gets a maintainer's message and is left for them to merge.
    spam = [board.new_doc(), board.new_doc()]
    for item in spam:
        pr = board.pull_request(add(item))
        board.run("validate-submission.yml", pr)
        board.merge(pr)
    listed = json.loads(cli_run("board", "list", str(board.path), "--json").output)
    assert {e["submission_id"] for e in listed["entries"]} == {d["submission_id"] for d in spam}
    assert all(e["added_by"] == "Maintainer" for e in listed["entries"])
    pr = board.pull_request(delete(*spam), body="moderation: spam wave", association="OWNER")
    run, outputs, merged = board.run("withdraw.yml", pr)  # no failed step: not a refusal
    assert not merged and outputs["ok"] == "false"
    (comment,) = run.comments
    assert "### 🛡️ Moderation removal" in comment and "spam wave" in comment
    assert "withdraw ID" not in comment and "batch_authors" not in comment

    # The same removal as a local commit with `board remove`.
    ids = [d["submission_id"] for d in spam]
    result = cli_run(
        "board", "remove", *ids, "--reason", "spam wave", "--to", str(board.path), "--yes"
    )
    assert result.exit_code == 0, result.output
    assert "moderation: spam wave" in git(board.path, "log", "-1", "--format=%B")
    deleted = git(board.path, "show", "--name-status", "--format=", "HEAD").splitlines()
    assert sorted(deleted) == sorted(f"D\t{path_of(d)}" for d in spam)
    assert json.loads(cli_run("board", "list", str(board.path), "--json").output)["count"] == 0


def test_a_removed_submission_cannot_be_added_again(board: Board) -> None:
    spam = board.new_doc()
    pr = board.pull_request(add(spam))
    board.run("validate-submission.yml", pr)
    board.merge(pr)
    cli_run(
        "board",
        "remove",
        spam["submission_id"],
        "--reason",
        "spam",
        "--to",
        str(board.path),
        "--yes",
    )
    pr = board.pull_request(add(spam))
    # validate-submission.yml's full clone holds the deletion; the job comments and fails.
    with pytest.raises(StepFailed, match="refused"):
        board.run("validate-submission.yml", pr)
    requests = gh_requests(board.tmp / f"run{board.runs}")
    assert not any(r["method"] == "PUT" for r in requests)  # never merged
    (comment,) = [r["fields"]["body"] for r in requests if r["method"] == "POST"]
    assert "A withdrawn submission stays withdrawn" in comment, comment


def test_a_board_yaml_change_is_checked_by_the_generated_workflow(board: Board) -> None:
    job = board.workflow("board-config.yml")["jobs"]["check"]
    steps = [s for s in job["steps"] if "run" in s]
    assert steps[0]["run"] == BOARD_INSTALL
    check_step = steps[-1]["run"]
    assert check_step == "tinytorch-board board check ."  # its exit status is the verdict
    text = (board.path / "board.yaml").read_text()
    for edit, ok in (
        (text.replace("k_anonymity: 5", "k_anonymity: 3"), True),
        (text.replace("k_anonymity: 5", "k_anonymity: -3"), False),
        (text + "title: again\n", False),
    ):
        pr = board.pull_request(lambda repo, edit=edit: (repo / "board.yaml").write_text(edit))
        checkout = board.tmp / f"config{board.runs}"
        board.runs += 1
        subprocess.run(["git", "clone", "-q", f"file://{board.path}", str(checkout)], check=True)
        git(checkout, "checkout", "-q", pr["head"])  # pull_request runs check out the change
        wf = {"jobs": {"check": {"steps": job["steps"]}}}
        run = JobRun(wf, "check", {"github": {}}, checkout, checkout.parent / f"t{board.runs}")
        (checkout.parent / f"t{board.runs}").mkdir(exist_ok=True)
        if ok:
            run.run()
        else:
            with pytest.raises(StepFailed):
                run.run()


def test_upgrade_from_a_lock_naming_an_older_local_wheel(board: Board, tmp_path: Path) -> None:
    new_lock = tmp_path / "new.lock.txt"
    new_lock.write_text(lock_for(local_wheel(tmp_path, "0.1.0"), "0.1.0"))
    workflow = board.path / ".github" / "workflows" / "pages.yml"

    # An edited workflow is never overwritten silently: nothing is written at all.
    workflow.write_text(workflow.read_text() + "# my change\n")
    refused = cli_run("board", "upgrade", str(board.path), "--lock", str(new_lock))
    assert refused.exit_code == 1
    assert "edited by you" in refused.output and ".github/workflows/pages.yml" in refused.output
    assert parse_lock((board.path / LOCK_PATH).read_text())["tinytorch-board"].version == "0.0.9"

    workflow.write_text(workflow.read_text().replace("# my change\n", ""))
    result = cli_run("board", "upgrade", str(board.path), "--lock", str(new_lock))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "tinytorch-board 0.0.9 -> 0.1.0"
    assert "~ tinytorch-board 0.0.9 -> 0.1.0" in result.output
    assert f"updated: {LOCK_PATH}" in result.output
    assert parse_lock((board.path / LOCK_PATH).read_text())["tinytorch-board"].version == "0.1.0"

    again = cli_run("board", "upgrade", str(board.path), "--lock", str(new_lock), "--json")
    summary = json.loads(again.output)
    assert summary["updated"] == [] and summary["edited"] == [] and summary["requirements"] == []

    workflow.write_text(workflow.read_text() + "# my change\n")
    forced = cli_run("board", "upgrade", str(board.path), "--lock", str(new_lock), "--force")
    assert forced.exit_code == 0 and "overwritten" in forced.output
    assert "# my change" not in workflow.read_text()
