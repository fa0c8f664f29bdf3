"""The whole offline loop through the CLI: benchmark -> submit -> validate -> build -> serve."""

from __future__ import annotations

import json
import threading
import urllib.request
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from conftest import write_json

from tinytorch_board.cli import cli
from tinytorch_board.local.results import result_files
from tinytorch_board.submission.validator import board_files, check_file


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def measured(project):
    """A project with one real baseline result."""
    result = run("--project-dir", str(project), "benchmark", "baseline", "--json")
    assert result.exit_code == 0, result.output
    return project


def test_benchmark_writes_a_result_and_never_overwrites(measured):
    files = result_files(measured / ".tito" / "benchmarks")
    assert len(files) == 1 and files[0].name.startswith("baseline_")
    doc = json.loads(files[0].read_text())
    assert doc["result_version"] == 1
    assert set(doc["metrics"]) == {"tensor_ops", "matmul", "forward_pass"}
    assert all(m["median_ms"] > 0 for m in doc["metrics"].values())
    assert 0 <= doc["score"] <= 100
    run("--project-dir", str(measured), "benchmark", "baseline", "--json")
    assert len(result_files(measured / ".tito" / "benchmarks")) == 2


def test_benchmark_table_output(project):
    result = run("--project-dir", str(project), "benchmark", "baseline")
    assert result.exit_code == 0
    assert "Your machine:" in result.stdout and "nothing was sent" in result.stdout


def test_submit_dry_run_shows_the_exact_file_and_writes_nothing(measured, board):
    (measured / "progress.json").write_text('{"completed_modules": ["01", 2, "03"]}')
    result = run("--project-dir", str(measured), "submit", "--to", str(board), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was written." in result.stdout
    shown = result.stdout.split(":\n\n", 1)[1].split("\n}\n", 1)[0] + "\n}"
    doc = json.loads(shown)
    assert doc["progress"]["modules_completed"] == 3
    assert board_files(board) == []
    assert not (measured / ".tinytorch" / "submissions").exists()


def test_submit_writes_the_previewed_file_and_records_it(measured, board):
    result = run("--project-dir", str(measured), "submit", "--to", str(board), "--yes")
    assert result.exit_code == 0, result.output
    [path] = board_files(board)
    assert check_file(path).ok
    assert path.read_text().strip() in result.stdout
    record = json.loads((measured / ".tinytorch" / "submissions" / path.name).read_text())
    assert record["status"] == "sent" and len(record["withdraw_secret"]) == 64
    assert record["withdraw_secret"] not in path.read_text()


def test_submit_without_a_terminal_refuses(measured, board):
    result = CliRunner().invoke(cli, ["--project-dir", str(measured), "submit", "--to", str(board)])
    assert result.exit_code == 1
    assert "cannot ask for confirmation without a terminal" in result.output
    assert board_files(board) == []


def test_submit_asks_and_respects_no(measured, board, monkeypatch):
    monkeypatch.setattr("tinytorch_board.cli._util.is_interactive", lambda: True)
    result = run("--project-dir", str(measured), "submit", "--to", str(board), input="n\n")
    assert "Nothing was written." in result.stdout
    assert board_files(board) == []


def test_submit_without_results_says_what_to_do(project, board):
    result = CliRunner().invoke(cli, ["--project-dir", str(project), "submit", "--to", str(board)])
    assert result.exit_code == 1
    assert "run `tinytorch-board benchmark baseline` first" in result.output
    assert "Traceback" not in result.output


def test_submit_with_corrupt_result_is_one_line(project, board):
    bad = write_json(project / ".tito" / "benchmarks" / "baseline_20261101_100000.json", [1])
    result = CliRunner().invoke(cli, ["--project-dir", str(project), "submit", "--to", str(board)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {bad}: expected a JSON object, found array"
    assert bad.read_text() == "[1]"


def test_submit_to_something_that_is_not_a_board(measured, tmp_path):
    result = CliRunner().invoke(
        cli, ["--project-dir", str(measured), "submit", "--to", str(tmp_path / "x"), "--yes"]
    )
    assert result.exit_code == 1
    assert "is not a board" in result.output


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self._in_cell = True
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        if tag == "td":
            self._in_cell = False

    def handle_data(self, data):
        if self._in_cell:
            self.rows[-1][-1] += data


def test_demo_data_is_valid_varied_and_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run("demo-data", "--count", "60", "--seed", "3", "--out", str(a)).exit_code == 0
    run("demo-data", "--count", "60", "--seed", "3", "--out", str(b))
    files_a, files_b = board_files(a), board_files(b)
    assert len(files_a) == 60
    assert [p.read_bytes() for p in files_a] == [p.read_bytes() for p in files_b]
    docs = [json.loads(p.read_text()) for p in files_a]
    assert all(check_file(p).ok for p in files_a)
    assert len({d["system"]["system_type"] for d in docs}) >= 3
    assert {d["benchmark"]["backend"] for d in docs} == {"numpy", "tinytorch"}
    assert any(d["visibility"] == "public" for d in docs)
    assert len({d["participant_id"] for d in docs}) < 60  # some students submit twice


def test_build_lists_every_valid_submission_and_skips_bad_files(tmp_path):
    board = tmp_path / "board"
    run("demo-data", "--count", "25", "--out", str(board))
    (board / "submissions" / "00").mkdir(exist_ok=True)
    (board / "submissions" / "00" / "broken.json").write_text("{")
    result = run("build", "--board", str(board), "--out", str(tmp_path / "site"))
    assert result.exit_code == 0
    assert "25 submission(s) listed" in result.stdout
    assert "1 file(s) skipped" in result.stdout
    parser = _Cells()
    parser.feed((tmp_path / "site" / "index.html").read_text())
    assert len([r for r in parser.rows if r]) == 25


def test_build_escapes_hostile_names(tmp_path, public_doc):
    from conftest import write_submission

    board = tmp_path / "board"
    (board / "submissions").mkdir(parents=True)
    public_doc["public"] = {"display_name": '<script>alert("x")</script>'}
    write_submission(board, public_doc)
    run("build", "--board", str(board), "--out", str(tmp_path / "site"))
    html = (tmp_path / "site" / "index.html").read_text()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_build_without_a_board_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 1
    assert "no board.yaml here or above; pass --board DIR" in result.output


def test_serve_serves_the_site_on_loopback(tmp_path):
    from tinytorch_board.board.serve import make_server

    (tmp_path / "index.html").write_text("<p>hello board</p>")
    server = make_server(tmp_path, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=5) as r:
            assert r.read() == b"<p>hello board</p>"
    finally:
        server.shutdown()
        server.server_close()
