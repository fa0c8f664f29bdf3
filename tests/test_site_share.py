"""What issue 18 added to the built site, checked on real builds: one definition per
figure, absolute links from site.url, PNG cards cached by content, api/results for
compare.html, and outlier marks that stay in the maintainers' view."""

from __future__ import annotations

import json
import re
import struct
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner

from tinytorch_board.board.config import load_config
from tinytorch_board.board.load import load_board
from tinytorch_board.board.site import render_site
from tinytorch_board.board.site.cardcache import CardCache
from tinytorch_board.board.stats import compute_stats
from tinytorch_board.cards import PNG_FORMAT
from tinytorch_board.cli import cli
from tinytorch_board.curriculum import MILESTONE_COUNT


@pytest.fixture(scope="module")
def board(tmp_path_factory) -> Path:
    board = tmp_path_factory.mktemp("share") / "board"
    result = CliRunner().invoke(
        cli, ["demo-data", "--count", "120", "--seed", "8", "--out", str(board)]
    )
    assert result.exit_code == 0, result.output
    return board


def set_site(board: Path, url: str, repository: str = "org/board") -> None:
    path = board / "board.yaml"
    text = re.sub(r"(?m)^  url: .*$", f"  url: {url}", path.read_text("utf-8"), count=1)
    text = re.sub(r"(?m)^  repository: .*$", f"  repository: {repository}", text, count=1)
    path.write_text(text, encoding="utf-8")


def figure(html: str) -> int:
    """The number in the page's 'reached all N milestones' tally."""
    match = re.search(
        r'<li id="all-milestones"><strong>([\d,]+)</strong> (students?) reached', html
    )
    assert match, "no milestone tally"
    return int(match.group(1).replace(",", ""))


def test_index_and_community_count_the_same_people_for_all_milestones(board, tmp_path):
    out = tmp_path / "site"
    result = CliRunner().invoke(cli, ["build", "--board", str(board), "--out", str(out)])
    assert result.exit_code == 0, result.output
    # from the submission files themselves: people whose results together reach all six
    reached = defaultdict(set)
    for path in (board / "submissions").rglob("*.json"):
        doc = json.loads(path.read_text("utf-8"))
        reached[doc["participant_id"]] |= set(doc["progress"]["milestones_completed"])
    people = sum(1 for done in reached.values() if len(done) == MILESTONE_COUNT)
    results = sum(
        1
        for path in (board / "submissions").rglob("*.json")
        if len(json.loads(path.read_text("utf-8"))["progress"]["milestones_completed"])
        == MILESTONE_COUNT
    )
    index = (out / "index.html").read_text("utf-8")
    community = (out / "community.html").read_text("utf-8")
    assert figure(index) == figure(community) == people
    assert people != results  # the two definitions differ on this board: the test can fail


def test_build_warns_once_without_a_site_url_and_links_are_absolute_with_one(board, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["build", "--board", str(board), "--out", str(tmp_path / "a")])
    warnings = [line for line in result.output.splitlines() if "site.url" in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning:")
    set_site(board, "https://org.github.io/board/")
    try:
        out = tmp_path / "b"
        result = runner.invoke(cli, ["build", "--board", str(board), "--out", str(out)])
        assert result.exit_code == 0 and "site.url" not in result.output
        root = "https://org.github.io/board/"
        page = next((out / "s").glob("*.html")).read_text("utf-8")
        sid = re.search(r'value="https://org\.github\.io/board/s/([0-9a-f]{32})\.html"', page)
        assert sid, "permalink not absolute"
        sid = sid.group(1)
        assert f"({root}badges/{sid}.svg)]({root}s/{sid}.html)" in page
        assert re.search(rf'og:image content="{root}cards/[0-9a-f]{{20}}\.png"', page)
        feed = (out / "feed.xml").read_text("utf-8")
        assert f'href="{root}index.html"' in feed and f"{root}s/" in feed
        api = json.loads((out / "api/leaderboard.json").read_text("utf-8"))
        links = [e["links"] for group in api["entries"].values() for e in group]
        assert links and all(v.startswith(root) for link in links for v in link.values())
        assert "https://github.com/org/board" in (out / "about.html").read_text("utf-8")
        config = load_config(board)
        assert config.served_path == "/board/" and config.base_path == ""
    finally:
        set_site(board, '""', '""')


def test_png_cards_are_cached_by_content_between_builds(board, tmp_path):
    config = load_config(board)
    stats = compute_stats(load_board(board), config)
    cache = tmp_path / "cards"
    first = render_site(stats, config, tmp_path / "one", card_cache=cache)
    assert first.cards > 0 and first.cards_drawn == first.cards
    stored = sorted((cache / PNG_FORMAT).glob("*.png"))
    assert len(stored) == first.cards
    again = render_site(stats, config, tmp_path / "two", card_cache=cache)
    assert again.cards == first.cards and again.cards_drawn == 0
    one = {p.name: p.read_bytes() for p in (tmp_path / "one/cards").iterdir()}
    two = {p.name: p.read_bytes() for p in (tmp_path / "two/cards").iterdir()}
    assert one == two and len(one) == first.cards
    for data in list(one.values())[:5]:
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (1200, 630) and data[25] == 3
    # a card no build uses any more leaves the cache; a broken file is drawn again
    (cache / PNG_FORMAT / ("0" * 20 + ".png")).write_bytes(b"old")
    stored[0].write_bytes(b"not a png")
    third = render_site(stats, config, tmp_path / "three", card_cache=cache)
    assert third.cards_drawn == 1
    assert not (cache / PNG_FORMAT / ("0" * 20 + ".png")).exists()


def test_card_cache_keeps_only_card_files(tmp_path):
    cache = CardCache(tmp_path)
    (tmp_path / PNG_FORMAT / "notes.txt").write_text("mine", encoding="utf-8")
    cache.put("a" * 20, b"\x89PNG\r\n\x1a\n...")
    assert cache.keep_only(set()) == 1
    assert (tmp_path / PNG_FORMAT / "notes.txt").exists()


def test_api_results_hold_what_compare_needs(board, tmp_path):
    config = load_config(board)
    stats = compute_stats(load_board(board), config)
    out = tmp_path / "site"
    render_site(stats, config, out)
    entry = stats.entries[0]
    doc = json.loads((out / f"api/results/{entry.submission_id[:2]}.json").read_text("utf-8"))
    record = dict(zip(doc["fields"], doc["results"][entry.submission_id], strict=True))
    assert record["score"] == entry.score and record["system_type"] == entry.system_type
    assert record["metrics_ms"] == {k: v["median_ms"] for k, v in entry.metrics.items()}
    assert record["modules_completed"] == entry.modules_completed
    total = sum(
        len(json.loads(p.read_text("utf-8"))["results"]) for p in (out / "api/results").iterdir()
    )
    assert total == len(stats.entries)
    assert "participant_id" not in doc["fields"]  # nothing that links results


def test_a_students_own_improvement_is_never_an_outlier():
    import numpy as np

    from tinytorch_board.board.stats import _own_improvements_kept

    # rows in time order: participant 7's first result (ordinary), then a doubled score
    # the group's spread flags; participant 9's only result is flagged too
    scores = np.array([40.0, 41.0, 80.0, 95.0, 39.0])
    groups = np.array([0, 0, 0, 0, 0])
    people = np.array([7, 8, 7, 9, 7])
    flagged = np.array([False, False, True, True, True])
    kept = _own_improvements_kept(flagged, scores, groups, people)
    # 80 improves on 7's earlier 40: not an outlier; 9 has no history: still flagged;
    # 7's later 39 is below their earlier result: judged like anyone's
    assert kept.tolist() == [False, False, False, True, True]
    other_group = _own_improvements_kept(flagged, scores, np.array([0, 0, 1, 0, 0]), people)
    assert other_group.tolist()[2] is True  # history counts within the comparable group


def test_only_the_pages_workflow_on_the_default_branch_touches_the_card_cache():
    import yaml

    workflows = Path(__file__).resolve().parents[1] / ".github" / "workflows"
    for path in workflows.glob("*.yml"):
        doc = yaml.safe_load(path.read_text("utf-8"))
        steps = [s for job in doc["jobs"].values() for s in job.get("steps", [])]
        cache_steps = [s for s in steps if "actions/cache" in s.get("uses", "")]
        if path.name != "pages.yml":
            assert cache_steps == [], path.name
            continue
        triggers = doc.get(True) or doc.get("on")
        assert "pull_request_target" not in triggers and "pull_request" not in triggers
        assert [s["uses"].split("@")[0] for s in cache_steps] == [
            "actions/cache/restore",
            "actions/cache/save",
        ]
        for step in cache_steps:
            assert re.fullmatch(r"actions/cache/(restore|save)@[0-9a-f]{40}", step["uses"])
            assert "default_branch" in step["if"]
            assert step["with"]["path"] == "${{ runner.temp }}/board-cache"  # not the checkout
        build = next(s for s in steps if "tinytorch-board build" in s.get("run", ""))
        assert '--card-cache "$RUNNER_TEMP/board-cache/cards"' in build["run"]
        # the loader's verdicts are kept in the same cache
        assert build["env"]["TINYTORCH_BOARD_CACHE_DIR"] == "${{ runner.temp }}/board-cache"


def test_take_part_names_the_pages_address_only_where_the_client_cannot_derive_it():
    from tinytorch_board.board.config import BoardConfig, SiteConfig
    from tinytorch_board.board.site.pages import take_part

    def commands(url: str, repository: str) -> list[str]:
        return take_part(BoardConfig(site=SiteConfig(url=url, repository=repository)))["commands"]

    usual = commands("https://org.github.io/board/", "org/board")
    assert "tinytorch-board config set board.repo org/board" in usual
    assert not [c for c in usual if "pages_url" in c]  # the client derives it from the repo
    custom = commands("https://board.example.org/", "org/board")
    assert "tinytorch-board config set board.pages_url https://board.example.org/" in custom
    assert (
        usual[-2:]
        == custom[-2:]
        == ["tinytorch-board benchmark baseline", "tinytorch-board submit"]
    )
