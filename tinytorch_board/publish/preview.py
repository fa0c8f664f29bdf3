"""What the student sees before saying yes: the exact file, where it goes, and who is visible."""

from __future__ import annotations

from tinytorch_board.publish.texts import Change


def identity_sentence(login: str | None) -> str:
    who = f"@{login}" if login else "(the account that owns your token)"
    return (
        f"The file carries no identity, but your GitHub account {who} will be visible as "
        "the author of the pull request."
    )


def file_note(document: dict) -> str:
    if document.get("visibility") == "public":
        shown = ", ".join(f"{k}={v!r}" for k, v in sorted((document.get("public") or {}).items()))
        return (
            "It holds no user, host, path or exact hardware; the public fields are exactly "
            f"what you typed: {shown}."
        )
    return "It holds no name, user, host, path or exact hardware."


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in text.rstrip("\n").split("\n"))


def pull_request_preview(
    text: str,
    document: dict,
    change: Change,
    repo: str,
    base: str | None,
    login: str | None,
    via_fork: bool | None,
    where_you_would_land: str | None = None,
    token_host: str | None = None,
) -> str:
    """The whole preview of a submission pull request, as printed before asking."""
    if via_fork is None:
        route = "from a fork in your account (or a branch, if you can push to the board)"
    elif via_fork:
        route = f"from your fork {login}/{repo.split('/')[1]} (GitHub reuses it if it exists)"
    else:
        route = "from a branch in the board (you can push to it)"
    lines = [
        f"Target: a pull request to {repo} ({base or 'its default branch'}), {route}.",
        f"It adds exactly one file, {change.path}, with this exact content:",
        "",
        text.rstrip("\n"),
        "",
        file_note(document),
        "",
        f"Pull request title: {change.title}",
        "Pull request body:",
        _indent(change.body),
        "",
    ]
    if where_you_would_land:
        lines += [where_you_would_land, ""]
    lines.append(identity_sentence(login))
    if token_host:
        lines.append(token_sentence(token_host))
    return "\n".join(lines)


def token_sentence(host: str) -> str:
    return f"Your GitHub token is sent only to {host}."


def withdrawal_preview(
    change: Change, repo: str, login: str | None, token_host: str | None = None
) -> str:
    lines = [
        f"Target: a pull request to {repo} that deletes exactly one file, {change.path}.",
        f"Pull request title: {change.title}",
        "Pull request body:",
        _indent(change.body),
        "",
        "Git history keeps the (anonymous) file: a withdrawal removes it from the board "
        "and its site, not from the repository's past commits.",
        identity_sentence(login),
    ]
    if token_host:
        lines.append(token_sentence(token_host))
    return "\n".join(lines)
