"""The student's tinytorch: detection, adaptation, correctness check, safe import."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from bench_helpers import write_student

from tinytorch_board.bench import student
from tinytorch_board.bench.backends import BaselineInputs
from tinytorch_board.bench.baseline import plan_backend
from tinytorch_board.bench.student import student_baseline
from tinytorch_board.errors import BoardError


@pytest.fixture(autouse=True)
def _forget_student_modules():
    yield
    student._forget_package()


def load(root: Path) -> student.StudentPackage:
    with student.project_on_path(root):
        return student.load_package(root)


def test_find_package_prefers_the_project_root(tmp_path):
    assert student.find_package(tmp_path) is None
    write_student(tmp_path, "complete")
    assert student.find_package(tmp_path) == str(tmp_path / "tinytorch" / "__init__.py")


@pytest.mark.parametrize("variant", ["complete", "torchlike"])
def test_complete_packages_have_every_piece(tmp_path, variant):
    package = load(write_student(tmp_path, variant))
    assert package.import_error is None
    assert set(package.pieces) == {"Tensor", "Linear", "ReLU"}
    assert package.problems == {}


def test_partial_package_says_which_piece_is_missing_and_why(tmp_path):
    package = load(write_student(tmp_path, "partial"))
    assert set(package.pieces) == {"Tensor"}
    assert "ImportError: Linear: TODO" in package.problems["Linear"]
    assert "tinytorch.core.activations failed to import" in package.problems["ReLU"]


@pytest.mark.parametrize(
    "variant, expected",
    [
        ("broken", "ModuleNotFoundError"),
        ("exits", "SystemExit: bye"),
    ],
)
def test_a_package_that_fails_to_import_is_reported_not_raised(tmp_path, variant, expected):
    package = load(write_student(tmp_path, variant))
    assert package.import_error.startswith("`import tinytorch` failed")
    assert expected in package.import_error
    assert package.pieces == {}


def test_absent_package(tmp_path):
    package = load(tmp_path)
    assert not package.found
    assert "no tinytorch package found" in package.import_error


@pytest.mark.parametrize("variant", ["complete", "torchlike"])
def test_adapted_operations_match_numpy(tmp_path, variant):
    package = load(write_student(tmp_path, variant))
    prepared = student_baseline(BaselineInputs.make(), package)
    assert prepared.failures == {}
    assert set(prepared.operations) == {"tensor_ops", "matmul", "forward_pass"}


def test_wrong_answers_are_reported_per_metric(tmp_path):
    package = load(write_student(tmp_path, "wrong"))
    prepared = student_baseline(BaselineInputs.make(), package)
    assert set(prepared.operations) == {"tensor_ops"}
    assert prepared.failures["matmul"].startswith("your matmul differs from numpy by ")
    assert "forward pass" in prepared.failures["forward_pass"]


def test_missing_pieces_fail_only_the_metrics_that_need_them(tmp_path):
    package = load(write_student(tmp_path, "partial"))
    prepared = student_baseline(BaselineInputs.make(), package)
    assert set(prepared.operations) == {"tensor_ops", "matmul"}
    assert prepared.failures["forward_pass"].startswith("Linear: ")


@pytest.mark.parametrize(
    "expected, actual, problem",
    [
        ([[1.0, 2.0]], [[1.0, 2.0]], None),
        ([[1.0, 2.0]], [[1.0, 2.0005]], None),  # float32 rounding is fine
        (5.0, [[5.0]], None),  # a sum may come back as a 1x1 tensor
        ([[1.0, 2.0]], [[1.0, 2.5]], "your op differs from numpy by 0.5"),
        ([[1.0, 2.0]], [1.0, 2.0], "your op returned shape (2,); numpy gives (1, 2)"),
        ([[1.0, 2.0]], [[1.0, float("nan")]], "your op returned NaN or infinite values"),
    ],
)
def test_compare(expected, actual, problem):
    import numpy as np

    found = student.compare("op", expected, np.asarray(actual, dtype=np.float64))
    if problem is None:
        assert found is None
    else:
        assert found.startswith(problem)


def test_to_array_refuses_non_numbers():
    with pytest.raises(student.StudentCodeError, match="not a tensor or array"):
        student.to_array(object())


def test_probe_reports_a_complete_package(tmp_path):
    report = student.probe(write_student(tmp_path, "complete"), timeout_s=60)
    assert report.ok and report.import_error is None
    assert report.metrics == {"tensor_ops": None, "matmul": None, "forward_pass": None}
    assert set(report.call_seconds) == {"tensor_ops", "matmul", "forward_pass"}


def test_probe_survives_a_hard_crash(tmp_path):
    report = student.probe(write_student(tmp_path, "crash"), timeout_s=60)
    assert not report.ok
    assert "crashed the Python process (exit code 3)" in report.message


def test_probe_survives_an_endless_loop(tmp_path):
    report = student.probe(write_student(tmp_path, "hang"), timeout_s=1.5)
    assert not report.ok
    assert "took longer than 2 s" in report.message


def test_plan_auto_falls_back_to_numpy_when_absent(tmp_path):
    plan = plan_backend("auto", tmp_path)
    assert plan.backend == "numpy"
    assert plan.notes == [f"no tinytorch package found in {tmp_path}, so numpy was measured"]


def test_plan_tinytorch_refuses_when_absent(tmp_path):
    with pytest.raises(BoardError, match="no tinytorch package found.*--backend numpy"):
        plan_backend("tinytorch", tmp_path)


def test_plan_auto_falls_back_and_names_the_missing_piece(tmp_path):
    plan = plan_backend("auto", write_student(tmp_path, "partial"))
    assert plan.backend == "numpy"
    assert "your tinytorch is incomplete (Linear: " in plan.notes[0]


def test_plan_tinytorch_runs_an_incomplete_package(tmp_path):
    assert plan_backend("tinytorch", write_student(tmp_path, "partial")).backend == "tinytorch"


@pytest.mark.parametrize("variant", ["broken", "crash"])
def test_plan_tinytorch_refuses_an_unusable_package_with_the_reason(tmp_path, variant):
    with pytest.raises(BoardError, match="cannot use your tinytorch: .*--backend numpy"):
        plan_backend("tinytorch", write_student(tmp_path, variant))


def test_plan_auto_uses_a_complete_package(tmp_path):
    plan = plan_backend("auto", write_student(tmp_path, "complete"))
    assert plan.backend == "tinytorch" and plan.notes == []


def test_probe_leaves_this_process_untouched(tmp_path):
    write_student(tmp_path, "crash")
    student.probe(tmp_path, timeout_s=60)
    assert "tinytorch" not in sys.modules
    assert str(tmp_path) not in sys.path


def test_names_set_to_none_at_the_top_are_found_in_core_modules(tmp_path):
    write_student(tmp_path, "complete")
    (tmp_path / "tinytorch" / "__init__.py").write_text(
        "Tensor = None\nLinear = None\nReLU = None\n", encoding="utf-8"
    )
    package = load(tmp_path)
    assert package.problems == {}
    assert package.pieces["Linear"].__module__ == "tinytorch.core.layers"
    assert student_baseline(BaselineInputs.make(), package).failures == {}
