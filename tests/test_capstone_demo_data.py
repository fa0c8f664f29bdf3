"""Demo capstone submissions: valid, deterministic, about a tenth of a demo board."""

from __future__ import annotations

import itertools

from tinytorch_board.board.demo_data import generate, generate_capstone, write_demo_board
from tinytorch_board.submission.validator import check_file


def test_capstone_demo_documents_are_valid_and_deterministic(tmp_path):
    paths = write_demo_board(tmp_path, 60, seed=3)
    assert len(paths) == 60
    checked = [check_file(path) for path in paths]
    assert [c.problems for c in checked if not c.ok] == []
    kinds = [c.document["benchmark"]["kind"] for c in checked]
    assert kinds.count("capstone") == 6
    assert generate_capstone(6, seed=3) == generate_capstone(6, seed=3)


def test_baseline_generation_is_unchanged_by_the_capstone_share():
    # The baseline part of a board is a prefix of the baseline-only sequence for the seed.
    assert generate(54, seed=3) == generate(60, seed=3)[:54]
    assert all(doc["benchmark"]["kind"] == "baseline" for doc in generate(60, seed=3))


def test_overall_score_does_not_depend_on_track_order():
    from tinytorch_board.submission.score import CAPSTONE_TRACKS, capstone_overall

    # Plain float sums of these round to 47.1 or 47.2 depending on the order.
    values = [2.5, 54.1, 93.9, 38.1]
    assert len({round(sum(p) / 4, 1) for p in itertools.permutations(values)}) == 2
    results = {
        capstone_overall(dict(zip(CAPSTONE_TRACKS, p, strict=True)))
        for p in itertools.permutations(values)
    }
    assert len(results) == 1
