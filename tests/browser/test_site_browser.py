"""The built site in headless Debian Chromium: filters, sort, pages, CSP, axe, phone, hostile names.

Needs /usr/bin/chromium (installed by .ci/run); never downloads a browser. Screenshots
go to test-artifacts/ at the repository root.
"""

from __future__ import annotations

import csv
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ helpers

from board_helpers import with_class  # noqa: E402
from site_helpers import make_entry, stats_for  # noqa: E402

from tinytorch_board.board.config import BoardConfig  # noqa: E402
from tinytorch_board.board.serve import make_server  # noqa: E402
from tinytorch_board.board.site import render_site  # noqa: E402
from tinytorch_board.cli import cli  # noqa: E402

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
HOSTILE = [
    "<script>window.__pwned=1</script>",
    "</text><script>window.__pwned=2</script>",
    "<img src=x onerror=window.__pwned=3>",
    "javascript:window.__pwned=4",
    "\"'><svg onload=window.__pwned=5>",
    "\u202eevil\u202c RTL",
]


def _serve(site: Path):
    server = make_server(site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A demo board built by the real CLI (board engine + renderer), served on loopback."""
    root = tmp_path_factory.mktemp("browser")
    runner = CliRunner()
    board, site = root / "board", root / "site"
    for args in (
        ["demo-data", "--count", "400", "--seed", "3", "--out", str(board)],
        ["class", "create", "Fall ML Systems", "--instructor", "prof-ada", "--to", str(board)],
        ["build", "--board", str(board), "--out", str(site)],
    ):
        if args[0] == "build":
            _declare_class(board)
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
    server, url = _serve(site)
    yield site, url
    server.shutdown()
    server.server_close()


def _declare_class(board: Path) -> None:
    """Every fifth demo file counts for the board's one class (its page has figures)."""
    import json

    (class_file,) = (board / "classes").glob("*.yaml")
    for path in sorted((board / "submissions").rglob("*.json"))[::5]:
        doc = with_class(json.loads(path.read_text(encoding="utf-8")), class_file.stem)
        path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _class_page(site: Path) -> str:
    (page,) = (site / "class").glob("*.html")
    return f"class/{page.name}"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    entries = [
        make_entry(visibility="public", display_name=name, github="javascript:alert(1)")
        for name in HOSTILE
    ]
    entries += [make_entry() for _ in range(6)]
    stats = stats_for(entries)
    stats.community.systems["</text><script>window.__pwned=6</script>"] = 9
    site = tmp_path_factory.mktemp("hostile") / "site"
    render_site(stats, BoardConfig(), site)
    server, url = _serve(site)
    yield site, url, stats
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


class Watched:
    """A page that records console errors, failed requests and dialogs."""

    def __init__(self, browser, **context):
        self.context = browser.new_context(**context)
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on(
            "response",
            lambda r: self.problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
        )
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser):
    made = []

    def factory(**context) -> Watched:
        w = Watched(browser, **context)
        made.append(w)
        return w

    yield factory
    for w in made:
        w.close()


def csv_rows(site: Path) -> list[dict]:
    return list(csv.DictReader((site / "data/submissions.csv").read_text("utf-8").splitlines()))


def apply_and_wait(page, action) -> None:
    before = page.get_attribute("body", "data-ready") or "0"
    action()
    page.wait_for_function(
        """(before) => {
            const ready = document.body.getAttribute("data-ready");
            const busy = document.getElementById("board").getAttribute("aria-busy");
            return ready !== null && +ready > +before && busy === "false";
        }""",
        arg=before,
    )


def visible_rows(page) -> list[list[str]]:
    """The result rows shown (group heading rows left out)."""
    return page.eval_on_selector_all(
        "#board tbody tr:not(.group-head)",
        "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))",
    )


def group_heads(page) -> list[str]:
    return page.eval_on_selector_all(
        "#board tbody tr.group-head", "rows => rows.map(r => r.textContent.trim())"
    )


def csv_group(row: dict) -> str:
    return f"{row['kind']} · suite {row['suite_version']} · {row['backend']}"


def group_order(site) -> list[str]:
    """Groups in the order the score sorts show them (sorted keys, as the data packs them)."""
    keys = sorted({(r["kind"], r["suite_version"], r["backend"]) for r in csv_rows(site)})
    return [f"{k} · suite {s} · {b}" for k, s, b in keys]


def test_filters_and_sort_work_over_every_entry(demo, watched):
    site, url = demo
    w = watched(viewport={"width": 1280, "height": 900})
    page = w.page
    page.goto(url + "index.html")
    assert page.is_visible("#filters")
    expected = [
        r
        for r in csv_rows(site)
        if r["system_type"] == "Linux x86" and len(r["milestones_completed"].split()) >= 1
    ]
    apply_and_wait(page, lambda: page.select_option("#f-system", label="Linux x86"))
    apply_and_wait(page, lambda: page.select_option("#f-milestones", "1"))
    status = page.text_content("#status")
    assert f"of {len(expected)} matching" in status
    rows = visible_rows(page)
    assert rows and all(r[3] == "Linux x86" and int(r[4].split("/")[0]) >= 1 for r in rows)
    w.shot("index-filtered")

    # Highest score never ranks one group's results against another's: each group
    # comes as its own block under a heading, best first within it.
    apply_and_wait(page, lambda: page.click("th[data-sort=score] button"))
    order = group_order(site)
    shown = [(order.index(r[2]), -float(r[6])) for r in visible_rows(page)]
    assert shown == sorted(shown)
    first = order[shown[0][0]]
    assert -shown[0][1] == max(float(r["score"]) for r in expected if csv_group(r) == first)
    heads = group_heads(page)
    assert heads and heads[0].startswith(first)
    assert len(heads) == len({g for g, _ in shown})
    assert page.get_attribute("th[data-sort=score]", "aria-sort") == "descending"

    apply_and_wait(page, lambda: page.click("#pager button:has-text('Next')"))
    later = [(order.index(r[2]), -float(r[6])) for r in visible_rows(page)]
    assert later and min(later) >= max(shown)

    apply_and_wait(page, lambda: page.click("button[type=reset]"))
    assert f"of {len(csv_rows(site))} matching" in page.text_content("#status")
    public = next(r for r in csv_rows(site) if r["display_name"])
    apply_and_wait(page, lambda: page.fill("#f-name", public["display_name"]))
    assert any(public["display_name"] == r[1] for r in visible_rows(page))
    assert int(page.get_attribute("#board", "data-ms")) < 1000
    assert w.problems == []


def test_date_range_and_kind_filters(demo, watched):
    site, url = demo
    page = watched().page
    page.goto(url + "index.html")
    rows = csv_rows(site)
    day = sorted(r["created_at"][:10] for r in rows)[len(rows) // 2]
    expected = [r for r in rows if r["created_at"][:10] >= day and r["backend"] == "numpy"]
    apply_and_wait(page, lambda: page.fill("#f-from", day))
    apply_and_wait(page, lambda: page.select_option("#f-backend", "numpy"))
    assert f"of {len(expected)} matching" in page.text_content("#status")
    assert all(r[0] >= day and r[2].endswith("numpy") for r in visible_rows(page))


def test_the_class_filter_lists_the_class_results(demo, watched):
    import json

    site, url = demo
    (api,) = (site / "api" / "class").glob("*.json")
    listed = {e["submission_id"] for e in json.loads(api.read_text())["submissions"]}
    known = {r["submission_id"] for r in csv_rows(site)}
    page = watched().page
    page.goto(url + "index.html")
    apply_and_wait(page, lambda: page.select_option("#f-class", "1"))
    assert f"of {len(listed & known)} matching" in page.text_content("#status")


def test_submission_page_from_a_row(demo, watched):
    site, url = demo
    w = watched(viewport={"width": 1280, "height": 900})
    page = w.page
    page.goto(url + "index.html")
    apply_and_wait(page, lambda: page.select_option("#f-sort", "score"))
    page.click("#board tbody tr:not(.group-head) a >> nth=0")  # under the group heading
    page.wait_for_load_state("load")
    assert "/s/" in page.url and page.url.endswith(".html")
    assert page.is_visible(".score b")
    card = page.eval_on_selector(".result img", "img => img.complete && img.naturalWidth")
    assert card == 1200
    assert "Top " in page.text_content(".placement")
    w.shot("submission")
    assert w.problems == []


@pytest.mark.parametrize(
    "target", ["index.html", "community.html", "about.html", "submission", "class"]
)
def test_no_serious_accessibility_violations(demo, watched, target):
    from axe_playwright_python.sync_playwright import Axe

    site, url = demo
    if target == "submission":
        target = "s/" + sorted(p.name for p in (site / "s").glob("*.html"))[0]
    if target == "class":
        target = _class_page(site)
    w = watched(viewport={"width": 1280, "height": 900})
    w.page.goto(url + target)
    if target == "index.html":
        apply_and_wait(w.page, lambda: w.page.select_option("#f-sort", "milestones"))
    results = Axe().run(w.page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []
    w.shot(f"page-{target.replace('/', '_')[:20]}")
    assert w.problems == []


@pytest.mark.parametrize("target", ["index.html", "community.html", "submission", "class"])
def test_phone_viewport(demo, watched, target):
    site, url = demo
    if target == "submission":
        target = "s/" + sorted(p.name for p in (site / "s").glob("*.html"))[1]
    if target == "class":
        target = _class_page(site)
        assert w_has_charts(site, target)
    w = watched(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    w.page.goto(url + target)
    overflow = w.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    if target == "index.html":
        assert not w.page.is_visible("#f-system")  # filters folded away on a phone
        w.page.click("#filter-box summary")
        apply_and_wait(w.page, lambda: w.page.select_option("#f-sort", "modules"))
        modules = [int(r[5].split("/")[0]) for r in visible_rows(w.page)]
        assert modules == sorted(modules, reverse=True)
        # score and standing are on screen without scrolling sideways
        right = w.page.evaluate(
            "Math.max(...[...document.querySelectorAll('#board tbody tr:first-child td')]"
            ".filter(c => c.offsetParent).map(c => c.getBoundingClientRect().right))"
        )
        table = w.page.evaluate(
            "document.querySelector('.table-wrap').getBoundingClientRect().right"
        )
        assert right <= table + 1
        shown = w.page.eval_on_selector_all(
            "#board thead th", "hs => hs.filter(h => h.offsetParent).map(h => h.textContent.trim())"
        )
        assert [h.rstrip(" ▾▴") for h in shown] == ["Name", "Milestones", "Score", "Standing"]
    w.shot(f"phone-{target.replace('/', '_')[:20]}")
    assert w.problems == []


def test_without_javascript_the_pages_list_everyone(demo, watched):
    site, url = demo
    w = watched(java_script_enabled=False)
    page = w.page
    page.goto(url + "index.html")
    assert not page.is_visible("#filters")
    seen = len(visible_rows(page))
    while page.query_selector("a[rel=next]"):
        page.click("a[rel=next]")
        seen += len(visible_rows(page))
    assert seen == len(csv_rows(site))
    w.shot("no-js-last-page")


def test_hostile_names_never_execute(hostile, watched):
    site, url, stats = hostile
    w = watched(viewport={"width": 1280, "height": 900})
    page = w.page
    page.goto(url + "index.html")
    static_names = page.eval_on_selector_all("#board bdi", "els => els.map(e => e.textContent)")
    assert sorted(static_names) == sorted(HOSTILE)
    apply_and_wait(page, lambda: page.fill("#f-name", "pwned"))
    shown = page.eval_on_selector_all("#board bdi", "els => els.map(e => e.textContent)")
    assert sorted(shown) == sorted(n for n in HOSTILE if "pwned" in n)
    hrefs = page.eval_on_selector_all("#board a", "els => els.map(e => e.href)")
    assert all(h.startswith(url + "s/") for h in hrefs)
    w.shot("hostile-index")
    for entry in stats.entries:
        if entry.display_name:
            page.goto(url + f"s/{entry.submission_id}.html")
            assert page.text_content("h1 bdi") == entry.display_name
            injected = "document.querySelectorAll('script:not([src]), img[src=x], svg svg').length"
            assert page.evaluate(injected) == 0
    page.goto(url + "community.html")
    assert "window.__pwned=6" in page.text_content("#systems")
    # only site.js (a file of ours): no script a name could have injected
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    assert page.evaluate("window.__pwned === undefined")
    assert w.problems == []


@pytest.mark.parametrize(
    ("sort", "column", "key"),
    [
        ("name", 1, lambda r: (r["display_name"] or "\uffff").lower()),
        ("top", 7, None),  # within each group (see below)
        ("oldest", 0, lambda r: r["created_at"]),
    ],
)
def test_sorts_match_the_data(demo, watched, sort, column, key):
    site, url = demo
    page = watched().page
    page.goto(url + "index.html")
    apply_and_wait(page, lambda: page.select_option("#f-sort", sort))
    if key is None:  # standings compare only within a group: groups first, then top %
        order = group_order(site)
        key = lambda r: (order.index(csv_group(r)), int(r["top_percent"] or 1000))  # noqa: E731
    expected = sorted(csv_rows(site), key=key)[:50]
    shown = visible_rows(page)
    assert len(shown) == 50
    if sort == "name":
        assert [r[1] for r in shown] == [r["display_name"] for r in expected]
    elif sort == "top":
        assert [r[7].split("%")[0] for r in shown] == [f"Top {r['top_percent']}" for r in expected]
    else:
        assert [r[0] for r in shown] == [r["created_at"][:10] for r in expected]


def w_has_charts(site: Path, target: str) -> bool:
    """The class page of the demo (80 results) shows figures, not counts only."""
    return 'id="milestones"' in (site / target).read_text(encoding="utf-8")
