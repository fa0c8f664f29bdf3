"""A local, stateful fake of the GitHub REST endpoints tinytorch-board uses (pytest-httpserver).

It answers the way GitHub documents (https://docs.github.com/rest): status codes, JSON
bodies with `message` (and `errors` for 422), 202 for forks, rate-limit headers, and
every URL on the server's own host so PyGithub follows them as it would on github.com.
Git data is modelled for real: commits, trees and blobs live in one object network
shared by a repository and its forks, branches point at commits, pull requests compare
trees, and a commit without an explicit author gets the token owner's name and e-mail
(as GitHub does), so a leak of the student's identity shows up in the fake's commits.

Endpoints covered:
  GET    /user
  GET    /repos/{owner}/{repo}
  POST   /repos/{owner}/{repo}/forks                 202; an existing fork is returned
  GET    /repos/{owner}/{repo}/branches/{branch}     409 while a new fork is not ready
  POST   /repos/{owner}/{repo}/git/refs              422 "Reference already exists"
  GET    /repos/{owner}/{repo}/contents/{path}?ref=
  PUT    /repos/{owner}/{repo}/contents/{path}       create a file (commit on a branch)
  DELETE /repos/{owner}/{repo}/contents/{path}       delete a file (commit on a branch)
  GET    /repos/{owner}/{repo}/pulls?state=&head=&base=
  POST   /repos/{owner}/{repo}/pulls                 422 "A pull request already exists"
Anything else answers 404 like GitHub, and is recorded in `unhandled` so tests notice.
Failures (any status, headers, body) and hangs can be injected per method and path.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import unquote

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

DOCS = "https://docs.github.com/rest"
STUDENT_LOGIN = "adalace7"


@dataclass
class Commit:
    sha: str
    tree: dict[str, str]  # path -> blob sha
    parents: list[str]
    message: str
    author: dict
    committer: dict


@dataclass
class Repo:
    owner: str
    name: str
    id: int
    default_branch: str = "main"
    branches: dict[str, str] = field(default_factory=dict)  # name -> commit sha
    fork_of: str | None = None  # full name of the parent
    pushers: set[str] = field(default_factory=set)  # logins with push access
    not_ready_polls: int = 0  # a new fork answers 409 this many more times

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass
class User:
    login: str
    id: int
    name: str
    email: str
    can_write: bool = True  # False: a token without the scope to write


@dataclass
class Injected:
    method: str
    path: re.Pattern
    status: int
    body: object
    headers: dict
    times: int
    hang: float = 0.0
    process: bool = False  # handle the request, then hang: the answer is lost on the way


class GithubFake:
    """State plus one handler for every request; see the module docstring."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.base_url = server.url_for("").rstrip("/")
        self.users_by_token: dict[str, User] = {}
        self.repos: dict[str, Repo] = {}
        self.blobs: dict[str, bytes] = {}
        self.commits: dict[str, Commit] = {}
        self.pulls: dict[str, list[dict]] = {}
        self.log: list[tuple[str, str, object]] = []
        self.authorization_seen: list[str] = []  # every Authorization header received
        self.unhandled: list[str] = []
        self.injected: list[Injected] = []
        self.fork_delay_polls = 0
        # GitHub lets a fork reference commits of its network; False models a fork that
        # only knows its own history (then a branch must start from the fork's own commits).
        self.forks_see_parent_commits = True
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        server.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    # -- set-up helpers for tests -------------------------------------------------------

    def add_user(self, login: str, token: str, name: str, email: str, can_write=True) -> User:
        user = User(login, next(self._ids), name, email, can_write)
        self.users_by_token[token] = user
        return user

    def add_repo(self, full_name: str, files: dict[str, str] | None = None) -> Repo:
        owner, name = full_name.split("/")
        repo = Repo(owner, name, next(self._ids), pushers={owner})
        files = files or {"README.md": "# board\n"}
        tree = {path: self._blob(text.encode()) for path, text in files.items()}
        root = self._commit(tree, [], "Initial commit", _identity("Maintainer"))
        repo.branches["main"] = root
        self.repos[full_name] = repo
        self.pulls.setdefault(full_name, [])
        return repo

    def fail(self, method, path, status, message=None, *, headers=None, times=1, body=None):
        """The next `times` requests matching method and path (a regex) get this answer."""
        if body is None:
            body = {"message": message or "error", "documentation_url": DOCS, "status": str(status)}
        self.injected.append(Injected(method, re.compile(path), status, body, headers or {}, times))

    def hang(self, method, path, seconds, times=1, process=False):
        """The next `times` matching requests answer only after `seconds` (a stuck server).

        With process=True the request takes effect first, as when a connection drops after
        GitHub did the work but before the answer arrived.
        """
        self.injected.append(
            Injected(method, re.compile(path), 200, None, {}, times, hang=seconds, process=process)
        )

    def file_on(self, full_name: str, branch: str, path: str) -> str | None:
        repo = self.repos[full_name]
        blob = self.commits[repo.branches[branch]].tree.get(path)
        return None if blob is None else self.blobs[blob].decode()

    def branch_commits(self, full_name: str, branch: str) -> list[Commit]:
        """Commits on a branch, newest first."""
        out, sha = [], self.repos[full_name].branches[branch]
        while sha:
            commit = self.commits[sha]
            out.append(commit)
            sha = commit.parents[0] if commit.parents else None
        return out

    def merge(self, full_name: str, number: int) -> None:
        """Merge an open pull request as a maintainer would (head tree onto the base)."""
        pull = next(p for p in self.pulls[full_name] if p["number"] == number)
        head_repo = self.repos[pull["head_repo"]]
        head = self.commits[head_repo.branches[pull["head_ref"]]]
        board = self.repos[full_name]
        base_sha = board.branches[pull["base_ref"]]
        board.branches[pull["base_ref"]] = self._commit(
            dict(head.tree), [base_sha, head.sha], f"Merge #{number}", _identity("Maintainer")
        )
        pull["state"] = "closed"
        pull["merged_at"] = _now()

    def calls(self, method: str | None = None) -> list[tuple[str, str, object]]:
        return [entry for entry in self.log if method is None or entry[0] == method]

    # -- git objects ------------------------------------------------------------------------

    def _blob(self, data: bytes) -> str:
        sha = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        self.blobs[sha] = data
        return sha

    def _commit(self, tree, parents, message, author, committer=None) -> str:
        payload = json.dumps([sorted(tree.items()), parents, message, author, next(self._ids)])
        sha = hashlib.sha1(payload.encode()).hexdigest()
        self.commits[sha] = Commit(sha, tree, parents, message, author, committer or author)
        return sha

    def _reachable(self, repo: Repo, sha: str) -> bool:
        todo, seen = list(repo.branches.values()), set()
        while todo:
            current = todo.pop()
            if current == sha:
                return True
            if current not in seen:
                seen.add(current)
                todo.extend(self.commits[current].parents)
        return False

    def _network(self, repo: Repo) -> str:
        while repo.fork_of:
            repo = self.repos[repo.fork_of]
        return repo.full_name

    # -- JSON shapes (subsets of GitHub's, with every field PyGithub reads) ----------------

    def _api(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def _user_json(self, login: str) -> dict:
        user = next((u for u in self.users_by_token.values() if u.login == login), None)
        return {
            "login": login,
            "id": user.id if user else 1,
            "node_id": f"U_{login}",
            "type": "User" if user else "Organization",
            "url": self._api(f"/users/{login}"),
            "html_url": f"{self.base_url}/{login}",
            "site_admin": False,
        }

    def _repo_json(self, repo: Repo, viewer: User | None, nested=False) -> dict:
        data = {
            "id": repo.id,
            "node_id": f"R_{repo.id}",
            "name": repo.name,
            "full_name": repo.full_name,
            "owner": self._user_json(repo.owner),
            "private": False,
            "fork": repo.fork_of is not None,
            "html_url": f"{self.base_url}/{repo.full_name}",
            "url": self._api(f"/repos/{repo.full_name}"),
            "forks_url": self._api(f"/repos/{repo.full_name}/forks"),
            "pulls_url": self._api(f"/repos/{repo.full_name}/pulls{{/number}}"),
            "default_branch": repo.default_branch,
            "visibility": "public",
        }
        if viewer is not None:
            push = viewer.login in repo.pushers
            data["permissions"] = {
                "admin": viewer.login == repo.owner,
                "maintain": push,
                "push": push,
                "triage": push,
                "pull": True,
            }
        if repo.fork_of and not nested:
            parent = self.repos[repo.fork_of]
            data["parent"] = self._repo_json(parent, None, nested=True)
            data["source"] = self._repo_json(self.repos[self._network(repo)], None, nested=True)
        return data

    def _commit_json(self, repo: Repo, commit: Commit) -> dict:
        url = self._api(f"/repos/{repo.full_name}/git/commits/{commit.sha}")
        return {
            "sha": commit.sha,
            "node_id": f"C_{commit.sha[:10]}",
            "url": url,
            "html_url": f"{self.base_url}/{repo.full_name}/commit/{commit.sha}",
            "author": commit.author,
            "committer": commit.committer,
            "message": commit.message,
            "tree": {"sha": hashlib.sha1(repr(commit.tree).encode()).hexdigest(), "url": url},
            "parents": [{"sha": p, "url": url} for p in commit.parents],
            "verification": {"verified": False, "reason": "unsigned", "signature": None},
        }

    def _content_json(self, repo: Repo, path: str, blob: str, ref: str) -> dict:
        data = self.blobs[blob]
        encoded = base64.b64encode(data).decode()
        wrapped = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)) + "\n"
        url = self._api(f"/repos/{repo.full_name}/contents/{path}?ref={ref}")
        return {
            "type": "file",
            "encoding": "base64",
            "size": len(data),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "content": wrapped,
            "sha": blob,
            "url": url,
            "git_url": self._api(f"/repos/{repo.full_name}/git/blobs/{blob}"),
            "html_url": f"{self.base_url}/{repo.full_name}/blob/{ref}/{path}",
            "download_url": f"{self.base_url}/raw/{repo.full_name}/{ref}/{path}",
        }

    def _pull_json(self, full_name: str, pull: dict) -> dict:
        board = self.repos[full_name]
        head_repo = self.repos[pull["head_repo"]]
        number = pull["number"]
        return {
            "id": pull["id"],
            "node_id": f"PR_{pull['id']}",
            "number": number,
            "state": pull["state"],
            "title": pull["title"],
            "body": pull["body"],
            "user": self._user_json(pull["user"]),
            "url": self._api(f"/repos/{full_name}/pulls/{number}"),
            "html_url": f"{self.base_url}/{full_name}/pull/{number}",
            "head": {
                "label": f"{head_repo.owner}:{pull['head_ref']}",
                "ref": pull["head_ref"],
                "sha": head_repo.branches.get(pull["head_ref"], ""),
                "user": self._user_json(head_repo.owner),
                "repo": self._repo_json(head_repo, None, nested=True),
            },
            "base": {
                "label": f"{board.owner}:{pull['base_ref']}",
                "ref": pull["base_ref"],
                "sha": board.branches[pull["base_ref"]],
                "user": self._user_json(board.owner),
                "repo": self._repo_json(board, None, nested=True),
            },
            "merged_at": pull["merged_at"],
            "draft": False,
            "maintainer_can_modify": pull["maintainer_can_modify"],
            "created_at": pull["created_at"],
            "updated_at": pull["created_at"],
        }

    # -- the handler --------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        path = unquote(request.path)
        body = _json_body(request)
        with self._lock:
            self.log.append((request.method, path, body))
            if "Authorization" in request.headers:
                self.authorization_seen.append(request.headers["Authorization"])
            injected = self._take_injected(request.method, path)
        if injected is not None and not injected.process:
            if injected.hang:
                time.sleep(injected.hang)
                return _reply(504, {"message": "too late"})
            return _reply(injected.status, injected.body, injected.headers)
        with self._lock:
            user = self._authenticate(request)
            if isinstance(user, Response):
                return user
            try:
                response = self._route(request.method, path, request.args, body, user)
            except _Answer as answer:
                response = answer.response
        if injected is not None:
            time.sleep(injected.hang)
        return response

    def _take_injected(self, method: str, path: str) -> Injected | None:
        for item in self.injected:
            if item.times > 0 and item.method == method and item.path.search(path):
                item.times -= 1
                return item
        return None

    def _authenticate(self, request: Request) -> User | Response:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = self.users_by_token.get(token) if scheme.lower() in ("token", "bearer") else None
        if user is None:
            return _reply(401, {"message": "Bad credentials", "documentation_url": DOCS})
        return user

    def _repo(self, owner: str, name: str) -> Repo:
        repo = self.repos.get(f"{owner}/{name}")
        if repo is None:
            raise _Answer(_not_found())
        return repo

    def _require_ready(self, repo: Repo) -> None:
        if repo.not_ready_polls > 0:
            repo.not_ready_polls -= 1
            empty = {"message": "Git Repository is empty.", "documentation_url": DOCS}
            raise _Answer(_reply(409, empty))

    def _require_push(self, repo: Repo, user: User) -> None:
        if not user.can_write:
            raise _Answer(
                _reply(
                    403,
                    {
                        "message": "Resource not accessible by personal access token",
                        "documentation_url": DOCS,
                        "status": "403",
                    },
                )
            )
        if user.login not in repo.pushers:
            raise _Answer(
                _reply(
                    403,
                    {
                        "message": f"Permission to {repo.full_name}.git denied to {user.login}.",
                        "documentation_url": DOCS,
                        "status": "403",
                    },
                )
            )

    def _route(self, method, path, args, body, user: User) -> Response:
        if method == "GET" and path == "/user":
            data = self._user_json(user.login)
            data.update({"name": user.name, "email": user.email})
            return _reply(200, data)
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path)
        if not match:
            self.unhandled.append(f"{method} {path}")
            return _not_found()
        repo = self._repo(match.group(1), match.group(2))
        rest = match.group(3) or ""
        if method == "GET" and rest == "":
            return _reply(200, self._repo_json(repo, user))
        if method == "POST" and rest == "/forks":
            return self._fork(repo, user)
        if method == "GET" and rest.startswith("/branches/"):
            return self._get_branch(repo, rest[len("/branches/") :])
        if method == "POST" and rest == "/git/refs":
            return self._create_ref(repo, body, user)
        if rest.startswith("/contents/"):
            file_path = rest[len("/contents/") :]
            if method == "GET":
                return self._get_contents(repo, file_path, args.get("ref"))
            if method == "PUT":
                return self._put_contents(repo, file_path, body, user)
            if method == "DELETE":
                return self._delete_contents(repo, file_path, body, user)
        if method == "GET" and rest == "/pulls":
            return self._list_pulls(repo, args)
        if method == "POST" and rest == "/pulls":
            return self._create_pull(repo, body, user)
        self.unhandled.append(f"{method} {path}")
        return _not_found()

    def _fork(self, parent: Repo, user: User) -> Response:
        network = self._network(parent)
        for repo in self.repos.values():
            if repo.owner == user.login and repo.fork_of and self._network(repo) == network:
                return _reply(202, self._repo_json(repo, user))
        name = parent.name
        suffix = 0
        while f"{user.login}/{name}" in self.repos:
            suffix += 1
            name = f"{parent.name}-{suffix}"
        fork = Repo(
            user.login,
            name,
            next(self._ids),
            default_branch=parent.default_branch,
            branches=dict(parent.branches),
            fork_of=parent.full_name,
            pushers={user.login},
            not_ready_polls=self.fork_delay_polls,
        )
        self.repos[fork.full_name] = fork
        return _reply(202, self._repo_json(fork, user))

    def _get_branch(self, repo: Repo, branch: str) -> Response:
        self._require_ready(repo)
        sha = repo.branches.get(branch)
        if sha is None:
            return _reply(404, {"message": "Branch not found", "documentation_url": DOCS})
        commit = self.commits[sha]
        return _reply(
            200,
            {
                "name": branch,
                "commit": {
                    "sha": sha,
                    "node_id": f"C_{sha[:10]}",
                    "url": self._api(f"/repos/{repo.full_name}/commits/{sha}"),
                    "commit": self._commit_json(repo, commit),
                },
                "protected": False,
            },
        )

    def _create_ref(self, repo: Repo, body, user: User) -> Response:
        self._require_ready(repo)
        self._require_push(repo, user)
        ref, sha = (body or {}).get("ref"), (body or {}).get("sha")
        if not isinstance(ref, str) or not ref.startswith("refs/") or ref.count("/") < 2:
            return _validation("Reference name must start with 'refs/' and have two slashes")
        if not isinstance(sha, str) or sha not in self.commits:
            return _validation("Object does not exist")
        if not self.forks_see_parent_commits and not self._reachable(repo, sha):
            return _validation("Object does not exist")
        name = ref[len("refs/heads/") :]
        if name in repo.branches:
            return _validation("Reference already exists")
        repo.branches[name] = sha
        return _reply(
            201,
            {
                "ref": ref,
                "node_id": f"REF_{name}",
                "url": self._api(f"/repos/{repo.full_name}/git/{ref}"),
                "object": {
                    "sha": sha,
                    "type": "commit",
                    "url": self._api(f"/repos/{repo.full_name}/git/commits/{sha}"),
                },
            },
        )

    def _tree(self, repo: Repo, ref: str | None) -> tuple[str, dict[str, str]]:
        self._require_ready(repo)
        ref = ref or repo.default_branch
        sha = repo.branches.get(ref)
        if sha is None:
            missing = {"message": f"No commit found for the ref {ref}", "documentation_url": DOCS}
            raise _Answer(_reply(404, missing))
        return ref, self.commits[sha].tree

    def _get_contents(self, repo: Repo, path: str, ref: str | None) -> Response:
        ref, tree = self._tree(repo, ref)
        if path not in tree:
            return _not_found()
        return _reply(200, self._content_json(repo, path, tree[path], ref))

    def _author(self, given, user: User) -> dict:
        # Like GitHub: without author/committer, the token owner's identity is used.
        if isinstance(given, dict) and given.get("name") and given.get("email"):
            return {"name": given["name"], "email": given["email"], "date": _now()}
        return {"name": user.name, "email": user.email, "date": _now()}

    def _put_contents(self, repo: Repo, path: str, body, user: User) -> Response:
        body = body or {}
        for key in ("message", "content"):
            if not isinstance(body.get(key), str):
                return _reply(422, {"message": f'Invalid request.\n\n"{key}" wasn\'t supplied.'})
        self._require_push(repo, user)
        branch = body.get("branch") or repo.default_branch
        if branch not in repo.branches:
            return _reply(404, {"message": f"Branch {branch} not found", "documentation_url": DOCS})
        _, tree = self._tree(repo, branch)
        if path in tree and body.get("sha") != tree[path]:
            if "sha" not in body:
                return _reply(422, {"message": 'Invalid request.\n\n"sha" wasn\'t supplied.'})
            return _reply(409, {"message": f"{path} does not match {body['sha']}"})
        try:
            data = base64.b64decode(body["content"], validate=True)
        except ValueError:
            return _reply(422, {"message": "content is not valid Base64"})
        new_tree = dict(tree)
        new_tree[path] = self._blob(data)
        committer = self._author(body.get("committer"), user)
        author = self._author(body.get("author") or body.get("committer"), user)
        sha = self._commit(new_tree, [repo.branches[branch]], body["message"], author, committer)
        repo.branches[branch] = sha
        return _reply(
            201,
            {
                "content": self._content_json(repo, path, new_tree[path], branch),
                "commit": self._commit_json(repo, self.commits[sha]),
            },
        )

    def _delete_contents(self, repo: Repo, path: str, body, user: User) -> Response:
        body = body or {}
        for key in ("message", "sha"):
            if not isinstance(body.get(key), str):
                return _reply(422, {"message": f'Invalid request.\n\n"{key}" wasn\'t supplied.'})
        self._require_push(repo, user)
        branch = body.get("branch") or repo.default_branch
        if branch not in repo.branches:
            return _reply(404, {"message": f"Branch {branch} not found", "documentation_url": DOCS})
        _, tree = self._tree(repo, branch)
        if path not in tree:
            return _not_found()
        if tree[path] != body["sha"]:
            return _reply(409, {"message": f"{path} does not match {body['sha']}"})
        new_tree = {k: v for k, v in tree.items() if k != path}
        committer = self._author(body.get("committer"), user)
        author = self._author(body.get("author") or body.get("committer"), user)
        sha = self._commit(new_tree, [repo.branches[branch]], body["message"], author, committer)
        repo.branches[branch] = sha
        return _reply(200, {"content": None, "commit": self._commit_json(repo, self.commits[sha])})

    def _list_pulls(self, repo: Repo, args) -> Response:
        state = args.get("state", "open")
        head, base = args.get("head"), args.get("base")
        out = []
        for pull in self.pulls[repo.full_name]:
            if state != "all" and pull["state"] != state:
                continue
            head_repo = self.repos[pull["head_repo"]]
            if head and head != f"{head_repo.owner}:{pull['head_ref']}":
                continue
            if base and base != pull["base_ref"]:
                continue
            out.append(self._pull_json(repo.full_name, pull))
        return _reply(200, out)

    def _create_pull(self, board: Repo, body, user: User) -> Response:
        body = body or {}
        if not user.can_write:
            self._require_push(board, user)
        head, base = body.get("head"), body.get("base")
        if not body.get("title"):
            return _validation_field("title", "missing_field")
        if base not in board.branches:
            return _validation_field("base", "invalid")
        owner, _, ref = (head or "").rpartition(":")
        owner = owner or board.owner
        head_repo = None
        if owner == board.owner:
            head_repo = board
        else:
            network = self._network(board)
            head_repo = next(
                (
                    r
                    for r in self.repos.values()
                    if r.owner == owner and r.fork_of and self._network(r) == network
                ),
                None,
            )
        if head_repo is None or ref not in head_repo.branches:
            return _validation_field("head", "invalid")
        for pull in self.pulls[board.full_name]:
            if (
                pull["state"] == "open"
                and pull["head_repo"] == head_repo.full_name
                and pull["head_ref"] == ref
                and pull["base_ref"] == base
            ):
                return _validation_custom(f"A pull request already exists for {owner}:{ref}.")
        head_tree = self.commits[head_repo.branches[ref]].tree
        if head_tree == self.commits[board.branches[base]].tree:
            return _validation_custom(f"No commits between {base} and {owner}:{ref}")
        pull = {
            "id": next(self._ids),
            "number": len(self.pulls[board.full_name]) + 1,
            "state": "open",
            "title": body["title"],
            "body": body.get("body"),
            "user": user.login,
            "head_repo": head_repo.full_name,
            "head_ref": ref,
            "base_ref": base,
            "merged_at": None,
            "maintainer_can_modify": bool(body.get("maintainer_can_modify", False)),
            "created_at": _now(),
        }
        self.pulls[board.full_name].append(pull)
        data = self._pull_json(board.full_name, pull)
        data["merged"] = False
        return _reply(201, data)


class _Answer(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _identity(name: str) -> dict:
    return {"name": name, "email": f"{name.lower()}@example.invalid", "date": _now()}


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _json_body(request: Request):
    raw = request.get_data()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _reply(status: int, body, headers: dict | None = None) -> Response:
    reset = int(time.time()) + 3600
    all_headers = {
        "X-RateLimit-Limit": "5000",
        "X-RateLimit-Remaining": "4990",
        "X-RateLimit-Reset": str(reset),
        "X-RateLimit-Used": "10",
        "X-RateLimit-Resource": "core",
        "X-GitHub-Media-Type": "github.v3; format=json",
    }
    all_headers.update(headers or {})
    text = "" if body is None else json.dumps(body)
    return Response(text, status=status, headers=all_headers, content_type="application/json")


def _not_found() -> Response:
    return _reply(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})


def _validation(message: str) -> Response:
    return _reply(422, {"message": message, "documentation_url": DOCS, "status": "422"})


def _validation_field(field_name: str, code: str) -> Response:
    return _reply(
        422,
        {
            "message": "Validation Failed",
            "errors": [{"resource": "PullRequest", "field": field_name, "code": code}],
            "documentation_url": DOCS,
            "status": "422",
        },
    )


def _validation_custom(message: str) -> Response:
    return _reply(
        422,
        {
            "message": "Validation Failed",
            "errors": [{"resource": "PullRequest", "code": "custom", "message": message}],
            "documentation_url": DOCS,
            "status": "422",
        },
    )


@pytest.fixture(scope="session", name="github_server")
def github_server_fixture():
    """One threaded server for the session (stopping one costs half a second)."""
    server = HTTPServer(host="localhost", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture(name="github_fake")
def github_fake_fixture(github_server):
    """A fresh fake: board `board-org/board`, student `adalace7` (token STUDENT-TOKEN)."""
    github_server.clear()
    fake = GithubFake(github_server)
    fake.add_repo("board-org/board", {"README.md": "# board\n", "submissions/.gitkeep": ""})
    fake.add_user(STUDENT_LOGIN, "STUDENT-TOKEN", "Ada Student", "ada.student@example.edu")
    fake.add_user("maintainer", "MAINTAINER-TOKEN", "Mia Maintainer", "mia@example.org")
    fake.repos["board-org/board"].pushers.add("maintainer")
    yield fake
    github_server.clear()
