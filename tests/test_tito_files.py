"""Every shape of file TinyTorch's tito has written, through our commands, and tito after us.

Projects are built from tests/fixtures/tito/ (one file per shape, named by the release
that wrote it; docs/tito-files.md lists them). Each run goes through `community profile`,
`stats`, `update`, `export`, `benchmark baseline`, `compare` and `submit --dry-run` from a
folder inside the project (so the project root is found, not given), then checks three
things: the figures match the files, no identifying value reached a submission, and every
tito file still reads with tito's own key paths, byte for byte unchanged where we had no
reason to write.
"""

from __future__ import annotations

import getpass
import json
import shutil
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import tito_readers
from click.testing import CliRunner
from community_helpers import add_result, distribution_from_demo, write_site

from tinytorch_board.bench import baseline as baseline_module
from tinytorch_board.bench import student
from tinytorch_board.bench.harness import HarnessSettings
from tinytorch_board.cli import _util, cli
from tinytorch_board.curriculum import MILESTONES, module_by_id
from tinytorch_board.local.project import find_project_root

FIXTURES = Path(__file__).parent / "fixtures" / "tito"
QUICK = HarnessSettings(warmup_ms=2, budget_ms=20, min_runs=5, floor_runs=3, target_sample_ms=0.5)

PROFILES = {
    "nested": "community-profile.nested.97e05636.json",
    "nested-updated": "community-profile.nested-updated.97e05636.json",
    "github": "community-profile.github.3e0e22a3.json",
    "none": None,
}
# .tito/progress.json shape: (its fixture, the root progress.json fixture, modules expected)
TITO_PROGRESS = {
    "ints": (
        "tito-progress.ints.02364f80.json",
        "progress.workflow.02364f80.json",
        ["01", "02", "03", "04", "05"],
    ),
    "slugs": (
        "tito-progress.slugs.02364f80.json",
        "progress.workflow-streak.02364f80.json",
        ["01", "02", "03"],
    ),
    # 01_setup..04_layers of the old curriculum: tensor, activations, layers; never losses
    "old-slugs": (
        "tito-progress.old-slugs.3b721c54.json",
        "progress.workflow.02364f80.json",
        ["01", "02", "03"],
    ),
}
# Facts each profile shape holds, as written by tito.
FACTS = {
    "nested": {"country": "India", "institution": "IIT Madras", "cohort": "Fall 2025"},
    "nested-updated": {"country": "Germany", "institution": "TU München", "cohort": "Fall 2025"},
    "github": {
        "country": "United States",
        "institution": "Harvard University",
        "cohort": "Fall 2025",
    },
}
# Values that identify a student; none may appear in a submission.
IDENTIFYING = (
    "ada-builds-nets",
    "tinytorch.ai/community",
    "Ada Example",
    "ada@example.edu",
    "Example University",
    "Harvard University",
    "IIT Madras",
    "TU München",
)


@pytest.fixture(autouse=True)
def quick_and_quiet(monkeypatch):
    monkeypatch.setattr(baseline_module, "DEFAULT_SETTINGS", QUICK)
    monkeypatch.setattr(_util, "is_interactive", lambda: False)
    yield
    student._forget_package()


def copy_fixture(name: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / name, target)
    return target


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d_%H%M%S")


def tito_project(root: Path, home: Path, profile: str, progress: str) -> dict[str, Path]:
    """A TinyTorch checkout holding every file tito writes; returns tito's files by role."""
    for folder in ("tinytorch/core", "modules/01_tensor", "tito"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    later = datetime.now() + timedelta(days=1)  # tito names results by local time
    files = {
        "root_progress": copy_fixture(TITO_PROGRESS[progress][1], root / "progress.json"),
        "tito_progress": copy_fixture(TITO_PROGRESS[progress][0], root / ".tito/progress.json"),
        "milestones": copy_fixture("tito-milestones.02364f80.json", root / ".tito/milestones.json"),
        "tito_config": copy_fixture("tito-config.3b721c54.json", root / ".tito/config.json"),
        "tinytorch_config": copy_fixture(
            "tinytorch-config.63e6b282.json", root / ".tinytorch/config.json"
        ),
        "baseline_old": copy_fixture(
            "benchmark-baseline.97e05636.json",
            root / ".tito/benchmarks/baseline_20251203_135012.json",
        ),
        "baseline_newest": copy_fixture(
            "benchmark-baseline.97e05636.json",
            root / f".tito/benchmarks/baseline_{stamp(later)}.json",
        ),
        "capstone": copy_fixture(
            "benchmark-capstone.97e05636.json",
            root / f".tito/benchmarks/capstone_{stamp(later)}.json",
        ),
        "capstone_simplified": copy_fixture(
            "benchmark-capstone-simplified.97e05636.json",
            root / ".tito/benchmarks/capstone_simplified_20251205_090500.json",
        ),
        "submission": copy_fixture(
            "submission-baseline.97e05636.json",
            root / ".tito/submissions/baseline_submission_20251203_135020.json",
        ),
        "home_profile": copy_fixture(
            "home-profile.setup-2.0.d186e5ba.json", home / ".tinytorch/profile.json"
        ),
    }
    if PROFILES[profile]:
        files["profile"] = copy_fixture(
            PROFILES[profile], root / ".tinytorch/community/profile.json"
        )
    return files


READERS = {
    "root_progress": tito_readers.root_progress_shown,
    "tito_progress": tito_readers.tito_progress_shown,
    "milestones": tito_readers.milestones_shown,
    "tito_config": tito_readers.tito_config_shown,
    "tinytorch_config": tito_readers.tinytorch_config_shown,
    "baseline_old": tito_readers.baseline_shown,
    "baseline_newest": tito_readers.baseline_shown,
    "capstone": tito_readers.capstone_shown,
    "capstone_simplified": tito_readers.capstone_shown,
    "submission": tito_readers.submission_shown,
    "home_profile": tito_readers.home_profile_shown,
}


def profile_reader(shape: str):
    if shape == "github":
        return tito_readers.github_profile_shown
    return tito_readers.nested_profile_shown


def run(*args: str, expect: int = 0):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result


def run_json(*args: str) -> dict:
    return json.loads(run(*args, "--json").stdout)


@pytest.mark.parametrize("progress", list(TITO_PROGRESS))
@pytest.mark.parametrize("shape", list(PROFILES))
def test_every_tito_shape_through_every_command(
    tmp_path, _home_in_tmp, monkeypatch, shape, progress
):
    home = _home_in_tmp
    root = tmp_path / "TinyTorch"
    files = tito_project(root, home, shape, progress)
    before = {role: path.read_bytes() for role, path in files.items()}
    shown_before = {role: READERS[role](path) for role, path in files.items() if role in READERS}
    site = write_site(tmp_path / "site", distribution_from_demo())
    ours = add_result(root)
    monkeypatch.chdir(root / "modules" / "01_tensor")  # the root is found, never given
    expected_modules = TITO_PROGRESS[progress][2]

    # community profile, twice: the same ids, the file's own facts
    if shape == "none":
        assert "not joined yet" in run("community", "profile", expect=1).output
        ids = None
    else:
        first = run_json("community", "profile")
        second = run_json("community", "profile")
        ids = (first["anonymous_id"], first["public_id"])
        assert ids == (second["anonymous_id"], second["public_id"])
        assert all(uuid.UUID(i).version == 4 for i in ids) and ids[0] != ids[1]
        if shape != "github":
            assert ids[0] == json.loads(before["profile"])["anonymous_id"]
        for key, value in FACTS[shape].items():
            assert first["facts"][key] == value
        assert first["written_by_tinytorch"] is True and first["shape"] == shape.split("-")[0]
        assert first["current_progress"]["completed_modules"] == expected_modules
        assert first["tito_home_profile"]["found"] is True
        assert "ada@example.edu" not in json.dumps(first)

    # community stats: our one result only, tito's noted; progress as the files say
    stats = run("community", "stats", "--json")
    figures = json.loads(stats.stdout)
    assert figures["local"]["modules"]["completed"] == len(expected_modules)
    assert figures["local"]["milestones"] == {"completed": 2, "unlocked": 3, "total": 6}
    assert figures["local"]["benchmarks"]["runs"] == 1
    assert any("a tito result, not scored by this board" in w for w in figures["warnings"])
    if progress == "old-slugs":
        setup_lines = [w for w in figures["warnings"] if "'01_setup'" in w]
        assert len(setup_lines) == 1 and "earlier TinyTorch release" in setup_lines[0]

    # export: the anonymous id and the modules from the files
    exported = json.loads(run("export").stdout)
    assert exported["user_id"] == (ids[0] if ids else None)
    assert exported["module_progress"]["completed_modules"] == [int(m) for m in expected_modules]

    # benchmark baseline: saved beside tito's, in the project root found from a subfolder
    measured = run("benchmark", "baseline", "--backend", "numpy", "--no-prompt", "--json")
    assert "Not inside a TinyTorch project" not in measured.output
    newest_ours = sorted(root.glob(".tito/benchmarks/baseline_*.json"))
    assert len(newest_ours) == 4  # tito's two, add_result's, this run's

    # compare: our newest result, never tito's newer one
    compared = run("compare", "--from", str(site.parent.parent), "--json")
    document = json.loads(compared.stdout)
    assert Path(document["result"]).name.startswith("baseline_")
    assert Path(document["result"]) not in (files["baseline_newest"], files["baseline_old"])
    assert Path(document["result"]) != ours  # the run above is newer
    assert str(files["baseline_newest"]) in document["skipped_tito_results"]
    assert document["score"] == json.loads(Path(document["result"]).read_text())["score"]

    # community update: a change where tito's shape has a place, or beside it
    if ids:
        updated = run("community", "update", "--experience", "advanced")
        assert "Updated: experience level." in updated.output

    # submit --dry-run: the numbers of the files, the profile's ids and cohort, nothing more
    dry = run("submit", "--dry-run", "--json")
    submission = json.loads(dry.stdout)["submission"]
    assert submission["progress"]["modules_completed"] == len(expected_modules)
    assert submission["progress"]["milestones_completed"] == ["01", "02"]
    text = json.dumps(submission, ensure_ascii=False)
    for value in (*IDENTIFYING, str(tmp_path), str(home), getpass.getuser()):
        assert value not in text
    if ids:
        assert submission["participant_id"] == ids[0]
        assert submission["community"]["cohort"] == FACTS[shape]["cohort"]
        assert submission["community"]["experience_level"] == "advanced"
        again = run_json("community", "profile")
        assert (again["anonymous_id"], again["public_id"]) == ids

    # afterwards: tito reads every file as before; unchanged unless we had reason to write
    for role, path in files.items():
        if role in READERS:
            assert READERS[role](path) == shown_before[role], role
            assert path.read_bytes() == before[role], role
    assert not (home / ".tito").exists() and not (home / ".tinytorch" / "community").exists()
    if "profile" in files:
        profile_reader(shape)(files["profile"])  # tito's reader runs
        if shape == "github":
            assert files["profile"].read_bytes() == before["profile"]  # no field of tito's changed
        else:
            after = json.loads(files["profile"].read_text(encoding="utf-8"))
            original = json.loads(before["profile"])
            assert after["context"]["experience_level"] == "advanced"
            assert set(original) <= set(after) and "public_id" not in after
            assert after["institution"] == original["institution"]  # name and type kept
            assert after["location"] == original["location"]
            tito_readers.nested_profile_updated(files["profile"])  # tito's update runs


@pytest.mark.parametrize("progress", list(TITO_PROGRESS))
def test_module_slugs_are_read_by_name(tmp_path, _home_in_tmp, monkeypatch, progress):
    root = tmp_path / "TinyTorch"
    files = tito_project(root, _home_in_tmp, "none", progress)
    files["root_progress"].unlink()  # .tito/progress.json alone
    monkeypatch.chdir(root)
    exported = json.loads(run("export").stdout)
    assert exported["module_progress"]["completed_modules"] == [
        int(m) for m in TITO_PROGRESS[progress][2]
    ]


def test_old_slugs_map_to_todays_modules_not_their_numbers():
    assert module_by_id("02_tensor").id == "01"
    assert module_by_id("04_layers").id == "03"
    assert module_by_id("09_autograd").id == "05"
    assert module_by_id("01_setup") is None
    assert module_by_id("05_dense") is None
    assert module_by_id("03").title == "Layers"
    assert module_by_id(4).title == "Losses"


def test_milestones_follow_tito_milestone_py():
    # MILESTONE_SCRIPTS in tito/commands/milestone.py, MLSysBook/TinyTorch 02364f80
    assert [(m.id, f"{m.name} ({m.year})", m.requires) for m in MILESTONES] == [
        ("01", "Perceptron (1957)", (1,)),
        ("02", "XOR Crisis (1969)", (1, 2)),
        ("03", "MLP Revival (1986)", (1, 2, 3, 4, 5, 6, 7)),
        ("04", "CNN Revolution (1998)", (1, 2, 3, 4, 5, 6, 7, 8, 9)),
        ("05", "Transformer Era (2017)", tuple(range(1, 14))),
        ("06", "MLPerf Benchmarks (2018)", tuple(range(1, 18))),
    ]


# --- the project root ----------------------------------------------------------------


@pytest.mark.parametrize(
    "marker", [".tito", "tinytorch", "modules", "tito", ".tinytorch/community"]
)
def test_project_root_markers(tmp_path, marker):
    root = tmp_path / "course"
    (root / marker).mkdir(parents=True)
    (root / "deep" / "er").mkdir(parents=True)
    assert find_project_root(root / "deep" / "er") == root.resolve()


def test_a_home_with_only_titos_profile_is_never_the_project_root(
    tmp_path, _home_in_tmp, monkeypatch
):
    home = _home_in_tmp
    profile = copy_fixture("home-profile.setup-2.0.d186e5ba.json", home / ".tinytorch/profile.json")
    before = profile.read_bytes()
    work = home / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert find_project_root(work) is None
    (home / ".tito").mkdir()  # left by an earlier version of this tool: still not a project
    assert find_project_root(work) is None

    joined = run("community", "join", "--yes", expect=1)
    assert "not inside a TinyTorch project" in joined.output
    assert "--project-dir" in joined.output and len(joined.output.strip().splitlines()) == 1
    measured = run("benchmark", "baseline", "--backend", "numpy", "--no-prompt", "--json")
    note = [line for line in measured.stderr.splitlines() if "Not inside" in line]
    assert len(note) == 1 and str(work / ".tito" / "benchmarks") in note[0]
    assert "--project-dir" in note[0]
    json.loads(measured.stdout)  # --json output stays clean
    assert not list((home / ".tito").iterdir())
    assert not (home / ".tinytorch" / "community").exists()
    assert profile.read_bytes() == before


def test_a_checkout_in_the_home_folder_is_still_found(tmp_path, _home_in_tmp):
    (_home_in_tmp / "tinytorch").mkdir()
    (_home_in_tmp / "notes").mkdir()
    assert find_project_root(_home_in_tmp / "notes") == _home_in_tmp.resolve()


# --- tito's results and unreadable files ---------------------------------------------


def test_only_titos_results_is_a_clear_message_not_a_crash(tmp_path, _home_in_tmp, monkeypatch):
    root = tmp_path / "TinyTorch"
    files = tito_project(root, _home_in_tmp, "nested", "ints")
    monkeypatch.chdir(root)
    for args in (["compare", "--from", str(tmp_path)], ["submit", "--dry-run"]):
        result = run(*args, expect=1)
        assert "no tinytorch-board results" in result.output
        assert "tito result" in result.output and "Traceback" not in result.output
    named = run("compare", str(files["baseline_old"]), "--from", str(tmp_path), expect=1)
    assert "a tito result, not scored by this board" in named.output
    named = run("submit", str(files["baseline_old"]), "--dry-run", expect=1)
    assert "a tito result, not scored by this board" in named.output
    assert (
        files["baseline_old"].read_bytes()
        == (FIXTURES / "benchmark-baseline.97e05636.json").read_bytes()
    )


@pytest.mark.parametrize("content", ['{"anonymous_id": "6f1c', "[]", '{"hello": "world"}'])
def test_an_unreadable_profile_is_reported_kept_and_backed_up(
    tmp_path, _home_in_tmp, monkeypatch, content
):
    root = tmp_path / "TinyTorch"
    tito_project(root, _home_in_tmp, "none", "ints")
    path = root / ".tinytorch/community/profile.json"
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    add_result(root)
    monkeypatch.chdir(root)
    outputs = [
        run("community", "profile", expect=1).output,
        run("community", "update", "--country", "US", expect=1).output,
        run("community", "join", expect=1).output,
        run("community", "stats").output,
        run("submit", "--dry-run").output,
    ]
    for output in outputs:
        assert "profile.json" in output and "left as it is" in output
        for advice in ("leave", "remove", "delete"):
            assert advice not in output
    assert path.read_text(encoding="utf-8") == content
    [copy] = path.parent.glob("profile.json.unreadable-*")
    assert copy.read_text(encoding="utf-8") == content


def test_our_earlier_profile_format_is_repaired_for_tito(tmp_path, _home_in_tmp, monkeypatch):
    """profile_version 1 (ours before) kept institution as text: tito crashed on it."""
    root = tmp_path / "TinyTorch"
    tito_project(root, _home_in_tmp, "none", "ints")
    anonymous, public = str(uuid.uuid4()), str(uuid.uuid4())
    path = root / ".tinytorch/community/profile.json"
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps(
            {
                "profile_version": 1,
                "anonymous_id": anonymous,
                "public_id": public,
                "joined_at": "2026-09-03T10:30:00Z",
                "location": {"country": "DE"},
                "institution": "TU München",
                "context": {"course_type": None, "experience_level": None, "cohort": "Fall 2026"},
                "progress": {"modules_completed": 2, "completed_modules": ["01", "02"]},
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.chdir(root)
    with pytest.raises(AttributeError):
        tito_readers.nested_profile_shown(path)  # what tito did with our old file
    shown = run_json("community", "profile")
    assert (shown["anonymous_id"], shown["public_id"]) == (anonymous, public)
    run("community", "update", "--yes")
    tito_readers.nested_profile_shown(path)
    tito_readers.nested_profile_updated(path)
    profile = json.loads(path.read_text(encoding="utf-8"))
    assert profile["institution"] == {"name": "TU München", "type": None}
    assert "profile_version" not in profile and "public_id" not in profile
    again = run_json("community", "profile")
    assert (again["anonymous_id"], again["public_id"]) == (anonymous, public)


def test_our_join_writes_a_profile_tito_reads(tmp_path, _home_in_tmp, monkeypatch):
    root = tmp_path / "TinyTorch"
    tito_project(root, _home_in_tmp, "none", "ints")
    monkeypatch.chdir(root)
    run("community", "join", "--country", "KE", "--institution", "Strathmore", "--yes")
    path = root / ".tinytorch/community/profile.json"
    shown = tito_readers.nested_profile_shown(path)
    assert shown[2:5] == ["KE", "Strathmore", None]
    assert shown[9] == "5"  # modules_completed, as tito counts them
    tito_readers.nested_profile_updated(path)


@pytest.mark.parametrize("shape", ["nested", "github"])
def test_public_entries_of_a_tito_profile_share_one_public_id(
    tmp_path, _home_in_tmp, monkeypatch, shape
):
    root = tmp_path / "TinyTorch"
    tito_project(root, _home_in_tmp, shape, "ints")
    add_result(root)
    monkeypatch.chdir(root)
    ids = set()
    for _ in range(2):
        dry = run("submit", "--dry-run", "--json", "--public", "--name", "Ada")
        submission = json.loads(dry.stdout)["submission"]
        assert submission["public"] == {"display_name": "Ada"}
        ids.add(submission["participant_id"])
    shown = run_json("community", "profile")
    assert ids == {shown["public_id"]} and shown["public_id"] != shown["anonymous_id"]
