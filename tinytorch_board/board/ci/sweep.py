"""The scheduled pass that lands a deadline burst: merge every validated pull request.

GitHub's GITHUB_TOKEN allows about 1,000 REST requests an hour per repository, and
content-creating requests (merges, comments, labels) about 80 a minute and 500 an hour,
answering 403/429 with Retry-After beyond that. One pass therefore:

1. lists the open pull requests, 100 per request (head SHA, author, association, labels);
2. decides each from git objects (`decide`: no REST request) and leaves alone what is not
   a submission or class-file change (withdrawals and other pull requests have their own
   workflows);
3. per pull request: reads its comments once (to edit ours instead of adding one), posts
   or edits the one result comment, and merges a validated one with `sha` pinned to the
   head commit it checked (GitHub refuses the merge if anything was pushed since);
4. paces content-creating requests (`write_interval` seconds apart); a 403/429 rate-limit
   answer with a short Retry-After (up to `max_wait`, within the pass's time budget) is
   waited out and the same step repeated; a longer one stops the pass: that pull request
   stays open, gets the `rate-limited` label when GitHub still allows it, and the next
   scheduled pass finishes it. Every step can be repeated: a comment is edited in place, a
   merged pull request is no longer listed.

REST requests per submission pull request: 1 (comments) + 1 (comment) + 1 (merge), plus
1/100 of a list page; 2 of them content-creating. A refused pull request whose head did not
change since its comment costs 1 read per pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tinytorch_board.board.ci.comment import MARKERS
from tinytorch_board.board.ci.history import author_trailer
from tinytorch_board.errors import BoardError

RATE_LIMITED_LABEL = "rate-limited"
DECIDED_KINDS = ("submission", "class")  # withdrawals and other changes have their own runs
HEAD_MARK = "<!-- tinytorch-board:head {sha} -->"
LOGIN_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


class RateLimited(Exception):
    """GitHub said: not now (403/429 with Retry-After, or the primary limit)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited; retry after {retry_after:.0f} s")
        self.retry_after = retry_after


@dataclass
class Response:
    status: int
    headers: dict
    data: object


Send = Callable[[str, str, dict | None], Response]
"""(method, path relative to the API root, JSON body) -> the answer."""


def rate_limit_wait(response: Response) -> float | None:
    """Seconds GitHub asks us to wait, or None when the answer is not a rate limit."""
    if response.status not in (403, 429):
        return None
    headers = {k.lower(): v for k, v in response.headers.items()}
    if "retry-after" in headers:
        try:
            return max(1.0, float(headers["retry-after"]))
        except ValueError:
            return 60.0
    if headers.get("x-ratelimit-remaining") == "0":
        try:
            return max(1.0, float(headers.get("x-ratelimit-reset", "0")) - time.time())
        except ValueError:
            return 60.0
    message = (
        str((response.data or {}).get("message", "")) if isinstance(response.data, dict) else ""
    )
    if "rate limit" in message.lower():
        return 60.0
    return None


@dataclass
class PassReport:
    merged: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # not submissions or class files
    failed: dict[int, str] = field(default_factory=dict)
    requests: int = 0
    writes: int = 0
    stopped: str | None = None  # why the pass stopped early
    retry_after: float | None = None
    waited: float = 0.0  # seconds spent honouring short Retry-After answers

    def as_dict(self) -> dict:
        return {
            "report": "sweep",
            "merged": self.merged,
            "refused": self.refused,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "failed": {str(k): v for k, v in self.failed.items()},
            "requests": self.requests,
            "content_requests": self.writes,
            "stopped": self.stopped,
            "retry_after": self.retry_after,
            "waited_seconds": self.waited,
        }


class Sweeper:
    """One pass over a board's open pull requests."""

    def __init__(
        self,
        send: Send,
        repo: str,
        decide: Callable[[dict], dict],
        comment: Callable[[dict], str],
        *,
        base: str = "main",
        write_interval: float = 1.0,
        budget_seconds: float = 480.0,
        max_wait: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.send_raw, self.repo, self.decide, self.comment = send, repo, decide, comment
        self.base = base
        self.write_interval, self.budget = write_interval, budget_seconds
        self.max_wait = max_wait
        self.sleep, self.clock = sleep, clock
        self.report = PassReport()
        self._last_write: float | None = None

    def _send(self, method: str, path: str, body: dict | None = None) -> Response:
        write = method != "GET"
        if write and self._last_write is not None:
            wait = self.write_interval - (self.clock() - self._last_write)
            if wait > 0:
                self.sleep(wait)
        self.report.requests += 1
        self.report.writes += write
        answer = self.send_raw(method, path, body)
        if write:
            self._last_write = self.clock()
        wait = rate_limit_wait(answer)
        if wait is not None:
            raise RateLimited(wait)
        return answer

    def open_pulls(self) -> list[dict]:
        pulls, page = [], 1
        while True:
            answer = self._send(
                "GET",
                f"repos/{self.repo}/pulls?state=open&base={self.base}&sort=created"
                f"&direction=asc&per_page=100&page={page}",
            )
            batch = answer.data if isinstance(answer.data, list) else []
            pulls.extend(batch)
            if len(batch) < 100:
                return pulls
            page += 1

    def run(self) -> PassReport:
        started = self.clock()
        try:
            pulls = self.open_pulls()
        except RateLimited as exc:
            self.report.stopped, self.report.retry_after = "rate limited", exc.retry_after
            return self.report
        for pull in pulls:
            while True:
                left = self.budget - (self.clock() - started)
                if left <= 0:
                    self.report.stopped = "time budget"
                    return self.report
                try:
                    self._one(pull)
                    break
                except RateLimited as exc:
                    if exc.retry_after <= min(self.max_wait, left):
                        self.report.waited += exc.retry_after
                        self.sleep(exc.retry_after)  # a short wait: then this same step
                        continue
                    self.report.stopped, self.report.retry_after = "rate limited", exc.retry_after
                    self._label(pull)
                    return self.report
        return self.report

    def _label(self, pull: dict) -> None:
        names = {label.get("name") for label in pull.get("labels", [])}
        if RATE_LIMITED_LABEL in names:
            return
        try:  # best effort: GitHub may refuse this too; the next pass finds the PR anyway
            self.send_raw(
                "POST",
                f"repos/{self.repo}/issues/{pull['number']}/labels",
                {"labels": [RATE_LIMITED_LABEL]},
            )
            self.report.requests += 1
            self.report.writes += 1
        except Exception:  # noqa: BLE001 - a label is informative only
            pass

    def _one(self, pull: dict) -> None:
        number, head = pull["number"], pull["head"]["sha"]
        try:
            report = self.decide(pull)  # git objects only: no REST request
        except BoardError as exc:
            self.report.failed[number] = str(exc)
            return
        if report.get("kind") not in DECIDED_KINDS:
            self.report.skipped.append(number)  # a withdrawal or other change: not ours
            return
        comments = self._send("GET", f"repos/{self.repo}/issues/{number}/comments?per_page=100")
        ours = next(
            (
                c
                for c in (comments.data if isinstance(comments.data, list) else [])
                if str(c.get("body", "")).startswith(MARKERS["validate"])
            ),
            None,
        )
        head_mark = HEAD_MARK.format(sha=head)
        if (
            ours is not None
            and head_mark in str(ours.get("body", ""))
            and "✅" not in str(ours.get("body", ""))
        ):
            self.report.unchanged.append(number)  # refused before, nothing pushed since
            return
        body = self.comment(report) + "\n" + head_mark + "\n"
        if ours is None:
            self._send("POST", f"repos/{self.repo}/issues/{number}/comments", {"body": body})
        elif ours.get("body") != body:
            self._send("PATCH", f"repos/{self.repo}/issues/comments/{ours['id']}", {"body": body})
        if not (report.get("ok") and report.get("auto_merge")):
            self.report.refused.append(number)
            return
        merge = {
            "sha": head,
            "merge_method": "squash",
            "commit_title": f"Add submission (#{number})",
        }
        author = report.get("author")
        if isinstance(author, str) and author and set(author) <= LOGIN_OK:
            merge["commit_message"] = author_trailer(author)
        answer = self._send("PUT", f"repos/{self.repo}/pulls/{number}/merge", merge)
        if answer.status == 200:
            self.report.merged.append(number)
        else:  # 405 not mergeable, 409 head moved: the next pass decides the new head
            message = answer.data.get("message") if isinstance(answer.data, dict) else None
            self.report.failed[number] = f"{answer.status}: {message or 'not merged'}"


def requests_sender(api_url: str, token: str, timeout: float = 30.0) -> Send:
    """A Send over HTTPS with the workflow's token (bounded time per request)."""
    import requests

    session = requests.Session()
    session.headers.update(
        {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
    )
    root = api_url.rstrip("/")

    def send(method: str, path: str, body: dict | None = None) -> Response:
        answer = session.request(method, f"{root}/{path}", json=body, timeout=timeout)
        try:
            data = answer.json() if answer.content else None
        except ValueError:
            data = None
        return Response(answer.status_code, dict(answer.headers), data)

    return send
