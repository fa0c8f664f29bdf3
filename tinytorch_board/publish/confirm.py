"""The last steps before a send, the same for submit and withdraw: a dry run stops
there, and otherwise a person (or --yes) confirms. Used after the preview is shown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import click

from tinytorch_board.jsonio import dumps

Ask = Callable[[str, bool, str], bool]
"""(question, yes, hint when nobody can answer) -> go ahead? (the CLI's prompt)."""


@dataclass(frozen=True)
class Gate:
    """What one kind of send asks, and what it says when nothing happens."""

    question: str
    """Asked before sending, e.g. "Write it?"."""
    command: str
    """"submit" or "withdraw": how to re-run with --yes."""
    effect: str
    """What would have happened: "written", "sent", "deleted"."""


def go_ahead(
    gate: Gate, *, dry_run: bool, yes: bool, as_json: bool, dry_run_json: dict, ask: Ask
) -> bool:
    """True when the caller should send; otherwise says why nothing was done.

    A dry run prints `dry_run_json` (with "dry_run": true) under --json, else one line;
    a refusal says nothing was done. Without a terminal and without --yes, `ask` refuses
    with how to proceed.
    """
    if dry_run:
        if as_json:
            click.echo(dumps({"dry_run": True, **dry_run_json}), nl=False)
        else:
            click.echo(f"Dry run: nothing was {gate.effect}.")
        return False
    if not ask(gate.question, yes, f"re-run with --yes to {gate.command}, or --dry-run"):
        click.echo(f"Nothing was {gate.effect}.")
        return False
    return True
