"""TinyTorch's progress files: merged sensibly, bad ones warned about, never modified."""

from __future__ import annotations

from pathlib import Path

import pytest
from community_helpers import invoke, new_project, put, sample_progress, tinytorch_files

from tinytorch_board.local.progress import parse_when, read_progress
from tinytorch_board.local.project import Project


@pytest.fixture
def tt_project(tmp_path: Path) -> Path:
    return new_project(tmp_path)


def test_no_files_means_no_progress_and_no_warnings(tt_project):
    summary = read_progress(Project(tt_project))
    assert summary.modules_completed == set()
    assert summary.milestones_completed == set()
    assert summary.warnings == []
    assert summary.sources == []


def test_documented_shapes_merge(tt_project):
    sample_progress(tt_project)
    summary = read_progress(Project(tt_project))
    assert summary.warnings == []
    # "01".."03" from progress.json, 1 and 2 from .tito/progress.json
    assert summary.modules_completed == {"01", "02", "03"}
    assert summary.modules_started == {"02", "03"}
    assert summary.module_dates == {"01": "2026-11-16T10:00:00", "02": "2026-11-17T11:00:00"}
    assert summary.last_worked == "03"
    assert summary.last_completed == "03"
    assert summary.milestones_completed == {"01"}
    assert summary.milestones_unlocked == {"01", "02"}
    assert summary.milestone_dates == {"01": "2026-11-18T15:00:00"}
    assert summary.milestone_unlock_dates["02"] == "2026-11-18T16:00:00"
    assert summary.tito_config == {"logo_theme": "standard"}
    assert len(summary.sources) == 4


def test_a_module_is_complete_if_either_file_says_so(tt_project):
    put(tt_project / "progress.json", {"completed_modules": ["03"]})
    put(tt_project / ".tito" / "progress.json", {"completed_modules": [5]})
    assert read_progress(Project(tt_project)).modules_completed == {"03", "05"}


@pytest.mark.parametrize("spelling", ["01", 1, "1", "01_tensor", " 01 "])
def test_module_id_spellings(tt_project, spelling):
    put(tt_project / ".tito" / "progress.json", {"completed_modules": [spelling]})
    summary = read_progress(Project(tt_project))
    assert summary.modules_completed == {"01"}
    assert summary.warnings == []


def test_dates_come_from_whichever_file_has_them(tt_project):
    put(
        tt_project / "progress.json",
        {
            "completed_modules": ["01", "03"],
            "completion_dates": {"01": "2026-09-01", "03": "2026-09-09"},
        },
    )
    put(
        tt_project / ".tito" / "progress.json",
        {"completed_modules": [1], "completion_dates": {"1": "2026-09-02T08:00:00"}},
    )
    summary = read_progress(Project(tt_project))
    # .tito/progress.json is TinyTorch's dated record, so it wins where both have a date.
    assert summary.module_dates == {"01": "2026-09-02T08:00:00", "03": "2026-09-09"}


def test_a_date_alone_does_not_complete_a_module(tt_project):
    put(
        tt_project / ".tito" / "progress.json",
        {"completed_modules": [1], "completion_dates": {"1": "2026-09-02", "4": "2026-09-03"}},
    )
    summary = read_progress(Project(tt_project))
    assert summary.modules_completed == {"01"}
    assert summary.module_dates == {"01": "2026-09-02"}


def test_legacy_object_of_flags_and_completed_milestones_count_as_unlocked(tt_project):
    put(tt_project / "progress.json", {"completed_modules": {"01": True, "02": False}})
    put(tt_project / ".tito" / "milestones.json", {"completed_milestones": ["02"]})
    summary = read_progress(Project(tt_project))
    assert summary.modules_completed == {"01"}
    assert summary.milestones_unlocked == {"02"}


ROOT = "progress.json"
TITO = ".tito/progress.json"
MILESTONES = ".tito/milestones.json"
CONFIG = ".tito/config.json"

# (file, content written there, a fragment of the one warning expected)
MALFORMED = [
    pytest.param(ROOT, '{"completed_modules": ["01", "0', "not valid JSON", id="root-truncated"),
    pytest.param(ROOT, "", "not valid JSON", id="root-empty"),
    pytest.param(ROOT, ["01", "02"], "expected a JSON object, found array", id="root-list"),
    pytest.param(ROOT, '{"completed_modules": [NaN]}', "not valid JSON", id="root-nan"),
    pytest.param(
        ROOT, '{"completed_modules": [], "completed_modules": ["01"]}', "duplicate key", id="dup"
    ),
    pytest.param(ROOT, b"\xff\xfe{}", "not UTF-8", id="root-binary"),
    pytest.param(TITO, '{"completed_modules": [1, 2', "not valid JSON", id="tito-truncated"),
    pytest.param(TITO, "[1, 2, 3]", "expected a JSON object, found array", id="tito-list"),
    pytest.param(TITO, '"1,2"', "expected a JSON object, found string", id="tito-string"),
    pytest.param(
        TITO, {"completed_modules": "1,2,3"}, "'completed_modules' should be a list", id="ids-str"
    ),
    pytest.param(
        TITO, {"completed_modules": ["one"]}, "unknown module id 'one'", id="words-for-numbers"
    ),
    pytest.param(TITO, {"completed_modules": [42]}, "unknown module id 42", id="unknown-id"),
    pytest.param(TITO, {"completed_modules": [1.5]}, "1.5, which is not a module id", id="float"),
    pytest.param(TITO, {"completed_modules": [None]}, "None, which is not a module id", id="null"),
    pytest.param(TITO, {"completed_modules": [True]}, "True, which is not a module id", id="bool"),
    pytest.param(TITO, {"completed_modules": [[1]]}, "[1], which is not a module id", id="nested"),
    pytest.param(
        TITO,
        {"completed_modules": [1], "completion_dates": ["2026-01-01"]},
        "'completion_dates' should be an object",
        id="dates-list",
    ),
    pytest.param(
        TITO,
        {"completed_modules": [1], "completion_dates": {"1": 1700000000}},
        "'completion_dates' for module 01 is not an ISO 8601 date: 1700000000",
        id="date-number",
    ),
    pytest.param(
        TITO,
        {"completed_modules": [1], "completion_dates": {"1": "last tuesday"}},
        "not an ISO 8601 date: 'last tuesday'",
        id="date-words",
    ),
    pytest.param(MILESTONES, '{"completed_milestones": ["0', "not valid JSON", id="ms-truncated"),
    pytest.param(MILESTONES, [["01"]], "expected a JSON object, found array", id="ms-list"),
    pytest.param(
        MILESTONES, {"completed_milestones": ["07"]}, "unknown milestone id '07'", id="ms-unknown"
    ),
    pytest.param(
        MILESTONES,
        {"completed_milestones": [], "unlocked_milestones": 3},
        "'unlocked_milestones' should be a list of milestone ids, found a number",
        id="ms-count-for-list",
    ),
    pytest.param(CONFIG, '{"logo_theme": ', "not valid JSON", id="config-truncated"),
    pytest.param(CONFIG, ["standard"], "expected a JSON object, found array", id="config-list"),
]


def _write_over_sample(project: Path, name: str, content: object) -> None:
    sample_progress(project)
    path = project / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        put(path, content)


@pytest.mark.parametrize(("name", "content", "fragment"), MALFORMED)
def test_malformed_file_gives_one_line_warning_and_the_rest_still_counts(
    tt_project, name, content, fragment
):
    _write_over_sample(tt_project, name, content)
    before = tinytorch_files(tt_project)
    summary = read_progress(Project(tt_project))
    assert len(summary.warnings) == 1, summary.warnings
    warning = summary.warnings[0]
    assert str(tt_project / name) in warning
    assert fragment in warning
    assert "\n" not in warning
    # What the other files say still counts.
    if name != ROOT:
        assert {"01", "02", "03"} <= summary.modules_completed
    if name != TITO:
        assert summary.module_dates["01"] == "2026-11-16T10:00:00"
    if name != MILESTONES:
        assert summary.milestones_completed == {"01"}
    # Read only: not a byte changed, nothing removed.
    assert tinytorch_files(tt_project) == before


def test_one_bad_entry_does_not_spoil_its_list(tt_project):
    put(tt_project / ".tito" / "progress.json", {"completed_modules": [1, "x", 3, 99]})
    summary = read_progress(Project(tt_project))
    assert summary.modules_completed == {"01", "03"}
    assert len(summary.warnings) == 2


@pytest.mark.parametrize(
    "command",
    [
        ["community", "join", "--yes"],
        ["community", "profile"],
        ["community", "update", "--yes"],
        ["community", "stats"],
        ["export"],
    ],
    ids=lambda c: " ".join(c),
)
@pytest.mark.parametrize(
    ("name", "content"),
    [(ROOT, "[1, 2"), (TITO, ["not", "an", "object"]), (MILESTONES, {"completed_milestones": 7})],
    ids=["truncated", "list", "wrong-type"],
)
def test_commands_still_work_with_a_malformed_file(tt_project, command, name, content):
    _write_over_sample(tt_project, name, content)
    if command[:2] != ["community", "join"]:
        assert invoke(tt_project, "community", "join", "--yes").exit_code == 0
    before = tinytorch_files(tt_project)
    result = invoke(tt_project, *command)
    assert result.exit_code == 0, result.output
    assert f"warning: {tt_project / name}" in result.stderr
    assert tinytorch_files(tt_project) == before


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2025-11-16T10:00:00", True),
        ("2025-11-22T11:47:59.625329", True),
        ("2026-09-02", True),
        ("2026-09-02T08:00:00Z", True),
        ("2026-09-02T08:00:00+02:00", True),
        ("", False),
        ("yesterday", False),
        (20260902, False),
        (None, False),
    ],
)
def test_parse_when(text, ok):
    assert (parse_when(text) is not None) is ok
