"""A class seen by its instructor: the private roster and the progress report.

The roster is a CSV on the instructor's machine (`name,participant_id`, mode 0600) that
maps each student to the participant id on the receipt they handed in. It is never
written into a board folder, and nothing here publishes anything: the report joins the
roster with the board's public data on the instructor's machine only.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tinytorch_board.errors import BoardError, DataFileError
from tinytorch_board.jsonio import read_json
from tinytorch_board.submission import KINDS
from tinytorch_board.submission.classes import is_class_id

ROSTER_COLUMNS = ("name", "participant_id")
MAX_NAME_CHARS = 100
MAX_ROSTER_BYTES = 1024 * 1024
RECEIPT_KIND = "tinytorch-board class receipt"  # as publish/classroom.py writes it
RECEIPT_VERSION = 1
# Any participant id the contract accepts (v1: a UUID4; later versions derive it from a key).
PARTICIPANT_ID = re.compile(r"[0-9a-f][0-9a-f-]{7,63}")


@dataclass(frozen=True)
class Student:
    name: str
    participant_id: str


def _check_name(name: str, where: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME_CHARS:
        raise BoardError(f"{where}: a name is 1 to {MAX_NAME_CHARS} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise BoardError(f"{where}: the name {name!r} holds a control character")
    return name


def _inside_board(path: Path) -> Path | None:
    """The board folder that would hold `path`, if any (a roster never goes there)."""
    for parent in Path(os.path.abspath(path)).parents:
        if (parent / "board.yaml").is_file() or (parent / "submissions").is_dir():
            return parent
    return None


def read_roster(path: Path) -> list[Student]:
    """The roster's students; an empty list when the file does not exist yet."""
    path = Path(path)
    if not path.exists():
        return []
    if path.is_symlink() or not path.is_file():
        raise DataFileError(path, "is not a regular file; a roster is a CSV file")
    raw = path.read_bytes()
    if len(raw) > MAX_ROSTER_BYTES:
        raise DataFileError(path, f"is over {MAX_ROSTER_BYTES} bytes; not a roster")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataFileError(path, "is not UTF-8 text") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(c.strip() for c in rows[0]) != ROSTER_COLUMNS:
        raise DataFileError(path, "must start with the header line name,participant_id")
    students, seen = [], set()
    for number, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != 2:
            raise DataFileError(path, f"line {number}: expected name,participant_id")
        name = _check_name(row[0], f"{path}: line {number}")
        pid = row[1].strip()
        if not PARTICIPANT_ID.fullmatch(pid):
            raise DataFileError(path, f"line {number}: {pid!r} is not a participant id")
        if pid in seen:
            raise DataFileError(path, f"line {number}: participant {pid} is listed twice")
        seen.add(pid)
        students.append(Student(name, pid))
    return students


def write_roster(path: Path, students: Sequence[Student]) -> None:
    """Write the roster atomically, readable by its owner only (mode 0600)."""
    path = Path(path)
    board = _inside_board(path)
    if board is not None:
        raise BoardError(
            f"{path} is inside the board folder {board}; the roster is private: keep it "
            "outside any board (it would be published)"
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROSTER_COLUMNS)
    for s in students:
        writer.writerow((s.name, s.participant_id))
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(out.getvalue())
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    os.chmod(path, 0o600)


def read_receipt(path: Path, class_id: str) -> dict:
    """A student's receipt, checked: for this class, with a participant id."""
    data = read_json(Path(path))
    if data.get("receipt") != RECEIPT_KIND or data.get("receipt_version") != RECEIPT_VERSION:
        raise DataFileError(path, "is not a class receipt (`tinytorch-board class join --json`)")
    if data.get("class_id") != class_id:
        raise DataFileError(
            path, f"is a receipt for class {data.get('class_id')!r}, not {class_id}"
        )
    pid = data.get("participant_id")
    if not isinstance(pid, str) or not PARTICIPANT_ID.fullmatch(pid):
        raise DataFileError(path, "has no valid participant_id")
    return data


@dataclass
class RosterChange:
    added: list[Student] = field(default_factory=list)
    already: list[Student] = field(default_factory=list)
    total: int = 0

    def as_dict(self) -> dict:
        # Names stay out of anything that could be logged by automation: counts and ids.
        return {
            "added": len(self.added),
            "already_listed": len(self.already),
            "students": self.total,
        }


def add_students(
    roster_path: Path, class_id: str, receipts: Sequence[Path], name: str | None = None
) -> RosterChange:
    """Add each receipt's participant to the roster (its name: --name, else the file name)."""
    if not is_class_id(class_id):
        raise BoardError(f"{class_id!r} is not a class id (16 lowercase hex digits)")
    if name is not None and len(receipts) != 1:
        raise BoardError("--name names one student: pass exactly one receipt with it")
    students = read_roster(roster_path)
    by_id = {s.participant_id: s for s in students}
    names = {s.name.casefold(): s for s in students}
    change = RosterChange()
    for receipt_path in receipts:
        receipt = read_receipt(receipt_path, class_id)
        student_name = _check_name(name or Path(receipt_path).stem, str(receipt_path))
        student = Student(student_name, receipt["participant_id"])
        if student.participant_id in by_id:
            change.already.append(by_id[student.participant_id])
            continue
        other = names.get(student_name.casefold())
        if other is not None:
            raise BoardError(
                f"{receipt_path}: {student_name!r} is already on the roster with another "
                "participant id; pass --name to tell them apart"
            )
        students.append(student)
        by_id[student.participant_id] = student
        names[student_name.casefold()] = student
        change.added.append(student)
    write_roster(roster_path, students)
    change.total = len(students)
    return change


# --- what the board knows of a class -----------------------------------------------


def class_rows(documents: Iterable[dict], class_id: str) -> list[dict]:
    """The class's submissions as the report and the class page need them (public data:
    exactly what the submission files hold), oldest first."""
    rows = []
    for d in documents:
        if d.get("class_id") != class_id:
            continue
        bench, progress = d["benchmark"], d["progress"]
        rows.append(
            {
                "submission_id": d["submission_id"],
                "participant_id": d["participant_id"],
                "created_at": d["created_at"],
                "kind": bench["kind"],
                "suite_version": bench["suite_version"],
                "backend": bench["backend"],
                "score": bench["score"],
                "setup_verified": progress["setup_verified"],
                "modules_completed": progress["modules_completed"],
                "milestones_completed": list(progress["milestones_completed"]),
                "visibility": d["visibility"],
            }
        )
    rows.sort(key=lambda r: (r["created_at"], r["submission_id"]))
    return rows


@dataclass
class StudentProgress:
    name: str
    participant_id: str
    submissions: int = 0
    set_up: bool = False
    latest: dict[str, float] = field(default_factory=dict)  # kind -> score
    best: dict[str, float] = field(default_factory=dict)
    modules_completed: int | None = None
    milestones_completed: list[str] = field(default_factory=list)
    last_activity: str | None = None

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "participant_id": self.participant_id,
            "submitted": self.submissions > 0,
            "submissions": self.submissions,
            "set_up": self.set_up,
            "latest": dict(self.latest),
            "best": dict(self.best),
            "modules_completed": self.modules_completed,
            "milestones_completed": list(self.milestones_completed),
            "last_activity": self.last_activity,
        }


def class_report(students: Sequence[Student], rows: Sequence[dict]) -> list[StudentProgress]:
    """One line per roster student from the class's submissions (rows oldest first)."""
    by_pid: dict[str, list[dict]] = {}
    for row in rows:
        by_pid.setdefault(row["participant_id"], []).append(row)
    report = []
    for s in students:
        mine = by_pid.get(s.participant_id, [])
        line = StudentProgress(s.name, s.participant_id, submissions=len(mine))
        for row in mine:  # oldest first: the last one seen is the latest
            kind = row["kind"]
            line.latest[kind] = row["score"]
            line.best[kind] = max(line.best.get(kind, row["score"]), row["score"])
        if mine:
            line.set_up = any(r["setup_verified"] for r in mine)
            line.modules_completed = max(r["modules_completed"] for r in mine)
            line.milestones_completed = sorted({m for r in mine for m in r["milestones_completed"]})
            line.last_activity = mine[-1]["created_at"][:10]
        report.append(line)
    return report


REPORT_CSV_COLUMNS = (
    "name",
    "participant_id",
    "submitted",
    "set_up",
    *(f"{which}_{kind}" for kind in KINDS for which in ("latest", "best")),
    "modules_completed",
    "milestones_completed",
    "last_activity",
)


def report_csv(report: Sequence[StudentProgress]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_CSV_COLUMNS)
    for line in report:
        writer.writerow(
            (
                line.name,
                line.participant_id,
                "yes" if line.submissions else "no",
                "yes" if line.set_up else "no",
                *(
                    _score(getattr(line, which).get(kind))
                    for kind in KINDS
                    for which in ("latest", "best")
                ),
                "" if line.modules_completed is None else line.modules_completed,
                " ".join(line.milestones_completed),
                line.last_activity or "",
            )
        )
    return out.getvalue()


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


CLASS_API_VERSION = 1


def class_api_document(info_dict: dict, rows: Sequence[dict]) -> dict:
    """api/class/<class_id>.json: the class file and its submissions as the files state
    them (the same public data as the submission files; no names)."""
    return {"api_version": CLASS_API_VERSION, "class": info_dict, "submissions": list(rows)}


def rows_from_board(board_dir: Path, class_id: str) -> list[dict]:
    from tinytorch_board.board.load import load_board

    return class_rows(load_board(Path(board_dir)).documents, class_id)


def rows_from_site(url: str, class_id: str) -> list[dict]:
    """The class's submissions from a published board (its api/class/<class_id>.json)."""
    from tinytorch_board.fetch import download_json

    base = url.rstrip("/")
    data = download_json(f"{base}/api/class/{class_id}.json", timeout=30)
    rows = data.get("submissions") if isinstance(data, dict) else None
    if data.get("api_version") != CLASS_API_VERSION or not isinstance(rows, list):
        raise BoardError(
            f"{base}: api/class/{class_id}.json is not a class document of this version"
        )
    needed = {
        "participant_id",
        "created_at",
        "kind",
        "score",
        "setup_verified",
        "modules_completed",
        "milestones_completed",
    }
    if not all(isinstance(r, dict) and needed <= set(r) for r in rows):
        raise BoardError(f"{base}: api/class/{class_id}.json has a submission without its fields")
    return sorted(rows, key=lambda r: (str(r["created_at"]), str(r.get("submission_id"))))
