"""From a local result to an anonymized submission."""

from __future__ import annotations

import getpass
import hashlib
import json
import platform
import socket
from datetime import datetime, timezone

import pytest

from tinytorch_board.errors import BoardError
from tinytorch_board.jsonio import dumps
from tinytorch_board.submission.builder import PublicFields, build_submission
from tinytorch_board.submission.signature import participant_id_for, public_key_of
from tinytorch_board.submission.validator import check_document

NOW = datetime(2026, 11, 22, 12, tzinfo=timezone.utc)


@pytest.fixture
def result() -> dict:
    from tinytorch_board.bench.baseline import run_baseline
    from tinytorch_board.bench.harness import HarnessSettings

    quick = HarnessSettings(warmup_ms=2, target_sample_ms=0.2, min_runs=3, max_runs=5, budget_ms=20)
    return run_baseline(settings=quick, now=lambda: NOW)


ANON_KEY, PUBLIC_KEY = bytes(range(32)), bytes(range(1, 33))

PROFILE = {
    "anonymous_id": "9b2d7c1e-4f3a-4e8b-9c0d-1a2b3c4d5e6f",
    "public_id": "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
    "joined_at": "2026-11-19T08:00:00Z",
    "institution": "Secret University",
    "location": {"country": "DE"},
    "context": {"cohort": "Fall 2026", "course_type": "university", "experience_level": "beginner"},
}


def test_anonymous_submission_is_valid_and_carries_no_identity(result):
    prepared = build_submission(
        result,
        modules_completed=7,
        milestones_completed=["03", "01"],
        profile=PROFILE,
        now=NOW,
        signing_key=ANON_KEY,
    )
    doc = prepared.document
    assert check_document(doc, "x", prepared.relative_path, now=NOW) == []
    assert doc["schema_version"] == 2
    assert doc["participant_id"] == participant_id_for(public_key_of(ANON_KEY))
    assert doc["progress"] == {
        "setup_verified": True,
        "modules_completed": 7,
        "milestones_completed": ["01", "03"],
        "days_since_join": 3,
    }
    assert doc["community"] == PROFILE["context"]
    assert doc["public"] is None and doc["visibility"] == "anonymous"
    text = dumps(doc)
    for secret in (
        "Secret University",
        '"DE"',
        getpass.getuser(),
        socket.gethostname(),
        platform.processor() or "\0",
        prepared.withdraw_secret,
    ):
        assert secret not in text
    assert (
        doc["withdraw_key_sha256"]
        == hashlib.sha256(prepared.withdraw_secret.encode("ascii")).hexdigest()
    )
    assert (
        prepared.relative_path
        == f"submissions/{doc['submission_id'][:2]}/{doc['submission_id']}.json"
    )


def test_public_submission_uses_the_separate_public_key_and_only_typed_fields(result):
    prepared = build_submission(
        result,
        profile=PROFILE,
        now=NOW,
        public=PublicFields(display_name="Ada", country="GB"),
        signing_key=PUBLIC_KEY,
    )
    doc = prepared.document
    assert doc["participant_id"] == participant_id_for(public_key_of(PUBLIC_KEY))
    assert doc["signature"]["public_key"] == public_key_of(PUBLIC_KEY).hex()
    assert doc["public"] == {"display_name": "Ada", "country": "GB"}
    assert "Secret University" not in dumps(doc)
    assert check_document(doc, "x", now=NOW) == []


def test_without_a_key_the_submission_is_unsigned_and_unlinked(result):
    a = build_submission(result, now=NOW).document
    b = build_submission(result, now=NOW).document
    assert a["participant_id"] is None and a["signature"] is None
    assert check_document(a, "x", now=NOW) == []
    assert a["community"] is None and a["progress"]["days_since_join"] is None
    assert a["submission_id"] != b["submission_id"]


def test_a_result_with_an_unscored_metric_cannot_be_submitted(result):
    del result["metrics"]["matmul"]
    with pytest.raises(BoardError, match="no score for matmul"):
        build_submission(result, now=NOW)


def test_system_block_is_coarse(result):
    system = build_submission(result, now=NOW).document["system"]
    assert set(system) == {"system_type", "os", "arch", "cpu_cores", "memory_gb", "python", "numpy"}
    memory = system["memory_gb"]
    assert memory is None or memory & (memory - 1) == 0
    json.dumps(system)
