"""The Jinja environment over the packaged templates (autoescape always on), for every
page we render."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

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
