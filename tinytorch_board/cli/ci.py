"""`tinytorch-board ci ...`: the decisions the board repository's workflows make.

Each command reads data (git objects, API JSON, an issue body), never runs code from a
pull request, prints a report, and exits 0 when the answer is yes (1 when it is no, unless
--exit-zero: then 1 means only "could not decide").
"""

from __future__ import annotations

from pathlib import Path

import click

from tinytorch_board.cli._util import echo_json

REPO = click.option(
    "--repo",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Git checkout holding both commits (objects only; nothing is checked out).",
)
BASE = click.option("--base", help="Base commit (the merge base is computed when possible).")
HEAD = click.option("--head", help="The pull request's head commit.")
FILES = click.option(
    "--files",
    "files_json",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The API's list of pull request files (JSON; `gh api --paginate` output is fine).",
)
BOARD = click.option(
    "--board",
    "board_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Base-branch checkout: its board.yaml and submissions/.",
)
OUT = click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the JSON report to this file.",
)
AS_JSON = click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
EXIT_ZERO = click.option(
    "--exit-zero", is_flag=True, help="Exit 0 when refusing too (workflows read the report)."
)


@click.group()
def ci() -> None:
    """Decisions of the board repository's workflows (safe on untrusted data)."""


def _finish(
    report: dict,
    out_file: Path | None,
    as_json: bool,
    exit_zero: bool,
    ok: bool,
    verdict: str | None = None,
) -> None:
    from tinytorch_board.jsonio import write_json

    if out_file is not None:
        write_json(out_file, report)
    if as_json:
        echo_json(report)
    else:
        for finding in report["findings"]:
            where = f"{finding['path']}: " if finding.get("path") else ""
            click.echo(f"{where}{finding['message']} [{finding['code']}]")
        click.echo(verdict or ("accepted" if ok else "refused"), err=True)
    if not ok and not exit_zero:
        raise SystemExit(1)


@ci.command("check-pr")
@REPO
@BASE
@HEAD
@FILES
@click.option(
    "--blobs",
    "blobs_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="With --files: folder of the added blobs, each file named by its SHA.",
)
@BOARD
@click.option(
    "--author",
    help="The submitter's GitHub login: the pull request's author (batch limits, "
    "public.github, participant_id ownership).",
)
@click.option(
    "--author-association",
    "association",
    help="GitHub's author_association (first-time contributors may be held for a maintainer).",
)
@click.option(
    "--recent-prs",
    type=click.IntRange(0),
    help="The author's pull requests opened in the last 24 hours, this one included "
    "(for automation.max_prs_per_author_per_day).",
)
@OUT
@AS_JSON
@EXIT_ZERO
def check_pr(
    repo,
    base,
    head,
    files_json,
    blobs_dir,
    board_dir,
    author,
    association,
    recent_prs,
    out_file,
    as_json,
    exit_zero,
) -> None:
    """May this pull request merge as a submission? Checks every changed file and its content.

    Rules: only added files, each `submissions/<2 hex>/<32 hex>.json`, plain (no symlink),
    within the size cap, at most automation.max_files_per_pr of them, each valid; no
    submission_id the board's history ever deleted; public.github equal to --author; no
    participant_id already on the board from another submitter; the author within
    automation.max_prs_per_author_per_day (given --recent-prs). --board must be a full
    clone of the base branch: its history is read. A broken board.yaml is reported as a
    finding, so the comment says so.
    """
    from tinytorch_board.board.ci.run import check_pull_request

    report = check_pull_request(
        repo=repo,
        base=base,
        head=head,
        files_json=files_json,
        blobs_dir=blobs_dir,
        board_dir=board_dir,
        author=author,
        association=association,
        recent_prs=recent_prs,
    )
    _finish(report, out_file, as_json, exit_zero, report["ok"])


@ci.command("verify-withdrawal")
@REPO
@BASE
@HEAD
@FILES
@BOARD
@click.option(
    "--body-file",
    required=True,
    help="The pull request description ('-' reads standard input).",
)
@click.option(
    "--author-association",
    "association",
    help="GitHub's author_association of the pull request (OWNER, MEMBER and COLLABORATOR "
    "removing files without a withdraw key make it a moderation removal).",
)
@OUT
@AS_JSON
@EXIT_ZERO
def verify_withdrawal(
    repo, base, head, files_json, board_dir, body_file, association, out_file, as_json, exit_zero
) -> None:
    """Is this a genuine withdrawal? One submission deleted, nothing else, key verified.

    The description must hold a line `withdraw-key: <64 hex>` whose SHA-256 equals the
    deleted file's withdraw_key_sha256.
    """
    from tinytorch_board.board.ci.run import check_withdrawal, read_text_input

    report = check_withdrawal(
        repo=repo,
        base=base,
        head=head,
        files_json=files_json,
        board_dir=board_dir,
        body=read_text_input(body_file),
        association=association,
    )
    if report["moderation"]:
        if not as_json:
            click.echo(f"moderation removal of {len(report['removed'])} file(s), for a maintainer")
        # Not a refusal: the maintainer merges it themselves.
        _finish(report, out_file, as_json, exit_zero, True, verdict="moderation")
        return
    _finish(report, out_file, as_json, exit_zero, report["ok"])


@ci.command("intake")
@click.option("--body-file", required=True, help="The issue body ('-' reads standard input).")
@click.option("--author", help="The issue author's GitHub login (the submitter).")
@BOARD
@click.option(
    "--write-to",
    type=click.Path(file_okay=False, path_type=Path),
    help="When valid, write the submission file under this folder at its board path.",
)
@OUT
@AS_JSON
@EXIT_ZERO
def intake(body_file, author, board_dir, write_to, out_file, as_json, exit_zero) -> None:
    """Validate a submission pasted into the issue form; write the file to commit if valid.

    The same rules as check-pr, with the issue's author as the submitter; --board must be
    a full clone of the base branch (its history is read).
    """
    from tinytorch_board.board.ci.run import intake as run_intake
    from tinytorch_board.board.ci.run import read_text_input
    from tinytorch_board.jsonio import write_text_atomic

    report, content = run_intake(read_text_input(body_file), board_dir, author)
    if content is not None and write_to is not None:
        write_text_atomic(write_to / report["path"], content)
    _finish(report, out_file, as_json, exit_zero, report["ok"])


@ci.command("comment")
@click.option(
    "--report",
    "report_file",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A report written by check-pr, verify-withdrawal or intake (--out).",
)
@click.option(
    "--distribution",
    help="api/distribution.json: a file, a built site or board folder, or a site URL.",
)
@click.option("--pr-url", help="For intake: the pull request that was opened.")
def comment(report_file: Path, distribution: str | None, pr_url: str | None) -> None:
    """Print the Markdown comment for a report (what failed and how to fix it, or success)."""
    from tinytorch_board.board.ci.run import load_distribution, load_report, render_comment

    report = load_report(report_file)
    # Only a successful submission is placed; a refusal never reads the distribution.
    placed = report["report"] == "pull-request" and report.get("ok")
    loaded = load_distribution(distribution) if placed else None
    click.echo(render_comment(report, loaded, pr_url), nl=False)


@ci.command("find-comment")
@click.option(
    "--comments",
    "comments_json",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The API's list of issue comments (JSON; paginated output is fine).",
)
@click.option(
    "--marker",
    required=True,
    type=click.Choice(["validate", "withdraw", "intake"]),
    help="Which of the bot's comments to find.",
)
def find_comment(comments_json: Path, marker: str) -> None:
    """Print the id of the bot's earlier comment of this kind (nothing if there is none)."""
    from tinytorch_board.board.ci.run import find_comment as run_find

    found = run_find(comments_json, marker)
    if found is not None:
        click.echo(found)
