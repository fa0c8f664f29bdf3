"""Small helpers shared by the command adapters (no heavy imports here)."""

from __future__ import annotations

import json
import sys

import click


def is_interactive() -> bool:
    """True when a person can answer a prompt."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def confirm_or_refuse(question: str, yes: bool, refuse_hint: str) -> bool:
    """--yes answers yes; a person is asked; with no TTY, refuse with how to proceed."""
    if yes:
        return True
    if not is_interactive():
        raise click.ClickException(f"cannot ask for confirmation without a terminal; {refuse_hint}")
    return click.confirm(question, default=False)


def echo_json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))


def warn(message: str) -> None:
    click.secho(f"warning: {message}", fg="yellow", err=True)


def output_console():
    """stdout as rich draws it; when it is not a terminal, lines are never wrapped (a
    terminal wraps them itself, and a file or pipe gets no word cut in two)."""
    from rich.console import Console

    try:
        terminal = sys.stdout.isatty()
    except (AttributeError, ValueError):
        terminal = False
    return Console(soft_wrap=not terminal)
