"""Helpers for the board-engine tests: hand-built documents and boards."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path

from tinytorch_board.board.config import BoardConfig
from tinytorch_board.board.demo_data import generate
from tinytorch_board.board.load import LoadedBoard
from tinytorch_board.jsonio import dumps

_TEMPLATE = generate(1, seed=3)[0]
_counter = itertools.count(1)


def make_doc(
    score: float = 50.0,
    *,
    participant: str | None = None,
    created_at: str | None = None,
    kind: str = "baseline",
    backend: str = "numpy",
    system_type: str = "Linux x86",
    modules: int = 3,
    milestones: tuple[str, ...] = ("01",),
    days_since_join: int | None = 3,
    cohort: str | None = "Fall 2026",
    course_type: str | None = "university",
    public: dict | None = None,
    suite_version: int = 1,
) -> dict:
    """A submission document with the given fields (score not recomputed: stats only)."""
    number = next(_counter)
    doc = copy.deepcopy(_TEMPLATE)
    doc["submission_id"] = f"{number:032x}"
    doc["participant_id"] = participant or f"p{number}"
    doc["created_at"] = created_at or f"2026-0{1 + number % 9}-{1 + number % 28:02d}T10:00:00Z"
    doc["benchmark"]["kind"] = kind
    doc["benchmark"]["backend"] = backend
    doc["benchmark"]["suite_version"] = suite_version
    if suite_version == 1:  # suite 1 has one score and no same-run numpy figures
        doc["benchmark"].pop("machine_score", None)
        for metric in doc["benchmark"]["metrics"].values():
            for key in ("numpy_median_ms", "numpy_iqr_ms", "numpy_runs"):
                metric.pop(key, None)
    doc["benchmark"]["score"] = score
    doc["system"]["system_type"] = system_type
    doc["progress"]["modules_completed"] = modules
    doc["progress"]["milestones_completed"] = list(milestones)
    doc["progress"]["days_since_join"] = days_since_join
    doc["community"] = {
        "cohort": cohort,
        "course_type": course_type,
        "experience_level": None,
    }
    doc["visibility"] = "public" if public else "anonymous"
    doc["public"] = public
    return doc


def loaded(docs: list[dict]) -> LoadedBoard:
    return LoadedBoard(Path("."), documents=list(docs))


def config(**changes) -> BoardConfig:
    return BoardConfig(**changes)


def write_submission(board_dir: Path, doc: dict) -> Path:
    sid = doc["submission_id"]
    path = board_dir / "submissions" / sid[:2] / f"{sid}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(doc), encoding="utf-8")
    return path
