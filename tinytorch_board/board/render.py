"""Render the static site from the packaged templates (Jinja, autoescape always on).

`build_site` is the whole pipeline behind `tinytorch-board build`: loaded board ->
board engine (`compute_stats`) -> `board.site.render_site`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

from tinytorch_board.board.config import BoardConfig
from tinytorch_board.board.load import LoadedBoard
from tinytorch_board.errors import BoardError


def templates_dir() -> Path:
    """The site templates shipped inside the package (never a folder found beside it)."""
    packaged = resources.files("tinytorch_board").joinpath("templates")
    if not packaged.is_dir():  # e.g. imported from a zip: no folder Jinja could read
        raise BoardError("the package's templates are missing; reinstall tinytorch-board")
    return Path(str(packaged))


def environment(directory: Path | None = None):
    """Jinja over the packaged templates, or over `directory` when one is given."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(str(directory or templates_dir())),
        autoescape=True,  # always, whatever the file extension
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def build_site(
    loaded: LoadedBoard,
    config: BoardConfig,
    out_dir: Path,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
    archive: bool = False,
):
    """Stats for the loaded board, then every page and file of the site in out_dir
    (archive=True: one tar file at out_dir)."""
    from tinytorch_board.board.site import render_site
    from tinytorch_board.board.stats import compute_stats

    now = now or datetime.now(timezone.utc)
    if progress:
        progress(f"stats for {len(loaded.documents)} submissions")
    stats = compute_stats(loaded, config, now)
    return render_site(stats, config, Path(out_dir), progress=progress, archive=archive)
