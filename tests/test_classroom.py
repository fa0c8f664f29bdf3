"""Classes end to end: an instructor, three students, a real board repository, the site.

The privacy model under test: the class file lists no student; the roster (names) stays on
the instructor's machine, mode 0600; the board and the site never hold a student's name.
"""

from __future__ import annotations

import functools
import http.server
import json
import stat
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
from board_helpers import with_class
from ci_helpers import BoardRepo
from click.testing import CliRunner
from submit_helpers import make_project

from tinytorch_board.cli import cli
from tinytorch_board.errors import DataFileError
from tinytorch_board.submission.classes import ClassInfo, class_yaml, parse_class
from tinytorch_board.submission.validator import check_document

NAMES = ("Alice Archer", "Bob Baker", "Carol Chen")


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def check_pr(repo: BoardRepo, head: str, *extra: str) -> tuple[int, dict]:
    result = run(
        "ci", "check-pr", "--repo", repo.path, "--base", "main", "--head", head,
        "--board", repo.path, "--json", *extra, ok=False,
    )  # fmt: skip
    return result.exit_code, json.loads(result.stdout)


def codes(report: dict) -> set[str]:
    return {f["code"] for f in report["findings"]}


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(v for k, v in attrs if k == "id" and v)

    def handle_data(self, data):
        self.parts.append(data)


def parsed(path: Path) -> Text:
    page = Text()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def every_text(root: Path) -> str:
    """Every file under root (git's own folder aside), as text."""
    out = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".git" not in path.relative_to(root).parts:
            out.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out)


def submit_on_branch(repo: BoardRepo, project: Path, branch: str, *options: str) -> str:
    """The student's `submit --to` on a pull request branch; the head SHA."""
    repo.branch(branch)
    run("--project-dir", project, "submit", "--to", repo.path, "--yes", *options)
    head = repo.commit(f"submission from {branch}")
    repo.back_to_main()
    return head


def serve(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_class_from_creation_to_report(tmp_path: Path) -> None:
    repo = BoardRepo(tmp_path / "board")  # k_anonymity: the default, 5
    private = tmp_path / "instructor"
    private.mkdir()

    # The instructor creates the class on a pull request branch.
    repo.branch("class")
    created = json.loads(
        run("class", "create", "Fall ML Systems", "--instructor", "prof-ada", "--to", repo.path,
            "--starts", "2026-09-01", "--ends", "2026-12-20", "--json").stdout
    )  # fmt: skip
    class_id = created["class_id"]
    class_head = repo.commit("add class")
    repo.back_to_main()

    code, report = check_pr(repo, class_head, "--author", "prof-ada")
    assert (code, report["ok"], report["kind"], report["classes"]) == (0, True, "class", [class_id])
    code, report = check_pr(repo, class_head, "--author", "mallory")
    assert code == 1 and codes(report) == {"not-instructor"}
    code, report = check_pr(
        repo, class_head, "--author", "mallory", "--author-association", "MEMBER"
    )
    assert code == 0 and report["ok"]  # a maintainer may
    repo.git("merge", "-q", "--ff-only", "class")

    # A non-instructor may not add themselves to the existing class either.
    repo.branch("takeover")
    path = repo.path / "classes" / f"{class_id}.yaml"
    info = parse_class(path.read_bytes(), "class", class_id)
    taken = ClassInfo(info.class_id, info.name, ("mallory",), info.starts, info.ends)
    path.write_text(class_yaml(taken), encoding="utf-8")
    takeover = repo.commit("take over")
    repo.back_to_main()
    assert codes(check_pr(repo, takeover, "--author", "mallory")[1]) == {"not-instructor"}

    # Three students join and hand in receipts; nothing is sent.
    projects = {}
    for name in NAMES:
        project = make_project(tmp_path / name.split()[0].lower())
        projects[name] = project
        # Bob will submit publicly: he hands in his public id (his choice).
        which = ["--public-id"] if name == "Bob Baker" else []
        receipt = run("--project-dir", project, "class", "join", class_id, *which, "--json").stdout
        (private / f"{name}.json").write_text(receipt, encoding="utf-8")
        tito_profile = (project / ".tinytorch" / "community" / "profile.json").read_text()
        assert class_id not in tito_profile  # recorded in our board.json only

    # Two submit (one anonymous, one public), one does not.
    alice = submit_on_branch(repo, projects["Alice Archer"], "alice")
    bob = submit_on_branch(repo, projects["Bob Baker"], "bob", "--public", "--country", "DE")
    for head, branch in ((alice, "alice"), (bob, "bob")):
        code, report = check_pr(repo, head, "--author", branch)
        assert code == 0, report["findings"]
        repo.git("merge", "-q", "--no-edit", branch)
    docs = [json.loads(p.read_text()) for p in (repo.path / "submissions").rglob("*.json")]
    declared = [d for d in docs if d.get("class_id") == class_id]
    assert sorted(d["visibility"] for d in declared) == ["anonymous", "public"]

    # A submission naming a class the board does not have is refused.
    stray = dict(declared[0], submission_id="ab" * 16, class_id="0123456789abcdef")
    stray.update(signature=None, participant_id=None)  # unsigned: the class is what is wrong
    assert check_document(stray, "stray") == []  # valid as a file ...
    repo.branch("stray")
    repo.add_doc(stray)
    stray_head = repo.commit("stray")
    repo.back_to_main()
    assert "unknown-class" in codes(check_pr(repo, stray_head, "--author", "stray")[1])

    # The instructor's private roster.
    roster = private / "roster.csv"
    receipts = [private / f"{name}.json" for name in NAMES]
    run("class", "add-students", class_id, *receipts, "--roster", roster)
    assert stat.S_IMODE(roster.stat().st_mode) == 0o600
    assert (
        run(
            "class",
            "add-students",
            class_id,
            receipts[0],
            "--roster",
            repo.path / "r.csv",
            ok=False,
        ).exit_code
        == 1
    )

    # The site: counts only below k (2 students < 5) ...
    run("build", "--board", repo.path, "--out", tmp_path / "site")
    page = tmp_path / "site" / "class" / f"{class_id}.html"
    text = " ".join(parsed(page).parts)
    assert "fewer than 5 students" in text and "milestones" not in parsed(page).ids
    # ... and the figures once k allows (the same board with k_anonymity: 2).
    (repo.path / "board.yaml").write_text("version: 1\ntitle: Test board\nk_anonymity: 2\n")
    run("build", "--board", repo.path, "--out", tmp_path / "site2")
    page2 = parsed(tmp_path / "site2" / "class" / f"{class_id}.html")
    assert {"milestones", "modules", "weeks"} <= page2.ids
    repo.git("checkout", "--", "board.yaml")

    # The report: each student's progress, and who has not submitted.
    out = run("class", "report", class_id, "--roster", roster, "--board", repo.path).stdout
    assert "Alice Archer: set up yes; baseline latest" in out
    assert "Bob Baker: set up yes" in out
    assert "Not submitted yet: Carol Chen" in out
    as_json = json.loads(
        run("class", "report", class_id, "--roster", roster, "--board", repo.path, "--json").stdout
    )
    assert as_json["not_submitted"] == ["Carol Chen"]
    assert [s["submitted"] for s in as_json["students"]] == [True, True, False]
    server = serve(tmp_path / "site")
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        from_site = run(
            "class", "report", class_id, "--roster", roster, "--from", url, "--csv"
        ).stdout
    finally:
        server.shutdown()
    lines = from_site.splitlines()
    assert lines[0].startswith("name,participant_id,submitted,set_up")
    assert lines[3].startswith("Carol Chen,") and ",no,no," in lines[3]

    # No student's name anywhere in the board or the site.
    public = every_text(repo.path) + every_text(tmp_path / "site") + every_text(tmp_path / "site2")
    for name in NAMES:
        for part in (name, *name.split()):
            assert part not in public, part
    assert "Carol" in roster.read_text()  # the names live in the private roster only


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "version: 1\nclass_id: '0123456789abcdef'\nname: X\ninstructors: [a]\nstarts: 2026-09-01\nstudents: [bob]\n",
            r"unknown key\(s\): students",
        ),
        (
            "version: 1\nclass_id: '0123456789abcdeF'\nname: X\ninstructors: [a]\nstarts: 2026-09-01\n",
            "16 lowercase hex",
        ),
        (
            "version: 1\nclass_id: '0123456789abcdef'\nname: X\ninstructors: []\nstarts: 2026-09-01\n",
            "instructors",
        ),
        (
            "version: 1\nclass_id: '0123456789abcdef'\nname: X\ninstructors: [a]\nstarts: 2026-02-30\n",
            "not a real date",
        ),
        (
            "version: 1\nclass_id: '0123456789abcdef'\nname: X\ninstructors: [a]\nstarts: 2026-09-01\nends: 2026-08-01\n",
            "before starts",
        ),
        (
            "version: 1\nversion: 1\nclass_id: '0123456789abcdef'\nname: X\ninstructors: [a]\nstarts: 2026-09-01\n",
            "twice",
        ),
        (
            "version: 1\nclass_id: '0123456789abcdef'\nname: &n X\ninstructors: [*n]\nstarts: 2026-09-01\n",
            "aliases",
        ),
        (
            "version: 1\nclass_id: '0123456789abcdef'\nname: mail me at a@b.edu\ninstructors: [a]\nstarts: 2026-09-01\n",
            "e-mail",
        ),
        ("- a list\n", "mapping"),
    ],
)
def test_class_files_are_read_strictly(text: str, message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        parse_class(text.encode(), "classes/0123456789abcdef.yaml", "0123456789abcdef")


@pytest.mark.parametrize(
    "bad", ["", "0123", "0123456789ABCDEF", "0123456789abcdef0", "0123456789abcdeg", 17]
)
def test_the_schema_checks_class_id(bad) -> None:
    from tinytorch_board.board.demo_data import generate

    doc = generate(1, seed=3)[0]
    assert check_document(with_class(doc, "0123456789abcdef"), "ok") == []
    assert any(p.path == "$.class_id" for p in check_document(dict(doc, class_id=bad), "bad"))


def test_join_refuses_a_mistyped_class_id(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    result = run("--project-dir", project, "class", "join", "not-a-class", ok=False)
    assert result.exit_code == 1 and "is not a class id" in result.output
    assert not (project / ".tinytorch" / "community").exists()  # nothing written


def test_submit_no_class_keeps_a_result_out(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    run("--project-dir", project, "class", "join", "0123456789abcdef")
    shown = run("--project-dir", project, "submit", "--dry-run", "--json").stdout
    assert json.loads(shown)["submission"]["class_id"] == "0123456789abcdef"
    kept_out = run("--project-dir", project, "submit", "--dry-run", "--json", "--no-class").stdout
    assert "class_id" not in json.loads(kept_out)["submission"]


def test_compare_shows_your_class_beside_everyone(tmp_path: Path) -> None:
    board, site = tmp_path / "board", tmp_path / "site"
    run("demo-data", "--count", "120", "--seed", "4", "--out", board)
    class_id = json.loads(
        run("class", "create", "Fall", "--instructor", "prof-ada", "--to", board, "--json").stdout
    )["class_id"]
    for path in sorted((board / "submissions").rglob("*.json"))[::2]:
        doc = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps(with_class(doc, class_id)), encoding="utf-8")
    run("build", "--board", board, "--out", site)
    project = make_project(tmp_path / "student")
    run("--project-dir", project, "class", "join", class_id)

    doc = json.loads((site / "api" / "class" / f"{class_id}.json").read_text())
    groups: dict = {}
    for r in doc["submissions"]:
        groups.setdefault((r["kind"], r["suite_version"], r["backend"]), []).append(r)
    same = max(groups.values(), key=len)  # the class's biggest group
    people = len({r["participant_id"] for r in same})
    assert people >= 5  # so the class figure is shown
    sid = same[0]["submission_id"]
    result = board / "submissions" / sid[:2] / f"{sid}.json"
    shown = json.loads(
        run("--project-dir", project, "compare", result, "--from", site, "--json").stdout
    )
    mine = shown["class"]
    above = sum(1 for r in same if r["score"] >= shown["score"])
    assert mine["class_id"] == class_id and mine["results"] == len(same)
    assert mine["top_percent"] == max(1.0, round(100 * max(1, above) / len(same), 1))
    assert shown["placement"] is not None  # everyone, beside the class
    own = run("--project-dir", project, "compare", "--from", site, "--json").stdout
    # suite 1: fewer than k classmates in that group, so no class figure
    assert json.loads(own)["class"]["top_percent"] is None
    text = run("--project-dir", project, "compare", "--from", site).stdout
    assert "Your class:" in text and "Nothing was uploaded" in text


def test_a_public_submission_says_what_declaring_the_class_links(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    run("--project-dir", project, "class", "join", "0123456789abcdef")
    result = CliRunner().invoke(
        cli,
        ["--project-dir", str(project), "submit", "--dry-run", "--json", "--public", "--country", "DE"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0
    assert "names your class 0123456789abcdef" in result.stderr
    assert "will not see this public result as yours" in result.stderr
    assert json.loads(result.stdout)["submission"]["class_id"] == "0123456789abcdef"
