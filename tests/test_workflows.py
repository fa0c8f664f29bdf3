"""The repository's workflows: parsed, their security properties asserted, zizmor clean,
and their shell glue run for real against our own CLI."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ci_helpers import BoardRepo, submission_path

from tinytorch_board.board.ci.decide import INTAKE_HEADING
from tinytorch_board.board.provision import SOURCE_INSTALL
from tinytorch_board.jsonio import dumps

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / ".github"
WORKFLOWS = GITHUB / "workflows"
SHA_PIN = re.compile(r"^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+\s*$")
PR_TARGET = ("validate-submission.yml", "withdraw.yml")


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the key `on` as the boolean True.
    return workflow.get("on", workflow.get(True))


def steps(workflow: dict):
    for job_name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_name, step


def step_named(workflow: dict, prefix: str) -> dict:
    return next(step for _, step in steps(workflow) if step.get("name", "").startswith(prefix))


ALL = sorted(p.name for p in WORKFLOWS.glob("*.yml"))


def test_the_expected_workflows_exist() -> None:
    assert (
        sorted(
            [
                "board-config.yml",
                "intake.yml",
                "pages.yml",
                "release.yml",
                "tests.yml",
                "validate-submission.yml",
                "withdraw.yml",
            ]
        )
        == ALL
    )


@pytest.mark.parametrize("name", ALL)
def test_no_permissions_by_default_and_each_job_declares_its_own(name: str) -> None:
    workflow = load(name)
    assert workflow["permissions"] == {}
    for job in workflow["jobs"].values():
        assert isinstance(job["permissions"], dict) and job["permissions"]
        assert "write-all" not in str(job["permissions"])
        assert job.get("timeout-minutes")


EXPECTED_PERMISSIONS = {
    ("tests.yml", "test"): {"contents": "read"},
    ("board-config.yml", "check"): {"contents": "read"},
    ("release.yml", "build"): {"contents": "read"},
    ("release.yml", "pypi"): {"id-token": "write"},
    ("release.yml", "github-release"): {"contents": "write"},
    ("pages.yml", "build"): {"contents": "read"},
    ("pages.yml", "deploy"): {"pages": "write", "id-token": "write"},
    ("validate-submission.yml", "check"): {"contents": "read", "pull-requests": "write"},
    ("validate-submission.yml", "merge"): {
        "contents": "write",
        "pull-requests": "write",
        "actions": "write",
    },
    ("withdraw.yml", "verify"): {"contents": "read", "pull-requests": "write"},
    ("withdraw.yml", "merge"): {"contents": "write", "pull-requests": "write", "actions": "write"},
    ("intake.yml", "check"): {"contents": "read", "issues": "write"},
    ("intake.yml", "open-pr"): {
        "contents": "write",
        "pull-requests": "write",
        "actions": "write",
        "issues": "write",
    },
}


def test_least_privilege_per_job() -> None:
    seen = {}
    for name in ALL:
        for job_name, job in load(name)["jobs"].items():
            seen[(name, job_name)] = job["permissions"]
    assert seen == EXPECTED_PERMISSIONS


@pytest.mark.parametrize("name", ALL)
def test_third_party_actions_are_pinned_by_full_sha_with_a_version(name: str) -> None:
    lines = (WORKFLOWS / name).read_text(encoding="utf-8").splitlines()
    uses = [line for line in lines if re.match(r"^\s*(-\s+)?uses:", line)]
    assert uses or name in PR_TARGET
    for line in uses:
        assert SHA_PIN.match(line), f"not pinned: {line.strip()}"


def test_every_checkout_drops_credentials_and_pr_target_checks_out_the_base() -> None:
    for name in ALL:
        workflow = load(name)
        for _, step in steps(workflow):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
                if name in PR_TARGET:
                    assert "ref" not in step["with"] and "repository" not in step["with"]


@pytest.mark.parametrize("name", PR_TARGET)
def test_pull_request_target_never_touches_the_head_code(name: str) -> None:
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    forbidden = ("head.ref", "head.sha", "head_ref", "head.repo", "refs/pull/", "merge_commit")
    for word in forbidden:
        assert word not in text
    workflow = load(name)
    for _, step in steps(workflow):
        run = step.get("run", "")
        assert "git checkout" not in run and "git switch" not in run
        if "pip install" in run:  # the base checkout, its dependencies from the hashed lock
            assert run.strip() == SOURCE_INSTALL
    script = (GITHUB / "scripts" / "read-pull-request.sh").read_text(encoding="utf-8")
    assert "git fetch --quiet --no-tags --depth=1" in script
    for command in ("git checkout", "git switch", "git worktree", "git reset", "git merge", "pip "):
        assert command not in script


@pytest.mark.parametrize("name", ALL)
def test_no_expression_is_interpolated_into_a_script(name: str) -> None:
    for _, step in steps(load(name)):
        assert "${{" not in step.get("run", ""), step.get("name")


@pytest.mark.parametrize("name", ALL)
def test_every_run_block_is_valid_bash(name: str, tmp_path: Path) -> None:
    for index, (_, step) in enumerate(steps(load(name))):
        if "run" in step:
            script = tmp_path / f"step{index}.sh"
            script.write_text(step["run"])
            done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
            assert done.returncode == 0, (step.get("name"), done.stderr)


def test_triggers() -> None:
    validate = triggers(load("validate-submission.yml"))
    assert validate["pull_request_target"]["types"] == ["opened", "synchronize", "reopened"]
    assert validate["workflow_dispatch"]["inputs"]["pr_number"]["type"] == "number"
    assert "pull_request" not in validate and "push" not in validate
    withdraw = triggers(load("withdraw.yml"))
    assert withdraw["pull_request_target"]["types"] == [
        "opened",
        "synchronize",
        "reopened",
        "edited",
    ]
    pages = triggers(load("pages.yml"))
    assert pages["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in pages and pages["schedule"][0]["cron"]
    assert triggers(load("intake.yml")) == {"issues": {"types": ["opened", "edited"]}}
    tests = triggers(load("tests.yml"))
    assert "tinytorch_board/**" in tests["pull_request"]["paths"]
    assert tests["push"]["paths"] == tests["pull_request"]["paths"]
    assert "make test" in step_named(load("tests.yml"), "make test")["run"]


def test_concurrency_groups() -> None:
    validate = load("validate-submission.yml")["concurrency"]
    assert "github.event.pull_request.number" in validate["group"]
    assert "inputs.pr_number" in validate["group"]
    assert "github.event.pull_request.number" in load("withdraw.yml")["concurrency"]["group"]
    assert "github.event.issue.number" in load("intake.yml")["concurrency"]["group"]
    assert load("pages.yml")["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_pages_builds_then_deploys_with_the_pages_actions() -> None:
    pages = load("pages.yml")
    build, deploy = pages["jobs"]["build"], pages["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    # the build writes the artifact's tar itself; it is uploaded under the name
    # deploy-pages reads, exactly where the build put it
    runs = [s["run"] for s in build["steps"] if "tinytorch-board build" in s.get("run", "")]
    assert runs == [  # with the share cards kept between runs (issue 18)
        'tinytorch-board build --board . --archive "$RUNNER_TEMP/artifact.tar" '
        "--card-cache .cache/cards"
    ]
    upload = next(s for s in build["steps"] if "actions/upload-artifact@" in s.get("uses", ""))
    assert upload["with"]["name"] == "github-pages"
    assert upload["with"]["path"] == "${{ runner.temp }}/artifact.tar"
    assert upload["with"]["if-no-files-found"] == "error"
    assert any("deploy-pages@" in s.get("uses", "") for s in deploy["steps"])


@pytest.mark.parametrize("name", PR_TARGET)
def test_merges_pin_the_checked_head_and_start_pages(name: str) -> None:
    workflow = load(name)
    merge = workflow["jobs"]["merge"]
    assert "steps" in merge and not any("uses" in s for s in merge["steps"])  # no checkout
    (step,) = merge["steps"]
    assert '-f sha="$HEAD_SHA"' in step["run"]
    assert step["env"]["HEAD_SHA"].startswith("${{ needs.")
    assert "gh workflow run pages.yml" in step["run"]
    assert "auto-merge == 'true'" in merge["if"] and "ok == 'true'" in merge["if"]


def test_intake_passes_the_issue_body_only_through_env() -> None:
    intake = load("intake.yml")
    text = (WORKFLOWS / "intake.yml").read_text(encoding="utf-8")
    assert text.count("github.event.issue.body") == 2  # the if: prefilter and the env value
    step = step_named(intake, "Validate the pasted submission")
    assert step["env"] == {"ISSUE_BODY": "${{ github.event.issue.body }}"}
    assert "printf '%s' \"$ISSUE_BODY\" | tinytorch-board ci intake" in step["run"]
    assert "actions/checkout@" not in str(intake["jobs"]["open-pr"])


def test_issue_form_matches_the_intake_parser() -> None:
    form = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / "submission.yml").read_text())
    (textarea,) = [item for item in form["body"] if item["type"] == "textarea"]
    assert textarea["attributes"]["label"] == INTAKE_HEADING
    assert textarea["attributes"]["render"] == "json"
    assert textarea["validations"]["required"] is True
    assert f"### {INTAKE_HEADING}" in (WORKFLOWS / "intake.yml").read_text()


def test_pull_request_template_does_not_trip_the_withdrawal_parser() -> None:
    from tinytorch_board.board.ci.decide import withdraw_keys

    text = (GITHUB / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    assert "submissions/" in text and "withdraw" in text
    assert withdraw_keys(text) == []  # a filled-in key stays the only one


def test_dependabot_watches_actions_and_pip() -> None:
    config = yaml.safe_load((GITHUB / "dependabot.yml").read_text())
    assert config["version"] == 2
    assert {u["package-ecosystem"] for u in config["updates"]} == {"github-actions", "pip"}


def zizmor_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "zizmor"
    return str(beside_python) if beside_python.exists() else shutil.which("zizmor")


def test_zizmor_finds_nothing() -> None:
    binary = zizmor_binary()
    if binary is None:
        pytest.skip("zizmor is not installed (pip install -e '.[test]')")
    done = subprocess.run(
        [binary, "--offline", "--format", "plain", str(GITHUB)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout
    # The only ignores are the documented data-only pull_request_target triggers.
    ignores = [
        (path.name, line.strip())
        for path in WORKFLOWS.glob("*.yml")
        for line in path.read_text().splitlines()
        if "zizmor: ignore" in line
    ]
    expected = "pull_request_target: # zizmor: ignore[dangerous-triggers] data only, see the header"
    assert sorted(ignores) == sorted((name, expected) for name in PR_TARGET)


# --- the workflows' shell glue, run for real -----------------------------------------------


def fake_path(tmp_path: Path) -> dict:
    """An environment whose `tinytorch-board` is this checkout's CLI."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "tinytorch-board"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m tinytorch_board "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_OUTPUT": str(tmp_path / "github_output"),
    }


def outputs(env: dict) -> dict:
    text = Path(env["GITHUB_OUTPUT"]).read_text()
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def run_step(step: dict, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    # GitHub runs `run:` with `bash -e {0}`; step env values are plain strings here.
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        env={**env, **{k: str(v) for k, v in step.get("env", {}).items()}},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


needs_jq = pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")


def intake_body(pasted: str) -> str:
    return f"### {INTAKE_HEADING}\n\n```json\n{pasted}\n```\n\n### Privacy\n\n- [X] yes\n"


@needs_jq
def test_intake_step_with_a_hostile_body_runs_nothing(tmp_path: Path) -> None:
    repo = BoardRepo(tmp_path / "board")
    step = step_named(load("intake.yml"), "Validate the pasted submission")
    env = fake_path(tmp_path)
    canary = tmp_path / "pwned"
    hostile = f'"; touch {canary}; echo "\n$(touch {canary})\n`touch {canary}`\n' + "'" * 3
    done = run_step({**step, "env": {"ISSUE_BODY": intake_body(hostile)}}, env, repo.path)
    assert done.returncode == 0, done.stderr
    assert not canary.exists()
    assert outputs(env)["applies"] == "true" and outputs(env)["ok"] == "false"
    assert "content" not in outputs(env)


@needs_jq
def test_intake_step_with_a_valid_body_outputs_the_file(tmp_path: Path) -> None:
    import base64

    repo = BoardRepo(tmp_path / "board")
    doc = repo.new_doc()
    step = step_named(load("intake.yml"), "Validate the pasted submission")
    env = fake_path(tmp_path)
    done = run_step({**step, "env": {"ISSUE_BODY": intake_body(dumps(doc))}}, env, repo.path)
    assert done.returncode == 0, done.stderr
    out = outputs(env)
    assert out["ok"] == "true" and out["path"] == submission_path(doc)
    assert out["branch"] == f"submission/{doc['submission_id']}"
    assert base64.b64decode(out["content"]).decode() == dumps(doc)


@needs_jq
@pytest.mark.parametrize(("valid", "expected"), [(True, "true"), (False, "false")])
def test_validate_check_step_on_a_real_pull_request(
    tmp_path: Path, valid: bool, expected: str
) -> None:
    repo = BoardRepo(tmp_path / "board")
    doc = repo.new_doc()
    if not valid:
        doc["benchmark"]["score"] = 100.0
    repo.branch("pr")
    repo.add_doc(doc)
    head = repo.commit("submission")
    repo.back_to_main()
    env = fake_path(tmp_path)
    data = Path(env["RUNNER_TEMP"]) / "pull-request"
    data.mkdir()
    (data / "files.json").write_text(
        f'[{{"filename": "{submission_path(doc)}", "status": "added", "sha": null}}]'
    )
    step = step_named(load("validate-submission.yml"), "Check it with")
    step_env = {"HEAD_SHA": head, "MERGE_BASE": repo.main, "AUTHOR": "student", "DATA": str(data)}
    done = run_step({**step, "env": step_env}, env, repo.path)
    assert done.returncode == 0, done.stderr
    assert outputs(env) == {"ok": expected, "kind": "submission", "auto-merge": expected}
