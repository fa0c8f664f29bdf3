"""Load a board: every file under submissions/, validated by the shared validator.

The result keeps the valid documents (for pages that show a submission as it is) and
builds columnar numpy arrays of what the statistics need (`LoadedBoard.columns`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tinytorch_board.errors import BoardError
from tinytorch_board.submission.validator import Checked, board_files, check_file


@dataclass
class Columns:
    """Column arrays over the valid documents, one row per document (input order).

    Text values are factorized: `x_code[i]` indexes `x_names`, -1 means "none".
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


KINDS = ("baseline", "capstone")
BACKENDS = ("numpy", "tinytorch")


def build_columns(documents: list[dict]) -> Columns:
    """Factorize the fields the statistics use into numpy arrays (one pass, no copies)."""
    import numpy as np

    from tinytorch_board.curriculum import MILESTONE_IDS

    bit = {mid: 1 << j for j, mid in enumerate(MILESTONE_IDS)}
    kind_index = {name: i for i, name in enumerate(KINDS)}
    backend_index = {name: i for i, name in enumerate(BACKENDS)}
    groups: dict[str, int] = {}
    systems: dict[str, int] = {}
    pids: dict[str, int] = {}
    cohorts: dict[str, int] = {}
    courses: dict[str, int] = {}
    countries: dict[str, int] = {}
    institutions: dict[str, int] = {}

    n = len(documents)
    sids, pid_list, created = [], [], []
    score = np.empty(n, np.float64)
    group_code = np.empty(n, np.int32)
    kind_code = np.empty(n, np.int8)
    backend_code = np.empty(n, np.int8)
    system_code = np.empty(n, np.int32)
    participant_code = np.empty(n, np.int32)
    modules = np.empty(n, np.int16)
    milestone_mask = np.empty(n, np.int16)
    milestone_count = np.empty(n, np.int8)
    days = np.empty(n, np.int32)
    public = np.empty(n, np.bool_)
    cohort_code = np.empty(n, np.int32)
    course_code = np.empty(n, np.int32)
    country_code = np.empty(n, np.int32)
    institution_code = np.empty(n, np.int32)

    def code(table: dict[str, int], value: str | None) -> int:
        if value is None:
            return -1
        found = table.get(value)
        if found is None:
            found = table[value] = len(table)
        return found

    for i, doc in enumerate(documents):
        bench = doc["benchmark"]
        progress = doc["progress"]
        sids.append(doc["submission_id"])
        pid = doc["participant_id"]
        pid_list.append(pid)
        created.append(doc["created_at"])
        score[i] = bench["score"]
        kind = bench["kind"]
        backend = bench["backend"]
        group_code[i] = code(groups, f"{kind}/{bench['suite_version']}/{backend}")
        kind_code[i] = kind_index[kind]
        backend_code[i] = backend_index[backend]
        system_code[i] = code(systems, doc["system"]["system_type"])
        participant_code[i] = code(pids, pid)
        modules[i] = progress["modules_completed"]
        done = progress["milestones_completed"]
        mask = 0
        for mid in done:
            mask |= bit.get(mid, 0)
        milestone_mask[i] = mask
        milestone_count[i] = len(done)
        joined = progress["days_since_join"]
        days[i] = -1 if joined is None else joined
        community = doc["community"]
        if community is None:
            cohort_code[i] = course_code[i] = -1
        else:
            cohort_code[i] = code(cohorts, community["cohort"])
            course_code[i] = code(courses, community["course_type"])
        shown = doc["public"]
        public[i] = doc["visibility"] == "public"
        if shown is None:
            country_code[i] = institution_code[i] = -1
        else:
            country_code[i] = code(countries, shown.get("country"))
            institution_code[i] = code(institutions, shown.get("institution"))

    return Columns(
        n=n,
        submission_id=sids,
        participant_id=pid_list,
        created_at=created,
        score=score,
        group_code=group_code,
        group_names=list(groups),
        kind_code=kind_code,
        backend_code=backend_code,
        system_code=system_code,
        system_names=list(systems),
        participant_code=participant_code,
        participants=len(pids),
        modules=modules,
        milestone_mask=milestone_mask,
        milestone_count=milestone_count,
        days_since_join=days,
        public=public,
        cohort_code=cohort_code,
        cohort_names=list(cohorts),
        course_code=course_code,
        course_names=list(courses),
        country_code=country_code,
        country_names=list(countries),
        institution_code=institution_code,
        institution_names=list(institutions),
    )


@dataclass
class LoadedBoard:
    root: Path
    documents: list[dict] = field(default_factory=list)
    invalid: list[Checked] = field(default_factory=list)
    _columns: Columns | None = field(default=None, repr=False, compare=False)

    @property
    def columns(self) -> Columns:
        """Column arrays over `documents` (built on first use, rebuilt if documents grew)."""
        if self._columns is None or self._columns.n != len(self.documents):
            self._columns = build_columns(self.documents)
        return self._columns


def load_board(board_dir: Path, now: datetime | None = None) -> LoadedBoard:
    """Valid documents plus every rejected file with its reasons; never raises on bad data."""
    board_dir = Path(board_dir)
    if not board_dir.is_dir():
        raise BoardError(f"board directory {board_dir} does not exist")
    now = now or datetime.now(timezone.utc)
    loaded = LoadedBoard(board_dir)
    for path in board_files(board_dir):
        checked = check_file(path, now=now, source=str(path.relative_to(board_dir)))
        if checked.ok:
            loaded.documents.append(checked.document)
        else:
            loaded.invalid.append(checked)
    return loaded
