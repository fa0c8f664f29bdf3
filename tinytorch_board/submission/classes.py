"""`classes/<class_id>.yaml`: a class on the board, read strictly, written canonically.

A class file is public and names no student: its id, a display name, the instructors'
GitHub logins and the term's dates. Which participant is which student lives only in
the instructor's private roster, never here. The id's pattern is the schema's
`class_id` (one statement of the contract).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from tinytorch_board.errors import DataFileError

CLASS_VERSION = 1
CLASSES_DIR = "classes"
MAX_CLASS_BYTES = 4096
MAX_NAME_CHARS = 80
MAX_INSTRUCTORS = 20
KEYS = ("version", "class_id", "name", "instructors", "starts", "ends")
GITHUB_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@cache
def class_id_re() -> re.Pattern:
    """The schema's `class_id` pattern, compiled (anchored by ^...$ in the schema)."""
    from tinytorch_board.submission.validator import schema

    return re.compile(schema()["properties"]["class_id"]["pattern"].replace("$", r"\Z"))


def is_class_id(value: object) -> bool:
    return isinstance(value, str) and class_id_re().match(value) is not None


def new_class_id() -> str:
    """A fresh random class id (16 hex: unguessable enough that nobody joins by accident)."""
    return secrets.token_hex(8)


def class_path(class_id: str) -> str:
    """Where a class's file lives in a board, relative to its root."""
    return f"{CLASSES_DIR}/{class_id}.yaml"


def class_id_of_path(path: str) -> str | None:
    """The class id a board path names, or None if it is not `classes/<class_id>.yaml`."""
    prefix, _, rest = path.partition("/")
    if prefix != CLASSES_DIR or "/" in rest or not rest.endswith(".yaml"):
        return None
    candidate = rest[: -len(".yaml")]
    return candidate if is_class_id(candidate) else None


@dataclass(frozen=True)
class ClassInfo:
    """One class as its file states it."""

    class_id: str
    name: str
    instructors: tuple[str, ...]
    starts: str
    ends: str | None

    def has_instructor(self, login: str | None) -> bool:
        """GitHub logins compare without case."""
        return login is not None and login.casefold() in {i.casefold() for i in self.instructors}

    def open_on(self, day: str) -> bool:
        """Whether results from this day (YYYY-MM-DD) may still count for the class."""
        return self.ends is None or day <= self.ends

    def as_dict(self) -> dict:
        return {
            "class_id": self.class_id,
            "name": self.name,
            "instructors": list(self.instructors),
            "starts": self.starts,
            "ends": self.ends,
        }


def _day(value: object, where: str, source: str) -> str:
    if isinstance(value, date):
        value = value.isoformat()
    if not isinstance(value, str) or not DAY.fullmatch(value):
        raise DataFileError(source, f"{where} must be a date written YYYY-MM-DD")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise DataFileError(source, f"{where} {value!r} is not a real date") from None
    return value


def _load_yaml(raw: bytes, source: str) -> object:
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        # Dates stay text (checked by _day): YAML would turn 2026-02-30 into a crash.
        yaml_implicit_resolvers = {
            first: [(tag, regexp) for tag, regexp in resolvers if not tag.endswith(":timestamp")]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }

    def mapping(loader, node, deep=False):
        keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
        if len(keys) != len(set(map(repr, keys))):
            raise DataFileError(source, "a key appears twice")
        return yaml.SafeLoader.construct_mapping(loader, node, deep)

    UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    try:
        text = raw.decode("utf-8")
        if any(isinstance(t, yaml.AliasToken | yaml.AnchorToken) for t in yaml.scan(text)):
            raise DataFileError(source, "anchors and aliases are not allowed")
        return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except UnicodeDecodeError:
        raise DataFileError(source, "is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f" (line {line + 1})" if line is not None else ""
        raise DataFileError(source, f"is not valid YAML{where}") from None


def parse_class(raw: bytes, source: str, expected_id: str | None = None) -> ClassInfo:
    """A class file's content, checked strictly; DataFileError naming what is wrong."""
    from tinytorch_board.submission.validator import text_problem

    if len(raw) > MAX_CLASS_BYTES:
        raise DataFileError(source, f"is over {MAX_CLASS_BYTES} bytes; a class file is short")
    data = _load_yaml(raw, source)
    if not isinstance(data, dict):
        raise DataFileError(source, "must be a mapping of " + ", ".join(KEYS))
    unknown = sorted(str(k) for k in data if k not in KEYS)
    if unknown:
        # A student list, e-mails, anything else: a class file never carries it.
        raise DataFileError(
            source, f"unknown key(s): {', '.join(unknown)} (allowed: {', '.join(KEYS)})"
        )
    missing = [k for k in KEYS if k not in data and k != "ends"]
    if missing:
        raise DataFileError(source, f"missing key(s): {', '.join(missing)}")
    if data["version"] != CLASS_VERSION or isinstance(data["version"], bool):
        raise DataFileError(source, f"version must be {CLASS_VERSION}")
    class_id = data["class_id"]
    if not is_class_id(class_id):
        raise DataFileError(source, "class_id must be 16 lowercase hex digits")
    if expected_id is not None and class_id != expected_id:
        raise DataFileError(source, f"class_id {class_id!r} does not match its file name")
    name = data["name"]
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= MAX_NAME_CHARS:
        raise DataFileError(source, f"name must be 1 to {MAX_NAME_CHARS} characters")
    problem = text_problem(name)
    if problem:
        raise DataFileError(source, f"name {problem}")
    instructors = data["instructors"]
    if (
        not isinstance(instructors, list)
        or not 1 <= len(instructors) <= MAX_INSTRUCTORS
        or not all(isinstance(i, str) and GITHUB_LOGIN.fullmatch(i) for i in instructors)
    ):
        raise DataFileError(
            source, f"instructors must be a list of 1 to {MAX_INSTRUCTORS} GitHub logins"
        )
    if len({i.casefold() for i in instructors}) != len(instructors):
        raise DataFileError(source, "an instructor is listed twice")
    starts = _day(data["starts"], "starts", source)
    ends = None if data.get("ends") is None else _day(data["ends"], "ends", source)
    if ends is not None and ends < starts:
        raise DataFileError(source, f"ends ({ends}) is before starts ({starts})")
    return ClassInfo(class_id, name.strip(), tuple(instructors), starts, ends)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def class_yaml(info: ClassInfo) -> str:
    """The canonical text of a class file (what `class create` writes)."""
    lines = [
        "# A class on this board. Public: no student is listed here, ever.",
        f"version: {CLASS_VERSION}",
        f"class_id: {_quoted(info.class_id)}",
        f"name: {_quoted(info.name)}",
        "instructors:",
        *(f"  - {_quoted(login)}" for login in info.instructors),
        f"starts: {_quoted(info.starts)}",
        f"ends: {_quoted(info.ends) if info.ends else 'null'}",
    ]
    return "\n".join(lines) + "\n"


def read_classes(board_dir: Path) -> dict[str, ClassInfo]:
    """Every class file of a board folder, by id; DataFileError on the first bad one."""
    folder = Path(board_dir) / CLASSES_DIR
    if not folder.is_dir():
        return {}
    found: dict[str, ClassInfo] = {}
    for path in sorted(folder.iterdir()):
        relative = f"{CLASSES_DIR}/{path.name}"
        class_id = class_id_of_path(relative)
        if class_id is None or path.is_symlink() or not path.is_file():
            if path.name.startswith("."):
                continue
            raise DataFileError(path, "is not a class file (classes/<16 hex>.yaml)")
        with path.open("rb") as handle:
            raw = handle.read(MAX_CLASS_BYTES + 1)
        found[class_id] = parse_class(raw, str(path), class_id)
    return found
