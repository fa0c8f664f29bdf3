"""The outbox: every prepared submission, its state, and its withdrawal secret (never published)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from tinytorch_board.errors import BoardError, DataFileError
from tinytorch_board.local.store import check_version, read_json, write_json
from tinytorch_board.submission.builder import Prepared

RECORD_VERSION = 1
STATES = ("prepared", "sent", "failed", "withdrawn")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_path(outbox_dir: Path, submission_id: str) -> Path:
    return outbox_dir / f"{submission_id}.json"


def save_prepared(outbox_dir: Path, prepared: Prepared, result_file: str | None) -> dict:
    record = {
        "record_version": RECORD_VERSION,
        "submission_id": prepared.submission_id,
        "submission": prepared.document,
        "withdraw_secret": prepared.withdraw_secret,
        "result_file": result_file,
        "status": "prepared",
        "destination": None,
        "history": [{"at": _now(), "status": "prepared"}],
    }
    write_json(record_path(outbox_dir, prepared.submission_id), record)
    return record


def update_status(outbox_dir: Path, submission_id: str, status: str, **details: object) -> dict:
    """Move a record to a new state, keeping its history."""
    if status not in STATES:
        raise ValueError(f"unknown status {status}")
    path = record_path(outbox_dir, submission_id)
    record = load_record(path)
    record["status"] = status
    record.update(details)
    record["history"].append({"at": _now(), "status": status, **details})
    write_json(path, record)
    return record


def load_record(path: Path) -> dict:
    record = read_json(path)
    check_version(path, record, "record_version", RECORD_VERSION)
    if not isinstance(record.get("submission"), dict) or not isinstance(
        record.get("history"), list
    ):
        raise DataFileError(path, "not an outbox record (missing submission or history)")
    return record


def find_record(outbox_dir: Path, submission_id: str) -> dict:
    path = record_path(outbox_dir, submission_id)
    if not path.exists():
        raise BoardError(f"no submission {submission_id} in {outbox_dir}")
    return load_record(path)


def list_records(outbox_dir: Path) -> tuple[list[dict], list[str]]:
    """All readable records (oldest first) and a warning for each unreadable one."""
    records, warnings = [], []
    if not outbox_dir.is_dir():
        return records, warnings
    for path in sorted(outbox_dir.glob("*.json")):
        try:
            records.append(load_record(path))
        except DataFileError as exc:
            warnings.append(str(exc))
    records.sort(key=lambda r: r["history"][0].get("at", "") if r["history"] else "")
    return records, warnings
