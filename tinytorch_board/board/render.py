"""The pipeline behind `tinytorch-board build`: loaded board -> board engine
(`compute_stats`) -> `board.site.render_site`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from tinytorch_board.board.config import BoardConfig
from tinytorch_board.board.load import LoadedBoard


def add_classes(stats, loaded: LoadedBoard) -> None:
    """Each class of the board (classes/*.yaml) with its k-anonymous figures."""
    from tinytorch_board.board.class_stats import class_view
    from tinytorch_board.board.classroom import class_rows
    from tinytorch_board.board.site.api import display_name
    from tinytorch_board.submission.classes import read_classes

    classes = read_classes(loaded.root)
    if not classes:
        return
    names = {
        e.submission_id: name
        for e in stats.entries
        if e.visibility == "public" and (name := display_name(e))
    }
    for class_id, info in sorted(classes.items()):
        rows = class_rows(loaded.documents, class_id)
        stats.class_rows[class_id] = rows
        stats.classes.append(
            class_view(info, rows, stats.k, stats.community.score_histogram, names)
        )


def build_site(
    loaded: LoadedBoard,
    config: BoardConfig,
    out_dir: Path,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
    archive: bool = False,
    card_cache: Path | None = None,
):
    """Stats for the loaded board, then every page and file of the site in out_dir
    (archive=True: one tar file at out_dir)."""
    from tinytorch_board.board.site import render_site
    from tinytorch_board.board.stats import compute_stats

    now = now or datetime.now(timezone.utc)
    if progress:
        progress(f"stats for {len(loaded.documents)} submissions")
    stats = compute_stats(loaded, config, now)
    add_classes(stats, loaded)
    return render_site(
        stats, config, Path(out_dir), progress=progress, archive=archive, card_cache=card_cache
    )
