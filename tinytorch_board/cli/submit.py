"""`tinytorch-board submit`: anonymize a result, show it, and send it to a board."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from tinytorch_board.cli._util import confirm_or_refuse, echo_json, is_interactive, warn
from tinytorch_board.errors import BoardError


def where_you_would_land(project, document: dict, target=None) -> str | None:
    """Where the submission would stand, in a line or three: the local board being
    submitted to first (exactly, by its own engine), then the remembered or configured
    board (from its published distribution). Computed here; nothing is uploaded."""
    payoff = find_standing(project, document, target)
    if payoff is None:
        return None
    from tinytorch_board.board.standing import standing_lines

    return "\n".join(standing_lines(payoff, document.get("visibility") == "public"))


def find_standing(project, document: dict, target=None):
    from tinytorch_board.board.standing import find_payoff, find_sources

    nearby = [target.board_dir] if target and target.type == "local" and target.board_dir else []

    def offline(reason: str) -> None:
        click.echo(f"offline: {reason}", err=True)

    local = target is None or target.type == "local"
    sources = find_sources(project, nearby=nearby, remembered=local)
    for message in sources.warnings:
        warn(message)
    return find_payoff(document, sources, project.cache_dir, offline=offline)


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


def github_board(
    target, token_option: str | None, hint: str, yes: bool = False, confirmed: bool = False
):
    """Connect to the board as the token's user (reads only), after confirming the host
    (unless the caller already did: `confirmed`)."""
    from tinytorch_board.publish.github import Limits, connect, resolve_token

    if not confirmed:
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
@click.option(
    "--no-class",
    "no_class",
    is_flag=True,
    help="Do not count this result for the class you joined (`class join`).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show exactly what would be sent and keep it: the next submit of this result "
    "sends these very bytes. Sends nothing.",
)
@click.option("--verbose", is_flag=True, help="Show the whole file even with --yes.")
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
    no_class: bool,
    yes: bool,
    dry_run: bool,
    verbose: bool,
    as_json: bool,
) -> None:
    """Share RESULT (default: your newest result) with a board, anonymized.

    Goes to a local board with --to, otherwise to the GitHub board (--repo or board.repo)
    as a pull request; without either, to the board folder you last used with --to.
    Shows the exact file first and asks before sending anything. One result is one
    submission: sending it again is refused; --public on a result already sent
    anonymously offers to switch it in one step.
    """
    from tinytorch_board.publish.prepare import plan_submission, public_fields, refusal

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
    target = default_target(project, board_dir, repo, api_url, web)
    if target is None and not dry_run:
        raise click.ClickException(
            "no board to submit to; pass --to BOARD_DIR (or set TINYTORCH_BOARD_DIR), "
            "--repo OWNER/NAME (or set board.repo), or --dry-run to only look"
        )
    plan = plan_submission(project, result, public=public_choice, declare_class=not no_class)
    for message in plan.warnings:
        warn(message)
    refused = refusal(plan)
    if refused and not dry_run:
        raise BoardError(refused)
    send = Send(project, plan, target, yes, dry_run, verbose or dry_run, as_json, refused)
    if target is None or target.type == "local":
        _submit_local(send)
    elif target.type == "web":
        _submit_web(project, plan.prepared, plan.result_path, target, dry_run, as_json)
    else:
        _submit_github(send, token_option)


def default_target(project, board_dir, repo, api_url, web):
    """--to, --repo, board.repo, then the board folder last used with --to, then the
    community board named by the package's board.yaml (None: no board known)."""
    from tinytorch_board.local.config import load_config
    from tinytorch_board.publish.deliver import choose_target

    config = load_config(project)
    target = choose_target(config, board_dir, repo, api_url, web)
    if target is not None or web:
        return target
    remembered = config["board"].get("local_dir")
    if remembered and Path(remembered).is_dir():
        return choose_target(config, Path(remembered))
    from tinytorch_board.board.standing import community_repo

    repo = community_repo()
    if repo:
        return choose_target(config, None, repo, api_url)
    return None


@dataclass
class Send:
    """One submit, as the command was asked for it."""

    project: object
    plan: object  # publish.prepare.Plan
    target: object  # publish.deliver.Target or None (dry run without a board)
    yes: bool
    dry_run: bool
    show_file: bool
    as_json: bool
    refused: str | None  # why sending it would be refused (a dry run still shows it)

    @property
    def prepared(self):
        return self.plan.prepared

    @property
    def interactive_preview(self) -> bool:
        """The student will be asked: show them the whole file first."""
        return self.show_file or not self.yes


def _show_preview(send: Send, where: str, text: str, landing: str | None) -> None:
    """The file (when it is to be looked at), where it goes, and where it would land."""
    from tinytorch_board.publish.preview import file_note

    prepared = send.prepared
    if send.interactive_preview:
        click.echo(f"This exact file would be written to {where}:\n")
        click.echo(text)
        click.echo(file_note(prepared.document))
        if landing:
            click.echo(landing)
    else:
        kept = "the file --dry-run showed, " if send.plan.reused else ""
        size = len(text.encode())
        click.echo(f"Writing {where} ({kept}{size} bytes; --dry-run or --verbose shows it).")
    if send.plan.reused and send.interactive_preview:
        click.echo("This is the file --dry-run kept: the same bytes are sent.")


def _after_dry_run(send: Send) -> None:
    """Keep what the dry run showed, so the next submit sends exactly it."""
    from tinytorch_board.publish import outbox

    if send.refused:
        if not send.as_json:
            click.secho(f"Sending it would be refused: {send.refused}", fg="yellow")
        return
    if not send.plan.reused:
        outbox.keep_preview(send.project.outbox_dir, send.prepared, str(send.plan.result_path))
    if not send.as_json:
        click.echo(
            f"Kept as {send.prepared.submission_id[:8]} in the outbox: the next "
            "`tinytorch-board submit` of this result sends exactly this file."
        )


def _submit_local(send: Send) -> None:
    from tinytorch_board.jsonio import dumps
    from tinytorch_board.local.config import remember_board_dir
    from tinytorch_board.publish.confirm import Gate, go_ahead
    from tinytorch_board.publish.deliver import send_local, switch_local

    project, prepared, target = send.project, send.prepared, send.target
    text = dumps(prepared.document)
    board_dir = Path(target.board_dir).resolve() if target else None
    where = f"{board_dir}/{prepared.relative_path}" if board_dir else prepared.relative_path
    switch = send.plan.switch_from()
    landing = None
    if send.interactive_preview and not send.as_json:
        landing = where_you_would_land(project, prepared.document, target)
    if not send.as_json:
        _show_preview(send, where, text, landing)
        if switch:
            _explain_switch(switch, "local")
    gate = Gate("Switch it to public?" if switch else "Write it?", "submit", "written")
    dry_json = {"path": where, "submission": prepared.document}
    go = go_ahead(
        gate,
        dry_run=send.dry_run,
        yes=send.yes,
        as_json=send.as_json,
        dry_run_json=dry_json,
        ask=confirm_or_refuse,
    )
    if send.dry_run:
        _after_dry_run(send)
    if not go:
        return
    result_file = str(send.plan.result_path)
    if switch:
        withdrawn, path = switch_local(project.outbox_dir, switch, prepared, result_file, board_dir)
    else:
        withdrawn, path = None, send_local(project.outbox_dir, prepared, result_file, board_dir)
    remembered = remember_board_dir(project, board_dir)
    payoff = _standing_in(prepared.document, board_dir)
    card = _share_card(project, prepared.document, payoff) if _is_public(prepared) else None
    if send.as_json:
        echo_json(
            {
                "submitted": True,
                "path": str(path),
                "withdrew": str(withdrawn) if withdrawn else None,
                "submission": prepared.document,
                "standing": _standing_json(payoff),
                "card": card,
            }
        )
        return
    if withdrawn:
        click.echo(f"Withdrew the anonymous file: {withdrawn}")
    click.secho(f"Submitted: {path}", fg="green")
    permalink = _local_permalink(board_dir, prepared.submission_id) + " (once the site is rebuilt)"
    _print_payoff(prepared, payoff, card, permalink, local_board=board_dir)
    click.echo(
        f"Your withdrawal key is kept in {project.outbox_dir} (never published): "
        f"tinytorch-board withdraw {prepared.submission_id[:8]}"
    )
    if remembered:
        click.echo(f"Remembered {board_dir} as your board: `tinytorch-board compare` uses it.")
    click.echo(f"Rebuild the board's site to show it: tinytorch-board build --board {board_dir}")


def _is_public(prepared) -> bool:
    return prepared.document.get("visibility") == "public"


def _standing_in(document: dict, board_dir: Path):
    """The exact standing in a local board folder (None when the board cannot be read)."""
    from tinytorch_board.board.standing import payoff_in_board

    try:
        return payoff_in_board(document, board_dir)
    except BoardError as exc:
        warn(f"standing not computed: {exc}")
        return None


def _standing_json(payoff) -> dict | None:
    return None if payoff is None else dict(payoff.__dict__)


def _local_permalink(board_dir: Path, submission_id: str) -> str:
    return str((Path(board_dir) / "site" / "s" / f"{submission_id}.html").resolve())


def _share_card(project, document: dict, payoff) -> dict | None:
    """Draw the share card into .tinytorch/cards/; its paths (None if it cannot be drawn)."""
    from tinytorch_board.publish.card import write_share_card

    title = (payoff.title if payoff and payoff.title else None) or _board_title()
    try:
        svg, png = write_share_card(project.tinytorch_dir / "cards", document, title)
    except (BoardError, OSError, ValueError) as exc:
        warn(f"share card not drawn: {exc}")
        return None
    return {"svg": str(svg), "png": str(png)}


def _board_title() -> str:
    from tinytorch_board.board.config import BoardConfig

    return BoardConfig().title


def _print_payoff(
    prepared, payoff, card, permalink: str | None, pages_url=None, local_board=None
) -> None:
    from tinytorch_board.board.standing import standing_lines

    public = _is_public(prepared)
    if payoff is not None:
        for line in standing_lines(payoff, public):
            click.echo(line)
    if not public:
        return
    sid = prepared.submission_id
    if permalink:
        click.echo(f"Your page: {permalink}")
    if card:
        click.echo(f"Share card: {card['png']} (1200x630; SVG beside it)")
    if local_board is not None:
        click.echo(
            f"README badge: the build writes badges/{sid}.svg; link it with the address "
            "the board's site is published at."
        )
    elif pages_url:
        base = pages_url.rstrip("/")
        click.echo("README badge:")
        click.echo(f"    [![TinyTorch score]({base}/badges/{sid}.svg)]({base}/s/{sid}.html)")
    else:
        click.echo(
            "README badge: once the board is published, set its address with "
            "`tinytorch-board config set board.pages_url URL` and submit shows the snippet."
        )


def _explain_switch(record: dict, route: str) -> None:
    sid = record["submission_id"][:8]
    who = (
        "the pull request's author (your GitHub account)"
        if route == "github"
        else "anyone reading this board's history"
    )
    click.echo(
        f"This result is already on the board anonymously as {sid}. Making it public "
        f"withdraws that file and adds the public one in one step, so {who} can link "
        "the two: your anonymous result becomes yours by name."
    )


def _submit_github(send: Send, token_option: str | None) -> None:
    from tinytorch_board.jsonio import dumps
    from tinytorch_board.publish import outbox
    from tinytorch_board.publish.confirm import Gate, go_ahead
    from tinytorch_board.publish.deliver import keep_for_sending, send_github
    from tinytorch_board.publish.preview import pull_request_preview
    from tinytorch_board.publish.texts import submission_change

    project, prepared, target = send.project, send.prepared, send.target
    if send.plan.switch_from():
        raise BoardError(
            "this result is already on the GitHub board anonymously; switching it to public "
            "in one pull request works on local boards only for now: withdraw it with "
            f"`tinytorch-board withdraw {send.plan.switch_from()['submission_id'][:8]}`, "
            "then submit it with --public"
        )
    text = dumps(prepared.document)
    change = submission_change(prepared.document, prepared.relative_path, text)
    result_file = str(send.plan.result_path)
    board = None
    if not send.dry_run:  # a dry run never touches the network
        # A host named only by a file is confirmed before anything is kept for it.
        confirm_token_host(target, send.yes)
        # Kept before the first network call: a 401, a 500 or a hang leaves it for --retry.
        keep_for_sending(project.outbox_dir, prepared, result_file, target)
        try:
            board = github_board(
                target,
                token_option,
                "then run `tinytorch-board submit --retry`",
                yes=send.yes,
                confirmed=True,
            )
        except BoardError as exc:
            outbox.mark_failed(project.outbox_dir, prepared.submission_id, str(exc), "connecting")
            raise
    landing = where_you_would_land(project, prepared.document, target)
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
    if not send.as_json:
        click.echo(preview)
    gate = Gate(f"Open this pull request on {target.repo}?", "submit", "sent")
    try:
        go = go_ahead(
            gate,
            dry_run=send.dry_run,
            yes=send.yes,
            as_json=send.as_json,
            dry_run_json=summary,
            ask=confirm_or_refuse,
        )
    except click.ClickException:
        go = None
    if send.dry_run:
        _after_dry_run(send)
    if not go and not send.dry_run:
        # Not confirmed: back to a kept preview, which --retry leaves alone.
        outbox.set_target(project.outbox_dir, prepared.submission_id, None)
    if go is None:
        raise click.ClickException(
            "cannot ask for confirmation without a terminal; re-run with --yes to submit, "
            "or --dry-run"
        )
    if not go:
        return
    opened = send_github(
        project.outbox_dir, prepared, result_file, board, target, progress_printer(send.as_json)
    )
    if send.as_json:
        echo_json({"submitted": True, **summary, "sent": opened.as_dict()})
        return
    verb = "Found your existing pull request" if opened.reused else "Opened"
    click.secho(f"{verb}: {opened.url} ({opened.state})", fg="green")
    pages_url = _pages_url(project)
    if _is_public(prepared):
        payoff = find_standing(project, prepared.document, target)
        card = _share_card(project, prepared.document, payoff)
        link = f"{pages_url.rstrip('/')}/s/{prepared.submission_id}.html" if pages_url else None
        _print_payoff(prepared, payoff, card, link, pages_url)
    click.echo(
        f"The board's checks validate it; your withdrawal key is kept in {project.outbox_dir} "
        f"(never published): tinytorch-board withdraw {prepared.submission_id[:8]}"
    )


def _pages_url(project) -> str | None:
    from tinytorch_board.board.standing import community_pages_url
    from tinytorch_board.local.config import board_pages_url, load_config

    try:
        configured = board_pages_url(load_config(project)["board"])
    except BoardError:
        configured = None
    return configured or community_pages_url()


def _submit_web(project, prepared, result_path, target, dry_run, as_json):
    from tinytorch_board.jsonio import dumps
    from tinytorch_board.publish import outbox, weblink
    from tinytorch_board.publish.deliver import save_for_web
    from tinytorch_board.publish.preview import file_note

    text = dumps(prepared.document)
    route = weblink.submission_route(target.repo, prepared.relative_path, text, target.api_url)
    if not dry_run:
        save_for_web(project.outbox_dir, prepared, str(result_path), target)
    elif not outbox.record_path(project.outbox_dir, prepared.submission_id).exists():
        outbox.keep_preview(project.outbox_dir, prepared, str(result_path))
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
    landing = where_you_would_land(project, prepared.document, target)
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
        click.echo(
            f"Dry run: nothing was proposed. Kept as {prepared.submission_id[:8]} in the "
            "outbox: the next `submit --web` of this result shows exactly this file."
        )
        return
    click.echo(
        f"\nYour withdrawal key is kept in {project.outbox_dir} (never published): "
        f"tinytorch-board withdraw {prepared.submission_id} --web"
    )
    if route.url and is_interactive() and click.confirm("Open it in your browser?", default=False):
        click.launch(route.url)


def _retry(project, token_option, api_url, yes, as_json):
    from tinytorch_board.publish import outbox
    from tinytorch_board.publish.deliver import retry_outbox

    if not as_json:
        records, _ = outbox.list_records(project.outbox_dir)
        for record in outbox.to_retry(records):
            click.echo(f"Resending {outbox.describe(record)}")

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
