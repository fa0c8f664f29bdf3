""".tinytorch/community/profile.json: the community profile, kept on this machine only.

Format (profile_version 1; written with sorted keys, atomically):

    {
      "profile_version": 1,
      "anonymous_id": "<uuid4>",      # links your anonymous submissions
      "public_id": "<uuid4>",         # a second id, used only for public submissions
      "joined_at": "2026-11-22T10:30:00Z",
      "location": {"country": "DE"},  # ISO 3166-1 alpha-2 or null; never auto-detected
      "institution": "TU München",    # or null
      "context": {"course_type": "university", "experience_level": "beginner",
                  "cohort": "Fall 2026"},
      "progress": {...}               # refreshed from TinyTorch's files by join/update
    }

Nothing here sends anything anywhere. A profile written by TinyTorch's own `tito community
join` (same path, no `profile_version`) is read as well and saved in this format on the
next `community update`, keeping every field it had.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from tinytorch_board.clock import iso_utc
from tinytorch_board.countries import ISO_3166_ALPHA2
from tinytorch_board.errors import BoardError, DataFileError
from tinytorch_board.ids import is_uuid4
from tinytorch_board.jsonio import check_version, read_json, write_json
from tinytorch_board.local.project import Project

PROFILE_VERSION = 1
COURSE_TYPES = ("university", "bootcamp", "self-paced", "other")
EXPERIENCE_LEVELS = ("beginner", "intermediate", "advanced", "expert")
FIELDS = ("country", "institution", "course_type", "experience_level")
MAX_INSTITUTION_CHARS = 100
REMOVE_HINT = "fix it, or remove it with `tinytorch-board community leave --force`"

PRIVACY_NOTICE = """\
Your community profile stays on this machine, in {path}.
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


def answers_of(profile: dict) -> dict[str, str | None]:
    """The four optional answers as they stand in a profile."""
    location = profile.get("location") if isinstance(profile.get("location"), dict) else {}
    context = profile.get("context") if isinstance(profile.get("context"), dict) else {}
    return {
        "country": location.get("country"),
        "institution": profile.get("institution"),
        "course_type": context.get("course_type"),
        "experience_level": context.get("experience_level"),
    }


# --- the document --------------------------------------------------------------------


def new_profile(answers: dict[str, str | None], now: datetime, progress: dict) -> dict:
    """A fresh profile: two new random ids, today's cohort, only the given answers."""
    return {
        "profile_version": PROFILE_VERSION,
        "anonymous_id": str(uuid.uuid4()),
        "public_id": str(uuid.uuid4()),
        "joined_at": iso_utc(now),
        "location": {"country": answers.get("country")},
        "institution": answers.get("institution"),
        "context": {
            "course_type": answers.get("course_type"),
            "experience_level": answers.get("experience_level"),
            "cohort": cohort_for(now),
        },
        "progress": progress,
    }


def apply_answers(profile: dict, changes: dict[str, str | None]) -> tuple[dict, list[str]]:
    """A copy of the profile with the changed answers, and the names that really changed."""
    updated = dict(profile)
    updated["location"] = dict(profile.get("location") or {})
    updated["context"] = dict(profile.get("context") or {})
    before = answers_of(profile)
    changed = []
    for name, value in changes.items():
        if before.get(name) == value:
            continue
        changed.append(name)
        if name == "country":
            updated["location"]["country"] = value
        elif name == "institution":
            updated["institution"] = value
        else:
            updated["context"][name] = value
    return updated, changed


def _optional_str(value: object) -> bool:
    return value is None or isinstance(value, str)


def check_profile(path: Path, data: dict) -> dict:
    """Shape-check a profile_version 1 document; DataFileError naming the field."""
    check_version(path, data, "profile_version", PROFILE_VERSION)
    for key in ("anonymous_id", "public_id"):
        if not is_uuid4(data.get(key)):
            raise DataFileError(path, f"'{key}' is not a random (version 4) UUID; {REMOVE_HINT}")
    joined = data.get("joined_at")
    if not isinstance(joined, str) or _parse_iso(joined) is None:
        raise DataFileError(path, f"'joined_at' is not an ISO 8601 time; {REMOVE_HINT}")
    location = data.get("location")
    if location is not None and (
        not isinstance(location, dict) or not _optional_str(location.get("country"))
    ):
        raise DataFileError(
            path, f"'location' must be {{\"country\": text or null}}; {REMOVE_HINT}"
        )
    if not _optional_str(data.get("institution")):
        raise DataFileError(path, f"'institution' must be text or null; {REMOVE_HINT}")
    context = data.get("context")
    if not isinstance(context, dict) or not all(
        _optional_str(context.get(k)) for k in ("course_type", "experience_level", "cohort")
    ):
        raise DataFileError(
            path, f"'context' must be an object of texts (course_type, ...); {REMOVE_HINT}"
        )
    if not isinstance(data.get("progress", {}), dict):
        raise DataFileError(path, f"'progress' must be an object; {REMOVE_HINT}")
    return data


def _parse_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def from_tinytorch(path: Path, data: dict) -> dict:
    """Read a profile written by TinyTorch's `tito community join` into this format.

    Its naive `joined_at` is local time (TinyTorch writes datetime.now()); its
    `institution` is {"name": ...}. Every other field it had is kept as it was.
    """
    joined = data.get("joined_at")
    moment = _parse_iso(joined) if isinstance(joined, str) else None
    if moment is None:
        raise DataFileError(path, f"'joined_at' is not an ISO 8601 time; {REMOVE_HINT}")
    institution = data.get("institution")
    if isinstance(institution, dict):
        institution = institution.get("name")
    location = data.get("location") if isinstance(data.get("location"), dict) else {}
    context = data.get("context") if isinstance(data.get("context"), dict) else {}
    profile = dict(data)
    profile.update(
        {
            "profile_version": PROFILE_VERSION,
            "public_id": str(uuid.uuid4()),
            "joined_at": iso_utc(moment.astimezone(timezone.utc)),
            "location": {**location, "country": _text_or_none(location.get("country"))},
            "institution": _text_or_none(institution),
            "context": {
                **context,
                **{
                    k: _text_or_none(context.get(k))
                    for k in ("course_type", "experience_level", "cohort")
                },
            },
        }
    )
    if not isinstance(profile.get("progress"), dict):
        profile["progress"] = {}
    return check_profile(path, profile)


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True)
class LoadedProfile:
    data: dict
    path: Path
    from_tinytorch: bool  # written by TinyTorch's tito; saved in our format on next update


def load_profile(project: Project) -> LoadedProfile | None:
    """The profile, None if there is none; DataFileError if it is corrupt or too new."""
    path = project.profile_path
    if not path.exists():
        return None
    data = read_json(path)
    if "profile_version" not in data and "anonymous_id" in data:
        if not is_uuid4(data.get("anonymous_id")):
            raise DataFileError(path, f"'anonymous_id' is not a random UUID; {REMOVE_HINT}")
        return LoadedProfile(from_tinytorch(path, data), path, True)
    return LoadedProfile(check_profile(path, data), path, False)


def save_profile(project: Project, profile: dict) -> Path:
    write_json(project.profile_path, profile)
    return project.profile_path


def days_since(joined_at: object, now: datetime) -> int | None:
    if not isinstance(joined_at, str):
        return None
    moment = _parse_iso(joined_at)
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0, (now - moment).days)
