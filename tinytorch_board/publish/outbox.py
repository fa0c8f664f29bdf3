"""The outbox: every prepared submission, its state, and its withdrawal secret (never published)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from tinytorch_board.errors import BoardError, DataFileError
from tinytorch_board.jsonio import check_version, read_json, write_json
from tinytorch_board.submission.builder import Prepared

RECORD_VERSION = 1
STATES = ("prepared", "sent", "failed", "withdrawn")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_path(outbox_dir: Path, submission_id: str) -> Path:
    return outbox_dir / f"{submission_id}.json"


def save_prepared(
    outbox_dir: Path, prepared: Prepared, result_file: str | None, target: dict | None = None
) -> dict:
    """Keep a submission (and its withdrawal secret) before anything is sent.

    `target` says where it is going: {"type": "local", "board_dir": ...},
    {"type": "github", "repo": ..., "api_url": ...} or {"type": "web", ...}; --retry uses it.
    """
    record = {
        "record_version": RECORD_VERSION,
        "submission_id": prepared.submission_id,
        "submission": prepared.document,
        "withdraw_secret": prepared.withdraw_secret,
        "result_file": result_file,
        "status": "prepared",
        "destination": None,
        "target": target,
        "history": [{"at": _now(), "status": "prepared"}],
    }
    write_json(record_path(outbox_dir, prepared.submission_id), record)
    return record


def keep_preview(outbox_dir: Path, prepared: Prepared, result_file: str | None) -> dict:
    """Keep what `--dry-run` showed (no destination yet): the next send uses these bytes."""
    return save_prepared(outbox_dir, prepared, result_file, None)


def set_target(outbox_dir: Path, submission_id: str, target: dict | None) -> dict:
    """Give a kept submission its destination (or take it back when the student says no).

    Written before the first network call: from then on, `--retry` can resend it.
    """
    path = record_path(outbox_dir, submission_id)
    record = load_record(path)
    if record.get("target") == target:
        return record
    record["target"] = target
    record["history"].append({"at": _now(), "status": record["status"], "target": target})
    write_json(path, record)
    return record


def is_preview(record: dict) -> bool:
    """Prepared by `--dry-run` and never sent anywhere."""
    return record.get("status") == "prepared" and not record.get("target")


def is_live(record: dict) -> bool:
    """Sent, or on its way (failed or interrupted, waiting for --retry); not a preview."""
    return record.get("status") in ("sent", "failed", "prepared") and not is_preview(record)


def visibility(record: dict) -> str:
    return str(record.get("submission", {}).get("visibility", "anonymous"))


def same_result(record: dict, result_file: str | None, document: dict) -> bool:
    """The record sent the same result file, or the same measurements."""
    kept = record.get("result_file")
    if (
        result_file
        and isinstance(kept, str)
        and Path(kept).resolve() == Path(result_file).resolve()
    ):
        return True
    mine, theirs = document.get("benchmark", {}), record["submission"].get("benchmark", {})
    if not isinstance(theirs, dict):
        return False
    return all(mine.get(key) == theirs.get(key) for key in ("kind", "backend", "metrics", "tracks"))


def where(record: dict) -> str:
    """Where a record went (or is going), in a few words."""
    destination = record.get("destination") if isinstance(record.get("destination"), dict) else {}
    target = record.get("target") if isinstance(record.get("target"), dict) else {}
    if destination.get("url"):
        return str(destination["url"])
    if destination.get("path"):
        return str(destination["path"])
    if target.get("type") == "local":
        return str(target.get("board_dir"))
    if target.get("repo"):
        return str(target["repo"])
    return "nowhere yet (preview)"


def update_status(outbox_dir: Path, submission_id: str, status: str, **details: object) -> dict:
    """Move a record to a new state, keeping its history."""
    if status not in STATES:
        raise ValueError(f"unknown status {status}")
    path = record_path(outbox_dir, submission_id)
    record = load_record(path)
    record["status"] = status
    if status != "failed":
        record.pop("reason", None)  # the last failure is kept in the history
        record.pop("failed_step", None)
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
    """The record for an id, or for a unique prefix of at least 6 characters."""
    submission_id = submission_id.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{6,32}", submission_id):
        raise BoardError(
            f"{submission_id!r} is not a submission id (32 hex, or its first 6 or more)"
        )
    path = record_path(outbox_dir, submission_id)
    if path.exists():
        return load_record(path)
    matches = sorted(outbox_dir.glob(f"{submission_id}*.json")) if outbox_dir.is_dir() else []
    if len(matches) == 1:
        return load_record(matches[0])
    if len(matches) > 1:
        raise BoardError(f"{submission_id} matches {len(matches)} submissions; give more of the id")
    raise BoardError(
        f"no submission {submission_id} in {outbox_dir}; only submissions sent from this "
        "project can be withdrawn from here"
    )


def mark_failed(outbox_dir: Path, submission_id: str, reason: str, step: str | None) -> dict:
    """Record why sending failed; the record stays in the outbox for --retry."""
    return update_status(outbox_dir, submission_id, "failed", reason=reason, failed_step=step)


def to_retry(records: list[dict]) -> list[dict]:
    """Records to resend: failed ones, and prepared ones whose sending was interrupted.

    A record prepared for the no-token web route is not resent: only the student knows
    whether they proposed it in the browser.
    """
    out = []
    for record in records:
        target = record.get("target") if isinstance(record.get("target"), dict) else {}
        if target.get("type") not in ("github", "local"):
            continue
        if record.get("status") in ("failed", "prepared"):
            out.append(record)
    return out


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


def count_by_status(outbox_dir: Path) -> tuple[dict[str, int], list[str]]:
    """How many records are in each state, and a warning for each unreadable record."""
    records, warnings = list_records(outbox_dir)
    counts = dict.fromkeys(STATES, 0)
    for record in records:
        status = record.get("status")
        if status in counts:
            counts[status] += 1
    return counts, warnings
