"""Maintainer commands: validate, build, serve, demo-data."""

from __future__ import annotations

from pathlib import Path

import click

from tinytorch_board.cli._util import echo_json


def _current_board() -> Path:
    """The nearest folder at or above the working directory that holds board.yaml."""
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "board.yaml").is_file():
            return candidate
    raise click.ClickException("no board.yaml here or above; pass --board DIR")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print every file's result as JSON.")
def validate(paths: tuple[Path, ...], as_json: bool) -> None:
    """Check submission files (or whole board directories) against the v1 contract.

    A board directory's board.yaml is checked too (as `board check` does). Prints
    `file: json.path: message` for every problem; exits 1 if any file is invalid.
    """
    from tinytorch_board.board.config import read_config_file
    from tinytorch_board.errors import ConfigError
    from tinytorch_board.submission.validator import check_file, expand_paths

    for path in paths:
        if path.name == "board.yaml" or path.suffix in (".yaml", ".yml"):
            raise click.ClickException(
                f"{path} is a board's settings file, not a submission; "
                f"check it with: tinytorch-board board check {path.parent}"
            )
    config_errors = []
    for path in paths:
        if path.is_dir() and (path / "board.yaml").exists():
            try:
                read_config_file(path / "board.yaml")
            except ConfigError as exc:
                config_errors.append(str(exc))
    results = [check_file(path) for path in expand_paths(paths)]
    bad = [r for r in results if not r.ok]
    if as_json:
        echo_json(
            {
                "files": len(results),
                "invalid": len(bad),
                "config_errors": config_errors,
                "problems": [
                    {"file": p.source, "path": p.path, "message": p.message}
                    for r in bad
                    for p in r.problems
                ],
            }
        )
    else:
        for line in config_errors:
            click.echo(line)
        for checked in bad:
            for problem in checked.problems:
                click.echo(str(problem))
        if not results:
            click.echo("no submission files found")
        click.echo(f"{len(results) - len(bad)} valid, {len(bad)} invalid", err=True)
    if bad or not results or config_errors:
        raise SystemExit(1)


@click.command()
@click.option(
    "--board",
    "board_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Board directory (default: the nearest folder above holding board.yaml).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site (default: BOARD/site); replaces only an earlier build.",
)
@click.option(
    "--archive",
    "archive",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the site as one tar file instead (the form GitHub Pages deploys: plain "
    "files and folders, no links); replaced whole at the end.",
)
@click.option(
    "--card-cache",
    "card_cache",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of PNG share cards kept between builds (default: BOARD/.cache/cards); "
    "only missing cards are drawn.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a build report as JSON.")
def build(
    board_dir: Path | None,
    out_dir: Path | None,
    archive: Path | None,
    card_cache: Path | None,
    as_json: bool,
) -> None:
    """Render the static leaderboard site (pages, cards, badges, API, CSV, feed).

    Loads and validates every file under submissions/ (bad files are skipped and
    listed), computes ranks, percentiles and badges, and writes the site to --out,
    or with --archive into one tar file (faster for large boards: no file per page).
    """
    import time

    from tinytorch_board.board.config import load_config
    from tinytorch_board.board.load import load_board
    from tinytorch_board.board.render import build_site

    if archive and out_dir:
        raise click.UsageError("choose --out (a folder) or --archive (a tar file), not both")
    board_dir = board_dir or _current_board()
    out_dir = archive or out_dir or board_dir / "site"
    started = time.perf_counter()

    def progress(message: str) -> None:
        if not as_json:
            click.echo(f"[{time.perf_counter() - started:6.1f}s] {message}", err=True)

    config = load_config(board_dir)
    if not config.site.url and not as_json:
        click.secho(
            "warning: board.yaml sets no site.url, so README badges, cards and feed links "
            "are root-relative and break outside the site; set site.url",
            fg="yellow",
            err=True,
        )
    progress(f"loading {board_dir}/submissions")
    loaded = load_board(board_dir)
    report = build_site(
        loaded,
        config,
        out_dir,
        progress=progress,
        archive=archive is not None,
        card_cache=card_cache or board_dir / ".cache" / "cards",
    )
    skipped = [str(p) for checked in loaded.invalid for p in checked.problems]
    skipped += [f"not rendered: {line}" for line in report.skipped]
    if as_json:
        echo_json(
            {
                "out": str(report.out_dir),
                "archive": archive is not None,
                "listed": report.listed,
                "invalid_files": len(loaded.invalid),
                "skipped": skipped,
                "pages": report.pages,
                "files": report.files,
                "bytes": report.bytes,
                "cards": report.cards,
                "cards_drawn": report.cards_drawn,
                "warnings": [] if config.site.url else ["board.yaml sets no site.url"],
                "seconds": round(time.perf_counter() - started, 3),
            }
        )
        return
    for line in skipped:
        click.secho(f"skipped {line}", fg="yellow", err=True)
    built = report.out_dir if archive else f"{report.out_dir}/index.html"
    click.echo(
        f"Built {built}: {report.listed} submission(s) listed on "
        f"{report.pages} page(s), {len(loaded.invalid)} file(s) skipped."
    )
    if archive:
        click.echo(f"{report.files} files in one tar; upload it as the github-pages artifact.")
    else:
        click.echo(f"Open it with: tinytorch-board serve --site {report.out_dir}")


@click.command()
@click.option(
    "--site",
    "site_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Built site directory.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
def serve(site_dir: Path, port: int) -> None:
    """Serve the built site on http://127.0.0.1:PORT/ (Ctrl-C stops)."""
    from tinytorch_board.board.serve import make_server

    try:
        server = make_server(site_dir, port)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); try another --port"
        ) from None
    host, bound = server.server_address[:2]
    click.echo(f"Serving {site_dir} at http://{host}:{bound}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()


@click.command("demo-data")
@click.option(
    "--count",
    type=click.IntRange(1, 1_000_000),
    required=True,
    help="How many submissions to generate.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Board directory to write into (submissions/ and board.yaml).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same files.")
@click.option(
    "--unsigned",
    is_flag=True,
    help="Write unsigned, unlinked files (valid; edit them by hand without breaking a "
    "signature). By default each demo participant signs with a key derived from the seed.",
)
def demo_data(count: int, out_dir: Path, seed: int, unsigned: bool) -> None:
    """Write COUNT realistic, valid synthetic submissions to a board directory."""
    from tinytorch_board.board.demo_data import write_demo_board

    written = write_demo_board(out_dir, count, seed, signed=not unsigned)
    kind = "unsigned" if unsigned else "signed"
    click.echo(f"Wrote {len(written)} {kind} synthetic submissions to {out_dir}/submissions/")
