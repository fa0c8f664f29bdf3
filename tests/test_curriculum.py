from __future__ import annotations

import pytest

from tinytorch_board.curriculum import (
    MILESTONE_IDS,
    MILESTONES,
    MODULE_IDS,
    MODULES,
    milestone_by_id,
    module_by_id,
)


def test_twenty_modules_and_six_milestones():
    assert len(MODULES) == 20 and MODULE_IDS[0] == "01" and MODULE_IDS[-1] == "20"
    assert len(MILESTONES) == 6
    assert [m.year for m in MILESTONES] == sorted(m.year for m in MILESTONES)
    assert MILESTONES[0].label == "1957 Perceptron"
    assert MILESTONE_IDS == ("01", "02", "03", "04", "05", "06")
    for milestone in MILESTONES:
        assert all(1 <= n <= 20 for n in milestone.requires)


@pytest.mark.parametrize("raw", [1, "1", "01", "01_tensor", " 01 "])
def test_module_ids_in_every_spelling(raw):
    assert module_by_id(raw).slug == "tensor"


@pytest.mark.parametrize("raw", [0, 21, "x", None, True, 1.0, "", "1234"])
def test_unknown_ids(raw):
    assert module_by_id(raw) is None
    assert milestone_by_id(raw) is None or raw in (1, "1")
