"""Load a board: every file under submissions/, validated by the shared validator.

The result keeps the valid documents (for pages that show a submission as it is) and
builds columnar numpy arrays of what the statistics need (`LoadedBoard.columns`).
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tinytorch_board.errors import BoardError
from tinytorch_board.submission import BACKENDS, KINDS, MAX_FILE_BYTES
from tinytorch_board.submission import validator as _validator
from tinytorch_board.submission.validator import Checked, Verdicts, check_bytes, check_file


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
    """The fields of one valid document the engine publishes, in ROW_FIELDS order.

    participant_id is the proven one (a signed v2 file's), else None: unlinked."""
    b = d["benchmark"]
    s = d["system"]
    p = d["progress"]
    c = d["community"]
    pub = d["public"]
    return (
        d["submission_id"],
        d["participant_id"] if d["schema_version"] == 2 and d.get("signature") else None,
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
    people = len(distinct)
    for row, code in enumerate(participant_codes):  # each unlinked file is its own person
        if code < 0:
            participant_codes[row] = people
            people += 1
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
        participants=people,
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
    board_dir: Path,
    now: datetime | None = None,
    *,
    workers: int | None = None,
    verdict_cache: Path | None | bool = True,
) -> LoadedBoard:
    """Valid documents plus every rejected file with its reasons; never raises on bad data.

    Same verdicts, documents and order as `validator.check_file` over
    `validator.board_files`: every file is judged by the one validator
    (`validator.check_bytes`). workers: None = decide (a forked helper process checks
    part of a large board when two CPUs are free), 1 = serial, 2 = always fork (same
    results). verdict_cache: the file remembering which files (name and bytes) were
    accepted under today's rules, so a later load only parses them and checks their
    time (True = `default_verdict_cache()`, None/False = judge every file afresh).
    """
    board_dir = Path(board_dir)
    if not board_dir.is_dir():
        raise BoardError(f"board directory {board_dir} does not exist")
    cache = default_verdict_cache() if verdict_cache is True else verdict_cache or None
    verdicts = Verdicts(read_accepted(cache)) if cache else None
    with gc_paused():
        loaded = _load(board_dir, now or datetime.now(timezone.utc), workers, verdicts)
    if cache and verdicts.now != verdicts.known:  # exactly this board's accepted files
        write_accepted(cache, verdicts.now)
    return loaded


KEY_BYTES = 16
MAX_REMEMBERED = 4_000_000
"""Remembered verdicts at most (64 MB); a larger cache starts again."""


def default_verdict_cache() -> Path:
    """Outside any board repository, so nothing committed to a board can pre-accept a
    file: $TINYTORCH_BOARD_CACHE_DIR, else the user's cache directory."""
    base = os.environ.get("TINYTORCH_BOARD_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        base = str(Path(xdg) / "tinytorch-board")
    return Path(base) / "accepted-files.bin"


def read_accepted(path: Path) -> set:
    """Keys (validator.verdict_key) of the files accepted by earlier loads."""
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return set()
    if len(raw) % KEY_BYTES or len(raw) > MAX_REMEMBERED * KEY_BYTES:
        return set()  # not ours, or too large: judge again
    size = KEY_BYTES
    return {raw[i : i + size] for i in range(0, len(raw), size)}


def write_accepted(path: Path, accepted: set) -> None:
    """Remember the accepted files; a cache that cannot be written is only slower."""
    if len(accepted) > MAX_REMEMBERED:
        return
    import contextlib
    import tempfile

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".accepted.", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(b"".join(sorted(accepted)))
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)


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


def _load(
    board_dir: Path, now: datetime, workers: int | None, verdicts: Verdicts | None
) -> LoadedBoard:
    loaded = LoadedBoard(board_dir)
    documents = loaded.documents
    rows = loaded._rows = []
    items = _walk(board_dir / "submissions")
    checks = _check_parallel(board_dir, items, now, workers, verdicts)
    for item, checked in zip(items, checks, strict=True):
        if type(checked) is dict:
            documents.append(checked)
            rows.append(_row(checked))
            continue
        if checked is None:  # a link, a file outside a shard, an oversize file
            checked = _check_on_disk(board_dir, item[0], now)
        if checked.ok:
            documents.append(checked.document)
            rows.append(_row(checked.document))
        else:
            loaded.invalid.append(checked)
    return loaded


PARALLEL_MIN_FILES = 4096
"""Below this many files a second process costs more than it saves."""


def _check_all(board_dir: Path, items: list, now: datetime, verdicts: Verdicts | None) -> list:
    """Per (rel_parts, is_link), for a regular file at submissions/<shard>/<name>: its
    document when the validator accepts it, else the validator's `Checked`; None for any
    other file (left to `validator.check_file`)."""
    root = str(board_dir / "submissions")
    # O_NONBLOCK: opening a FIFO must not wait for a writer (the validator then refuses it).
    flags = (
        os.O_RDONLY
        | getattr(os, "O_CLOEXEC", 0)
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_NONBLOCK", 0)
    )
    limit = MAX_FILE_BYTES + 1
    out: list = []
    append = out.append
    for rel_parts, is_link in items:
        if is_link or len(rel_parts) != 2:
            append(None)
            continue
        source = f"submissions/{rel_parts[0]}/{rel_parts[1]}"
        try:
            fd = os.open(f"{root}/{rel_parts[0]}/{rel_parts[1]}", flags)
            try:
                raw = os.read(fd, limit)
            finally:
                os.close(fd)
        except OSError:
            append(None)
            continue
        if len(raw) >= limit:
            append(None)  # check_file words it with the file's real size
            continue
        try:
            checked = check_bytes(raw, source, source, now, verdicts)
            append(checked.document if checked.ok else checked)
        except Exception as exc:  # noqa: BLE001 - bad data must never stop a build
            append(_failed(source, exc))
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


def _check_parallel(
    board_dir: Path, items: list, now: datetime, workers: int | None, verdicts: Verdicts | None
) -> list:
    """`_check_all` over all items, the later share in a forked child process.

    The child reads and checks its share and streams the results back pickled
    (unpickling costs a quarter of parsing and checking). Any failure of the child, or of
    the pipe, falls back to the serial path for its share: the results are the same
    either way, since both run the same code on the same files.
    """
    if _parallel_workers(len(items), workers) < 2:
        return _check_all(board_dir, items, now, verdicts)
    import pickle

    split = int(len(items) * PARENT_SHARE)
    mine, theirs = items[:split], items[split:]
    try:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
    except OSError:
        return _check_all(board_dir, items, now, verdicts)
    if pid == 0:  # the child: never returns
        status = 1
        try:
            os.close(read_fd)
            found = _check_all(board_dir, theirs, now, verdicts)
            with os.fdopen(write_fd, "wb", buffering=1 << 20) as pipe:
                pickler = pickle.Pickler(pipe, protocol=pickle.HIGHEST_PROTOCOL)
                pickler.fast = True  # no memo: parsed JSON is a tree, and this is 10x faster
                pickler.dump(found)
                pickler.dump(list(verdicts.now) if verdicts is not None else [])
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)
    head = _check_all(board_dir, mine, now, verdicts)
    tail = None
    try:
        with os.fdopen(read_fd, "rb", buffering=1 << 20) as pipe:
            tail = pickle.load(pipe)
            added = pickle.load(pipe)
            if verdicts is not None:
                verdicts.now.update(key for key in added if type(key) is bytes)
    except Exception:  # noqa: BLE001 - any failure: do the child's share here
        tail = None
    finally:
        _, status = os.waitpid(pid, 0)
    if status != 0 or type(tail) is not list or len(tail) != len(theirs):
        tail = _check_all(board_dir, theirs, now, verdicts)
    head.extend(tail)
    return head


PARENT_SHARE = 0.5
"""Share of the files the parent checks itself; the child takes the rest. Both finish
about together; the parent then unpickles the child's results."""


def _check_on_disk(board_dir: Path, rel_parts: tuple[str, ...], now: datetime) -> Checked:
    """The validator's verdict on a file it must open itself (links, odd places, oversize)."""
    source = "/".join(("submissions", *rel_parts))
    try:
        return check_file(board_dir.joinpath("submissions", *rel_parts), now=now, source=source)
    except Exception as exc:  # noqa: BLE001 - bad data must never stop a build
        return _failed(source, exc)


def _failed(source: str, exc: Exception) -> Checked:
    reason = f"the validator failed on this file ({type(exc).__name__}: {exc})"
    return Checked(source, None, (_validator.Problem(source, "$", reason[:300]),))


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
