"""Local files: full disks and read-only folders are one line, nothing measured is lost,
results are created exclusively, special files and links out of the project are refused,
`build --archive` keeps files it did not write, `serve` answers malformed paths with 400.

A full disk is simulated portably with RLIMIT_FSIZE (`ulimit -f 0`) in a child process:
every write to a regular file then fails with EFBIG, as a full disk fails with ENOSPC.
"""

from __future__ import annotations

import http.client
import json
import os
import resource
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from submit_helpers import make_board, make_project

from tinytorch_board.board.serve import make_server
from tinytorch_board.cli import cli

ROOT = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent(
    """
    import sys
    from tinytorch_board.bench import baseline
    from tinytorch_board.bench.harness import HarnessSettings
    baseline.DEFAULT_SETTINGS = HarnessSettings(
        warmup_ms=2, budget_ms=20, min_runs=5, floor_runs=3, target_sample_ms=0.5
    )
    from tinytorch_board.cli import cli
    cli.main(args=sys.argv[1:], prog_name="tinytorch-board")
    """
)


def child(args: list[str], full_disk: bool = False, timeout: float = 120):
    """Run the CLI in a child process (quick benchmark settings), optionally on a 'full disk'."""

    def no_room() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=no_room if full_disk else None,
    )


def one_line_error(done) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()[-1:]
    assert [x for x in done.stderr.splitlines() if x.startswith("Error:")] == [line]
    return line


def test_benchmark_on_a_full_disk_prints_the_measured_result(tmp_path):
    project = tmp_path / "project"
    (project / ".tito").mkdir(parents=True)
    done = child(["--project-dir", str(project), "benchmark", "baseline", "--no-prompt"], True)
    line = one_line_error(done)
    assert line.startswith(f"Error: cannot write {project}/.tito/benchmarks/baseline_")
    assert line.endswith(": disk full (the file size limit was reached)")
    result = json.loads(done.stdout)  # the whole result, nothing measured is lost
    assert set(result["metrics"]) == {"tensor_ops", "matmul", "forward_pass"}
    assert result["score"] > 0
    assert "could not be saved" in done.stderr
    assert not list((project / ".tito").rglob("*.json"))
    assert not list((project / ".tito").rglob("*.tmp"))  # no half file left behind


@pytest.mark.parametrize(
    "args, target",
    [
        (["config", "set", "board.repo", "o/n"], ".tinytorch/config.json"),
        (["community", "join", "--yes"], ".tinytorch/community/profile.json"),
        (["submit", "--to", "BOARD", "--yes"], ".tinytorch/submissions/"),
    ],
)
def test_writes_on_a_full_disk_are_one_line(tmp_path, args, target):
    project = make_project(tmp_path)
    board = make_board(tmp_path)
    args = [str(board) if a == "BOARD" else a for a in args]
    done = child(["--project-dir", str(project), *args], full_disk=True)
    line = one_line_error(done)
    assert line.startswith(f"Error: cannot write {project}/{target}")
    assert "disk full" in line


def test_community_update_on_a_full_disk_is_one_line_and_keeps_the_profile(tmp_path):
    project = make_project(tmp_path)
    assert child(["--project-dir", str(project), "community", "join", "--yes"]).returncode == 0
    profile = project / ".tinytorch" / "community" / "profile.json"
    before = profile.read_text()
    done = child(
        ["--project-dir", str(project), "community", "update", "--country", "DE", "--yes"], True
    )
    line = one_line_error(done)
    assert line == f"Error: cannot write {profile}: disk full (the file size limit was reached)"
    assert profile.read_text() == before


@pytest.fixture
def read_only_project(tmp_path):
    """A project on a read-only file system (root: a tmpfs remounted ro; else chmod)."""
    if os.geteuid() != 0:
        project = make_project(tmp_path)
        for path in [project, *project.rglob("*")]:
            if path.is_dir():
                path.chmod(0o555)
        yield project
        for path in [project, *project.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
        return
    mount = tmp_path / "ro"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        project = make_project(mount)
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield project
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.parametrize(
    "args",
    [
        ["config", "set", "board.repo", "o/n"],
        ["community", "join", "--yes"],
        ["submit", "--to", "BOARD", "--yes"],
    ],
)
def test_writes_in_a_read_only_folder_are_one_line(read_only_project, tmp_path, args):
    board = make_board(tmp_path)
    args = [str(board) if a == "BOARD" else a for a in args]
    done = child(["--project-dir", str(read_only_project), *args])
    line = one_line_error(done)
    assert line.startswith(f"Error: cannot write {read_only_project}/.tinytorch/")
    assert line.endswith(("read-only file system", "permission denied"))


SAVER = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime, timezone
    from pathlib import Path
    from tinytorch_board.local.results import save_result
    out, tag, start = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    while time.time() < start:
        pass
    moment = datetime(2026, 11, 22, 10, 30, tzinfo=timezone.utc)
    for i in range(int(sys.argv[4])):
        save_result(out, {"kind": "baseline", "writer": tag, "n": i}, moment)
    """
)


def test_two_processes_saving_in_the_same_second_both_keep_every_result(tmp_path):
    out = tmp_path / ".tito" / "benchmarks"
    out.mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = str(time.time() + 1.5)
    count = 40
    children = [
        subprocess.Popen([sys.executable, "-c", SAVER, str(out), tag, start, str(count)], env=env)
        for tag in ("a", "b")
    ]
    assert [c.wait(timeout=60) for c in children] == [0, 0]
    saved = [json.loads(p.read_text()) for p in out.glob("baseline_20261122_103000*.json")]
    assert sorted((d["writer"], d["n"]) for d in saved) == sorted(
        (tag, n) for tag in "ab" for n in range(count)
    )
    assert not list(out.glob(".*.tmp"))


def _cli(project: Path, *args: str, timeout: float = 30):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "tinytorch_board", "--project-dir", str(project), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_progress_linked_to_dev_zero_is_refused_not_read(tmp_path):
    project = make_project(tmp_path)
    (project / "progress.json").unlink()
    (project / "progress.json").symlink_to("/dev/zero")
    done = _cli(project, "export")
    assert done.returncode == 0, done.stderr
    assert "progress.json: is a link to /dev/zero, outside the project" in done.stderr


def test_progress_as_a_fifo_does_not_hang_export(tmp_path):
    project = make_project(tmp_path)
    (project / "progress.json").unlink()
    os.mkfifo(project / "progress.json")
    started = time.monotonic()
    done = _cli(project, "export")
    assert time.monotonic() - started < 20
    assert done.returncode == 0, done.stderr
    assert "progress.json: is a FIFO (named pipe), not a regular file" in done.stderr


def test_a_link_out_of_the_project_is_not_followed(tmp_path):
    project = make_project(tmp_path)
    outside = tmp_path / "elsewhere.json"
    outside.write_text(json.dumps({"completed_modules": [f"{i:02d}" for i in range(1, 21)]}))
    (project / "progress.json").unlink()
    (project / "progress.json").symlink_to(outside)
    done = _cli(project, "export")
    assert done.returncode == 0, done.stderr
    assert f"is a link to {outside}, outside the project" in done.stderr
    assert json.loads(done.stdout)["module_progress"]["completed_count"] == 0


def test_a_link_within_the_project_is_read(tmp_path):
    project = make_project(tmp_path)
    (project / "progress.json").rename(project / "real-progress.json")
    (project / "progress.json").symlink_to(project / "real-progress.json")
    done = _cli(project, "export")
    assert done.returncode == 0 and "outside the project" not in done.stderr


def test_a_profile_fifo_does_not_hang_stats_and_is_not_copied(tmp_path):
    project = make_project(tmp_path)
    profile = project / ".tinytorch" / "community" / "profile.json"
    profile.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(profile)
    started = time.monotonic()
    done = _cli(project, "community", "stats", "--json")
    assert time.monotonic() - started < 20
    assert done.returncode == 0, done.stderr
    assert "is a FIFO (named pipe), not a regular file" in done.stderr
    assert "no copy was made" in done.stderr
    assert sorted(p.name for p in profile.parent.iterdir()) == ["profile.json"]


def test_a_profile_linked_out_of_the_project_is_neither_read_nor_copied(tmp_path):
    project = make_project(tmp_path)
    outside = tmp_path / "someone-elses.json"
    outside.write_text("{not json")
    profile = project / ".tinytorch" / "community" / "profile.json"
    profile.parent.mkdir(parents=True, exist_ok=True)
    profile.symlink_to(outside)
    done = _cli(project, "community", "stats", "--json")
    assert done.returncode == 0, done.stderr
    assert f"is a link to {outside}, outside the project" in done.stderr
    assert sorted(p.name for p in profile.parent.iterdir()) == ["profile.json"]


@pytest.fixture
def demo_board(tmp_path) -> Path:
    board = tmp_path / "board"
    result = CliRunner().invoke(cli, ["demo-data", "--count", "30", "--out", str(board)])
    assert result.exit_code == 0, result.output
    return board


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_fifo_among_submissions_is_refused_without_hanging(demo_board, tmp_path, command):
    os.mkfifo(demo_board / "submissions" / "zz-fifo.json")
    args = (
        [command, str(demo_board)]
        if command == "validate"
        else ["build", "--board", str(demo_board)]
    )
    started = time.monotonic()
    done = _cli(tmp_path, *args, timeout=120)
    assert time.monotonic() - started < 60
    assert "Traceback" not in done.stderr
    assert "zz-fifo.json" in done.stdout + done.stderr
    assert "is not a regular file (a FIFO or device)" in done.stdout + done.stderr


def test_profile_that_is_a_directory_gets_advice_that_works(tmp_path):
    project = make_project(tmp_path)
    profile = project / ".tinytorch" / "community" / "profile.json"
    profile.mkdir(parents=True)
    joined = CliRunner().invoke(cli, ["--project-dir", str(project), "community", "join", "--yes"])
    assert joined.exit_code == 1
    assert "is a directory, not a profile" in joined.output and "mv " in joined.output
    left = CliRunner().invoke(cli, ["--project-dir", str(project), "community", "leave", "--force"])
    assert left.exit_code == 1, left.output
    assert "is a directory, not a profile" in left.output
    assert profile.is_dir()  # not ours to delete
    # Following the advice works.
    profile.rename(profile.with_name("profile.json.moved"))
    again = CliRunner().invoke(cli, ["--project-dir", str(project), "community", "join", "--yes"])
    assert again.exit_code == 0, again.output


def test_build_archive_refuses_to_overwrite_a_file_it_did_not_write(demo_board, tmp_path):
    thesis = tmp_path / "thesis.txt"
    thesis.write_text("four years of work\n")
    run = CliRunner().invoke(cli, ["build", "--board", str(demo_board), "--archive", str(thesis)])
    assert run.exit_code == 1
    assert "is not a site archive written by tinytorch-board; refusing" in run.output
    assert thesis.read_text() == "four years of work\n"
    site = tmp_path / "site.tar"
    for _ in range(2):  # our own archive may be replaced
        again = CliRunner().invoke(
            cli, ["build", "--board", str(demo_board), "--archive", str(site)]
        )
        assert again.exit_code == 0, again.output
    other_tar = tmp_path / "other.tar"
    shutil.make_archive(str(tmp_path / "other"), "tar", root_dir=str(demo_board))
    refused = CliRunner().invoke(
        cli, ["build", "--board", str(demo_board), "--archive", str(other_tar)]
    )
    assert refused.exit_code == 1 and "refusing" in refused.output


@pytest.fixture
def served(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>board</p>")
    server = make_server(site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", ["/%00", "/index.html%00.txt", "/%ff%fe", "/a/%00/b"])
def test_serve_answers_malformed_paths_with_400(served, path, capfd):
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=5)
    connection.request("GET", path)
    assert connection.getresponse().status == 400
    connection.close()
    assert "Traceback" not in capfd.readouterr().err


def test_serve_still_serves_files(served):
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=5)
    connection.request("GET", "/index.html")
    response = connection.getresponse()
    assert response.status == 200 and response.read() == b"<p>board</p>"


def test_a_result_linked_from_outside_the_project_is_not_listed(tmp_path):
    from tinytorch_board.local.results import result_files

    project = make_project(tmp_path)
    benchmarks = project / ".tito" / "benchmarks"
    (own,) = result_files(benchmarks)
    outside = tmp_path / "someone-elses.json"
    outside.write_text(own.read_text())
    (benchmarks / "baseline_20991231_000000.json").symlink_to(outside)
    assert result_files(benchmarks) == [own]
