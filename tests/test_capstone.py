"""The capstone suite on tiny settings: tracks, backends, result document, validator, CLI."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from bench_helpers import write_student
from click.testing import CliRunner

from tinytorch_board.bench import capstone, student
from tinytorch_board.cli import cli
from tinytorch_board.local.results import load_result, result_files
from tinytorch_board.submission.builder import build_submission
from tinytorch_board.submission.score import CAPSTONE_TRACKS, capstone_track_score
from tinytorch_board.submission.validator import check_document

TINY = capstone.tiny_settings()


@pytest.fixture(autouse=True)
def tiny(monkeypatch):
    monkeypatch.setattr(capstone.tracks, "DEFAULT_SETTINGS", TINY)  # what run_capstone reads
    yield
    student._forget_package()


@pytest.fixture(scope="module")
def full_numpy_result() -> dict:
    return capstone.run_capstone(settings=TINY, backend="numpy")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / ".tito").mkdir(parents=True)
    return root


def test_every_track_runs_and_scores_from_its_own_metrics(full_numpy_result):
    result = full_numpy_result
    assert result["kind"] == "capstone" and result["backend"] == "numpy"
    for name in CAPSTONE_TRACKS:
        track = result["tracks"][name]
        assert track is not None, result["details"]["not_run"]
        assert 0 <= track["score"] <= 100
        assert track["score"] == capstone_track_score(name, track["metrics"], 1)
    scores = [t["score"] for t in result["tracks"].values()]
    assert result["score"] == round(sum(scores) / 4, 1)
    assert result["details"]["inference_backend"] == dict.fromkeys(CAPSTONE_TRACKS, "numpy")


def test_tracks_measure_what_they_claim(full_numpy_result):
    tracks = full_numpy_result["tracks"]
    assert 30 < tracks["accuracy"]["metrics"]["accuracy_pct"] <= 100  # well above chance (10)
    speed = tracks["speed"]["metrics"]
    assert 0 < speed["latency_p50_ms"] <= speed["latency_p90_ms"] <= speed["latency_p99_ms"]
    assert speed["throughput_sps"] > 0
    compression = tracks["compression"]["metrics"]
    assert compression["size_ratio"] > 3  # int8 alone is almost 4x (scales cost a little)
    assert compression["original_kb"] / compression["compressed_kb"] == pytest.approx(
        compression["size_ratio"], rel=1e-3
    )
    efficiency = tracks["efficiency"]["metrics"]
    assert efficiency["size_ratio"] > compression["size_ratio"] / 2
    assert efficiency["speedup"] > 0


def test_a_capstone_result_becomes_a_valid_submission(full_numpy_result):
    doc = build_submission(full_numpy_result).document
    assert check_document(doc, "t") == []
    assert set(doc["benchmark"]["tracks"]) == set(CAPSTONE_TRACKS)


@pytest.mark.parametrize(
    "tamper, message",
    [
        (lambda b: b["tracks"]["speed"].update(score=99.0), "does not match the metrics"),
        (lambda b: b.update(score=1.0), "is not the mean of the track scores"),
        (lambda b: b["tracks"]["accuracy"]["metrics"].pop("accuracy_pct"), "missing metric"),
        (lambda b: b["tracks"]["compression"]["metrics"].update(size_ratio=-2.0), "positive"),
    ],
)
def test_the_validator_recomputes_capstone_scores(full_numpy_result, tamper, message):
    doc = copy.deepcopy(build_submission(full_numpy_result).document)
    tamper(doc["benchmark"])
    problems = check_document(doc, "t")
    assert any(message in p.message for p in problems), problems


def test_a_single_track_leaves_the_others_null_with_a_reason():
    result = capstone.run_capstone(("speed",), settings=TINY, backend="numpy")
    assert result["tracks"]["speed"] is not None
    assert [n for n, t in result["tracks"].items() if t is None] == [
        "accuracy",
        "compression",
        "efficiency",
    ]
    assert result["details"]["not_run"]["accuracy"] == "not requested"
    assert result["score"] == result["tracks"]["speed"]["score"]
    assert check_document(build_submission(result).document, "t") == []


def test_a_failing_track_is_null_and_says_why(monkeypatch):
    def broken(ctx):
        raise RuntimeError("out of cheese")

    monkeypatch.setitem(capstone.TRACK_RUNNERS, "speed", broken)
    result = capstone.run_capstone(("speed", "accuracy"), settings=TINY, backend="numpy")
    assert result["tracks"]["speed"] is None
    assert result["details"]["not_run"]["speed"] == "failed: RuntimeError: out of cheese"
    assert result["score"] == result["tracks"]["accuracy"]["score"]


def test_the_student_forward_pass_is_used_when_it_matches_numpy(project):
    write_student(project, "complete")
    result = capstone.run_capstone(
        ("accuracy", "speed"), settings=TINY, backend="auto", project_root=project
    )
    assert result["backend"] == "tinytorch"
    assert result["details"]["inference_backend"] == {"accuracy": "tinytorch", "speed": "tinytorch"}
    reference = capstone.run_capstone(("accuracy",), settings=TINY, backend="numpy")
    assert (
        result["tracks"]["accuracy"]["metrics"]["accuracy_pct"]
        == reference["tracks"]["accuracy"]["metrics"]["accuracy_pct"]
    )


@pytest.mark.parametrize(
    "variant, note",
    [
        ("wrong", "your forward pass was not used"),
        ("partial", "your forward pass was not used (Linear: "),
    ],
)
def test_numpy_runs_the_model_when_the_student_pieces_cannot(project, variant, note):
    write_student(project, variant)
    result = capstone.run_capstone(
        ("speed",), settings=TINY, backend="tinytorch", project_root=project
    )
    assert result["backend"] == "numpy"
    assert result["details"]["notes"][0].startswith(note)
    assert result["tracks"]["speed"] is not None


def test_dataset_and_training_are_deterministic():
    a, b = capstone.make_dataset(TINY), capstone.make_dataset(TINY)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)
    assert set(np.unique(a.y_train)) == set(range(TINY.classes))
    p1 = capstone.train(capstone.init_params(TINY), a, 1, TINY)
    p2 = capstone.train(capstone.init_params(TINY), a, 1, TINY)
    assert all(np.array_equal(w1, w2) for (w1, _), (w2, _) in zip(p1, p2, strict=True))


def test_int8_quantization_error_is_at_most_half_a_step():
    w = np.random.default_rng(0).standard_normal((20, 7)).astype(np.float32)
    q = capstone.quantize_int8(w)
    step = np.max(np.abs(w), axis=0) / 127
    assert np.all(np.abs(q - w) <= step / 2 + 1e-6)
    assert len(np.unique(np.round(q / step))) <= 255


@pytest.mark.parametrize("sparsity", [0.5, 0.8])
def test_magnitude_pruning_removes_the_smallest_weights(sparsity):
    w = np.random.default_rng(1).standard_normal((40, 25)).astype(np.float32)
    [(pruned, _)] = capstone.magnitude_prune([(w, np.zeros(25, np.float32))], sparsity)
    assert np.mean(pruned == 0) == pytest.approx(sparsity, abs=0.01)
    assert np.min(np.abs(w[pruned != 0])) >= np.max(np.abs(w[pruned == 0]))


def test_storage_accounting():
    params = [(np.ones((8, 4), np.float32), np.zeros(4, np.float32))]
    assert capstone.fp32_bytes(params) == 4 * (32 + 4)
    assert capstone.int8_bytes(params, sparse=False) == 32 + 4 * 4 + 4 * 4
    params[0][0][:4] = 0  # half the weights pruned: 16 bytes + a 4-byte mask
    assert capstone.int8_bytes(params, sparse=True) == 16 + 4 + 16 + 16


def test_structured_pruning_shrinks_hidden_layers_consistently():
    params = capstone.init_params(TINY)
    small = capstone.structured_prune(params, 0.5)
    assert [w.shape for w, _ in small] == [(64, 16), (16, 16), (16, 10)]
    x = np.ones((3, 64), np.float32)
    assert capstone.forward_numpy(small, x).shape == (3, 10)


def test_cli_capstone_json_saves_a_capstone_file(project):
    outcome = CliRunner().invoke(
        cli,
        ["--project-dir", str(project), "benchmark", "capstone", "--track", "accuracy", "--json"],
        catch_exceptions=False,
    )
    assert outcome.exit_code == 0, outcome.output
    printed = json.loads(outcome.stdout)
    [path] = result_files(project / ".tito" / "benchmarks")
    assert path.name.startswith("capstone_")
    assert load_result(path) == printed
    assert printed["tracks"]["accuracy"]["score"] > 0


def test_cli_capstone_table_names_tracks_that_did_not_run(project):
    outcome = CliRunner().invoke(
        cli,
        ["--project-dir", str(project), "benchmark", "capstone", "--track", "speed"],
        catch_exceptions=False,
    )
    text = " ".join(outcome.output.split())
    assert "not run: not requested" in text
    assert "Capstone score:" in text and "mean of the 1 track that ran" in text


def test_the_schema_documents_every_metric_each_track_writes(full_numpy_result):
    from tinytorch_board.submission.validator import schema

    tracks = schema()["properties"]["benchmark"]["properties"]["tracks"]["properties"]
    for name, track in full_numpy_result["tracks"].items():
        for metric in track["metrics"]:
            assert metric in tracks[name]["description"], (name, metric)
