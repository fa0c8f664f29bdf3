"""`submit --public`: only what the student typed, checked before anything is shown or sent."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from submit_helpers import fast_env, make_project

from tinytorch_board.cli import cli


def run(project, *args):
    return CliRunner().invoke(
        cli,
        ["--project-dir", str(project), "submit", "--dry-run", "--json", *args],
        env=fast_env(),
        catch_exceptions=False,
    )


@pytest.mark.parametrize(
    ("args", "public"),
    [
        (["--name", "Ada L."], {"display_name": "Ada L."}),
        (["--github", "@ada-l"], {"github": "ada-l"}),
        (["--country", "de"], {"country": "DE"}),
        (["--institution", "Universität Zürich"], {"institution": "Universität Zürich"}),
        (
            ["--name", "李雷", "--github", "lilei", "--country", "CN", "--institution", "THU"],
            {"display_name": "李雷", "github": "lilei", "country": "CN", "institution": "THU"},
        ),
    ],
)
def test_public_fields_are_exactly_what_was_typed(tmp_path, args, public):
    result = run(make_project(tmp_path), "--public", *args)
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)["submission"]
    assert document["visibility"] == "public"
    assert document["public"] == public


def test_the_preview_lists_exactly_these_fields(tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "--project-dir",
            str(make_project(tmp_path)),
            "submit",
            "--dry-run",
            "--public",
            "--name",
            "Ada L.",
            "--country",
            "GB",
        ],
        env=fast_env(),
        catch_exceptions=False,
    )
    assert "exactly what you typed: country='GB', display_name='Ada L.'." in result.output


def test_without_public_nothing_personal_is_added(tmp_path):
    document = json.loads(run(make_project(tmp_path)).output)["submission"]
    assert document["visibility"] == "anonymous" and document["public"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "Ada"], "--name only apply with --public"),
        (["--public"], "--public needs at least one of --name, --github, --country"),
        (["--public", "--name", "x" * 41], "--name must be 1 to 40 characters (got 41)"),
        (["--public", "--name", ""], "--name must be 1 to 40 characters (got 0)"),
        (["--public", "--institution", "y" * 81], "--institution must be 1 to 80 characters"),
        (["--public", "--name", " Ada"], "--name must not start or end with spaces"),
        (["--public", "--name", "Ada\u202eevil"], "contains a control or invisible character"),
        (["--public", "--name", "Cafe\u0301"], "must be NFC-normalized"),
        (["--public", "--github", "bad_name"], "is not a GitHub user name"),
        (["--public", "--github", "-ada"], "is not a GitHub user name"),
        (["--public", "--country", "XX"], "'XX' is not an ISO 3166-1 alpha-2 code"),
        (["--public", "--country", "Germany"], "is not an ISO 3166-1 alpha-2 code"),
    ],
)
def test_bad_public_fields_are_refused_with_one_line(tmp_path, args, message):
    result = run(make_project(tmp_path), *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
