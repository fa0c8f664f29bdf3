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
import stat
import tempfile
from pathlib import Path
from typing import Any

from tinytorch_board.errors import DataFileError, WriteError

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
    tmp = _temp_copy(path, text, durable)
    try:
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise WriteError(path, exc) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if durable:
        _fsync_dir(path.parent)


def _temp_copy(path: Path, text: str, durable: bool) -> str:
    """text in a new temp file beside path (fsynced when durable); its name. A failure
    leaves no temp file and is a WriteError naming path."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise WriteError(path, exc) from None
    try:
        _write_all(fd, text, durable)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise WriteError(path, exc) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def _write_all(fd: int, text: str, durable: bool) -> None:
    """Write text to the open file fd and close it (fsynced first when durable)."""
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        if durable:
            handle.flush()
            os.fsync(handle.fileno())


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
    """Write a new file, never replacing one (results are never overwritten).

    The text goes to a temp file that is then hard-linked to the name: the link fails if
    the name exists, so of two processes saving the same name at once exactly one wins
    and the other gets DataFileError, and no reader ever sees half a file.
    """
    path = Path(path)
    text = dumps(data)
    tmp = _temp_copy(path, text, durable=True)
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise DataFileError(path, "already exists; refusing to overwrite it") from None
        except OSError:
            _create_exclusive(path, text)  # a file system without hard links
    except WriteError:
        raise
    except OSError as exc:
        raise WriteError(path, exc) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(path.parent)


def _create_exclusive(path: Path, text: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise DataFileError(path, "already exists; refusing to overwrite it") from None
    try:
        _write_all(fd, text, durable=True)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        raise


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed (numbers must be finite)")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is out of range (numbers must be finite)")
    return value


def loads_strict(text: str) -> Any:
    """Parse JSON refusing NaN/Infinity, 1e400 and duplicate keys (ValueError on any problem).

    Nesting deeper than the interpreter allows raises RecursionError; callers report it.
    """
    return json.loads(
        text,
        parse_constant=_reject_constant,
        parse_float=_finite_float,
        object_pairs_hook=_no_duplicate_keys,
    )


def read_json(
    path: Path, expect: type = dict, max_bytes: int = MAX_READ_BYTES, within: Path | None = None
) -> Any:
    """Read a JSON file whose top level must be `expect`; DataFileError on any problem.

    With `within`, a path that resolves outside that directory (a link out of the
    project) is refused.
    """
    path = Path(path)
    if within is not None:
        check_within(path, within)
    try:
        raw = read_regular_bytes(path, max_bytes)
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


def check_within(path: Path, root: Path) -> None:
    """DataFileError when path (after following links) lies outside root."""
    try:
        resolved = Path(path).resolve()
        inside = resolved.is_relative_to(Path(root).resolve())
    except (OSError, RuntimeError):  # a link loop
        raise DataFileError(
            path, "is a link that cannot be followed; refusing to read it"
        ) from None
    if not inside:
        raise DataFileError(
            path, f"is a link to {resolved}, outside the project; refusing to read it"
        )


def read_regular_bytes(path: Path, max_bytes: int = MAX_READ_BYTES) -> bytes:
    """The bytes of a regular file of at most max_bytes; DataFileError for anything else.

    A FIFO would block forever and /dev/zero never ends, so the file is opened without
    blocking, checked to be a regular file, and read no further than the cap.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise DataFileError(path, "file not found") from None
    except IsADirectoryError:
        raise DataFileError(path, "is a directory, not a file") from None
    except OSError as exc:
        raise DataFileError(path, f"cannot read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise DataFileError(path, "is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise DataFileError(
                path, f"is a {_special_kind(info.st_mode)}, not a regular file; refusing to read it"
            )
        if info.st_size > max_bytes:
            raise DataFileError(
                path, f"file is {info.st_size} bytes, larger than the {max_bytes} allowed"
            )
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise DataFileError(path, f"cannot read ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(raw) > max_bytes:
        raise DataFileError(path, f"file is larger than the {max_bytes} bytes allowed")
    return raw


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


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
