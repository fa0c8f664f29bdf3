"""Suite 2: *your TinyTorch* on a package built like TinyTorch's reference solution.

The fixture (tests/fixtures/tinytorch_reference) has the reference's traits: numpy
elementwise ops, a 2-D matmul by explicit Python loops, autograd switched on at import,
a banner printed on import. These tests run the real harness (not the quick one), so
they take a few seconds each.
"""

from __future__ import annotations

import json

import pytest
from bench_helpers import reference_package
from click.testing import CliRunner

from tinytorch_board.bench import baseline as baseline_module
from tinytorch_board.bench import student
from tinytorch_board.cli import cli
from tinytorch_board.submission.builder import build_submission
from tinytorch_board.submission.score import framework_score, machine_score
from tinytorch_board.submission.validator import check_document


@pytest.fixture(autouse=True)
def forget():
    yield
    student._forget_package()


def _run(root, backend="tinytorch"):
    return baseline_module.run_baseline(backend=backend, project_root=root)


def test_reference_like_package_scores_mid_scale_and_repeats(tmp_path):
    root = reference_package(tmp_path / "looped")
    scores = []
    for _ in range(3):
        result = _run(root)
        assert result["backend"] == "tinytorch" and result["details"]["failed"] == {}
        scores.append(result["score"])
    assert all(20 <= score <= 80 for score in scores), scores
    assert max(scores) - min(scores) <= 6, scores
    ratios = result["details"]["vs_numpy"]
    assert ratios["matmul"] > 50  # the loops show
    assert ratios["tensor_ops"] < 10  # elementwise ops go through numpy
    doc = build_submission(result).document
    assert check_document(doc, "t") == []


def test_vectorized_matmul_scores_at_least_fifteen_more(tmp_path):
    looped = _run(reference_package(tmp_path / "looped"))["score"]
    student._forget_package()
    fast = _run(reference_package(tmp_path / "fast", vectorized_matmul=True))["score"]
    assert fast >= looped + 15, (looped, fast)


def test_a_package_that_fails_to_import_gets_only_the_machine_score(tmp_path):
    root = reference_package(tmp_path / "broken", missing="core/activations.py")
    result = _run(root, backend="auto")
    assert result["backend"] == "numpy"
    assert result["score"] == result["machine_score"]  # no framework score anywhere
    note = " ".join(result["details"]["notes"])
    assert "No module named 'tinytorch.core.activations'" in note
    assert result["details"]["missing_module"]["module"] == "02"
    outcome = CliRunner().invoke(
        cli,
        ["--project-dir", str(root), "benchmark", "baseline", "--no-prompt"],
        catch_exceptions=False,
    )
    text = " ".join(outcome.output.split())
    assert "No TinyTorch score" in text and "tinytorch.core.activations" in text
    assert "module 02 (Activations) adds it" in text
    assert "Your TinyTorch:" not in text and "🎉" not in text
    refused = CliRunner().invoke(
        cli,
        ["--project-dir", str(root), "benchmark", "baseline", "--backend", "tinytorch"],
    )
    assert refused.exit_code == 1
    assert "tinytorch.core.activations" in refused.output
    assert "Traceback" not in refused.output


def test_json_output_survives_the_import_banner(tmp_path):
    root = reference_package(tmp_path / "p")
    outcome = CliRunner().invoke(
        cli,
        ["--project-dir", str(root), "benchmark", "baseline", "--backend", "tinytorch", "--json"],
        catch_exceptions=False,
    )
    assert outcome.exit_code == 0
    data = json.loads(outcome.stdout)
    assert data["suite_version"] == 2 and data["machine_score"] is not None


def test_the_formulas():
    same = {"tensor_ops": 1.0, "matmul": 2.0, "forward_pass": 3.0}
    assert framework_score(same, same) == 100.0
    slower = {k: v * 1024 for k, v in same.items()}  # ten doublings
    assert framework_score(slower, same) == 0.0
    assert framework_score({k: v * 2 for k, v in same.items()}, same) == 90.0
    reference = {"tensor_ops": 0.00592, "matmul": 0.0196, "forward_pass": 0.00929}
    assert machine_score(reference, 2) == 50.0


def _suite2_doc(backend="tinytorch"):
    """A suite 2 document built from a synthetic (not timed) result."""
    from tinytorch_board.bench.sysinfo import collect

    mine = {"tensor_ops": 0.012, "matmul": 9.5, "forward_pass": 0.21}
    numpy = {"tensor_ops": 0.006, "matmul": 0.02, "forward_pass": 0.009}
    metrics = {}
    for name in mine:
        if backend == "tinytorch":
            metrics[name] = {"median_ms": mine[name], "iqr_ms": 0.001, "runs": 9,
                             "numpy_median_ms": numpy[name], "numpy_iqr_ms": 0.0001,
                             "numpy_runs": 9}  # fmt: skip
        else:
            metrics[name] = {"median_ms": numpy[name], "iqr_ms": 0.0001, "runs": 9}
    machine = machine_score(numpy, 2)
    result = {
        "kind": "baseline",
        "suite_version": 2,
        "backend": backend,
        "metrics": metrics,
        "score": framework_score(mine, numpy) if backend == "tinytorch" else machine,
        "machine_score": machine,
        "created_at": "2026-11-20T10:00:00Z",
        "client_version": "0.1.0",
        "system": collect(),
    }
    return build_submission(result).document


def _problems(doc):
    return [f"{p.path}: {p.message}" for p in check_document(doc, "t")]


@pytest.mark.parametrize("backend", ["tinytorch", "numpy"])
def test_suite2_documents_validate(backend):
    assert _problems(_suite2_doc(backend)) == []


def test_validator_recomputes_both_scores():
    doc = _suite2_doc()
    doc["benchmark"]["score"] += 5
    doc["benchmark"]["machine_score"] -= 5
    found = _problems(doc)
    assert any(p.startswith("$.benchmark.score: ") for p in found), found
    assert any(p.startswith("$.benchmark.machine_score: ") for p in found), found


def test_suite2_tinytorch_needs_the_numpy_times_and_suite1_refuses_them():
    doc = _suite2_doc()
    del doc["benchmark"]["metrics"]["matmul"]["numpy_median_ms"]
    assert any("numpy_median_ms' is required" in p for p in _problems(doc))
    doc = _suite2_doc()
    doc["benchmark"]["suite_version"] = 1
    found = _problems(doc)
    assert any("not allowed in suite 1" in p for p in found), found
    assert any("machine_score: not part of suite 1" in p for p in found), found
    doc = _suite2_doc()
    del doc["benchmark"]["machine_score"]
    assert any("'machine_score' is required" in p for p in _problems(doc))
