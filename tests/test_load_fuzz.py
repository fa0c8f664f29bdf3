"""One validator, the schema's meaning: zero disagreements on mutated files.

Hypothesis mutates valid documents at random places with random values. The compiled
validator must give the JSON Schema's verdict exactly (read here by Python `jsonschema`
with the schema's own pattern dialect, where `$` is the end of the text), a file the
semantic pass accepts must be schema-valid, and the board loader must give the same
verdict as `validate`.
"""

from __future__ import annotations

import copy
import json
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, ValidationError, validators

from tinytorch_board.board.demo_data import generate, generate_capstone
from tinytorch_board.board.load import load_board
from tinytorch_board.jsonio import dumps
from tinytorch_board.submission.validator import check_file, schema, schema_valid

NOW = datetime(2026, 11, 22, 12, tzinfo=timezone.utc)
SEEDS = generate(40, seed=11) + generate_capstone(15, seed=11)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 1, 2, 8, 8.0, 20, 21, 100, 100.5, -1, 1e308, 0.5, -1e308]),
    st.sampled_from([2**53, 2**53 + 1, -(2**60), 10**30, -(10**30), 10**12, -(10**12) - 1]),
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
            "3.11\n",
            "x86_64\n",
            "Fall 2026\n",
            "a" * 32 + "\n",
            "ada\n",
            "\u3164",
            "ada@example.com",
            "Ada\u00a0L",
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
    doc = copy.deepcopy(draw(st.sampled_from(SEEDS)))  # never change a seed in place
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        paths = list(_paths(doc))
        path = draw(st.sampled_from(paths))
        doc = _mutate(doc, path, draw(values), draw(st.booleans()))
    for _ in range(draw(st.integers(min_value=0, max_value=2))):  # near misses of leaves
        leaves = [p for p in _paths(doc) if p and isinstance(_get(doc, p), (str, int, float))]
        if leaves:
            path = draw(st.sampled_from(leaves))
            value = _get(doc, path)
            doc = _mutate(doc, path, draw(_near_misses(value)), False)
    if draw(st.booleans()):  # sometimes add an unknown key somewhere
        paths = [p for p in _paths(doc) if isinstance(_get(doc, p), dict)]
        target = _get(doc, draw(st.sampled_from(paths)))
        target[draw(st.text(min_size=1, max_size=6))] = draw(scalars)
    return doc


def _near_misses(value):
    """Values one step from a valid one: the edits a careless or hostile hand makes."""
    if isinstance(value, str):
        return st.sampled_from(
            [value + "\n", "\n" + value, value + " ", value.upper(), value[:-1], value * 2,
             value + "\u200b", value.replace("-", "\n")]
        )  # fmt: skip
    if isinstance(value, bool):
        return st.sampled_from([not value, int(value), None])
    return st.sampled_from(
        [value * 10**k for k in (3, 6, 12, 30)] + [-value, value + 0.5, float(value), 0, -1]
    )


def _get(doc, path):
    for part in path:
        doc = doc[part]
    return doc


def _ecma_pattern(validator, expected, instance, _schema):
    """JSON Schema patterns are ECMA-262: `$` matches only at the very end."""
    anchored = expected[:-1] + r"\Z" if expected.endswith("$") else expected
    if validator.is_type(instance, "string") and not re.search(anchored, instance):
        yield ValidationError(f"{instance!r} does not match {expected!r}")


REFERENCE = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})(schema())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents())
def test_one_validator_agrees_with_the_schema(doc):
    assert schema_valid(doc) == REFERENCE.is_valid(doc), json.dumps(doc)[:400]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents())
def test_load_agrees_with_validate(doc):
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
        checked = check_file(path, now=NOW, source=path.relative_to(board).as_posix())
        if checked.ok:
            assert REFERENCE.is_valid(doc)
        loaded = load_board(board, now=NOW)
        assert (len(loaded.documents) == 1) == checked.ok, json.dumps(doc)[:400]
        if not checked.ok:
            assert loaded.invalid[0].problems == checked.problems
