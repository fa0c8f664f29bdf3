"""The no-token route: GitHub pages, prefilled, where a student proposes a change in the browser.

GitHub's "new file" page takes `filename` and `value` (the content) in the query string;
someone without write access is offered a fork and a pull request by GitHub itself.
Browsers and GitHub refuse very long URLs (414 URI Too Long), so beyond MAX_URL_CHARS we
say so and fall back to the board's issue form, where the JSON is pasted instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlparse

MAX_URL_CHARS = 8000
DEFAULT_BRANCH = "main"  # boards are created from the template repository, whose branch is main
ISSUE_FORM = "submission.yml"  # .github/ISSUE_TEMPLATE/submission.yml in the board repository


def web_root(api_url: str) -> str:
    """https://api.github.com -> https://github.com; https://HOST/api/v3 -> https://HOST."""
    parsed = urlparse(api_url.rstrip("/"))
    host = parsed.netloc
    if host == "api.github.com":
        return "https://github.com"
    if host.startswith("api.") and parsed.path in ("", "/"):
        host = host[len("api.") :]  # GitHub Enterprise Cloud with data residency
    return f"{parsed.scheme}://{host}"


def _repo_url(repo: str, api_url: str) -> str:
    owner, _, name = repo.partition("/")
    return f"{web_root(api_url)}/{quote(owner)}/{quote(name)}"


def new_file_url(
    repo: str, path: str, content: str, api_url: str, branch: str = DEFAULT_BRANCH
) -> str:
    """The prefilled "new file" page for path with content on branch."""
    directory, _, filename = path.rpartition("/")
    query = urlencode({"filename": filename, "value": content}, quote_via=quote)
    return f"{_repo_url(repo, api_url)}/new/{quote(branch)}/{quote(directory)}?{query}"


def delete_file_url(repo: str, path: str, api_url: str, branch: str = DEFAULT_BRANCH) -> str:
    """GitHub's "delete file" page for path (it offers a fork and a pull request)."""
    return f"{_repo_url(repo, api_url)}/delete/{quote(branch)}/{quote(path)}"


def issue_form_url(repo: str, api_url: str, template: str = ISSUE_FORM) -> str:
    return f"{_repo_url(repo, api_url)}/issues/new?{urlencode({'template': template})}"


@dataclass(frozen=True)
class WebRoute:
    """What to show a student without a token: a prefilled URL, or why not and what instead."""

    url: str | None  # the prefilled page; None when it would be too long
    url_chars: int  # the length the prefilled URL has (or would have)
    fallback_url: str  # the issue form, always available
    too_long: bool

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def submission_route(
    repo: str, path: str, content: str, api_url: str, limit: int | None = None
) -> WebRoute:
    url = new_file_url(repo, path, content, api_url)
    too_long = len(url) > (MAX_URL_CHARS if limit is None else limit)
    return WebRoute(
        url=None if too_long else url,
        url_chars=len(url),
        fallback_url=issue_form_url(repo, api_url),
        too_long=too_long,
    )
