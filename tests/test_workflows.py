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
from tinytorch_board.board.provision import BOARD_INSTALL, LOCK_PATH, SOURCE_INSTALL
from tinytorch_board.jsonio import dumps

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / ".github"
WORKFLOWS = GITHUB / "workflows"
SHA_PIN = re.compile(
    r"^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)\s*$"
)
PR_TARGET = ("validate-submission.yml", "withdraw.yml")
# The jobs that decide what the write token does install exactly the locked, hashed
# dependencies, then the project itself without resolving anything.
LOCK = GITHUB / "requirements" / "ci.txt"
HASHED_INSTALL = (
    "python -m pip install --quiet --require-hashes --no-deps -r .github/requirements/ci.txt\n"
    "python -m pip install --quiet --no-deps --no-build-isolation ."
)
RELEASE_TOOLS_INSTALL = (
    "python -m pip install --quiet --require-hashes -r requirements/release-tools.txt"
)
# Every action at its current major, pinned to the commit its release tag points at. Each
# was checked against the action's repository: the tag's commit is this SHA and its
# action.yml says `runs.using: node24` (Node 20 is being retired from GitHub's runners).
# Dependabot proposes updates; when one lands, re-check the same two facts and update here.
ACTION_PINS = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/upload-artifact": ("bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
    "actions/deploy-pages": ("cd2ce8fcbc39b97be8ca5fce6e763baed58fa128", "v5.0.0"),
    # the share-card cache of the pages workflow (default branch only)
    "actions/cache/restore": ("27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"),
    "actions/cache/save": ("27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"),
    "actions/download-artifact": ("3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1"),
    # a Docker action (no Node runtime); release.yml's PyPI upload by trusted publishing
    "pypa/gh-action-pypi-publish": ("81e9d935c883d0b210363ab89cf05f3894778450", "v1.8.14"),
}


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
                "sweep.yml",
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
    ("sweep.yml", "sweep"): {
        "contents": "write",
        "pull-requests": "write",
        "issues": "write",
        "actions": "write",
    },
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
        match = SHA_PIN.match(line)
        assert match, f"not pinned: {line.strip()}"
        action, sha, version = match.groups()
        assert ACTION_PINS.get(action) == (sha, version), f"not the checked release: {line}"


@pytest.mark.parametrize("name", ALL)
def test_jobs_that_install_the_project_use_the_hashed_lock(name: str) -> None:
    for _, step in steps(load(name)):
        run = step.get("run", "")
        if "python -m pip install" in run and name == "release.yml":  # build tools' own lock
            assert run.strip() == RELEASE_TOOLS_INSTALL, step.get("name")
        elif "pip install" in run and name not in ("tests.yml", "release.yml"):
            assert run.strip() == HASHED_INSTALL, step.get("name")


def test_boards_install_the_release_lock_and_this_repository_its_ci_lock() -> None:
    """Two locks, two purposes: this repository's workflows install ci.txt then the
    checkout; a board made by `board init` gets the same workflows with that step pointing
    at the release lock it ships (requirements/lock.txt is what that lock is built from)."""
    assert SOURCE_INSTALL == HASHED_INSTALL
    assert BOARD_INSTALL.endswith(f"-r {LOCK_PATH}") and "--require-hashes" in BOARD_INSTALL
    release = (WORKFLOWS / "release.yml").read_text(encoding="utf-8")
    assert "--dependencies requirements/lock.txt" in release
    text = (ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8")
    pins = {n.lower() for n in re.findall(r"^([A-Za-z0-9._-]+)==", text, re.MULTILINE)}
    for needed in ("jsonschema-rs", "markupsafe", "requests", "jinja2", "click", "numpy"):
        assert needed in pins, needed
    assert "hatchling" not in pins  # runtime only: a board never builds the project


def test_the_lock_is_generated_with_hashes_and_covers_the_project() -> None:
    tomllib = pytest.importorskip("tomllib")

    text = LOCK.read_text(encoding="utf-8")
    assert "autogenerated by pip-compile" in text and "--generate-hashes" in text
    source = (LOCK.parent / "ci.in").read_text(encoding="utf-8")
    assert "--output-file=ci.txt" in text and "ci.in" in text
    pins = dict(re.findall(r"^([A-Za-z0-9._-]+)==(\S+) \\$", text, re.MULTILINE))
    blocks = re.split(r"^(?=[A-Za-z0-9._-]+==)", text, flags=re.MULTILINE)[1:]
    assert len(blocks) == len(pins) > 10
    for block in blocks:  # every pin carries at least one sha256
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", block), block.splitlines()[0]
    assert "; " not in text.replace("# via", "")  # no environment markers to diverge on
    normal = {re.sub(r"[-_.]+", "-", n).lower() for n in pins}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = [*project["project"]["dependencies"], *project["build-system"]["requires"]]
    for requirement in wanted:
        name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]
        assert re.sub(r"[-_.]+", "-", name).lower() in normal, name
        assert name.lower() in source.lower(), f"{name} is not in ci.in"


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
        if "pip install" in run:
            assert run.strip() == HASHED_INSTALL  # the base checkout, hash-pinned
    script = (GITHUB / "scripts" / "read-pull-request.sh").read_text(encoding="utf-8")
    assert "git fetch --quiet --no-tags" in script
    # Objects only: the merge base with its history (withdrawn ids are read from it), the
    # head without any.
    assert 'fetch origin "$merge_base"\n' in script
    assert 'fetch --depth=1 origin "$head"\n' in script
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
    for name in PR_TARGET:  # a leftover branch's copy of a workflow never runs
        assert triggers(load(name))["pull_request_target"]["branches"] == ["main"]
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
        '--card-cache "$RUNNER_TEMP/board-cache/cards"'
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
    assert step["env"] == {
        "ISSUE_BODY": "${{ github.event.issue.body }}",
        "ISSUE_AUTHOR": "${{ github.event.issue.user.login }}",
    }
    assert '--author "$ISSUE_AUTHOR"' in step["run"]
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


def test_dependabot_watches_actions_and_the_lock() -> None:
    config = yaml.safe_load((GITHUB / "dependabot.yml").read_text())
    assert config["version"] == 2
    ecosystems = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(ecosystems) == {"github-actions", "pip"}
    # Dependabot updates pip-compile locks from their .in file, in that folder.
    assert ecosystems["pip"]["directory"] == "/.github/requirements"
    assert (GITHUB / "requirements" / "ci.in").is_file() and LOCK.is_file()


def test_history_reading_jobs_clone_in_full_and_check_the_base_branch() -> None:
    for name, job in (("validate-submission.yml", "check"), ("intake.yml", "check")):
        checkout = next(
            s for s in load(name)["jobs"][job]["steps"] if "checkout@" in s.get("uses", "")
        )
        assert checkout["with"]["fetch-depth"] == 0, name
    script = (GITHUB / "scripts" / "read-pull-request.sh").read_text(encoding="utf-8")
    assert '[[ "$base_ref" != "$DEFAULT_BRANCH" ]]' in script
    for name in PR_TARGET:
        step = step_named(load(name), "Read the pull request as data")
        assert step["env"]["DEFAULT_BRANCH"] == "${{ github.event.repository.default_branch }}"


def test_merges_and_intake_commits_record_the_submitter() -> None:
    merge = load("validate-submission.yml")["jobs"]["merge"]
    (step,) = merge["steps"]
    assert step["env"]["AUTHOR"] == "${{ needs.check.outputs.author }}"
    assert '"commit_message=Submitted-by: $AUTHOR"' in step["run"]
    check = load("validate-submission.yml")["jobs"]["check"]
    assert check["outputs"]["author"] == "${{ steps.pr.outputs.author }}"
    open_pr = step_named(load("intake.yml"), "Commit the file on a branch")
    assert open_pr["env"]["SUBMITTER"] == "${{ github.event.issue.user.login }}"
    assert "Submitted-by: %s" in open_pr["run"]


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
    assert outputs(env) == {
        "ok": expected,
        "kind": "submission",
        "decided": "true",
        "auto-merge": expected,
    }
