"""The board's fast loading path must agree with the shared validator on every file.

`load_board` accepts ordinary files through a fast re-statement of the contract and
sends everything else to the validator; a fast path that accepted one file the validator
refuses would publish invalid data. Hypothesis mutates valid documents at random places
with random values and compares the two verdicts.
"""

from __future__ import annotations

import copy
import json
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinytorch_board.board.demo_data import generate, generate_capstone
from tinytorch_board.board.load import load_board
from tinytorch_board.jsonio import dumps
from tinytorch_board.submission.validator import check_file

NOW = datetime(2026, 11, 22, 12, tzinfo=timezone.utc)
SEEDS = generate(40, seed=11) + generate_capstone(15, seed=11)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 1, 2, 8, 8.0, 20, 21, 100, 100.5, -1, 1e308, 0.5]),
    st.text(max_size=12),
    st.sampled_from(
        [
            "Linux x86",
            "01",
            "numpy",
            "tinytorch",
            "capstone",
            "Fall 2026",
            "a" * 32,
            "DE",
            "XX",
            "2026-01-01T00:00:00Z",
            "3.11",
            "public",
            "accuracy",
            "speed",
            "metrics",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _mutate(doc: dict, path: tuple, value, delete: bool) -> dict:
    doc = copy.deepcopy(doc)
    if not path:
        return doc
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


@st.composite
def mutated_documents(draw):
    doc = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = list(_paths(doc))
        path = draw(st.sampled_from(paths))
        doc = _mutate(doc, path, draw(values), draw(st.booleans()))
    if draw(st.booleans()):  # sometimes add an unknown key somewhere
        paths = [p for p in _paths(doc) if isinstance(_get(doc, p), dict)]
        target = _get(doc, draw(st.sampled_from(paths)))
        target[draw(st.text(min_size=1, max_size=6))] = draw(scalars)
    return doc


def _get(doc, path):
    for part in path:
        doc = doc[part]
    return doc


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents())
def test_fast_load_agrees_with_the_validator(doc):
    with tempfile.TemporaryDirectory() as tmp:
        board = Path(tmp)
        sid = doc.get("submission_id") if isinstance(doc.get("submission_id"), str) else "x"
        safe = "".join(ch for ch in sid if ch.isalnum())[:40] or "x"
        path = board / "submissions" / (safe[:2] or "xx") / f"{safe}.json"
        path.parent.mkdir(parents=True)
        try:
            path.write_text(dumps(doc), encoding="utf-8")
        except ValueError:  # not representable as strict JSON
            return
        expected = check_file(path, now=NOW, source=str(path.relative_to(board))).ok
        loaded = load_board(board, now=NOW)
        assert (len(loaded.documents) == 1) == expected, json.dumps(doc)[:400]
