"""The baseline's closing lines: a welcome the first time, what changed after."""

from tinytorch_board.bench.welcome import change_lines, done_since, welcome_lines

RESULT = {"score": 56.2, "backend": "numpy", "kind": "baseline", "suite_version": 1}


def test_the_first_run_welcomes_with_progress_by_name():
    lines = welcome_lines(RESULT, {"01", "02", "03"}, {"01"}, None, "Next: compare")
    assert lines[0] == "🎉 Welcome to the TinyTorch community board!"
    assert "✅ Modules: 3/20 (Tensor, Activations, Layers)" in lines
    assert "✅ Milestones: 1/6 (1957 Perceptron)" in lines
    assert any(line.startswith("🖥  Your machine: 56.2 / 100  (numpy on this") for line in lines)
    assert lines[-1] == "💡 Next: compare" and len(lines) <= 12


def test_both_scores_are_explained_when_the_result_holds_them():
    result = {**RESULT, "backend": "tinytorch", "score": 41.0, "machine_score": 55.5}
    lines = welcome_lines(result, set(), set(), None, "tip")
    assert any(line.startswith("📊 Your TinyTorch: 41.0 / 100  (your own ops") for line in lines)
    assert any(line.startswith("🖥  Your machine: 55.5 / 100  (numpy on this") for line in lines)
    assert "⬜ Modules: 0/20" in lines and "⬜ Milestones: 0/6" in lines


def test_a_later_run_celebrates_the_change():
    lines = change_lines(
        RESULT, {"score": 50.0}, {"01", "02"}, {"01", "02"}, {"02"}, {"02"}, None, "tip"
    )
    assert lines[0] == "📈 +6.2 since your last run (50.0)"
    assert "🏁 Milestone passed since your last run: 1969 XOR Crisis" in lines
    assert "🧩 1 module completed since your last run" in lines
    assert not any("Welcome" in line for line in lines)


def test_many_modules_show_the_latest_names_and_a_count():
    lines = welcome_lines(RESULT, {f"{i:02d}" for i in range(1, 8)}, set(), None, "tip")
    assert "✅ Modules: 7/20 (4 earlier, then Autograd, Optimizers, Training)" in lines


def test_done_since_compares_tito_dates():
    dates = {"01": "2025-12-02T10:01:00.000000", "02": "2025-12-03T14:20:00.000000"}
    assert done_since(dates, "2025-12-03T00:00:00Z") == {"02"}
    assert done_since(dates, None) == set()


def test_no_celebration_when_the_package_could_not_be_used():
    missing = {"missing_module": {"module": "02", "title": "Activations", "package": "x"}}
    lines = welcome_lines({**RESULT, "details": missing}, set(), set(), None, "tip")
    assert lines[0] == "👋 Welcome to the TinyTorch community board!"
