"""Validate submission files: the JSON Schema first, then the checks a schema cannot say.

The same code runs on the student's machine before anything is sent and in the board's
CI on every pull request. Every problem is reported as `source: json.path: message`.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

from tinytorch_board.countries import ISO_3166_ALPHA2
from tinytorch_board.jsonio import loads_strict
from tinytorch_board.submission import MAX_FILE_BYTES
from tinytorch_board.submission.score import (
    BASELINE_METRICS,
    REFERENCE_MS,
    SCORE_TOLERANCE,
    baseline_score,
    capstone_overall,
    capstone_track_score,
)

EARLIEST = datetime(2024, 1, 1, tzinfo=timezone.utc)
CLOCK_SKEW = timedelta(minutes=10)
CAPSTONE_TRACKS = ("speed", "compression", "accuracy", "efficiency")
# Unicode categories never allowed in text a person typed: controls, format characters
# (bidi overrides, zero-width joiners), surrogates, private use, unassigned, separators.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
TEXT_FIELDS = ("display_name", "institution")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file."""

    source: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.path}: {self.message}"


@dataclass(frozen=True)
class Checked:
    """A validated (or rejected) file: its document when parseable, and its problems."""

    source: str
    document: dict | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@lru_cache(maxsize=1)
def schema() -> dict:
    text = (
        resources.files("tinytorch_board.submission")
        .joinpath("schema_v1.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


@lru_cache(maxsize=1)
def _schema_validator():
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


def _json_path(parts: Iterable[Any]) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def parse(raw: bytes, source: str) -> tuple[dict | None, list[Problem]]:
    """Bytes to a JSON object, refusing oversize, non-UTF-8, NaN/Infinity and duplicate keys."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            Problem(source, "$", f"file is {len(raw)} bytes; the limit is {MAX_FILE_BYTES} bytes")
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(source, "$", f"not UTF-8 (byte {exc.start})")]
    try:
        data = loads_strict(text)
    except json.JSONDecodeError as exc:
        return None, [
            Problem(source, "$", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
        ]
    except (ValueError, RecursionError) as exc:
        return None, [Problem(source, "$", f"invalid JSON: {exc}")]
    if not isinstance(data, dict):
        return None, [Problem(source, "$", f"expected a JSON object, found {type(data).__name__}")]
    return data, []


def _schema_problems(doc: dict, source: str) -> list[Problem]:
    problems = set()
    for error in _schema_validator().iter_errors(doc):
        for leaf in _leaf_errors(error):
            problems.add(Problem(source, _json_path(leaf.absolute_path), _schema_message(leaf)))
    return sorted(problems)


def _leaf_errors(error) -> list:
    """For "null or object" fields, report what is wrong inside the object branch."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        if error.instance is not None and isinstance(error.instance, dict):
            inner = [
                e for e in error.context if not (e.validator == "type" and not e.relative_path)
            ]
            if inner:
                return [leaf for e in inner for leaf in _leaf_errors(e)]
        return [error]
    return [error]


def _schema_message(error) -> str:
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        if extra:
            return f"unknown field(s): {', '.join(map(str, extra))}"
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    if error.validator == "oneOf":
        return f"{_short(error.instance)} must be null or an object of the documented shape"
    if error.validator == "pattern":
        return f"{_short(error.instance)} has the wrong format"
    return error.message if len(error.message) <= 200 else error.message[:197] + "..."


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 60 else text[:57] + "..."


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _semantic_problems(doc: dict, source: str, now: datetime) -> list[Problem]:
    """Checks beyond the schema; assumes the schema passed."""
    out: list[Problem] = []

    def add(path: str, message: str) -> None:
        out.append(Problem(source, path, message))

    created = _parse_time(doc["created_at"])
    if created is None:
        add("$.created_at", f"{doc['created_at']!r} is not a real date and time")
    elif created > now + CLOCK_SKEW:
        add("$.created_at", f"{doc['created_at']} is in the future")
    elif created < EARLIEST:
        add("$.created_at", f"{doc['created_at']} is before 2024; the board did not exist yet")

    bench = doc["benchmark"]
    kind = bench["kind"]
    if kind == "baseline":
        out.extend(_baseline_problems(bench, source))
    else:
        out.extend(_capstone_problems(bench, source))

    memory = doc["system"]["memory_gb"]
    # JSON Schema counts 8.0 as an integer; the power-of-two test needs a real int.
    if memory is not None and (memory != int(memory) or int(memory) & (int(memory) - 1)):
        add("$.system.memory_gb", f"{memory} is not a power of two (memory is rounded to one)")

    milestones = doc["progress"]["milestones_completed"]
    if milestones != sorted(milestones):
        add("$.progress.milestones_completed", "must be in ascending order")

    visibility, public = doc["visibility"], doc["public"]
    if visibility == "anonymous" and public is not None:
        add("$.public", "must be null for an anonymous submission")
    if visibility == "public" and public is None:
        add("$.public", "a public submission needs at least one public field")
    if isinstance(public, dict):
        for field in TEXT_FIELDS:
            if field in public:
                message = text_problem(public[field])
                if message:
                    add(f"$.public.{field}", message)
        country = public.get("country")
        if country is not None and country not in ISO_3166_ALPHA2:
            add("$.public.country", f"{country!r} is not an ISO 3166-1 alpha-2 country code")
    return out


def text_problem(text: str) -> str | None:
    """Why a typed display string is refused, or None when it is fine."""
    if text != text.strip():
        return "must not start or end with spaces"
    if unicodedata.normalize("NFC", text) != text:
        return "must be NFC-normalized Unicode"
    for ch in text:
        if unicodedata.category(ch) in FORBIDDEN_CATEGORIES:
            return f"contains a control or invisible character (U+{ord(ch):04X})"
    return None


def _baseline_problems(bench: dict, source: str) -> list[Problem]:
    out = []
    if "tracks" in bench:
        out.append(Problem(source, "$.benchmark.tracks", "only capstone results have tracks"))
    suite = bench["suite_version"]
    if suite not in REFERENCE_MS:
        known = ", ".join(map(str, sorted(REFERENCE_MS)))
        out.append(
            Problem(
                source,
                "$.benchmark.suite_version",
                f"unknown suite_version {suite} (known: {known})",
            )
        )
        return out
    metrics = bench["metrics"]
    names = set(metrics)
    for missing in sorted(set(BASELINE_METRICS) - names):
        out.append(Problem(source, "$.benchmark.metrics", f"missing metric '{missing}'"))
    for extra in sorted(names - set(BASELINE_METRICS)):
        out.append(Problem(source, f"$.benchmark.metrics.{extra}", "not a baseline metric"))
    for name in sorted(names & set(BASELINE_METRICS)):
        metric = metrics[name]
        if metric["iqr_ms"] > 1000 * metric["median_ms"]:
            out.append(
                Problem(source, f"$.benchmark.metrics.{name}.iqr_ms", "is implausibly large")
            )
    if out:
        return out
    expected = baseline_score({k: v["median_ms"] for k, v in metrics.items()}, suite)
    if not math.isclose(bench["score"], expected, abs_tol=SCORE_TOLERANCE):
        out.append(
            Problem(
                source,
                "$.benchmark.score",
                f"{bench['score']} does not match the metrics (recomputed: {expected})",
            )
        )
    return out


def _capstone_problems(bench: dict, source: str) -> list[Problem]:
    out = []
    tracks = bench.get("tracks")
    if tracks is None:
        return [Problem(source, "$.benchmark.tracks", "a capstone result needs its tracks")]
    ran = {name: track for name, track in tracks.items() if track is not None}
    if not ran:
        return [Problem(source, "$.benchmark.tracks", "no track ran; there is nothing to submit")]
    for name, track in sorted(ran.items()):
        try:
            expected = capstone_track_score(name, track["metrics"], bench["suite_version"])
        except (KeyError, ValueError) as exc:
            out.append(Problem(source, f"$.benchmark.tracks.{name}.metrics", str(exc)))
            continue
        if not math.isclose(track["score"], expected, abs_tol=SCORE_TOLERANCE):
            out.append(
                Problem(
                    source,
                    f"$.benchmark.tracks.{name}.score",
                    f"{track['score']} does not match the metrics (recomputed: {expected})",
                )
            )
    overall = capstone_overall({name: t["score"] for name, t in ran.items()})
    if not math.isclose(bench["score"], overall, abs_tol=SCORE_TOLERANCE):
        out.append(
            Problem(
                source,
                "$.benchmark.score",
                f"{bench['score']} is not the mean of the track scores ({overall})",
            )
        )
    return out


def _location_problems(doc: dict, source: str, name: str | None) -> list[Problem]:
    """The file name must be <submission_id>.json, in shard <first 2 hex> under submissions/."""
    if name is None:
        return []
    path = PurePosixPath(name.replace("\\", "/"))
    sid = doc.get("submission_id")
    if not isinstance(sid, str):
        return []
    out = []
    if path.name != f"{sid}.json":
        out.append(
            Problem(
                source, "$.submission_id", f"'{sid}' does not match the file name '{path.name}'"
            )
        )
    parts = path.parts
    if len(parts) >= 3 and parts[-3] == "submissions" and parts[-2] != sid[:2]:
        out.append(
            Problem(
                source,
                "$.submission_id",
                f"file is in shard '{parts[-2]}' but belongs in 'submissions/{sid[:2]}/'",
            )
        )
    return out


def check_document(
    doc: dict, source: str, name: str | None = None, now: datetime | None = None
) -> list[Problem]:
    """Every problem with an already-parsed document (schema, then semantics, then location)."""
    now = now or datetime.now(timezone.utc)
    problems = _schema_problems(doc, source)
    if problems:
        return problems
    return _semantic_problems(doc, source, now) + _location_problems(doc, source, name)


def check_bytes(
    raw: bytes, source: str, name: str | None = None, now: datetime | None = None
) -> Checked:
    """Validate a file's bytes; `name` is the path it claims (for the id/shard checks)."""
    doc, problems = parse(raw, source)
    if doc is None:
        return Checked(source, None, tuple(problems))
    return Checked(source, doc, tuple(check_document(doc, source, name, now)))


def check_file(path: Path, now: datetime | None = None, source: str | None = None) -> Checked:
    """Validate one file on disk, reading at most one byte past the size cap."""
    path = Path(path)
    source = source or str(path)
    if path.is_symlink():
        return Checked(source, None, (Problem(source, "$", "is a symbolic link, not a file"),))
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
            if len(raw) > MAX_FILE_BYTES:
                size = path.stat().st_size
                return Checked(
                    source,
                    None,
                    (
                        Problem(
                            source,
                            "$",
                            f"file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes",
                        ),
                    ),
                )
    except OSError as exc:
        return Checked(source, None, (Problem(source, "$", f"cannot read ({exc.strerror})"),))
    return check_bytes(raw, source, path.as_posix(), now)


def board_files(board_dir: Path) -> list[Path]:
    """Every *.json under a board's submissions/ directory, sorted."""
    root = Path(board_dir) / "submissions"
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*.json") if not p.name.startswith("."))


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files stay files; a directory means its submissions/ tree (or its own *.json)."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = board_files(path) or sorted(path.rglob("*.json"))
            yield from found
        else:
            yield path
