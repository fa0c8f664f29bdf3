"""The v1 contract: every way a file can be wrong gives its exact message."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_submission

from tinytorch_board.cli import cli
from tinytorch_board.jsonio import dumps
from tinytorch_board.submission import MAX_FILE_BYTES
from tinytorch_board.submission.validator import (
    LIMITS,
    check_bytes,
    check_document,
    check_file,
    schema,
    text_problem,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


def problems(doc: dict, name: str | None = None) -> list[str]:
    return [f"{p.path}: {p.message}" for p in check_document(doc, "f.json", name, now=NOW)]


def test_valid_documents_pass(valid_doc, public_doc):
    assert problems(valid_doc) == []
    assert problems(public_doc) == []


def test_every_schema_property_is_described():
    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                assert sub.get("description"), f"{where}.{name} has no description"
            for key, sub in node.items():
                walk(sub, f"{where}.{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}[{i}]")

    walk(schema(), "$")
    assert schema()["additionalProperties"] is False
    assert schema()["$schema"].endswith("2020-12/schema")


def _set(doc: dict, dotted: str, value: object) -> dict:
    *parents, last = dotted.split(".")
    node = doc
    for part in parents:
        node = node[part]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return doc


_DELETE = object()


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("schema_version", 2, "$.schema_version: 1 was expected"),
        ("submission_id", "XYZ", '$.submission_id: "XYZ" has the wrong format'),
        ("participant_id", "not-a-uuid", '$.participant_id: "not-a-uuid" has the wrong format'),
        ("created_at", "2026-11-22 10:00", '$.created_at: "2026-11-22 10:00" has the wrong format'),
        (
            "created_at",
            "2026-02-30T10:00:00Z",
            "$.created_at: '2026-02-30T10:00:00Z' is not a real date and time",
        ),
        (
            "created_at",
            "2027-01-01T00:00:00Z",
            "$.created_at: 2027-01-01T00:00:00Z is in the future",
        ),
        (
            "created_at",
            "2019-01-01T00:00:00Z",
            "$.created_at: 2019-01-01T00:00:00Z is before 2024; the board did not exist yet",
        ),
        ("hostname", "my-laptop", "$: unknown field(s): hostname"),
        ("benchmark.cpu_model", "Intel", "$.benchmark: unknown field(s): cpu_model"),
        (
            "benchmark.kind",
            "speedrun",
            "$.benchmark.kind: 'speedrun' is not one of ['baseline', 'capstone']",
        ),
        (
            "benchmark.backend",
            "torch",
            "$.benchmark.backend: 'torch' is not one of ['numpy', 'tinytorch']",
        ),
        ("benchmark.score", 101, "$.benchmark.score: 101 is greater than the maximum of 100"),
        (
            "benchmark.suite_version",
            7,
            "$.benchmark.suite_version: unknown suite_version 7 (known: 1, 2)",
        ),
        (
            "benchmark.metrics.matmul.median_ms",
            0,
            "$.benchmark.metrics.matmul.median_ms: 0 is less than or equal to the minimum of 0",
        ),
        (
            "benchmark.metrics.matmul.median_ms",
            "fast",
            "$.benchmark.metrics.matmul.median_ms: 'fast' is not of type 'number'",
        ),
        (
            "benchmark.metrics.matmul.runs",
            2.5,
            "$.benchmark.metrics.matmul.runs: 2.5 is not of type 'integer'",
        ),
        ("benchmark.metrics.matmul", _DELETE, "$.benchmark.metrics: missing metric 'matmul'"),
        (
            "benchmark.metrics.conv",
            {"median_ms": 1, "iqr_ms": 0, "runs": 3},
            "$.benchmark.metrics.conv: not a baseline metric",
        ),
        (
            "system.system_type",
            "My Laptop",
            "$.system.system_type: 'My Laptop' is not one of ['Linux x86', 'Linux ARM', 'macOS Apple Silicon', 'macOS Intel', 'Windows x86', 'Windows ARM', 'Other']",
        ),
        (
            "system.memory_gb",
            24,
            "$.system.memory_gb: 24 is not a power of two (memory is rounded to one)",
        ),
        ("system.memory_gb", 8.0, None),
        ("system.memory_gb", 0, "$.system.memory_gb: 0 is less than the minimum of 1"),
        ("system.cpu_cores", True, "$.system.cpu_cores: True is not of type 'integer'"),
        ("system.hostname", "box", "$.system: unknown field(s): hostname"),
        ("system.python", "3.11.7", '$.system.python: "3.11.7" has the wrong format'),
        (
            "progress.modules_completed",
            21,
            "$.progress.modules_completed: 21 is greater than the maximum of 20",
        ),
        (
            "progress.milestones_completed",
            ["07"],
            "$.progress.milestones_completed[0]: '07' is not one of ['01', '02', '03', '04', '05', '06']",
        ),
        (
            "progress.milestones_completed",
            ["02", "01"],
            "$.progress.milestones_completed: must be in ascending order",
        ),
        (
            "progress.milestones_completed",
            ["01", "01"],
            "$.progress.milestones_completed: ['01', '01'] has non-unique elements",
        ),
        (
            "progress.days_since_join",
            -1,
            "$.progress.days_since_join: -1 is less than the minimum of 0",
        ),
        (
            "community.cohort",
            "Winter 2026",
            '$.community.cohort: "Winter 2026" has the wrong format',
        ),
        ("community.email", "a@b.c", "$.community: unknown field(s): email"),
        ("community", [], "$.community: [] must be null or an object of the documented shape"),
        ("visibility", "secret", "$.visibility: 'secret' is not one of ['anonymous', 'public']"),
        ("public", {"display_name": "Ada"}, "$.public: must be null for an anonymous submission"),
        ("withdraw_key_sha256", "00", '$.withdraw_key_sha256: "00" has the wrong format'),
        ("client_version", "x" * 40, "$.client_version: '" + "x" * 40 + "' is too long"),
    ],
)
def test_invalid_field_messages(valid_doc, field, value, expected):
    found = problems(_set(valid_doc, field, value))
    if expected is None:
        assert found == [], found
    else:
        assert expected in found, found


def test_score_is_recomputed(valid_doc):
    real = valid_doc["benchmark"]["score"]
    valid_doc["benchmark"]["score"] = round(real + 0.1, 1)
    assert problems(valid_doc) == [
        f"$.benchmark.score: {round(real + 0.1, 1)} does not match the metrics (recomputed: {real})"
    ]
    valid_doc["benchmark"]["score"] = round(real + 0.04, 2)  # within display rounding
    assert problems(valid_doc) == []


def test_baseline_cannot_carry_tracks(valid_doc):
    valid_doc["benchmark"]["tracks"] = dict.fromkeys(
        ("speed", "compression", "accuracy", "efficiency")
    )
    assert problems(valid_doc) == ["$.benchmark.tracks: only capstone results have tracks"]


@pytest.mark.parametrize(
    ("public", "expected"),
    [
        ({"display_name": "<script>alert(1)</script>"}, []),
        ({"display_name": "x" * 41}, ["$.public.display_name: '" + "x" * 41 + "' is too long"]),
        (
            {"display_name": "Ada\u202eevil"},
            ['$.public.display_name: "Ada\\u202eevil" has the wrong format'],
        ),
        ({"display_name": " Ada"}, ["$.public.display_name: must not start or end with spaces"]),
        ({"display_name": "A\u0301da"}, ["$.public.display_name: must be NFC-normalized Unicode"]),
        ({"github": "-bad-"}, ['$.public.github: "-bad-" has the wrong format']),
        ({"country": "XX"}, ["$.public.country: 'XX' is not an ISO 3166-1 alpha-2 country code"]),
        ({"country": "de"}, ['$.public.country: "de" has the wrong format']),
        ({"email": "a@b.c"}, ["$.public: unknown field(s): email"]),
        ({}, ["$.public: {} should be non-empty"]),
        (None, ["$.public: a public submission needs at least one public field"]),
    ],
)
def test_public_field_messages(public_doc, public, expected):
    public_doc["public"] = public
    assert problems(public_doc) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Ada Lovelace", None),
        ("Zoë 李", None),
        ("a\u200bb", "contains a control or invisible character (U+200B)"),
        ("a\u2066b", "contains a control or invisible character (U+2066)"),
        ("tab\there", "contains a control or invisible character (U+0009)"),
    ],
)
def test_text_problem(text, reason):
    assert text_problem(text) == reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            b"{",
            "$: invalid JSON at line 1 column 2: Expecting property name enclosed in double quotes",
        ),
        (b"[1, 2]", "$: expected a JSON object, found list"),
        (b'{"a": NaN}', "$: invalid JSON: NaN is not allowed (numbers must be finite)"),
        (b'{"a": Infinity}', "$: invalid JSON: Infinity is not allowed (numbers must be finite)"),
        (b'{"a": 1, "a": 2}', "$: invalid JSON: duplicate key 'a'"),
        (b"\xff\xfe{}", "$: not UTF-8 (byte 0)"),
        (b"[" * 100000 + b"]" * 100000, None),
    ],
)
def test_unparseable_bytes(raw, expected):
    checked = check_bytes(raw, "f.json", now=NOW)
    assert not checked.ok
    messages = [f"{p.path}: {p.message}" for p in checked.problems]
    if expected is None:
        assert len(messages) == 1 and messages[0].startswith("$: ")
    else:
        assert messages == [expected]


def test_oversized_file_rejected_before_parsing(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b"{" + b" " * MAX_FILE_BYTES + b"}")
    checked = check_file(path, now=NOW)
    assert [p.message for p in checked.problems] == [
        f"file is {MAX_FILE_BYTES + 2} bytes; the limit is {MAX_FILE_BYTES} bytes"
    ]


def test_id_must_match_file_name_and_shard(valid_doc, board):
    sid = valid_doc["submission_id"]
    assert problems(valid_doc, f"submissions/{sid[:2]}/{sid}.json") == []
    assert problems(valid_doc, f"submissions/{sid[:2]}/{'0' * 32}.json") == [
        f"$.submission_id: '{sid}' does not match the file name '{'0' * 32}.json'"
    ]
    wrong = "zz" if sid[:2] != "zz" else "yy"
    assert problems(valid_doc, f"submissions/{wrong}/{sid}.json") == [
        f"$.submission_id: file is in shard '{wrong}' but belongs in 'submissions/{sid[:2]}/'"
    ]


def test_symlink_is_refused(valid_doc, tmp_path):
    real = tmp_path / "real.json"
    real.write_text(dumps(valid_doc))
    link = tmp_path / f"{valid_doc['submission_id']}.json"
    link.symlink_to(real)
    assert [p.message for p in check_file(link).problems] == ["is a symbolic link, not a file"]


def test_validate_command_reports_every_problem_and_exits_1(valid_doc, board, tmp_path):
    good = write_submission(board, valid_doc)
    bad_doc = json.loads(good.read_text())
    bad_doc["submission_id"] = "f" * 32
    bad_doc["system"]["memory_gb"] = 3
    bad = board / "submissions" / "ff" / ("f" * 32 + ".json")
    bad.parent.mkdir(exist_ok=True)
    bad.write_text(dumps(bad_doc))
    (board / "submissions" / "ff" / "junk.json").write_text("{oops")

    result = CliRunner().invoke(cli, ["validate", str(board)], catch_exceptions=False)
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert f"{bad}: $.system.memory_gb: 3 is not a power of two (memory is rounded to one)" in lines
    assert any(
        line.startswith(f"{board}/submissions/ff/junk.json: $: invalid JSON") for line in lines
    )
    assert any("does not match the file name 'junk.json'" not in line for line in lines)
    assert "1 valid, 2 invalid" in result.stderr

    ok = CliRunner().invoke(cli, ["validate", str(good)], catch_exceptions=False)
    assert ok.exit_code == 0, ok.output


def test_validate_json_output(valid_doc, board):
    valid_doc["system"]["memory_gb"] = 3
    path = write_submission(board, valid_doc)
    result = CliRunner().invoke(cli, ["validate", "--json", str(path)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["files"] == 1 and report["invalid"] == 1
    assert report["problems"][0]["path"] == "$.system.memory_gb"


def test_validate_empty_board_is_an_error(board):
    result = CliRunner().invoke(cli, ["validate", str(board)])
    assert result.exit_code == 1
    assert "no submission files found" in result.stdout


def test_schema_file_ships_inside_the_package():
    package = Path(__file__).resolve().parents[1] / "tinytorch_board" / "submission"
    assert (package / "schema_v1.json").is_file()


def _schema_nodes(node, where="$"):
    if isinstance(node, dict):
        yield where, node
        for key, sub in node.items():
            yield from _schema_nodes(sub, f"{where}.{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _schema_nodes(sub, f"{where}[{i}]")


def test_every_number_in_the_schema_is_bounded():
    """A new numeric field states its range: 1e400 and 4,000-digit integers fail by field."""
    for where, node in _schema_nodes(schema()):
        types = node.get("type")
        types = types if isinstance(types, list) else [types]
        if "number" in types or "integer" in types:
            assert "minimum" in node or "exclusiveMinimum" in node, where
            assert "maximum" in node or "exclusiveMaximum" in node, where
            top = node.get("maximum", node.get("exclusiveMaximum"))
            bottom = node.get("minimum", node.get("exclusiveMinimum"))
            assert max(abs(top), abs(bottom)) <= LIMITS.integer, where


def test_structure_limits_are_looser_than_the_schema():
    """The limits checked before the schema never refuse a file the schema would accept."""
    for where, node in _schema_nodes(schema()):
        for key in ("maxItems", "maxProperties"):
            if key in node:
                assert node[key] <= LIMITS.items, where
        if "maxLength" in node:
            assert node["maxLength"] <= LIMITS.string, where
        if node.get("type") in ("array", "object") or "properties" in node:
            has_bound = any(k in node for k in ("maxItems", "maxProperties", "enum", "const"))
            closed = node.get("additionalProperties") is False
            assert has_bound or closed, f"{where}: an array or object needs a size bound"
