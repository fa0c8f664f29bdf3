"""Helpers for the community/progress/config/export tests: real temp projects, real files."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner

from tinytorch_board.bench.sysinfo import collect
from tinytorch_board.board.demo_data import generate
from tinytorch_board.cli import cli
from tinytorch_board.local.results import save_result
from tinytorch_board.submission.distribution import DISTRIBUTION_VERSION, group_key, quantiles
from tinytorch_board.submission.score import REFERENCE_MS, baseline_scores


def new_project(tmp_path: Path) -> Path:
    """An empty TinyTorch-like project (it has .tito/)."""
    root = tmp_path / "project"
    (root / ".tito").mkdir(parents=True)
    return root


def put(path: Path, content: object) -> Path:
    """Write raw text as is, anything else as JSON (TinyTorch's files, as TinyTorch would)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else json.dumps(content, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def invoke(project: Path, *args: str, input: str | None = None):
    """Run the real CLI on a project; returns the click Result."""
    return CliRunner().invoke(
        cli, ["--project-dir", str(project), *args], input=input, catch_exceptions=False
    )


def run_json(project: Path, *args: str) -> dict:
    result = invoke(project, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def tinytorch_files(project: Path) -> dict[str, bytes]:
    """Every file TinyTorch owns, with its bytes (to prove nothing was modified)."""
    names = ("progress.json", ".tito/progress.json", ".tito/milestones.json", ".tito/config.json")
    return {name: (project / name).read_bytes() for name in names if (project / name).exists()}


def sample_progress(project: Path) -> None:
    """TinyTorch's four files in the shapes its docs describe (3 modules, 1 milestone)."""
    put(
        project / "progress.json",
        {
            "started_modules": ["02", "03"],
            "completed_modules": ["01", "02", "03"],
            "last_worked": "03",
            "last_completed": "03",
            "last_updated": "2026-11-18T12:00:00.625329",
        },
    )
    put(
        project / ".tito" / "progress.json",
        {
            "version": "1.0",
            "completed_modules": [1, 2],
            "completion_dates": {"1": "2026-11-16T10:00:00", "2": "2026-11-17T11:00:00"},
        },
    )
    put(
        project / ".tito" / "milestones.json",
        {
            "version": "1.0",
            "completed_milestones": ["01"],
            "completion_dates": {"01": "2026-11-18T15:00:00"},
            "unlocked_milestones": ["01", "02"],
            "unlock_dates": {"01": "2026-11-16T10:30:00", "02": "2026-11-18T16:00:00"},
            "total_unlocked": 2,
            "achievements": [],
        },
    )
    put(project / ".tito" / "config.json", {"logo_theme": "standard"})


def add_result(
    project: Path,
    speedup: float = 1.0,
    moment: datetime | None = None,
    backend: str = "numpy",
) -> Path:
    """A baseline result file whose score is computed by the real score function.

    speedup 1.0 is the reference machine (score 50); 2.0 scores 60.
    """
    moment = moment or datetime(2026, 11, 20, 12, 0, 0, tzinfo=timezone.utc)
    medians = {name: ref / speedup for name, ref in REFERENCE_MS[2].items()}
    metrics = {
        name: {"median_ms": value, "iqr_ms": value / 20, "runs": 40, "converged": True}
        for name, value in medians.items()
    }
    if backend == "tinytorch":  # suite 2: numpy's same-run figures beside each metric
        for name, metric in metrics.items():
            metric.update(numpy_median_ms=REFERENCE_MS[2][name], numpy_iqr_ms=0.0001, numpy_runs=40)
    result = {
        "result_version": 1,
        "kind": "baseline",
        "suite_version": 2,
        "backend": backend,
        "created_at": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "client_version": "0.1.0",
        "metrics": metrics,
        "system": collect(),
        "details": {"blas_threads": 1, "notes": []},
    }
    # Any backend but tinytorch (tests also use made-up ones) is scored like numpy.
    scored = {**result, "backend": "tinytorch" if backend == "tinytorch" else "numpy"}
    result["score"], result["machine_score"] = baseline_scores(scored)
    return save_result(project / ".tito" / "benchmarks", result, moment)


def distribution_from_demo(count: int = 300, seed: int = 3, k: int = 5) -> dict:
    """An api/distribution.json built from realistic synthetic submissions."""
    docs = generate(count, seed=seed)
    groups: dict[str, list[float]] = {}
    systems: dict[str, dict[str, list[float]]] = {}
    cohorts: dict[str, int] = {}
    participants = set()
    for doc in docs:
        bench = doc["benchmark"]
        key = group_key(bench["kind"], bench["suite_version"], bench["backend"])
        groups.setdefault(key, []).append(bench["score"])
        systems.setdefault(key, {}).setdefault(doc["system"]["system_type"], []).append(
            bench["score"]
        )
        participants.add(doc["participant_id"])
        cohort = (doc.get("community") or {}).get("cohort")
        if cohort:
            cohorts[cohort] = cohorts.get(cohort, 0) + 1
    folded: dict[str, int] = {}
    for name, size in cohorts.items():
        target = name if size >= k else "Other"
        folded[target] = folded.get(target, 0) + size
    return {
        "distribution_version": DISTRIBUTION_VERSION,
        "generated_at": "2026-11-22T10:30:00Z",
        "k": k,
        "totals": {
            "submissions": len(docs),
            "participants": len(participants),
            "public_entries": sum(1 for d in docs if d["visibility"] == "public"),
        },
        "cohorts": folded,
        "groups": {
            key: {
                "kind": key.split("/")[0],
                "suite_version": int(key.split("/")[1]),
                "backend": key.split("/")[2],
                "count": len(scores),
                "quantiles": quantiles(sorted(scores)),
                "systems": {
                    name: {"count": len(s), "quantiles": quantiles(sorted(s))}
                    for name, s in systems[key].items()
                    if len(s) >= k
                },
            }
            for key, scores in groups.items()
        },
    }


def write_site(directory: Path, distribution: dict) -> Path:
    """A built site directory holding api/distribution.json."""
    return put(directory / "api" / "distribution.json", distribution)
