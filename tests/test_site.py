"""The static site from hand-built BoardStats: pages, packed data, API files, safety."""

from __future__ import annotations

import csv
import io
import json
import re
import struct
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from site_helpers import BADGES, demo_stats, make_entry, stats_for

from tinytorch_board.board.config import BoardConfig, SiteConfig
from tinytorch_board.board.site import api, pack, render_site, svg
from tinytorch_board.board.site.build import MARKER
from tinytorch_board.board.site.pages import CSP, PAGE_SIZE, TINYTORCH_URL
from tinytorch_board.cards import card_name, student_card
from tinytorch_board.cli import cli
from tinytorch_board.errors import BoardError
from tinytorch_board.submission.score import score_name

SVG_NS = "{http://www.w3.org/2000/svg}"
HOSTILE = [
    "<script>alert(1)</script>",
    "</text><script>alert(1)</script>",
    "javascript:alert(1)",
    '" onmouseover="alert(1)',
    "' autofocus onfocus='alert(1)",
    "\u202egnp.exe\u202c Mallory",
    "]]><x>{{ 7*7 }}</x>",
    '=HYPERLINK("http://evil.example")',
]


class Page(HTMLParser):
    """A parsed page: tags with attributes, text, and script elements."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.scripts: list[dict] = []
        self._in_script = False
        self.script_text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "script":
            self.scripts.append(attrs)
            self._in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        (self.script_text if self._in_script else self.text).append(data)

    def find(self, tag: str, **attrs) -> list[dict]:
        wanted = attrs.items()
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in wanted)]

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def build(tmp_path: Path, stats, config: BoardConfig | None = None) -> Path:
    out = tmp_path / "site"
    render_site(stats, config or BoardConfig(), out)
    return out


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory) -> tuple[Path, object]:
    stats = demo_stats(260, seed=11)
    out = tmp_path_factory.mktemp("demo") / "site"
    render_site(stats, BoardConfig(), out)
    return out, stats


def test_every_file_kind_is_written(demo_site):
    out, stats = demo_site
    sid = stats.entries[0].submission_id
    pid = stats.entries[0].participant_id
    for relative in (
        "index.html",
        "page/2.html",
        "page/6.html",
        f"s/{sid}.html",
        "community.html",
        "about.html",
        "api/leaderboard.json",
        "api/leaderboard/score.json",
        "api/leaderboard/modules_completed.json",
        "api/leaderboard/milestones_completed.json",
        f"api/progress/{pid}.json",
        "api/distribution.json",
        "data/submissions.csv",
        "feed.xml",
        f"badges/{sid}.svg",
        f"badges/{sid}.json",
        "static/site.css",
        "static/board.js",
        MARKER,
    ):
        assert (out / relative).is_file(), relative
    assert not (out / "page/1.html").exists()
    assert not (out / "page/7.html").exists()  # 260 entries, 50 a page
    assert len(list((out / "s").glob("*.html"))) == len(stats.entries)


def test_static_pages_list_everyone_newest_first_without_script(demo_site):
    out, stats = demo_site
    linked = []
    for page in ["index.html"] + [f"page/{n}.html" for n in range(2, 7)]:
        parsed = Page(read(out / page))
        rows = [a["href"] for a in parsed.find("a") if "/s/" in "/" + a.get("href", "")]
        assert len(rows) <= PAGE_SIZE
        linked += [href.rsplit("/", 1)[1][:-5] for href in rows if href.endswith(".html")]
    assert linked == [e.submission_id for e in stats.entries]
    dates = [e.created_at for e in stats.entries]
    assert dates == sorted(dates, reverse=True)
    index = Page(read(out / "index.html"))
    assert index.find("a", rel="next", href="page/2.html")
    assert "hidden" in index.find("form", id="filters")[0]


@pytest.mark.parametrize("page", ["index.html", "page/2.html", "community.html", "about.html"])
def test_pages_have_csp_and_no_inline_script(demo_site, page):
    out, _ = demo_site
    parsed = Page(read(out / page))
    csp = parsed.find("meta", **{"http-equiv": "Content-Security-Policy"})
    assert [m["content"] for m in csp] == [CSP]
    assert "http" not in CSP and "'unsafe-inline'" not in CSP
    for script in parsed.scripts:
        assert script.get("src") or script.get("type") == "application/json"
    for tag, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src"):
            value = attrs.get(name) or ""
            assert not value.startswith(("http:", "//", "javascript:")), value
            # the one link out: the take-part block's TinyTorch (no repository is set)
            assert not value.startswith("https:") or value == TINYTORCH_URL, value


def test_packed_rows_round_trip(demo_site):
    out, stats = demo_site
    index = Page(read(out / "index.html"))
    meta = json.loads("".join(index.script_text))
    chunks = [json.loads(read(out / f"data/rows-{i}.json")) for i in range(meta["chunks"])]
    rows = pack.unpack_rows(meta, chunks)
    assert len(rows) == meta["count"] == len(stats.entries)
    names = json.loads(read(out / "data/names.json"))
    for i, (row, entry) in enumerate(zip(rows, stats.entries, strict=True)):
        assert row["day"] == pack.day_number(entry.created_at)
        assert row["score"] == round(entry.score * 10)
        assert row["rank"] == (entry.rank or 0)
        assert meta["groups"][row["group"]] == entry.group
        assert meta["systems"][row["system"]] == entry.system_type
        assert (meta["cohorts"][row["cohort"]] or None) == entry.cohort
        assert row["milestones"] == len(entry.milestones_completed)
        assert row["modules"] == entry.modules_completed
        earned = {b for bit, b in enumerate(meta["badges"]) if row["badges"] >> bit & 1}
        assert earned == set(entry.badges)
        assert bool(row["public"]) == (i in names["index"])
        chunk = json.loads(read(out / f"data/ids/{i // meta['ids_per_chunk']}.json"))
        assert chunk[i % meta["ids_per_chunk"]] == entry.submission_id


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_pack_table_encoding_matches_encode(width):
    top = 64**width - 1
    values = [0, 1, 63, 64, top // 3, top - 1, top]
    values = [v for v in values if v <= top]
    assert pack._encoded(values, width) == [pack.encode(v, width) for v in values]
    with pytest.raises(ValueError):
        pack._encoded([top + 1], width)


@pytest.mark.parametrize(("value", "width"), [(0, 1), (63, 1), (64, 2), (4095, 2), (4096, 3)])
def test_pack_encoding(value, width):
    assert pack.width_for(value) == width
    assert pack.decode(pack.encode(value, width)) == value
    with pytest.raises(ValueError):
        pack.encode(64**width, width)


def test_submission_page_shows_result_progress_badges_and_share_card(tmp_path):
    mine = make_entry(
        visibility="public",
        display_name="Ada 7",
        github="ada-l",
        score=71.3,
        modules_completed=20,
        milestones_completed=("01", "02", "03", "04", "05", "06"),
        badges=("first-steps", "milestone-master"),
    )
    others = [make_entry(score=40.0 + i) for i in range(9)]
    stats = stats_for([mine, *others])
    entry = next(e for e in stats.entries if e.submission_id == mine.submission_id)
    site = SiteConfig(url="https://org.github.io/board/", repository="org/board")
    out = build(tmp_path, stats, BoardConfig(site=site))
    parsed = Page(read(out / f"s/{entry.submission_id}.html"))
    text = parsed.all_text
    assert "Ada 7" in text and "71.3" in text
    assert f"Top {entry.top_percent}%" in text and f"of {entry.group_size}" in text
    assert "similar systems" in text and "Milestones: 6/6" in text
    assert "Milestone Master" in text and "First Steps" in text
    og = {m["property"]: m["content"] for m in parsed.find("meta") if "property" in m}
    assert og["og:image"].startswith("https://org.github.io/board/cards/")
    assert og["og:image"].endswith(".png")
    assert (og["og:image:width"], og["og:image:height"]) == ("1200", "630")
    assert og["og:image:alt"] == "TinyTorch share card: score 71.3"
    twitter = {m["name"]: m["content"] for m in parsed.find("meta") if "name" in m}
    assert twitter["twitter:image"] == og["og:image"]
    card_file = og["og:image"].rsplit("/", 2)[-2:]
    assert parsed.find("img", src=f"../cards/{card_file[1]}")
    embed = "".join(parsed.text[parsed.text.index("README badge (Markdown)") + 1 :])
    page_url = f"https://org.github.io/board/s/{entry.submission_id}.html"
    badge_url = f"https://org.github.io/board/badges/{entry.submission_id}.svg"
    assert f"[![TinyTorch 71.3]({badge_url})]({page_url})" in embed
    (permalink,) = parsed.find("input", id="p")
    assert permalink["value"] == page_url and "data-copy" in permalink
    assert parsed.find("a", href="https://github.com/ada-l", rel="nofollow noopener")
    assert parsed.find("a", href="https://github.com/org/board")  # take part: the repository
    png = (out / "/".join(card_file)).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1200, 630)
    assert png[25] == 3  # colour type 3: a palette PNG
    drawn = student_card(BoardConfig().title, 71.3, "baseline · suite 1 · numpy", 20, 6)
    assert card_file[1] == f"{card_name(drawn)}.png"  # the card shows what stays true
    assert not list((out / "cards").glob("*.svg"))


def test_outlier_is_listed_not_ranked(tmp_path):
    stats = stats_for([make_entry(score=99.0, outlier=True), make_entry(score=50.0)])
    outlier = next(e for e in stats.entries if e.outlier)
    out = build(tmp_path, stats)
    html = read(out / f"s/{outlier.submission_id}.html")
    text = Page(html).all_text
    assert "Not yet compared with similar machines" in text and "Top " not in text
    assert "outlier" not in text.lower() and "unverified" not in text.lower()
    assert "<main class=result data-outlier=true>" in html  # the maintainers' mark
    index_text = Page(read(out / "index.html")).all_text
    assert "not yet compared" in index_text and "unverified" not in index_text.lower()
    rows = list(csv.DictReader(io.StringIO(read(out / "data/submissions.csv"))))
    assert {r["submission_id"]: r["outlier"] for r in rows}[outlier.submission_id] == "true"
    shields = json.loads(read(out / f"badges/{outlier.submission_id}.json"))
    assert "top" not in shields["message"]
    board = json.loads(read(out / "api/leaderboard.json"))
    listed = [e["submission_id"] for g in board["entries"].values() for e in g]
    assert outlier.submission_id not in listed


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_text_everywhere(tmp_path, name):
    entry = make_entry(
        visibility="public", display_name=name, github="javascript:alert(1)", institution=name
    )
    stats = stats_for([entry, make_entry()])
    stats.community.cohorts = {name: 7}  # even a label that slipped through is escaped
    out = build(tmp_path, stats)
    sid = entry.submission_id
    for page in ("index.html", f"s/{sid}.html", "community.html"):
        html = read(out / page)
        parsed = Page(html)
        # index: its data, site.js and board.js; elsewhere site.js only
        assert len(parsed.scripts) == (3 if page == "index.html" else 1)
        assert all(s.get("src") or s.get("type") == "application/json" for s in parsed.scripts)
        assert "<script>alert" not in html and "<x>" not in html
        if page != "community.html":
            assert name in parsed.all_text
            if any(ch in name for ch in "<>&\"'"):
                assert f"<bdi>{name}" not in html  # present only escaped
        for _, attrs in parsed.tags:
            assert not any(k.startswith("on") for k in attrs)
            assert not (attrs.get("href") or "").startswith("javascript:")
    # SVG stays one well-formed document whose text nodes hold the label verbatim
    community = Page(read(out / "community.html"))
    assert name in community.all_text
    doc = ET.fromstring(read(out / f"badges/{sid}.svg"))
    assert not list(doc.iter(f"{SVG_NS}script"))
    assert all(p.suffix == ".png" for p in (out / "cards").iterdir())  # pictures, no markup
    chart = svg.bar_chart("c", name, [(name, 3)])
    parsed_chart = ET.fromstring(chart)
    assert [t.text for t in parsed_chart.iter(f"{SVG_NS}text")][0] == name
    assert not list(parsed_chart.iter(f"{SVG_NS}script"))
    # data files: names only as JSON strings, CSV cells defused, feed well-formed
    assert name in json.loads(read(out / "data/names.json"))["name"]
    rows = list(csv.DictReader(read(out / "data/submissions.csv").splitlines()))
    row = next(r for r in rows if r["submission_id"] == sid)
    assert row["display_name"] == (("'" + name) if name[0] in "=+-@" else name)
    assert row["github"] == ""
    feed = ET.fromstring(read(out / "feed.xml").encode())
    titles = [t.text for t in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any(name in (t or "") for t in titles)


def test_unsafe_ids_never_name_files(tmp_path):
    bad = make_entry(submission_id="../../escape", participant_id="../../../etc/passwd")
    stats = stats_for([bad, make_entry()])
    out = tmp_path / "deep" / "site"
    report = render_site(stats, BoardConfig(), out)
    assert report.listed == 1 and "not a 32-hex submission id" in report.skipped[0]
    assert not (tmp_path / "deep" / "escape.html").exists()
    written = {p.resolve() for p in out.rglob("*")}
    assert all(str(p).startswith(str(out.resolve())) for p in written)
    assert not any("passwd" in p.name for p in written)


def test_rebuild_removes_withdrawn_pages_and_refuses_foreign_folders(tmp_path):
    keep, gone = make_entry(), make_entry()
    out = build(tmp_path, stats_for([keep, gone]))
    assert (out / f"s/{gone.submission_id}.html").exists()
    render_site(stats_for([keep]), BoardConfig(), out)
    assert not (out / f"s/{gone.submission_id}.html").exists()
    assert not (out / f"badges/{gone.submission_id}.svg").exists()
    assert (out / f"s/{keep.submission_id}.html").exists()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("precious")
    older = tmp_path / "older"
    (older / "static").mkdir(parents=True)
    (older / "index.html").write_text("a site from an earlier version")
    (older / "static" / "site.css").write_text("body {}")
    render_site(stats_for([keep]), BoardConfig(), older)
    assert (older / MARKER).exists()
    with pytest.raises(BoardError, match="not empty"):
        render_site(stats_for([keep]), BoardConfig(), foreign)
    assert (foreign / "notes.txt").read_text() == "precious"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_empty_board_renders_a_welcome(tmp_path):
    out = build(tmp_path, stats_for([]))
    text = Page(read(out / "index.html")).all_text
    assert "No results yet" in text
    assert json.loads(read(out / "api/leaderboard.json"))["entries"] == {}
    assert ET.fromstring(read(out / "feed.xml").encode()).tag.endswith("feed")
    assert read(out / "data/submissions.csv").count("\n") == 1


def test_api_documents(demo_site):
    out, stats = demo_site
    board = json.loads(read(out / "api/leaderboard.json"))
    assert board["api_version"] == 1 and board["metric"] == "score"
    for group, entries in board["entries"].items():
        scores = [e["score"] for e in entries]
        assert scores == sorted(scores, reverse=True)
        assert all(e["group"] == group and not e["outlier"] for e in entries)
    modules = json.loads(read(out / "api/leaderboard/modules_completed.json"))
    for entries in modules["entries"].values():
        values = [e["modules_completed"] for e in entries]
        assert values == sorted(values, reverse=True)
    for entry in stats.entries[:3]:
        if entry.visibility == "anonymous":
            doc = json.loads(read(out / f"api/progress/{entry.participant_id}.json"))
            assert doc["api_version"] == 2 and doc["fields"][0] == "submission_id"
            rows = [dict(zip(doc["fields"], row, strict=True)) for row in doc["submissions"]]
            mine = next(r for r in rows if r["submission_id"] == entry.submission_id)
            assert mine["score"] == entry.score and mine["group"] == entry.group
            assert mine["milestones_completed"] == list(entry.milestones_completed)
            assert "display_name" not in json.dumps(doc)
            assert entry.participant_id not in json.dumps(doc)  # the file's name only
    assert json.loads(read(out / "api/distribution.json")) == stats.distribution
    text = read(out / "api/leaderboard.json")
    assert text == json.dumps(board, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_csv_and_feed(demo_site):
    out, stats = demo_site
    rows = list(csv.DictReader(read(out / "data/submissions.csv").splitlines()))
    assert [r["submission_id"] for r in rows] == [e.submission_id for e in stats.entries]
    anonymous = [r for r in rows if r["visibility"] == "anonymous"]
    assert anonymous and all(r["display_name"] == r["institution"] == "" for r in anonymous)
    feed = ET.fromstring(read(out / "feed.xml").encode())
    atom = "{http://www.w3.org/2005/Atom}"
    entries = feed.findall(f"{atom}entry")
    assert len(entries) == 50
    first = entries[0].find(f"{atom}link").get("href")
    assert first == f"/s/{stats.entries[0].submission_id}.html"


def test_badges_and_shields_endpoint(demo_site):
    out, stats = demo_site
    entry = next(e for e in stats.entries if not e.outlier)
    shields = json.loads(read(out / f"badges/{entry.submission_id}.json"))
    assert shields["schemaVersion"] == 1 and shields["label"] == "TinyTorch"
    # The first word names the score (and so the group the "top %" is of).
    what = api.BADGE_SCORE_WORDS[score_name(entry.kind, entry.suite_version, entry.backend)]
    assert shields["message"] == f"{what} {entry.score:.1f} · top {entry.top_percent}%"
    badge = ET.fromstring(read(out / f"badges/{entry.submission_id}.svg"))
    assert [t.text for t in badge.iter(f"{SVG_NS}text")] == ["TinyTorch", shields["message"]]


def test_community_charts_have_text_alternatives(demo_site):
    out, stats = demo_site
    html = read(out / "community.html")
    parsed = Page(html)
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) >= 6
    for chart in svgs:
        doc = ET.fromstring(chart)
        assert doc.get("role") == "img"
        title = doc.find(f"{SVG_NS}title")
        desc = doc.find(f"{SVG_NS}desc")
        assert title is not None and title.text and desc is not None and desc.text
        labelled = doc.get("aria-labelledby").split()
        assert labelled == [title.get("id"), desc.get("id")]
    reached = stats.community.milestone_reached.get("01", 0)
    assert f"1957 Perceptron: {reached}" in parsed.all_text
    assert 2 * len(parsed.find("details")) == len(svgs)  # a wide and a phone drawing each


def test_page_weight_stays_small_whatever_the_count(tmp_path):
    stats = demo_stats(450, seed=5)
    out = build(tmp_path, stats)
    first_load = sum(
        (out / p).stat().st_size for p in ("index.html", "static/site.css", "static/board.js")
    )
    assert first_load < 150_000
    biggest = max(p.stat().st_size for p in (out / "s").glob("*.html"))
    assert biggest < 4_500


def test_build_command_with_the_board_engine(tmp_path):
    runner = CliRunner()
    board = tmp_path / "board"
    result = runner.invoke(
        cli, ["demo-data", "--count", "40", "--out", str(board)], catch_exceptions=False
    )
    assert result.exit_code == 0
    (board / "submissions" / "zz").mkdir()
    (board / "submissions" / "zz" / "broken.json").write_text("{nope")
    out = tmp_path / "site"
    result = runner.invoke(
        cli, ["build", "--board", str(board), "--out", str(out), "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["listed"] == 40 and report["invalid_files"] == 1
    assert any("broken.json" in line for line in report["skipped"])
    assert len(list((out / "s").glob("*.html"))) == 40
    result = runner.invoke(cli, ["build", "--board", str(board), "--out", str(out)])
    assert result.exit_code == 0 and "40 submission(s) listed" in result.output


def test_build_refuses_a_foreign_output_folder_in_one_line(tmp_path):
    board = tmp_path / "board"
    CliRunner().invoke(cli, ["demo-data", "--count", "3", "--out", str(board)])
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("hand-written")
    result = CliRunner().invoke(cli, ["build", "--board", str(board), "--out", str(out)])
    assert result.exit_code == 1
    assert "not empty" in result.output and "Traceback" not in result.output
    assert (out / "index.html").read_text() == "hand-written"


def test_help_texts():
    for command in ("build", "serve"):
        result = CliRunner().invoke(cli, [command, "--help"])
        assert result.exit_code == 0
        assert all(line.strip() for line in result.output.splitlines() if line.startswith("  --"))


def test_badges_legend_lists_every_badge(demo_site):
    out, _ = demo_site
    text = Page(read(out / "index.html")).all_text
    for badge in BADGES:
        assert badge.name in text and badge.description in text


def test_share_card_is_numbers_and_allowlisted_words(tmp_path):
    from tinytorch_board.board.site.pages import share_cards

    entry = make_entry(visibility="public", display_name="<b>Eve</b>", score=12.5)
    stats = stats_for([entry])
    out = build(tmp_path, stats, BoardConfig(title="Board & <Co>"))
    cards, names = share_cards(stats.entries, "Board & <Co>")
    (card,) = cards.values()
    doc = ET.fromstring(card)
    texts = [t.text for t in doc.iter(f"{SVG_NS}text")]
    assert texts[0] == "Board & <Co>" and "13" in texts  # whole points: 12.5 -> 13
    assert "Eve" not in card
    assert [p.name for p in (out / "cards").iterdir()] == [f"{names[0]}.png"]


def test_equal_results_share_one_card_and_every_card_exists(tmp_path):
    twins = [make_entry(score=61.0, participant_id=f"p-{i}") for i in range(2)]
    other = make_entry(score=42.0)
    stats = stats_for([*twins, other])
    out = build(tmp_path, stats)
    images = {}
    for entry in stats.entries:
        page = Page(read(out / f"s/{entry.submission_id}.html"))
        (img,) = page.find("img")  # the share card, the one picture
        assert (out / "s" / img["src"]).resolve().is_file()
        images[entry.submission_id] = img["src"]
    assert images[twins[0].submission_id] == images[twins[1].submission_id]
    assert images[other.submission_id] != images[twins[0].submission_id]
    assert len(list((out / "cards").iterdir())) == 2


def test_parallel_workers_write_the_same_site(tmp_path, monkeypatch):
    from tinytorch_board.board.site import build as site_build

    stats = demo_stats(320, seed=9)
    monkeypatch.setattr(site_build, "PARALLEL_FROM", 10**9)
    serial = build(tmp_path / "serial", stats)
    monkeypatch.setattr(site_build, "PARALLEL_FROM", 1)
    monkeypatch.setattr(site_build, "PAGES_PER_TASK", 1)  # pages 2, 3, 4: a task each
    monkeypatch.setattr(site_build, "PROGRESS_PER_TASK", 7)  # many small slices
    monkeypatch.setattr(site_build.os, "cpu_count", lambda: 3)
    parallel = build(tmp_path / "parallel", stats)

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }

    assert files(parallel) == files(serial)


@pytest.mark.parametrize("outlier", [False, True])
def test_fast_shields_text_is_compact_sorted_json(outlier):
    from tinytorch_board.board.site import api

    (entry,) = stats_for([make_entry(score=61.25, outlier=outlier)]).entries
    expected = json.dumps(
        api.shields_endpoint(entry), separators=(",", ":"), sort_keys=True, ensure_ascii=False
    )
    assert api.shields_endpoint_text(entry) == expected


def test_capstone_entries_get_their_own_group_and_filter_option(tmp_path):
    capstone = make_entry(kind="capstone", group="capstone/1/numpy", tracks={"speed": {}})
    stats = stats_for([capstone, make_entry()])
    out = build(tmp_path, stats)
    index = Page(read(out / "index.html"))
    meta = json.loads("".join(index.script_text))
    assert "capstone/1/numpy" in meta["groups"]
    options = [t for t in index.text if t in ("baseline", "capstone")]
    assert options[:2] == ["baseline", "capstone"]
    text = Page(read(out / f"s/{capstone.submission_id}.html")).all_text
    assert (
        "capstone benchmark" in text and "Top 100% of 1 capstone · suite 1 · numpy result" in text
    )


def test_submission_page_is_small_strict_and_escaped(tmp_path):
    from tinytorch_board.board.site.pages import SUBMISSION_CSP

    hostile = make_entry(visibility="public", display_name='<u>"x"</u> & </textarea>')
    stats = stats_for([hostile, make_entry()])
    out = build(tmp_path, stats)
    html = read(out / f"s/{hostile.submission_id}.html")
    # the take-part block, the PNG card's size and alt, the permalink and the copy script
    # joined the page with this issue: 2,000 bytes before
    assert len(html.encode()) < 2400
    parsed = Page(html)
    csp = parsed.find("meta", **{"http-equiv": "Content-Security-Policy"})
    assert [m["content"] for m in csp] == [SUBMISSION_CSP]
    assert "script-src 'self'" in SUBMISSION_CSP and "default-src 'none'" in SUBMISSION_CSP
    assert "'unsafe-inline'" not in SUBMISSION_CSP and "connect-src" not in SUBMISSION_CSP
    assert "<u>" not in html and "&lt;u&gt;&#34;x&#34;&lt;/u&gt; &amp; &lt;/textarea&gt;" in html
    assert [s["src"] for s in parsed.scripts] == ["../static/site.js"]  # copy buttons only


def test_badges_with_equal_text_share_one_file(tmp_path):
    twins = [make_entry(score=61.0, participant_id=f"p-{i}") for i in range(3)]
    stats = stats_for(twins)
    out = build(tmp_path, stats)
    svgs = [out / f"badges/{e.submission_id}.svg" for e in stats.entries]
    texts = {read(p) for p in svgs}
    assert len(texts) == 1
    assert len({p.stat().st_ino for p in svgs}) == 1  # hard links: one inode, many names
    for e in stats.entries:
        shields = json.loads(read(out / f"badges/{e.submission_id}.json"))
        assert shields["message"] == f"machine 61.0 · top {e.top_percent}%"


def test_badges_are_written_where_hard_links_fail(tmp_path, monkeypatch):
    from tinytorch_board.board.site import build as site_build

    def no_links(*args, **kwargs):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(site_build.os, "link", no_links)
    twins = [make_entry(score=61.0, participant_id=f"p-{i}") for i in range(2)]
    stats = stats_for(twins)
    out = build(tmp_path, stats)
    svgs = [out / f"badges/{e.submission_id}.svg" for e in stats.entries]
    assert len({p.stat().st_ino for p in svgs}) == 2  # two plain files
    assert read(svgs[0]) == read(svgs[1])


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.text(alphabet="<>&\"'ab \u202e"),
        st.integers(),
        st.floats(allow_nan=False),
        st.none(),
    )
)
def test_html_text_escapes_exactly_as_markupsafe(value):
    from markupsafe import Markup, escape

    from tinytorch_board.board.site.markup import html_text

    assert html_text(value) == str(escape(value))
    if isinstance(value, str):
        assert html_text(Markup(value)) == str(escape(Markup(value))) == value


# A result page at 100,000 results is 100,000 files: its bytes are the site's biggest
# share. A heavy one, with the site's public address set as a deployment has it
# (absolute card, permalink and badge URLs): a public name and GitHub handle, three
# milestones, three badges, two earlier results to compare with. 3,143 bytes before
# the result pages were trimmed (the average page at 100,000 demo results: 2,780).
RESULT_PAGE_BUDGET = 3050


def test_a_realistic_result_page_stays_within_its_byte_budget(tmp_path):
    pid = "00000000-0000-4000-8000-00000000f00d"
    earlier = [
        make_entry(participant_id=pid, created_at=f"2026-02-0{d}T10:00:00Z", score=50.4)
        for d in (3, 9)
    ]
    mine = make_entry(
        participant_id=pid,
        created_at="2026-02-23T10:00:00Z",
        visibility="public",
        display_name="Grace 903",
        github="grace-903",
        system_type="macOS Apple Silicon",
        cohort="Spring 2026",
        badges=("first-steps", "milestone-master", "community-member"),
    )
    others = [make_entry(score=30.0 + i) for i in range(12)]
    stats = stats_for([*earlier, mine, *others])
    site = SiteConfig(
        url="https://tinytorch-org.github.io/tinytorch-board/",
        repository="tinytorch-org/tinytorch-board",
    )
    out = build(tmp_path, stats, BoardConfig(site=site))
    html = read(out / f"s/{mine.submission_id}.html")
    text = Page(html).all_text
    assert "Compare with your earlier results" in text and "Milestone Master" in text
    assert "Take part" in text and "tinytorch-board submit" in text
    size = len(html.encode())
    assert size <= RESULT_PAGE_BUDGET, f"{size} bytes; 100,000 pages: {size / 10:.0f} MB"
