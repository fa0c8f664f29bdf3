"""Docs are tested: every command has help text and appears in the README."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tinytorch_board.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def linked_docs(readme: str) -> list[Path]:
    """The docs/*.md pages the README links to."""
    names = sorted(set(re.findall(r"\]\((docs/[A-Za-z0-9_-]+\.md)\)", readme)))
    return [ROOT / name for name in names if (ROOT / name).is_file()]


# A command may be documented in the README or in a docs page the README links.
DOCUMENTED = README + "".join(p.read_text(encoding="utf-8") for p in linked_docs(README))


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from all_commands(command, prefix + (name,))


COMMANDS = list(all_commands(cli))


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_help_and_is_in_the_readme(path, command):
    assert command.help, f"{' '.join(path)} has no help text"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{' '.join(path)} {param.opts[0]} has no help text"
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert f"`{path[-1]}" in DOCUMENTED or f"{' '.join(path)}" in DOCUMENTED, (
        f"'{' '.join(path)}' is not mentioned in README.md or a docs page it links"
    )


def test_the_readme_links_the_pages_it_moved_detail_to():
    linked = {p.name for p in linked_docs(README)}
    assert {"students.md", "maintainers.md", "performance.md"} <= linked


def test_a_docs_page_the_readme_does_not_link_documents_nothing(tmp_path):
    assert linked_docs("see docs/maintainers.md") == []


def test_readme_names_the_two_commands_first():
    first_block = README.split("```", 2)[1]
    assert "make demo" in first_block and "make test" in first_block


def test_help_does_not_import_heavy_modules():
    code = (
        "import sys; from tinytorch_board.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('numpy', 'jinja2', 'github', 'rich', 'yaml', 'jsonschema') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout, out.stdout


def test_python_dash_m_works():
    out = subprocess.run(
        [sys.executable, "-m", "tinytorch_board", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "tinytorch-board" in out.stdout
