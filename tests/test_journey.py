"""The student's journey, end to end, in a TinyTorch project with tito's own files.

3 modules and 1 of 6 milestones done: baseline welcomes, submit places the result, compare
uses the remembered board, a public submission gets its rank, badges, page and share card,
the same result is refused, `submissions` lists both, and withdraw takes an id prefix.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from tinytorch_board.cli import cli
from tinytorch_board.local.keys import load_keys
from tinytorch_board.local.project import Project
from tinytorch_board.submission.signature import participant_id_for, public_key_of, verifies

FIXTURES = Path(__file__).parent / "fixtures" / "tito"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def tinytorch(tmp_path) -> Path:
    """A TinyTorch checkout as tito leaves it: 3 modules done, milestone 01 passed."""
    project = tmp_path / "TinyTorch"
    (project / ".tito").mkdir(parents=True)
    shutil.copy(FIXTURES / "progress.workflow.02364f80.json", project / "progress.json")
    shutil.copy(FIXTURES / "tito-config.3b721c54.json", project / ".tito" / "config.json")
    milestones = json.loads((FIXTURES / "tito-milestones.02364f80.json").read_text())
    milestones["completed_milestones"] = ["01"]
    milestones["completion_dates"] = {"01": milestones["completion_dates"]["01"]}
    (project / ".tito" / "milestones.json").write_text(json.dumps(milestones))
    return project


@pytest.fixture
def community_board(tmp_path) -> Path:
    """A board folder (no built site) with the package's board.yaml and 60 results."""
    board = tmp_path / "board"
    board.mkdir()
    shutil.copy(ROOT / "board.yaml", board / "board.yaml")
    out = CliRunner().invoke(
        cli, ["demo-data", "--count", "60", "--seed", "7", "--out", str(board)]
    )
    assert out.exit_code == 0, out.output
    return board


def tinytorch_board(project: Path, *args: str):
    result = CliRunner().invoke(cli, ["--project-dir", str(project), *args], catch_exceptions=False)
    return result


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_whole_journey(tinytorch, community_board):
    board = str(community_board)

    first = tinytorch_board(tinytorch, "benchmark", "baseline", "--backend", "numpy")
    assert first.exit_code == 0, first.output
    assert "Welcome to the TinyTorch community board" in first.output
    assert "Modules: 3/20 (Tensor, Activations, Layers)" in first.output
    assert "Milestones: 1/6 (1957 Perceptron)" in first.output
    assert "💡 Next:" in first.output

    anonymous = tinytorch_board(tinytorch, "submit", "--to", board, "--yes")
    assert anonymous.exit_code == 0, anonymous.output
    assert re.search(
        r"top \d+% of \d+ comparable results \(baseline · suite \d · numpy\)", anonymous.output
    )
    assert re.search(
        r"Similar systems: top \d+% of the \d+ comparable results measured on .+ machines",
        anonymous.output,
    )

    compared = tinytorch_board(tinytorch, "compare")  # no flags: the remembered board
    assert compared.exit_code == 0, compared.output
    assert f"Compared with {community_board.resolve()}" in compared.output

    second = tinytorch_board(tinytorch, "benchmark", "baseline", "--backend", "numpy")
    assert second.exit_code == 0, second.output
    assert "since your last run" in second.output and "Welcome" not in second.output
    assert "Where you stand: top" in second.output

    public = tinytorch_board(
        tinytorch, "submit", "--public", "--name", "Ada", "--to", board, "--yes"
    )
    assert public.exit_code == 0, public.output
    assert re.search(r"rank #\d+ of \d+ comparable results", public.output)
    assert "Badges earned: First Steps, Community Member." in public.output
    (record,) = [
        r
        for r in (
            json.loads(p.read_text())
            for p in (tinytorch / ".tinytorch" / "submissions").glob("*.json")
        )
        if r["submission"]["visibility"] == "public"
    ]
    sid = record["submission_id"]
    assert f"Your page: {(community_board / 'site' / 's' / sid).resolve()}.html" in public.output
    card = tinytorch / ".tinytorch" / "cards" / f"{sid}.png"
    assert f"Share card: {card.resolve()}" in public.output
    assert png_size(card) == (1200, 630)
    assert card.with_suffix(".svg").is_file()

    again = tinytorch_board(
        tinytorch, "submit", "--public", "--name", "Ada", "--to", board, "--yes"
    )
    assert again.exit_code == 1
    assert f"already on the board as public submission {sid[:8]}" in again.output
    assert len(list(community_board.joinpath("submissions").rglob("*.json"))) == 62

    listed = tinytorch_board(tinytorch, "submissions")
    assert listed.exit_code == 0, listed.output
    ids = [
        r["submission_id"][:8]
        for r in (
            json.loads(p.read_text())
            for p in (tinytorch / ".tinytorch" / "submissions").glob("*.json")
        )
    ]
    assert len(ids) == 2 and all(prefix in listed.output for prefix in ids)
    data = json.loads(tinytorch_board(tinytorch, "submissions", "--json").output)
    assert {s["visibility"] for s in data["submissions"]} == {"anonymous", "public"}

    withdrawn = tinytorch_board(tinytorch, "withdraw", sid[:5], "--yes")
    assert withdrawn.exit_code == 0, withdrawn.output
    assert "Withdrawn:" in withdrawn.output and "tinytorch-board build --board" in withdrawn.output
    assert len(list(community_board.joinpath("submissions").rglob("*.json"))) == 61


def test_the_dry_run_prints_exactly_the_bytes_submit_writes(tinytorch, community_board):
    assert (
        tinytorch_board(
            tinytorch, "benchmark", "baseline", "--backend", "numpy", "--json"
        ).exit_code
        == 0
    )
    dry = tinytorch_board(tinytorch, "submit", "--to", str(community_board), "--dry-run")
    assert dry.exit_code == 0, dry.output
    shown = dry.output.split(":\n\n", 1)[1].split("\nIt holds no", 1)[0]
    again = tinytorch_board(tinytorch, "submit", "--to", str(community_board), "--dry-run")
    assert again.exit_code == 0  # a repeated dry run is never refused, and shows the same file
    assert again.output.split(":\n\n", 1)[1].split("\nIt holds no", 1)[0] == shown

    sent = tinytorch_board(tinytorch, "submit", "--to", str(community_board), "--yes")
    assert sent.exit_code == 0, sent.output
    sid = json.loads(shown)["submission_id"]
    written = community_board / "submissions" / sid[:2] / f"{sid}.json"
    assert written.read_bytes() == shown.encode("utf-8")
    # the kept preview is the signed schema v2 file, its id the anonymous key's
    doc = json.loads(shown)
    keys = load_keys(Project(tinytorch))
    assert doc["schema_version"] == 2 and verifies(doc)
    assert doc["participant_id"] == participant_id_for(public_key_of(keys.anonymous))


def test_public_on_an_anonymous_result_switches_it_in_one_step(
    tinytorch, community_board, monkeypatch
):
    board = str(community_board)
    assert (
        tinytorch_board(
            tinytorch, "benchmark", "baseline", "--backend", "numpy", "--json"
        ).exit_code
        == 0
    )
    assert tinytorch_board(tinytorch, "submit", "--to", board, "--yes").exit_code == 0
    same = tinytorch_board(tinytorch, "submit", "--to", board, "--yes")
    assert same.exit_code == 1 and "already on the board as anonymous submission" in same.output

    switched = tinytorch_board(
        tinytorch, "submit", "--public", "--name", "Ada", "--to", board, "--yes"
    )
    assert switched.exit_code == 0, switched.output
    assert "can link the two" in switched.output
    assert "Withdrew the anonymous file" in switched.output
    files = [
        json.loads(p.read_text()) for p in community_board.joinpath("submissions").rglob("*.json")
    ]
    assert len(files) == 61
    (public,) = [f for f in files if f.get("public") == {"display_name": "Ada"}]
    keys = load_keys(Project(tinytorch))
    assert verifies(public)  # the switch signs with the public key, not the anonymous one
    assert public["participant_id"] == participant_id_for(public_key_of(keys.public))
    assert public["participant_id"] != participant_id_for(public_key_of(keys.anonymous))
