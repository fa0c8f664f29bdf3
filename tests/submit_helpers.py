"""Shared set-up for the submit/withdraw/GitHub tests: a TinyTorch project with a real result."""

from __future__ import annotations

import json
from pathlib import Path

from tinytorch_board.submission.score import REFERENCE_MS, baseline_score

TOKEN = "STUDENT-TOKEN"
# Identity of the fake's student: none of it may reach a file, commit or PR text.
STUDENT_IDENTITY = ("adalace7", "Ada Student", "ada.student@example.edu")


def write_result(project: Path, speedup: float = 2.0, stamp: str = "20261122_103000") -> Path:
    """A baseline result as `benchmark baseline` writes it (timings `speedup` x the reference)."""
    metrics = {
        name: {"median_ms": round(ref / speedup, 6), "iqr_ms": 0.0001, "runs": 40}
        for name, ref in REFERENCE_MS[1].items()
    }
    result = {
        "result_version": 1,
        "kind": "baseline",
        "suite_version": 1,
        "backend": "numpy",
        "created_at": "2026-11-22T10:30:00Z",
        "client_version": "0.1.0",
        "metrics": metrics,
        "score": baseline_score({k: v["median_ms"] for k, v in metrics.items()}, 1),
        "system": {
            "system_type": "Linux x86",
            "os": "Linux",
            "arch": "x86_64",
            "cpu_cores": 8,
            "memory_gb": 16,
            "python": "3.11",
            "numpy": "2.1",
        },
        "details": {"blas_threads": 1, "notes": []},
    }
    path = project / ".tito" / "benchmarks" / f"baseline_{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return path


def make_project(tmp_path: Path, repo: str | None = None, api_url: str | None = None) -> Path:
    """A project with progress, one result and (optionally) a configured board repo."""
    project = tmp_path / "TinyTorch"
    (project / ".tinytorch").mkdir(parents=True)
    (project / "progress.json").write_text(
        json.dumps({"completed_modules": ["01", "02", "03"]}), encoding="utf-8"
    )
    write_result(project)
    if repo or api_url:
        board = {k: v for k, v in (("repo", repo), ("api_url", api_url)) if v}
        (project / ".tinytorch" / "config.json").write_text(
            json.dumps({"board": board}), encoding="utf-8"
        )
    return project


def make_board(tmp_path: Path) -> Path:
    board = tmp_path / "board"
    (board / "submissions").mkdir(parents=True)
    (board / "board.yaml").write_text("version: 1\nk_anonymity: 5\n", encoding="utf-8")
    return board


def fast_env(**extra: str) -> dict[str, str]:
    """Environment for CLI runs against the fake: no pacing, short timeouts, no real gh."""
    env = {
        "TINYTORCH_BOARD_TIMEOUT": "2",
        "TINYTORCH_BOARD_RETRIES": "1",
        "TINYTORCH_BOARD_FORK_WAIT": "5",
        "TINYTORCH_BOARD_WRITE_INTERVAL": "0",
        "TINYTORCH_BOARD_TOKEN": "",
        "GH_TOKEN": "",
        "GITHUB_TOKEN": "",
        "PATH": "/nonexistent",
    }
    env.update(extra)
    return env


def outbox_records(project: Path) -> list[dict]:
    folder = project / ".tinytorch" / "submissions"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def confirmed_api(project, args):
    """The student names the configured API host on the command line, which confirms it.

    A host from .tinytorch/config.json alone never receives the token (see
    tests/test_token_host.py); these tests are about what happens after that.
    """
    config = project / ".tinytorch" / "config.json"
    if not args or args[0] not in ("submit", "withdraw") or not config.exists():
        return list(args)
    if {"--to", "--web", "--api-url"} & set(args):
        return list(args)
    api_url = json.loads(config.read_text(encoding="utf-8")).get("board", {}).get("api_url")
    return [*args, "--api-url", api_url] if api_url else list(args)
