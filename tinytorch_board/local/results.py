"""Benchmark result files in .tito/benchmarks/: names, listing, loading."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from tinytorch_board.errors import BoardError, DataFileError
from tinytorch_board.jsonio import check_version, create_json, read_json

RESULT_VERSION = 1
_NAME = re.compile(r"^(baseline|capstone)_(\d{8}_\d{6})(?:_(\d+))?\.json$")


def result_files(benchmarks_dir: Path) -> list[Path]:
    """Result files, oldest first (by the timestamp in the name, then the suffix)."""
    if not benchmarks_dir.is_dir():
        return []
    found = []
    for path in benchmarks_dir.iterdir():
        match = _NAME.match(path.name)
        if match and path.is_file():
            found.append((match.group(2), int(match.group(3) or 0), path.name, path))
    return [entry[-1] for entry in sorted(found)]


def newest_result(benchmarks_dir: Path) -> Path:
    files = result_files(benchmarks_dir)
    if not files:
        raise BoardError(
            f"no benchmark results in {benchmarks_dir}; "
            "run `tinytorch-board benchmark baseline` first"
        )
    return files[-1]


def save_result(benchmarks_dir: Path, result: dict, moment: datetime) -> Path:
    """Write a new result file; never overwrite (a suffix is added on a name clash)."""
    stamp = moment.strftime("%Y%m%d_%H%M%S")
    base = f"{result['kind']}_{stamp}"
    path = benchmarks_dir / f"{base}.json"
    counter = 1
    while path.exists():
        path = benchmarks_dir / f"{base}_{counter}.json"
        counter += 1
    create_json(path, result)
    return path


def load_result(path: Path) -> dict:
    """Read a result file and check its version and shape."""
    data = read_json(path)
    check_version(path, data, "result_version", RESULT_VERSION)
    for key, kind in (("kind", str), ("metrics", dict), ("system", dict), ("created_at", str)):
        if not isinstance(data.get(key), kind):
            raise DataFileError(path, f"'{key}' is missing or has the wrong type")
    return data
