"""The decisions: may this pull request merge, is this withdrawal genuine, is this issue a
valid submission. Pure functions of changed files, blob readers and text."""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from tinytorch_board.board.ci.changes import (
    EXECUTABLE_FILE,
    REGULAR_FILE,
    SUBMISSION_PATH_RE,
    SUBMODULE,
    SYMLINK,
    BlobReader,
    ChangedFile,
)
from tinytorch_board.board.config import AutomationConfig
from tinytorch_board.jsonio import dumps
from tinytorch_board.submission import MAX_FILE_BYTES, MODERATION_MARK
from tinytorch_board.submission.builder import withdraw_key_hash
from tinytorch_board.submission.validator import check_bytes, parse

REPORT_VERSION = 1
SUBMISSIONS_DIR = "submissions/"
MAX_FINDINGS = 50
# The issue form's textarea label; the intake reads the section under this heading.
INTAKE_HEADING = "Submission JSON"
WITHDRAW_KEY_RE = re.compile(
    r"^[ \t]*withdraw-key:[ \t]*(\S+)[ \t]*$", re.IGNORECASE | re.MULTILINE
)
SECRET_RE = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Finding:
    """One reason to refuse: a stable code (for the how-to-fix hint), a path, a message."""

    code: str
    path: str | None
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "path": self.path, "message": self.message}


@dataclass(frozen=True)
class BoardFacts:
    """What the base branch's history knows that a pull request's diff does not
    (required by every decision that accepts a file: no caller can skip it)."""

    withdrawn: Collection[str]
    """Submission ids whose file was ever deleted from the board."""
    owners: Callable[[str], list[str | None]]
    """participant_id -> the login that submitted each current file carrying it (None:
    not recorded)."""


def _same_login(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()  # GitHub logins are case-insensitive


def identity_findings(
    doc: dict, path: str | None, author: str | None, board: BoardFacts
) -> list[Finding]:
    """A valid file may still not be this author's to add: withdrawn ids never come back,
    a public `github` name is the submitter's own, and a participant_id already on the
    board stays with the account that submitted it."""
    findings = []
    if doc["submission_id"] in board.withdrawn:
        findings.append(
            Finding(
                "withdrawn",
                path,
                "was withdrawn from this board; a withdrawn submission never comes back",
            )
        )
    public = doc.get("public") if isinstance(doc.get("public"), dict) else {}
    github = public.get("github")
    if isinstance(github, str):
        if author is None:
            findings.append(
                Finding(
                    "github-unverified",
                    path,
                    f"public.github is {github!r}, but who submitted it is not known",
                )
            )
        elif not _same_login(github, author):
            findings.append(
                Finding(
                    "github-mismatch",
                    path,
                    f"public.github is {github!r}, but it was submitted by {author!r}",
                )
            )
    participant = doc.get("participant_id")
    owners = board.owners(participant) if isinstance(participant, str) else []
    if owners:
        count = f"{len(owners)} result{'s' if len(owners) != 1 else ''}"
        # Never name the other account: that would tie a login to an anonymous history.
        if author is not None and any(o is not None and not _same_login(o, author) for o in owners):
            findings.append(
                Finding(
                    "participant-taken",
                    path,
                    f"participant_id is already used by {count} on this board "
                    "submitted from another GitHub account",
                )
            )
        elif author is None or None in owners:
            findings.append(
                Finding(
                    "participant-unverified",
                    path,
                    f"participant_id is already used by {count} on this board whose "
                    "submitter is not recorded",
                )
            )
    return findings


@dataclass(frozen=True)
class Landing:
    """A validated submission, with what the success comment needs to place it."""

    path: str
    submission_id: str
    kind: str
    suite_version: int
    backend: str
    score: float
    system_type: str
    modules_completed: int
    milestones_completed: int

    @classmethod
    def of(cls, path: str, doc: dict) -> Landing:
        bench = doc["benchmark"]
        return cls(
            path=path,
            submission_id=doc["submission_id"],
            kind=bench["kind"],
            suite_version=bench["suite_version"],
            backend=bench["backend"],
            score=bench["score"],
            system_type=doc["system"]["system_type"],
            modules_completed=doc["progress"]["modules_completed"],
            milestones_completed=len(doc["progress"]["milestones_completed"]),
        )


@dataclass
class PrCheck:
    """The verdict on a pull request's changes."""

    kind: str  # "submission" | "withdrawal" | "other"
    max_files: int
    files: list[ChangedFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    submissions: list[Landing] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.kind == "submission" and not self.findings and bool(self.submissions)

    def as_dict(self, **extra: object) -> dict:
        return {
            "report": "pull-request",
            "report_version": REPORT_VERSION,
            "kind": self.kind,
            "ok": self.ok,
            "max_files": self.max_files,
            "files": [f.as_dict() for f in self.files],
            "findings": [f.as_dict() for f in self.findings[:MAX_FINDINGS]],
            "findings_total": len(self.findings),
            "submissions": [s.__dict__ for s in self.submissions],
            **extra,
        }


def _under_submissions(path: str) -> bool:
    return path.startswith(SUBMISSIONS_DIR)


def classify(files: list[ChangedFile]) -> str:
    """ "other" touches nothing under submissions/; "withdrawal" only deletes there."""
    touched = [p for f in files for p in f.touched()]
    if not any(_under_submissions(p) for p in touched):
        return "other"
    if all(f.status == "removed" and _under_submissions(f.path) for f in files):
        return "withdrawal"
    return "submission"


def _mode_finding(f: ChangedFile) -> Finding | None:
    if f.mode is None or f.mode == REGULAR_FILE:
        return None
    if f.mode == SYMLINK:
        return Finding("symlink", f.path, "is a symbolic link, not a file")
    if f.mode == SUBMODULE:
        return Finding("file-mode", f.path, "is a submodule, not a file")
    if f.mode == EXECUTABLE_FILE:
        return Finding("file-mode", f.path, "is marked executable (mode 100755)")
    return Finding("file-mode", f.path, f"has git mode {f.mode}, not a plain file (100644)")


def _status_finding(f: ChangedFile) -> Finding:
    if f.status == "modified":
        return Finding("modified", f.path, "edits a published submission")
    if f.status == "removed":
        return Finding("removed", f.path, "deletes a submission")
    if f.status == "renamed":
        return Finding("renamed", f.path, f"moves {f.old_path!r} here")
    return Finding("changed", f.path, f"is {f.status}, not added")


def _path_finding(path: str) -> Finding | None:
    if path == "board.yaml":
        return Finding("settings", path, "changes the board's settings, not a submission")
    if not _under_submissions(path):
        return Finding("outside", path, "is outside submissions/")
    match = SUBMISSION_PATH_RE.fullmatch(path)
    if match is None:
        return Finding("bad-path", path, "is not named submissions/<2 hex>/<32 hex>.json")
    shard, sid = match.groups()
    if shard != sid[:2]:
        return Finding(
            "wrong-shard", path, f"is in shard '{shard}' but belongs in 'submissions/{sid[:2]}/'"
        )
    return None


def check_pr(
    files: list[ChangedFile],
    read_blob: BlobReader | None,
    automation: AutomationConfig,
    author: str | None,
    now: datetime | None,
    board: BoardFacts,
    recent_prs: int | None = None,
) -> PrCheck:
    """May this pull request merge as a submission? Every rule, then every file's content
    (not read when the pull request adds more files than allowed), then whether each file
    is this author's to add (see `identity_findings`).

    recent_prs: the author's submission pull requests opened in the last 24 hours, this
    one included (None: not known, no daily limit applied).
    """
    max_files = automation.max_files_for(author)
    check = PrCheck(kind=classify(files), max_files=max_files, files=list(files))
    limit = automation.max_prs_per_author_per_day
    if (
        check.kind == "submission"
        and limit
        and recent_prs is not None
        and recent_prs > limit
        and not automation.is_batch_author(author)
    ):
        check.findings.append(
            Finding(
                "daily-limit",
                None,
                f"this account opened {recent_prs} pull requests in 24 hours (this one "
                f"included); this board accepts {limit} a day",
            )
        )
    if not files:
        check.findings.append(Finding("empty", None, "changes no files"))
        return check
    if check.kind == "other":
        check.findings.append(Finding("outside", None, "changes nothing under submissions/"))
        return check
    if check.kind == "withdrawal":
        check.findings.append(
            Finding("withdrawal", None, "only deletes submissions (a withdrawal, not a submission)")
        )
        return check

    candidates = []
    for f in files:
        problems = [_path_finding(f.path)]
        if f.status != "added" and _under_submissions(f.path):
            problems.append(_status_finding(f))
        problems.append(_mode_finding(f))
        if f.size is not None and f.size > MAX_FILE_BYTES:
            problems.append(
                Finding(
                    "too-large", f.path, f"is {f.size} bytes; the limit is {MAX_FILE_BYTES} bytes"
                )
            )
        problems = [p for p in problems if p is not None]
        check.findings.extend(problems)
        if not problems and f.status == "added":
            candidates.append(f)

    added = [f for f in files if f.status == "added" and _under_submissions(f.path)]
    if len(added) > max_files:
        limit = "one file" if max_files == 1 else f"{max_files} files"
        check.findings.append(
            Finding(
                "too-many", None, f"adds {len(added)} files; a pull request may add at most {limit}"
            )
        )
        return check  # refused as a whole: reading every file would only cost CI time

    for f in candidates:
        if read_blob is None or f.blob is None:
            check.findings.append(Finding("unread", f.path, "content was not available to check"))
            continue
        raw = read_blob(f.blob, MAX_FILE_BYTES + 1)
        checked = check_bytes(raw, f.path, name=f.path, now=now)
        if checked.ok:
            refused = identity_findings(checked.document, f.path, author, board)
            check.findings.extend(refused)
            if not refused:
                check.submissions.append(Landing.of(f.path, checked.document))
        for problem in checked.problems:
            code = "invalid-json" if checked.document is None else "invalid"
            check.findings.append(Finding(code, f.path, f"{problem.path}: {problem.message}"))
    return check


@dataclass
class WithdrawalCheck:
    """The verdict on a withdrawal pull request."""

    applies: bool
    path: str | None = None
    submission_id: str | None = None
    findings: list[Finding] = field(default_factory=list)
    # A maintainer's removal without withdraw keys: reported to them, never auto-merged.
    moderation: bool = False
    removed: list[str] = field(default_factory=list)
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return (
            self.applies
            and not self.moderation
            and self.submission_id is not None
            and not self.findings
        )

    def as_dict(self, **extra: object) -> dict:
        return {
            "report": "withdrawal",
            "report_version": REPORT_VERSION,
            "applies": self.applies,
            "ok": self.ok,
            "path": self.path,
            "submission_id": self.submission_id,
            "findings": [f.as_dict() for f in self.findings[:MAX_FINDINGS]],
            "findings_total": len(self.findings),
            "moderation": self.moderation,
            "removed": self.removed,
            "reason": self.reason,
            **extra,
        }


# GitHub's author_association values of people with write access to the repository,
# and of accounts with no earlier contribution to it.
MAINTAINER_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
FIRST_TIME_ASSOCIATIONS = frozenset({"FIRST_TIMER", "FIRST_TIME_CONTRIBUTOR", "NONE"})


def moderation_reason(body: str) -> str | None:
    """The text after the first `moderation:` line of a description, if any."""
    for line in body.replace("\r\n", "\n").split("\n"):
        if line.strip().lower().startswith(MODERATION_MARK):
            return line.strip()[len(MODERATION_MARK) :].strip()[:300] or None
    return None


def withdraw_keys(body: str) -> list[str]:
    """Every `withdraw-key: ...` value in a pull request body, in order, without repeats."""
    seen: list[str] = []
    for match in WITHDRAW_KEY_RE.finditer(body.replace("\r\n", "\n")):
        value = match.group(1).strip("`").lower()
        if value not in seen:
            seen.append(value)
    return seen


def verify_withdrawal(
    files: list[ChangedFile],
    read_old: Callable[[ChangedFile], bytes | None],
    body: str,
    association: str | None = None,
) -> WithdrawalCheck:
    """Exactly one submission deleted, nothing else, and the body's secret hashes to its key.

    A pull request that only deletes submissions, opened by someone with write access
    (`association`) and carrying no withdraw key, is a moderation removal instead: it is
    reported to the maintainer as such and left for them to merge.
    """
    if not files:
        return WithdrawalCheck(False, findings=[Finding("empty", None, "changes no files")])
    if classify(files) != "withdrawal":
        kept = [f for f in files if not (f.status == "removed" and _under_submissions(f.path))]
        what = ", ".join(f"{f.status} {f.path}" for f in kept[:3])
        more = f" and {len(kept) - 3} more" if len(kept) > 3 else ""
        reason = Finding(
            "not-withdrawal",
            None,
            f"not a withdrawal: a withdrawal only deletes one submission file, but this "
            f"pull request also has {what}{more}",
        )
        return WithdrawalCheck(applies=False, findings=[reason])
    if (association or "").upper() in MAINTAINER_ASSOCIATIONS and not withdraw_keys(body):
        return WithdrawalCheck(
            applies=True,
            moderation=True,
            removed=[f.path for f in files],
            reason=moderation_reason(body),
        )
    check = WithdrawalCheck(applies=True)
    if len(files) != 1:
        check.findings.append(
            Finding(
                "withdraw-many",
                None,
                f"deletes {len(files)} files; a student withdraws one per pull request",
            )
        )
        return check
    (f,) = files
    check.path = f.path
    bad_path = _path_finding(f.path)
    if bad_path is not None:
        check.findings.append(bad_path)
        return check
    if f.old_mode not in (None, REGULAR_FILE):
        check.findings.append(Finding("file-mode", f.path, "is not a plain submission file"))
        return check
    raw = read_old(f)
    doc, problems = parse(raw, f.path) if raw is not None else (None, [])
    stored = doc.get("withdraw_key_sha256") if doc else None
    if not isinstance(stored, str) or not SECRET_RE.fullmatch(stored):
        check.findings.append(
            Finding("no-stored-key", f.path, "the published file has no withdraw key to check")
        )
        return check
    keys = withdraw_keys(body)
    if not keys:
        check.findings.append(
            Finding("no-key", None, "the description has no line `withdraw-key: <64 hex>`")
        )
        return check
    if len(keys) > 1:
        check.findings.append(Finding("no-key", None, "the description has several withdraw keys"))
        return check
    secret = keys[0]
    if not SECRET_RE.fullmatch(secret):
        check.findings.append(Finding("no-key", None, "the withdraw-key is not 64 hex characters"))
        return check
    if not hmac.compare_digest(withdraw_key_hash(secret), stored):
        check.findings.append(
            Finding("wrong-key", f.path, "the withdraw-key does not match this submission")
        )
        return check
    check.submission_id = PurePosixPath(f.path).stem
    return check


@dataclass
class Intake:
    """The verdict on a submission pasted into the issue form."""

    applies: bool
    submission_id: str | None = None
    path: str | None = None
    content: str | None = None
    findings: list[Finding] = field(default_factory=list)
    submission: Landing | None = None

    @property
    def ok(self) -> bool:
        return self.applies and self.content is not None and not self.findings

    def as_dict(self, **extra: object) -> dict:
        return {
            "report": "intake",
            "report_version": REPORT_VERSION,
            "applies": self.applies,
            "ok": self.ok,
            "submission_id": self.submission_id,
            "path": self.path,
            "branch": f"submission/{self.submission_id}" if self.ok else None,
            "findings": [f.as_dict() for f in self.findings[:MAX_FINDINGS]],
            "findings_total": len(self.findings),
            "submissions": [self.submission.__dict__] if self.submission else [],
            **extra,
        }


def issue_section(body: str, heading: str = INTAKE_HEADING) -> str | None:
    """The text under `### heading` in an issue-form body, fence removed; None without it."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == f"### {heading}")
    except StopIteration:
        return None
    rest = lines[start + 1 :]
    end = next((i for i, line in enumerate(rest) if line.startswith("### ")), len(rest))
    section = rest[:end]
    # The form's `render: json` adds one fence; a student may paste a fenced block too.
    for _ in range(2):
        section = _unfence(section)
    return "\n".join(section).strip()


def _unfence(lines: list[str]) -> list[str]:
    """The inside of a fenced block starting at the first non-blank line, else the lines."""
    opening = next((i for i, line in enumerate(lines) if line.strip()), None)
    if opening is None:
        return []
    fence = re.match(r"^\s*(`{3,}|~{3,})", lines[opening])
    if fence is None:
        return lines
    marker = fence.group(1)
    inner = []
    for line in lines[opening + 1 :]:
        if line.strip() == marker:
            break
        inner.append(line)
    return inner


def intake_issue(
    body: str,
    exists: Callable[[str], bool],
    now: datetime | None,
    author: str | None,
    board: BoardFacts,
) -> Intake:
    """Validate a pasted submission; on success, the file to commit and where it goes.
    `author` is the issue's author: the submitter, as a pull request's author is."""
    section = issue_section(body)
    if section is None:
        return Intake(applies=False)
    intake = Intake(applies=True)
    if not section or section == "_No response_":
        intake.findings.append(Finding("empty", None, "the submission field is empty"))
        return intake
    raw = section.encode("utf-8", "surrogatepass")
    checked = check_bytes(raw, "issue", name=None, now=now)
    for problem in checked.problems:
        code = "invalid-json" if checked.document is None else "invalid"
        intake.findings.append(Finding(code, None, f"{problem.path}: {problem.message}"))
    if not checked.ok:
        return intake
    doc = checked.document
    sid = doc["submission_id"]  # the schema has checked: 32 lowercase hex
    path = f"submissions/{sid[:2]}/{sid}.json"
    content = dumps(doc)
    recheck = check_bytes(content.encode("utf-8"), path, name=path, now=now)
    for problem in recheck.problems:  # e.g. the canonical form grew past the size cap
        intake.findings.append(Finding("invalid", path, f"{problem.path}: {problem.message}"))
    if exists(path):
        intake.findings.append(Finding("exists", path, "is already on the board"))
    else:
        intake.findings.extend(identity_findings(doc, path, author, board))
    intake.submission_id, intake.path = sid, path
    if not intake.findings:
        intake.content = content
        intake.submission = Landing.of(path, doc)
    return intake
