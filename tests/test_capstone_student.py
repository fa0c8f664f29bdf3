"""The capstone on the student's own code (the reference-like fixture package).

Settings are the tests' fast ones plus a short training budget; the suite's own sizes
are timed by benchmarks/bench_capstone.py.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from bench_helpers import reference_package
from click.testing import CliRunner

from tinytorch_board.bench import capstone, student
from tinytorch_board.cli import cli

FAST = replace(capstone.tiny_settings(), student_train_budget_s=2.0)


@pytest.fixture(autouse=True)
def forget(monkeypatch):
    monkeypatch.setattr(capstone.tracks, "DEFAULT_SETTINGS", FAST)  # for the CLI runs
    yield
    student._forget_package()


def _run(root):
    return capstone.run_capstone(settings=FAST, backend="tinytorch", project_root=root)


def test_every_track_runs_on_the_students_code(tmp_path):
    result = _run(reference_package(tmp_path / "p"))
    implementations = result["details"]["implementation"]
    assert {n: e["implementation"] for n, e in implementations.items()} == {
        "accuracy": "tinytorch",
        "speed": "tinytorch",
        "compression": "tinytorch",
        "efficiency": "tinytorch",
    }
    assert result["details"]["training_backend"] == "tinytorch"
    training = result["details"]["training"]
    assert (
        training["train_steps"] >= 1 and training["train_seconds"] < FAST.student_train_budget_s + 2
    )
    assert "autograd" in implementations["accuracy"]["reason"]
    assert "quantize_int8" in implementations["compression"]["reason"]
    assert result["tracks"]["accuracy"]["metrics"]["train_steps"] == training["train_steps"]
    assert result["tracks"]["accuracy"]["metrics"]["accuracy_pct"] > 30  # it learned


def test_a_broken_optimizer_changes_the_accuracy_track_and_says_so(tmp_path):
    good = _run(reference_package(tmp_path / "good"))
    student._forget_package()
    broken = _run(reference_package(tmp_path / "broken", noop_optimizer=True))
    entry = broken["details"]["implementation"]["accuracy"]
    assert entry["implementation"] == "reference"
    assert "step() left the weights unchanged" in entry["reason"]
    # The fallback trains no longer than the student's own code could have: broken code
    # never earns more training than working code.
    assert "no more than your code's measured speed allows" in entry["reason"]
    steps = broken["tracks"]["accuracy"]["metrics"]["train_steps"]
    assert steps <= good["tracks"]["accuracy"]["metrics"]["train_steps"] * 1.5
    assert broken["details"]["training_backend"] == "reference"
    assert broken["tracks"]["accuracy"] != good["tracks"]["accuracy"]
    # The tracks that do not train keep using the student's code.
    assert broken["details"]["implementation"]["speed"]["implementation"] == "tinytorch"


def test_an_int8_quantizer_that_keeps_float32_saves_nothing_and_is_counted_so(tmp_path):
    root = reference_package(tmp_path / "p")
    path = root / "tinytorch" / "optimization" / "quantization.py"
    path.write_text(
        path.read_text().replace("out.data = q  #", "out.data = q.astype(np.float32)  #")
    )
    fake = _run(root)
    student._forget_package()
    real = _run(reference_package(tmp_path / "real"))
    assert fake["details"]["implementation"]["compression"]["implementation"] == "tinytorch"
    ratio = fake["tracks"]["compression"]["metrics"]["size_ratio"]
    assert ratio < real["tracks"]["compression"]["metrics"]["size_ratio"] / 2


def test_the_cli_says_whose_code_ran_and_celebrates_only_that(tmp_path):
    root = reference_package(tmp_path / "p", noop_optimizer=True)
    outcome = CliRunner().invoke(
        cli,
        ["--project-dir", str(root), "benchmark", "capstone", "--track", "accuracy", "--no-prompt"],
        catch_exceptions=False,
    )
    text = " ".join(outcome.output.split())
    assert "step() left the weights unchanged" in text
    assert "trained a model with your own" not in text


def test_json_stays_clean_and_a_hanging_call_is_cut_off(tmp_path, monkeypatch):
    root = reference_package(tmp_path / "p")
    outcome = CliRunner().invoke(
        cli,
        ["--project-dir", str(root), "benchmark", "capstone", "--track", "speed", "--json"],
        catch_exceptions=False,
    )
    assert json.loads(outcome.stdout)["kind"] == "capstone"  # the import banner was captured
    with pytest.raises(student.GuestTimeout), student.time_limit(0.2):
        while True:
            pass


def test_the_students_pruner_is_used_and_a_wrong_one_falls_back(tmp_path):
    good = _run(reference_package(tmp_path / "good"))
    assert (
        "pruning by your tinytorch.optimization.compression.magnitude_prune"
        in (good["details"]["implementation"]["compression"]["reason"])
    )
    student._forget_package()
    root = reference_package(tmp_path / "bad")
    path = root / "tinytorch" / "optimization" / "compression.py"
    path.write_text(path.read_text().replace("sparsity * 100)", "sparsity * 10)"))
    bad = _run(root)
    reason = bad["details"]["implementation"]["compression"]["reason"]
    assert "magnitude pruning by the reference" in reason
    assert "zeroed 5% of the weights, not about 50%" in reason
