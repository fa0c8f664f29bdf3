"""Atomic, versioned JSON files with shape-checked reads.

Every write goes to a temp file in the same directory, is fsynced, then renamed over
the target, so a killed process leaves either the old file or the new one. Every read
turns a missing, corrupt or wrong-shaped file into a DataFileError naming the file.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from tinytorch_board.errors import DataFileError

# Files we read from the student's project are small; anything bigger is not ours.
MAX_READ_BYTES = 8 * 1024 * 1024


def dumps(data: Any) -> str:
    """Deterministic JSON text: sorted keys, indent 2, trailing newline, no NaN."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def write_text_atomic(path: Path, text: str, durable: bool = True) -> None:
    """Write text so that readers see the old file or the new one, never half of it.

    durable=False skips the fsyncs: still never half a file, but a power cut may lose
    the write (fine for regenerable output such as demo data and the built site).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if durable:
        _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_json(path: Path, data: Any) -> None:
    """Atomically write data as deterministic JSON."""
    write_text_atomic(path, dumps(data))


def create_json(path: Path, data: Any) -> None:
    """Write a new file; refuse to replace an existing one (results are never overwritten)."""
    path = Path(path)
    if path.exists():
        raise DataFileError(path, "already exists; refusing to overwrite it")
    write_json(path, data)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed (numbers must be finite)")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def loads_strict(text: str) -> Any:
    """Parse JSON refusing NaN/Infinity and duplicate keys (ValueError on any problem)."""
    return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys)


def read_json(path: Path, expect: type = dict, max_bytes: int = MAX_READ_BYTES) -> Any:
    """Read a JSON file whose top level must be `expect`; DataFileError on any problem."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DataFileError(path, "file not found") from None
    except OSError as exc:
        raise DataFileError(path, f"cannot read ({exc.strerror})") from None
    if size > max_bytes:
        raise DataFileError(path, f"file is {size} bytes, larger than the {max_bytes} allowed")
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DataFileError(path, "not UTF-8 text") from None
    except OSError as exc:
        raise DataFileError(path, f"cannot read ({exc.strerror})") from None
    try:
        data = loads_strict(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(
            path, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise DataFileError(path, f"not valid JSON ({exc})") from None
    if not isinstance(data, expect):
        raise DataFileError(
            path, f"expected a JSON {_json_type_name(expect)}, found {_json_type_name(type(data))}"
        )
    return data


def _json_type_name(kind: type) -> str:
    return {
        dict: "object",
        list: "array",
        str: "string",
        int: "number",
        float: "number",
        bool: "boolean",
        type(None): "null",
    }.get(kind, kind.__name__)


def check_version(path: Path, data: dict, field: str, supported: int) -> None:
    """Refuse a document whose version field is missing, older, or newer than supported."""
    version = data.get(field)
    if isinstance(version, bool) or not isinstance(version, int):
        raise DataFileError(path, f"missing or invalid '{field}' (expected {supported})")
    if version > supported:
        raise DataFileError(
            path,
            f"{field} {version} is newer than this tinytorch-board understands ({supported}); "
            "upgrade with: pip install -U tinytorch-board",
        )
    if version < supported:
        raise DataFileError(
            path, f"{field} {version} is no longer supported (expected {supported})"
        )


def finite_number(value: Any) -> bool:
    """True for an int or float that is finite (bools are not numbers here)."""
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
