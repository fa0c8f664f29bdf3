"""The Jinja environment over templates/ (autoescape always on), for every page we render."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


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
