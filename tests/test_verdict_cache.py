"""A later load remembers which files were accepted: only new or changed files are judged
in full, and nothing a board holds can make the loader skip a check."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import write_submission

from tinytorch_board.board import load as load_module
from tinytorch_board.board.demo_data import generate
from tinytorch_board.board.load import load_board
from tinytorch_board.submission import validator


@pytest.fixture
def judged(monkeypatch) -> list[str]:
    """The sources the compiled schema judged, in order (one per full check)."""
    calls: list[str] = []
    real = validator.check_document

    def counting(doc, source, *args, **kwargs):
        calls.append(source)
        return real(doc, source, *args, **kwargs)

    monkeypatch.setattr(validator, "check_document", counting)
    return calls


def _board(board: Path, count: int = 8) -> list[Path]:
    return [write_submission(board, doc) for doc in generate(count, seed=21)]


def test_a_later_load_judges_only_new_and_changed_files(board: Path, judged) -> None:
    paths = _board(board)
    first = load_board(board, workers=1)
    assert len(first.documents) == 8 and len(judged) == 8
    again = load_board(board, workers=1)
    assert len(judged) == 8  # nothing judged again
    assert again.documents == first.documents  # the same documents, parsed as before
    # one new file, one changed file: those two are judged, and the changed one refused
    extra = generate(9, seed=22)[-1]
    write_submission(board, extra)
    paths[0].write_bytes(paths[0].read_bytes().replace(b'"runs": ', b'"runs": 1', 1))
    third = load_board(board, workers=1)
    assert len(judged) == 10
    assert len(third.documents) == 8 and len(third.invalid) == 1
    assert "signature does not verify" in str(third.invalid[0].problems[0])


def test_the_forked_helper_remembers_its_share(board: Path) -> None:
    _board(board, 10)
    cache = load_module.default_verdict_cache()
    load_board(board, workers=2)
    assert cache.stat().st_size == 10 * load_module.KEY_BYTES


def test_new_rules_forget_every_verdict(board: Path, judged, monkeypatch) -> None:
    _board(board, 4)
    load_board(board, workers=1)
    assert len(judged) == 4
    monkeypatch.setattr(validator, "rules_fingerprint", lambda: b"other rules".ljust(32, b"\0"))
    load_board(board, workers=1)
    assert len(judged) == 8


def test_a_remembered_file_moved_elsewhere_is_judged_again(board: Path, judged) -> None:
    paths = _board(board, 3)
    load_board(board, workers=1)
    wrong = board / "submissions" / "zz" / paths[0].name
    wrong.parent.mkdir()
    paths[0].rename(wrong)
    loaded = load_board(board, workers=1)
    assert len(judged) == 4
    assert [str(p) for c in loaded.invalid for p in c.problems] == [
        f"submissions/zz/{paths[0].name}: $.submission_id: file is in shard 'zz' but "
        f"belongs in 'submissions/{paths[0].name[:2]}/'"
    ]


def test_time_is_checked_again_on_every_load(board: Path, judged) -> None:
    paths = _board(board, 3)
    newest = max(json.loads(p.read_bytes())["created_at"] for p in paths)
    when = datetime.strptime(newest, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert len(load_board(board, workers=1).documents) == 3
    earlier = load_board(board, now=when - timedelta(days=1), workers=1)  # the clock went back
    assert len(earlier.invalid) >= 1
    assert all("is in the future" in str(c.problems[0]) for c in earlier.invalid)


@pytest.mark.parametrize(
    "content",
    [b"", b"x" * 15, b"\0" * 17, b"not a cache at all, just some text\n"],
)
def test_a_damaged_cache_only_means_judging_again(board: Path, judged, content: bytes) -> None:
    _board(board, 3)
    cache = load_module.default_verdict_cache()
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(content)
    assert len(load_board(board, workers=1).documents) == 3
    assert len(judged) == 3
    assert cache.stat().st_size == 3 * load_module.KEY_BYTES  # rewritten whole


def test_a_cache_inside_the_board_is_never_read(board: Path, judged, monkeypatch) -> None:
    """The default cache lives outside every board; a file a board holds cannot
    pre-accept anything, even under the cache's own name."""
    _board(board, 2)
    load_board(board, workers=1)
    stolen = load_module.default_verdict_cache().read_bytes()
    (board / "accepted-files.bin").write_bytes(stolen)
    (board / ".cache").mkdir()
    (board / ".cache" / "accepted-files.bin").write_bytes(stolen)
    monkeypatch.setenv("TINYTORCH_BOARD_CACHE_DIR", str(board.parent / "elsewhere"))
    load_board(board, workers=1)
    assert len(judged) == 4


def test_no_cache_judges_every_file_every_time(board: Path, judged) -> None:
    _board(board, 3)
    load_board(board, workers=1, verdict_cache=None)
    load_board(board, workers=1, verdict_cache=None)
    assert len(judged) == 6
    assert not load_module.default_verdict_cache().exists()


def test_keys_depend_on_name_bytes_and_rules() -> None:
    raw = b'{"a": 1}'
    key = validator.verdict_key(raw, "submissions/ab/x.json")
    assert key is not None and len(key) == load_module.KEY_BYTES
    assert key == validator.verdict_key(raw, "submissions/ab/x.json")
    assert key != validator.verdict_key(raw, "submissions/ac/x.json")
    assert key != validator.verdict_key(raw + b" ", "submissions/ab/x.json")
    assert validator.verdict_key(raw, None) != key


def test_the_cache_holds_exactly_the_files_of_the_last_load(board: Path) -> None:
    """A withdrawn or changed file's verdict is forgotten: the cache never grows past
    the board it was written for."""
    paths = _board(board, 5)
    cache = load_module.default_verdict_cache()
    load_board(board, workers=1)
    assert cache.stat().st_size == 5 * load_module.KEY_BYTES
    paths[0].unlink()
    paths[1].write_bytes(paths[1].read_bytes() + b"\n")  # still valid: new bytes, new key
    before = set(load_module.read_accepted(cache))
    load_board(board, workers=1)
    after = load_module.read_accepted(cache)
    assert len(after) == 4 and len(after - before) == 1
