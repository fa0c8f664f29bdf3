"""Signed submissions (schema v2): keys, participant ids, signatures, private files."""

from __future__ import annotations

import copy
import json
import os
import stat
import subprocess
import uuid
from pathlib import Path

import pytest
from ci_helpers import GIT_ENV, BoardRepo
from click.testing import CliRunner
from conftest import write_submission
from submit_helpers import make_board, write_result

from tinytorch_board.board import load as load_module
from tinytorch_board.board.demo_data import demo_key, generate
from tinytorch_board.board.load import load_board
from tinytorch_board.cli import cli
from tinytorch_board.errors import BoardError
from tinytorch_board.jsonio import dumps
from tinytorch_board.local.keys import (
    export_keys,
    import_keys,
    keys_path,
    load_or_create_keys,
    tracked_private_files,
)
from tinytorch_board.local.project import Project
from tinytorch_board.submission import signature
from tinytorch_board.submission.signature import (
    canonical_bytes,
    participant_id_for,
    public_key_of,
    sign,
)
from tinytorch_board.submission.validator import check_bytes, check_document

KEY_A, KEY_B = bytes(range(32)), bytes(range(100, 132))


def messages(doc: dict) -> list[str]:
    return [f"{p.path}: {p.message}" for p in check_document(doc, "x")]


def signed_doc(valid_doc: dict, key: bytes = KEY_A) -> dict:
    return sign(valid_doc, key)


# --- keys and participant ids ------------------------------------------------------------


def test_participant_id_is_the_uuid_shaped_digest_of_the_public_key() -> None:
    public = public_key_of(KEY_A)
    assert len(public) == 32
    pid = participant_id_for(public)
    assert uuid.UUID(pid).version == 4 and uuid.UUID(pid).variant == uuid.RFC_4122
    # the documented derivation: first 16 bytes of SHA-256, version and variant bits set
    import hashlib

    digest = bytearray(hashlib.sha256(public).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x40
    digest[8] = (digest[8] & 0x3F) | 0x80
    assert pid == str(uuid.UUID(bytes=bytes(digest)))
    assert participant_id_for(public_key_of(KEY_B)) != pid


def test_canonical_form_is_sorted_compact_utf8_without_the_signature() -> None:
    doc = {"b": 1, "a": {"z": "é", "y": 1.5}, "signature": {"value": "x"}}
    assert canonical_bytes(doc) == '{"a":{"y":1.5,"z":"é"},"b":1}'.encode()


def test_the_machine_keeps_two_distinct_private_keys(project: Path) -> None:
    proj = Project(project)
    keys = load_or_create_keys(proj)
    assert keys.anonymous != keys.public
    assert load_or_create_keys(proj) == keys  # created once, then read
    path = keys_path(proj)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "keys.json" in (path.parent / ".gitignore").read_text()


# --- the validator ------------------------------------------------------------------------


def test_sign_and_verify_round_trip(valid_doc: dict) -> None:
    doc = signed_doc(valid_doc)
    assert doc["schema_version"] == 2
    assert doc["participant_id"] == participant_id_for(public_key_of(KEY_A))
    assert messages(doc) == []
    checked = check_bytes(dumps(doc).encode(), "x")
    assert checked.ok, checked.problems


def test_a_tampered_byte_is_refused(valid_doc: dict) -> None:
    raw = dumps(signed_doc(valid_doc)).encode()
    at = raw.index(b'"runs": ') + len(b'"runs": ')  # one digit of a run count
    digit = b"8" if raw[at : at + 1] == b"9" else bytes([raw[at] + 1])
    tampered = raw[:at] + digit + raw[at + 1 :]
    checked = check_bytes(tampered, "x")
    assert [str(p) for p in checked.problems] == [
        "x: $: the signature does not verify over the file's canonical form "
        "(the file was changed after signing, or signed with another key)"
    ]


def test_a_signature_by_another_key_is_refused(valid_doc: dict) -> None:
    doc = signed_doc(valid_doc, KEY_A)
    other = signed_doc(valid_doc, KEY_B)
    doc["signature"]["public_key"] = other["signature"]["public_key"]
    doc["participant_id"] = other["participant_id"]
    assert messages(doc) == [
        "$: the signature does not verify over the file's canonical form "
        "(the file was changed after signing, or signed with another key)"
    ]


def test_a_participant_id_not_derived_from_the_key_is_refused(valid_doc: dict) -> None:
    doc = signed_doc(valid_doc)
    doc["participant_id"] = str(uuid.uuid4())
    assert messages(doc) == ["$.participant_id: does not match the signature's public key"]


def test_field_problems_come_before_the_signature(valid_doc: dict) -> None:
    doc = signed_doc(valid_doc)
    doc["benchmark"]["score"] = 1.0  # breaks the score and the signature
    found = messages(doc)
    assert len(found) == 1 and found[0].startswith("$.benchmark.score:")


def test_version_1_files_stay_valid_and_are_unlinked(valid_doc: dict, board: Path) -> None:
    v1 = copy.deepcopy(valid_doc)
    v1["schema_version"] = 1
    del v1["signature"]
    v1["participant_id"] = pid = str(uuid.uuid4())
    twin = {**copy.deepcopy(v1), "submission_id": "f" * 32}
    assert messages(v1) == []
    for doc in (v1, twin):
        write_submission(board, doc)
    loaded = load_board(board)
    assert len(loaded.documents) == 2 and not loaded.invalid
    columns = loaded.columns
    assert columns.participant_id == [None, None]
    assert columns.participants == 2  # the same id proves nothing: two people
    assert pid not in json.dumps(columns.participant_id)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d.update(schema_version=1),
            "$.signature: only schema_version 2 files are signed",
        ),
        (lambda d: d.pop("signature"), "$.signature: is required in a schema_version 2 file"),
        (
            lambda d: d.update(participant_id=str(uuid.uuid4())),
            "$.participant_id: must be null in an unsigned file (only a signature links results)",
        ),
        (
            lambda d: d.update(schema_version=1, participant_id=None) or d.pop("signature"),
            "$.participant_id: is required in a schema_version 1 file",
        ),
    ],
)
def test_version_rules(valid_doc: dict, change, expected: str) -> None:
    change(valid_doc)
    assert expected in messages(valid_doc)


def test_unsigned_version_2_files_are_valid_and_unlinked(valid_doc: dict, board: Path) -> None:
    assert valid_doc["signature"] is None and valid_doc["participant_id"] is None
    assert messages(valid_doc) == []
    signed = [d for d in generate(40, seed=3) if d["participant_id"]]
    person = signed[0]["participant_id"]
    own = [d for d in signed if d["participant_id"] == person]
    for doc in own + [valid_doc]:
        write_submission(board, doc)
    loaded = load_board(board)
    assert not loaded.invalid
    from tinytorch_board.board.config import BoardConfig
    from tinytorch_board.board.stats import compute_stats

    stats = compute_stats(loaded, BoardConfig())
    assert None not in stats.histories
    assert stats.histories[person].submission_ids == tuple(
        d["submission_id"] for d in sorted(own, key=lambda d: d["created_at"])
    )


def test_demo_data_signs_with_keys_derived_from_the_seed() -> None:
    first, again = generate(30, seed=5), generate(30, seed=5)
    assert first == again
    for doc in first:
        assert doc["schema_version"] == 2 and doc["signature"]["algorithm"] == "ed25519"
        assert check_document(doc, "x") == []
    unsigned = generate(30, seed=5, signed=False)
    assert all(d["signature"] is None and d["participant_id"] is None for d in unsigned)
    assert demo_key("a") != demo_key("b")


def test_demo_data_unsigned_flag(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["demo-data", "--count", "5", "--out", str(tmp_path), "--unsigned"]
    )
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "submissions").rglob("*.json"))
    assert len(files) == 5
    assert all(json.loads(f.read_text())["signature"] is None for f in files)


# --- the board load verifies each file content once ---------------------------------------


def test_the_load_verifies_each_content_once_and_never_trusts_a_changed_file(
    board: Path, monkeypatch
) -> None:
    docs = generate(12, seed=8)
    paths = [write_submission(board, doc) for doc in docs]
    calls = []
    real = signature.verifies
    monkeypatch.setattr(
        "tinytorch_board.submission.validator.verifies", lambda d: calls.append(1) or real(d)
    )
    assert len(load_board(board, workers=1).documents) == 12 and len(calls) == 12
    assert len(load_board(board, workers=1).documents) == 12 and len(calls) == 12  # cached
    paths[0].write_bytes(paths[0].read_bytes().replace(b'"runs": ', b'"runs": 1', 1))
    loaded = load_board(board, workers=1)
    assert len(calls) == 13 and len(loaded.invalid) == 1
    assert "signature does not verify" in str(loaded.invalid[0].problems[0])
    # the forked helper's verified contents are remembered too
    cache = load_module.default_verdict_cache()
    cache.unlink()
    load_board(board, workers=2)
    assert cache.stat().st_size == 11 * load_module.KEY_BYTES


# --- CI refuses what the validator refuses, in a real git repository ----------------------


def test_check_pr_refuses_a_borrowed_participant_id_and_a_bad_signature(tmp_path: Path) -> None:
    repo = BoardRepo(tmp_path / "board")
    victim = repo.existing[0]["participant_id"]
    borrowed = copy.deepcopy(repo.new_doc())
    borrowed["participant_id"] = victim  # signed by someone else's key
    forged = copy.deepcopy(repo.new_doc())
    forged["benchmark"]["metrics"]["matmul"]["runs"] += 1
    for doc, needle in (
        (borrowed, "does not match the signature's public key"),
        (forged, "signature does not verify"),
    ):
        repo.branch(f"pr-{doc['submission_id'][:6]}")
        repo.add_doc(doc)
        head = repo.commit("pull request")
        repo.back_to_main()
        result = CliRunner().invoke(
            cli,
            ["ci", "check-pr", "--repo", str(repo.path), "--base", "main", "--head", head]
            + ["--board", str(repo.path), "--json"],
        )
        assert result.exit_code == 1, result.output
        assert needle in result.output


def test_validate_refuses_a_bad_signature(tmp_path: Path) -> None:
    doc = generate(1, seed=2)[0]
    path = write_submission(tmp_path, doc)
    path.write_bytes(path.read_bytes().replace(b'"converged": ', b'"converged": !', 1))
    path.write_bytes(path.read_bytes().replace(b"!true", b"false").replace(b"!false", b"true"))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "signature does not verify" in result.output


# --- private files ------------------------------------------------------------------------


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, **GIT_ENV, "HOME": str(root.parent)}
    subprocess.run(["git", "-C", str(root), *args], env=env, check=True, capture_output=True)


def test_submit_signs_and_warns_when_git_tracks_private_files(project: Path) -> None:
    write_result(project)
    _git(project, "init", "-q")
    board_dir = make_board(project.parent)
    args = ["--project-dir", str(project), "submit", "--to", str(board_dir), "--yes"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "git tracks private" not in first.output
    proj = Project(project)
    (record,) = list(proj.outbox_dir.glob("*.json"))
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    assert (proj.outbox_dir / ".gitignore").read_text() == "*\n"
    doc = json.loads(record.read_text())["submission"]
    keys = load_or_create_keys(proj)
    assert doc["participant_id"] == participant_id_for(public_key_of(keys.anonymous))
    assert check_document(doc, "x") == []
    # someone forces the keys into git: the next submit says so
    _git(project, "add", "-f", str(keys_path(proj)))
    assert tracked_private_files(proj) == [".tinytorch/community/keys.json"]
    # a different result (one result, one submission)
    write_result(project, speedup=3.0, stamp="20261122_113000")
    second = CliRunner().invoke(cli, args)
    assert second.exit_code == 0, second.output
    assert "git tracks private file(s) .tinytorch/community/keys.json" in second.output


def test_export_and_import_keys(tmp_path: Path, project: Path) -> None:
    source = Project(project)
    keys = load_or_create_keys(source)
    (source.outbox_dir).mkdir(parents=True)
    (source.outbox_dir / f"{'a' * 32}.json").write_text('{"withdraw_secret": "s"}\n')
    exported = tmp_path / "my.keys-export.json"
    export_keys(source, exported)
    assert stat.S_IMODE(exported.stat().st_mode) == 0o600
    with pytest.raises(BoardError, match="already exists"):
        export_keys(source, exported)

    other = tmp_path / "other"
    (other / ".tito").mkdir(parents=True)
    target = Project(other)
    outcome = import_keys(target, exported)
    assert outcome.records_added == 1 and not outcome.keys_replaced
    assert load_or_create_keys(target) == keys
    assert stat.S_IMODE(keys_path(target).stat().st_mode) == 0o600
    assert stat.S_IMODE((target.outbox_dir / f"{'a' * 32}.json").stat().st_mode) == 0o600
    assert import_keys(target, exported).records_kept == 1  # again: nothing changes

    third = tmp_path / "third"
    (third / ".tito").mkdir(parents=True)
    different = load_or_create_keys(Project(third))
    with pytest.raises(BoardError, match="different keys"):
        import_keys(Project(third), exported)
    assert load_or_create_keys(Project(third)) == different
    assert import_keys(Project(third), exported, force=True).keys_replaced
    assert load_or_create_keys(Project(third)) == keys


def test_export_and_import_keys_commands(tmp_path: Path, project: Path) -> None:
    load_or_create_keys(Project(project))
    out = tmp_path / "k.json"
    runner = CliRunner()
    done = runner.invoke(cli, ["--project-dir", str(project), "community", "export-keys", str(out)])
    assert done.exit_code == 0, done.output and "mode 0600" in done.output
    again = runner.invoke(
        cli, ["--project-dir", str(project), "community", "export-keys", str(out)]
    )
    assert again.exit_code == 1 and "already exists" in again.output
    other = tmp_path / "o"
    (other / ".tito").mkdir(parents=True)
    load_or_create_keys(Project(other))
    refused = runner.invoke(
        cli, ["--project-dir", str(other), "community", "import-keys", str(out)]
    )
    assert refused.exit_code == 1 and "--force" in refused.output
    forced = runner.invoke(
        cli, ["--project-dir", str(other), "community", "import-keys", str(out), "--force"]
    )
    assert forced.exit_code == 0 and "replaced" in forced.output


def test_check_pr_refuses_a_new_version_1_file_and_accepts_a_signed_one(tmp_path: Path) -> None:
    repo = BoardRepo(tmp_path / "board")
    signed = repo.new_doc()
    old = copy.deepcopy(repo.new_doc())
    old["schema_version"] = 1
    del old["signature"]
    assert check_document(old, "x") == []  # valid: a board may hold it, unlinked
    verdicts = {}
    for doc in (signed, old):
        repo.branch(f"pr-{doc['submission_id'][:6]}")
        repo.add_doc(doc)
        head = repo.commit("pull request")
        repo.back_to_main()
        result = CliRunner().invoke(
            cli,
            ["ci", "check-pr", "--repo", str(repo.path), "--base", "main", "--head", head]
            + ["--board", str(repo.path), "--json"],
        )
        verdicts[doc["schema_version"]] = (result.exit_code, json.loads(result.stdout))
    assert verdicts[2][0] == 0
    status, report = verdicts[1]
    assert status == 1 and [f["code"] for f in report["findings"]] == ["old-version"]


def test_community_profile_shows_the_ids_signed_results_carry(project: Path) -> None:
    runner = CliRunner()
    base = ["--project-dir", str(project), "community"]
    assert runner.invoke(cli, [*base, "join", "--yes"]).exit_code == 0
    before = runner.invoke(cli, [*base, "profile"])
    assert "none yet" in " ".join(before.output.split())
    keys = load_or_create_keys(Project(project))
    after = " ".join(runner.invoke(cli, [*base, "profile"]).output.split())
    assert participant_id_for(public_key_of(keys.anonymous)) in after.replace("│ ", "").replace(
        " │", ""
    )


def test_a_signed_file_joins_its_own_history_without_submitter_records(tmp_path: Path) -> None:
    """The history rule (Submitted-by trailers) is for unsigned ids: a key proves itself."""
    repo = BoardRepo(tmp_path / "board")
    first, second = (sign(repo.new_doc(), KEY_A) for _ in range(2))
    repo.add_doc(first)
    repo.commit("merged by hand, no Submitted-by trailer")
    repo.branch("pr-same-key")
    repo.add_doc(second)
    head = repo.commit("pull request")
    repo.back_to_main()
    result = CliRunner().invoke(
        cli,
        ["ci", "check-pr", "--repo", str(repo.path), "--base", "main", "--head", head]
        + ["--board", str(repo.path), "--author", "someone", "--json"],
    )
    report = json.loads(result.stdout)
    assert result.exit_code == 0, report["findings"]
    assert second["participant_id"] == first["participant_id"]
