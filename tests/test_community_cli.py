"""`community join|update|leave|profile` through the real CLI, in real temp projects."""

from __future__ import annotations

import getpass
import json
import socket
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from community_helpers import (
    add_result,
    invoke,
    new_project,
    put,
    run_json,
    sample_progress,
    tinytorch_files,
)

from tinytorch_board.cli import _util
from tinytorch_board.local.profile import PRIVACY_NOTICE, cohort_for


@pytest.fixture
def tt_project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setattr(_util, "is_interactive", lambda: False)
    return new_project(tmp_path)


@pytest.fixture
def tty(monkeypatch):
    """Pretend a person is at the terminal (answers come from `input=`)."""
    monkeypatch.setattr(_util, "is_interactive", lambda: True)


def profile_path(project: Path) -> Path:
    return project / ".tinytorch" / "community" / "profile.json"


def read_profile(project: Path) -> dict:
    return json.loads(profile_path(project).read_text(encoding="utf-8"))


def read_side(project: Path) -> dict:
    """Ours beside the profile: the ids and progress tito's shape has no place for."""
    return json.loads((profile_path(project).parent / "board.json").read_text(encoding="utf-8"))


def is_uuid4(value: str) -> bool:
    return uuid.UUID(value).version == 4 and str(uuid.UUID(value)) == value


# --- join ------------------------------------------------------------------------------


def test_join_without_flags_or_terminal_stores_ids_cohort_and_no_answers(tt_project):
    sample_progress(tt_project)
    result = invoke(tt_project, "community", "join")
    assert result.exit_code == 0, result.output
    profile, side = read_profile(tt_project), read_side(tt_project)
    assert "profile_version" not in profile and "public_id" not in profile  # tito's shape
    assert is_uuid4(profile["anonymous_id"]) and is_uuid4(side["public_id"])
    assert profile["anonymous_id"] != side["public_id"]
    joined = datetime.strptime(profile["joined_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert abs((datetime.now(timezone.utc).replace(tzinfo=None) - joined).total_seconds()) < 60
    assert profile["location"] == {"country": None}
    assert profile["institution"] == {"name": None, "type": None}
    expected_cohort = cohort_for(joined)
    assert profile["context"] == {
        "course_type": None,
        "experience_level": None,
        "cohort": expected_cohort,
    }
    assert side["progress"]["completed_modules"] == ["01", "02", "03"]
    assert set(profile["progress"]) == {
        "setup_verified",
        "milestones_passed",
        "modules_completed",
        "capstone_score",
    }
    assert profile["progress"]["modules_completed"] == 3
    assert profile["progress"]["milestones_passed"] == 1
    assert profile["progress"]["setup_verified"] is False
    assert f"part of the {expected_cohort} cohort" in result.output
    # The privacy text comes first, before the welcome.
    notice = PRIVACY_NOTICE.format(path=profile_path(tt_project))
    assert result.output.index(notice) < result.output.index("Welcome")


def test_join_with_flags_stores_exactly_what_was_typed(tt_project):
    result = invoke(
        tt_project,
        "community",
        "join",
        "--country",
        "de",
        "--institution",
        "  TU   München ",
        "--course-type",
        "University",
        "--experience",
        "beginner",
    )
    assert result.exit_code == 0, result.output
    profile = read_profile(tt_project)
    assert profile["location"] == {"country": "DE"}
    assert profile["institution"] == {"name": "TU München", "type": None}
    assert profile["context"]["course_type"] == "university"
    assert profile["context"]["experience_level"] == "beginner"


def test_profile_files_are_deterministic_json(tt_project):
    invoke(tt_project, "community", "join")
    # profile.json as tito writes it (indent 2, its key order); board.json ours (sorted)
    text = profile_path(tt_project).read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    assert list(json.loads(text))[:3] == ["anonymous_id", "joined_at", "location"]
    side = (profile_path(tt_project).parent / "board.json").read_text(encoding="utf-8")
    assert side == json.dumps(json.loads(side), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_profile_holds_nothing_about_the_machine(tt_project):
    invoke(tt_project, "community", "join", "--yes")
    text = profile_path(tt_project).read_text(encoding="utf-8")
    for secret in {getpass.getuser(), socket.gethostname(), str(tt_project)}:
        assert secret not in text


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--country", "Germany", "not a two-letter ISO 3166-1 code"),
        ("--country", "XX", "not a two-letter ISO 3166-1 code"),
        ("--course-type", "online", "not one of: university, bootcamp, self-paced, other"),
        ("--experience", "guru", "not one of: beginner, intermediate, advanced, expert"),
        ("--institution", "x" * 101, "keep it under 101"),
        ("--institution", "Evil\x1b[31m", "control characters"),
    ],
)
def test_join_refuses_bad_answers_and_stores_nothing(tt_project, flag, value, message):
    result = invoke(tt_project, "community", "join", flag, value)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not profile_path(tt_project).exists()


def test_joining_twice_says_so_and_changes_nothing(tt_project):
    invoke(tt_project, "community", "join", "--country", "IN")
    before = profile_path(tt_project).read_bytes()
    result = invoke(tt_project, "community", "join", "--country", "US")
    assert result.exit_code == 1
    assert "you already joined on" in result.output
    assert "community update" in result.output
    assert profile_path(tt_project).read_bytes() == before


def test_join_over_a_corrupt_profile_refuses_keeps_it_and_backs_it_up(tt_project):
    put(profile_path(tt_project), '{"profile_version": 1, "anonym')
    result = invoke(tt_project, "community", "join")
    assert result.exit_code == 1
    assert "cannot be read" in result.output and "left as it is" in result.output
    for advice in ("leave", "remove", "delete"):
        assert advice not in result.output
    assert profile_path(tt_project).read_text() == '{"profile_version": 1, "anonym'
    copies = list(profile_path(tt_project).parent.glob("profile.json.unreadable-*"))
    assert len(copies) == 1 and copies[0].name in result.output
    assert copies[0].read_text() == '{"profile_version": 1, "anonym'
    invoke(tt_project, "community", "profile")  # a second read: still one copy
    assert len(list(profile_path(tt_project).parent.glob("profile.json.unreadable-*"))) == 1


def test_join_json_keeps_stdout_parseable_and_notice_on_stderr(tt_project):
    result = invoke(tt_project, "community", "join", "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["joined"] is True
    assert document["profile"] == read_profile(tt_project)
    assert "Nothing is sent anywhere" in result.stderr


def test_join_in_a_terminal_asks_each_question_after_the_privacy_text(tt_project, tty):
    answers = "ZZ\nde\nMIT\n\nexpert\ny\n"  # bad country re-asked; course type skipped
    result = invoke(tt_project, "community", "join", input=answers)
    assert result.exit_code == 0, result.output
    output = result.output
    assert output.index("Nothing is sent anywhere") < output.index("Country (")
    assert "not a two-letter ISO 3166-1 code" in output
    profile = read_profile(tt_project)
    assert profile["location"]["country"] == "DE"
    assert profile["institution"]["name"] == "MIT"
    assert profile["context"]["course_type"] is None
    assert profile["context"]["experience_level"] == "expert"


def test_join_in_a_terminal_saves_nothing_when_declined(tt_project, tty):
    result = invoke(tt_project, "community", "join", input="\n\n\n\nn\n")
    assert result.exit_code == 0
    assert "Nothing was saved." in result.output
    assert not profile_path(tt_project).exists()
    assert not (tt_project / ".tinytorch").exists()


@pytest.mark.parametrize("args", [["--yes"], ["--country", "FR"], ["--json"]])
def test_join_in_a_terminal_asks_nothing_with_flags(tt_project, tty, args):
    # No input is available: a prompt would abort.
    result = invoke(tt_project, "community", "join", *args, input="")
    assert result.exit_code == 0, result.output
    assert "Country (" not in result.output
    assert profile_path(tt_project).exists()


# --- update --------------------------------------------------------------------------


def test_update_before_join_says_how_to_join(tt_project):
    result = invoke(tt_project, "community", "update", "--country", "US")
    assert result.exit_code == 1
    assert "you have not joined yet" in result.output and "community join" in result.output


def test_update_changes_fields_and_refreshes_progress(tt_project):
    invoke(tt_project, "community", "join", "--country", "US", "--institution", "MIT")
    first, first_side = read_profile(tt_project), read_side(tt_project)
    sample_progress(tt_project)
    add_result(tt_project)
    result = invoke(
        tt_project, "community", "update", "--institution", "", "--experience", "advanced"
    )
    assert result.exit_code == 0, result.output
    assert "Updated: institution, experience level." in result.output
    profile, side = read_profile(tt_project), read_side(tt_project)
    for key in ("anonymous_id", "joined_at"):
        assert profile[key] == first[key]
    assert side["public_id"] == first_side["public_id"]
    assert profile["context"]["cohort"] == first["context"]["cohort"]
    assert profile["location"]["country"] == "US"
    assert profile["institution"] == {"name": None, "type": None}
    assert profile["context"]["experience_level"] == "advanced"
    assert profile["progress"]["modules_completed"] == 3
    assert profile["progress"]["setup_verified"] is True
    assert side["progress"]["completed_milestones"] == ["01"]
    assert side["progress"]["benchmark_runs"] == 1


def test_update_without_flags_only_refreshes_progress(tt_project):
    invoke(tt_project, "community", "join", "--country", "US")
    put(tt_project / ".tito" / "progress.json", {"completed_modules": [1, 2, 3, 4, 5]})
    result = invoke(tt_project, "community", "update")
    assert result.exit_code == 0
    assert "No answers changed." in result.output
    assert "5/20 modules" in result.output
    assert read_profile(tt_project)["location"]["country"] == "US"


def test_update_in_a_terminal_offers_current_answers(tt_project, tty):
    invoke(tt_project, "community", "join", "--country", "US", "--course-type", "bootcamp")
    # country: keep; institution: set; course type: clear; experience: set
    result = invoke(tt_project, "community", "update", input="\nETH Zürich\n-\nbeginner\n")
    assert result.exit_code == 0, result.output
    assert "Country [US]" in result.output
    profile = read_profile(tt_project)
    assert profile["location"]["country"] == "US"
    assert profile["institution"]["name"] == "ETH Zürich"
    assert profile["context"]["course_type"] is None
    assert profile["context"]["experience_level"] == "beginner"


def test_update_json(tt_project):
    invoke(tt_project, "community", "join")
    document = run_json(tt_project, "community", "update", "--country", "NG")
    assert document["updated"] == ["country"]
    assert document["profile"]["location"]["country"] == "NG"


TINYTORCH_PROFILE = {
    "anonymous_id": "7d1f3f5e-8a4b-4c2d-9e6f-0a1b2c3d4e5f",
    "joined_at": "2026-09-03T10:30:00",
    "location": {"country": "United States"},
    "institution": {"name": "Harvard University", "type": None},
    "context": {"course_type": "university", "experience_level": "intermediate", "cohort": None},
    "progress": {"setup_verified": False, "milestones_passed": 0, "modules_completed": 0},
    "favourite_colour": "orange",
}


def test_a_profile_written_by_tinytorch_is_read_and_kept_in_its_shape(tt_project):
    put(profile_path(tt_project), TINYTORCH_PROFILE)
    shown = run_json(tt_project, "community", "profile")
    assert shown["written_by_tinytorch"] is True
    assert shown["facts"]["institution"] == "Harvard University"
    joined = invoke(tt_project, "community", "join")
    assert joined.exit_code == 1 and "already joined" in joined.output

    result = invoke(tt_project, "community", "update", "--experience", "advanced")
    assert result.exit_code == 0, result.output
    assert "shape TinyTorch's tito wrote" in result.output
    profile = read_profile(tt_project)
    assert "profile_version" not in profile and "public_id" not in profile
    assert profile["anonymous_id"] == TINYTORCH_PROFILE["anonymous_id"]
    assert profile["institution"] == {"name": "Harvard University", "type": None}
    assert profile["location"]["country"] == "United States"  # kept as written, never lost
    assert profile["context"]["experience_level"] == "advanced"
    assert profile["favourite_colour"] == "orange"
    assert profile["joined_at"] == TINYTORCH_PROFILE["joined_at"]
    assert read_side(tt_project)["public_id"] == shown["public_id"]
    assert run_json(tt_project, "community", "profile")["written_by_tinytorch"] is True


# --- leave ---------------------------------------------------------------------------


def _project_with_everything(project: Path) -> None:
    sample_progress(project)
    add_result(project)
    put(project / ".tinytorch" / "submissions" / "abc.json", {"record_version": 1})
    put(project / ".tinytorch" / "config.json", {"board": {"repo": "o/r"}})
    invoke(project, "community", "join", "--country", "US")


def _files(project: Path) -> set[str]:
    return {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()}


def test_leave_force_removes_only_the_profile_and_our_ids(tt_project):
    _project_with_everything(tt_project)
    before = _files(tt_project)
    result = invoke(tt_project, "community", "leave", "--force")
    assert result.exit_code == 0, result.output
    assert not profile_path(tt_project).exists()
    ours = {".tinytorch/community/profile.json", ".tinytorch/community/board.json"}
    assert _files(tt_project) == before - ours
    assert "Kept: 1 benchmark result(s)" in result.output
    assert "1 submission record(s)" in result.output


def test_leave_without_a_terminal_needs_force(tt_project):
    invoke(tt_project, "community", "join")
    result = invoke(tt_project, "community", "leave")
    assert result.exit_code == 1
    assert "--force" in result.output
    assert profile_path(tt_project).exists()


@pytest.mark.parametrize(("answer", "removed"), [("y\n", True), ("n\n", False), ("\n", False)])
def test_leave_in_a_terminal_asks_first(tt_project, tty, answer, removed):
    invoke(tt_project, "community", "join", "--yes")
    result = invoke(tt_project, "community", "leave", input=answer)
    assert result.exit_code == 0
    assert "Remove " in result.output
    assert profile_path(tt_project).exists() is not removed


def test_leave_when_not_joined_is_harmless(tt_project):
    result = invoke(tt_project, "community", "leave", "--force")
    assert result.exit_code == 0
    assert "You have not joined" in result.output


def test_leave_removes_a_corrupt_profile(tt_project):
    put(profile_path(tt_project), "[]")
    result = invoke(tt_project, "community", "leave", "--force")
    assert result.exit_code == 0
    assert not profile_path(tt_project).exists()


def test_join_again_after_leave_gives_new_ids(tt_project):
    invoke(tt_project, "community", "join")
    first = read_profile(tt_project)["anonymous_id"]
    invoke(tt_project, "community", "leave", "--force")
    invoke(tt_project, "community", "join")
    assert read_profile(tt_project)["anonymous_id"] != first


# --- profile -------------------------------------------------------------------------


def test_profile_table_shows_answers_and_progress(tt_project):
    sample_progress(tt_project)
    invoke(tt_project, "community", "join", "--country", "KE", "--course-type", "self-paced")
    result = invoke(tt_project, "community", "profile")
    assert result.exit_code == 0, result.output
    out = result.output
    profile = read_profile(tt_project)
    for text in (
        profile["anonymous_id"],
        profile["context"]["cohort"],
        "KE",
        "self-paced",
        "3/20",
        "01 Tensor",
        "1/6",
        "1957 Perceptron",
    ):
        assert text in out
    assert "changed since the profile was saved" not in out


def test_profile_notices_progress_that_is_not_saved_yet(tt_project):
    invoke(tt_project, "community", "join")
    sample_progress(tt_project)
    before = profile_path(tt_project).read_bytes()
    result = invoke(tt_project, "community", "profile")
    assert "changed since the profile was saved" in result.output
    assert profile_path(tt_project).read_bytes() == before  # viewing writes nothing
    document = run_json(tt_project, "community", "profile")
    assert document["current_progress"]["modules_completed"] == 3
    assert document["profile"]["progress"]["modules_completed"] == 0


def test_profile_before_join(tt_project):
    result = invoke(tt_project, "community", "profile")
    assert result.exit_code == 1
    assert "community join" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"profile_version": 1,', "not valid JSON"),
        ("[1, 2]", "expected a JSON object, found array"),
        ({"profile_version": 2, "anonymous_id": str(uuid.uuid4())}, "newer than"),
        ({"profile_version": 1, "anonymous_id": "me"}, "'anonymous_id' is not a random"),
        ({"hello": "world"}, "not a profile shape"),
    ],
)
def test_profile_that_cannot_be_used_is_one_clear_line(tt_project, content, message):
    put(profile_path(tt_project), content)
    before = profile_path(tt_project).read_bytes()
    for command in (["profile"], ["update", "--country", "US"]):
        result = invoke(tt_project, "community", *command)
        assert result.exit_code == 1
        assert message in result.output
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert profile_path(tt_project).read_bytes() == before


def test_submit_uses_the_profile_ids_and_cohort(tt_project):
    invoke(tt_project, "community", "join", "--course-type", "bootcamp", "--country", "DE")
    add_result(tt_project)
    profile, side = read_profile(tt_project), read_side(tt_project)
    result = invoke(tt_project, "submit", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)["submission"]
    assert document["participant_id"] == profile["anonymous_id"]
    assert document["community"]["cohort"] == profile["context"]["cohort"]
    assert document["community"]["course_type"] == "bootcamp"
    assert document["visibility"] == "anonymous" and document["public"] is None
    assert side["public_id"] not in json.dumps(document)


def test_commands_never_touch_tinytorch_files(tt_project):
    sample_progress(tt_project)
    before = tinytorch_files(tt_project)
    for args in (["join", "--country", "US"], ["update", "--yes"], ["profile"], ["stats"]):
        assert invoke(tt_project, "community", *args).exit_code == 0
    assert invoke(tt_project, "community", "leave", "--force").exit_code == 0
    assert tinytorch_files(tt_project) == before


@pytest.mark.parametrize("group", ["community", "config", "export"])
def test_help_of_new_commands_imports_nothing_heavy(group):
    import subprocess
    import sys

    code = (
        "import sys; from tinytorch_board.cli import cli\n"
        f"try:\n    cli([{group!r}, '--help'])\nexcept SystemExit:\n    pass\n"
        "print('HEAVY', [m for m in ('numpy', 'jinja2', 'github', 'rich', 'yaml') "
        "if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout
