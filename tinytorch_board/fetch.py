"""Fetch a published JSON file (e.g. api/distribution.json) with a cache, never uploading.

Sources: an http(s) URL, a built site directory, or a board directory (its site/).
Downloads are cached under .tinytorch/cache/; offline with a cache means "use it and
say how old it is"; offline without one is a clear BoardError.

Every download is bounded whatever the server does: one deadline for the whole
transfer (connecting, headers and body together, not per read), a size cap, redirects
only within the same origin (scheme, host and port), and JSON parsed with finite
numbers, no duplicate keys and no runaway nesting. A caller-supplied `check` shapes the
data before it is cached or used, so a bad copy is never kept.
"""

from __future__ import annotations

import contextlib
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tinytorch_board import __version__
from tinytorch_board.errors import BoardError, DataFileError
from tinytorch_board.jsonio import loads_strict, read_json, write_json

MAX_DOWNLOAD_BYTES = 16 * 1024 * 1024
DEFAULT_TIMEOUT = 10.0
MAX_REDIRECTS = 5
CHUNK = 64 * 1024


class Offline(BoardError):
    """No usable copy: the source failed (reason) and nothing checked is cached."""

    def __init__(self, reason: str) -> None:
        self.reason = " ".join(reason.split())
        super().__init__(f"offline and nothing cached: {self.reason}")


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


def _identity(data: object, origin: str) -> object:
    return data


def fetch_json(
    source: str,
    relative: str,
    cache_dir: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    check: Callable[[object, str], object] = _identity,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
) -> Fetched:
    """Read `relative` (e.g. "api/distribution.json") from a site URL or a local dir.

    `check(data, origin)` raises DataFileError for a wrong shape; only checked data is
    returned or cached. Any failure is a one-line BoardError.
    """
    if not source.startswith(("http://", "https://")):
        directory = Path(source)
        for candidate in _local_candidates(directory, relative):
            if candidate.is_file():
                data = read_json(candidate, expect=object, max_bytes=max_bytes)
                return Fetched(check(data, str(candidate)), str(candidate), False, None)
        raise BoardError(
            f"no {relative} in {directory} (nor in its site/); build the board first "
            "with `tinytorch-board build`"
        )
    url = source.rstrip("/") + "/" + relative
    try:
        data = check(download_json(url, timeout, max_bytes), url)
    except BoardError as exc:  # DataFileError is a BoardError
        cached = _read_cache(cache_dir, relative, check) if cache_dir else None
        if cached is None:
            raise Offline(str(exc)) from None
        data, saved_at = cached
        return Fetched(data, url, True, max(0.0, time.time() - saved_at), str(exc))
    if cache_dir is not None:
        # The cache is a convenience: a full disk must not cost the answer.
        with contextlib.suppress(OSError):
            write_json(
                _cache_file(cache_dir, relative),
                {"cache_version": 1, "url": url, "saved_at": time.time(), "data": data},
            )
    return Fetched(data, url, False, None)


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only within the first URL's origin, at most MAX_REDIRECTS times."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        first, new = urlsplit(req.full_url), urlsplit(newurl)
        if (new.scheme, new.hostname, new.port) != (first.scheme, first.hostname, first.port):
            raise BoardError(
                f"{req.full_url} redirects to another place ({new.scheme}://{new.netloc}); "
                "refusing to follow it"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SameOriginRedirects())


def download_bytes(url: str, timeout: float, max_bytes: int = MAX_DOWNLOAD_BYTES) -> bytes:
    """The body at url, within `timeout` seconds in all and `max_bytes`; else BoardError.

    The transfer runs in a worker thread so a server that sends one byte every second
    (every read succeeds, so socket timeouts never fire) still ends at the deadline.
    """
    if urlsplit(url).scheme not in ("http", "https"):
        raise BoardError(f"{url} is not an http(s) URL")
    outcome: dict[str, object] = {}
    stop = threading.Event()

    def transfer() -> None:
        try:
            outcome["body"] = _read_body(url, timeout, max_bytes, stop)
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=transfer, name="tinytorch-board-download", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        stop.set()  # the worker closes the connection at its next read and ends
        raise BoardError(f"{url} did not finish within {timeout:g} s")
    error = outcome.get("error")
    if error is not None:
        raise _as_board_error(url, error)
    return outcome["body"]  # type: ignore[return-value]


def _read_body(url: str, timeout: float, max_bytes: int, stop: threading.Event) -> bytes:
    request = urllib.request.Request(
        url, headers={"User-Agent": f"tinytorch-board/{__version__}", "Accept": "application/json"}
    )
    # Per-read timeout: a silent server frees the worker; the caller's deadline bounds the rest.
    with _OPENER.open(request, timeout=min(timeout, 5.0)) as response:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise BoardError(f"{url} is larger than {max_bytes} bytes; refusing it")
        parts, size = [], 0
        while not stop.is_set():
            chunk = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
            if not chunk:
                return b"".join(parts)
            size += len(chunk)
            if size > max_bytes:
                raise BoardError(f"{url} is larger than {max_bytes} bytes; refusing it")
            parts.append(chunk)
    raise BoardError(f"{url} did not finish within {timeout:g} s")


def _as_board_error(url: str, exc: BaseException) -> BoardError:
    if isinstance(exc, BoardError):
        return exc
    if isinstance(exc, urllib.error.HTTPError):
        return BoardError(f"{url} answered HTTP {exc.code}")
    if isinstance(exc, (urllib.error.URLError, TimeoutError, OSError)):
        reason = getattr(exc, "reason", None) or exc
        return BoardError(f"cannot reach {url} ({reason})")
    if isinstance(exc, MemoryError):
        return BoardError(f"{url} is too large to read")
    text = " ".join(str(exc).split())[:200]
    return BoardError(f"unexpected answer from {url} ({type(exc).__name__}: {text})")


def download_json(url: str, timeout: float, max_bytes: int = MAX_DOWNLOAD_BYTES) -> object:
    """download_bytes() parsed strictly (finite numbers, no duplicate keys, bounded nesting)."""
    raw = download_bytes(url, timeout, max_bytes)
    try:
        return loads_strict(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise BoardError(f"{url} did not return valid JSON ({reason[:200]})") from None


def _read_cache(
    cache_dir: Path, relative: str, check: Callable[[object, str], object]
) -> tuple[object, float] | None:
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
    try:
        data = check(record["data"], str(path))
    except BoardError:
        return None
    return data, float(saved_at)


def describe_age(seconds: float) -> str:
    if seconds < 120:
        return "just now"
    if seconds < 7200:
        return f"{int(seconds // 60)} minutes ago"
    if seconds < 172800:
        return f"{int(seconds // 3600)} hours ago"
    return f"{int(seconds // 86400)} days ago"


__all__ = ["Fetched", "Offline", "describe_age", "download_bytes", "download_json", "fetch_json"]
