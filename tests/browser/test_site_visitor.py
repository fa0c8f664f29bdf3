"""A visitor's and a sharing student's view of the built site, in headless Debian Chromium:
every page kind at 1280 and 375 px in light and dark (take-part block, axe, console),
filters kept in the URL, accent-insensitive search, phone charts, compare.html.

Needs /usr/bin/chromium; never downloads a browser. Screenshots of each page kind in
both colour schemes go to test-artifacts/ at the repository root.
"""

from __future__ import annotations

import json
import sys
import threading
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_site_browser import (  # noqa: E402
    ARGS,
    CHROMIUM,
    Watched,
    apply_and_wait,
    csv_rows,
    visible_rows,
)

from tinytorch_board.board.serve import make_server  # noqa: E402
from tinytorch_board.cli import cli  # noqa: E402
from tinytorch_board.submission.signature import sign  # noqa: E402

pytestmark = pytest.mark.browser

ZOE = "Zoë Ångström"
EARLIER_ID = "e" * 32
LATER_ID = "f" * 32
WIDTHS = {"wide": 1280, "phone": 375}
SCHEMES = ("light", "dark")


def _add_results(board: Path) -> None:
    """A public result named with accents, and a student's earlier and later result
    (signed files, like every demo file: an edited copy must be signed again)."""
    files = sorted((board / "submissions").rglob("*.json"))
    base = next(
        json.loads(p.read_text("utf-8"))
        for p in files
        if json.loads(p.read_text("utf-8"))["visibility"] == "public"
        and json.loads(p.read_text("utf-8"))["benchmark"]["kind"] == "baseline"
    )
    made = []
    for sid, name, created in (
        ("d" * 32, ZOE, "2026-11-20T09:00:00Z"),
        (EARLIER_ID, "Compare Me", "2026-11-01T09:00:00Z"),
        (LATER_ID, "Compare Me", "2026-11-21T09:00:00Z"),
    ):
        doc = json.loads(json.dumps(base))
        doc["submission_id"] = sid
        doc["created_at"] = created
        doc["public"]["display_name"] = name
        # Signed again, as a student's tool would: both "Compare Me" results with one
        # key (one participant), Zoë with her own.
        made.append(sign(doc, bytes([12 if name == "Compare Me" else 13]) * 32))
    for doc in made:
        path = board / "submissions" / doc["submission_id"][:2] / f"{doc['submission_id']}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(doc, indent=2), encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A demo board with the board's public address set, built by the real CLI."""
    root = tmp_path_factory.mktemp("visitor")
    board, out = root / "board", root / "site"
    runner = CliRunner()
    result = runner.invoke(cli, ["demo-data", "--count", "300", "--seed", "5", "--out", str(board)])
    assert result.exit_code == 0, result.output
    _add_results(board)
    yaml_path = board / "board.yaml"
    text = yaml_path.read_text("utf-8")
    text = text.replace('  url: ""', "  url: http://127.0.0.1/board/", 1)
    text = text.replace('  repository: ""', "  repository: example-org/board", 1)
    yaml_path.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["build", "--board", str(board), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "site.url" not in result.output  # set: no warning
    server = make_server(out, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("needs Debian chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def open_page(browser):
    made = []

    def factory(width: int = 1280, scheme: str = "light", **context) -> Watched:
        phone = width < 500
        w = Watched(
            browser,
            viewport={"width": width, "height": 740 if phone else 900},
            color_scheme=scheme,
            is_mobile=phone,
            has_touch=phone,
            **context,
        )
        made.append(w)
        return w

    yield factory
    for w in made:
        w.close()


def page_kinds(site: Path) -> dict[str, str]:
    return {
        "index": "index.html",
        "list": "page/2.html",
        "result": f"s/{LATER_ID}.html",
        "community": "community.html",
        "about": "about.html",
        "compare": f"compare.html?a={EARLIER_ID}&b={LATER_ID}",
    }


def wait_ready(w: Watched, kind: str) -> None:
    if kind == "compare":
        w.page.wait_for_selector("body[data-ready]")
    w.page.wait_for_load_state("load")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("kind", ["index", "list", "result", "community", "about", "compare"])
def test_every_page_kind_invites_and_passes_axe(site, open_page, kind, width, scheme):
    from axe_playwright_python.sync_playwright import Axe

    out, url = site
    w = open_page(WIDTHS[width], scheme)
    w.page.goto(url + page_kinds(out)[kind])
    wait_ready(w, kind)
    # the take-part block: on the page, not folded away, with the literal commands
    block = w.page.locator("aside.take-part")
    assert block.count() == 1 and block.is_visible()
    commands = block.locator("pre").inner_text()
    assert "pip install tinytorch-board==" in commands
    assert "tinytorch-board benchmark baseline" in commands and "tinytorch-board submit" in commands
    assert block.locator("a[href='https://github.com/MLSysBook/TinyTorch']").count() == 1
    assert block.locator("a[href='https://github.com/example-org/board']").count() == 1
    # the page's colours follow the scheme
    background = w.page.evaluate("getComputedStyle(document.body).backgroundColor")
    dark = sum(int(c) for c in background[background.index("(") + 1 : -1].split(",")[:3]) < 200
    assert dark == (scheme == "dark")
    assert w.page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    results = Axe().run(w.page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []
    w.shot(f"{kind}-{WIDTHS[width]}-{scheme}")
    assert w.problems == []


def test_a_filter_survives_a_reload_and_the_url_can_be_shared(site, open_page):
    _, url = site
    w = open_page()
    page = w.page
    page.goto(url + "index.html")
    apply_and_wait(page, lambda: page.select_option("#f-backend", "numpy"))
    apply_and_wait(page, lambda: page.select_option("#f-sort", "score"))
    apply_and_wait(page, lambda: page.click("#pager button:has-text('Next')"))
    assert "backend=numpy" in page.url and "sort=score" in page.url and "page=2" in page.url
    second_page = visible_rows(page)
    before = page.get_attribute("body", "data-ready") or "0"
    page.reload()
    page.wait_for_function("() => document.body.getAttribute('data-ready') !== null")
    assert page.input_value("#f-backend") == "numpy" and page.input_value("#f-sort") == "score"
    assert visible_rows(page) == second_page
    assert "Page 2 of" in page.text_content("#pager")
    assert before  # the first visit rendered too
    # the same address opened fresh (a bookmark, a shared link)
    shared = open_page().page
    shared.goto(page.url)
    shared.wait_for_function("() => document.body.getAttribute('data-ready') !== null")
    assert visible_rows(shared) == second_page
    assert w.problems == []


def test_hero_follows_the_sort(site, open_page):
    _, url = site
    page = open_page().page
    page.goto(url + "index.html")
    assert "Newest first" in page.text_content("#hero-sort")
    apply_and_wait(page, lambda: page.select_option("#f-sort", "score"))
    assert page.text_content("#hero-sort") == "Highest score first."
    apply_and_wait(page, lambda: page.select_option("#f-sort", "oldest"))
    assert "Oldest first" in page.text_content("#hero-sort")


def fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).lower()


@pytest.mark.parametrize("typed", ["zoe", "ZOE", "zoë", "angstrom"])
def test_name_search_ignores_case_and_accents(site, open_page, typed):
    out, url = site
    w = open_page()
    page = w.page
    page.goto(url + "index.html")
    apply_and_wait(page, lambda: page.fill("#f-name", typed))
    found = sorted(r[1] for r in visible_rows(page))
    names = [r["display_name"] for r in csv_rows(out) if r["display_name"]]
    assert ZOE in found
    assert found == sorted(n for n in names if fold(typed) in fold(n))  # e.g. "Zoë 214" too
    if typed == "angstrom":
        assert found == [ZOE]
    assert w.problems == []


def test_the_same_page_size_with_and_without_javascript(site, open_page):
    _, url = site
    with_script = open_page().page
    with_script.goto(url + "index.html")
    apply_and_wait(with_script, lambda: with_script.select_option("#f-sort", "newest"))
    without = open_page(java_script_enabled=False).page
    without.goto(url + "index.html")
    assert len(visible_rows(with_script)) == len(visible_rows(without)) == 50


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_chart_text_under_11_px_on_a_phone(site, open_page, scheme):
    _, url = site
    w = open_page(375, scheme)
    w.page.goto(url + "community.html")
    sizes = w.page.evaluate(
        """() => [...document.querySelectorAll('svg.chart')]
            .filter(svg => svg.getBoundingClientRect().width > 0)
            .flatMap(svg => {
                const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                return [...svg.querySelectorAll('text')].map(t =>
                    parseFloat(getComputedStyle(t).fontSize) * scale);
            })"""
    )
    assert len(sizes) > 20
    assert min(sizes) >= 11, min(sizes)
    assert w.problems == []


def test_compare_shows_two_results_side_by_side(site, open_page):
    _, url = site
    w = open_page()
    page = w.page
    page.goto(url + f"s/{LATER_ID}.html")
    page.click(f"a[href='../compare.html?a={EARLIER_ID}&b={LATER_ID}']")
    page.wait_for_selector("body[data-ready]")
    heads = page.eval_on_selector_all("#compare-table thead th", "hs => hs.map(h => h.textContent)")
    assert heads == ["", EARLIER_ID[:8], LATER_ID[:8]]
    rows = {
        r[0]: r[1:]
        for r in page.eval_on_selector_all(
            "#compare-table tbody tr",
            "rows => rows.map(r => [...r.cells].map(c => c.textContent))",
        )
    }
    assert {"Score", "System", "Modules", "Milestones"} <= set(rows)
    assert any(label.endswith("(median ms)") for label in rows)
    assert all(len(values) == 2 for values in rows.values())
    assert w.problems == []


def test_compare_without_javascript_says_what_it_needs(site, open_page):
    _, url = site
    page = open_page(java_script_enabled=False).page
    page.goto(url + f"compare.html?a={EARLIER_ID}&b={LATER_ID}")
    assert "needs JavaScript" in page.text_content("main")


def test_copy_buttons_copy_the_permalink_and_the_badge(site, open_page):
    _, url = site
    w = open_page(permissions=["clipboard-read", "clipboard-write"])
    page = w.page
    page.goto(url + f"s/{LATER_ID}.html")
    assert page.input_value("#p") == f"http://127.0.0.1/board/s/{LATER_ID}.html"
    page.click("button.copy >> nth=1")
    pasted = page.evaluate("navigator.clipboard.readText()")
    assert pasted.startswith("[![TinyTorch ") and "(http://127.0.0.1/board/badges/" in pasted
    phone = open_page(375).page
    phone.goto(url + f"s/{LATER_ID}.html")
    box = phone.eval_on_selector(
        "#e", "e => [e.getBoundingClientRect().right, e.scrollWidth - e.clientWidth]"
    )
    assert box[0] <= 375 and box[1] <= 0  # the snippet wraps inside the screen
    assert w.problems == []


def test_badges_fall_back_to_their_names_without_an_emoji_font(site, open_page):
    _, url = site
    page = open_page().page
    page.goto(url + "page/2.html")
    page.evaluate("document.documentElement.classList.add('no-emoji')")  # as site.js does
    cell = page.locator("#board tbody td:nth-child(10) .vh").first
    assert cell.is_visible() and cell.inner_text().strip()
    assert not page.locator("#board tbody td:nth-child(10) .bi").first.is_visible()
