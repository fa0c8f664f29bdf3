"""Turn a local benchmark result (plus an optional profile) into a submission v1 document."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from tinytorch_board import __version__
from tinytorch_board.errors import BoardError
from tinytorch_board.ids import is_uuid4
from tinytorch_board.submission import SCHEMA_VERSION
from tinytorch_board.submission.score import BASELINE_METRICS

SYSTEM_FIELDS = ("system_type", "os", "arch", "cpu_cores", "memory_gb", "python", "numpy")
METRIC_FIELDS = (
    "median_ms",
    "iqr_ms",
    "runs",
    "converged",
    "numpy_median_ms",
    "numpy_iqr_ms",
    "numpy_runs",
)


@dataclass(frozen=True)
class PublicFields:
    """What a student chose to show publicly; only what they typed."""

    display_name: str | None = None
    github: str | None = None
    country: str | None = None
    institution: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}


@dataclass(frozen=True)
class Prepared:
    """A submission ready to preview and send, and the secret that can withdraw it."""

    document: dict
    withdraw_secret: str

    @property
    def submission_id(self) -> str:
        return self.document["submission_id"]

    @property
    def relative_path(self) -> str:
        sid = self.submission_id
        return f"submissions/{sid[:2]}/{sid}.json"


def withdraw_key_hash(secret: str) -> str:
    """SHA-256 hex of the ASCII secret: what the public file carries."""
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _days_since(joined_at: object, now: datetime) -> int | None:
    if not isinstance(joined_at, str):
        return None
    try:
        joined = datetime.fromisoformat(joined_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    if joined.tzinfo is None:
        joined = joined.replace(tzinfo=timezone.utc)
    return max(0, (now - joined).days)


def _benchmark_block(result: dict) -> dict:
    kind = result.get("kind")
    if kind == "baseline":
        metrics = result.get("metrics", {})
        unscored = [name for name in BASELINE_METRICS if name not in metrics]
        if unscored:
            raise BoardError(
                f"this result has no score for {', '.join(unscored)} (it failed or was skipped); "
                "fix it and run the benchmark again, or use --backend numpy"
            )
        block = {
            "kind": "baseline",
            "suite_version": result["suite_version"],
            "backend": result["backend"],
            "metrics": {
                name: {k: metrics[name][k] for k in METRIC_FIELDS if k in metrics[name]}
                for name in BASELINE_METRICS
            },
            "score": result["score"],
        }
        if result.get("machine_score") is not None:
            block["machine_score"] = result["machine_score"]
        return block
    if kind == "capstone":
        return {
            "kind": "capstone",
            "suite_version": result["suite_version"],
            "backend": result["backend"],
            "metrics": {},
            "tracks": result["tracks"],
            "score": result["score"],
        }
    raise BoardError(f"unknown result kind {kind!r}")


def build_submission(
    result: dict,
    *,
    modules_completed: int = 0,
    milestones_completed: list[str] | tuple[str, ...] = (),
    profile: dict | None = None,
    public: PublicFields | None = None,
    now: datetime | None = None,
) -> Prepared:
    """The anonymized submission for a result: nothing identifying unless typed under public."""
    now = now or datetime.now(timezone.utc)
    public_fields = public.as_dict() if public else {}
    visibility = "public" if public_fields else "anonymous"
    profile = profile if isinstance(profile, dict) else None

    participant_id = None
    if profile:
        key = "public_id" if visibility == "public" else "anonymous_id"
        participant_id = profile.get(key)
    if not is_uuid4(participant_id):
        participant_id = str(uuid.uuid4())

    community = None
    if profile:
        context = profile.get("context") if isinstance(profile.get("context"), dict) else {}
        community = {
            "cohort": context.get("cohort"),
            "course_type": context.get("course_type"),
            "experience_level": context.get("experience_level"),
        }

    secret = secrets.token_hex(32)
    system = result.get("system", {})
    document = {
        "schema_version": SCHEMA_VERSION,
        "submission_id": secrets.token_hex(16),
        "participant_id": participant_id,
        "created_at": result["created_at"],
        "client_version": __version__,
        "benchmark": _benchmark_block(result),
        "system": {k: system.get(k) for k in SYSTEM_FIELDS},
        "progress": {
            "setup_verified": True,
            "modules_completed": int(modules_completed),
            "milestones_completed": sorted(milestones_completed),
            "days_since_join": _days_since(profile.get("joined_at"), now) if profile else None,
        },
        "community": community,
        "visibility": visibility,
        "public": public_fields or None,
        "withdraw_key_sha256": withdraw_key_hash(secret),
    }
    return Prepared(document, secret)
