"""Hostile distribution sources: every download is bounded, a bad one is "offline" in one line.

One local HTTP server answers per variant (tests/hostile_http.py); compare, community
stats and submit's landing line must end quickly, print no traceback, and submit must
still prepare, preview and write its local file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from github_fake import github_fake_fixture, github_server_fixture  # noqa: F401  (fixtures)
from hostile_http import BAD_BODIES, HostileServer
from submit_helpers import make_board, make_project

from tinytorch_board.cli import cli
from tinytorch_board.errors import BoardError, DataFileError
from tinytorch_board.fetch import download_json, fetch_json
from tinytorch_board.submission.distribution import check_distribution

REL = "api/distribution.json"


@pytest.fixture(scope="module")
def server():
    hostile = HostileServer()
    yield hostile
    hostile.close()


def _project(tmp_path: Path, pages_url: str) -> Path:
    project = make_project(tmp_path)
    (project / ".tinytorch" / "config.json").write_text(
        json.dumps({"board": {"pages_url": pages_url}}), encoding="utf-8"
    )
    return project


def run(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--project-dir", str(project), *args], catch_exceptions=False)


@pytest.mark.parametrize("variant", sorted(BAD_BODIES))
def test_a_bad_shape_is_refused_before_any_arithmetic(server, variant):
    with pytest.raises(BoardError) as caught:
        fetch_json(server.url(variant), REL, timeout=5, check=check_distribution)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("offline and nothing cached:")


@pytest.mark.parametrize("variant", sorted(BAD_BODIES))
def test_compare_with_a_bad_source_is_one_line(server, tmp_path, variant):
    project = _project(tmp_path, server.url(variant))
    result = run(project, "compare")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: offline and nothing cached:")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("variant", ["count-many", "count-negative", "deep-nesting", "oversize"])
def test_community_stats_says_offline_and_shows_local_figures(server, tmp_path, variant):
    project = _project(tmp_path, server.url(variant))
    result = run(project, "community", "stats")
    assert result.exit_code == 0, result.output
    (line,) = [x for x in result.output.splitlines() if "offline" in x]
    assert line.strip().startswith("offline:")
    assert "of -5 results" not in result.output


@pytest.mark.parametrize("variant", ["count-1e400", "systems-list", "deep-nesting", "redirect-ftp"])
def test_submit_dry_run_with_a_bad_source_prepares_previews_and_exits_0_every_time(
    server, tmp_path, variant
):
    project = _project(tmp_path, server.url(variant))
    board = make_board(tmp_path)
    # a board.yaml from a newer version (a key this one does not know): the board's own
    # figures cannot be read, so the standing comes from board.pages_url, the bad source
    (board / "board.yaml").write_text("version: 1\nk_anonymity: 5\nnewer_key: 1\n", "utf-8")
    for _ in range(2):
        result = run(project, "submit", "--to", str(board), "--dry-run")
        assert result.exit_code == 0, result.output
        assert "This exact file would be written to" in result.output
        assert "offline: " in result.output
        assert "Traceback" not in result.output
    written = run(project, "submit", "--to", str(board), "--yes")
    assert written.exit_code == 0, written.output
    assert list((board / "submissions").rglob("*.json"))


def test_a_good_source_still_works_and_places_the_result(server, tmp_path):
    project = _project(tmp_path, server.url("good"))
    result = run(project, "compare")
    assert result.exit_code == 0, result.output
    assert "Your score would land in the top" in result.output


def test_the_cache_keeps_only_checked_copies(server, tmp_path):
    cache = tmp_path / "cache"
    good = fetch_json(server.url("good"), REL, cache, timeout=5, check=check_distribution)
    assert not good.from_cache
    # The source now answers garbage: the checked copy is used, labelled as cached.
    bad = server.url("count-many")
    cached = fetch_json(bad, REL, cache, timeout=5, check=check_distribution)
    assert cached.from_cache and "count must be a non-negative integer" in cached.offline_reason
    # A tampered cache is checked again and ignored.
    copy = cache / "api_distribution.json.json"
    copy.write_text(copy.read_text().replace('"count": 40', '"count": -3'))
    with pytest.raises(BoardError, match="offline and nothing cached"):
        fetch_json(bad, REL, cache, timeout=5, check=check_distribution)


@pytest.mark.parametrize(
    "variant, reason",
    [
        ("redirect-other-host", "redirects to another place (http://localhost:"),
        ("redirect-other-port", "redirects to another place (http://127.0.0.1:9)"),
        ("redirect-ftp", "redirects to another place (ftp://127.0.0.1)"),
        ("redirect-loop", "HTTP 302"),
        ("error-500", "answered HTTP 500"),
        ("oversize-declared", "larger than"),
    ],
)
def test_redirects_leave_only_within_the_origin(server, variant, reason):
    with pytest.raises(BoardError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        download_json(f"{server.url(variant)}/{REL}", 5)


def test_a_same_origin_redirect_is_followed(server):
    data = download_json(f"{server.url('redirect-same')}/{REL}", 5)
    assert check_distribution(data, "x")["k"] == 5


@pytest.mark.parametrize("variant", ["drip", "drip-headers"])
def test_a_dripping_server_is_cut_at_one_deadline(server, variant):
    started = time.monotonic()
    with pytest.raises(BoardError, match=r"did not finish within 3 s"):
        download_json(f"{server.url(variant)}/{REL}", 3)
    assert time.monotonic() - started < 4.5


def test_compare_against_a_dripping_server_ends_within_15_s(server, tmp_path):
    project = _project(tmp_path, server.url("drip"))
    started = time.monotonic()
    result = run(project, "compare")
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert "did not finish within" in result.output
    assert elapsed < 15


def test_500_mb_streamed_is_cut_at_the_cap_with_bounded_memory_and_time(server, tmp_path):
    project = _project(tmp_path, server.url("oversize"))
    code = (
        "import resource, sys\n"
        "from tinytorch_board.cli import cli\n"
        "try:\n"
        "    cli.main(args=sys.argv[1:], standalone_mode=False)\n"
        "except Exception as exc:\n"
        "    print('ERROR', exc)\n"
        "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code, "--project-dir", str(project), "compare"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.monotonic() - started
    assert "larger than 16777216 bytes" in done.stdout, done.stdout + done.stderr
    peak_mb = int(done.stdout.split("MAXRSS_KB")[1].split()[0]) / 1024
    assert peak_mb < 250, peak_mb
    assert elapsed < 15


def test_deep_nesting_in_a_local_site_is_a_data_error(tmp_path):
    site = tmp_path / "site" / "api"
    site.mkdir(parents=True)
    (site / "distribution.json").write_bytes(BAD_BODIES["deep-nesting"])
    with pytest.raises(DataFileError, match="not valid JSON"):
        fetch_json(str(tmp_path), REL, check=check_distribution)


# -- the GitHub client (PyGithub's requests session) -------------------------------------------

RUN_AND_MEASURE = (
    "import resource, sys\n"
    "from tinytorch_board.cli import cli\n"
    "try:\n"
    "    cli.main(args=sys.argv[1:], standalone_mode=False)\n"
    "except Exception as exc:\n"
    "    print('ERROR', type(exc).__name__, exc)\n"
    "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
)


def measured(args: list[str], **env: str) -> tuple[str, float, float]:
    """Run the CLI in a child process: its output, wall time (s) and peak memory (MB)."""
    child_env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "PATH": "/nonexistent",
        **env,
    }
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_MEASURE, *args],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    elapsed = time.monotonic() - started
    out = done.stdout + done.stderr
    peak_mb = int(out.split("MAXRSS_KB")[1].split()[0]) / 1024
    return out, elapsed, peak_mb


GITHUB_ENV = {
    "TINYTORCH_BOARD_TOKEN": "STUDENT-TOKEN",
    "TINYTORCH_BOARD_TIMEOUT": "5",
    "TINYTORCH_BOARD_WRITE_INTERVAL": "0",
}


@pytest.mark.parametrize("variant", ["drip", "drip-headers"])
def test_submit_to_a_dripping_github_ends_within_15_s(server, tmp_path, variant):
    project = make_project(tmp_path, repo="board-org/board")
    out, elapsed, _ = measured(
        ["--project-dir", str(project), "submit", "--yes", "--api-url", server.url(variant)],
        **GITHUB_ENV,
    )
    assert "did not answer within 10 s while reading the board repository" in out, out
    assert "Traceback" not in out
    assert elapsed < 15


def test_submit_against_a_500_mb_github_answer_is_cut_with_bounded_memory(server, tmp_path):
    project = make_project(tmp_path, repo="board-org/board")
    out, elapsed, peak_mb = measured(
        ["--project-dir", str(project), "submit", "--yes", "--api-url", server.url("oversize")],
        **GITHUB_ENV,
    )
    assert "sent an answer larger than 8388608 bytes while reading the board repository" in out
    assert "Traceback" not in out and "TypeError" not in out
    assert peak_mb < 250, peak_mb
    assert elapsed < 15


def test_a_declared_500_mb_github_answer_is_refused_unread(server, tmp_path):
    project = make_project(tmp_path, repo="board-org/board")
    url = server.url("oversize-declared")
    out, elapsed, _ = measured(
        ["--project-dir", str(project), "submit", "--yes", "--api-url", url], **GITHUB_ENV
    )
    assert f"sent an answer of {500 * 2**20} bytes" in out, out
    assert elapsed < 15


def test_a_github_that_keeps_answering_202_is_given_up(tmp_path, github_fake):
    from submit_helpers import fast_env

    github_fake.fail("GET", r"^/repos/board-org/board$", 202, "processing", times=100)
    project = make_project(tmp_path, repo="board-org/board")
    started = time.monotonic()
    result = CliRunner().invoke(
        cli,
        ["--project-dir", str(project), "submit", "--yes", "--api-url", github_fake.base_url],
        env=fast_env(TINYTORCH_BOARD_TOKEN="STUDENT-TOKEN"),
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert "GitHub answered 202 (still processing) 3 times while reading the board" in result.output
    assert time.monotonic() - started < 15


def test_the_network_budget_bounds_all_requests_together(tmp_path, github_fake):
    from submit_helpers import fast_env

    for path in (r"^/repos/board-org/board$", r"^/user$", r"/pulls$"):
        github_fake.hang("GET", path, seconds=0.8, process=True, times=5)
    project = make_project(tmp_path, repo="board-org/board")
    result = CliRunner().invoke(
        cli,
        ["--project-dir", str(project), "submit", "--yes", "--api-url", github_fake.base_url],
        env=fast_env(TINYTORCH_BOARD_TOKEN="STUDENT-TOKEN", TINYTORCH_BOARD_NETWORK_BUDGET="2"),
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert "GitHub took more than 2 s of transfers in all for this command" in result.output
