"""load_board gives exactly the shared validator's verdicts, fast path or not."""

from __future__ import annotations

import copy
import json
import os
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

import pytest
from board_helpers import write_submission

from tinytorch_board.board import load as load_module
from tinytorch_board.board.demo_data import generate, generate_capstone
from tinytorch_board.board.load import ROW_FIELDS, _row, build_columns, load_board
from tinytorch_board.errors import BoardError
from tinytorch_board.jsonio import dumps
from tinytorch_board.submission import MAX_FILE_BYTES
from tinytorch_board.submission.validator import board_files, check_file

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


def _set(path: str, value):
    def mutate(doc):
        *parents, last = path.split(".")
        target = doc
        for part in parents:
            target = target[part]
        target[last] = value

    return mutate


def _delete(path: str):
    def mutate(doc):
        *parents, last = path.split(".")
        target = doc
        for part in parents:
            target = target[part]
        del target[last]

    return mutate


def _public(**fields):
    def mutate(doc):
        doc["visibility"] = "public"
        doc["public"] = dict(fields)

    return mutate


MUTATIONS = {
    "extra top key": _set("extra", 1),
    "missing top key": _delete("client_version"),
    "schema_version 2": _set("schema_version", 2),
    "schema_version 1.0": _set("schema_version", 1.0),
    "schema_version true": _set("schema_version", True),
    "participant upper": _set("participant_id", "9B2D7C1E-4F3A-4E8B-9C0D-1A2B3C4D5E6F"),
    "created Feb 30": _set("created_at", "2026-02-30T10:00:00Z"),
    "created second 60": _set("created_at", "2026-02-03T10:00:60Z"),
    "created future": _set("created_at", "2026-11-22T12:11:00Z"),
    "created skew ok": _set("created_at", "2026-11-22T12:09:00Z"),
    "created 2023": _set("created_at", "2023-12-31T23:59:59Z"),
    "created newline": _set("created_at", "2026-01-01T10:00:00Z\n"),
    "client long": _set("client_version", "1.2.3" + "a" * 28),
    "client newline": _set("client_version", "0.1.0\n"),
    "withdraw short": _set("withdraw_key_sha256", "ab"),
    "kind capstone": _set("benchmark.kind", "capstone"),
    "suite 2": _set("benchmark.suite_version", 2),
    "suite 1": _set("benchmark.suite_version", 1),
    "no machine score": _delete("benchmark.machine_score"),
    "machine score 101": _set("benchmark.machine_score", 101),
    "machine score off": _set("benchmark.machine_score", 0.0),
    "machine score text": _set("benchmark.machine_score", "50"),
    "numpy sibling on any result": _set("benchmark.metrics.matmul.numpy_median_ms", 0.02),
    "numpy sibling zero": _set("benchmark.metrics.matmul.numpy_median_ms", 0),
    "numpy runs float": _set("benchmark.metrics.tensor_ops.numpy_runs", 3.0),
    "suite 1.0": _set("benchmark.suite_version", 1.0),
    "backend torch": _set("benchmark.backend", "torch"),
    "score off": lambda d: d["benchmark"].__setitem__("score", d["benchmark"]["score"] + 0.5),
    "score close": lambda d: d["benchmark"].__setitem__("score", d["benchmark"]["score"] + 0.05),
    "score bool": _set("benchmark.score", True),
    "score 101": _set("benchmark.score", 101),
    "tracks on baseline": _set("benchmark.tracks", None),
    "metric missing": _delete("benchmark.metrics.matmul"),
    "metric extra": _set("benchmark.metrics.conv", {"median_ms": 1.0, "iqr_ms": 0.1, "runs": 3}),
    "median zero": _set("benchmark.metrics.matmul.median_ms", 0),
    "median string": _set("benchmark.metrics.matmul.median_ms", "1"),
    "iqr huge": lambda d: d["benchmark"]["metrics"]["matmul"].__setitem__(
        "iqr_ms", d["benchmark"]["metrics"]["matmul"]["median_ms"] * 1001
    ),
    "runs 0": _set("benchmark.metrics.matmul.runs", 0),
    "runs 2.0": _set("benchmark.metrics.matmul.runs", 2.0),
    "converged int": _set("benchmark.metrics.matmul.converged", 1),
    "no converged": _delete("benchmark.metrics.matmul.converged"),
    "metric extra key": _set("benchmark.metrics.matmul.note", "x"),
    "system_type Plan9": _set("system.system_type", "Plan 9"),
    "arch upper": _set("system.arch", "X86"),
    "cores 0": _set("system.cpu_cores", 0),
    "memory 3": _set("system.memory_gb", 3),
    "memory null": _set("system.memory_gb", None),
    "memory 8.0": _set("system.memory_gb", 8.0),
    "python 2.7": _set("system.python", "2.7"),
    "numpy null": _set("system.numpy", None),
    "setup 1": _set("progress.setup_verified", 1),
    "modules 21": _set("progress.modules_completed", 21),
    "milestones unsorted": _set("progress.milestones_completed", ["02", "01"]),
    "milestones dup": _set("progress.milestones_completed", ["01", "01"]),
    "milestones 07": _set("progress.milestones_completed", ["07"]),
    "milestones 1": _set("progress.milestones_completed", [1]),
    "days null": _set("progress.days_since_join", None),
    "days -1": _set("progress.days_since_join", -1),
    "community null": _set("community", None),
    "community list": _set("community", []),
    "cohort Winter": _set("community.cohort", "Winter 2026"),
    "course mooc": _set("community.course_type", "mooc"),
    "level null": _set("community.experience_level", None),
    "anonymous with public": _set("public", {"display_name": "X"}),
    "public without fields": _public(),
    "public null": lambda d: d.__setitem__("visibility", "public"),
    "visibility hidden": _set("visibility", "hidden"),
    "public ok": _public(display_name="Ada 7", github="ada-l", country="FR", institution="ETH"),
    "public name spaces": _public(display_name=" Ada"),
    "public name NFD": _public(display_name=unicodedata.normalize("NFD", "Zoë")),
    "public name bidi": _public(display_name="Ada\u202e"),
    "public name zwsp": _public(display_name="A\u200bda"),
    "public name long": _public(display_name="A" * 41),
    "public name empty": _public(display_name=""),
    "public country XX": _public(country="XX"),
    "public country fr": _public(country="fr"),
    "public github bad": _public(github="-ada"),
    "public unknown": _public(display_name="A", email="a@b.c"),
    "public institution": _public(institution="Universität Zürich"),
}


def _skip_track(name: str, rescore: bool = True):
    """A track that did not run; the overall score follows (or not)."""

    def mutate(doc):
        bench = doc["benchmark"]
        bench["tracks"][name] = None
        ran = [t["score"] for t in bench["tracks"].values() if t is not None]
        if rescore and ran:
            bench["score"] = round(sum(ran) / len(ran), 1)

    return mutate


def _track(name: str, change, rescore: bool = False):
    def mutate(doc):
        bench = doc["benchmark"]
        change(bench["tracks"][name])
        if rescore:  # the overall score follows the changed track: only the track is off
            ran = [t["score"] for t in bench["tracks"].values() if t is not None]
            bench["score"] = round(sum(ran) / len(ran), 1)

    return mutate


def _all_tracks_ran(docs: list[dict]) -> list[dict]:
    """Capstone documents every track mutation can apply to."""
    return [d for d in docs if None not in d["benchmark"]["tracks"].values()]


CAPSTONE_MUTATIONS = {
    "capstone as generated": lambda d: None,
    "capstone speed skipped": _skip_track("speed"),
    "capstone speed skipped, score kept": _skip_track("speed", rescore=False),
    "capstone nothing ran": lambda d: [
        _skip_track(name, rescore=False)(d) for name in list(d["benchmark"]["tracks"])
    ],
    "capstone missing track": _delete("benchmark.tracks.speed"),
    "capstone extra track": _set("benchmark.tracks.memory", None),
    "capstone without tracks": _delete("benchmark.tracks"),
    "capstone tracks null": _set("benchmark.tracks", None),
    "capstone kind baseline": _set("benchmark.kind", "baseline"),
    "capstone suite 2": _set("benchmark.suite_version", 2),
    "capstone with metrics": _set(
        "benchmark.metrics", {"matmul": {"median_ms": 1.0, "iqr_ms": 0.1, "runs": 3}}
    ),
    "capstone overall off": lambda d: d["benchmark"].__setitem__(
        "score", d["benchmark"]["score"] + 0.5
    ),
    "capstone overall 101": _set("benchmark.score", 101),
    "capstone track score off": _track(
        "accuracy", lambda t: t.__setitem__("score", t["score"] + 1)
    ),
    "capstone track score off, overall follows": _track(
        "accuracy", lambda t: t.__setitem__("score", t["score"] + 1), rescore=True
    ),
    "capstone accuracy changed, overall follows": _track(
        "accuracy",
        lambda t: t["metrics"].__setitem__("accuracy_pct", t["metrics"]["accuracy_pct"] - 5),
        rescore=True,
    ),
    "capstone track score close": _track(
        "accuracy", lambda t: t.__setitem__("score", t["score"] + 0.05)
    ),
    "capstone track score bool": _track("accuracy", lambda t: t.__setitem__("score", True)),
    "capstone track extra key": _track("accuracy", lambda t: t.__setitem__("note", "x")),
    "capstone track no metrics": _track("accuracy", lambda t: t.pop("metrics")),
    "capstone metric string": _track(
        "accuracy", lambda t: t["metrics"].__setitem__("accuracy_pct", "90")
    ),
    "capstone metric bool": _track("accuracy", lambda t: t["metrics"].__setitem__("epochs", True)),
    "capstone metric null": _track("accuracy", lambda t: t["metrics"].__setitem__("epochs", None)),
    "capstone metric name": _track("accuracy", lambda t: t["metrics"].__setitem__("Epochs", 3)),
    "capstone metric extra": _track("accuracy", lambda t: t["metrics"].__setitem__("seed", 7)),
    "capstone metrics 17": _track(
        "accuracy", lambda t: t["metrics"].update({f"m{i}": i for i in range(17)})
    ),
    "capstone required missing": _track("speed", lambda t: t["metrics"].pop("latency_p50_ms")),
    "capstone latency 0": _track("speed", lambda t: t["metrics"].__setitem__("latency_p50_ms", 0)),
    "capstone accuracy 101": _track(
        "accuracy", lambda t: t["metrics"].__setitem__("accuracy_pct", 101)
    ),
}


def _raw_variants(doc: dict) -> dict[str, bytes]:
    text = dumps(doc)
    return {
        "not json": b"{nope",
        "duplicate key": text.replace(
            '"schema_version": 1,', '"schema_version": 1,\n  "schema_version": 1,'
        ).encode(),
        "NaN": text.replace(
            f'"score": {json.dumps(doc["benchmark"]["score"])}', '"score": NaN'
        ).encode(),
        "bom": b"\xef\xbb\xbf" + text.encode(),
        "latin-1": text.replace('"anonymous"', '"anonym\u00f6us"').encode("latin-1"),
        "array": b"[1, 2]",
        "oversize": text.encode() + b" " * MAX_FILE_BYTES,
        "compact": json.dumps(doc, separators=(",", ":")).encode(),
        "dup nested": text.replace('"cpu_cores": ', '"cpu_cores": 4,\n    "cpu_cores": ').encode(),
        "dup same value": text.replace('"os": ', '"os": "Other", "os": ', 1).encode(),
        "escaped quote": dumps(
            {**doc, "visibility": "public", "public": {"display_name": 'Ada "AL" L'}}
        ).encode(),
        "unicode escape": text.replace('"anonymous"', '"anonym\\u006fus"').encode(),
    }


def reference(board: Path) -> tuple[list[dict], list[tuple]]:
    """What the shared validator alone says about every file of the board."""
    docs, invalid = [], []
    for path in board_files(board):
        source = str(path.relative_to(board))
        try:
            checked = check_file(path, now=NOW, source=source)
        except TypeError as exc:  # the validator trips on some odd data; load rejects it
            invalid.append((source, f"the validator failed on this file (TypeError: {exc})"))
            continue
        if checked.ok:
            docs.append(checked.document)
        else:
            invalid.append((checked.source, checked.problems))
    return docs, invalid


@pytest.fixture(scope="module")
def mixed_board(tmp_path_factory) -> Path:
    board = tmp_path_factory.mktemp("board")
    (board / "submissions").mkdir()
    docs = generate(120, seed=7)
    for doc in docs[:40]:
        write_submission(board, doc)
    base = docs[40:]
    for index, mutate in enumerate(MUTATIONS.values()):
        doc = copy.deepcopy(base[index % len(base)])
        mutate(doc)
        write_submission(board, doc)
    capstones = _all_tracks_ran(generate_capstone(3 * len(CAPSTONE_MUTATIONS), seed=7))
    for doc in capstones[:5]:
        write_submission(board, doc)
    for doc, mutate in zip(capstones[5:], CAPSTONE_MUTATIONS.values(), strict=False):
        mutate(doc)
        write_submission(board, doc)
    extra = generate(40, seed=99)
    for index, (name, raw) in enumerate(_raw_variants(extra[0]).items()):
        doc = extra[20 + index]
        sid = doc["submission_id"]
        target = board / "submissions" / sid[:2] / f"{sid}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        if name in ("not json", "array", "oversize"):
            target.write_bytes(raw)
        else:
            target.write_bytes(_raw_variants(doc)[name])
    # placement problems and odd files
    doc = extra[12]
    (board / "submissions" / "zz").mkdir()
    (board / "submissions" / "zz" / f"{doc['submission_id']}.json").write_text(dumps(doc))
    doc = extra[13]
    (board / "submissions" / doc["submission_id"][:2] / "renamed.json").parent.mkdir(
        parents=True, exist_ok=True
    )
    (board / "submissions" / doc["submission_id"][:2] / "renamed.json").write_text(dumps(doc))
    doc = extra[14]
    nested = board / "submissions" / "deep" / doc["submission_id"][:2]
    nested.mkdir(parents=True)
    (nested / f"{doc['submission_id']}.json").write_text(dumps(doc))
    doc = extra[15]
    (board / "submissions" / f"{doc['submission_id']}.json").write_text(dumps(doc))
    (board / "submissions" / "ab" / "x.json").mkdir(parents=True)  # a directory
    (board / "submissions" / ".hidden.json").write_text("{}")
    (board / "submissions" / "notes.txt").write_text("not a submission")
    link_target = write_submission(board, extra[16])
    os.symlink(link_target, board / "submissions" / link_target.parent.name / "link.json")
    doc = extra[17]
    doc["benchmark"]["score"] = float(doc["benchmark"]["score"])
    write_submission(board, doc)
    return board


def test_same_verdicts_as_the_validator(mixed_board):
    expected_docs, expected_invalid = reference(mixed_board)
    loaded = load_board(mixed_board, now=NOW)
    assert loaded.documents == expected_docs
    got = [
        (c.source, c.problems[0].message if "validator failed" in str(c.problems) else c.problems)
        for c in loaded.invalid
    ]
    assert got == expected_invalid
    assert len(expected_docs) > 40 and len(expected_invalid) > 50  # both paths exercised
    sources = {c.source: c for c in loaded.invalid}
    assert len(sources) == len(loaded.invalid)
    duplicates = [c for c in loaded.invalid if "duplicate key" in str(c.problems)]
    assert len(duplicates) == 3


def test_columns_rows_match_the_documents(mixed_board):
    loaded = load_board(mixed_board, now=NOW)
    rebuilt = build_columns(loaded.documents)
    fast = loaded.columns
    for name in ROW_FIELDS:
        assert fast.values[name] == rebuilt.values[name], name
    in_time_order = [loaded.documents[i] for i in fast.document_index]
    assert list(zip(*fast.values.values(), strict=True)) == [_row(d) for d in in_time_order]
    stamps = [(d["created_at"], d["submission_id"]) for d in in_time_order]
    assert stamps == sorted(stamps)


def test_valid_files_take_the_fast_path(tmp_path, monkeypatch):
    board = tmp_path / "board"
    docs = generate(60, seed=5) + generate_capstone(20, seed=5)
    for doc in docs:
        write_submission(board, doc)
    calls = []
    original = load_module.check_file
    monkeypatch.setattr(
        load_module, "check_file", lambda *a, **k: calls.append(a) or original(*a, **k)
    )
    loaded = load_board(board, now=NOW)
    assert len(loaded.documents) == 80 and not loaded.invalid
    assert calls == []
    assert sum(d["benchmark"]["kind"] == "capstone" for d in loaded.documents) == 20


def test_load_agrees_with_the_validator_on_every_mutation(tmp_path):
    """One validator: the loader's verdict and problems are check_file's, for every file."""
    base = generate(30, seed=11)
    capstones = _all_tracks_ran(generate_capstone(30, seed=11))
    cases = [(name, mutate, base) for name, mutate in MUTATIONS.items()]
    cases += [(name, mutate, capstones) for name, mutate in CAPSTONE_MUTATIONS.items()]
    board = tmp_path / "board"
    expected = {}
    for index, (name, mutate, docs) in enumerate(cases):
        doc = copy.deepcopy(docs[index % len(docs)])
        doc["submission_id"] = f"{index:02x}{doc['submission_id'][2:]}"  # one file per case
        mutate(doc)
        path = write_submission(board, doc)
        source = path.relative_to(board).as_posix()
        expected[source] = (name, check_file(path, now=NOW, source=source))
    loaded = load_board(board, now=NOW, workers=1)
    valid_ids = {d["submission_id"] for d in loaded.documents}
    for checked in loaded.invalid:
        name, reference = expected[checked.source]
        assert checked.problems == reference.problems, name
    for source, (name, reference) in expected.items():
        assert (source.rsplit("/", 1)[1][:-5] in valid_ids) == reference.ok, name


def test_empty_and_missing_boards(tmp_path):
    (tmp_path / "empty").mkdir()
    loaded = load_board(tmp_path / "empty")
    assert loaded.documents == [] and loaded.invalid == []
    assert loaded.columns.n == 0
    with pytest.raises(BoardError, match="does not exist"):
        load_board(tmp_path / "missing")


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_forked_load_gives_the_serial_results(mixed_board, monkeypatch, share):
    """The helper process (workers=2) changes the speed, never the result."""
    monkeypatch.setattr(load_module, "PARENT_SHARE", share)
    serial = load_board(mixed_board, now=NOW, workers=1)
    forked = load_board(mixed_board, now=NOW, workers=2)
    assert forked.documents == serial.documents
    assert forked._rows == serial._rows
    assert [(c.source, c.problems) for c in forked.invalid] == [
        (c.source, c.problems) for c in serial.invalid
    ]
    assert forked.columns.values == serial.columns.values


def test_forked_load_falls_back_when_the_helper_fails(mixed_board, monkeypatch):
    serial = load_board(mixed_board, now=NOW, workers=1)
    real_check_all = load_module._check_all
    parent = os.getpid()

    def failing_in_child(*args):
        if os.getpid() != parent:
            raise RuntimeError("helper process failure")
        return real_check_all(*args)

    monkeypatch.setattr(load_module, "_check_all", failing_in_child)
    forked = load_board(mixed_board, now=NOW, workers=2)
    assert forked.documents == serial.documents
    assert [c.source for c in forked.invalid] == [c.source for c in serial.invalid]


def test_small_boards_load_serially(monkeypatch):
    assert load_module._parallel_workers(10, None) == 1
    assert load_module._parallel_workers(10, 1) == 1
    assert load_module._parallel_workers(10, 2) == 2


def test_gc_paused_freezes_only_after_many_new_objects(monkeypatch):
    import gc

    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    with load_module.gc_paused():
        small = [[] for _ in range(10)]
    assert frozen == [] and gc.isenabled()
    monkeypatch.setattr(load_module, "FREEZE_AFTER", 5)
    with load_module.gc_paused():
        assert not gc.isenabled()
        many = [[] for _ in range(1000)]
    assert frozen == [True] and gc.isenabled()
    assert len(small) + len(many) == 1010
