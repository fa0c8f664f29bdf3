"""The pipeline behind `tinytorch-board build`: loaded board -> board engine
(`compute_stats`) -> `board.site.render_site`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from tinytorch_board.board.config import BoardConfig
from tinytorch_board.board.load import LoadedBoard


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
    return render_site(
        stats, config, Path(out_dir), progress=progress, archive=archive, card_cache=card_cache
    )
