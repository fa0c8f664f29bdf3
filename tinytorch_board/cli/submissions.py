"""`tinytorch-board submissions`: your results, and where each submission went."""

from __future__ import annotations

import click

from tinytorch_board.cli._util import echo_json, warn


def _score(value: object) -> str:
    return f"{value:.1f}" if isinstance(value, (int, float)) else "-"


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print results and submissions as JSON.")
@click.pass_obj
def submissions(settings, as_json: bool) -> None:
    """List your results and your submissions (date, kind, score, where, state, id).

    Reads .tito/benchmarks/ and the outbox (.tinytorch/submissions/); sends nothing.
    `tinytorch-board withdraw ID` takes any unique start of an id shown here.
    """
    from tinytorch_board.publish.mine import result_rows, submission_rows

    project = settings.project()
    sent, warnings = submission_rows(project)
    results, more = result_rows(project, sent)
    for message in warnings + more:
        warn(message)
    if as_json:
        echo_json({"results": results, "submissions": sent})
        return
    click.echo(f"Results ({len(results)}) in {project.benchmarks_dir}:")
    for row in results:
        shared = ", ".join(row["submissions"]) if row["submissions"] else "not shared"
        name = row["file"].rsplit("/", 1)[-1]
        click.echo(
            f"  {row['date']}  {row['kind']:<8} {row['backend']:<9} {_score(row['score']):>6}  "
            f"{name}  ({shared})"
        )
    click.echo(f"Submissions ({len(sent)}):")
    for row in sent:
        click.echo(
            f"  {row['id_prefix']}  {row['date']}  {row['kind']:<8} {_score(row['score']):>6}  "
            f"{row['visibility']:<9} {row['state']:<9} {row['where']}"
        )
    if not sent:
        click.echo("  none yet: `tinytorch-board submit --dry-run` shows what sharing would send")
