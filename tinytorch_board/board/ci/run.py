"""Gather a decision's inputs (git, API JSON, board.yaml, files) and return its report.

One function per `tinytorch-board ci` command, so the command stays an adapter.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tinytorch_board.board.ci import comment as comments
from tinytorch_board.board.ci.changes import (
    ChangedFile,
    GitRepo,
    api_files,
    blob_dir_reader,
    blob_dir_sizes,
    json_values,
)
from tinytorch_board.board.ci.decide import (
    FIRST_TIME_ASSOCIATIONS,
    REPORT_VERSION,
    BoardFacts,
    Finding,
    check_pr,
    intake_issue,
    verify_withdrawal,
)
from tinytorch_board.board.ci.history import BoardHistory
from tinytorch_board.board.config import AutomationConfig, load_config
from tinytorch_board.errors import BoardError, ConfigError, DataFileError
from tinytorch_board.jsonio import read_json
from tinytorch_board.release import describe
from tinytorch_board.submission import MAX_FILE_BYTES

MAX_TEXT_BYTES = 1024 * 1024  # issue and pull request bodies are at most 65,536 characters


def read_text_input(path: str) -> str:
    """A file's text, or standard input for "-" (bounded; undecodable bytes replaced)."""
    import sys

    if path == "-":
        raw = sys.stdin.buffer.read(MAX_TEXT_BYTES + 1)
    else:
        try:
            with open(path, "rb") as handle:
                raw = handle.read(MAX_TEXT_BYTES + 1)
        except OSError as exc:
            raise DataFileError(path, f"cannot read ({exc.strerror})") from None
    if len(raw) > MAX_TEXT_BYTES:
        raise DataFileError(path, f"larger than {MAX_TEXT_BYTES} bytes; not a GitHub body")
    return raw.decode("utf-8", "replace")


def _api_listing(files_json: Path) -> list[ChangedFile]:
    return api_files(read_text_input(str(files_json)), str(files_json))


def _git_side(repo: Path, base: str, head: str):
    git = GitRepo(repo)
    base_sha, head_sha = git.commit(base), git.commit(head)
    merge_base = git.merge_base(base_sha, head_sha)
    return git, head_sha, merge_base, git.changes(merge_base, head_sha)


def board_facts(board_dir: Path) -> BoardFacts:
    """The base branch's history as the rules consume it (BoardError when incomplete)."""
    history = BoardHistory.open(board_dir)

    def owners(participant_id: str) -> list[str | None]:
        return list(history.adders(history.participant_files(participant_id)).values())

    return BoardFacts(withdrawn=history.withdrawn, owners=owners)


def _disagreement(git_files: list[ChangedFile], api: list[ChangedFile]) -> Finding | None:
    ours = set().union(*(f.touched() for f in git_files)) if git_files else set()
    theirs = set().union(*(f.touched() for f in api)) if api else set()
    if ours == theirs:
        return None
    return Finding(
        "mismatch",
        None,
        f"GitHub lists {len(theirs)} changed path(s) but git finds {len(ours)}; "
        "the pull request changed while it was checked",
    )


def _automation(board_dir: Path) -> tuple[AutomationConfig, Finding | None]:
    """The base branch's automation settings, or the defaults and a finding if board.yaml is
    broken (the pull request is then refused with a comment saying so, never merged)."""
    try:
        return load_config(board_dir).automation, None
    except ConfigError as exc:
        return AutomationConfig(), Finding("board-config", None, str(exc))


def check_pull_request(
    *,
    repo: Path | None,
    base: str | None,
    head: str | None,
    files_json: Path | None,
    blobs_dir: Path | None,
    board_dir: Path,
    author: str | None,
    now: datetime | None = None,
    association: str | None = None,
    recent_prs: int | None = None,
) -> dict:
    """The report for `ci check-pr`: git decides when given, the API listing otherwise."""
    automation, broken = _automation(board_dir)
    board = board_facts(board_dir)
    extra: dict = {"author": author, "release": describe()}
    if repo is not None:
        if not base or not head:
            raise BoardError("with --repo, pass both --base and --head (commit SHAs)")
        git, head_sha, merge_base, files = _git_side(repo, base, head)
        check = check_pr(files, git.read_blob, automation, author, now, board, recent_prs)
        if files_json is not None:
            mismatch = _disagreement(files, _api_listing(files_json))
            if mismatch:
                check.findings.append(mismatch)
        extra.update(head=head_sha, merge_base=merge_base, validator=git.commit("HEAD"))
    elif files_json is not None:
        files = _api_listing(files_json)
        reader = None
        if blobs_dir is not None:
            files = blob_dir_sizes(blobs_dir, files)
            reader = blob_dir_reader(blobs_dir)
        check = check_pr(files, reader, automation, author, now, board, recent_prs)
        extra.update(head=head)
    else:
        raise BoardError("pass --repo DIR --base SHA --head SHA, or --files FILE")
    if broken is not None:
        check.findings.insert(0, broken)
    held = (
        automation.hold_first_time_contributors
        and (association or "").upper() in FIRST_TIME_ASSOCIATIONS
        and not automation.is_batch_author(author)
    )
    return check.as_dict(
        **extra, held=held, auto_merge=automation.auto_merge and check.ok and not held
    )


def check_withdrawal(
    *,
    repo: Path | None,
    base: str | None,
    head: str | None,
    files_json: Path | None,
    board_dir: Path,
    body: str,
    association: str | None = None,
) -> dict:
    """The report for `ci verify-withdrawal`."""
    automation, broken = _automation(board_dir)
    extra: dict = {"release": describe()}
    if repo is not None:
        if not base or not head:
            raise BoardError("with --repo, pass both --base and --head (commit SHAs)")
        git, head_sha, merge_base, files = _git_side(repo, base, head)

        def read_old(f: ChangedFile) -> bytes | None:
            return git.read_blob(f.old_blob, MAX_FILE_BYTES + 1) if f.old_blob else None

        check = verify_withdrawal(files, read_old, body, association)
        if files_json is not None and check.applies:
            mismatch = _disagreement(files, _api_listing(files_json))
            if mismatch:
                check.findings.append(mismatch)
        extra.update(head=head_sha, merge_base=merge_base, validator=git.commit("HEAD"))
    elif files_json is not None:
        files = _api_listing(files_json)

        def read_old(f: ChangedFile) -> bytes | None:
            # The base branch's copy, from the base checkout: never a link, never big.
            path = Path(board_dir) / f.path
            if path.is_symlink() or not path.is_file():
                return None
            with path.open("rb") as handle:
                return handle.read(MAX_FILE_BYTES + 1)

        check = verify_withdrawal(files, read_old, body, association)
        extra.update(head=head)
    else:
        raise BoardError("pass --repo DIR --base SHA --head SHA, or --files FILE")
    if broken is not None and check.applies:
        check.findings.insert(0, broken)
    return check.as_dict(**extra, auto_merge=automation.auto_merge_withdrawals and check.ok)


def intake(
    body: str, board_dir: Path, author: str | None = None, now: datetime | None = None
) -> tuple[dict, str | None]:
    """The report for `ci intake` and the canonical file text when the submission is valid."""
    board_dir = Path(board_dir)
    board = board_facts(board_dir)

    def exists(relative: str) -> bool:
        path = board_dir / relative
        return path.exists() or path.is_symlink()

    result = intake_issue(body, exists, now, author, board)
    return result.as_dict(author=author, release=describe()), result.content


def load_report(path: Path) -> dict:
    report = read_json(path)
    if report.get("report_version") != REPORT_VERSION or report.get("report") not in (
        "pull-request",
        "withdrawal",
        "intake",
    ):
        raise DataFileError(path, "not a report written by `tinytorch-board ci` of this version")
    return report


def load_distribution(source: str | None) -> dict | None:
    """api/distribution.json from a file, a built site, a board or a URL; None if absent."""
    if not source:
        return None
    path = Path(source)
    if path.is_file():
        return read_json(path)
    if "://" not in source and not path.exists():
        raise DataFileError(source, "no such file or folder; pass a built site, a board or a URL")
    from tinytorch_board.fetch import fetch_json

    try:
        return fetch_json(source, "api/distribution.json").data
    except BoardError:
        return None


def render_comment(report: dict, distribution: dict | None, pr_url: str | None = None) -> str:
    if report["report"] == "pull-request":
        return comments.pr_comment(report, distribution, bool(report.get("auto_merge")))
    if report["report"] == "withdrawal":
        return comments.withdrawal_comment(report, bool(report.get("auto_merge")))
    return comments.intake_comment(report, pr_url)


def find_comment(comments_json: Path, marker: str) -> int | None:
    values = json_values(read_text_input(str(comments_json)), str(comments_json))
    items: list = []
    for value in values:
        items.extend(value if isinstance(value, list) else [value])
    return comments.comment_to_update(items, marker)
