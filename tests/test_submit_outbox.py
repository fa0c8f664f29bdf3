"""The outbox: states, failure reasons, what --retry picks up, and finding a record by id."""

from __future__ import annotations

import json

import pytest
from submit_helpers import write_result

from tinytorch_board.errors import BoardError
from tinytorch_board.publish import outbox
from tinytorch_board.submission.builder import build_submission


def _prepared(tmp_path, sid=None):
    result = json.loads(write_result(tmp_path / "p").read_text())
    prepared = build_submission(result)
    if sid:
        prepared.document["submission_id"] = sid
    return prepared


GITHUB = {"type": "github", "repo": "o/n", "api_url": "https://api.github.com"}


def test_a_failure_keeps_its_reason_until_it_is_sent(tmp_path):
    prepared = _prepared(tmp_path)
    box = tmp_path / "outbox"
    outbox.save_prepared(box, prepared, "r.json", GITHUB)
    failed = outbox.mark_failed(box, prepared.submission_id, "GitHub timed out", "adding the file")
    assert (failed["status"], failed["reason"], failed["failed_step"]) == (
        "failed",
        "GitHub timed out",
        "adding the file",
    )
    sent = outbox.update_status(box, prepared.submission_id, "sent", destination={"url": "u"})
    assert "reason" not in sent and "failed_step" not in sent
    assert sent["history"][1]["reason"] == "GitHub timed out"
    assert sent["withdraw_secret"] == prepared.withdraw_secret


@pytest.mark.parametrize(
    ("target", "status", "retried"),
    [
        (GITHUB, "failed", True),
        (GITHUB, "prepared", True),
        (GITHUB, "sent", False),
        (GITHUB, "withdrawn", False),
        ({"type": "local", "board_dir": "/b"}, "failed", True),
        ({"type": "web", "repo": "o/n", "api_url": "x"}, "prepared", False),
        (None, "prepared", False),
    ],
)
def test_what_retry_resends(target, status, retried):
    record = {"target": target, "status": status}
    assert (outbox.to_retry([record]) == [record]) is retried


def test_find_by_prefix(tmp_path):
    box = tmp_path / "outbox"
    for sid in ("abcdef" + "0" * 26, "abcdef" + "1" * 26, "123456" + "0" * 26):
        outbox.save_prepared(box, _prepared(tmp_path, sid), None, GITHUB)
    assert outbox.find_record(box, "1234560")["submission_id"] == "123456" + "0" * 26
    assert outbox.find_record(box, "ABCDEF1")["submission_id"] == "abcdef" + "1" * 26
    with pytest.raises(BoardError, match="matches 2 submissions"):
        outbox.find_record(box, "abcdef")
    # Any unique start works, however short (issue 17); an ambiguous one names the count.
    assert outbox.find_record(box, "1")["submission_id"] == "123456" + "0" * 26
    with pytest.raises(BoardError, match="matches 2 submissions"):
        outbox.find_record(box, "abc")
    with pytest.raises(BoardError, match="is not a submission id"):
        outbox.find_record(box, "../../etc")
