"""Open submission and withdrawal pull requests on a GitHub board.

This is the only module that imports PyGithub. Every step is idempotent, so running the
same change again after a failure finishes the job instead of duplicating it:

1. read the board repository and the token's user;
2. an open or merged pull request for our branch already exists -> report it;
3. without push access, fork the board (GitHub returns the existing fork if there is
   one; forking is asynchronous, so wait for the fork's branch with backoff);
4. create the branch from the board's current default branch head (forks share git
   objects with their parent, so even an old fork gets an up-to-date branch), reusing
   it when an earlier attempt created it;
5. add (or delete) exactly one file, with a neutral commit author and committer;
6. open the pull request, or report the one GitHub says already exists.

Every failure becomes a `GithubBoardError`: one line, what went wrong, what to do next.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlparse

import requests
from github import Auth, Github, GithubException, GithubRetry, InputGitAuthor, Requester
from github.GithubException import (
    BadCredentialsException,
    RateLimitExceededExceedsMaxWait,
    RateLimitExceededException,
    UnknownObjectException,
)

from tinytorch_board import __version__
from tinytorch_board.errors import BoardError
from tinytorch_board.publish.texts import NEUTRAL_EMAIL, NEUTRAL_NAME, Change

DEFAULT_API_URL = "https://api.github.com"
TOKEN_ENV_VARS = ("TINYTORCH_BOARD_TOKEN", "GH_TOKEN", "GITHUB_TOKEN")
SUBMIT_RETRY = "then run `tinytorch-board submit --retry`"


class GithubBoardError(BoardError):
    """A step on GitHub failed; the message says which, why, and what to do next."""

    def __init__(self, message: str, step: str | None = None, status: int | None = None):
        super().__init__(message)
        self.step = step
        self.status = status


class _BoundedRetry(GithubRetry):
    """GithubRetry that never sleeps a Retry-After longer than max_rate_limit_wait.

    urllib3 honours Retry-After (429, 503, GitHub's secondary limits) without a cap, so a
    "Retry-After: 3600" would block for an hour; beyond the cap we stop and say when to retry.
    """

    def get_retry_after(self, response):
        seconds = super().get_retry_after(response)
        limit = self.max_rate_limit_wait
        if seconds is not None and limit is not None and seconds > limit:
            headers = dict(response.headers)
            raise RateLimitExceededExceedsMaxWait(
                response.status,
                {"message": "Retry-After exceeds the wait limit"},
                headers,
                wait=seconds,
            )
        return seconds


# -- bounded transfers ------------------------------------------------------------------------

MAX_RESPONSE_BYTES = 8 * 1024 * 1024  # our answers are a file of a few KB or a short list


class ResponseTooLarge(requests.exceptions.RequestException):
    """An answer larger than MAX_RESPONSE_BYTES (refused before it fills memory)."""


class TransferDeadline(requests.exceptions.Timeout):
    """An answer that did not arrive in full within its deadline (a dripping server)."""


class NetworkBudget:
    """Seconds of HTTP exchanges one command may spend with the API, all requests together.

    Each request is bounded on its own (BoundedAdapter); this bounds their sum, so a
    server that answers every request just inside its deadline still cannot hold a
    command for long. Deliberate waits (a new fork, write pacing) are not counted: they
    have their own limits. One budget per process; a Board starts it.
    """

    def __init__(self) -> None:
        self.seconds: float | None = None
        self.spent = 0.0
        self.repeated_202 = 0
        self._lock = threading.Lock()

    def start(self, seconds: float | None) -> None:
        with self._lock:
            self.seconds, self.spent, self.repeated_202 = seconds, 0.0, 0

    def remaining(self) -> float | None:
        with self._lock:
            return None if self.seconds is None else max(0.0, self.seconds - self.spent)

    def add(self, seconds: float) -> None:
        with self._lock:
            self.spent += seconds


BUDGET = NetworkBudget()
# PyGithub repeats a GET answered 202 ("still processing") after 2 s, without end;
# GitHub answers 202 to a GET only briefly (statistics being computed), never to ours.
MAX_REPEATED_202 = 3


class BoundedAdapter(requests.adapters.HTTPAdapter):
    """An HTTPAdapter whose every request, retries included, ends by one deadline.

    requests' timeout is per socket read, so a server sending a byte a second never trips
    it; here the whole exchange (connect, retries, headers, body) runs in a worker thread
    that the caller stops waiting for at the deadline, and the body is read in chunks up
    to MAX_RESPONSE_BYTES instead of all at once.
    """

    def __init__(self, deadline: float, max_bytes: int = MAX_RESPONSE_BYTES, **kwargs) -> None:
        super().__init__(**kwargs)
        self.deadline = deadline
        self.max_bytes = max_bytes

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        remaining = BUDGET.remaining()
        over_budget = TransferDeadline(
            f"took more than {BUDGET.seconds:g} s of transfers in all for this command"
        )
        if remaining is not None and remaining <= 0:
            raise over_budget
        by_budget = remaining is not None and remaining < self.deadline
        deadline = remaining if by_budget else self.deadline
        started = time.monotonic()
        try:
            response = self._send_by(deadline, request, timeout, verify, cert, proxies)
        except TransferDeadline:
            if by_budget:
                raise over_budget from None
            raise
        finally:
            BUDGET.add(time.monotonic() - started)
        if response.status_code == 202 and request.method in ("GET", "HEAD"):
            BUDGET.repeated_202 += 1
            if BUDGET.repeated_202 > MAX_REPEATED_202:
                raise TransferDeadline(f"answered 202 (still processing) {MAX_REPEATED_202} times")
        else:
            BUDGET.repeated_202 = 0
        return response

    def _send_by(self, deadline: float, request, timeout, verify, cert, proxies):
        outcome: dict[str, object] = {}
        stop = threading.Event()

        def exchange() -> None:
            try:
                response = requests.adapters.HTTPAdapter.send(
                    self, request, True, timeout, verify, cert, proxies
                )
                outcome["response"] = self._read_body(response, stop)
            except BaseException as exc:  # handed to the caller's thread
                outcome["error"] = exc

        worker = threading.Thread(target=exchange, name="tinytorch-board-github", daemon=True)
        worker.start()
        worker.join(deadline)
        if worker.is_alive():
            stop.set()
            raise TransferDeadline(f"did not answer within {deadline:g} s")
        if "error" in outcome:
            raise outcome["error"]  # type: ignore[misc]
        return outcome["response"]

    def _read_body(self, response, stop: threading.Event):
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            response.close()
            raise ResponseTooLarge(f"an answer of {declared} bytes (at most {self.max_bytes})")
        parts, size = [], 0
        for chunk in response.raw.stream(64 * 1024, decode_content=True):
            if stop.is_set():
                response.close()
                raise TransferDeadline("stopped at the deadline")
            size += len(chunk)
            if size > self.max_bytes:
                response.close()
                raise ResponseTooLarge(f"an answer larger than {self.max_bytes} bytes")
            parts.append(chunk)
        response._content = b"".join(parts)
        response._content_consumed = True
        return response


def _request_deadline(timeout: float | None, retry: object) -> float:
    """How long one request may take in all, retries included: twice its timeout when it
    may be retried (room for one retry after an answer lost to a timeout), else once.

    Fast failures (a 502, a dropped connection) can use every retry within that; a
    server that drips uses up the deadline, so a command is not held for minutes.
    """
    retries = getattr(retry, "total", 0) or 0
    return float(timeout or 10) * (2 if retries > 0 else 1)


def _bounded(connection_class: type) -> type:
    class Bounded(connection_class):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.adapter = BoundedAdapter(
                _request_deadline(self.timeout, self.retry),
                max_retries=self.retry,
                pool_connections=self.pool_size,
                pool_maxsize=self.pool_size,
            )
            self.session.mount(f"{self.protocol}://", self.adapter)

    Bounded.__name__ = f"Bounded{connection_class.__name__}"
    return Bounded


# PyGithub builds its requests session inside these connection classes; every Github
# client in this process (this is the only module that makes one) uses the bounded ones.
# injectConnectionClasses() would also turn off connection reuse, so set them directly.
Requester.Requester._Requester__httpConnectionClass = _bounded(
    Requester.HTTPRequestsConnectionClass
)
Requester.Requester._Requester__httpsConnectionClass = _bounded(
    Requester.HTTPSRequestsConnectionClass
)


@dataclass(frozen=True)
class Limits:
    """How long we are willing to wait; nothing blocks longer than these bounds."""

    timeout: int = 10  # seconds per attempt of an HTTP request, body included (an int for PyGithub)
    retries: int = 2  # retries of a request on 5xx, a dropped connection or a timeout
    backoff_factor: float = 1.0  # urllib3 backoff between those retries
    backoff_max: float = 8.0
    max_rate_limit_wait: float = 30.0  # wait for a rate-limit reset at most this long
    fork_wait: float = 60.0  # how long a new fork may take to become usable
    fork_poll: float = 1.0  # first pause between fork checks (doubles, at most 8 s)
    seconds_between_writes: float = 1.0  # GitHub asks integrators to pace writes
    network_budget: float = 30.0  # seconds of transfers per command, all requests together

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """Defaults, overridden by TINYTORCH_BOARD_{TIMEOUT,RETRIES,FORK_WAIT,WRITE_INTERVAL,
        NETWORK_BUDGET}."""
        environ = os.environ if environ is None else environ
        values: dict[str, float | int] = {}
        for name, field, kind in (
            ("TINYTORCH_BOARD_TIMEOUT", "timeout", int),
            ("TINYTORCH_BOARD_RETRIES", "retries", int),
            ("TINYTORCH_BOARD_FORK_WAIT", "fork_wait", float),
            ("TINYTORCH_BOARD_WRITE_INTERVAL", "seconds_between_writes", float),
            ("TINYTORCH_BOARD_NETWORK_BUDGET", "network_budget", float),
        ):
            raw = environ.get(name)
            if raw in (None, ""):
                continue
            try:
                value = kind(raw)
            except ValueError:
                raise BoardError(f"{name}={raw!r} is not a number; unset it or fix it") from None
            if value < 0 or (field == "timeout" and value < 1):
                raise BoardError(f"{name}={raw!r} is out of range; unset it or use a larger value")
            values[field] = value
        return cls(**values)

    def retry(self) -> GithubRetry:
        return _BoundedRetry(
            total=self.retries,
            backoff_factor=self.backoff_factor,
            backoff_max=self.backoff_max,
            max_rate_limit_wait=self.max_rate_limit_wait,
            secondary_rate_wait=min(20.0, self.max_rate_limit_wait),
        )


@dataclass(frozen=True)
class Opened:
    """The pull request that carries a change (new or found again)."""

    url: str
    number: int
    repo: str  # the board, OWNER/NAME
    head: str  # OWNER:BRANCH the pull request comes from
    base: str
    via_fork: bool
    reused: bool  # it already existed (a re-run after a failure)
    state: str  # open, closed, merged

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def resolve_token(
    explicit: str | None,
    environ: Mapping[str, str] | None = None,
    api_url: str = DEFAULT_API_URL,
    gh_timeout: float = 5.0,
) -> tuple[str | None, str]:
    """The token and where it came from: --token, the environment, then `gh auth token`."""
    environ = os.environ if environ is None else environ
    if explicit:
        return explicit.strip(), "--token"
    for name in TOKEN_ENV_VARS:
        value = environ.get(name, "").strip()
        if value:
            return value, name
    gh = shutil.which("gh", path=environ.get("PATH"))
    if gh:
        command = [gh, "auth", "token"]
        host = urlparse(api_url).hostname or ""
        if host not in ("api.github.com", "github.com"):
            command += ["--hostname", host]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=gh_timeout, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return None, "gh"
        token = done.stdout.strip()
        if done.returncode == 0 and token and "\n" not in token:
            return token, "gh auth token"
    return None, ""


def _reset_text(headers: Mapping[str, str] | None) -> str:
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    retry_after = headers.get("retry-after", "")
    if retry_after.isdigit():
        return f"wait {int(retry_after)} s"
    reset = headers.get("x-ratelimit-reset", "")
    if reset.isdigit():
        moment = datetime.fromtimestamp(int(reset), timezone.utc)
        minutes = max(0, round((moment - datetime.now(timezone.utc)).total_seconds() / 60))
        return f"it resets at {moment:%H:%M} UTC (in about {minutes} min)"
    return "wait a few minutes"


def _github_message(exc: GithubException) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    parts = [str(data.get("message") or exc.message or "").strip()]
    for error in data.get("errors") or []:
        if isinstance(error, dict) and error.get("message"):
            parts.append(str(error["message"]).strip())
        elif isinstance(error, str):
            parts.append(error.strip())
    text = "; ".join(p for p in parts if p)
    text = " ".join(text.split())  # one line, even when GitHub sends several
    return text[:300] or "no message"


def describe_failure(
    exc: BaseException, step: str, api_url: str, limits: Limits, hint: str = SUBMIT_RETRY
) -> str:
    """One line for any exception PyGithub or requests raise during `step`."""
    if isinstance(exc, RateLimitExceededExceedsMaxWait) or (
        isinstance(exc, GithubException) and exc.status == 429
    ):
        return f"GitHub rate limit reached while {step}; {_reset_text(exc.headers)}, {hint}"
    if isinstance(exc, RateLimitExceededException):
        return f"GitHub rate limit reached while {step}; {_reset_text(exc.headers)}, {hint}"
    if isinstance(exc, BadCredentialsException) or (
        isinstance(exc, GithubException) and exc.status == 401
    ):
        return (
            "GitHub rejected the token (401 Bad credentials); create a new token or run "
            f"`gh auth login`, {hint}"
        )
    if isinstance(exc, GithubException):
        message = _github_message(exc)
        if exc.status == 403:
            return (
                f"GitHub refused {step} (403: {message}); the token needs the public_repo scope "
                "(classic) or Contents and Pull requests write access (fine-grained), "
                f"{hint}"
            )
        if exc.status == 404:
            return (
                f"GitHub found nothing while {step} (404: {message}); check the board "
                "repository name (--repo or board.repo) and that your token can see it"
            )
        if exc.status == 422:
            return f"GitHub refused {step} (422: {message})"
        if exc.status >= 500:
            return (
                f"GitHub had a server error while {step} ({exc.status}: {message}); "
                f"wait a little, {hint}"
            )
        return f"GitHub answered {exc.status} while {step} ({message})"
    if isinstance(exc, ResponseTooLarge):
        return (
            f"{api_url} sent {exc} while {step}; that is not GitHub's answer: check "
            f"--api-url, {hint}"
        )
    if isinstance(exc, requests.exceptions.RetryError):
        return (
            f"GitHub kept answering with server errors while {step} "
            f"(gave up after {limits.retries} retries); wait a little, {hint}"
        )
    text = str(exc)
    if isinstance(exc, TransferDeadline):
        return f"GitHub {exc} while {step}; check your network or --api-url, {hint}"
    if isinstance(exc, requests.exceptions.Timeout) or "timed out" in text.lower():
        return (
            f"GitHub did not answer within {limits.timeout} s while {step}; check your "
            f"network, {hint}"
        )
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = "connection refused" if "refused" in text.lower() else "cannot connect"
        return (
            f"cannot reach {api_url} while {step} ({reason}); check your network or "
            f"--api-url, {hint}"
        )
    return (
        f"unexpected answer from {api_url} while {step} ({type(exc).__name__}: {text[:200]}); "
        f"check --api-url, {hint}"
    )


def _pull_state(pull) -> str:
    # List responses carry merged_at but not merged; reading `merged` would cost a GET.
    return "merged" if pull.merged_at is not None else pull.state


# PyGithub asserts that answers point at the configured host and raises RuntimeError on
# odd redirects: both mean a wrong --api-url or a proxy in the way, not a bug to trace.
_NETWORK_ERRORS = (
    GithubException,
    requests.exceptions.RequestException,
    AssertionError,
    RuntimeError,
)


class Board:
    """A connection to one board repository, as the token's user."""

    def __init__(
        self,
        repo: str,
        token: str,
        api_url: str = DEFAULT_API_URL,
        limits: Limits | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        hint: str = SUBMIT_RETRY,
    ) -> None:
        self.repo_name = repo
        self.hint = hint
        self.api_url = api_url.rstrip("/")
        self.limits = limits or Limits()
        self._sleep = sleep
        self._clock = clock
        BUDGET.start(self.limits.network_budget)
        self._gh = Github(
            auth=Auth.Token(token),
            base_url=self.api_url,
            timeout=self.limits.timeout,
            retry=self.limits.retry(),
            user_agent=f"tinytorch-board/{__version__}",
            seconds_between_requests=None,
            seconds_between_writes=self.limits.seconds_between_writes or None,
        )
        self.board = self._call("reading the board repository", lambda: self._gh.get_repo(repo))
        user = self._gh.get_user()
        self.login: str = self._call("reading your GitHub account", lambda: user.login)
        permissions = self._call("reading your permissions", lambda: self.board.permissions)
        self.can_push = bool(permissions and permissions.push)
        self.default_branch: str = self.board.default_branch

    def close(self) -> None:
        self._gh.close()

    def _call(self, step: str, action: Callable):
        try:
            return action()
        except _NETWORK_ERRORS as exc:
            status = exc.status if isinstance(exc, GithubException) else None
            if status == 404 and step == "reading the board repository":
                raise GithubBoardError(
                    f"board repository {self.repo_name} not found at {self.api_url}; check "
                    "--repo or board.repo (a private board needs a token that can see it)",
                    step,
                    404,
                ) from None
            raise self._failure(exc, step) from None

    def _failure(self, exc: BaseException, step: str) -> GithubBoardError:
        status = exc.status if isinstance(exc, GithubException) else None
        message = describe_failure(exc, step, self.api_url, self.limits, self.hint)
        return GithubBoardError(message, step, status)

    # -- the steps -------------------------------------------------------------------------

    def _find_pull(self, head: str, states: tuple[str, ...]) -> Opened | None:
        pulls = self._call(
            "looking for an existing pull request",
            lambda: list(self.board.get_pulls(state="all", head=head)),
        )
        for pull in pulls:
            state = _pull_state(pull)
            if state in states:
                return self._opened(pull, head, reused=True)
        return None

    def _opened(self, pull, head: str, reused: bool) -> Opened:
        return Opened(
            url=pull.html_url,
            number=pull.number,
            repo=self.board.full_name,
            head=head,
            base=self.default_branch,
            via_fork=not self.can_push,
            reused=reused,
            state=_pull_state(pull),
        )

    def _head_repo(self, progress: Callable[[str], None]):
        if self.can_push:
            return self.board
        progress(f"forking {self.board.full_name} (GitHub reuses your fork if you have one)")
        fork = self._call("forking the board", lambda: self.board.create_fork())
        deadline = self._clock() + self.limits.fork_wait
        pause = self.limits.fork_poll
        while True:
            try:
                fork.get_branch(fork.default_branch)
                return fork
            except GithubException as exc:
                # A fork in progress answers 404 or 409 ("Git Repository is empty").
                if exc.status not in (404, 409):
                    raise self._failure(exc, "waiting for your fork") from None
            except _NETWORK_ERRORS as exc:
                raise self._failure(exc, "waiting for your fork") from None
            if self._clock() + pause > deadline:
                raise GithubBoardError(
                    f"your fork {fork.full_name} is not ready after {self.limits.fork_wait:g} s "
                    f"(GitHub forks in the background); wait a minute, {self.hint}",
                    "waiting for your fork",
                )
            progress(f"waiting {pause:g} s for GitHub to finish the fork")
            self._sleep(pause)
            pause = min(pause * 2, 8.0)

    def _file_on(self, repo, path: str, ref: str):
        """The ContentFile at path on ref, or None."""
        try:
            found = repo.get_contents(path, ref=ref)
        except UnknownObjectException:
            return None
        return None if isinstance(found, list) else found

    def _branch(self, head_repo, change: Change, base_sha: str) -> str:
        """Create the change's branch, or reuse ours from an earlier attempt."""
        for attempt in range(1, 6):
            branch = change.branch if attempt == 1 else f"{change.branch}-{attempt}"
            try:
                head_repo.create_git_ref(f"refs/heads/{branch}", base_sha)
                return branch
            except GithubException as exc:
                message = _github_message(exc).lower()
                if exc.status == 422 and "object does not exist" in message:
                    # The fork cannot see the board's newest commit: start from its own branch.
                    base_sha = head_repo.get_branch(head_repo.default_branch).commit.sha
                    head_repo.create_git_ref(f"refs/heads/{branch}", base_sha)
                    return branch
                if exc.status != 422 or "already exists" not in message:
                    raise
            existing = self._file_on(head_repo, change.path, branch)
            if change.content is None or existing is None:
                return branch  # our own branch from an attempt that stopped halfway
            if existing.decoded_content.decode("utf-8", "replace") == change.content:
                return branch
        raise GithubBoardError(
            f"branches {change.branch} to {change.branch}-5 already exist with other "
            f"content in {head_repo.full_name}; delete them, {self.hint}",
            "creating the branch",
        )

    def _holds(self, head_repo, change: Change, branch: str) -> bool:
        existing = self._file_on(head_repo, change.path, branch)
        return (
            existing is not None
            and existing.decoded_content.decode("utf-8", "replace") == change.content
        )

    def _commit(self, head_repo, change: Change, branch: str) -> None:
        neutral = InputGitAuthor(NEUTRAL_NAME, NEUTRAL_EMAIL)
        existing = self._file_on(head_repo, change.path, branch)
        if change.content is not None:
            if existing is not None:
                if existing.decoded_content.decode("utf-8", "replace") == change.content:
                    return  # committed by an earlier attempt
                raise GithubBoardError(
                    f"{change.path} on branch {branch} holds something else; delete the "
                    f"branch in {head_repo.full_name}, {self.hint}",
                    "adding the file",
                )
            try:
                head_repo.create_file(
                    change.path,
                    change.commit_message,
                    change.content,
                    branch=branch,
                    committer=neutral,
                    author=neutral,
                )
            except GithubException as exc:
                # A retried PUT whose first answer was lost finds its own file ("sha" missing).
                if exc.status not in (409, 422) or not self._holds(head_repo, change, branch):
                    raise
            return
        if existing is None:
            return  # already deleted on this branch
        head_repo.delete_file(
            change.path,
            change.commit_message,
            existing.sha,
            branch=branch,
            committer=neutral,
            author=neutral,
        )

    def open_pull_request(
        self, change: Change, progress: Callable[[str], None] = lambda message: None
    ) -> Opened:
        """Carry out `change` as a pull request against the board's default branch."""
        owner = self.board.owner.login if self.can_push else self.login
        head = f"{owner}:{change.branch}"
        found = self._find_pull(head, ("open", "merged"))
        if found:
            return found
        if (
            change.content is None
            and self._call(
                "checking the file on the board",
                lambda: self._file_on(self.board, change.path, self.default_branch),
            )
            is None
        ):
            raise GithubBoardError(
                f"{change.path} is not on {self.board.full_name} (not merged yet, or already "
                "removed); nothing to withdraw",
                "checking the file on the board",
                404,
            )
        head_repo = self._head_repo(progress)
        owner = head_repo.owner.login
        base_sha = self._call(
            "reading the board's default branch",
            lambda: self.board.get_branch(self.default_branch).commit.sha,
        )
        progress(f"creating branch {change.branch} in {head_repo.full_name}")
        branch = self._call(
            "creating the branch", lambda: self._branch(head_repo, change, base_sha)
        )
        head = f"{owner}:{branch}"
        if branch != change.branch:
            found = self._find_pull(head, ("open", "merged"))
            if found:
                return found
        progress(("adding " if change.content is not None else "deleting ") + change.path)
        self._call(
            "adding the file" if change.content is not None else "deleting the file",
            lambda: self._commit(head_repo, change, branch),
        )
        progress(f"opening the pull request against {self.board.full_name}")
        try:
            pull = self.board.create_pull(
                base=self.default_branch,
                head=head,
                title=change.title,
                body=change.body,
                maintainer_can_modify=head_repo.full_name != self.board.full_name,
            )
        except GithubException as exc:
            if exc.status == 422 and "already exists" in _github_message(exc).lower():
                found = self._find_pull(head, ("open",))
                if found:
                    return found
            raise self._failure(exc, "opening the pull request") from None
        except _NETWORK_ERRORS as exc:
            raise self._failure(exc, "opening the pull request") from None
        return self._opened(pull, head, reused=False)


def connect(
    repo: str,
    token: str,
    api_url: str = DEFAULT_API_URL,
    limits: Limits | None = None,
    sleep: Callable[[float], None] = time.sleep,
    hint: str = SUBMIT_RETRY,
) -> Board:
    """Read the board and the user behind the token (GETs only; nothing is written)."""
    return Board(repo, token, api_url, limits, sleep, hint=hint)
