"""`tinytorch-board compare`: where your result would land, computed on your machine."""

from __future__ import annotations

from pathlib import Path

import click

from tinytorch_board.cli._util import echo_json, warn

NOTHING_UPLOADED = "Nothing was uploaded: the percentile was computed on this machine."


@click.command()
@click.argument(
    "result", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--from",
    "source",
    metavar="URL|DIR",
    help="Published board site (URL) or a local site/board directory "
    "(default: board.pages_url in .tinytorch/config.json).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@click.pass_obj
def compare(settings, result: Path | None, source: str | None, as_json: bool) -> None:
    """Compare RESULT (default: your newest result) with the community, without uploading.

    RESULT is a result file from .tito/benchmarks/ or a submission file. Results written
    by TinyTorch's own `tito benchmark` (same folder) are not scored by this board and are
    passed over.

    Downloads the board's published score distribution (api/distribution.json), keeps
    a copy in .tinytorch/cache/ for offline use, and computes your percentile and
    "similar systems" figure locally. Nothing about you is sent anywhere.
    """
    from tinytorch_board.board.standing import fetch_distribution, find_sources
    from tinytorch_board.errors import BoardError
    from tinytorch_board.jsonio import read_json
    from tinytorch_board.local.results import (
        check_not_tito,
        load_result,
        newest_result,
        skipped_note,
    )
    from tinytorch_board.submission.distribution import comparable, place_comparable

    project = settings.project()
    sources = find_sources(project, source, strict=True)
    if not sources.candidates:
        raise BoardError(sources.reason)
    skipped: list[Path] = []
    if result:
        path = Path(result)
        check_not_tito(path)
    else:
        path = newest_result(project.benchmarks_dir, skipped)
    note = skipped_note(skipped)
    if note:
        warn(note)
    data = read_json(path)
    if not (isinstance(data.get("benchmark"), dict) and "schema_version" in data):
        data = load_result(path)  # a result file: check its version and shape
    mine = comparable(data, str(path))

    published = fetch_distribution(sources.candidates[0], project.cache_dir)
    distribution, fetched = published.doc, published.fetched
    placement = place_comparable(distribution, mine)
    k = distribution.get("k")

    if as_json:
        echo_json(
            {
                "result": str(path),
                "group": mine.group,
                "score": mine.score,
                "system_type": mine.system_type,
                "source": fetched.origin,
                "from_cache": fetched.from_cache,
                "cache_age_seconds": fetched.age_seconds,
                "offline_reason": fetched.offline_reason,
                "generated_at": distribution.get("generated_at"),
                "placement": None if placement is None else placement.as_dict(),
                "skipped_tito_results": [str(p) for p in skipped],
                "uploaded": False,
            }
        )
        return

    when = distribution.get("generated_at", "an unknown time")
    if fetched.from_cache:
        click.secho(
            f"Offline ({fetched.offline_reason}); using the copy cached "
            f"{published.cached_for} (published {when}).",
            fg="yellow",
            err=True,
        )
    else:
        click.echo(f"Compared with {fetched.origin} (published {when}).")
    click.echo(f"Your score: {mine.score:g} ({mine.kind}, suite {mine.suite_version}, "
               f"{mine.backend} backend).")  # fmt: skip
    if placement is None:
        click.echo(f"No published {mine.group} results yet; nothing to compare with.")
    else:
        click.echo(placement.sentence())
        if placement.system_percentile is None and mine.system_type:
            click.echo(
                f"Similar systems: fewer than {k} published {mine.system_type} results "
                "in this group, so none are shown."
            )
    click.echo(NOTHING_UPLOADED)
