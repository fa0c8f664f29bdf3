"""Fetch a published JSON file (e.g. api/distribution.json) with a cache, never uploading.

Sources: an http(s) URL, a built site directory, or a board directory (its site/).
Downloads are cached under .tinytorch/cache/; offline with a cache means "use it and
say how old it is"; offline without one is a clear BoardError.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tinytorch_board import __version__
from tinytorch_board.errors import BoardError, DataFileError
from tinytorch_board.jsonio import loads_strict, read_json, write_json

MAX_DOWNLOAD_BYTES = 16 * 1024 * 1024
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Fetched:
    data: object
    origin: str  # URL or path it came from
    from_cache: bool
    age_seconds: float | None  # for cached data: how old the cached copy is
    offline_reason: str | None = None  # why the network copy was not used


def _cache_file(cache_dir: Path, name: str) -> Path:
    return cache_dir / f"{name.replace('/', '_')}.json"


def _local_candidates(directory: Path, relative: str) -> list[Path]:
    return [directory / relative, directory / "site" / relative]


def fetch_json(
    source: str,
    relative: str,
    cache_dir: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Fetched:
    """Read `relative` (e.g. "api/distribution.json") from a site URL or a local dir."""
    if not source.startswith(("http://", "https://")):
        directory = Path(source)
        for candidate in _local_candidates(directory, relative):
            if candidate.is_file():
                return Fetched(read_json(candidate, expect=object), str(candidate), False, None)
        raise BoardError(
            f"no {relative} in {directory} (nor in its site/); build the board first "
            "with `tinytorch-board build`"
        )
    url = source.rstrip("/") + "/" + relative
    try:
        data = _download(url, timeout)
    except BoardError as exc:
        cached = _read_cache(cache_dir, relative) if cache_dir else None
        if cached is None:
            raise BoardError(f"offline and nothing cached: {exc}") from None
        data, saved_at = cached
        return Fetched(data, url, True, max(0.0, time.time() - saved_at), str(exc))
    if cache_dir is not None:
        write_json(
            _cache_file(cache_dir, relative),
            {"cache_version": 1, "url": url, "saved_at": time.time(), "data": data},
        )
    return Fetched(data, url, False, None)


def _download(url: str, timeout: float) -> object:
    request = urllib.request.Request(
        url, headers={"User-Agent": f"tinytorch-board/{__version__}", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read(MAX_DOWNLOAD_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise BoardError(f"{url} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise BoardError(f"cannot reach {url} ({reason})") from None
    if len(raw) > MAX_DOWNLOAD_BYTES:
        raise BoardError(f"{url} is larger than {MAX_DOWNLOAD_BYTES} bytes; refusing it")
    try:
        return loads_strict(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BoardError(f"{url} did not return valid JSON ({exc})") from None


def _read_cache(cache_dir: Path, relative: str) -> tuple[object, float] | None:
    path = _cache_file(cache_dir, relative)
    if not path.exists():
        return None
    try:
        record = read_json(path)
    except DataFileError:
        return None
    saved_at = record.get("saved_at")
    if "data" not in record or not isinstance(saved_at, (int, float)):
        return None
    return record["data"], float(saved_at)


def describe_age(seconds: float) -> str:
    if seconds < 120:
        return "just now"
    if seconds < 7200:
        return f"{int(seconds // 60)} minutes ago"
    if seconds < 172800:
        return f"{int(seconds // 3600)} hours ago"
    return f"{int(seconds // 86400)} days ago"


__all__ = ["Fetched", "describe_age", "fetch_json"]
