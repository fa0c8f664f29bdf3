""".tinytorch/community/profile.json: the community profile, kept on this machine only.

The file is TinyTorch's: its `tito community` reads and writes it, so we keep it in one of
the shapes tito wrote and put what tito has no place for in a file of our own beside it.

Shapes of profile.json we read (docs/tito-files.md says which release wrote each):

- "nested" (tito community join until 2025-11; what our `join` writes too):
  `anonymous_id`, `joined_at`, `location{country}`, `institution{name, type}`,
  `context{course_type, experience_level, cohort}`, `progress{setup_verified,
  milestones_passed, modules_completed, capstone_score}`. tito's own readers index
  `profile["location"]`, `profile["institution"]`, `profile["context"]` and
  `profile["progress"]` and call `.get()` on them: all four stay objects.
- "github" (tito community join from 2025-11-28): `github_username`, `joined_at`,
  `country` (a name, "United States"), `institution` (text), `profile_url`, `last_synced`.
  No anonymous id; the GitHub user name and profile URL identify the student and are
  never read into anything we send.
- "board-v1" (this tool before it kept tito's shape): `profile_version` 1, `public_id`,
  `institution` as text. Read as it is; the next `update` writes it back in the nested
  shape (tito's crashed on the text institution) and moves `public_id` beside it.

Ours, `.tinytorch/community/board.json` (board_version 1; written with sorted keys,
atomically): the public id (and the anonymous id when tito's profile has none), the
answers a github-shaped profile has no field for, and the progress we last saved. It
names the profile it belongs to (`joined_at` and `anonymous_id` as written there), so a
profile tito replaces gets new ids rather than another student's.

A profile we cannot read is never overwritten or removed by us: the error names the file
and where a copy was kept. Nothing here sends anything anywhere.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tinytorch_board.clock import iso_utc
from tinytorch_board.countries import ISO_3166_ALPHA2
from tinytorch_board.errors import BoardError, DataFileError
from tinytorch_board.ids import is_uuid4
from tinytorch_board.jsonio import (
    check_version,
    check_within,
    read_json,
    read_regular_bytes,
    write_json,
    write_text_atomic,
)
from tinytorch_board.local.project import Project

PROFILE_VERSION = 1  # the last version of our own profile format (read only now)
BOARD_VERSION = 1  # .tinytorch/community/board.json
COURSE_TYPES = ("university", "bootcamp", "self-paced", "other")
EXPERIENCE_LEVELS = ("beginner", "intermediate", "advanced", "expert")
FIELDS = ("country", "institution", "course_type", "experience_level")
MAX_INSTITUTION_CHARS = 100
SHAPES_HINT = "see docs/tito-files.md for the shapes read"

NESTED, GITHUB, BOARD_V1 = "nested", "github", "board-v1"
TITO_PROGRESS_KEYS = ("setup_verified", "milestones_passed", "modules_completed", "capstone_score")
# Keys that only this tool reads: a profile TinyTorch wrote has none of them.
OUR_KEYS = ("profile_version", "public_id")

PRIVACY_NOTICE = """\
Your community profile stays on this machine, in {path}
(the file TinyTorch's `tito community` uses, in its shape), with our ids beside it in board.json.
It holds: a random anonymous id (and a second random id used only if you ever submit
publicly), the date you joined, your cohort (worked out from today's date), a copy of your
TinyTorch progress (modules and milestones completed), and only the answers you choose to
give: country, institution, course type, experience level.
Nothing is sent anywhere: not now, and not later unless you run `submit` and say yes.
Your country is never detected automatically. Every question can be skipped."""


def cohort_for(moment: datetime) -> str:
    """Sep-Dec is "Fall YYYY", Jan-May "Spring YYYY", Jun-Aug "Summer YYYY"."""
    if moment.month >= 9:
        term = "Fall"
    elif moment.month <= 5:
        term = "Spring"
    else:
        term = "Summer"
    return f"{term} {moment.year}"


# --- answers: what a student typed, checked ------------------------------------------


def normalize_country(value: str | None) -> str | None:
    """A two-letter ISO 3166-1 code in upper case; empty means no answer."""
    text = (value or "").strip()
    if not text:
        return None
    code = text.upper()
    if code not in ISO_3166_ALPHA2:
        raise BoardError(
            f"country {text!r} is not a two-letter ISO 3166-1 code; "
            "use one such as US, DE or IN, or leave it out"
        )
    return code


def normalize_institution(value: str | None) -> str | None:
    text = " ".join((value or "").split())
    if not text:
        return None
    if len(text) > MAX_INSTITUTION_CHARS:
        raise BoardError(
            f"institution is {len(text)} characters; keep it under {MAX_INSTITUTION_CHARS + 1}"
        )
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise BoardError("institution contains control characters; type plain text")
    return text


def normalize_choice(value: str | None, choices: tuple[str, ...], what: str) -> str | None:
    text = (value or "").strip().lower()
    if not text:
        return None
    if text not in choices:
        raise BoardError(f"{what} {value!r} is not one of: {', '.join(choices)}")
    return text


def normalize_answer(name: str, value: str | None) -> str | None:
    """Check one answer by field name; None (or empty) means "no answer"."""
    if name == "country":
        return normalize_country(value)
    if name == "institution":
        return normalize_institution(value)
    if name == "course_type":
        return normalize_choice(value, COURSE_TYPES, "course type")
    if name == "experience_level":
        return normalize_choice(value, EXPERIENCE_LEVELS, "experience level")
    raise KeyError(name)


# --- reading -------------------------------------------------------------------------


def _parse_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _object(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def shape_of(data: dict) -> str | None:
    """Which of the known shapes a profile document has, or None."""
    if "profile_version" in data:
        return BOARD_V1
    if "github_username" in data or "profile_url" in data:
        return GITHUB
    if any(key in data for key in ("anonymous_id", "location", "context", "institution")):
        return NESTED
    return None


@dataclass
class LoadedProfile:
    data: dict  # profile.json exactly as read
    path: Path
    shape: str
    side: dict | None = None  # our board.json, when it belongs to this profile
    warnings: list[str] = field(default_factory=list)

    @property
    def from_tinytorch(self) -> bool:
        """Written by TinyTorch's tito (we did not create it with `join`)."""
        return self.shape != BOARD_V1 and not (self.side or {}).get("joined_here", False)

    @property
    def binding(self) -> dict:
        """What ties board.json to this profile: its own joined_at and anonymous_id."""
        return {
            "joined_at": self.data.get("joined_at"),
            "anonymous_id": self.data.get("anonymous_id"),
        }

    def answers(self) -> dict[str, str | None]:
        """Country, institution, course type and experience level as the profile has them."""
        data, side_context = self.data, _object((self.side or {}).get("context"))
        if self.shape == GITHUB:
            return {
                "country": _text(data.get("country")),
                "institution": _text(data.get("institution")),
                "course_type": _text(side_context.get("course_type")),
                "experience_level": _text(side_context.get("experience_level")),
            }
        institution = data.get("institution")
        if isinstance(institution, dict):
            institution = institution.get("name")
        context = _object(data.get("context"))
        return {
            "country": _text(_object(data.get("location")).get("country")),
            "institution": _text(institution),
            "course_type": _text(context.get("course_type")),
            "experience_level": _text(context.get("experience_level")),
        }

    @property
    def joined_at(self) -> str | None:
        return _text(self.data.get("joined_at"))

    @property
    def cohort(self) -> str | None:
        """The profile's cohort; for a profile without one, the term it was created in."""
        cohort = _text(_object(self.data.get("context")).get("cohort")) or _text(
            _object((self.side or {}).get("context")).get("cohort")
        )
        if cohort:
            return cohort
        moment = _parse_iso(self.joined_at) if self.joined_at else None
        return cohort_for(moment) if moment else None

    @property
    def anonymous_id(self) -> str | None:
        own = self.data.get("anonymous_id")
        if is_uuid4(own):
            return own
        side = (self.side or {}).get("anonymous_id")
        return side if is_uuid4(side) else None

    @property
    def public_id(self) -> str | None:
        own = self.data.get("public_id") if self.shape == BOARD_V1 else None
        if is_uuid4(own):
            return own
        side = (self.side or {}).get("public_id")
        return side if is_uuid4(side) else None

    @property
    def saved_progress(self) -> dict:
        """The progress saved last time: ours in board.json, else what the profile holds."""
        side = _object((self.side or {}).get("progress"))
        return side or _object(self.data.get("progress"))

    def facts(self) -> dict:
        """The public facts: answers, cohort, join date (nothing identifying)."""
        return {**self.answers(), "cohort": self.cohort, "joined_at": self.joined_at}


def backup_copy(path: Path) -> Path:
    """Keep a copy of a file we cannot read, once per distinct content; returns the copy.

    Only a regular file of bounded size is copied (a FIFO or device would hang or never
    end): DataFileError otherwise.
    """
    raw = read_regular_bytes(path)
    digest = hashlib.sha256(raw).hexdigest()[:12]
    copy = path.with_name(f"{path.name}.unreadable-{digest}")
    if not copy.exists():
        tmp = copy.with_name(f".{copy.name}.tmp")
        tmp.write_bytes(raw)
        tmp.replace(copy)
    return copy


def _unreadable(path: Path, detail: str) -> DataFileError:
    try:
        kept = f"a copy is in {backup_copy(path).name}"
    except DataFileError as exc:
        kept = f"no copy was made ({exc.detail})"
    except OSError as exc:
        kept = f"no copy could be made ({exc.strerror})"
    return DataFileError(
        path,
        f"cannot be read ({detail}); it was left as it is and {kept}; fix it by hand "
        f"({SHAPES_HINT})",
    )


def _check_board_v1(path: Path, data: dict) -> None:
    try:
        check_version(path, data, "profile_version", PROFILE_VERSION)
    except DataFileError as exc:
        if "newer than" in exc.detail:
            raise  # a newer tinytorch-board wrote it: upgrading is the fix
        raise _unreadable(path, exc.detail) from None
    for key in ("anonymous_id", "public_id"):
        if not is_uuid4(data.get(key)):
            raise _unreadable(path, f"'{key}' is not a random (version 4) UUID")


def _load_side(project: Project, loaded: LoadedProfile) -> None:
    path = project.board_profile_path
    if not path.exists():
        return
    try:
        check_within(path, project.root)  # a link out of the project is neither read nor copied
    except DataFileError as exc:
        loaded.warnings.append(f"{exc} (new ids will be saved)")
        return
    try:
        side = read_json(path)
        check_version(path, side, "board_version", BOARD_VERSION)
    except DataFileError as exc:
        if "newer than" in exc.detail:
            raise
        try:
            kept = f"a copy is in {backup_copy(path).name}"
        except (DataFileError, OSError):
            kept = "no copy was made"
        loaded.warnings.append(f"{exc} ({kept}; new ids will be saved)")
        return
    if side.get("profile") == loaded.binding:
        loaded.side = side


def load_profile(project: Project) -> LoadedProfile | None:
    """The profile, None if there is none; DataFileError if it cannot be read (kept as is)."""
    path = project.profile_path
    if not path.exists():
        return None
    check_within(path, project.root)  # a link out of the project is neither read nor copied
    try:
        data = read_json(path)
    except DataFileError as exc:
        raise _unreadable(path, exc.detail) from None
    shape = shape_of(data)
    if shape is None:
        raise _unreadable(
            path, "no anonymous_id, github_username or profile_version: not a profile shape"
        )
    if shape == BOARD_V1:
        _check_board_v1(path, data)
    loaded = LoadedProfile(data, path, shape)
    _load_side(project, loaded)
    return loaded


def _side_document(loaded: LoadedProfile, **changes: object) -> dict:
    side = dict(loaded.side or {})
    side.update({"board_version": BOARD_VERSION, "profile": loaded.binding})
    side.update(changes)
    return side


def ensure_ids(project: Project, loaded: LoadedProfile) -> LoadedProfile:
    """Give the profile an anonymous and a public id, stored once in board.json, then reused."""
    if loaded.anonymous_id and loaded.public_id:
        return loaded
    changes: dict[str, object] = {}
    if not loaded.anonymous_id:
        changes["anonymous_id"] = str(uuid.uuid4())
    if not loaded.public_id:
        changes["public_id"] = str(uuid.uuid4())
    side = _side_document(loaded, **changes)
    write_json(project.board_profile_path, side)
    loaded.side = side
    return loaded


# --- writing -------------------------------------------------------------------------


def write_profile_file(path: Path, data: dict) -> None:
    """profile.json as tito writes it (indent 2, keys in their order), atomically."""
    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def tito_progress(progress: dict) -> dict:
    """TinyTorch's four progress fields, from our progress block."""
    return {key: progress.get(key) for key in TITO_PROGRESS_KEYS}


def new_profile(answers: dict[str, str | None], now: datetime, progress: dict) -> dict:
    """A fresh profile in tito's nested shape: a new random id, today's cohort, the answers."""
    return {
        "anonymous_id": str(uuid.uuid4()),
        "joined_at": iso_utc(now),
        "location": {"country": answers.get("country")},
        "institution": {"name": answers.get("institution"), "type": None},
        "context": {
            "course_type": answers.get("course_type"),
            "experience_level": answers.get("experience_level"),
            "cohort": cohort_for(now),
        },
        "progress": tito_progress(progress),
    }


def _container(data: dict, key: str, path: Path, what: str) -> dict:
    """data[key] as an object to write into (created when absent); BoardError if not one."""
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BoardError(
            f"cannot change {what}: '{key}' in {path} is not an object, and tito needs one; "
            "fix it by hand first"
        )
    return dict(value)


def _as_nested(data: dict) -> dict:
    """A board-v1 document in tito's nested shape (our keys move to board.json)."""
    nested = {key: value for key, value in data.items() if key not in OUR_KEYS}
    institution = data.get("institution")
    if not isinstance(institution, dict):
        nested["institution"] = {"name": _text(institution), "type": None}
    progress = _object(data.get("progress"))
    nested["progress"] = tito_progress(progress) if progress else tito_progress({})
    return nested


def apply_answers(
    loaded: LoadedProfile, changes: dict[str, str | None]
) -> tuple[dict, dict, list[str]]:
    """(new profile.json, new board.json context, names that changed): tito's shape kept."""
    before = loaded.answers()
    changed = [name for name, value in changes.items() if before.get(name) != value]
    path = loaded.path
    data = _as_nested(loaded.data) if loaded.shape == BOARD_V1 else dict(loaded.data)
    side_context = dict(_object((loaded.side or {}).get("context")))
    for name in changed:
        value = changes[name]
        if loaded.shape == GITHUB:
            if name in ("country", "institution"):
                data[name] = value
            else:
                side_context[name] = value
            continue
        if name == "country":
            location = _container(data, "location", path, "country")
            location["country"] = value
            data["location"] = location
        elif name == "institution":
            institution = data.get("institution")
            if isinstance(institution, dict):
                data["institution"] = {**institution, "name": value}
            else:
                data["institution"] = {"name": value, "type": None}
        else:
            context = _container(data, "context", path, name.replace("_", " "))
            context[name] = value
            data["context"] = context
    return data, side_context, changed


def save_profile(
    project: Project, loaded: LoadedProfile | None, data: dict, side_changes: dict
) -> Path:
    """Write profile.json only if its content changed, then board.json (ours)."""
    path = project.profile_path
    if loaded is None or data != loaded.data:
        write_profile_file(path, data)
    binding = {"joined_at": data.get("joined_at"), "anonymous_id": data.get("anonymous_id")}
    side = dict((loaded.side if loaded else None) or {})
    if loaded is not None and loaded.shape == BOARD_V1:
        # the ids board-v1 kept in the profile now live here
        side.setdefault("public_id", loaded.data.get("public_id"))
    side.update({"board_version": BOARD_VERSION, "profile": binding, **side_changes})
    write_json(project.board_profile_path, side)
    return path


def days_since(joined_at: object, now: datetime) -> int | None:
    if not isinstance(joined_at, str):
        return None
    moment = _parse_iso(joined_at)
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0, (now - moment).days)


# --- what other parts may use --------------------------------------------------------


def submission_identity(project: Project) -> tuple[dict | None, list[str]]:
    """The ids and public facts a submission may carry, never anything identifying.

    (None, [warning]) when the profile cannot be read: the submission gets a fresh id.
    """
    try:
        loaded = load_profile(project)
        if loaded is None:
            return None, []
        loaded = ensure_ids(project, loaded)
    except DataFileError as exc:
        return None, [f"profile ignored: {exc}"]
    answers = loaded.answers()
    return {
        "anonymous_id": loaded.anonymous_id,
        "public_id": loaded.public_id,
        "joined_at": loaded.joined_at,
        "context": {
            "cohort": loaded.cohort,
            "course_type": answers["course_type"],
            "experience_level": answers["experience_level"],
        },
    }, loaded.warnings


@dataclass(frozen=True)
class HomeProfile:
    """Current tito's ~/.tinytorch/profile.json: only whether it is there and readable."""

    found: bool
    readable: bool
    setup_version: str | None

    def as_dict(self) -> dict:
        return {
            "found": self.found,
            "readable": self.readable,
            "setup_version": self.setup_version,
            "used": "never: it holds your name and e-mail",
        }


def home_profile() -> HomeProfile:
    """Look at tito's home profile without keeping any of its identifying fields."""
    path = Project.home_profile_path()
    if not path.exists():
        return HomeProfile(False, False, None)
    try:
        data = read_json(path)
    except DataFileError:
        return HomeProfile(True, False, None)
    version = data.get("setup_version")
    return HomeProfile(True, True, version if isinstance(version, str) else None)
