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
