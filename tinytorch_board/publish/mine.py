"""Your results and what became of them: the rows of `tinytorch-board submissions`."""

from __future__ import annotations

from pathlib import Path

from tinytorch_board.errors import BoardError
from tinytorch_board.local.project import Project
from tinytorch_board.local.results import load_result, result_files
from tinytorch_board.publish import outbox


def submission_rows(project: Project) -> tuple[list[dict], list[str]]:
    """One row per outbox record, oldest first; and a warning per unreadable record."""
    records, warnings = outbox.list_records(project.outbox_dir)
    rows = []
    for record in records:
        document = record["submission"]
        bench = document.get("benchmark") if isinstance(document.get("benchmark"), dict) else {}
        history = record.get("history") or [{}]
        rows.append(
            {
                "id": record["submission_id"],
                "id_prefix": record["submission_id"][:8],
                "date": str(history[0].get("at", ""))[:10],
                "kind": bench.get("kind"),
                "backend": bench.get("backend"),
                "score": bench.get("score"),
                "visibility": outbox.visibility(record),
                "state": "preview" if outbox.is_preview(record) else record.get("status"),
                "where": outbox.where(record),
                "result_file": record.get("result_file"),
            }
        )
    return rows, warnings


def result_rows(project: Project, submissions: list[dict]) -> tuple[list[dict], list[str]]:
    """One row per result file of ours (tito's are passed over), with its submissions."""
    rows, warnings = [], []
    for path in result_files(project.benchmarks_dir):
        try:
            result = load_result(path)
        except BoardError:
            continue  # tito's results, or files that are not ours: never listed as ours
        sent = [
            s["id_prefix"]
            for s in submissions
            if s["result_file"]
            and Path(s["result_file"]).resolve() == path.resolve()
            and s["state"] != "preview"
        ]
        rows.append(
            {
                "file": str(path),
                "date": str(result.get("created_at", ""))[:10],
                "kind": result.get("kind"),
                "backend": result.get("backend"),
                "score": result.get("score"),
                "submissions": sent,
            }
        )
    return rows, warnings
