"""`tinytorch-board submit`: anonymize a result, show it, and send it to a board."""

from __future__ import annotations

from pathlib import Path

import click

from tinytorch_board.cli._util import confirm_or_refuse, echo_json, is_interactive, warn
from tinytorch_board.errors import BoardError


def where_you_would_land(project, document: dict, target=None) -> str | None:
    """The "where you would land" line from the published distribution: the local
    board being submitted to first, then the configured pages_url."""
    from tinytorch_board.board.standing import find_sources, landing

    nearby = [target.board_dir] if target and target.type == "local" and target.board_dir else []

    def offline(reason: str) -> None:
        click.echo(f"offline: {reason}", err=True)

    sources = find_sources(project, nearby=nearby)
    return landing(document, sources, project.cache_dir, offline=offline)


def confirm_token_host(target, yes: bool) -> None:
    """A host named by a file gets the token only after the student types its name.

    Asked before anything is sent: a cloned project can carry a config naming any host.
    --yes does not confirm it; --api-url on the command line does.
    """
    if not target.host_needs_confirmation:
        return
    host = target.token_host
    if yes or not is_interactive():
        raise BoardError(
            f"{target.api_url_from} names {host} as the GitHub API; your token goes there only "
            f"once you confirm it: re-run with --api-url {target.api_url}, or without --yes "
            "and type the host name"
        )
    click.echo(
        f"Your GitHub token would be sent to {host} ({target.api_url}), named by "
        f"{target.api_url_from}, not on your command line."
    )
    typed = click.prompt(
        f"Type {host} to send your token there (anything else stops)",
        default="",
        show_default=False,
    )
    if typed.strip().lower() != host:
        raise BoardError(f"{host} was not confirmed; your token was not sent anywhere")


def github_board(target, token_option: str | None, hint: str, yes: bool = False):
    """Connect to the board as the token's user (reads only), after confirming the host."""
    from tinytorch_board.publish.github import Limits, connect, resolve_token

    confirm_token_host(target, yes)
    token, source = resolve_token(token_option, api_url=target.api_url)
    if token_option:
        warn("--token puts your token in your shell history; prefer TINYTORCH_BOARD_TOKEN or gh")
    if not token:
        raise BoardError(
            "no GitHub token: set TINYTORCH_BOARD_TOKEN (or GH_TOKEN), or run `gh auth login`; "
            "without a token, use --web to propose the file from your browser"
        )
    return connect(target.repo, token, target.api_url, Limits.from_env(), hint=hint)


def progress_printer(as_json: bool):
    def report(message: str) -> None:
        if not as_json:
            click.echo(f"  {message} ...", err=True)

    return report


@click.command()
@click.argument("result", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--to",
    "board_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="TINYTORCH_BOARD_DIR",
    help="Board directory on this machine to write to (holds board.yaml and submissions/). "
    "Env: TINYTORCH_BOARD_DIR.",
)
@click.option(
    "--repo",
    metavar="OWNER/NAME",
    help="GitHub board repository to open a pull request against (default: board.repo "
    "in .tinytorch/config.json).",
)
@click.option(
    "--api-url",
    metavar="URL",
    help="GitHub API URL, for GitHub Enterprise (https; default: api.github.com). "
    "board.api_url from the config is used only after you confirm its host.",
)
@click.option(
    "--token",
    "token_option",
    metavar="TOKEN",
    help="GitHub token (discouraged: it lands in your shell history). Default: "
    "TINYTORCH_BOARD_TOKEN, GH_TOKEN, GITHUB_TOKEN, then `gh auth token`. Never stored.",
)
@click.option(
    "--web",
    is_flag=True,
    help="No token: print a GitHub link that proposes the file from your browser.",
)
@click.option(
    "--retry",
    is_flag=True,
    help="Resend every submission in the outbox that failed or was interrupted.",
)
@click.option(
    "--public",
    is_flag=True,
    help="Show the fields you type below on the board (otherwise the submission is anonymous).",
)
@click.option("--name", metavar="NAME", help="With --public: name to show (1-40 characters).")
@click.option("--github", "github_user", metavar="USER", help="With --public: GitHub user to link.")
@click.option(
    "--country", metavar="CODE", help="With --public: ISO 3166-1 alpha-2 country code (e.g. DE)."
)
@click.option(
    "--institution", metavar="NAME", help="With --public: school or organization (1-80 chars)."
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Show exactly what would be sent; send nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.pass_obj
def submit(
    settings,
    result: Path | None,
    board_dir: Path | None,
    repo: str | None,
    api_url: str | None,
    token_option: str | None,
    web: bool,
    retry: bool,
    public: bool,
    name: str | None,
    github_user: str | None,
    country: str | None,
    institution: str | None,
    yes: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Share RESULT (default: your newest result) with a board, anonymized.

    Goes to a local board with --to, otherwise to the GitHub board (--repo or board.repo)
    as a pull request. Shows the exact file first and asks before sending anything.
    """
    from tinytorch_board.local.config import load_config
    from tinytorch_board.publish.deliver import choose_target
    from tinytorch_board.publish.prepare import prepare_from_project, public_fields

    project = settings.project()
    if retry:
        others = {  # --api-url stays: it confirms the host the outbox names
            "RESULT": result,
            "--to": board_dir,
            "--repo": repo,
            "--web": web,
            "--public": public,
            "--dry-run": dry_run,
        }
        used = [option for option, value in others.items() if value]
        if used:
            raise click.ClickException(
                f"--retry resends the outbox as it was prepared; drop {', '.join(used)}"
            )
        _retry(project, token_option, api_url, yes, as_json)
        return
    public_choice = public_fields(public, name, github_user, country, institution)
    target = choose_target(load_config(project), board_dir, repo, api_url, web)
    if target is None and not dry_run:
        raise click.ClickException(
            "no board to submit to; pass --to BOARD_DIR (or set TINYTORCH_BOARD_DIR), "
            "--repo OWNER/NAME (or set board.repo), or --dry-run to only look"
        )
    prepared, result_path, warnings = prepare_from_project(project, result, public=public_choice)
    for message in warnings:
        warn(message)
    landing = where_you_would_land(project, prepared.document, target)
    if target is None or target.type == "local":
        _submit_local(project, prepared, result_path, target, yes, dry_run, as_json, landing)
    elif target.type == "web":
        _submit_web(project, prepared, result_path, target, dry_run, as_json, landing)
    else:
        _submit_github(
            project, prepared, result_path, target, token_option, yes, dry_run, as_json, landing
        )


def _submit_local(project, prepared, result_path, target, yes, dry_run, as_json, landing):
    from tinytorch_board.jsonio import dumps
    from tinytorch_board.publish.confirm import Gate, go_ahead
    from tinytorch_board.publish.deliver import send_local
    from tinytorch_board.publish.preview import file_note

    text = dumps(prepared.document)
    board_dir = Path(target.board_dir) if target else None
    where = f"{board_dir}/{prepared.relative_path}" if board_dir else prepared.relative_path
    if not as_json:
        click.echo(f"This exact file would be written to {where}:\n")
        click.echo(text)
        click.echo(file_note(prepared.document))
        if landing:
            click.echo(landing)
    gate = Gate("Write it?", "submit", "written")
    dry_json = {"path": where, "submission": prepared.document}
    if not go_ahead(
        gate,
        dry_run=dry_run,
        yes=yes,
        as_json=as_json,
        dry_run_json=dry_json,
        ask=confirm_or_refuse,
    ):
        return
    path = send_local(project.outbox_dir, prepared, str(result_path), board_dir)
    if as_json:
        echo_json({"submitted": True, "path": str(path), "submission": prepared.document})
    else:
        click.secho(f"Submitted: {path}", fg="green")
        click.echo(
            f"Your withdrawal key is kept in {project.outbox_dir} (never published). "
            "Build the board with: tinytorch-board build --board " + str(board_dir)
        )


def _submit_github(
    project, prepared, result_path, target, token_option, yes, dry_run, as_json, landing
):
    from tinytorch_board.jsonio import dumps
    from tinytorch_board.publish.confirm import Gate, go_ahead
    from tinytorch_board.publish.deliver import send_github
    from tinytorch_board.publish.preview import pull_request_preview
    from tinytorch_board.publish.texts import submission_change

    text = dumps(prepared.document)
    change = submission_change(prepared.document, prepared.relative_path, text)
    board = None
    if not dry_run:  # a dry run never touches the network
        board = github_board(
            target, token_option, "then run `tinytorch-board submit --retry`", yes=yes
        )
    preview = pull_request_preview(
        text,
        prepared.document,
        change,
        target.repo,
        board.default_branch if board else None,
        board.login if board else None,
        (not board.can_push) if board else None,
        where_you_would_land=landing,
        token_host=target.token_host,
    )
    summary = {
        "target": target.as_dict(),
        "path": prepared.relative_path,
        "submission": prepared.document,
        "pull_request": change.as_dict(),
        "login": board.login if board else None,
    }
    if not as_json:
        click.echo(preview)
    gate = Gate(f"Open this pull request on {target.repo}?", "submit", "sent")
    if not go_ahead(
        gate, dry_run=dry_run, yes=yes, as_json=as_json, dry_run_json=summary, ask=confirm_or_refuse
    ):
        return
    opened = send_github(
        project.outbox_dir, prepared, str(result_path), board, target, progress_printer(as_json)
    )
    if as_json:
        echo_json({"submitted": True, **summary, "sent": opened.as_dict()})
        return
    verb = "Found your existing pull request" if opened.reused else "Opened"
    click.secho(f"{verb}: {opened.url} ({opened.state})", fg="green")
    click.echo(
        f"The board's checks validate it; your withdrawal key is kept in {project.outbox_dir} "
        f"(never published): tinytorch-board withdraw {prepared.submission_id}"
    )


def _submit_web(project, prepared, result_path, target, dry_run, as_json, landing):
    from tinytorch_board.jsonio import dumps
    from tinytorch_board.publish import weblink
    from tinytorch_board.publish.deliver import save_for_web
    from tinytorch_board.publish.preview import file_note

    text = dumps(prepared.document)
    route = weblink.submission_route(target.repo, prepared.relative_path, text, target.api_url)
    if not dry_run:
        save_for_web(project.outbox_dir, prepared, str(result_path), target)
    if as_json:
        echo_json(
            {
                "dry_run": dry_run,
                "target": target.as_dict(),
                "path": prepared.relative_path,
                "submission": prepared.document,
                "web": route.as_dict(),
            }
        )
        return
    click.echo(f"This exact file is proposed as {target.repo}:{prepared.relative_path}:\n")
    click.echo(text)
    click.echo(file_note(prepared.document))
    if landing:
        click.echo(landing)
    click.echo(
        "On GitHub, your account will be visible as the author of the pull request "
        "(the file itself carries no identity)."
    )
    if route.url:
        click.echo(
            "\nOpen this link, sign in, and press 'Propose new file' "
            "(GitHub forks the board for you):\n"
        )
        click.echo(route.url)
    else:
        click.echo(
            f"\nThe prefilled link would be {route.url_chars} characters, more than the "
            f"{weblink.MAX_URL_CHARS} browsers and GitHub accept. Instead:\n"
            f"  1. open {route.fallback_url}\n"
            "  2. paste the file above into the form and submit it;\n"
            "  the board's automation checks it and opens the pull request for you."
        )
    if dry_run:
        click.echo("Dry run: nothing was saved.")
        return
    click.echo(
        f"\nYour withdrawal key is kept in {project.outbox_dir} (never published): "
        f"tinytorch-board withdraw {prepared.submission_id} --web"
    )
    if route.url and is_interactive() and click.confirm("Open it in your browser?", default=False):
        click.launch(route.url)


def _retry(project, token_option, api_url, yes, as_json):
    from tinytorch_board.publish.deliver import retry_outbox

    def connect_board(target):
        return github_board(
            target.confirmed_by(api_url),
            token_option,
            "then run `tinytorch-board submit --retry`",
            yes=yes,
        )

    results, warnings = retry_outbox(project.outbox_dir, connect_board, progress_printer(as_json))
    for message in warnings:
        warn(message)
    if as_json:
        echo_json({"retried": [r.as_dict() for r in results]})
    elif not results:
        click.echo("Nothing to resend: no failed or interrupted submission in the outbox.")
    for item in results if not as_json else []:
        colour = "green" if item.status == "sent" else "red"
        click.secho(f"{item.submission_id}: {item.status}: {item.detail}", fg=colour)
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise BoardError(
            f"{len(failed)} of {len(results)} still failed (kept in the outbox); fix the "
            "reason shown and run `tinytorch-board submit --retry` again"
        )
