"""Titles, bodies and commit messages of board pull requests, generated from the file alone.

They say what the file says (score, system type, progress) and never anything about the
person: no login, name, e-mail or path. Public fields are named, not repeated.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinytorch_board import __version__
from tinytorch_board.curriculum import MILESTONE_COUNT, MODULE_COUNT
from tinytorch_board.errors import BoardError
from tinytorch_board.submission import MODERATION_MARK

WITHDRAW_KEY_PREFIX = "withdraw-key: "
# Commits carry this identity, never the student's name or e-mail.
NEUTRAL_NAME = "tinytorch-board"
NEUTRAL_EMAIL = "tinytorch-board@users.noreply.github.com"


@dataclass(frozen=True)
class Change:
    """One pull request that adds or deletes exactly one file."""

    path: str  # submissions/<2 hex>/<id>.json
    content: str | None  # the file text to add; None deletes the file
    branch: str  # submission/<id> or withdraw/<id>
    title: str
    body: str
    commit_message: str

    def as_dict(self) -> dict:
        return {"path": self.path, "branch": self.branch, "title": self.title, "body": self.body}


def submission_change(document: dict, relative_path: str, text: str) -> Change:
    """The pull request that adds exactly the previewed text at relative_path."""
    return Change(
        path=relative_path,
        content=text,
        branch=f"submission/{document['submission_id']}",
        title=submission_title(document),
        body=submission_body(document, relative_path),
        commit_message=submission_commit_message(document),
    )


def withdrawal_change(submission_id: str, relative_path: str, secret: str) -> Change:
    """The pull request that deletes exactly one submission file and proves who asks."""
    return Change(
        path=relative_path,
        content=None,
        branch=f"withdraw/{submission_id}",
        title=withdrawal_title(submission_id),
        body=withdrawal_body(submission_id, relative_path, secret),
        commit_message=withdrawal_commit_message(submission_id),
    )


def removal_message(paths: list[str], reason: str) -> str:
    """The commit message (and pull request description) of a moderation removal."""
    reason = " ".join(reason.split())
    if not reason:
        raise BoardError("--reason must say why (it is kept in the board's history)")
    title = (
        f"Remove submission {paths[0].rsplit('/', 1)[-1][:8]}"
        if len(paths) == 1
        else f"Remove {len(paths)} submissions"
    )
    lines = [title, "", f"{MODERATION_MARK} {reason}", ""]
    lines += [f"- {path}" for path in paths]
    return "\n".join(lines) + "\n"


def removal_change(relative_path: str, reason: str) -> Change:
    """A maintainer's moderation pull request deleting one submission, reason stated."""
    sid = relative_path.rsplit("/", 1)[-1].removesuffix(".json")
    message = removal_message([relative_path], reason)
    return Change(
        path=relative_path,
        content=None,
        branch=f"moderation/{sid}",
        title=message.splitlines()[0],
        body=message,
        commit_message=message,
    )


def short_id(submission_id: str) -> str:
    return submission_id[:8]


def submission_title(document: dict) -> str:
    bench = document["benchmark"]
    system = document["system"].get("system_type") or "Other"
    return (
        f"Submission {short_id(document['submission_id'])}: {bench['kind']} score "
        f"{bench['score']:g} ({system})"
    )


def submission_commit_message(document: dict) -> str:
    return f"Add submission {document['submission_id']}"


def _progress_line(document: dict) -> str:
    progress = document["progress"]
    milestones = progress.get("milestones_completed") or []
    done = ", ".join(milestones) if milestones else "none yet"
    return (
        f"{progress['modules_completed']} of {MODULE_COUNT} modules; milestones "
        f"{len(milestones)} of {MILESTONE_COUNT} ({done})"
    )


def submission_body(document: dict, relative_path: str) -> str:
    bench = document["benchmark"]
    system = document["system"]
    public = document.get("public") or {}
    if document["visibility"] == "public":
        shown = ", ".join(sorted(public))
        visibility = f"public: shows only the field(s) the student typed ({shown})"
    else:
        visibility = "anonymous: no public fields"
    lines = [
        "A TinyTorch benchmark result for the board.",
        "",
        "| | |",
        "|---|---|",
        f"| file | `{relative_path}` |",
        f"| score | {bench['score']:g} ({bench['kind']}, suite {bench['suite_version']}, "
        f"backend {bench['backend']}) |",
        f"| system | {system.get('system_type') or 'Other'} |",
        f"| progress | {_progress_line(document)} |",
        f"| visibility | {visibility} |",
        "",
        "Privacy checklist (checked on the student's machine before sending):",
        "- [x] no name, user name, host name, path, IP address or e-mail in the file",
        "- [x] memory rounded to a power of two; no CPU model",
        "- [x] public fields are exactly what the student typed, and only with --public",
        f"- [x] the commit author is the neutral `{NEUTRAL_NAME}` identity",
        "- [x] the file passed the board's validator",
        "",
        f"Sent by tinytorch-board {__version__}. The board's checks validate the file again.",
    ]
    return "\n".join(lines) + "\n"


def withdrawal_title(submission_id: str) -> str:
    return f"Withdraw submission {short_id(submission_id)}"


def withdrawal_commit_message(submission_id: str) -> str:
    return f"Withdraw submission {submission_id}"


def withdrawal_body(submission_id: str, relative_path: str, secret: str) -> str:
    lines = [
        f"This pull request removes `{relative_path}` and changes nothing else.",
        "",
        "The line below proves that whoever sent the submission asks for its removal: "
        "its SHA-256 is the file's `withdraw_key_sha256`.",
        "",
        f"{WITHDRAW_KEY_PREFIX}{secret}",
        "",
        "Git history keeps the (anonymous) file; the board stops showing it once this is merged.",
        "",
        f"Sent by tinytorch-board {__version__}.",
    ]
    return "\n".join(lines) + "\n"
