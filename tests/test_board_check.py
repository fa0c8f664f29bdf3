"""`board check`: board.yaml checked strictly, one line per refusal, docs generated from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tinytorch_board.board.config import default_board_yaml
from tinytorch_board.board.config_docs import key_reference, reference_in
from tinytorch_board.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def check(tmp_path: Path, text: str, *args: str):
    board = tmp_path / "board"
    board.mkdir(exist_ok=True)
    (board / "board.yaml").write_text(text, encoding="utf-8")
    return CliRunner().invoke(cli, ["board", "check", str(board), *args])


def alias_bomb() -> str:
    lines = ["version: 1", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\nk_anonymity: -3\n", "k_anonymity must be a whole number >= 1"),
        ("version: 1\ntitle: a\ntitle: b\n", "line 3: duplicate key 'title' (first on line 2)"),
        (alias_bomb(), "more than 32 aliases"),
        (
            'base_path: "javascript:alert(1)//"\n',
            "base_path 'javascript:alert(1)//' must be a path",
        ),
        ("base_path: //evil.example/\n", "must be a path starting and ending with '/'"),
        ("base_path: /a/../b/\n", "must be a path"),
        ('title: ""\n', "title must be 1 to 200 characters"),
        ("title: '   '\n", "title must not be blank"),
        ("outliers: {mads: 1e308}\n", "outliers.mads must be a number > 0 and at most 1000"),
        ("outliers: {mads: .nan}\n", "outliers.mads must be a number > 0"),
        ("k_anonymity: 10^12\n", "got text '10^12'; write plain digits"),
        ("automation: {auto_merge: yes}\n", "YAML 1.2 booleans are true and false"),
        ("k_anonymity: 017\nk: 1\n", "unknown key(s): k"),
        ("colour: red\n", "unknown key(s): colour"),
        ("site: {url: 'http://example.org/board/'}\n", "http only on 127.0.0.1"),
        ("site: {url: 'https://o.github.io/b/?x=1'}\n", "without ?query"),
        ("site: {repository: 'not a repo'}\n", "site.repository must be OWNER/NAME"),
        (
            "site: {url: 'https://o.github.io/board/'}\nbase_path: /other/\n",
            "disagrees with site.url",
        ),
        ("automation: {max_prs_per_author_per_day: -1}\n", "from 0 to 1000"),
        ("title: [unclosed\n", "not valid YAML (line 2"),
        ("version: 1\n<<: {title: x}\n", "unknown key(s): <<"),
    ],
)
def test_refusals_are_one_line_exit_1(tmp_path: Path, text: str, message: str) -> None:
    result = check(tmp_path, text)
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_the_alias_bomb_fails_fast_with_a_short_message(tmp_path: Path) -> None:
    result = check(tmp_path, alias_bomb())
    assert result.exit_code == 1 and len(result.output) < 200


def test_a_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    result = check(tmp_path, "version: 1\n" + "# padding\n" * 30_000)
    assert result.exit_code == 1 and "larger than 256 KiB" in result.output


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("outliers: {mads: 1e3}\n", 1000.0),  # YAML 1.1 would read "1e3" as text
        ("outliers: {mads: 2.5}\n", 2.5),
    ],
)
def test_yaml_1_2_numbers(tmp_path: Path, text: str, value: float) -> None:
    from tinytorch_board.board.config import load_config

    assert check(tmp_path, text).exit_code == 0
    assert load_config(tmp_path / "board").outlier_mads == value


def test_octal_looking_numbers_are_decimal_as_in_yaml_1_2(tmp_path: Path) -> None:
    from tinytorch_board.board.config import load_config

    check(tmp_path, "k_anonymity: 017\n")
    assert load_config(tmp_path / "board").k_anonymity == 17


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        ("k_anonymity: 1\n", "no k-anonymity"),
        ("k_anonymity: 1000000000000\n", "almost every group will show as 'Other'"),
        ("outliers: {mads: 1}\n", "flags ordinary scores"),
    ],
)
def test_odd_values_pass_with_a_warning(tmp_path: Path, text: str, warning: str) -> None:
    result = check(tmp_path, text)
    assert result.exit_code == 0 and warning in result.output and "1 warning(s)" in result.output


def test_site_keys_are_accepted_and_agree(tmp_path: Path) -> None:
    from tinytorch_board.board.config import load_config

    text = (
        "site: {url: 'https://course.github.io/board/', repository: course/board}\n"
        "base_path: /board/\n"
    )
    assert check(tmp_path, text).exit_code == 0
    config = load_config(tmp_path / "board")
    assert config.site.repository == "course/board" and config.base_path == "/board/"
    assert check(tmp_path, "site: {url: 'http://127.0.0.1:8000/'}\n").exit_code == 0


def test_the_shipped_board_yaml_is_accepted(tmp_path: Path) -> None:
    result = check(tmp_path, default_board_yaml())
    assert result.exit_code == 0 and "0 warning(s)" in result.output


def test_json_output(tmp_path: Path) -> None:
    import json

    bad = json.loads(check(tmp_path, "k_anonymity: 0\n", "--json").output)
    assert bad["ok"] is False and "k_anonymity" in bad["error"]
    good = json.loads(check(tmp_path, "k_anonymity: 1\n", "--json").output)
    assert good["ok"] is True and len(good["warnings"]) == 1


def test_the_guide_holds_the_generated_key_reference() -> None:
    guide = (ROOT / "docs" / "maintainers.md").read_text(encoding="utf-8")
    assert reference_in(guide) == key_reference(), (
        "docs/maintainers.md's key table is stale: replace it with "
        "`tinytorch-board board check --docs`"
    )
    assert CliRunner().invoke(cli, ["board", "check", "--docs"]).output == key_reference()


def test_every_key_of_the_shipped_file_is_documented() -> None:
    import yaml

    documented = {
        row.split("`")[1] for row in key_reference().splitlines() if row.startswith("| `")
    }
    shipped = yaml.safe_load(default_board_yaml())
    for key, value in shipped.items():
        if isinstance(value, dict):
            assert all(f"{key}.{sub}" in documented for sub in value), key
        else:
            assert key in documented


def test_validate_points_at_board_check(tmp_path: Path) -> None:
    result = check(tmp_path, "version: 1\n")
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", str(tmp_path / "board" / "board.yaml")])
    assert result.exit_code == 1 and "board check" in result.output
    check(tmp_path, "k_anonymity: 0\n")
    (tmp_path / "board" / "submissions").mkdir()
    result = runner.invoke(cli, ["validate", str(tmp_path / "board")])
    assert result.exit_code == 1 and "k_anonymity must be" in result.output


def test_the_new_board_yaml_states_the_defaults(tmp_path: Path) -> None:
    from tinytorch_board.board.config import BoardConfig, load_config

    check(tmp_path, default_board_yaml())
    assert load_config(tmp_path / "board") == BoardConfig()


def test_this_repositorys_board_yaml_is_valid() -> None:
    # Only that it is valid: no test depends on the canonical board's values.
    result = CliRunner().invoke(cli, ["board", "check", str(ROOT)])
    assert result.exit_code == 0, result.output
