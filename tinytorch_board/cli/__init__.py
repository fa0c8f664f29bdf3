"""The `tinytorch-board` command line: thin adapters over the library.

Subcommands are imported only when used, and no command module imports numpy,
jinja2 or github at import time, so `tinytorch-board --help` starts fast.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from tinytorch_board.errors import BoardError
from tinytorch_board.release import describe

# name -> "module:attribute", in the order --help lists them.
COMMANDS = {
    # The student's path, in the order it is walked.
    "benchmark": "tinytorch_board.cli.benchmark:benchmark",
    "compare": "tinytorch_board.cli.compare:compare",
    "submit": "tinytorch_board.cli.submit:submit",
    "withdraw": "tinytorch_board.cli.withdraw:withdraw",
    "community": "tinytorch_board.cli.community:community",
    "config": "tinytorch_board.cli.config:config",
    "export": "tinytorch_board.cli.export:export",
    # The maintainer's side.
    "validate": "tinytorch_board.cli.board:validate",
    "build": "tinytorch_board.cli.board:build",
    "serve": "tinytorch_board.cli.board:serve",
    "demo-data": "tinytorch_board.cli.board:demo_data",
    "board": "tinytorch_board.cli.maintain:board",
    "ci": "tinytorch_board.cli.ci:ci",
}


@dataclass(frozen=True)
class Settings:
    project_dir: Path | None

    def project(self):
        from tinytorch_board.local.project import Project

        return Project.discover(self.project_dir)


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that command is needed."""

    def __init__(self, *args, lazy: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.lazy) + sorted(set(super().list_commands(ctx)) - set(self.lazy))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module_name, attribute = self.lazy[name].split(":")
            return getattr(importlib.import_module(module_name), attribute)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BoardError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # a file system refused us: one line, never a traceback
            from tinytorch_board.errors import write_failure_reason

            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{write_failure_reason(exc)}") from None
        except KeyboardInterrupt:
            click.echo("\nInterrupted; nothing was sent.", err=True)
            sys.exit(130)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(describe(), prog_name="tinytorch-board")
@click.option(
    "--project-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Your TinyTorch project (default: the nearest folder above with .tito/, tinytorch/, "
    "modules/, tito/ or .tinytorch/community/).",
)
@click.pass_context
def cli(ctx: click.Context, project_dir: Path | None) -> None:
    """Benchmark your TinyTorch, compare with the community, share if you want.

    Nothing leaves your machine unless you say yes.
    """
    ctx.obj = Settings(project_dir)


def main() -> None:
    cli(prog_name="tinytorch-board")
