"""Render the static site from templates/ (Jinja, autoescape always on)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

from tinytorch_board.board.config import BoardConfig
from tinytorch_board.board.load import LoadedBoard
from tinytorch_board.board.stats import standings
from tinytorch_board.curriculum import MILESTONE_COUNT, MODULE_COUNT


def templates_dir() -> Path:
    """templates/ of a checkout, else the copy shipped inside the wheel."""
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if checkout.is_dir():
        return checkout
    return Path(str(resources.files("tinytorch_board").joinpath("_templates")))


def environment(directory: Path | None = None):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(str(directory or templates_dir())),
        autoescape=True,  # always, whatever the file extension
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class Row:
    """One leaderboard line, display-ready."""

    submission_id: str
    rank: int
    top_percent: int
    group_size: int
    name: str
    kind: str
    backend: str
    system_type: str
    milestones: int
    modules: int
    score: float
    cohort: str
    date: str


@dataclass
class BuildReport:
    out_dir: Path
    listed: int
    skipped: list[str] = field(default_factory=list)
    pages: int = 0


def leaderboard_rows(documents: list[dict]) -> list[Row]:
    """Everyone, newest first: the board celebrates participation before speed."""
    rows = []
    for doc, standing in zip(documents, standings(documents), strict=True):
        public = doc.get("public") or {}
        community = doc.get("community") or {}
        rows.append(
            Row(
                submission_id=doc["submission_id"],
                rank=standing.rank,
                top_percent=standing.top_percent,
                group_size=standing.group_size,
                name=public.get("display_name") or "anonymous",
                kind=doc["benchmark"]["kind"],
                backend=doc["benchmark"]["backend"],
                system_type=doc["system"]["system_type"],
                milestones=len(doc["progress"]["milestones_completed"]),
                modules=doc["progress"]["modules_completed"],
                score=doc["benchmark"]["score"],
                cohort=community.get("cohort") or "—",
                date=doc["created_at"][:10],
            )
        )
    rows.sort(key=lambda r: (r.date, r.submission_id), reverse=True)
    return rows


def build_site(
    loaded: LoadedBoard, config: BoardConfig, out_dir: Path, now: datetime | None = None
) -> BuildReport:
    """Write the site into out_dir (replacing what a previous build left there)."""
    now = now or datetime.now(timezone.utc)
    env = environment()
    rows = leaderboard_rows(loaded.documents)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    static_src = templates_dir() / "static"
    if static_src.is_dir():
        shutil.copytree(static_src, out_dir / "static", dirs_exist_ok=True)
    html = env.get_template("index.html").render(
        title=config.title,
        rows=rows,
        module_count=MODULE_COUNT,
        milestone_count=MILESTONE_COUNT,
        generated_at=now.strftime("%Y-%m-%d %H:%M UTC"),
        root="",
        skipped=len(loaded.invalid),
    )
    (out_dir / "index.html").write_text(html, encoding="utf-8")
    return BuildReport(
        out_dir=out_dir,
        listed=len(rows),
        skipped=[str(p) for checked in loaded.invalid for p in checked.problems],
        pages=1,
    )
