"""Benchmark result files in .tito/benchmarks/: names, listing, loading.

TinyTorch's `tito benchmark` writes to the same folder with the same name pattern
(`baseline_<YYYYmmdd_HHMMSS>.json`: `benchmark_type`, `timestamp`, `raw_metrics`, ...).
Those are tito's results, not scored by this board: never picked as "your newest
result", never modified, and never the reason a command fails.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from tinytorch_board.errors import BoardError, DataFileError
from tinytorch_board.jsonio import check_version, check_within, create_json, read_json

RESULT_VERSION = 1
_NAME = re.compile(r"^(baseline|capstone)_(\d{8}_\d{6})(?:_(\d+))?\.json$")


def result_files(benchmarks_dir: Path) -> list[Path]:
    """Result files, oldest first (by the timestamp in the name, then the suffix)."""
    if not benchmarks_dir.is_dir():
        return []
    found = []
    project_root = benchmarks_dir.parent.parent  # .tito/benchmarks lives in the project
    for path in benchmarks_dir.iterdir():
        match = _NAME.match(path.name)
        if match and path.is_file() and _inside(path, project_root):
            found.append((match.group(2), int(match.group(3) or 0), path.name, path))
    return [entry[-1] for entry in sorted(found)]


def _inside(path: Path, root: Path) -> bool:
    """False for a link pointing out of the project (never read as one of our results)."""
    try:
        check_within(path, root)
    except DataFileError:
        return False
    return True


TITO_NOTE = "a tito result, not scored by this board"


def is_tito_result(data: object) -> bool:
    """True for a result written by TinyTorch's `tito benchmark` (it has no result_version)."""
    return (
        isinstance(data, dict)
        and "result_version" not in data
        and isinstance(data.get("benchmark_type"), str)
    )


def tito_result_kind(path: Path) -> str | None:
    """tito's benchmark_type when path is one of tito's results, else None (never raises)."""
    try:
        data = read_json(path)
    except DataFileError:
        return None
    return data["benchmark_type"] if is_tito_result(data) else None


def check_not_tito(path: Path) -> None:
    """BoardError when a result named on the command line is one of tito's."""
    kind = tito_result_kind(path)
    if kind is not None:
        raise BoardError(
            f"{path} is {TITO_NOTE} (tito benchmark {kind}); "
            "run `tinytorch-board benchmark baseline` for one this board can score"
        )


def newest_result(benchmarks_dir: Path, skipped: list[Path] | None = None) -> Path:
    """Our newest result file; tito's results are passed over (and listed in skipped)."""
    files = result_files(benchmarks_dir)
    passed_over = []
    for path in reversed(files):
        if tito_result_kind(path) is None:
            if skipped is not None:
                skipped.extend(passed_over)
            return path
        passed_over.append(path)
    note = ""
    if passed_over:
        note = f" (only {len(passed_over)} tito result(s), not scored by this board)"
    raise BoardError(
        f"no tinytorch-board results in {benchmarks_dir}{note}; "
        "run `tinytorch-board benchmark baseline` first"
    )


def skipped_note(skipped: list[Path]) -> str | None:
    """One line naming tito's results that were passed over, or None."""
    if not skipped:
        return None
    names = ", ".join(path.name for path in skipped[:3]) + (", ..." if len(skipped) > 3 else "")
    return f"passed over {len(skipped)} newer tito result(s) ({names}): {TITO_NOTE}"


def save_result(benchmarks_dir: Path, result: dict, moment: datetime) -> Path:
    """Write a new result file; never overwrite (a suffix is added on a name clash).

    Each name is claimed exclusively, so two saves in the same second (two processes)
    both keep their file: the loser of a race moves on to the next suffix.
    """
    stamp = moment.strftime("%Y%m%d_%H%M%S")
    base = f"{result['kind']}_{stamp}"
    for counter in range(1000):
        path = benchmarks_dir / (f"{base}.json" if counter == 0 else f"{base}_{counter}.json")
        if path.exists() or path.is_symlink():
            continue
        try:
            create_json(path, result)
        except DataFileError:
            if path.exists() or path.is_symlink():
                continue  # another process took this name a moment ago
            raise
        return path
    raise BoardError(f"{benchmarks_dir} already holds 1000 results named {base}; move some away")


def load_result(path: Path) -> dict:
    """Read a result file and check its version and shape."""
    data = read_json(path)
    check_version(path, data, "result_version", RESULT_VERSION)
    for key, kind in (("kind", str), ("metrics", dict), ("system", dict), ("created_at", str)):
        if not isinstance(data.get(key), kind):
            raise DataFileError(path, f"'{key}' is missing or has the wrong type")
    return data
