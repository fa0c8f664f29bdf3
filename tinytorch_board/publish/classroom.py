"""Classes: a student joins one (a receipt to hand in), an instructor creates one.

Nothing here sends anything on its own: joining writes only our board.json and prints a
receipt; creating a class writes the class file to a local board or opens one pull
request the way `submit` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from tinytorch_board.errors import BoardError
from tinytorch_board.jsonio import write_text_atomic
from tinytorch_board.local import community
from tinytorch_board.local.keys import load_or_create_keys, protect_outbox
from tinytorch_board.local.profile import ensure_ids, load_profile, record_class
from tinytorch_board.local.project import Project
from tinytorch_board.publish.local_board import is_board_dir
from tinytorch_board.publish.texts import Change
from tinytorch_board.submission.classes import (
    ClassInfo,
    class_path,
    class_yaml,
    is_class_id,
    new_class_id,
    parse_class,
)
from tinytorch_board.submission.signature import participant_id_for, public_key_of

RECEIPT_VERSION = 1
RECEIPT_KIND = "tinytorch-board class receipt"
ID_KINDS = ("anonymous", "public")
WHAT_PUBLIC_LINKS = (
    "you handed in your public id: your instructor can link your name to your public "
    "results (those you submit with --public), never to your anonymous ones"
)
WHAT_ANONYMOUS_LINKS = (
    "you handed in your anonymous id: your instructor can see your anonymous results that "
    "declare this class; nobody else can tell they are yours"
)


def check_class_id(class_id: str) -> str:
    if not is_class_id(class_id):
        raise BoardError(
            f"{class_id!r} is not a class id (16 lowercase hex digits, as your instructor gave it)"
        )
    return class_id


@dataclass(frozen=True)
class Receipt:
    """What a student hands in: which participant id the instructor may map to them."""

    class_id: str
    participant_id: str
    joined_on: str
    id_kind: str

    def as_dict(self) -> dict:
        return {
            "receipt": RECEIPT_KIND,
            "receipt_version": RECEIPT_VERSION,
            "class_id": self.class_id,
            "participant_id": self.participant_id,
            "joined_on": self.joined_on,
            "id_kind": self.id_kind,
        }


@dataclass(frozen=True)
class Joined:
    receipt: Receipt
    created_profile: bool
    previous_class: str | None
    warnings: list[str]


def join_class(project: Project, class_id: str, now: datetime, public: bool = False) -> Joined:
    """Record the class in our board.json (creating the profile and signing keys if
    missing) and return the receipt. Nothing is sent; tito's profile.json is not changed."""
    check_class_id(class_id)
    loaded = load_profile(project)
    created = loaded is None
    warnings: list[str] = []
    if created:
        warnings += community.join(project, {}, now).warnings
        loaded = load_profile(project)
        if loaded is None:  # pragma: no cover - join just wrote it
            raise BoardError(f"could not read the new profile {project.profile_path}")
    loaded = ensure_ids(project, loaded)
    warnings += loaded.warnings
    previous = (loaded.side or {}).get("class", {}) or {}
    previous_id = previous.get("class_id") if isinstance(previous, dict) else None
    joined_on = now.date().isoformat()
    id_kind = "public" if public else "anonymous"
    record_class(project, loaded, class_id, joined_on, id_kind)
    # The participant id a signed submission of this visibility carries: derived from the
    # key (created here when missing), exactly as `submit` will sign it.
    keys = load_or_create_keys(project)
    protect_outbox(project)
    participant = participant_id_for(public_key_of(keys.for_visibility(id_kind)))
    receipt = Receipt(class_id, participant, joined_on, id_kind)
    return Joined(
        receipt, created, previous_id if previous_id not in (None, class_id) else None, warnings
    )


def new_class(
    name: str, instructors: list[str], starts: str | None, ends: str | None, today: date
) -> ClassInfo:
    """A class with a fresh random id, checked exactly as the board checks it."""
    info = ClassInfo(
        class_id=new_class_id(),
        name=name,
        instructors=tuple(login.removeprefix("@") for login in instructors),
        starts=starts or today.isoformat(),
        ends=ends,
    )
    text = class_yaml(info)
    # The board's own reader is the check: what we write is what CI will accept.
    try:
        return parse_class(text.encode("utf-8"), "the class", info.class_id)
    except BoardError as exc:
        raise BoardError(str(exc).replace("the class: ", "")) from None


def write_class_to_board(board_dir: Path, info: ClassInfo) -> Path:
    """Add the class file to a board folder on this machine; never replaces one."""
    board_dir = Path(board_dir)
    if not is_board_dir(board_dir):
        raise BoardError(
            f"{board_dir} is not a board (no board.yaml or submissions/); pass --to a board"
        )
    target = board_dir / class_path(info.class_id)
    if target.exists():
        raise BoardError(f"{target} already exists; a class keeps its file")
    write_text_atomic(target, class_yaml(info))
    return target


def class_change(info: ClassInfo) -> Change:
    """The pull request that adds the class file."""
    return Change(
        path=class_path(info.class_id),
        content=class_yaml(info),
        branch=f"class/{info.class_id}",
        title=f"Add class {info.name}",
        body=(
            f"Adds the class file `{class_path(info.class_id)}` (name, instructors, dates; no "
            "student is listed).\n\nOnly an instructor it lists or a maintainer may change it."
        ),
        commit_message=f"Add class {info.class_id}",
    )


@dataclass(frozen=True)
class Batch:
    """Prepared submission files an instructor collected for one batch pull request."""

    class_id: str
    files: tuple[tuple[str, str], ...]  # (board path, canonical text)

    def changes(self) -> list[Change]:
        branch = f"class-batch/{self.class_id}-{_batch_digest(self.files)}"
        title = f"Add {len(self.files)} submissions for class {self.class_id}"
        body = (
            f"A classroom batch: {len(self.files)} prepared submission files that students "
            f"handed in for class `{self.class_id}`. Each is checked like any submission; "
            "only an instructor listed in automation.batch_authors may send more than one."
        )
        return [
            Change(path, text, branch, title, body, f"Add submission for class {self.class_id}")
            for path, text in self.files
        ]


def _batch_digest(files: tuple[tuple[str, str], ...]) -> str:
    import hashlib

    return hashlib.sha256("\n".join(p for p, _ in files).encode()).hexdigest()[:12]


def collect_batch(class_id: str, paths: list[Path], now: datetime) -> Batch:
    """Read each prepared file, check it with the one validator, and require that it
    declares this class; the same submission twice is refused."""
    from tinytorch_board.jsonio import dumps
    from tinytorch_board.submission import MAX_FILE_BYTES
    from tinytorch_board.submission.validator import check_bytes

    check_class_id(class_id)
    seen: dict[str, Path] = {}
    files = []
    for path in paths:
        path = Path(path)
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        checked = check_bytes(raw, str(path), now=now)
        if not checked.ok:
            problem = checked.problems[0]
            raise BoardError(f"{path}: {problem.path}: {problem.message}")
        doc = checked.document
        if doc.get("class_id") != class_id:
            raise BoardError(
                f"{path} does not declare class {class_id}; the student submits it with the "
                "class joined (`class join`)"
            )
        sid = doc["submission_id"]
        if sid in seen:
            raise BoardError(f"{path} is the same submission as {seen[sid]}")
        seen[sid] = path
        files.append((f"submissions/{sid[:2]}/{sid}.json", dumps(doc)))
    if not files:
        raise BoardError("no files to collect")
    return Batch(class_id, tuple(sorted(files)))
