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
