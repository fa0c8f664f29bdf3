"""The baseline suite end to end: backends, result document, CLI, prompt, builder refusal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from bench_helpers import write_student
from click.testing import CliRunner

from tinytorch_board.bench import baseline as baseline_module
from tinytorch_board.bench import student
from tinytorch_board.bench.backends import PreparedBaseline, numpy_baseline
from tinytorch_board.bench.harness import HarnessSettings
from tinytorch_board.cli import cli
from tinytorch_board.errors import BoardError
from tinytorch_board.local.results import load_result, result_files
from tinytorch_board.submission.builder import build_submission
from tinytorch_board.submission.score import baseline_score, framework_score
from tinytorch_board.submission.validator import check_document

QUICK = HarnessSettings(warmup_ms=2, budget_ms=20, min_runs=5, floor_runs=3, target_sample_ms=0.5)


@pytest.fixture(autouse=True)
def quick_harness(monkeypatch):
    monkeypatch.setattr(baseline_module, "DEFAULT_SETTINGS", QUICK)
    yield
    student._forget_package()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / ".tito").mkdir(parents=True)
    return root


def run(project: Path, *args: str):
    return CliRunner().invoke(
        cli, ["--project-dir", str(project), "benchmark", "baseline", *args], catch_exceptions=False
    )


def test_numpy_result_document_is_complete_and_submittable(project):
    result = baseline_module.run_baseline(backend="numpy", project_root=project)
    assert result["backend"] == "numpy"
    assert set(result["metrics"]) == {"tensor_ops", "matmul", "forward_pass"}
    assert result["details"]["failed"] == {}
    assert result["details"]["blas_threads"] == 1
    medians = {k: v["median_ms"] for k, v in result["metrics"].items()}
    assert result["score"] == baseline_score(medians) == result["machine_score"]
    assert not any("numpy_median_ms" in metric for metric in result["metrics"].values())
    doc = build_submission(result).document
    assert check_document(doc, "t") == []


def test_tinytorch_result_has_ratios_against_numpy(project):
    write_student(project, "slow")  # sleeps 0.5 ms per op: far slower than numpy
    result = baseline_module.run_baseline(backend="tinytorch", project_root=project)
    assert result["backend"] == "tinytorch"
    assert result["details"]["failed"] == {}
    ratios = result["details"]["vs_numpy"]
    assert set(ratios) == {"tensor_ops", "matmul", "forward_pass"}
    assert all(ratio > 5 for ratio in ratios.values())
    assert set(result["details"]["numpy_metrics"]) == set(ratios)
    # Suite 2: the headline is *your TinyTorch* (same-run numpy medians beside each
    # metric), the machine score comes from those numpy medians.
    assert result["suite_version"] == 2
    metrics = result["metrics"]
    mine = {k: v["median_ms"] for k, v in metrics.items()}
    theirs = {k: v["numpy_median_ms"] for k, v in metrics.items()}
    assert result["score"] == framework_score(mine, theirs)
    assert result["score"] < 100 - 10 * 2  # every op more than 5x slower
    assert result["machine_score"] == baseline_score(theirs, 2)
    doc = build_submission(result).document
    assert doc["benchmark"]["machine_score"] == result["machine_score"]
    assert check_document(doc, "t") == []


def test_wrong_answers_are_failed_unscored_and_refused_by_the_builder(project):
    write_student(project, "wrong")
    result = baseline_module.run_baseline(backend="auto", project_root=project)
    assert result["backend"] == "tinytorch"
    assert set(result["metrics"]) == {"tensor_ops"}
    assert "differs from numpy" in result["details"]["failed"]["matmul"]
    assert result["score"] is None
    with pytest.raises(BoardError, match="no score for matmul, forward_pass"):
        build_submission(result)


def test_an_exception_while_timing_becomes_a_failure(project):
    calls = {"n": 0}

    def prepare(inputs):
        ops = dict(numpy_baseline(inputs).operations)

        def flaky():
            calls["n"] += 1
            if calls["n"] > 3:
                raise MemoryError("out of memory")
            return 1

        ops["matmul"] = flaky
        return PreparedBaseline("tinytorch", ops)

    result = baseline_module.run_baseline(prepare)
    assert result["details"]["failed"] == {
        "matmul": "your matmul raised MemoryError: out of memory"
    }
    assert result["score"] is None


def test_twice_the_work_costs_about_ten_points_by_formula():
    # The formula itself: each metric twice as slow is exactly -10.
    reference = {"tensor_ops": 0.01, "matmul": 0.02, "forward_pass": 0.015}
    slower = {k: 2 * v for k, v in reference.items()}
    assert baseline_score(reference) - baseline_score(slower) == pytest.approx(10.0, abs=0.1)


def test_cli_json_on_numpy_saves_a_file_and_prints_it(project):
    outcome = run(project, "--backend", "numpy", "--json")
    assert outcome.exit_code == 0, outcome.output
    printed = json.loads(outcome.stdout)
    [path] = result_files(project / ".tito" / "benchmarks")
    assert load_result(path) == printed


def test_cli_json_stays_clean_when_the_student_package_prints(project):
    write_student(project, "complete")  # prints a banner at import
    outcome = run(project, "--backend", "tinytorch", "--json")
    assert outcome.exit_code == 0, outcome.output
    assert json.loads(outcome.stdout)["backend"] == "tinytorch"


def test_cli_reports_wrong_answers_and_no_score(project):
    write_student(project, "wrong")
    outcome = run(project, "--backend", "tinytorch")
    assert outcome.exit_code == 0, outcome.output
    text = " ".join(outcome.output.split())
    assert "your matmul differs from numpy by" in text
    assert "No TinyTorch score" in text
    assert "Your machine:" in text  # numpy still timed every op in the same run
    submit = CliRunner().invoke(
        cli, ["--project-dir", str(project), "submit", "--dry-run"], catch_exceptions=False
    )
    assert submit.exit_code == 1
    assert "no score for matmul" in submit.output


def test_cli_prints_the_learner_lines(project):
    write_student(project, "slow")
    outcome = run(project)
    text = " ".join(outcome.output.split())
    assert "Your matmul is" in text and "slower than numpy" in text
    assert "Your tensor ops are" in text
    assert "Your TinyTorch:" in text and "Your machine:" in text
    assert "tinytorch-board compare" in text


def test_cli_says_what_was_missing_when_auto_falls_back(project):
    write_student(project, "partial")
    text = " ".join(run(project).output.split())
    assert "Baseline benchmark (numpy backend)" in text
    assert "your tinytorch is incomplete (Linear:" in text


def test_cli_tinytorch_without_a_package_is_a_one_line_error(project):
    outcome = run(project, "--backend", "tinytorch")
    assert outcome.exit_code == 1
    assert "Error: no tinytorch package found" in outcome.output
    assert "Traceback" not in outcome.output
    assert result_files(project / ".tito" / "benchmarks") == []


@pytest.mark.parametrize(
    "interactive, args, answer, asked",
    [(False, [], "y\n", False), (True, ["--no-prompt"], "y\n", False), (True, [], "n\n", True)],
)
def test_submit_prompt_only_for_a_person_who_wants_it(
    project, monkeypatch, interactive, args, answer, asked
):
    monkeypatch.setattr("tinytorch_board.cli.benchmark.is_interactive", lambda: interactive)
    outcome = CliRunner().invoke(
        cli,
        ["--project-dir", str(project), "benchmark", "baseline", "--backend", "numpy", *args],
        input=answer,
        catch_exceptions=False,
    )
    assert ("share this result" in outcome.output) is asked
    assert "tinytorch-board --project-dir" not in outcome.output


def test_yes_to_the_prompt_prints_the_exact_submit_command(project, monkeypatch):
    monkeypatch.setattr("tinytorch_board.cli.benchmark.is_interactive", lambda: True)
    outcome = CliRunner().invoke(
        cli,
        ["--project-dir", str(project), "benchmark", "baseline", "--backend", "numpy"],
        input="y\n",
        catch_exceptions=False,
    )
    [path] = result_files(project / ".tito" / "benchmarks")
    assert f"tinytorch-board --project-dir {project} submit {path}" in outcome.output


def test_the_benchmark_command_module_imports_no_numpy():
    code = (
        "import sys, tinytorch_board.cli.benchmark; "
        "sys.exit(1 if {'numpy', 'rich'} & set(sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
