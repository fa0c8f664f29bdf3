"""Atomic writes and shape-checked reads of local JSON files."""

from __future__ import annotations

import json
import os

import pytest

from tinytorch_board.errors import DataFileError
from tinytorch_board.jsonio import (
    check_version,
    create_json,
    dumps,
    read_json,
    write_json,
    write_text_atomic,
)
from tinytorch_board.local.project import Project, find_project_root


def test_write_json_is_sorted_indented_and_round_trips(tmp_path):
    path = tmp_path / "a" / "b.json"
    write_json(path, {"b": 1, "a": [1, 2]})
    assert path.read_text() == '{\n  "a": [\n    1,\n    2\n  ],\n  "b": 1\n}\n'
    assert read_json(path) == {"a": [1, 2], "b": 1}


def test_write_refuses_nan(tmp_path):
    with pytest.raises(ValueError):
        write_json(tmp_path / "x.json", {"a": float("nan")})
    assert not (tmp_path / "x.json").exists()


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "keep.json"
    write_json(path, {"v": 1})

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        write_text_atomic(path, "garbage")
    monkeypatch.undo()
    assert read_json(path) == {"v": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.json"]


def test_create_json_never_overwrites(tmp_path):
    path = tmp_path / "r.json"
    create_json(path, {"v": 1})
    with pytest.raises(DataFileError, match="already exists; refusing to overwrite it"):
        create_json(path, {"v": 2})
    assert read_json(path) == {"v": 1}


@pytest.mark.parametrize(
    ("content", "expect", "message"),
    [
        ('{"a": 1', dict, "not valid JSON (line 1, column 8: Expecting ',' delimiter)"),
        ("[1, 2]", dict, "expected a JSON object, found array"),
        ('"text"', dict, "expected a JSON object, found string"),
        ('{"a": NaN}', dict, "not valid JSON (NaN is not allowed (numbers must be finite))"),
        ('{"a": 1, "a": 2}', dict, "not valid JSON (duplicate key 'a')"),
        ("", dict, "not valid JSON (line 1, column 1: Expecting value)"),
        ('{"a": 1}', list, "expected a JSON array, found object"),
    ],
)
def test_read_json_errors_name_the_file(tmp_path, content, expect, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(DataFileError) as info:
        read_json(path, expect=expect)
    assert str(info.value) == f"{path}: {message}"
    assert path.read_text() == content  # never rewritten


def test_read_json_missing_binary_and_huge(tmp_path):
    with pytest.raises(DataFileError, match="file not found"):
        read_json(tmp_path / "nope.json")
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(DataFileError, match="not UTF-8 text"):
        read_json(binary)
    huge = tmp_path / "huge.json"
    huge.write_text(json.dumps({"a": "x" * 100}))
    with pytest.raises(DataFileError, match="larger than the 50 allowed"):
        read_json(huge, max_bytes=50)


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (None, "missing or invalid 'v' (expected 1)"),
        ("1", "missing or invalid 'v' (expected 1)"),
        (
            2,
            "v 2 is newer than this tinytorch-board understands (1); upgrade with: pip install -U tinytorch-board",
        ),
        (0, "v 0 is no longer supported (expected 1)"),
    ],
)
def test_check_version(tmp_path, version, message):
    with pytest.raises(DataFileError) as info:
        check_version(tmp_path / "f.json", {"v": version}, "v", 1)
    assert info.value.detail == message


def test_dumps_is_deterministic():
    assert dumps({"b": 1, "a": "é"}) == '{\n  "a": "é",\n  "b": 1\n}\n'


def test_project_root_discovery(tmp_path):
    (tmp_path / "course" / ".tito").mkdir(parents=True)
    deep = tmp_path / "course" / "modules" / "01"
    deep.mkdir(parents=True)
    assert find_project_root(deep) == (tmp_path / "course").resolve()
    alone = tmp_path / "elsewhere"
    alone.mkdir()
    assert find_project_root(alone) is None
    # .tinytorch/ alone is what tito leaves in a home folder: not a project
    (tmp_path / "other" / ".tinytorch").mkdir(parents=True)
    assert find_project_root(tmp_path / "other") is None
    (tmp_path / "other" / ".tinytorch" / "community").mkdir()
    assert find_project_root(tmp_path / "other") == (tmp_path / "other").resolve()
    project = Project.discover(tmp_path / "given")
    assert project.root == (tmp_path / "given").resolve()
    assert project.benchmarks_dir == project.root / ".tito" / "benchmarks"
    assert project.profile_path == project.root / ".tinytorch" / "community" / "profile.json"
