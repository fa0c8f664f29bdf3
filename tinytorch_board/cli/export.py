"""`tinytorch-board export`: the combined progress document, for a dashboard of your choice."""

from __future__ import annotations

from pathlib import Path

import click

from tinytorch_board.cli._util import warn


@click.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the document to FILE (replaced atomically) instead of printing it.",
)
@click.pass_obj
def export(settings, out: Path | None) -> None:
    """Print your TinyTorch progress as one JSON document (modules, milestones, streaks).

    The format is the combined one TinyTorch describes for syncing to a dashboard;
    user_id is your profile's anonymous id. Nothing is sent anywhere.
    """
    from tinytorch_board.clock import utc_now
    from tinytorch_board.jsonio import dumps, write_json
    from tinytorch_board.local.export import export_project

    document, warnings = export_project(settings.project(), utc_now())
    for message in warnings:
        warn(message)
    if out is None:
        click.echo(dumps(document), nl=False)
        return
    write_json(out, document)
    modules = document["module_progress"]
    milestones = document["milestone_progress"]
    click.echo(
        f"Wrote {out}: {modules['completed_count']}/{modules['total_modules']} modules, "
        f"{milestones['completed_count']}/{milestones['total_milestones']} milestones. "
        "Nothing was sent."
    )
