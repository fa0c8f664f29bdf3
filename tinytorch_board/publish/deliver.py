"""Send a prepared submission (or a withdrawal) where it goes, keeping the outbox in step.

The outbox record is written before anything leaves the machine, and moved to `sent`
or `failed` (with the reason) afterwards, so a dropped connection loses nothing and
`submit --retry` can finish the job. PyGithub is imported only when GitHub is used.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tinytorch_board.errors import BoardError
from tinytorch_board.jsonio import dumps, read_json
from tinytorch_board.publish import outbox
from tinytorch_board.publish.local_board import write_to_board
from tinytorch_board.publish.texts import Change, submission_change, withdrawal_change
from tinytorch_board.submission.builder import Prepared, withdraw_key_hash

DEFAULT_API_URL = "https://api.github.com"
FROM_COMMAND_LINE = "--api-url"
FROM_CONFIG = "board.api_url in .tinytorch/config.json"
FROM_OUTBOX = "the outbox record in .tinytorch/outbox"
REPO_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")


@dataclass(frozen=True)
class Target:
    """Where a submission goes: a local board directory, a GitHub board, or the web route."""

    type: str  # "local", "github" or "web"
    board_dir: str | None = None
    repo: str | None = None
    api_url: str = DEFAULT_API_URL
    # Who named api_url: "default", FROM_COMMAND_LINE, or a file (config, outbox). A host
    # named by a file (a cloned project can carry one) gets the token only once confirmed.
    api_url_from: str = field(default="default", compare=False)

    @property
    def token_host(self) -> str:
        """The host that receives the token (host:port when a port is given)."""
        return urlsplit(self.api_url).netloc.lower()

    @property
    def host_needs_confirmation(self) -> bool:
        return self.api_url != DEFAULT_API_URL and self.api_url_from != FROM_COMMAND_LINE

    def confirmed_by(self, api_url_option: str | None) -> Target:
        """This target with its host confirmed when --api-url names the same URL."""
        if api_url_option and api_url_option.rstrip("/") == self.api_url:
            return Target(self.type, self.board_dir, self.repo, self.api_url, FROM_COMMAND_LINE)
        return self

    def as_dict(self) -> dict:
        if self.type == "local":
            return {"type": "local", "board_dir": self.board_dir}
        return {"type": self.type, "repo": self.repo, "api_url": self.api_url}

    @classmethod
    def from_dict(cls, data: object) -> Target | None:
        if not isinstance(data, dict) or data.get("type") not in ("local", "github", "web"):
            return None
        api_url = data.get("api_url") or DEFAULT_API_URL
        if not isinstance(api_url, str):
            return None
        return cls(
            data["type"],
            board_dir=data.get("board_dir"),
            repo=data.get("repo"),
            api_url=api_url.rstrip("/"),
            api_url_from="default" if api_url == DEFAULT_API_URL else FROM_OUTBOX,
        )


def check_repo_name(repo: str) -> str:
    repo = repo.strip()
    if not REPO_NAME.match(repo):
        raise BoardError(f"{repo!r} is not a GitHub repository; use OWNER/NAME")
    return repo


def check_api_url(api_url: str, named_by: str) -> str:
    """An API URL a token may go to: https, or plain http to this machine (tests, proxies)."""
    api_url = api_url.rstrip("/")
    parts = urlsplit(api_url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise BoardError(f"{named_by} {api_url!r} must be an https:// URL")
    if parts.username or parts.password:
        raise BoardError(f"{named_by} {api_url!r} must not carry a user name or password")
    if parts.scheme == "http" and not _is_loopback(host):
        raise BoardError(
            f"{named_by} {api_url!r} uses plain http, which would expose your token; "
            "use https:// (plain http is allowed only for this machine)"
        )
    return api_url


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def choose_target(
    config: dict,
    board_dir: Path | None = None,
    repo: str | None = None,
    api_url: str | None = None,
    web: bool = False,
    api_url_from: str = FROM_COMMAND_LINE,
) -> Target | None:
    """--to wins (local); else --repo or board.repo (GitHub, or the web route with --web).

    The API URL is `api_url` (named by `api_url_from`), else board.api_url from the
    config (which the student must confirm before a token goes there), else GitHub.
    """
    if board_dir is not None and (repo or web):
        raise BoardError("--to writes to a local board; drop it to use --repo or --web")
    if board_dir is not None:
        return Target("local", board_dir=str(board_dir))
    section = config.get("board") if isinstance(config.get("board"), dict) else {}
    repo = repo or section.get("repo")
    if api_url:
        named_by = api_url_from
    elif section.get("api_url"):
        api_url, named_by = section["api_url"], FROM_CONFIG
    else:
        api_url, named_by = DEFAULT_API_URL, "default"
    if not isinstance(api_url, str):
        raise BoardError(f"{named_by} must be a URL")
    api = check_api_url(api_url, named_by)
    if api == DEFAULT_API_URL:
        named_by = "default"
    if repo:
        kind = "web" if web else "github"
        return Target(kind, repo=check_repo_name(repo), api_url=api, api_url_from=named_by)
    if web:
        raise BoardError(
            "--web needs a board repository: pass --repo OWNER/NAME or set board.repo in "
            ".tinytorch/config.json"
        )
    return None


# -- sending -------------------------------------------------------------------------------


def keep_for_sending(
    outbox_dir: Path, prepared: Prepared, result_file: str, target: Target
) -> dict:
    """Write the outbox record with its destination, before anything leaves the machine.

    A record --dry-run kept for these very bytes gets its destination (its history
    stays); otherwise a new record is written.
    """
    path = outbox.record_path(outbox_dir, prepared.submission_id)
    if path.exists():
        try:
            record = outbox.load_record(path)
        except BoardError:
            record = None
        if record and record["submission"] == prepared.document:
            return outbox.set_target(outbox_dir, prepared.submission_id, target.as_dict())
    return outbox.save_prepared(outbox_dir, prepared, result_file, target.as_dict())


def send_local(outbox_dir: Path, prepared: Prepared, result_file: str, board_dir: Path) -> Path:
    # The record keeps the absolute path, so retry and withdraw work from anywhere.
    target = Target("local", board_dir=str(Path(board_dir).resolve()))
    keep_for_sending(outbox_dir, prepared, result_file, target)
    return _deliver_local(outbox_dir, prepared.submission_id, prepared.document, board_dir)


def switch_local(
    outbox_dir: Path, anonymous: dict, prepared: Prepared, result_file: str, board_dir: Path
) -> tuple[Path, Path]:
    """Make a result public on a local board: withdraw its anonymous file, add the public one.

    Returns (withdrawn path, new path). The public record is kept before the anonymous
    file goes, so nothing is lost if the second step fails (--retry writes it).
    """
    target = Target("local", board_dir=str(Path(board_dir).resolve()))
    keep_for_sending(outbox_dir, prepared, result_file, target)
    withdrawn = withdraw_local(outbox_dir, anonymous, board_dir)
    path = _deliver_local(outbox_dir, prepared.submission_id, prepared.document, board_dir)
    return withdrawn, path


def _deliver_local(outbox_dir: Path, submission_id: str, document: dict, board_dir: Path) -> Path:
    relative = f"submissions/{submission_id[:2]}/{submission_id}.json"
    existing = Path(board_dir) / relative
    try:
        if existing.exists() and existing.read_text(encoding="utf-8") == dumps(document):
            path = existing  # written by an earlier attempt
        else:
            path = write_to_board(Path(board_dir), relative, document)
    except (BoardError, OSError) as exc:
        outbox.mark_failed(outbox_dir, submission_id, str(exc), "writing to the board")
        raise BoardError(str(exc)) from None
    outbox.update_status(
        outbox_dir, submission_id, "sent", destination={"type": "local", "path": str(path)}
    )
    return path


def send_github(
    outbox_dir: Path,
    prepared: Prepared,
    result_file: str,
    board,
    target: Target,
    progress: Callable[[str], None] = lambda message: None,
):
    """Keep the submission in the outbox, then open its pull request on the board."""
    keep_for_sending(outbox_dir, prepared, result_file, target)
    text = dumps(prepared.document)
    change = submission_change(prepared.document, prepared.relative_path, text)
    return _deliver_github(outbox_dir, prepared.submission_id, change, board, progress)


def _deliver_github(outbox_dir: Path, submission_id: str, change: Change, board, progress):
    try:
        opened = board.open_pull_request(change, progress)
    except BoardError as exc:
        outbox.mark_failed(outbox_dir, submission_id, str(exc), getattr(exc, "step", None))
        raise
    outbox.update_status(
        outbox_dir,
        submission_id,
        "sent",
        destination={"type": "github", **opened.as_dict()},
    )
    return opened


def save_for_web(outbox_dir: Path, prepared: Prepared, result_file: str, target: Target) -> dict:
    """The web route sends nothing itself; keep the record (and its withdrawal secret)."""
    return outbox.save_prepared(outbox_dir, prepared, result_file, target.as_dict())


# -- retry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retried:
    submission_id: str
    status: str  # "sent" or "failed"
    detail: str  # the PR URL or file path, or the reason it failed

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def retry_outbox(
    outbox_dir: Path,
    connect_board: Callable[[Target], object],
    progress: Callable[[str], None] = lambda message: None,
) -> tuple[list[Retried], list[str]]:
    """Resend every failed (or interrupted) submission; (results, warnings about records)."""
    records, warnings = outbox.list_records(outbox_dir)
    boards: dict[tuple[str, str], object] = {}
    results = []
    for record in outbox.to_retry(records):
        sid = record["submission_id"]
        target = Target.from_dict(record.get("target"))
        progress(f"resending {sid[:8]} to {target.board_dir or target.repo}")
        try:
            if target.type == "local":
                path = _deliver_local(outbox_dir, sid, record["submission"], Path(target.board_dir))
                results.append(Retried(sid, "sent", str(path)))
                continue
            key = (target.repo, target.api_url)
            if key not in boards:
                boards[key] = connect_board(target)
            relative = f"submissions/{sid[:2]}/{sid}.json"
            change = submission_change(record["submission"], relative, dumps(record["submission"]))
            opened = _deliver_github(outbox_dir, sid, change, boards[key], progress)
            results.append(Retried(sid, "sent", opened.url))
        except BoardError as exc:
            if outbox.find_record(outbox_dir, sid)["status"] != "failed":
                outbox.mark_failed(outbox_dir, sid, str(exc), getattr(exc, "step", None))
            results.append(Retried(sid, "failed", str(exc)))
    return results, warnings


# -- withdrawal ----------------------------------------------------------------------------


def withdrawal_plan(record: dict) -> Change:
    """The pull request that withdraws a record's submission (checks the secret first)."""
    sid = record["submission_id"]
    secret = record.get("withdraw_secret")
    expected = record["submission"].get("withdraw_key_sha256")
    if not isinstance(secret, str) or not re.fullmatch(r"[0-9a-f]{64}", secret):
        raise BoardError(f"the outbox record of {sid} has no usable withdrawal secret")
    if withdraw_key_hash(secret) != expected:
        raise BoardError(f"the outbox secret of {sid} does not match the file's withdraw key")
    return withdrawal_change(sid, f"submissions/{sid[:2]}/{sid}.json", secret)


def withdraw_local(outbox_dir: Path, record: dict, board_dir: Path) -> Path:
    """Delete the file from a local board, after checking it is this submission."""
    change = withdrawal_plan(record)
    path = Path(board_dir) / change.path
    if not path.exists():
        raise BoardError(f"{path} does not exist; nothing to withdraw")
    document = read_json(path)
    if document.get("withdraw_key_sha256") != record["submission"]["withdraw_key_sha256"]:
        raise BoardError(f"{path} is not the submission this outbox record sent; left it alone")
    path.unlink()
    outbox.update_status(
        outbox_dir,
        record["submission_id"],
        "withdrawn",
        withdrawal={"type": "local", "path": str(path)},
    )
    return path


def withdraw_github(outbox_dir: Path, record: dict, board, progress=lambda message: None):
    change = withdrawal_plan(record)
    opened = board.open_pull_request(change, progress)
    outbox.update_status(
        outbox_dir,
        record["submission_id"],
        "withdrawn",
        withdrawal={"type": "github", **opened.as_dict()},
    )
    return opened
