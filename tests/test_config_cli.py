"""`config get|set` and .tinytorch/config.json: typed values, TinyTorch's fields kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from community_helpers import invoke, new_project, put

from tinytorch_board.local.config import DEFAULTS, KEYS, load_config
from tinytorch_board.local.project import Project


@pytest.fixture
def tt_project(tmp_path: Path) -> Path:
    return new_project(tmp_path)


def config_file(project: Path) -> Path:
    return project / ".tinytorch" / "config.json"


def test_get_without_a_file_lists_every_key_with_its_default(tt_project):
    result = invoke(tt_project, "config", "get", "--json")
    assert result.exit_code == 0
    values = json.loads(result.stdout)
    assert values == {key: DEFAULTS[key.split(".")[0]][key.split(".")[1]] for key in KEYS}
    text = invoke(tt_project, "config", "get").output
    assert "board.pages_url = null    # the published board site" in text
    assert "website.enabled = false" in text
    assert not config_file(tt_project).exists()


@pytest.mark.parametrize(
    ("key", "typed", "stored"),
    [
        ("board.pages_url", "https://someone.github.io/board/", "https://someone.github.io/board"),
        ("board.pages_url", "null", None),
        ("board.repo", "harvard-edge/tinytorch-board", "harvard-edge/tinytorch-board"),
        ("board.repo", "none", None),
        ("board.api_url", "https://github.example.edu/api/v3", "https://github.example.edu/api/v3"),
        ("website.base_url", "https://tinytorch.ai", "https://tinytorch.ai"),
        ("website.community_map_url", "https://tinytorch.ai/map", "https://tinytorch.ai/map"),
        ("website.api_url", "http://localhost:8000", "http://localhost:8000"),
        ("website.enabled", "true", True),
        ("local.enabled", "False", False),
        ("local.auto_sync", "yes", True),
        ("local.auto_sync", "off", False),
    ],
)
def test_set_then_get(tt_project, key, typed, stored):
    result = invoke(tt_project, "config", "set", key, typed)
    assert result.exit_code == 0, result.output
    data = json.loads(config_file(tt_project).read_text())
    section, name = key.split(".")
    assert data[section][name] == stored
    assert data["config_version"] == 1
    got = invoke(tt_project, "config", "get", key, "--json")
    assert json.loads(got.stdout) == stored
    plain = invoke(tt_project, "config", "get", key).stdout.strip()
    assert plain == (
        "null" if stored is None else str(stored).lower() if stored in (True, False) else stored
    )


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("board.pages_url", "ftp://example.org", "must be an http(s) URL or null"),
        ("board.pages_url", "example.org", "must be an http(s) URL or null"),
        ("board.api_url", "null", "must be an http(s) URL, not 'null'"),
        ("website.base_url", "", "must be an http(s) URL"),
        ("website.enabled", "maybe", "takes true or false"),
        ("board.repo", "just-a-name", "must be owner/name"),
        ("board.repo", "a/b/c", "must be owner/name"),
        ("board.colour", "blue", "unknown config key 'board.colour'"),
        ("nosection", "x", "unknown config key"),
    ],
)
def test_set_refuses_bad_values_and_writes_nothing(tt_project, key, value, message):
    result = invoke(tt_project, "config", "set", key, value)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert not config_file(tt_project).exists()


def test_set_keeps_tinytorch_fields_and_unknown_sections(tt_project):
    original = {
        "website": {"base_url": "https://tinytorch.ai", "enabled": False, "theme": "dark"},
        "local": {"enabled": True, "auto_sync": False},
        "telemetry": {"opt_in": False},
    }
    put(config_file(tt_project), original)
    assert invoke(tt_project, "config", "set", "board.repo", "owner/board").exit_code == 0
    data = json.loads(config_file(tt_project).read_text())
    assert data == {**original, "board": {"repo": "owner/board"}, "config_version": 1}
    text = config_file(tt_project).read_text()
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    merged = load_config(Project(tt_project))
    assert merged["website"]["base_url"] == "https://tinytorch.ai"
    assert merged["website"]["community_map_url"] == DEFAULTS["website"]["community_map_url"]
    assert merged["board"]["api_url"] == "https://api.github.com"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"board": {"repo": "a/b"', "not valid JSON"),
        ('["board"]', "expected a JSON object, found array"),
        ({"board": ["a/b"]}, "'board' must be an object"),
        ({"config_version": 2}, "config_version 2 is not one this tinytorch-board understands"),
    ],
)
def test_an_unreadable_config_file_is_one_line_and_never_overwritten(tt_project, content, message):
    put(config_file(tt_project), content)
    before = config_file(tt_project).read_bytes()
    for args in (["get"], ["get", "board.repo"], ["set", "board.repo", "o/r"]):
        result = invoke(tt_project, "config", *args)
        assert result.exit_code == 1, result.output
        assert message in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert config_file(tt_project).read_bytes() == before


@pytest.mark.parametrize(
    ("content", "key", "message", "fix"),
    [
        ({"board": {"pages_url": 42}}, "board.pages_url", "must be an http(s) URL or null", "null"),
        ({"local": {"auto_sync": "yes"}}, "local.auto_sync", "must be true or false", "true"),
    ],
)
def test_a_wrong_value_is_reported_and_fixed_with_config_set(
    tt_project, content, key, message, fix
):
    put(config_file(tt_project), content)
    result = invoke(tt_project, "config", "get")
    assert result.exit_code == 1
    assert f"'{key}' {message}; fix it with `tinytorch-board config set {key} VALUE`" in (
        result.output
    )
    assert invoke(tt_project, "config", "set", key, fix).exit_code == 0
    assert invoke(tt_project, "config", "get").exit_code == 0


def test_get_unknown_key(tt_project):
    result = invoke(tt_project, "config", "get", "board.nope")
    assert result.exit_code == 1
    assert "unknown config key 'board.nope'" in result.output
    assert "board.pages_url" in result.output
