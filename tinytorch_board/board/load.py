"""Load a board: every file under submissions/, validated by the shared validator.

The result keeps the valid documents (for pages that show a submission as it is) and
builds columnar numpy arrays of what the statistics need (`LoadedBoard.columns`).
"""

from __future__ import annotations

import gc
import json
import math
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from tinytorch_board.countries import ISO_3166_ALPHA2
from tinytorch_board.errors import BoardError
from tinytorch_board.submission import BACKENDS, KINDS, MAX_FILE_BYTES
from tinytorch_board.submission import validator as _validator
from tinytorch_board.submission.score import (
    BASELINE_METRICS,
    CAPSTONE_REFERENCE,
    REFERENCE_MS,
    SCORE_TOLERANCE,
    baseline_score,
    capstone_overall,
    capstone_track_score,
)
from tinytorch_board.submission.validator import Checked, check_file


@dataclass
class Columns:
    """Column arrays over the valid documents, one row per document, in time order.

    Rows are sorted by (created_at, submission_id), oldest first; row i holds
    `documents[document_index[i]]`. Text values are factorized: `x_code[i]` indexes
    `x_names`, -1 means "none".
    """

    n: int
    submission_id: list[str]
    participant_id: list[str]
    created_at: list[str]
    score: object  # float64[n]
    group_code: object  # int32[n] into group_names ("kind/suite_version/backend")
    group_names: list[str]
    kind_code: object  # int8[n]: 0 baseline, 1 capstone
    backend_code: object  # int8[n]: 0 numpy, 1 tinytorch
    system_code: object  # int32[n] into system_names (as submitted, not anonymized)
    system_names: list[str]
    participant_code: object  # int32[n] into the distinct participant ids
    participants: int
    modules: object  # int16[n]
    milestone_code: object  # int32[n] into milestone_sets
    milestone_sets: list  # distinct milestones_completed lists, as tuples of ids
    milestone_mask: object  # int16[n]: bit j set = milestone MILESTONE_IDS[j] completed
    milestone_count: object  # int8[n]
    days_since_join: object  # int32[n], -1 when null
    public: object  # bool[n]
    cohort_code: object
    cohort_names: list[str]
    course_code: object
    course_names: list[str]
    country_code: object
    country_names: list[str]
    institution_code: object
    institution_names: list[str]
    document_index: object = None  # int64[n]: row -> index in LoadedBoard.documents
    values: dict = field(default_factory=dict, repr=False)
    """ROW_FIELDS name -> the raw value of every row (a tuple), for building entries."""


def _factorize(values) -> tuple[list[int], list]:
    """Codes (first-seen order) and names for a sequence of values; None -> -1."""
    names = list(dict.fromkeys(values))
    if None in names:
        names.remove(None)
    index = {name: i for i, name in enumerate(names)}
    index[None] = -1
    return list(map(index.__getitem__, values)), names


ROW_FIELDS = (
    "submission_id",
    "participant_id",
    "created_at",
    "kind",
    "suite_version",
    "backend",
    "score",
    "metrics",
    "tracks",
    "system_type",
    "cpu_cores",
    "memory_gb",
    "modules_completed",
    "milestones_completed",
    "days_since_join",
    "cohort",
    "course_type",
    "experience_level",
    "visibility",
    "display_name",
    "github",
    "country",
    "institution",
)


def _row(d: dict) -> tuple:
    """The fields of one valid document the engine publishes, in ROW_FIELDS order."""
    b = d["benchmark"]
    s = d["system"]
    p = d["progress"]
    c = d["community"]
    pub = d["public"]
    return (
        d["submission_id"],
        d["participant_id"],
        d["created_at"],
        b["kind"],
        b["suite_version"],
        b["backend"],
        b["score"],
        b["metrics"],
        b.get("tracks"),
        s["system_type"],
        s["cpu_cores"],
        s["memory_gb"],
        p["modules_completed"],
        p["milestones_completed"],
        p["days_since_join"],
        c["cohort"] if c else None,
        c["course_type"] if c else None,
        c["experience_level"] if c else None,
        d["visibility"],
        pub.get("display_name") if pub else None,
        pub.get("github") if pub else None,
        pub.get("country") if pub else None,
        pub.get("institution") if pub else None,
    )


def build_columns(documents: list[dict], rows: list[tuple] | None = None) -> Columns:
    """Numpy arrays per field; `rows` (one `_row` tuple per document) saves a pass."""
    import numpy as np

    from tinytorch_board.curriculum import MILESTONE_IDS

    n = len(documents)
    if rows is None:
        rows = list(map(_row, documents))
    # time order: created_at is fixed-width text, so text order is time order
    order = sorted(range(n), key=[r[2] + r[0] for r in rows].__getitem__)
    if n:
        fields_by_row = zip(*[rows[i] for i in order], strict=True)
        values = dict(zip(ROW_FIELDS, fields_by_row, strict=True))
    else:
        values = {name: () for name in ROW_FIELDS}

    group_codes, group_names = _factorize(
        list(map("{}/{}/{}".format, values["kind"], values["suite_version"], values["backend"]))
    )
    system_codes, system_names = _factorize(values["system_type"])
    participant_codes, distinct = _factorize(values["participant_id"])
    cohort_codes, cohort_names = _factorize(values["cohort"])
    course_codes, course_names = _factorize(values["course_type"])
    country_codes, country_names = _factorize(values["country"])
    institution_codes, institution_names = _factorize(values["institution"])

    # milestone lists -> one code per distinct list (ids are two characters each)
    milestone_codes, joined = _factorize(list(map("".join, values["milestones_completed"])))
    milestone_sets = [tuple(text[i : i + 2] for i in range(0, len(text), 2)) for text in joined]
    bit = {mid: 1 << j for j, mid in enumerate(MILESTONE_IDS)}
    set_masks = [sum(bit.get(m, 0) for m in set(ids)) for ids in milestone_sets]
    set_sizes = [len(ids) for ids in milestone_sets]

    def ints(items, dtype) -> object:
        return np.array(items, dtype=dtype) if n else np.zeros(0, dtype)

    kind_index = {name: i for i, name in enumerate(KINDS)}
    backend_index = {name: i for i, name in enumerate(BACKENDS)}
    return Columns(
        n=n,
        submission_id=list(values["submission_id"]),
        participant_id=list(values["participant_id"]),
        created_at=list(values["created_at"]),
        score=np.array(values["score"], dtype=np.float64),
        group_code=ints(group_codes, np.int32),
        group_names=group_names,
        kind_code=ints([kind_index[v] for v in values["kind"]], np.int8),
        backend_code=ints([backend_index[v] for v in values["backend"]], np.int8),
        system_code=ints(system_codes, np.int32),
        system_names=system_names,
        participant_code=ints(participant_codes, np.int32),
        participants=len(distinct),
        modules=ints(values["modules_completed"], np.int16),
        milestone_code=ints(milestone_codes, np.int32),
        milestone_sets=milestone_sets,
        milestone_mask=np.array(set_masks, np.int16)[ints(milestone_codes, np.int32)],
        milestone_count=np.array(set_sizes, np.int8)[ints(milestone_codes, np.int32)],
        days_since_join=ints([-1 if v is None else v for v in values["days_since_join"]], np.int32),
        public=np.array([v == "public" for v in values["visibility"]], dtype=np.bool_),
        cohort_code=ints(cohort_codes, np.int32),
        cohort_names=cohort_names,
        course_code=ints(course_codes, np.int32),
        course_names=course_names,
        country_code=ints(country_codes, np.int32),
        country_names=country_names,
        institution_code=ints(institution_codes, np.int32),
        institution_names=institution_names,
        document_index=np.array(order, dtype=np.int64),
        values=values,
    )


_EMPTY: dict = {}


@dataclass
class LoadedBoard:
    root: Path
    documents: list[dict] = field(default_factory=list)
    invalid: list[Checked] = field(default_factory=list)
    _columns: Columns | None = field(default=None, repr=False, compare=False)
    _rows: list | None = field(default=None, repr=False, compare=False)

    @property
    def columns(self) -> Columns:
        """Column arrays over `documents`, built on first use.

        Treat `documents` as read-only once loaded: the arrays are rebuilt only when the
        number of documents changes (load_board extracts each row while parsing it).
        """
        if self._columns is None or self._columns.n != len(self.documents):
            rows = self._rows if self._rows and len(self._rows) == len(self.documents) else None
            with gc_paused():
                self._columns = build_columns(self.documents, rows)
        return self._columns


def load_board(
    board_dir: Path, now: datetime | None = None, *, workers: int | None = None
) -> LoadedBoard:
    """Valid documents plus every rejected file with its reasons; never raises on bad data.

    Same verdicts, documents and order as `validator.check_file` over
    `validator.board_files`: a file that parses and passes `fast_valid` is valid by
    construction; every other file goes through the shared validator, which decides
    and explains. workers: None = decide (a forked helper process parses part of a large
    board when two CPUs are free), 1 = serial, 2 = always fork (same results).
    """
    board_dir = Path(board_dir)
    if not board_dir.is_dir():
        raise BoardError(f"board directory {board_dir} does not exist")
    with gc_paused():
        return _load(board_dir, now or datetime.now(timezone.utc), workers)


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while building many acyclic objects.

    Parsed JSON has no reference cycles, yet every few hundred new containers the
    collector would walk all of them again: at 100,000 files that is most of the time.
    After a pause that left many new containers (a large board), the tracked objects
    are frozen (`gc.freeze`): the first collection after the pause would otherwise walk
    every parsed document once more, for nothing (about 0.5 s per 100,000 files).
    Frozen objects are still freed when no longer referenced; only cycles among them
    would wait for `gc.unfreeze()`.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_count()[0] >= FREEZE_AFTER:
            gc.freeze()
        if was_enabled:
            gc.enable()


FREEZE_AFTER = 100_000
"""New containers (net) after which gc_paused freezes what the collector tracks."""


def _load(board_dir: Path, now: datetime, workers: int | None) -> LoadedBoard:
    limits = _TimeLimits(now)
    loaded = LoadedBoard(board_dir)
    documents = loaded.documents
    rows = loaded._rows = []
    items = _walk(board_dir / "submissions")
    passed = _fast_pass_parallel(board_dir, items, limits, workers)
    for item, fast in zip(items, passed, strict=True):
        if fast is not None:
            documents.append(fast[0])
            rows.append(fast[1])
            continue
        checked = _check_slowly(board_dir, item[0], now)
        if checked.ok:
            documents.append(checked.document)
            rows.append(_row(checked.document))
        else:
            loaded.invalid.append(checked)
    return loaded


PARALLEL_MIN_FILES = 4096
"""Below this many files a second process costs more than it saves."""


def _fast_pass(board_dir: Path, items: list, limits: _TimeLimits) -> list:
    """Per (rel_parts, is_link): (document, row) if it passes the fast check, else None.

    None means "ask the shared validator" (unreadable, not JSON, or not plainly valid).
    """
    earliest, latest = limits.earliest, limits.latest
    check = _fast_checker()
    loads = json.loads
    root = str(board_dir / "submissions")
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    limit = MAX_FILE_BYTES + 1
    out: list = []
    append = out.append
    for rel_parts, is_link in items:
        found = None
        if not is_link and len(rel_parts) == 2:
            try:
                fd = os.open(f"{root}/{rel_parts[0]}/{rel_parts[1]}", flags)
                try:
                    raw = os.read(fd, limit)
                finally:
                    os.close(fd)
                if len(raw) < limit and b"\\" not in raw:
                    doc = loads(raw.decode("utf-8"))
                    if type(doc) is dict:
                        row = check(doc, rel_parts, earliest, latest, raw.count(b'"'))
                        if row is not None:
                            found = (doc, row)
            except (OSError, ValueError, RecursionError):
                found = None
        append(found)
    return out


def _parallel_workers(count: int, workers: int | None) -> int:
    """2 when a forked helper pays off and is safe here, else 1 (the serial path)."""
    if workers is not None:
        return 2 if workers >= 2 and count >= 2 else 1
    if count < PARALLEL_MIN_FILES or not hasattr(os, "fork"):
        return 1
    import threading

    if threading.active_count() != 1:  # fork with threads running may deadlock
        return 1
    cpus = (
        os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
    )
    return 2 if len(cpus) >= 2 else 1


def _fast_pass_parallel(
    board_dir: Path, items: list, limits: _TimeLimits, workers: int | None
) -> list:
    """`_fast_pass` over all items, the later share in a forked child process.

    The child reads, parses and checks its share and streams the accepted documents
    back pickled (unpickling costs a quarter of parsing and checking). Any failure of the
    child, or of the pipe, falls back to the serial path for its share: the results are
    the same either way, since both run the same code on the same files.
    """
    if _parallel_workers(len(items), workers) < 2:
        return _fast_pass(board_dir, items, limits)
    import pickle

    split = int(len(items) * PARENT_SHARE)
    mine, theirs = items[:split], items[split:]
    try:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
    except OSError:
        return _fast_pass(board_dir, items, limits)
    if pid == 0:  # the child: never returns
        status = 1
        try:
            os.close(read_fd)
            found = _fast_pass(board_dir, theirs, limits)
            with os.fdopen(write_fd, "wb", buffering=1 << 20) as pipe:
                pickler = pickle.Pickler(pipe, protocol=pickle.HIGHEST_PROTOCOL)
                pickler.fast = True  # no memo: parsed JSON is a tree, and this is 10x faster
                pickler.dump([None if f is None else f[0] for f in found])
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)
    head = _fast_pass(board_dir, mine, limits)
    tail = None
    try:
        with os.fdopen(read_fd, "rb", buffering=1 << 20) as pipe:
            tail = pickle.load(pipe)
    except Exception:  # noqa: BLE001 - any failure: do the child's share here
        tail = None
    finally:
        _, status = os.waitpid(pid, 0)
    if status != 0 or type(tail) is not list or len(tail) != len(theirs):
        tail = _fast_pass(board_dir, theirs, limits)
    else:  # the rows again here: sent along, they would not share the documents' objects
        tail = [None if doc is None else (doc, _row(doc)) for doc in tail]
    head.extend(tail)
    return head


PARENT_SHARE = 0.5
"""Share of the files the parent parses itself; the child takes the rest. Both finish
parsing about together; the parent then unpickles the child's documents."""


def _check_slowly(board_dir: Path, rel_parts: tuple[str, ...], now: datetime) -> Checked:
    """The shared validator's verdict; if it fails on odd data, the file is rejected."""
    source = "/".join(("submissions", *rel_parts))
    try:
        return check_file(board_dir.joinpath("submissions", *rel_parts), now=now, source=source)
    except Exception as exc:  # noqa: BLE001 - bad data must never stop a build
        reason = f"the validator failed on this file ({type(exc).__name__}: {exc})"
        return Checked(source, None, (_validator.Problem(source, "$", reason),))


def _walk(root: Path) -> list[tuple[tuple[str, ...], bool]]:
    """(parts relative to submissions/, is a symlink) for every *.json, like board_files.

    Same set and order as `validator.board_files`: names ending in .json not starting
    with "."; directories are searched recursively without following symbolic links.
    """
    found: list[tuple[tuple[str, ...], bool]] = []
    if not root.is_dir():
        return found

    def visit(directory: str, prefix: tuple[str, ...]) -> None:
        try:
            entries = list(os.scandir(directory))
        except OSError:
            return
        for entry in entries:
            name = entry.name
            if name.endswith(".json") and not name.startswith("."):
                found.append(((*prefix, name), entry.is_symlink()))
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                visit(entry.path, (*prefix, name))

    visit(str(root), ())
    found.sort(key=lambda item: item[0])
    return found


class _TimeLimits:
    """created_at bounds of the validator as text (fixed width, so text order = time order)."""

    def __init__(self, now: datetime) -> None:
        latest = now.astimezone(timezone.utc) + _validator.CLOCK_SKEW
        self.latest = latest.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.earliest = _validator.EARLIEST.strftime("%Y-%m-%dT%H:%M:%SZ")


def _compiled(pattern: str):
    return re.compile(pattern).fullmatch


@lru_cache(maxsize=1)
def _rules():
    """Field patterns and choices, read from the v1 schema itself."""
    props = _validator.schema()["properties"]
    bench = props["benchmark"]["properties"]
    system = props["system"]["properties"]
    progress = props["progress"]["properties"]
    community = props["community"]["oneOf"][1]["properties"]
    public = props["public"]["oneOf"][1]["properties"]
    metric = bench["metrics"]["additionalProperties"]["properties"]
    track = bench["tracks"]["properties"]["accuracy"]["oneOf"][1]["properties"]
    return SimpleNamespace(
        top=frozenset(_validator.schema()["required"]),
        top_all=frozenset(props),
        submission_id=_compiled(props["submission_id"]["pattern"]),
        participant_id=_compiled(props["participant_id"]["pattern"]),
        created_at=_compiled(props["created_at"]["pattern"]),
        client_version=_compiled(props["client_version"]["pattern"]),
        client_version_max=props["client_version"]["maxLength"],
        withdraw=_compiled(props["withdraw_key_sha256"]["pattern"]),
        bench_keys=frozenset(["kind", "suite_version", "backend", "metrics", "score"]),
        capstone_keys=frozenset(["kind", "suite_version", "backend", "metrics", "score", "tracks"]),
        tracks=frozenset(bench["tracks"]["required"]),
        track_metric_name=_compiled(track["metrics"]["propertyNames"]["pattern"]),
        track_metrics_max=track["metrics"]["maxProperties"],
        backends=frozenset(bench["backend"]["enum"]),
        suite_max=bench["suite_version"]["maximum"],
        metric_keys=frozenset(metric),
        metric_required=frozenset(["median_ms", "iqr_ms", "runs"]),
        time_max=metric["median_ms"]["maximum"],
        runs_max=metric["runs"]["maximum"],
        baseline_metrics=frozenset(BASELINE_METRICS),
        system_keys=frozenset(props["system"]["required"]),
        system_types=frozenset(system["system_type"]["enum"]),
        oses=frozenset(system["os"]["enum"]),
        arch=_compiled(system["arch"]["pattern"]),
        cores_max=system["cpu_cores"]["maximum"],
        memory_max=system["memory_gb"]["maximum"],
        python=_compiled(system["python"]["pattern"]),
        numpy=_compiled(system["numpy"]["pattern"]),
        progress_keys=frozenset(props["progress"]["required"]),
        modules_max=progress["modules_completed"]["maximum"],
        milestones=frozenset(progress["milestones_completed"]["items"]["enum"]),
        milestones_max=progress["milestones_completed"]["maxItems"],
        days_max=progress["days_since_join"]["maximum"],
        community_keys=frozenset(props["community"]["oneOf"][1]["required"]),
        cohort=_compiled(community["cohort"]["pattern"]),
        course_types=frozenset(v for v in community["course_type"]["enum"] if v),
        levels=frozenset(v for v in community["experience_level"]["enum"] if v),
        public_keys=frozenset(public),
        display_name=_compiled(public["display_name"]["pattern"]),
        display_name_max=public["display_name"]["maxLength"],
        github=_compiled(public["github"]["pattern"]),
        country=_compiled(public["country"]["pattern"]),
        institution=_compiled(public["institution"]["pattern"]),
        institution_max=public["institution"]["maxLength"],
    )


def fast_valid(doc: dict, rel_parts: tuple[str, ...], limits: _TimeLimits) -> bool:
    """True only if the shared validator would find no problem with this file.

    A conservative re-statement of the v1 schema and the validator's checks for the
    common case (a baseline or capstone result at submissions/<shard>/<id>.json): exact Python
    types, full-string pattern matches. False means "ask the validator", not "invalid".

    Duplicate keys: the file was parsed by plain json.loads, which keeps the last of
    duplicate keys silently. A file without backslashes has exactly two '"' per string
    token, so `quotes` (the file's count of '"') equals twice the keys and text values
    of the parsed document only when no key was repeated; otherwise: "ask the validator".
    NaN and Infinity fail every range check below, so they too go to the validator.
    """
    raw = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if b"\\" in raw:
        return False
    row = _fast_checker()(doc, rel_parts, limits.earliest, limits.latest, raw.count(b'"'))
    return row is not None


@lru_cache(maxsize=1)
def _fast_checker():  # noqa: C901 - one flat function is the point: it runs 100k times
    r = _rules()
    top_keys = r.top
    sid_ok, pid_ok, created_ok = r.submission_id, r.participant_id, r.created_at
    client_ok, client_max, withdraw_ok = r.client_version, r.client_version_max, r.withdraw
    bench_keys, backends, suite_max = r.bench_keys, r.backends, r.suite_max
    capstone_keys, track_names = r.capstone_keys, r.tracks
    track_metric_name, track_metrics_max = r.track_metric_name, r.track_metrics_max
    capstone_references = CAPSTONE_REFERENCE
    track_score_of, overall_of = capstone_track_score, capstone_overall
    isfinite = math.isfinite
    metric_required, metric_keys = r.metric_required, r.metric_keys
    time_max, runs_max, baseline_metrics = r.time_max, r.runs_max, r.baseline_metrics
    system_keys, system_types, oses = r.system_keys, r.system_types, r.oses
    arch_ok, cores_max, memory_max = r.arch, r.cores_max, r.memory_max
    python_ok, numpy_ok = r.python, r.numpy
    progress_keys, modules_max = r.progress_keys, r.modules_max
    milestone_ids, milestones_max, days_max = r.milestones, r.milestones_max, r.days_max
    community_keys, cohort_ok = r.community_keys, r.cohort
    course_types, levels = r.course_types, r.levels
    public_keys, github_ok, country_ok = r.public_keys, r.github, r.country
    text_rules = (
        ("display_name", r.display_name, r.display_name_max),
        ("institution", r.institution, r.institution_max),
    )
    text_problem = _validator.text_problem
    references = REFERENCE_MS
    isclose = math.isclose
    score_of = baseline_score
    tolerance = SCORE_TOLERANCE
    countries = ISO_3166_ALPHA2
    real_time = _real_time
    str_, int_, float_, dict_, list_, bool_ = str, int, float, dict, list, bool

    def remembered(match, longest: int = 1 << 30):
        """A full-match check that remembers the few values that passed (low-cardinality
        fields: the same handful of versions and names recur in every file)."""
        seen: set[str] = set()

        def ok(value: str) -> bool:
            if len(value) > longest or not match(value):
                return False
            if len(seen) < 1024:
                seen.add(value)
            return True

        return seen, ok

    client_seen, client_ok = remembered(client_ok, client_max)
    arch_seen, arch_ok = remembered(arch_ok)
    python_seen, python_ok = remembered(python_ok)
    numpy_seen, numpy_ok = remembered(numpy_ok)
    cohort_seen, cohort_ok = remembered(cohort_ok)
    cohort_canon: dict[str, str] = {}
    # text choices -> one shared object each (membership test and canonical value)
    backends = {v: v for v in backends}
    system_types = {v: v for v in system_types}
    course_types = {v: v for v in course_types}
    levels = {v: v for v in levels}

    def check(doc, rel_parts, earliest, latest, quotes):
        if doc.keys() != top_keys:
            return None
        value = doc["schema_version"]
        if type(value) is not int_ or value != 1:
            return None
        sid = doc["submission_id"]
        if type(sid) is not str_ or not sid_ok(sid):
            return None
        if rel_parts[1] != sid + ".json" or rel_parts[0] != sid[:2]:
            return None
        pid = doc["participant_id"]
        if type(pid) is not str_ or not pid_ok(pid):
            return None
        created = doc["created_at"]
        if type(created) is not str_ or not created_ok(created):
            return None
        if not (earliest <= created <= latest) or not real_time(created):
            return None
        value = doc["client_version"]
        if type(value) is not str_ or value not in client_seen and not client_ok(value):
            return None
        value = doc["withdraw_key_sha256"]
        if type(value) is not str_ or not withdraw_ok(value):
            return None

        bench = doc["benchmark"]
        if type(bench) is not dict_:
            return None
        bench_kind = bench.get("kind")
        if bench_kind == "capstone":
            if bench.keys() != capstone_keys:
                return None
            bench_kind = bench["kind"] = "capstone"
        elif bench_kind != "baseline" or bench.keys() != bench_keys:
            return None
        else:
            bench_kind = bench["kind"] = "baseline"
        suite = bench["suite_version"]
        if type(suite) is not int_ or not 1 <= suite <= suite_max:
            return None
        backend = bench["backend"]
        if type(backend) is not str_ or backend not in backends:
            return None
        backend = bench["backend"] = backends[backend]
        score = bench["score"]
        kind = type(score)
        if (kind is not float_ and kind is not int_) or not 0 <= score <= 100:
            return None
        metrics = bench["metrics"]
        tracks = None
        if bench_kind == "capstone":
            # strings in the file so far: 12 + 6 + 7 + 4 keys, 6 + 2 + 4 text values
            tokens = 41
            if type(metrics) is not dict_ or metrics or suite not in capstone_references:
                return None
            tracks = bench["tracks"]
            if type(tracks) is not dict_ or tracks.keys() != track_names:
                return None
            tokens += 4
            ran = {}
            for name, track in tracks.items():
                if track is None:
                    continue
                if type(track) is not dict_ or len(track) != 2:
                    return None
                values, value = track.get("metrics"), track.get("score")
                if type(values) is not dict_ or len(values) > track_metrics_max:
                    return None
                kind = type(value)
                if (kind is not float_ and kind is not int_) or not 0 <= value <= 100:
                    return None
                for key, number in values.items():
                    if not track_metric_name(key):
                        return None
                    kind = type(number)
                    if kind is float_:
                        if not isfinite(number):
                            return None
                    elif kind is not int_:
                        return None
                try:
                    expected = track_score_of(name, values, suite)
                except (KeyError, ValueError, ArithmeticError):
                    return None
                if not isclose(value, expected, abs_tol=tolerance):
                    return None
                tokens += 2 + len(values)
                ran[name] = value
            if not ran:
                return None
            if not isclose(score, overall_of(ran), abs_tol=tolerance):
                return None
            return _rest(doc, sid, pid, created, bench_kind, suite, backend, score, metrics, tracks,
                         tokens, quotes)  # fmt: skip
        # strings in the file so far: 12 + 5 + 3 + 7 + 4 keys, 6 + 2 + 4 text values
        tokens = 43
        if suite not in references:
            return None
        if type(metrics) is not dict_ or metrics.keys() != baseline_metrics:
            return None
        medians = {}
        for name, metric in metrics.items():
            if type(metric) is not dict_:
                return None
            keys = metric.keys()
            tokens += len(keys)
            if not (metric_required <= keys <= metric_keys):
                return None
            median = metric["median_ms"]
            kind = type(median)
            if (kind is not float_ and kind is not int_) or not 0 < median <= time_max:
                return None
            iqr = metric["iqr_ms"]
            kind = type(iqr)
            if (kind is not float_ and kind is not int_) or not 0 <= iqr <= time_max:
                return None
            if iqr > 1000 * median:
                return None
            runs = metric["runs"]
            if type(runs) is not int_ or not 1 <= runs <= runs_max:
                return None
            if "converged" in keys and type(metric["converged"]) is not bool_:
                return None
            medians[name] = median
        if not isclose(score, score_of(medians, suite), abs_tol=tolerance):
            return None
        return _rest(doc, sid, pid, created, bench_kind, suite, backend, score, metrics, None,
                     tokens, quotes)  # fmt: skip

    def _rest(doc, sid, pid, created, bench_kind, suite, backend, score, metrics, tracks, tokens,
              quotes):  # fmt: skip
        """Everything after the benchmark: the same for both kinds."""
        system = doc["system"]
        if type(system) is not dict_ or system.keys() != system_keys:
            return None
        system_type = system["system_type"]
        if type(system_type) is not str_ or system_type not in system_types:
            return None
        system_type = system["system_type"] = system_types[system_type]
        value = system["os"]
        if type(value) is not str_ or value not in oses:
            return None
        value = system["arch"]
        if type(value) is not str_ or value not in arch_seen and not arch_ok(value):
            return None
        cores = system["cpu_cores"]
        if type(cores) is not int_ or not 1 <= cores <= cores_max:
            return None
        memory = system["memory_gb"]
        if memory is not None and (
            type(memory) is not int_ or not 1 <= memory <= memory_max or memory & (memory - 1)
        ):
            return None
        value = system["python"]
        if type(value) is not str_ or value not in python_seen and not python_ok(value):
            return None
        value = system["numpy"]
        if value is not None:
            if type(value) is not str_ or value not in numpy_seen and not numpy_ok(value):
                return None
            tokens += 1

        progress = doc["progress"]
        if type(progress) is not dict_ or progress.keys() != progress_keys:
            return None
        if type(progress["setup_verified"]) is not bool_:
            return None
        modules = progress["modules_completed"]
        if type(modules) is not int_ or not 0 <= modules <= modules_max:
            return None
        done = progress["milestones_completed"]
        if type(done) is not list_ or len(done) > milestones_max:
            return None
        tokens += len(done)
        previous = ""
        for item in done:  # strictly ascending known ids: unique and sorted
            if type(item) is not str_ or item not in milestone_ids or item <= previous:
                return None
            previous = item
        days = progress["days_since_join"]
        if days is not None and (type(days) is not int_ or not 0 <= days <= days_max):
            return None

        community = doc["community"]
        cohort = course = level = None
        if community is not None:
            if type(community) is not dict_ or community.keys() != community_keys:
                return None
            tokens += 3 + sum(v is not None for v in community.values())
            cohort = community["cohort"]
            if cohort is not None and (
                type(cohort) is not str_ or cohort not in cohort_seen and not cohort_ok(cohort)
            ):
                return None
            course = community["course_type"]
            if course is not None and (type(course) is not str_ or course not in course_types):
                return None
            level = community["experience_level"]
            if level is not None and (type(level) is not str_ or level not in levels):
                return None
            # one shared object per distinct text: less memory, faster grouping later
            if cohort is not None:
                cohort = community["cohort"] = cohort_canon.setdefault(cohort, cohort)
            if course is not None:
                course = community["course_type"] = course_types[course]
            if level is not None:
                level = community["experience_level"] = levels[level]

        visibility, public = doc["visibility"], doc["public"]
        if visibility == "anonymous":
            if public is not None or quotes != 2 * tokens:
                return None
            visibility = doc["visibility"] = "anonymous"
            return (
                sid, pid, created, bench_kind, suite, backend, score, metrics, tracks,
                system_type, cores, memory, modules, done, days, cohort, course, level,
                visibility, None, None, None, None,
            )  # fmt: skip
        if visibility != "public" or type(public) is not dict_ or not public:
            return None
        if not public.keys() <= public_keys or quotes != 2 * (tokens + 2 * len(public)):
            return None
        for field_name, match, longest in text_rules:
            if field_name in public:
                text = public[field_name]
                if type(text) is not str_ or not 1 <= len(text) <= longest:
                    return None
                if not match(text) or text_problem(text) is not None:
                    return None
        if "github" in public:
            value = public["github"]
            if type(value) is not str_ or not github_ok(value):
                return None
        if "country" in public:
            value = public["country"]
            if type(value) is not str_ or not country_ok(value) or value not in countries:
                return None
        return (
            sid, pid, created, bench_kind, suite, backend, score, metrics, tracks,
            system_type, cores, memory, modules, done, days, cohort, course, level,
            visibility, public.get("display_name"), public.get("github"),
            public.get("country"), public.get("institution"),
        )  # fmt: skip

    return check


@lru_cache(maxsize=4096)
def _real_day(day: str) -> bool:
    try:
        datetime(int(day[0:4]), int(day[5:7]), int(day[8:10]))
    except ValueError:
        return False
    return True


def _real_time(text: str) -> bool:
    """A pattern-checked "YYYY-MM-DDTHH:MM:SSZ" that strptime would accept.

    The fields are two ASCII digits each, so text comparison is numeric comparison.
    """
    return _real_day(text[:10]) and text[11:13] < "24" and text[14:16] < "60" and text[17:19] < "60"
