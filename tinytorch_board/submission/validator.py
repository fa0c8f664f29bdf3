"""Validate submission files: the one statement of the contract (schema versions 1 and 2).

The JSON Schema file (`schema_v1.json`, which states both versions), compiled once by
jsonschema-rs, plus one lean semantic pass for what a schema cannot say (real dates,
recomputed scores, names a person can read, a participant_id that is its key's), and
last, for a signed v2 file, the signature over its canonical form (`signature.py`).
The same code runs on the student's machine before anything is sent, in every
`ci` command and in the board loader. Every problem is `source: $.json.path: message`.

Order of the checks, cheapest first, so any file up to 64 KiB is judged in well under a
second: size and byte-level limits, strict parsing, the compiled schema (linear time);
only for a file it refuses, the structural limits (depth, counts, finite numbers,
encodable text) and then Python `jsonschema`, which words the messages.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from tinytorch_board.countries import ISO_3166_ALPHA2
from tinytorch_board.submission import MAX_FILE_BYTES
from tinytorch_board.submission.score import (
    BASELINE_METRICS,
    FRAMEWORK_SUITES,
    NUMPY_SIBLINGS,
    REFERENCE_MS,
    SCORE_TOLERANCE,
    baseline_scores,
    capstone_overall,
    capstone_track_score,
)
from tinytorch_board.submission.signature import participant_id_for, verifies

EARLIEST = datetime(2024, 1, 1, tzinfo=timezone.utc)
CLOCK_SKEW = timedelta(minutes=10)
CAPSTONE_TRACKS = ("speed", "compression", "accuracy", "efficiency")
# Unicode categories never allowed in text a person typed: controls, format characters
# (bidi overrides, zero-width joiners), surrogates, private use, unassigned, separators.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Letters and symbols that draw nothing: Hangul fillers and the Braille blank.
INVISIBLE_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
MAX_MARK_RUN = 3  # combining marks in a row; more is stacked "zalgo" text
TEXT_FIELDS = ("display_name", "institution")
_BASELINE_SET = frozenset(BASELINE_METRICS)
_NUMPY_KEYS = frozenset(NUMPY_SIBLINGS.values())

# Contact details never belong in a public name (after NFKC, so fullwidth forms count).
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_URL = re.compile(
    r"[a-z][a-z0-9+.-]*://|\bwww\.|\b[a-z0-9-]+(\.[a-z0-9-]+)*\."
    r"(com|org|net|edu|gov|io|dev|app|ai|co|me|info|xyz|ly|gg|tv|site|online|link|page)\b",
    re.IGNORECASE,
)
_PHONE = re.compile(r"\+?\d[\d\s().\-/]{5,}\d")
_PHONE_DIGITS = 7


@dataclass(frozen=True)
class StructureLimits:
    """Shape limits far above any valid file, checked before Python `jsonschema` words
    the messages (its `uniqueItems` compares pairs: 6,000 objects took 30 s)."""

    depth: int = 8  # nested arrays/objects; a valid file has at most 5
    items: int = 64  # entries in one array or object; a valid file has at most 16
    string: int = 256  # characters in one string or key; a valid file has at most 80
    integer: int = 2**53  # larger integers mean nothing in any field
    # Files larger than this are walked before the compiled schema runs; a smaller one
    # is small enough for any check, and is walked only if the schema refuses it.
    walk_first_bytes: int = 8192  # a typical valid file has about 1.5 KiB


LIMITS = StructureLimits()


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
def compiled():
    """The schema compiled once (jsonschema-rs: ECMA-262 patterns, so `$` is the end)."""
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(schema())


def schema_valid(doc: Any) -> bool:
    """The compiled schema's verdict; text it cannot even encode is invalid."""
    try:
        return compiled().is_valid(doc)
    except (ValueError, OverflowError):  # lone surrogates (UnicodeEncodeError), and the like
        return False


@lru_cache(maxsize=1)
def _wording_validator():
    """Python `jsonschema`, only to word the problems of a file already refused.

    Its `pattern` uses `re.search`, where `$` also matches before a final newline; here
    `$` means the end of the text, as in the schema's own (ECMA-262) dialect.
    """
    from jsonschema import Draft202012Validator, ValidationError, validators

    def pattern(validator, expected, instance, _schema):
        if validator.is_type(instance, "string") and not _ecma(expected).search(instance):
            yield ValidationError(f"{instance!r} does not match {expected!r}")

    return validators.extend(Draft202012Validator, {"pattern": pattern})(schema())


@lru_cache(maxsize=256)
def _ecma(pattern: str) -> re.Pattern:
    """A schema pattern for Python's `re`: an unescaped `$` outside a class is `\\Z`."""
    out, escaped, in_class = [], False, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "$" and not in_class:
            ch = r"\Z"
        out.append(ch)
    return re.compile("".join(out))


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _json_path(parts: Iterable[Any]) -> str:
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            path += f".{part}"
        else:  # quoted and escaped: the path stays one printable line
            path += f"[{json.dumps(_cut(part, 40), ensure_ascii=True)}]"
    return path


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {_cut(key, 40)!r}")
            seen.add(key)
    return result


def _strings(node: Any, depth: int = 0) -> int:
    """Keys and text values in a parsed JSON value (down to just past `LIMITS.depth`: a
    deeper file is refused anyway, and an undercount only means parsing it again)."""
    if depth > LIMITS.depth:
        return 0
    if type(node) is dict:
        count = len(node)
        node = node.values()
    elif type(node) is list:
        count = 0
    else:
        return type(node) is str
    for value in node:
        kind = type(value)
        if kind is str:
            count += 1
        elif kind is dict or kind is list:
            count += _strings(value, depth + 1)
    return count


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed (numbers must be finite)")


@lru_cache(maxsize=2)
def _decoder(strict_keys: bool = False) -> json.JSONDecoder:
    """A JSON decoder refusing NaN/Infinity (and, with strict_keys, repeated keys)."""
    if strict_keys:
        return json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    return json.JSONDecoder(parse_constant=_reject_constant)


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
        data = _decoder().decode(text)
        # Without escapes every string token has exactly two '"': when the count matches the
        # parsed keys and texts, no key was repeated. Otherwise parse again, key by key.
        if b"\\" in raw or raw.count(b'"') != 2 * _strings(data):
            data = _decoder(strict_keys=True).decode(text)
    except json.JSONDecodeError as exc:
        return None, [
            Problem(source, "$", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
        ]
    except (ValueError, RecursionError) as exc:  # e.g. an integer of over 4,300 digits
        return None, [Problem(source, "$", f"invalid JSON: {_cut(str(exc), 160)}")]
    if not isinstance(data, dict):
        return None, [Problem(source, "$", f"expected a JSON object, found {type(data).__name__}")]
    return data, []


def structure_problem(node: Any, depth: int = 0) -> tuple[list, str] | None:
    """The first value beyond `LIMITS` (reversed path, message), or None.

    Rejects what would make wording slow or printing fail: deep nesting, huge arrays or
    objects, long text, lone surrogates, non-finite or meaninglessly large numbers.
    """
    kind = type(node)
    if kind is dict or kind is list:
        if depth >= LIMITS.depth:
            return [], f"is nested more than {LIMITS.depth} levels deep"
        if len(node) > LIMITS.items:
            return [], f"has {len(node)} entries; the limit is {LIMITS.items}"
        if kind is dict:
            for key, value in node.items():
                problem = _text_limit(key, "key") or structure_problem(value, depth + 1)
                if problem:
                    problem[0].append(key)
                    return problem
        else:
            for index, value in enumerate(node):
                problem = structure_problem(value, depth + 1)
                if problem:
                    problem[0].append(index)
                    return problem
    elif kind is str:
        return _text_limit(node, "text")
    elif kind is float:
        if not math.isfinite(node):
            return [], "is not a finite number"
    elif kind is int and not -LIMITS.integer <= node <= LIMITS.integer:
        return [], "is an integer too large to mean anything here"
    return None


def _encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text_limit(text: str, what: str) -> tuple[list, str] | None:
    if len(text) > LIMITS.string:
        return [], f"{what} is {len(text)} characters long; the limit is {LIMITS.string}"
    if not _encodable(text):
        return [], f"{what} holds a lone surrogate (not encodable Unicode)"
    return None


def _schema_problems(doc: dict, source: str, walked: bool = False) -> list[Problem]:
    """[] when the compiled schema accepts; else the structural or worded problems.

    `walked`: the structural limits were already checked (see `check_bytes`)."""
    if schema_valid(doc):
        return []
    if not walked:
        problems = structure_problems(doc, source)
        if problems:
            return problems
    problems = set()
    for error in _wording_validator().iter_errors(doc):
        for leaf in _leaf_errors(error):
            problems.add(Problem(source, _json_path(leaf.absolute_path), _schema_message(leaf)))
    if not problems:  # the two validators disagree: the compiled schema's word is final
        for error in compiled().iter_errors(doc):
            path = _json_path(error.instance_path)
            problems.add(Problem(source, path, _cut(error.message, 200)))
    return sorted(problems)


def structure_problems(doc: Any, source: str) -> list[Problem]:
    """The first value beyond `LIMITS`, as a problem naming its field ([] if none)."""
    found = structure_problem(doc)
    if found is None:
        return []
    parts, message = found
    return [Problem(source, _json_path(reversed(parts)), message)]


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
            return f"unknown field(s): {', '.join(map(_key_text, extra))}"
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    if error.validator == "oneOf":
        return f"{_short(error.instance)} must be null or an object of the documented shape"
    if error.validator == "pattern":
        return f"{_short(error.instance)} has the wrong format"
    return error.message if len(error.message) <= 200 else error.message[:197] + "..."


def _key_text(key: str) -> str:
    return key if _PLAIN_KEY.fullmatch(key) else json.dumps(_cut(key, 40), ensure_ascii=True)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 60 else text[:57] + "..."


@lru_cache(maxsize=4096)
def _real_day(day: str) -> bool:
    try:
        datetime(int(day[0:4]), int(day[5:7]), int(day[8:10]))
    except ValueError:
        return False
    return True


def _real_time(text: str) -> bool:
    """A pattern-checked "YYYY-MM-DDTHH:MM:SSZ" names a time that exists."""
    return (
        _real_day(text[:10]) and text[11:13] < "24" and text[14:16] < "60" and (text[17:19] < "60")
    )


@lru_cache(maxsize=4)
def _time_bounds(now: datetime) -> tuple[str, str]:
    """created_at limits as text: not before 2024, not after now plus the clock skew."""
    latest = now.astimezone(timezone.utc) + CLOCK_SKEW
    return EARLIEST.strftime("%Y-%m-%dT%H:%M:%SZ"), latest.strftime("%Y-%m-%dT%H:%M:%SZ")


def _time_problems(created: str, source: str, now: datetime) -> list[Problem]:
    """created_at names a real time, not before 2024 and not in the future (the one
    check whose verdict depends on when it runs)."""
    earliest, latest = _time_bounds(now)  # fixed-width digits: text order is time order
    if not _real_time(created):
        return [Problem(source, "$.created_at", f"{created!r} is not a real date and time")]
    if created > latest:
        return [Problem(source, "$.created_at", f"{created} is in the future")]
    if created < earliest:
        message = f"{created} is before 2024; the board did not exist yet"
        return [Problem(source, "$.created_at", message)]
    return []


def _semantic_problems(doc: dict, source: str, now: datetime) -> list[Problem]:
    """Checks beyond the schema; assumes the schema passed."""
    out: list[Problem] = []

    def add(path: str, message: str) -> None:
        out.append(Problem(source, path, message))

    out.extend(_time_problems(doc["created_at"], source, now))

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

    out.extend(_participant_problems(doc, source))

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


def _participant_problems(doc: dict, source: str) -> list[Problem]:
    """Version 1: a participant_id, no signature. Version 2: a signature field; signed,
    the participant_id is the key's; unsigned, it is null (only a signature links)."""
    pid = doc["participant_id"]
    if doc["schema_version"] == 1:
        if "signature" in doc:
            return [Problem(source, "$.signature", "only schema_version 2 files are signed")]
        if pid is None:
            return [Problem(source, "$.participant_id", "is required in a schema_version 1 file")]
        return []
    if "signature" not in doc:
        return [Problem(source, "$.signature", "is required in a schema_version 2 file")]
    block = doc["signature"]
    if block is None:
        if pid is not None:
            message = "must be null in an unsigned file (only a signature links results)"
            return [Problem(source, "$.participant_id", message)]
        return []
    if pid != _participant_id(block["public_key"]):
        return [Problem(source, "$.participant_id", "does not match the signature's public key")]
    return []


@lru_cache(maxsize=1 << 16)  # a participant's key signs all of their files
def _participant_id(public_key_hex: str) -> str:
    return participant_id_for(bytes.fromhex(public_key_hex))


@lru_cache(maxsize=1 << 16)  # institutions and names recur across a board's files
def text_problem(text: str) -> str | None:
    """Why a typed public string is refused, or None when it is fine.

    Refused: outer spaces, non-NFC text, control/format/private/unassigned characters,
    separators other than a plain space, characters that draw nothing (Hangul fillers,
    the Braille blank), runs of combining marks, text mostly invisible, and anything that
    reads as an e-mail address, a web address or a phone number.
    """
    if text != text.strip():
        return "must not start or end with spaces"
    if unicodedata.normalize("NFC", text) != text:
        return "must be NFC-normalized Unicode"
    invisible = run = 0
    for ch in text:
        category = unicodedata.category(ch)
        if category in FORBIDDEN_CATEGORIES:
            return f"contains a control or invisible character (U+{ord(ch):04X})"
        if category == "Zs" and ch != " ":
            return f"contains a space other than a plain space (U+{ord(ch):04X})"
        if ch in INVISIBLE_CHARACTERS:
            return f"contains a character that shows nothing (U+{ord(ch):04X})"
        if category in ("Mn", "Me"):
            run += 1
            invisible += 1
            if run > MAX_MARK_RUN:
                return f"has more than {MAX_MARK_RUN} combining marks in a row"
        else:
            run = 0
            invisible += ch == " "
    if 2 * invisible >= len(text):
        return "is mostly invisible (spaces and combining marks)"
    return contact_problem(text)


def contact_problem(text: str) -> str | None:
    """Why a public string looks like contact details (e-mail, web address, phone)."""
    folded = unicodedata.normalize("NFKC", text)
    if _EMAIL.search(folded):
        return "looks like an e-mail address; contact details are never published"
    if _URL.search(folded):
        return "looks like a web address; links are never published"
    for match in _PHONE.finditer(folded):
        if sum(ch.isdigit() for ch in match.group()) >= _PHONE_DIGITS:
            return "looks like a phone number; contact details are never published"
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
    framework = suite in FRAMEWORK_SUITES
    needs_numpy = framework and bench["backend"] == "tinytorch"
    # The usual case, no set arithmetic: all metrics, sane spreads, numpy's same-run
    # figures exactly where the suite and backend call for them, machine_score likewise.
    if not out and metrics.keys() == _BASELINE_SET and framework == ("machine_score" in bench):
        for metric in metrics.values():
            if metric["iqr_ms"] > 1000 * metric["median_ms"]:
                break
            keys = metric.keys()
            if not (keys >= _NUMPY_KEYS if needs_numpy else keys.isdisjoint(_NUMPY_KEYS)):
                break
        else:
            return _score_problems(bench, source)
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
        siblings = [key for key in NUMPY_SIBLINGS.values() if key in metric]
        if needs_numpy:
            for key in NUMPY_SIBLINGS.values():
                if key not in metric:
                    out.append(
                        Problem(
                            source,
                            f"$.benchmark.metrics.{name}",
                            f"'{key}' is required (the same run's numpy time)",
                        )
                    )
        else:
            why = f"suite {suite}" if not framework else "a numpy result"
            for key in siblings:
                out.append(
                    Problem(
                        source,
                        f"$.benchmark.metrics.{name}.{key}",
                        f"not allowed in {why} (only tinytorch results of suite 2 on)",
                    )
                )
    if framework and "machine_score" not in bench:
        out.append(Problem(source, "$.benchmark", f"'machine_score' is required in suite {suite}"))
    if not framework and "machine_score" in bench:
        out.append(Problem(source, "$.benchmark.machine_score", f"not part of suite {suite}"))
    if out:
        return out
    return _score_problems(bench, source)


def _score_problems(bench: dict, source: str) -> list[Problem]:
    """The headline score and (suites with a framework score) machine_score, recomputed."""
    out = []
    try:
        expected, machine = baseline_scores(bench)
    except (KeyError, ValueError, ArithmeticError) as exc:
        return [Problem(source, "$.benchmark.metrics", str(exc))]
    if not math.isclose(bench["score"], expected, abs_tol=SCORE_TOLERANCE):
        out.append(
            Problem(
                source,
                "$.benchmark.score",
                f"{bench['score']} does not match the metrics (recomputed: {expected})",
            )
        )
    if machine is not None and not math.isclose(
        bench["machine_score"], machine, abs_tol=SCORE_TOLERANCE
    ):
        out.append(
            Problem(
                source,
                "$.benchmark.machine_score",
                f"{bench['machine_score']} does not match the numpy times (recomputed: {machine})",
            )
        )
    return out


def _capstone_problems(bench: dict, source: str) -> list[Problem]:
    out = []
    if "machine_score" in bench:
        out.append(Problem(source, "$.benchmark.machine_score", "only baseline results have one"))
    tracks = bench.get("tracks")
    if tracks is None:
        return [Problem(source, "$.benchmark.tracks", "a capstone result needs its tracks")]
    ran = {name: track for name, track in tracks.items() if track is not None}
    if not ran:
        return [Problem(source, "$.benchmark.tracks", "no track ran; there is nothing to submit")]
    for name, track in sorted(ran.items()):
        try:
            expected = capstone_track_score(name, track["metrics"], bench["suite_version"])
        except (KeyError, ValueError, ArithmeticError) as exc:
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
    parts = [part for part in name.replace("\\", "/").split("/") if part not in ("", ".")]
    sid = doc.get("submission_id")
    if not isinstance(sid, str) or not parts:
        return []
    out = []
    if parts[-1] != f"{sid}.json":
        out.append(
            Problem(
                source, "$.submission_id", f"'{sid}' does not match the file name '{parts[-1]}'"
            )
        )
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
    doc: dict,
    source: str,
    name: str | None = None,
    now: datetime | None = None,
    *,
    walked: bool = False,
) -> list[Problem]:
    """Every problem with an already-parsed document: the compiled schema (worded when it
    refuses), then the semantic pass and the file's location, then (for a signed file
    with no other problem) its signature.

    Problems about a field come before problems about the whole file (path `$`).
    """
    problems = _schema_problems(doc, source, walked)
    if not problems:
        now = now or datetime.now(timezone.utc)
        problems = _semantic_problems(doc, source, now) + _location_problems(doc, source, name)
        if not problems:
            problems = _signature_problems(doc, source)
    return sorted(problems, key=_whole_file_last)


def _signature_problems(doc: dict, source: str) -> list[Problem]:
    """A signed file whose signature does not verify over its canonical form (whole file)."""
    if doc["schema_version"] != 2 or doc["signature"] is None:
        return []
    if not verifies(doc):
        return [
            Problem(
                source,
                "$",
                "the signature does not verify over the file's canonical form "
                "(the file was changed after signing, or signed with another key)",
            )
        ]
    return []


RULE_SOURCES = (
    ("tinytorch_board", "countries.py"),
    ("tinytorch_board.submission", "__init__.py"),
    ("tinytorch_board.submission", "schema_v1.json"),
    ("tinytorch_board.submission", "score.py"),
    ("tinytorch_board.submission", "signature.py"),
    ("tinytorch_board.submission", "validator.py"),
)
"""Everything a verdict depends on, besides the file, its name and the time."""


@lru_cache(maxsize=1)
def rules_fingerprint() -> bytes | None:
    """A digest of the rules in force (their sources, the Unicode tables, the compiled
    schema's library); None when a source cannot be read: then nothing is remembered."""
    digest = hashlib.blake2b(digest_size=32)
    try:
        for package, name in RULE_SOURCES:
            digest.update(resources.files(package).joinpath(name).read_bytes())
            digest.update(b"\0")
        from importlib.metadata import version

        digest.update(f"{unicodedata.unidata_version} {version('jsonschema-rs')}".encode())
    except Exception:  # noqa: BLE001 - no fingerprint: every file is judged afresh
        return None
    return digest.digest()


@dataclass
class Verdicts:
    """Files accepted in full (their `verdict_key`s): by earlier checks (`known`, read
    only) and by this run (`now`, what is worth remembering next time)."""

    known: frozenset | set = frozenset()
    now: set = field(default_factory=set)


def verdict_key(raw: bytes, name: str | None) -> bytes | None:
    """The key under which a file accepted at `name` with these bytes is remembered
    (None: nothing may be remembered). Keyed by the rules' fingerprint, so a change of
    the rules forgets every earlier verdict."""
    rules = rules_fingerprint()
    if rules is None:
        return None
    digest = hashlib.blake2b(
        (name or "").encode("utf-8", "surrogatepass") + b"\0", digest_size=16, key=rules
    )
    digest.update(raw)
    return digest.digest()


def _whole_file_last(problem: Problem) -> bool:
    return problem.path == "$"


def check_bytes(
    raw: bytes,
    source: str,
    name: str | None = None,
    now: datetime | None = None,
    verdicts: Verdicts | None = None,
) -> Checked:
    """Validate a file's bytes; `name` is the path it claims (for the id/shard checks).

    A file larger than a submission needs has its structure checked before the schema
    runs; a small one only if the compiled schema refuses it.

    `verdicts` remembers files accepted in full: the same bytes under the same name and
    rules always get the same verdict, except for the time check, which runs again. A
    file found in `verdicts.known` is parsed and its time checked, nothing more; every
    file accepted now (either way) is added to `verdicts.now`.
    """
    key = verdict_key(raw, name) if verdicts is not None else None
    if key is not None and key in verdicts.known:
        doc = json.loads(raw)  # these bytes passed strict parsing under these rules
        problems = _time_problems(doc["created_at"], source, now or datetime.now(timezone.utc))
        if not problems:
            verdicts.now.add(key)
            return Checked(source, doc, ())
    doc, problems = parse(raw, source)
    if doc is None:
        return Checked(source, None, tuple(problems))
    walked = False
    if len(raw) > LIMITS.walk_first_bytes:
        problems = structure_problems(doc, source)
        if problems:
            return Checked(source, doc, tuple(problems))
        walked = True
    problems = check_document(doc, source, name, now, walked=walked)
    if key is not None and not problems:
        verdicts.now.add(key)
    return Checked(source, doc, tuple(problems))


def check_file(path: Path, now: datetime | None = None, source: str | None = None) -> Checked:
    """Validate one file on disk, reading at most one byte past the size cap."""
    path = Path(path)
    source = source or str(path)
    if path.is_symlink():
        return Checked(source, None, (Problem(source, "$", "is a symbolic link, not a file"),))
    try:
        # Not blocking on open: a FIFO named *.json must not hang `validate` or `build`.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return Checked(
                source, None, (Problem(source, "$", "is not a regular file (a FIFO or device)"),)
            )
        with os.fdopen(fd, "rb") as handle:
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
