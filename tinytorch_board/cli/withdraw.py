"""`tinytorch-board withdraw`: ask the board to remove one of your submissions."""

from __future__ import annotations

from pathlib import Path

import click

from tinytorch_board.cli._util import confirm_or_refuse, echo_json

HINT = "then run `tinytorch-board withdraw` again"


@click.command()
@click.argument("submission_id")
@click.option(
    "--to",
    "board_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Local board directory to remove it from (default: where it was sent).",
)
@click.option(
    "--repo",
    metavar="OWNER/NAME",
    help="GitHub board repository (default: where it was sent, else board.repo).",
)
@click.option(
    "--api-url",
    metavar="URL",
    help="GitHub API URL, for GitHub Enterprise (https). A host named by a file (config or "
    "outbox) is used only after you confirm it; --api-url confirms it.",
)
@click.option(
    "--token",
    "token_option",
    metavar="TOKEN",
    help="GitHub token (discouraged). Default: TINYTORCH_BOARD_TOKEN, GH_TOKEN, GITHUB_TOKEN, "
    "then `gh auth token`. Never stored.",
)
@click.option("--web", is_flag=True, help="No token: print how to withdraw from your browser.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Show the withdrawal; send nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.pass_obj
def withdraw(
    settings,
    submission_id: str,
    board_dir: Path | None,
    repo: str | None,
    api_url: str | None,
    token_option: str | None,
    web: bool,
    yes: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Withdraw SUBMISSION_ID (its id, or the first 6+ characters of it).

    Opens a pull request that deletes exactly that file; its body carries the secret
    withdrawal key that only this project holds. Git history keeps the (anonymous) file.
    """
    from tinytorch_board.errors import BoardError
    from tinytorch_board.local.config import load_config
    from tinytorch_board.publish.deliver import (
        FROM_COMMAND_LINE,
        FROM_OUTBOX,
        Target,
        choose_target,
        withdrawal_plan,
    )
    from tinytorch_board.publish.outbox import find_record

    project = settings.project()
    record = find_record(project.outbox_dir, submission_id)
    change = withdrawal_plan(record)
    sent_to = Target.from_dict(record.get("target"))
    same_api = sent_to is not None and sent_to.type != "local" and sent_to.confirmed_by(api_url)
    if board_dir is None and not (repo or web) and sent_to is not None and not api_url:
        target = sent_to  # where it was sent (a --web submission is withdrawn with --web too)
    elif board_dir is None and not (repo or web) and same_api and same_api is not sent_to:
        target = same_api  # where it was sent, its host confirmed by --api-url
    else:
        remote = sent_to if sent_to is not None and sent_to.type != "local" else None
        target = choose_target(
            load_config(project),
            board_dir,
            repo or (remote.repo if remote else None),
            api_url or (remote.api_url if remote else None),
            web,
            api_url_from=FROM_COMMAND_LINE if api_url else FROM_OUTBOX,
        )
    if target is None:
        raise BoardError(
            "where was it sent? pass --repo OWNER/NAME (GitHub) or --to BOARD_DIR (local)"
        )
    if target.type == "local":
        _withdraw_local(project, record, change, Path(target.board_dir), yes, dry_run, as_json)
    elif target.type == "web":
        _withdraw_web(record, change, target, as_json)
    else:
        _withdraw_github(project, record, change, target, token_option, yes, dry_run, as_json)


def _withdraw_local(project, record, change, board_dir, yes, dry_run, as_json):
    from tinytorch_board.publish.confirm import Gate, go_ahead
    from tinytorch_board.publish.deliver import withdraw_local

    where = board_dir / change.path
    if not as_json:
        click.echo(f"This deletes {where} from the local board.")
    gate = Gate("Delete it?", "withdraw", "deleted")
    dry_json = {"path": str(where)}
    if not go_ahead(
        gate,
        dry_run=dry_run,
        yes=yes,
        as_json=as_json,
        dry_run_json=dry_json,
        ask=confirm_or_refuse,
    ):
        return
    path = withdraw_local(project.outbox_dir, record, board_dir)
    if as_json:
        echo_json({"withdrawn": True, "path": str(path)})
    else:
        click.secho(f"Withdrawn: {path} deleted.", fg="green")


def _withdraw_web(record, change, target, as_json):
    from tinytorch_board.publish.texts import WITHDRAW_KEY_PREFIX
    from tinytorch_board.publish.weblink import delete_file_url

    url = delete_file_url(target.repo, change.path, target.api_url)
    key_line = f"{WITHDRAW_KEY_PREFIX}{record['withdraw_secret']}"
    if as_json:
        echo_json({"web": {"url": url, "body_line": key_line}, "pull_request": change.as_dict()})
        return
    click.echo(
        f"To withdraw without a token:\n"
        f"  1. open {url}\n"
        "  2. press 'Propose changes' (GitHub forks the board for you);\n"
        "  3. put this line in the pull request description, exactly:\n\n"
        f"     {key_line}\n\n"
        "The board's automation checks the key and merges the removal. Git history keeps "
        "the (anonymous) file."
    )


def _withdraw_github(project, record, change, target, token_option, yes, dry_run, as_json):
    from tinytorch_board.cli.submit import github_board, progress_printer
    from tinytorch_board.publish.confirm import Gate, go_ahead
    from tinytorch_board.publish.deliver import withdraw_github
    from tinytorch_board.publish.preview import withdrawal_preview

    board = None if dry_run else github_board(target, token_option, HINT, yes=yes)
    if not as_json:
        login = board.login if board else None
        click.echo(withdrawal_preview(change, target.repo, login, target.token_host))
    summary = {"target": target.as_dict(), "pull_request": change.as_dict()}
    gate = Gate(f"Open this withdrawal pull request on {target.repo}?", "withdraw", "sent")
    if not go_ahead(
        gate, dry_run=dry_run, yes=yes, as_json=as_json, dry_run_json=summary, ask=confirm_or_refuse
    ):
        return
    opened = withdraw_github(project.outbox_dir, record, board, progress_printer(as_json))
    if as_json:
        echo_json({"withdrawn": True, **summary, "sent": opened.as_dict()})
        return
    verb = "Found your existing withdrawal" if opened.reused else "Opened"
    click.secho(f"{verb}: {opened.url} ({opened.state})", fg="green")
    click.echo("The submission leaves the board when it is merged; git history keeps the file.")
