"""Who may change `classes/`: a pull request adding or editing class files.

Only an instructor the class file lists may change it: for a new class, one of the
instructors it names (the pull request's author lists themselves); for an existing class,
one of the instructors the base branch lists (so nobody adds themselves to another's
class). A maintainer may change any class file. GitHub tells the workflow who the author
is to the repository (`author_association`); OWNER, MEMBER and COLLABORATOR have write
access, so they are the maintainers here.
"""

from __future__ import annotations

from collections.abc import Mapping

from tinytorch_board.board.ci.changes import REGULAR_FILE, BlobReader, ChangedFile
from tinytorch_board.errors import DataFileError
from tinytorch_board.submission.classes import (
    CLASSES_DIR,
    MAX_CLASS_BYTES,
    ClassInfo,
    class_id_of_path,
    parse_class,
)

# GitHub's author_association values of people with write access to the repository.
MAINTAINER_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})


def is_maintainer(association: str | None) -> bool:
    return (association or "").upper() in MAINTAINER_ASSOCIATIONS


def under_classes(path: str) -> bool:
    return path.startswith(CLASSES_DIR + "/")


def class_change_findings(
    files: list[ChangedFile],
    read_blob: BlobReader | None,
    author: str | None,
    association: str | None,
    base_classes: Mapping[str, ClassInfo],
    finding,
) -> tuple[list, list[str]]:
    """(findings, class ids changed) for a pull request that touches only `classes/`.

    `finding(code, path, message)` builds a finding (the caller's type)."""
    findings: list = []
    changed: list[str] = []
    maintainer = is_maintainer(association)
    for f in files:
        class_id = class_id_of_path(f.path)
        if class_id is None:
            findings.append(finding("bad-path", f.path, "is not named classes/<16 hex>.yaml"))
            continue
        if f.status == "renamed":
            findings.append(finding("renamed", f.path, "moves a class file; a class keeps its id"))
            continue
        base = base_classes.get(class_id)
        if f.status != "removed":
            if f.mode not in (None, REGULAR_FILE):
                findings.append(finding("file-mode", f.path, "is not a plain file (100644)"))
                continue
            if read_blob is None or f.blob is None:
                findings.append(finding("unread", f.path, "content was not available to check"))
                continue
            try:
                new = parse_class(read_blob(f.blob, MAX_CLASS_BYTES + 1), f.path, class_id)
            except DataFileError as exc:
                findings.append(finding("invalid-class", f.path, exc.detail))
                continue
        else:
            new = None
        if f.status == "added" and base is not None:
            findings.append(finding("exists", f.path, "is already on the board"))
            continue
        # Who may: a new class's own instructors; an existing class's instructors as the
        # base branch lists them; a maintainer always.
        allowed_by = base if base is not None else new
        if not maintainer and (allowed_by is None or not allowed_by.has_instructor(author)):
            who = f"{author!r}" if author else "an unknown account"
            findings.append(
                finding(
                    "not-instructor",
                    f.path,
                    f"may be changed only by an instructor it lists or a maintainer, not by {who}",
                )
            )
            continue
        changed.append(class_id)
    return findings, changed
