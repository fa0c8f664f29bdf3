"""`tinytorch-board submit`: anonymize a result, show it, and write it to a board."""

from __future__ import annotations

from pathlib import Path

import click

from tinytorch_board.cli._util import confirm_or_refuse, echo_json, warn


@click.command()
@click.argument("result", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--to",
    "board_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="TINYTORCH_BOARD_DIR",
    help="Board directory to write to (holds board.yaml and submissions/). "
    "Env: TINYTORCH_BOARD_DIR.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Show exactly what would be written; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.pass_obj
def submit(
    settings, result: Path | None, board_dir: Path | None, yes: bool, dry_run: bool, as_json: bool
) -> None:
    """Share RESULT (default: your newest result) with a board, anonymized.

    Shows the exact file first and asks before writing anything.
    """
    from tinytorch_board.local.store import dumps
    from tinytorch_board.publish.local_board import write_to_board
    from tinytorch_board.publish.outbox import save_prepared, update_status
    from tinytorch_board.submission.prepare import prepare_from_project

    project = settings.project()
    prepared, result_path, warnings = prepare_from_project(project, result)
    for message in warnings:
        warn(message)
    text = dumps(prepared.document)
    if board_dir is None and not dry_run:
        raise click.ClickException(
            "no board to submit to; pass --to BOARD_DIR (or set TINYTORCH_BOARD_DIR), "
            "or --dry-run to only look"
        )
    target = f"{board_dir}/{prepared.relative_path}" if board_dir else prepared.relative_path
    if not as_json:
        click.echo(f"This exact file would be written to {target}:\n")
        click.echo(text)
        click.echo(
            "It holds no name, user, host, path or exact hardware"
            + (
                "; the public fields above are exactly what you typed."
                if prepared.document["visibility"] == "public"
                else "."
            )
        )
    if dry_run:
        if as_json:
            echo_json({"dry_run": True, "path": target, "submission": prepared.document})
        else:
            click.echo("Dry run: nothing was written.")
        return
    if not confirm_or_refuse("Write it?", yes, "re-run with --yes to submit, or --dry-run"):
        click.echo("Nothing was written.")
        return
    save_prepared(project.outbox_dir, prepared, str(result_path))
    path = write_to_board(board_dir, prepared.relative_path, prepared.document)
    update_status(
        project.outbox_dir,
        prepared.submission_id,
        "sent",
        destination={"type": "local", "path": str(path)},
    )
    if as_json:
        echo_json({"submitted": True, "path": str(path), "submission": prepared.document})
    else:
        click.secho(f"Submitted: {path}", fg="green")
        click.echo(
            f"Your withdrawal key is kept in {project.outbox_dir} (never published). "
            "Build the board with: tinytorch-board build --board " + str(board_dir)
        )
