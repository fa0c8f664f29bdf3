"""board.standing: one rule for where compare, submit and community stats look."""

from __future__ import annotations

from pathlib import Path

import pytest
from community_helpers import new_project, put

from tinytorch_board.board.standing import Sources, find_sources, landing
from tinytorch_board.errors import DataFileError
from tinytorch_board.local.project import Project

PAGES = "https://org.github.io/board"


def project_with(tmp_path: Path, config: object | None) -> Project:
    root = new_project(tmp_path)
    if config is not None:
        put(root / ".tinytorch" / "config.json", config)
    return Project(root)


def test_an_explicit_source_is_the_only_one(tmp_path):
    project = project_with(tmp_path, {"board": {"pages_url": PAGES}})
    assert find_sources(project, tmp_path / "site", nearby=["x"]) == Sources(
        (str(tmp_path / "site"),)
    )


def test_the_board_at_hand_comes_before_pages_url(tmp_path):
    project = project_with(tmp_path, {"board": {"pages_url": PAGES}})
    assert find_sources(project, nearby=[tmp_path / "board"]).candidates == (
        str(tmp_path / "board"),
        PAGES,
    )


def test_no_source_says_which_option_to_pass(tmp_path):
    found = find_sources(project_with(tmp_path, None), option="--board DIR")
    assert found.candidates == ()
    assert found.reason == (
        "no board yet: pass --board DIR once, or set one with "
        "`tinytorch-board config set board.pages_url URL`"
    )


def test_an_unreadable_config_warns_or_stops(tmp_path):
    project = project_with(tmp_path, "{not json")
    found = find_sources(project, nearby=["here"])
    assert found.candidates == ("here",) and found.reason is None
    assert found.warnings[0].startswith("config ignored: ")
    assert find_sources(project).reason == "the config cannot be read"
    with pytest.raises(DataFileError):
        find_sources(project, strict=True)


def test_landing_skips_sources_it_cannot_use(tmp_path):
    document = {
        "schema_version": 1,
        "benchmark": {"kind": "baseline", "suite_version": 1, "backend": "numpy", "score": 50.0},
        "system": {},
    }
    empty = tmp_path / "empty"  # no distribution at all
    other = put(
        tmp_path / "other" / "api" / "distribution.json",
        {"distribution_version": 1, "groups": {}},
    ).parents[1]
    good = put(
        tmp_path / "good" / "api" / "distribution.json",
        {
            "distribution_version": 1,
            "groups": {
                "baseline/1/numpy": {"count": 101, "quantiles": [float(i) for i in range(101)]}
            },
        },
    ).parents[1]
    sources = Sources((str(empty), str(other), str(good)))
    line = landing(document, sources, cache_dir=None)
    assert line == "Your score would land in the top 50% of 101 baseline · suite 1 · numpy results."
    assert landing(document, Sources((str(empty), str(other))), cache_dir=None) is None


def test_the_remembered_board_comes_before_pages_url(tmp_path):
    board = str(tmp_path / "board")
    project = project_with(tmp_path, {"board": {"pages_url": PAGES, "local_dir": board}})
    assert find_sources(project).candidates == (board, PAGES)


def test_submit_to_remembers_the_board_once(tmp_path):
    from tinytorch_board.local.config import load_config, remember_board_dir

    project = project_with(tmp_path, None)
    assert remember_board_dir(project, tmp_path / "board") is True
    assert remember_board_dir(project, tmp_path / "board") is False
    assert load_config(project)["board"]["local_dir"] == str((tmp_path / "board").resolve())


def test_the_package_board_yaml_names_the_default_community_board(tmp_path, monkeypatch):
    from tinytorch_board.board import config as board_config
    from tinytorch_board.board.standing import community_repo

    yaml_text = "version: 1\nsite:\n  url: https://org.github.io/board/\n  repository: org/board\n"
    monkeypatch.setattr(board_config, "default_board_yaml", lambda: yaml_text)
    assert find_sources(project_with(tmp_path, None)).candidates == (
        "https://org.github.io/board/",
    )
    assert community_repo() == "org/board"


def test_the_shipped_board_yaml_names_no_community_board_yet():
    from tinytorch_board.board.config import package_board_config

    config = package_board_config()
    assert config is not None and config.site.url == "" and config.site.repository == ""


def test_a_board_folder_needs_no_built_site(tmp_path):
    from click.testing import CliRunner

    from tinytorch_board.board.standing import fetch_distribution
    from tinytorch_board.cli import cli

    board = tmp_path / "board"
    out = CliRunner().invoke(
        cli, ["demo-data", "--count", "20", "--seed", "3", "--out", str(board)]
    )
    assert out.exit_code == 0, out.output
    published = fetch_distribution(str(board), None)
    assert published.doc["distribution_version"] == 1
    assert sum(g["count"] for g in published.doc["groups"].values()) > 0
    assert not (board / "site").exists()


def test_a_github_submission_is_not_placed_on_the_remembered_folder(tmp_path):
    board = str(tmp_path / "board")
    project = project_with(tmp_path, {"board": {"pages_url": PAGES, "local_dir": board}})
    assert find_sources(project, remembered=False).candidates == (PAGES,)


def test_an_unlinked_file_takes_no_other_files_badges_as_its_own(tmp_path):
    """Unsigned files (participant_id null) share no history: each shows its own badges."""
    import json
    from datetime import datetime, timezone

    from submit_helpers import make_board, write_result

    from tinytorch_board.board.standing import place_in_board
    from tinytorch_board.local.results import load_result
    from tinytorch_board.submission.builder import build_submission

    board = make_board(tmp_path)
    (board / "board.yaml").write_text("k_anonymity: 5\n", encoding="utf-8")
    result = load_result(write_result(tmp_path / "p"))
    for day in (22, 23):
        result["created_at"] = f"2026-11-{day}T10:30:00Z"
        now = datetime(2026, 11, day, 12, tzinfo=timezone.utc)
        doc = build_submission(result, now=now).document
        assert doc["participant_id"] is None
        target = board / "submissions" / doc["submission_id"][:2]
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{doc['submission_id']}.json").write_text(json.dumps(doc), encoding="utf-8")
        place = place_in_board(doc, board)
        assert place.new_badges, place  # nothing counts as held "before" by another file


def test_board_repo_alone_finds_its_github_pages_site(tmp_path):
    from tinytorch_board.local.config import board_pages_url, pages_address

    project = project_with(tmp_path, {"board": {"repo": "My-Org/tinytorch-board"}})
    found = find_sources(project).candidates
    assert found[0] == "https://my-org.github.io/tinytorch-board/"
    assert pages_address("Org/org.github.io") == "https://org.github.io/"
    # a configured address wins; a GitHub Enterprise repository has no github.io site
    assert board_pages_url({"repo": "o/b", "pages_url": PAGES}) == PAGES
    assert board_pages_url({"repo": "o/b", "api_url": "https://ghe.example/api/v3"}) is None
    assert board_pages_url({"repo": None}) is None
