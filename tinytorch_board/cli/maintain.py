"""`tinytorch-board board ...`: running a board over time (check, init, upgrade, moderation)."""

from __future__ import annotations

from pathlib import Path

import click

from tinytorch_board.cli._util import echo_json

BOARD_DIR = click.argument(
    "board_dir", metavar="DIR", type=click.Path(file_okay=False, exists=True, path_type=Path)
)


@click.group()
def board() -> None:
    """Run a board repository: check its settings, create, upgrade and moderate it."""


@board.command("check")
@click.argument(
    "board_dir",
    metavar="DIR",
    required=False,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
)
@click.option(
    "--docs",
    "docs",
    is_flag=True,
    help="Print the board.yaml key reference (Markdown) instead of checking a board.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check(board_dir: Path | None, docs: bool, as_json: bool) -> None:
    """Check DIR/board.yaml: every key known, types and ranges, YAML 1.2 values.

    Exits 1 with one line naming the first problem; odd but allowed values are warnings.
    """
    if docs:
        from tinytorch_board.board.config_docs import key_reference

        click.echo(key_reference(), nl=False)
        return
    if board_dir is None:
        raise click.UsageError("pass the board directory (or --docs)")
    from tinytorch_board.board.config import config_warnings, read_config_file
    from tinytorch_board.errors import ConfigError

    path = board_dir / "board.yaml"
    try:
        config = read_config_file(path)
    except ConfigError as exc:
        if as_json:
            echo_json({"file": str(path), "ok": False, "error": str(exc), "warnings": []})
            raise SystemExit(1) from None
        raise
    warnings = config_warnings(config)
    if as_json:
        echo_json({"file": str(path), "ok": True, "error": None, "warnings": warnings})
        return
    for line in warnings:
        click.secho(f"warning: {line}", fg="yellow", err=True)
    click.echo(f"{path}: ok ({len(warnings)} warning(s))")


@board.command("list")
@BOARD_DIR
@click.option("--participant", help="Only this participant_id.")
@click.option(
    "--author", help="Only files added by this GitHub login (read from the board's git history)."
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only submissions created on or after this day (YYYY-MM-DD).",
)
@click.option("--min-score", type=float, help="Only scores at least this.")
@click.option("--max-score", type=float, help="Only scores at most this.")
@click.option("--json", "as_json", is_flag=True, help="Print the entries as JSON.")
def list_command(board_dir, participant, author, since, min_score, max_score, as_json) -> None:
    """List the board's submissions with who added them, oldest first (for moderation)."""
    from tinytorch_board.board.moderate import filter_entries, list_entries

    entries = filter_entries(
        list_entries(board_dir),
        participant=participant,
        author=author,
        since=since.date() if since else None,
        min_score=min_score,
        max_score=max_score,
    )
    if as_json:
        echo_json({"entries": [e.as_dict() for e in entries], "count": len(entries)})
        return
    for e in entries:
        click.echo(
            f"{e.submission_id}  {e.score:5.1f}  {e.kind}/{e.backend:<9}  {e.created_at[:10]}  "
            f"{e.participant_id[:8]}  {e.added_by or '-'}"
        )
    click.echo(f"{len(entries)} submission(s)", err=True)


@board.command("remove")
@click.argument("ids", metavar="ID...", nargs=-1, required=True)
@click.option("--reason", required=True, help="Why (kept in the commit and pull request).")
@click.option(
    "--to",
    "board_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="A local board checkout: remove in one commit there.",
)
@click.option("--repo", help="OWNER/NAME: open one moderation pull request per submission.")
@click.option("--api-url", help="GitHub API URL (default: https://api.github.com).")
@click.option("--token", "token_option", help="GitHub token (prefer TINYTORCH_BOARD_TOKEN).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
def remove(ids, reason, board_dir, repo, api_url, token_option, yes, as_json) -> None:
    """Remove submissions as a maintainer: a git deletion, so they never come back.

    With --to, one local commit (push it or open a pull request yourself); with --repo,
    one pull request per submission marked `moderation: REASON`, which the withdraw
    workflow recognises when a maintainer opens it.
    """
    from tinytorch_board.errors import BoardError
    from tinytorch_board.publish import remove as moderate
    from tinytorch_board.publish.texts import removal_message

    if bool(board_dir) == bool(repo):
        raise click.UsageError("choose --to DIR or --repo OWNER/NAME")
    removal_message(["x"], reason)  # refuses an empty reason before anything else
    if board_dir is not None:
        paths = moderate.resolve_ids(board_dir, ids)
    else:
        for raw in ids:
            if not moderate.SUBMISSION_ID_RE.fullmatch(raw.lower()):
                raise BoardError(f"{raw!r}: with --repo, give full 32-character submission ids")
        paths = [f"submissions/{i.lower()[:2]}/{i.lower()}.json" for i in ids]
    if not as_json:
        click.echo(f"Removing {len(paths)} submission(s) ({reason}):", err=True)
        for path in paths:
            click.echo(f"  {path}", err=True)
    from tinytorch_board.cli._util import confirm_or_refuse

    if not confirm_or_refuse("Remove them?", yes, "pass --yes to remove without asking"):
        raise click.ClickException("nothing removed")
    if board_dir is not None:
        commit = moderate.remove_locally(board_dir, paths, reason)
        result = {"removed": paths, "commit": commit, "pull_requests": []}
        if not as_json:
            click.echo(f"Committed {commit[:12]}; push it (or open a pull request from it).")
    else:
        from tinytorch_board.cli.submit import github_board, progress_printer
        from tinytorch_board.publish.deliver import FROM_COMMAND_LINE, Target
        from tinytorch_board.publish.github import DEFAULT_API_URL
        from tinytorch_board.publish.texts import removal_change

        # The API host comes from the command line or is GitHub's: the token goes nowhere
        # a file named (see confirm_token_host).
        target = Target(
            "github",
            repo=repo,
            api_url=api_url or DEFAULT_API_URL,
            api_url_from=FROM_COMMAND_LINE if api_url else "default",
        )
        connected = github_board(target, token_option, "then run the same command again", yes)
        try:
            progress = progress_printer(as_json)
            opened = [
                connected.open_pull_request(removal_change(path, reason), progress)
                for path in paths
            ]
        finally:
            connected.close()
        result = {"removed": paths, "commit": None, "pull_requests": [o.as_dict() for o in opened]}
        if not as_json:
            for o in opened:
                click.echo(f"Opened {o.url}")
    if as_json:
        echo_json(result)


def _release_lock(lock_file: Path | None) -> str:
    from tinytorch_board.errors import BoardError
    from tinytorch_board.release import shipped_lock

    if lock_file is not None:
        return lock_file.read_text(encoding="utf-8")
    text = shipped_lock()
    if text is None:
        raise BoardError(
            "this is a development copy with no release lock; pass --lock FILE "
            "(a release's lock, attached to every GitHub Release)"
        )
    return text


LOCK_OPTION = click.option(
    "--lock",
    "lock_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Use this release lock instead of the one shipped with the installed release.",
)


@board.command("init")
@click.argument("board_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--repo", help="The board's GitHub repository, OWNER/NAME (site.repository).")
@click.option("--site-url", help="The board's Pages address, https://OWNER.github.io/NAME/.")
@LOCK_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def init(board_dir: Path, repo, site_url, lock_file, as_json) -> None:
    """Write a new data-only board into DIR (offline): settings, workflows, templates, lock."""
    from tinytorch_board.board.provision import init_board

    result = init_board(board_dir, _release_lock(lock_file), repo=repo, site_url=site_url)
    if as_json:
        echo_json(result.as_dict())
        return
    click.echo(f"Wrote a board pinned to tinytorch-board {result.release} in {board_dir}:")
    for path in result.written:
        click.echo(f"  {path}")
    click.echo(
        "Next: git init, push to GitHub as the default branch main, then follow "
        "docs/maintainers.md (Pages, branch settings)."
    )


@board.command("upgrade")
@BOARD_DIR
@LOCK_OPTION
@click.option("--force", is_flag=True, help="Also replace managed files you edited.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def upgrade(board_dir: Path, lock_file, force: bool, as_json: bool) -> None:
    """Move DIR to the installed release: new lock and workflows, and what changed.

    Workflow and template files you edited are kept (and listed) unless --force.
    """
    from tinytorch_board.board.provision import upgrade_board

    result = upgrade_board(board_dir, _release_lock(lock_file), force=force)
    if as_json:
        echo_json(result.as_dict())
    else:
        for line in result.summary():
            click.echo(line)
    if result.edited:
        raise SystemExit(1)
