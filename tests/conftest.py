"""Shared fixtures: real temp projects and boards, valid documents to mutate."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tinytorch_board.board.demo_data import generate
from tinytorch_board.jsonio import dumps


@pytest.fixture(autouse=True)
def _signature_cache(tmp_path_factory, monkeypatch) -> None:
    """Loads remember accepted files in a per-test cache, never the user's."""
    monkeypatch.setenv("TINYTORCH_BOARD_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def _home_in_tmp(tmp_path_factory, monkeypatch):
    """No test sees the real home folder (tito keeps ~/.tinytorch/profile.json there)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture
def valid_doc() -> dict:
    """A valid anonymous baseline submission, unsigned so tests may edit it (fresh copy)."""
    for doc in generate(50, seed=1, signed=False):
        if doc["visibility"] == "anonymous" and doc["community"] is not None:
            return copy.deepcopy(doc)
    raise AssertionError("demo data has no anonymous entry with a profile")


@pytest.fixture
def public_doc() -> dict:
    for doc in generate(200, seed=1, signed=False):
        if doc["visibility"] == "public":
            return copy.deepcopy(doc)
    raise AssertionError("demo data has no public entry")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty TinyTorch-like project (has .tito/)."""
    root = tmp_path / "project"
    (root / ".tito").mkdir(parents=True)
    return root


@pytest.fixture
def board(tmp_path: Path) -> Path:
    """An empty board directory (board.yaml + submissions/)."""
    root = tmp_path / "board"
    (root / "submissions").mkdir(parents=True)
    (root / "board.yaml").write_text("version: 1\nk_anonymity: 5\n", encoding="utf-8")
    return root


def write_submission(board_dir: Path, doc: dict) -> Path:
    """Put a document where it belongs in a board."""
    sid = doc["submission_id"]
    path = board_dir / "submissions" / sid[:2] / f"{sid}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(doc), encoding="utf-8")
    return path


def write_json(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
