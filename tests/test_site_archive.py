"""`build --archive`: the site as one tar, the same files as the folder build."""

from __future__ import annotations

import tarfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from site_helpers import demo_stats

from tinytorch_board.board.config import BoardConfig
from tinytorch_board.board.site import api, render_site
from tinytorch_board.board.site import build as site_build
from tinytorch_board.board.site.sink import tar_header
from tinytorch_board.cli import cli
from tinytorch_board.errors import BoardError


def folder_files(root: Path) -> tuple[dict[str, bytes], set[str]]:
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    folders = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}
    return files, folders


def archive_files(path: Path) -> tuple[dict[str, bytes], set[str], list[tarfile.TarInfo]]:
    with tarfile.open(path) as archive:
        members = archive.getmembers()
        files = {m.name: archive.extractfile(m).read() for m in members if m.isfile()}
    folders = {m.name for m in members if m.isdir()}
    return files, folders, members


@pytest.fixture(scope="module")
def stats():
    return demo_stats(330, seed=21)


@pytest.mark.parametrize("parallel", [False, True])
def test_archive_holds_exactly_the_folder_build(tmp_path, monkeypatch, stats, parallel):
    if parallel:  # many small tasks, so fragments repeat shared cards and must be joined
        monkeypatch.setattr(site_build, "PARALLEL_FROM", 1)
        monkeypatch.setattr(site_build.os, "cpu_count", lambda: 3)
        monkeypatch.setattr(site_build, "PAGES_PER_TASK", 1)
        monkeypatch.setattr(site_build, "PROGRESS_PER_TASK", 9)
    render_site(stats, BoardConfig(), tmp_path / "site")
    report = render_site(stats, BoardConfig(), tmp_path / "site.tar", archive=True)

    files, folders = folder_files(tmp_path / "site")
    tar_files, tar_folders, members = archive_files(tmp_path / "site.tar")
    assert tar_files == files
    assert tar_folders == folders
    names = [m.name for m in members]
    assert len(names) == len(set(names))  # no member twice (shared cards joined once)
    assert all(m.isfile() or m.isdir() for m in members)  # Pages takes no links
    for name in names:  # every folder comes before what it holds
        parent = name.rpartition("/")[0]
        assert not parent or names.index(parent) < names.index(name)
    stamp = datetime.strptime(stats.generated_at, "%Y-%m-%dT%H:%M:%SZ")
    assert {m.mtime for m in members} == {int(stamp.replace(tzinfo=timezone.utc).timestamp())}
    assert {(m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, "", "")}
    assert report.files == len(files)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no leftovers


def test_equal_boards_give_byte_equal_archives(tmp_path, stats):
    render_site(stats, BoardConfig(), tmp_path / "a.tar", archive=True)
    render_site(stats, BoardConfig(), tmp_path / "b.tar", archive=True)
    assert (tmp_path / "a.tar").read_bytes() == (tmp_path / "b.tar").read_bytes()


def test_a_failed_build_keeps_the_old_archive(tmp_path, monkeypatch, stats):
    target = tmp_path / "site.tar"
    render_site(stats, BoardConfig(), target, archive=True)
    before = target.read_bytes()

    def broken_feed(*args, **kwargs):
        raise RuntimeError("feed failed")

    monkeypatch.setattr(api, "atom_feed", broken_feed)
    with pytest.raises(RuntimeError, match="feed failed"):
        render_site(stats, BoardConfig(), target, archive=True)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.tar"]


def test_archive_path_must_not_be_a_folder(tmp_path, stats):
    (tmp_path / "site").mkdir()
    with pytest.raises(BoardError, match="is a folder"):
        render_site(stats, BoardConfig(), tmp_path / "site", archive=True)


@pytest.mark.parametrize(
    "name",
    ["s/" + "a" * 32 + ".html", "api/progress/" + "b" * 36 + ".json", "d/" * 60 + "x.txt"],
)
def test_tar_headers_read_back(tmp_path, name):
    path = tmp_path / "one.tar"
    path.write_bytes(tar_header(name, 3, 1_700_000_000) + b"abc" + b"\0" * 509 + b"\0" * 1024)
    with tarfile.open(path) as archive:
        (member,) = archive.getmembers()
        assert (member.name, member.size, member.mtime) == (name, 3, 1_700_000_000)
        assert archive.extractfile(member).read() == b"abc"


def test_tar_header_refuses_names_it_cannot_hold():
    with pytest.raises(ValueError, match="too long"):
        tar_header("x" * 101, 0, 0)


def test_cli_build_archive(tmp_path, monkeypatch):
    from tinytorch_board.board.demo_data import write_demo_board

    board = tmp_path / "board"
    write_demo_board(board, 40, seed=2)
    runner = CliRunner()
    done = runner.invoke(
        cli, ["build", "--board", str(board), "--archive", str(tmp_path / "a.tar")]
    )
    assert done.exit_code == 0, done.output
    assert "upload it as the github-pages artifact" in done.output
    with tarfile.open(tmp_path / "a.tar") as archive:
        names = archive.getnames()
    assert "index.html" in names and "community.html" in names
    both = runner.invoke(
        cli,
        ["build", "--board", str(board), "--archive", str(tmp_path / "b.tar"), "--out", "x"],
    )
    assert both.exit_code == 2 and "not both" in both.output


def test_archive_report_counts_each_member_once(tmp_path, monkeypatch, stats):
    monkeypatch.setattr(site_build, "PARALLEL_FROM", 1)
    monkeypatch.setattr(site_build.os, "cpu_count", lambda: 3)
    report = render_site(stats, BoardConfig(), tmp_path / "site.tar", archive=True)
    files, _, _ = archive_files(tmp_path / "site.tar")
    assert (report.files, report.bytes) == (len(files), sum(map(len, files.values())))


def test_a_failed_join_stops_the_workers_and_keeps_the_old_archive(tmp_path, monkeypatch, stats):
    import multiprocessing

    from tinytorch_board.board.site import sink

    monkeypatch.setattr(site_build, "PARALLEL_FROM", 1)
    monkeypatch.setattr(site_build.os, "cpu_count", lambda: 3)
    target = tmp_path / "site.tar"
    render_site(stats, BoardConfig(), target, archive=True)  # the old archive (ours)
    old = target.read_bytes()
    real_add = sink.Assembler.add
    calls = []

    def failing_add(self, fragment):
        calls.append(fragment)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real_add(self, fragment)

    monkeypatch.setattr(sink.Assembler, "add", failing_add)
    with pytest.raises(OSError, match="No space left"):
        render_site(stats, BoardConfig(), target, archive=True)
    assert target.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.tar"]
    assert multiprocessing.active_children() == []


def test_the_writers_short_name_headers_are_tar_header(tmp_path):
    """The writer joins a short name's header in one step; it must equal tar_header."""
    from tinytorch_board.board.site.sink import ArchiveWriter

    cases = [
        ("s/" + "a" * 32 + ".html", b"x" * 1500),
        ("x", b""),
        ("y" * 100, b"z" * 512),
        ("d/" * 60 + "q", b"abc"),
        ("é/ü.html", b"1"),
    ]
    writer = ArchiveWriter(tmp_path / "a.tar", 1_700_000_000)
    for name, data in cases:
        writer._member(name, data)
    writer.close()
    expected = b"".join(
        tar_header(name, len(data), 1_700_000_000) + data + b"\0" * (-len(data) % 512)
        for name, data in cases
    )
    assert (tmp_path / "a.tar").read_bytes() == expected
