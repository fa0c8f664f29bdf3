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
    help="Published board site (URL), a built site directory, or a board folder (computed "
    "from its submissions/). Default: the board last used with `submit --to`, then "
    "board.pages_url, then the community board the package names.",
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
    from tinytorch_board.board.standing import fetch_distribution, find_sources, is_board_folder
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
    in_class = _class_standing(project, sources.candidates[0], mine, k)

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
                "class": None if in_class is None else in_class.as_dict(),
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
    elif is_board_folder(fetched.origin):
        click.echo(f"Compared with {fetched.origin} (computed from its submissions/ now).")
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
    if in_class is not None:
        click.echo(in_class.sentence())
    click.echo(NOTHING_UPLOADED)


def _class_standing(project, source: str, mine, k):
    """ "Your class" beside everyone, for a student who joined a class (None otherwise)."""
    from tinytorch_board.board.class_stats import class_standing
    from tinytorch_board.errors import BoardError
    from tinytorch_board.fetch import fetch_json
    from tinytorch_board.local.profile import joined_class, load_profile

    try:
        loaded = load_profile(project)
    except BoardError:
        return None
    class_id = joined_class(loaded) if loaded is not None else None
    if class_id is None or not isinstance(k, int):
        return None
    try:
        data = fetch_json(source, f"api/class/{class_id}.json", project.cache_dir).data
    except BoardError as exc:
        warn(f"your class: {exc}")
        return None
    rows = data.get("submissions") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        warn("your class: the board's class file has no submissions list")
        return None
    try:
        return class_standing(class_id, rows, mine.group, mine.score, k)
    except (KeyError, TypeError):
        warn("your class: the board's class file has a submission without its fields")
        return None
