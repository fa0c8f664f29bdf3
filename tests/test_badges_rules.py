"""Badge rules: defaults, "held so far", rules from board.yaml, config errors."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import yaml
from board_helpers import config, loaded, make_doc

from tinytorch_board.board.config import load_config, parse_config
from tinytorch_board.board.stats import compute_stats
from tinytorch_board.errors import ConfigError
from tinytorch_board.submission.badges import DEFAULT_BADGES, BadgeRule

NOW = datetime(2026, 11, 22, tzinfo=timezone.utc)
ALL6 = ("01", "02", "03", "04", "05", "06")


def badges_by_sid(docs, cfg=None):
    stats = compute_stats(loaded(docs), cfg or config(k_anonymity=1), NOW)
    return {e.submission_id: e.badges for e in stats.entries}


def test_default_badges_held_so_far():
    first = make_doc(40, participant="a", created_at="2026-01-01T00:00:00Z", days_since_join=0)
    worse = make_doc(35, participant="a", created_at="2026-02-01T00:00:00Z", days_since_join=31)
    better = make_doc(
        45,
        participant="a",
        created_at="2026-03-01T00:00:00Z",
        days_since_join=59,
        modules=20,
        milestones=ALL6,
    )
    held = badges_by_sid([better, first, worse])
    assert held[first["submission_id"]] == ("first-steps", "fast-setup", "community-member")
    assert held[worse["submission_id"]] == ("first-steps", "fast-setup", "community-member")
    assert held[better["submission_id"]] == tuple(b.id for b in DEFAULT_BADGES)


@pytest.mark.parametrize(
    ("days", "fast"),
    [(0, True), (1, True), (2, False), (None, False)],
)
def test_fast_setup_uses_the_first_baseline_only(days, fast):
    first = make_doc(40, participant="a", created_at="2026-01-01T00:00:00Z", days_since_join=days)
    later = make_doc(40, participant="a", created_at="2026-01-02T00:00:00Z", days_since_join=0)
    held = badges_by_sid([first, later])
    assert ("fast-setup" in held[later["submission_id"]]) is fast


def test_progress_maker_needs_same_group_and_ignores_outliers():
    a1 = make_doc(20, participant="a", created_at="2026-01-01T00:00:00Z", backend="tinytorch")
    a2 = make_doc(60, participant="a", created_at="2026-01-02T00:00:00Z", backend="numpy")
    assert "progress-maker" not in badges_by_sid([a1, a2])[a2["submission_id"]]
    crowd = [make_doc(50 + i % 3) for i in range(12)]
    # Two outliers in a row: the second is above the first, but neither is ranked.
    b1 = make_doc(99, participant="b", created_at="2026-01-01T00:00:00Z")
    b2 = make_doc(99.5, participant="b", created_at="2026-01-02T00:00:00Z")
    held = badges_by_sid([*crowd, b1, b2])
    assert "progress-maker" not in held[b2["submission_id"]]
    # A student's own improvement over an earlier ranked result is never an outlier.
    c1 = make_doc(50, participant="c", created_at="2026-01-01T00:00:00Z")
    c2 = make_doc(99, participant="c", created_at="2026-01-02T00:00:00Z")
    held = badges_by_sid([*crowd, c1, c2])
    assert "progress-maker" in held[c2["submission_id"]]


def test_rules_from_yaml(tmp_path):
    (tmp_path / "board.yaml").write_text(
        """
version: 1
k_anonymity: 1
outliers: {mads: 4, min_group: 20}
badges:
  - id: speedster
    name: Speedster
    description: Scored 70 or more.
    icon: "🚀"
    rule: {min_score: 70, backend: numpy}
  - id: regular
    name: Regular
    description: Three submissions.
    icon: "🔁"
    rule: {min_submissions: 3}
""",
        encoding="utf-8",
    )
    cfg = load_config(tmp_path)
    assert (cfg.outlier_mads, cfg.outlier_min_group) == (4.0, 20)
    assert [b.id for b in cfg.badges] == ["speedster", "regular"]
    assert cfg.badges[0].rule == BadgeRule(min_score=70.0, backend="numpy")
    docs = [
        make_doc(75, participant="a", created_at="2026-01-01T00:00:00Z"),
        make_doc(60, participant="a", created_at="2026-01-02T00:00:00Z"),
        make_doc(65, participant="a", created_at="2026-01-03T00:00:00Z"),
        make_doc(90, participant="b", backend="tinytorch"),
    ]
    held = badges_by_sid(docs, cfg)
    assert [held[d["submission_id"]] for d in docs] == [
        ("speedster",),
        ("speedster",),
        ("speedster", "regular"),
        (),
    ]
    stats = compute_stats(loaded(docs), cfg, NOW)
    assert [b.name for b in stats.badges] == ["Speedster", "Regular"]


def test_shipped_board_yaml_parses_to_the_defaults():
    from tinytorch_board.board.config import default_board_yaml

    cfg = parse_config(yaml.safe_load(default_board_yaml()), "board.yaml")
    assert cfg.badges == DEFAULT_BADGES
    assert cfg.k_anonymity == 5


BADGE = {"id": "x", "name": "X", "description": "d", "icon": "*"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"badges": [{**BADGE, "rule": {"min_scroe": 3}}]}, "unknown key(s): min_scroe"),
        ({"badges": [{**BADGE, "colour": "red"}]}, "unknown key(s): colour"),
        ({"badges": [{"id": "x"}]}, "missing key(s): description, icon, name"),
        ({"badges": [BADGE, BADGE]}, "used twice"),
        ({"badges": [{**BADGE, "id": "Bad Id"}]}, "lower-case"),
        ({"badges": [{**BADGE, "rule": {"kind": "sprint"}}]}, "kind must be one of"),
        ({"badges": [{**BADGE, "rule": {"improved": "yes"}}]}, "true or false"),
        ({"badges": [{**BADGE, "rule": {"min_modules": 0}}]}, "whole number >= 1"),
        ({"badges": [{**BADGE, "rule": {"min_score": 120}}]}, "from 0 to 100"),
        ({"badges": {"id": "x"}}, "must be a list"),
        ({"outliers": {"mad": 3}}, "outliers: unknown key(s): mad"),
        ({"outliers": {"mads": 0}}, "outliers.mads must be a number > 0"),
        ({"outliers": {"min_group": 2}}, "whole number >= 3"),
        ({"k_anonymity": 0}, "k_anonymity must be a whole number >= 1"),
        ({"automations": {}}, "unknown key(s): automations"),
        ({"version": 2}, "version 2 is not supported"),
    ],
)
def test_config_errors_are_one_clear_line(data, message):
    with pytest.raises(ConfigError) as caught:
        parse_config(data, "board.yaml")
    text = str(caught.value)
    assert text.startswith("board.yaml: ") and message in text and "\n" not in text
