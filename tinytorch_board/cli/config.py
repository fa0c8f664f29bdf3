"""`tinytorch-board config get|set`: read or change .tinytorch/config.json."""

from __future__ import annotations

import click

from tinytorch_board.cli._util import echo_json


@click.group()
def config() -> None:
    """Read or change .tinytorch/config.json (TinyTorch's website/local settings and the board's).

    Keys: website.base_url, website.community_map_url, website.api_url, website.enabled,
    local.enabled, local.auto_sync, board.repo, board.pages_url, board.api_url.
    """


@config.command("get")
@click.argument("key", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the value (or every value) as JSON.")
@click.pass_obj
def get_command(settings, key: str | None, as_json: bool) -> None:
    """Print KEY's value (e.g. board.pages_url), or every known key without KEY."""
    from tinytorch_board.local.config import KEYS, get_value, load_config

    merged = load_config(settings.project())
    if key is not None:
        value = get_value(merged, key)
        if as_json:
            echo_json(value)
        else:
            click.echo("null" if value is None else _text(value))
        return
    values = {name: get_value(merged, name) for name in KEYS}
    if as_json:
        echo_json(values)
        return
    for name, value in values.items():
        click.echo(f"{name} = {'null' if value is None else _text(value)}    # {KEYS[name][1]}")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@config.command("set")
@click.argument("key")
@click.argument("value")
@click.pass_obj
def set_command(settings, key: str, value: str) -> None:
    """Set KEY to VALUE in .tinytorch/config.json ("null" clears an optional key).

    Booleans take true/false; URLs must start with http:// or https://; board.repo is
    owner/name. Other keys and sections in the file are kept as they are.
    """
    from tinytorch_board.local.config import parse_value, set_value

    project = settings.project()
    parsed = parse_value(key, value)
    set_value(project, key, parsed)
    shown = "null" if parsed is None else _text(parsed)
    click.echo(f"{key} = {shown} (saved in {project.config_path})")
