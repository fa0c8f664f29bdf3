"""`export`: the combined progress document, with streaks computed from completion dates."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from community_helpers import invoke, new_project, put, sample_progress, tinytorch_files

from tinytorch_board.local.export import (
    activity_days,
    build_export,
    current_streak,
    longest_streak,
    nth_completion,
)
from tinytorch_board.local.progress import read_progress
from tinytorch_board.local.project import Project

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def tt_project(tmp_path: Path) -> Path:
    return new_project(tmp_path)


def days(*texts: str) -> list[date]:
    return [date.fromisoformat(t) for t in texts]


@pytest.mark.parametrize(
    ("dates", "longest"),
    [
        ([], 0),
        (["2026-11-01"], 1),
        (["2026-11-01", "2026-11-02", "2026-11-03"], 3),
        (["2026-11-01", "2026-11-03", "2026-11-04"], 2),
        (["2026-10-31", "2026-11-01", "2026-11-05", "2026-11-06", "2026-11-07"], 3),
        (["2024-02-28", "2024-02-29", "2024-03-01"], 3),  # leap day
    ],
)
def test_longest_streak(dates, longest):
    assert longest_streak(days(*dates)) == longest


@pytest.mark.parametrize(
    ("dates", "today", "current"),
    [
        ([], "2026-11-22", 0),
        (["2026-11-20", "2026-11-21", "2026-11-22"], "2026-11-22", 3),
        (["2026-11-20", "2026-11-21"], "2026-11-22", 2),  # yesterday still counts
        (["2026-11-19", "2026-11-20"], "2026-11-22", 0),  # a missed day ends it
        (["2026-11-15", "2026-11-21", "2026-11-22"], "2026-11-22", 2),
    ],
)
def test_current_streak(dates, today, current):
    assert current_streak(days(*dates), date.fromisoformat(today)) == current


def test_activity_days_uses_the_calendar_day_as_written_and_dedupes():
    stamps = ["2026-11-16T23:59:00", "2026-11-16T08:00:00", "2026-11-17", "2026-11-18T01:00:00Z"]
    assert activity_days(stamps) == days("2026-11-16", "2026-11-17", "2026-11-18")


def test_nth_completion_orders_by_time_not_by_id():
    dates = {"01": "2026-11-03T10:00:00", "02": "2026-11-01T10:00:00", "03": "2026-11-02"}
    assert nth_completion(dates, 1) == "2026-11-01T10:00:00"
    assert nth_completion(dates, 3) == "2026-11-03T10:00:00"
    assert nth_completion(dates, 4) is None


def test_export_of_the_documented_files(tt_project):
    sample_progress(tt_project)
    document = build_export(read_progress(Project(tt_project)), "uid", NOW, date(2026, 11, 19))
    assert document["version"] == "1.0"
    assert document["user_id"] == "uid"
    assert document["timestamp"] == "2026-11-22T12:00:00Z"
    modules = document["module_progress"]
    assert modules == {
        "total_modules": 20,
        "completed_count": 3,
        "completed_modules": [1, 2, 3],
        "completion_dates": {"1": "2026-11-16T10:00:00", "2": "2026-11-17T11:00:00"},
        "last_worked": "03",
        "last_completed": "03",
        "completion_percentage": 15,
        "module_names": {"1": "Tensor", "2": "Activations", "3": "Layers"},
    }
    milestones = document["milestone_progress"]
    assert milestones["total_milestones"] == 6
    assert milestones["unlocked_count"] == 2
    assert milestones["completed_count"] == 1
    assert milestones["unlocked_milestones"] == [
        {
            "id": "01",
            "name": "1957: Perceptron",
            "unlocked_at": "2026-11-16T10:30:00",
            "completed": True,
            "completed_at": "2026-11-18T15:00:00",
        },
        {
            "id": "02",
            "name": "1969: XOR Crisis",
            "unlocked_at": "2026-11-18T16:00:00",
            "completed": False,
            "completed_at": None,
        },
    ]
    assert [m["id"] for m in milestones["locked_milestones"]] == ["03", "04", "05", "06"]
    assert document["statistics"] == {
        "modules_per_day": 1.0,  # 2 dated modules over 2 days
        "current_streak_days": 3,  # 16th, 17th (modules), 18th (milestone); today the 19th
        "longest_streak_days": 3,
        "active_days": 3,
        "first_activity": "2026-11-16",
        "last_activity": "2026-11-18",
        "modules_without_dates": 1,
    }
    assert document["achievements"] == {
        "first_module": "2026-11-16T10:00:00",
        "first_milestone": "2026-11-18T15:00:00",
        "halfway_point": None,
        "all_modules": None,
        "all_milestones": None,
    }


def test_export_of_a_finished_course(tt_project):
    start = datetime(2026, 9, 1, 9, 0)
    dates = {str(n): (start + timedelta(days=2 * n)).isoformat() for n in range(1, 21)}
    put(
        tt_project / ".tito" / "progress.json",
        {"completed_modules": list(range(1, 21)), "completion_dates": dates},
    )
    milestone_dates = {f"0{n}": (start + timedelta(days=8 * n)).isoformat() for n in range(1, 7)}
    put(
        tt_project / ".tito" / "milestones.json",
        {"completed_milestones": list(milestone_dates), "completion_dates": milestone_dates},
    )
    document = build_export(read_progress(Project(tt_project)), None, NOW, date(2026, 11, 22))
    assert document["module_progress"]["completion_percentage"] == 100
    assert document["module_progress"]["last_completed"] == "20"  # from the dates
    assert document["achievements"]["halfway_point"] == dates["10"]
    assert document["achievements"]["all_modules"] == dates["20"]
    assert document["achievements"]["all_milestones"] == milestone_dates["06"]
    stats = document["statistics"]
    assert stats["modules_per_day"] == round(20 / 39, 2)  # 20 modules from day 2 to day 40
    assert stats["longest_streak_days"] == 1
    assert stats["current_streak_days"] == 0
    assert document["milestone_progress"]["locked_milestones"] == []


def test_export_command_prints_the_document_with_the_anonymous_id(tt_project):
    sample_progress(tt_project)
    invoke(tt_project, "community", "join", "--yes")
    profile = json.loads((tt_project / ".tinytorch/community/profile.json").read_text())
    result = invoke(tt_project, "export")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["user_id"] == profile["anonymous_id"]
    side = json.loads((tt_project / ".tinytorch/community/board.json").read_text())
    assert side["public_id"] not in result.stdout
    assert document["module_progress"]["completed_modules"] == [1, 2, 3]
    assert result.stderr == ""


def test_export_out_writes_the_file_atomically_and_says_nothing_was_sent(tt_project, tmp_path):
    sample_progress(tt_project)
    before = tinytorch_files(tt_project)
    out = tmp_path / "exports" / "progress.json"
    result = invoke(tt_project, "export", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}: 3/20 modules, 1/6 milestones. Nothing was sent." in result.stdout
    text = out.read_text(encoding="utf-8")
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert document["milestone_progress"]["completed_count"] == 1
    assert list(out.parent.iterdir()) == [out]  # no temp file left behind
    assert tinytorch_files(tt_project) == before


def test_export_without_a_profile_has_a_null_user_id_and_says_why(tt_project):
    result = invoke(tt_project, "export")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["user_id"] is None
    assert "community join" in result.stderr


def test_export_with_a_corrupt_profile_still_exports(tt_project):
    put(tt_project / ".tinytorch/community/profile.json", '{"profile_version": 1, "anonymous_id"')
    sample_progress(tt_project)
    result = invoke(tt_project, "export")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["module_progress"]["completed_count"] == 3
    assert "profile ignored, user_id left null" in result.stderr


def test_export_out_refuses_a_directory(tt_project, tmp_path):
    result = invoke(tt_project, "export", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "is a directory" in result.output
